"""``servanda demo``: a realistic provider's agreements, and why each ticket gets its targets.

Writes the multi-level managed-service-provider definitions into ``--dir`` and
explains, for a dozen sample tickets across customers, services and
priorities, which objective applies to each metric, which agreement and level
decided it, and which less specific candidates it overrode.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from servanda.demo import SAMPLE_TICKETS, SampleTicket, definitions_path
from servanda.domain.agreements import Definitions
from servanda.specs.explain import explain
from servanda.specs.loader import load_definitions

DEMO_DAY = date(2026, 3, 16)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to write the demo's definitions and outputs.")
    ] = Path("servanda-demo"),
) -> None:
    """Show Servanda on a realistic managed service provider, end to end."""
    console = Console()
    target = directory / "definitions"
    _write_definitions(target)
    definitions = load_definitions(target)
    console.rule(f"[bold]{definitions.provider or 'Servanda demo'}")
    console.print(_overview(definitions))
    _print_explanations(console, definitions)
    console.print(
        f"\nDefinitions written to [bold]{target}[/bold]. Ask about any ticket yourself:\n"
        f"  servanda definitions explain {target} --customer globex --service email "
        "--priority P1 --field channel=phone\n"
        f"  servanda definitions validate {target}"
    )


def _write_definitions(target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(definitions_path(), target)


def _overview(definitions: Definitions) -> str:
    levels = sorted({a.level.value for a in definitions.agreements})
    groups = sorted({c.group for c in definitions.customers.values() if c.group})
    return (
        f"{len(definitions.agreements)} agreements at levels {', '.join(levels)}; "
        f"{len(definitions.services)} services; {len(definitions.customers)} customers "
        f"in groups {', '.join(groups)}; calendars: {', '.join(sorted(definitions.calendars))}.\n"
        f"Which promise applies to each sample ticket created on {DEMO_DAY.isoformat()}, and why:"
    )


def _print_explanations(console: Console, definitions: Definitions) -> None:
    for ticket in SAMPLE_TICKETS:
        extra = "".join(f" {key}={value}" for key, value in ticket.fields)
        console.print(
            f"\n[bold]{ticket.id}[/bold]  {ticket.customer} / {ticket.service} / "
            f"{ticket.priority}{extra}  [dim]{ticket.story}[/dim]"
        )
        console.print(_ticket_table(definitions, ticket))


def _ticket_table(definitions: Definitions, ticket: SampleTicket) -> Table:
    table = Table(header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("metric", "target", "goal", "calendar", "decided by", "overrode"):
        table.add_column(column, no_wrap=column != "overrode")
    rows = explain(
        definitions,
        customer=ticket.customer,
        service=ticket.service,
        attributes={"priority": ticket.priority, **dict(ticket.fields)},
        on=DEMO_DAY,
    )
    for row in rows:
        table.add_row(
            row.metric.value,
            row.target,
            row.goal or "",
            row.calendar if row.metric.is_ticket_clock else "",
            f"{row.agreement} ({row.specificity})",
            ", ".join(agreement for agreement, _, _ in row.overridden) or "-",
        )
    return table
