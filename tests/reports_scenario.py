"""A small, hand-computed month for report tests: ACME (Europe/Berlin) in March 2026.

Figures (checked by hand, see docs/reports.md for the rules):
- gold/resolution-1 (P1, 4h on 24x7): T1 met (2h), T4 breached at 2026-03-05T14:00:01Z,
  T2 breached at 2026-03-31T23:30:01Z, which is April in Berlin -> March: 1 met, 1 breached.
- Network outages (Berlin month = 743 h = 2,674,800 s): full 10:00-10:30Z and partial
  (weight 0.5) 10:15-11:15Z on 12 March merge to 30 min + 45 min x 0.5 = 3,150 s of downtime;
  announced maintenance 01:00-03:00Z on 20 March leaves 2,667,600 s covered.
  Availability = 1 - 3150/2667600 = 99.8819 % -> gold-network's band "below 99.9 %": 25 %.
- Credits: gold resolution 50 % is below 90 %: 15 % of EUR 19,000 (all ACME's fees) = 2,850;
  gold-network 25 % of EUR 5,000 = 1,250; total EUR 4,100.00.
- Ratings: T1 rated 5, T4 rated 3 -> mean 4 for the corporate satisfaction objective.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from servanda.bootstrap import Storage
from servanda.domain.agreements import Definitions
from servanda.domain.availability import Impact, Outage
from servanda.domain.events import EventType, TicketEvent
from servanda.services.ingestion import record_events
from servanda.services.outages import record_outages
from servanda.specs.loader import load_definitions
from servanda.specs.snapshot import content_hash

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "multi-level"
NOW = int(datetime(2026, 4, 5, tzinfo=UTC).timestamp())


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def _ticket(
    ticket: str, service: str, created: str, replies: list[tuple[str, str]]
) -> list[TicketEvent]:
    events = [
        TicketEvent(f"{ticket}-0", ticket, EventType.CREATED, at(created), customer="acme",
                    service=service, priority="P1")
    ]  # fmt: skip
    for number, (kind, when) in enumerate(replies, start=1):
        score = Decimal(kind.split(":")[1]) if kind.startswith("rated") else None
        kind_name = kind.split(":")[0]
        events.append(
            TicketEvent(f"{ticket}-{number}", ticket, EventType(kind_name), at(when), score=score)
        )
    return events


def events() -> list[TicketEvent]:
    return [
        *_ticket("T1", "network", "2026-03-10T08:00:00",
                 [("responded", "2026-03-10T08:10:00"), ("resolved", "2026-03-10T10:00:00"),
                  ("rated:5", "2026-03-11T09:00:00")]),
        *_ticket("T2", "email", "2026-03-31T19:30:00",
                 [("responded", "2026-03-31T19:40:00"), ("resolved", "2026-04-01T02:00:00")]),
        *_ticket("T4", "email", "2026-03-05T10:00:00",
                 [("responded", "2026-03-05T10:20:00"), ("resolved", "2026-03-05T16:00:00"),
                  ("rated:3", "2026-03-06T09:00:00")]),
    ]  # fmt: skip


def outages() -> list[Outage]:
    return [
        Outage("o1", "network", at("2026-03-12T10:00:00"), at("2026-03-12T10:30:00"),
               description="Core switch failure"),
        Outage("o2", "network", at("2026-03-12T10:15:00"), at("2026-03-12T11:15:00"),
               impact=Impact.PARTIAL, weight=Decimal("0.5"), description="WAN degraded"),
        Outage("m1", "network", at("2026-03-20T01:00:00"), at("2026-03-20T03:00:00"),
               planned=True, description="Firmware upgrade (announced)"),
    ]  # fmt: skip


@cache
def example_definitions() -> Definitions:
    """The example definitions, read once per process (values are frozen; loading takes 0.1 s)."""
    return load_definitions(EXAMPLE)


def load(storage: Storage) -> None:
    """Store the example definitions (effective 2026-01-01), the events and the outages."""
    definitions = example_definitions()
    with storage.uow_factory() as uow:
        uow.revisions.add(
            definitions,
            content_hash=content_hash(definitions),
            effective_from=at("2026-01-01T00:00:00"),
            applied_at=at("2026-01-01T00:00:00"),
            comment="example",
            sources={},
        )
        uow.commit()
    record_events(storage.uow_factory, storage.evaluator, events(), NOW)
    record_outages(storage.uow_factory, outages())
