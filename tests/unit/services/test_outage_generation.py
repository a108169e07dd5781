"""The synthetic outage generator: deterministic per seed, inside the period, realistic in kind."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from servanda.domain.agreements import Customer, Definitions, Fee, Service
from servanda.domain.availability import Impact
from servanda.services.outage_generation import generate_outages

BERLIN = ZoneInfo("Europe/Berlin")
DEFINITIONS = Definitions(
    calendars={},
    services={"mail": Service("mail", "Mail"), "net": Service("net", "Network")},
    customers={
        "a": Customer("a", "A", fees=(Fee("mail", Decimal(100), "EUR"),)),
        "b": Customer(
            "b", "B", fees=(Fee("mail", Decimal(100), "EUR"), Fee("net", Decimal(5), "EUR"))
        ),
        "c": Customer("c", "C"),
    },
    agreements=(),
    timezone="Europe/Berlin",
)
START = date(2026, 1, 1)


def epoch(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=BERLIN).timestamp())  # type: ignore[misc]


def test_the_same_seed_gives_the_same_records_and_another_seed_others():
    first = list(generate_outages(DEFINITIONS, 7, START, 3))
    assert first == list(generate_outages(DEFINITIONS, 7, START, 3))
    assert first != list(generate_outages(DEFINITIONS, 8, START, 3))


def test_every_record_lies_inside_the_months_cut_in_the_provider_zone():
    outages = list(generate_outages(DEFINITIONS, 1, START, 3))
    for outage in outages:
        assert epoch(2026, 1, 1) <= outage.start < outage.end <= epoch(2026, 4, 1)


def test_each_service_gets_one_announced_maintenance_window_a_month_on_a_saturday_night():
    windows = [o for o in generate_outages(DEFINITIONS, 3, START, 3) if o.planned]
    assert Counter(o.service for o in windows) == {"mail": 3, "net": 3}
    for window in windows:
        opens = datetime.fromtimestamp(window.start, UTC).astimezone(BERLIN)
        assert opens.weekday() == 5
        assert opens.hour in (22, 23)
        assert window.impact is Impact.FULL
        assert not window.customers
        assert 2 * 3600 <= window.duration_seconds <= 4 * 3600


def test_unplanned_outages_are_full_or_partial_with_a_weight_below_one():
    unplanned = [
        o
        for seed in range(20)
        for o in generate_outages(DEFINITIONS, seed, START, 1)
        if not o.planned
    ]
    kinds = Counter(o.impact for o in unplanned)
    assert kinds[Impact.FULL] > 0
    assert kinds[Impact.PARTIAL] > 0
    for outage in unplanned:
        assert (outage.weight == 1) == (outage.impact is Impact.FULL)
        assert 60 <= outage.duration_seconds <= 4 * 3600


def test_customer_scoped_outages_name_one_paying_customer_of_the_service():
    scoped = [
        o
        for seed in range(30)
        for o in generate_outages(DEFINITIONS, seed, START, 1)
        if o.customers
    ]
    assert scoped, "some outages are scoped to one customer"
    for outage in scoped:
        payers = {"mail": {"a", "b"}, "net": {"b"}}[outage.service]
        assert len(outage.customers) == 1
        assert outage.customers[0] in payers


def test_only_the_customers_given_are_ever_named():
    named = {
        customer
        for seed in range(30)
        for o in generate_outages(DEFINITIONS, seed, START, 1, customers=("a",))
        for customer in o.customers
    }
    assert named == {"a"}


def test_identities_are_unique_across_the_period():
    outages = list(generate_outages(DEFINITIONS, 5, START, 3))
    assert len({o.identity for o in outages}) == len(outages)


def test_the_history_starts_on_a_first_of_the_month():
    with pytest.raises(ValueError, match="first of the month"):
        list(generate_outages(DEFINITIONS, 1, date(2026, 1, 15), 1))
