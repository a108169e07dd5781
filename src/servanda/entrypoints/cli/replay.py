"""``servanda replay``: fold a file of ticket events (any order) and print the measurements.

Bad lines are reported on stderr with their line number and skipped; a ticket
whose events conflict (same id, other content) is reported and skipped; the
exit code is 1 when anything was skipped. ``--now`` defaults to the latest
event instant in the file, so a replay never depends on the wall clock.
"""

from __future__ import annotations

import csv
import gc
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import orjson
import typer

from servanda.domain.clock.engine import ClockEngine, TicketEvaluation
from servanda.domain.clock.measurement import Measurement, iso
from servanda.domain.display import format_duration
from servanda.domain.errors import EventError
from servanda.domain.events import TicketEvent
from servanda.entrypoints.cli.instants import instant_option

EXIT_SKIPPED = 1
CSV_COLUMNS = (
    "ticket",
    "agreement",
    "level",
    "objective",
    "metric",
    "cycle",
    "state",
    "target_seconds",
    "elapsed_seconds",
    "remaining_seconds",
    "paused_seconds",
    "started_at",
    "deadline",
    "stopped_at",
    "breached_at",
    "calendar",
    "next_due_at",
)


class ReplayFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


DefinitionsOption = Annotated[
    Path, typer.Option("--definitions", help="Definitions file or folder.", exists=True)
]
EventsArgument = Annotated[
    Path, typer.Argument(help="Events, one JSON object per line (docs/events.md).", exists=True)
]


def register(app: typer.Typer) -> None:
    app.command(name="replay")(replay)


def load_engine(definitions_path: Path) -> ClockEngine:
    from servanda.domain.calendar.arithmetic import build_calendars
    from servanda.specs.loader import load_definitions

    definitions = load_definitions(definitions_path)
    return ClockEngine(definitions, build_calendars(definitions.calendars))


def read_event_file(path: Path) -> tuple[list[TicketEvent], int]:
    """The file's events and how many lines were bad (each reported on stderr)."""
    from servanda.specs.events import read_events

    events: list[TicketEvent] = []
    bad = 0
    with path.open("rb") as stream:
        for number, item in read_events(stream):
            if isinstance(item, EventError):
                bad += 1
                typer.echo(f"{path}:{number}: skipped: {item}", err=True)
            else:
                events.append(item)
    return events, bad


def parse_now(text: str | None, events: list[TicketEvent]) -> int:
    from servanda.specs.events import parse_instant

    if text is not None:
        return parse_instant(text)
    return max((event.at for event in events), default=0)


def evaluate_all(
    engine: ClockEngine, events: list[TicketEvent], now: int
) -> Iterator[TicketEvaluation]:
    """Each ticket's fold; a ticket with conflicting events is reported and skipped."""
    by_ticket: dict[str, list[TicketEvent]] = {}
    for event in events:
        by_ticket.setdefault(event.ticket, []).append(event)
    for ticket, ticket_events in by_ticket.items():
        try:
            yield engine.evaluate(ticket_events, now)
        except EventError as error:
            typer.echo(f"ticket {ticket}: skipped: {error}", err=True)


def replay(
    events_path: EventsArgument,
    definitions: DefinitionsOption,
    now: Annotated[
        str | None,
        typer.Option(
            help="Evaluation instant, ISO 8601 with offset; default: the latest event.",
            callback=instant_option,
        ),
    ] = None,
    output: Annotated[
        ReplayFormat, typer.Option("--format", help="table, json (one object per line) or csv.")
    ] = ReplayFormat.TABLE,
) -> None:
    """Fold a file of ticket events (any order) and print every clock's measurement."""
    engine = load_engine(definitions)
    events, bad = read_event_file(events_path)
    at = parse_now(now, events)
    # The fold makes no reference cycles: with the cyclic collector off, a large
    # replay does not re-scan every event and measurement at each collection.
    gc.disable()
    try:
        tickets, skipped = _print_measurements(engine, events, at, output)
    finally:
        gc.enable()
    conflicts = len({e.ticket for e in events}) - tickets
    typer.echo(
        f"{len(events):,} events, {tickets:,} tickets folded at {iso(at)}; "
        f"{bad} bad line(s), {conflicts} ticket(s) with conflicting events, "
        f"{skipped} event(s) not applied",
        err=True,
    )
    if bad or conflicts:
        raise typer.Exit(EXIT_SKIPPED)


def _print_measurements(
    engine: ClockEngine, events: list[TicketEvent], at: int, output: ReplayFormat
) -> tuple[int, int]:
    """Print every measurement; return how many tickets were folded and events not applied."""
    tickets = skipped = 0
    writer = _writer(output, ZoneInfo(engine.definitions.timezone))
    for evaluation in evaluate_all(engine, events, at):
        tickets += 1
        skipped += sum(
            1 for item in evaluation.ignored if "after the evaluation" not in item.reason
        )
        for measurement in evaluation.measurements:
            writer(measurement)
    return tickets, skipped


def _writer(output: ReplayFormat, zone: ZoneInfo) -> Callable[[Measurement], None]:
    out = sys.stdout
    if output is ReplayFormat.JSON:

        def write_json(m: Measurement) -> None:
            out.write(orjson.dumps(m.to_dict()).decode() + "\n")

        return write_json
    if output is ReplayFormat.CSV:
        rows = csv.writer(out)
        rows.writerow(CSV_COLUMNS)

        def write_csv(m: Measurement) -> None:
            data = m.to_dict()
            rows.writerow(["" if data[c] is None else data[c] for c in CSV_COLUMNS])

        return write_csv
    out.write(
        f"{'ticket':<14}{'metric':<18}{'cyc':>4}  {'objective':<28}{'state':<10}"
        f"{'target':>9}{'elapsed':>10}{'paused':>9}  {'deadline':<26}breached_at\n"
    )

    def write_row(m: Measurement) -> None:
        out.write(
            f"{m.ticket:<14}{m.metric.value:<18}{m.cycle:>4}  {m.objective_key:<28}"
            f"{m.state.value:<10}{format_duration(m.target_seconds):>9}"
            f"{format_duration(m.elapsed_seconds):>10}{format_duration(m.paused_seconds):>9}  "
            f"{_local(m.deadline, zone):<26}{_local(m.breached_at, zone)}\n"
        )

    return write_row


def _local(seconds: int | None, zone: ZoneInfo) -> str:
    from datetime import UTC, datetime

    if seconds is None:
        return "-"
    return datetime.fromtimestamp(seconds, tz=UTC).astimezone(zone).isoformat()
