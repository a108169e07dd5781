"""Multi-level precedence: every rung of the ladder, per-metric fallback, and ambiguity."""

from __future__ import annotations

from datetime import date

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
    Specificity,
)
from servanda.domain.calendar.spec import CalendarSpec
from servanda.domain.precedence import (
    TicketScope,
    deciding_objectives,
    find_ambiguities,
    resolve_objectives,
)

DAY = date(2026, 3, 2)


def objective(metric: Metric, hours: int, priority: str | None = None) -> Objective:
    conditions = (Condition("priority", frozenset({priority})),) if priority else ()
    return Objective(
        id=f"{metric.value}-{hours}h",
        metric=metric,
        conditions=conditions,
        target_seconds=hours * 3600,
    )


def agreement(id: str, level: Level, *objectives: Objective, **scope: object) -> Agreement:
    return Agreement(id=id, level=level, title=id, objectives=objectives, **scope)  # type: ignore[arg-type]


def ladder() -> Definitions:
    """One agreement on every rung, each setting resolution with a distinct target."""
    r = Metric.RESOLUTION
    agreements = (
        agreement("corp", Level.CORPORATE, objective(r, 24), objective(Metric.FIRST_RESPONSE, 4)),
        agreement("svc", Level.SERVICE, objective(r, 20), services=frozenset({"email"})),
        agreement("grp", Level.CUSTOMER, objective(r, 16), groups=frozenset({"gold"})),
        agreement(
            "grp-svc",
            Level.CUSTOMER,
            objective(r, 12),
            groups=frozenset({"gold"}),
            services=frozenset({"email"}),
        ),
        agreement("cust", Level.CUSTOMER, objective(r, 8), customers=frozenset({"acme"})),
        agreement(
            "cust-svc",
            Level.CUSTOMER,
            objective(r, 4, priority="P1"),
            customers=frozenset({"acme"}),
            services=frozenset({"email"}),
        ),
    )
    return Definitions(
        calendars={"24x7": CalendarSpec.always_open()},
        services={s: Service(s, s) for s in ("email", "network")},
        customers={
            "acme": Customer("acme", "ACME", group="gold"),
            "beta": Customer("beta", "Beta", group="gold"),
            "solo": Customer("solo", "Solo"),
        },
        agreements=agreements,
    )


@pytest.mark.parametrize(
    ("customer", "service", "priority", "winner", "specificity"),
    [
        ("acme", "email", "P1", "cust-svc", Specificity.CUSTOMER_SERVICE),
        ("acme", "email", "P2", "cust", Specificity.CUSTOMER),  # cust-svc only speaks for P1
        ("acme", "network", "P1", "cust", Specificity.CUSTOMER),
        ("beta", "email", "P1", "grp-svc", Specificity.GROUP_SERVICE),
        ("beta", "network", "P1", "grp", Specificity.GROUP),
        ("solo", "email", "P1", "svc", Specificity.SERVICE),
        ("solo", "network", "P1", "corp", Specificity.CORPORATE),
        (None, None, "P1", "corp", Specificity.CORPORATE),
    ],
)
def test_the_most_specific_matching_layer_decides_resolution(
    customer, service, priority, winner, specificity
):
    scope = TicketScope(customer, service, {"priority": priority})
    applied = resolve_objectives(ladder(), scope, DAY)[Metric.RESOLUTION]
    assert applied.agreement.id == winner
    assert applied.specificity is specificity
    assert all(o.specificity < specificity for o in applied.overridden)


def test_overridden_candidates_are_listed_most_specific_first_with_a_reason():
    scope = TicketScope("acme", "email", {"priority": "P1"})
    applied = resolve_objectives(ladder(), scope, DAY)[Metric.RESOLUTION]
    assert [o.agreement_id for o in applied.overridden] == ["cust", "grp-svc", "grp", "svc", "corp"]
    assert "less specific than cust-svc" in applied.overridden[0].reason


def test_a_customer_agreement_that_only_sets_resolution_inherits_first_response_from_below():
    scope = TicketScope("acme", "email", {"priority": "P1"})
    applied = resolve_objectives(ladder(), scope, DAY)
    assert applied[Metric.RESOLUTION].agreement.id == "cust-svc"
    assert applied[Metric.FIRST_RESPONSE].agreement.id == "corp"
    assert applied[Metric.FIRST_RESPONSE].overridden == ()


def test_agreements_not_yet_in_force_are_not_candidates():
    base = ladder()
    later = agreement(
        "cust-later",
        Level.CUSTOMER,
        objective(Metric.FIRST_RESPONSE, 1),
        customers=frozenset({"acme"}),
        effective_from=date(2026, 4, 1),
    )
    defs = Definitions(base.calendars, base.services, base.customers, (*base.agreements, later))
    scope = TicketScope("acme", "email", {"priority": "P1"})
    assert resolve_objectives(defs, scope, DAY)[Metric.FIRST_RESPONSE].agreement.id == "corp"
    april = resolve_objectives(defs, scope, date(2026, 4, 1))
    assert april[Metric.FIRST_RESPONSE].agreement.id == "cust-later"


def test_pause_states_fall_back_from_objective_to_agreement_to_corporate():
    base = ladder()
    corp = agreement(
        "corp",
        Level.CORPORATE,
        objective(Metric.RESOLUTION, 24),
        pause_on=frozenset({"waiting_on_customer"}),
    )
    defs = Definitions(base.calendars, base.services, base.customers, (corp, *base.agreements[1:]))
    applied = resolve_objectives(defs, TicketScope("acme", "email", {"priority": "P1"}), DAY)
    assert applied[Metric.RESOLUTION].agreement.id == "cust-svc"
    assert applied[Metric.RESOLUTION].pause_on == frozenset({"waiting_on_customer"})


def test_a_validated_ladder_has_no_ambiguity():
    assert find_ambiguities(ladder()) == []


def test_two_customer_agreements_for_the_same_customer_and_metric_are_ambiguous():
    base = ladder()
    twin = agreement(
        "cust-twin", Level.CUSTOMER, objective(Metric.RESOLUTION, 6), customers=frozenset({"acme"})
    )
    defs = Definitions(base.calendars, base.services, base.customers, (*base.agreements, twin))
    [ambiguity] = find_ambiguities(defs)
    assert ambiguity.specificity is Specificity.CUSTOMER
    assert {ambiguity.first[0].id, ambiguity.second[0].id} == {"cust", "cust-twin"}
    assert "both set resolution at customer level" in ambiguity.describe()


def test_objectives_with_disjoint_conditions_do_not_clash():
    a = agreement(
        "corp",
        Level.CORPORATE,
        objective(Metric.RESOLUTION, 8, priority="P1"),
        objective(Metric.RESOLUTION, 24, priority="P2"),
    )
    defs = Definitions({}, {}, {}, (a,))
    assert find_ambiguities(defs) == []
    clash = agreement(
        "corp",
        Level.CORPORATE,
        objective(Metric.RESOLUTION, 8, priority="P1"),
        objective(Metric.RESOLUTION, 24),
    )
    assert len(find_ambiguities(Definitions({}, {}, {}, (clash,)))) == 1


def test_group_agreements_clash_only_through_a_customer_neither_names():
    a = agreement("g1", Level.CUSTOMER, objective(Metric.RESOLUTION, 8), groups=frozenset({"gold"}))
    b = agreement(
        "g2",
        Level.CUSTOMER,
        objective(Metric.RESOLUTION, 9),
        groups=frozenset({"gold"}),
        customers=frozenset({"acme"}),
    )
    only_acme = {"acme": Customer("acme", "ACME", group="gold")}
    assert find_ambiguities(Definitions({}, {}, only_acme, (a, b))) == []
    with_beta = {**only_acme, "beta": Customer("beta", "Beta", group="gold")}
    assert len(find_ambiguities(Definitions({}, {}, with_beta, (a, b)))) == 1


def multi_valued() -> Definitions:
    """Corporate sets first_response for P2-P4; the gold tier takes P2 only."""
    fr = Metric.FIRST_RESPONSE
    corporate = agreement(
        "corp",
        Level.CORPORATE,
        Objective(
            id="fr-low",
            metric=fr,
            conditions=(Condition("priority", frozenset({"P2", "P3", "P4"})),),
            target_seconds=4 * 3600,
        ),
        Objective(id="res", metric=Metric.RESOLUTION, target_seconds=24 * 3600),
    )
    gold = agreement(
        "gold", Level.CUSTOMER, objective(fr, 2, priority="P2"), groups=frozenset({"gold"})
    )
    night = agreement(
        "night",
        Level.CUSTOMER,
        Objective(
            id="changes",
            metric=Metric.RESOLUTION,
            conditions=(Condition("type", frozenset({"change"})),),
            target_seconds=6 * 3600,
        ),
        customers=frozenset({"acme"}),
    )
    return Definitions(
        calendars={},
        services={"email": Service("email", "Email")},
        customers={
            "acme": Customer("acme", "ACME", group="gold"),
            "solo": Customer("solo", "Solo"),
        },
        agreements=(corporate, gold, night),
    )


def test_an_objective_partly_overridden_by_a_more_specific_layer_still_decides_some_tickets():
    keys = deciding_objectives(multi_valued(), "acme", ["email"], DAY)
    # gold takes P2, but P3 and P4 tickets are still decided by the corporate objective
    assert {"corp/fr-low", "gold/first_response-2h"} <= keys


def test_an_objective_fully_overridden_for_a_customer_never_decides_its_tickets():
    keys = deciding_objectives(multi_valued(), "acme", ["email"], DAY)
    # acme's tickets of type "change" go to night; every other ticket to corp/res
    assert {"night/changes", "corp/res"} <= keys
    assert "gold/first_response-2h" not in deciding_objectives(
        multi_valued(), "solo", ["email"], DAY
    )
    assert "night/changes" not in deciding_objectives(multi_valued(), "solo", ["email"], DAY)
