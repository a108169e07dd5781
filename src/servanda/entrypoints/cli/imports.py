"""``servanda import servicenow FILE``: a service desk's own export, as ticket events.

The file is converted in memory (``adapters.importers.servicenow``), then
stored through ``record_events`` in batches of whole tickets (one transaction
each, re-folded at ``--now``, default the wall clock; ``--notify`` as in
``recording``), with a progress bar and a summary. ``--output FILE.jsonl``
only converts: the JSONL can be imported with ``servanda events import`` or
folded by ``servanda replay``.

Values the stored definitions do not know (``domain.vocabulary``; the state
map's statuses count as known) are reported as ``file:line: incident: message
[code]`` with the line of the row that set them, the first few per kind, and
counted per kind in the summary; ``--warnings-file`` gets every one. With
``--strict`` an unknown value stores nothing. Rows the converter cannot use
(misplaced duplicate updates, unknown states) are reported and skipped with or
without it: they are the export's known warts, not values to correct.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
from servanda.entrypoints.cli.import_reports import WarningSink, refusal_text
from servanda.entrypoints.cli.instants import instant_option
from servanda.entrypoints.cli.recording import NotifyOption, Recording

if TYPE_CHECKING:
    from servanda.bootstrap import Storage
    from servanda.services.vocabulary import ValueChecker

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
    transitions: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    unknown: Counter[str] = field(default_factory=Counter)  # unknown values per kind
    refused: int = 0  # events refused for their values (outside a declared vocabulary)


@import_app.command("servicenow")
def servicenow(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Incident log CSV (.gz ok).")
    ],
    *,
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
        str | None,
        typer.Option(
            help="Fold at this ISO 8601 instant, not the wall clock.", callback=instant_option
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            help="Store nothing if any value is unknown to the definitions (unusable rows are "
            "still skipped and reported)."
        ),
    ] = False,
    warnings_file: Annotated[
        Path | None,
        typer.Option(
            dir_okay=False, help="Write every unknown value here (file:line: incident: message)."
        ),
    ] = None,
    notify: NotifyOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Convert a ServiceNow incident audit log into events and store (or write) them."""
    from servanda.adapters.importers.records import zone_named
    from servanda.adapters.importers.state_maps import load_state_map
    from servanda.domain.errors import EventError
    from servanda.entrypoints.cli.db import open_storage

    console = Console(stderr=True)
    recording = Recording.resolve(now, notify)
    states = load_state_map(state_map)
    options = ServiceNowOptions(
        state_map=states,
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
        with open_storage(database_url) as storage:
            checker = storage.values.with_statuses(states.statuses.values())
            if strict:
                _refuse_unknown_values(console, storage, checker, converted, file)
            warnings = WarningSink(warnings_file, [str(file)])
            try:
                totals = _store(
                    console, storage, checker, converted, (recording, str(file), warnings)
                )
            finally:
                warnings.close()
    _print_summary(converted, totals, "stored")
    Console().print(recording.describe(totals.transitions), highlight=False, soft_wrap=True)
    if totals.refused:
        raise EventError(f"{totals.refused:,} event(s) refused for unknown values")


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
    console: Console,
    storage: Storage,
    checker: ValueChecker,
    converted: ServiceNowConversion,
    where: tuple[Recording, str, WarningSink],
) -> StoreTotals:
    """Store the events in batches of whole tickets; report each batch's unknown values."""
    from servanda.services.ingestion import record_events

    recording, file, warnings = where
    events = converted.events
    totals = StoreTotals()
    offset = 0
    with _progress(console) as progress:
        task = progress.add_task("Importing", total=len(events))
        for batch in ticket_batches(events, storage.settings.import_batch_size):
            outcome = record_events(
                storage.uow_factory,
                storage.evaluator,
                batch,
                recording.now,
                values=checker,
                recorded_at=recording.recorded_at,
            )
            totals.new += outcome.new
            totals.duplicates += outcome.duplicates
            totals.conflicts.extend(outcome.conflicts)
            totals.tickets += outcome.tickets
            totals.breaches += outcome.breaches
            totals.transitions += len(outcome.transitions)
            for index, event in enumerate(batch, start=offset):
                found = outcome.findings.get(event.identity, ())
                totals.unknown.update(finding.code.value for finding in found)
                line = converted.lines[index]
                if event.identity in outcome.refused:
                    totals.refused += 1
                    console.print(
                        f"[yellow]rejected[/yellow] {file}:{line}: "
                        f"{refusal_text(event.ticket, found)}",
                        highlight=False,
                        soft_wrap=True,
                    )
                    continue
                for finding in found:
                    warnings.warn(file, line, f"{event.ticket}: {finding.message}", finding.code)
            offset += len(batch)
            progress.advance(task, len(batch))
            gc.collect(1)  # the young generations only (see ``paused_collector``)
    with storage.uow_factory() as uow:
        totals.by_state = uow.measurements.count_by_state()
    return totals


def _refuse_unknown_values(
    console: Console,
    storage: Storage,
    checker: ValueChecker,
    converted: ServiceNowConversion,
    file: Path,
) -> None:
    """``--strict``: ``EventError`` (after showing the first few) if any value is unknown."""
    from servanda.domain.errors import EventError

    with storage.uow_factory() as uow:
        findings = checker.check_events(uow, converted.events)
    if not findings:
        return
    bad = [
        (line, event, findings[event.identity])
        for line, event in zip(converted.lines, converted.events, strict=True)
        if event.identity in findings
    ]
    for line, event, found in sorted(bad, key=lambda item: item[0])[:SHOWN_REJECTIONS]:
        console.print(
            f"[yellow]rejected[/yellow] {file}:{line}: {refusal_text(event.ticket, found)}",
            highlight=False,
            soft_wrap=True,
        )
    raise EventError(f"--strict: {len(bad):,} event(s) with unknown values, nothing was imported")


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
            ("transitions recorded", totals.transitions),
            ("unknown values", sum(totals.unknown.values())),
            *((f"  {code}", n) for code, n in sorted(totals.unknown.items())),
            ("events refused for unknown values", totals.refused),
            *(
                (f"measurements {state} (database)", n)
                for state, n in sorted(totals.by_state.items())
            ),
        ]
    for label, count in rows:
        table.add_row(label, f"{count:,}")
    Console().print(table)
