"""A hand-computed month for fee bases and reporting zones: Shop Inc. (America/New_York), March 2026.

The provider reports in Europe/Berlin; Shop is reported in New York, so its
March is ``[2026-03-01T05:00Z, 2026-04-01T04:00Z)``: 743 h = 2,674,800 s
(the clocks go forward on 8 March). Berlin's March is
``[2026-02-28T23:00Z, 2026-03-31T22:00Z)``, also 743 h.

Shop pays EUR 3,000 for hosting, EUR 1,000 for email and EUR 2,000 for backup.
Its agreement ``shop-deal`` names no services; its objectives narrow
themselves with ``when: service``:

- ``hosting-up`` (availability of hosting, 99.9 %): an unscoped hosting outage
  of 1 h on 10 March and one scoped to Shop from 2026-03-31T21:00Z to
  2026-04-01T00:00Z (3 h: all of it in New York's March, 1 h in Berlin's).
  An email outage of 10 h on 11 March must not count. Downtime 4 h = 14,400 s:
  1 - 14400/2674800 = 99.4616 % -> 10 % of the hosting fee = EUR 300.
- ``email-fix`` (resolution of email tickets, 4h on 24x7, goal 90 %): E1 met,
  E2 breached: 50 % -> 20 % of the email fee = EUR 200.
- The hosting ticket H1 breaches the house resolution objective (8h), which
  carries no credits, and is no item of ``email-fix``.
- ``cap: 10%`` of the fee base of the capped lines (hosting + email =
  EUR 4,000): EUR 400, so the cap line takes back EUR 100; credits EUR 400.
  Backup, in no missed objective's scope, neither earns credits nor widens
  the cap (10 % of all fees, EUR 6,000, would allow EUR 600).
- ``hosting-service`` promises 99.5 % of hosting to everyone; Shop's own
  objective overrides it for Shop. Service-wide (Berlin's March, unscoped
  outages only): 1 - 3600/2674800 = 99.8654 %.
- Ratings: E1 rated 5, H1 rated 3: the house satisfaction objective's mean is
  4 from 2 ratings (target 4.0, met).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from servanda.bootstrap import Storage
from servanda.domain.availability import Outage
from servanda.domain.events import EventType, TicketEvent
from servanda.services.ingestion import record_events
from servanda.services.outages import record_outages
from servanda.specs.loader import load_definitions_from_texts
from servanda.specs.snapshot import content_hash

DEFINITIONS = """\
provider: Harbour Hosting
timezone: Europe/Berlin
services:
  hosting: {name: Web hosting}
  email: {name: Email}
  backup: {name: Backup}
customers:
  shop:
    name: Shop Inc.
    reporting_timezone: America/New_York
    fees:
      hosting: {amount: 3000, currency: EUR}
      email: {amount: 1000, currency: EUR}
      backup: {amount: 2000, currency: EUR}
agreements:
  - id: house
    level: corporate
    effective_from: 2026-01-01
    objectives:
      - {metric: resolution, target: 8h, goal: 90%}
      - {metric: satisfaction, target: 4.0}
  - id: hosting-service
    level: service
    services: [hosting]
    effective_from: 2026-01-01
    objectives:
      - {metric: availability, target: 99.5%}
  - id: shop-deal
    level: customer
    customers: [shop]
    effective_from: 2026-01-01
    objectives:
      - {id: hosting-up, metric: availability, when: {service: hosting}, target: 99.9%}
      - {id: email-fix, metric: resolution, when: {service: email}, target: 4h, goal: 90%}
    credits:
      availability:
        - {below: 99.9%, credit: 10%}
      resolution:
        - {below: 90%, credit: 20%}
      cap: 10%
"""

NOW = int(datetime(2026, 4, 5, tzinfo=UTC).timestamp())
NEW_YORK_MARCH_SECONDS = 2_674_800
HOSTING_DOWNTIME_SECONDS = 14_400  # 1 h unscoped + 3 h scoped to Shop, all in New York's March
HOSTING_AVAILABILITY = 1 - Decimal(HOSTING_DOWNTIME_SECONDS) / Decimal(NEW_YORK_MARCH_SECONDS)


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def _ticket(ticket: str, service: str, created: str, resolved: str, score: int | None) -> list:
    events = [
        TicketEvent(f"{ticket}-0", ticket, EventType.CREATED, at(created), customer="shop",
                    service=service, priority="P2"),
        TicketEvent(f"{ticket}-1", ticket, EventType.RESOLVED, at(resolved)),
    ]  # fmt: skip
    if score is not None:
        events.append(
            TicketEvent(
                f"{ticket}-2", ticket, EventType.RATED, at(resolved) + 60, score=Decimal(score)
            )
        )
    return events


def events() -> list[TicketEvent]:
    return [
        *_ticket("E1", "email", "2026-03-10T12:00:00", "2026-03-10T13:00:00", 5),
        *_ticket("E2", "email", "2026-03-11T12:00:00", "2026-03-11T20:00:00", None),
        *_ticket("H1", "hosting", "2026-03-12T12:00:00", "2026-03-13T12:00:00", 3),
    ]


def outages() -> list[Outage]:
    return [
        Outage("h1", "hosting", at("2026-03-10T12:00:00"), at("2026-03-10T13:00:00"),
               description="Hosting down for everyone"),
        Outage("h2", "hosting", at("2026-03-31T21:00:00"), at("2026-04-01T00:00:00"),
               customers=("shop",), description="Shop's cluster down"),
        Outage("e1", "email", at("2026-03-11T08:00:00"), at("2026-03-11T18:00:00"),
               description="Email down"),
    ]  # fmt: skip


def load(storage: Storage) -> None:
    """Store the definitions (effective 2026-01-01), the events and the outages."""
    definitions = load_definitions_from_texts({"harbour.yaml": DEFINITIONS})
    with storage.uow_factory() as uow:
        uow.revisions.add(
            definitions,
            content_hash=content_hash(definitions),
            effective_from=at("2026-01-01T00:00:00"),
            applied_at=at("2026-01-01T00:00:00"),
            comment="fee bases and zones",
            sources={},
        )
        uow.commit()
    record_events(storage.uow_factory, storage.evaluator, events(), NOW)
    record_outages(storage.uow_factory, outages())
