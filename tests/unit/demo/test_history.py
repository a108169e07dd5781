"""The demo's history: a fixed period ending with March 2026, the first N customers, and tickets
and outages that are the same for the same seed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from servanda.demo.history import (
    DEMO_CUSTOMERS,
    MONTHLY_TICKETS,
    TICKET_TYPES,
    demo_customers,
    demo_period,
    generate_demo_outages,
    generate_tickets,
    is_created,
    month_of,
)
from servanda.domain.agreements import Definitions
from servanda.domain.events import EventType, TicketEvent


def utc(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())  # type: ignore[misc]


def test_the_period_always_ends_with_march_2026_cut_at_berlin_midnights() -> None:
    period = demo_period(3, "Europe/Berlin")
    assert period.months == (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
    assert period.start == utc(2025, 12, 31, 23)
    assert period.end == utc(2026, 3, 31, 22)  # April starts in summer time
    assert (period.days, period.last_label, period.label(0)) == (90, "2026-03", "2026-01")
    assert period.month_bounds(1) == (utc(2026, 1, 31, 23), utc(2026, 2, 28, 23))
    assert period.local(period.end).isoformat() == "2026-04-01T00:00:00+02:00"
    assert demo_period(1, "UTC").months == (date(2026, 3, 1),)


@pytest.mark.parametrize("months", [0, 4])
def test_the_period_is_one_to_three_months(months: int) -> None:
    with pytest.raises(ValueError, match=f"1 to 3 months, not {months}"):
        demo_period(months, "UTC")


def test_customers_are_taken_in_their_fixed_order() -> None:
    assert demo_customers(2) == ("acme", "globex")
    assert demo_customers(5) == DEMO_CUSTOMERS
    with pytest.raises(ValueError, match="1 to 5 customers, not 6"):
        demo_customers(6)


@pytest.fixture(scope="module")
def march(demo_definitions: Definitions) -> list[TicketEvent]:
    return generate_tickets(
        demo_definitions, ("acme", "globex"), demo_period(1, "Europe/Berlin"), 7
    )


def test_the_same_seed_gives_the_same_events_and_another_seed_others(
    demo_definitions: Definitions, march: list[TicketEvent]
) -> None:
    period = demo_period(1, "Europe/Berlin")
    assert generate_tickets(demo_definitions, ("acme", "globex"), period, 7) == march
    assert generate_tickets(demo_definitions, ("acme", "globex"), period, 8) != march


def test_tickets_are_numbered_in_order_of_creation_and_events_come_in_applying_order(
    march: list[TicketEvent],
) -> None:
    created = [event for event in march if is_created(event)]
    assert [event.ticket for event in created] == [
        f"INC-{n:05d}" for n in range(1, len(created) + 1)
    ]
    assert [event.at for event in created] == sorted(event.at for event in created)
    assert march == sorted(march, key=lambda event: event.order_key)
    assert march[0].id == "INC-00001-1"


def test_nothing_happens_at_or_after_the_end_of_the_period(march: list[TicketEvent]) -> None:
    period = demo_period(1, "Europe/Berlin")
    assert all(period.start <= event.at < period.end for event in march)
    assert {month_of(event, period) for event in march} == {0}


def test_each_ticket_belongs_to_a_chosen_customer_and_service_and_carries_its_type(
    march: list[TicketEvent],
) -> None:
    created = [event for event in march if is_created(event)]
    pairs = Counter((event.customer, event.service) for event in created)
    assert set(pairs) == {pair for pair in MONTHLY_TICKETS if pair[0] in ("acme", "globex")}
    for (customer, service), count in pairs.items():
        assert (
            0.6 * MONTHLY_TICKETS[(customer, service)]
            <= count
            <= 1.4 * MONTHLY_TICKETS[(customer, service)]
        )
    for event in created:
        kinds = {kind for kind, _ in TICKET_TYPES[event.service or ""]}
        assert dict(event.fields)["type"] in kinds


def test_ratings_are_whole_scores_from_one_to_five(march: list[TicketEvent]) -> None:
    scores = [event.score for event in march if event.type is EventType.RATED]
    assert scores
    assert {int(score) for score in scores if score is not None} <= {1, 2, 3, 4, 5}
    assert all(score == int(score) for score in scores if score is not None)


def test_outages_are_sorted_by_start_and_the_same_for_the_same_seed(demo_definitions) -> None:
    period = demo_period(2, "Europe/Berlin")
    outages = generate_demo_outages(demo_definitions, ("acme", "globex"), period, 7)
    assert outages
    assert [(o.start, o.id) for o in outages] == sorted((o.start, o.id) for o in outages)
    assert generate_demo_outages(demo_definitions, ("acme", "globex"), period, 7) == outages


def test_an_event_after_the_period_has_no_month() -> None:
    period = demo_period(1, "Europe/Berlin")
    late = TicketEvent("x", "T", EventType.CREATED, period.end)
    with pytest.raises(ValueError, match="event x is after the period"):
        month_of(late, period)
    assert month_of(TicketEvent("y", "T", EventType.CREATED, period.end - 1), period) == 0
