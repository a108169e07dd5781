"""Deterministic ticket event streams and a small definitions set, for storage and ingestion tests.

``event_stream(tickets, seed)`` gives each ticket a realistic life (created,
paused and resumed, responded, customer replies, resolved, sometimes reopened),
with ids ``<ticket>-<n>``, instants spread over days from ``START``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal

from servanda.domain.agreements import Agreement, Condition, Definitions, Level, Metric, Objective
from servanda.domain.calendar.spec import CalendarSpec
from servanda.domain.events import EventType, TicketEvent
from servanda.services.ports import UnitOfWorkFactory
from servanda.services.revisions import apply_definitions
from servanda.specs.snapshot import content_hash

START = 1_780_000_000  # 2026-05-28T20:26:40Z
HOUR = 3600
PRIORITIES = ("P1", "P2", "P3", "P4")
CUSTOMERS = ("acme", "globex", "initech")
SERVICES = ("email", "network", "workplace")


def small_definitions(resolution_hours: int = 8) -> Definitions:
    """One corporate agreement on 24x7: first response 1h (P1) / 4h, resolution ``resolution_hours``."""
    p1 = (Condition("priority", frozenset({"P1"})),)
    others = (Condition("priority", frozenset({"P2", "P3", "P4"})),)
    objectives = (
        Objective("fr-p1", Metric.FIRST_RESPONSE, p1, target_seconds=HOUR),
        Objective("fr", Metric.FIRST_RESPONSE, others, target_seconds=4 * HOUR),
        Objective(
            "res",
            Metric.RESOLUTION,
            target_seconds=resolution_hours * HOUR,
            warn_at=(Decimal("0.5"), Decimal("0.8")),
        ),
    )
    corporate = Agreement(
        id="corporate",
        level=Level.CORPORATE,
        title="Corporate",
        objectives=objectives,
        pause_on=frozenset({"waiting_on_customer"}),
    )
    return Definitions(
        calendars={"24x7": CalendarSpec.always_open()},
        services={},
        customers={},
        agreements=(corporate,),
    )


def ticket_events(ticket: str, created_at: int, rng: random.Random) -> list[TicketEvent]:
    """One ticket's life; some tickets stay open so that clocks are still running."""
    at = created_at
    events = [
        TicketEvent(
            id=f"{ticket}-0",
            ticket=ticket,
            type=EventType.CREATED,
            at=at,
            customer=rng.choice(CUSTOMERS),
            service=rng.choice(SERVICES),
            priority=rng.choice(PRIORITIES),
        )
    ]

    def add(kind: EventType, gap: int, **values: str) -> None:
        nonlocal at
        at += gap
        events.append(TicketEvent(f"{ticket}-{len(events)}", ticket, kind, at, **values))  # type: ignore[arg-type]

    add(EventType.RESPONDED, rng.randint(60, 5 * HOUR))
    if rng.random() < 0.4:
        add(EventType.STATUS_CHANGED, rng.randint(60, 2 * HOUR), status="waiting_on_customer")
        add(EventType.CUSTOMER_REPLIED, rng.randint(60, 8 * HOUR))
        add(EventType.STATUS_CHANGED, 1, status="open")
        add(EventType.RESPONDED, rng.randint(60, 3 * HOUR))
    if rng.random() < 0.8:
        add(EventType.RESOLVED, rng.randint(HOUR, 12 * HOUR))
        if rng.random() < 0.1:
            add(EventType.REOPENED, rng.randint(HOUR, 24 * HOUR))
            add(EventType.RESOLVED, rng.randint(HOUR, 6 * HOUR))
    return events


def event_stream(tickets: int, seed: int = 7, prefix: str = "T") -> Iterator[TicketEvent]:
    """Events of ``tickets`` tickets in arrival order: interleaved by instant across tickets."""
    rng = random.Random(seed)
    everything: list[TicketEvent] = []
    for number in range(tickets):
        everything.extend(ticket_events(f"{prefix}{number:07d}", START + number * 97, rng))
    everything.sort(key=lambda event: (event.at, event.ticket, event.id))
    yield from everything


def apply_small_definitions(uow_factory: UnitOfWorkFactory) -> None:
    """Store ``small_definitions()`` as the first revision, in force since the epoch."""
    apply_definitions(
        uow_factory, small_definitions(), fingerprint=content_hash, now=START, effective_from=0
    )
