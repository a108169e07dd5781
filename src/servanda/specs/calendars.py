"""Calendar entries -> ``CalendarSpec`` values, with every problem located.

Rules checked here: the time zone exists (IANA, via ``zoneinfo``); weekday keys
and windows are readable; no two windows overlap, including an overnight
window running into the next morning (and Sunday night into Monday); an
exception says either ``hours`` or ``closed: true``.

Holidays: ``country``/``subdivision`` are resolved with the ``holidays``
package for the years ``first_year``..``last_year`` (both inclusive; default
2000-2045) and materialised into dated values, so a stored revision never
changes when the package is upgraded. Explicit ``dates`` are added (their name
wins on a shared date). Resolution is cached per process.
"""

from __future__ import annotations

import difflib
from datetime import date
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays as holidays_package

from servanda.domain.calendar.spec import (
    ALWAYS_OPEN,
    SECONDS_PER_DAY,
    WEEKDAYS,
    CalendarSpec,
    DayException,
    Holiday,
    Window,
)
from servanda.specs.models import CalendarEntry, ExceptionEntry, HolidaysEntry
from servanda.specs.sources import DocPath, Problems
from servanda.specs.units import UnitError, parse_weekdays, parse_windows

WEEK = 7 * SECONDS_PER_DAY
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@cache
def is_known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def check_zone(name: str, path: DocPath, problems: Problems) -> bool:
    """Record an unknown IANA zone (with the closest real one as a hint)."""
    if is_known_zone(name):
        return True
    close = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
    hint = f"; did you mean {close[0]}?" if close else "; write an IANA name like Europe/Berlin"
    problems.add(path, f"{name!r} is not a time zone{hint}")
    return False


def build_calendar(
    name: str, entry: CalendarEntry, path: DocPath, problems: Problems
) -> CalendarSpec | None:
    """The calendar, or ``None`` when it has problems (recorded)."""
    before = len(problems.issues)
    if name == ALWAYS_OPEN:
        problems.add(path, "the calendar 24x7 is built in; give your calendar another name")
    check_zone(entry.timezone, (*path, "timezone"), problems)
    weekly = _weekly(entry, path, problems)
    holidays, source = _holidays(entry.holidays, (*path, "holidays"), problems)
    exceptions = tuple(
        _exception(item, (*path, "exceptions", index), problems)
        for index, item in enumerate(entry.exceptions)
    )
    if len(problems.issues) > before:
        return None
    return CalendarSpec(
        name=name,
        timezone=entry.timezone,
        weekly=weekly,
        holidays=holidays,
        exceptions=tuple(sorted(exceptions, key=lambda e: e.day)),
        description=entry.description,
        holiday_source=source,
    )


def _weekly(
    entry: CalendarEntry, path: DocPath, problems: Problems
) -> tuple[tuple[Window, ...], ...]:
    days: list[list[tuple[Window, DocPath]]] = [[] for _ in WEEKDAYS]
    for key, text in entry.hours.items():
        where = (*path, "hours", key)
        try:
            weekdays = parse_weekdays(key)
        except UnitError as error:
            problems.add(where, str(error), at_key=True)
            continue
        try:
            windows = parse_windows(text)
        except UnitError as error:
            problems.add(where, str(error))
            continue
        for day in weekdays:
            days[day].extend((window, where) for window in windows)
    _check_overlaps(days, problems)
    return tuple(tuple(sorted((w for w, _ in day), key=lambda w: w.start)) for day in days)


def _span(day: int, window: Window) -> tuple[int, int]:
    start = day * SECONDS_PER_DAY + window.start
    return start, start + window.length


def _check_overlaps(days: list[list[tuple[Window, DocPath]]], problems: Problems) -> None:
    """Every pair of windows whose spans on the week meet, reported once per pair of entries.

    The problem is located at the later of the two (Monday before Tuesday, then
    written order); Sunday night's window is compared with Monday morning too.
    """
    spans = [
        (_span(day, window), day, window, where)
        for day, windows in enumerate(days)
        for window, where in windows
    ]
    reported: set[tuple[DocPath, DocPath, str, str]] = set()
    for index, ((a_start, a_end), a_day, a_window, a_where) in enumerate(spans):
        for (b_start, b_end), b_day, b_window, b_where in spans[index + 1 :]:
            if not any(
                a_start < b_end + shift and b_start + shift < a_end for shift in (-WEEK, 0, WEEK)
            ):
                continue
            key = (b_where, a_where, str(a_window), str(b_window))
            if key in reported:
                continue
            reported.add(key)
            problems.add(
                b_where,
                f"the opening window {b_window} on {DAY_NAMES[b_day]} overlaps "
                f"{a_window} on {DAY_NAMES[a_day]}; windows must not overlap "
                "(an overnight window runs into the next morning)",
            )


@cache
def _package_holidays(
    country: str, subdivision: str | None, first: int, last: int
) -> tuple[tuple[str, str], ...]:
    found = holidays_package.country_holidays(
        country, subdiv=subdivision, years=range(first, last + 1)
    )
    return tuple((day.isoformat(), str(name)) for day, name in sorted(found.items()))


def _holidays(
    entry: HolidaysEntry | None, path: DocPath, problems: Problems
) -> tuple[tuple[Holiday, ...], str]:
    if entry is None:
        return (), ""
    named: dict[str, str] = {}
    source = ""
    if entry.first_year > entry.last_year:
        problems.add((*path, "last_year"), "last_year is before first_year")
    elif entry.country is not None:
        named, source = _resolve_package(entry, path, problems)
    elif entry.subdivision is not None:
        problems.add((*path, "subdivision"), "a subdivision needs its country (country: DE)")
    for item in entry.dates:
        named[item.date.isoformat()] = item.name
    if entry.dates:
        source += f"{' + ' if source else ''}{len(entry.dates)} explicit date(s)"
    holidays = tuple(Holiday(date.fromisoformat(day), name) for day, name in sorted(named.items()))
    return holidays, source


def _resolve_package(
    entry: HolidaysEntry, path: DocPath, problems: Problems
) -> tuple[dict[str, str], str]:
    country = str(entry.country).upper()
    supported = holidays_package.list_supported_countries()
    if country not in supported:
        problems.add(
            (*path, "country"),
            f"the holidays package knows no country {entry.country!r}; "
            "use an ISO 3166 code like DE, US or NO",
        )
        return {}, ""
    subdivision = entry.subdivision.upper() if entry.subdivision else None
    if subdivision is not None and subdivision not in supported[country]:
        known = ", ".join(supported[country]) or "none"
        problems.add(
            (*path, "subdivision"),
            f"{country} has no subdivision {entry.subdivision!r}; known: {known}",
        )
        return {}, ""
    found = _package_holidays(country, subdivision, entry.first_year, entry.last_year)
    region = f"{country}-{subdivision}" if subdivision else country
    version = getattr(holidays_package, "__version__", "?")
    source = f"{region} (holidays {version}), years {entry.first_year}-{entry.last_year}"
    return dict(found), source


def _exception(entry: ExceptionEntry, path: DocPath, problems: Problems) -> DayException:
    if entry.closed and entry.hours is not None:
        problems.add(path, "an exception either sets hours or says closed: true, not both")
    if not entry.closed and entry.hours is None:
        problems.add(path, "an exception needs hours (08:00-12:00) or closed: true")
    windows: tuple[Window, ...] = ()
    if entry.hours is not None and not entry.closed:
        try:
            windows = parse_windows(entry.hours)
        except UnitError as error:
            problems.add((*path, "hours"), str(error))
        spans = sorted(_span(0, window) for window in windows)
        if any(b[0] < a[1] for a, b in pairwise(spans)):
            problems.add((*path, "hours"), "the opening windows of this exception overlap")
    return DayException(entry.date, tuple(sorted(windows, key=lambda w: w.start)), entry.reason)
