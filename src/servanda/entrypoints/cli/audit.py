"""``servanda audit``: the audit log (who applied, re-measured, closed, reopened, created or
revoked what, when and why), and the ``--author`` option the changing commands share.

The author is ``--author``, else ``$SERVANDA_AUTHOR``, else the login name of the
user running the command.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from servanda.entrypoints.cli.db import DatabaseUrl, open_storage
from servanda.entrypoints.cli.instants import instant_option

if TYPE_CHECKING:
    from servanda.services.audit import AuditEntry

AuthorOption = Annotated[
    str | None,
    typer.Option(
        "--author",
        envvar="SERVANDA_AUTHOR",
        help="Who makes this change, for the audit log (default: $SERVANDA_AUTHOR, "
        "else your login name).",
        show_default=False,
    ),
]


def author_name(given: str | None) -> str:
    """``--author`` (or ``$SERVANDA_AUTHOR``), else the login name, else ``unknown``."""
    if given:
        return given
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in this environment
        return "unknown"


class AuditFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def audit(
    action: Annotated[
        str | None,
        typer.Option(help="Only this action, e.g. definitions.applied or period.closed."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Only entries at or after this ISO 8601 instant.", callback=instant_option
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000, help="The newest N entries.")] = 100,
    output: Annotated[AuditFormat, typer.Option("--format", help="table, json or csv.")] = (
        AuditFormat.TABLE
    ),
    database_url: DatabaseUrl = None,
) -> None:
    """Show the audit log, oldest first: who changed what, when and why."""
    from servanda.domain.errors import NotFoundError
    from servanda.services.audit import AuditAction
    from servanda.services.queries import audit_entries
    from servanda.specs.events import parse_instant

    wanted = None
    if action is not None:
        try:
            wanted = AuditAction(action)
        except ValueError:
            known = ", ".join(a.value for a in AuditAction)
            raise NotFoundError(f"unknown audit action {action!r} (one of: {known})") from None
    start = parse_instant(since, field="--since") if since else None
    with open_storage(database_url) as storage:
        entries = audit_entries(storage.uow_factory, action=wanted, since=start, limit=limit)
    _print(entries, output)


def _print(rows: list[AuditEntry], output: AuditFormat) -> None:
    import csv
    import sys

    import orjson

    from servanda.domain.clock.measurement import iso

    if output is AuditFormat.JSON:
        for e in rows:
            data = {
                "id": e.id, "at": iso(e.at), "actor": e.actor, "action": e.action.value,
                "subject": e.subject, "reason": e.reason, "details": e.detail_map,
            }  # fmt: skip
            sys.stdout.write(orjson.dumps(data).decode() + "\n")
        return
    if output is AuditFormat.CSV:
        writer = csv.writer(sys.stdout)
        writer.writerow(["id", "at", "actor", "action", "subject", "reason", "details"])
        for e in rows:
            details = "; ".join(f"{k}={v}" for k, v in e.details)
            writer.writerow(
                [e.id, iso(e.at), e.actor, e.action.value, e.subject, e.reason, details]
            )
        return
    if not rows:
        typer.echo("the audit log is empty")
        return
    from rich.table import Table

    from servanda.entrypoints.cli.output import table_console

    table = Table("id", "at", "actor", "action", "subject", "reason", "details")
    for e in rows:
        details = "\n".join(f"{k}: {v}" for k, v in e.details)
        table.add_row(
            str(e.id), iso(e.at) or "", e.actor, e.action.value, e.subject, e.reason, details
        )
    table_console().print(table)


def register(app: typer.Typer) -> None:
    app.command(name="audit")(audit)
