"""``servanda tokens create|list|revoke``: API tokens for the HTTP API.

A token's secret is printed once, at creation; only its SHA-256 digest is
stored. Roles: admin, integration, viewer, customer (needs ``--customer``).
"""

from __future__ import annotations

from typing import Annotated

import typer

from servanda.entrypoints.cli.audit import AuthorOption, author_name
from servanda.entrypoints.cli.db import DatabaseUrl, open_storage
from servanda.services.auth import Role

tokens_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)


def _iso(seconds: int | None) -> str:
    from servanda.domain.clock.measurement import iso

    return iso(seconds) or "-"


@tokens_app.command("create")
def create(
    role: Annotated[Role, typer.Option(help="admin, integration, viewer or customer.")],
    customer: Annotated[
        str | None, typer.Option(help="The customer a customer token may see.")
    ] = None,
    name: Annotated[str, typer.Option(help="A label to recognise the token by.")] = "",
    author: AuthorOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a token and print its secret (shown only this once)."""
    from servanda.services.auth import create_token

    with open_storage(database_url) as storage:
        created = create_token(
            storage.tokens,
            role=role,
            customer=customer,
            name=name,
            now=storage.now(),
            actor=author_name(author),
        )
    record = created.record
    scope = f" for customer {record.customer}" if record.customer else ""
    typer.echo(f"created token {record.id} ({record.role.value}{scope}): {record.name}", err=True)
    typer.echo("store it now: it is shown only once", err=True)
    typer.echo(created.secret)


@tokens_app.command("list")
def list_(database_url: DatabaseUrl = None) -> None:
    """List every token (never their secrets)."""
    from rich.console import Console
    from rich.table import Table

    from servanda.services.auth import list_tokens

    with open_storage(database_url) as storage:
        records = list_tokens(storage.tokens)
    table = Table("id", "name", "role", "customer", "prefix", "created", "revoked")
    for r in records:
        table.add_row(
            str(r.id),
            r.name,
            r.role.value,
            r.customer or "",
            r.prefix + "…",
            _iso(r.created_at),
            _iso(r.revoked_at) if r.revoked_at else "",
        )
    Console(width=160).print(table)


@tokens_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `servanda tokens list`).")],
    author: AuthorOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a token: it stops authenticating at once."""
    from servanda.services.auth import revoke_token

    with open_storage(database_url) as storage:
        record = revoke_token(
            storage.tokens,
            token_id,
            storage.now(),
            actor=author_name(author),
        )
    typer.echo(f"revoked token {record.id} ({record.name}) at {_iso(record.revoked_at)}")


def register(app: typer.Typer) -> None:
    app.add_typer(tokens_app, name="tokens")
