"""Which part of a ticket's history a customer may see: the part during which it was theirs.

A ticket can move between customers (``attributes_changed`` with a new
``customer``). Its owner after each event follows the ticket fold's rules: the
first ``created`` names it, a customer change moves it, and an event the fold
ignores (before ``created``, after ``closed``, a second ``created``) moves
nothing. A customer sees:

- an event when the ticket was theirs right after it: the event that moved the
  ticket to them, not the one that moved it away, nor anything before;
- anything else dated (a transition, a step of a clock's history) when the
  ticket was theirs at that instant, after every event of that instant;
- a custom field (``fields`` of ``created``, a changed attribute other than
  customer, service and priority) when the event that last set it is one they
  see; service, priority and status decide their clocks and are always shown.

Instants are epoch seconds (UTC); ``events`` may come in any order.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from servanda.domain.events import EventType, TicketEvent

STANDARD = frozenset({"customer", "service", "priority"})
"""Attributes with their own place on a ticket (never custom fields)."""


@dataclass(frozen=True, slots=True)
class CustomerView:
    """What ``customer`` may see of one ticket's history (see the module docstring)."""

    customer: str
    events: tuple[TicketEvent, ...]  # in application order
    since: int | None  # when the ticket last became theirs; None: it is not theirs now
    fields: frozenset[str]  # custom fields whose current value they may see
    _instants: tuple[int, ...]  # each event's instant, in application order
    _owners: tuple[str | None, ...]  # the owner right after each event
    _ids: frozenset[str]  # the ids of ``events``

    def shows_instant(self, at: int) -> bool:
        """Whether the ticket was the customer's at ``at`` (after every event of ``at``)."""
        index = bisect_right(self._instants, at) - 1
        return index >= 0 and self._owners[index] == self.customer

    def shows_event(self, event_id: str | None) -> bool:
        """Whether an event (by id) is one the customer sees; ``None`` ids are not events."""
        return event_id is not None and event_id in self._ids


def customer_view(events: Iterable[TicketEvent], customer: str) -> CustomerView:
    """The part of a ticket's history ``customer`` may see."""
    ordered = sorted(events, key=lambda e: e.order_key)
    owner: str | None = None
    created = closed = False
    owners: list[str | None] = []
    setters: dict[str, bool] = {}  # custom field -> whether the customer saw its last setting
    since: int | None = None
    for event in ordered:
        applied = _is_applied(event, created=created, closed=closed)
        if applied and event.type is EventType.CREATED:
            created, owner = True, event.customer
            setters = {name: owner == customer for name, _ in event.fields}
        elif applied and event.type is EventType.ATTRIBUTES_CHANGED:
            changes = dict(event.changes)
            owner = changes.get("customer", owner)
            for name in changes.keys() - STANDARD:
                setters[name] = owner == customer
        elif applied and event.type is EventType.CLOSED:
            closed = True
        if owner == customer and (not owners or owners[-1] != customer):
            since = event.at
        owners.append(owner)
    seen = tuple(e for e, o in zip(ordered, owners, strict=True) if o == customer)
    return CustomerView(
        customer=customer,
        events=seen,
        since=since if owner == customer else None,
        fields=frozenset(name for name, seen in setters.items() if seen),
        _instants=tuple(e.at for e in ordered),
        _owners=tuple(owners),
        _ids=frozenset(e.id for e in seen),
    )


def _is_applied(event: TicketEvent, *, created: bool, closed: bool) -> bool:
    """Whether the ticket fold applies ``event`` (domain.clock.ticket_fold ``apply``)."""
    if event.type is EventType.CREATED:
        return not created
    return created and not closed
