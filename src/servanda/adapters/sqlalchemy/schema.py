"""Schema migrations (Alembic) driven from code: upgrade to head, tell the current revision.

The migration scripts live inside the package (``migrations/``), so an
installed Servanda can upgrade its database without a checkout.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` in one transaction per migration run."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def refresh_statistics(engine: Engine) -> None:
    """Let the planner see the tables' real sizes after a bulk load.

    PostgreSQL plans with statistics from the last ``ANALYZE``; autovacuum lags
    behind an import of millions of rows, and a planner that still believes the
    event log is empty scans it whole for every duplicate check. SQLite plans
    from its indexes without statistics, so nothing is done there.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE events, tickets, measurements, transitions")
