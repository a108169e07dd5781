"""Every stored row of a Servanda database, for "a refused request stores nothing" checks.

Unlike ``tests/integration/database_state.py`` nothing is left out: surrogate
ids, sequence numbers and recording instants included, so a refused request
that wrote and deleted a row, or advanced nothing but an audit entry, shows.
"""

from __future__ import annotations

from sqlalchemy import select

from servanda.adapters.sqlalchemy.engine import make_engine

Rows = dict[str, list[tuple[object, ...]]]


def stored_rows(url: str) -> Rows:
    import servanda.adapters.sqlalchemy.access_tables  # noqa: F401  (registers its tables)
    from servanda.adapters.sqlalchemy.tables import metadata

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(
                    (tuple(row) for row in connection.execute(select(table))), key=repr
                )
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()
