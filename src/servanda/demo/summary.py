"""The demo's summary per customer and objective, taken from the customer reports themselves.

Every figure here is a figure of ``servanda.services.customer_report`` for the
last month of the period, so the terminal summary, ``reports/summary.json``,
the PDF reports and ``servanda report compliance|availability|credits`` agree:

- per ticket-clock objective: met and breached measurements concluded in the
  month over all the customer's services, attainment ``met / (met + breached)``
  (``None``: no items) against the goal. Objectives that measured the
  customer's tickets in the month (``servanda report compliance``) but that the
  customer report does not list are added after its own, with
  ``in_customer_report`` false. The report lists every objective precedence
  lets decide some ticket of the customer under the revision in force at the
  month's end (``domain.precedence.deciding_objectives``), so this only
  happens for objectives of an earlier revision still measuring older tickets;
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

from servanda.domain.agreements import Definitions
from servanda.domain.compliance import Status, attainment, judge
from servanda.domain.credits import CreditStatement
from servanda.domain.money import Money
from servanda.services.customer_report import CustomerReport, describe_target
from servanda.services.reports import AvailabilityRow, ComplianceReport, objective_of


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
    in_customer_report: bool = True


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


def summarise(
    definitions: Definitions, reports: Sequence[tuple[CustomerReport, ComplianceReport]]
) -> DemoSummary:
    """One summary per customer report and its compliance report (all of the same period)."""
    first = reports[0][0]
    return DemoSummary(
        first.period,
        first.title,
        tuple(_customer(definitions, report, compliance) for report, compliance in reports),
    )


def _unlisted(
    definitions: Definitions, listed: set[str], compliance: ComplianceReport
) -> list[ObjectiveFigure]:
    """Objectives with items in ``compliance`` that the customer report left out."""
    counts: dict[str, list[int]] = {}
    for row in compliance.rows:
        if row.objective_key not in listed and row.metric.is_ticket_clock:
            figures = counts.setdefault(row.objective_key, [0, 0])
            figures[0] += row.met
            figures[1] += row.breached
    extra = []
    for key, (met, breached) in counts.items():
        objective = objective_of(definitions, key)
        if objective is None:
            continue
        level = attainment(met, breached)
        extra.append(
            ObjectiveFigure(
                key,
                objective.metric.value,
                objective.describe_conditions(),
                describe_target(objective),
                objective.goal,
                met,
                breached,
                level,
                judge(level, objective.goal),
                in_customer_report=False,
            )
        )
    return extra


def _customer(
    definitions: Definitions, report: CustomerReport, compliance: ComplianceReport
) -> CustomerSummary:
    listed = tuple(
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
    unlisted = _unlisted(definitions, {o.objective for o in listed}, compliance)
    known = report.customer
    return CustomerSummary(
        known.id,
        known.name,
        known.group,
        report.timezone,
        listed + tuple(unlisted),
        tuple(_availability(row) for row in report.availability),
        _credits(report.statement),
    )


def _availability(row: AvailabilityRow) -> AvailabilityFigure:
    figure = row.figure
    return AvailabilityFigure(
        figure.service,
        figure.objective_key,
        figure.target,
        figure.availability,
        figure.measured.downtime_seconds,
        figure.status,
    )


def _credits(statement: CreditStatement) -> tuple[CreditFigure, ...]:
    return tuple(
        CreditFigure(
            currency,
            statement.credits(currency),
            statement.bonuses(currency),
            statement.net(currency),
        )
        for currency in statement.currencies
    )


def _exact(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def summary_json(summary: DemoSummary) -> str:
    """The summary as JSON with exact values (stable key order, one trailing newline)."""
    document = {
        "period": summary.period,
        "customers": [_customer_json(customer) for customer in summary.customers],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _customer_json(c: CustomerSummary) -> dict[str, object]:
    return {
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
                "in_customer_report": o.in_customer_report,
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
