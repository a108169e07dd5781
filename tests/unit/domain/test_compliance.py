from decimal import Decimal

import pytest

from servanda.domain.agreements import Metric
from servanda.domain.availability import (
    Impact,
    Outage,
    measure_availability,
    open_seconds_within,
    outages_seen_by,
)
from servanda.domain.compliance import Compliance, Satisfaction, Status, attainment
from servanda.domain.display import percent, points

DAY = 86_400
HOUR = 3600
MONTH = ("2026-03", 0, 30 * DAY)  # a 30-day period from epoch 0, 24x7


def compliance(met: int, breached: int, goal: str | None = "0.9", **previous: int) -> Compliance:
    return Compliance(
        "corp/resolution-p1", Metric.RESOLUTION, "acme", "email", "2026-03", met, breached,
        Decimal(goal) if goal else None, 4 * HOUR, **previous,
    )  # fmt: skip


def test_attainment_is_met_over_met_plus_breached():
    assert attainment(9, 3) == Decimal("0.75")
    assert compliance(9, 3).attainment == Decimal("0.75")


def test_a_period_without_items_has_no_attainment_and_is_neither_pass_nor_fail():
    empty = compliance(0, 0)
    assert empty.attainment is None
    assert empty.status is Status.NO_ITEMS
    assert percent(empty.attainment) == "n/a"


def test_attainment_equal_to_the_goal_passes_and_below_fails():
    assert compliance(9, 1).status is Status.PASS  # 90 % vs 90 %
    assert compliance(8, 1).status is Status.FAIL  # 88.9 %
    assert compliance(5, 0, goal=None).status is Status.NO_GOAL


def test_change_against_the_previous_period_is_in_percentage_points():
    now = compliance(19, 1, previous_met=9, previous_breached=1)  # 95 % vs 90 %
    assert now.change == Decimal("0.05")
    assert points(now.change) == "+5.0 pp"
    assert compliance(1, 0).change is None  # previous period had no items


def test_satisfaction_is_the_mean_rating_against_a_target_mean():
    rated = Satisfaction("e/sat", "acme", None, "2026-03", 4, Decimal(17), Decimal("4.5"))
    assert rated.mean == Decimal("4.25")
    assert rated.status is Status.FAIL
    unrated = Satisfaction("e/sat", "acme", None, "2026-03", 0, Decimal(0), Decimal("4.5"))
    assert unrated.status is Status.NO_ITEMS


def outage(id_: str, start: int, end: int, **kwargs: object) -> Outage:
    return Outage(id=id_, service="email", start=start, end=end, **kwargs)  # type: ignore[arg-type]


def test_overlapping_outages_count_once():
    # 10:00-11:00 and 10:30-12:00 on day 1 merge to two hours.
    outages = [
        outage("a", DAY + 10 * HOUR, DAY + 11 * HOUR),
        outage("b", DAY + 10 * HOUR + 1800, DAY + 12 * HOUR),
    ]
    result = measure_availability("svc/avail", Decimal("0.999"), "email", None, MONTH, outages)
    assert result.measured.downtime_seconds == 2 * HOUR
    assert result.downtime_minutes == 120
    assert result.availability == 1 - Decimal(7200) / Decimal(30 * DAY)


def test_a_partial_outage_counts_with_its_weight_under_a_full_one():
    # Partial 40 % for 4 h, with a full outage for its middle hour: 3 h x 0.4 + 1 h x 1 = 2.2 h.
    outages = [
        outage("p", 0, 4 * HOUR, impact=Impact.PARTIAL, weight=Decimal("0.4")),
        outage("f", HOUR, 2 * HOUR),
    ]
    result = measure_availability("svc/avail", Decimal("0.999"), "email", None, MONTH, outages)
    assert result.measured.downtime_seconds == Decimal("7920")


def test_announced_maintenance_is_neither_downtime_nor_covered_time():
    outages = [outage("m", 0, 2 * HOUR, planned=True), outage("x", HOUR, 3 * HOUR)]
    result = measure_availability("svc/avail", Decimal("0.999"), "email", None, MONTH, outages)
    assert result.measured.covered_seconds == 30 * DAY - 2 * HOUR
    assert result.measured.downtime_seconds == HOUR  # only 02:00-03:00 is outside the maintenance
    assert result.measured.outages == ("x",)


def test_availability_is_measured_inside_the_objectives_calendar():
    # Open 08:00-18:00 on the first two days only; an outage 17:00-20:00 on day 0 counts 1 h of 20 h.
    open_seconds = open_seconds_within([(8 * HOUR, 18 * HOUR), (DAY + 8 * HOUR, DAY + 18 * HOUR)])
    result = measure_availability(
        "svc/avail",
        Decimal("0.99"),
        "email",
        None,
        MONTH,
        [outage("e", 17 * HOUR, 20 * HOUR)],
        open_seconds,
    )
    assert result.measured.covered_seconds == 20 * HOUR
    assert result.availability == Decimal(19) / Decimal(20)
    assert result.status is Status.FAIL


def test_the_error_budget_is_the_downtime_the_target_allows():
    # 99.9 % of 30 days allows 43.2 minutes; 30 minutes down leaves 13.2 minutes, 30.56 %.
    result = measure_availability(
        "svc/avail", Decimal("0.999"), "email", None, MONTH, [outage("o", 0, 1800)]
    )
    assert result.allowed_downtime_seconds == Decimal("2592.000")
    assert result.budget_left_seconds == Decimal("792.000")
    assert percent(result.budget_left_share) == "30.56%"
    assert result.status is Status.PASS


def test_an_overspent_budget_is_negative():
    result = measure_availability(
        "svc/avail", Decimal("0.999"), "email", None, MONTH, [outage("o", 0, HOUR)]
    )
    assert result.budget_left_seconds < 0
    assert result.status is Status.FAIL


def test_an_outage_scoped_to_a_customer_counts_for_that_customer_only():
    scoped = outage("s", 0, HOUR, customers=("acme",))
    everyone = outage("e", 2 * HOUR, 3 * HOUR)
    assert outages_seen_by([scoped, everyone], "email", None) == [everyone]
    assert outages_seen_by([scoped, everyone], "email", "acme") == [scoped, everyone]
    assert outages_seen_by([scoped, everyone], "email", "globex") == [everyone]


@pytest.mark.parametrize(
    ("fraction", "text"),
    [(Decimal("0.99955"), "99.96%"), (Decimal(1), "100%"), (Decimal("0.9"), "90%")],
)
def test_percentages_are_rounded_half_up_for_display(fraction, text):
    assert percent(fraction) == text
