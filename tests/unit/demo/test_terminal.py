"""The demo's summary as terminal tables: rows per objective grouped by agreement, figures rounded
for display, the report cover's count in the caption, and the same text for the same seed."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D

import pytest
from rich.console import Console

from servanda.demo.summary import AvailabilityFigure, CustomerSummary, ObjectiveFigure, summarise
from servanda.demo.terminal import customer_table, objective_row, tickets
from servanda.domain.agreements import Metric
from servanda.domain.compliance import Status
from tests.unit.demo.conftest import DemoRun, march_reports


def text(summary_customers: tuple[CustomerSummary, ...]) -> str:
    console = Console(record=True, width=160, color_system=None)
    for customer in summary_customers:
        console.print(customer_table(customer))
    return console.export_text()


@pytest.mark.parametrize(
    ("scope", "shown"),
    [
        ("all tickets", "all tickets"),
        ("", "all tickets"),
        ("priority in {P2, P3}", "P2, P3"),
        ("type in {change} and priority in {P1}", "P1, type change"),
        ("type in {incident} and channel in {phone}", "type incident, channel phone"),
    ],
)
def test_a_scope_reads_as_priorities_first_then_other_attributes(scope: str, shown: str) -> None:
    assert tickets(scope) == shown


TICKET = ObjectiveFigure("gold/res", Metric.RESOLUTION, "priority in {P1}", "4h on 24x7",
                         D("0.98"), 5, 1, D(5) / D(6), Status.FAIL)  # fmt: skip


def test_a_ticket_objective_shows_goal_counts_and_rounded_attainment() -> None:
    assert objective_row(TICKET) == (
        "resolution P1", "4h 24x7", "98%", "5", "1", "83.33%", "", "", "MISSED",
    )  # fmt: skip
    empty = ObjectiveFigure("h/fr", Metric.FIRST_RESPONSE, "all tickets", "1h on office", None,
                            0, 0, None, Status.NO_ITEMS)  # fmt: skip
    assert objective_row(empty) == ("first response all tickets", "1h office", "-", "0", "0", "-",
                                    "", "", "no items")  # fmt: skip


def test_a_satisfaction_objective_shows_ratings_and_the_mean_to_two_places() -> None:
    rating = ObjectiveFigure("h/csat", Metric.SATISFACTION, "all tickets", "mean rating ≥ 4.0", None,
                             0, 0, D("4.147"), Status.PASS, ratings=34)  # fmt: skip
    assert objective_row(rating) == (
        "satisfaction all tickets", "mean rating ≥ 4.0", "-", "", "", "", "34", "4.15", "met",
    )  # fmt: skip


def test_availability_shows_downtime_only_when_it_measures_one_service() -> None:
    objective = ObjectiveFigure("g/up", Metric.AVAILABILITY, "services email, network",
                                "99.99% on 24x7", None, 0, 0, D("0.99966"), Status.FAIL)  # fmt: skip
    email = AvailabilityFigure("email", "g/up", D("0.9999"), D("0.9998"), D(906), Status.FAIL)
    network = AvailabilityFigure("network", "g/up", D("0.9999"), D("0.99966"), D(60), Status.FAIL)
    assert objective_row(objective, [email]) == (
        "availability email", "99.99%, 15.1 min down", "-", "", "", "99.966%", "", "", "MISSED",
    )  # fmt: skip
    assert objective_row(objective, [email, network])[:2] == (
        "availability email, network",
        "99.99%",
    )
    assert objective_row(objective, [])[:2] == ("availability -", "99.99%")


def test_a_table_groups_rows_under_their_agreement_and_counts_like_the_report_cover() -> None:
    customer = CustomerSummary("hooli", "Hooli", None, "UTC", (TICKET,), (), ())
    table = customer_table(customer)
    assert table.title == "Hooli (hooli; reported in UTC)"
    assert table.caption == "0 / 1 objectives met; 1 breaches; no fees, no credits"
    rendered = text((customer,))
    lines = [line.rstrip() for line in rendered.splitlines()]
    header = lines.index("gold")
    assert lines[header + 1].startswith("  resolution P1")


def test_the_demo_customers_tables_read_the_same_for_the_same_seed(
    demo_run: DemoRun, rerun: Callable[[int], DemoRun]
) -> None:
    first = text(summarise(demo_run.definitions, march_reports(demo_run)).customers)
    again = rerun(7)
    assert text(summarise(again.definitions, march_reports(again)).customers) == first
    assert "ACME GmbH (acme, gold; reported in Europe/Berlin)" in first
    assert "Globex Corporation (globex, gold; reported in America/New_York)" in first
    acme = summarise(demo_run.definitions, march_reports(demo_run)).customers[0]
    assert (
        f"{acme.objectives_met} / {acme.objectives_judged} objectives met; {acme.breaches} breaches"
        in first
    )
