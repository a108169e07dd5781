"""``servanda serve``: run the HTTP API with uvicorn.

With ``--workers N`` N processes serve, each building its own app from the
environment (``SERVANDA_DATABASE_URL``; ``--database-url`` is passed on
through it) and listening on its own ``SO_REUSEPORT`` socket, so the kernel
spreads connections over them (``servanda.entrypoints.api.workers``).
PostgreSQL must be migrated first (``servanda db upgrade``); a SQLite file is
migrated here, once, before the workers start.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Annotated

import typer

from servanda.entrypoints.cli.db import DatabaseUrl, open_storage

SWITCH_INTERVAL_SECONDS = 0.001
"""How long a thread holding the GIL runs before another may take it (CPython: 5 ms).

A ticket read waits for the GIL after each of its few database round trips while event
batches fold in other threads; 1 ms instead of 5 cuts those waits, at a small cost in
thread switches."""


GC_THRESHOLDS = (20_000, 10, 10)
"""Cyclic garbage collection every 20,000 net allocations instead of CPython's 700. The API
allocates mostly acyclic objects, and the per-process history cache makes the heap large: with
the default, full collections of a growing heap took a batch from 14 to 20 ms of CPU within
180,000 events (in process, benchmarks' own batches); with this, it stays at 13-14 ms."""


def app_from_environment() -> object:
    """The uvicorn factory: the API for the settings in the environment."""
    from servanda.bootstrap import load_settings
    from servanda.entrypoints.api import create_app

    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    gc.set_threshold(*GC_THRESHOLDS)
    return create_app(load_settings())


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    database_url: DatabaseUrl = None,
) -> None:
    """Serve the HTTP API (docs at /docs, OpenAPI at /openapi.json)."""
    import uvicorn

    from servanda.entrypoints.api import workers as workers_module

    if database_url:
        os.environ["SERVANDA_DATABASE_URL"] = database_url
    open_storage(database_url).dispose()  # checks (SQLite: migrates) the schema before forking
    if workers > 1 and workers_module.supports_reuse_port():
        try:
            code = workers_module.supervise(host, port, workers, log_level)
        except OSError as error:
            raise typer.BadParameter(f"cannot listen on {host}:{port}: {error}") from error
        raise typer.Exit(code)
    uvicorn.run(
        "servanda.entrypoints.cli.serve:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
