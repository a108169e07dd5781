"""Read models over the in-memory storage: one ticket (tenant isolation), clocks, the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from servanda.bootstrap import memory_storage
from servanda.domain.errors import NotFoundError
from servanda.domain.events import EventType, TicketEvent
from servanda.services.audit import AuditAction, AuditEntry
from servanda.services.ingestion import record_events
from servanda.services.ports import TransitionKind, UnitOfWorkFactory
from servanda.services.queries import (
    ClockFilter,
    ClockFilterState,
    ClockPage,
    audit_entries,
    list_clocks,
    ticket_view,
)
from tests.streams import HOUR, START, apply_small_definitions


@pytest.fixture
def stored() -> UnitOfWorkFactory:
    uow_factory, evaluator = memory_storage()
    apply_small_definitions(uow_factory)
    events = [  # arrival order differs from event order
        TicketEvent("e3", "T1", EventType.RESOLVED, START + 3 * HOUR),
        TicketEvent("e1", "T1", EventType.CREATED, START, customer="acme", priority="P1"),
        TicketEvent("e2", "T1", EventType.RESPONDED, START + 2 * HOUR),
        TicketEvent("g1", "T2", EventType.CREATED, START, customer="globex", priority="P2"),
    ]
    record_events(uow_factory, evaluator, events, START + 4 * HOUR)
    return uow_factory


def test_a_ticket_reads_with_its_events_in_event_order_and_its_transitions_by_instant(
    stored,
) -> None:
    view = ticket_view(stored, "T1")
    assert [e.id for e in view.events] == ["e1", "e2", "e3"]
    assert [(t.measurement_key, t.kind, t.at) for t in view.transitions] == [
        ("first_response:0", TransitionKind.BREACHED, START + HOUR + 1),
        ("resolution:0", TransitionKind.MET, START + 3 * HOUR),
    ]
    assert [m.key for m in view.measurements] == ["first_response:0", "resolution:0"]
    assert (view.state.customer, view.state.event_count) == ("acme", 3)


def test_another_customers_ticket_reads_exactly_like_a_missing_one(stored) -> None:
    assert ticket_view(stored, "T1", customer="acme").state.id == "T1"
    with pytest.raises(NotFoundError) as other:
        ticket_view(stored, "T1", customer="globex")
    with pytest.raises(NotFoundError) as missing:
        ticket_view(stored, "T9", customer="globex")
    assert str(other.value) == "there is no ticket 'T1'"
    assert str(missing.value) == "there is no ticket 'T9'"


def test_a_locked_ticket_row_without_events_is_not_a_ticket(stored) -> None:
    with stored() as uow:
        uow.tickets.lock(["EMPTY"])
        uow.commit()
    with pytest.raises(NotFoundError, match="'EMPTY'"):
        ticket_view(stored, "EMPTY")


@dataclass
class RecordingClockQuery:
    """A clock query that answers one row-less page and keeps what it was asked."""

    asked: list[ClockFilter] = field(default_factory=list)

    def clocks(self, wanted: ClockFilter) -> ClockPage:
        self.asked.append(wanted)
        return ClockPage((), wanted.limit, wanted.offset, None)


def test_a_customer_listing_clocks_is_narrowed_to_itself_keeping_the_other_filters() -> None:
    query = RecordingClockQuery()
    wanted = ClockFilter(
        now=START, state=ClockFilterState.AT_RISK, service="email", agreement="gold", limit=5,
        offset=10,
    )  # fmt: skip
    list_clocks(query, wanted, only_customer="acme")
    list_clocks(query, wanted, only_customer=None)
    assert query.asked == [
        ClockFilter(START, ClockFilterState.AT_RISK, "acme", "email", "gold", 5, 10),
        wanted,
    ]


def test_a_customer_asking_for_another_customers_clocks_gets_an_empty_page_unasked() -> None:
    query = RecordingClockQuery()
    page = list_clocks(
        query, ClockFilter(now=START, customer="globex", limit=7, offset=3), only_customer="acme"
    )
    assert page == ClockPage((), 7, 3, None)
    assert query.asked == []


def test_the_audit_log_reads_the_newest_matching_entries_oldest_first() -> None:
    uow_factory, _ = memory_storage()
    with uow_factory() as uow:
        for at, action, subject in [
            (30, AuditAction.TOKEN_CREATED, "token a"),
            (10, AuditAction.TOKEN_CREATED, "token b"),
            (20, AuditAction.TOKEN_REVOKED, "token b"),
            (40, AuditAction.TOKEN_CREATED, "token c"),
        ]:
            uow.audit.add(AuditEntry.of(at, "admin", action, subject))
        uow.commit()
    created = audit_entries(uow_factory, action=AuditAction.TOKEN_CREATED)
    assert [e.subject for e in created] == ["token b", "token a", "token c"]
    assert [e.at for e in audit_entries(uow_factory, limit=2)] == [30, 40]
    assert [e.at for e in audit_entries(uow_factory, since=30)] == [30, 40]
    assert [e.action for e in audit_entries(uow_factory, subject="token b")] == [
        AuditAction.TOKEN_CREATED,
        AuditAction.TOKEN_REVOKED,
    ]
