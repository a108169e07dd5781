"""Credit statements per customer and period, and which objectives apply to a customer.

Rules: docs/reports.md "Credits and bonuses". An objective applies to a
customer when precedence picks it for at least one of the customer's services
(the services it pays fees for) on the last day of the period. Every credited
objective's level is measured over the statement's period, in the customer's
reporting zone: attainment over the items it measured (only tickets its
``when`` matches, e.g. one service's), the lowest availability among the
customer's services it is measured for (precedence and ``when: service``
decide which), the mean rating. Which fees a credit is a share of:
``domain.credits``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from servanda.domain.agreements import Agreement, Definitions, Metric, Objective
from servanda.domain.compliance import attainment
from servanda.domain.credits import (
    CreditStatement,
    FeeBase,
    ObjectiveLevel,
    StatementLine,
    adjustment_line,
    credit_statement,
)
from servanda.domain.errors import NotFoundError
from servanda.domain.money import Money
from servanda.domain.periods import PeriodKind, ReportingPeriod, parse_period, period_containing
from servanda.domain.precedence import deciding_objectives
from servanda.services.closed_periods import ClosedPeriod
from servanda.services.frozen_figures import call_key
from servanda.services.reports import (
    AvailabilityRow,
    ComplianceReport,
    ReportSources,
    availability_report,
    closed_sources,
    compliance_report,
    load_definitions,
)


@dataclass(frozen=True, slots=True)
class CustomerFigures:
    """One customer's credit statement for a period, and everything it was computed from."""

    statement: CreditStatement
    compliance: ComplianceReport
    availability: tuple[AvailabilityRow, ...]
    applicable: tuple[tuple[Agreement, Objective], ...]
    levels: Mapping[str, ObjectiveLevel]  # by agreement/objective, every applicable objective


@dataclass(frozen=True, slots=True)
class CreditsReport:
    period: str
    title: str
    revision_id: int | None
    statements: tuple[CreditStatement, ...]
    closed: tuple[ClosedPeriod, ...] = ()  # the closes whose frozen statements some are


def overlaps(agreement: Agreement, period: ReportingPeriod) -> bool:
    """Whether the agreement is in force on at least one day of the period."""
    starts = agreement.effective_from or date.min
    ends = agreement.effective_to or date.max
    return starts <= period.last and ends >= period.first


def customer_services(definitions: Definitions, customer: str) -> list[str]:
    known = definitions.customers[customer]
    return sorted({fee.service for fee in known.fees} or set(definitions.services))


def applicable_objectives(
    definitions: Definitions, customer: str, day: date
) -> list[tuple[Agreement, Objective]]:
    """The objectives precedence picks for some ticket of ``customer`` on ``day``, in definitions order."""
    picked = deciding_objectives(
        definitions, customer, customer_services(definitions, customer), day
    )
    return [
        (agreement, objective)
        for agreement in definitions.agreements
        for objective in agreement.objectives
        if f"{agreement.id}/{objective.id}" in picked
    ]


def objective_levels(
    applicable: Iterable[tuple[Agreement, Objective]],
    compliance: ComplianceReport,
    availability: Iterable[AvailabilityRow],
) -> dict[str, ObjectiveLevel]:
    """The level each applicable objective reached (``None``: no items), keyed ``agreement/objective``."""
    counts: dict[str, list[int]] = {}
    for row in compliance.rows:
        figures = counts.setdefault(row.objective_key, [0, 0])
        figures[0] += row.met
        figures[1] += row.breached
    ratings: dict[str, list[Decimal]] = {}
    for sat in compliance.satisfaction:
        figures_sat = ratings.setdefault(sat.objective_key, [Decimal(0), Decimal(0)])
        figures_sat[0] += sat.ratings
        figures_sat[1] += sat.rating_sum
    lowest: dict[str, Decimal] = {}
    for measured in availability:
        value = measured.figure.availability
        if value is not None:
            name = measured.figure.objective_key
            lowest[name] = min(value, lowest.get(name, value))
    levels = {}
    for agreement, objective in applicable:
        key = f"{agreement.id}/{objective.id}"
        if objective.metric is Metric.AVAILABILITY:
            level, basis = lowest.get(key), "lowest availability of its services"
        elif objective.metric is Metric.SATISFACTION:
            count, total = ratings.get(key, [Decimal(0), Decimal(0)])
            level, basis = (total / count if count else None), f"{count} rated tickets"
        else:
            met, breached = counts.get(key, [0, 0])
            level, basis = attainment(met, breached), f"{met} met, {breached} breached"
        levels[key] = ObjectiveLevel(key, objective.metric, level, basis)
    return levels


def customer_statement(
    sources: ReportSources,
    definitions: Definitions,
    customer: str,
    period: str,
    compliance: ComplianceReport | None = None,
    *,
    revision_id: int | None,
) -> CustomerFigures:
    """One customer's statement, with the compliance, availability and levels it was computed from.

    ``definitions`` are those of ``revision_id``, in force for ``period``
    (``load_definitions``). ``compliance``: the customer's compliance report for
    ``period`` when the caller already has it (any number of trend periods:
    only its rows and satisfaction are used), so it is not queried twice.
    """
    loaded = (revision_id, definitions)
    if customer not in definitions.customers:
        raise NotFoundError(f"customer {customer!r} is not in the definitions")
    known = definitions.customers[customer]
    cut = parse_period(period, known.reporting_timezone)
    if compliance is None:
        compliance = compliance_report(sources, period, customer=customer, loaded=loaded)
    availability = availability_report(sources, period, customer=customer, loaded=loaded).rows
    applicable = applicable_objectives(definitions, customer, cut.last)
    levels = objective_levels(applicable, compliance, availability)
    in_force = [a for a in definitions.agreements if overlaps(a, cut)]
    statement = credit_statement(known, in_force, levels, cut.label)
    adjustments = adjustments_after_close(sources, customer, period)
    if adjustments:
        statement = replace(statement, lines=(*statement.lines, *adjustments))
    return CustomerFigures(statement, compliance, availability, tuple(applicable), levels)


def credits_report(
    sources: ReportSources, period: str, *, customer: str | None = None
) -> CreditsReport:
    """Credit statements of ``customer`` (or of every customer) for ``period``; a customer whose
    period is closed gets the statement frozen at the close."""
    probe = parse_period(period, "UTC")
    revision_id, definitions = load_definitions(sources, probe)
    wanted = [customer] if customer is not None else sorted(definitions.customers)
    statements = []
    closed: list[ClosedPeriod] = []
    for name in wanted:
        own = closed_sources(sources, name, period)
        if own is None:
            figures = customer_statement(
                sources, definitions, name, period, revision_id=revision_id
            )
        else:
            own_revision, own_definitions = load_definitions(own, probe)
            figures = customer_statement(
                own, own_definitions, name, period, revision_id=own_revision
            )
            closed += [own.mark] if own.mark is not None else []
        statements.append(figures.statement)
    if sources.mark is not None:
        closed.append(sources.mark)
    return CreditsReport(probe.label, probe.title, revision_id, tuple(statements), tuple(closed))


def adjustments_after_close(
    sources: ReportSources, customer: str, period: str
) -> tuple[StatementLine, ...]:
    """The adjustments after close this statement of ``customer``'s ``period`` carries.

    Rules (docs/reports.md "Closed periods"): a closed period's adjustment is
    booked on the first month, at or after the later of its close instant and
    its end, that is not closed itself (in the customer's zone); its amount per
    currency is the period's net credits now less what its statement stated at
    the close less adjustments of it other closes booked. A closed statement
    carries what was booked when it closed, never a recomputation.
    """
    key = call_key(customer, parse_period(period, "UTC").label)
    if sources.frozen is not None:
        return tuple(sources.frozen.adjustments.get(key, ()))
    lines = _live_adjustments(sources, customer, period)
    if sources.recording is not None and lines:
        sources.recording.adjustments[key] = list(lines)
    return lines


def _live_adjustments(
    sources: ReportSources, customer: str, period: str
) -> tuple[StatementLine, ...]:
    if sources.closed is None:
        return ()
    closes = sources.closed.in_force(customer)
    if not closes:
        return ()
    probe = parse_period(period, "UTC")
    if probe.kind is not PeriodKind.MONTH:
        return ()  # adjustments are booked on monthly statements
    closed_labels = {c.period for c in closes}
    # The periods' own figures as they are now: no frozen inputs, no adjustments of their own.
    live = ReportSources(sources.uow_factory, sources.read_model, pending=sources.pending)
    lines: list[StatementLine] = []
    for close in closes:
        zone = _zone(sources, close)
        booking = period_containing(PeriodKind.MONTH, max(close.closed_at, close.end), zone)
        while booking.label in closed_labels:
            booking = booking.shifted(1)
        if booking.label != probe.label:
            continue
        lines += _outstanding(live, close, closes)
    return tuple(lines)


def _zone(sources: ReportSources, close: ClosedPeriod) -> str:
    _, definitions = load_definitions(sources, parse_period(close.period, "UTC"))
    known = definitions.customers.get(close.customer)
    return known.reporting_timezone if known is not None else definitions.timezone


def _outstanding(
    live: ReportSources, close: ClosedPeriod, closes: list[ClosedPeriod]
) -> list[StatementLine]:
    """Adjustment lines for ``close``: its net credits now less stated less booked, per currency."""
    revision_id, definitions = load_definitions(live, parse_period(close.period, "UTC"))
    if close.customer not in definitions.customers:
        return []
    now = customer_statement(
        live, definitions, close.customer, close.period, revision_id=revision_id
    ).statement
    stated = dict(close.net_credits)
    booked: dict[str, Decimal] = {}
    for other in closes:
        for currency, amount in other.booked_for(close.period).items():
            booked[currency] = booked.get(currency, Decimal(0)) + amount
    found = []
    for currency in sorted({*now.currencies, *stated, *booked}):
        current = now.own_net(currency).amount if currency in now.currencies else Decimal(0)
        owed = current - stated.get(currency, Decimal(0)) - booked.get(currency, Decimal(0))
        if owed == 0:
            continue
        base = _fee_base(now, currency)
        detail = (
            f"net credits now {Money(current, currency)}, stated at its close "
            f"{Money(stated.get(currency, Decimal(0)), currency)} by {close.closed_by}"
        )
        if booked.get(currency):
            detail += f", adjusted since by {Money(booked[currency], currency)}"
        found.append(adjustment_line(close.period, Money(owed, currency), base, detail))
    return found


def _fee_base(statement: CreditStatement, currency: str) -> FeeBase:
    """The union of the fee bases of the statement's lines in ``currency``."""
    base = FeeBase(currency, ())
    for line in statement.lines:
        if line.fee_base.currency == currency:
            base = base.union(line.fee_base)
    return base
