"""Calendar entries -> CalendarSpec values: zones, weekly windows, overlaps, holidays, exceptions."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from servanda.domain.calendar.spec import CalendarSpec, DayException, Holiday, Window
from servanda.domain.errors import Issue
from servanda.specs.calendars import build_calendar, check_zone, is_known_zone
from servanda.specs.models import CalendarEntry
from servanda.specs.sources import Problems

H = 3600
OFFICE_HOURS = {"mon-fri": "09:00-17:00"}


def build(name: str = "office", **fields: Any) -> tuple[CalendarSpec | None, list[Issue]]:
    raw: dict[str, Any] = {"timezone": "Europe/Berlin", "hours": OFFICE_HOURS}
    raw.update(fields)
    problems = Problems()
    built = build_calendar(name, CalendarEntry.model_validate(raw), ("calendars", name), problems)
    return built, problems.issues


def calendar(**fields: Any) -> CalendarSpec:
    built, issues = build(**fields)
    assert issues == []
    assert built is not None
    return built


def issues(**fields: Any) -> list[Issue]:
    built, found = build(**fields)
    assert built is None
    assert found
    return found


def test_weekday_keys_fill_the_week_monday_first_with_windows_sorted_by_start() -> None:
    spec = calendar(hours={"mon-fri": "13:00-17:00, 08:00-12:00", "sat": "09:00-12:00"})
    assert spec.weekly[0] == (Window(8 * H, 12 * H), Window(13 * H, 17 * H))
    assert spec.weekly[4] == spec.weekly[0]
    assert spec.weekly[5] == (Window(9 * H, 12 * H),)
    assert spec.weekly[6] == ()
    assert (spec.name, spec.timezone, spec.holidays, spec.holiday_source) == (
        "office",
        "Europe/Berlin",
        (),
        "",
    )


def test_the_name_24x7_is_reserved_for_the_built_in_calendar() -> None:
    (found,) = issues(name="24x7")
    assert found.path == "calendars.24x7"
    assert "built in" in found.message


def test_an_unknown_zone_names_the_closest_real_one() -> None:
    (found,) = issues(timezone="Europe/Berln")
    assert found.path == "calendars.office.timezone"
    assert found.message == "'Europe/Berln' is not a time zone; did you mean Europe/Berlin?"


def test_a_zone_without_any_close_match_asks_for_an_iana_name() -> None:
    problems = Problems()
    assert check_zone("nowhere at all", ("timezone",), problems) is False
    (found,) = problems.issues
    assert found.message.endswith("write an IANA name like Europe/Berlin")
    assert check_zone("America/New_York", ("timezone",), problems) is True
    assert len(problems.issues) == 1


@pytest.mark.parametrize("name", ["", "../../etc/passwd", "Mars/Olympus", "Europe/Berlin\x00"])
def test_names_that_are_no_zone_are_unknown_rather_than_an_exception(name: str) -> None:
    assert is_known_zone(name) is False


def test_an_unreadable_weekday_is_located_at_its_key_and_a_bad_window_at_its_value() -> None:
    found = issues(hours={"mon-fry": "09:00-17:00", "sat": "9 to 5"})
    assert [(i.path, "weekday" in i.message) for i in found] == [
        ("calendars.office.hours.mon-fry", True),
        ("calendars.office.hours.sat", False),
    ]


def test_overlapping_windows_on_one_day_are_reported_once_at_the_later_entry() -> None:
    (found,) = issues(hours={"mon-fri": "09:00-17:00", "wed": "16:00-18:00"})
    assert found.path == "calendars.office.hours.wed"
    assert found.message.startswith(
        "the opening window 16:00-18:00 on Wednesday overlaps 09:00-17:00 on Wednesday"
    )


def test_an_overnight_window_overlaps_the_next_mornings_window_located_at_the_later_day() -> None:
    (found,) = issues(hours={"mon-fri": "08:00-17:00", "thu": "22:00-09:00"})
    assert found.path == "calendars.office.hours.mon-fri"
    assert "08:00-17:00 on Friday overlaps 22:00-09:00 on Thursday" in found.message


def test_sunday_night_runs_into_monday_morning() -> None:
    (found,) = issues(hours={"mon": "08:00-17:00", "sun": "22:00-08:30"})
    assert "22:00-08:30 on Sunday overlaps 08:00-17:00 on Monday" in found.message


def test_windows_that_only_touch_do_not_overlap() -> None:
    spec = calendar(hours={"daily": "22:00-06:00", "mon-fri": "06:00-22:00"})
    assert spec.weekly[6] == (Window(22 * H, 6 * H),)
    assert spec.weekly[0] == (Window(6 * H, 22 * H), Window(22 * H, 6 * H))


def test_exceptions_are_sorted_by_date_and_closed_ones_have_no_windows() -> None:
    spec = calendar(
        exceptions=[
            {"date": "2026-12-31", "hours": "09:00-12:00", "reason": "New Year's Eve"},
            {"date": "2026-12-24", "closed": True},
        ]
    )
    assert spec.exceptions == (
        DayException(date(2026, 12, 24), ()),
        DayException(date(2026, 12, 31), (Window(9 * H, 12 * H),), "New Year's Eve"),
    )


@pytest.mark.parametrize(
    ("exception", "path", "message"),
    [
        ({"closed": True, "hours": "09:00-12:00"}, "exceptions[0]", "not both"),
        ({}, "exceptions[0]", "needs hours"),
        ({"hours": "09:00-12:00, 11:00-13:00"}, "exceptions[0].hours", "overlap"),
        ({"hours": "nine-five"}, "exceptions[0].hours", "'nine' is not a time of day"),
    ],
)
def test_each_broken_exception_is_located(exception: dict[str, Any], path: str, message: str):
    (found,) = issues(exceptions=[{"date": "2026-12-24", **exception}])
    assert found.path == f"calendars.office.{path}"
    assert message in found.message


def test_package_holidays_are_dated_for_the_chosen_years_and_name_their_source() -> None:
    spec = calendar(holidays={"country": "de", "subdivision": "be", "first_year": 2026,
                              "last_year": 2026})  # fmt: skip
    names = {holiday.day: holiday.name for holiday in spec.holidays}
    assert {day.year for day in names} == {2026}
    assert date(2026, 10, 3) in names  # German Unity Day
    assert date(2026, 3, 8) in names  # Women's Day: Berlin only
    assert list(names) == sorted(names)
    assert spec.holiday_source.startswith("DE-BE (holidays ")
    assert spec.holiday_source.endswith("years 2026-2026")


def test_an_explicit_date_wins_over_the_packages_name_and_is_counted_in_the_source() -> None:
    spec = calendar(
        holidays={
            "country": "DE",
            "first_year": 2026,
            "last_year": 2026,
            "dates": [{"date": "2026-10-03", "name": "Office party"}, "2026-12-24"],
        }
    )
    names = {holiday.day: holiday.name for holiday in spec.holidays}
    assert names[date(2026, 10, 3)] == "Office party"
    assert names[date(2026, 12, 24)] == "holiday"
    assert spec.holiday_source.endswith(" + 2 explicit date(s)")


def test_explicit_dates_alone_need_no_country() -> None:
    spec = calendar(holidays={"dates": ["2026-12-24"]})
    assert spec.holidays == (Holiday(date(2026, 12, 24)),)
    assert spec.holiday_source == "1 explicit date(s)"


@pytest.mark.parametrize(
    ("holidays", "path", "message"),
    [
        ({"country": "XX"}, "holidays.country", "knows no country 'XX'"),
        ({"country": "DE", "subdivision": "ZZ"}, "holidays.subdivision", "DE has no subdivision"),
        ({"subdivision": "BE"}, "holidays.subdivision", "needs its country"),
        ({"country": "DE", "first_year": 2027, "last_year": 2026}, "holidays.last_year", "before"),
    ],
)
def test_each_broken_holiday_source_is_located(
    holidays: dict[str, Any], path: str, message: str
) -> None:
    (found,) = issues(holidays=holidays)
    assert found.path == f"calendars.office.{path}"
    assert message in found.message
