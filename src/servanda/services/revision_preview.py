"""What applying a revision would change, before anything is stored.

``preview_revision`` folds every stored ticket the new revision would measure
(``revisions.affected_tickets``) under the new definitions, each at the instant
it was last folded at (so only the revision differs), and compares the result
with the stored measurements. Per customer and period (the month, in the
customer's reporting zone, in which a changed measurement concluded; ``open``
for clocks still running or paused) it counts the tickets re-measured and the
outcomes that flip (met -> breached, breached -> met), and gives the customer's
net credits for that period before and after: the credit statement computed as
reports compute it, with the stored measurement counts, and again with the
counts the re-measurement would leave (``RemeasuredReadModel``) and the new
revision taking part in choosing the definitions of the period.

Nothing is written; the figures after are exactly what ``--remeasure`` stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from servanda.domain.agreements import Definitions
from servanda.domain.clock.measurement import ClockState, Measurement
from servanda.domain.errors import NotFoundError
from servanda.domain.events import EventType
from servanda.domain.money import Money
from servanda.services.credit_reports import credits_report
from servanda.services.evaluation import Evaluator, keyed
from servanda.services.ports import RevisionSummary, TicketPin, UnitOfWork
from servanda.services.report_ports import (
    BreachRow,
    ComplianceCount,
    RatingCount,
    ReportReadModel,
    Scope,
    TrailEvent,
    Window,
)
from servanda.services.reports import PendingRevision, ReportSources, closed_sources
from servanda.services.revisions import (
    affected_tickets,
    check_effective_from,
    default_effective_from,
)

OPEN = "open"
"""The period label of changed clocks that have not concluded (running or paused)."""
CHUNK = 500


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """What the revision changes for one customer in one period."""

    customer: str | None
    period: str  # YYYY-MM in the customer's reporting zone, or ``open``
    tickets: int  # tickets with a changed measurement concluding in the period
    met_to_breached: int
    breached_to_met: int
    credits_before: tuple[Money, ...] = ()  # net credits per currency, rounded
    credits_after: tuple[Money, ...] = ()
    closed: bool = False  # closed for the customer: its figures stay, adjustments go later


@dataclass(frozen=True, slots=True)
class RevisionPreview:
    effective_from: int
    affected: int  # stored tickets the revision would measure
    changed: int  # of those, tickets whose measurements would change
    rows: tuple[PreviewRow, ...]


@dataclass(frozen=True, slots=True)
class _Change:
    """One measurement before (``None``: absent) and after, with its ticket's scope."""

    customer: str | None
    service: str | None
    before: Measurement | None
    after: Measurement | None


def preview_revision(
    sources: ReportSources,
    evaluator: Evaluator,
    definitions: Definitions,
    *,
    now: int,
    effective_from: int | None = None,
) -> RevisionPreview:
    """What applying ``definitions`` (effective from ``effective_from``) would change."""
    check_effective_from(effective_from)
    with sources.uow_factory() as uow:
        history = uow.revisions.history()
        if effective_from is None:
            effective_from, _ = default_effective_from(history, now)
        affected = affected_tickets(uow, history, effective_from)
        changes, changed = _changes(uow, evaluator, definitions, affected, now)
    pending = PendingRevision(
        RevisionSummary(max((r.id for r in history), default=0) + 1, "", effective_from, now, ""),
        definitions,
    )
    rows = _rows(changes, definitions)
    rows = _with_credits(rows, sources, pending, changes)
    return RevisionPreview(effective_from, len(affected), changed, tuple(rows))


def _changes(
    uow: UnitOfWork,
    evaluator: Evaluator,
    definitions: Definitions,
    affected: Mapping[str, TicketPin],
    now: int,
) -> tuple[list[_Change], int]:
    fold = evaluator.fold_factory(definitions)
    ids = sorted(affected)
    changes: list[_Change] = []
    changed_tickets = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        histories = uow.events.for_tickets(chunk)
        stored = uow.measurements.for_tickets(chunk)
        for ticket in chunk:
            events = sorted(histories.get(ticket, ()), key=lambda e: e.order_key)
            if not events or not any(e.type is EventType.CREATED for e in events):
                continue
            at = affected[ticket].evaluated_at
            evaluation = fold.evaluate(events, now if at is None else at)
            before = {s.key: s.measurement for s in stored.get(ticket, [])}
            after = {s.key: s.measurement for s in keyed(evaluation.measurements, 0)}
            facts = evaluation.facts
            found = [
                _Change(facts.customer, facts.service, before.get(key), after.get(key))
                for key in sorted(before.keys() | after.keys())
                if not _same(before.get(key), after.get(key))
            ]
            changes += found
            changed_tickets += bool(found)
    return changes, changed_tickets


def _same(before: Measurement | None, after: Measurement | None) -> bool:
    if before is None or after is None:
        return before is after
    return before == after


def _zone(definitions: Definitions, customer: str | None) -> str:
    known = definitions.customers.get(customer) if customer is not None else None
    return known.reporting_timezone if known is not None else definitions.timezone


def _month(instant: int | None, zone: str) -> str:
    if instant is None:
        return OPEN
    return datetime.fromtimestamp(instant, tz=UTC).astimezone(ZoneInfo(zone)).strftime("%Y-%m")


@dataclass(slots=True)
class _Tally:
    tickets: set[str] = field(default_factory=set)
    met_to_breached: int = 0
    breached_to_met: int = 0


def _rows(changes: Iterable[_Change], definitions: Definitions) -> list[PreviewRow]:
    tallies: dict[tuple[str | None, str], _Tally] = {}
    for change in changes:
        zone = _zone(definitions, change.customer)
        ticket = (change.after or change.before).ticket  # type: ignore[union-attr]
        for measurement in (change.before, change.after):
            if measurement is None:
                continue
            period = _month(measurement.concluded_at, zone)
            tallies.setdefault((change.customer, period), _Tally()).tickets.add(ticket)
        old = change.before.state if change.before else None
        new = change.after.state if change.after else None
        if change.after is not None:
            period = _month(change.after.concluded_at, zone)
            tally = tallies.setdefault((change.customer, period), _Tally())
            if old is ClockState.MET and new is ClockState.BREACHED:
                tally.met_to_breached += 1
            elif old is ClockState.BREACHED and new is ClockState.MET:
                tally.breached_to_met += 1
    return [
        PreviewRow(customer, period, len(t.tickets), t.met_to_breached, t.breached_to_met)
        for (customer, period), t in sorted(
            tallies.items(), key=lambda item: (item[0][0] or "", item[0][1])
        )
    ]


def _with_credits(
    rows: Sequence[PreviewRow],
    sources: ReportSources,
    pending: PendingRevision,
    changes: Sequence[_Change],
) -> list[PreviewRow]:
    """Each row of a known customer and a concluded period, with its net credits before/after."""

    after_sources = replace(
        sources, read_model=RemeasuredReadModel(sources.read_model, changes), pending=pending
    )
    result = []
    for row in rows:
        if row.customer is None or row.period == OPEN:
            result.append(row)
            continue
        figures: list[tuple[Money, ...]] = []
        for chosen in (sources, after_sources):
            try:
                statement = credits_report(chosen, row.period, customer=row.customer).statements[0]
            except NotFoundError:  # the customer is not in the definitions of that period
                figures.append(())
                continue
            figures.append(tuple(statement.net(c) for c in statement.currencies))
        closed = closed_sources(sources, row.customer, row.period) is not None
        result.append(
            replace(row, credits_before=figures[0], credits_after=figures[1], closed=closed)
        )
    return result


class RemeasuredReadModel:
    """A report read model that answers as if the changed measurements were stored.

    Compliance counts are the stored ones with every changed measurement's old
    version taken out and its new version put in (per window, objective,
    customer, service); ratings, breaches and trails are the stored ones.
    """

    def __init__(self, stored: ReportReadModel, changes: Sequence[_Change]) -> None:
        self._stored = stored
        self._changes = changes

    def compliance_counts(self, windows: Sequence[Window], scope: Scope) -> list[ComplianceCount]:
        groups: dict[tuple[int, str, str, str | None, str | None], list[int]] = {}
        targets: dict[tuple[int, str, str, str | None, str | None], int | None] = {}
        for count in self._stored.compliance_counts(windows, scope):
            key = (count.window, count.objective_key, count.metric, count.customer, count.service)
            groups[key] = [count.met, count.breached]
            targets[key] = count.target_seconds
        for change in self._changes:
            for sign, measurement in ((-1, change.before), (1, change.after)):
                index = _window_of(measurement, windows)
                if measurement is None or index is None:
                    continue
                if not _in_scope(scope, change, measurement):
                    continue
                key = (index, measurement.objective_key, measurement.metric.value,
                       change.customer, change.service)  # fmt: skip
                figures = groups.setdefault(key, [0, 0])
                figures[0 if measurement.state is ClockState.MET else 1] += sign
                if sign > 0:
                    targets[key] = max(targets.get(key) or 0, measurement.target_seconds)
        kept = {k: v for k, v in groups.items() if v[0] or v[1]}
        counts = []
        for key, (met, breached) in kept.items():
            window, objective, metric, customer, service = key
            previous = kept.get((window - 1, objective, metric, customer, service), [0, 0])
            counts.append(
                ComplianceCount(
                    window,
                    objective,
                    metric,
                    customer,
                    service,
                    met,
                    breached,
                    targets.get(key),
                    previous[0],
                    previous[1],
                )
            )
        return sorted(
            counts,
            key=lambda c: (c.window, c.objective_key, c.customer or "", c.service or ""),
        )

    def rating_counts(self, windows: Sequence[Window], scope: Scope) -> list[RatingCount]:
        return self._stored.rating_counts(windows, scope)

    def breaches(self, window: Window, scope: Scope, limit: int) -> list[BreachRow]:
        return self._stored.breaches(window, scope, limit)

    def trails(self, tickets: Sequence[str]) -> list[TrailEvent]:
        return self._stored.trails(tickets)


def _window_of(measurement: Measurement | None, windows: Sequence[Window]) -> int | None:
    if measurement is None or measurement.state not in (ClockState.MET, ClockState.BREACHED):
        return None
    at = measurement.concluded_at
    if at is None:
        return None
    for index, window in enumerate(windows):
        if window.start <= at < window.end:
            return index
    return None


def _in_scope(scope: Scope, change: _Change, measurement: Measurement) -> bool:
    if scope.customers is not None and change.customer not in scope.customers:
        return False
    if change.customer is not None and change.customer in scope.exclude_customers:
        return False
    if scope.service is not None and change.service != scope.service:
        return False
    return scope.agreement is None or measurement.agreement == scope.agreement
