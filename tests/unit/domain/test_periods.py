from datetime import UTC, date, datetime

import pytest

from servanda.domain.periods import (
    PeriodError,
    PeriodKind,
    ReportingPeriod,
    parse_period,
    period_containing,
)


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def test_a_berlin_month_starts_and_ends_at_local_midnight():
    march = parse_period("2026-03", "Europe/Berlin")
    assert march.start == at("2026-02-28T23:00:00")  # CET, UTC+1
    assert march.end == at("2026-03-31T22:00:00")  # CEST from 29 March, UTC+2


def test_a_breach_at_2330_utc_on_the_last_day_counts_in_the_next_berlin_month():
    breach = at("2026-03-31T23:30:00")
    assert not parse_period("2026-03", "Europe/Berlin").contains(breach)
    assert parse_period("2026-04", "Europe/Berlin").contains(breach)
    assert parse_period("2026-03", "UTC").contains(breach)


def test_the_first_instant_belongs_to_the_period_and_the_end_to_the_next():
    march = parse_period("2026-03", "UTC")
    assert march.contains(march.start)
    assert not march.contains(march.end)
    assert march.shifted(1).start == march.end


def test_quarters_years_and_ranges_are_read_with_inclusive_days():
    quarter = parse_period("2026-Q1", "UTC")
    assert (quarter.kind, quarter.first, quarter.last) == (
        PeriodKind.QUARTER,
        date(2026, 1, 1),
        date(2026, 3, 31),
    )
    assert parse_period("2026", "UTC").last == date(2026, 12, 31)
    span = parse_period("2026-03-01..2026-03-15", "UTC")
    assert span.end - span.start == 15 * 86_400
    assert span.label == "2026-03-01..2026-03-15"


def test_a_new_york_month_is_shorter_by_the_spring_forward_hour():
    march = parse_period("2026-03", "America/New_York")
    assert march.end - march.start == 31 * 86_400 - 3600


def test_previous_periods_step_back_by_their_kind():
    march = parse_period("2026-03", "UTC")
    assert march.previous().label == "2026-02"
    assert [p.label for p in march.trailing(3)] == ["2026-01", "2026-02", "2026-03"]
    assert parse_period("2026-Q1", "UTC").previous().label == "2025-Q4"
    span = parse_period("2026-03-11..2026-03-20", "UTC")
    assert (span.previous().first, span.previous().last) == (date(2026, 3, 1), date(2026, 3, 10))


def test_the_period_containing_an_instant_is_cut_in_the_zone():
    instant = at("2026-03-31T23:30:00")
    assert period_containing(PeriodKind.MONTH, instant, "Europe/Berlin").label == "2026-04"
    assert period_containing(PeriodKind.QUARTER, instant, "Europe/Berlin").label == "2026-Q2"
    assert period_containing(PeriodKind.MONTH, instant, "America/New_York").label == "2026-03"


@pytest.mark.parametrize("text", ["2026-13", "March", "2026-Q5", "2026-03-10..2026-03-01"])
def test_unreadable_periods_are_refused_with_a_reason(text):
    with pytest.raises(PeriodError):
        parse_period(text, "UTC")


def test_titles_read_like_a_report_heading():
    assert parse_period("2026-03", "UTC").title == "March 2026"
    assert parse_period("2026-Q2", "UTC").title == "Q2 2026"
    assert ReportingPeriod(PeriodKind.RANGE, date(2026, 3, 1), date(2026, 3, 15), "UTC").title == (
        "1 Mar 2026 – 15 Mar 2026"
    )


@pytest.mark.parametrize(
    "text", ["0000", "1969-12", "2200", "9999-12", "9999-Q4", "0001-01", "2199-12-31..2200-01-01"]
)
def test_a_period_outside_the_supported_years_is_a_period_error_naming_them(text: str) -> None:
    with pytest.raises(PeriodError, match="1970-2199"):
        parse_period(text, "Europe/Berlin")


def test_the_first_and_last_supported_months_are_periods() -> None:
    assert parse_period("1970-01", "UTC").start == 0
    assert parse_period("2199-12", "Pacific/Kiritimati").label == "2199-12"
