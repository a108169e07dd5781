"""``servanda periods close|reopen|list``: freeze a customer's reporting period, and reopen it.

``close 2026-03 [--customer C]`` freezes the period's compliance, availability
and credit figures for the customer (default: every customer of the
definitions): its reports are from then on exactly what they were at the
close. ``reopen 2026-03 --reason ...`` is the explicit, audited way back.
``--now`` (ISO 8601 with an offset) dates the close or reopen; default: the
system clock. Rules: docs/reports.md, "Closed periods".
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from servanda.entrypoints.cli.audit import AuthorOption, author_name
from servanda.entrypoints.cli.db import DatabaseUrl, open_storage
from servanda.entrypoints.cli.instants import instant_option, period_argument

if TYPE_CHECKING:
    from servanda.services.closed_periods import ClosedPeriod

periods_app = typer.Typer(
    help="Close a reporting period (its figures become final), reopen it, list closes.",
    no_args_is_help=True,
)

PeriodArgument = Annotated[
    str,
    typer.Argument(
        metavar="PERIOD",
        help="2026-03 (or 2026-Q1, 2026, a date range).",
        callback=period_argument,
    ),
]
CustomerOption = Annotated[
    str | None, typer.Option("--customer", help="Only this customer (default: every customer).")
]
NowOption = Annotated[
    str | None,
    typer.Option(
        help="When it happens, ISO 8601 with an offset; default: the system clock.",
        callback=instant_option,
    ),
]


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def _now(text: str | None) -> int:
    from servanda.bootstrap import system_clock
    from servanda.specs.events import parse_instant

    return parse_instant(text, field="--now") if text else system_clock()()


@periods_app.command("close")
def close(
    period: PeriodArgument,
    customer: CustomerOption = None,
    reason: Annotated[str, typer.Option(help="Why (e.g. 'March invoiced').")] = "",
    now: NowOption = None,
    author: AuthorOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Close PERIOD: its compliance, availability and credit figures become final."""
    from servanda.services.closing import close_period

    with open_storage(database_url) as storage:
        closed = close_period(
            storage.reports,
            period,
            customer=customer,
            now=_now(now),
            author=author_name(author),
            reason=reason,
        )
    for c in closed:
        credits = ", ".join(f"{cur} {amount:,.2f}" for cur, amount in c.net_credits) or "none"
        typer.echo(
            f"closed {c.period} for {c.customer} (net credits {credits}; sha256 "
            f"{c.content_hash[:12]})"
        )


@periods_app.command("reopen")
def reopen(
    period: PeriodArgument,
    reason: Annotated[str, typer.Option(help="Why it is reopened (required).")],
    customer: CustomerOption = None,
    now: NowOption = None,
    author: AuthorOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Reopen a closed PERIOD: its reports are computed from the stored measurements again."""
    from servanda.services.closing import reopen_period

    with open_storage(database_url) as storage:
        reopened = reopen_period(
            storage.uow_factory,
            period,
            customer=customer,
            now=_now(now),
            author=author_name(author),
            reason=reason,
        )
    for c in reopened:
        typer.echo(f"reopened {c.period} for {c.customer} (closed {_iso(c.closed_at)})")


@periods_app.command("list")
def list_(
    customer: CustomerOption = None,
    output: Annotated[ListFormat, typer.Option("--format", help="table or json.")] = (
        ListFormat.TABLE
    ),
    database_url: DatabaseUrl = None,
) -> None:
    """Every close, reopened ones included, oldest first."""
    from servanda.services.closing import closed_periods

    with open_storage(database_url) as storage:
        found = closed_periods(storage.uow_factory, customer)
    if output is ListFormat.JSON:
        import orjson

        for c in found:
            typer.echo(orjson.dumps(closed_json(c)).decode())
        return
    if not found:
        typer.echo("no period is closed")
        return
    from rich.table import Table

    from servanda.entrypoints.cli.output import table_console

    table = Table("customer", "period", "closed", "by", "reason", "net credits", "reopened")
    for c in found:
        reopened = (
            f"{_iso(c.reopened_at)} by {c.reopened_by}: {c.reopen_reason}" if c.reopened_at else ""
        )
        credits = ", ".join(f"{cur} {amount:,.2f}" for cur, amount in c.net_credits)
        table.add_row(
            c.customer, c.period, _iso(c.closed_at), c.closed_by, c.reason, credits, reopened
        )
    table_console().print(table)


def closed_json(c: ClosedPeriod) -> dict[str, object]:
    return {
        "customer": c.customer,
        "period": c.period,
        "start": _iso(c.start),
        "end": _iso(c.end),
        "closed_at": _iso(c.closed_at),
        "closed_by": c.closed_by,
        "reason": c.reason,
        "revision_ceiling": c.revision_ceiling,
        "content_hash": c.content_hash,
        "net_credits": {cur: str(amount) for cur, amount in c.net_credits},
        "booked_adjustments": [
            {"period": p, "currency": cur, "amount": str(amount)} for p, cur, amount in c.booked
        ],
        "reopened_at": _iso(c.reopened_at) if c.reopened_at else None,
        "reopened_by": c.reopened_by,
        "reopen_reason": c.reopen_reason,
    }


def _iso(seconds: int | None) -> str:
    from servanda.domain.clock.measurement import iso

    return iso(seconds) or ""


def register(app: typer.Typer) -> None:
    app.add_typer(periods_app, name="periods")
