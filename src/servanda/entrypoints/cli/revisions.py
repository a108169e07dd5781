"""``servanda definitions apply|history|diff``: versioned definitions in the database.

``apply`` stores a new immutable revision only when the content changed.
``--effective-from`` is a local date in the definitions' time zone (midnight
starts it) or an ISO 8601 instant with an offset; default: now.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from servanda.entrypoints.cli.db import DatabaseUrl, open_storage
from servanda.entrypoints.cli.definitions import definitions_app


def effective_instant(text: str, timezone: str) -> int:
    """Epoch seconds of ``--effective-from``: a local date (midnight) or an aware ISO instant."""
    from servanda.domain.errors import DefinitionError, Issue
    from servanda.domain.events import epoch_seconds

    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return epoch_seconds(datetime.combine(day, datetime.min.time(), ZoneInfo(timezone)))
        return epoch_seconds(datetime.fromisoformat(text))
    except ValueError as error:
        raise DefinitionError(
            [
                Issue(
                    f"--effective-from {text!r} is not a date or an instant with an offset: {error}"
                )
            ]
        ) from None


@definitions_app.command("apply")
def apply(
    path: Annotated[Path, typer.Argument(help="A definitions YAML file or a folder of them.")],
    effective_from: Annotated[
        str | None,
        typer.Option(help="Date (YYYY-MM-DD, local) from which new tickets use the revision."),
    ] = None,
    comment: Annotated[str, typer.Option(help="Why this revision was made.")] = "",
    database_url: DatabaseUrl = None,
) -> None:
    """Validate definitions and store them as a new revision (only if they changed)."""
    from servanda.adapters.system_clock import SystemClock
    from servanda.services.revisions import apply_definitions
    from servanda.specs.loader import load_definitions, read_sources
    from servanda.specs.snapshot import content_hash

    definitions = load_definitions(path)
    sources = {str(name): text for name, text in read_sources(path).items()}
    start = effective_instant(effective_from, definitions.timezone) if effective_from else None
    storage = open_storage(database_url)
    try:
        applied = apply_definitions(
            storage.uow_factory,
            definitions,
            fingerprint=content_hash,
            now=SystemClock().now(),
            effective_from=start,
            comment=comment,
            sources=sources,
        )
    finally:
        storage.dispose()
    revision = applied.revision
    if applied.created:
        typer.echo(
            f"stored revision {revision.id} ({revision.content_hash[:12]}), "
            f"effective from {_iso(revision.effective_from)}"
        )
    else:
        typer.echo(f"unchanged: revision {revision.id} already holds these definitions")


@definitions_app.command("history")
def history(database_url: DatabaseUrl = None) -> None:
    """List the stored revisions, oldest first."""
    from rich.console import Console
    from rich.table import Table

    from servanda.services.revisions import revision_history

    storage = open_storage(database_url)
    try:
        revisions = revision_history(storage.uow_factory)
    finally:
        storage.dispose()
    if not revisions:
        typer.echo("no revision stored yet: run `servanda definitions apply PATH`")
        return
    table = Table("revision", "content", "effective from", "applied at", "comment")
    for r in revisions:
        table.add_row(
            str(r.id), r.content_hash[:12], _iso(r.effective_from), _iso(r.applied_at), r.comment
        )
    Console().print(table)


@definitions_app.command("diff")
def diff(
    first: Annotated[int, typer.Argument(help="The older revision number.")],
    second: Annotated[int, typer.Argument(help="The newer revision number.")],
    database_url: DatabaseUrl = None,
) -> None:
    """What changed between two revisions: agreements and objectives, calendars, customers."""
    from servanda.services.revision_diff import diff_definitions
    from servanda.services.revisions import revision_definitions

    storage = open_storage(database_url)
    try:
        _, old = revision_definitions(storage.uow_factory, first)
        _, new = revision_definitions(storage.uow_factory, second)
    finally:
        storage.dispose()
    changes = diff_definitions(old, new)
    if not changes:
        typer.echo(f"revisions {first} and {second} hold the same definitions")
        return
    typer.echo(f"from revision {first} to revision {second}:")
    for change in changes:
        typer.echo(str(change))


def _iso(seconds: int) -> str:
    from servanda.domain.events import from_epoch

    return from_epoch(seconds).isoformat()


def register(app: typer.Typer) -> None:
    """The commands attach to ``definitions_app`` when this module is imported."""
    del app
