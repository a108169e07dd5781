"""``servanda ticket timeline``: one ticket's story — events, pauses, target changes, warnings, breach.

The view that answers "why is this ticket breached?": every event in
application order (ignored ones marked with the reason), every clock change
with its target and deadline, warnings and the breach, then each clock's
outcome. Times are shown in the definitions' home zone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from servanda.domain.errors import NotFoundError
from servanda.entrypoints.cli.instants import instant_option
from servanda.entrypoints.cli.replay import (
    DefinitionsOption,
    EventsArgument,
    load_engine,
    parse_now,
    read_event_file,
)

ticket_app = typer.Typer(help="Look at one ticket's clocks.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(ticket_app, name="ticket")


@ticket_app.command()
def timeline(
    events_path: EventsArgument,
    ticket: Annotated[str, typer.Argument(help="The ticket id.")],
    definitions: DefinitionsOption,
    now: Annotated[
        str | None,
        typer.Option(
            help="Evaluation instant, ISO 8601 with offset; default: the latest event.",
            callback=instant_option,
        ),
    ] = None,
    zone: Annotated[
        str | None, typer.Option(help="Show times in this IANA zone; default: the definitions'.")
    ] = None,
) -> None:
    """Print a human-readable timeline of one ticket and why each clock ended as it did."""
    from servanda.reporting.timelines import render_timeline

    engine = load_engine(definitions)
    events, _bad = read_event_file(Path(events_path))
    mine = [event for event in events if event.ticket == ticket]
    if not mine:
        raise NotFoundError(f"no events for ticket {ticket!r} in {events_path}")
    evaluation = engine.evaluate(mine, parse_now(now, events))
    shown = ZoneInfo(zone or engine.definitions.timezone)
    for line in render_timeline(evaluation, shown):
        typer.echo(line)
