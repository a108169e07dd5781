"""``servanda import servicenow FILE``: a service desk's own export, as ticket events.

The file is converted in memory (``adapters.importers.servicenow``), then
stored through ``record_events`` in batches of whole tickets (one transaction
each, re-folded at ``--now``, default the wall clock), with a progress bar and
a summary. ``--output FILE.jsonl`` only converts: the JSONL can be imported
with ``servanda events import`` or folded by ``servanda replay``.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from servanda.adapters.importers.records import Rejection
from servanda.adapters.importers.servicenow import (
    DEFAULT_TIMEZONE,
    ServiceNowConversion,
    ServiceNowOptions,
    convert_servicenow_file,
)
from servanda.adapters.importers.servicenow_rows import Columns
from servanda.domain.events import EventType, TicketEvent
from servanda.entrypoints.cli.db import DatabaseUrl
from servanda.entrypoints.cli.events import paused_collector

import_app = typer.Typer(
    help="Import a service desk's own export (ServiceNow incident logs).", no_args_is_help=True
)

SHOWN_REJECTIONS = 10


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")


@dataclass(slots=True)
class StoreTotals:
    """What storing the converted events did, summed over the batches."""

    new: int = 0
    duplicates: int = 0
    conflicts: list[TicketEvent] = field(default_factory=list)
    tickets: int = 0
    breaches: int = 0
    by_state: dict[str, int] = field(default_factory=dict)


@import_app.command("servicenow")
def servicenow(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Incident log CSV (.gz ok).")
    ],
    state_map: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="State map YAML (default: shipped)."),
    ] = None,
    timezone: Annotated[
        str, typer.Option(help="IANA zone of the export's timestamps.")
    ] = DEFAULT_TIMEZONE,
    customer_field: Annotated[str, typer.Option(help="Column naming the customer.")] = "caller_id",
    customer: Annotated[
        str | None, typer.Option(help="One fixed customer for every incident, instead.")
    ] = None,
    service_field: Annotated[str, typer.Option(help="Column naming the service.")] = "category",
    output: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="Only convert: write the events as JSONL here."),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="Write every rejected row (file:line: why) here."),
    ] = None,
    now: Annotated[
        str | None, typer.Option(help="Fold at this ISO 8601 instant, not the wall clock.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Convert a ServiceNow incident audit log into events and store (or write) them."""
    from servanda.adapters.importers.records import zone_named
    from servanda.adapters.importers.state_maps import load_state_map

    console = Console(stderr=True)
    options = ServiceNowOptions(
        state_map=load_state_map(state_map),
        columns=Columns(customer_field, service_field, customer),
        zone=zone_named(timezone),
    )
    with paused_collector():  # a sixth of the CPU otherwise (re-scanning the events held)
        with console.status(f"Reading {file.name} ..."):
            converted = convert_servicenow_file(file, options)
        _report_rejections(console, converted.rejections, rejects)
        if output is not None:
            _write_jsonl(output, converted.events)
            _print_summary(converted, None, f"written to {output}")
            return
        totals = _store(console, converted.events, now, database_url)
    _print_summary(converted, totals, "stored")


def _write_jsonl(path: Path, events: Sequence[TicketEvent]) -> None:
    from servanda.specs.events import event_to_line

    with path.open("wb") as stream:
        stream.writelines(event_to_line(event) for event in events)


def ticket_batches(events: Sequence[TicketEvent], size: int) -> Iterator[Sequence[TicketEvent]]:
    """Consecutive slices of about ``size`` events that never split one ticket's events."""
    start = 0
    while start < len(events):
        end = min(start + size, len(events))
        while end < len(events) and events[end].ticket == events[end - 1].ticket:
            end += 1
        yield events[start:end]
        start = end


def _store(
    console: Console, events: Sequence[TicketEvent], now_text: str | None, database_url: str | None
) -> StoreTotals:
    from servanda.entrypoints.cli.db import open_storage, settings_for
    from servanda.entrypoints.cli.sweep import resolve_now
    from servanda.services.ingestion import record_events

    batch_size = settings_for(database_url).import_batch_size
    now = resolve_now(now_text)
    storage = open_storage(database_url)
    totals = StoreTotals()
    try:
        with _progress(console) as progress:
            task = progress.add_task("Importing", total=len(events))
            for batch in ticket_batches(events, batch_size):
                outcome = record_events(storage.uow_factory, storage.evaluator, batch, now)
                totals.new += outcome.new
                totals.duplicates += outcome.duplicates
                totals.conflicts.extend(outcome.conflicts)
                totals.tickets += outcome.tickets
                totals.breaches += outcome.breaches
                progress.advance(task, len(batch))
                gc.collect(1)  # the young generations only (see ``paused_collector``)
        with storage.uow_factory() as uow:
            totals.by_state = uow.measurements.count_by_state()
    finally:
        storage.dispose()
    return totals


class RateColumn(ProgressColumn):
    """Events per second, as rich measures it over the last seconds."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} events/s", style="progress.data.speed")


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _report_rejections(console: Console, rejections: list[Rejection], path: Path | None) -> None:
    for rejection in rejections[:SHOWN_REJECTIONS]:
        console.print(f"[yellow]rejected[/yellow] {rejection}", highlight=False, soft_wrap=True)
    if len(rejections) > SHOWN_REJECTIONS:
        console.print(f"... and {len(rejections) - SHOWN_REJECTIONS} more rejected rows")
    if path is not None:
        path.write_text("".join(f"{rejection}\n" for rejection in rejections), encoding="utf-8")


def _print_summary(converted: ServiceNowConversion, totals: StoreTotals | None, verb: str) -> None:
    table = Table(title=f"ServiceNow import: events {verb}", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    types = Counter(event.type for event in converted.events)
    rows: list[tuple[str, int]] = [
        ("rows read", converted.rows_read),
        ("rows rejected", len(converted.rejections)),
        ("incidents", converted.incidents),
        ("tickets with events", converted.tickets),
        ("events converted", len(converted.events)),
        *((f"  {kind.value}", types[kind]) for kind in EventType if types[kind]),
    ]
    if totals is not None:
        rows += [
            ("events new", totals.new),
            ("events duplicate", totals.duplicates),
            ("events rejected (conflicting duplicates)", len(totals.conflicts)),
            ("tickets touched", totals.tickets),
            ("measurements breached by this import", totals.breaches),
            *(
                (f"measurements {state} (database)", n)
                for state, n in sorted(totals.by_state.items())
            ),
        ]
    for label, count in rows:
        table.add_row(label, f"{count:,}")
    Console().print(table)
