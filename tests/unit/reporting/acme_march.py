"""ACME's March 2026 report (``tests/reports_scenario.py``) over the in-memory storage.

The scenario is stored with ``tests.memory_reports`` (the in-memory report read
model that answers as the SQL one), plus one note on T4 whose text is markup,
after T4 was resolved (it changes no figure), so renderers show that they
escape what tickets carry. The hand-computed figures hold: gold P1 resolution
1 met and 1 breached, availability 99.8819 %, credits EUR 4,100.00.
"""

from __future__ import annotations

from functools import cache

from servanda.domain.events import EventType, TicketEvent
from servanda.services.customer_report import CustomerReport, customer_report
from servanda.services.ingestion import record_events
from servanda.services.reports import ReportSources
from tests import reports_scenario
from tests.memory_reports import memory_reports
from tests.reports_scenario import at

MARKUP = "<img src=x onerror=alert(1)>"


@cache
def scenario_sources() -> ReportSources:
    """The scenario in a fresh in-memory storage, and the report sources over it (read only)."""
    reports = memory_reports().load(reports_scenario.load)
    note = TicketEvent("T4-note", "T4", EventType.ATTRIBUTES_CHANGED, at("2026-03-05T17:00:00"),
                       changes=(("note", MARKUP),))  # fmt: skip
    record_events(reports.uow_factory, reports.evaluator, [note], reports_scenario.NOW)
    return reports.sources


@cache
def acme_march() -> CustomerReport:
    """The customer report of ACME for March 2026 (Europe/Berlin); a frozen value, built once."""
    return customer_report(scenario_sources(), "acme", "2026-03")
