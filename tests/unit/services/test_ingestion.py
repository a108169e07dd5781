"""record_events and sweep_due_clocks over the in-memory storage: idempotence, revisions, transitions."""

from __future__ import annotations

import random

import pytest

from servanda.bootstrap import fold_for, memory_storage
from servanda.domain.clock.measurement import ClockState
from servanda.domain.errors import EventError, NotFoundError
from servanda.domain.events import EventType, TicketEvent
from servanda.services.evaluation import Evaluator
from servanda.services.ingestion import record_events
from servanda.services.ports import TransitionKind, UnitOfWorkFactory
from servanda.services.revisions import apply_definitions
from servanda.services.sweeping import sweep_due_clocks
from servanda.specs.snapshot import content_hash
from tests.streams import HOUR, START, apply_small_definitions, event_stream, small_definitions

LATER = START + 30 * 24 * HOUR


@pytest.fixture
def stored() -> tuple[UnitOfWorkFactory, Evaluator]:
    uow_factory, evaluator = memory_storage()
    apply_small_definitions(uow_factory)
    return uow_factory, evaluator


def _states(uow_factory: UnitOfWorkFactory, tickets: set[str]) -> dict[str, list[object]]:
    with uow_factory() as uow:
        return {t: [s.measurement for s in uow.measurements.for_ticket(t)] for t in tickets}


def test_re_recording_the_same_events_reports_them_as_duplicates(stored) -> None:
    uow_factory, evaluator = stored
    events = list(event_stream(20))
    first = record_events(uow_factory, evaluator, events, LATER)
    again = record_events(uow_factory, evaluator, events, LATER)
    assert (first.new, first.duplicates) == (len(events), 0)
    assert (again.new, again.duplicates, again.tickets) == (0, len(events), 0)


def test_measurements_do_not_depend_on_batching_or_arrival_order(stored) -> None:
    uow_factory, evaluator = stored
    events = list(event_stream(30))
    record_events(uow_factory, evaluator, events, LATER)
    tickets = {e.ticket for e in events}
    whole = _states(uow_factory, tickets)

    other_factory, other_evaluator = memory_storage()
    apply_small_definitions(other_factory)
    shuffled = events[:]
    random.Random(3).shuffle(shuffled)
    for start in range(0, len(shuffled), 17):
        record_events(other_factory, other_evaluator, shuffled[start : start + 17], LATER)
    assert _states(other_factory, tickets) == whole


def test_an_identity_reused_with_other_content_is_refused_and_the_rest_stored(stored) -> None:
    uow_factory, evaluator = stored
    created = TicketEvent("e1", "T1", EventType.CREATED, START, priority="P1")
    record_events(uow_factory, evaluator, [created], LATER)
    clash = TicketEvent("e1", "T1", EventType.CREATED, START, priority="P2")
    reply = TicketEvent("e2", "T1", EventType.RESPONDED, START + 60)
    outcome = record_events(uow_factory, evaluator, [clash, reply], LATER)
    assert outcome.conflicts == (clash,)
    assert outcome.new == 1


def test_strict_recording_stores_nothing_of_a_batch_with_a_conflict(stored) -> None:
    uow_factory, evaluator = stored
    record_events(
        uow_factory, evaluator, [TicketEvent("e1", "T1", EventType.CREATED, START)], LATER
    )
    clash = TicketEvent("e1", "T1", EventType.CREATED, START + 1)
    reply = TicketEvent("e2", "T1", EventType.RESPONDED, START + 60)
    with pytest.raises(EventError, match="other content"):
        record_events(uow_factory, evaluator, [clash, reply], LATER, strict=True)
    with uow_factory() as uow:
        assert uow.events.count() == 1


def test_a_ticket_is_measured_by_the_revision_in_force_at_its_creation(stored) -> None:
    uow_factory, evaluator = stored
    apply_definitions(
        uow_factory,
        small_definitions(resolution_hours=2),
        fingerprint=content_hash,
        now=START,
        effective_from=START + 10 * HOUR,
    )
    before = TicketEvent("a0", "OLD", EventType.CREATED, START + HOUR, priority="P3")
    after = TicketEvent("b0", "NEW", EventType.CREATED, START + 11 * HOUR, priority="P3")
    record_events(uow_factory, evaluator, [before, after], LATER)
    with uow_factory() as uow:
        old_target = {
            s.key: s.measurement.target_seconds for s in uow.measurements.for_ticket("OLD")
        }
        new_target = {
            s.key: s.measurement.target_seconds for s in uow.measurements.for_ticket("NEW")
        }
        assert (uow.tickets.get("OLD").revision_id, uow.tickets.get("NEW").revision_id) == (1, 2)
    assert (old_target["resolution:0"], new_target["resolution:0"]) == (8 * HOUR, 2 * HOUR)


def test_recording_without_any_revision_says_what_to_do() -> None:
    uow_factory, evaluator = memory_storage()
    with pytest.raises(NotFoundError, match="definitions apply"):
        record_events(
            uow_factory, evaluator, [TicketEvent("e", "T", EventType.CREATED, START)], START
        )


def test_a_sweep_records_a_due_breach_once_and_only_when_due(stored) -> None:
    uow_factory, evaluator = stored
    created = TicketEvent("e1", "T1", EventType.CREATED, START, priority="P1")
    outcome = record_events(uow_factory, evaluator, [created], START + 60)
    assert outcome.transitions == ()
    early = sweep_due_clocks(uow_factory, evaluator, START + 30 * 60)
    assert early.transitions == ()
    due = sweep_due_clocks(uow_factory, evaluator, START + 2 * HOUR)
    kinds = sorted((t.measurement_key, t.kind.value) for t in due.transitions)
    assert kinds == [("first_response:0", "breached")]
    repeat = sweep_due_clocks(uow_factory, evaluator, START + 2 * HOUR)
    assert (repeat.tickets, repeat.transitions) == (0, ())


def test_warnings_and_the_resolution_breach_each_fire_once_over_several_sweeps(stored) -> None:
    uow_factory, evaluator = stored
    record_events(
        uow_factory,
        evaluator,
        [TicketEvent("e1", "T1", EventType.CREATED, START, priority="P2")],
        START,
    )
    recorded = []
    for hour in range(1, 12):
        recorded.extend(sweep_due_clocks(uow_factory, evaluator, START + hour * HOUR).transitions)
    resolution = [(t.kind, t.threshold) for t in recorded if t.measurement_key == "resolution:0"]
    assert resolution == [
        (TransitionKind.WARNING, "0.5"),
        (TransitionKind.WARNING, "0.8"),
        (TransitionKind.BREACHED, ""),
    ]
    with uow_factory() as uow:
        states = {s.key: s.measurement.state for s in uow.measurements.for_ticket("T1")}
        assert uow.tickets.get("T1").next_due_at is None
    assert states == {"first_response:0": ClockState.BREACHED, "resolution:0": ClockState.BREACHED}


def test_the_memory_fold_matches_a_direct_fold_of_the_events(stored) -> None:
    uow_factory, evaluator = stored
    events = list(event_stream(10))
    record_events(uow_factory, evaluator, events, LATER)
    fold = fold_for(small_definitions())
    ticket = events[0].ticket
    with uow_factory() as uow:
        stored_measurements = [s.measurement for s in uow.measurements.for_ticket(ticket)]
    direct = fold.evaluate([e for e in events if e.ticket == ticket], LATER).measurements
    assert sorted(stored_measurements, key=repr) == sorted(direct, key=repr)
