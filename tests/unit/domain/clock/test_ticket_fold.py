"""One ticket's events applied in order: the facts stored about it, why events are ignored, which
clocks are open, reply cycles, and what an attribute change does to each metric's clock."""

from __future__ import annotations

from decimal import Decimal

from servanda.domain.agreements import Agreement, Condition, Definitions, Level, Metric, Objective
from servanda.domain.calendar.arithmetic import build_calendars
from servanda.domain.calendar.spec import CalendarSpec
from servanda.domain.clock.engine import ClockEngine
from servanda.domain.clock.measurement import ChangeCause, ClockState
from servanda.domain.clock.ticket_fold import TicketFacts, TicketFold
from servanda.domain.events import EventType, TicketEvent
from servanda.domain.precedence import find_ambiguities

H = 3600
T0 = 1_772_438_400  # 2026-03-02T08:00:00Z
P1 = (Condition("priority", frozenset({"P1"})),)
P2 = (Condition("priority", frozenset({"P2"})),)
EMAIL = (Condition("service", frozenset({"email"})),)


def engine() -> ClockEngine:
    objectives = (
        Objective("fr", Metric.FIRST_RESPONSE, target_seconds=H, warn_at=(Decimal("0.5"),)),
        Objective("nr", Metric.NEXT_RESPONSE, target_seconds=2 * H),
        Objective("res", Metric.RESOLUTION, P2, target_seconds=8 * H),
        Objective("res-p1", Metric.RESOLUTION, P1, target_seconds=4 * H),
    )
    house = Agreement(
        "house", Level.CORPORATE, "House", objectives, pause_on=frozenset({"waiting"})
    )
    mail = Agreement("mail", Level.SERVICE, "Mail", (Objective("mail-fr", Metric.FIRST_RESPONSE, EMAIL,
                     target_seconds=30 * 60),), services=frozenset({"email"}))  # fmt: skip
    definitions = Definitions({"24x7": CalendarSpec.always_open()}, {}, {}, (house, mail))
    assert find_ambiguities(definitions) == []
    return ClockEngine(definitions, build_calendars(definitions.calendars))


def ev(number: int, kind: EventType, minutes: int, **values: object) -> TicketEvent:
    return TicketEvent(f"e{number}", "T", kind, T0 + minutes * 60, **values)  # type: ignore[arg-type]


def fold(*events: TicketEvent) -> tuple[TicketFold, list[str | None]]:
    ticket = TicketFold(engine(), "T")
    return ticket, [ticket.apply(event) for event in events]


CREATED = ev(0, EventType.CREATED, 0, customer="acme", service="web", priority="P2",
             fields=(("channel", "phone"),))  # fmt: skip


def test_before_its_created_event_a_ticket_has_no_facts_and_every_event_is_ignored() -> None:
    ticket, reasons = fold(ev(1, EventType.RESPONDED, 5), ev(2, EventType.RESOLVED, 10))
    assert ticket.facts() == TicketFacts()
    assert reasons == ["before the ticket's created event (or the ticket has none)"] * 2
    assert ticket.measurements(T0 + H) == []


def test_the_facts_are_what_the_applied_events_left_with_priority_in_its_own_field() -> None:
    ticket, reasons = fold(
        CREATED,
        ev(
            1,
            EventType.ATTRIBUTES_CHANGED,
            5,
            changes=(("customer", "globex"), ("type", "incident")),
        ),
        ev(2, EventType.STATUS_CHANGED, 6, status="waiting"),
    )
    assert reasons == [None, None, None]
    assert ticket.facts() == TicketFacts(
        created_at=T0, customer="globex", service="web", priority="P2", status="waiting",
        attributes=(("channel", "phone"), ("type", "incident")),
    )  # fmt: skip


def test_the_status_shown_follows_the_lifecycle_new_resolved_reopened_closed() -> None:
    statuses = []
    ticket = TicketFold(engine(), "T")
    for event in (CREATED, ev(1, EventType.RESOLVED, 10), ev(2, EventType.REOPENED, 20),
                  ev(3, EventType.CLOSED, 30)):  # fmt: skip
        ticket.apply(event)
        statuses.append(ticket.facts().status)
    assert statuses == ["new", "resolved", "reopened", "closed"]


def test_events_that_make_no_sense_in_the_lifecycle_are_ignored_with_a_reason() -> None:
    _, reasons = fold(
        CREATED,
        ev(1, EventType.REOPENED, 5),
        ev(2, EventType.RESOLVED, 10),
        ev(3, EventType.RESOLVED, 11),
        ev(4, EventType.CREATED, 12, customer="other"),
        ev(5, EventType.CLOSED, 13),
        ev(6, EventType.STATUS_CHANGED, 14, status="open"),
    )
    assert reasons == [
        None,
        "the ticket is not resolved",
        None,
        "the ticket is already resolved",
        "the ticket was already created",
        None,
        "after the ticket was closed",
    ]


def test_an_ignored_event_changes_no_fact() -> None:
    ticket, _ = fold(CREATED, ev(1, EventType.CLOSED, 5),
                     ev(2, EventType.ATTRIBUTES_CHANGED, 6, changes=(("priority", "P1"),)))  # fmt: skip
    assert ticket.facts().priority == "P2"
    assert [event.id for event in ticket.applied] == ["e0", "e1"]


def test_a_customer_reply_joins_a_running_cycle_and_starts_one_only_after_an_agent_reply() -> None:
    ticket, _ = fold(
        CREATED,
        ev(1, EventType.CUSTOMER_REPLIED, 5),  # awaiting the first reply: no cycle
        ev(2, EventType.RESPONDED, 10),
        ev(3, EventType.CUSTOMER_REPLIED, 20),
        ev(4, EventType.CUSTOMER_REPLIED, 30),  # joins cycle 1
        ev(5, EventType.RESPONDED, 40),
        ev(6, EventType.CUSTOMER_REPLIED, 50),
    )
    cycles = [(c.cycle, c.start, c.stopped_at) for c in ticket.cycles]
    assert cycles == [(1, T0 + 20 * 60, T0 + 40 * 60), (2, T0 + 50 * 60, None)]
    assert [c.plan.metric for c in ticket.open_clocks()] == [
        Metric.RESOLUTION,
        Metric.NEXT_RESPONSE,
    ]


def test_measurements_list_first_response_then_each_cycle_then_resolution() -> None:
    ticket, _ = fold(CREATED, ev(1, EventType.RESPONDED, 10), ev(2, EventType.CUSTOMER_REPLIED, 20))
    measured = ticket.measurements(T0 + H)
    assert [(m.metric, m.cycle, m.state) for m in measured] == [
        (Metric.FIRST_RESPONSE, 0, ClockState.MET),
        (Metric.NEXT_RESPONSE, 1, ClockState.RUNNING),
        (Metric.RESOLUTION, 0, ClockState.RUNNING),
    ]


def test_time_driven_steps_due_at_an_events_instant_apply_before_the_event() -> None:
    ticket, _ = fold(CREATED, ev(1, EventType.RESPONDED, 30))  # the 50 % warning is due at 30 min
    first = ticket.measurements(T0 + 2 * H)[0]
    assert first.state is ClockState.MET
    assert [(w.threshold, w.at) for w in first.warnings] == [(Decimal("0.5"), T0 + 30 * 60)]
    late, _ = fold(CREATED, ev(1, EventType.RESPONDED, 29))
    assert late.measurements(T0 + 2 * H)[0].warnings == ()


def test_a_status_change_pauses_only_the_clocks_whose_objective_pauses_on_it() -> None:
    ticket, _ = fold(CREATED, ev(1, EventType.STATUS_CHANGED, 10, status="waiting"))
    states = {m.metric: m.state for m in ticket.measurements(T0 + 20 * 60)}
    assert states == {
        Metric.FIRST_RESPONSE: ClockState.PAUSED,
        Metric.RESOLUTION: ClockState.PAUSED,
    }
    ticket.apply(ev(2, EventType.STATUS_CHANGED, 30, status="open"))
    assert {m.state for m in ticket.measurements(T0 + 40 * 60)} == {ClockState.RUNNING}


def test_a_priority_change_retargets_a_running_clock_and_leaves_a_stopped_one_alone() -> None:
    ticket, _ = fold(
        CREATED,
        ev(1, EventType.RESPONDED, 10),
        ev(2, EventType.ATTRIBUTES_CHANGED, 60, changes=(("priority", "P1"),)),
    )
    first, resolution = ticket.measurements(T0 + 2 * H)
    assert (first.objective_key, first.state) == ("house/fr", ClockState.MET)
    assert (resolution.objective_key, resolution.target_seconds) == ("house/res-p1", 4 * H)
    assert resolution.deadline == T0 + 4 * H
    change = resolution.history[-1]
    assert (change.cause, change.detail) == (
        ChangeCause.ATTRIBUTES_CHANGED, "priority=P1: now house/res-p1 (was house/res)",
    )  # fmt: skip


def test_a_service_change_can_replace_a_running_first_response_with_another_objective() -> None:
    ticket, _ = fold(
        CREATED, ev(1, EventType.ATTRIBUTES_CHANGED, 10, changes=(("service", "email"),))
    )
    first = ticket.measurements(T0 + 20 * 60)[0]
    assert (first.objective_key, first.target_seconds, first.deadline) == (
        "mail/mail-fr", 30 * 60, T0 + 30 * 60,
    )  # fmt: skip
    assert ticket.facts().service == "email"
