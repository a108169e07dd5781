"""Business-time arithmetic on integer UTC epoch seconds: the clock engine's hot path.

``EpochCalendar`` answers ``add_epoch``, ``between_epoch``, ``is_open_epoch``,
``next_open_epoch``, ``next_close_epoch`` and ``open_intervals_epoch`` from the
blocks of ``calendar_blocks`` (two ``bisect`` calls inside a block, one step per
block crossed). Rules: ``servanda.domain.calendars`` and docs/semantics.md
"Business time". Units: whole seconds; spans are half-open ``[a, b)``. Searches
give up with a CalendarError after ``LOOKAHEAD_YEARS`` of calendar time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from servanda.domain.calendar_blocks import (
    BLOCK_SECONDS,
    BLOCK_SHIFT,
    EMPTY_BLOCK,
    SECONDS_PER_DAY,
    UNIX_ORDINAL,
    Block,
    block_start,
    build_block,
    from_epoch,
    load_zone,
    position,
)
from servanda.domain.errors import CalendarError

if TYPE_CHECKING:
    from servanda.domain.calendars import CalendarSpec

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
