"""The ports the use cases need (``typing.Protocol``) and the plain values that cross them.

Storage is reached only through a ``UnitOfWork``: a context manager holding one
repository per aggregate. Nothing is written until ``commit()``; leaving the
block without it rolls everything back. Implementations: SQLAlchemy
(``servanda.adapters.sqlalchemy``) and in-memory (``servanda.adapters.memory``).

Instants are integer epoch seconds (UTC) throughout, as in the domain.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self

from servanda.domain.agreements import Definitions
from servanda.domain.availability import Outage
from servanda.domain.clock.engine import TicketEvaluation
from servanda.domain.clock.measurement import Measurement
from servanda.domain.errors import ServandaError
from servanda.domain.events import TicketEvent
from servanda.services.audit import AuditLog
from servanda.services.closed_periods import ClosedPeriodRepository


class StorageContentionError(ServandaError):
    """A transaction lost a race with another process (deadlock, serialization failure).

    Raised by a unit of work in place of the driver's error; the use case that
    sees it may simply run the same idempotent work again.
    """

    code = "storage_contention"


Identity = tuple[str, str]
"""An event's or outage's identity: ``(source, id)``."""


@dataclass(frozen=True, slots=True)
class RevisionSummary:
    """One stored, immutable definitions revision (without its content)."""

    id: int
    content_hash: str
    effective_from: int  # epoch seconds: tickets created from then on use it
    applied_at: int
    comment: str


@dataclass(frozen=True, slots=True)
class TicketState:
    """A ticket's current attributes, as its events left them, and the revision it is measured by."""

    id: str
    revision_id: int | None
    created_at: int | None
    customer: str | None
    service: str | None
    priority: str | None
    status: str | None
    attributes: tuple[tuple[str, str], ...]
    last_event_at: int | None
    event_count: int
    evaluated_at: int | None
    next_due_at: int | None


@dataclass(frozen=True, slots=True)
class TicketPin:
    """What a stored ticket was last folded with, read when it is locked or claimed.

    ``event_count``: the events it held; ``revision_id`` and ``created_at``: the
    revision that measured it and the creation instant that revision was chosen
    for. A stored ticket keeps its revision while its creation instant stays the
    same: a revision applied later never re-measures it unless the apply says so
    (``--remeasure``), and an unrelated event never does.
    """

    event_count: int
    revision_id: int | None = None
    created_at: int | None = None
    evaluated_at: int | None = None


@dataclass(frozen=True, slots=True)
class StoredMeasurement:
    """A measurement as stored: keyed per ticket (``metric:cycle``) with the revision that set it."""

    key: str
    revision_id: int | None
    measurement: Measurement


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """Everything stored about one ticket, read together (``TicketRepository.view``)."""

    state: TicketState
    measurements: list[StoredMeasurement]
    events: list[TicketEvent]
    transitions: list[Transition]


class TransitionKind(StrEnum):
    """A moment in a clock's life that is recorded once and notified."""

    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"


@dataclass(frozen=True, slots=True)
class Transition:
    """A recorded transition; unique per ``(ticket, measurement_key, kind, threshold)``.

    ``threshold`` is the warning fraction as text (``"0.8"``), ``""`` otherwise.
    """

    ticket: str
    measurement_key: str
    kind: TransitionKind
    threshold: str
    objective_key: str
    metric: str
    at: int
    revision_id: int | None

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return (self.ticket, self.measurement_key, self.kind.value, self.threshold)


class DefinitionsCodec(Protocol):
    """How a revision's definitions are stored: canonical bytes, and back (``servanda.specs.snapshot``)."""

    def dumps(self, definitions: Definitions) -> bytes: ...

    def loads(self, data: bytes | str) -> Definitions: ...


class RevisionRepository(Protocol):
    def add(
        self,
        definitions: Definitions,
        *,
        content_hash: str,
        effective_from: int,
        applied_at: int,
        comment: str,
        sources: dict[str, str],
    ) -> RevisionSummary: ...

    def latest(self) -> RevisionSummary | None: ...

    def history(self) -> list[RevisionSummary]: ...

    def get(self, revision_id: int) -> RevisionSummary:
        """The summary of ``revision_id``; ``NotFoundError`` if there is none."""
        ...

    def definitions(self, revision_id: int) -> Definitions: ...


class EventRepository(Protocol):
    def add_new(self, events: Sequence[TicketEvent]) -> set[Identity]:
        """Append the events whose identity is not stored yet; return those identities."""
        ...

    def existing(self, identities: Collection[Identity]) -> dict[Identity, TicketEvent]: ...

    def for_tickets(self, ticket_ids: Collection[str]) -> dict[str, list[TicketEvent]]:
        """Every stored event of each ticket, in no particular order."""
        ...

    def count(self) -> int: ...


class TicketRepository(Protocol):
    def lock(self, ticket_ids: Collection[str]) -> dict[str, TicketPin]:
        """Create missing ticket rows and lock them all for this unit of work, in id order.

            Returns the ids whose row existed before, each with its pin (the events it
            held when last folded, its revision, creation instant and the instant it was
        last folded at): a ticket not among
            them has no stored event but the ones this unit of work added.
        """
        ...

    def existing(self, ticket_ids: Collection[str]) -> set[str]:
        """The ids among ``ticket_ids`` that have a stored ticket (no lock taken)."""
        ...

    def pins(self, ticket_ids: Collection[str]) -> dict[str, TicketPin]:
        """The pins of those of ``ticket_ids`` that are stored (no lock taken)."""
        ...

    def view(self, ticket_id: str) -> TicketRecord | None:
        """The ticket with its measurements (by key), events and transitions (by instant),
        read in one exchange where the database allows; ``None`` if there is no such row."""
        ...

    def claim_due(self, now: int, limit: int) -> dict[str, TicketPin]:
        """Lock up to ``limit`` tickets with ``next_due_at <= now``, skipping ones locked elsewhere;
        each with its pin."""
        ...

    def created_between(self, start: int, end: int | None) -> dict[str, TicketPin]:
        """The stored tickets created in ``[start, end)`` (``end`` None: no bound), with pins."""
        ...

    def lock_all(self) -> None:
        """Keep every other writer from adding or changing tickets until this unit of work ends
        (a revision that re-measures takes it, so no ticket is measured by the old one meanwhile)."""
        ...

    def save(self, states: Sequence[TicketState]) -> None: ...

    def page(
        self, *, measured: bool | None, customer: str | None, limit: int | None, offset: int
    ) -> list[tuple[TicketState, int]]:
        """Stored tickets (with events) by id, each with its number of clocks (measurements);
        ``measured`` keeps those with (True) or without (False) any, ``customer`` one customer's;
        ``limit`` ``None`` means all from ``offset`` on."""
        ...

    def get(self, ticket_id: str) -> TicketState:
        """``NotFoundError`` if the ticket has no stored events."""
        ...


class MeasurementRepository(Protocol):
    def replace(
        self,
        ticket_ids: Collection[str],
        measurements: Sequence[StoredMeasurement],
        scopes: Mapping[str, tuple[str | None, str | None]],
    ) -> None:
        """Drop every stored measurement of ``ticket_ids`` and store ``measurements`` instead;
        ``scopes`` holds each ticket's current customer and service."""
        ...

    def for_ticket(self, ticket_id: str) -> list[StoredMeasurement]: ...

    def for_tickets(self, ticket_ids: Collection[str]) -> dict[str, list[StoredMeasurement]]:
        """The stored measurements of each ticket that has some, by key."""
        ...

    def count_by_state(self) -> dict[str, int]: ...


class TransitionRepository(Protocol):
    """The transitions table doubles as the notification outbox.

    ``reconcile`` makes the *undelivered* transitions of ``ticket_ids`` equal to
    ``current`` (what the tickets' current measurements imply): missing ones are
    added, changed ones updated in place, ones no longer implied (late events
    showed the ticket was answered in time) withdrawn. A delivered transition is
    history and is never changed, withdrawn or recorded again.
    """

    def reconcile(
        self, ticket_ids: Collection[str], current: Sequence[Transition], recorded_at: int
    ) -> list[Transition]:
        """Reconcile as above; return the transitions recorded for the first time."""
        ...

    def mark_delivered(
        self, identities: Collection[tuple[str, str, str, str]], at: int
    ) -> None: ...

    def for_ticket(self, ticket_id: str) -> list[Transition]: ...

    def count(self) -> int: ...


class OutageRepository(Protocol):
    def add_new(self, outages: Sequence[Outage]) -> set[Identity]:
        """Store the outages whose ``(source, id)`` is not stored yet; return those identities."""
        ...

    def existing(self, identities: Collection[Identity]) -> dict[Identity, Outage]: ...

    def overlapping(self, service: str, start: int, end: int) -> list[Outage]:
        """Outages of ``service`` that overlap ``[start, end)``, ordered by start."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository: explicit ``commit()``, rollback otherwise."""

    @property
    def revisions(self) -> RevisionRepository: ...

    @property
    def events(self) -> EventRepository: ...

    @property
    def tickets(self) -> TicketRepository: ...

    @property
    def measurements(self) -> MeasurementRepository: ...

    @property
    def transitions(self) -> TransitionRepository: ...

    @property
    def outages(self) -> OutageRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def periods(self) -> ClosedPeriodRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""Makes a fresh unit of work; each use case opens as many as it needs transactions."""


class ClockFold(Protocol):
    """The clock engine for one definitions set: a ticket's events, folded at ``now``.

    The evaluation carries the ticket's facts and its measurements from one fold
    (``servanda.domain.clock.engine.ClockEngine.evaluate``).
    """

    def evaluate(self, events: Iterable[TicketEvent], now: int) -> TicketEvaluation: ...


FoldFactory = Callable[[Definitions], ClockFold]
"""Builds the fold of one definitions set (calendars materialised once); wired by bootstrap."""
