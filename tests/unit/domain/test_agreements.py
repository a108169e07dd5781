"""Agreements as values: conditions, scope and specificity, effective dates, reviews, credit bands."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from servanda.domain.agreements import (
    Agreement,
    Condition,
    CreditBand,
    CreditSchedule,
    Customer,
    Definitions,
    Fee,
    Level,
    Metric,
    Objective,
    Specificity,
    add_months,
    conditions_overlap,
)

P1 = Condition("priority", frozenset({"P1"}))
P1_P2 = Condition("priority", frozenset({"P2", "P1"}))
PHONE = Condition("channel", frozenset({"phone"}))
RES = Objective("res", Metric.RESOLUTION, target_seconds=3600)


def test_only_response_and_resolution_metrics_are_ticket_clocks() -> None:
    assert [m.value for m in Metric if m.is_ticket_clock] == [
        "first_response", "next_response", "resolution",
    ]  # fmt: skip


def test_specificities_rank_from_corporate_to_customer_and_service_and_read_as_words() -> None:
    assert sorted(Specificity) == [
        Specificity.CORPORATE, Specificity.SERVICE, Specificity.GROUP,
        Specificity.GROUP_SERVICE, Specificity.CUSTOMER, Specificity.CUSTOMER_SERVICE,
    ]  # fmt: skip
    assert Specificity.CUSTOMER_SERVICE.label == "customer+service"
    assert Specificity.GROUP.label == "group"


def test_a_condition_needs_the_attribute_present_with_one_of_its_values() -> None:
    assert P1_P2.matches({"priority": "P2"})
    assert not P1_P2.matches({"priority": "p2"})  # values are compared exactly
    assert not P1_P2.matches({"service": "email"})
    assert str(P1_P2) == "priority in {P1, P2}"


def test_an_objective_matches_when_every_condition_holds_and_without_conditions_always() -> None:
    both = Objective("fr", Metric.FIRST_RESPONSE, (P1, PHONE), target_seconds=60)
    assert both.matches({"priority": "P1", "channel": "phone"})
    assert not both.matches({"priority": "P1", "channel": "email"})
    assert RES.matches({})
    assert both.describe_conditions() == "priority in {P1} and channel in {phone}"
    assert RES.describe_conditions() == "all tickets"


@pytest.mark.parametrize(
    ("left", "right", "overlap"),
    [
        ((P1,), (P1_P2,), True),
        ((P1,), (Condition("priority", frozenset({"P3"})),), False),
        ((P1,), (PHONE,), True),  # constrained on different attributes: one ticket can meet both
        ((), (P1,), True),
        ((P1, PHONE), (P1_P2, Condition("channel", frozenset({"email"}))), False),
    ],
)
def test_condition_sets_overlap_unless_a_shared_attribute_keeps_them_apart(left, right, overlap):
    assert conditions_overlap(left, right) is overlap
    assert conditions_overlap(right, left) is overlap


def agreement(level: Level, **scope: object) -> Agreement:
    return Agreement("a", level, "A", (RES,), **scope)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("deal", "customer", "group", "service", "expected"),
    [
        (agreement(Level.CORPORATE), "acme", "gold", "email", Specificity.CORPORATE),
        (agreement(Level.SERVICE, services=frozenset({"email"})), None, None, "email", Specificity.SERVICE),
        (agreement(Level.SERVICE, services=frozenset({"email"})), "acme", None, "web", None),
        (agreement(Level.SERVICE, services=frozenset({"email"})), "acme", None, None, None),
        (agreement(Level.CUSTOMER, customers=frozenset({"acme"})), "acme", "gold", None, Specificity.CUSTOMER),
        (agreement(Level.CUSTOMER, customers=frozenset({"acme"}), services=frozenset({"email"})),
         "acme", None, "email", Specificity.CUSTOMER_SERVICE),
        (agreement(Level.CUSTOMER, groups=frozenset({"gold"})), "acme", "gold", "web", Specificity.GROUP),
        (agreement(Level.CUSTOMER, groups=frozenset({"gold"}), services=frozenset({"web"})),
         "acme", "gold", "web", Specificity.GROUP_SERVICE),
        (agreement(Level.CUSTOMER, customers=frozenset({"acme"}), groups=frozenset({"gold"})),
         "acme", "gold", None, Specificity.CUSTOMER),
        (agreement(Level.CUSTOMER, groups=frozenset({"gold"})), "globex", "silver", None, None),
        (agreement(Level.CUSTOMER, customers=frozenset({"acme"})), None, None, None, None),
    ],
)  # fmt: skip
def test_the_scope_decides_how_specifically_an_agreement_matches(
    deal, customer, group, service, expected
) -> None:
    assert deal.specificity_for(customer, group, service) == expected


def test_effective_dates_are_inclusive_and_open_ends_unbounded() -> None:
    dated = agreement(
        Level.CORPORATE, effective_from=date(2026, 1, 1), effective_to=date(2026, 6, 30)
    )
    assert [dated.is_in_force(date(2025, 12, 31)), dated.is_in_force(date(2026, 1, 1)),
            dated.is_in_force(date(2026, 6, 30)), dated.is_in_force(date(2026, 7, 1))] == [
        False, True, True, False,
    ]  # fmt: skip
    assert agreement(Level.CORPORATE).is_in_force(date(1970, 1, 1))


def test_the_next_review_is_the_first_cadence_date_strictly_after_the_day() -> None:
    deal = agreement(Level.CORPORATE, effective_from=date(2026, 1, 31), review_every_months=6)
    assert deal.next_review(date(2026, 1, 30)) == date(2026, 1, 31)
    assert deal.next_review(date(2026, 1, 31)) == date(2026, 7, 31)
    assert deal.next_review(date(2026, 8, 1)) == date(2027, 1, 31)
    quarterly = agreement(Level.CORPORATE, effective_from=date(2026, 11, 30), review_every_months=3)
    assert quarterly.next_review(date(2026, 12, 1)) == date(2027, 2, 28)  # clamped, not drifting
    assert quarterly.next_review(date(2027, 3, 1)) == date(2027, 5, 30)
    assert agreement(Level.CORPORATE, review_every_months=6).next_review(date(2026, 1, 1)) is None
    assert (
        agreement(Level.CORPORATE, effective_from=date(2026, 1, 1)).next_review(date(2026, 1, 1))
        is None
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),
        (date(2026, 5, 31), 12, date(2027, 5, 31)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_adding_months_clamps_to_the_end_of_a_shorter_month(day, months, expected) -> None:
    assert add_months(day, months) == expected


def test_the_lowest_band_reached_applies_and_a_level_at_a_threshold_is_not_below_it() -> None:
    schedule = CreditSchedule(
        Metric.AVAILABILITY, (CreditBand(D("0.999"), D("0.1")), CreditBand(D("0.99"), D("0.25")))
    )
    assert schedule.band_for(D("0.9995")) is None
    assert schedule.band_for(D("0.999")) is None
    assert schedule.band_for(D("0.995")) == CreditBand(D("0.999"), D("0.1"))
    assert schedule.band_for(D("0.98")) == CreditBand(D("0.99"), D("0.25"))


def test_definitions_find_a_customers_group_fee_and_an_agreement_by_id() -> None:
    acme = Customer("acme", "ACME", group="gold", fees=(Fee("email", D(2000), "EUR"),))
    definitions = Definitions({}, {}, {"acme": acme}, (agreement(Level.CORPORATE),))
    assert definitions.group_of("acme") == "gold"
    assert definitions.group_of("nobody") is None
    assert definitions.group_of(None) is None
    assert acme.fee_for("email") == Fee("email", D(2000), "EUR")
    assert acme.fee_for("web") is None
    assert definitions.agreement("a").title == "A"
    with pytest.raises(KeyError):
        definitions.agreement("missing")
