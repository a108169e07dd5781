"""Calendar definitions as values: windows in local seconds, overnight windows, the 24x7 calendar."""

from __future__ import annotations

from datetime import date

import pytest

from servanda.domain.calendar.spec import (
    ALWAYS_OPEN,
    SECONDS_PER_DAY,
    WEEKDAYS,
    CalendarSpec,
    DayException,
    Holiday,
    Window,
)

H = 3600


def test_a_window_has_its_nominal_length_and_crosses_midnight_when_it_ends_before_it_starts() -> (
    None
):
    office, night = Window(9 * H, 17 * H), Window(22 * H, 6 * H)
    assert (office.length, office.is_overnight) == (8 * H, False)
    assert (night.length, night.is_overnight) == (8 * H, True)
    whole = Window(0, SECONDS_PER_DAY)
    assert (whole.length, whole.is_overnight) == (SECONDS_PER_DAY, False)
    # equal bounds: a full day that starts and ends at the same wall time, overnight
    assert (Window(6 * H, 6 * H).length, Window(6 * H, 6 * H).is_overnight) == (
        SECONDS_PER_DAY,
        True,
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 3600, "start -1s is outside one day"),
        (SECONDS_PER_DAY, 3600, "start 86400s is outside one day"),
        (0, 0, "end 0s is outside one day"),
        (0, SECONDS_PER_DAY + 1, "end 86401s is outside one day"),
    ],
)
def test_window_bounds_outside_one_day_are_refused(start: int, end: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Window(start, end)


def test_a_window_reads_as_hh_mm_with_seconds_only_when_there_are_some() -> None:
    assert str(Window(8 * H, 17 * H + 30 * 60)) == "08:00-17:30"
    assert str(Window(22 * H, 6 * H)) == "22:00-06:00"
    assert str(Window(0, SECONDS_PER_DAY)) == "00:00-24:00"
    assert str(Window(9 * H + 5, 10 * H)) == "09:00:05-10:00"


def test_the_built_in_calendar_is_open_every_second_in_utc() -> None:
    spec = CalendarSpec.always_open()
    assert (spec.name, spec.timezone, spec.holidays, spec.exceptions) == (
        ALWAYS_OPEN,
        "UTC",
        (),
        (),
    )
    assert spec.weekly == ((Window(0, SECONDS_PER_DAY),),) * 7
    assert spec.is_always_open
    assert CalendarSpec.always_open("round-the-clock").name == "round-the-clock"


def test_a_calendar_with_a_holiday_an_exception_or_a_gap_is_not_always_open() -> None:
    full = ((Window(0, SECONDS_PER_DAY),),) * 7
    assert CalendarSpec(
        "c", "Europe/Berlin", full
    ).is_always_open  # any zone, as long as it never closes
    assert not CalendarSpec("c", "UTC", full, holidays=(Holiday(date(2026, 1, 1)),)).is_always_open
    assert not CalendarSpec(
        "c", "UTC", full, exceptions=(DayException(date(2026, 1, 1)),)
    ).is_always_open
    split = ((Window(0, 12 * H), Window(12 * H, SECONDS_PER_DAY)),) * 7
    assert not CalendarSpec("c", "UTC", split).is_always_open  # written as two windows
    assert not CalendarSpec("c", "UTC", (*full[:6], ())).is_always_open


def test_a_week_holds_seven_days_monday_first() -> None:
    assert WEEKDAYS == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    with pytest.raises(ValueError, match="seven days"):
        CalendarSpec("c", "UTC", ((),) * 6)


def test_holidays_and_exceptions_have_plain_defaults() -> None:
    assert Holiday(date(2026, 12, 24)).name == "holiday"
    closed = DayException(date(2026, 12, 24))
    assert (closed.windows, closed.reason) == ((), "")
