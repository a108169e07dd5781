"""The monthly customer SLA report: every figure a service delivery manager sends one customer.

Rules: docs/reports.md. Periods are cut in the customer's reporting zone; the
trend covers ``TREND_PERIODS`` periods ending with the reported one, less those
before (or after) the objective's agreement was in force; breaches
list the breached measurements that concluded in the period (the first
``BREACH_LIMIT``), and the appendix shows the events of the first
``TRAIL_LIMIT`` breached tickets, so every figure drills down to its items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from servanda.domain.agreements import Agreement, Customer, Metric, Objective
from servanda.domain.compliance import Status, attainment, change, judge
from servanda.domain.credits import CreditStatement
from servanda.domain.display import exact_percent, format_duration
from servanda.domain.errors import NotFoundError
from servanda.domain.periods import parse_period
from servanda.services.closed_periods import ClosedPeriod
from servanda.services.credit_reports import CustomerFigures, customer_statement, overlaps
from servanda.services.report_ports import BreachRow, Scope, TrailEvent, Window
from servanda.services.reports import (
    AvailabilityRow,
    ReportSources,
    closed_sources,
    compliance_report,
    load_definitions,
)

TREND_PERIODS = 6
BREACH_LIMIT = 200
TRAIL_LIMIT = 25


@dataclass(frozen=True, slots=True)
class ObjectiveSummary:
    """One objective for the customer over all their services in the period, with its trend."""

    objective_key: str
    agreement_title: str
    metric: Metric
    scope: str  # which tickets, e.g. "priority in {P1}"
    target: str  # e.g. "4h on 24x7"
    goal: Decimal | None
    met: int
    breached: int
    previous: Decimal | None
    # (period label, attainment), oldest first; only periods in which the agreement was in force
    trend: tuple[tuple[str, Decimal | None], ...]

    @property
    def attainment(self) -> Decimal | None:
        return attainment(self.met, self.breached)

    @property
    def status(self) -> Status:
        return judge(self.attainment, self.goal)

    @property
    def change(self) -> Decimal | None:
        return change(self.attainment, self.previous)

    @property
    def has_history(self) -> bool:
        """Whether any period of the trend had items."""
        return any(value is not None for _, value in self.trend)


@dataclass(frozen=True, slots=True)
class ObjectiveResult:
    """One objective that applies to the customer, over the customer's services: a summary row.

    ``level`` is the figure the credit statement uses: attainment for ticket
    metrics, the lowest availability among the services it is measured for,
    the mean rating. ``status`` judges it against the goal (ticket metrics) or
    the target (availability, satisfaction). The cover's "objectives met"
    counts these rows, so the cover and the summary table cannot disagree.
    """

    objective_key: str
    agreement_title: str
    metric: Metric
    scope: str  # which tickets ("priority in {P1}"), or which services ("service network")
    target: str  # e.g. "4h on 24x7", "99.9% on 24x7", "mean rating ≥ 4.0"
    goal: Decimal | None  # ticket metrics only
    level: Decimal | None  # None: no items (no ratings, nothing covered)
    status: Status
    change: Decimal | None = None  # ticket metrics: attainment minus the previous period's
    met: int = 0  # ticket metrics
    breached: int = 0
    ratings: int = 0  # satisfaction: rated tickets


@dataclass(frozen=True, slots=True)
class TicketTrail:
    ticket: str
    breaches: tuple[BreachRow, ...]
    events: tuple[TrailEvent, ...]


@dataclass(frozen=True, slots=True)
class AgreementSummary:
    agreement: Agreement
    next_review: date | None


@dataclass(frozen=True, slots=True)
class CustomerReport:
    customer: Customer
    provider: str
    period: str
    title: str
    timezone: str
    start: int
    end: int
    revision_id: int | None
    agreements: tuple[AgreementSummary, ...]
    results: tuple[ObjectiveResult, ...]  # every applicable objective, in definitions order
    objectives: tuple[ObjectiveSummary, ...]  # the ticket objectives, with their trends
    availability: tuple[AvailabilityRow, ...]  # per service the customer pays for
    breaches: tuple[BreachRow, ...]
    breach_count: int
    trails: tuple[TicketTrail, ...]
    statement: CreditStatement
    service_names: dict[str, str]
    closed: ClosedPeriod | None = None  # the close the figures were frozen at, if closed

    @property
    def next_review(self) -> date | None:
        dates = [a.next_review for a in self.agreements if a.next_review is not None]
        return min(dates) if dates else None

    @property
    def objectives_met(self) -> int:
        return sum(1 for r in self.results if r.status is Status.PASS)

    @property
    def objectives_judged(self) -> int:
        """Objectives met or missed (not those without items or without a goal)."""
        return sum(1 for r in self.results if r.status in (Status.PASS, Status.FAIL))


def describe_target(objective: Objective, target_seconds: int | None = None) -> str:
    if objective.metric is Metric.AVAILABILITY and objective.target_value is not None:
        return f"{exact_percent(objective.target_value)} on {objective.calendar}"
    if objective.metric is Metric.SATISFACTION and objective.target_value is not None:
        return f"mean rating ≥ {objective.target_value}"
    seconds = target_seconds if target_seconds is not None else objective.target_seconds
    return f"{format_duration(seconds or 0)} on {objective.calendar}"


def customer_report(sources: ReportSources, customer: str, period: str) -> CustomerReport:
    """Everything the customer's monthly SLA report shows for ``period`` (from the frozen inputs
    of its close when the period is closed for the customer)."""
    sources = closed_sources(sources, customer, period) or sources
    revision_id, definitions = load_definitions(sources, parse_period(period, "UTC"))
    if customer not in definitions.customers:
        raise NotFoundError(f"customer {customer!r} is not in the definitions")
    known = definitions.customers[customer]
    cut = parse_period(period, known.reporting_timezone)
    # One compliance query serves the statement, the summaries and the trend.
    loaded = (revision_id, definitions)
    trend = compliance_report(
        sources, period, customer=customer, periods=TREND_PERIODS, loaded=loaded
    )
    figures = customer_statement(
        sources, definitions, customer, period, trend, revision_id=revision_id
    )
    applicable = figures.applicable
    trailing = cut.trailing(TREND_PERIODS)
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for point in trend.trend:
        counts[point.objective_key][point.period][0] += point.met
        counts[point.objective_key][point.period][1] += point.breached
    previous_label = cut.previous().label
    summaries = []
    for agreement, objective in applicable:
        if not objective.metric.is_ticket_clock:
            continue
        key = f"{agreement.id}/{objective.id}"
        met, breached = counts[key][cut.label]
        summaries.append(
            ObjectiveSummary(
                key,
                agreement.title,
                objective.metric,
                objective.describe_conditions(),
                describe_target(objective),
                objective.goal,
                met,
                breached,
                attainment(*counts[key][previous_label]),
                tuple(
                    (p.label, attainment(*counts[key][p.label]))
                    for p in trailing
                    if overlaps(agreement, p)
                ),
            )
        )
    scope = Scope(customers=(customer,))
    window = Window(cut.start, cut.end)
    breaches = sources.read_model.breaches(window, scope, BREACH_LIMIT)
    trail_tickets = list(dict.fromkeys(b.ticket for b in breaches))[:TRAIL_LIMIT]
    events = sources.read_model.trails(trail_tickets)
    trails = tuple(
        TicketTrail(
            ticket,
            tuple(b for b in breaches if b.ticket == ticket),
            tuple(e for e in events if e.ticket == ticket),
        )
        for ticket in trail_tickets
    )
    in_force = tuple(
        AgreementSummary(agreement, agreement.next_review(cut.last))
        for agreement in definitions.agreements
        if overlaps(agreement, cut) and any(a.id == agreement.id for a, _ in applicable)
    )
    return CustomerReport(
        customer=known,
        provider=definitions.provider,
        period=cut.label,
        title=cut.title,
        timezone=cut.timezone,
        start=cut.start,
        end=cut.end,
        revision_id=revision_id,
        agreements=in_force,
        results=objective_results(figures, summaries),
        objectives=tuple(summaries),
        availability=figures.availability,
        breaches=tuple(breaches),
        breach_count=sum(s.breached for s in summaries),
        trails=trails,
        statement=figures.statement,
        service_names={k: s.name for k, s in definitions.services.items()},
        closed=sources.mark,
    )


def objective_results(
    figures: CustomerFigures, summaries: Sequence[ObjectiveSummary]
) -> tuple[ObjectiveResult, ...]:
    """One result per applicable objective, at the level the credit statement used."""
    tickets = {summary.objective_key: summary for summary in summaries}
    results = []
    for agreement, objective in figures.applicable:
        key = f"{agreement.id}/{objective.id}"
        level = figures.levels[key].level
        if key in tickets:
            t = tickets[key]
            results.append(
                ObjectiveResult(
                    key, t.agreement_title, t.metric, t.scope, t.target, t.goal, level,
                    t.status, t.change, t.met, t.breached,
                )
            )  # fmt: skip
            continue
        if objective.metric is Metric.AVAILABILITY:
            rows = [a for a in figures.availability if a.figure.objective_key == key]
            named = ", ".join(a.figure.service for a in rows)
            scope = f"service{'s' if len(rows) > 1 else ''} {named}" if rows else "no service"
            ratings = 0
        else:
            scope = objective.describe_conditions()
            ratings = sum(
                s.ratings for s in figures.compliance.satisfaction if s.objective_key == key
            )
        status = judge(level, objective.target_value)
        results.append(
            ObjectiveResult(
                key, agreement.title, objective.metric, scope, describe_target(objective),
                None, level, status, ratings=ratings,
            )
        )  # fmt: skip
    return tuple(results)
