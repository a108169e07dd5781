"""Synthetic outages and announced maintenance windows for demos, deterministic per seed.

``generate_outages(definitions, seed, start, months)`` yields, per service and
calendar month (months counted from ``start``, a first of the month, cut in the
definitions' time zone):

- 0-2 unplanned **full** outages (median 9 minutes, log-normal, at most 4 h);
- 0-3 unplanned **partial** outages (weight 10, 25 or 50 %, median 40 minutes);
- one announced **maintenance** window (``planned``), Saturday night from
  22:00 or 23:00 local for 2-4 h, on the second or third Saturday; one in four
  overruns into an unplanned full outage that starts when the window ends.

About a third of the unplanned outages are scoped to one customer that pays a
fee for the service (a customer's WAN link, a customer's mail tenant). Only
``customers`` are ever named (default: every customer of the definitions).
Every record lies inside ``[start, end of the last month)``; intervals are
half-open ``[start, end)`` in epoch seconds (UTC). Nothing reads the wall
clock: the same arguments always give the same records, in the same order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from servanda.domain.agreements import Definitions, add_months
from servanda.domain.availability import Impact, Outage

FULL_OUTAGES = (40, 45, 15)  # weights of 0, 1, 2 full outages per service and month
PARTIAL_OUTAGES = (30, 35, 25, 10)  # weights of 0..3 partial outages
PARTIAL_WEIGHTS = (Decimal("0.1"), Decimal("0.25"), Decimal("0.5"))
FULL_MEDIAN_SECONDS = 9 * 60
PARTIAL_MEDIAN_SECONDS = 40 * 60
LONGEST_OUTAGE_SECONDS = 4 * 3600
CUSTOMER_SCOPED_SHARE = 0.35
OVERRUN_SHARE = 0.25
SATURDAY = 5

FULL_CAUSES = (
    "power failure in the primary data centre",
    "failed configuration change",
    "certificate expired",
    "upstream provider outage",
    "storage controller failover",
)
PARTIAL_CAUSES = (
    "degraded performance",
    "one node of the cluster down",
    "elevated error rate",
    "slow delivery queue",
)


def generate_outages(
    definitions: Definitions,
    seed: int,
    start: date,
    months: int,
    *,
    customers: Sequence[str] | None = None,
) -> Iterator[Outage]:
    """The outages and maintenance windows of every service over ``months`` months from ``start``."""
    if start.day != 1:
        raise ValueError(f"the generated history starts on a first of the month, not {start}")
    zone = ZoneInfo(definitions.timezone)
    named = set(definitions.customers if customers is None else customers)
    for index in range(months):
        month = add_months(start, index)
        for service in sorted(definitions.services):
            buyers = tuple(
                sorted(
                    customer.id
                    for customer in definitions.customers.values()
                    if customer.id in named and any(fee.service == service for fee in customer.fees)
                )
            )
            rnd = random.Random(f"{seed}/{month.isoformat()}/{service}")
            yield from _month_of(rnd, service, buyers, month, zone)


def _bounds(month: date, zone: ZoneInfo) -> tuple[int, int]:
    first = datetime(month.year, month.month, 1, tzinfo=zone)
    following = add_months(month, 1)
    last = datetime(following.year, following.month, 1, tzinfo=zone)
    return int(first.astimezone(UTC).timestamp()), int(last.astimezone(UTC).timestamp())


def _month_of(
    rnd: random.Random, service: str, buyers: tuple[str, ...], month: date, zone: ZoneInfo
) -> Iterator[Outage]:
    begin, end = _bounds(month, zone)
    prefix = f"{month:%Y%m}-{service}"
    window = _maintenance(rnd, month, zone)
    yield Outage(
        id=f"MW-{prefix}",
        service=service,
        start=window[0],
        end=window[1],
        planned=True,
        description=f"announced maintenance of {service}",
    )
    number = 0
    if rnd.random() < OVERRUN_SHARE:
        number += 1
        length = _duration(rnd, 20 * 60)
        yield Outage(
            id=f"OUT-{prefix}-{number}",
            service=service,
            start=window[1],
            end=min(window[1] + length, end),
            description="maintenance overran its announced window",
        )
    for _ in range(rnd.choices(range(len(FULL_OUTAGES)), weights=FULL_OUTAGES)[0]):
        number += 1
        yield _unplanned(rnd, f"OUT-{prefix}-{number}", service, buyers, (begin, end), None)
    for _ in range(rnd.choices(range(len(PARTIAL_OUTAGES)), weights=PARTIAL_OUTAGES)[0]):
        number += 1
        weight = rnd.choice(PARTIAL_WEIGHTS)
        yield _unplanned(rnd, f"OUT-{prefix}-{number}", service, buyers, (begin, end), weight)


def _maintenance(rnd: random.Random, month: date, zone: ZoneInfo) -> tuple[int, int]:
    """Saturday night of the second or third week, 22:00 or 23:00 local, 2-4 hours."""
    first_saturday = 1 + (SATURDAY - month.weekday()) % 7
    day = first_saturday + 7 * rnd.choice((1, 2))
    local = datetime(month.year, month.month, day, rnd.choice((22, 23)), tzinfo=zone)
    opens = int(local.astimezone(UTC).timestamp())
    return opens, opens + rnd.choice((2, 3, 4)) * 3600


def _duration(rnd: random.Random, median_seconds: int) -> int:
    drawn = int(rnd.lognormvariate(math.log(median_seconds), 0.9))
    return max(60, min(drawn, LONGEST_OUTAGE_SECONDS))


def _unplanned(
    rnd: random.Random,
    outage_id: str,
    service: str,
    buyers: tuple[str, ...],
    month: tuple[int, int],
    weight: Decimal | None,
) -> Outage:
    median = FULL_MEDIAN_SECONDS if weight is None else PARTIAL_MEDIAN_SECONDS
    length = _duration(rnd, median)
    begins = rnd.randrange(month[0], month[1] - length)
    scoped = (rnd.choice(buyers),) if buyers and rnd.random() < CUSTOMER_SCOPED_SHARE else ()
    cause = rnd.choice(FULL_CAUSES if weight is None else PARTIAL_CAUSES)
    whose = f" ({scoped[0]} only)" if scoped else ""
    return Outage(
        id=outage_id,
        service=service,
        start=begins,
        end=begins + length,
        customers=scoped,
        impact=Impact.FULL if weight is None else Impact.PARTIAL,
        weight=Decimal(1) if weight is None else weight,
        description=f"{cause}{whose}",
    )
