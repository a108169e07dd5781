"""Report aggregates as SQL (SQLAlchemy Core) that run alike on SQLite and PostgreSQL.

Each measurement counts in the window that holds its ``concluded_at``
(``[start, end)``, epoch seconds). Compliance is one ``GROUP BY`` per window
over the measurement rows alone (they carry their ticket's customer and
service), joined with ``UNION ALL``, so each window is a range read of a
covering index; the previous window's counts come from ``LAG`` over the
grouped rows. Ratings keep each
ticket's last rating per window (``ROW_NUMBER``) and are counted per score, so
exact decimal means are computed from integers, never from float sums.
Results are sorted in Python: the two databases order NULLs differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB

from servanda.adapters.sqlalchemy.tables import events, measurements, tickets
from servanda.services.report_ports import (
    BreachRow,
    ComplianceCount,
    RatingCount,
    Scope,
    TrailEvent,
    Window,
)

CONCLUDED = ("met", "breached")


def _window_index(column: Any, windows: Sequence[Window]) -> Any:  # noqa: ANN401 - SQL expressions
    return case(
        *[(column < literal(w.end), literal(i)) for i, w in enumerate(windows)],
        else_=literal(-1),
    )


def _scoped(query: Any, scope: Scope, columns: Any = tickets.c) -> Any:  # noqa: ANN401 - a Select
    """``query`` narrowed to ``scope`` on ``columns``' customer and service (a ticket's, or the
    copies a measurement row carries)."""
    if scope.customers is not None:
        query = query.where(columns.customer.in_(scope.customers))
    if scope.exclude_customers:
        query = query.where(
            or_(columns.customer.is_(None), columns.customer.not_in(scope.exclude_customers))
        )
    if scope.service is not None:
        query = query.where(columns.service == scope.service)
    return query


def _window_counts(index: int, window: Window, scope: Scope) -> Any:  # noqa: ANN401 - a Select
    """Met/breached per objective x customer x service concluded in ``window``, labelled ``index``.

    Reads measurements only (customer and service are on the row), so both
    databases answer from a covering index: SQLite seeks the window in each
    group prefix of ``ix_measurements_report`` and groups in index order.
    """
    m = measurements.c
    group = (m.objective_key, m.metric, m.customer, m.service)
    query = (
        select(
            literal_column(str(int(index))).label("window"),
            *group,
            func.sum(case((m.state == "met", 1), else_=0)).label("met"),
            func.sum(case((m.state == "breached", 1), else_=0)).label("breached"),
            func.max(m.target_seconds).label("target_seconds"),
        )
        .where(m.state.in_(CONCLUDED), m.concluded_at >= window.start, m.concluded_at < window.end)
        .group_by(*group)
    )
    if scope.agreement is not None:
        query = query.where(m.agreement == scope.agreement)
    return _scoped(query, scope, m)


def _key(value: str | None) -> str:
    return "" if value is None else value


class SqlAlchemyReportReadModel:
    """The report read model over one engine; each call is one short read transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def compliance_counts(self, windows: Sequence[Window], scope: Scope) -> list[ComplianceCount]:
        if not windows:
            return []
        branches = [_window_counts(i, window, scope) for i, window in enumerate(windows)]
        grouped = union_all(*branches).subquery("grouped")
        g = grouped.c
        partition = (g.objective_key, g.customer, g.service)
        query = select(
            g.window,
            g.objective_key,
            g.metric,
            g.customer,
            g.service,
            g.met,
            g.breached,
            g.target_seconds,
            func.lag(g.window)
            .over(partition_by=partition, order_by=g.window)
            .label("previous_window"),
            func.lag(g.met).over(partition_by=partition, order_by=g.window).label("previous_met"),
            func.lag(g.breached)
            .over(partition_by=partition, order_by=g.window)
            .label("previous_breached"),
        )
        with self._engine.connect() as connection:
            result = connection.execute(query).all()
        counts = [_compliance_row(row) for row in result]
        return sorted(
            counts, key=lambda c: (c.window, c.objective_key, _key(c.customer), _key(c.service))
        )

    def rating_counts(self, windows: Sequence[Window], scope: Scope) -> list[RatingCount]:
        if not windows:
            return []
        with self._engine.connect() as connection:
            score = _score(connection)
            index = _window_index(events.c.at, windows)
            ranked = (
                select(
                    index.label("window"),
                    tickets.c.customer,
                    tickets.c.service,
                    score.label("score"),
                    func.row_number()
                    .over(
                        partition_by=(events.c.ticket_id, index),
                        order_by=(events.c.at.desc(), events.c.seq.desc()),
                    )
                    .label("rank"),
                )
                .select_from(events.join(tickets, tickets.c.id == events.c.ticket_id))
                .where(
                    events.c.type == "rated",
                    events.c.at >= windows[0].start,
                    events.c.at < windows[-1].end,
                )
            )
            last = _scoped(ranked, scope).subquery("ranked")
            group = (last.c.window, last.c.customer, last.c.service, last.c.score)
            query = (
                select(*group, func.count().label("tickets"))
                .where(last.c.rank == 1, last.c.score.is_not(None))
                .group_by(*group)
            )
            result = connection.execute(query).all()
        counts = [
            RatingCount(int(r.window), r.customer, r.service, Decimal(str(r.score)), int(r.tickets))
            for r in result
        ]
        return sorted(counts, key=lambda c: (c.window, _key(c.customer), _key(c.service), c.score))

    def breaches(self, window: Window, scope: Scope, limit: int) -> list[BreachRow]:
        m = measurements
        query = (
            select(
                m.c.ticket_id,
                m.c.objective_key,
                m.c.metric,
                m.c.cycle,
                tickets.c.customer,
                tickets.c.service,
                tickets.c.priority,
                m.c.target_seconds,
                m.c.elapsed_seconds,
                m.c.started_at,
                m.c.breached_at,
                m.c.stopped_at,
                m.c.revision_id,
            )
            .select_from(m.join(tickets, tickets.c.id == m.c.ticket_id))
            .where(
                m.c.state == "breached",
                m.c.concluded_at >= window.start,
                m.c.concluded_at < window.end,
            )
            .order_by(m.c.objective_key, m.c.breached_at, m.c.ticket_id, m.c.cycle)
            .limit(limit)
        )
        if scope.agreement is not None:
            query = query.where(m.c.agreement == scope.agreement)
        with self._engine.connect() as connection:
            result = connection.execute(_scoped(query, scope, m.c)).all()
        return [
            BreachRow(
                r.ticket_id,
                r.objective_key,
                r.metric,
                int(r.cycle),
                r.customer,
                r.service,
                r.priority,
                int(r.target_seconds or 0),
                int(r.elapsed_seconds or 0),
                r.started_at,
                int(r.breached_at),
                r.stopped_at,
                r.revision_id,
            )
            for r in result
        ]

    def trails(self, tickets_wanted: Sequence[str]) -> list[TrailEvent]:
        if not tickets_wanted:
            return []
        query = (
            select(events.c.ticket_id, events.c.at, events.c.type, events.c.content)
            .where(events.c.ticket_id.in_(sorted(set(tickets_wanted))))
            .order_by(events.c.ticket_id, events.c.at, events.c.seq)
        )
        with self._engine.connect() as connection:
            result = connection.execute(query).all()
        return [TrailEvent(r.ticket_id, int(r.at), r.type, _detail(r.content)) for r in result]


def _compliance_row(row: Any) -> ComplianceCount:  # noqa: ANN401 - a result row
    follows = row.previous_window is not None and int(row.previous_window) == int(row.window) - 1
    return ComplianceCount(
        window=int(row.window),
        objective_key=row.objective_key,
        metric=row.metric,
        customer=row.customer,
        service=row.service,
        met=int(row.met),
        breached=int(row.breached),
        target_seconds=None if row.target_seconds is None else int(row.target_seconds),
        previous_met=int(row.previous_met) if follows else 0,
        previous_breached=int(row.previous_breached) if follows else 0,
    )


def _score(connection: Connection) -> Any:  # noqa: ANN401 - a SQL expression
    """The ``score`` field of an event's JSON content, as text, in this database's dialect."""
    if connection.dialect.name == "postgresql":
        return cast(events.c.content, JSONB)["score"].astext
    return func.json_extract(events.c.content, "$.score")


def _detail(content: str) -> str:
    """A short, human description of an event's attributes for the drill-down appendix."""
    import orjson

    raw: dict[str, Any] = orjson.loads(content)
    parts = [
        f"{name}={raw[name]}"
        for name in ("customer", "service", "priority", "status", "score")
        if raw.get(name) not in (None, "")
    ]
    parts += [f"{key}={value}" for key, value in raw.get("changes", ())]
    return ", ".join(parts)


__all__ = ["SqlAlchemyReportReadModel"]
