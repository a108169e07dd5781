"""Business time by hand: DST in Berlin and New York, holidays, overnight windows, edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servanda.domain.calendar.arithmetic import BusinessCalendar, build_calendars
from servanda.domain.calendar.spec import ALWAYS_OPEN, CalendarSpec, DayException, Holiday, Window
from servanda.domain.errors import CalendarError

H = 3600
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = (Window(9 * H, 17 * H),)
NIGHT = (Window(22 * H, 6 * H),)


def weekdays(zone: str, windows: tuple[Window, ...] = OFFICE, **kwargs: object) -> BusinessCalendar:
    spec = CalendarSpec("office", zone, (windows,) * 5 + ((), ()), **kwargs)  # type: ignore[arg-type]
    return BusinessCalendar(spec)


def every_day(zone: str, windows: tuple[Window, ...], **kwargs: object) -> BusinessCalendar:
    return BusinessCalendar(CalendarSpec("daily", zone, (windows,) * 7, **kwargs))  # type: ignore[arg-type]


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def new_york(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# ----------------------------------------------------------------- DST


def test_a_night_window_across_the_berlin_spring_forward_is_an_hour_shorter() -> None:
    nights = every_day("Europe/Berlin", NIGHT)
    assert nights.between(berlin(2026, 3, 28, 12), berlin(2026, 3, 29, 12)) == timedelta(hours=7)
    assert nights.add(berlin(2026, 3, 28, 22), timedelta(hours=7)) == berlin(2026, 3, 29, 6)


def test_a_night_window_across_the_berlin_fall_back_is_an_hour_longer() -> None:
    nights = every_day("Europe/Berlin", NIGHT)
    assert nights.between(berlin(2026, 10, 24, 12), berlin(2026, 10, 25, 12)) == timedelta(hours=9)
    assert nights.add(berlin(2026, 10, 24, 22), timedelta(hours=8)) == utc(2026, 10, 25, 4)


def test_new_york_office_hours_keep_their_wall_clock_across_both_transitions() -> None:
    office = weekdays("America/New_York")
    # Friday 16:00 EST + 2h: 1h on Friday, 1h on Monday after the spring-forward weekend.
    assert office.add(new_york(2026, 3, 6, 16), timedelta(hours=2)) == new_york(2026, 3, 9, 10)
    assert office.add(new_york(2026, 3, 6, 16), timedelta(hours=2)) == utc(2026, 3, 9, 14)
    assert office.add(new_york(2026, 10, 30, 16), timedelta(hours=2)) == utc(2026, 11, 2, 15)
    assert office.between(new_york(2026, 3, 6, 9), new_york(2026, 3, 10, 9)) == timedelta(hours=16)


def test_new_york_24_hour_day_is_23_hours_long_in_march_and_25_in_november() -> None:
    days = every_day(
        "America/New_York", (Window(0, 86_400),), holidays=(Holiday(date(2000, 1, 1)),)
    )
    assert not days.is_always_open
    assert days.between(new_york(2026, 3, 8), new_york(2026, 3, 9)) == timedelta(hours=23)
    assert days.between(new_york(2026, 11, 1), new_york(2026, 11, 2)) == timedelta(hours=25)


def test_a_window_bound_in_the_spring_gap_takes_effect_when_the_clock_jumps() -> None:
    # 02:30 does not exist in Berlin on 2026-03-29: the window opens at 03:00 CEST.
    early = every_day("Europe/Berlin", (Window(2 * H + 1800, 5 * H),))
    assert early.next_open(berlin(2026, 3, 29, 0)) == utc(2026, 3, 29, 1)
    assert early.between(berlin(2026, 3, 29, 0), berlin(2026, 3, 29, 12)) == timedelta(hours=2)
    closing = every_day("Europe/Berlin", (Window(1 * H, 2 * H + 1800),))
    assert closing.next_close(berlin(2026, 3, 29, 1)) == utc(2026, 3, 29, 1)


def test_a_window_bound_in_the_autumn_fold_means_its_first_occurrence() -> None:
    # 02:30 happens twice in Berlin on 2026-10-25; the window opens at the first (CEST).
    early = every_day("Europe/Berlin", (Window(2 * H + 1800, 5 * H),))
    assert early.next_open(berlin(2026, 10, 25, 0)) == utc(2026, 10, 25, 0, 30)
    assert early.between(berlin(2026, 10, 25, 0), berlin(2026, 10, 25, 12)) == timedelta(hours=3.5)


# ----------------------------------------------------------------- holidays and days


def test_a_holiday_on_friday_carries_the_deadline_over_the_weekend() -> None:
    office = weekdays("Europe/Berlin", holidays=(Holiday(date(2026, 4, 3), "Good Friday"),))
    assert office.add(berlin(2026, 4, 2, 16), timedelta(hours=2)) == berlin(2026, 4, 6, 10)
    assert not office.is_open(berlin(2026, 4, 3, 12))
    assert office.between(berlin(2026, 4, 2, 9), berlin(2026, 4, 7, 9)) == timedelta(hours=16)


def test_new_year_is_skipped_and_the_deadline_crosses_the_year() -> None:
    office = weekdays("Europe/Berlin", holidays=(Holiday(date(2027, 1, 1), "New Year"),))
    assert office.add(berlin(2026, 12, 31, 15), timedelta(hours=4)) == berlin(2027, 1, 4, 11)
    assert office.between(berlin(2026, 12, 31), berlin(2027, 1, 5)) == timedelta(hours=16)


def test_a_holiday_closes_the_night_opening_on_it_but_not_the_tail_of_the_night_before() -> None:
    nights = every_day("Europe/Berlin", NIGHT, holidays=(Holiday(date(2026, 12, 25)),))
    # Dec 24 22:00 -> Dec 25 06:00 stays open; Dec 25 22:00 -> Dec 26 06:00 is closed.
    assert nights.is_open(berlin(2026, 12, 25, 5))
    assert not nights.is_open(berlin(2026, 12, 26, 1))
    assert nights.add(berlin(2026, 12, 25, 5), timedelta(hours=2)) == berlin(2026, 12, 26, 23)


def test_an_exception_replaces_the_day_and_wins_over_a_holiday() -> None:
    day = date(2026, 12, 24)
    office = weekdays(
        "Europe/Berlin",
        holidays=(Holiday(day),),
        exceptions=(DayException(day, (Window(9 * H, 12 * H),), "half day"),),
    )
    assert office.between(berlin(2026, 12, 24), berlin(2026, 12, 25)) == timedelta(hours=3)
    weekend = weekdays("Europe/Berlin", exceptions=(DayException(date(2026, 12, 26), OFFICE),))
    assert weekend.is_open(berlin(2026, 12, 26, 10))


def test_a_leap_day_is_an_ordinary_business_day() -> None:
    office = weekdays("Europe/Berlin")
    assert office.add(berlin(2028, 2, 28, 16), timedelta(hours=9)) == berlin(2028, 2, 29, 17)
    assert office.add(berlin(2028, 2, 28, 16), timedelta(hours=10)) == berlin(2028, 3, 1, 10)
    assert office.between(berlin(2028, 2, 29), berlin(2028, 3, 1)) == timedelta(hours=8)


# ----------------------------------------------------------------- edges


def test_a_deadline_exactly_at_closing_time_stays_at_closing_time() -> None:
    office = weekdays("Europe/Berlin")
    assert office.add(berlin(2026, 6, 5, 9), timedelta(hours=8)) == berlin(2026, 6, 5, 17)
    assert office.next_close(berlin(2026, 6, 5, 9)) == berlin(2026, 6, 5, 17)
    assert not office.is_open(berlin(2026, 6, 5, 17))


def test_adding_zero_gives_start_when_open_and_the_next_opening_when_closed() -> None:
    office = weekdays("Europe/Berlin")
    assert office.add(berlin(2026, 6, 5, 10, 0, 0, 500), timedelta(0)) == berlin(
        2026, 6, 5, 10, 0, 0, 500
    )
    assert office.add(berlin(2026, 6, 5, 17), timedelta(0)) == berlin(2026, 6, 8, 9)


def test_between_counts_half_open_and_is_zero_for_reversed_instants() -> None:
    office = weekdays("Europe/Berlin")
    assert office.between(
        berlin(2026, 6, 5, 16, 59, 59, 250_000), berlin(2026, 6, 5, 17, 30)
    ) == timedelta(microseconds=750_000)
    assert office.between(berlin(2026, 6, 5, 12), berlin(2026, 6, 5, 10)) == timedelta(0)


def test_sub_second_starts_and_durations_are_exact() -> None:
    office = weekdays("Europe/Berlin")
    start = berlin(2026, 6, 5, 16, 59, 59, 600_000)
    assert office.add(start, timedelta(microseconds=700_000)) == berlin(
        2026, 6, 8, 9, 0, 0, 300_000
    )
    assert office.add(start, timedelta(microseconds=400_000)) == berlin(2026, 6, 5, 17)


def test_naive_datetimes_are_rejected_with_a_clear_error() -> None:
    office = weekdays("Europe/Berlin")
    with pytest.raises(CalendarError, match="timezone-aware"):
        office.add(datetime(2026, 6, 5, 10), timedelta(hours=1))  # noqa: DTZ001
    with pytest.raises(CalendarError, match="timezone-aware"):
        office.between(berlin(2026, 6, 5, 10), datetime(2026, 6, 5, 12))  # noqa: DTZ001


def test_negative_durations_are_rejected() -> None:
    office = weekdays("Europe/Berlin")
    with pytest.raises(CalendarError, match="negative"):
        office.add(berlin(2026, 6, 5, 10), timedelta(seconds=-1))
    with pytest.raises(CalendarError, match="negative"):
        office.add_epoch(0, -5)


def test_a_calendar_without_windows_raises_instead_of_looping() -> None:
    never = BusinessCalendar(CalendarSpec("never", "UTC", ((),) * 7))
    with pytest.raises(CalendarError, match="runs out of opening time"):
        never.add(utc(2026, 1, 1), timedelta(hours=1))
    once = BusinessCalendar(
        CalendarSpec("once", "UTC", ((),) * 7, exceptions=(DayException(date(2026, 1, 2), OFFICE),))
    )
    assert once.add(utc(2026, 1, 1), timedelta(hours=8)) == utc(2026, 1, 2, 17)
    with pytest.raises(CalendarError, match="runs out of opening time"):
        once.add(utc(2026, 1, 1), timedelta(hours=9))


def test_an_unknown_time_zone_is_a_calendar_error() -> None:
    with pytest.raises(CalendarError, match="Mars/Olympus"):
        BusinessCalendar(CalendarSpec("x", "Mars/Olympus", (OFFICE,) * 7))


def test_the_always_open_calendar_is_plain_elapsed_time_and_never_closes() -> None:
    always = build_calendars({})[ALWAYS_OPEN]
    assert always.is_always_open
    assert always.add(berlin(2026, 3, 29, 1), timedelta(hours=2)) == berlin(2026, 3, 29, 4)
    assert always.between(utc(2026, 1, 1), utc(2027, 1, 1)) == timedelta(days=365)
    with pytest.raises(CalendarError, match="never closes"):
        always.next_close(utc(2026, 1, 1))


def test_touching_windows_form_one_opening_interval() -> None:
    split = weekdays("Europe/Berlin", (Window(9 * H, 12 * H), Window(12 * H, 17 * H)))
    assert split.next_close(berlin(2026, 6, 5, 10)) == berlin(2026, 6, 5, 17)
    assert split.open_intervals(berlin(2026, 6, 5), berlin(2026, 6, 6)) == [
        (berlin(2026, 6, 5, 9), berlin(2026, 6, 5, 17))
    ]


def test_open_intervals_are_clipped_to_the_query_and_returned_in_utc() -> None:
    office = weekdays("Europe/Berlin")
    found = office.open_intervals(berlin(2026, 6, 5, 16), berlin(2026, 6, 8, 10))
    assert found == [
        (utc(2026, 6, 5, 14), utc(2026, 6, 5, 15)),
        (utc(2026, 6, 8, 7), utc(2026, 6, 8, 8)),
    ]
    assert all(start.tzinfo is UTC for start, _ in found)


def test_decades_of_business_time_are_answered_without_stepping_through_days() -> None:
    office = weekdays("Europe/Berlin")
    start = berlin(2026, 1, 5, 9)
    end = office.add(start, timedelta(hours=8 * 5 * 52 * 30))
    assert office.between(start, end) == timedelta(hours=8 * 5 * 52 * 30)
    assert 2055 <= end.year <= 2056


def test_instants_beyond_the_year_9999_are_a_calendar_error() -> None:
    always = build_calendars({})[ALWAYS_OPEN]
    with pytest.raises(CalendarError, match="outside the years"):
        always.add(utc(9999, 12, 31, 23), timedelta(hours=2))
    with pytest.raises(CalendarError, match="outside the supported years"):
        weekdays("Europe/Berlin").add(utc(9999, 12, 1), timedelta(hours=1000))
