"""``servanda db ...``: create and migrate the database; the storage options every command shares.

The database is ``--database-url`` or ``SERVANDA_DATABASE_URL``, by default the
SQLite file ``servanda.sqlite`` in the working directory (created on first use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from servanda.bootstrap import Storage
    from servanda.config import Settings

db_app = typer.Typer(help="Create and migrate the database.", no_args_is_help=True)

DATABASE_URL_HELP = (
    "SQLAlchemy URL of the database (sqlite:///FILE or postgresql+psycopg://...); "
    "default: $SERVANDA_DATABASE_URL, else sqlite:///servanda.sqlite"
)


DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help=DATABASE_URL_HELP, show_default=False)
]


def settings_for(database_url: str | None) -> Settings:
    from servanda.bootstrap import load_settings

    return load_settings(database_url=database_url)


def open_storage(database_url: str | None) -> Storage:
    """Storage for the command's database (SQLite is migrated on first use)."""
    from servanda.bootstrap import connect

    return connect(settings_for(database_url))


@db_app.command("upgrade")
def upgrade(database_url: DatabaseUrl = None) -> None:
    """Create the tables, or migrate them to this version of Servanda."""
    from servanda.bootstrap import upgrade as upgrade_database

    before, after = upgrade_database(settings_for(database_url))
    if before == after:
        typer.echo(f"database is up to date (schema {after})")
    else:
        typer.echo(f"database migrated from schema {before or 'empty'} to {after}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
