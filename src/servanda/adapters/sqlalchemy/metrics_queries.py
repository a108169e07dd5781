"""The ``/metrics`` figures as a handful of grouped SQL counts (no rows are loaded)."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from servanda.adapters.sqlalchemy.clock_queries import at_risk
from servanda.adapters.sqlalchemy.tables import events, measurements, transitions
from servanda.services.metrics import Attainment, MetricsSnapshot, Month

m = measurements.c


class SqlAlchemyMetricsQuery:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def snapshot(self, now: int, months: tuple[Month, ...]) -> MetricsSnapshot:
        with self._engine.connect() as connection:
            by_state = {
                state: int(count)
                for state, count in connection.execute(
                    select(m.state, func.count()).group_by(m.state)
                )
            }
            risky = connection.execute(
                select(func.count()).select_from(measurements).where(at_risk(now))
            ).scalar_one()
            by_kind = {
                kind: int(count)
                for kind, count in connection.execute(
                    select(transitions.c.kind, func.count()).group_by(transitions.c.kind)
                )
            }
            stored = connection.execute(select(func.count()).select_from(events)).scalar_one()
            attainment: list[Attainment] = []
            for month in months:
                rows = connection.execute(
                    select(m.objective_key, m.state, func.count())
                    .where(
                        m.concluded_at >= month.start,
                        m.concluded_at < month.end,
                        m.state.in_(("met", "breached")),
                    )
                    .group_by(m.objective_key, m.state)
                )
                counts: dict[str, dict[str, int]] = {}
                for objective, state, count in rows:
                    counts.setdefault(objective, {})[state] = int(count)
                attainment.extend(
                    Attainment(key, month.label, c.get("met", 0), c.get("breached", 0))
                    for key, c in sorted(counts.items())
                )
        return MetricsSnapshot(by_state, int(risky), by_kind, int(stored), tuple(attainment))
