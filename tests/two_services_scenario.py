"""One availability objective measured for two services: Duo (UTC) in March 2026.

Duo pays EUR 1,000 for ``mail`` and EUR 1,000 for ``web``; the house objective
(availability 99.9 % on 24x7) applies to both. In March (744 h = 2,678,400 s)
mail is down 1 h (99.8656 %) and web 2 h (99.7312 %): the objective's level is
the lower one, web's, and it earns 10 % of both fees (the objective names no
service): EUR 200.
"""

from __future__ import annotations

from decimal import Decimal

from servanda.domain.availability import Outage
from servanda.services.outages import record_outages
from servanda.specs.loader import load_definitions_from_texts
from servanda.specs.snapshot import content_hash
from tests.memory_reports import MemoryReports
from tests.reports_scenario import at

DEFINITIONS = """\
provider: Duo Hosting
timezone: UTC
services:
  mail: {name: Mail}
  web: {name: Web}
customers:
  duo:
    name: Duo Ltd
    reporting_timezone: UTC
    fees:
      mail: {amount: 1000, currency: EUR}
      web: {amount: 1000, currency: EUR}
agreements:
  - id: house
    level: corporate
    effective_from: 2026-01-01
    objectives:
      - {id: up, metric: availability, target: 99.9%}
    credits:
      availability:
        - {below: 99.9%, credit: 10%}
"""

MARCH_SECONDS = 2_678_400
WEB_AVAILABILITY = 1 - Decimal(7200) / Decimal(MARCH_SECONDS)


def load(reports: MemoryReports) -> None:
    definitions = load_definitions_from_texts({"duo.yaml": DEFINITIONS})
    with reports.uow_factory() as uow:
        uow.revisions.add(
            definitions,
            content_hash=content_hash(definitions),
            effective_from=at("2026-01-01T00:00:00"),
            applied_at=at("2026-01-01T00:00:00"),
            comment="two services",
            sources={},
        )
        uow.commit()
    record_outages(
        reports.uow_factory,
        [
            Outage("m", "mail", at("2026-03-02T10:00:00"), at("2026-03-02T11:00:00")),
            Outage("w", "web", at("2026-03-03T10:00:00"), at("2026-03-03T12:00:00")),
        ],
    )
