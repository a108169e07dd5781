"""Unknown values: what the definitions know per dimension, and each kind of finding."""

from __future__ import annotations

from servanda.domain.agreements import (
    Agreement,
    Condition,
    Customer,
    Definitions,
    Level,
    Metric,
    Objective,
    Service,
    Vocabulary,
)
from servanda.domain.availability import Outage
from servanda.domain.calendar.spec import CalendarSpec
from servanda.domain.events import EventType, TicketEvent
from servanda.domain.vocabulary import (
    FindingCode,
    KnownValues,
    Severity,
    check_event,
    check_outage,
    suggestion,
)

T0 = 1_772_438_400  # 2026-03-02T08:00:00Z


def objective(
    metric: Metric, *conditions: tuple[str, set[str]], pause_on: frozenset[str] = frozenset()
) -> Objective:
    return Objective(
        id=f"{metric.value}-{len(conditions)}",
        metric=metric,
        conditions=tuple(Condition(name, frozenset(values)) for name, values in conditions),
        target_seconds=3600,
        pause_on=pause_on,
    )


def definitions(
    *objectives: Objective,
    customers: tuple[str, ...] = (),
    services: tuple[str, ...] = (),
    pause_on: frozenset[str] = frozenset(),
    vocabulary: Vocabulary | None = None,
) -> Definitions:
    corporate = Agreement(
        id="corp", level=Level.CORPORATE, title="corp", objectives=objectives, pause_on=pause_on
    )
    return Definitions(
        calendars={"24x7": CalendarSpec.always_open()},
        services={name: Service(name, name) for name in services},
        customers={name: Customer(name, name, group="gold") for name in customers},
        agreements=(corporate,),
        vocabulary=vocabulary or Vocabulary(),
    )


def created(**values: object) -> TicketEvent:
    return TicketEvent("e1", "CS-1002", EventType.CREATED, T0, **values)  # type: ignore[arg-type]


PRIORITIES = (
    objective(Metric.FIRST_RESPONSE, ("priority", {"P1"})),
    objective(Metric.RESOLUTION, ("priority", {"P1", "P2", "P3"})),
)


def test_a_lower_case_priority_is_a_warning_that_suggests_the_one_the_objectives_name():
    known = KnownValues.of(definitions(*PRIORITIES))
    [finding] = check_event(created(priority="p2"), known)
    assert finding.code is FindingCode.UNKNOWN_PRIORITY
    assert finding.severity is Severity.WARNING
    assert (finding.attribute, finding.value) == ("priority", "p2")
    assert finding.message == (
        "priority 'p2' matches no objective at any level: no clocks (did you mean 'P2'?)"
    )


def test_an_unknown_priority_without_a_close_one_lists_the_priorities_named():
    known = KnownValues.of(definitions(*PRIORITIES))
    [finding] = check_event(created(priority="P9"), known)
    assert finding.message.endswith("no clocks (priorities: P1, P2, P3)")


def test_an_unknown_priority_keeps_the_objectives_that_name_no_priority():
    known = KnownValues.of(definitions(*PRIORITIES, objective(Metric.NEXT_RESPONSE)))
    [finding] = check_event(created(priority="p2"), known)
    assert "only objectives that name no priority apply" in finding.message


def test_changing_to_an_unknown_priority_says_the_clocks_are_cancelled():
    known = KnownValues.of(definitions(*PRIORITIES))
    change = TicketEvent(
        "e2", "CS-1", EventType.ATTRIBUTES_CHANGED, T0, changes=(("priority", "urgent"),)
    )
    [finding] = check_event(change, known)
    assert "the ticket's clocks are cancelled" in finding.message


def test_a_known_value_is_no_finding_and_priorities_are_compared_exactly():
    known = KnownValues.of(definitions(*PRIORITIES))
    assert check_event(created(priority="P2"), known) == ()
    assert check_event(created(priority="P2 "), known) != ()


def test_a_priority_outside_a_declared_vocabulary_is_an_error():
    declared = Vocabulary(priorities=frozenset({"P1", "P2", "P3", "P4"}))
    known = KnownValues.of(definitions(*PRIORITIES, vocabulary=declared))
    assert (
        check_event(created(priority="P4"), known) == ()
    )  # declared, though no objective names it
    [finding] = check_event(created(priority="p2"), known)
    assert finding.severity is Severity.ERROR
    assert finding.is_error
    assert finding.message == (
        "priority 'p2' is not in vocabulary.priorities (P1, P2, P3, P4); did you mean 'P2'?"
    )


def test_an_undefined_customer_or_service_is_a_warning_once_the_definitions_define_some():
    known = KnownValues.of(
        definitions(*PRIORITIES, customers=("acme", "globex"), services=("email",))
    )
    customer, service = check_event(created(customer="acm", service="emial"), known)
    assert customer.code is FindingCode.UNKNOWN_CUSTOMER
    assert customer.message == (
        "customer 'acm' is not defined: only corporate and service agreements apply "
        "(did you mean 'acme'?)"
    )
    assert service.code is FindingCode.UNKNOWN_SERVICE
    assert service.message == (
        "service 'emial' is not defined: no agreement for a service applies (did you mean 'email'?)"
    )


def test_customers_and_services_are_not_checked_when_the_definitions_define_none():
    known = KnownValues.of(definitions(*PRIORITIES))
    assert check_event(created(customer="Caller 2403", service="Category 26"), known) == ()


def test_a_status_no_pause_list_names_is_a_warning_but_servandas_own_and_state_map_ones_are_known():
    pauses = frozenset({"waiting_on_customer"})
    known = KnownValues.of(definitions(*PRIORITIES, pause_on=pauses), statuses={"in_progress"})
    for status in ("waiting_on_customer", "new", "open", "resolved", "in_progress"):
        change = TicketEvent("e", "T", EventType.STATUS_CHANGED, T0, status=status)
        assert check_event(change, known) == (), status
    typo = TicketEvent("e", "T", EventType.STATUS_CHANGED, T0, status="waiting_on_custmer")
    [finding] = check_event(typo, known)
    assert finding.code is FindingCode.UNKNOWN_STATUS
    assert finding.message == (
        "status 'waiting_on_custmer' is in no pause list and no state map: it pauses no clock "
        "(did you mean 'waiting_on_customer'?)"
    )


def test_statuses_are_not_checked_when_nothing_pauses_and_are_exact_when_declared():
    change = TicketEvent("e", "T", EventType.STATUS_CHANGED, T0, status="anything")
    assert check_event(change, KnownValues.of(definitions(*PRIORITIES))) == ()
    declared = Vocabulary(statuses=frozenset({"open", "waiting_on_customer"}))
    known = KnownValues.of(definitions(*PRIORITIES, vocabulary=declared), statuses={"anything"})
    [finding] = check_event(change, known)
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "status 'anything' is not in vocabulary.statuses (open, waiting_on_customer)"
    )


def test_an_attribute_value_no_condition_names_is_a_warning_and_unnamed_attributes_are_free():
    known = KnownValues.of(
        definitions(*PRIORITIES, objective(Metric.FIRST_RESPONSE, ("channel", {"phone"})))
    )
    event = created(priority="P1", fields=(("channel", "Phone"), ("region", "EU")))
    [finding] = check_event(event, known)
    assert finding.code is FindingCode.UNKNOWN_ATTRIBUTE_VALUE
    assert finding.message == (
        "channel 'Phone' is named by no objective condition: objectives that name a channel "
        "do not apply to it (did you mean 'phone'?)"
    )


def test_a_declared_attribute_makes_its_values_exact():
    declared = Vocabulary(attributes={"channel": frozenset({"email", "phone", "portal"})})
    known = KnownValues.of(
        definitions(objective(Metric.FIRST_RESPONSE, ("channel", {"phone"})), vocabulary=declared)
    )
    assert check_event(created(fields=(("channel", "email"),)), known) == ()
    [finding] = check_event(created(fields=(("channel", "fax"),)), known)
    assert finding.is_error
    assert "vocabulary.attributes.channel (email, phone, portal)" in finding.message


def test_findings_come_in_a_fixed_order_whatever_the_event_holds():
    known = KnownValues.of(
        definitions(
            *PRIORITIES,
            objective(Metric.FIRST_RESPONSE, ("channel", {"phone"}), ("type", {"change"})),
            customers=("acme",),
            services=("email",),
            pause_on=frozenset({"waiting"}),
        )
    )
    event = created(
        customer="x",
        service="y",
        priority="z",
        status="w",
        fields=(("type", "t"), ("channel", "c")),
    )
    assert [f.attribute for f in check_event(event, known)] == [
        "customer",
        "service",
        "priority",
        "status",
        "channel",
        "type",
    ]


def test_a_group_condition_knows_the_groups_of_the_defined_customers():
    known = KnownValues.of(
        definitions(objective(Metric.RESOLUTION, ("group", {"silver"})), customers=("acme",))
    )
    assert check_event(created(fields=(("group", "gold"),)), known) == ()


def test_an_outage_for_an_undefined_service_or_customer_is_reported():
    known = KnownValues.of(definitions(*PRIORITIES, customers=("acme",), services=("email",)))
    outage = Outage(id="o1", service="emial", start=T0, end=T0 + 60, customers=("acme", "acne"))
    customer, service = check_outage(outage, known)  # customers first, as for events
    assert (customer.code, customer.value) == (FindingCode.UNKNOWN_CUSTOMER, "acne")
    assert (service.code, service.value) == (FindingCode.UNKNOWN_SERVICE, "emial")


def test_a_suggestion_prefers_the_same_word_in_another_case_then_a_close_one():
    assert suggestion("p2", {"P1", "P2", "p20"}) == "P2"
    assert suggestion("waiting_on_custmer", {"waiting_on_customer", "open"}) == (
        "waiting_on_customer"
    )
    assert suggestion("urgent", {"P1", "P2"}) is None
    assert suggestion("Category 55", {"Category 42"}) is None  # another number, not a typo
    assert suggestion("Categry 42", {"Category 42"}) == "Category 42"
