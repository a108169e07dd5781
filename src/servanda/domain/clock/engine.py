"""The clock fold: a ticket's events + a definitions revision + ``now`` -> measurements.

Rules: SEMANTICS "Ticket clocks" 1-10, with the decisions written down in
docs/semantics.md. The fold is pure and deterministic: events are deduplicated
by ``(source, id)``, ordered by ``TicketEvent.order_key`` and applied one by
one; events after ``now`` are not applied. Instants are whole epoch seconds
(UTC) and durations whole business seconds; the only time zone used here is the
definitions' one, to find the local creation date that selects agreements in
force. Objectives are resolved once per distinct (date, customer, service,
condition attributes) combination and cached on the engine.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from servanda.domain.agreements import TICKET_METRICS, Definitions, Metric
from servanda.domain.clock.measurement import Measurement
from servanda.domain.clock.sla_clock import BusinessTime, ClockPlan
from servanda.domain.clock.ticket_fold import TicketFacts, TicketFold
from servanda.domain.errors import DefinitionError, EventError, Issue
from servanda.domain.events import SAME_INSTANT_RANK, EventType, TicketEvent
from servanda.domain.precedence import TicketScope, resolve_objectives

_ResolutionKey = tuple[int, str | None, str | None, tuple[tuple[str, str], ...]]


@dataclass(frozen=True, slots=True)
class IgnoredEvent:
    """An event the fold did not apply, and why (shown by ``servanda ticket timeline``)."""

    event: TicketEvent
    reason: str


@dataclass(frozen=True, slots=True)
class TicketEvaluation:
    """The fold of one ticket: its ordered events, its facts, measurements and what was ignored.

    ``facts`` and ``measurements`` come from the same fold: what is stored about
    a ticket is always this, never a second reading of its events.
    """

    ticket: str
    events: tuple[TicketEvent, ...]
    measurements: tuple[Measurement, ...]
    ignored: tuple[IgnoredEvent, ...]
    facts: TicketFacts


class ClockEngine:
    """Folds tickets against one definitions revision; caches resolution per attribute combination."""

    def __init__(self, definitions: Definitions, calendars: Mapping[str, BusinessTime]) -> None:
        self.definitions = definitions
        self._calendars = calendars
        self._zone = ZoneInfo(definitions.timezone)
        self._plans: dict[_ResolutionKey, dict[Metric, ClockPlan]] = {}
        self._attributes = frozenset(
            condition.attribute
            for agreement in definitions.agreements
            for objective in agreement.objectives
            for condition in objective.conditions
        )
        # Local midnights at which the set of agreements in force changes: tickets
        # created between two of them resolve alike, so the cache keys on the span.
        changes = {a.effective_from for a in definitions.agreements if a.effective_from}
        changes |= {
            a.effective_to + timedelta(days=1)
            for a in definitions.agreements
            if a.effective_to and a.effective_to < date.max
        }
        self._eras = sorted(self._midnight(day) for day in changes)

    @property
    def resolution_cache_size(self) -> int:
        """How many distinct (era, customer, service, condition attributes) were resolved."""
        return len(self._plans)

    def _midnight(self, day: date) -> int:
        local = datetime(day.year, day.month, day.day, tzinfo=self._zone)
        return int(local.timestamp())

    def local_date(self, at: int) -> date:
        """The date of ``at`` in the definitions' time zone (selects agreements in force)."""
        return datetime.fromtimestamp(at, tz=UTC).astimezone(self._zone).date()

    def plans_for(
        self, created: int, customer: str | None, service: str | None, attributes: Mapping[str, str]
    ) -> dict[Metric, ClockPlan]:
        """The clock plan per ticket metric for a ticket created at ``created`` (cached)."""
        names = self._attributes
        relevant = tuple(sorted(item for item in attributes.items() if item[0] in names))
        key = (bisect_right(self._eras, created), customer, service, relevant)
        found = self._plans.get(key)
        if found is None:
            scope = TicketScope(customer, service, dict(relevant))
            applied = resolve_objectives(self.definitions, scope, self.local_date(created))
            found = {
                metric: ClockPlan.of(item, self._calendar(item.objective.calendar, item.key))
                for metric, item in applied.items()
                if metric in TICKET_METRICS and item.objective.target_seconds is not None
            }
            self._plans[key] = found
        return found

    def _calendar(self, name: str, objective_key: str) -> BusinessTime:
        calendar = self._calendars.get(name)
        if calendar is None:
            raise DefinitionError(
                [Issue(f"objective {objective_key} uses calendar {name!r}, which is not defined")]
            )
        return calendar

    def evaluate(self, events: Iterable[TicketEvent], now: int) -> TicketEvaluation:
        """Fold the events of one ticket as of ``now`` (events after ``now`` are not applied)."""
        ordered = ordered_events(events)
        tickets = {event.ticket for event in ordered}
        if len(tickets) > 1:
            raise EventError(f"events of several tickets folded as one: {sorted(tickets)}")
        ticket = ordered[0].ticket if ordered else ""
        fold = TicketFold(self, ticket)
        ignored: list[IgnoredEvent] = []
        for event in ordered:
            if event.at > now:
                ignored.append(IgnoredEvent(event, "after the evaluation instant"))
                continue
            reason = fold.apply(event)
            if reason is not None:
                ignored.append(IgnoredEvent(event, reason))
        measurements = fold.measurements(now)
        return TicketEvaluation(
            ticket, tuple(ordered), tuple(measurements), tuple(ignored), fold.facts()
        )

    def evaluate_many(self, events: Iterable[TicketEvent], now: int) -> Iterator[TicketEvaluation]:
        """Group ``events`` by ticket and fold each (tickets in first-seen order)."""
        by_ticket: dict[str, list[TicketEvent]] = {}
        for event in events:
            found = by_ticket.get(event.ticket)
            if found is None:
                by_ticket[event.ticket] = [event]
            else:
                found.append(event)
        for ticket_events in by_ticket.values():
            yield self.evaluate(ticket_events, now)


def ordered_events(events: Iterable[TicketEvent]) -> list[TicketEvent]:
    """Events deduplicated by ``(source, id)`` in application order.

    A repeated identity with identical content is dropped; with other content it
    is an ``EventError`` naming both versions.
    """
    seen: dict[tuple[str, str], TicketEvent] = {}
    for event in events:
        identity = (event.source, event.id)
        known = seen.get(identity)
        if known is None:
            seen[identity] = event
        elif known != event:
            raise EventError(
                f"event {event.id!r} from source {event.source!r} arrived twice with different "
                f"content: first {known!r}, then {event!r}"
            )
    rank = SAME_INSTANT_RANK
    return sorted(seen.values(), key=lambda e: (e.at, rank[e.type], e.id, e.source))


def evaluate_ticket(
    events: Iterable[TicketEvent],
    definitions: Definitions,
    calendars: Mapping[str, BusinessTime],
    now_s: int,
) -> list[Measurement]:
    """Measurements of one ticket as of ``now_s`` (a one-off engine: prefer ``ClockEngine``)."""
    return list(ClockEngine(definitions, calendars).evaluate(events, now_s).measurements)


__all__ = [
    "ClockEngine",
    "EventType",
    "IgnoredEvent",
    "TicketEvaluation",
    "TicketFacts",
    "evaluate_ticket",
    "ordered_events",
]
