"""The migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import servanda.adapters.sqlalchemy.access_tables  # noqa: F401  (registers its tables)
from servanda.adapters.sqlalchemy.engine import make_engine
from servanda.adapters.sqlalchemy.tables import metadata


def test_a_migrated_database_has_the_declared_tables_columns_and_indexes(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": False}
            )
            differences = compare_metadata(context, metadata)
            dialect = connection.dialect.name
    finally:
        engine.dispose()
    assert [d for d in differences if not _for_another_dialect(d, dialect)] == []


def _for_another_dialect(difference: object, dialect: str) -> bool:
    """An index or key declared only for the other database (``.ddl_if(dialect=...)``)."""
    if not isinstance(difference, tuple) or difference[0] not in ("add_index", "add_fk"):
        return False
    declared = {
        item.name: item
        for table in metadata.tables.values()
        for item in (*table.indexes, *table.constraints)
    }
    condition = getattr(declared.get(difference[1].name), "_ddl_if", None)
    return condition is not None and condition.dialect not in (None, dialect)
