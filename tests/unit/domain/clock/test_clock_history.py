"""One clock's story step by step: its history, pauses, warnings and new terms after a change.

The golden timelines pin outcomes; these pin how a clock got there: every
``ClockChange`` (instant, cause, target, deadline, objective, event, detail),
paused time over several pauses, warnings caught up at a change, and a clock
that a change pauses or resumes. All on the 24x7 calendar, so every deadline
is plain arithmetic from ``T0`` (2026-03-02 08:00 UTC).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from servanda.domain.agreements import Agreement, Condition, Definitions, Level, Metric, Objective
from servanda.domain.calendar.arithmetic import build_calendars
from servanda.domain.calendar.spec import CalendarSpec
from servanda.domain.clock.engine import ClockEngine
from servanda.domain.clock.measurement import ChangeCause, ClockChange, ClockState, Measurement
from servanda.domain.clock.sla_clock import ClockPlan
from servanda.domain.events import EventType, TicketEvent
from servanda.domain.precedence import TicketScope, resolve_objectives

T0 = 1772438400  # 2026-03-02T08:00:00Z
DAY = date(2026, 3, 2)
H = 3600
P1 = (Condition("priority", frozenset({"P1"})),)
P2 = (Condition("priority", frozenset({"P2"})),)


def definitions(fr_pause_on: frozenset[str] = frozenset()) -> Definitions:
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
                    Objective(
                        "fr", Metric.FIRST_RESPONSE, P1, target_seconds=H, pause_on=fr_pause_on
                    ),
                    Objective(
                        "nr",
                        Metric.NEXT_RESPONSE,
                        P1,
                        target_seconds=2 * H,
                        warn_at=(Decimal("0.5"),),
                    ),
                    Objective(
                        "res-p1",
                        Metric.RESOLUTION,
                        P1,
                        target_seconds=8 * H,
                        warn_at=(Decimal("0.75"), Decimal("0.5")),
                        pause_on=frozenset({"waiting"}),
                    ),
                    Objective(
                        "res-p2",
                        Metric.RESOLUTION,
                        P2,
                        target_seconds=10 * H,
                        warn_at=(Decimal("0.5"),),
                        pause_on=frozenset({"pending"}),
                    ),
                ),
            ),
        ),
    )


def fold(
    *events: TicketEvent, now: int, fr_pause_on: frozenset[str] = frozenset()
) -> dict[tuple[Metric, int], Measurement]:
    defs = definitions(fr_pause_on)
    evaluation = ClockEngine(defs, build_calendars(defs.calendars)).evaluate(events, now)
    return {(m.metric, m.cycle): m for m in evaluation.measurements}


def ev(id: str, kind: EventType, hours: float, **extra: object) -> TicketEvent:
    return TicketEvent(id, "T", kind, T0 + int(hours * H), **extra)  # type: ignore[arg-type]


def at(hours: float) -> int:
    return T0 + int(hours * H)


FR, NR, RES = Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.RESOLUTION


def story() -> dict[tuple[Metric, int], Measurement]:
    return fold(
        ev("c", EventType.CREATED, 0, priority="P1", status="open"),
        ev("w1", EventType.STATUS_CHANGED, 1, status="waiting"),
        ev("o1", EventType.STATUS_CHANGED, 2, status="open"),
        ev("r", EventType.RESPONDED, 3),
        ev("cr", EventType.CUSTOMER_REPLIED, 3.5),
        ev("w2", EventType.STATUS_CHANGED, 4, status="waiting"),
        ev("o2", EventType.STATUS_CHANGED, 5, status="open"),
        ev("a", EventType.RESPONDED, 5.5),
        ev("s", EventType.RESOLVED, 7),
        ev("ro", EventType.REOPENED, 8),
        ev("x", EventType.CLOSED, 9),
        now=at(12),
    )


def test_every_step_of_a_resolution_clock_is_in_its_history():
    res = story()[(RES, 0)]
    key = "corp/res-p1"
    assert res.history == (
        ClockChange(at(0), ChangeCause.STARTED, 8 * H, at(8), key, "c", "created"),
        ClockChange(at(1), ChangeCause.PAUSED, 8 * H, None, key, "w1", "status waiting"),
        ClockChange(at(2), ChangeCause.RESUMED, 8 * H, at(9), key, "o1", "status open"),
        ClockChange(at(4), ChangeCause.PAUSED, 8 * H, None, key, "w2", "status waiting"),
        ClockChange(at(5), ChangeCause.RESUMED, 8 * H, at(10), key, "o2", "status open"),
        ClockChange(at(7), ChangeCause.STOPPED, 8 * H, at(10), key, "s", "ticket resolved"),
        # 5h accrued before the resolve (0-1, 2-4, 5-7): 3h left from the reopen
        ClockChange(at(8), ChangeCause.REOPENED, 8 * H, at(11), key, "ro", ""),
        ClockChange(at(9), ChangeCause.STOPPED, 8 * H, at(11), key, "x", "ticket closed"),
    )
    assert (res.state, res.elapsed_seconds, res.paused_seconds) == (ClockState.MET, 6 * H, 2 * H)
    assert (res.calendar, res.target_seconds, res.stopped_at) == ("24x7", 8 * H, at(9))


def test_warnings_fire_in_ascending_order_at_the_instant_each_threshold_is_reached():
    res = story()[(RES, 0)]
    # 50 % (4h) is reached at 6h (1h + 2h + 1h after the second resume); 75 % (6h) never
    # before the resolve at 7h (5h), but at 9h after the reopen at 8h (5h + 1h).
    assert [(w.threshold, w.at) for w in res.warnings] == [
        (Decimal("0.5"), at(6)),
        (Decimal("0.75"), at(9)),
    ]


def test_first_response_and_next_response_histories_name_their_events():
    clocks = story()
    fr, nr = clocks[(FR, 0)], clocks[(NR, 1)]
    assert fr.history == (
        ClockChange(at(0), ChangeCause.STARTED, H, at(1), "corp/fr", "c", "created"),
        ClockChange(at(3), ChangeCause.STOPPED, H, at(1), "corp/fr", "r", "first agent reply"),
    )
    assert (fr.state, fr.breached_at) == (ClockState.BREACHED, at(1) + 1)
    assert nr.history == (
        ClockChange(
            at(3.5), ChangeCause.STARTED, 2 * H, at(5.5), "corp/nr", "cr", "customer_replied"
        ),
        ClockChange(at(5.5), ChangeCause.STOPPED, 2 * H, at(5.5), "corp/nr", "a", "agent reply"),
    )
    assert (nr.state, nr.elapsed_seconds, nr.paused_seconds) == (ClockState.MET, 2 * H, 0)
    # the cycle's 50 % (1h) came at 4.5h, between two events: applied before the next one
    assert [(w.threshold, w.at) for w in nr.warnings] == [(Decimal("0.5"), at(4.5))]
    assert {m.ticket for m in clocks.values()} == {"T"}


def test_a_change_to_terms_whose_pause_states_include_the_status_pauses_the_clock():
    clocks = fold(
        ev("c", EventType.CREATED, 0, priority="P1", status="pending"),
        ev("p", EventType.ATTRIBUTES_CHANGED, 2, changes=(("priority", "P2"),)),
        now=at(5),
    )
    res = clocks[(RES, 0)]
    assert res.history[-1] == ClockChange(
        at(2),
        ChangeCause.ATTRIBUTES_CHANGED,
        10 * H,
        None,
        "corp/res-p2",
        "p",
        "priority=P2: now corp/res-p2 (was corp/res-p1)",
    )
    assert (res.state, res.deadline, res.elapsed_seconds, res.paused_seconds) == (
        ClockState.PAUSED,
        None,
        2 * H,
        3 * H,
    )
    assert res.next_due_at is None
    fr = clocks[(FR, 0)]  # breached at 1h + 1 s: a breached clock keeps its outcome
    assert (fr.state, fr.breached_at, len(fr.history)) == (ClockState.BREACHED, at(1) + 1, 1)


def test_a_change_to_terms_that_do_not_pause_on_the_status_resumes_the_clock():
    clocks = fold(
        ev("c", EventType.CREATED, 0, priority="P1", status="open"),
        ev("w", EventType.STATUS_CHANGED, 1, status="waiting"),
        ev("p", EventType.ATTRIBUTES_CHANGED, 3, changes=(("priority", "P2"),)),
        now=at(4),
    )
    res = clocks[(RES, 0)]
    # 1h accrued before the pause; P2 gives 10h and does not pause on "waiting"
    assert res.history[-1] == ClockChange(
        at(3),
        ChangeCause.ATTRIBUTES_CHANGED,
        10 * H,
        at(12),
        "corp/res-p2",
        "p",
        "priority=P2: now corp/res-p2 (was corp/res-p1)",
    )
    assert (res.state, res.elapsed_seconds, res.paused_seconds) == (
        ClockState.RUNNING,
        2 * H,
        2 * H,
    )
    assert res.next_due_at == at(7)  # 50 % of 10h: 4 more hours from the change


def test_new_terms_re_measure_every_run_and_pause_and_keep_counting_from_them():
    clocks = fold(
        ev("c", EventType.CREATED, 0, priority="P1", status="open"),
        ev("w1", EventType.STATUS_CHANGED, 1, status="waiting"),
        ev("o1", EventType.STATUS_CHANGED, 2, status="open"),
        ev("w2", EventType.STATUS_CHANGED, 3, status="waiting"),
        ev("o2", EventType.STATUS_CHANGED, 4, status="open"),
        ev("p", EventType.ATTRIBUTES_CHANGED, 6, changes=(("priority", "P2"),)),
        now=at(6),
    )
    res = clocks[(RES, 0)]
    # runs 0-1, 2-3 and 4-6 (4h), pauses 1-2 and 3-4 (2h); 6h left of P2's 10h
    assert (res.elapsed_seconds, res.paused_seconds, res.deadline) == (4 * H, 2 * H, at(12))
    # 50 % of 10h is exactly what has elapsed at the change: it fires there, once
    assert [(w.threshold, w.at) for w in res.warnings] == [(Decimal("0.5"), at(6))]


def test_a_warning_fired_before_a_change_does_not_fire_again_after_it():
    clocks = fold(
        ev("c", EventType.CREATED, 0, priority="P1", status="open"),
        ev("p", EventType.ATTRIBUTES_CHANGED, 5, changes=(("priority", "P2"),)),
        now=at(6),
    )
    res = clocks[(RES, 0)]
    # P1's 50 % (4h) fired at 4h; P2's 50 % (5h) is reached exactly at the change
    assert [(w.threshold, w.at) for w in res.warnings] == [(Decimal("0.5"), at(4))]
    assert res.deadline == at(10)


def test_a_newly_applying_first_response_is_replayed_from_creation_and_keeps_the_cancelled_story():
    clocks = fold(
        ev("c", EventType.CREATED, 0, priority="P1", status="open"),
        ev("p2", EventType.ATTRIBUTES_CHANGED, 0.5, changes=(("priority", "P2"),)),
        ev("p1", EventType.ATTRIBUTES_CHANGED, 2, changes=(("priority", "P1"),)),
        now=at(3),
    )
    fr = clocks[(FR, 0)]
    assert fr.history == (
        ClockChange(at(0), ChangeCause.STARTED, H, at(1), "corp/fr", "c", "created"),
        ClockChange(
            at(0.5),
            ChangeCause.CANCELLED,
            H,
            at(1),
            "corp/fr",
            "p2",
            "priority=P2: objective no longer applies",
        ),
        ClockChange(at(0), ChangeCause.STARTED, H, at(1), "corp/fr", "c", "created"),
        ClockChange(
            at(2),
            ChangeCause.RETROACTIVE_START,
            H,
            at(1),
            "corp/fr",
            "p1",
            "priority=P1: corp/fr newly applies",
        ),
    )
    assert (fr.state, fr.breached_at) == (ClockState.BREACHED, at(2))


def test_a_replayed_clock_that_stopped_in_time_is_settled_as_met_with_the_change_noted():
    clocks = fold(
        ev("c", EventType.CREATED, 0, priority="P2", status="open"),
        ev("r", EventType.RESPONDED, 0.5),
        ev("p1", EventType.ATTRIBUTES_CHANGED, 2, changes=(("priority", "P1"),)),
        now=at(3),
    )
    fr = clocks[(FR, 0)]
    assert (fr.state, fr.stopped_at, fr.breached_at) == (ClockState.MET, at(0.5), None)
    assert fr.history[-1] == ClockChange(
        at(2),
        ChangeCause.RETROACTIVE_START,
        H,
        at(1),
        "corp/fr",
        "p1",
        "priority=P1: corp/fr newly applies",
    )


def plan(**objective: object) -> ClockPlan:
    base: dict[str, object] = {"id": "o", "metric": Metric.RESOLUTION, "target_seconds": 10}
    agreement = Agreement(
        id="a",
        level=Level.CORPORATE,
        title="a",
        objectives=(Objective(**base | objective),),  # type: ignore[arg-type]
    )
    defs = Definitions({}, {}, {}, (agreement,))
    applied = resolve_objectives(defs, TicketScope(None, None, {}), DAY)[Metric.RESOLUTION]
    calendar = build_calendars({"24x7": CalendarSpec.always_open()})["24x7"]
    return ClockPlan.of(applied, calendar)


def test_a_warning_threshold_is_the_fraction_of_the_target_rounded_up_to_a_second():
    made = plan(warn_at=(Decimal("0.8"), Decimal("0.33"), Decimal("0")), calendar="24x7")
    # 0.33 x 10 s = 3.3 s -> 4 s; 0.8 x 10 s = 8 s; a 0 threshold is no threshold
    assert made.thresholds == ((Decimal("0.33"), 4), (Decimal("0.8"), 8))
    assert (made.target, made.calendar_name, made.key) == (10, "24x7", "a/o")


def test_plans_have_the_same_terms_only_with_the_same_objective_target_calendar_and_pauses():
    same = plan()
    assert same.same_terms(plan())
    assert not same.same_terms(plan(id="other"))
    assert not same.same_terms(plan(target_seconds=11))
    assert not same.same_terms(plan(calendar="office"))
    assert not same.same_terms(plan(pause_on=frozenset({"waiting"})))


def test_a_clock_started_in_one_of_its_pause_states_is_paused_from_creation():
    res = fold(ev("c", EventType.CREATED, 0, priority="P1", status="waiting"), now=at(2))[(RES, 0)]
    assert (res.state, res.elapsed_seconds, res.paused_seconds, res.deadline) == (
        ClockState.PAUSED,
        0,
        2 * H,
        None,
    )


def test_paused_time_adds_the_closed_pauses_to_the_current_one():
    res = fold(
        ev("c", EventType.CREATED, 0, priority="P1", status="open"),
        ev("w1", EventType.STATUS_CHANGED, 1, status="waiting"),
        ev("o1", EventType.STATUS_CHANGED, 2, status="open"),
        ev("w2", EventType.STATUS_CHANGED, 3, status="waiting"),
        now=at(4),
    )[(RES, 0)]
    assert (res.state, res.elapsed_seconds, res.paused_seconds) == (ClockState.PAUSED, 2 * H, 2 * H)


def test_warnings_a_change_catches_up_count_the_closed_runs_and_an_exact_threshold():
    res = fold(
        ev("c", EventType.CREATED, 0, priority="P2", status="open"),
        ev("p", EventType.STATUS_CHANGED, 2, status="pending"),
        ev("o", EventType.STATUS_CHANGED, 3, status="open"),
        ev("x", EventType.ATTRIBUTES_CHANGED, 7, changes=(("priority", "P1"),)),
        now=at(7),
    )[(RES, 0)]
    # P2's 50 % (5h) at 6h; under P1, 75 % (6h) is exactly what elapsed by 7h (2h + 4h)
    assert [(w.threshold, w.at) for w in res.warnings] == [
        (Decimal("0.5"), at(6)),
        (Decimal("0.75"), at(7)),
    ]
    assert res.deadline == at(9)


def test_new_terms_find_the_run_that_passed_their_deadline():
    res = fold(
        ev("c", EventType.CREATED, 0, priority="P2", status="open"),
        ev("p1", EventType.STATUS_CHANGED, 3, status="pending"),
        ev("o", EventType.STATUS_CHANGED, 4, status="open"),
        ev("p2", EventType.STATUS_CHANGED, 10, status="pending"),
        ev("x", EventType.ATTRIBUTES_CHANGED, 11, changes=(("priority", "P1"),)),
        now=at(12),
    )[(RES, 0)]
    # P1's 8h: 3h in the first run, the other 5h 5h into the second (4h -> 9h)
    assert (res.state, res.deadline, res.breached_at) == (ClockState.BREACHED, at(9), at(11))


def test_a_warning_passed_under_new_terms_fires_at_the_change_not_when_it_was_reached():
    res = fold(
        ev("c", EventType.CREATED, 0, priority="P2", status="open"),
        ev("p", EventType.STATUS_CHANGED, 2, status="pending"),
        ev("o", EventType.STATUS_CHANGED, 3, status="open"),
        ev("x", EventType.ATTRIBUTES_CHANGED, 7.5, changes=(("priority", "P1"),)),
        now=at(8),
    )[(RES, 0)]
    # P1's 75 % (6h) was passed at 7h, before P1 applied: it fires at the change
    assert (Decimal("0.75"), at(7.5)) in [(w.threshold, w.at) for w in res.warnings]


def test_new_terms_count_every_earlier_run_towards_their_deadline():
    res = fold(
        ev("c", EventType.CREATED, 0, priority="P2", status="open"),
        ev("p1", EventType.STATUS_CHANGED, 2, status="pending"),
        ev("o1", EventType.STATUS_CHANGED, 3, status="open"),
        ev("p2", EventType.STATUS_CHANGED, 5, status="pending"),
        ev("o2", EventType.STATUS_CHANGED, 6, status="open"),
        ev("p3", EventType.STATUS_CHANGED, 10.5, status="pending"),
        ev("x", EventType.ATTRIBUTES_CHANGED, 11, changes=(("priority", "P1"),)),
        now=at(12),
    )[(RES, 0)]
    # runs of 2h, 2h, then 4h more of P1's 8h from 6h: due at 10h, the run went on to 10.5h
    assert (res.state, res.deadline, res.breached_at) == (ClockState.BREACHED, at(10), at(11))


def test_new_terms_already_used_up_by_earlier_runs_are_passed_in_the_next_run():
    res = fold(
        ev("c", EventType.CREATED, 0, priority="P2", status="open"),
        ev("p1", EventType.STATUS_CHANGED, 8, status="pending"),
        ev("o", EventType.STATUS_CHANGED, 9, status="open"),
        ev("p2", EventType.STATUS_CHANGED, 10, status="pending"),
        ev("x", EventType.ATTRIBUTES_CHANGED, 11, changes=(("priority", "P1"),)),
        now=at(12),
    )[(RES, 0)]
    # the first run accrued exactly P1's 8h; the next run was late from its first second
    assert (res.state, res.deadline, res.breached_at) == (ClockState.BREACHED, at(9), at(11))


def test_a_clock_started_retroactively_in_one_of_its_pause_states_stays_paused():
    fr = fold(
        ev("c", EventType.CREATED, 0, priority="P2", status="open"),
        ev("w", EventType.STATUS_CHANGED, 0.5, status="waiting"),
        ev("x", EventType.ATTRIBUTES_CHANGED, 2, changes=(("priority", "P1"),)),
        now=at(3),
        fr_pause_on=frozenset({"waiting"}),
    )[(FR, 0)]
    assert (fr.state, fr.elapsed_seconds, fr.paused_seconds, fr.deadline) == (
        ClockState.PAUSED,
        H // 2,
        int(2.5 * H),
        None,
    )


def test_a_clock_that_concluded_keeps_its_story_when_its_metric_applies_again():
    clocks = fold(
        ev("c", EventType.CREATED, 0, priority="P1", status="open"),
        ev("r", EventType.RESPONDED, 0.5),
        ev("cr", EventType.CUSTOMER_REPLIED, 1),
        ev("a", EventType.RESPONDED, 1.5),
        ev("p2", EventType.ATTRIBUTES_CHANGED, 2, changes=(("priority", "P2"),)),
        ev("p1", EventType.ATTRIBUTES_CHANGED, 3, changes=(("priority", "P1"),)),
        now=at(4),
    )
    fr, nr = clocks[(FR, 0)], clocks[(NR, 1)]
    assert (fr.state, [c.cause for c in fr.history]) == (
        ClockState.MET,
        [ChangeCause.STARTED, ChangeCause.STOPPED],
    )
    assert (nr.state, [c.cause for c in nr.history]) == (
        ClockState.MET,
        [ChangeCause.STARTED, ChangeCause.STOPPED],
    )


def test_a_breached_clock_still_running_keeps_its_breach_when_its_metric_applies_again():
    fr = fold(
        ev("c", EventType.CREATED, 0, priority="P1", status="open"),
        ev("p2", EventType.ATTRIBUTES_CHANGED, 2, changes=(("priority", "P2"),)),
        ev("p1", EventType.ATTRIBUTES_CHANGED, 3, changes=(("priority", "P1"),)),
        now=at(4),
    )[(FR, 0)]
    assert (fr.state, fr.breached_at, len(fr.history)) == (ClockState.BREACHED, at(1) + 1, 1)


def test_a_running_cycle_is_cancelled_when_next_response_stops_applying():
    clocks = fold(
        ev("c", EventType.CREATED, 0, priority="P1", status="open"),
        ev("r", EventType.RESPONDED, 0.25),
        ev("cr", EventType.CUSTOMER_REPLIED, 1),
        ev("x", EventType.ATTRIBUTES_CHANGED, 1.5, changes=(("priority", "P2"), ("tier", "b"))),
        now=at(2),
    )
    nr = clocks[(NR, 1)]
    assert nr.state is ClockState.CANCELLED
    assert nr.history[-1].detail == "priority=P2, tier=b: objective no longer applies"


def test_every_replayed_cycle_of_a_newly_applying_next_response_is_settled():
    clocks = fold(
        ev("c", EventType.CREATED, 0, priority="P2", status="open"),
        ev("r", EventType.RESPONDED, 0.25),
        ev("cr1", EventType.CUSTOMER_REPLIED, 1),
        ev("a1", EventType.RESPONDED, 1.5),
        ev("cr2", EventType.CUSTOMER_REPLIED, 2),
        ev("x", EventType.ATTRIBUTES_CHANGED, 3, changes=(("priority", "P1"),)),
        now=at(3),
    )
    first, second = clocks[(NR, 1)], clocks[(NR, 2)]
    assert [c.cause for c in first.history] == [
        ChangeCause.STARTED,
        ChangeCause.STOPPED,
        ChangeCause.RETROACTIVE_START,
    ]
    assert [c.cause for c in second.history] == [
        ChangeCause.STARTED,
        ChangeCause.RETROACTIVE_START,
    ]
    assert (first.state, second.state, second.deadline) == (
        ClockState.MET,
        ClockState.RUNNING,
        at(4),
    )
