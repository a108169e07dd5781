"""What the hostile tests assert at the edge: the command line's error boundary and the stored rows.

``cli`` runs a command as ``servanda`` does (``entrypoints.cli.main``): a Servanda
error becomes its one-line message and documented exit code, and any other
exception fails the test with its traceback. ``stored_rows`` is every row of every
table a refusal must leave alone (API tokens are left out: using one records when).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

from sqlalchemy import create_engine, select
from typer.testing import CliRunner


@dataclass(frozen=True, slots=True)
class CliOutcome:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli(*arguments: str) -> CliOutcome:
    """``servanda ARGUMENTS`` through the CLI's own error boundary; a traceback fails the test."""
    from servanda.domain.errors import ServandaError
    from servanda.entrypoints.cli import _register, app, exit_code_for

    _register()
    result = CliRunner().invoke(app, list(arguments), env={"COLUMNS": "500"})
    error = result.exception
    if error is None or isinstance(error, SystemExit):
        return CliOutcome(result.exit_code, result.stdout, result.stderr)
    if isinstance(error, ServandaError):
        return CliOutcome(exit_code_for(error), result.stdout, f"{result.stderr}error: {error}\n")
    shown = "".join(traceback.format_exception(error))
    raise AssertionError(f"servanda {' '.join(arguments)} ended in a traceback:\n{shown}")


def with_small_definitions(database_url: str) -> str:
    """``database_url`` with the small definitions of ``tests.streams`` applied."""
    from servanda.bootstrap import connect, load_settings
    from tests.streams import apply_small_definitions

    storage = connect(load_settings(database_url=database_url))
    try:
        apply_small_definitions(storage.uow_factory)
    finally:
        storage.dispose()
    return database_url


def stored_rows(database_url: str) -> dict[str, list[dict[str, object]]]:
    """Every stored row (column -> value), table by table, in a stable order."""
    import servanda.adapters.sqlalchemy.access_tables  # noqa: F401  (registers its tables)
    from servanda.adapters.sqlalchemy.tables import metadata

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(
                    (dict(row._mapping) for row in connection.execute(select(table))), key=repr
                )
                for table in metadata.sorted_tables
                if table.name != "api_tokens"
            }
    finally:
        engine.dispose()
