"""Re-folding tickets over the in-memory storage: the revision schedule, keys, transitions, pins."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servanda.adapters.memory import InMemoryStore
from servanda.bootstrap import fold_for
from servanda.domain.agreements import Definitions
from servanda.domain.clock.measurement import ClockState
from servanda.domain.errors import EventError, NotFoundError
from servanda.domain.events import EventType, TicketEvent
from servanda.services.evaluation import (
    Evaluator,
    RevisionSchedule,
    keyed,
    ticket_state,
    transitions_of,
)
from servanda.services.ingestion import record_events
from servanda.services.ports import (
    ClockFold,
    RevisionSummary,
    TicketPin,
    TransitionKind,
    UnitOfWorkFactory,
)
from servanda.services.revisions import apply_definitions
from servanda.specs.snapshot import content_hash
from tests.streams import HOUR, START, apply_small_definitions, small_definitions

P1_FIRST_RESPONSE = "corporate/fr-p1"
RESOLUTION = "corporate/res"


def revision(revision_id: int, effective_from: int) -> RevisionSummary:
    return RevisionSummary(revision_id, f"hash-{revision_id}", effective_from, 0, "")


def created(ticket: str, at: int = START, priority: str = "P2", **values: str) -> TicketEvent:
    return TicketEvent(f"{ticket}-c", ticket, EventType.CREATED, at, priority=priority, **values)  # type: ignore[arg-type]


def event(ticket: str, n: int, kind: EventType, at: int, **values: object) -> TicketEvent:
    return TicketEvent(f"{ticket}-{n}", ticket, kind, at, **values)  # type: ignore[arg-type]


@pytest.fixture
def stored() -> tuple[UnitOfWorkFactory, Evaluator]:
    store = InMemoryStore()
    apply_small_definitions(store.unit_of_work)
    return store.unit_of_work, Evaluator(fold_for)


# ------------------------------------------------------------------ RevisionSchedule
def test_the_revision_in_force_is_the_latest_effective_one_and_the_later_applied_on_a_tie() -> None:
    schedule = RevisionSchedule([revision(3, 200), revision(1, 100), revision(2, 200)])
    assert schedule.revision_at(99) is None
    assert [schedule.revision_at(t) for t in (100, 199, 200, 10**9)] == [1, 1, 3, 3]
    assert schedule.in_force_at(200) == 3
    assert schedule.earliest == 1


def test_an_instant_before_every_revision_is_refused_with_the_earliest_effective_date() -> None:
    schedule = RevisionSchedule([revision(1, START), revision(2, START + HOUR)])
    with pytest.raises(EventError, match=r"earliest revision \(1\) is effective from 2026-05-28"):
        schedule.in_force_at(START - 1)


def test_a_schedule_without_any_revision_says_to_apply_definitions() -> None:
    with pytest.raises(NotFoundError, match="definitions apply"):
        RevisionSchedule([])


def test_a_stored_ticket_keeps_its_revision_while_its_creation_instant_is_unchanged() -> None:
    schedule = RevisionSchedule([revision(1, 0), revision(2, START - HOUR)])
    events = [created("T", START), event("T", 1, EventType.RESPONDED, START + 60)]
    assert schedule.for_ticket(events, None) == 2
    assert schedule.for_ticket(events, TicketPin(2, revision_id=1, created_at=START)) == 1


def test_an_earlier_created_event_chooses_the_revision_again_at_the_new_creation() -> None:
    schedule = RevisionSchedule([revision(1, 0), revision(2, START - HOUR)])
    earlier = [created("T", START - 2 * HOUR), event("T", 1, EventType.RESPONDED, START)]
    assert schedule.for_ticket(earlier, TicketPin(1, revision_id=2, created_at=START)) == 1


def test_a_ticket_without_created_is_dated_by_its_first_event_or_the_earliest_revision() -> None:
    schedule = RevisionSchedule([revision(1, START), revision(2, START + HOUR)])
    reply = [event("T", 1, EventType.RESPONDED, START + 2 * HOUR)]
    early = [event("T", 1, EventType.RESPONDED, START - HOUR)]
    assert schedule.for_ticket(reply, None) == 2
    assert schedule.for_ticket(early, None) == 1  # no clock without a creation: not refused


# ------------------------------------------------------------------ one ticket's results
def test_measurement_keys_are_metric_and_cycle_with_a_counter_on_a_repeat() -> None:
    evaluation = fold_for(small_definitions()).evaluate([created("T", priority="P1")], START)
    (first_response,) = [m for m in evaluation.measurements if m.objective_key == P1_FIRST_RESPONSE]
    stored = keyed([first_response, first_response, *evaluation.measurements], 7)
    assert [s.key for s in stored] == [
        "first_response:0",
        "first_response:0:2",
        "first_response:0:3",
        "resolution:0",
    ]
    assert {s.revision_id for s in stored} == {7}


def test_transitions_are_the_warnings_and_the_breach_due_by_now_and_no_more() -> None:
    evaluation = fold_for(small_definitions()).evaluate([created("T")], START + 9 * HOUR)
    (resolution,) = keyed([m for m in evaluation.measurements if m.objective_key == RESOLUTION], 1)
    assert resolution.measurement.state is ClockState.BREACHED

    def seen(now: int) -> list[tuple[TransitionKind, str, int]]:
        return [(t.kind, t.threshold, t.at) for t in transitions_of(resolution, now)]

    assert seen(START + 4 * HOUR - 1) == []
    assert seen(START + 5 * HOUR) == [(TransitionKind.WARNING, "0.5", START + 4 * HOUR)]
    assert seen(START + 9 * HOUR) == [
        (TransitionKind.WARNING, "0.5", START + 4 * HOUR),
        (TransitionKind.WARNING, "0.8", START + 6 * HOUR + 24 * 60),
        (TransitionKind.BREACHED, "", START + 8 * HOUR + 1),  # late means after the deadline
    ]
    (breach,) = [t for t in transitions_of(resolution, START + 9 * HOUR) if t.threshold == ""]
    assert (breach.ticket, breach.measurement_key, breach.objective_key, breach.metric) == (
        "T",
        "resolution:0",
        RESOLUTION,
        "resolution",
    )
    assert breach.revision_id == 1


def test_a_met_clock_records_met_at_its_stop_and_a_quiet_running_one_nothing() -> None:
    events = [created("T", priority="P1"), event("T", 1, EventType.RESPONDED, START + 600)]
    evaluation = fold_for(small_definitions()).evaluate(events, START + 900)
    by_key = {s.key: s for s in keyed(evaluation.measurements, 1)}
    assert [(t.kind, t.at) for t in transitions_of(by_key["first_response:0"], START + 900)] == [
        (TransitionKind.MET, START + 600)
    ]
    assert transitions_of(by_key["resolution:0"], START + 900) == []


def test_the_ticket_row_is_the_folds_facts_with_the_log_size_and_the_next_due() -> None:
    events = [
        created("T", priority="P2", customer="acme", service="email"),
        event("T", 1, EventType.ATTRIBUTES_CHANGED, START + 60, changes=(("priority", "P1"),)),
        event("T", 2, EventType.STATUS_CHANGED, START + 120, status="in_progress"),
    ]
    evaluation = fold_for(small_definitions()).evaluate(events, START + 600)
    state = ticket_state(evaluation, 4, events, START + 600)
    assert (state.customer, state.service, state.priority, state.status) == (
        "acme",
        "email",
        "P1",
        "in_progress",
    )
    assert (state.revision_id, state.created_at, state.last_event_at, state.event_count) == (
        4,
        START,
        START + 120,
        3,
    )
    assert state.evaluated_at == START + 600
    # P1: first response due at 1h (+1 s to breach); resolution's first warning at 4h
    assert state.next_due_at == START + HOUR + 1


# ------------------------------------------------------------------ re-folding and storing
def test_a_late_reply_withdraws_the_undelivered_breach_and_records_the_met(stored) -> None:
    uow_factory, evaluator = stored
    record_events(uow_factory, evaluator, [created("T", priority="P1")], START + 2 * HOUR)
    with uow_factory() as uow:
        assert [(t.measurement_key, t.kind) for t in uow.transitions.for_ticket("T")] == [
            ("first_response:0", TransitionKind.BREACHED)
        ]
    reply = event("T", 1, EventType.RESPONDED, START + 600)  # sent in time, arrived late
    outcome = record_events(uow_factory, evaluator, [reply], START + 2 * HOUR)
    assert [(t.kind, t.at) for t in outcome.transitions] == [(TransitionKind.MET, START + 600)]
    with uow_factory() as uow:
        assert [(t.measurement_key, t.kind) for t in uow.transitions.for_ticket("T")] == [
            ("first_response:0", TransitionKind.MET)
        ]


def test_a_delivered_breach_stays_history_when_a_late_reply_shows_it_was_met(stored) -> None:
    uow_factory, evaluator = stored
    record_events(uow_factory, evaluator, [created("T", priority="P1")], START + 2 * HOUR)
    with uow_factory() as uow:
        uow.transitions.mark_delivered([t.identity for t in uow.transitions.for_ticket("T")], 0)
        uow.commit()
    reply = event("T", 1, EventType.RESPONDED, START + 600)
    record_events(uow_factory, evaluator, [reply], START + 2 * HOUR)
    with uow_factory() as uow:
        kinds = [t.kind for t in uow.transitions.for_ticket("T")]
    assert kinds == [TransitionKind.MET, TransitionKind.BREACHED]


def test_a_ticket_keeps_its_revision_when_a_revision_applied_later_covers_its_creation(
    stored,
) -> None:
    uow_factory, evaluator = stored
    record_events(uow_factory, evaluator, [created("OLD")], START + HOUR)
    applied = apply_definitions(
        uow_factory,
        small_definitions(resolution_hours=2),
        fingerprint=content_hash,
        now=START + HOUR,
        effective_from=START - HOUR,
        remeasure=False,
    )
    assert applied.affected == 1
    later = [event("OLD", 1, EventType.CUSTOMER_REPLIED, START + 2 * HOUR), created("NEW")]
    record_events(uow_factory, evaluator, later, START + 3 * HOUR)
    with uow_factory() as uow:
        targets = {
            ticket: {
                s.key: s.measurement.target_seconds for s in uow.measurements.for_ticket(ticket)
            }
            for ticket in ("OLD", "NEW")
        }
        revisions = {t: uow.tickets.get(t).revision_id for t in ("OLD", "NEW")}
    assert revisions == {"OLD": 1, "NEW": 2}
    assert (targets["OLD"]["resolution:0"], targets["NEW"]["resolution:0"]) == (8 * HOUR, 2 * HOUR)


def test_remeasuring_folds_under_the_new_revision_at_the_instant_last_folded(stored) -> None:
    uow_factory, evaluator = stored
    record_events(uow_factory, evaluator, [created("T")], START + HOUR)
    apply_definitions(
        uow_factory,
        small_definitions(resolution_hours=2),
        fingerprint=content_hash,
        now=START + HOUR,
        effective_from=START - HOUR,
        remeasure=False,
    )
    with uow_factory() as uow:
        pins = uow.tickets.lock(["T"])
        outcome = evaluator.remeasure(uow, pins, 2, recorded_at=START + 5 * HOUR)
        uow.commit()
    assert (outcome.tickets, outcome.measurements) == (1, 2)
    with uow_factory() as uow:
        (resolution,) = [s for s in uow.measurements.for_ticket("T") if s.key == "resolution:0"]
        ticket = uow.tickets.get("T")
    assert resolution.revision_id == ticket.revision_id == 2
    assert resolution.measurement.target_seconds == 2 * HOUR
    # folded at the instant it was last folded at (START + 1h), not at recorded_at
    assert resolution.measurement.state is ClockState.RUNNING
    assert ticket.evaluated_at == START + HOUR
    # the 50 % warning (1h of 2h) is due by START + 1h and recorded once
    assert [(t.kind, t.threshold) for t in outcome.transitions] == [(TransitionKind.WARNING, "0.5")]


def test_a_locked_ticket_without_events_is_neither_saved_nor_counted(stored) -> None:
    uow_factory, evaluator = stored
    record_events(uow_factory, evaluator, [created("T")], START)
    with uow_factory() as uow:
        pins = uow.tickets.lock(["T", "GHOST"])
        outcome = evaluator.refold(uow, ["T", "GHOST"], START + 60, pins=pins)
        uow.commit()
        assert uow.tickets.existing(["T", "GHOST"]) == {"T"}
    assert (outcome.tickets, outcome.measurements) == (1, 2)
    assert sorted(outcome.histories) == ["T"]


def test_each_revisions_engine_is_built_once_per_evaluator() -> None:
    store = InMemoryStore()
    apply_small_definitions(store.unit_of_work)
    built: list[Definitions] = []

    def counting(definitions: Definitions) -> ClockFold:
        built.append(definitions)
        return fold_for(definitions)

    evaluator = Evaluator(counting)
    for n in range(3):
        record_events(store.unit_of_work, evaluator, [created(f"T{n}")], START + n)
    assert len(built) == 1


def test_prefolded_results_count_only_for_the_revisions_and_instant_they_assumed(stored) -> None:
    uow_factory, evaluator = stored
    histories = {"A": [created("A")], "B": [created("B")]}
    prefolded = evaluator.prefold(uow_factory, histories, START + 60)
    assert sorted(prefolded.results) == ["A", "B"]
    with uow_factory() as uow:
        revisions = uow.revisions.history()
    assert prefolded.is_valid(revisions, START + 60)
    assert not prefolded.is_valid(revisions, START + 61)
    assert not prefolded.is_valid([*revisions, revision(2, START)], START + 60)
    assert sorted(prefolded.without(["A"]).results) == ["B"]


def test_prefolding_skips_stored_tickets_and_tickets_created_before_every_revision() -> None:
    store = InMemoryStore()
    apply_definitions(
        store.unit_of_work,
        small_definitions(),
        fingerprint=content_hash,
        now=START,
        effective_from=START,
    )
    evaluator = Evaluator(fold_for)
    record_events(store.unit_of_work, evaluator, [created("OLD", START + 1)], START + 60)
    histories = {
        "OLD": [event("OLD", 1, EventType.RESPONDED, START + 30)],
        "EARLY": [created("EARLY", START - 1)],
        "NEW": [created("NEW", START + 2)],
    }
    prefolded = evaluator.prefold(store.unit_of_work, histories, START + 60)
    assert sorted(prefolded.results) == ["NEW"]
    assert prefolded.results["NEW"].state.event_count == 1


def test_a_stored_ticket_row_changes_with_the_events_the_fold_applies(stored) -> None:
    uow_factory, evaluator = stored
    record_events(uow_factory, evaluator, [created("T", customer="acme")], START)
    moved = event(
        "T", 1, EventType.ATTRIBUTES_CHANGED, START + 60, changes=(("customer", "globex"),)
    )
    rated = event("T", 2, EventType.RATED, START + 120, score=Decimal(4))
    record_events(uow_factory, evaluator, [moved, rated], START + 180)
    with uow_factory() as uow:
        state = uow.tickets.get("T")
    assert (state.customer, state.event_count, state.last_event_at) == ("globex", 3, START + 120)
