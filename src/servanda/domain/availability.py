"""Availability: outages and planned maintenance, the arithmetic over them, and a service's
availability in a period as one customer (or nobody in particular) sees it.

Rule (SEMANTICS "Periods, compliance and money" 3): availability over a period
is ``1 - downtime / covered``, both measured inside the objective's calendar.

- Instants are integer epoch seconds (UTC); every interval is half-open
  ``[start, end)``, so an outage ending at 10:00 and one starting at 10:00 touch
  but do not overlap.
- Overlapping outages are merged: at each instant the downtime weight is the
  largest weight of the unplanned outages active then (full = 1, partial = its
  weight), never a sum, so downtime never exceeds elapsed time.
- Planned maintenance that was announced as such (``planned=True``) is not
  agreed service time: its windows are removed from the covered time *and*
  from the downtime (ITIL's "agreed service time" reading). An unplanned outage
  that overlaps a maintenance window counts only outside that window.
- The calendar enters as ``open_seconds(a, b)``, the open seconds inside
  ``[a, b)`` (``0`` when ``b <= a``): any business calendar's ``between``, or
  ``open_seconds_within(intervals)`` for explicit open intervals. ``None``
  means 24x7. The module reads no clock and knows no time zone.
- Downtime is a ``Decimal`` of seconds (weights are fractions); availability is
  a ``Decimal`` fraction, ``None`` when nothing was covered (no attainment,
  never 100 %).
- An outage scoped to some customers is an outage of their service, not of the
  service as a whole: it counts only in those customers' figures
  (``outages_seen_by``).
- A service passes when its availability >= the target. The error budget is
  the downtime the target allows, ``(1 - target) * covered`` seconds; what is
  left of it may be negative.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from servanda.domain.compliance import Status, judge
from servanda.domain.events import DEFAULT_SOURCE

Interval = tuple[int, int]  # [start, end) in epoch seconds
OpenSeconds = Callable[[int, int], int]

ONE = Decimal(1)
SECONDS_PER_MINUTE = Decimal(60)
ZERO = Decimal(0)


class Impact(StrEnum):
    """How much of the service an outage takes away."""

    FULL = "full"
    PARTIAL = "partial"


@dataclass(frozen=True, slots=True)
class Outage:
    """One outage or announced maintenance window of one service.

    ``customers`` empty means every customer of the service. ``weight`` is the
    share of the service lost, a fraction in ``(0, 1]``; it is ``1`` for a full
    outage. Identity is ``(source, id)``, as for events.
    """

    id: str
    service: str
    start: int  # epoch seconds, UTC, inclusive
    end: int  # epoch seconds, UTC, exclusive
    source: str = DEFAULT_SOURCE
    customers: tuple[str, ...] = ()
    impact: Impact = Impact.FULL
    weight: Decimal = ONE
    planned: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("an outage needs an id")
        if not self.service:
            raise ValueError(f"outage {self.id!r} names no service")
        if self.end <= self.start:
            raise ValueError(f"outage {self.id!r} ends at or before its start")
        if not ZERO < self.weight <= ONE:
            raise ValueError(f"outage {self.id!r} weight {self.weight} is not in (0, 1]")
        if self.impact is Impact.FULL and self.weight != ONE:
            raise ValueError(f"outage {self.id!r} is full but has weight {self.weight}")
        if self.impact is Impact.PARTIAL and self.weight == ONE:
            raise ValueError(f"partial outage {self.id!r} needs a weight below 1")
        if list(self.customers) != sorted(set(self.customers)):
            raise ValueError(f"outage {self.id!r} customers must be sorted and unique")

    @property
    def identity(self) -> tuple[str, str]:
        return (self.source, self.id)

    @property
    def duration_seconds(self) -> int:
        return self.end - self.start

    def affects(self, service: str, customer: str | None = None) -> bool:
        """Whether this outage concerns ``service`` as seen by ``customer`` (``None``: any)."""
        if service != self.service:
            return False
        return customer is None or not self.customers or customer in self.customers


@dataclass(frozen=True, slots=True)
class DowntimeSegment:
    """A stretch ``[start, end)`` during which the service lost ``weight`` of itself."""

    start: int
    end: int
    weight: Decimal


@dataclass(frozen=True, slots=True)
class Availability:
    """Availability of one service over one period, with the figures behind it."""

    covered_seconds: int  # open calendar seconds minus planned maintenance
    downtime_seconds: Decimal  # weighted unplanned downtime inside the covered time
    outages: tuple[str, ...]  # ids of the unplanned outages that contributed downtime

    @property
    def availability(self) -> Decimal | None:
        """``1 - downtime / covered``; ``None`` when nothing was covered."""
        if self.covered_seconds == 0:
            return None
        return ONE - self.downtime_seconds / Decimal(self.covered_seconds)


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint union of half-open intervals; touching intervals join, empty ones vanish."""
    merged: list[Interval] = []
    for start, end in sorted(interval for interval in intervals if interval[1] > interval[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract_intervals(base: Iterable[Interval], removed: Iterable[Interval]) -> list[Interval]:
    """The parts of ``base`` outside every ``removed`` interval (both taken as unions)."""
    holes = merge_intervals(removed)
    result: list[Interval] = []
    for start, end in merge_intervals(base):
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor:
                continue
            if hole_start >= end:
                break
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def merge_outages(outages: Iterable[Outage]) -> list[DowntimeSegment]:
    """Weighted downtime of overlapping outages: at each instant the largest active weight.

    Returns sorted, disjoint segments; adjacent segments with the same weight
    are joined. Planned and unplanned outages are treated alike here: filter
    first (``unplanned``) when that matters.
    """
    boundaries: list[tuple[int, int, Decimal]] = []
    for outage in outages:
        boundaries.append((outage.start, 1, outage.weight))
        boundaries.append((outage.end, -1, outage.weight))
    boundaries.sort(key=lambda item: item[0])
    active: dict[Decimal, int] = {}
    segments: list[DowntimeSegment] = []
    index = 0
    while index < len(boundaries):
        instant = boundaries[index][0]
        while index < len(boundaries) and boundaries[index][0] == instant:
            _, step, weight = boundaries[index]
            active[weight] = active.get(weight, 0) + step
            if active[weight] == 0:
                del active[weight]
            index += 1
        if index < len(boundaries) and active:
            _append_segment(segments, instant, boundaries[index][0], max(active))
    return segments


def _append_segment(segments: list[DowntimeSegment], start: int, end: int, weight: Decimal) -> None:
    last = segments[-1] if segments else None
    if last is not None and last.end == start and last.weight == weight:
        segments[-1] = DowntimeSegment(last.start, end, weight)
    else:
        segments.append(DowntimeSegment(start, end, weight))


def unplanned(outages: Iterable[Outage]) -> list[Outage]:
    return [outage for outage in outages if not outage.planned]


def planned_windows(outages: Iterable[Outage]) -> list[Interval]:
    """The merged windows of announced maintenance."""
    return merge_intervals((outage.start, outage.end) for outage in outages if outage.planned)


def open_seconds_within(open_intervals: Iterable[Interval]) -> OpenSeconds:
    """``open_seconds(a, b)`` for a calendar given as explicit open intervals.

    The intervals are merged once; each query is two bisections over prefix sums.
    """
    merged = merge_intervals(open_intervals)
    starts = [start for start, _ in merged]
    prefix = [0]
    for start, end in merged:
        prefix.append(prefix[-1] + end - start)

    def open_before(instant: int) -> int:
        index = bisect_right(starts, instant)
        if index == 0:
            return 0
        start, end = merged[index - 1]
        return prefix[index - 1] + min(instant, end) - start

    def open_seconds(a: int, b: int) -> int:
        return open_before(b) - open_before(a) if b > a else 0

    return open_seconds


def always_open(a: int, b: int) -> int:
    """The 24x7 calendar: every second of ``[a, b)`` is open."""
    return max(0, b - a)


def availability(
    outages: Sequence[Outage],
    period_start: int,
    period_end: int,
    open_seconds: OpenSeconds | None = None,
) -> Availability:
    """Availability over ``[period_start, period_end)`` from the outages given.

    The caller selects the outages of one service (and customer, see
    ``Outage.affects``). Covered time is the calendar's open time in the period
    minus announced maintenance; downtime is the merged, weighted unplanned
    outage time inside the covered time.
    """
    measure = open_seconds or always_open
    maintenance = _clip(planned_windows(outages), period_start, period_end)
    covered = measure(period_start, period_end) - sum(measure(s, e) for s, e in maintenance)
    outside_maintenance = subtract_intervals([(period_start, period_end)], maintenance)
    downtime = ZERO
    for segment in merge_outages(unplanned(outages)):
        pieces = _clip([(segment.start, segment.end)], period_start, period_end)
        counted = subtract_intervals(pieces, maintenance)
        downtime += segment.weight * sum(measure(start, end) for start, end in counted)
    contributors = sorted(
        outage.id
        for outage in unplanned(outages)
        if any(
            measure(start, end)
            for start, end in _intersect([(outage.start, outage.end)], outside_maintenance)
        )
    )
    return Availability(
        covered_seconds=covered, downtime_seconds=downtime, outages=tuple(contributors)
    )


def _clip(intervals: Iterable[Interval], start: int, end: int) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in intervals if e > start and s < end]


def _intersect(a: Iterable[Interval], b: Sequence[Interval]) -> list[Interval]:
    result: list[Interval] = []
    for start, end in merge_intervals(a):
        result.extend(_clip(b, start, end))
    return result


@dataclass(frozen=True, slots=True)
class ServiceAvailability:
    """Availability of one service (seen by one customer, or service-wide) in one period."""

    objective_key: str
    service: str
    customer: str | None
    period: str
    target: Decimal
    measured: Availability
    calendar: str = "24x7"
    timezone: str = "UTC"  # the reporting zone the period was cut in

    @property
    def availability(self) -> Decimal | None:
        return self.measured.availability

    @property
    def downtime_minutes(self) -> Decimal:
        return self.measured.downtime_seconds / SECONDS_PER_MINUTE

    @property
    def allowed_downtime_seconds(self) -> Decimal:
        """The error budget: downtime the target allows over the covered time."""
        return (ONE - self.target) * self.measured.covered_seconds

    @property
    def budget_left_seconds(self) -> Decimal:
        """Error budget not yet spent; negative once the target is missed."""
        return self.allowed_downtime_seconds - self.measured.downtime_seconds

    @property
    def budget_left_share(self) -> Decimal | None:
        """Share of the error budget left (1 = untouched, < 0 overspent); ``None`` at a 100 % target."""
        allowed = self.allowed_downtime_seconds
        return self.budget_left_seconds / allowed if allowed else None

    @property
    def status(self) -> Status:
        return judge(self.availability, self.target)


def outages_seen_by(outages: Iterable[Outage], service: str, customer: str | None) -> list[Outage]:
    """The outages of ``service`` as one customer sees them; service-wide (``None``): unscoped only.

    An outage scoped to some customers is an outage of their service, not of
    the service as a whole, so it counts only in those customers' figures.
    """
    if customer is None:
        return [o for o in outages if o.service == service and not o.customers]
    return [o for o in outages if o.affects(service, customer)]


def measure_availability(
    objective_key: str,
    target: Decimal,
    service: str,
    customer: str | None,
    period: tuple[str, int, int],
    outages: Sequence[Outage],
    open_seconds: OpenSeconds | None = None,
    calendar: str = "24x7",
    *,
    timezone: str = "UTC",
) -> ServiceAvailability:
    """Availability of ``service`` over ``period`` = ``(label, start, end)`` (epoch seconds, end exclusive).

    ``timezone`` names the zone whose local midnights ``start`` and ``end`` are;
    it is carried along, never read.
    """
    label, start, end = period
    seen = outages_seen_by(outages, service, customer)
    measured = availability(seen, start, end, open_seconds)
    return ServiceAvailability(
        objective_key, service, customer, label, target, measured, calendar, timezone
    )
