"""sweep_due_clocks over the in-memory storage: batches, contention, the revision that measured."""

from __future__ import annotations

import pytest

from servanda.adapters.memory import InMemoryStore, InMemoryUnitOfWork
from servanda.bootstrap import fold_for
from servanda.domain.events import EventType, TicketEvent
from servanda.services.evaluation import Evaluator
from servanda.services.ingestion import record_events
from servanda.services.ports import StorageContentionError, TransitionKind, UnitOfWorkFactory
from servanda.services.revisions import apply_definitions
from servanda.services.sweeping import sweep_due_clocks
from servanda.specs.snapshot import content_hash
from tests.streams import HOUR, START, apply_small_definitions, small_definitions


def created(ticket: str, priority: str = "P1") -> TicketEvent:
    return TicketEvent(f"{ticket}-c", ticket, EventType.CREATED, START, priority=priority)


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore()
    apply_small_definitions(store.unit_of_work)
    return store


def test_a_sweep_with_nothing_due_re_folds_nothing(store) -> None:
    evaluator = Evaluator(fold_for)
    record_events(store.unit_of_work, evaluator, [created("T")], START)
    outcome = sweep_due_clocks(store.unit_of_work, evaluator, START + 60)
    assert (outcome.tickets, outcome.transitions) == (0, ())


def test_every_due_ticket_is_swept_when_they_fill_several_batches(store) -> None:
    evaluator = Evaluator(fold_for)
    record_events(store.unit_of_work, evaluator, [created(f"T{n}") for n in range(5)], START)
    outcome = sweep_due_clocks(store.unit_of_work, evaluator, START + 2 * HOUR, batch_size=2)
    breaches = sorted(t.ticket for t in outcome.transitions if t.kind is TransitionKind.BREACHED)
    assert outcome.tickets == 5
    assert breaches == ["T0", "T1", "T2", "T3", "T4"]  # each P1 first response, once
    with store.unit_of_work() as uow:
        assert uow.tickets.claim_due(START + 2 * HOUR, 10) == {}


class ContendedOnce:
    """Units of work of ``store`` whose first commit loses a race (as a deadlock would)."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.failures = 1

    def __call__(self) -> InMemoryUnitOfWork:
        factory = self

        class Contended(InMemoryUnitOfWork):
            def commit(self) -> None:
                if factory.failures:
                    factory.failures -= 1
                    raise StorageContentionError("deadlock detected")
                super().commit()

        return Contended(self.store)


def test_a_batch_that_loses_a_race_is_claimed_again_and_recorded_once(store) -> None:
    evaluator = Evaluator(fold_for)
    record_events(store.unit_of_work, evaluator, [created("T")], START)
    contended = ContendedOnce(store)
    outcome = sweep_due_clocks(contended, evaluator, START + 2 * HOUR)
    assert contended.failures == 0
    assert (outcome.tickets, [t.kind for t in outcome.transitions]) == (
        1,
        [TransitionKind.BREACHED],
    )
    with store.unit_of_work() as uow:
        assert [t.kind for t in uow.transitions.for_ticket("T")] == [TransitionKind.BREACHED]


def test_a_swept_ticket_is_measured_by_the_revision_that_measured_it(store) -> None:
    uow_factory: UnitOfWorkFactory = store.unit_of_work
    evaluator = Evaluator(fold_for)
    record_events(uow_factory, evaluator, [created("T", priority="P3")], START)
    apply_definitions(  # resolution 2h, in force at T's creation, applied without re-measuring
        uow_factory,
        small_definitions(resolution_hours=2),
        fingerprint=content_hash,
        now=START + 60,
        effective_from=START - HOUR,
        remeasure=False,
    )
    swept = sweep_due_clocks(uow_factory, evaluator, START + 9 * HOUR)
    resolution = [
        (t.kind, t.threshold, t.at, t.revision_id)
        for t in swept.transitions
        if t.measurement_key == "resolution:0"
    ]
    assert resolution == [  # 8h target of revision 1: warnings at 4h and 6h24m, breach at 8h+1s
        (TransitionKind.WARNING, "0.5", START + 4 * HOUR, 1),
        (TransitionKind.WARNING, "0.8", START + 6 * HOUR + 24 * 60, 1),
        (TransitionKind.BREACHED, "", START + 8 * HOUR + 1, 1),
    ]
