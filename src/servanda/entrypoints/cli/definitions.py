"""``servanda definitions ...``: validate, explain and export the definitions format.

``validate`` prints every located problem (``file:line:column: sentence`` with
the source line and a caret) and exits 1, or a one-line summary and exits 0.
``explain`` shows, per metric, the objective that applies to a ticket and what
it overrode; ``--at`` is the ticket's creation date in the definitions' time
zone (default: today there). ``schema`` prints the JSON Schema.
Other errors go to the CLI's one error boundary (``main``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from servanda.domain.agreements import Definitions
from servanda.domain.errors import DefinitionError, Issue

if TYPE_CHECKING:
    from servanda.specs.explain import Explanation

definitions_app = typer.Typer(
    help="Validate, explain and export SLA definitions.", no_args_is_help=True
)

PathArgument = Annotated[
    Path, typer.Argument(help="A definitions file, or a folder of *.yaml/*.yml files.")
]


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.add_typer(definitions_app, name="definitions")


def _source_line(issue: Issue, cache: dict[str, list[str]]) -> str:
    """The offending line with a caret under the column, when the file can be read."""
    if issue.file is None or issue.line is None:
        return ""
    if issue.file not in cache:
        try:
            cache[issue.file] = Path(issue.file).read_text(encoding="utf-8").splitlines()
        except OSError:
            cache[issue.file] = []
    lines = cache[issue.file]
    if not 0 < issue.line <= len(lines):
        return ""
    caret = " " * ((issue.column or 1) - 1) + "^"
    return f"\n    {lines[issue.line - 1]}\n    {caret}"


@definitions_app.command("validate")
def validate(path: PathArgument) -> None:
    """Check definitions and list every problem with its file, line and column."""
    from servanda.specs.loader import load_definitions

    try:
        definitions = load_definitions(path)
    except DefinitionError as error:
        cache: dict[str, list[str]] = {}
        for issue in error.issues:
            typer.echo(f"{issue}{_source_line(issue, cache)}")
        count = len(error.issues)
        typer.echo(f"{count} problem{'s' if count != 1 else ''} in {path}", err=True)
        # SystemExit, not typer.Exit: in main()'s non-standalone mode click would turn
        # typer.Exit into a return value and the process would exit 0.
        raise SystemExit(1) from None
    typer.echo(f"valid: {path} ({summary(definitions)})")


def summary(definitions: Definitions) -> str:
    """``10 agreements, 31 objectives, 5 customers, 3 services, 5 calendars``."""
    objectives = sum(len(agreement.objectives) for agreement in definitions.agreements)
    counts = (
        (len(definitions.agreements), "agreement"),
        (objectives, "objective"),
        (len(definitions.customers), "customer"),
        (len(definitions.services), "service"),
        (len(definitions.calendars), "calendar"),
    )
    text = ", ".join(f"{n} {noun}{'s' if n != 1 else ''}" for n, noun in counts)
    vocabulary = definitions.vocabulary
    declared = [
        f"{len(values)} {noun}"
        for values, noun in (
            (vocabulary.priorities, "priorities"),
            (vocabulary.statuses, "statuses"),
        )
        if values is not None
    ] + [f"{name} ({len(values)} values)" for name, values in sorted(vocabulary.attributes.items())]
    return f"{text}; vocabulary: {', '.join(declared)}" if declared else text


@definitions_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the definitions format (for editors and CI)."""
    from servanda.specs.schema import definitions_json_schema

    typer.echo(json.dumps(definitions_json_schema(), indent=2))


def _attributes(priority: str | None, fields: list[str]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for item in fields:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{item!r} is not key=value", param_hint="--field")
        attributes[key.strip()] = value.strip()
    if priority is not None:
        attributes["priority"] = priority
    return attributes


def _day(at: str | None, timezone: str) -> date:
    if at is None:
        # The entrypoint supplies "now" from the one wall-clock module, through bootstrap.
        from servanda.bootstrap import system_clock

        return datetime.fromtimestamp(system_clock()(), ZoneInfo(timezone)).date()
    from servanda.domain.instants import DATE_RANGE_TEXT, is_supported_date

    try:
        day = date.fromisoformat(at)
    except ValueError:
        raise typer.BadParameter(f"{at!r} is not a date (YYYY-MM-DD)", param_hint="--at") from None
    if not is_supported_date(day):
        raise typer.BadParameter(
            f"{at!r} is outside the supported dates ({DATE_RANGE_TEXT})", param_hint="--at"
        )
    return day


@definitions_app.command("explain")
def explain(
    path: PathArgument,
    customer: Annotated[str | None, typer.Option(help="Customer id.")] = None,
    service: Annotated[str | None, typer.Option(help="Service id.")] = None,
    priority: Annotated[str | None, typer.Option(help="Ticket priority, e.g. P1.")] = None,
    field: Annotated[
        list[str] | None, typer.Option(help="Any ticket attribute as key=value (repeatable).")
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="Ticket creation date (YYYY-MM-DD); default: today.")
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json.")
    ] = OutputFormat.TEXT,
) -> None:
    """Show which objective applies to a ticket for each metric, and what it overrode."""
    from servanda.specs.explain import explain as explain_ticket
    from servanda.specs.loader import load_definitions

    attributes = _attributes(priority, field or [])
    definitions = load_definitions(path)
    day = _day(at, definitions.timezone)
    rows = explain_ticket(
        definitions, customer=customer, service=service, attributes=attributes, on=day
    )
    if output is OutputFormat.JSON:
        typer.echo(json.dumps([row.as_json() for row in rows], indent=2))
        return
    _print_table(rows, customer, service, attributes, day)


def _print_table(
    rows: list[Explanation],
    customer: str | None,
    service: str | None,
    attrs: dict[str, str],
    day: date,
) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    ticket = ", ".join(
        [f"customer {customer or '-'}", f"service {service or '-'}"]
        + [f"{k} {v}" for k, v in sorted(attrs.items())]
    )
    console = Console(highlight=False)
    console.print(f"Ticket: {ticket}; created {day.isoformat()}")
    if not rows:
        console.print("No objective applies to this ticket.")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("metric", "target", "calendar", "goal", "set by"):
        table.add_column(column, no_wrap=column != "set by", overflow="fold")
    for row in rows:
        source = f"{row.agreement} ({row.specificity}) {row.objective}: {row.conditions}"
        table.add_row(row.metric.value, row.target, row.calendar, row.goal or "-", source)
    console.print(table)
    console.print("Why:")
    for row in rows:
        pause = ""
        if row.metric.is_ticket_clock:
            pause = f"; clock pauses on {', '.join(row.pause_on) or 'no status'}"
        console.print(f"  {row.metric.value}: from {row.agreement_title!r}{pause}")
        for _, _, reason in row.overridden:
            console.print(f"    beats {reason}")
