"""Business-time arithmetic: on integer UTC epoch seconds (the clock engine's hot path) and on
aware datetimes.

``EpochCalendar`` answers ``add_epoch``, ``between_epoch``, ``is_open_epoch``,
``next_open_epoch``, ``next_close_epoch`` and ``open_intervals_epoch`` from the
blocks of ``calendar.blocks`` (two ``bisect`` calls inside a block, one step per
block crossed). ``BusinessCalendar`` adds the same answers for aware datetimes
(any zone in, UTC out). Rules: the package docstring and docs/semantics.md
"Business time". Units: whole seconds; spans are half-open ``[a, b)``. Searches
give up with a CalendarError after ``LOOKAHEAD_YEARS`` of calendar time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from servanda.domain.calendar.blocks import (
    BLOCK_SECONDS,
    BLOCK_SHIFT,
    EMPTY_BLOCK,
    UNIX_ORDINAL,
    Block,
    block_start,
    build_block,
    from_epoch,
    load_zone,
    position,
    to_epoch,
)
from servanda.domain.calendar.spec import ALWAYS_OPEN, SECONDS_PER_DAY, CalendarSpec
from servanda.domain.errors import CalendarError

LOOKAHEAD_YEARS = 50
_LOOKAHEAD_BLOCKS = LOOKAHEAD_YEARS * 31_556_952 // BLOCK_SECONDS + 1


class EpochCalendar:
    """Business-time arithmetic on integer UTC epoch seconds (the base of BusinessCalendar).

    Intervals are half-open: an instant on a window's end is closed. Opening
    intervals are the union of the windows: touching windows form one. Blocks
    are built on first use and cached (a race between threads builds a block
    twice, harmlessly).
    """

    __slots__ = (
        "_always_open",
        "_blocks",
        "_exceptions",
        "_holidays",
        "_last_block",
        "_weekly",
        "_zone",
        "spec",
    )

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self._zone = load_zone(spec.timezone)
        self._weekly = spec.weekly
        self._holidays = frozenset(holiday.day.toordinal() for holiday in spec.holidays)
        self._exceptions = {exc.day.toordinal(): exc.windows for exc in spec.exceptions}
        self._always_open = (
            not spec.holidays
            and not spec.exceptions
            and all(
                any(w.start == 0 and w.end == SECONDS_PER_DAY for w in day) for day in spec.weekly
            )
        )
        self._blocks: dict[int, Block] = {}
        self._last_block = self._find_last_block()

    def _find_last_block(self) -> int | None:
        """The last block that can hold an opening; None when weekly windows repeat for ever."""
        if any(self._weekly):
            return None
        opening_days = [day for day, windows in self._exceptions.items() if windows]
        if not opening_days:
            return -(1 << 62)  # never opens
        midnight = (max(opening_days) - UNIX_ORDINAL + 2) * SECONDS_PER_DAY
        return (midnight + 14 * 3600) >> BLOCK_SHIFT

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def is_always_open(self) -> bool:
        return self._always_open

    def _block(self, k: int) -> Block:
        found = self._blocks.get(k)
        if found is None:
            if self._last_block is not None and k > self._last_block:
                found = EMPTY_BLOCK
            else:
                try:
                    found = build_block(
                        k, self._zone, self._weekly, self._holidays, self._exceptions
                    )
                except (OverflowError, ValueError):
                    raise CalendarError(
                        f"calendar {self.name!r}: instant outside the supported years 2-9998"
                    ) from None
            self._blocks[k] = found
        return found

    def _horizon(self, k: int, t: int) -> int:
        """The last block to search from block ``k`` (at instant ``t``) before giving up."""
        if self._last_block is None:
            return k + _LOOKAHEAD_BLOCKS
        if self._last_block < k:
            raise self._beyond(t)
        return min(k + _LOOKAHEAD_BLOCKS, self._last_block)

    def _beyond(self, t: int) -> CalendarError:
        since = from_epoch(t).isoformat()
        if self._last_block is not None:
            return CalendarError(
                f"calendar {self.name!r} runs out of opening time after {since}:"
                " it has no weekly windows and no later exception that opens a day"
            )
        return CalendarError(
            f"calendar {self.name!r}: no answer within {LOOKAHEAD_YEARS} years of {since}"
        )

    # ----------------------------------------------------------------- epoch API

    def is_open_epoch(self, t: int) -> bool:
        """Whether instant ``t`` lies inside an opening interval ``[start, end)``."""
        if self._always_open:
            return True
        starts, ends, _, _ = self._block(t >> BLOCK_SHIFT)
        i = bisect_right(starts, t) - 1
        return i >= 0 and t < ends[i]

    def add_epoch(self, start: int, seconds: int) -> int:
        """The earliest instant at which ``seconds`` of business time have elapsed from ``start``.

        A closed ``start`` counts from the next opening; a result on a window's end
        stays there; ``seconds == 0`` gives ``next_open_epoch(start)``.
        """
        if seconds <= 0 or self._always_open:
            if seconds < 0:
                raise CalendarError(f"negative business duration: {seconds}s")
            return self.next_open_epoch(start) if seconds == 0 else start + seconds
        k = start >> BLOCK_SHIFT
        block = self._blocks.get(k)
        if block is None:
            block = self._block(k)
        starts, ends, cumulative, total = block
        i = bisect_right(starts, start) - 1
        if i >= 0:
            target = cumulative[i] + seconds
            end = ends[i]
            if start < end:
                target -= end - start
        else:
            target = seconds
        if target <= total:
            j = bisect_left(cumulative, target, i if i > 0 else 0)
            return ends[j] - (cumulative[j] - target)
        return self._add_beyond(k, start, target - total)

    def _add_beyond(self, k: int, start: int, remaining: int) -> int:
        """Spend ``remaining`` (> 0) open seconds from the start of block ``k + 1`` on."""
        for later in range(k + 1, self._horizon(k, start) + 1):
            _, ends, cumulative, total = self._block(later)
            if remaining <= total:
                j = bisect_left(cumulative, remaining)
                return ends[j] - (cumulative[j] - remaining)
            remaining -= total
        raise self._beyond(start)

    def between_epoch(self, a: int, b: int) -> int:
        """Open seconds in ``[a, b)``; 0 when ``b <= a``."""
        if b <= a:
            return 0
        if self._always_open:
            return b - a
        k = a >> BLOCK_SHIFT
        if b >> BLOCK_SHIFT != k:
            return self._between_blocks(a, b)
        block = self._blocks.get(k)
        if block is None:
            block = self._block(k)
        starts, ends, cumulative, _ = block
        i = bisect_right(starts, b) - 1
        if i < 0:
            return 0
        end = ends[i]
        at_b = cumulative[i] - (end - b) if b < end else cumulative[i]
        i = bisect_right(starts, a, 0, i + 1) - 1
        if i < 0:
            return at_b
        end = ends[i]
        return at_b - (cumulative[i] - (end - a) if a < end else cumulative[i])

    def _between_blocks(self, a: int, b: int) -> int:
        ka, kb = a >> BLOCK_SHIFT, b >> BLOCK_SHIFT
        total = -position(self._block(ka), a)
        for k in range(ka, kb):
            total += self._block(k)[3]
        return total + position(self._block(kb), b)

    def next_open_epoch(self, t: int) -> int:
        """``t`` if open, else the start of the next opening interval."""
        if self._always_open:
            return t
        k = t >> BLOCK_SHIFT
        starts, ends, _, _ = self._block(k)
        i = bisect_right(starts, t) - 1
        if i >= 0 and t < ends[i]:
            return t
        if i + 1 < len(starts):
            return starts[i + 1]
        for later in range(k + 1, self._horizon(k, t) + 1):
            starts = self._block(later)[0]
            if starts:
                return starts[0]
        raise self._beyond(t)

    def next_close_epoch(self, t: int) -> int:
        """The end of the opening interval holding ``t``, or of the next one if ``t`` is closed.

        A calendar that stays open for the whole look-ahead (``24x7``) has no
        closing time: CalendarError.
        """
        if self._always_open:
            raise CalendarError(f"calendar {self.name!r} is always open: it never closes")
        opening = self.next_open_epoch(t)
        k = opening >> BLOCK_SHIFT
        starts, ends, _, _ = self._block(k)
        end = ends[bisect_right(starts, opening) - 1]
        horizon = self._horizon(k, t)
        while end == block_start(k + 1):  # cut at the block edge: does it go on?
            k += 1
            if k > horizon:
                raise self._beyond(t)
            starts, ends, _, _ = self._block(k)
            if not starts or starts[0] != end:
                break
            end = ends[0]
        return end

    def open_intervals_epoch(self, a: int, b: int) -> list[tuple[int, int]]:
        """The opening intervals inside ``[a, b)``, clipped to it, in order."""
        if b <= a:
            return []
        if self._always_open:
            return [(a, b)]
        found: list[tuple[int, int]] = []
        for k in range(a >> BLOCK_SHIFT, (b >> BLOCK_SHIFT) + 1):
            starts, ends, _, _ = self._block(k)
            for raw_start, raw_end in zip(starts, ends, strict=True):
                start, end = max(raw_start, a), min(raw_end, b)
                if end <= start:
                    continue
                if found and found[-1][1] == start:  # one interval cut at a block edge
                    found[-1] = (found[-1][0], end)
                else:
                    found.append((start, end))
        return found


# --------------------------------------------------------------------------- datetime API

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
