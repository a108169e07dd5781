"""Business-hours calendars: their definition values and business-time arithmetic.

A calendar is weekly opening windows in local wall-clock time of one IANA zone,
plus holidays (whole local days closed) and exceptions (a local day whose
windows are replaced: partly closed, or opened when normally closed).

Rules (see docs/semantics.md, "Business time"):
- A window is ``[start, end)`` in seconds after local midnight. ``end <= start``
  means the window crosses midnight and ends on the next local day; an
  overnight window belongs to the day it opens on.
- A holiday closes every window that *opens* on it (including the part after
  midnight), not the tail of the previous night's window.
- An exception replaces the windows that open on its date; it wins over a
  holiday on the same date. An exception with no windows closes the day.
- Business time is real elapsed seconds inside opening intervals ``[start, end)``
  (the union of the windows), so DST shortens or lengthens a window; a bound in a
  spring-forward gap takes effect when the clock jumps, one in a fall-back fold
  means its first occurrence (``calendar_blocks``).
- ``add`` returns the earliest instant at which the duration has elapsed (a
  window's end, not the next opening); ``add(t, 0)`` is ``next_open(t)``;
  ``between`` counts ``[a, b)``. Aware datetimes in, aware UTC out; the
  ``*_epoch`` twins work on integer UTC epoch seconds for the clock engine.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from servanda.domain.business_time import EpochCalendar
from servanda.domain.calendar_blocks import BLOCK_SHIFT, from_epoch, to_epoch
from servanda.domain.errors import CalendarError

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


# --------------------------------------------------------------------------- arithmetic

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ZERO = timedelta(0)


class BusinessCalendar(EpochCalendar):
    """Business-time arithmetic on one calendar (rules: module docstring and docs/semantics.md).

    Datetime methods take aware datetimes (any zone) and return aware UTC ones;
    the ``*_epoch`` methods inherited from ``EpochCalendar`` take and return
    integer UTC epoch seconds and are the clock engine's hot path.
    """

    __slots__ = ()

    # ----------------------------------------------------------------- datetime API
    # Window bounds are whole seconds, so openness is constant inside each second
    # and a fraction of a second is exact: P(s + f) = P(s) + f when second s is open.

    def is_open(self, t: datetime) -> bool:
        return self.is_open_epoch(to_epoch(t)[0])

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """Deadline: the earliest instant at which ``duration`` of business time has elapsed."""
        try:
            delta = start - _EPOCH
        except TypeError:
            to_epoch(start)  # raises the naive-datetime CalendarError
            raise
        seconds = delta.days * SECONDS_PER_DAY + delta.seconds
        whole = duration.days * SECONDS_PER_DAY + duration.seconds
        if whole < 0:
            raise CalendarError(f"negative business duration: {duration}")
        if delta.microseconds or duration.microseconds:
            return self._add_fraction(seconds, delta.microseconds, whole, duration.microseconds)
        if whole == 0 or self._always_open:
            return from_epoch(self.add_epoch(seconds, whole))
        # add_epoch inlined: this is the API's hot path
        block = self._blocks.get(seconds >> BLOCK_SHIFT)
        if block is None:
            block = self._block(seconds >> BLOCK_SHIFT)
        starts, ends, cumulative, total = block
        i = bisect_right(starts, seconds) - 1
        target = whole if i < 0 else cumulative[i] + whole - max(ends[i] - seconds, 0)
        if target <= total:
            j = bisect_left(cumulative, target)
            return datetime.fromtimestamp(ends[j] - cumulative[j] + target, UTC)
        return from_epoch(self.add_epoch(seconds, whole))

    def _add_fraction(self, seconds: int, micro: int, whole: int, extra: int) -> datetime:
        if not self.is_open_epoch(seconds):
            seconds, micro = self.next_open_epoch(seconds), 0
        carry, fraction = divmod(micro + extra, 1_000_000)
        if not fraction:
            return from_epoch(self.add_epoch(seconds, whole + carry))
        # the result lies inside the open second that ends at add_epoch(.., n + 1)
        last_second = self.add_epoch(seconds, whole + carry + 1) - 1
        return from_epoch(last_second) + timedelta(microseconds=fraction)

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Business time in ``[a, b)``; zero when ``b <= a``."""
        try:
            da, db = a - _EPOCH, b - _EPOCH
        except TypeError:
            to_epoch(a), to_epoch(b)  # raises the naive-datetime CalendarError
            raise
        sa = da.days * SECONDS_PER_DAY + da.seconds
        sb = db.days * SECONDS_PER_DAY + db.seconds
        if da.microseconds or db.microseconds:
            return self._between_fraction(sa, da.microseconds, sb, db.microseconds)
        return timedelta(0, self.between_epoch(sa, sb))

    def _between_fraction(self, sa: int, ma: int, sb: int, mb: int) -> timedelta:
        if (sb, mb) <= (sa, ma):
            return _ZERO
        micro = self.between_epoch(sa, sb) * 1_000_000
        if mb and self.is_open_epoch(sb):
            micro += mb
        if ma and self.is_open_epoch(sa):
            micro -= ma
        return timedelta(microseconds=micro)

    def next_open(self, t: datetime) -> datetime:
        """``t`` (in UTC) if open, else the next opening."""
        seconds, micro = to_epoch(t)
        if self.is_open_epoch(seconds):
            return from_epoch(seconds) + timedelta(microseconds=micro)
        return from_epoch(self.next_open_epoch(seconds))

    def next_close(self, t: datetime) -> datetime:
        """End of the opening interval holding ``t``, or of the next one if ``t`` is closed."""
        return from_epoch(self.next_close_epoch(to_epoch(t)[0]))

    def open_intervals(self, a: datetime, b: datetime) -> list[tuple[datetime, datetime]]:
        """Opening intervals inside ``[a, b)``, clipped to it, as UTC datetimes."""
        sa, sb, mb = to_epoch(a)[0], *to_epoch(b)
        found = self.open_intervals_epoch(sa, sb + (1 if mb else 0))
        result = [(from_epoch(start), from_epoch(end)) for start, end in found]
        lower, upper = a.astimezone(UTC), b.astimezone(UTC)
        clipped = [(max(start, lower), min(end, upper)) for start, end in result]
        return [(start, end) for start, end in clipped if start < end]


def build_calendars(specs: Mapping[str, CalendarSpec]) -> dict[str, BusinessCalendar]:
    """One BusinessCalendar per spec, keyed by name, always including the built-in ``24x7``."""
    calendars = {name: BusinessCalendar(spec) for name, spec in specs.items()}
    if ALWAYS_OPEN not in calendars:
        calendars[ALWAYS_OPEN] = BusinessCalendar(CalendarSpec.always_open())
    return calendars
