"""Read models for the API: one ticket with its clocks and timeline; the clocks list.

Visibility rule (tenant isolation): a query given ``customer=`` (a customer
token's customer) sees only that customer's tickets; any other ticket reads
exactly as one that does not exist — same error, same message. Of a ticket
that moved to them from another customer they see only the part of its
history during which it was theirs (``domain.ownership``): events, transitions,
clock history steps and custom fields of an earlier owner are left out.

Clock listing: sorted by deadline (earliest first, clocks without a deadline
last), then ticket and measurement key; paginated with ``limit``/``offset``.
``at_risk`` means a *running* clock that has crossed a warning threshold:
a warning transition is recorded for it, or its ``next_due_at`` (the next
warning or the breach) has passed and no sweep has recorded it yet. Values
(elapsed, remaining) are as of the clock's last evaluation (``evaluated_at``).
Instants are epoch seconds (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from servanda.domain.clock.measurement import ClockChange
from servanda.domain.errors import NotFoundError
from servanda.domain.events import TicketEvent
from servanda.domain.ownership import CustomerView, customer_view
from servanda.services.audit import AuditAction, AuditEntry
from servanda.services.ports import (
    StoredMeasurement,
    TicketState,
    Transition,
    UnitOfWorkFactory,
)


class ClockFilterState(StrEnum):
    """The ``state=`` filter of the clocks list: a stored clock state, or ``at_risk``."""

    AT_RISK = "at_risk"
    RUNNING = "running"
    PAUSED = "paused"
    BREACHED = "breached"
    MET = "met"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class ClockFilter:
    now: int
    state: ClockFilterState | None = None
    customer: str | None = None
    service: str | None = None
    agreement: str | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ClockRow:
    """One clock (a stored measurement) with its ticket's scope."""

    ticket: str
    key: str
    agreement: str
    objective: str
    metric: str
    cycle: int
    state: str
    at_risk: bool
    target_seconds: int | None
    elapsed_seconds: int | None
    deadline: int | None
    breached_at: int | None
    next_due_at: int | None
    evaluated_at: int
    customer: str | None
    service: str | None
    priority: str | None


@dataclass(frozen=True, slots=True)
class ClockPage:
    items: tuple[ClockRow, ...]
    limit: int
    offset: int
    next_offset: int | None  # None: this is the last page


class ClockQuery(Protocol):
    def clocks(self, wanted: ClockFilter) -> ClockPage: ...


@dataclass(frozen=True, slots=True)
class TicketView:
    """A ticket as stored: attributes, clocks, and the events and transitions in time order."""

    state: TicketState
    measurements: tuple[StoredMeasurement, ...]
    events: tuple[TicketEvent, ...]  # in application order
    transitions: tuple[Transition, ...]  # by instant
    owned_since: int | None = None  # seen by a customer: when the ticket last became theirs


def missing_ticket(ticket_id: str) -> NotFoundError:
    """The one error for a ticket that is absent *or* belongs to another customer."""
    return NotFoundError(f"there is no ticket {ticket_id!r}")


def ticket_view(
    uow_factory: UnitOfWorkFactory, ticket_id: str, *, customer: str | None = None
) -> TicketView:
    """The ticket ``ticket_id``; restricted to ``customer`` when given."""
    with uow_factory() as uow:
        found = uow.tickets.view(ticket_id)
    state = found.state if found is not None else None
    if state is None or state.event_count == 0:
        raise missing_ticket(ticket_id)
    if customer is not None and state.customer != customer:
        raise missing_ticket(ticket_id)
    assert found is not None
    view = TicketView(
        state=state,
        measurements=tuple(found.measurements),
        events=tuple(sorted(found.events, key=lambda e: e.order_key)),
        transitions=tuple(sorted(found.transitions, key=lambda t: (t.at, t.kind.value))),
    )
    return view if customer is None else seen_by(view, customer)


def seen_by(view: TicketView, customer: str) -> TicketView:
    """``view`` as ``customer`` may see it: only the history during which the ticket was theirs.

    Its clocks are theirs (measured from the ticket's creation, as the
    definitions say) and keep their figures; only the steps of a clock's history
    caused by events they do not see are left out. ``event_count`` counts the
    events they see.
    """
    seen = customer_view(view.events, customer)
    state = replace(
        view.state,
        attributes=tuple((k, v) for k, v in view.state.attributes if k in seen.fields),
        event_count=len(seen.events),
    )
    measurements = tuple(
        replace(
            stored,
            measurement=replace(
                stored.measurement,
                history=tuple(c for c in stored.measurement.history if _shows(seen, c)),
            ),
        )
        for stored in view.measurements
    )
    transitions = tuple(t for t in view.transitions if seen.shows_instant(t.at))
    return TicketView(state, measurements, seen.events, transitions, seen.since)


def _shows(seen: CustomerView, change: ClockChange) -> bool:
    if change.event_id is not None:
        return seen.shows_event(change.event_id)
    return seen.shows_instant(change.at)


def list_clocks(query: ClockQuery, wanted: ClockFilter, *, only_customer: str | None) -> ClockPage:
    """The clocks matching ``wanted``; with ``only_customer`` nothing of another customer leaks.

    A customer asking for another customer's clocks gets an empty page, the
    same answer as for a customer without clocks.
    """
    if only_customer is not None:
        if wanted.customer is not None and wanted.customer != only_customer:
            return ClockPage((), wanted.limit, wanted.offset, None)
        wanted = ClockFilter(
            now=wanted.now,
            state=wanted.state,
            customer=only_customer,
            service=wanted.service,
            agreement=wanted.agreement,
            limit=wanted.limit,
            offset=wanted.offset,
        )
    return query.clocks(wanted)


def audit_entries(
    uow_factory: UnitOfWorkFactory,
    *,
    action: AuditAction | None = None,
    since: int | None = None,
    subject: str | None = None,
    limit: int = 1000,
) -> list[AuditEntry]:
    """The audit log (``services.audit``), oldest first: the newest ``limit`` entries that match."""
    with uow_factory() as uow:
        return uow.audit.entries(action=action, since=since, subject=subject, limit=limit)
