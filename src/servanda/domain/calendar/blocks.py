"""A calendar's opening intervals as UTC epoch seconds, built one block at a time.

A block is a fixed span of ``2**25`` s (about 388 days) of UTC epoch seconds:
block ``k`` covers ``[k << 25, (k + 1) << 25)``. It holds the calendar's open
time inside that span as sorted, disjoint, non-adjacent half-open intervals
``[start, end)`` plus the running sum of open seconds, so a position is one
``bisect`` away. An interval crossing a block boundary is cut in two there.

Local wall time to UTC (the DST rule, see docs/semantics.md "Business time"):
a window bound is the **first instant at which the local wall clock reads that
time or later** on that date.

- Normal times have exactly one instant.
- A time that is skipped (spring-forward gap, e.g. 02:30 in Berlin on the last
  Sunday of March) takes effect at the transition instant, when the clock jumps
  past it (03:00 CEST): a window ``02:30-05:00`` opens at 03:00 CEST, a window
  ``01:00-02:30`` closes at 03:00 CEST.
- A time that happens twice (fall-back fold, e.g. 02:30 in Berlin on the last
  Sunday of October) means its first occurrence (02:30 CEST, the daylight one).

Durations are real elapsed seconds between those instants, so a window that
spans a spring-forward jump is shorter and one that spans a fall-back longer.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from servanda.domain.calendar.spec import SECONDS_PER_DAY, Window
from servanda.domain.errors import CalendarError

BLOCK_SHIFT = 25
BLOCK_SECONDS = 1 << BLOCK_SHIFT
UNIX_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - local wall time, zone attached on use
_ONE_DAY = timedelta(days=1)

# starts, ends, cumulative open seconds from the block start through each interval's end,
# and the block's total open seconds
Block = tuple[list[int], list[int], list[int], int]
EMPTY_BLOCK: Block = ([], [], [], 0)


def to_epoch(t: datetime) -> tuple[int, int]:
    """``(whole seconds, microseconds)`` since the Unix epoch; naive input is a CalendarError."""
    try:
        delta = t - _EPOCH
    except TypeError:
        raise CalendarError(
            f"expected a timezone-aware datetime, got {t!r}: name its zone (e.g. +00:00)"
        ) from None
    return delta.days * SECONDS_PER_DAY + delta.seconds, delta.microseconds


def from_epoch(seconds: int) -> datetime:
    """The aware UTC datetime of an epoch second (years 1-9999, else CalendarError)."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise CalendarError(f"epoch second {seconds} is outside the years 1-9999") from None


def load_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(f"unknown time zone {name!r}") from None


def block_start(k: int) -> int:
    return k << BLOCK_SHIFT


def _seconds(delta: timedelta | None) -> int:
    if delta is None:  # pragma: no cover - zoneinfo always answers
        raise ValueError("the time zone gave no UTC offset")
    return delta.days * SECONDS_PER_DAY + delta.seconds


def midnight_offsets(zone: ZoneInfo, first: int, count: int) -> list[int]:
    """UTC offsets in seconds of local midnight of ``count`` dates from ordinal ``first`` on.

    (First occurrence; a midnight skipped by a gap reads the offset before the jump.)
    """
    midnight = datetime.fromordinal(first)  # naive wall time: zoneinfo reads its fields
    found = []
    for _ in range(count):
        found.append(_seconds(zone.utcoffset(midnight)))
        midnight += _ONE_DAY
    return found


def _offset_at(zone: ZoneInfo, epoch: int) -> int:
    return _seconds(datetime.fromtimestamp(epoch, UTC).astimezone(zone).utcoffset())


def wall_to_epoch(zone: ZoneInfo, local_seconds: int) -> int:
    """The first instant at which the wall clock of ``zone`` reads ``local_seconds`` or later.

    ``local_seconds`` counts wall-clock seconds since 1970-01-01 00:00 local.
    """
    naive = _NAIVE_EPOCH + timedelta(seconds=local_seconds)
    earlier = local_seconds - _seconds(naive.replace(tzinfo=zone).utcoffset())
    later = local_seconds - _seconds(naive.replace(tzinfo=zone, fold=1).utcoffset())
    if earlier <= later:  # one instant, or a fold whose first occurrence is `earlier`
        return earlier
    # A gap: fold=0 read it with the old offset (`earlier` is past the jump),
    # fold=1 with the new one (`later` is before it). Find the jump itself.
    low, high = later, earlier
    before = _offset_at(zone, low)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(zone, middle) == before:
            low = middle
        else:
            high = middle
    return high


def windows_on(
    ordinal: int,
    weekly: Sequence[Sequence[Window]],
    holidays: frozenset[int],
    exceptions: Mapping[int, Sequence[Window]],
) -> Sequence[Window]:
    """The windows that open on a local date: an exception wins over a holiday."""
    found = exceptions.get(ordinal)
    if found is not None:
        return found
    if ordinal in holidays:
        return ()
    return weekly[(ordinal - 1) % 7]  # date.fromordinal(1) is a Monday


def local_intervals(
    zone: ZoneInfo,
    first: int,
    last: int,
    weekly: Sequence[Sequence[Window]],
    holidays: frozenset[int],
    exceptions: Mapping[int, Sequence[Window]],
) -> list[tuple[int, int]]:
    """UTC epoch intervals of the windows opening on local dates ``first..last`` (ordinals)."""
    offsets = midnight_offsets(zone, first, last - first + 3)
    found: list[tuple[int, int]] = []
    for index, ordinal in enumerate(range(first, last + 1)):
        windows = windows_on(ordinal, weekly, holidays, exceptions)
        if not windows:
            continue
        midnight = (ordinal - UNIX_ORDINAL) * SECONDS_PER_DAY
        offset = offsets[index]
        # No transition between this midnight and the one two days on: plain arithmetic.
        steady = offset == offsets[index + 1] == offsets[index + 2]
        for window in windows:
            local_start = midnight + window.start
            local_end = midnight + window.end
            if window.end <= window.start:
                local_end += SECONDS_PER_DAY
            if steady:
                start, end = local_start - offset, local_end - offset
            else:
                start, end = wall_to_epoch(zone, local_start), wall_to_epoch(zone, local_end)
            if end > start:
                found.append((start, end))
    return found


def merge(intervals: list[tuple[int, int]], low: int, high: int) -> Block:
    """Union of ``intervals`` clipped to ``[low, high)``, with running open-second sums."""
    starts: list[int] = []
    ends: list[int] = []
    for raw_start, raw_end in sorted(intervals):
        start, end = max(raw_start, low), min(raw_end, high)
        if end <= start:
            continue
        if ends and start <= ends[-1]:  # overlapping or touching: one interval
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    cumulative: list[int] = []
    total = 0
    for start, end in zip(starts, ends, strict=True):
        total += end - start
        cumulative.append(total)
    return starts, ends, cumulative, total


def build_block(
    k: int,
    zone: ZoneInfo,
    weekly: Sequence[Sequence[Window]],
    holidays: frozenset[int],
    exceptions: Mapping[int, Sequence[Window]],
) -> Block:
    """Open intervals of block ``k``.

    A window opening on local date D lies within D 00:00 - 14 h and D+2 00:00 + 14 h
    in UTC, so the local dates two days either side of the block's UTC dates cover it.
    """
    low = block_start(k)
    high = low + BLOCK_SECONDS
    first = UNIX_ORDINAL + low // SECONDS_PER_DAY - 2
    last = UNIX_ORDINAL + high // SECONDS_PER_DAY + 1
    return merge(local_intervals(zone, first, last, weekly, holidays, exceptions), low, high)


def position(block: Block, t: int) -> int:
    """Open seconds in the block before instant ``t`` (``t`` inside the block's span)."""
    starts, ends, cumulative, _ = block
    i = bisect_right(starts, t) - 1
    if i < 0:
        return 0
    end = ends[i]
    return cumulative[i] - (end - t) if t < end else cumulative[i]
