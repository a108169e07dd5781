"""The small languages of definition files: durations, percentages, windows, weekdays, cadences."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servanda.domain.calendar.spec import Window
from servanda.domain.display import exact_percent, format_duration
from servanda.specs.units import (
    UnitError,
    parse_duration,
    parse_months,
    parse_percentage,
    parse_weekdays,
    parse_windows,
    uses_days,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90m", 5400), ("4h", 14400), ("2h30m", 9000), ("45s", 45), ("1d", 86400), ("1d2h", 93600)],
)
def test_durations_are_read_in_whole_seconds(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["4 hours", "h", "", "30m2h", "1.5h", "4h4h", "-4h", "99%"])
def test_malformed_durations_are_rejected_with_an_example(text: str) -> None:
    with pytest.raises(UnitError, match="like 90m, 4h"):
        parse_duration(text)


@pytest.mark.parametrize("seconds", [45, 60, 5400, 9000, 14400, 86399])
def test_formatting_a_duration_reads_back_to_the_same_seconds(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


def test_only_the_day_unit_counts_as_days() -> None:
    assert uses_days("1d")
    assert not uses_days("24h")


def test_percentages_are_exact_fractions() -> None:
    assert parse_percentage("99.9%") == Decimal("0.999")
    assert parse_percentage("100 %") == Decimal(1)
    assert exact_percent(Decimal("0.999")) == "99.9%"
    assert exact_percent(Decimal("0.95")) == "95%"


@pytest.mark.parametrize("text", ["95", "ninety%", "-5%", "%"])
def test_malformed_percentages_are_rejected(text: str) -> None:
    with pytest.raises(UnitError, match="percentage"):
        parse_percentage(text)


def test_a_window_is_local_seconds_after_midnight() -> None:
    assert parse_windows("08:00-18:00") == (Window(8 * 3600, 18 * 3600),)


def test_a_window_may_cross_midnight_or_cover_the_whole_day() -> None:
    (overnight,) = parse_windows("22:00-06:00")
    assert overnight.is_overnight
    assert overnight.length == 8 * 3600
    assert parse_windows("00:00-24:00") == (Window(0, 86400),)


def test_several_windows_come_comma_separated_or_as_a_list() -> None:
    expected = (Window(8 * 3600, 12 * 3600), Window(13 * 3600, 17 * 3600))
    assert parse_windows("08:00-12:00, 13:00-17:00") == expected
    assert parse_windows(["08:00-12:00", "13:00-17:00"]) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("8am-6pm", "not a time of day"),
        ("08:00", "not an opening window"),
        ("08:00-08:00", "same time"),
        ("24:00-06:00", "between 00:00 and 24:00"),
        ("08:61-09:00", "between 00:00 and 24:00"),
        ("", "no opening window"),
    ],
)
def test_malformed_windows_are_rejected(text: str, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        parse_windows(text)


@pytest.mark.parametrize(
    ("key", "days"),
    [
        ("mon-fri", (0, 1, 2, 3, 4)),
        ("sat", (5,)),
        ("mon,wed", (0, 2)),
        ("fri-mon", (4, 5, 6, 0)),
        ("daily", tuple(range(7))),
        ("all", tuple(range(7))),
        ("Monday", (0,)),
    ],
)
def test_weekday_keys_name_days_monday_first(key: str, days: tuple[int, ...]) -> None:
    assert parse_weekdays(key) == days


@pytest.mark.parametrize("key", ["weekdays", "mon-fri-sun", "mo"])
def test_unknown_weekday_keys_are_rejected(key: str) -> None:
    with pytest.raises(UnitError):
        parse_weekdays(key)


def test_review_cadences_are_whole_months() -> None:
    assert parse_months("6 months") == 6
    assert parse_months("1 year") == 12
    with pytest.raises(UnitError):
        parse_months("often")
