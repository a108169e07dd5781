"""The demo's summary per customer and objective, taken from the customer reports themselves.

Every figure here is a figure of ``servanda.services.customer_report`` for the
last month of the period, so the terminal summary, ``reports/summary.json``,
the PDF reports and ``servanda report compliance|availability|credits`` agree:

- per ticket-clock objective: met and breached measurements concluded in the
  month over all the customer's services, attainment ``met / (met + breached)``
  (``None``: no items) against the goal;
- per service the customer pays for: availability as the customer sees it
  (service-wide and customer-scoped outages, announced maintenance excluded);
- the credit statement's credits, bonuses and net amount owed, per currency.

JSON holds exact values: fractions and money as decimal strings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from servanda.domain.compliance import Status
from servanda.domain.money import Money
from servanda.services.customer_report import CustomerReport


@dataclass(frozen=True, slots=True)
class ObjectiveFigure:
    objective: str  # agreement/objective
    metric: str
    scope: str  # which tickets, e.g. "priority in {P1}"
    target: str  # e.g. "4h on 24x7"
    goal: Decimal | None
    met: int
    breached: int
    attainment: Decimal | None
    status: Status


@dataclass(frozen=True, slots=True)
class AvailabilityFigure:
    service: str
    objective: str
    target: Decimal
    availability: Decimal | None
    downtime_seconds: Decimal
    status: Status


@dataclass(frozen=True, slots=True)
class CreditFigure:
    currency: str
    credits: Money
    bonuses: Money
    net: Money


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    customer: str
    name: str
    group: str | None
    timezone: str
    objectives: tuple[ObjectiveFigure, ...]
    availability: tuple[AvailabilityFigure, ...]
    credits: tuple[CreditFigure, ...]

    @property
    def breaches(self) -> int:
        return sum(figure.breached for figure in self.objectives)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    period: str  # e.g. 2026-03
    title: str  # e.g. March 2026
    customers: tuple[CustomerSummary, ...]


def summarise(reports: Sequence[CustomerReport]) -> DemoSummary:
    """One summary per customer report (all of the same period)."""
    return DemoSummary(
        reports[0].period, reports[0].title, tuple(_customer(report) for report in reports)
    )


def _customer(report: CustomerReport) -> CustomerSummary:
    objectives = tuple(
        ObjectiveFigure(
            o.objective_key,
            o.metric.value,
            o.scope,
            o.target,
            o.goal,
            o.met,
            o.breached,
            o.attainment,
            o.status,
        )
        for o in report.objectives
    )
    availability = tuple(
        AvailabilityFigure(
            row.figure.service,
            row.figure.objective_key,
            row.figure.target,
            row.figure.availability,
            row.figure.measured.downtime_seconds,
            row.figure.status,
        )
        for row in report.availability
    )
    statement = report.statement
    credits = tuple(
        CreditFigure(
            currency,
            statement.credits(currency),
            statement.bonuses(currency),
            statement.net(currency),
        )
        for currency in statement.currencies
    )
    known = report.customer
    return CustomerSummary(
        known.id,
        known.name,
        known.group,
        report.timezone,
        objectives,
        availability,
        credits,
    )


def _exact(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def summary_json(summary: DemoSummary) -> str:
    """The summary as JSON with exact values (stable key order, one trailing newline)."""
    document = {
        "period": summary.period,
        "customers": [
            {
                "customer": c.customer,
                "name": c.name,
                "group": c.group,
                "reporting_timezone": c.timezone,
                "breaches": c.breaches,
                "objectives": [
                    {
                        "objective": o.objective,
                        "metric": o.metric,
                        "scope": o.scope,
                        "target": o.target,
                        "goal": _exact(o.goal),
                        "met": o.met,
                        "breached": o.breached,
                        "attainment": _exact(o.attainment),
                        "status": o.status.value,
                    }
                    for o in c.objectives
                ],
                "availability": [
                    {
                        "service": a.service,
                        "objective": a.objective,
                        "target": str(a.target),
                        "availability": _exact(a.availability),
                        "downtime_seconds": str(a.downtime_seconds),
                        "status": a.status.value,
                    }
                    for a in c.availability
                ],
                "credits": [
                    {
                        "currency": f.currency,
                        "credits": str(f.credits.amount),
                        "bonuses": str(f.bonuses.amount),
                        "net": str(f.net.amount),
                    }
                    for f in c.credits
                ],
            }
            for c in summary.customers
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
