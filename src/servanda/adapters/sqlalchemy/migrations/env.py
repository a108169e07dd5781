"""Alembic environment: runs on the connection ``servanda db upgrade`` hands over.

SQLite cannot ALTER most things in place, so migrations render as batch
operations there (copy-and-move tables).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from servanda.adapters.sqlalchemy.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `servanda db upgrade`, which supplies a connection")
_run(connection)
