"""Report data: compliance, availability and credits per period, as plain values for renderers.

Rules: docs/reports.md and SEMANTICS "Periods, compliance and money". Periods
are cut in each customer's reporting time zone (the provider's zone for tickets
of customers the definitions do not name), so one query runs per zone. Counts
come from the database (``ReportReadModel``); the figures, goals and credits
from the domain. Goals and credit schedules are read from the newest revision
in force at the end of the period; item targets come with the measurements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from servanda.domain.agreements import Definitions, Metric, Objective
from servanda.domain.availability import (
    Outage,
    ServiceAvailability,
    measure_availability,
    outages_seen_by,
)
from servanda.domain.calendar.arithmetic import BusinessCalendar
from servanda.domain.calendar.spec import ALWAYS_OPEN
from servanda.domain.compliance import Compliance, Satisfaction
from servanda.domain.errors import NotFoundError
from servanda.domain.periods import ReportingPeriod, parse_period
from servanda.domain.precedence import TicketScope, resolve_objectives
from servanda.services.closed_periods import ClosedLookup, ClosedPeriod
from servanda.services.frozen_figures import FrozenReadModel, Recording
from servanda.services.frozen_sources import frozen_factory
from servanda.services.ports import RevisionSummary, UnitOfWorkFactory
from servanda.services.report_ports import RatingCount, ReportReadModel, Scope, Window


@dataclass(frozen=True, slots=True)
class PendingRevision:
    """A revision not stored yet, taking part in choosing a period's definitions (previews)."""

    summary: RevisionSummary
    definitions: Definitions


@dataclass(frozen=True, slots=True)
class ReportSources:
    """Where report data comes from: the unit of work (revisions, outages) and the read model.

    ``pending``: a revision about to be applied, considered as if it were stored
    (``services.revision_preview``); ``None`` in every report. ``closed``: the
    closed periods, whose reports come from their frozen inputs
    (``services.closing``); ``mark`` and ``frozen``: set on the sources of one
    closed period (its close and its inputs); ``recording``: set while a period
    is being closed (what its reports read is kept there).
    """

    uow_factory: UnitOfWorkFactory
    read_model: ReportReadModel
    pending: PendingRevision | None = None
    closed: ClosedLookup | None = None
    mark: ClosedPeriod | None = None
    frozen: Recording | None = None
    recording: Recording | None = None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """Met/breached of one objective x customer x service in one earlier or current period."""

    objective_key: str
    customer: str | None
    service: str | None
    period: str
    met: int
    breached: int


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    period: str
    title: str
    revision_id: int | None
    rows: tuple[Compliance, ...]
    satisfaction: tuple[Satisfaction, ...]
    trend: tuple[TrendPoint, ...]  # every period asked for, oldest first, including this one
    closed: tuple[ClosedPeriod, ...] = ()  # the closes whose frozen figures some rows are


@dataclass(frozen=True, slots=True)
class AvailabilityRow:
    figure: ServiceAvailability
    outages: tuple[Outage, ...]  # those of the service seen by the row's customer, in the period
    start: int  # the period as instants, for timelines
    end: int

    @property
    def timezone(self) -> str:
        """The zone the period was cut in: the customer's, or the provider's for a service-wide row."""
        return self.figure.timezone


@dataclass(frozen=True, slots=True)
class AvailabilityReport:
    period: str
    title: str
    revision_id: int | None
    rows: tuple[AvailabilityRow, ...]
    closed: tuple[ClosedPeriod, ...] = ()  # the closes whose frozen figures some rows are


Loaded = tuple[int | None, Definitions]  # a revision's id and its definitions


def closed_sources(sources: ReportSources, customer: str, period: str) -> ReportSources | None:
    """The sources of ``customer``'s ``period`` when it is closed: its frozen inputs.

    ``None`` when it is not closed, when the sources know no closed periods, or
    when they already are one closed period's (``mark``).
    """
    if sources.closed is None or sources.mark is not None:
        return None
    found = sources.closed.find(customer, parse_period(period, "UTC").label)
    if found is None:
        return None
    closed, recording = found
    return ReportSources(
        frozen_factory(sources.uow_factory, recording),
        FrozenReadModel(recording),
        closed=sources.closed,
        mark=closed,
        frozen=recording,
    )


def _closed_customers(sources: ReportSources, period: str) -> list[str]:
    if sources.closed is None or sources.mark is not None:
        return []
    return sources.closed.customers_closed(parse_period(period, "UTC").label)


def _marks(sources: ReportSources) -> tuple[ClosedPeriod, ...]:
    return (sources.mark,) if sources.mark is not None else ()


def load_definitions(sources: ReportSources, period: ReportingPeriod) -> Loaded:
    """The newest revision effective by the end of ``period`` (else the oldest), and its definitions."""
    pending = sources.pending
    with sources.uow_factory() as uow:
        history = uow.revisions.history()
        if pending is not None:
            history = [*history, pending.summary]
        if not history:
            raise NotFoundError("no definitions are stored yet: run `servanda definitions apply`")
        in_force = [r for r in history if r.effective_from < period.end] or history[:1]
        chosen = max(in_force, key=lambda r: (r.effective_from, r.id))
        if pending is not None and chosen is pending.summary:
            return chosen.id, pending.definitions
        return chosen.id, uow.revisions.definitions(chosen.id)


def zone_scopes(
    definitions: Definitions,
    customer: str | None,
    service: str | None,
    agreement: str | None,
    skipped: Sequence[str] = (),
) -> list[tuple[str, Scope]]:
    """One scope per reporting time zone: the customers reported in it (and, in the provider's,
    unknown ones); ``skipped`` customers in none of them."""
    if customer is not None:
        zone = _zone_of(definitions, customer)
        return [(zone, Scope(customers=(customer,), service=service, agreement=agreement))]
    by_zone: dict[str, list[str]] = defaultdict(list)
    for known in sorted(definitions.customers):
        if known not in skipped:
            by_zone[_zone_of(definitions, known)].append(known)
    by_zone.setdefault(definitions.timezone, [])
    scopes = []
    for zone, members in sorted(by_zone.items()):
        if zone == definitions.timezone:
            others = tuple(c for z, cs in by_zone.items() if z != zone for c in cs)
            excluded = tuple(sorted({*others, *skipped}))
            scopes.append(
                (zone, Scope(exclude_customers=excluded, service=service, agreement=agreement))
            )
        elif members:
            scopes.append(
                (zone, Scope(customers=tuple(members), service=service, agreement=agreement))
            )
    return scopes


def _zone_of(definitions: Definitions, customer: str) -> str:
    known = definitions.customers.get(customer)
    return known.reporting_timezone if known is not None else definitions.timezone


def objective_of(definitions: Definitions, key: str) -> Objective | None:
    agreement_id, _, objective_id = key.partition("/")
    for agreement in definitions.agreements:
        if agreement.id == agreement_id:
            return next((o for o in agreement.objectives if o.id == objective_id), None)
    return None


def compliance_report(
    sources: ReportSources,
    period: str,
    *,
    customer: str | None = None,
    service: str | None = None,
    agreement: str | None = None,
    periods: int = 1,
    loaded: Loaded | None = None,
) -> ComplianceReport:
    """Compliance per objective x customer x service in ``period``, with ``periods`` of trend.

    ``loaded``: what ``load_definitions`` gives for ``period``, when the caller has it.
    A closed period's figures come from its frozen inputs (``services.closing``):
    a customer's report wholly, a provider-wide one for each closed customer.
    """
    if customer is not None:
        frozen = closed_sources(sources, customer, period)
        if frozen is not None:
            sources, loaded = frozen, None
        return _compliance(sources, period, customer, service, agreement, periods, loaded)
    closed = _closed_customers(sources, period)
    report = _compliance(sources, period, None, service, agreement, periods, loaded, closed)
    for name in closed:
        part = compliance_report(
            sources, period, customer=name, service=service, agreement=agreement, periods=periods
        )
        report = ComplianceReport(
            report.period,
            report.title,
            report.revision_id,
            tuple(sorted((*report.rows, *part.rows), key=_row_order)),
            (*report.satisfaction, *part.satisfaction),
            (*report.trend, *part.trend),
            (*report.closed, *part.closed),
        )
    return report


def _row_order(row: Compliance) -> tuple[str, str, str]:
    return (row.objective_key, row.customer or "", row.service or "")


def _compliance(
    sources: ReportSources,
    period: str,
    customer: str | None,
    service: str | None,
    agreement: str | None,
    periods: int,
    loaded: Loaded | None,
    skipped: Sequence[str] = (),
) -> ComplianceReport:
    """Compliance from ``sources`` as they are; ``skipped`` customers left out."""
    probe = parse_period(period, "UTC")
    revision_id, definitions = loaded or load_definitions(sources, probe)
    rows: list[Compliance] = []
    satisfaction: list[Satisfaction] = []
    trend: list[TrendPoint] = []
    for zone, scope in zone_scopes(definitions, customer, service, agreement, skipped):
        windows = probe.in_zone(zone).trailing(periods + 1)
        spans = [Window(w.start, w.end) for w in windows]
        labels = [w.label for w in windows]
        last = len(windows) - 1
        for count in sources.read_model.compliance_counts(spans, scope):
            if count.window < 1:
                continue
            trend.append(
                TrendPoint(
                    count.objective_key,
                    count.customer,
                    count.service,
                    labels[count.window],
                    count.met,
                    count.breached,
                )
            )
            if count.window != last:
                continue
            objective = objective_of(definitions, count.objective_key)
            rows.append(
                Compliance(
                    count.objective_key,
                    Metric(count.metric),
                    count.customer,
                    count.service,
                    labels[last],
                    count.met,
                    count.breached,
                    objective.goal if objective else None,
                    count.target_seconds,
                    count.previous_met,
                    count.previous_breached,
                    zone,
                )
            )
        if agreement is None:
            ratings = sources.read_model.rating_counts(spans[-2:], scope)
            satisfaction += satisfaction_rows(definitions, ratings, windows[-1])
    ordered = sorted(rows, key=_row_order)
    return ComplianceReport(
        probe.label,
        probe.title,
        revision_id,
        tuple(ordered),
        tuple(satisfaction),
        tuple(trend),
        _marks(sources),
    )


def satisfaction_rows(
    definitions: Definitions, ratings: Iterable[RatingCount], period: ReportingPeriod
) -> list[Satisfaction]:
    """Mean ratings per satisfaction objective x customer x service; window 1 is ``period``, 0 the one before.

    Which objective a rating counts for follows precedence on the ticket's
    customer and service (conditions on other attributes are not known here).
    """
    sums: dict[tuple[str, str | None, str | None], list[Decimal]] = {}
    for rating in ratings:
        applied = resolve_objectives(
            definitions, TicketScope(rating.customer, rating.service, {}), period.last
        ).get(Metric.SATISFACTION)
        if applied is None:
            continue
        group = (applied.key, rating.customer, rating.service)
        figures = sums.setdefault(
            group, [Decimal(0)] * 4
        )  # count, sum, previous count, previous sum
        offset = 0 if rating.window == 1 else 2
        figures[offset] += rating.tickets
        figures[offset + 1] += rating.score * rating.tickets
    rows = []
    for (key, customer, service), (count, total, before, before_total) in sorted(
        sums.items(), key=lambda item: (item[0][0], item[0][1] or "", item[0][2] or "")
    ):
        if not count and not before:
            continue
        objective = objective_of(definitions, key)
        rows.append(
            Satisfaction(
                key,
                customer,
                service,
                period.label,
                int(count),
                total,
                objective.target_value if objective else None,
                int(before),
                before_total,
                period.timezone,
            )
        )
    return rows


def availability_report(
    sources: ReportSources,
    period: str,
    *,
    customer: str | None = None,
    service: str | None = None,
    loaded: Loaded | None = None,
) -> AvailabilityReport:
    """Availability per service (service-wide, or as ``customer`` sees it) in ``period``.

    A customer's row is cut in the customer's reporting zone, also in the
    provider-wide report (one row per customer with an outage scoped to it in
    its own period); a service-wide row in the provider's zone. A closed
    period's rows of a customer come from its frozen inputs.
    """
    if customer is not None:
        frozen = closed_sources(sources, customer, period)
        if frozen is not None:
            sources, loaded = frozen, None
    report = _availability(sources, period, customer, service, loaded)
    for name in _closed_customers(sources, period) if customer is None else ():
        part = availability_report(sources, period, customer=name, service=service)
        scoped = tuple(r for r in part.rows if any(name in o.customers for o in r.outages))
        kept = tuple(r for r in report.rows if r.figure.customer != name)
        report = AvailabilityReport(
            report.period,
            report.title,
            report.revision_id,
            tuple(sorted((*kept, *scoped), key=_availability_order)),
            (*report.closed, *part.closed),
        )
    return report


def _availability_order(row: AvailabilityRow) -> tuple[str, str]:
    return (row.figure.service, row.figure.customer or "")


def _availability(
    sources: ReportSources,
    period: str,
    customer: str | None,
    service: str | None,
    loaded: Loaded | None,
) -> AvailabilityReport:
    """Availability from ``sources`` as they are."""
    probe = parse_period(period, "UTC")
    revision_id, definitions = loaded or load_definitions(sources, probe)
    wanted = [service] if service is not None else sorted(_services_of(definitions, customer))
    cuts = _Cuts(definitions, probe)
    span = cuts.span(customer)
    rows = []
    with sources.uow_factory() as uow:
        for name in wanted:
            outages = uow.outages.overlapping(name, *span)
            for viewer, cut in cuts.viewers(customer, outages):
                inside = [o for o in outages if o.start < cut.end and o.end > cut.start]
                row = availability_row(definitions, name, viewer, cut, inside)
                if row is not None:
                    rows.append(row)
    return AvailabilityReport(probe.label, probe.title, revision_id, tuple(rows), _marks(sources))


@dataclass(frozen=True, slots=True)
class _Cuts:
    """One period cut in each reporting zone: the provider's, and each customer's."""

    definitions: Definitions
    probe: ReportingPeriod

    def of(self, customer: str | None) -> ReportingPeriod:
        zone = (
            self.definitions.timezone if customer is None else _zone_of(self.definitions, customer)
        )
        return self.probe.in_zone(zone)

    def span(self, customer: str | None) -> tuple[int, int]:
        """Instants covering the period in every zone a row may be cut in."""
        if customer is not None:
            cut = self.of(customer)
            return cut.start, cut.end
        zones = {self.definitions.timezone}
        zones |= {known.reporting_timezone for known in self.definitions.customers.values()}
        cuts = [self.probe.in_zone(zone) for zone in zones]
        return min(c.start for c in cuts), max(c.end for c in cuts)

    def viewers(
        self, customer: str | None, outages: Sequence[Outage]
    ) -> list[tuple[str | None, ReportingPeriod]]:
        """``customer``; else service-wide and every customer with a scoped outage in its period."""
        if customer is not None:
            return [(customer, self.of(customer))]
        found: list[tuple[str | None, ReportingPeriod]] = [(None, self.of(None))]
        for name in sorted({c for o in outages for c in o.customers}):
            cut = self.of(name)
            if any(
                name in o.customers and o.start < cut.end and o.end > cut.start for o in outages
            ):
                found.append((name, cut))
        return found


def availability_row(
    definitions: Definitions,
    service: str,
    customer: str | None,
    period: ReportingPeriod,
    outages: Sequence[Outage],
) -> AvailabilityRow | None:
    """The availability objective that applies to ``service`` for ``customer``, measured; ``None`` if none applies."""
    applied = resolve_objectives(definitions, TicketScope(customer, service, {}), period.last).get(
        Metric.AVAILABILITY
    )
    target = applied.objective.target_value if applied is not None else None
    if applied is None or target is None:
        return None
    objective = applied.objective
    open_seconds = None
    if objective.calendar != ALWAYS_OPEN and objective.calendar in definitions.calendars:
        open_seconds = BusinessCalendar(definitions.calendars[objective.calendar]).between_epoch
    figure = measure_availability(
        applied.key,
        target,
        service,
        customer,
        (period.label, period.start, period.end),
        outages,
        open_seconds,
        objective.calendar,
        timezone=period.timezone,
    )
    seen = tuple(outages_seen_by(outages, service, customer))
    return AvailabilityRow(figure, seen, period.start, period.end)


def _services_of(definitions: Definitions, customer: str | None) -> set[str]:
    if customer is not None and customer in definitions.customers:
        bought = {fee.service for fee in definitions.customers[customer].fees}
        if bought:
            return bought
    return set(definitions.services)
