"""``servanda outages import FILE...``: outage and maintenance records for availability objectives.

Files are JSONL or CSV (by extension; docs/importing.md "Outages"). Each bad
line is reported with file and line; the rest is stored in one transaction,
idempotently on ``(source, id)``. A service or customer the definitions do not
know is reported as ``file:line: outage: message [code]`` and counted per kind
in the summary. With ``--strict`` any bad line, unknown value or conflicting
record stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from servanda.adapters.importers.records import Rejection
from servanda.domain.availability import Outage
from servanda.domain.errors import EventError
from servanda.domain.events import DEFAULT_SOURCE
from servanda.domain.vocabulary import Finding
from servanda.entrypoints.cli.db import DatabaseUrl
from servanda.entrypoints.cli.import_reports import WarningSink, describe_counts, refusal_text
from servanda.services.ports import Identity

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
    strict: Annotated[
        bool, typer.Option(help="Store nothing if any record is bad or names an unknown value.")
    ] = False,
    warnings_file: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="Write every unknown value here (file:line: ...)."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Validate outage files and store their records."""
    from servanda.adapters.importers.outages import read_numbered_outages
    from servanda.adapters.importers.records import zone_named
    from servanda.entrypoints.cli.db import open_storage
    from servanda.services.outages import record_outages

    console = Console(stderr=True)
    zone = zone_named(timezone) if timezone else None
    outages: list[Outage] = []
    where: dict[tuple[str, str], tuple[str, int]] = {}
    rejections: list[Rejection] = []
    for path in files:
        for item in read_numbered_outages(path, zone=zone, source=source):
            if isinstance(item, Rejection):
                rejections.append(item)
            else:
                outages.append(item[1])
                where.setdefault(item[1].identity, (str(path), item[0]))
    _report(console, rejections)
    if strict and rejections:
        raise EventError(f"{len(rejections)} bad record(s): nothing stored (--strict)")
    storage = open_storage(database_url)
    warnings = WarningSink(warnings_file, [str(path) for path in files])
    try:
        if strict:
            with storage.uow_factory() as uow:
                if unknown := storage.values.check_outages(uow, outages):
                    _refuse(console, unknown, where)
        outcome = record_outages(storage.uow_factory, outages, strict=strict, values=storage.values)
        _warn(warnings, outcome.findings, where)
    finally:
        storage.dispose()
        warnings.close()
    for conflict in outcome.conflicts:
        console.print(
            f"[yellow]conflict[/yellow] {conflict.source}/{conflict.id}: stored with other content",
            highlight=False,
        )
    typer.echo(
        f"{len(outages) + len(rejections)} records read: {outcome.new} new, "
        f"{outcome.duplicates} duplicate, {len(outcome.conflicts)} conflicting, "
        f"{len(rejections) + len(outcome.refused)} rejected\n"
        f"{describe_counts(warnings.counts, len(outcome.refused))}"
    )
    if outcome.refused:
        raise EventError(f"{len(outcome.refused)} record(s) refused for unknown values")


def _warn(
    warnings: WarningSink,
    findings: Mapping[Identity, tuple[Finding, ...]],
    where: Mapping[Identity, tuple[str, int]],
) -> None:
    for identity in sorted(findings, key=lambda identity: where[identity]):
        file, line = where[identity]
        for finding in findings[identity]:
            warnings.warn(file, line, f"{identity[1]}: {finding.message}", finding.code)


def _refuse(
    console: Console,
    findings: Mapping[Identity, tuple[Finding, ...]],
    where: Mapping[Identity, tuple[str, int]],
) -> None:
    """``--strict`` and unknown values: nothing was stored; say which records and why."""
    for identity in sorted(findings, key=lambda identity: where[identity]):
        file, line = where[identity]
        console.print(
            f"[yellow]rejected[/yellow] {file}:{line}: "
            + refusal_text(identity[1], findings[identity]),
            highlight=False,
            soft_wrap=True,
        )
    raise EventError(f"{len(findings)} record(s) with unknown values: nothing stored (--strict)")


def _report(console: Console, rejections: list[Rejection]) -> None:
    for rejection in rejections[:SHOWN_REJECTIONS]:
        console.print(f"[yellow]rejected[/yellow] {rejection}", highlight=False, soft_wrap=True)
    if len(rejections) > SHOWN_REJECTIONS:
        console.print(f"... and {len(rejections) - SHOWN_REJECTIONS} more rejected records")
