"""The readable diff of two definitions sets: one line per change, as people write the values."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from servanda.domain.agreements import (
    Condition,
    Customer,
    Definitions,
    Metric,
    Objective,
    Service,
)
from servanda.domain.calendar.spec import CalendarSpec
from servanda.services.revision_diff import ChangeKind, DefinitionChange, diff_definitions
from tests.streams import small_definitions


def with_objectives(definitions: Definitions, *objectives: Objective) -> Definitions:
    (corporate,) = definitions.agreements
    return replace(definitions, agreements=(replace(corporate, objectives=objectives),))


def lines(old: Definitions, new: Definitions) -> list[str]:
    return [str(change) for change in diff_definitions(old, new)]


def test_an_objective_added_or_removed_reads_as_its_metric_target_and_scope() -> None:
    old = small_definitions()
    fr_p1, _, res = old.agreements[0].objectives
    p1 = (Condition("priority", frozenset({"P1"})),)
    fix = Objective("fix-p1", Metric.RESOLUTION, p1, target_seconds=5400)
    happy = Objective("happy", Metric.SATISFACTION, target_value=Decimal("4.5"))
    new = with_objectives(old, fr_p1, res, fix, happy)
    assert lines(old, new) == [
        "  - agreement corporate / objective fr: first_response 4h for priority in {P2, P3, P4}",
        "  + agreement corporate / objective fix-p1: resolution 1h30m for priority in {P1}",
        "  + agreement corporate / objective happy: satisfaction 4.5 for all tickets",
    ]


def test_changed_fields_show_goals_and_warnings_as_percentages_and_sets_sorted() -> None:
    old = small_definitions()
    fr_p1, fr, res = old.agreements[0].objectives
    new = with_objectives(
        old,
        replace(fr_p1, goal=Decimal(1)),
        fr,
        replace(res, warn_at=(Decimal("0.75"),), pause_on=frozenset({"pending", "on_hold"})),
    )
    assert lines(old, new) == [
        "  ~ agreement corporate / objective fr-p1: goal: none -> 100%",
        "  ~ agreement corporate / objective res: warn_at: [50%, 80%] -> [75%]",
        "  ~ agreement corporate / objective res: pause_on: [] -> [on_hold, pending]",
    ]


def test_an_agreements_own_fields_change_apart_from_its_objectives() -> None:
    old = small_definitions()
    (corporate,) = old.agreements
    new = replace(old, agreements=(replace(corporate, title="House rules"),))
    (change,) = diff_definitions(old, new)
    assert change == DefinitionChange(
        ChangeKind.CHANGED, "agreement corporate", "title: Corporate -> House rules"
    )


def test_calendars_services_and_customers_are_matched_by_name_after_agreements() -> None:
    old = replace(
        small_definitions(),
        services={"email": Service("email", "Email")},
        customers={"acme": Customer("acme", "ACME")},
    )
    new = replace(
        old,
        calendars={**old.calendars, "office": CalendarSpec.always_open()},
        services={"web": Service("web", "Web")},
        customers={"acme": Customer("acme", "ACME", reporting_timezone="Europe/Berlin")},
        timezone="Europe/Berlin",
        provider="Harbour",
        agreements=(replace(old.agreements[0], title="House"),),
    )
    assert [(c.kind, c.subject) for c in diff_definitions(old, new)] == [
        (ChangeKind.CHANGED, "agreement corporate"),
        (ChangeKind.ADDED, "calendar office"),
        (ChangeKind.REMOVED, "service email"),
        (ChangeKind.ADDED, "service web"),
        (ChangeKind.CHANGED, "customer acme"),
        (ChangeKind.CHANGED, "timezone"),
        (ChangeKind.CHANGED, "provider"),
    ]
    by_subject = {c.subject: c.detail for c in diff_definitions(old, new)}
    assert by_subject["customer acme"] == "reporting_timezone: UTC -> Europe/Berlin"
    assert by_subject["timezone"] == f"{old.timezone} -> Europe/Berlin"


def test_a_line_without_detail_is_only_its_mark_and_subject() -> None:
    assert str(DefinitionChange(ChangeKind.ADDED, "service web")) == "  + service web"
    assert str(
        DefinitionChange(ChangeKind.REMOVED, "agreement x", "corporate, 2 objective(s)")
    ) == ("  - agreement x: corporate, 2 objective(s)")


def test_an_added_availability_objective_reads_its_target_as_a_percentage() -> None:
    old = small_definitions()

    def up_by(target: Decimal) -> Objective:
        return Objective("up", Metric.AVAILABILITY, target_value=target)

    up = up_by(Decimal("0.999"))
    full = Objective("full", Metric.AVAILABILITY, target_value=Decimal(1))
    new = with_objectives(old, *old.agreements[0].objectives, up, full)
    assert lines(old, new) == [
        "  + agreement corporate / objective up: availability 99.9% for all tickets",
        "  + agreement corporate / objective full: availability 100% for all tickets",
    ]
    # and as the changed line of the same field reads it
    stricter = with_objectives(
        new, *new.agreements[0].objectives[:-2], up_by(Decimal("0.9995")), full
    )
    assert lines(new, stricter) == [
        "  ~ agreement corporate / objective up: target_value: 99.9% -> 99.95%"
    ]
