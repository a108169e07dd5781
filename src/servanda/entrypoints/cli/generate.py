"""``servanda generate events``: a realistic synthetic event stream, deterministic per seed.

Arrivals by hour and weekday, a priority mix, responses, pauses, customer
replies, priority changes, resolutions, reopens (see
``servanda.services.generation``). ``--start`` defaults to a fixed date
(2026-01-05), never today, so the same command always writes the same file.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

generate_app = typer.Typer(
    help="Generate synthetic data for demos and benchmarks.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(generate_app, name="generate")


@generate_app.command()
def events(
    tickets: Annotated[int, typer.Option(min=1, help="How many tickets.")],
    definitions: Annotated[
        Path,
        typer.Option(
            help="Definitions whose customers, services and priorities to use.", exists=True
        ),
    ],
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same stream.")
    ] = 1,
    start: Annotated[
        str | None, typer.Option(help="First arrival day, YYYY-MM-DD (default 2026-01-05).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write JSONL here instead of standard output.")
    ] = None,
) -> None:
    """Write the events of N synthetic tickets as JSON lines (docs/events.md)."""
    from servanda.services.generation import DEFAULT_START, generate_events
    from servanda.specs.events import event_to_line
    from servanda.specs.loader import load_definitions

    try:
        first_day = date.fromisoformat(start) if start else DEFAULT_START
    except ValueError:
        raise typer.BadParameter(
            f"{start!r} is not a date (YYYY-MM-DD)", param_hint="--start"
        ) from None
    loaded = load_definitions(definitions)
    stream = generate_events(loaded, tickets, seed, first_day)
    if output is None:
        sink = sys.stdout.buffer
        sink.writelines(event_to_line(event) for event in stream)
        sink.flush()
        return
    with output.open("wb") as file:
        file.writelines(event_to_line(event) for event in stream)
    typer.echo(f"wrote {tickets:,} tickets to {output}", err=True)
