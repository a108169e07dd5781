"""Outages and availability: hand-computed timelines (instants in seconds from 0)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servanda.domain.availability import (
    DowntimeSegment,
    Impact,
    Outage,
    availability,
    merge_intervals,
    merge_outages,
    open_seconds_within,
    subtract_intervals,
)

HOUR = 3600
DAY = 24 * HOUR


def outage(
    oid: str,
    start: int,
    end: int,
    weight: str = "1",
    *,
    planned: bool = False,
    customers: tuple[str, ...] = (),
) -> Outage:
    impact = Impact.FULL if Decimal(weight) == 1 else Impact.PARTIAL
    return Outage(
        id=oid,
        service="email",
        start=start,
        end=end,
        weight=Decimal(weight),
        impact=impact,
        planned=planned,
        customers=customers,
    )


def test_an_outage_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends at or before"):
        outage("o1", 10, 10)


def test_a_full_outage_cannot_carry_a_partial_weight():
    with pytest.raises(ValueError, match="full but has weight"):
        Outage(id="o1", service="s", start=0, end=1, weight=Decimal("0.5"))


def test_a_partial_outage_needs_a_weight_below_one():
    with pytest.raises(ValueError, match="weight below 1"):
        Outage(id="o1", service="s", start=0, end=1, impact=Impact.PARTIAL)


def test_a_weight_above_one_is_refused():
    with pytest.raises(ValueError, match=r"not in \(0, 1\]"):
        Outage(id="o1", service="s", start=0, end=1, impact=Impact.PARTIAL, weight=Decimal(2))


def test_an_outage_without_customers_affects_every_customer_of_its_service_only():
    everyone = outage("o1", 0, 10)
    acme_only = outage("o2", 0, 10, customers=("acme",))
    assert everyone.affects("email", "globex")
    assert not everyone.affects("network", "globex")
    assert acme_only.affects("email", "acme")
    assert not acme_only.affects("email", "globex")
    assert acme_only.affects("email")


def test_touching_intervals_join_and_empty_ones_vanish():
    assert merge_intervals([(5, 8), (0, 5), (9, 9), (7, 12), (20, 30)]) == [(0, 12), (20, 30)]


def test_subtracting_holes_keeps_the_parts_outside_them():
    assert subtract_intervals([(0, 100)], [(10, 20), (15, 30), (90, 120)]) == [
        (0, 10),
        (30, 90),
    ]


def test_overlapping_outages_merge_with_the_largest_weight_at_each_instant():
    # full 0-10, partial 0.5 at 5-20, partial 0.25 at 15-30
    segments = merge_outages(
        [outage("a", 0, 10), outage("b", 5, 20, "0.5"), outage("c", 15, 30, "0.25")]
    )
    assert segments == [
        DowntimeSegment(0, 10, Decimal(1)),
        DowntimeSegment(10, 20, Decimal("0.5")),
        DowntimeSegment(20, 30, Decimal("0.25")),
    ]


def test_two_identical_outages_count_once():
    assert merge_outages([outage("a", 0, 10), outage("b", 0, 10)]) == [
        DowntimeSegment(0, 10, Decimal(1))
    ]


def test_an_outage_inside_a_wider_equal_weight_outage_adds_nothing():
    assert merge_outages([outage("a", 0, 100, "0.5"), outage("b", 10, 20, "0.5")]) == [
        DowntimeSegment(0, 100, Decimal("0.5"))
    ]


def test_a_day_with_a_one_hour_full_outage_on_24x7_is_23_24ths_available():
    result = availability([outage("a", 10 * HOUR, 11 * HOUR)], 0, DAY)
    assert result.covered_seconds == DAY
    assert result.downtime_seconds == HOUR
    assert result.availability == 1 - Decimal(HOUR) / Decimal(DAY)
    assert result.outages == ("a",)


def test_a_partial_outage_counts_with_its_weight():
    # 2 h at 25 % = 30 min of downtime over 10 h
    result = availability([outage("a", 0, 2 * HOUR, "0.25")], 0, 10 * HOUR)
    assert result.downtime_seconds == 1800
    assert result.availability == Decimal("0.95")


def test_overlapping_full_and_partial_outages_are_not_double_counted():
    # full 0-1h, partial 0.5 0-3h: 1h*1 + 2h*0.5 = 2h of downtime in 10h
    result = availability([outage("a", 0, HOUR), outage("b", 0, 3 * HOUR, "0.5")], 0, 10 * HOUR)
    assert result.downtime_seconds == 2 * HOUR
    assert result.availability == Decimal("0.8")


def test_planned_maintenance_leaves_both_downtime_and_covered_time():
    # 10 h period, 2 h maintenance 2-4h, unplanned outage 3-5h: only 4-5h counts, over 8h
    result = availability(
        [outage("m", 2 * HOUR, 4 * HOUR, planned=True), outage("a", 3 * HOUR, 5 * HOUR)],
        0,
        10 * HOUR,
    )
    assert result.covered_seconds == 8 * HOUR
    assert result.downtime_seconds == HOUR
    assert result.availability == Decimal("0.875")


def test_outages_outside_the_period_are_clipped_to_it():
    # outage from -1h to 1h over period [0, 4h): 1h down
    result = availability([outage("a", -HOUR, HOUR)], 0, 4 * HOUR)
    assert result.downtime_seconds == HOUR
    assert result.availability == Decimal("0.75")


def test_downtime_counts_only_inside_the_calendars_open_intervals():
    # open 9-17 on day 0 only; outage 16-20 -> 1h of downtime over 8h covered
    calendar = open_seconds_within([(9 * HOUR, 17 * HOUR)])
    result = availability([outage("a", 16 * HOUR, 20 * HOUR)], 0, DAY, calendar)
    assert result.covered_seconds == 8 * HOUR
    assert result.downtime_seconds == HOUR
    assert result.availability == Decimal("0.875")


def test_an_outage_entirely_in_closed_hours_costs_nothing_and_is_not_listed():
    calendar = open_seconds_within([(9 * HOUR, 17 * HOUR)])
    result = availability([outage("a", 18 * HOUR, 20 * HOUR)], 0, DAY, calendar)
    assert result.downtime_seconds == 0
    assert result.availability == 1
    assert result.outages == ()


def test_a_period_with_no_covered_time_has_no_availability():
    calendar = open_seconds_within([(9 * HOUR, 17 * HOUR)])
    result = availability([outage("a", 0, HOUR)], 20 * HOUR, DAY, calendar)
    assert result.covered_seconds == 0
    assert result.availability is None


def test_open_seconds_within_counts_across_several_windows():
    calendar = open_seconds_within([(0, 10), (20, 30), (25, 40)])
    assert calendar(5, 35) == 5 + 15
    assert calendar(10, 20) == 0
    assert calendar(30, 5) == 0
    assert calendar(-100, 100) == 30


_WEIGHTS = ("0.25", "0.5", "1")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(1, 20), st.sampled_from(_WEIGHTS)),
        max_size=6,
    )
)
def test_merged_downtime_is_the_largest_weight_at_every_second(spans):
    outages = [
        outage(f"o{i}", start, start + length, w) for i, (start, length, w) in enumerate(spans)
    ]
    segments = merge_outages(outages)
    for second in range(0, 61):
        active = [o.weight for o in outages if o.start <= second < o.end]
        covering = [s.weight for s in segments if s.start <= second < s.end]
        assert covering == ([max(active)] if active else [])
    assert all(a.end <= b.start for a, b in itertools.pairwise(segments))


@settings(max_examples=150, deadline=None)
@given(
    spans=st.lists(
        st.tuples(st.integers(0, 40), st.integers(1, 20), st.sampled_from(_WEIGHTS), st.booleans()),
        max_size=6,
    ),
    windows=st.lists(st.tuples(st.integers(0, 50), st.integers(1, 15)), max_size=4),
    period=st.tuples(st.integers(0, 20), st.integers(1, 40)),
)
def test_availability_equals_a_second_by_second_count(spans, windows, period):
    outages = [
        outage(f"o{i}", start, start + length, w, planned=planned)
        for i, (start, length, w, planned) in enumerate(spans)
    ]
    open_intervals = [(start, start + length) for start, length in windows]
    period_start, period_end = period[0], period[0] + period[1]
    covered = 0
    downtime = Decimal(0)
    for second in range(period_start, period_end):
        is_open = any(s <= second < e for s, e in open_intervals)
        in_maintenance = any(o.planned and o.start <= second < o.end for o in outages)
        if not is_open or in_maintenance:
            continue
        covered += 1
        weights = [o.weight for o in outages if not o.planned and o.start <= second < o.end]
        downtime += max(weights, default=Decimal(0))
    result = availability(outages, period_start, period_end, open_seconds_within(open_intervals))
    assert (result.covered_seconds, result.downtime_seconds) == (covered, downtime)
