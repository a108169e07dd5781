"""Opening intervals in UTC, one block at a time: wall time to UTC across DST (Berlin, Lord Howe's
half hour, Santiago's skipped midnight), holidays and exceptions, merging, and block boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from servanda.domain.calendar.blocks import (
    BLOCK_SECONDS,
    block_start,
    build_block,
    from_epoch,
    load_zone,
    local_intervals,
    merge,
    midnight_offsets,
    position,
    to_epoch,
    wall_to_epoch,
    windows_on,
)
from servanda.domain.calendar.spec import SECONDS_PER_DAY, Window
from servanda.domain.errors import CalendarError

H = 3600
M = 60
BERLIN = ZoneInfo("Europe/Berlin")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # +10:30, and +11:00 in summer: a half-hour shift
SANTIAGO = ZoneInfo("America/Santiago")  # summer time starts at midnight, which is skipped
NO_DAYS: frozenset[int] = frozenset()


def utc(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())  # type: ignore[misc]


def wall(*parts: int) -> int:
    """Wall-clock seconds since 1970-01-01 00:00 local."""
    return int((datetime(*parts) - datetime(1970, 1, 1)).total_seconds())  # type: ignore[misc]  # noqa: DTZ001


def daily(*windows: Window) -> tuple[tuple[Window, ...], ...]:
    return (tuple(windows),) * 7


def intervals(zone: ZoneInfo, day: date, *windows: Window) -> list[tuple[int, int]]:
    ordinal = day.toordinal()
    return local_intervals(zone, ordinal, ordinal, daily(*windows), NO_DAYS, {})


# ----------------------------------------------------------------- wall time to UTC


def test_an_ordinary_wall_time_has_exactly_one_instant() -> None:
    assert wall_to_epoch(BERLIN, wall(2026, 1, 15, 9)) == utc(2026, 1, 15, 8)
    assert wall_to_epoch(BERLIN, wall(2026, 7, 15, 9)) == utc(2026, 7, 15, 7)


@pytest.mark.parametrize("minute", [0, 1, 30, 59])
def test_a_time_skipped_by_the_berlin_spring_forward_takes_effect_at_the_jump(minute: int) -> None:
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST, at 01:00Z
    assert wall_to_epoch(BERLIN, wall(2026, 3, 29, 2, minute)) == utc(2026, 3, 29, 1)
    assert wall_to_epoch(BERLIN, wall(2026, 3, 29, 3)) == utc(2026, 3, 29, 1)
    assert wall_to_epoch(BERLIN, wall(2026, 3, 29, 1, 59)) == utc(2026, 3, 29, 0, 59)


def test_a_time_repeated_by_the_berlin_fall_back_means_its_first_occurrence() -> None:
    # 2026-10-25: 03:00 CEST falls back to 02:00 CET, at 01:00Z; 02:30 happens twice
    assert wall_to_epoch(BERLIN, wall(2026, 10, 25, 2, 30)) == utc(2026, 10, 25, 0, 30)
    assert wall_to_epoch(BERLIN, wall(2026, 10, 25, 3)) == utc(2026, 10, 25, 2)


def test_lord_howes_half_hour_gap_and_fold() -> None:
    # 2026-10-04 02:00 (+10:30) jumps to 02:30 (+11:00), at 15:30Z the day before
    assert wall_to_epoch(LORD_HOWE, wall(2026, 10, 4, 2, 15)) == utc(2026, 10, 3, 15, 30)
    assert wall_to_epoch(LORD_HOWE, wall(2026, 10, 4, 2, 30)) == utc(2026, 10, 3, 15, 30)
    assert wall_to_epoch(LORD_HOWE, wall(2026, 10, 4, 2, 45)) == utc(2026, 10, 3, 15, 45)
    # 2026-04-05 02:00 (+11:00) falls back to 01:30 (+10:30); 01:45 happens twice
    assert wall_to_epoch(LORD_HOWE, wall(2026, 4, 5, 1, 45)) == utc(2026, 4, 4, 14, 45)
    assert wall_to_epoch(LORD_HOWE, wall(2026, 4, 5, 2, 0)) == utc(2026, 4, 4, 15, 30)


def test_a_skipped_midnight_reads_the_offset_before_the_jump() -> None:
    # Santiago: 2026-09-06 00:00 (-04:00) jumps to 01:00 (-03:00)
    first = date(2026, 9, 5).toordinal()
    assert midnight_offsets(SANTIAGO, first, 3) == [-4 * H, -4 * H, -3 * H]


# ----------------------------------------------------------------- windows of a local date


def test_a_window_across_the_berlin_spring_forward_is_an_hour_shorter_and_fall_back_longer() -> (
    None
):
    early = Window(1 * H, 5 * H)
    assert intervals(BERLIN, date(2026, 3, 29), early) == [
        (utc(2026, 3, 29, 0), utc(2026, 3, 29, 3))
    ]
    assert intervals(BERLIN, date(2026, 10, 25), early) == [
        (utc(2026, 10, 24, 23), utc(2026, 10, 25, 4))
    ]
    assert intervals(BERLIN, date(2026, 3, 22), early) == [
        (utc(2026, 3, 22, 0), utc(2026, 3, 22, 4))
    ]


def test_window_bounds_in_the_gap_open_and_close_at_the_jump() -> None:
    jump = utc(2026, 3, 29, 1)
    assert intervals(BERLIN, date(2026, 3, 29), Window(2 * H + 30 * M, 5 * H)) == [
        (jump, utc(2026, 3, 29, 3))
    ]
    assert intervals(BERLIN, date(2026, 3, 29), Window(1 * H, 2 * H + 30 * M)) == [
        (utc(2026, 3, 29, 0), jump)
    ]
    # a window wholly inside the gap never opens
    assert intervals(BERLIN, date(2026, 3, 29), Window(2 * H, 2 * H + 30 * M)) == []


def test_a_window_across_lord_howes_half_hour_shifts_is_half_an_hour_shorter_or_longer() -> None:
    window = Window(1 * H, 3 * H)
    assert intervals(LORD_HOWE, date(2026, 10, 4), window) == [
        (utc(2026, 10, 3, 14, 30), utc(2026, 10, 3, 16))  # 1h30m
    ]
    assert intervals(LORD_HOWE, date(2026, 4, 5), window) == [
        (utc(2026, 4, 4, 14), utc(2026, 4, 4, 16, 30))  # 2h30m
    ]


def test_a_night_window_across_a_skipped_midnight_is_an_hour_shorter() -> None:
    night = Window(22 * H, 2 * H)
    assert intervals(SANTIAGO, date(2026, 9, 5), night) == [
        (utc(2026, 9, 6, 2), utc(2026, 9, 6, 5))
    ]
    assert intervals(SANTIAGO, date(2026, 8, 29), night) == [
        (utc(2026, 8, 30, 2), utc(2026, 8, 30, 6))
    ]


def test_an_exception_wins_over_a_holiday_and_a_holiday_closes_the_day() -> None:
    weekly = ((Window(9 * H, 17 * H),),) * 5 + ((), ())
    monday, tuesday, saturday = (date(2026, 3, d).toordinal() for d in (2, 3, 7))
    special = (Window(10 * H, 12 * H),)
    holidays = frozenset({monday, tuesday})
    assert windows_on(monday, weekly, holidays, {monday: special}) == special
    assert windows_on(tuesday, weekly, holidays, {monday: special}) == ()
    assert windows_on(monday + 2, weekly, holidays, {}) == weekly[2]
    assert windows_on(saturday, weekly, NO_DAYS, {}) == ()
    assert windows_on(saturday, weekly, NO_DAYS, {saturday: special}) == special


# ----------------------------------------------------------------- merging and blocks


def test_merging_clips_joins_touching_and_overlapping_intervals_and_sums_them() -> None:
    merged = merge([(50, 70), (10, 20), (20, 30), (25, 40), (90, 200), (-5, 2), (60, 60)], 0, 100)
    assert merged == ([0, 10, 50, 90], [2, 40, 70, 100], [2, 32, 52, 62], 62)
    assert merge([], 0, 100) == ([], [], [], 0)


def test_a_block_of_an_always_open_calendar_is_one_interval_of_the_whole_block() -> None:
    block = build_block(53, ZoneInfo("UTC"), daily(Window(0, SECONDS_PER_DAY)), NO_DAYS, {})
    assert block == ([block_start(53)], [block_start(54)], [BLOCK_SECONDS], BLOCK_SECONDS)


def test_an_interval_crossing_a_block_boundary_is_cut_there_and_keeps_its_length() -> None:
    boundary = block_start(53)  # 2026-05-10T03:48:16Z, inside Berlin's 05:00-06:00 (CEST)
    weekly = daily(Window(5 * H, 6 * H))
    before = build_block(52, BERLIN, weekly, NO_DAYS, {})
    after = build_block(53, BERLIN, weekly, NO_DAYS, {})
    assert (before[0][-1], before[1][-1]) == (utc(2026, 5, 10, 3), boundary)
    assert (after[0][0], after[1][0]) == (boundary, utc(2026, 5, 10, 4))
    assert (before[1][-1] - before[0][-1]) + (after[1][0] - after[0][0]) == H


def test_a_night_that_opened_on_the_local_date_before_a_block_reaches_into_it() -> None:
    # block 53 starts 2026-05-10T03:48:16Z: Saturday night (22:00-06:00 CEST) is still open
    block = build_block(53, BERLIN, daily(Window(22 * H, 6 * H)), NO_DAYS, {})
    assert (block[0][0], block[1][0]) == (block_start(53), utc(2026, 5, 10, 4))
    # west of UTC, an evening opens on the local date before: New York 23:00-01:00 (EDT)
    late = build_block(53, ZoneInfo("America/New_York"), daily(Window(23 * H, 1 * H)), NO_DAYS, {})
    assert (late[0][0], late[1][0]) == (block_start(53), utc(2026, 5, 10, 5))


def test_a_day_long_window_two_local_dates_before_a_block_reaches_into_it_far_west() -> None:
    # UTC-12: the window opening on local 8 May 20:00 runs to 9 May 20:00, i.e. 10 May 08:00Z
    zone = ZoneInfo("Etc/GMT+12")
    block = build_block(
        53, zone, daily(Window(20 * H, 20 * H)), frozenset({date(2026, 5, 9).toordinal()}), {}
    )
    assert (block[0][0], block[1][0]) == (block_start(53), utc(2026, 5, 10, 8))


def test_a_night_across_a_block_boundary_on_the_spring_forward_night_is_cut_and_seven_hours() -> (
    None
):
    # block 130 starts at 2108-03-24T23:49:20Z; Berlin springs forward at 2108-03-25T01:00Z
    boundary = block_start(130)
    assert datetime.fromtimestamp(boundary, UTC) == datetime(2108, 3, 24, 23, 49, 20, tzinfo=UTC)
    nights = daily(Window(22 * H, 6 * H))
    before = build_block(129, BERLIN, nights, NO_DAYS, {})
    after = build_block(130, BERLIN, nights, NO_DAYS, {})
    assert (before[0][-1], before[1][-1]) == (utc(2108, 3, 24, 21), boundary)
    assert (after[0][0], after[1][0]) == (boundary, utc(2108, 3, 25, 4))  # 06:00 CEST
    assert (before[1][-1] - before[0][-1]) + (after[1][0] - after[0][0]) == 7 * H
    # the next night is a full eight hours again, in summer time
    assert (after[0][1], after[1][1]) == (utc(2108, 3, 25, 20), utc(2108, 3, 26, 4))


def test_a_holiday_at_a_block_boundary_closes_the_night_opening_on_it_in_both_blocks() -> None:
    nights = daily(Window(22 * H, 6 * H))
    saturday = date(2108, 3, 24).toordinal()
    before = build_block(129, BERLIN, nights, frozenset({saturday}), {})
    after = build_block(130, BERLIN, nights, frozenset({saturday}), {})
    assert before[1][-1] == utc(2108, 3, 24, 5)  # the tail of Friday night stays open
    assert after[0][0] == utc(2108, 3, 25, 20)  # Sunday night is the next opening


def test_position_counts_open_seconds_before_an_instant() -> None:
    block = merge([(10, 20), (30, 50)], 0, 100)
    assert [position(block, t) for t in (0, 10, 15, 20, 25, 30, 49, 50, 99)] == [
        0, 0, 5, 10, 10, 10, 29, 30, 30,
    ]  # fmt: skip


# ----------------------------------------------------------------- edges of the API


def test_naive_datetimes_out_of_range_seconds_and_unknown_zones_are_calendar_errors() -> None:
    with pytest.raises(CalendarError, match="timezone-aware"):
        to_epoch(datetime(2026, 3, 2, 8))  # noqa: DTZ001 - the naive instant under test
    assert to_epoch(datetime(2026, 3, 2, 8, 0, 0, 250_000, tzinfo=UTC)) == (
        utc(2026, 3, 2, 8),
        250_000,
    )
    with pytest.raises(CalendarError, match="outside the years 1-9999"):
        from_epoch(10**12)
    assert from_epoch(0) == datetime(1970, 1, 1, tzinfo=UTC)
    with pytest.raises(CalendarError, match="unknown time zone 'Mars/Olympus'"):
        load_zone("Mars/Olympus")
