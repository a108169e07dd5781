"""Which part of a ticket's history a customer sees (``domain.ownership``)."""

from __future__ import annotations

from servanda.domain.events import EventType, TicketEvent
from servanda.domain.ownership import customer_view


def event(name: str, kind: EventType, at: int, **extra: object) -> TicketEvent:
    return TicketEvent(id=name, ticket="T", type=kind, at=at, **extra)  # type: ignore[arg-type]


def created(at: int, customer: str, **fields: str) -> TicketEvent:
    return event(
        "c", EventType.CREATED, at, customer=customer, fields=tuple(sorted(fields.items()))
    )


def changed(name: str, at: int, **changes: str) -> TicketEvent:
    return event(name, EventType.ATTRIBUTES_CHANGED, at, changes=tuple(sorted(changes.items())))


def test_a_ticket_never_moved_is_seen_whole_by_its_customer() -> None:
    events = [created(0, "acme", channel="email"), event("r", EventType.RESPONDED, 5)]
    seen = customer_view(events, "acme")
    assert [e.id for e in seen.events] == ["c", "r"]
    assert (seen.since, seen.fields) == (0, frozenset({"channel"}))
    assert seen.shows_instant(0)
    assert seen.shows_instant(99)


def test_the_move_in_is_shown_and_everything_before_it_is_not() -> None:
    events = [
        created(0, "globex", contract="G-7"),
        event("s", EventType.STATUS_CHANGED, 3, status="pending"),
        changed("move", 10, customer="acme"),
        changed("field", 12, region="north"),
    ]
    seen = customer_view(reversed(events), "acme")  # any order: application order is used
    assert [e.id for e in seen.events] == ["move", "field"]
    assert (seen.since, seen.fields) == (10, frozenset({"region"}))
    assert not seen.shows_instant(9)
    assert seen.shows_instant(10)
    assert seen.shows_event("move")
    assert not seen.shows_event("s")
    assert not seen.shows_event(None)


def test_a_field_changed_by_the_earlier_owner_stays_hidden_until_the_customer_sets_it() -> None:
    events = [
        created(0, "acme", channel="email", contract="A-1"),
        changed("away", 1, customer="globex", contract="G-9"),
        changed("back", 2, customer="acme"),
    ]
    seen = customer_view(events, "acme")
    assert [e.id for e in seen.events] == ["c", "back"]
    assert seen.fields == frozenset({"channel"})
    assert seen.since == 2
    assert not seen.shows_instant(1)
    assert customer_view([*events, changed("set", 3, contract="A-2")], "acme").fields == {
        "channel",
        "contract",
    }


def test_the_earlier_owner_sees_only_its_own_time_and_has_no_since() -> None:
    events = [created(0, "globex"), changed("move", 10, customer="acme")]
    seen = customer_view(events, "globex")
    assert [e.id for e in seen.events] == ["c"]
    assert seen.since is None
    assert seen.shows_instant(9)
    assert not seen.shows_instant(10)


def test_events_the_fold_ignores_move_nothing() -> None:
    events = [
        changed("early", 0, customer="acme"),  # before created: ignored
        created(1, "globex"),
        event("c2", EventType.CREATED, 2, customer="acme"),  # a second created: ignored
        event("x", EventType.CLOSED, 3),
        changed("late", 4, customer="acme"),  # after closed: ignored
    ]
    seen = customer_view(events, "acme")
    assert seen.events == ()
    assert seen.since is None
    assert not seen.shows_instant(4)
