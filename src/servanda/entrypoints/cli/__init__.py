"""The ``servanda`` command line: ``servanda <noun> <verb>`` plus top-level verbs.

One module per noun registers its Typer sub-app here. Errors are turned into
messages and exit codes in exactly one place: ``main``'s error boundary.
"""

from __future__ import annotations

import functools
import sys
from typing import Annotated

import typer

from servanda import __version__
from servanda.domain.errors import DefinitionError, ServandaError

app = typer.Typer(
    name="servanda",
    help="Servanda: SLA management engine. Agreements as code, business-time clocks, credits.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Exit codes (documented in docs/cli.md): 0 ok, 1 invalid input or definitions,
# 2 usage error (Typer/Click), 3 not found, 4 conflict, 5 other Servanda error.
EXIT_INVALID = 1
EXIT_NOT_FOUND = 3
EXIT_CONFLICT = 4
EXIT_ERROR = 5


def _version(value: bool) -> None:
    if value:
        typer.echo(f"servanda {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Servanda: SLA management engine for B2B service providers."""


@functools.cache  # idempotent: main() and the tests may both call it
def _register() -> None:
    """Attach every noun's sub-app and every top-level verb (one module each)."""
    from servanda.entrypoints.cli import definitions, demo

    definitions.register(app)
    demo.register(app)
    from servanda.entrypoints.cli import imports, outages

    imports.register(app)
    outages.register(app)
    from servanda.entrypoints.cli import db, events, revisions, sweep

    db.register(app)
    events.register(app)
    revisions.register(app)
    sweep.register(app)
    from servanda.entrypoints.cli import serve, tokens, webhooks

    serve.register(app)
    tokens.register(app)
    webhooks.register(app)
    from servanda.entrypoints.cli import generate, replay, ticket, tickets

    generate.register(app)
    replay.register(app)
    ticket.register(app)
    tickets.register(app)
    from servanda.entrypoints.cli import calendar

    calendar.register(app)
    from servanda.entrypoints.cli import agreement_render, audit, periods, report

    report.register(app)
    agreement_render.register(app)
    audit.register(app)
    periods.register(app)


def exit_code_for(error: ServandaError) -> int:
    from servanda.domain.errors import ConflictError, EventError, NotFoundError

    if isinstance(error, DefinitionError | EventError):
        return EXIT_INVALID
    if isinstance(error, NotFoundError):
        return EXIT_NOT_FOUND
    if isinstance(error, ConflictError):
        return EXIT_CONFLICT
    return EXIT_ERROR


def main() -> None:
    """Console-script entry point with the CLI's one error boundary.

    Typer runs in standalone mode, so usage errors (exit 2), ``typer.Exit`` and
    Ctrl-C are handled by it; our own errors become one line and an exit code.
    """
    _register()
    try:
        app()
    except ServandaError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(exit_code_for(error))
