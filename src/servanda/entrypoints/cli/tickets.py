"""``servanda tickets unmeasured``: the stored tickets that have no clock, and why.

Each ticket comes with a reason code and a sentence (``domain.coverage``): no
created event yet, no agreement in force on its creation date, no objective
matching its attribute values (named, unknown ones pointed out), or only a
next_response objective whose first cycle has not started. ``--format json``
prints one object per line; ``csv`` a header and a row per ticket; the table
ends with the count per reason.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import orjson
import typer

from servanda.entrypoints.cli.db import DatabaseUrl, open_storage

if TYPE_CHECKING:
    from servanda.services.tickets import TicketRow

tickets_app = typer.Typer(help="List stored tickets.", no_args_is_help=True)

COLUMNS = ("ticket", "customer", "service", "priority", "created_at", "revision", "reason", "why")


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def register(app: typer.Typer) -> None:
    app.add_typer(tickets_app, name="tickets")


@tickets_app.command("unmeasured")
def unmeasured(
    customer: Annotated[str | None, typer.Option(help="Only this customer's tickets.")] = None,
    limit: Annotated[
        int | None, typer.Option(min=1, help="At most this many tickets (default: all).")
    ] = None,
    output: Annotated[
        ListFormat, typer.Option("--format", help="table, json (one object per line) or csv.")
    ] = ListFormat.TABLE,
    database_url: DatabaseUrl = None,
) -> None:
    """List the tickets that got no clock, each with the reason."""
    from servanda.services.tickets import TicketFilter, list_tickets

    with open_storage(database_url) as storage:
        page = list_tickets(
            storage.uow_factory,
            TicketFilter(measured=False, customer=customer, limit=limit),
            only_customer=None,
            values=storage.values,
        )
    rows = [_row(item) for item in page.items]
    if output is ListFormat.JSON:
        for row in rows:
            typer.echo(orjson.dumps(dict(zip(COLUMNS, row, strict=True))).decode())
    elif output is ListFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    else:
        _print_table(rows, page.next_offset is not None)


def _row(item: TicketRow) -> tuple[str, ...]:
    from servanda.domain.clock.measurement import iso

    state, reason = item.state, item.unmeasured
    assert reason is not None  # listed with measured=False: every one has a reason
    return (
        state.id,
        state.customer or "",
        state.service or "",
        state.priority or "",
        iso(state.created_at) or "",
        "" if state.revision_id is None else str(state.revision_id),
        reason.code.value,
        reason.message,
    )


def _print_table(rows: list[tuple[str, ...]], more: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:  # piped: room for every column, as the reports do
        console = Console(width=200)
    if not rows:
        console.print("every stored ticket has a clock")
        return
    table = Table()
    for column in COLUMNS:
        # Ids and codes never wrap; the sentence folds.
        table.add_column(column, no_wrap=column != "why", overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    counts = Counter(row[6] for row in rows)
    by_reason = ", ".join(f"{code}: {count:,}" for code, count in sorted(counts.items()))
    shown = f"the first {len(rows):,}" if more else f"{len(rows):,}"
    console.print(f"{shown} ticket(s) without a clock ({by_reason})", highlight=False)
