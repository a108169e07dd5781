"""The demo's summary is the customer reports' own figures, per objective, service and currency,
with exact values in JSON; objectives the report leaves out are added and marked so."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from decimal import Decimal

import pytest

from servanda.demo.summary import DemoSummary, summarise, summary_json
from servanda.domain.agreements import Metric
from servanda.domain.compliance import Status
from tests.unit.demo.conftest import DemoRun, march_reports


@pytest.fixture(scope="module")
def summary(demo_run: DemoRun) -> DemoSummary:
    return summarise(demo_run.definitions, march_reports(demo_run))


def test_each_customer_summary_repeats_its_reports_results_and_cover(demo_run, summary) -> None:
    assert (summary.period, summary.title) == ("2026-03", "March 2026")
    assert [c.customer for c in summary.customers] == ["acme", "globex"]
    for (report, _), customer in zip(march_reports(demo_run), summary.customers, strict=True):
        assert [o.objective for o in customer.objectives] == [
            r.objective_key for r in report.results
        ]
        assert [(o.met, o.breached, o.level, o.status) for o in customer.objectives] == [
            (r.met, r.breached, r.level, r.status) for r in report.results
        ]
        assert (customer.objectives_met, customer.objectives_judged) == (
            report.objectives_met, report.objectives_judged,
        )  # fmt: skip
        assert customer.breaches == report.breach_count > 0
        assert [a.service for a in customer.availability] == [
            a.figure.service for a in report.availability
        ]
        assert [(f.currency, f.net) for f in customer.credits] == [
            (currency, report.statement.net(currency)) for currency in report.statement.currencies
        ]
        assert customer.timezone == report.timezone


def test_the_json_keeps_exact_values_and_each_figure_under_its_own_name(summary) -> None:
    document = json.loads(summary_json(summary))
    acme = document["customers"][0]
    assert (acme["customer"], acme["group"], acme["reporting_timezone"]) == (
        "acme",
        "gold",
        "Europe/Berlin",
    )
    by_metric = {}
    for item in acme["objectives"]:
        by_metric.setdefault(item["metric"], item)
    ticket, availability, rating = (
        by_metric["first_response"],
        by_metric["availability"],
        by_metric["satisfaction"],
    )
    assert {"met", "breached", "attainment"} <= set(ticket)
    assert "mean" not in ticket
    assert Decimal(ticket["attainment"]) == Decimal(ticket["met"]) / (
        ticket["met"] + ticket["breached"]
    )
    assert set(availability) >= {"availability"}
    assert "met" not in availability
    assert {"ratings", "mean"} <= set(rating)
    assert "attainment" not in rating
    (credit,) = acme["credits"]
    assert Decimal(credit["net"]) == Decimal(credit["credits"]) - Decimal(credit["bonuses"])
    assert summary_json(summary).endswith("}\n")


def test_the_same_seed_gives_a_byte_identical_summary(
    summary: DemoSummary, rerun: Callable[[int], DemoRun]
) -> None:
    again = rerun(7)
    assert summary_json(summarise(again.definitions, march_reports(again))) == summary_json(summary)


def test_an_objective_with_items_that_the_report_leaves_out_is_added_and_marked(demo_run) -> None:
    (report, compliance), *_ = march_reports(demo_run)
    row = next(r for r in compliance.rows if r.metric is Metric.RESOLUTION)
    extra = (
        dataclasses.replace(row, objective_key="silver/resolution-1", met=3, breached=0),
        dataclasses.replace(row, objective_key="silver/resolution-1", met=1, breached=0),
        dataclasses.replace(row, objective_key="gone/resolution-9", met=5, breached=5),
    )
    widened = dataclasses.replace(compliance, rows=(*compliance.rows, *extra))
    (acme,) = summarise(demo_run.definitions, [(report, widened)]).customers
    added = acme.objectives[-1]
    assert (added.objective, added.met, added.breached, added.level) == (
        "silver/resolution-1", 4, 0, Decimal(1),
    )  # fmt: skip
    assert (added.in_customer_report, added.status, added.target) == (
        False,
        Status.PASS,
        "12h on berlin-office",
    )
    assert (
        len(acme.objectives) == len(report.results) + 1
    )  # an objective no revision knows is left out
    assert (acme.objectives_met, acme.objectives_judged) == (
        report.objectives_met,
        report.objectives_judged,
    )
    assert (
        json.loads(summary_json(DemoSummary("p", "t", (acme,))))["customers"][0]["objectives"][-1][
            "in_customer_report"
        ]
        is False
    )
