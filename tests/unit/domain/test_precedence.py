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


def test_the_scope_is_visible_to_conditions_without_overriding_a_given_attribute():
    scope = TicketScope("acme", "email", {"priority": "P1"})
    assert scope.condition_attributes("gold") == {
        "priority": "P1",
        "customer": "acme",
        "service": "email",
        "group": "gold",
    }
    assert TicketScope(None, None, {}).condition_attributes(None) == {}
    assert TicketScope(None, "email", {"customer": "given"}).condition_attributes("gold") == {
        "customer": "given",
        "service": "email",
        "group": "gold",
    }


def test_a_condition_on_the_group_matches_the_customers_group():
    corp = agreement(
        "corp",
        Level.CORPORATE,
        Objective(
            id="gold-only",
            metric=Metric.RESOLUTION,
            conditions=(Condition("group", frozenset({"gold"})),),
            target_seconds=3600,
        ),
    )
    defs = Definitions({}, {}, ladder().customers, (corp,))
    assert Metric.RESOLUTION in resolve_objectives(defs, TicketScope("acme", None, {}), DAY)
    assert resolve_objectives(defs, TicketScope("solo", None, {}), DAY) == {}


def test_an_agreement_not_in_force_does_not_hide_the_agreements_after_it():
    base = ladder()
    expired = agreement(
        "old",
        Level.CUSTOMER,
        objective(Metric.NEXT_RESPONSE, 1),
        customers=frozenset({"acme"}),
        effective_to=date(2026, 1, 31),
    )
    defs = Definitions(base.calendars, base.services, base.customers, (expired, *base.agreements))
    applied = resolve_objectives(defs, TicketScope("acme", "email", {"priority": "P1"}), DAY)
    assert list(applied) == [Metric.FIRST_RESPONSE, Metric.RESOLUTION]
    assert applied[Metric.RESOLUTION].agreement.id == "cust-svc"


def test_an_objectives_own_pause_states_win_over_its_agreements_and_the_corporate_ones():
    own = Objective(
        id="res",
        metric=Metric.RESOLUTION,
        target_seconds=3600,
        pause_on=frozenset({"awaiting_parts"}),
    )
    corp = agreement(
        "corp",
        Level.CORPORATE,
        objective(Metric.FIRST_RESPONSE, 4),
        pause_on=frozenset({"waiting_on_customer"}),
    )
    cust = agreement(
        "cust",
        Level.CUSTOMER,
        own,
        objective(Metric.NEXT_RESPONSE, 2),
        customers=frozenset({"acme"}),
        pause_on=frozenset({"on_hold"}),
    )
    defs = Definitions({}, {}, ladder().customers, (corp, cust))
    applied = resolve_objectives(defs, TicketScope("acme", None, {}), DAY)
    assert applied[Metric.RESOLUTION].pause_on == frozenset({"awaiting_parts"})
    assert applied[Metric.NEXT_RESPONSE].pause_on == frozenset({"on_hold"})
    assert applied[Metric.FIRST_RESPONSE].pause_on == frozenset({"waiting_on_customer"})


def test_only_the_corporate_agreement_sets_the_inherited_pause_states():
    corp = agreement(
        "corp",
        Level.CORPORATE,
        objective(Metric.FIRST_RESPONSE, 4),
        pause_on=frozenset({"waiting_on_customer"}),
    )
    svc = agreement(
        "svc",
        Level.SERVICE,
        objective(Metric.NEXT_RESPONSE, 4),
        services=frozenset({"email"}),
        pause_on=frozenset({"on_hold"}),
    )
    cust = agreement(
        "cust", Level.CUSTOMER, objective(Metric.RESOLUTION, 8), customers=frozenset({"acme"})
    )
    defs = Definitions({}, {}, ladder().customers, (corp, svc, cust))
    applied = resolve_objectives(defs, TicketScope("acme", "email", {}), DAY)
    assert applied[Metric.RESOLUTION].pause_on == frozenset({"waiting_on_customer"})
    assert applied[Metric.NEXT_RESPONSE].pause_on == frozenset({"on_hold"})


def test_each_overridden_candidate_names_its_objective_level_and_specificity():
    scope = TicketScope("beta", "email", {"priority": "P1"})
    applied = resolve_objectives(ladder(), scope, DAY)[Metric.RESOLUTION]
    assert [
        (o.agreement_id, o.objective_id, o.level, o.specificity) for o in applied.overridden
    ] == [
        ("grp", "resolution-16h", Level.CUSTOMER, Specificity.GROUP),
        ("svc", "resolution-20h", Level.SERVICE, Specificity.SERVICE),
        ("corp", "resolution-24h", Level.CORPORATE, Specificity.CORPORATE),
    ]
    assert applied.overridden[0].reason == (
        "grp matches at group level, less specific than grp-svc at group+service level"
    )


def test_metrics_come_back_in_the_order_of_the_metric_list_not_of_the_definitions():
    corp = agreement(
        "corp",
        Level.CORPORATE,
        Objective(id="avail", metric=Metric.AVAILABILITY, target_value=None),
        objective(Metric.RESOLUTION, 8),
        objective(Metric.FIRST_RESPONSE, 1),
    )
    applied = resolve_objectives(Definitions({}, {}, {}, (corp,)), TicketScope(None, None, {}), DAY)
    assert list(applied) == [Metric.FIRST_RESPONSE, Metric.RESOLUTION, Metric.AVAILABILITY]


def _two(level: Level, first: dict[str, object], second: dict[str, object]) -> Definitions:
    a = agreement("a", level, objective(Metric.RESOLUTION, 8), **first)
    b = agreement("b", level, objective(Metric.RESOLUTION, 9), **second)
    customers = {
        "acme": Customer("acme", "ACME", group="gold"),
        "beta": Customer("beta", "Beta", group="gold"),
    }
    return Definitions({}, {}, customers, (a, b))


@pytest.mark.parametrize(
    ("level", "first", "second", "specificity"),
    [
        (Level.CORPORATE, {}, {}, Specificity.CORPORATE),
        (Level.CORPORATE, {"services": {"email"}}, {}, Specificity.CORPORATE),
        (Level.CORPORATE, {}, {"services": {"email"}}, Specificity.CORPORATE),
        (Level.CORPORATE, {"services": {"email"}}, {"services": {"email"}}, Specificity.CORPORATE),
        (Level.CORPORATE, {"services": {"email"}}, {"services": {"network"}}, None),
        (Level.SERVICE, {"services": {"email"}}, {"services": {"email", "x"}}, Specificity.SERVICE),
        (Level.SERVICE, {"services": {"email"}}, {"services": {"network"}}, None),
        (Level.CUSTOMER, {"customers": {"acme"}}, {"customers": {"acme"}}, Specificity.CUSTOMER),
        (
            Level.CUSTOMER,
            {"customers": {"acme"}, "services": {"email"}},
            {"customers": {"acme"}, "services": {"email"}},
            Specificity.CUSTOMER_SERVICE,
        ),
        (
            Level.CUSTOMER,
            {"customers": {"acme"}, "services": {"email"}},
            {"customers": {"acme"}, "services": {"network"}},
            None,
        ),
        (
            Level.CUSTOMER,
            {"customers": {"acme"}, "services": {"email"}},
            {"customers": {"acme"}},
            None,
        ),
        (Level.CUSTOMER, {"customers": {"acme"}}, {"customers": {"beta"}}, None),
        (Level.CUSTOMER, {"groups": {"gold"}}, {"groups": {"gold"}}, Specificity.GROUP),
        (
            Level.CUSTOMER,
            {"groups": {"gold"}, "services": {"email"}},
            {"groups": {"gold"}, "services": {"email"}},
            Specificity.GROUP_SERVICE,
        ),
    ],
)
def test_two_agreements_clash_where_one_ticket_can_match_both(level, first, second, specificity):
    def scope(given: dict[str, object]) -> dict[str, object]:
        return {key: frozenset(value) for key, value in given.items()}  # type: ignore[call-overload]

    found = find_ambiguities(_two(level, scope(first), scope(second)))
    if specificity is None:
        assert found == []
    else:
        [ambiguity] = found
        assert ambiguity.specificity is specificity
        assert ambiguity.metric is Metric.RESOLUTION
        assert (ambiguity.first[0].id, ambiguity.second[0].id) == ("a", "b")
        assert (ambiguity.first[1].id, ambiguity.second[1].id) == ("resolution-8h", "resolution-9h")


@pytest.mark.parametrize(
    ("first", "second", "clash"),
    [
        ((date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 3, 31), None), True),
        ((date(2026, 3, 31), None), (date(2026, 1, 1), date(2026, 3, 31)), True),
        ((date(2026, 1, 1), date(2026, 3, 30)), (date(2026, 3, 31), None), False),
        ((date(2026, 3, 31), None), (date(2026, 1, 1), date(2026, 3, 30)), False),
        ((date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 4, 1), date(2026, 4, 30)), False),
        ((None, None), (date(2026, 4, 1), date(2026, 4, 30)), True),
    ],
)
def test_agreements_clash_only_when_their_effective_dates_share_a_day(first, second, clash):
    defs = _two(
        Level.CUSTOMER,
        {"customers": frozenset({"acme"}), "effective_from": first[0], "effective_to": first[1]},
        {"customers": frozenset({"acme"}), "effective_from": second[0], "effective_to": second[1]},
    )
    assert len(find_ambiguities(defs)) == (1 if clash else 0)


def test_a_pair_apart_in_time_does_not_stop_the_search_for_later_pairs():
    dated = agreement(
        "old",
        Level.CUSTOMER,
        objective(Metric.RESOLUTION, 7),
        customers=frozenset({"acme"}),
        effective_to=date(2025, 12, 31),
    )
    this_year = {"customers": frozenset({"acme"}), "effective_from": date(2026, 1, 1)}
    base = _two(Level.CUSTOMER, this_year, this_year)
    defs = Definitions({}, {}, base.customers, (dated, *base.agreements))
    assert [(x.first[0].id, x.second[0].id) for x in find_ambiguities(defs)] == [("a", "b")]


def test_objectives_for_different_metrics_never_clash():
    a = agreement(
        "a", Level.CUSTOMER, objective(Metric.RESOLUTION, 8), customers=frozenset({"acme"})
    )
    b = agreement(
        "b", Level.CUSTOMER, objective(Metric.FIRST_RESPONSE, 1), customers=frozenset({"acme"})
    )
    assert find_ambiguities(Definitions({}, {}, ladder().customers, (a, b))) == []


@pytest.mark.parametrize(
    ("level", "scope", "specificity"),
    [
        (Level.CORPORATE, {}, Specificity.CORPORATE),
        (Level.SERVICE, {"services": frozenset({"email"})}, Specificity.SERVICE),
        (Level.CUSTOMER, {"customers": frozenset({"acme"})}, Specificity.CUSTOMER),
        (
            Level.CUSTOMER,
            {"customers": frozenset({"acme"}), "services": frozenset({"email"})},
            Specificity.CUSTOMER_SERVICE,
        ),
        (Level.CUSTOMER, {"groups": frozenset({"gold"})}, Specificity.GROUP),
        (
            Level.CUSTOMER,
            {"groups": frozenset({"gold"}), "services": frozenset({"email"})},
            Specificity.GROUP_SERVICE,
        ),
    ],
)
def test_two_overlapping_objectives_of_one_agreement_clash_at_its_own_level(
    level, scope, specificity
):
    one = agreement(
        "one", level, objective(Metric.RESOLUTION, 8), objective(Metric.RESOLUTION, 9), **scope
    )
    [ambiguity] = find_ambiguities(Definitions({}, {}, ladder().customers, (one,)))
    assert ambiguity.metric is Metric.RESOLUTION
    assert ambiguity.specificity is specificity
    assert ambiguity.first == (one, one.objectives[0])
    assert ambiguity.second == (one, one.objectives[1])
    assert ambiguity.describe() == (
        "objectives 'resolution-8h' and 'resolution-9h' of agreement 'one' both set resolution "
        f"at {specificity.label} level for the same tickets (all tickets / all tickets); "
        "narrow their conditions or scopes so that at most one applies"
    )


def test_a_clash_between_two_agreements_names_both():
    defs = _two(
        Level.CUSTOMER, {"customers": frozenset({"acme"})}, {"customers": frozenset({"acme"})}
    )
    [ambiguity] = find_ambiguities(defs)
    assert ambiguity.describe() == (
        "objective 'resolution-8h' of agreement 'a' and objective 'resolution-9h' of agreement "
        "'b' both set resolution at customer level for the same tickets (all tickets / all "
        "tickets); narrow their conditions or scopes so that at most one applies"
    )


def test_deciding_objectives_counts_only_agreements_in_force_and_the_given_services():
    keys = deciding_objectives(ladder(), "solo", ["email"], DAY)
    assert keys == {"svc/resolution-20h", "corp/first_response-4h"}
    assert deciding_objectives(ladder(), "solo", ["network"], DAY) == {
        "corp/resolution-24h",
        "corp/first_response-4h",
    }
    later = agreement(
        "later",
        Level.CUSTOMER,
        Objective(
            id="vip",
            metric=Metric.RESOLUTION,
            conditions=(Condition("tier", frozenset({"vip"})),),
            target_seconds=3600,
        ),
        customers=frozenset({"solo"}),
        effective_from=date(2026, 4, 1),
    )
    base = ladder()
    defs = Definitions(base.calendars, base.services, base.customers, (*base.agreements, later))
    assert deciding_objectives(defs, "solo", ["network"], DAY) == {
        "corp/resolution-24h",
        "corp/first_response-4h",
    }
    assert "later/vip" in deciding_objectives(defs, "solo", ["network"], date(2026, 4, 1))
