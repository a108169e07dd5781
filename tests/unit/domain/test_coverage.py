"""Why a ticket has no clock: each reason, and the values the reason names."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from servanda.domain.agreements import (
    Agreement,
    Condition,
    Customer,
    Definitions,
    Level,
    Metric,
    Objective,
)
from servanda.domain.calendar.spec import CalendarSpec
from servanda.domain.coverage import (
    TicketFacts,
    UnmeasuredCode,
    UnmeasuredExplainer,
    why_unmeasured,
)
from servanda.domain.vocabulary import KnownValues

T0 = 1_772_438_400  # 2026-03-02T08:00:00Z


def corporate(*objectives: Objective, effective_from: date | None = None) -> Definitions:
    agreement = Agreement(
        id="corp",
        level=Level.CORPORATE,
        title="corp",
        objectives=objectives,
        effective_from=effective_from,
    )
    return Definitions(
        calendars={"24x7": CalendarSpec.always_open()},
        services={},
        customers={"acme": Customer("acme", "ACME")},
        agreements=(agreement,),
        timezone="Europe/Berlin",
    )


def on(metric: Metric, objective_id: str, **conditions: set[str]) -> Objective:
    return Objective(
        id=objective_id,
        metric=metric,
        conditions=tuple(Condition(k, frozenset(v)) for k, v in sorted(conditions.items())),
        target_seconds=3600,
    )


P1_ONLY = corporate(
    on(Metric.FIRST_RESPONSE, "fr-p1", priority={"P1"}),
    on(Metric.RESOLUTION, "res", priority={"P1"}, channel={"phone"}),
)


def facts(**attributes: str) -> TicketFacts:
    return TicketFacts(T0, "acme", "email", attributes)


def test_a_ticket_without_a_created_event_waits_for_it():
    reason = why_unmeasured(P1_ONLY, TicketFacts(None, None, None, {}))
    assert reason.code is UnmeasuredCode.NO_CREATED_EVENT
    assert reason.message == (
        "no created event yet: objectives are resolved when the ticket is created"
    )


def test_a_ticket_created_before_every_agreement_names_its_local_creation_date():
    definitions = corporate(on(Metric.RESOLUTION, "res"), effective_from=date(2026, 3, 3))
    late_evening = TicketFacts(T0 + 14 * 3600, "acme", None, {})  # 22:00 UTC is 23:00 in Berlin
    reason = why_unmeasured(definitions, late_evening)
    assert reason.code is UnmeasuredCode.NO_AGREEMENT_IN_FORCE
    assert reason.message == (
        "no agreement is in force on 2026-03-02, the day it was created (Europe/Berlin); "
        "the earliest agreement starts on 2026-03-03"
    )


def test_no_matching_objective_names_every_deciding_value_and_points_out_unknown_ones():
    known = KnownValues.of(P1_ONLY)
    reason = why_unmeasured(P1_ONLY, facts(priority="p1"), known)
    assert reason.code is UnmeasuredCode.NO_OBJECTIVE_MATCHES
    assert reason.message == (
        "no first_response, next_response or resolution objective matches customer 'acme', "
        "service 'email', priority 'p1' (unknown; did you mean 'P1'?), channel not set"
    )


def test_only_a_next_response_objective_means_no_clock_until_a_cycle_starts():
    definitions = corporate(
        on(Metric.NEXT_RESPONSE, "nr"), on(Metric.RESOLUTION, "res", priority={"P1"})
    )
    reason = why_unmeasured(definitions, facts(priority="P3"))
    assert reason.code is UnmeasuredCode.NO_CYCLE_YET
    assert "only next_response applies (corp/nr)" in reason.message


def test_a_ticket_created_after_its_last_evaluation_is_measured_later():
    late = TicketFacts(T0 + 60, "acme", None, {"priority": "P1"}, evaluated_at=T0)
    reason = why_unmeasured(P1_ONLY, late)
    assert reason.code is UnmeasuredCode.CREATED_AFTER_EVALUATION
    assert reason.message == (
        "created at 2026-03-02T08:01:00+00:00, after it was last evaluated "
        "(2026-03-02T08:00:00+00:00): its clocks start once it is evaluated later"
    )


def test_stored_attributes_that_do_match_mean_the_fold_ignored_the_events_that_set_them():
    reason = why_unmeasured(P1_ONLY, facts(priority="P1", channel="phone"))
    assert reason.code is UnmeasuredCode.IGNORED_EVENTS
    assert "first_response: corp/fr-p1, resolution: corp/res" in reason.message


def test_one_explainer_tells_a_customer_with_its_own_agreement_from_every_other_customer():
    gold = Agreement(
        id="acme-gold",
        level=Level.CUSTOMER,
        title="gold",
        objectives=(on(Metric.RESOLUTION, "res-p3", priority={"P3"}),),
        customers=frozenset({"acme"}),
    )
    definitions = replace(P1_ONLY, agreements=(*P1_ONLY.agreements, gold))
    explainer = UnmeasuredExplainer(definitions)
    for customer in ("caller-1", "acme", "caller-2"):
        reason = explainer.why(TicketFacts(T0, customer, None, {"priority": "P3"}))
        expected = (
            UnmeasuredCode.IGNORED_EVENTS
            if customer == "acme"
            else UnmeasuredCode.NO_OBJECTIVE_MATCHES
        )
        assert reason.code is expected, customer
        if customer != "acme":
            assert f"customer '{customer}'" in reason.message
