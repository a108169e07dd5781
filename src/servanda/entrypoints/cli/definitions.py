"""``servanda definitions ...``: validate, explain and export the definitions format."""

from __future__ import annotations

import typer

definitions_app = typer.Typer(
    help="Validate, explain and export SLA definitions.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(definitions_app, name="definitions")
