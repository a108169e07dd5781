"""ACME's March 2026 report (``tests/reports_scenario.py``) without a database.

Definitions, events and outages live in the in-memory storage; the aggregates
the database would compute (``ReportReadModel``) are given as the rows SQL
returns for that month, from the scenario's hand-computed figures: gold P1
resolution 1 met (T1, network) and 1 breached (T4, email); ratings 5 (T1) and
3 (T4). The statement then owes EUR 4,100.00 (see the scenario's docstring).
One trail event carries markup, so renderers show that they escape it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from types import SimpleNamespace

from servanda.bootstrap import memory_storage
from servanda.services.customer_report import CustomerReport, customer_report
from servanda.services.report_ports import (
    BreachRow,
    ComplianceCount,
    RatingCount,
    Scope,
    TrailEvent,
    Window,
)
from servanda.services.reports import ReportSources
from tests import reports_scenario
from tests.reports_scenario import at

MARKUP = "<img src=x onerror=alert(1)>"
T4_BREACH = BreachRow(
    ticket="T4",
    objective_key="gold/resolution-1",
    metric="resolution",
    cycle=0,
    customer="acme",
    service="email",
    priority="P1",
    target_seconds=4 * 3600,
    elapsed_seconds=6 * 3600,
    started_at=at("2026-03-05T10:00:00"),
    breached_at=at("2026-03-05T14:00:01"),
    stopped_at=at("2026-03-05T16:00:00"),
    revision_id=1,
)


class CannedReadModel:
    """The month's aggregates for ACME as the SQL read model returns them (last window only)."""

    def compliance_counts(self, windows: Sequence[Window], scope: Scope) -> list[ComplianceCount]:
        if scope.customers is not None and "acme" not in scope.customers:
            return []
        last = len(windows) - 1
        return [
            ComplianceCount(last, "gold/resolution-1", "resolution", "acme", "network",
                            1, 0, 4 * 3600, 0, 0),
            ComplianceCount(last, "gold/resolution-1", "resolution", "acme", "email",
                            0, 1, 4 * 3600, 0, 0),
        ]  # fmt: skip

    def rating_counts(self, windows: Sequence[Window], scope: Scope) -> list[RatingCount]:
        if scope.customers is not None and "acme" not in scope.customers:
            return []
        last = len(windows) - 1
        return [
            RatingCount(last, "acme", "network", Decimal(5), 1),
            RatingCount(last, "acme", "email", Decimal(3), 1),
        ]

    def breaches(self, window: Window, scope: Scope, limit: int) -> list[BreachRow]:
        return [T4_BREACH][:limit] if window.start <= T4_BREACH.breached_at < window.end else []

    def trails(self, tickets: Sequence[str]) -> list[TrailEvent]:
        events = [
            TrailEvent("T4", at("2026-03-05T10:00:00"), "created", "priority P1, service email"),
            TrailEvent("T4", at("2026-03-05T10:20:00"), "responded", MARKUP),
            TrailEvent("T4", at("2026-03-05T16:00:00"), "resolved", ""),
        ]
        return [event for event in events if event.ticket in tickets]


@cache
def scenario_sources() -> ReportSources:
    """The scenario in a fresh in-memory storage, read through the canned aggregates (read only)."""
    uow_factory, evaluator = memory_storage()
    reports_scenario.load(SimpleNamespace(uow_factory=uow_factory, evaluator=evaluator))  # type: ignore[arg-type]
    return ReportSources(uow_factory, CannedReadModel())


@cache
def acme_march() -> CustomerReport:
    """The customer report of ACME for March 2026 (Europe/Berlin); a frozen value, built once."""
    return customer_report(scenario_sources(), "acme", "2026-03")
