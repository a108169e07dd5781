"""Applying one ticket's ordered events to its SLA clocks (SEMANTICS "Ticket clocks" 3-9).

The ticket fold keeps the ticket's facts (attributes, status, replied,
resolved, closed) and its clocks: one first_response, one resolution, and one
next_response clock per cycle. Before each event, time-driven transitions
(warnings, breaches) due at or before its instant are applied. Instants are
whole epoch seconds (UTC). ``apply`` returns why an event was ignored, or None.

The fold is the one place a ticket's facts are derived from its events: what is
stored about a ticket (customer, service, priority, status) is ``facts()`` of
the same fold that measured its clocks, so an ignored event (a second
``created``, anything after ``closed``) changes neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from servanda.domain.agreements import Metric
from servanda.domain.clock.measurement import ChangeCause, Measurement
from servanda.domain.clock.sla_clock import ClockPlan, SLAClock
from servanda.domain.events import EventType, TicketEvent

_FR, _NR, _RES = Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.RESOLUTION
_KEYED = {"customer", "service"}


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """A ticket's facts as its applied events left them.

    ``status`` is the last status an applied event gave the ticket: a
    ``status_changed`` value, or ``resolved``/``reopened``/``closed`` for those
    events, ``new`` when ``created`` named none. ``attributes`` excludes
    ``priority``, which has its own field. All ``None``/empty before ``created``.
    """

    created_at: int | None = None
    customer: str | None = None
    service: str | None = None
    priority: str | None = None
    status: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()


class PlanSource(Protocol):
    def plans_for(
        self, created: int, customer: str | None, service: str | None, attributes: Mapping[str, str]
    ) -> dict[Metric, ClockPlan]: ...


class TicketFold:
    """The mutable state of one ticket while its events are applied in order."""

    __slots__ = (
        "applied",
        "attributes",
        "closed",
        "created_at",
        "customer",
        "cycles",
        "engine",
        "first",
        "fixed",
        "lifecycle",
        "plans",
        "replied",
        "resolution",
        "resolved",
        "service",
        "status",
        "ticket",
    )

    def __init__(
        self, engine: PlanSource, ticket: str, fixed: dict[Metric, ClockPlan] | None = None
    ) -> None:
        self.engine = engine
        self.ticket = ticket
        self.fixed = fixed  # replaying for a retroactive start: these plans, no time-driven steps
        self.created_at: int | None = None
        self.customer: str | None = None
        self.service: str | None = None
        self.attributes: dict[str, str] = {}
        self.status: str | None = None  # what pauses look at: set by created and status_changed
        self.lifecycle: str | None = None  # the status shown: also resolved/reopened/closed
        self.replied = False
        self.resolved = False
        self.closed = False
        self.plans: dict[Metric, ClockPlan] = {}
        self.first: SLAClock | None = None
        self.resolution: SLAClock | None = None
        self.cycles: list[SLAClock] = []
        self.applied: list[TicketEvent] = []

    # ---------------------------------------------------------------- helpers
    def facts(self) -> TicketFacts:
        """The ticket's facts from the events applied so far."""
        if self.created_at is None:
            return TicketFacts()
        attributes = tuple(sorted((k, v) for k, v in self.attributes.items() if k != "priority"))
        return TicketFacts(
            self.created_at,
            self.customer,
            self.service,
            self.attributes.get("priority"),
            self.lifecycle,
            attributes,
        )

    def open_clocks(self) -> list[SLAClock]:
        found = [c for c in (self.first, self.resolution) if c is not None and c.is_open]
        if self.cycles and self.cycles[-1].is_open:
            found.append(self.cycles[-1])
        return found

    def _clock(self, plan: ClockPlan, at: int, cycle: int, event: TicketEvent) -> SLAClock:
        clock = SLAClock(plan, at, cycle, timed=self.fixed is None)
        clock.begin(at, self.status in plan.pause_on, ChangeCause.STARTED, event.id, event.type)
        return clock

    # ------------------------------------------------------------------ apply
    def apply(self, event: TicketEvent) -> str | None:
        kind = event.type
        if kind is EventType.CREATED:
            return self._created(event)
        if self.created_at is None:
            return "before the ticket's created event (or the ticket has none)"
        if self.closed:
            return "after the ticket was closed"
        if self.fixed is None:
            at = event.at
            for clock in (self.first, self.resolution, self.cycles[-1] if self.cycles else None):
                if clock is not None and clock.due is not None and clock.due <= at:
                    clock.advance(at)
        self.applied.append(event)
        handler = _HANDLERS.get(kind)
        return handler(self, event) if handler is not None else None

    def _created(self, event: TicketEvent) -> str | None:
        if self.created_at is not None:
            return "the ticket was already created"
        self.applied.append(event)
        self.created_at = event.at
        self.customer, self.service = event.customer, event.service
        self.attributes = dict(event.fields)
        if event.priority is not None:
            self.attributes["priority"] = event.priority
        self.status = event.status
        self.lifecycle = event.status or "new"
        self.plans = self.fixed if self.fixed is not None else self._resolve()
        first, resolution = self.plans.get(_FR), self.plans.get(_RES)
        if first is not None:
            self.first = self._clock(first, event.at, 0, event)
        if resolution is not None:
            self.resolution = self._clock(resolution, event.at, 0, event)
        return None

    def _resolve(self) -> dict[Metric, ClockPlan]:
        assert self.created_at is not None
        return self.engine.plans_for(self.created_at, self.customer, self.service, self.attributes)

    def _responded(self, event: TicketEvent) -> str | None:
        if not self.replied:
            self.replied = True
            if self.first is not None and self.first.is_open:
                self.first.stop(event.at, event.id, "first agent reply")
        if self.cycles and self.cycles[-1].is_open:
            self.cycles[-1].stop(event.at, event.id, "agent reply")
        return None

    def _status_changed(self, event: TicketEvent) -> str | None:
        self.status = self.lifecycle = event.status
        for clock in self.open_clocks():
            clock.set_paused(self.status in clock.plan.pause_on, event.at, event.id, self.status)
        return None

    def _customer_replied(self, event: TicketEvent) -> str | None:
        plan = self.plans.get(_NR)
        if plan is None or self.resolved or not self.replied:
            return None  # awaiting first reply, resolved, or no next_response objective
        if self.cycles and self.cycles[-1].is_open:
            return None  # a cycle is already running: this reply joins it
        self.cycles.append(self._clock(plan, event.at, len(self.cycles) + 1, event))
        return None

    def _resolved(self, event: TicketEvent) -> str | None:
        if self.resolved:
            return "the ticket is already resolved"
        self.resolved = True
        self.lifecycle = "resolved"
        for clock in self.open_clocks():
            clock.stop(event.at, event.id, "ticket resolved")
        return None

    def _reopened(self, event: TicketEvent) -> str | None:
        if not self.resolved:
            return "the ticket is not resolved"
        self.resolved = False
        self.lifecycle = "reopened"
        clock = self.resolution
        if clock is not None and not clock.cancelled:
            clock.reopen(event.at, self.status in clock.plan.pause_on, event.id)
        return None

    def _closed(self, event: TicketEvent) -> str | None:
        for clock in self.open_clocks():
            clock.stop(event.at, event.id, "ticket closed")
        self.closed = True
        self.lifecycle = "closed"
        return None

    # ------------------------------------------------------ attribute changes
    def _attributes_changed(self, event: TicketEvent) -> str | None:
        for name, value in event.changes:
            if name in _KEYED:
                setattr(self, name, value)
            else:
                self.attributes[name] = value
        if self.fixed is not None:
            return None
        old, new = self.plans, self._resolve()
        self.plans = new
        for metric in (_FR, _NR, _RES):
            before, after = old.get(metric), new.get(metric)
            if before is not None and after is None:
                for clock in self._clocks_of(metric):
                    if clock.is_retargetable:
                        clock.cancel(event.at, event.id, _why(event, "objective no longer applies"))
            elif before is not None and after is not None and not before.same_terms(after):
                for clock in self._clocks_of(metric):
                    if clock.is_retargetable:
                        paused = self.status in after.pause_on
                        why = _why(event, f"now {after.key} (was {before.key})")
                        clock.retarget(after, event.at, paused, event.id, why)
            elif before is None and after is not None:
                self._start_retroactively(after, event)
        return None

    def _clocks_of(self, metric: Metric) -> list[SLAClock]:
        if metric is _NR:
            return self.cycles[-1:]
        clock = self.first if metric is _FR else self.resolution
        return [clock] if clock is not None else []

    def _start_retroactively(self, plan: ClockPlan, event: TicketEvent) -> None:
        """Replay the history so far for a newly applying metric, from creation (rule 7)."""
        replay = TicketFold(self.engine, self.ticket, fixed={plan.metric: plan})
        for past in self.applied[:-1]:
            replay.apply(past)
        detail = _why(event, f"{plan.key} newly applies")
        metric = plan.metric
        replayed = replay._clocks_of(metric) if metric is not _NR else replay.cycles
        for clock in replayed:
            clock.settle_retroactive(
                event.at, self.status in plan.pause_on and clock.is_open, event.id, detail
            )
        if metric is _NR:
            self.cycles = _merge_cycles(self.cycles, replay.cycles)
            return
        current = self._clocks_of(metric)
        if current and _is_kept(current[0]):
            return  # a stopped (or breached) clock keeps its outcome
        if replayed:
            if current:  # a cancelled clock of the same metric: keep its story
                replayed[0].history[:0] = current[0].history
            setattr(self, "first" if metric is _FR else "resolution", replayed[0])

    # ----------------------------------------------------------------- output
    def measurements(self, now: int) -> list[Measurement]:
        clocks = [self.first, *self.cycles, self.resolution]
        out: list[Measurement] = []
        for clock in clocks:
            if clock is None:
                continue
            if self.fixed is None and clock.is_open:
                clock.advance(now)
            out.append(clock.measurement(self.ticket, now))
        return out


def _why(event: TicketEvent, detail: str) -> str:
    changes = ", ".join(f"{k}={v}" for k, v in event.changes)
    return f"{changes}: {detail}" if changes else detail


def _is_kept(clock: SLAClock) -> bool:
    """Concluded or breached (not cancelled): an attribute change never alters it."""
    return not clock.cancelled and (not clock.is_open or clock.breached_at is not None)


def _merge_cycles(live: list[SLAClock], replayed: list[SLAClock]) -> list[SLAClock]:
    """Replayed cycles, except that a concluded live cycle starting at the same instant is kept."""
    concluded = {c.start: c for c in live if _is_kept(c)}
    merged = [concluded.get(c.start, c) for c in replayed]
    for number, clock in enumerate(merged, start=1):
        clock.cycle = number
    return merged


_HANDLERS = {
    EventType.RESPONDED: TicketFold._responded,
    EventType.STATUS_CHANGED: TicketFold._status_changed,
    EventType.CUSTOMER_REPLIED: TicketFold._customer_replied,
    EventType.ATTRIBUTES_CHANGED: TicketFold._attributes_changed,
    EventType.RESOLVED: TicketFold._resolved,
    EventType.REOPENED: TicketFold._reopened,
    EventType.CLOSED: TicketFold._closed,
}
