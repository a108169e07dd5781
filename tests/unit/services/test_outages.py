"""record_outages: idempotent storage of outage records through the unit of work."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servanda.adapters.memory import InMemoryStore
from servanda.domain.availability import Impact, Outage
from servanda.domain.errors import EventError
from servanda.services.outages import record_outages


def outage(oid: str, end: int = 3600, **extra) -> Outage:
    return Outage(id=oid, service="email", start=0, end=end, **extra)


def test_new_outages_are_stored_and_a_second_import_finds_only_duplicates():
    store = InMemoryStore()
    batch = [outage("a"), outage("b", impact=Impact.PARTIAL, weight=Decimal("0.5"))]
    first = record_outages(store.unit_of_work, batch)
    again = record_outages(store.unit_of_work, batch)
    assert (first.new, first.duplicates, first.conflicts) == (2, 0, ())
    assert (again.new, again.duplicates, again.conflicts) == (0, 2, ())
    with store.unit_of_work() as uow:
        assert [o.id for o in uow.outages.overlapping("email", 0, 10)] == ["a", "b"]


def test_the_same_identity_with_other_content_is_a_conflict_and_the_first_wins():
    store = InMemoryStore()
    record_outages(store.unit_of_work, [outage("a")])
    outcome = record_outages(store.unit_of_work, [outage("a", end=7200), outage("c")])
    assert [o.end for o in outcome.conflicts] == [7200]
    assert outcome.new == 1
    with store.unit_of_work() as uow:
        assert uow.outages.existing([("default", "a")])[("default", "a")].end == 3600


def test_strict_refuses_the_whole_batch_when_one_record_conflicts():
    store = InMemoryStore()
    record_outages(store.unit_of_work, [outage("a")])
    with pytest.raises(EventError, match="1 outage"):
        record_outages(store.unit_of_work, [outage("c"), outage("a", end=60)], strict=True)
    with store.unit_of_work() as uow:
        assert uow.outages.existing([("default", "c")]) == {}
