"""In-memory implementations of the storage ports, for tests and replay.

Same contract as the SQLAlchemy adapter: a unit of work sees a private copy of
the state and publishes it on ``commit()``; leaving without commit discards it.
Units of work of one ``InMemoryStore`` run one at a time (a lock, like SQLite's
single writer), so concurrent threads see serial behaviour.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Self

from servanda.domain.agreements import Definitions
from servanda.domain.availability import Outage
from servanda.domain.errors import NotFoundError
from servanda.domain.events import TicketEvent
from servanda.services.audit import AuditAction, AuditEntry
from servanda.services.closed_periods import ClosedPeriod
from servanda.services.ports import (
    Identity,
    RevisionSummary,
    StoredMeasurement,
    TicketPin,
    TicketRecord,
    TicketState,
    Transition,
)


@dataclass(slots=True)
class _State:
    revisions: list[tuple[RevisionSummary, Definitions]] = field(default_factory=list)
    events: dict[Identity, TicketEvent] = field(default_factory=dict)
    events_by_ticket: dict[str, list[Identity]] = field(default_factory=dict)
    tickets: dict[str, TicketState | None] = field(default_factory=dict)
    measurements: dict[str, list[StoredMeasurement]] = field(default_factory=dict)
    transitions: dict[tuple[str, str, str, str], Transition] = field(default_factory=dict)
    delivered: set[tuple[str, str, str, str]] = field(default_factory=set)
    outages: dict[Identity, Outage] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    closed: list[tuple[ClosedPeriod, str]] = field(default_factory=list)


class InMemoryStore:
    """The committed state shared by the units of work it makes."""

    def __init__(self) -> None:
        self.state = _State()
        self.lock = threading.RLock()

    def unit_of_work(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self)


class InMemoryRevisionRepository:
    def __init__(self, state: _State) -> None:
        self._state = state

    def add(
        self,
        definitions: Definitions,
        *,
        content_hash: str,
        effective_from: int,
        applied_at: int,
        comment: str,
        sources: dict[str, str],
    ) -> RevisionSummary:
        summary = RevisionSummary(
            len(self._state.revisions) + 1, content_hash, effective_from, applied_at, comment
        )
        self._state.revisions.append((summary, definitions))
        return summary

    def latest(self) -> RevisionSummary | None:
        return self._state.revisions[-1][0] if self._state.revisions else None

    def history(self) -> list[RevisionSummary]:
        return [summary for summary, _ in self._state.revisions]

    def get(self, revision_id: int) -> RevisionSummary:
        return self._find(revision_id)[0]

    def definitions(self, revision_id: int) -> Definitions:
        return self._find(revision_id)[1]

    def _find(self, revision_id: int) -> tuple[RevisionSummary, Definitions]:
        if not 1 <= revision_id <= len(self._state.revisions):
            raise NotFoundError(f"there is no definitions revision {revision_id}")
        return self._state.revisions[revision_id - 1]


class InMemoryEventRepository:
    def __init__(self, state: _State) -> None:
        self._state = state

    def add_new(self, batch: Sequence[TicketEvent]) -> set[Identity]:
        new: set[Identity] = set()
        for event in batch:
            if event.identity not in self._state.events:
                self._state.events[event.identity] = event
                self._state.events_by_ticket.setdefault(event.ticket, []).append(event.identity)
                new.add(event.identity)
        return new

    def existing(self, identities: Collection[Identity]) -> dict[Identity, TicketEvent]:
        return {i: self._state.events[i] for i in identities if i in self._state.events}

    def for_tickets(self, ticket_ids: Collection[str]) -> dict[str, list[TicketEvent]]:
        found = {t: self._state.events_by_ticket.get(t, []) for t in ticket_ids}
        return {t: [self._state.events[i] for i in ids] for t, ids in found.items() if ids}

    def count(self) -> int:
        return len(self._state.events)


class InMemoryTicketRepository:
    def __init__(self, state: _State) -> None:
        self._state = state

    def lock(self, ticket_ids: Collection[str]) -> dict[str, TicketPin]:
        tickets = self._state.tickets
        existed = {t: _pin(tickets[t]) for t in ticket_ids if t in tickets}
        for ticket_id in ticket_ids:
            self._state.tickets.setdefault(ticket_id, None)
        return existed

    def existing(self, ticket_ids: Collection[str]) -> set[str]:
        return {t for t in ticket_ids if self._state.tickets.get(t) is not None}

    def pins(self, ticket_ids: Collection[str]) -> dict[str, TicketPin]:
        found = {t: self._state.tickets.get(t) for t in ticket_ids}
        return {t: _pin(state) for t, state in found.items() if state is not None}

    def claim_due(self, now: int, limit: int) -> dict[str, TicketPin]:
        tickets = self._state.tickets
        due = [
            (state.next_due_at, ticket_id)
            for ticket_id, state in tickets.items()
            if state is not None and state.next_due_at is not None and state.next_due_at <= now
        ]
        return {ticket_id: _pin(tickets[ticket_id]) for _, ticket_id in sorted(due)[:limit]}

    def created_between(self, start: int, end: int | None) -> dict[str, TicketPin]:
        return {
            ticket_id: _pin(state)
            for ticket_id, state in sorted(self._state.tickets.items())
            if state is not None
            and state.created_at is not None
            and start <= state.created_at
            and (end is None or state.created_at < end)
        }

    def lock_all(self) -> None:
        """Units of work of one store already run one at a time."""

    def save(self, states: Sequence[TicketState]) -> None:
        for state in states:
            self._state.tickets[state.id] = state

    def page(
        self, *, measured: bool | None, customer: str | None, limit: int | None, offset: int
    ) -> list[tuple[TicketState, int]]:
        found = []
        for ticket_id, state in sorted(self._state.tickets.items()):
            clocks = len(self._state.measurements.get(ticket_id, ()))
            if state is None or state.event_count == 0:
                continue
            if customer is not None and state.customer != customer:
                continue
            if measured is None or measured == (clocks > 0):
                found.append((state, clocks))
        return found[offset:] if limit is None else found[offset : offset + limit]

    def view(self, ticket_id: str) -> TicketRecord | None:
        state = self._state.tickets.get(ticket_id)
        if state is None:
            return None
        found = self._state
        events = [found.events[i] for i in found.events_by_ticket.get(ticket_id, [])]
        transitions = [t for t in found.transitions.values() if t.ticket == ticket_id]
        return TicketRecord(
            state,
            sorted(found.measurements.get(ticket_id, []), key=lambda s: s.key),
            events,
            sorted(transitions, key=lambda t: t.at),
        )

    def get(self, ticket_id: str) -> TicketState:
        state = self._state.tickets.get(ticket_id)
        if state is None:
            raise NotFoundError(f"there is no ticket {ticket_id!r}")
        return state


class InMemoryMeasurementRepository:
    def __init__(self, state: _State) -> None:
        self._state = state

    def replace(
        self,
        ticket_ids: Collection[str],
        stored: Sequence[StoredMeasurement],
        scopes: Mapping[str, tuple[str | None, str | None]],
    ) -> None:
        for ticket_id in ticket_ids:
            self._state.measurements.pop(ticket_id, None)
        for item in stored:
            self._state.measurements.setdefault(item.measurement.ticket, []).append(item)

    def for_ticket(self, ticket_id: str) -> list[StoredMeasurement]:
        return sorted(self._state.measurements.get(ticket_id, []), key=lambda s: s.key)

    def for_tickets(self, ticket_ids: Collection[str]) -> dict[str, list[StoredMeasurement]]:
        found = {t: self.for_ticket(t) for t in ticket_ids}
        return {t: stored for t, stored in found.items() if stored}

    def count_by_state(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for stored in self._state.measurements.values():
            for item in stored:
                state = item.measurement.state.value
                counts[state] = counts.get(state, 0) + 1
        return counts


class InMemoryTransitionRepository:
    def __init__(self, state: _State) -> None:
        self._state = state

    def reconcile(
        self, ticket_ids: Collection[str], current: Sequence[Transition], recorded_at: int
    ) -> list[Transition]:
        wanted = {t.identity: t for t in current}
        tickets = set(ticket_ids)
        stored = self._state.transitions
        for identity in [i for i in stored if i[0] in tickets and i not in wanted]:
            if identity not in self._state.delivered:
                del stored[identity]
        new: list[Transition] = []
        for identity, transition in wanted.items():
            if identity in self._state.delivered:
                continue
            if identity not in stored:
                new.append(transition)
            stored[identity] = transition
        return new

    def mark_delivered(self, identities: Collection[tuple[str, str, str, str]], at: int) -> None:
        self._state.delivered.update(i for i in identities if i in self._state.transitions)

    def for_ticket(self, ticket_id: str) -> list[Transition]:
        found = [t for t in self._state.transitions.values() if t.ticket == ticket_id]
        return sorted(found, key=lambda t: t.at)

    def count(self) -> int:
        return len(self._state.transitions)


class InMemoryOutageRepository:
    def __init__(self, state: _State) -> None:
        self._state = state

    def add_new(self, batch: Sequence[Outage]) -> set[Identity]:
        new: set[Identity] = set()
        for outage in batch:
            identity = (outage.source, outage.id)
            if identity not in self._state.outages:
                self._state.outages[identity] = outage
                new.add(identity)
        return new

    def existing(self, identities: Collection[Identity]) -> dict[Identity, Outage]:
        return {i: self._state.outages[i] for i in identities if i in self._state.outages}

    def overlapping(self, service: str, start: int, end: int) -> list[Outage]:
        found = [
            o
            for o in self._state.outages.values()
            if o.service == service and o.start < end and o.end > start
        ]
        return sorted(found, key=lambda o: o.start)


class InMemoryAuditLog:
    def __init__(self, state: _State) -> None:
        self._state = state

    def add(self, entry: AuditEntry) -> AuditEntry:
        stored = replace(entry, id=len(self._state.audit) + 1)
        self._state.audit.append(stored)
        return stored

    def entries(
        self,
        *,
        action: AuditAction | None = None,
        since: int | None = None,
        subject: str | None = None,
        limit: int = 1000,
    ) -> list[AuditEntry]:
        found = [
            e
            for e in sorted(self._state.audit, key=lambda e: (e.at, e.id or 0))
            if (action is None or e.action is action)
            and (since is None or e.at >= since)
            and (subject is None or e.subject == subject)
        ]
        return found[-limit:] if limit else []


class InMemoryClosedPeriodRepository:
    def __init__(self, state: _State) -> None:
        self._state = state

    def add(self, closed: ClosedPeriod, snapshot: str) -> ClosedPeriod:
        stored = replace(closed, id=len(self._state.closed) + 1)
        self._state.closed.append((stored, snapshot))
        return stored

    def in_force(self, customer: str | None = None) -> list[ClosedPeriod]:
        found = [c for c in self.history(customer) if c.in_force]
        return sorted(found, key=lambda c: (c.customer, c.start, c.id or 0))

    def history(self, customer: str | None = None) -> list[ClosedPeriod]:
        """Oldest close first (by its instant, then id), like the SQL repository."""
        found = [c for c, _ in self._state.closed if customer is None or c.customer == customer]
        return sorted(found, key=lambda c: (c.closed_at, c.id or 0))

    def snapshot(self, closed_id: int) -> str:
        return self._find(closed_id)[1]

    def reopen(self, closed_id: int, at: int, by: str, reason: str) -> ClosedPeriod:
        closed, snapshot = self._find(closed_id)
        if closed.in_force:
            closed = replace(closed, reopened_at=at, reopened_by=by, reopen_reason=reason)
            self._state.closed[closed_id - 1] = (closed, snapshot)
        return closed

    def _find(self, closed_id: int) -> tuple[ClosedPeriod, str]:
        if not 1 <= closed_id <= len(self._state.closed):
            raise NotFoundError(f"there is no closed period {closed_id}")
        return self._state.closed[closed_id - 1]


class InMemoryUnitOfWork:
    """A private copy of the store's state, published on ``commit()``."""

    revisions: InMemoryRevisionRepository
    events: InMemoryEventRepository
    tickets: InMemoryTicketRepository
    measurements: InMemoryMeasurementRepository
    transitions: InMemoryTransitionRepository
    outages: InMemoryOutageRepository
    audit: InMemoryAuditLog
    periods: InMemoryClosedPeriodRepository

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self._working = _State()

    def __enter__(self) -> Self:
        self._store.lock.acquire()
        self._begin()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._working = _State()
        self._store.lock.release()

    def _begin(self) -> None:
        # Values are frozen; copying the containers is enough for isolation.
        self._working = copy.copy(self._store.state)
        for name in _State.__slots__:
            setattr(self._working, name, copy.copy(getattr(self._store.state, name)))
        self._working.events_by_ticket = {
            t: list(ids) for t, ids in self._store.state.events_by_ticket.items()
        }
        self._working.measurements = {
            t: list(items) for t, items in self._store.state.measurements.items()
        }
        state = self._working
        self.revisions = InMemoryRevisionRepository(state)
        self.events = InMemoryEventRepository(state)
        self.tickets = InMemoryTicketRepository(state)
        self.measurements = InMemoryMeasurementRepository(state)
        self.transitions = InMemoryTransitionRepository(state)
        self.outages = InMemoryOutageRepository(state)
        self.audit = InMemoryAuditLog(state)
        self.periods = InMemoryClosedPeriodRepository(state)

    def commit(self) -> None:
        self._store.state = self._working
        self._begin()

    def rollback(self) -> None:
        self._begin()


def _pin(state: TicketState | None) -> TicketPin:
    if state is None:
        return TicketPin(0)
    return TicketPin(state.event_count, state.revision_id, state.created_at, state.evaluated_at)
