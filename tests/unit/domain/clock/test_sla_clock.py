"""One SLA clock driven directly: plans and warning thresholds, due instants on business calendars,
pauses, stops and cancels, retargeting, replays without time, and what a measurement reports."""

from __future__ import annotations

from decimal import Decimal as D

from servanda.domain.agreements import Agreement, Level, Metric, Objective, Specificity
from servanda.domain.calendar.arithmetic import BusinessCalendar
from servanda.domain.calendar.spec import CalendarSpec, Window
from servanda.domain.clock.measurement import ChangeCause, ClockState, FiredWarning
from servanda.domain.clock.sla_clock import ClockPlan, SLAClock
from servanda.domain.precedence import AppliedObjective

H = 3600
MONDAY = 1_772_438_400  # 2026-03-02T08:00:00Z, 09:00 in Berlin
ALWAYS = BusinessCalendar(CalendarSpec.always_open())
OFFICE = BusinessCalendar(
    CalendarSpec("office", "Europe/Berlin", ((Window(9 * H, 17 * H),),) * 5 + ((), ()))
)


def plan(
    target: int,
    *,
    warn_at: tuple[str, ...] = (),
    calendar: BusinessCalendar = ALWAYS,
    name: str = "res",
    pause_on: frozenset[str] = frozenset({"waiting"}),
) -> ClockPlan:
    objective = Objective(
        name, Metric.RESOLUTION, target_seconds=target,
        calendar="24x7" if calendar is ALWAYS else "office",
        warn_at=tuple(D(f) for f in warn_at),
    )  # fmt: skip
    agreement = Agreement("house", Level.CORPORATE, "House", (objective,))
    applied = AppliedObjective(Metric.RESOLUTION, agreement, objective, Specificity.CORPORATE,
                               pause_on, ())  # fmt: skip
    return ClockPlan.of(applied, calendar)


def started(p: ClockPlan, at: int = MONDAY, *, timed: bool = True) -> SLAClock:
    clock = SLAClock(p, at, 0, timed=timed)
    clock.begin(at, False, ChangeCause.STARTED, "c")
    return clock


# ----------------------------------------------------------------- plans


def test_warning_thresholds_are_rounded_up_to_whole_seconds_and_sorted() -> None:
    p = plan(7, warn_at=("0.8", "0.5", "0"))
    assert p.thresholds == ((D("0.5"), 4), (D("0.8"), 6))  # ceil(3.5), ceil(5.6); 0 % is no warning
    assert (p.key, p.metric, p.calendar_name, p.target) == (
        "house/res",
        Metric.RESOLUTION,
        "24x7",
        7,
    )


def test_plans_have_the_same_terms_when_key_target_calendar_and_pause_states_agree() -> None:
    base = plan(4 * H)
    assert base.same_terms(plan(4 * H, warn_at=("0.5",)))  # warnings are not terms
    assert not base.same_terms(plan(2 * H))
    assert not base.same_terms(plan(4 * H, name="other"))
    assert not base.same_terms(plan(4 * H, calendar=OFFICE))
    assert not base.same_terms(plan(4 * H, pause_on=frozenset()))


# ----------------------------------------------------------------- time-driven


def test_a_warning_fires_when_elapsed_reaches_the_rounded_up_share_of_the_target() -> None:
    clock = started(plan(7, warn_at=("0.5",)))
    clock.advance(MONDAY + 3)
    assert clock.fired == []
    clock.advance(MONDAY + 4)
    assert clock.fired == [FiredWarning(D("0.5"), MONDAY + 4)]


def test_advancing_past_several_due_instants_fires_each_at_its_own_instant_then_breaches() -> None:
    clock = started(plan(4 * H, warn_at=("0.5", "0.75")))
    clock.advance(MONDAY + 10 * H)
    assert clock.fired == [
        FiredWarning(D("0.5"), MONDAY + 2 * H),
        FiredWarning(D("0.75"), MONDAY + 3 * H),
    ]
    assert (clock.deadline, clock.breached_at) == (MONDAY + 4 * H, MONDAY + 4 * H + 1)
    assert clock.state is ClockState.BREACHED


def test_the_next_due_instant_is_exact_on_a_business_calendar() -> None:
    friday_4pm = MONDAY + 4 * 24 * H + 7 * H  # 2026-03-06T15:00:00Z, 16:00 in Berlin
    clock = started(plan(8 * H, warn_at=("0.5",), calendar=OFFICE), friday_4pm)
    measured = clock.measurement("T", friday_4pm)
    # 1h on Friday, 3h on Monday from 09:00: the warning is due Monday 12:00 Berlin (11:00Z)
    assert measured.next_due_at == MONDAY + 7 * 24 * H + 3 * H
    assert measured.deadline == MONDAY + 7 * 24 * H + 7 * H  # Monday 16:00 Berlin
    clock.advance(MONDAY + 7 * 24 * H + 3 * H - 1)
    assert clock.fired == []


# ----------------------------------------------------------------- pauses, stops, cancels


def test_a_pause_moves_the_deadline_and_resuming_counts_the_rest_from_the_resume() -> None:
    clock = started(plan(4 * H))
    clock.set_paused(True, MONDAY + H, "p", "waiting")
    assert (clock.deadline, clock.due, clock.state) == (None, None, ClockState.PAUSED)
    clock.set_paused(True, MONDAY + 2 * H, "p2", "waiting")  # already paused: nothing changes
    clock.set_paused(False, MONDAY + 5 * H, "r", "open")
    assert clock.deadline == MONDAY + 8 * H
    measured = clock.measurement("T", MONDAY + 6 * H)
    assert (measured.elapsed_seconds, measured.paused_seconds) == (2 * H, 4 * H)
    assert [c.cause for c in clock.history] == [
        ChangeCause.STARTED, ChangeCause.PAUSED, ChangeCause.RESUMED,
    ]  # fmt: skip
    assert clock.history[1].detail == "status waiting"


def test_a_stop_at_the_deadline_is_met_and_one_second_later_is_breached() -> None:
    on_time = started(plan(H))
    on_time.advance(MONDAY + H)
    on_time.stop(MONDAY + H, "r", "ticket resolved")
    assert (on_time.state, on_time.breached_at, on_time.stopped_at) == (
        ClockState.MET,
        None,
        MONDAY + H,
    )
    late = started(plan(H))
    late.advance(MONDAY + H + 1)
    late.stop(MONDAY + H + 1, "r", "ticket resolved")
    assert (late.state, late.breached_at) == (ClockState.BREACHED, MONDAY + H + 1)


def test_a_breach_is_sticky_through_a_stop_and_a_reopen() -> None:
    clock = started(plan(H))
    clock.advance(MONDAY + 2 * H)
    clock.stop(MONDAY + 2 * H, "r", "ticket resolved")
    clock.reopen(MONDAY + 3 * H, False, "o")
    clock.stop(MONDAY + 3 * H + 60, "r2", "ticket resolved")
    assert (clock.state, clock.breached_at) == (ClockState.BREACHED, MONDAY + H + 1)


def test_a_cancelled_clock_has_no_due_instant_and_stops_accruing() -> None:
    clock = started(plan(4 * H))
    clock.cancel(MONDAY + H, "a", "objective no longer applies")
    measured = clock.measurement("T", MONDAY + 10 * H)
    assert (measured.state, measured.elapsed_seconds, measured.next_due_at) == (
        ClockState.CANCELLED, H, None,
    )  # fmt: skip
    assert not clock.is_open
    assert not clock.is_retargetable


def test_a_reopen_into_a_pause_state_has_no_deadline_until_it_resumes() -> None:
    clock = started(plan(4 * H))
    clock.stop(MONDAY + H, "r", "ticket resolved")
    clock.reopen(MONDAY + 2 * H, True, "o")
    assert (clock.deadline, clock.state) == (None, ClockState.PAUSED)
    clock.set_paused(False, MONDAY + 3 * H, "s", "open")
    assert clock.deadline == MONDAY + 6 * H  # 3h left from the resume


# ----------------------------------------------------------------- retargeting and replays


def test_a_new_target_that_already_passed_breaches_at_the_change_with_the_passed_deadline() -> None:
    clock = started(plan(8 * H))
    clock.retarget(plan(2 * H, name="p1"), MONDAY + 3 * H, False, "a", "priority=P1")
    assert (clock.breached_at, clock.deadline) == (MONDAY + 3 * H, MONDAY + 2 * H)
    assert clock.plan.key == "house/p1"
    assert clock.history[-1].cause is ChangeCause.ATTRIBUTES_CHANGED


def test_a_new_target_still_ahead_moves_the_deadline_and_catches_up_passed_warnings() -> None:
    clock = started(plan(8 * H))
    clock.retarget(plan(4 * H, warn_at=("0.5",)), MONDAY + 3 * H, False, "a", "priority=P2")
    assert (clock.breached_at, clock.deadline) == (None, MONDAY + 4 * H)
    assert clock.fired == [FiredWarning(D("0.5"), MONDAY + 3 * H)]


def test_a_run_paused_exactly_at_the_new_target_is_not_late_and_has_nothing_left() -> None:
    clock = started(plan(8 * H))
    clock.set_paused(True, MONDAY + 2 * H, "p", "waiting")
    clock.retarget(plan(2 * H, name="p1"), MONDAY + 3 * H, True, "a", "priority=P1")
    assert (clock.breached_at, clock.deadline, clock.state) == (None, None, ClockState.PAUSED)
    clock.set_paused(False, MONDAY + 4 * H, "r", "open")
    assert clock.deadline == MONDAY + 4 * H  # late one second after the resume
    clock.advance(MONDAY + 4 * H + 1)
    assert clock.breached_at == MONDAY + 4 * H + 1


def test_a_new_target_re_measures_the_past_runs_on_the_new_calendar() -> None:
    clock = started(plan(24 * H))  # Monday 09:00 Berlin on 24x7
    clock.retarget(plan(10 * H, calendar=OFFICE), MONDAY + 26 * H, False, "a", "calendar")
    # Monday 09-17 (8h) and Tuesday 09-11 (2h) of office time: exactly the new target at the change
    assert clock.deadline == MONDAY + 26 * H
    assert clock.breached_at is None
    clock.advance(MONDAY + 26 * H + 1)
    assert clock.breached_at == MONDAY + 26 * H + 1


def test_a_replayed_clock_without_time_learns_it_was_late_when_its_run_closes() -> None:
    clock = started(plan(H), timed=False)
    clock.advance(MONDAY + 5 * H)
    assert clock.breached_at is None  # no time-driven steps while replaying
    clock.stop(MONDAY + 2 * H, "r", "first agent reply")
    assert clock.breached_at == MONDAY + H + 1
    clock.settle_retroactive(MONDAY + 3 * H, False, "a", "priority=P1: newly applies")
    assert clock.breached_at == MONDAY + 3 * H  # known, and so breached, at the change
    assert clock.history[-1].cause is ChangeCause.RETROACTIVE_START


def test_a_replayed_clock_still_running_goes_on_live_from_the_change() -> None:
    clock = started(plan(4 * H, warn_at=("0.25",)), timed=False)
    clock.settle_retroactive(MONDAY + 2 * H, False, "a", "newly applies")
    assert clock.timed
    assert (clock.deadline, clock.breached_at) == (MONDAY + 4 * H, None)
    assert clock.fired == [FiredWarning(D("0.25"), MONDAY + 2 * H)]
    assert clock.measurement("T", MONDAY + 2 * H).next_due_at == MONDAY + 4 * H + 1


def test_a_measurement_carries_the_plan_identity_the_elapsed_time_and_the_history() -> None:
    clock = started(plan(4 * H))
    measured = clock.measurement("T9", MONDAY + H)
    assert (measured.ticket, measured.agreement, measured.level, measured.objective_key) == (
        "T9", "house", Level.CORPORATE, "house/res",
    )  # fmt: skip
    assert (measured.state, measured.target_seconds, measured.elapsed_seconds) == (
        ClockState.RUNNING, 4 * H, H,
    )  # fmt: skip
    assert (measured.started_at, measured.calendar, measured.evaluated_at) == (
        MONDAY,
        "24x7",
        MONDAY + H,
    )
