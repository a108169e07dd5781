"""``servanda sweep`` (once) and ``servanda worker`` (loop): time-driven warnings and breaches.

Both re-fold every ticket whose next warning or deadline is due at "now" and
record each transition exactly once (queued for notification). "Now" is the
wall clock (``servanda.adapters.system_clock``) unless ``--now`` names an ISO
8601 instant with an offset. Several workers may run against one PostgreSQL
database: they claim tickets with ``FOR UPDATE SKIP LOCKED``.
"""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Annotated

import typer

from servanda.entrypoints.cli.db import DatabaseUrl, open_storage
from servanda.entrypoints.cli.instants import instant_option


def resolve_now(text: str | None) -> int:
    """``--now`` as epoch seconds, or the wall clock when it is not given."""
    from servanda.bootstrap import system_clock
    from servanda.specs.events import parse_instant

    if text is None:
        return system_clock()()
    return parse_instant(text)


def sweep(
    now: Annotated[
        str | None,
        typer.Option(
            help="Sweep as of this ISO 8601 instant instead of the wall clock.",
            callback=instant_option,
        ),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Record the warnings and breaches that are due now (once), then exit."""
    from servanda.services.sweeping import sweep_due_clocks

    instant = resolve_now(now)
    with open_storage(database_url) as storage:
        outcome = sweep_due_clocks(
            storage.uow_factory,
            storage.evaluator,
            instant,
            batch_size=storage.settings.sweep_batch_size,
        )
    typer.echo(
        f"swept {outcome.tickets:,} ticket(s); recorded {len(outcome.transitions):,} transition(s)"
    )


class _Stop:
    """Set by SIGTERM/SIGINT: the worker finishes its current sweep and exits."""

    requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True


def worker(
    interval: float | None = typer.Option(
        None,
        "--interval",
        help="Seconds between sweeps (default $SERVANDA_WORKER_INTERVAL_SECONDS, 30).",
    ),
    once: bool = typer.Option(False, "--once", help="Run one sweep and exit (for cron)."),
    database_url: DatabaseUrl = None,
) -> None:
    """Sweep due clocks forever, at the wall clock's now; stops cleanly on SIGTERM or Ctrl-C."""
    from servanda.entrypoints.cli.webhooks import deliver_once
    from servanda.services.sweeping import sweep_due_clocks

    storage = open_storage(database_url)
    pause = storage.settings.worker_interval_seconds if interval is None else interval
    stop = _Stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stop.requested:
            outcome = sweep_due_clocks(
                storage.uow_factory,
                storage.evaluator,
                storage.now(),
                batch_size=storage.settings.sweep_batch_size,
            )
            if outcome.transitions:
                typer.echo(
                    f"swept {outcome.tickets:,} ticket(s); "
                    f"recorded {len(outcome.transitions):,} transition(s)"
                )
            deliver_once(
                storage, storage.now()
            )  # webhooks: after the sweep, never during ingestion
            if once:
                break
            _sleep(pause, stop)
    finally:
        storage.dispose()


def _sleep(seconds: float, stop: _Stop) -> None:
    deadline = time.monotonic() + seconds
    while not stop.requested and (left := deadline - time.monotonic()) > 0:
        time.sleep(min(left, 0.5))


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep)
    app.command("worker")(worker)
