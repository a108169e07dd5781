"""The small languages inside definition files: durations, percentages, windows, weekdays.

- Durations: ``90m``, ``4h``, ``2h30m``, ``45s``, ``1d``; units ``d`` (24 h), ``h``, ``m``,
  ``s``, largest first, each at most once; whole seconds. Whether ``d`` is allowed
  depends on the calendar (24x7 only) and is checked by validation, not here.
- Percentages: ``99.9%`` -> ``Decimal("0.999")`` (exact, no float rounding).
- Windows: ``08:00-18:00`` local wall-clock, start inclusive, end exclusive;
  ``22:00-06:00`` crosses midnight; ``00:00-24:00`` is the whole day; several
  windows are comma-separated (``08:00-12:00, 13:00-17:00``) or a list.
- Weekday keys: ``mon-fri``, ``sat``, ``mon,wed``, ``fri-mon`` (wraps), ``daily``/``all``.

Every parser raises ``UnitError`` (a ``ValueError``) with a sentence for a manager.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from servanda.domain.calendar.spec import SECONDS_PER_DAY, WEEKDAYS, Window

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_MONTHS = re.compile(r"(\d+)\s*(month|months|year|years)")
_DAY_NAMES = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}


class UnitError(ValueError):
    """A value written in one of the definition languages cannot be read."""


def parse_duration(text: str) -> int:
    """Seconds in a compact duration (``2h30m`` -> 9000). Zero is allowed (``0m``)."""
    cleaned = str(text).strip().lower().replace(" ", "")
    match = _DURATION.fullmatch(cleaned)
    if not cleaned or match is None or not any(match.groups()):
        raise UnitError(
            f"{text!r} is not a duration; write it like 90m, 4h, 2h30m or 45s "
            "(units d, h, m, s, largest first)"
        )
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return days * SECONDS_PER_DAY + hours * 3600 + minutes * 60 + seconds


def uses_days(text: str) -> bool:
    """Whether a duration is written with the ``d`` unit."""
    return "d" in str(text).lower()


def parse_percentage(text: str) -> Decimal:
    """A fraction from a percentage (``99.9%`` -> ``0.999``). The ``%`` sign is required."""
    cleaned = str(text).strip()
    if not cleaned.endswith("%"):
        raise UnitError(f"{text!r} is not a percentage; write it with a % sign, like 99.9%")
    try:
        value = Decimal(cleaned[:-1].strip())
    except InvalidOperation:
        raise UnitError(f"{text!r} is not a percentage; write it like 99.9%") from None
    if not value.is_finite() or value < 0:
        raise UnitError(f"{text!r} is not a percentage between 0% and 100% or more")
    return value / 100


def parse_time_of_day(text: str, *, is_end: bool = False) -> int:
    """Seconds after local midnight in ``HH:MM``; ``24:00`` only as a window end."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise UnitError(f"{text.strip()!r} is not a time of day; write it like 08:00")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes >= 60 or hours > 24 or (hours == 24 and (minutes or not is_end)):
        raise UnitError(f"{text.strip()!r} is not a time of day between 00:00 and 24:00")
    return hours * 3600 + minutes * 60


def parse_window(text: str) -> Window:
    """One ``HH:MM-HH:MM`` window; an end at or before the start crosses midnight."""
    parts = text.split("-")
    if len(parts) != 2:
        raise UnitError(f"{text.strip()!r} is not an opening window; write it like 08:00-18:00")
    start = parse_time_of_day(parts[0])
    end = parse_time_of_day(parts[1], is_end=True)
    if start == end:
        raise UnitError(
            f"{text.strip()!r} opens and closes at the same time; write 00:00-24:00 for a whole day"
        )
    return Window(start, end)


def parse_windows(value: str | list[str]) -> tuple[Window, ...]:
    """Windows from ``"08:00-12:00, 13:00-17:00"`` or a list of such strings, in written order."""
    texts = value if isinstance(value, list) else [value]
    windows: list[Window] = []
    for text in texts:
        for piece in str(text).split(","):
            if piece.strip():
                windows.append(parse_window(piece))
    if not windows:
        raise UnitError("no opening window given; write one like 08:00-18:00")
    return tuple(windows)


def _weekday(name: str) -> int:
    short = _DAY_NAMES.get(name, name)
    if short not in WEEKDAYS:
        raise UnitError(
            f"{name!r} is not a weekday; use mon, tue, wed, thu, fri, sat, sun, "
            "a range like mon-fri, a list like mon,wed, or daily"
        )
    return WEEKDAYS.index(short)


def parse_weekdays(key: str) -> tuple[int, ...]:
    """Weekday indexes (0 = Monday) named by a key; ranges may wrap (``fri-mon``)."""
    cleaned = str(key).strip().lower()
    if cleaned in {"daily", "all", "every day"}:
        return tuple(range(7))
    days: list[int] = []
    for part in cleaned.split(","):
        bounds = [bound.strip() for bound in part.split("-")]
        if len(bounds) == 1:
            days.append(_weekday(bounds[0]))
        elif len(bounds) == 2:
            first, last = _weekday(bounds[0]), _weekday(bounds[1])
            days.extend((first + step) % 7 for step in range((last - first) % 7 + 1))
        else:
            raise UnitError(f"{key!r} is not a weekday range; write it like mon-fri")
    return tuple(dict.fromkeys(days))


MAX_REVIEW_MONTHS = 100 * 12
"""A review cadence of at most 100 years keeps every review date a date (year < 10000)."""


def parse_months(text: str) -> int:
    """Whole months in a review cadence: ``6 months`` -> 6, ``1 year`` -> 12 (at most 100 years)."""
    match = _MONTHS.fullmatch(str(text).strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise UnitError(f"{text!r} is not a review cadence; write it like 6 months or 1 year")
    count = int(match.group(1))
    months = count * 12 if match.group(2).startswith("year") else count
    if months > MAX_REVIEW_MONTHS:
        raise UnitError(f"{text!r} is longer than the longest review cadence, 100 years")
    return months
