"""BusinessCalendar agrees with a brute-force reference, and its algebra holds, in DST zones.

The reference steps through every UTC minute of a few weeks: it reads the local
wall clock at each minute, takes a window bound as the first minute at which
the wall clock reads that time or later, marks the open minutes, and answers
by counting them. Calendars are random: several windows a day, overnight
windows, holidays and exceptions, anchored near DST transitions half the time.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, timedelta
from functools import cache
from itertools import accumulate
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from servanda.domain.calendar.arithmetic import BusinessCalendar
from servanda.domain.calendar.blocks import BLOCK_SHIFT, block_start, from_epoch
from servanda.domain.calendar.spec import CalendarSpec, DayException, Holiday, Window

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Asia/Tehran",
)
DAYS = 10  # queried days; the reference covers three more each side
UNIX = date(1970, 1, 1)
MINUTES_PER_DAY = 1440
# times of day where DST transitions happen in these zones, to hit gaps and folds often
TRICKY_MINUTES = (0, 30, 60, 90, 120, 150, 180, 210, 1380, 1410)


@cache
def transition_days(zone_name: str) -> tuple[date, ...]:
    """Local dates (2000-2035) whose midnight UTC offset differs from the day before."""
    zone = ZoneInfo(zone_name)
    found = []
    day = date(2000, 1, 1)
    previous = datetime(2000, 1, 1, tzinfo=zone).utcoffset()
    while day.year < 2036:
        day += timedelta(days=1)
        offset = datetime(day.year, day.month, day.day, tzinfo=zone).utcoffset()
        if offset != previous:
            found.append(day)
        previous = offset
    return tuple(found)


minute_of_day = st.one_of(st.sampled_from(TRICKY_MINUTES), st.integers(0, MINUTES_PER_DAY - 1))


@st.composite
def windows(draw: st.DrawFn, most: int) -> tuple[Window, ...]:
    found = []
    for _ in range(draw(st.integers(0, most))):
        start = draw(minute_of_day)
        end = draw(st.one_of(minute_of_day, st.just(MINUTES_PER_DAY)).filter(lambda m: m > 0))
        found.append(Window(start * 60, end * 60))
    return tuple(found)


def block_edge_days() -> tuple[date, ...]:
    """UTC dates (2000-2035) on which one of the calendar's internal blocks ends."""
    first, last = 946_684_800 >> BLOCK_SHIFT, 2_082_758_400 >> BLOCK_SHIFT
    return tuple(from_epoch(block_start(k)).date() for k in range(first + 1, last))


@st.composite
def calendars(draw: st.DrawFn, across_a_block_edge: bool = False) -> tuple[CalendarSpec, date]:
    """A random calendar and the first of the DAYS local dates the test queries.

    ``across_a_block_edge``: the queried days hold the instant where one of the
    calendar's precomputed blocks ends and the next begins, so that answers
    must join intervals, counts and searches across it.
    """
    zone = draw(st.sampled_from(ZONES))
    near = transition_days(zone)
    if across_a_block_edge:
        edge = draw(st.sampled_from(block_edge_days()))
        anchor = edge - timedelta(days=draw(st.integers(1, DAYS - 2)))
    elif near and draw(st.booleans()):
        anchor = draw(st.sampled_from(near)) - timedelta(days=draw(st.integers(0, DAYS - 1)))
    else:
        anchor = date(2000, 1, 1) + timedelta(days=draw(st.integers(0, 36 * 365)))
    around = st.integers(-3, DAYS + 2).map(lambda n: anchor + timedelta(days=n))
    weekly = tuple(draw(windows(3)) for _ in range(7))
    holidays = tuple(Holiday(day) for day in draw(st.sets(around, max_size=4)))
    exceptions = tuple(
        DayException(day, draw(windows(2))) for day in draw(st.sets(around, max_size=3))
    )
    spec = CalendarSpec("random", zone, weekly, holidays=holidays, exceptions=exceptions)
    return spec, anchor


class Reference:
    """Open UTC minutes from DAYS + 6 days of stepping through the wall clock, minute by minute."""

    def __init__(self, spec: CalendarSpec, anchor: date) -> None:
        zone = ZoneInfo(spec.timezone)
        self.origin = ((anchor - UNIX).days - 3) * MINUTES_PER_DAY  # UTC epoch minute of index 0
        size = (DAYS + 6) * MINUTES_PER_DAY
        unix = UNIX.toordinal()
        walls = []  # the wall clock's reading at each UTC minute, in minutes since 1970-01-01 local
        for index in range(size):
            local = datetime.fromtimestamp((self.origin + index) * 60, zone)
            walls.append(
                (local.toordinal() - unix) * MINUTES_PER_DAY + local.hour * 60 + local.minute
            )
        reached = list(accumulate(walls, max))  # the latest wall time shown so far
        self.open = bytearray(size)
        for offset in range(-3, DAYS + 3):
            day = anchor + timedelta(days=offset)
            midnight = (day - UNIX).days * MINUTES_PER_DAY
            for window in self.windows_on(spec, day):
                start = midnight + window.start // 60
                end = midnight + window.end // 60 + (MINUTES_PER_DAY if window.is_overnight else 0)
                first, last = bisect_left(reached, start), bisect_left(reached, end)
                self.open[first:last] = b"\x01" * (last - first)

    @staticmethod
    def windows_on(spec: CalendarSpec, day: date) -> tuple[Window, ...]:
        for exception in spec.exceptions:
            if exception.day == day:
                return exception.windows
        if any(holiday.day == day for holiday in spec.holidays):
            return ()
        return spec.weekly[day.weekday()]

    def index(self, epoch_minute: int) -> int:
        return epoch_minute - self.origin

    def between(self, a: int, b: int) -> int:
        return sum(self.open[self.index(a) : self.index(b)]) if b > a else 0

    def intervals(self, a: int, b: int) -> list[tuple[int, int]]:
        """The runs of open minutes in ``[a, b)``, as epoch seconds."""
        found: list[tuple[int, int]] = []
        for minute in range(a, b):
            if self.open[self.index(minute)]:
                if found and found[-1][1] == minute * 60:
                    found[-1] = (found[-1][0], minute * 60 + 60)
                else:
                    found.append((minute * 60, minute * 60 + 60))
        return found

    def add(self, a: int, minutes: int) -> int | None:
        """Minute at which ``minutes`` open minutes have elapsed; None past the covered range."""
        i = self.index(a)
        if minutes == 0:
            while i < len(self.open) and not self.open[i]:
                i += 1
        while i < len(self.open) and minutes > 0:
            minutes -= self.open[i]
            i += 1
        return (
            i + self.origin if minutes == 0 and i < len(self.open) - 3 * MINUTES_PER_DAY else None
        )

    def next_close(self, a: int) -> int | None:
        opening = self.add(a, 0)
        if opening is None:
            return None
        i = self.index(opening)
        while i < len(self.open) and self.open[i]:
            i += 1
        return i + self.origin if i < len(self.open) - 3 * MINUTES_PER_DAY else None


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calendars(),
    st.lists(
        st.tuples(st.integers(0, DAYS * MINUTES_PER_DAY - 1), st.integers(0, 6000)),
        min_size=10,
        max_size=10,
    ),
)
def test_every_operation_agrees_with_stepping_through_the_wall_clock_minute_by_minute(
    calendar: tuple[CalendarSpec, date], queries: list[tuple[int, int]]
) -> None:
    agrees_with_the_reference(calendar, queries)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calendars(across_a_block_edge=True),
    st.lists(
        st.tuples(st.integers(0, DAYS * MINUTES_PER_DAY - 1), st.integers(0, 6000)),
        min_size=10,
        max_size=10,
    ),
)
def test_every_operation_agrees_with_the_reference_across_the_edge_of_a_precomputed_block(
    calendar: tuple[CalendarSpec, date], queries: list[tuple[int, int]]
) -> None:
    agrees_with_the_reference(calendar, queries)


def agrees_with_the_reference(
    calendar: tuple[CalendarSpec, date], queries: list[tuple[int, int]]
) -> None:
    spec, anchor = calendar
    reference = Reference(spec, anchor)
    engine = BusinessCalendar(spec)
    first = (anchor - UNIX).days * MINUTES_PER_DAY
    for offset, minutes in queries:
        a = first + offset
        b = min(a + minutes, first + DAYS * MINUTES_PER_DAY)  # the reference is complete up to here
        assert engine.between_epoch(a * 60, b * 60) == reference.between(a, b) * 60
        assert engine.is_open_epoch(a * 60) == bool(reference.open[reference.index(a)])
        expected = reference.add(a, minutes)
        if expected is not None:
            assert engine.add_epoch(a * 60, minutes * 60) == expected * 60
            start = from_epoch(a * 60)
            assert engine.add(start, timedelta(minutes=minutes)) == from_epoch(expected * 60)
        assert engine.open_intervals_epoch(a * 60, b * 60) == reference.intervals(a, b)
        opening = reference.add(a, 0)
        if opening is not None:
            assert engine.next_open_epoch(a * 60) == opening * 60
        closing = reference.next_close(a)
        if closing is not None:
            assert engine.next_close_epoch(a * 60) == closing * 60


# ----------------------------------------------------------------- algebra, to the microsecond

YEARS_OF_MICROSECONDS = 3 * 366 * 86_400 * 1_000_000
instants = st.integers(-YEARS_OF_MICROSECONDS // 3, YEARS_OF_MICROSECONDS)
durations = st.one_of(
    st.integers(0, 40 * 3600 * 1_000_000),  # up to a working week or so
    st.integers(0, 4000 * 3600 * 1_000_000),  # up to a couple of years of office hours
    st.integers(0, 3600).map(lambda s: s * 1_000_000),  # whole seconds
).map(lambda micro: timedelta(microseconds=micro))


def instant(calendar: tuple[CalendarSpec, date], micro: int) -> datetime:
    spec, anchor = calendar
    start = datetime(anchor.year, anchor.month, anchor.day, tzinfo=ZoneInfo(spec.timezone))
    return start + timedelta(microseconds=micro)


algebra = settings(max_examples=100, deadline=None)


@algebra
@given(calendars(), instants, durations)
def test_between_a_start_and_its_deadline_is_the_duration(calendar, start, duration) -> None:
    engine = BusinessCalendar(calendar[0])
    a = instant(calendar, start)
    assume(any(calendar[0].weekly))
    assert engine.between(a, engine.add(a, duration)) == duration


@algebra
@given(calendars(), instants, instants, durations, durations)
def test_add_never_moves_backwards_when_start_or_duration_grows(calendar, s1, s2, d1, d2) -> None:
    engine = BusinessCalendar(calendar[0])
    assume(any(calendar[0].weekly))
    a1, a2 = sorted((instant(calendar, s1), instant(calendar, s2)))
    low, high = sorted((d1, d2))
    assert engine.add(a1, low) <= engine.add(a1, high)
    assert engine.add(a1, low) <= engine.add(a2, low)
    assert engine.add(a1, low) >= a1


@algebra
@given(calendars(), instants, durations, durations)
def test_adding_twice_is_adding_the_sum(calendar, start, d1, d2) -> None:
    engine = BusinessCalendar(calendar[0])
    a = instant(calendar, start)
    assume(any(calendar[0].weekly) and d2 > timedelta(0))
    # (with d2 == 0 a deadline on a closing time would move on to the next opening)
    assert engine.add(engine.add(a, d1), d2) == engine.add(a, d1 + d2)


@algebra
@given(calendars(), instants, instants, instants)
def test_between_adds_up_over_any_split_point(calendar, s1, s2, s3) -> None:
    engine = BusinessCalendar(calendar[0])
    a, b, c = sorted(instant(calendar, s) for s in (s1, s2, s3))
    assert engine.between(a, c) == engine.between(a, b) + engine.between(b, c)
    assert engine.between(c, a) == timedelta(0)
    expected = sum((end - start for start, end in engine.open_intervals(a, c)), timedelta(0))
    assert engine.between(a, c) == expected


@algebra
@given(calendars(), instants)
def test_epoch_and_datetime_answers_agree_on_whole_seconds(calendar, start) -> None:
    engine = BusinessCalendar(calendar[0])
    a = instant(calendar, start - start % 1_000_000)
    seconds = int(a.timestamp())
    assert engine.is_open(a) == engine.is_open_epoch(seconds)
    assume(any(calendar[0].weekly))
    assert engine.next_open(a).timestamp() == engine.next_open_epoch(seconds)
    assert engine.next_close(a).timestamp() == engine.next_close_epoch(seconds)
    assert engine.is_open(engine.next_open(a))
    assert not engine.is_open(engine.next_close(a))
