"""Re-folding tickets: events -> current attributes, revision in force, measurements, transitions.

Rules:
- A ticket is measured by the revision in force at its creation instant
  (SEMANTICS "Ticket clocks" 1): the revision with the latest
  ``effective_from <= created_at`` (the later-applied one on a tie), and keeps
  it (``RevisionSchedule.for_ticket``). A ``created`` event before every
  revision's ``effective_from`` is refused at ingestion
  (``created_before_definitions``); a ticket with no ``created`` event yet has
  no clock, and is dated by its earliest event.
- The stored ticket row (customer, service, priority, status, attributes) is
  the facts of the same fold that produced its measurements
  (``TicketEvaluation.facts``): an event the fold ignores changes neither.
- Measurements are re-written whole on each re-fold, keyed ``metric:cycle``.
- Transitions (warning per threshold, breached, met) whose instant is
  ``<= now`` are derived from the measurements and reconciled with the
  outbox: each is recorded once; an undelivered one that the new measurements
  no longer imply is withdrawn, so the outbox never depends on how an import
  was split into batches.

The caller has locked the tickets (``TicketRepository.lock``/``claim_due``).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from servanda.domain.agreements import Metric
from servanda.domain.clock.engine import TicketEvaluation
from servanda.domain.clock.measurement import ClockState, Measurement, iso
from servanda.domain.errors import EventError, NotFoundError
from servanda.domain.events import EventType, TicketEvent
from servanda.services.ports import (
    ClockFold,
    FoldFactory,
    RevisionSummary,
    StoredMeasurement,
    TicketPin,
    TicketState,
    Transition,
    TransitionKind,
    UnitOfWork,
    UnitOfWorkFactory,
)

_CONCLUDED = frozenset({ClockState.MET, ClockState.BREACHED})
_METRIC_NAMES = {metric: metric.value for metric in Metric}


@dataclass(frozen=True, slots=True)
class RefoldOutcome:
    """What one re-fold of some tickets stored."""

    tickets: int
    measurements: int
    transitions: tuple[Transition, ...]
    histories: Mapping[str, Sequence[TicketEvent]] = field(default_factory=dict)
    """The whole event history each re-folded ticket was folded from."""

    @property
    def breaches(self) -> int:
        return sum(1 for t in self.transitions if t.kind is TransitionKind.BREACHED)


HISTORY_CACHE_TICKETS = 20_000


class HistoryCache:
    """The event histories of recently folded tickets, kept per process, so that a batch adding
    events to a ticket folded here before need not read its earlier events back.

    An entry counts only when its length equals the ticket's stored ``event_count`` as read
    under the ticket's row lock: the event log is append-only, so the same count means the same
    events; if another process has folded more events since, the counts differ and the history
    is read back. Entries are remembered after their unit of work commits, never before (a
    rolled-back fold must not be remembered). Least recently used entries go first.
    """

    def __init__(self, capacity: int = HISTORY_CACHE_TICKETS) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, tuple[TicketEvent, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, ticket_id: str, event_count: int) -> tuple[TicketEvent, ...] | None:
        """The ticket's history if the one remembered has ``event_count`` events, else ``None``."""
        with self._lock:
            found = self._entries.get(ticket_id)
            if found is None or len(found) != event_count:
                self.misses += 1
                return None
            self.hits += 1
            self._entries.move_to_end(ticket_id)
            return found

    def remember(self, histories: Mapping[str, Sequence[TicketEvent]]) -> None:
        with self._lock:
            for ticket_id, events in histories.items():
                self._entries[ticket_id] = tuple(events)
                self._entries.move_to_end(ticket_id)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)


@dataclass(slots=True)
class Evaluator:
    """Folds tickets with the engine of their revision; engines are built once per revision."""

    fold_factory: FoldFactory
    _folds: dict[int, ClockFold] = field(default_factory=dict)
    reader: UnitOfWorkFactory | None = None
    """Opens the read-only unit of work of ``prefold`` (on SQLite a read that does not take
    the write lock, so one importer reads while another writes); default: the caller's."""
    histories: HistoryCache = field(default_factory=HistoryCache)
    prefolds: bool = True
    """Whether ``record_events`` folds new tickets before its write transaction. That pays where
    the write lock is database-wide (SQLite: another importer writes meanwhile); on PostgreSQL
    a batch locks only its own tickets, and the extra read transaction is four round trips."""

    def fold_for(self, uow: UnitOfWork, revision_id: int) -> ClockFold:
        fold = self._folds.get(revision_id)
        if fold is None:
            fold = self.fold_factory(uow.revisions.definitions(revision_id))
            self._folds[revision_id] = fold
        return fold

    def measure(
        self, uow: UnitOfWork, revision_id: int, events: list[TicketEvent], now: int
    ) -> TicketResult:
        """One ticket's facts, measurements and due transitions under ``revision_id`` (nothing
        is stored; ``events`` in application order, see ``RevisionSchedule.for_ticket``).

        Facts and measurements are one fold's: the stored ticket row and its
        measurement rows can never tell two stories about the same events.
        """
        evaluation = self.fold_for(uow, revision_id).evaluate(events, now)
        measured = keyed(evaluation.measurements, revision_id)
        due = [transition for m in measured for transition in transitions_of(m, now)]
        state = ticket_state(evaluation, revision_id, events, now)
        return TicketResult(state, measured, due)

    def prefold(
        self,
        uow_factory: UnitOfWorkFactory,
        histories: Mapping[str, list[TicketEvent]],
        now: int,
    ) -> Prefolded:
        """Fold, outside any write transaction, the tickets not stored yet (their whole history
        is in ``histories``), so that concurrent importers fold in parallel; ``refold`` uses a
        result only if the ticket was still new and the revisions unchanged when it locked."""
        with (self.reader or uow_factory)() as uow:  # reads only: never the write lock
            revisions = uow.revisions.history()
            unknown = set(histories) - uow.tickets.existing(histories)
            schedule = RevisionSchedule(revisions)
            for revision in revisions:
                self.fold_for(uow, revision.id)  # load every engine now, while uow is open
        # The engines are cached, so ``measure`` no longer touches the closed unit of work.
        results = {}
        for ticket in unknown:
            events = sorted(histories[ticket], key=_order)
            try:
                revision_id = schedule.for_ticket(events, None)
            except EventError:
                continue  # created before every revision: the write transaction refuses it
            results[ticket] = self.measure(uow, revision_id, events, now)
        return Prefolded(_signature(revisions), now, results)

    def refold(
        self,
        uow: UnitOfWork,
        ticket_ids: Collection[str],
        now: int,
        complete: Mapping[str, list[TicketEvent]] | None = None,
        prefolded: Prefolded | None = None,
        pins: Mapping[str, TicketPin] | None = None,
        recorded_at: int | None = None,
    ) -> RefoldOutcome:
        """Re-fold ``ticket_ids`` at ``now`` and store tickets, measurements and new transitions
        (recorded at ``recorded_at``, default ``now``).

        ``complete`` holds tickets whose whole history is already at hand (their
        rows did not exist before this unit of work); the others are read back.
        ``prefolded`` results are taken for such tickets when still valid.
        ``pins`` (from ``lock`` or ``claim_due``) keep each stored ticket on the
        revision that measured it (``RevisionSchedule.for_ticket``).
        """
        revisions = uow.revisions.history()
        schedule = RevisionSchedule(revisions)
        known = complete or {}
        pinned = pins or {}
        ready: Mapping[str, TicketResult] = {}
        if prefolded is not None and prefolded.is_valid(revisions, now):
            ready = prefolded.results
        histories = uow.events.for_tickets([t for t in ticket_ids if t not in known])
        histories.update(known)
        results: list[TicketResult] = []
        for ticket_id in sorted(ticket_ids):
            result = ready.get(ticket_id) if ticket_id in known else None
            if result is None:
                events = sorted(histories.get(ticket_id, ()), key=_order)
                if not events:
                    continue
                revision_id = schedule.for_ticket(events, pinned.get(ticket_id))
                result = self.measure(uow, revision_id, events, now)
            results.append(result)
        return _store(
            uow, ticket_ids, results, now if recorded_at is None else recorded_at, histories
        )

    def remeasure(
        self, uow: UnitOfWork, pins: Mapping[str, TicketPin], revision_id: int, recorded_at: int
    ) -> RefoldOutcome:
        """Re-fold the pinned tickets under ``revision_id``, each at the instant it was last
        folded at (so only the revision differs), and store them; transitions newly due are
        recorded at ``recorded_at``. The caller has locked the tickets."""
        histories = uow.events.for_tickets(list(pins))
        results = []
        for ticket_id in sorted(pins):
            events = sorted(histories.get(ticket_id, ()), key=_order)
            if events:
                at = pins[ticket_id].evaluated_at
                results.append(
                    self.measure(uow, revision_id, events, recorded_at if at is None else at)
                )
        return _store(uow, list(pins), results, recorded_at, histories)


def _store(
    uow: UnitOfWork,
    ticket_ids: Collection[str],
    results: Sequence[TicketResult],
    recorded_at: int,
    histories: Mapping[str, Sequence[TicketEvent]],
) -> RefoldOutcome:
    """Write the folded tickets, replace their measurements, reconcile their transitions."""
    states = [result.state for result in results]
    stored = [m for result in results for m in result.measurements]
    due = [t for result in results for t in result.transitions]
    uow.tickets.save(states)
    scopes = {state.id: (state.customer, state.service) for state in states}
    uow.measurements.replace(ticket_ids, stored, scopes)
    recorded = uow.transitions.reconcile(ticket_ids, due, recorded_at)
    return RefoldOutcome(len(states), len(stored), tuple(recorded), histories)


@dataclass(frozen=True, slots=True)
class TicketResult:
    state: TicketState
    measurements: list[StoredMeasurement]
    transitions: list[Transition]


@dataclass(frozen=True, slots=True)
class Prefolded:
    """Fold results computed before the write transaction, and what they assumed."""

    revisions: tuple[tuple[int, int], ...]
    now: int
    results: Mapping[str, TicketResult]

    def is_valid(self, revisions: Sequence[RevisionSummary], now: int) -> bool:
        return self.now == now and self.revisions == _signature(revisions)

    def without(self, ticket_ids: Collection[str]) -> Prefolded:
        """These results but those of ``ticket_ids`` (tickets stored meanwhile by another unit
        of work, whose results folded only part of their history)."""
        kept = {t: r for t, r in self.results.items() if t not in ticket_ids}
        return Prefolded(self.revisions, self.now, kept)


def _signature(revisions: Sequence[RevisionSummary]) -> tuple[tuple[int, int], ...]:
    return tuple((r.id, r.effective_from) for r in revisions)


def _order(event: TicketEvent) -> tuple[int, int, str, str]:
    return event.order_key


class RevisionSchedule:
    """Which revision is in force at an instant."""

    def __init__(self, revisions: Iterable[RevisionSummary]) -> None:
        ordered = sorted(revisions, key=lambda r: (r.effective_from, r.id))
        if not ordered:
            raise NotFoundError(
                "no definitions revision is stored: run `servanda definitions apply` first"
            )
        self._starts = [r.effective_from for r in ordered]
        self._ids = [r.id for r in ordered]
        self._earliest = ordered[0]

    @property
    def earliest(self) -> int:
        """The revision with the earliest effective date."""
        return self._earliest.id

    def revision_at(self, instant: int) -> int | None:
        """The revision in force at ``instant``; ``None`` before every revision."""
        index = bisect_right(self._starts, instant)
        return self._ids[index - 1] if index else None

    def in_force_at(self, instant: int) -> int:
        """The revision in force at ``instant``; ``EventError`` before every revision (the
        first revision of a database is effective from the beginning unless dated later)."""
        index = bisect_right(self._starts, instant)
        if not index:
            raise EventError(
                f"no definitions are in force at {iso(instant)}: the earliest revision "
                f"({self._earliest.id}) is effective from {iso(self._earliest.effective_from)}"
            )
        return self._ids[index - 1]

    def for_ticket(self, events: Sequence[TicketEvent], pin: TicketPin | None) -> int:
        """The revision that measures a ticket whose ``events`` are in application order.

        A stored ticket keeps the revision it was measured by while its creation
        instant is the one that revision was chosen for (``pin``); otherwise (a new
        ticket, or its first or an earlier ``created`` just arrived) it is the
        revision in force at its creation (at its earliest event, without one).
        """
        created = next((e.at for e in events if e.type is EventType.CREATED), None)
        if (
            pin is not None
            and pin.revision_id is not None
            and pin.created_at is not None
            and pin.created_at == created
        ):
            return pin.revision_id
        if created is None:  # no clock without a creation: any revision measures it alike
            return self._ids[max(bisect_right(self._starts, events[0].at) - 1, 0)]
        return self.in_force_at(created)


def ticket_state(
    evaluation: TicketEvaluation, revision_id: int, events: Sequence[TicketEvent], now: int
) -> TicketState:
    """The stored row of a folded ticket: the fold's facts, the log's size and the next due."""
    facts = evaluation.facts
    dues = [m.next_due_at for m in evaluation.measurements if m.next_due_at is not None]
    return TicketState(
        id=evaluation.ticket or events[0].ticket,
        revision_id=revision_id,
        created_at=facts.created_at,
        customer=facts.customer,
        service=facts.service,
        priority=facts.priority,
        status=facts.status,
        attributes=facts.attributes,
        last_event_at=max(event.at for event in events),
        event_count=len(events),
        evaluated_at=now,
        next_due_at=min(dues) if dues else None,
    )


def keyed(measurements: Iterable[Measurement], revision_id: int) -> list[StoredMeasurement]:
    """Measurements with their per-ticket key ``metric:cycle`` (``:2``, ``:3`` on a repeat)."""
    seen: dict[str, int] = {}
    result: list[StoredMeasurement] = []
    for measurement in measurements:
        key = f"{measurement.metric.value}:{measurement.cycle}"
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}:{seen[key]}"
        result.append(StoredMeasurement(key, revision_id, measurement))
    return result


def transitions_of(stored: StoredMeasurement, now: int) -> list[Transition]:
    """The transitions a measurement has gone through by ``now``: warnings, then breach or met."""
    m = stored.measurement

    if not m.warnings and m.state not in _CONCLUDED:
        return []
    metric = _METRIC_NAMES[m.metric]

    def make(kind: TransitionKind, at: int, threshold: str = "") -> Transition:
        return Transition(
            m.ticket, stored.key, kind, threshold, m.objective_key, metric, at, stored.revision_id
        )

    found = [
        make(TransitionKind.WARNING, w.at, str(w.threshold)) for w in m.warnings if w.at <= now
    ]
    if m.state is ClockState.BREACHED and m.breached_at is not None and m.breached_at <= now:
        found.append(make(TransitionKind.BREACHED, m.breached_at))
    elif m.state is ClockState.MET and m.stopped_at is not None and m.stopped_at <= now:
        found.append(make(TransitionKind.MET, m.stopped_at))
    return found
