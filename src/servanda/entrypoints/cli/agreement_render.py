"""``servanda definitions render AGREEMENT``: the agreement as a contract document (md, html, pdf).

Generated from the same definitions files the engine enforces (``--definitions``),
so the document and the measurements can never disagree.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from servanda.entrypoints.cli.definitions import definitions_app


class DocumentFormat(StrEnum):
    MD = "md"
    HTML = "html"
    PDF = "pdf"


def register(app: typer.Typer) -> None:
    """The command is attached to ``definitions_app`` on import; nothing else to add."""
    del app


@definitions_app.command("render")
def render(
    agreement: Annotated[str, typer.Argument(help="The agreement id, e.g. gold.")],
    definitions: Annotated[
        Path, typer.Option("--definitions", "-d", help="A definitions file or folder.")
    ] = Path("."),
    fmt: Annotated[DocumentFormat, typer.Option("--format", "-f")] = DocumentFormat.MD,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Write the agreement in plain language: parties, services, targets, calendars, credits, duties."""
    from servanda.domain.errors import NotFoundError
    from servanda.reporting.agreement_document import (
        agreement_document,
        render_html,
        render_markdown,
    )
    from servanda.specs.loader import load_definitions

    loaded = load_definitions(definitions)
    try:
        document = agreement_document(loaded, agreement)
    except KeyError:
        known = ", ".join(a.id for a in loaded.agreements)
        raise NotFoundError(f"no agreement {agreement!r} (known: {known})") from None
    if fmt is DocumentFormat.MD:
        data: str | bytes = render_markdown(document)
    elif fmt is DocumentFormat.HTML:
        data = render_html(document)
    else:
        from servanda.reporting.pdf import html_to_pdf

        if output is None:
            raise typer.BadParameter("a PDF needs --output FILE", param_hint="--output")
        data = html_to_pdf(render_html(document))
    if output is None:
        typer.echo(data, nl=False)
    elif isinstance(data, bytes):
        output.write_bytes(data)
    else:
        output.write_text(data, encoding="utf-8")
