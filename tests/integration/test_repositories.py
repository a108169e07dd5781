"""The storage contract, on SQLite and PostgreSQL: what the repositories promise the use cases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest

from servanda.bootstrap import Storage, connect, load_settings
from servanda.domain.availability import Impact, Outage
from servanda.domain.errors import NotFoundError
from servanda.domain.events import EventType, TicketEvent
from servanda.services.ports import TicketPin, TicketState, Transition, TransitionKind
from servanda.specs.snapshot import content_hash
from tests.streams import START, apply_small_definitions, small_definitions


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    opened = connect(load_settings(database_url=database_url))
    yield opened
    opened.dispose()


def _event(number: int, ticket: str = "T1", **values: object) -> TicketEvent:
    kind = EventType.CREATED if number == 0 else EventType.RESPONDED
    return TicketEvent(f"e{number}", ticket, kind, START + number, **values)  # type: ignore[arg-type]


def test_a_stored_revision_gives_back_equal_definitions(storage: Storage) -> None:
    definitions = small_definitions()
    with storage.uow_factory() as uow:
        added = uow.revisions.add(
            definitions,
            content_hash=content_hash(definitions),
            effective_from=START,
            applied_at=START + 5,
            comment="first",
            sources={"a.yaml": "agreements: []"},
        )
        uow.commit()
    with storage.uow_factory() as uow:
        assert uow.revisions.definitions(added.id) == definitions
        assert uow.revisions.latest() == added
        assert uow.revisions.history() == [added]
        assert uow.revisions.get(added.id).comment == "first"


def test_an_unknown_revision_is_not_found(storage: Storage) -> None:
    with storage.uow_factory() as uow, pytest.raises(NotFoundError):
        uow.revisions.get(42)


def test_nothing_is_stored_without_commit(storage: Storage) -> None:
    with storage.uow_factory() as uow:
        uow.events.add_new([_event(0)])
    with storage.uow_factory() as uow:
        assert uow.events.count() == 0


def test_an_event_identity_is_stored_once(storage: Storage) -> None:
    first = [_event(0, customer="acme", score=None), _event(1)]
    with storage.uow_factory() as uow:
        assert uow.events.add_new(first) == {("default", "e0"), ("default", "e1")}
        assert uow.events.add_new([*first, _event(2)]) == {("default", "e2")}
        uow.commit()
    with storage.uow_factory() as uow:
        assert uow.events.count() == 3
        assert uow.events.existing([("default", "e0"), ("default", "nope")]) == {
            ("default", "e0"): first[0]
        }


def test_events_come_back_equal_with_every_field(storage: Storage) -> None:
    full = TicketEvent(
        "e9",
        "T9",
        EventType.RATED,
        START,
        source="zendesk",
        customer="acme",
        fields=(("channel", "email"), ("region", "EU")),
        changes=(("priority", "P2"),),
        score=Decimal("4.50"),
    )
    with storage.uow_factory() as uow:
        uow.events.add_new([full])
        uow.commit()
    with storage.uow_factory() as uow:
        assert uow.events.for_tickets(["T9", "T0"]) == {"T9": [full]}


def test_tickets_due_are_claimed_in_deadline_order(storage: Storage) -> None:
    def state(ticket: str, due: int | None) -> TicketState:
        return TicketState(
            ticket, None, START, "acme", None, "P1", "new", (("a", "b"),), START, 1, START, due
        )

    with storage.uow_factory() as uow:
        uow.tickets.lock(["T1", "T2", "T3"])
        uow.tickets.save([state("T1", START + 50), state("T2", START + 10), state("T3", None)])
        uow.commit()
    with storage.uow_factory() as uow:
        assert list(uow.tickets.claim_due(START + 60, 10)) == ["T2", "T1"]
        assert list(uow.tickets.claim_due(START + 20, 10)) == ["T2"]
        assert uow.tickets.get("T1") == state("T1", START + 50)


def test_a_locked_or_claimed_ticket_comes_with_its_pin(storage: Storage) -> None:
    apply_small_definitions(storage.uow_factory)  # revision 1
    pinned = TicketState(
        "T1", 1, START, "acme", None, "P1", "new", (), START + 5, 3, START + 7, START + 9
    )
    with storage.uow_factory() as uow:
        assert uow.tickets.lock(["T1"]) == {}  # a new row: nothing was pinned before
        uow.tickets.save([pinned])
        uow.commit()
    pin = TicketPin(event_count=3, revision_id=1, created_at=START, evaluated_at=START + 7)
    with storage.uow_factory() as uow:
        assert uow.tickets.lock(["T1", "T2"]) == {"T1": pin}
        assert uow.tickets.claim_due(START + 9, 10) == {"T1": pin}
        assert uow.tickets.created_between(START, START + 1) == {"T1": pin}
        assert uow.tickets.created_between(START + 1, None) == {}
        assert uow.tickets.created_between(START - 10, START) == {}


def test_a_transition_is_recorded_once(storage: Storage) -> None:
    warning = Transition(
        "T1", "resolution:0", TransitionKind.WARNING, "0.5", "c/res", "resolution", START, None
    )
    breach = replace(warning, kind=TransitionKind.BREACHED, threshold="", at=START + 9)
    with storage.uow_factory() as uow:
        uow.tickets.lock(["T1"])
        assert uow.transitions.reconcile(["T1"], [warning], START) == [warning]
        assert uow.transitions.reconcile(["T1"], [warning, breach], START + 1) == [breach]
        uow.commit()
    with storage.uow_factory() as uow:
        assert uow.transitions.for_ticket("T1") == [warning, breach]
        assert uow.transitions.count() == 2


def test_an_undelivered_transition_no_longer_implied_is_withdrawn_and_a_delivered_one_kept(
    storage: Storage,
) -> None:
    warning = Transition(
        "T1", "resolution:0", TransitionKind.WARNING, "0.5", "c/res", "resolution", START, None
    )
    breach = replace(warning, kind=TransitionKind.BREACHED, threshold="", at=START + 9)
    met = replace(breach, kind=TransitionKind.MET, at=START + 5)
    with storage.uow_factory() as uow:
        uow.transitions.reconcile(["T1"], [warning, breach], START)
        uow.transitions.mark_delivered([warning.identity], START + 1)
        assert uow.transitions.reconcile(["T1"], [met], START + 2) == [met]
        uow.commit()
    with storage.uow_factory() as uow:
        assert uow.transitions.for_ticket("T1") == [warning, met]


def test_an_undelivered_transition_takes_its_new_instant(storage: Storage) -> None:
    breach = Transition(
        "T1", "resolution:0", TransitionKind.BREACHED, "", "c/res", "resolution", START, None
    )
    later = replace(breach, at=START + 600)
    with storage.uow_factory() as uow:
        uow.transitions.reconcile(["T1"], [breach], START)
        assert uow.transitions.reconcile(["T1"], [later], START + 1) == []
        uow.commit()
    with storage.uow_factory() as uow:
        assert uow.transitions.for_ticket("T1") == [later]


def test_outages_are_stored_once_and_found_by_overlap(storage: Storage) -> None:
    down = Outage("o1", "email", START, START + 600, customers=("acme",))
    partial = Outage(
        "o2",
        "email",
        START + 900,
        START + 1200,
        impact=Impact.PARTIAL,
        weight=Decimal("0.25"),
        planned=True,
    )
    with storage.uow_factory() as uow:
        assert uow.outages.add_new([down, partial]) == {("default", "o1"), ("default", "o2")}
        assert uow.outages.add_new([down]) == set()
        uow.commit()
    with storage.uow_factory() as uow:
        assert uow.outages.overlapping("email", START + 500, START + 1000) == [down, partial]
        assert uow.outages.overlapping("email", START + 600, START + 900) == []
        assert uow.outages.existing([("default", "o2")]) == {("default", "o2"): partial}
