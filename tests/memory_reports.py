"""The report read model over an ``InMemoryStore``, for unit tests of the report use cases.

It answers as ``adapters.sqlalchemy.reports`` does (the integration tests run
the same scenarios against SQLite and PostgreSQL): a measurement counts in the
window that holds its ``concluded_at``, under its ticket's current customer and
service; the previous window's counts are those of the window just before;
ratings keep each ticket's last rating per window; breaches are ordered by
objective, breach instant, ticket and cycle. It reads the store's committed
state, so it sees what a report would see after the units of work committed.

``memory_reports()`` wires a fresh store, its evaluator and ``ReportSources``;
its ``load`` stores a scenario (``tests.reports_scenario``,
``tests.fee_base_scenario``) the way those modules store one in a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from servanda.adapters.memory import InMemoryStore
from servanda.bootstrap import fold_for
from servanda.domain.clock.measurement import ClockState, Measurement
from servanda.domain.events import EventType, TicketEvent
from servanda.services.closing import StoredClosedPeriods
from servanda.services.evaluation import Evaluator
from servanda.services.ports import TicketState, UnitOfWorkFactory
from servanda.services.report_ports import (
    BreachRow,
    ComplianceCount,
    RatingCount,
    Scope,
    TrailEvent,
    Window,
)
from servanda.services.reports import ReportSources

_CONCLUDED = (ClockState.MET, ClockState.BREACHED)


def _index(at: int | None, windows: Sequence[Window]) -> int | None:
    if at is None:
        return None
    return next((i for i, w in enumerate(windows) if w.start <= at < w.end), None)


def _in_scope(scope: Scope, customer: str | None, service: str | None) -> bool:
    if scope.customers is not None and customer not in scope.customers:
        return False
    if customer is not None and customer in scope.exclude_customers:
        return False
    return scope.service is None or service == scope.service


def _text(value: str | None) -> str:
    return "" if value is None else value


class InMemoryReportReadModel:
    """``ReportReadModel`` over the committed state of ``store``."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _measured(self, scope: Scope) -> Iterator[tuple[TicketState, Measurement]]:
        with self._store.lock:
            state = self._store.state
            for ticket_id, stored in sorted(state.measurements.items()):
                ticket = state.tickets.get(ticket_id)
                if ticket is None or not _in_scope(scope, ticket.customer, ticket.service):
                    continue
                for item in stored:
                    measurement = item.measurement
                    if scope.agreement is None or measurement.agreement == scope.agreement:
                        yield ticket, measurement

    def compliance_counts(self, windows: Sequence[Window], scope: Scope) -> list[ComplianceCount]:
        groups: dict[tuple[int, str, str, str | None, str | None], list[int]] = {}
        for ticket, m in self._measured(scope):
            window = _index(m.concluded_at, windows) if m.state in _CONCLUDED else None
            if window is None:
                continue
            key = (window, m.objective_key, m.metric.value, ticket.customer, ticket.service)
            figures = groups.setdefault(key, [0, 0, 0])
            figures[0 if m.state is ClockState.MET else 1] += 1
            figures[2] = max(figures[2], m.target_seconds)
        counts = []
        for (window, objective, metric, customer, service), (
            met,
            breached,
            target,
        ) in groups.items():
            before = groups.get((window - 1, objective, metric, customer, service), [0, 0, 0])
            counts.append(
                ComplianceCount(
                    window, objective, metric, customer, service, met, breached, target,
                    before[0], before[1],
                )
            )  # fmt: skip
        return sorted(
            counts,
            key=lambda c: (c.window, c.objective_key, _text(c.customer), _text(c.service)),
        )

    def rating_counts(self, windows: Sequence[Window], scope: Scope) -> list[RatingCount]:
        last: dict[tuple[str, int], tuple[TicketState, TicketEvent]] = {}
        with self._store.lock:
            state = self._store.state
            for ticket_id, identities in state.events_by_ticket.items():
                ticket = state.tickets.get(ticket_id)
                if ticket is None or not _in_scope(scope, ticket.customer, ticket.service):
                    continue
                for identity in identities:  # in arrival order, as the log's sequence
                    event = state.events[identity]
                    window = _index(event.at, windows) if event.type is EventType.RATED else None
                    if window is None:
                        continue
                    seen = last.get((ticket_id, window))
                    if seen is None or event.at >= seen[1].at:
                        last[(ticket_id, window)] = (ticket, event)
        grouped: dict[tuple[int, str | None, str | None, object], int] = {}
        for (_, window), (ticket, event) in last.items():
            if event.score is not None:
                key = (window, ticket.customer, ticket.service, event.score)
                grouped[key] = grouped.get(key, 0) + 1
        counts = [
            RatingCount(window, customer, service, score, tickets)  # type: ignore[arg-type]
            for (window, customer, service, score), tickets in grouped.items()
        ]
        return sorted(
            counts, key=lambda c: (c.window, _text(c.customer), _text(c.service), c.score)
        )

    def breaches(self, window: Window, scope: Scope, limit: int) -> list[BreachRow]:
        found = [
            BreachRow(
                m.ticket,
                m.objective_key,
                m.metric.value,
                m.cycle,
                ticket.customer,
                ticket.service,
                ticket.priority,
                m.target_seconds,
                m.elapsed_seconds,
                m.started_at,
                m.breached_at,
                m.stopped_at,
                ticket.revision_id,
            )
            for ticket, m in self._measured(scope)
            if m.state is ClockState.BREACHED
            and m.breached_at is not None
            and window.start <= m.breached_at < window.end
        ]
        found.sort(key=lambda b: (b.objective_key, b.breached_at, b.ticket, b.cycle))
        return found[:limit]

    def trails(self, tickets: Sequence[str]) -> list[TrailEvent]:
        with self._store.lock:
            state = self._store.state
            found = [
                TrailEvent(ticket, event.at, event.type.value, _detail(event))
                for ticket in sorted(set(tickets))
                for event in sorted(
                    (state.events[i] for i in state.events_by_ticket.get(ticket, [])),
                    key=lambda e: e.at,
                )
            ]
        return found


def _detail(event: TicketEvent) -> str:
    values = {
        "customer": event.customer,
        "service": event.service,
        "priority": event.priority,
        "status": event.status,
        "score": None if event.score is None else str(event.score),
    }
    parts = [f"{name}={value}" for name, value in values.items() if value not in (None, "")]
    return ", ".join(parts + [f"{key}={value}" for key, value in event.changes])


@dataclass(frozen=True, slots=True)
class MemoryReports:
    """A fresh in-memory store with its evaluator and the report sources over it."""

    store: InMemoryStore
    evaluator: Evaluator
    sources: ReportSources

    @property
    def uow_factory(self) -> UnitOfWorkFactory:
        return self.store.unit_of_work

    def load(self, scenario: Callable[[MemoryReports], None]) -> MemoryReports:
        """Store a scenario (its ``load`` reads ``uow_factory`` and ``evaluator``)."""
        scenario(self)
        return self

    def without_closes(self) -> ReportSources:
        """Sources that know no closed periods (the figures as they are now)."""
        return replace(self.sources, closed=None)


def memory_reports() -> MemoryReports:
    store = InMemoryStore()
    sources = ReportSources(
        store.unit_of_work,
        InMemoryReportReadModel(store),
        closed=StoredClosedPeriods(store.unit_of_work),
    )
    return MemoryReports(store, Evaluator(fold_for), sources)
