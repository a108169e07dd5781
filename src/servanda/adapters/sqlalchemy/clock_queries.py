"""The clocks list in SQL: stored measurements joined to their tickets, filtered and paged.

Order: ``deadline_at`` ascending with clocks without a deadline last, then
ticket id and measurement key (a total order, so offsets page stably).
``at_risk`` (services.queries): running, and a warning transition exists for
the clock or its ``next_due_at`` is at or before ``now``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, and_, exists, or_, select

from servanda.adapters.sqlalchemy.tables import measurements, tickets, transitions
from servanda.services.queries import ClockFilter, ClockFilterState, ClockPage, ClockRow

m = measurements.c
t = tickets.c

_WARNED = exists().where(
    transitions.c.ticket_id == m.ticket_id,
    transitions.c.measurement_key == m.key,
    transitions.c.kind == "warning",
)


def at_risk(now: int) -> Any:  # noqa: ANN401 - a SQL boolean expression
    return and_(m.state == "running", or_(_WARNED, m.next_due_at <= now))


class SqlAlchemyClockQuery:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def clocks(self, wanted: ClockFilter) -> ClockPage:
        risk = at_risk(wanted.now)
        query = (
            select(
                m.ticket_id,
                m.key,
                m.agreement,
                m.objective_key,
                m.metric,
                m.cycle,
                m.state,
                risk.label("at_risk"),
                m.target_seconds,
                m.elapsed_seconds,
                m.deadline_at,
                m.breached_at,
                m.next_due_at,
                m.evaluated_at,
                t.customer,
                t.service,
                t.priority,
            )
            .select_from(measurements.join(tickets, tickets.c.id == m.ticket_id))
            .order_by(m.deadline_at.is_(None), m.deadline_at, m.ticket_id, m.key)
            .limit(wanted.limit + 1)
            .offset(wanted.offset)
        )
        if wanted.state is ClockFilterState.AT_RISK:
            query = query.where(risk)
        elif wanted.state is not None:
            query = query.where(m.state == wanted.state.value)
        if wanted.customer is not None:
            query = query.where(t.customer == wanted.customer)
        if wanted.service is not None:
            query = query.where(t.service == wanted.service)
        if wanted.agreement is not None:
            query = query.where(m.agreement == wanted.agreement)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        more = len(rows) > wanted.limit
        items = tuple(_row(row) for row in rows[: wanted.limit])
        return ClockPage(
            items, wanted.limit, wanted.offset, wanted.offset + wanted.limit if more else None
        )


def _row(row: Any) -> ClockRow:  # noqa: ANN401 - a Row of the select above
    return ClockRow(
        ticket=row[0],
        key=row[1],
        agreement=row[2],
        objective=row[3],
        metric=row[4],
        cycle=int(row[5]),
        state=row[6],
        at_risk=bool(row[7]),
        target_seconds=row[8],
        elapsed_seconds=row[9],
        deadline=row[10],
        breached_at=row[11],
        next_due_at=row[12],
        evaluated_at=int(row[13]),
        customer=row[14],
        service=row[15],
        priority=row[16],
    )
