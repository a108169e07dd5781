"""``servanda events import FILE...``: bulk, idempotent event import with progress and a summary.

Formats by file name: ``*.jsonl``/``*.ndjson``/``*.json`` (one JSON event per
line, docs/events.md) and ``*.csv`` (docs/importing.md "CSV events"); a ``.gz``
suffix is read compressed. A record that cannot be parsed, or that reuses a
stored identity with other content, is reported as ``file:line: reason`` and
its raw line written to ``--reject-file``; the rest is stored. A value the
definitions do not know (``domain.vocabulary``) is reported per record as
``file:line: ticket: message [code]`` and counted per kind in the summary; a
value outside a declared vocabulary rejects its record. With ``--strict``
every file is checked first (values included) and nothing is stored if any
record is bad or carries an unknown value. Events go in batches of whole
tickets, about ``SERVANDA_IMPORT_BATCH_SIZE`` events each (one transaction
each; ``ticket_batches``), so an interrupted import keeps whole batches only
and a re-run completes it: re-running reports how many events were new.
``--notify`` decides whether the recorded transitions notify (``recording``).
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from servanda.adapters.importers.records import Rejection
from servanda.domain.events import TicketEvent
from servanda.entrypoints.cli.db import DatabaseUrl, open_storage
from servanda.entrypoints.cli.import_reports import (
    Rejects,
    RejectSink,
    Warnings,
    WarningSink,
    describe_counts,
    refusal_text,
)
from servanda.entrypoints.cli.instants import instant_option
from servanda.entrypoints.cli.recording import NotifyOption, Recording

if TYPE_CHECKING:
    from servanda.bootstrap import Storage
    from servanda.entrypoints.cli.ticket_batches import Reader
    from servanda.entrypoints.cli.ticket_batches import TicketClass as Tickets
    from servanda.services.ingestion import BatchOutcome

events_app = typer.Typer(help="Import ticket events.", no_args_is_help=True)

# Refresh the planner's statistics after these many batches (the tables grow fastest early).
STATISTICS_AFTER_BATCHES = frozenset({1, 3, 10, 30, 100})


@dataclass(frozen=True, slots=True)
class SourcedEvent:
    """An event and where it was read (``line`` is ``None`` when the reader does not number)."""

    event: TicketEvent
    file: str
    line: int | None
    raw: str


Item = SourcedEvent | Rejection
Advance = Callable[[int, int], None]  # advance(bytes_read, rows_read)
PROGRESS_STEP = 1 << 16  # report progress every 64 KiB of input


@dataclass(slots=True)
class ImportSummary:
    """Totals of one import run."""

    rows: int = 0
    new: int = 0
    duplicates: int = 0
    rejected: int = 0
    breaches: int = 0
    transitions: int = 0
    tickets: set[str] = field(default_factory=set)
    unknown: Counter[str] = field(default_factory=Counter)  # unknown values per kind
    refused: int = 0  # records refused for their values (also counted in ``rejected``)

    def merge(self, other: ImportSummary) -> None:
        """Add another worker's totals (``servanda events import --jobs``)."""
        self.rows += other.rows
        self.new += other.new
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.breaches += other.breaches
        self.transitions += other.transitions
        self.tickets |= other.tickets
        self.unknown += other.unknown
        self.refused += other.refused

    def add(self, outcome: BatchOutcome) -> None:
        self.new += outcome.new
        self.duplicates += outcome.duplicates
        self.rejected += len(outcome.conflicts)
        self.breaches += outcome.breaches
        self.transitions += len(outcome.transitions)
        self.tickets.update(outcome.touched)


def format_of(path: Path) -> str:
    suffixes = [s for s in path.suffixes if s != ".gz"]
    kind = suffixes[-1] if suffixes else ""
    if kind in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if kind == ".csv":
        return "csv"
    raise typer.BadParameter(f"{path}: unknown format (expected .jsonl, .ndjson, .json or .csv)")


def counted(stream: Iterable[str], advance: Advance) -> Iterator[str]:
    pending = rows = 0
    for line in stream:
        pending += len(line)
        rows += 1
        if pending >= PROGRESS_STEP:
            advance(pending, rows)
            pending = rows = 0
        yield line
    advance(pending, rows)


def read_file(path: Path, advance: Advance) -> Iterator[Item]:
    """The events and rejections of one file, in file order (plain or gzip; a line that is
    not UTF-8, or where a compressed file breaks off, is a rejection: ``TextFile``)."""
    from servanda.adapters.importers.text_files import TextFile

    name = str(path)
    with TextFile(path) as text:
        lines = counted(text, advance)
        for item in _parsed(lines, name, csv=format_of(path) == "csv"):
            yield from text.rejections()
            yield item
        yield from text.rejections()


def _parsed(lines: Iterable[str], name: str, *, csv: bool) -> Iterator[Item]:
    if not csv:
        yield from _read_jsonl(lines, name)
        return
    from servanda.adapters.importers.csv_events import parse_csv_rows

    for item in parse_csv_rows(lines):
        if isinstance(item, Rejection):
            yield Rejection(item.line, item.message, item.raw, name)
        else:
            number, event, raw = item
            yield SourcedEvent(event, name, number, raw)


def _read_jsonl(lines: Iterable[str], name: str) -> Iterator[Item]:
    from servanda.domain.errors import EventError
    from servanda.specs.events import parse_event_line

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield SourcedEvent(parse_event_line(line), name, number, line.rstrip("\n"))
        except EventError as error:
            yield Rejection(number, str(error), line.rstrip("\n"), name)


def import_items(
    storage: Storage,
    read: Reader,
    *,
    now: int,
    rejects: Rejects,
    warnings: Warnings,
    strict: bool = False,
    tickets: Tickets | None = None,
    advance: Advance | None = None,
    recorded_at: int | None = None,
) -> ImportSummary:
    """Store what ``read`` reads in batches of whole tickets (``ticket_batches``); the core
    of every event importer's command. ``tickets``: the worker's share (default: all);
    ``recorded_at``: the instant new transitions are recorded at (``Recording``)."""
    from servanda.entrypoints.cli.ticket_batches import (
        Meter,
        TicketClass,
        grouped_passes,
        whole_ticket_batches,
    )
    from servanda.services.ingestion import record_events

    summary = ImportSummary()
    meter = Meter(advance or (lambda _amount, _rows: None))
    flushed = 0
    settings = storage.settings

    def reject(item: Rejection) -> None:
        summary.rows += 1
        summary.rejected += 1
        rejects.reject(f"{item.file or '<input>'}:{item.line}", item.message, item.raw)

    with paused_collector():
        start = tickets or TicketClass()
        passes = grouped_passes(
            lambda c: read(c, meter.reading), start, settings.import_hold, reject
        )
        for done in passes:
            for batch in whole_ticket_batches(done.held.values(), settings.import_batch_size):
                outcome = record_events(
                    storage.uow_factory,
                    storage.evaluator,
                    [sourced.event for sourced in batch],
                    now,
                    strict=strict,
                    values=storage.values,
                    strict_values=strict,
                    recorded_at=recorded_at,
                )
                summary.rows += len(batch)
                summary.add(outcome)
                if outcome.conflicts:
                    _reject_conflicts(batch, outcome.conflicts, rejects)
                if outcome.findings:
                    report_values(batch, outcome, summary, rejects, warnings)
                meter.stored(done, len(batch))
                gc.collect(
                    1
                )  # the cyclic collector is off (see below): sweep the young generations
                flushed += 1
                if flushed in STATISTICS_AFTER_BATCHES:
                    storage.refresh_statistics()
    return summary


@contextmanager
def paused_collector() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk import (collect explicitly per batch).

    Events, folds and rows make no reference cycles; automatic collections would re-scan
    every live object again and again (a third of the CPU of an import), so they are
    paused for the import and run explicitly (``gc.collect(1)``) once per batch instead.
    """
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def report_values(
    batch: Sequence[SourcedEvent],
    outcome: BatchOutcome,
    summary: ImportSummary,
    rejects: Rejects,
    warnings: Warnings,
) -> None:
    """Each record's unknown values: a rejection if it was refused for them, else warnings."""
    for sourced in batch:
        event = sourced.event
        found = outcome.findings.get(event.identity)
        if not found:
            continue
        summary.unknown.update(finding.code.value for finding in found)
        if event.identity in outcome.refused:
            summary.rejected += 1
            summary.refused += 1
            where = f"{sourced.file}:{sourced.line}" if sourced.line else sourced.file
            rejects.reject(where, refusal_text(event.ticket, found), sourced.raw)
            continue
        for finding in found:
            warnings.warn(
                sourced.file, sourced.line, f"{event.ticket}: {finding.message}", finding.code
            )


def _reject_conflicts(
    batch: list[SourcedEvent], conflicts: Iterable[TicketEvent], rejects: Rejects
) -> None:
    from servanda.specs.events import event_to_line

    located = {id(sourced.event): sourced for sourced in batch}
    for event in conflicts:
        sourced = located.get(id(event))
        where = "<input>"
        raw = event_to_line(event).decode().rstrip("\n")
        if sourced is not None:
            where = f"{sourced.file}:{sourced.line}" if sourced.line else sourced.file
            raw = sourced.raw or raw
        rejects.reject(
            where,
            f"event {event.id!r} from source {event.source!r} is already stored with other content",
            raw,
        )


@events_app.command("import")
def import_command(
    files: Annotated[list[Path], typer.Argument(help="JSONL or CSV event files (.gz allowed).")],
    strict: Annotated[
        bool,
        typer.Option(
            help="Store nothing if any record is bad or has a value the definitions do not know."
        ),
    ] = False,
    reject_file: Annotated[
        Path | None, typer.Option(help="Write the raw lines of rejected records here.")
    ] = None,
    warnings_file: Annotated[
        Path | None,
        typer.Option(help="Write every unknown value here (file:line: ticket: message [code])."),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            help="Evaluate clocks at this ISO 8601 instant instead of the wall clock.",
            callback=instant_option,
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            min=1, help="Worker processes, each owning a share of the tickets (default: CPUs)."
        ),
    ] = None,
    notify: NotifyOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import ticket events idempotently and bring the touched tickets' measurements up to date."""
    from servanda.domain.errors import EventError
    from servanda.entrypoints.cli.progress import import_progress

    for path in files:
        if not path.is_file():
            raise typer.BadParameter(f"{path}: no such file")
        format_of(path)
    if strict and (bad := _prescan(files, database_url)):
        raise EventError(f"--strict: {bad} bad record(s), nothing was imported")
    recording = Recording.resolve(now, notify)
    workers = jobs if jobs is not None else max(1, min(os.cpu_count() or 1, 8))
    rejects = RejectSink(reject_file)
    warnings = WarningSink(warnings_file, [str(path) for path in files])
    compressed = any(path.suffix == ".gz" for path in files)
    total = None if compressed else sum(path.stat().st_size for path in files)
    try:
        with import_progress(total) as advance:
            if workers > 1:
                from servanda.entrypoints.cli.import_jobs import run_jobs

                open_storage(database_url).dispose()  # migrate a new SQLite file once, up front
                summary = run_jobs(
                    files,
                    jobs=workers,
                    database_url=database_url,
                    recording=recording,
                    strict=strict,
                    rejects=rejects,
                    warnings=warnings,
                    advance=advance,
                )
            else:
                summary = _import_serially(
                    files, database_url, recording, strict, (rejects, warnings), advance
                )
    finally:
        rejects.close()
        warnings.close()
    _print_summary(summary, reject_file, recording)
    if summary.rejected:
        raise EventError(f"{summary.rejected:,} record(s) rejected; the others were imported")


def _prescan(files: list[Path], database_url: str | None) -> int:
    from servanda.entrypoints.cli.prescan import prescan

    with open_storage(database_url) as storage:
        return prescan(files, storage, lambda path: read_file(path, lambda _b, _r: None))


def _import_serially(
    files: list[Path],
    database_url: str | None,
    recording: Recording,
    strict: bool,
    sinks: tuple[Rejects, Warnings],
    advance: Advance,
) -> ImportSummary:
    from servanda.entrypoints.cli.ticket_batches import read_share

    with open_storage(database_url) as storage:
        return import_items(
            storage,
            lambda tickets, meter: read_share(files, tickets, meter),
            now=recording.now,
            rejects=sinks[0],
            warnings=sinks[1],
            strict=strict,
            advance=advance,
            recorded_at=recording.recorded_at,
        )


def _print_summary(summary: ImportSummary, reject_file: Path | None, recording: Recording) -> None:
    typer.echo(
        f"rows read: {summary.rows:,}\n"
        f"events new: {summary.new:,}, duplicate: {summary.duplicates:,}, "
        f"rejected: {summary.rejected:,}\n"
        f"{describe_counts(summary.unknown, summary.refused)}\n"
        f"tickets touched: {len(summary.tickets):,}\n"
        f"measurements breached: {summary.breaches:,} "
        f"(transitions recorded: {summary.transitions:,})\n"
        f"{recording.describe(summary.transitions)}"
    )
    if summary.rejected and reject_file is not None:
        typer.echo(f"rejected records written to {reject_file}")


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")
