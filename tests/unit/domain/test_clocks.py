"""The clock engine's contract beyond the golden timelines: caching, errors, the services' port."""

from __future__ import annotations

import pytest

from servanda.domain.agreements import Agreement, Condition, Definitions, Level, Metric, Objective
from servanda.domain.calendar.arithmetic import build_calendars
from servanda.domain.calendar.spec import CalendarSpec
from servanda.domain.clock.engine import ClockEngine, evaluate_ticket
from servanda.domain.clock.measurement import ClockState
from servanda.domain.errors import DefinitionError, EventError
from servanda.domain.events import EventType, TicketEvent

T0 = 1772438400  # 2026-03-02T08:00:00Z
H = 3600


def definitions(nr_calendar: str = "24x7") -> Definitions:
    def on(*priorities: str) -> tuple[Condition, ...]:
        return (Condition("priority", frozenset(priorities)),)

    return Definitions(
        calendars={"24x7": CalendarSpec.always_open()},
        services={},
        customers={},
        agreements=(
            Agreement(
                id="corp",
                level=Level.CORPORATE,
                title="corp",
                objectives=(
                    Objective("fr", Metric.FIRST_RESPONSE, on("P1", "P2"), target_seconds=H),
                    Objective("nr", Metric.NEXT_RESPONSE, on("P1"), 2 * H, calendar=nr_calendar),
                    Objective("res", Metric.RESOLUTION, on("P1", "P2"), target_seconds=8 * H),
                ),
            ),
        ),
    )


def engine() -> ClockEngine:
    defs = definitions()
    return ClockEngine(defs, build_calendars(defs.calendars))


def ev(id: str, kind: EventType, at: int, ticket: str = "T", **extra: object) -> TicketEvent:
    return TicketEvent(id, ticket, kind, at, **extra)  # type: ignore[arg-type]


def test_objectives_are_resolved_once_per_attribute_combination_not_per_ticket():
    fold = engine()
    for number in range(50):
        created = ev(
            "c",
            EventType.CREATED,
            T0 + number * H,
            f"T{number}",
            priority="P1",
            fields=(("order", str(number)),),
        )  # a field no condition looks at
        fold.evaluate([created], T0 + 100 * H)
    assert fold.resolution_cache_size == 1


def test_folding_events_of_two_tickets_as_one_is_refused():
    with pytest.raises(EventError, match="several tickets"):
        engine().evaluate(
            [ev("a", EventType.CREATED, T0, "T1"), ev("b", EventType.CREATED, T0, "T2")], T0
        )


def test_an_objective_on_an_unknown_calendar_is_a_definitions_error():
    defs = definitions(nr_calendar="night-shift")
    fold = ClockEngine(defs, build_calendars(defs.calendars))
    with pytest.raises(DefinitionError, match="night-shift"):
        fold.evaluate([ev("c", EventType.CREATED, T0, priority="P1")], T0)


def test_evaluate_ticket_is_a_one_off_engine():
    events = [ev("c", EventType.CREATED, T0, priority="P1"), ev("r", EventType.RESPONDED, T0 + 600)]
    defs = definitions()
    assert engine().evaluate(events, T0 + H).measurements == tuple(
        evaluate_ticket(events, defs, build_calendars(defs.calendars), T0 + H)
    )


def test_next_response_newly_applying_replays_every_cycle_from_creation():
    events = [
        ev("c", EventType.CREATED, T0, priority="P2"),
        ev("r1", EventType.RESPONDED, T0 + 600),
        ev("q1", EventType.CUSTOMER_REPLIED, T0 + H),
        ev("r2", EventType.RESPONDED, T0 + 2 * H),  # cycle 1: 1h, met under a 2h target
        ev("q2", EventType.CUSTOMER_REPLIED, T0 + 3 * H),  # cycle 2 runs from here
        ev("p", EventType.ATTRIBUTES_CHANGED, T0 + 6 * H, changes=(("priority", "P1"),)),
    ]
    cycles = [
        m
        for m in engine().evaluate(events, T0 + 7 * H).measurements
        if m.metric is Metric.NEXT_RESPONSE
    ]
    assert [(m.cycle, m.state, m.started_at, m.elapsed_seconds) for m in cycles] == [
        (1, ClockState.MET, T0 + H, H),
        (2, ClockState.BREACHED, T0 + 3 * H, 4 * H),
    ]
    assert (
        cycles[1].breached_at == T0 + 6 * H
    )  # late when it started to apply: breached at the change


def test_a_second_created_event_is_ignored_with_its_reason():
    events = [
        ev("c1", EventType.CREATED, T0, priority="P1"),
        ev("c2", EventType.CREATED, T0 + H, priority="P2"),
    ]
    result = engine().evaluate(events, T0 + 2 * H)
    assert [(i.event.id, i.reason) for i in result.ignored] == [
        ("c2", "the ticket was already created")
    ]
    assert {m.objective_key for m in result.measurements} == {"corp/fr", "corp/res"}
