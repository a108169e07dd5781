"""A ticket's story for people: events, clock changes, warnings, breaches and why, in one zone."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from servanda.bootstrap import fold_for
from servanda.domain.agreements import Agreement, Condition, Definitions, Level, Metric, Objective
from servanda.domain.calendar.spec import CalendarSpec
from servanda.domain.events import EventType, TicketEvent
from servanda.reporting.timelines import render_timeline, timeline_entries

H = 3600
T0 = 1_772_438_400  # 2026-03-02T08:00:00Z
BERLIN = ZoneInfo("Europe/Berlin")
ALWAYS = {"24x7": CalendarSpec.always_open()}


def house(*objectives: Objective, pause_on: frozenset[str] = frozenset()) -> Definitions:
    corporate = Agreement("house", Level.CORPORATE, "House", objectives, pause_on=pause_on)
    return Definitions(calendars=ALWAYS, services={}, customers={}, agreements=(corporate,))


PAUSING = house(
    Objective("fr", Metric.FIRST_RESPONSE, target_seconds=H),
    Objective("res", Metric.RESOLUTION, target_seconds=4 * H, warn_at=(Decimal("0.5"),)),
    Objective("nr", Metric.NEXT_RESPONSE, target_seconds=2 * H),
    pause_on=frozenset({"waiting"}),
)
STORY = [
    TicketEvent("e0", "T1", EventType.CREATED, T0, customer="acme", priority="P1",
                fields=(("channel", "phone"),)),
    TicketEvent("e1", "T1", EventType.RESPONDED, T0 + 1800),
    TicketEvent("e2", "T1", EventType.STATUS_CHANGED, T0 + H, status="waiting"),
    TicketEvent("e3", "T1", EventType.CUSTOMER_REPLIED, T0 + 2 * H),
    TicketEvent("e4", "T1", EventType.STATUS_CHANGED, T0 + 2 * H, status="open"),
    TicketEvent("e5", "T1", EventType.RATED, T0 + 3 * H, score=Decimal("4.5")),
    TicketEvent("e6", "T1", EventType.RESPONDED, T0 + 3 * H + 60),
    TicketEvent("e7", "T1", EventType.RESOLVED, T0 + 6 * H + 1800),
    TicketEvent("e8", "T1", EventType.RESOLVED, T0 + 9 * H),
]  # fmt: skip


def test_a_ticket_with_a_pause_a_reply_cycle_a_warning_and_a_breach_reads_in_time_order() -> None:
    evaluation = fold_for(PAUSING).evaluate(STORY, T0 + 10 * H)
    assert render_timeline(evaluation, BERLIN) == [
        "Ticket T1",
        "",
        "2026-03-02 09:00:00 +0100  created (e0) customer=acme, priority=P1, channel=phone",
        "2026-03-02 09:00:00 +0100    first_response [house/fr]: started (created); target 1h, deadline 2026-03-02 10:00:00 +0100",
        "2026-03-02 09:00:00 +0100    resolution [house/res]: started (created); target 4h, deadline 2026-03-02 13:00:00 +0100",
        "2026-03-02 09:30:00 +0100  responded (e1)",
        "2026-03-02 09:30:00 +0100    first_response [house/fr]: stopped (first agent reply)",
        "2026-03-02 10:00:00 +0100  status_changed (e2) status=waiting",
        "2026-03-02 10:00:00 +0100    resolution [house/res]: paused (status waiting); target 4h, deadline on hold",
        "2026-03-02 11:00:00 +0100  status_changed (e4) status=open",
        "2026-03-02 11:00:00 +0100  customer_replied (e3)",
        "2026-03-02 11:00:00 +0100    next_response #1 [house/nr]: started (customer_replied); target 2h, deadline 2026-03-02 13:00:00 +0100",
        "2026-03-02 11:00:00 +0100    resolution [house/res]: resumed (status open); target 4h, deadline 2026-03-02 14:00:00 +0100",
        "2026-03-02 12:00:00 +0100  rated (e5) score=4.5",
        "2026-03-02 12:00:00 +0100    resolution [house/res]: WARNING 50% of target",
        "2026-03-02 12:01:00 +0100  responded (e6)",
        "2026-03-02 12:01:00 +0100    next_response #1 [house/nr]: stopped (agent reply)",
        "2026-03-02 14:00:01 +0100    resolution [house/res]: BREACHED (deadline was 2026-03-02 14:00:00 +0100)",
        "2026-03-02 15:30:00 +0100  resolved (e7)",
        "2026-03-02 15:30:00 +0100    resolution [house/res]: stopped (ticket resolved)",
        "2026-03-02 18:00:00 +0100  resolved (e8)  [ignored: the ticket is already resolved]",
        "",
        "Clocks:",
        "  first_response [house/fr]: met, elapsed 30m of 1h, on 24x7, deadline 2026-03-02 10:00:00 +0100, stopped 2026-03-02 09:30:00 +0100",
        "  next_response #1 [house/nr]: met, elapsed 1h1m of 2h, on 24x7, deadline 2026-03-02 13:00:00 +0100, stopped 2026-03-02 12:01:00 +0100",
        "  resolution [house/res]: breached, elapsed 5h30m of 4h, on 24x7, paused 1h, deadline 2026-03-02 14:00:00 +0100, stopped 2026-03-02 15:30:00 +0100",
        "    why: still running one second after the deadline 2026-03-02 14:00:00 +0100 (target 4h on 24x7, 1h paused): breached at 2026-03-02 14:00:01 +0100",
    ]  # fmt: skip


def test_at_one_instant_events_come_before_clock_changes_and_those_before_warnings() -> None:
    entries = timeline_entries(fold_for(PAUSING).evaluate(STORY, T0 + 10 * H), BERLIN)
    assert [(e.at, e.order) for e in entries] == sorted((e.at, e.order) for e in entries)
    at_noon = [e.order for e in entries if e.at == T0 + 3 * H]
    assert at_noon == [0, 2]


def test_a_running_clock_shows_when_it_is_next_due_in_the_zone_asked_for() -> None:
    evaluation = fold_for(PAUSING).evaluate(STORY[:1], T0 + 1800)
    lines = render_timeline(evaluation, ZoneInfo("America/New_York"))
    assert (
        lines[2]
        == "2026-03-02 03:00:00 -0500  created (e0) customer=acme, priority=P1, channel=phone"
    )
    assert (
        "  resolution [house/res]: running, elapsed 30m of 4h, on 24x7, deadline "
        "2026-03-02 07:00:00 -0500, next due 2026-03-02 05:00:00 -0500"
    ) in lines


P1 = (Condition("priority", frozenset({"P1"})),)
CHANGING = house(
    Objective("res-p1", Metric.RESOLUTION, P1, target_seconds=2 * H),
    Objective("res", Metric.RESOLUTION, (Condition("priority", frozenset({"P2"})),), target_seconds=8 * H),
    Objective("fr-p1", Metric.FIRST_RESPONSE, P1, target_seconds=H),
)  # fmt: skip
RAISED = [
    TicketEvent("c", "T2", EventType.CREATED, T0, priority="P2"),
    TicketEvent("p", "T2", EventType.ATTRIBUTES_CHANGED, T0 + 3 * H, changes=(("priority", "P1"),)),
]


def test_a_breach_at_a_priority_change_says_the_new_target_had_already_passed() -> None:
    lines = render_timeline(fold_for(CHANGING).evaluate(RAISED, T0 + 4 * H), BERLIN)
    assert "2026-03-02 12:00:00 +0100  attributes_changed (p) priority->P1" in lines
    assert lines[-1] == (
        "    why: at 2026-03-02 12:00:00 +0100 the ticket changed (priority=P1: now house/res-p1 "
        "(was house/res)); the new target 2h had already passed (deadline 2026-03-02 "
        "11:00:00 +0100), so the clock breached at the change"
    )


def test_a_breach_of_an_objective_that_newly_applies_says_it_started_late() -> None:
    lines = render_timeline(fold_for(CHANGING).evaluate(RAISED, T0 + 4 * H), BERLIN)
    assert (
        "    why: the objective started to apply at 2026-03-02 12:00:00 +0100 (priority=P1: "
        "house/fr-p1 newly applies) and its target had already passed"
    ) in lines


def test_a_ticket_without_a_created_event_has_no_clocks_and_says_why_its_events_are_ignored():
    lonely = [TicketEvent("r", "T3", EventType.RESPONDED, T0)]
    assert render_timeline(fold_for(CHANGING).evaluate(lonely, T0 + H), ZoneInfo("UTC")) == [
        "Ticket T3",
        "",
        "2026-03-02 08:00:00 +0000  responded (r)  [ignored: before the ticket's created event "
        "(or the ticket has none)]",
        "",
        "Clocks:",
        "  none (no created event, or no objective applies)",
    ]
