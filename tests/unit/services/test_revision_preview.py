"""What applying a revision would change, over the in-memory storage (tests.reports_scenario).

The draft gives gold's P1 resolution 8h instead of 4h, effective with the stored revision: T4
(6h, March) and T2 (6.5h, April in Berlin) turn from breached to met, T1 (2h) keeps its outcome
under the new target, T9, still open, runs under the new target, and Globex's G1 (gold too,
5h, March in New York) turns met.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from functools import cache

import pytest

from servanda.domain.agreements import Definitions
from servanda.domain.events import EventType, TicketEvent
from servanda.domain.money import Money
from servanda.services.closing import close_period
from servanda.services.credit_reports import credits_report
from servanda.services.ingestion import record_events
from servanda.services.revision_preview import OPEN, PreviewRow, preview_revision
from servanda.services.revisions import apply_definitions
from servanda.specs.snapshot import content_hash
from tests import reports_scenario
from tests.memory_reports import MemoryReports, memory_reports
from tests.reports_scenario import NOW, at

HOUR = 3600
EFFECTIVE = at("2026-01-01T00:00:00")


def eur(amount: str) -> tuple[Money, ...]:
    return (Money(Decimal(amount), "EUR"),)


def usd(amount: str) -> tuple[Money, ...]:
    return (Money(Decimal(amount), "USD"),)


@cache
def gold_resolution(hours: int) -> Definitions:
    """The example definitions with gold's P1 resolution target set to ``hours``."""
    definitions = reports_scenario.example_definitions()
    agreements = []
    for agreement in definitions.agreements:
        objectives = tuple(
            replace(o, target_seconds=hours * HOUR)
            if agreement.id == "gold" and o.id == "resolution-1"
            else o
            for o in agreement.objectives
        )
        agreements.append(replace(agreement, objectives=objectives))
    return replace(definitions, agreements=tuple(agreements))


@pytest.fixture
def acme() -> MemoryReports:
    reports = memory_reports().load(reports_scenario.load)
    still_open = TicketEvent("T9-0", "T9", EventType.CREATED, NOW - HOUR, customer="acme",
                             service="email", priority="P1")  # fmt: skip
    globex = [
        TicketEvent("G1-0", "G1", EventType.CREATED, at("2026-03-16T14:00:00"),
                    customer="globex", service="network", priority="P1"),
        TicketEvent("G1-1", "G1", EventType.RESPONDED, at("2026-03-16T14:10:00")),
        TicketEvent("G1-2", "G1", EventType.RESOLVED, at("2026-03-16T19:00:00")),
    ]  # fmt: skip
    record_events(reports.uow_factory, reports.evaluator, [still_open, *globex], NOW)
    return reports


def test_the_preview_counts_flips_per_customer_and_month_with_credits_before_and_after(
    acme,
) -> None:
    preview = preview_revision(
        acme.sources, acme.evaluator, gold_resolution(8), now=NOW, effective_from=EFFECTIVE
    )
    assert (preview.effective_from, preview.affected, preview.changed) == (EFFECTIVE, 5, 5)
    assert preview.rows == (
        PreviewRow("acme", "2026-03", 2, 0, 1, eur("4100.00"), eur("870.00")),
        PreviewRow("acme", "2026-04", 1, 0, 1, eur("2700.00"), eur("-530.00")),
        PreviewRow("acme", OPEN, 1, 0, 0),  # T9: no period, no credits
        PreviewRow("globex", "2026-03", 1, 0, 1, usd("4125.00"), usd("2000.00")),
    )


def test_the_figures_after_are_exactly_what_re_measuring_stores(acme) -> None:
    draft = gold_resolution(8)
    preview = preview_revision(acme.sources, acme.evaluator, draft, now=NOW,
                               effective_from=EFFECTIVE)  # fmt: skip
    apply_definitions(acme.uow_factory, draft, fingerprint=content_hash, now=NOW,
                      effective_from=EFFECTIVE, remeasure=True, evaluator=acme.evaluator)  # fmt: skip
    concluded = [row for row in preview.rows if row.period != OPEN]
    assert len(concluded) == 3
    for row in concluded:
        (statement,) = credits_report(acme.sources, row.period, customer=row.customer).statements
        assert tuple(statement.net(c) for c in statement.currencies) == row.credits_after


def test_a_stricter_target_turns_met_items_breached(acme) -> None:
    preview = preview_revision(
        acme.sources, acme.evaluator, gold_resolution(1), now=NOW, effective_from=EFFECTIVE
    )
    march = next(row for row in preview.rows if row.period == "2026-03")
    assert (march.met_to_breached, march.breached_to_met) == (1, 0)  # T1 took 2h


def test_each_ticket_is_folded_at_the_instant_it_was_last_folded_so_only_the_revision_differs(
    acme,
) -> None:
    at_now = preview_revision(
        acme.sources, acme.evaluator, gold_resolution(8), now=NOW, effective_from=EFFECTIVE
    )
    later = preview_revision(
        acme.sources, acme.evaluator, gold_resolution(8), now=NOW + 240 * HOUR,
        effective_from=EFFECTIVE,
    )  # fmt: skip
    assert later.rows == at_now.rows  # T9 is still open, not breached by the time passed


def test_a_preview_writes_nothing(acme) -> None:
    with acme.uow_factory() as uow:
        before = (uow.revisions.history(), uow.measurements.for_tickets(["T1", "T2", "T4", "T9"]))
    preview_revision(acme.sources, acme.evaluator, gold_resolution(8), now=NOW,
                     effective_from=EFFECTIVE)  # fmt: skip
    with acme.uow_factory() as uow:
        after = (uow.revisions.history(), uow.measurements.for_tickets(["T1", "T2", "T4", "T9"]))
    assert after == before


def test_a_revision_effective_now_by_default_changes_no_stored_ticket(acme) -> None:
    preview = preview_revision(acme.sources, acme.evaluator, gold_resolution(8), now=NOW)
    assert (preview.effective_from, preview.affected, preview.changed, preview.rows) == (
        NOW,
        0,
        0,
        (),
    )


def test_a_closed_month_keeps_its_figures_and_says_so(acme) -> None:
    close_period(acme.sources, "2026-03", customer="acme", now=NOW, author="alice")
    preview = preview_revision(
        acme.sources, acme.evaluator, gold_resolution(8), now=NOW, effective_from=EFFECTIVE
    )
    march = next(row for row in preview.rows if row.period == "2026-03")
    assert (march.closed, march.credits_before, march.credits_after) == (
        True,
        eur("4100.00"),
        eur("4100.00"),
    )
    april = next(row for row in preview.rows if row.period == "2026-04")
    assert not april.closed
