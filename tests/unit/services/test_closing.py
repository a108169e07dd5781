"""Closing and reopening periods over the in-memory storage (ACME, March 2026: tests.reports_scenario)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from servanda.domain.availability import Outage
from servanda.domain.credits import LineKind
from servanda.domain.errors import ConflictError, NotFoundError
from servanda.domain.events import EventType, TicketEvent
from servanda.services.audit import AuditAction
from servanda.services.closing import (
    ReasonRequiredError,
    close_period,
    closed_periods,
    reopen_period,
)
from servanda.services.credit_reports import credits_report
from servanda.services.customer_report import customer_report
from servanda.services.ingestion import record_events
from servanda.services.outages import record_outages
from servanda.services.queries import audit_entries
from servanda.services.reports import ReportSources, availability_report, compliance_report
from servanda.services.revisions import apply_definitions
from servanda.specs.snapshot import content_hash
from tests import reports_scenario
from tests.memory_reports import MemoryReports, memory_reports
from tests.reports_scenario import at

CLOSED_AT = int(datetime(2026, 4, 2, 9, tzinfo=UTC).timestamp())  # in April, Berlin


@pytest.fixture
def acme() -> MemoryReports:
    return memory_reports().load(reports_scenario.load)


def close(reports: MemoryReports, customer: str | None = "acme", period: str = "2026-03"):
    return close_period(
        reports.sources, period, customer=customer, now=CLOSED_AT, author="alice",
        reason="March invoiced",
    )  # fmt: skip


def late_news(reports: MemoryReports) -> None:
    """Nine late March P1 tickets fixed within the hour (gold resolution: 10 of 11 met, its
    credit band from 15 % to 5 %) and a late two-hour network outage."""
    late = []
    for n in range(9):
        day = f"2026-03-{10 + n:02d}"
        late += [
            TicketEvent(f"L{n}-0", f"L{n}", EventType.CREATED, at(f"{day}T08:00:00"),
                        customer="acme", service="email", priority="P1"),
            TicketEvent(f"L{n}-1", f"L{n}", EventType.RESPONDED, at(f"{day}T08:05:00")),
            TicketEvent(f"L{n}-2", f"L{n}", EventType.RESOLVED, at(f"{day}T09:00:00")),
        ]  # fmt: skip
    record_events(reports.uow_factory, reports.evaluator, late, reports_scenario.NOW)
    outage = Outage("o9", "network", at("2026-03-25T10:00:00"), at("2026-03-25T12:00:00"))
    record_outages(reports.uow_factory, [outage])


def figures(sources: ReportSources, period: str = "2026-03") -> tuple[object, ...]:
    return (
        compliance_report(sources, period, customer="acme").rows,
        availability_report(sources, period, customer="acme").rows,
        credits_report(sources, period, customer="acme").statements,
        customer_report(sources, "acme", period).results,
    )


def test_a_close_keeps_the_period_its_ceiling_the_stated_credits_and_the_records_hash(
    acme,
) -> None:
    (closed,) = close(acme)
    assert (closed.customer, closed.period, closed.start, closed.end) == (
        "acme",
        "2026-03",
        at("2026-02-28T23:00:00"),  # March in Berlin
        at("2026-03-31T22:00:00"),
    )
    assert (closed.closed_at, closed.closed_by, closed.reason) == (
        CLOSED_AT,
        "alice",
        "March invoiced",
    )
    assert (closed.revision_ceiling, closed.net_credits, closed.booked) == (
        1,
        (("EUR", Decimal("4100.00")),),
        (),
    )
    with acme.uow_factory() as uow:
        snapshot = uow.periods.snapshot(closed.id or 0)
    assert closed.content_hash == hashlib.sha256(snapshot.encode()).hexdigest()
    (entry,) = audit_entries(acme.uow_factory, action=AuditAction.PERIOD_CLOSED)
    assert (entry.at, entry.actor, entry.subject, entry.reason) == (
        CLOSED_AT,
        "alice",
        "period 2026-03 acme",
        "March invoiced",
    )
    assert entry.detail_map == {
        "customer": "acme",
        "period": "2026-03",
        "content_hash": closed.content_hash,
        "revision_ceiling": "1",
        "net_credits_EUR": "4100.00",
    }


def test_a_closed_periods_figures_stay_whatever_events_and_outages_arrive_later(acme) -> None:
    before = figures(acme.sources)
    close(acme)
    late_news(acme)
    assert figures(acme.sources) == before
    now = figures(acme.without_closes())
    assert now != before  # the late news matter to the live figures
    (statement,) = now[2]
    assert statement.own_net("EUR").rounded().amount == Decimal("2200.00")  # 950 + 1,250


def test_a_revision_applied_after_the_close_is_not_seen_by_the_closed_period(acme) -> None:
    close(acme)
    apply_definitions(
        acme.uow_factory,
        replace(reports_scenario.example_definitions(), provider="Renamed Services"),
        fingerprint=content_hash,
        now=CLOSED_AT + 60,
        effective_from=at("2026-03-01T00:00:00"),
        remeasure=False,
    )
    closed = customer_report(acme.sources, "acme", "2026-03")
    live = customer_report(acme.without_closes(), "acme", "2026-03")
    assert (closed.revision_id, closed.provider) == (1, "Northwind Managed Services")
    assert (live.revision_id, live.provider) == (2, "Renamed Services")
    assert closed.closed is not None
    assert closed.closed.closed_by == "alice"


def test_closing_for_everyone_closes_each_customer_in_its_own_zone(acme) -> None:
    stored = close(acme, customer=None)
    by_customer = {c.customer: (c.period, c.start) for c in stored}
    assert sorted(by_customer) == ["acme", "globex", "hooli", "initech", "umbrella"]
    assert by_customer["globex"] == ("2026-03", at("2026-03-01T05:00:00"))  # New York
    assert by_customer["acme"] == ("2026-03", at("2026-02-28T23:00:00"))  # Berlin
    everyone = compliance_report(acme.sources, "2026-03")
    assert sorted(c.customer for c in everyone.closed) == sorted(by_customer)


def test_a_period_closed_twice_is_refused_and_nothing_more_is_stored(acme) -> None:
    close(acme)
    with pytest.raises(ConflictError, match=r"already closed for acme \(by alice\)"):
        close(acme)
    with pytest.raises(ConflictError):
        close(acme, customer=None)  # one of them is closed: none is closed again
    assert len(closed_periods(acme.uow_factory)) == 1
    assert len(audit_entries(acme.uow_factory, action=AuditAction.PERIOD_CLOSED)) == 1


def test_closing_for_a_customer_the_definitions_do_not_name_is_refused(acme) -> None:
    with pytest.raises(NotFoundError, match="'nobody' is not in the definitions"):
        close(acme, customer="nobody")


def test_reopening_needs_a_reason_and_a_closed_period(acme) -> None:
    close(acme)
    with pytest.raises(ReasonRequiredError):
        reopen_period(acme.uow_factory, "2026-03", customer="acme", now=CLOSED_AT, author="bob",
                      reason="  ")  # fmt: skip
    with pytest.raises(NotFoundError, match="2026-02 is not closed for acme"):
        reopen_period(acme.uow_factory, "2026-02", customer="acme", now=CLOSED_AT, author="bob",
                      reason="typo")  # fmt: skip
    assert [c.in_force for c in closed_periods(acme.uow_factory)] == [True]


def test_a_reopened_period_is_live_again_and_its_close_is_kept_and_audited(acme) -> None:
    close(acme)
    late_news(acme)
    (reopened,) = reopen_period(
        acme.uow_factory, "2026-03", customer="acme", now=CLOSED_AT + 9, author="bob",
        reason="late outage report",
    )  # fmt: skip
    assert (reopened.reopened_at, reopened.reopened_by, reopened.reopen_reason) == (
        CLOSED_AT + 9,
        "bob",
        "late outage report",
    )
    assert figures(acme.sources) == figures(acme.without_closes())
    (kept,) = closed_periods(acme.uow_factory, "acme")
    assert not kept.in_force
    closed, opened = audit_entries(acme.uow_factory)[-2:]
    assert (opened.action, opened.actor) == (AuditAction.PERIOD_REOPENED, "bob")
    assert opened.detail_map["content_hash"] == closed.detail_map["content_hash"]
    close(acme)  # a reopened period can be closed again
    assert [c.in_force for c in closed_periods(acme.uow_factory)] == [False, True]


def adjustments(reports: MemoryReports, period: str) -> list[tuple[str | None, Decimal]]:
    (statement,) = credits_report(reports.sources, period, customer="acme").statements
    return [(line.adjusts, line.amount.amount) for line in statement.adjustments]


def test_an_adjustment_after_close_is_booked_once_on_the_first_open_month(acme) -> None:
    close(acme)  # closed on 2 April: booked on April's statement
    assert adjustments(acme, "2026-04") == []
    late_news(acme)
    owed = Decimal("2200.00") - Decimal("4100.00")
    assert adjustments(acme, "2026-04") == [("2026-03", owed)]
    assert adjustments(acme, "2026-05") == []
    (april,) = close(acme, period="2026-04")
    assert april.booked == (("2026-03", "EUR", owed),)
    assert adjustments(acme, "2026-04") == [("2026-03", owed)]  # as booked at April's close
    assert adjustments(acme, "2026-05") == []  # never twice
    (statement,) = credits_report(acme.sources, "2026-04", customer="acme").statements
    (line,) = [line for line in statement.lines if line.kind is LineKind.ADJUSTMENT]
    assert "stated at its close EUR 4,100.00 by alice" in line.reason


def test_an_adjustment_skips_a_month_that_is_closed_itself(acme) -> None:
    close(acme)
    close(acme, period="2026-04")  # closed before the late news: it booked nothing
    late_news(acme)
    assert adjustments(acme, "2026-04") == []
    assert adjustments(acme, "2026-05") == [("2026-03", Decimal("2200.00") - Decimal("4100.00"))]


def test_stored_closes_are_found_by_customer_and_label_while_in_force(acme) -> None:
    close(acme, customer=None)
    lookup = acme.sources.closed
    assert lookup is not None
    found = lookup.find("globex", "2026-03")
    assert found is not None
    closed, recording = found
    assert (closed.customer, recording.revision_ceiling) == ("globex", 1)
    assert lookup.find("globex", "2026-04") is None
    assert lookup.customers_closed("2026-03") == ["acme", "globex", "hooli", "initech", "umbrella"]
    reopen_period(acme.uow_factory, "2026-03", customer="globex", now=CLOSED_AT, author="bob",
                  reason="wrong fees")  # fmt: skip
    assert lookup.find("globex", "2026-03") is None
    assert "globex" not in lookup.customers_closed("2026-03")
    assert [c.period for c in lookup.in_force("acme")] == ["2026-03"]
