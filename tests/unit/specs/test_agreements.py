"""Agreement entries -> Agreement values: scope by level, targets per metric, fractions, credits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from servanda.domain.agreements import Agreement, Condition, Level, Metric
from servanda.domain.calendar.spec import CalendarSpec, Window
from servanda.domain.errors import Issue
from servanda.specs.agreements import Known, build_agreement
from servanda.specs.models import AgreementEntry
from servanda.specs.sources import Problems

H = 3600
OFFICE = CalendarSpec("office", "Europe/Berlin", ((Window(9 * H, 17 * H),),) * 5 + ((), ()))
KNOWN = Known(
    calendars={
        "office": OFFICE,
        "round-the-clock": CalendarSpec.always_open("round-the-clock"),
        "broken": None,  # an invalid calendar: known by name, no spec
    },
    services=frozenset({"email", "network"}),
    customers=frozenset({"acme", "globex"}),
    groups=frozenset({"gold"}),
)
RESOLUTION = {"metric": "resolution", "target": "4h"}


def build(**fields: Any) -> tuple[tuple[Agreement, dict[str, Any]] | None, list[Issue]]:
    raw: dict[str, Any] = {"id": "deal", "level": "corporate", "objectives": [RESOLUTION]}
    raw.update(fields)
    problems = Problems()
    built = build_agreement(AgreementEntry.model_validate(raw), ("agreements", 0), KNOWN, problems)
    return built, problems.issues


def agreement(**fields: Any) -> Agreement:
    built, issues = build(**fields)
    assert issues == []
    assert built is not None
    return built[0]


def issue(**fields: Any) -> Issue:
    built, issues = build(**fields)
    assert built is None
    (only,) = issues
    return only


# ----------------------------------------------------------------- scope


def test_a_valid_entry_becomes_an_agreement_titled_by_its_id_when_untitled() -> None:
    deal = agreement(
        level="customer",
        customers=["acme"],
        services="email",
        effective_from=date(2026, 1, 1),
        review_every="6 months",
        pause_on=["waiting"],
        responsibilities={"provider": ["monitor"], "customer": ["report"]},
    )
    assert deal.title == "deal"
    assert deal.level is Level.CUSTOMER
    assert (deal.customers, deal.services) == (frozenset({"acme"}), frozenset({"email"}))
    assert deal.review_every_months == 6
    assert deal.pause_on == frozenset({"waiting"})
    assert deal.responsibilities.provider == ("monitor",)
    assert deal.responsibilities.customer == ("report",)
    assert deal.credits is None


def test_a_corporate_agreement_that_names_services_is_refused_at_the_key() -> None:
    found = issue(services=["email"])
    assert found.path == "agreements[0].services"
    assert "a corporate agreement applies to every ticket" in found.message


def test_a_service_agreement_must_name_services_and_no_customers() -> None:
    _, issues = build(level="service", groups=["gold"])
    assert [i.path for i in issues] == ["agreements[0].level", "agreements[0].groups"]
    assert "must name its services" in issues[0].message
    assert "cannot name groups" in issues[1].message


def test_a_customer_agreement_must_name_customers_or_groups() -> None:
    found = issue(level="customer", services=["email"])
    assert found.path == "agreements[0].level"
    assert "customers: [acme] or groups: [gold]" in found.message
    assert agreement(level="customer", groups=["gold"]).groups == frozenset({"gold"})


def test_an_unknown_customer_is_located_at_its_index_with_the_closest_name() -> None:
    found = issue(level="customer", customers=["acme", "globx"])
    assert found.path == "agreements[0].customers[1]"
    assert found.message == (
        "unknown customer 'globx'; did you mean 'globex'? customers defined: acme, globex"
    )


def test_an_unknown_group_says_no_customer_is_in_it() -> None:
    found = issue(level="customer", groups=["silver"])
    assert found.message == "unknown group 'silver': no customer is in it; groups in use: gold"


def test_an_end_before_the_start_is_refused_and_the_same_day_is_allowed() -> None:
    found = issue(effective_from=date(2026, 3, 1), effective_to=date(2026, 2, 28))
    assert found.path == "agreements[0].effective_to"
    assert "(2026-02-28) is before effective_from (2026-03-01)" in found.message
    one_day = agreement(effective_from=date(2026, 3, 1), effective_to=date(2026, 3, 1))
    assert one_day.is_in_force(date(2026, 3, 1))


# ----------------------------------------------------------------- objectives


def test_ids_count_per_metric_and_each_id_remembers_where_it_was_written() -> None:
    built, issues = build(
        objectives=[
            RESOLUTION,
            {"metric": "first_response", "target": "1h"},
            {"metric": "resolution", "target": "8h", "when": {"priority": "P2"}},
            {"id": "mine", "metric": "resolution", "target": "1d"},
        ]
    )
    assert issues == []
    assert built is not None
    deal, where = built
    ids = [o.id for o in deal.objectives]
    assert ids == ["resolution-1", "first_response-1", "resolution-2", "mine"]
    assert where == {
        "resolution-1": ("agreements", 0, "objectives", 0),
        "first_response-1": ("agreements", 0, "objectives", 1),
        "resolution-2": ("agreements", 0, "objectives", 2),
        "mine": ("agreements", 0, "objectives", 3),
    }


def test_conditions_are_sorted_by_attribute_and_thresholds_ascending() -> None:
    (objective,) = agreement(
        objectives=[
            {
                **RESOLUTION,
                "when": {"type": "incident", "priority": ["P1", "P2"]},
                "warn_at": ["80%", "50%"],
            }
        ]
    ).objectives
    assert objective.conditions == (
        Condition("priority", frozenset({"P1", "P2"})),
        Condition("type", frozenset({"incident"})),
    )
    assert objective.warn_at == (Decimal("0.5"), Decimal("0.8"))
    assert objective.target_seconds == 4 * H


def test_a_condition_without_values_is_refused() -> None:
    found = issue(objectives=[{**RESOLUTION, "when": {"priority": []}}])
    assert found.path == "agreements[0].objectives[0].when.priority"
    assert found.message == "the condition on priority has no value"


def test_an_unknown_calendar_suggests_the_closest_one_and_lists_24x7() -> None:
    found = issue(objectives=[{**RESOLUTION, "calendar": "ofice"}])
    assert found.path == "agreements[0].objectives[0].calendar"
    assert "did you mean 'office'?" in found.message
    assert "calendars defined: 24x7, broken, office, round-the-clock" in found.message


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("99.9", "a percentage like 99.9%"),
        ("0%", "above 0% and at most 100%"),
        ("100.01%", "above 0% and at most 100%"),
    ],
)
def test_an_availability_target_is_a_percentage_above_zero_up_to_all(target, message) -> None:
    found = issue(objectives=[{"metric": "availability", "target": target}])
    assert found.path == "agreements[0].objectives[0].target"
    assert message in found.message


def test_a_full_availability_target_is_allowed() -> None:
    (objective,) = agreement(objectives=[{"metric": "availability", "target": "100%"}]).objectives
    assert (objective.target_value, objective.target_seconds) == (Decimal(1), None)


@pytest.mark.parametrize("target", ["0", "-1", "4.5%", "high", "NaN"])
def test_a_satisfaction_target_is_a_positive_mean_score(target: str) -> None:
    found = issue(objectives=[{"metric": "satisfaction", "target": target}])
    assert "mean score" in found.message


def test_a_satisfaction_target_keeps_its_written_digits() -> None:
    objectives = [{"metric": "satisfaction", "target": 4.5}]
    (objective,) = agreement(objectives=objectives).objectives
    assert objective.target_value == Decimal("4.5")


@pytest.mark.parametrize(
    ("target", "message"),
    [("95%", "a duration like 4h"), ("0h", "longer than zero"), (4, "a duration like 4h")],
)
def test_a_clock_target_is_a_positive_duration(target: object, message: str) -> None:
    found = issue(objectives=[{"metric": "first_response", "target": target}])
    assert message in found.message


def test_days_are_refused_on_a_business_calendar_but_allowed_on_any_always_open_one() -> None:
    found = issue(objectives=[{**RESOLUTION, "target": "2d", "calendar": "office"}])
    assert "allowed only on a 24x7 calendar" in found.message
    assert "'office'" in found.message
    (objective,) = agreement(
        objectives=[{**RESOLUTION, "target": "2d", "calendar": "round-the-clock"}]
    ).objectives
    assert objective.target_seconds == 48 * H


def test_only_ticket_metrics_have_a_goal_and_it_is_at_most_all() -> None:
    on_availability = issue(objectives=[{"metric": "availability", "target": "99%", "goal": "95%"}])
    assert on_availability.path == "agreements[0].objectives[0].goal"
    assert "availability objectives have no goal" in on_availability.message
    above = issue(objectives=[{**RESOLUTION, "goal": "100.5%"}])
    assert above.message == "a goal above 100% can never be met"
    (objective,) = agreement(objectives=[{**RESOLUTION, "goal": "100%"}]).objectives
    assert objective.goal == Decimal(1)


@pytest.mark.parametrize("level", ["0%", "100%"])
def test_a_warning_threshold_lies_strictly_between_zero_and_the_target(level: str) -> None:
    found = issue(objectives=[{**RESOLUTION, "warn_at": ["50%", level]}])
    assert found.path == "agreements[0].objectives[0].warn_at[1]"


def test_an_id_used_twice_is_located_at_the_second_and_names_the_first() -> None:
    found = issue(objectives=[RESOLUTION, {**RESOLUTION, "id": "resolution-1"}])
    assert found.path == "agreements[0].objectives[1].id"
    assert "also at <definitions>:1:1" in found.message


# ----------------------------------------------------------------- credits


AVAILABILITY = {"metric": "availability", "target": "99.9%"}


def credits(**entry: Any) -> Any:
    return agreement(objectives=[RESOLUTION, AVAILABILITY], credits=entry).credits


def credit_issue(**entry: Any) -> Issue:
    return issue(objectives=[RESOLUTION, AVAILABILITY], credits=entry)


def test_credit_bands_keep_their_order_and_exact_fractions() -> None:
    policy = credits(
        availability=[{"below": "99.9%", "credit": "10%"}, {"below": "99%", "credit": "25%"}],
        cap="30%",
    )
    (schedule,) = policy.schedules
    assert schedule.metric is Metric.AVAILABILITY
    assert [(b.below, b.credit) for b in schedule.bands] == [
        (Decimal("0.999"), Decimal("0.1")),
        (Decimal("0.99"), Decimal("0.25")),
    ]
    assert policy.cap == Decimal("0.3")


@pytest.mark.parametrize(
    ("bands", "path", "message"),
    [
        (
            [{"below": "99%", "credit": "10%"}, {"below": "99.9%", "credit": "25%"}],
            "credits.availability[1].below",
            "out of order",
        ),
        (
            [{"below": "99%", "credit": "10%"}, {"below": "99%", "credit": "25%"}],
            "credits.availability[1].below",
            "two bands start at the same threshold (99%)",
        ),
        (
            [{"below": "99.9%", "credit": "25%"}, {"below": "99%", "credit": "10%"}],
            "credits.availability[1].credit",
            "must not give a smaller credit",
        ),
        ([{"below": "99%", "credit": "101%"}], "credits.availability[0].credit", "above 100%"),
        ([{"below": "101%", "credit": "1%"}], "credits.availability[0].below", "never be reached"),
        ([{"below": 0.99, "credit": "1%"}], "credits.availability[0].below", "as a percentage"),
    ],
)
def test_each_broken_credit_band_is_located(bands: Any, path: str, message: str) -> None:
    found = credit_issue(availability=bands)
    assert found.path == f"agreements[0].{path}"
    assert message in found.message


def test_satisfaction_bands_are_mean_scores() -> None:
    policy = agreement(
        objectives=[{"metric": "satisfaction", "target": 4.5}],
        credits={"satisfaction": [{"below": 4, "credit": "5%"}]},
    ).credits
    assert policy is not None
    assert policy.schedules[0].bands[0].below == Decimal(4)


def test_credits_for_a_metric_without_an_objective_are_refused_at_the_key() -> None:
    found = credit_issue(first_response=[{"below": "90%", "credit": "5%"}])
    assert found.path == "agreements[0].credits.first_response"
    assert "has no first_response objective" in found.message


@pytest.mark.parametrize("key", ["cap", "bonus_cap"])
def test_caps_lie_above_zero_and_at_most_all_fees(key: str) -> None:
    found = credit_issue(**{key: "0%"})
    assert found.path == f"agreements[0].credits.{key}"
    assert credits(**{key: "100%"}) is not None


def test_a_bonus_names_its_metric_when_several_are_credited() -> None:
    both = {
        "availability": [{"below": "99%", "credit": "10%"}],
        "resolution": [{"below": "90%", "credit": "10%"}],
    }
    found = credit_issue(**both, bonus=[{"at_least": "99.99%", "bonus": "2%"}])
    assert found.path == "agreements[0].credits.bonus[0]"
    assert "say which metric" in found.message
    policy = credits(**both, bonus=[{"at_least": "99%", "bonus": "2%", "metric": "resolution"}])
    assert [(b.metric, b.at_least) for b in policy.bonuses] == [
        (Metric.RESOLUTION, Decimal("0.99"))
    ]


def test_without_credit_bands_a_bonus_belongs_to_the_only_metric_with_objectives() -> None:
    policy = agreement(
        objectives=[AVAILABILITY],
        credits={"bonus": [{"at_least": "99.99%", "bonus": "2%"}]},
    ).credits
    assert policy is not None
    assert policy.bonuses[0].metric is Metric.AVAILABILITY


def test_bonus_bands_run_from_the_lowest_threshold_up_per_metric() -> None:
    found = credit_issue(
        availability=[{"below": "99%", "credit": "10%"}],
        bonus=[{"at_least": "99.99%", "bonus": "3%"}, {"at_least": "99.95%", "bonus": "2%"}],
    )
    assert found.path == "agreements[0].credits.bonus[1].at_least"
    assert "lowest threshold to the highest" in found.message
    same = credit_issue(
        availability=[{"below": "99%", "credit": "10%"}],
        bonus=[{"at_least": "99.99%", "bonus": "3%"}, {"at_least": "99.99%", "bonus": "2%"}],
    )
    assert "same threshold" in same.message


def test_a_bonus_for_a_metric_without_an_objective_is_refused() -> None:
    found = credit_issue(bonus=[{"at_least": "4", "bonus": "1%", "metric": "satisfaction"}])
    assert found.path == "agreements[0].credits.bonus[0].metric"
