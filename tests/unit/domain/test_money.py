"""Money: exact amounts of one currency, rounded half-up to the minor unit once, at the end."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from servanda.domain.money import Money, minor_unit, total, zero


@pytest.mark.parametrize(
    ("currency", "places"), [("EUR", 2), ("usd", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4)]
)
def test_each_currency_has_its_minor_unit_whatever_the_case(currency: str, places: int) -> None:
    assert minor_unit(currency) == places


def test_arithmetic_keeps_every_digit_until_rounded() -> None:
    third = Money(D(100), "EUR").times(D(1) / D(3))
    assert third.amount == D(100) / D(3)
    summed = third + third + third
    assert summed.amount != D(100)  # exact decimal thirds do not add back to 100 ...
    assert summed.rounded() == Money(D("100.00"), "EUR")  # ... but round to it once, at the end
    assert (Money(D("0.004"), "EUR") + Money(D("0.004"), "EUR")).rounded().amount == D("0.01")


def test_subtraction_and_negation_stay_in_the_currency() -> None:
    assert Money(D("10.5"), "EUR") - Money(D("0.25"), "EUR") == Money(D("10.25"), "EUR")
    assert -Money(D("3"), "JPY") == Money(D("-3"), "JPY")
    with pytest.raises(ValueError, match="cannot combine EUR with USD"):
        Money(D(1), "EUR") - Money(D(1), "USD")


def test_negative_halves_round_away_from_zero_like_positive_ones() -> None:
    assert Money(D("-12.345"), "EUR").rounded().amount == D("-12.35")
    assert Money(D("-0.5"), "JPY").rounded().amount == D("-1")


def test_display_groups_thousands_and_shows_the_minor_unit_only() -> None:
    assert str(Money(D("1234.5"), "EUR")) == "EUR 1,234.50"
    assert str(Money(D("1234567.5"), "JPY")) == "JPY 1,234,568"
    assert Money(D("1.2345"), "KWD").digits() == "1.235"


def test_the_total_of_nothing_is_zero_and_a_total_refuses_other_currencies() -> None:
    assert total([], "EUR") == zero("EUR") == Money(D(0), "EUR")
    assert total([Money(D("1.005"), "EUR"), Money(D("2"), "EUR")], "EUR").amount == D("3.005")
    with pytest.raises(ValueError, match="cannot combine EUR with USD"):
        total([Money(D(1), "USD")], "EUR")
