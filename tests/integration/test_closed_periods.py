"""Closed periods on SQLite and PostgreSQL: a closed period's reports never move, in any format;
reopening is explicit; adjustments after close are booked once, on the first open month.

The data is the hand-computed ACME March of ``tests/reports_scenario`` (Europe/Berlin).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from servanda.bootstrap import Storage, connect, load_settings
from servanda.domain.availability import Outage
from servanda.domain.credits import LineKind
from servanda.domain.errors import ConflictError, NotFoundError
from servanda.domain.events import EventType, TicketEvent
from servanda.reporting import tables
from servanda.reporting.html import customer_report_html
from servanda.services.audit import AuditAction
from servanda.services.closing import ReasonRequiredError, close_period, reopen_period
from servanda.services.credit_reports import credits_report
from servanda.services.customer_report import customer_report
from servanda.services.ingestion import record_events
from servanda.services.outages import record_outages
from servanda.services.queries import audit_entries
from servanda.services.reports import ReportSources, availability_report, compliance_report
from tests import reports_scenario
from tests.reports_scenario import at

CLOSED_AT = int(datetime(2026, 4, 2, 9, tzinfo=UTC).timestamp())  # in April, Berlin


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    opened = connect(load_settings(database_url=database_url))
    reports_scenario.load(opened)
    yield opened
    opened.dispose()


def _outputs(sources: ReportSources, period: str = "2026-03") -> dict[str, str]:
    """Every report of ACME's period in every format."""
    made = {
        "compliance": tables.compliance_table(compliance_report(sources, period, customer="acme")),
        "availability": tables.availability_table(
            availability_report(sources, period, customer="acme")
        ),
        "credits": tables.credits_table(credits_report(sources, period, customer="acme")),
    }
    found = {}
    for name, table in made.items():
        found[f"{name}.json"] = tables.to_json(table)
        found[f"{name}.csv"] = tables.to_csv(table)
        found[f"{name}.html"] = tables.to_html(table)
    found["customer.html"] = customer_report_html(customer_report(sources, "acme", period))
    return found


def _late_news(storage: Storage) -> None:
    """Nine late ACME P1 tickets of March resolved within the hour (gold resolution goes from
    1 of 2 to 10 of 11 met: its credit band from 15 % to 5 %), and a late network outage."""
    late = []
    for n in range(9):
        day = f"2026-03-{10 + n:02d}"
        late += [
            TicketEvent(f"L{n}-0", f"L{n}", EventType.CREATED, at(f"{day}T08:00:00"),
                        customer="acme", service="email", priority="P1"),
            TicketEvent(f"L{n}-1", f"L{n}", EventType.RESPONDED, at(f"{day}T08:05:00")),
            TicketEvent(f"L{n}-2", f"L{n}", EventType.RESOLVED, at(f"{day}T09:00:00")),
        ]  # fmt: skip
    record_events(storage.uow_factory, storage.evaluator, late, reports_scenario.NOW)
    outage = Outage("o9", "network", at("2026-03-25T10:00:00"), at("2026-03-25T12:00:00"))
    record_outages(storage.uow_factory, [outage])


def _close(storage: Storage, customer: str | None = "acme", period: str = "2026-03") -> None:
    close_period(
        storage.reports, period, customer=customer, now=CLOSED_AT, author="alice",
        reason="March invoiced",
    )  # fmt: skip


def test_a_closed_periods_reports_stay_byte_identical_whatever_arrives_later(
    storage: Storage,
) -> None:
    sources = storage.reports
    before_close = _outputs(sources)
    _close(storage)
    closed = _outputs(sources)
    assert closed["credits.csv"] == before_close["credits.csv"]  # the same figures
    assert '"closed_at": "2026-04-02T09:00:00+00:00"' in closed["credits.json"]
    assert "closed 2026-04-02T09:00:00+00:00 by alice" in closed["credits.html"]
    _late_news(storage)
    assert _outputs(sources) == closed
    assert _outputs(storage.reports) == closed  # a new process reads the same
    live = ReportSources(sources.uow_factory, sources.read_model)
    assert _outputs(live)["credits.csv"] != closed["credits.csv"]  # the late news matter


def test_reopening_is_explicit_audited_and_makes_the_reports_live_again(storage: Storage) -> None:
    sources = storage.reports
    _close(storage)
    with pytest.raises(ConflictError, match="already closed for acme"):
        _close(storage)
    _late_news(storage)
    with pytest.raises(ReasonRequiredError):
        reopen_period(storage.uow_factory, "2026-03", customer="acme", now=CLOSED_AT + 9,
                      author="bob", reason=" ")  # fmt: skip
    with pytest.raises(NotFoundError):
        reopen_period(storage.uow_factory, "2026-02", customer="acme", now=CLOSED_AT + 9,
                      author="bob", reason="typo")  # fmt: skip
    reopen_period(storage.uow_factory, "2026-03", customer="acme", now=CLOSED_AT + 9,
                  author="bob", reason="late outage report")  # fmt: skip
    live = ReportSources(sources.uow_factory, sources.read_model)
    assert _outputs(sources) == _outputs(live)
    entries = audit_entries(storage.uow_factory)
    assert [(e.action, e.actor, e.reason) for e in entries[-2:]] == [
        (AuditAction.PERIOD_CLOSED, "alice", "March invoiced"),
        (AuditAction.PERIOD_REOPENED, "bob", "late outage report"),
    ]
    assert entries[-2].detail_map["content_hash"] == entries[-1].detail_map["content_hash"]


def test_provider_wide_reports_take_a_closed_customers_rows_from_its_close(
    storage: Storage,
) -> None:
    sources = storage.reports
    _close(storage)
    frozen = compliance_report(sources, "2026-03", customer="acme")
    _late_news(storage)
    everyone = compliance_report(sources, "2026-03")
    assert [r for r in everyone.rows if r.customer == "acme"] == list(frozen.rows)
    assert [c.customer for c in everyone.closed] == ["acme"]
    statements = credits_report(sources, "2026-03").statements
    assert [s for s in statements if s.customer == "acme"] == list(
        credits_report(sources, "2026-03", customer="acme").statements
    )


def _adjustments(sources: ReportSources, period: str) -> list[tuple[str | None, Decimal]]:
    statement = credits_report(sources, period, customer="acme").statements[0]
    return [
        (ln.adjusts, ln.amount.amount) for ln in statement.lines if ln.kind is LineKind.ADJUSTMENT
    ]


def _net_now(storage: Storage, period: str) -> Decimal:
    live = storage.reports
    live = ReportSources(live.uow_factory, live.read_model)
    return credits_report(live, period, customer="acme").statements[0].own_net("EUR").amount


def test_an_adjustment_after_close_is_booked_once_on_the_first_open_month(
    storage: Storage,
) -> None:
    sources = storage.reports
    _close(storage)  # closed on 2 April: booked on April's statement
    stated = credits_report(sources, "2026-03", customer="acme").statements[0].net("EUR").amount
    assert _adjustments(sources, "2026-04") == []
    _late_news(storage)
    owed = _net_now(storage, "2026-03") - stated
    assert owed != 0
    assert _adjustments(sources, "2026-04") == [("2026-03", owed)]
    assert _adjustments(sources, "2026-05") == []
    _close(storage, period="2026-04")  # April books it for good
    assert _adjustments(sources, "2026-04") == [("2026-03", owed)]
    assert _adjustments(sources, "2026-05") == []  # never twice
    more = [  # a late breach: 10 of 12 met, below 90 % again
        TicketEvent("M-0", "M", EventType.CREATED, at("2026-03-22T08:00:00"), customer="acme",
                    service="email", priority="P1"),
        TicketEvent("M-1", "M", EventType.RESOLVED, at("2026-03-22T19:00:00")),
    ]  # fmt: skip
    record_events(storage.uow_factory, storage.evaluator, more, reports_scenario.NOW)
    again = _net_now(storage, "2026-03") - stated - owed
    assert again != 0
    assert _adjustments(sources, "2026-05") == [("2026-03", again)]
