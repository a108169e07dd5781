"""How figures are written for people: the one module every report, timeline and explanation
uses."""

from __future__ import annotations

from decimal import Decimal

from servanda.domain.agreements import Metric
from servanda.domain.display import (
    amounts,
    exact_percent,
    format_duration,
    format_level,
    minutes,
    percent,
    points,
)
from servanda.domain.money import Money


def test_a_measured_fraction_is_rounded_half_up_and_loses_trailing_zeros() -> None:
    assert percent(Decimal("0.99955")) == "99.96%"
    assert percent(Decimal("0.99945")) == "99.95%"
    assert percent(Decimal("0.5")) == "50%"
    assert percent(Decimal("1")) == "100%"
    assert percent(Decimal("0.125"), places=0) == "13%"
    assert percent(Decimal("0.99955"), places=3) == "99.955%"
    assert percent(None) == "n/a"


def test_a_written_fraction_is_shown_as_written_never_rounded() -> None:
    assert exact_percent(Decimal("0.999")) == "99.9%"
    assert exact_percent(Decimal("0.99955")) == "99.955%"
    assert exact_percent(Decimal("0.75")) == "75%"
    # 100 % once read "1%" (trailing zeros stripped from "100") and a threshold "75.00%"
    assert exact_percent(Decimal("1")) == "100%"
    assert exact_percent(Decimal("1.00")) == "100%"
    assert exact_percent(Decimal("0")) == "0%"


def test_changes_are_signed_percentage_points() -> None:
    assert points(Decimal("0.025")) == "+2.5 pp"
    assert points(Decimal("-0.003")) == "-0.3 pp"
    assert points(Decimal("0")) == "0.0 pp"
    assert points(None) == "–"


def test_durations_are_compact_and_days_only_when_asked() -> None:
    assert format_duration(9000) == "2h30m"
    assert format_duration(0) == "0s"
    assert format_duration(-61) == "-1m1s"
    assert format_duration(90_000) == "25h"
    assert format_duration(90_000, days=True) == "1d1h"


def test_levels_are_ratings_or_percentages() -> None:
    assert format_level(Metric.SATISFACTION, Decimal("4.250")) == "4.25"
    assert format_level(Metric.SATISFACTION, Decimal("4")) == "4"
    assert format_level(Metric.AVAILABILITY, Decimal("0.99955")) == "99.955%"


def test_minutes_and_amounts() -> None:
    assert minutes(45_270) == "754.5 min"
    assert minutes(Decimal(90_000_000)) == "1,500,000.0 min"
    assert amounts([Money(Decimal("12.5"), "EUR"), Money(Decimal(3), "USD")]) == (
        "EUR 12.50, USD 3.00"
    )
    assert amounts([]) == "–"
