"""``servanda calendar add|between``: check a deadline or a business duration by hand.

Instants are ISO 8601 with an offset (``2026-04-02T16:00:00+02:00`` or ``...Z``);
a naive one is a usage error, because its zone would be a guess. Durations are
written as in the definitions (``4h``, ``2h30m``, ``90m``). Text output shows
instants in the calendar's zone and in UTC; ``--format json`` prints one object
with UTC instants and whole seconds. Rules: docs/semantics.md "Business time".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from servanda.domain.calendar.arithmetic import BusinessCalendar
from servanda.domain.display import format_duration
from servanda.domain.errors import NotFoundError

calendar_app = typer.Typer(
    help="Business-time arithmetic on a calendar of the definitions.", no_args_is_help=True
)


class CalendarFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


DefinitionsOption = Annotated[
    Path, typer.Option("--definitions", help="Definitions file or folder.", exists=True)
]
CalendarOption = Annotated[
    str, typer.Option("--calendar", help="Calendar name (24x7 is built in).")
]
FormatOption = Annotated[CalendarFormat, typer.Option("--format", help="text or json.")]


def register(app: typer.Typer) -> None:
    app.add_typer(calendar_app, name="calendar")


def load_calendar(definitions_path: Path, name: str) -> BusinessCalendar:
    from servanda.domain.calendar.arithmetic import build_calendars
    from servanda.specs.loader import load_definitions

    calendars = build_calendars(load_definitions(definitions_path).calendars)
    if name not in calendars:
        known = ", ".join(sorted(calendars))
        raise NotFoundError(f"no calendar {name!r} in {definitions_path}; known: {known}")
    return calendars[name]


def parse_instant(text: str, what: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO 8601 instant (e.g. 2026-04-02T16:00:00+02:00)", param_hint=what
        ) from None
    if parsed.utcoffset() is None:
        raise typer.BadParameter(
            f"{text!r} has no UTC offset; add one (e.g. +02:00 or Z)", param_hint=what
        )
    from servanda.domain.instants import is_supported, unsupported

    if not is_supported(int(parsed.timestamp() // 1)):
        raise typer.BadParameter(unsupported("", repr(text)).strip(), param_hint=what)
    return parsed


def parse_business_duration(text: str) -> int:
    from servanda.specs.units import UnitError, parse_duration

    try:
        return parse_duration(text)
    except UnitError as error:
        raise typer.BadParameter(str(error), param_hint="DURATION") from None


def _local(calendar: BusinessCalendar, t: datetime) -> str:
    local = t.astimezone(ZoneInfo(calendar.spec.timezone))
    return f"{local.isoformat()} ({local:%a})"


def _utc(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


@calendar_app.command()
def add(
    start: Annotated[str, typer.Argument(help="Start instant, ISO 8601 with offset.")],
    duration: Annotated[str, typer.Argument(help="Business duration, e.g. 4h or 2h30m.")],
    definitions: DefinitionsOption,
    calendar: CalendarOption,
    output: FormatOption = CalendarFormat.TEXT,
) -> None:
    """The deadline: START plus DURATION of business time on the calendar."""
    begin = parse_instant(start, "START")
    seconds = parse_business_duration(duration)
    business = load_calendar(definitions, calendar)
    deadline = business.add(begin, timedelta(seconds=seconds))
    if output is CalendarFormat.JSON:
        typer.echo(
            json.dumps(
                {
                    "calendar": business.name,
                    "timezone": business.spec.timezone,
                    "start": _utc(begin),
                    "duration_seconds": seconds,
                    "deadline": _utc(deadline),
                    "deadline_local": deadline.astimezone(
                        ZoneInfo(business.spec.timezone)
                    ).isoformat(),
                }
            )
        )
        return
    typer.echo(f"calendar  {business.name} ({business.spec.timezone})")
    typer.echo(f"start     {_local(business, begin)}")
    typer.echo(f"duration  {format_duration(seconds)} of business time")
    typer.echo(f"deadline  {_local(business, deadline)} = {_utc(deadline)}")


@calendar_app.command()
def between(
    start: Annotated[str, typer.Argument(help="Start instant, ISO 8601 with offset.")],
    end: Annotated[str, typer.Argument(help="End instant (excluded), ISO 8601 with offset.")],
    definitions: DefinitionsOption,
    calendar: CalendarOption,
    output: FormatOption = CalendarFormat.TEXT,
) -> None:
    """Business time on the calendar in [START, END); zero when END is not after START."""
    begin, finish = parse_instant(start, "START"), parse_instant(end, "END")
    business = load_calendar(definitions, calendar)
    elapsed = business.between(begin, finish)
    seconds = elapsed // timedelta(seconds=1)
    if output is CalendarFormat.JSON:
        typer.echo(
            json.dumps(
                {
                    "calendar": business.name,
                    "timezone": business.spec.timezone,
                    "start": _utc(begin),
                    "end": _utc(finish),
                    "business_seconds": seconds,
                    "business_time": format_duration(seconds),
                }
            )
        )
        return
    typer.echo(f"calendar  {business.name} ({business.spec.timezone})")
    typer.echo(f"start     {_local(business, begin)}")
    typer.echo(f"end       {_local(business, finish)}")
    typer.echo(f"business  {format_duration(seconds)} ({seconds} s) in [start, end)")
