"""The demo's summary per customer and objective, taken from the customer reports themselves.

Every figure here is a figure of ``servanda.services.customer_report`` for the
last month of the period, so the terminal summary, ``reports/summary.json``,
the PDF reports and ``servanda report compliance|availability|credits`` agree:

- per objective that applies to the customer, the report's own result
  (``CustomerReport.results``, the rows of its summary table and the objects
  its cover counts): for ticket-clock objectives met and breached measurements
  concluded in the month over all the customer's services and attainment
  ``met / (met + breached)`` (``None``: no items) against the goal; for
  availability the lowest availability of the services it is measured for;
  for satisfaction the ratings and their mean, each against its target.
  Objectives that measured the customer's tickets in the month (``servanda
  report compliance``) but that the customer report does not list are added
  after its own, with ``in_customer_report`` false. The report lists every
  objective precedence lets decide some ticket of the customer under the
  revision in force at the month's end
  (``domain.precedence.deciding_objectives``), so this only happens for
  objectives of an earlier revision still measuring older tickets;
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

from servanda.domain.agreements import Definitions, Metric
from servanda.domain.compliance import Status, attainment, judge
from servanda.domain.credits import CreditStatement
from servanda.domain.money import Money
from servanda.services.customer_report import CustomerReport, describe_target
from servanda.services.reports import AvailabilityRow, ComplianceReport, objective_of


@dataclass(frozen=True, slots=True)
class ObjectiveFigure:
    """One objective's result: ``level`` is attainment, availability or the mean rating."""

    objective: str  # agreement/objective
    metric: Metric
    scope: str  # which tickets, e.g. "priority in {P1}", or which services
    target: str  # e.g. "4h on 24x7"
    goal: Decimal | None  # ticket metrics
    met: int  # ticket metrics
    breached: int
    level: Decimal | None
    status: Status
    in_customer_report: bool = True
    ratings: int = 0  # satisfaction


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

    @property
    def objectives_met(self) -> int:
        """Objectives of the customer report met (its cover's count)."""
        listed = [o for o in self.objectives if o.in_customer_report]
        return sum(1 for o in listed if o.status is Status.PASS)

    @property
    def objectives_judged(self) -> int:
        """Objectives of the customer report met or missed (its cover's total)."""
        listed = [o for o in self.objectives if o.in_customer_report]
        return sum(1 for o in listed if o.status in (Status.PASS, Status.FAIL))


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
                objective.metric,
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
            r.objective_key,
            r.metric,
            r.scope,
            r.target,
            r.goal,
            r.met,
            r.breached,
            r.level,
            r.status,
            ratings=r.ratings,
        )
        for r in report.results
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
        "objectives_met": c.objectives_met,
        "objectives_judged": c.objectives_judged,
        "objectives": [_objective_json(o) for o in c.objectives],
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


def _objective_json(o: ObjectiveFigure) -> dict[str, object]:
    """Each figure under its own name: met/breached/attainment, availability, ratings/mean."""
    figures: dict[str, object]
    if o.metric is Metric.AVAILABILITY:
        figures = {"availability": _exact(o.level)}
    elif o.metric is Metric.SATISFACTION:
        figures = {"ratings": o.ratings, "mean": _exact(o.level)}
    else:
        figures = {"met": o.met, "breached": o.breached, "attainment": _exact(o.level)}
    return {
        "objective": o.objective,
        "metric": o.metric.value,
        "scope": o.scope,
        "target": o.target,
        "goal": _exact(o.goal),
        **figures,
        "status": o.status.value,
        "in_customer_report": o.in_customer_report,
    }
