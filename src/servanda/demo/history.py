"""The demo's history: which customers, which months, and the tickets and outages that happened.

The period is fixed and documented: it always **ends with March 2026**
(``LAST_MONTH``) and reaches back ``months`` whole months (1-3; the agreements
take effect on 2026-01-01), cut in the provider's time zone (Europe/Berlin).
"Now" at the end of the demo is ``[period end)``, 2026-04-01 00:00 Berlin;
nothing reads the wall clock, so the same seed always gives the same history.

Tickets come from ``servanda.services.generation`` once per customer and
service it pays for, at the monthly volume of ``MONTHLY_TICKETS``, with a
``type`` field (incident, service request, change) drawn per service, and
every delay after creation scaled by ``DESK_PACE`` (the generator's generic
desk is slower than Northwind's) and ratings skewed to the content end
(``RATING_WEIGHTS``, the generator's are uniform); they are renumbered ``INC-00001``... in order of creation. Events at or after the end
of the period have not happened yet, so tickets created late are still open
at the end. Outages and maintenance windows come from
``servanda.services.outage_generation``.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from servanda.domain.agreements import Definitions, add_months
from servanda.domain.availability import Outage
from servanda.domain.events import EventType, TicketEvent
from servanda.services.generation import generate_events
from servanda.services.outage_generation import generate_outages

LAST_MONTH = date(2026, 3, 1)
MAX_MONTHS = 3
DEMO_CUSTOMERS = ("acme", "globex", "initech", "umbrella", "hooli")
"""The fixed order ``--customers N`` takes the first N of: gold, tailored gold, silver x2, none."""

MONTHLY_TICKETS = {
    ("acme", "email"): 40,
    ("acme", "network"): 30,
    ("acme", "workplace"): 70,
    ("globex", "email"): 45,
    ("globex", "network"): 35,
    ("initech", "email"): 20,
    ("initech", "workplace"): 40,
    ("umbrella", "network"): 25,
    ("hooli", "email"): 10,
}
TICKET_TYPES = {
    "email": (("incident", 70), ("service_request", 25), ("change", 5)),
    "network": (("incident", 55), ("change", 30), ("service_request", 15)),
    "workplace": (("incident", 40), ("service_request", 55), ("change", 5)),
}
DAYS_PER_MONTH = 30.4
DESK_PACE = 0.4
RATING_WEIGHTS = (4, 6, 15, 35, 40)  # of scores 1-5: most customers who rate are content
"""Northwind answers and fixes faster than the generator's generic desk: every delay after creation x 0.4."""


@dataclass(frozen=True, slots=True)
class DemoPeriod:
    """Whole months ending with ``LAST_MONTH``, cut in ``timezone``; instants are epoch seconds."""

    months: tuple[date, ...]  # the first day of each month, oldest first
    timezone: str

    @property
    def start(self) -> int:
        return self.month_bounds(0)[0]

    @property
    def end(self) -> int:
        """The first instant after the period: the demo's "now" at the end."""
        return self.month_bounds(len(self.months) - 1)[1]

    @property
    def last_label(self) -> str:
        return self.months[-1].strftime("%Y-%m")

    @property
    def days(self) -> int:
        return (add_months(self.months[-1], 1) - self.months[0]).days

    def label(self, index: int) -> str:
        return self.months[index].strftime("%Y-%m")

    def month_bounds(self, index: int) -> tuple[int, int]:
        """``[start, end)`` of month ``index`` as epoch seconds."""
        first = self.months[index]
        return _midnight(first, self.timezone), _midnight(add_months(first, 1), self.timezone)

    def local(self, instant: int) -> datetime:
        return datetime.fromtimestamp(instant, UTC).astimezone(ZoneInfo(self.timezone))


def _midnight(day: date, timezone: str) -> int:
    local = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone))
    return int(local.astimezone(UTC).timestamp())


def demo_period(months: int, timezone: str) -> DemoPeriod:
    """The ``months`` whole months ending with March 2026."""
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"the demo covers 1 to {MAX_MONTHS} months, not {months}")
    firsts = tuple(add_months(LAST_MONTH, index - months + 1) for index in range(months))
    return DemoPeriod(firsts, timezone)


def demo_customers(count: int) -> tuple[str, ...]:
    """The first ``count`` customers of ``DEMO_CUSTOMERS``."""
    if not 1 <= count <= len(DEMO_CUSTOMERS):
        raise ValueError(f"the demo has 1 to {len(DEMO_CUSTOMERS)} customers, not {count}")
    return DEMO_CUSTOMERS[:count]


def generate_tickets(
    definitions: Definitions, customers: Sequence[str], period: DemoPeriod, seed: int
) -> list[TicketEvent]:
    """Every event of the period, in the order a service desk would have sent them."""
    stories: list[list[TicketEvent]] = []
    for (customer, service), monthly in MONTHLY_TICKETS.items():
        if customer in customers:
            stories += _stories(definitions, customer, service, monthly, period, seed)
    stories.sort(key=lambda story: (story[0].at, story[0].customer or "", story[0].ticket))
    events: list[TicketEvent] = []
    for number, story in enumerate(stories, start=1):
        events += _renumbered(story, f"INC-{number:05d}", period.end)
    events.sort(key=lambda event: event.order_key)
    return events


def _stories(
    definitions: Definitions,
    customer: str,
    service: str,
    monthly: int,
    period: DemoPeriod,
    seed: int,
) -> Iterator[list[TicketEvent]]:
    """One customer's tickets about one service: generated at whole tickets per day, then thinned."""
    rate = monthly / DAYS_PER_MONTH
    per_day = math.ceil(rate)
    narrowed = dataclasses.replace(
        definitions,
        customers={customer: definitions.customers[customer]},
        services={service: definitions.services[service]},
    )
    rnd = random.Random(f"{seed}/{customer}/{service}")
    stream = generate_events(
        narrowed,
        period.days * per_day,
        rnd.randrange(2**32),
        period.months[0],
        tickets_per_day=per_day,
    )
    kinds = [kind for kind, _ in TICKET_TYPES[service]]
    weights = [weight for _, weight in TICKET_TYPES[service]]
    for _, group in itertools.groupby(stream, key=lambda event: event.ticket):
        story = list(group)
        kind = rnd.choices(kinds, weights=weights)[0]
        if rnd.random() * per_day < rate:
            created = story[0]
            fields = tuple(sorted((*created.fields, ("type", kind))))
            yield [dataclasses.replace(created, fields=fields), *_paced(rnd, story[1:], created.at)]


def _paced(rnd: random.Random, events: list[TicketEvent], created: int) -> list[TicketEvent]:
    """Delays after ``created`` scaled by ``DESK_PACE``; ratings drawn by ``RATING_WEIGHTS``."""
    paced = []
    for event in events:
        at = created + int((event.at - created) * DESK_PACE)
        score = event.score
        if score is not None:
            score = Decimal(rnd.choices(range(1, 6), weights=RATING_WEIGHTS)[0])
        paced.append(dataclasses.replace(event, at=at, score=score))
    return paced


def _renumbered(story: list[TicketEvent], ticket: str, end: int) -> list[TicketEvent]:
    """The story under its new ticket number, without what had not happened by ``end``."""
    return [
        dataclasses.replace(event, id=f"{ticket}-{index}", ticket=ticket)
        for index, event in enumerate(story, start=1)
        if event.at < end
    ]


def generate_demo_outages(
    definitions: Definitions, customers: Sequence[str], period: DemoPeriod, seed: int
) -> list[Outage]:
    """The period's outages and announced maintenance, by start."""
    outages = generate_outages(
        definitions, seed, period.months[0], len(period.months), customers=customers
    )
    return sorted(outages, key=lambda outage: (outage.start, outage.id))


def month_of(event: TicketEvent, period: DemoPeriod) -> int:
    """The index of the month ``event`` happened in."""
    for index in range(len(period.months)):
        if event.at < period.month_bounds(index)[1]:
            return index
    raise ValueError(f"event {event.id} is after the period")


def is_created(event: TicketEvent) -> bool:
    return event.type is EventType.CREATED
