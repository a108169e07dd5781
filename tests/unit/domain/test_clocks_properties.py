"""Properties of the clock fold that hold for any ticket story (hypothesis).

- Arrival order and duplicates never change the result (SEMANTICS rule 10).
- A running clock's deadline is exactly its remaining business time away, and
  not yet passed: late means after the deadline (rule 8).
- A clock breached by time was running one second before its breach, with the
  breach due then: ``breached_at == deadline + 1``, in open or closed time.
- A clock that stopped while running is met exactly when it stopped at or
  before its deadline.
- Once a clock has stopped, evaluating later changes nothing about it.
"""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from servanda.domain.agreements import Agreement, Condition, Definitions, Level, Metric, Objective
from servanda.domain.calendar.arithmetic import build_calendars
from servanda.domain.calendar.spec import CalendarSpec, Window
from servanda.domain.clock.engine import ClockEngine
from servanda.domain.clock.measurement import ClockState, Measurement
from servanda.domain.events import EventType, TicketEvent

MONDAY = 1772438400  # 2026-03-02T08:00:00Z, 09:00 in Berlin
HOUR = 3600
OFFICE = CalendarSpec(
    name="office",
    timezone="Europe/Berlin",
    weekly=((Window(9 * HOUR, 17 * HOUR),),) * 5 + ((), ()),
)


def _objective(
    id: str, metric: Metric, priorities: set[str], hours: int, calendar: str
) -> Objective:
    return Objective(
        id=id,
        metric=metric,
        conditions=(Condition("priority", frozenset(priorities)),),
        target_seconds=hours * HOUR,
        calendar=calendar,
        warn_at=(Decimal("0.5"), Decimal("0.8")),
    )


DEFINITIONS = Definitions(
    calendars={"office": OFFICE, "24x7": CalendarSpec.always_open()},
    services={},
    customers={},
    agreements=(
        Agreement(
            id="corp",
            level=Level.CORPORATE,
            title="corp",
            pause_on=frozenset({"waiting_on_customer"}),
            objectives=(
                _objective("fr-p1", Metric.FIRST_RESPONSE, {"P1"}, 1, "24x7"),
                _objective("fr-p2", Metric.FIRST_RESPONSE, {"P2"}, 4, "office"),
                _objective("nr", Metric.NEXT_RESPONSE, {"P1", "P2", "P3"}, 2, "office"),
                _objective("res-p1", Metric.RESOLUTION, {"P1"}, 8, "24x7"),
                _objective("res-p2", Metric.RESOLUTION, {"P2", "P3"}, 16, "office"),
            ),
        ),
    ),
    timezone="Europe/Berlin",
)
CALENDARS = build_calendars(DEFINITIONS.calendars)
ENGINE = ClockEngine(DEFINITIONS, CALENDARS)

KINDS = [kind for kind in EventType if kind is not EventType.CREATED]


@st.composite
def stories(draw: st.DrawFn) -> list[TicketEvent]:
    """A created event then up to 14 events within five days, some at the same instant.

    Half the tickets are created on a whole hour, so that deadlines fall on the
    office's closing time (13:00 + 4h, 09:00 + 16h) and clocks run past them.
    """
    hours = st.integers(-12, 12).map(lambda n: n * HOUR)
    created = MONDAY + draw(st.integers(-12 * HOUR, 12 * HOUR) | hours)
    priority = draw(st.sampled_from(["P1", "P2", "P3", "P4"]))
    events = [TicketEvent("c", "T", EventType.CREATED, created, priority=priority)]
    instants = st.integers(0, 5 * 24 * HOUR).map(lambda offset: created + offset - offset % 600)
    for number in range(draw(st.integers(0, 14))):
        kind = draw(st.sampled_from(KINDS))
        at = draw(instants)
        extra: dict[str, object] = {}
        if kind is EventType.STATUS_CHANGED:
            extra["status"] = draw(st.sampled_from(["open", "waiting_on_customer", "pending"]))
        elif kind is EventType.ATTRIBUTES_CHANGED:
            extra["changes"] = (("priority", draw(st.sampled_from(["P1", "P2", "P3", "P4"]))),)
        elif kind is EventType.RATED:
            extra["score"] = Decimal(4)
        events.append(TicketEvent(f"e{number}", "T", kind, at, **extra))  # type: ignore[arg-type]
    return events


def _now(events: list[TicketEvent], later: int) -> int:
    return max(event.at for event in events) + later


@settings(max_examples=80, deadline=None)
@given(stories(), st.integers(0, 3 * 24 * HOUR), st.randoms(use_true_random=False))
def test_any_arrival_order_and_any_duplicates_give_identical_measurements(events, later, rnd):
    now = _now(events, later)
    shuffled = events + [rnd.choice(events) for _ in range(rnd.randint(1, 4))]
    rnd.shuffle(shuffled)
    assert ENGINE.evaluate(shuffled, now).measurements == ENGINE.evaluate(events, now).measurements


@settings(max_examples=80, deadline=None)
@given(stories(), st.integers(0, 3 * 24 * HOUR))
def test_a_running_clock_has_exactly_its_remaining_business_time_until_its_deadline(events, later):
    now = _now(events, later)
    for m in ENGINE.evaluate(events, now).measurements:
        assert m.elapsed_seconds + m.remaining_seconds == m.target_seconds
        if m.state is ClockState.RUNNING:
            assert m.deadline is not None
            calendar = CALENDARS[m.calendar]
            assert calendar.between_epoch(now, m.deadline) == m.remaining_seconds
            assert now <= m.deadline  # one second later it would be breached
            assert m.next_due_at is not None
            assert now < m.next_due_at <= m.deadline + 1


@settings(max_examples=80, deadline=None)
@given(stories(), st.integers(0, 3 * 24 * HOUR))
def test_a_clock_breached_by_time_was_running_one_second_before_with_its_breach_due(events, later):
    now = _now(events, later)
    changes = {e.at for e in events if e.type is EventType.ATTRIBUTES_CHANGED}
    for m in ENGINE.evaluate(events, now).measurements:
        if m.state is not ClockState.BREACHED or m.breached_at in changes:
            continue  # breached at an attribute change: that instant, by rule 7
        assert m.deadline is not None
        assert m.breached_at == m.deadline + 1
        before = ENGINE.evaluate(events, m.breached_at - 1).measurements
        [same] = [b for b in before if (b.metric, b.cycle) == (m.metric, m.cycle)]
        assert same.state is ClockState.RUNNING
        assert (same.deadline, same.next_due_at) == (m.deadline, m.breached_at)


@settings(max_examples=80, deadline=None)
@given(stories(), st.integers(0, 3 * 24 * HOUR))
def test_a_running_clock_is_met_if_stopped_at_its_deadline_and_breached_one_second_later(
    events, later
):
    now = _now(events, later)
    last = max(event.at for event in events)

    def clock(at: int, extra: list[TicketEvent], like: Measurement) -> Measurement:
        [found] = [
            m
            for m in ENGINE.evaluate(events + extra, at).measurements
            if (m.metric, m.cycle) == (like.metric, like.cycle)
        ]
        return found

    for m in ENGINE.evaluate(events, now).measurements:
        if m.state is not ClockState.RUNNING:
            continue
        deadline = m.deadline
        assert deadline is not None
        alone = clock(deadline + 1, [], m)
        assert (alone.state, alone.breached_at) == (ClockState.BREACHED, deadline + 1)
        if deadline > last:  # a stop after every event of the story
            stop = TicketEvent("stop", "T", EventType.RESOLVED, deadline)
            assert clock(deadline, [stop], m).state is ClockState.MET
            late = clock(deadline + 1, [replace(stop, at=deadline + 1)], m)
            assert (late.state, late.breached_at) == (ClockState.BREACHED, deadline + 1)


@settings(max_examples=80, deadline=None)
@given(stories(), st.integers(0, 3 * 24 * HOUR))
def test_a_clock_stopped_while_running_is_met_exactly_when_it_stopped_by_its_deadline(
    events, later
):
    now = _now(events, later)
    changes = {e.at for e in events if e.type is EventType.ATTRIBUTES_CHANGED}
    for m in ENGINE.evaluate(events, now).measurements:
        if m.stopped_at is None or m.deadline is None or m.state is ClockState.CANCELLED:
            continue  # open, or stopped while paused (no deadline then)
        if m.state is ClockState.MET:
            assert m.stopped_at <= m.deadline
        elif m.breached_at not in changes:
            assert m.breached_at == m.deadline + 1 <= m.stopped_at


@settings(max_examples=80, deadline=None)
@given(stories(), st.integers(0, 3 * 24 * HOUR), st.integers(1, 30 * 24 * HOUR))
def test_a_stopped_clock_reads_the_same_at_any_later_instant(events, later, more):
    now = _now(events, later)
    before = ENGINE.evaluate(events, now).measurements
    after = ENGINE.evaluate(events, now + more).measurements
    assert len(before) == len(after)
    for early, late in zip(before, after, strict=True):
        if early.is_stopped:
            assert replace(early, evaluated_at=0) == replace(late, evaluated_at=0)


def test_the_generated_stories_reach_every_clock_state():
    """Guards the properties above against a generator that never exercises a state."""
    seen: set[ClockState] = set()
    rnd = random.Random(7)
    for _ in range(300):
        events = _random_story(rnd)
        for m in ENGINE.evaluate(events, _now(events, rnd.randint(0, 48 * HOUR))).measurements:
            seen.add(m.state)
    assert seen == set(ClockState)


def _random_story(rnd: random.Random) -> list[TicketEvent]:
    created = MONDAY + rnd.randint(-12, 12) * HOUR
    events = [TicketEvent("c", "T", EventType.CREATED, created, priority=rnd.choice(["P1", "P2"]))]
    for number in range(rnd.randint(0, 10)):
        kind = rnd.choice(KINDS)
        extra: dict[str, object] = {}
        if kind is EventType.STATUS_CHANGED:
            extra["status"] = rnd.choice(["open", "waiting_on_customer"])
        elif kind is EventType.ATTRIBUTES_CHANGED:
            extra["changes"] = (("priority", rnd.choice(["P1", "P2", "P4"])),)
        at = created + rnd.randint(0, 72) * 600
        events.append(TicketEvent(f"e{number}", "T", kind, at, **extra))  # type: ignore[arg-type]
    return events
