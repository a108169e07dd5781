"""``servanda report ...``: compliance, availability, credits and the monthly customer report.

``--period`` is ``2026-03`` (month), ``2026-Q1`` (quarter), ``2026`` (year) or
``2026-03-01..2026-03-15`` (range), cut in each customer's reporting time zone.
``--format`` picks a terminal table (default), CSV, JSON (exact values), HTML
or PDF; ``--output`` writes to a file (required for PDF on a terminal).
Figures and their rules: docs/reports.md.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from servanda.entrypoints.cli.db import DatabaseUrl, open_storage
from servanda.entrypoints.cli.instants import period_argument

if TYPE_CHECKING:
    from collections.abc import Callable

    from servanda.reporting.tables import Table
    from servanda.services.reports import ReportSources

report_app = typer.Typer(
    help="Compliance, availability, credits and customer reports.", no_args_is_help=True
)


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    HTML = "html"
    PDF = "pdf"


Period = Annotated[
    str,
    typer.Option(
        "--period",
        help="2026-03, 2026-Q1, 2026 or 2026-03-01..2026-03-15.",
        callback=period_argument,
    ),
]
Customer = Annotated[str | None, typer.Option("--customer", help="Only this customer.")]
Service = Annotated[str | None, typer.Option("--service", help="Only this service.")]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of the terminal.")
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


def _run(database_url: str | None, build: Callable[[ReportSources], object]) -> None:
    """Open storage, hand ``build`` the report sources, close storage."""
    from servanda.domain.periods import PeriodError

    with open_storage(database_url) as storage:
        try:
            build(storage.reports)
        except PeriodError as error:
            raise typer.BadParameter(str(error), param_hint="--period") from error


def _write(data: str | bytes, output: Path | None) -> None:
    if output is not None:
        if isinstance(data, str):
            output.write_text(data, encoding="utf-8")
        else:
            output.write_bytes(data)
        typer.echo(f"wrote {output}", err=True)
    elif isinstance(data, bytes):
        if sys.stdout.isatty():
            raise typer.BadParameter("a PDF needs --output FILE (or a pipe)", param_hint="--output")
        sys.stdout.buffer.write(data)
    else:
        typer.echo(data, nl=False)


def _emit(table: Table, fmt: Format, output: Path | None) -> None:
    from servanda.reporting import tables

    if fmt is Format.CSV:
        _write(tables.to_csv(table), output)
    elif fmt is Format.JSON:
        _write(tables.to_json(table), output)
    elif fmt is Format.HTML:
        _write(tables.to_html(table), output)
    elif fmt is Format.PDF:
        from servanda.reporting.pdf import html_to_pdf

        _write(html_to_pdf(tables.to_html(table)), output)
    else:
        _print_table(table, output)


_FOLDING_COLUMNS = frozenset(
    {"objective", "agreement", "customer", "zone", "service", "reason", "line", "fee base"}
)


def _print_table(table: Table, output: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    shown = RichTable(title=table.title, title_justify="left")
    for column in table.columns:
        # Names may fold; figures never wrap (a wrapped "99.95%" misreads).
        folds = column in _FOLDING_COLUMNS
        shown.add_column(column, overflow="fold" if folds else "ellipsis", no_wrap=not folds)
    for row in table.rows:
        shown.add_row(*row)
    if not table.rows:
        shown.caption = "no rows"
    handle = output.open("w", encoding="utf-8") if output is not None else None
    # A terminal sets the width; piped or written output gets room for every column.
    console = Console(file=handle)
    if handle is not None or not console.is_terminal:
        console = Console(file=handle, width=200)
    console.print(shown)
    for note in table.notes:
        console.print(note, style="dim")
    if handle is not None:
        handle.close()


@report_app.command("compliance")
def compliance(
    period: Period,
    customer: Customer = None,
    service: Service = None,
    agreement: Annotated[
        str | None, typer.Option("--agreement", help="Only this agreement's objectives.")
    ] = None,
    fmt: FormatOption = Format.TABLE,
    output: Output = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Items met and breached, attainment against goal and change, per objective x customer x service."""
    from servanda.reporting.tables import compliance_table
    from servanda.services.reports import compliance_report

    def build(sources: ReportSources) -> None:
        report = compliance_report(
            sources, period, customer=customer, service=service, agreement=agreement
        )
        _emit(compliance_table(report), fmt, output)

    _run(database_url, build)


@report_app.command("availability")
def availability(
    period: Period,
    customer: Customer = None,
    service: Service = None,
    fmt: FormatOption = Format.TABLE,
    output: Output = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Availability, downtime and error budget per service (and per customer where an outage is scoped)."""
    from servanda.reporting.tables import availability_table
    from servanda.services.reports import availability_report

    def build(sources: ReportSources) -> None:
        report = availability_report(sources, period, customer=customer, service=service)
        _emit(availability_table(report), fmt, output)

    _run(database_url, build)


@report_app.command("credits")
def credits(
    period: Period,
    customer: Customer = None,
    fmt: FormatOption = Format.TABLE,
    output: Output = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The credit statement: every credit, cap and bonus line with its reason, and the totals."""
    from servanda.reporting.tables import credits_table
    from servanda.services.credit_reports import credits_report

    def build(sources: ReportSources) -> None:
        _emit(credits_table(credits_report(sources, period, customer=customer)), fmt, output)

    _run(database_url, build)


@report_app.command("customer")
def customer_document(
    customer: Annotated[str, typer.Option("--customer", help="The customer the report is for.")],
    period: Period,
    output: Annotated[Path, typer.Option("--output", "-o", help="report.pdf or report.html.")],
    database_url: DatabaseUrl = None,
) -> None:
    """The monthly customer SLA report (PDF, or HTML when OUTPUT ends in .html)."""
    from servanda.reporting.html import customer_report_html
    from servanda.reporting.pdf import render_pdf
    from servanda.services.customer_report import customer_report

    def build(sources: ReportSources) -> None:
        report = customer_report(sources, customer, period)
        if output.suffix.lower() in (".html", ".htm"):
            _write(customer_report_html(report), output)
        else:
            _write(render_pdf(report), output)

    _run(database_url, build)
