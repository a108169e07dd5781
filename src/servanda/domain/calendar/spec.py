"""A business-hours calendar as defined: weekly windows in local wall time, holidays, exceptions.

Pure values (rules: the package docstring and docs/semantics.md "Business time").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SECONDS_PER_DAY = 86_400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS_OPEN = "24x7"


@dataclass(frozen=True, slots=True)
class Window:
    """One opening window in local wall-clock seconds after midnight.

    ``start`` is in ``[0, 86400)``; ``end`` is in ``(0, 86400]``. When
    ``end <= start`` the window crosses midnight (``22:00-06:00``).
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < SECONDS_PER_DAY:
            raise ValueError(f"window start {self.start}s is outside one day")
        if not 0 < self.end <= SECONDS_PER_DAY:
            raise ValueError(f"window end {self.end}s is outside one day")

    @property
    def is_overnight(self) -> bool:
        return self.end <= self.start

    @property
    def length(self) -> int:
        """Nominal length in seconds (wall clock; a DST change may shorten or lengthen it)."""
        return (
            self.end - self.start
            if self.end > self.start
            else SECONDS_PER_DAY - self.start + self.end
        )

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


def _hhmm(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


@dataclass(frozen=True, slots=True)
class Holiday:
    """A local date on which the calendar is closed, with the name it is known by."""

    day: date
    name: str = "holiday"


@dataclass(frozen=True, slots=True)
class DayException:
    """A local date whose windows are replaced by ``windows`` (empty: closed all day)."""

    day: date
    windows: tuple[Window, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """The definition of a business-hours calendar, as stored in a revision.

    ``weekly[i]`` holds the windows that open on weekday ``i`` (0 = Monday).
    Holidays are materialised dates (the ``holidays`` package is resolved by the
    specs layer and snapshotted, so an upgrade never changes last year's figures).
    """

    name: str
    timezone: str
    weekly: tuple[tuple[Window, ...], ...]
    holidays: tuple[Holiday, ...] = ()
    exceptions: tuple[DayException, ...] = ()
    description: str = ""
    holiday_source: str = ""  # e.g. "DE-BE (holidays package 0.109), years 2015-2035"
    extra: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("weekly must hold seven days, Monday first")

    @classmethod
    def always_open(cls, name: str = ALWAYS_OPEN) -> CalendarSpec:
        """The built-in ``24x7`` calendar: open every second, in UTC, no holidays."""
        full_day = (Window(0, SECONDS_PER_DAY),)
        return cls(name=name, timezone="UTC", weekly=(full_day,) * 7)

    @property
    def is_always_open(self) -> bool:
        return (
            not self.holidays
            and not self.exceptions
            and all(days == (Window(0, SECONDS_PER_DAY),) for days in self.weekly)
        )
