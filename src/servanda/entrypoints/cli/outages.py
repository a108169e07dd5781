"""``servanda outages import FILE...``: outage and maintenance records for availability objectives.

Files are JSONL or CSV (by extension; docs/importing.md "Outages"). Each bad
line is reported with file and line; the rest is stored in one transaction,
idempotently on ``(source, id)``. With ``--strict`` any bad line or
conflicting record stores nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from servanda.adapters.importers.records import Rejection
from servanda.domain.errors import EventError
from servanda.domain.events import DEFAULT_SOURCE
from servanda.domain.outages import Outage
from servanda.entrypoints.cli.db import DatabaseUrl

outages_app = typer.Typer(
    help="Import outage and planned-maintenance records.", no_args_is_help=True
)

SHOWN_REJECTIONS = 10


def register(app: typer.Typer) -> None:
    app.add_typer(outages_app, name="outages")


@outages_app.command("import")
def import_outages(
    files: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="JSONL or CSV files.")
    ],
    timezone: Annotated[
        str | None, typer.Option(help="IANA zone of timestamps without an offset.")
    ] = None,
    source: Annotated[str, typer.Option(help="Source of records that name none.")] = DEFAULT_SOURCE,
    strict: Annotated[bool, typer.Option(help="Store nothing if any record is bad.")] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Validate outage files and store their records."""
    from servanda.adapters.importers.outages import read_outages
    from servanda.adapters.importers.records import collect, zone_named
    from servanda.entrypoints.cli.db import open_storage
    from servanda.services.outages import record_outages

    console = Console(stderr=True)
    zone = zone_named(timezone) if timezone else None
    outages: list[Outage] = []
    rejections: list[Rejection] = []
    for path in files:
        collected = collect(read_outages(path, zone=zone, source=source))
        outages.extend(collected.values)
        rejections.extend(collected.rejections)
    _report(console, rejections)
    if strict and rejections:
        raise EventError(f"{len(rejections)} bad record(s): nothing stored (--strict)")
    storage = open_storage(database_url)
    try:
        outcome = record_outages(storage.uow_factory, outages, strict=strict)
    finally:
        storage.dispose()
    for conflict in outcome.conflicts:
        console.print(
            f"[yellow]conflict[/yellow] {conflict.source}/{conflict.id}: stored with other content",
            highlight=False,
        )
    typer.echo(
        f"{len(outages) + len(rejections)} records read: {outcome.new} new, "
        f"{outcome.duplicates} duplicate, {len(outcome.conflicts)} conflicting, "
        f"{len(rejections)} rejected"
    )


def _report(console: Console, rejections: list[Rejection]) -> None:
    for rejection in rejections[:SHOWN_REJECTIONS]:
        console.print(f"[yellow]rejected[/yellow] {rejection}", highlight=False, soft_wrap=True)
    if len(rejections) > SHOWN_REJECTIONS:
        console.print(f"... and {len(rejections) - SHOWN_REJECTIONS} more rejected records")
