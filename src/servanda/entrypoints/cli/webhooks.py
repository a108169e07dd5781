"""``servanda webhooks add|list|remove|deliveries|deliver``: signed notifications of transitions.

``deliver`` runs one delivery pass (or ``--loop``); ``servanda worker`` calls
``deliver_once`` after each sweep, so a running worker delivers too. Several
delivery processes may run against one PostgreSQL: each delivery is claimed by one.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer

from servanda.entrypoints.cli.audit import AuthorOption, author_name
from servanda.entrypoints.cli.db import DatabaseUrl, open_storage

if TYPE_CHECKING:
    from servanda.bootstrap import Storage
    from servanda.services.webhooks import DeliveryRun

webhooks_app = typer.Typer(help="Webhook subscriptions and deliveries.", no_args_is_help=True)


def _iso(seconds: int | None) -> str:
    from servanda.domain.clock.measurement import iso

    return iso(seconds) or ""


def deliver_once(storage: Storage, now: int, *, timeout_seconds: float = 5.0) -> DeliveryRun:
    """One delivery pass over ``storage``: fan out new transitions, send what is due at ``now``."""
    from servanda.services.webhooks import deliver_webhooks

    with storage.webhook_sender(timeout_seconds) as sender:
        return deliver_webhooks(storage.webhooks, sender, now)


@webhooks_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="The receiver, http(s)://...")],
    events: Annotated[str, typer.Option(help="Comma-separated: warning,breach,met.")],
    secret: Annotated[str, typer.Option(help="Signing secret (at least 16 characters).")],
    customer: Annotated[str | None, typer.Option(help="Only this customer's tickets.")] = None,
    author: AuthorOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Subscribe URL to transitions recorded from now on."""
    from servanda.services.revisions import known_customers
    from servanda.services.webhooks import subscribe

    with open_storage(database_url) as storage:
        created = subscribe(
            storage.webhooks,
            url=url,
            events=[name for name in events.split(",") if name.strip()],
            secret=secret,
            customer=customer,
            now=storage.now(),
            actor=author_name(author),
            known_customers=known_customers(storage.uow_factory) if customer else None,
        )
    typer.echo(f"subscription {created.id}: {created.url} <- {', '.join(created.events)}")


@webhooks_app.command("list")
def list_(database_url: DatabaseUrl = None) -> None:
    """List subscriptions (secrets are never shown)."""
    from rich.console import Console
    from rich.table import Table

    with open_storage(database_url) as storage:
        found = storage.webhooks.subscriptions()
    table = Table("id", "url", "events", "customer", "created", "active")
    for s in found:
        table.add_row(
            str(s.id),
            s.url,
            ",".join(s.events),
            s.customer or "",
            _iso(s.created_at),
            str(s.active),
        )
    Console(width=160).print(table)


@webhooks_app.command("remove")
def remove(
    subscription_id: Annotated[int, typer.Argument(help="The subscription's id.")],
    author: AuthorOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Stop a subscription (its delivery log is kept)."""
    from servanda.services.webhooks import unsubscribe

    with open_storage(database_url) as storage:
        stopped = unsubscribe(
            storage.webhooks,
            subscription_id,
            now=storage.now(),
            actor=author_name(author),
        )
    typer.echo(f"subscription {stopped.id} stopped")


@webhooks_app.command("deliveries")
def deliveries(
    status: Annotated[str | None, typer.Option(help="pending, delivered or failed.")] = None,
    limit: Annotated[int, typer.Option(help="Newest first, at most this many.")] = 50,
    database_url: DatabaseUrl = None,
) -> None:
    """The delivery log: attempts, last answer, next try."""
    from rich.console import Console
    from rich.table import Table

    from servanda.services.webhooks import DeliveryStatus

    wanted = DeliveryStatus(status) if status else None
    with open_storage(database_url) as storage:
        records = storage.webhooks.deliveries(limit=limit, status=wanted)
    table = Table("id", "sub", "event", "ticket", "status", "tries", "last", "next / done")
    for d in records:
        last = str(d.last_status_code or "") or d.last_error[:40]
        done = _iso(d.delivered_at) if d.delivered_at else _iso(d.next_attempt_at)
        table.add_row(
            str(d.id), str(d.subscription_id), d.event, d.ticket, d.status.value,
            str(d.attempts), last, done,
        )  # fmt: skip
    Console(width=160).print(table)


@webhooks_app.command("deliver")
def deliver(
    loop: Annotated[bool, typer.Option("--loop", help="Keep delivering until Ctrl-C.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between passes with --loop.")] = 5.0,
    database_url: DatabaseUrl = None,
) -> None:
    """Send due webhook deliveries now (one pass, or --loop)."""

    storage = open_storage(database_url)
    try:
        while True:
            run = deliver_once(storage, storage.now())
            if run.delivered or run.retrying or run.failed:
                typer.echo(
                    f"delivered {run.delivered}, retrying {run.retrying}, failed {run.failed}"
                )
            if not loop:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        storage.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")
