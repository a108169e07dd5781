"""Business-time arithmetic at its edges: fractions of a second, naive input, empty calendars.

The brute-force reference (tests/unit/domain/test_calendars_properties.py)
checks whole minutes; these pin what it cannot reach: microseconds kept or
clipped, the errors a caller sees, and calendars that run out of openings.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servanda.domain.calendar.arithmetic import BusinessCalendar
from servanda.domain.calendar.blocks import BLOCK_SHIFT, block_start
from servanda.domain.calendar.spec import CalendarSpec, DayException, Window
from servanda.domain.errors import CalendarError

BERLIN = ZoneInfo("Europe/Berlin")
NINE_TO_FIVE = (Window(9 * 3600, 17 * 3600),)
OFFICE = BusinessCalendar(CalendarSpec("office", "Europe/Berlin", (NINE_TO_FIVE,) * 5 + ((), ())))
MONDAY = datetime(2026, 3, 2, tzinfo=BERLIN)  # 09:00-17:00 Berlin is 08:00-16:00 UTC


def at(hour: int, minute: int = 0, second: int = 0, micro: int = 0, day: int = 0) -> datetime:
    return MONDAY + timedelta(
        days=day, hours=hour, minutes=minute, seconds=second, microseconds=micro
    )


def test_an_open_instant_is_its_own_next_opening_to_the_microsecond():
    t = at(10, micro=250_000)
    assert OFFICE.next_open(t) == t
    assert OFFICE.next_open(t).tzinfo is UTC
    assert OFFICE.next_open(at(17, micro=1)) == at(9, day=1)


def test_open_intervals_are_clipped_to_fractional_bounds_and_empty_ones_dropped():
    a, b = at(10, micro=500_000), at(16, second=30, micro=250_000)
    assert OFFICE.open_intervals(a, b) == [(a, b)]
    assert OFFICE.open_intervals(at(16), at(9, micro=1, day=1)) == [
        (at(16), at(17)),
        (at(9, day=1), at(9, micro=1, day=1)),
    ]
    assert OFFICE.open_intervals(a, a) == []
    assert OFFICE.open_intervals(at(17), at(18)) == []
    found = OFFICE.open_intervals(at(12), at(10, day=1))
    assert all(bound.tzinfo is UTC for interval in found for bound in interval)


def epoch(t: datetime) -> int:
    return int(t.timestamp())


def test_intervals_that_only_touch_the_queried_span_are_not_in_it():
    assert OFFICE.open_intervals_epoch(epoch(at(17)), epoch(at(10, day=1))) == [
        (epoch(at(9, day=1)), epoch(at(10, day=1)))
    ]
    assert OFFICE.open_intervals_epoch(epoch(at(8)), epoch(at(9))) == []


def test_one_second_from_a_closed_instant_is_one_second_after_the_next_opening():
    saturday = epoch(at(12, day=5))
    assert OFFICE.add_epoch(saturday, 1) == epoch(at(9, 0, 1, day=7))
    assert OFFICE.add_epoch(epoch(at(16, 59, 59)), 1) == epoch(at(17))


def test_a_sum_that_ends_exactly_on_a_later_blocks_last_closing_stays_there():
    k = epoch(MONDAY) >> BLOCK_SHIFT
    while True:  # the next block whose last interval closes inside it (not cut at its edge)
        k += 1
        last_close = OFFICE.open_intervals_epoch(block_start(k), block_start(k + 1))[-1][1]
        if last_close < block_start(k + 1):
            break
    first = block_start(k - 1)
    assert OFFICE.add_epoch(first, OFFICE.between_epoch(first, last_close)) == last_close


def test_an_opening_blocks_away_is_found_when_it_is_the_calendars_last():
    day = date(2026, 3, 2)
    calendar = BusinessCalendar(
        CalendarSpec("one-day", "UTC", ((),) * 7, exceptions=(DayException(day, NINE_TO_FIVE),))
    )
    two_years_before = datetime(2024, 3, 1, tzinfo=UTC)
    assert calendar.next_open(two_years_before) == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert calendar.add(two_years_before, timedelta(hours=1)) == datetime(
        2026, 3, 2, 10, tzinfo=UTC
    )


def test_fractions_of_a_second_count_only_where_the_calendar_is_open():
    assert OFFICE.between(at(8, 59, 59, 500_000), at(9, 0, 0, 250_000)) == timedelta(
        microseconds=250_000
    )
    assert OFFICE.between(at(10, micro=5), at(10, micro=5)) == timedelta(0)
    assert OFFICE.add(at(16, 59, 59, 750_000), timedelta(microseconds=500_000)) == at(
        9, 0, 0, 250_000, day=1
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: OFFICE.add(naive, timedelta(hours=1)),
        lambda naive: OFFICE.between(naive, at(12)),
        lambda naive: OFFICE.between(at(9), naive),
    ],
)
def test_naive_datetimes_are_refused_with_the_reason(call):
    naive = datetime(2026, 3, 2, 12, 0)  # noqa: DTZ001 - the input under test
    expected = f"expected a timezone-aware datetime, got {naive!r}: name its zone (e.g. +00:00)"
    with pytest.raises(CalendarError, match=re.escape(expected)):
        call(naive)


def test_the_always_open_calendar_is_open_at_every_instant_and_never_closes():
    always = BusinessCalendar(CalendarSpec.always_open())
    assert always.is_open_epoch(0)
    assert always.is_open(at(3))
    with pytest.raises(CalendarError, match="'24x7' is always open: it never closes"):
        always.next_close(at(3))


def test_a_calendar_whose_last_opening_is_an_exception_day_says_it_runs_out():
    day = date(2026, 3, 2)
    spec = CalendarSpec("one-day", "UTC", ((),) * 7, exceptions=(DayException(day, NINE_TO_FIVE),))
    calendar = BusinessCalendar(spec)
    start = datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert calendar.add(start, timedelta(hours=7)) == datetime(2026, 3, 2, 17, tzinfo=UTC)
    assert calendar.next_close(start) == datetime(2026, 3, 2, 17, tzinfo=UTC)
    with pytest.raises(CalendarError) as refused:
        calendar.add(start, timedelta(hours=8))
    assert str(refused.value) == (
        "calendar 'one-day' runs out of opening time after 2026-03-02T10:00:00+00:00:"
        " it has no weekly windows and no later exception that opens a day"
    )


def test_a_calendar_that_never_opens_says_so_instead_of_searching():
    calendar = BusinessCalendar(CalendarSpec("never", "UTC", ((),) * 7))
    with pytest.raises(CalendarError) as refused:
        calendar.next_open(datetime(2026, 3, 2, tzinfo=UTC))
    assert str(refused.value) == (
        "calendar 'never' runs out of opening time after 2026-03-02T00:00:00+00:00:"
        " it has no weekly windows and no later exception that opens a day"
    )


def test_a_window_may_last_a_single_second_and_a_week_has_seven_days():
    assert Window(0, 1).end == 1
    with pytest.raises(ValueError, match=r"^weekly must hold seven days, Monday first$"):
        CalendarSpec("short", "UTC", ((),) * 6)
