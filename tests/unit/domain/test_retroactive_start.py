"""A clock that newly applies long after creation is replayed from creation (SEMANTICS "Ticket
clocks" 7) — also through pauses after its target has passed, as a ticket whose priority
matched no objective until it was corrected does."""

from __future__ import annotations

from servanda.domain.agreements import Agreement, Condition, Definitions, Level, Metric, Objective
from servanda.domain.calendar.arithmetic import build_calendars
from servanda.domain.calendar.spec import CalendarSpec
from servanda.domain.clock.engine import ClockEngine
from servanda.domain.clock.measurement import ClockState
from servanda.domain.events import EventType, TicketEvent

T0 = 1772438400  # 2026-03-02T08:00:00Z
H = 3600
DAY = 24 * H


def engine() -> ClockEngine:
    p1 = (Condition("priority", frozenset({"P1"})),)
    definitions = Definitions(
        calendars={"24x7": CalendarSpec.always_open()},
        services={},
        customers={},
        agreements=(
            Agreement(
                id="corp",
                level=Level.CORPORATE,
                title="corp",
                objectives=(Objective("res", Metric.RESOLUTION, p1, target_seconds=8 * H),),
                pause_on=frozenset({"waiting_on_customer"}),
            ),
        ),
    )
    return ClockEngine(definitions, build_calendars(definitions.calendars))


def test_a_clock_replayed_through_a_pause_after_its_target_is_breached_at_the_change():
    events = [
        TicketEvent("c", "T", EventType.CREATED, T0, priority="p1"),  # matches nothing
        TicketEvent("w", "T", EventType.STATUS_CHANGED, T0 + DAY, status="waiting_on_customer"),
        TicketEvent("o", "T", EventType.STATUS_CHANGED, T0 + 2 * DAY, status="open"),
        TicketEvent(
            "p", "T", EventType.ATTRIBUTES_CHANGED, T0 + 3 * DAY, changes=(("priority", "P1"),)
        ),
    ]
    [resolution] = engine().evaluate(events, T0 + 4 * DAY).measurements
    assert resolution.state is ClockState.BREACHED
    assert resolution.deadline == T0 + 8 * H  # the target was reached before the pause
    assert resolution.breached_at == T0 + 3 * DAY  # known, and so breached, at the change
