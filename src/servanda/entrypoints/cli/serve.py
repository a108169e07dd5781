"""``servanda serve``: run the HTTP API with uvicorn.

With ``--workers N`` N processes serve, each building its own app from the
environment (``SERVANDA_DATABASE_URL``; ``--database-url`` is passed on
through it) and listening on its own ``SO_REUSEPORT`` socket, so the kernel
spreads connections over them (``servanda.entrypoints.api.workers``).
PostgreSQL must be migrated first (``servanda db upgrade``); a SQLite file is
migrated here, once, before the workers start. Each worker folds event batches in
``--ingestion-processes`` processes of its own at a lower CPU priority
(``servanda.entrypoints.api.ingestion``; passed on as
``SERVANDA_INGESTION_PROCESSES``).
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


INGESTION_PROCESSES = 3
"""Default ingestion processes per worker (``servanda.entrypoints.api.ingestion``)."""


def app_from_environment() -> object:
    """The uvicorn factory: the API for the settings in the environment."""
    from servanda.bootstrap import load_settings
    from servanda.entrypoints.api import create_app
    from servanda.entrypoints.api.ingestion import GC_THRESHOLDS

    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    gc.set_threshold(*GC_THRESHOLDS)
    return create_app(load_settings())


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
    ingestion_processes: Annotated[
        int,
        typer.Option(
            help="Processes per worker that fold event batches at a lower CPU priority, so "
            "reads never wait behind a batch; 0 folds them in the worker itself.",
            min=0,
            max=64,
        ),
    ] = INGESTION_PROCESSES,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    database_url: DatabaseUrl = None,
) -> None:
    """Serve the HTTP API (docs at /docs, OpenAPI at /openapi.json)."""
    import uvicorn

    from servanda.entrypoints.api import workers as workers_module

    if database_url:
        os.environ["SERVANDA_DATABASE_URL"] = database_url
    os.environ["SERVANDA_INGESTION_PROCESSES"] = str(ingestion_processes)
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
