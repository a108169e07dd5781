"""Synthetic ticket event streams for benchmarks and the demo, deterministic per seed.

``generate_events(definitions, tickets, seed, start)`` yields realistic ticket
stories in event-time order per ticket: arrivals weighted by hour of day and
weekday (in the definitions' time zone), a priority mix (5/20/50/25 % over the
priorities the definitions declare or name), channels the vocabulary declares (else
the named ones plus email, portal and phone), first responses and resolutions with
log-normal delays scaled by priority, pauses in a pause state, customer replies
with agent answers, priority changes, reopens, closes and ratings. Nothing here
reads the wall clock: the first arrival day is ``start`` (default
``DEFAULT_START``), and the same seed always yields the same stream.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from servanda.domain.agreements import Definitions
from servanda.domain.events import EventType, TicketEvent

DEFAULT_START = date(2026, 1, 5)  # a Monday; documented in docs/events.md
TICKETS_PER_DAY = 300
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 13, 10, 12, 14, 13, 11, 8, 5, 4, 3, 2, 2, 1)
WEEKDAY_WEIGHTS = (10, 10, 9, 9, 8, 3, 2)
PRIORITY_MIX = (5, 20, 50, 25)
_MEDIAN_RESPONSE_MIN = (20, 60, 180, 480)  # by priority rank
_MEDIAN_RESOLUTION_H = (4, 12, 30, 60)


@dataclass(frozen=True, slots=True)
class Population:
    """What tickets are about: taken from the definitions so that objectives apply."""

    customers: tuple[str, ...]
    services: tuple[str, ...]
    priorities: tuple[str, ...]  # most urgent first
    channels: tuple[str, ...]
    pause_states: tuple[str, ...]

    @classmethod
    def of(cls, definitions: Definitions) -> Population:
        named: dict[str, set[str]] = {}
        pauses: set[str] = set()
        for agreement in definitions.agreements:
            pauses |= agreement.pause_on
            for objective in agreement.objectives:
                pauses |= objective.pause_on
                for condition in objective.conditions:
                    named.setdefault(condition.attribute, set()).update(condition.values)
        declared = definitions.vocabulary  # a declared vocabulary bounds what is generated
        priorities = declared.priorities or named.get("priority", {"P1", "P2", "P3", "P4"})
        channels = declared.attributes.get("channel") or (
            named.get("channel", set()) | {"email", "portal", "phone"}
        )
        return cls(
            customers=tuple(sorted(definitions.customers)) or ("customer-1", "customer-2"),
            services=tuple(sorted(definitions.services)) or ("general",),
            priorities=tuple(sorted(priorities)),
            channels=tuple(sorted(channels)),
            pause_states=tuple(sorted(pauses)) or ("waiting_on_customer",),
        )


def generate_events(
    definitions: Definitions,
    tickets: int,
    seed: int,
    start: date = DEFAULT_START,
    *,
    tickets_per_day: int = TICKETS_PER_DAY,
) -> Iterator[TicketEvent]:
    """The events of ``tickets`` synthetic tickets; each ticket's events in time order."""
    rnd = random.Random(seed)
    population = Population.of(definitions)
    zone = ZoneInfo(definitions.timezone)
    days = max(1, math.ceil(tickets / tickets_per_day))
    origin = datetime(start.year, start.month, start.day, tzinfo=zone)
    for number in range(1, tickets + 1):
        created = _arrival(rnd, origin, days)
        yield from _story(rnd, population, f"T-{number:07d}", created)


def _arrival(rnd: random.Random, origin: datetime, days: int) -> int:
    while True:
        day = rnd.randrange(days)
        local = origin + timedelta(days=day)
        if rnd.random() * 10 <= WEEKDAY_WEIGHTS[local.weekday()]:
            break
    hour = rnd.choices(range(24), weights=HOUR_WEIGHTS)[0]
    local = local.replace(hour=hour, minute=rnd.randrange(60), second=rnd.randrange(60))
    return int(local.astimezone(UTC).timestamp())


def _delay(rnd: random.Random, median_seconds: float, sigma: float = 1.0) -> int:
    return max(1, int(rnd.lognormvariate(math.log(median_seconds), sigma)))


def _story(rnd: random.Random, pop: Population, ticket: str, created: int) -> Iterator[TicketEvent]:
    rank = rnd.choices(range(len(PRIORITY_MIX)), weights=PRIORITY_MIX)[0]
    rank = min(rank, len(pop.priorities) - 1)
    counter = iter(range(1, 1_000))

    def event(kind: EventType, at: int, **extra: object) -> TicketEvent:
        return TicketEvent(f"{ticket}-{next(counter)}", ticket, kind, at, **extra)  # type: ignore[arg-type]

    yield event(
        EventType.CREATED,
        created,
        customer=rnd.choice(pop.customers),
        service=rnd.choice(pop.services),
        priority=pop.priorities[rank],
        fields=(("channel", rnd.choice(pop.channels)),),
    )
    clock = created
    resolve_after = created + _delay(rnd, _MEDIAN_RESOLUTION_H[rank % 4] * 3600)
    if rnd.random() >= 0.03:  # most tickets get a reply before they are resolved
        for kind, at, extra in _conversation(rnd, pop, rank, created):
            clock = at
            yield event(kind, at, **extra)
    clock = max(clock, resolve_after) + 1
    yield event(EventType.RESOLVED, clock)
    if rnd.random() < 0.05:
        clock += _delay(rnd, 24 * 3600)
        yield event(EventType.REOPENED, clock)
        clock += _delay(rnd, 8 * 3600)
        yield event(EventType.RESOLVED, clock)
    if rnd.random() < 0.2:
        yield event(EventType.RATED, clock + _delay(rnd, 3600), score=Decimal(rnd.randint(1, 5)))
    if rnd.random() < 0.5:
        yield event(EventType.CLOSED, clock + 3 * 24 * 3600)


def _conversation(
    rnd: random.Random, pop: Population, rank: int, clock: int
) -> Iterator[tuple[EventType, int, dict[str, object]]]:
    """The first reply, maybe a priority change, then rounds of customer replies and answers."""
    respond = _MEDIAN_RESPONSE_MIN[rank % 4] * 60
    clock += _delay(rnd, respond)
    yield EventType.RESPONDED, clock, {}
    if rnd.random() < 0.08:
        clock += _delay(rnd, 3600)
        changed = pop.priorities[max(0, rank - 1)] if rnd.random() < 0.6 else pop.priorities[-1]
        yield EventType.ATTRIBUTES_CHANGED, clock, {"changes": (("priority", changed),)}
    while rnd.random() < 0.37:
        clock += _delay(rnd, 2 * 3600)
        if rnd.random() < 0.3:
            yield EventType.STATUS_CHANGED, clock, {"status": rnd.choice(pop.pause_states)}
            clock += _delay(rnd, 6 * 3600)
            yield EventType.STATUS_CHANGED, clock, {"status": "open"}
        yield EventType.CUSTOMER_REPLIED, clock, {}
        clock += _delay(rnd, respond)
        yield EventType.RESPONDED, clock, {}
