"""Units of work of a closed period's reports: revisions up to its ceiling, outages from its record."""

from __future__ import annotations

import threading

import pytest

from servanda.adapters.memory import InMemoryStore
from servanda.domain.availability import Outage
from servanda.domain.errors import NotFoundError
from servanda.services.frozen_figures import FrozenFiguresError, Recording
from servanda.services.frozen_sources import frozen_factory, recording_factory
from servanda.services.outages import record_outages
from servanda.services.revisions import apply_definitions
from servanda.specs.snapshot import content_hash
from tests.streams import HOUR, START, small_definitions


@pytest.fixture
def store() -> InMemoryStore:
    """Two revisions and one network outage."""
    store = InMemoryStore()
    for hours in (8, 6):
        apply_definitions(
            store.unit_of_work, small_definitions(hours), fingerprint=content_hash, now=START
        )
    record_outages(store.unit_of_work, [Outage("o1", "network", START, START + HOUR)])
    return store


def test_recording_units_of_work_answer_live_and_keep_every_outage_answer(store) -> None:
    recording = Recording(revision_ceiling=2)
    with recording_factory(store.unit_of_work, recording)() as uow:
        found = uow.outages.overlapping("network", START - HOUR, START + 2 * HOUR)
        none = uow.outages.overlapping("email", START - HOUR, START + 2 * HOUR)
    assert [o.id for o in found] == ["o1"]
    assert none == []
    assert len(recording.outages) == 2


def test_frozen_units_of_work_answer_outages_from_the_record_only(store) -> None:
    recording = Recording(revision_ceiling=2)
    with recording_factory(store.unit_of_work, recording)() as uow:
        uow.outages.overlapping("network", START, START + 2 * HOUR)
    record_outages(store.unit_of_work, [Outage("o2", "network", START + 60, START + 120)])
    with frozen_factory(store.unit_of_work, recording)() as uow:
        assert [o.id for o in uow.outages.overlapping("network", START, START + 2 * HOUR)] == [
            "o1"
        ]  # the outage stored after the close is not seen
        with pytest.raises(FrozenFiguresError, match="no outages of 'network' for that span"):
            uow.outages.overlapping("network", START, START + 3 * HOUR)


@pytest.mark.parametrize("factory", [frozen_factory, recording_factory])
def test_revisions_applied_after_the_close_are_not_seen(store, factory) -> None:
    recording = Recording(revision_ceiling=1)
    apply_definitions(
        store.unit_of_work, small_definitions(4), fingerprint=content_hash, now=START + 1
    )
    with factory(store.unit_of_work, recording)() as uow:
        assert [r.id for r in uow.revisions.history()] == [1]
        assert uow.revisions.definitions(1) == small_definitions(8)
        with pytest.raises(NotFoundError, match="revision 2 came after the period was closed"):
            uow.revisions.definitions(2)


def test_a_frozen_unit_of_work_holds_the_stores_lock_only_while_open(store) -> None:
    def free() -> bool:
        """Whether another thread could open a unit of work now."""
        answers: list[bool] = []

        def probe() -> None:
            answers.append(store.lock.acquire(blocking=False))
            if answers[0]:
                store.lock.release()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        return answers[0]

    with frozen_factory(store.unit_of_work, Recording(revision_ceiling=2))():
        assert not free()
    assert free()
