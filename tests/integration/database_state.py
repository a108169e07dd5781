"""The observable state of a Servanda database, as sorted rows, for "ends identical" comparisons.

Excluded on purpose: surrogate ids and arrival sequence numbers (they depend on
which process won a race) and ``recorded_at`` (when a transition was recorded).
"""

from __future__ import annotations

from sqlalchemy import select

from servanda.adapters.sqlalchemy.engine import make_engine
from servanda.adapters.sqlalchemy.tables import events, measurements, tickets, transitions

State = dict[str, list[tuple[object, ...]]]


def database_state(url: str) -> State:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            state: State = {}
            for name, table, excluded in (
                ("events", events, {"seq"}),
                ("tickets", tickets, set()),
                ("measurements", measurements, set()),
                ("transitions", transitions, {"id", "recorded_at"}),
            ):
                columns = [c for c in table.c if c.name not in excluded]
                rows = connection.execute(select(*columns)).all()
                state[name] = sorted((tuple(row) for row in rows), key=repr)
            return state
    finally:
        engine.dispose()
