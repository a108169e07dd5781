"""Which objective applies to a ticket per metric, in words: winners, targets as written, losers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from servanda.domain.agreements import (
    Agreement,
    Condition,
    Customer,
    Definitions,
    Level,
    Metric,
    Objective,
    Service,
)
from servanda.domain.calendar.spec import CalendarSpec, Window
from servanda.domain.errors import NotFoundError
from servanda.specs.explain import explain, format_target

H = 3600
OFFICE = CalendarSpec("office", "Europe/Berlin", ((Window(9 * H, 17 * H),),) * 5 + ((), ()))
DAY = date(2026, 3, 2)


def definitions() -> Definitions:
    corporate = Agreement(
        "house",
        Level.CORPORATE,
        "House rules",
        objectives=(
            Objective("fr", Metric.FIRST_RESPONSE, target_seconds=4 * H, calendar="office"),
            Objective(
                "res",
                Metric.RESOLUTION,
                target_seconds=2 * 86_400,
                goal=Decimal("0.95"),
                warn_at=(Decimal("0.5"), Decimal("0.8")),
            ),
            Objective("csat", Metric.SATISFACTION, target_value=Decimal("4.50")),
        ),
        pause_on=frozenset({"waiting_on_customer", "on_hold"}),
    )
    gold = Agreement(
        "gold-deal",
        Level.CUSTOMER,
        "Gold deal",
        objectives=(
            Objective(
                "res-p1",
                Metric.RESOLUTION,
                (Condition("priority", frozenset({"P1"})),),
                target_seconds=9000,
                calendar="office",
            ),
            Objective("up", Metric.AVAILABILITY, target_value=Decimal("0.9995")),
        ),
        groups=frozenset({"gold"}),
        effective_from=date(2026, 1, 1),
    )
    return Definitions(
        calendars={"24x7": CalendarSpec.always_open(), "office": OFFICE},
        services={"email": Service("email", "Email")},
        customers={
            "acme": Customer("acme", "ACME", group="gold"),
            "solo": Customer("solo", "Solo"),
        },
        agreements=(corporate, gold),
    )


def test_a_customer_in_a_group_gets_its_groups_objective_and_the_corporate_one_is_overridden():
    found = explain(
        definitions(), customer="acme", service="email", attributes={"priority": "P1"}, on=DAY
    )
    assert [item.metric for item in found] == [
        Metric.FIRST_RESPONSE,
        Metric.RESOLUTION,
        Metric.AVAILABILITY,
        Metric.SATISFACTION,
    ]
    resolution = found[1]
    assert (resolution.agreement, resolution.agreement_title, resolution.objective) == (
        "gold-deal",
        "Gold deal",
        "res-p1",
    )
    assert (resolution.level, resolution.specificity) == ("customer", "group")
    assert (resolution.target, resolution.calendar) == ("2h30m", "office")
    assert resolution.conditions == "priority in {P1}"
    assert resolution.pause_on == ("on_hold", "waiting_on_customer")  # the house rule, sorted
    assert resolution.overridden == (
        ("house", "res", "house matches at corporate level, less specific than gold-deal at group level"),
    )  # fmt: skip


def test_targets_read_as_written_with_days_only_on_24x7():
    found = {
        item.metric: item
        for item in explain(definitions(), customer="solo", service=None, attributes={}, on=DAY)
    }
    assert set(found) == {Metric.FIRST_RESPONSE, Metric.RESOLUTION, Metric.SATISFACTION}
    assert found[Metric.FIRST_RESPONSE].target == "4h"
    assert found[Metric.RESOLUTION].target == "2d"
    assert found[Metric.RESOLUTION].goal == "95%"
    assert found[Metric.RESOLUTION].warn_at == ("50%", "80%")
    assert found[Metric.RESOLUTION].conditions == "all tickets"
    assert found[Metric.SATISFACTION].target == "4.50"
    assert found[Metric.SATISFACTION].goal is None


def test_the_ticket_creation_day_decides_which_agreements_are_in_force():
    before = explain(
        definitions(), customer="acme", service=None, attributes={"priority": "P1"},
        on=date(2025, 12, 31),
    )  # fmt: skip
    assert [item.agreement for item in before] == ["house", "house", "house"]


def test_the_json_form_lists_overridden_agreements_and_their_details():
    resolution = explain(
        definitions(), customer="acme", service=None, attributes={"priority": "P1"}, on=DAY
    )[1]
    data = resolution.as_json()
    assert data["metric"] == "resolution"
    assert data["overridden"] == ["house"]
    assert data["overridden_details"] == [
        {"agreement": "house", "objective": "res", "reason": resolution.overridden[0][2]}
    ]
    assert data["pause_on"] == ["on_hold", "waiting_on_customer"]
    assert data["warn_at"] == []
    assert data["period"] == "month"


@pytest.mark.parametrize(
    ("customer", "service", "message"),
    [
        ("acne", None, "unknown customer 'acne'; customers defined: acme, solo"),
        (None, "mail", "unknown service 'mail'; services defined: email"),
    ],
)
def test_an_unknown_customer_or_service_is_not_found_with_the_known_names(
    customer, service, message
):
    with pytest.raises(NotFoundError, match=message):
        explain(definitions(), customer=customer, service=service, attributes={}, on=DAY)


def test_format_target_writes_each_kind_of_target():
    assert (
        format_target(Objective("a", Metric.AVAILABILITY, target_value=Decimal("0.999"))) == "99.9%"
    )
    assert format_target(Objective("a", Metric.AVAILABILITY, target_value=Decimal(1))) == "100%"
    duration = Objective("r", Metric.RESOLUTION, target_seconds=90_000)
    assert format_target(duration) == "25h"
    assert format_target(duration, always_open=True) == "1d1h"
