"""``servanda demo``: the whole story of a managed service provider, on a fresh machine, in one command.

Steps (docs/tour.md walks through what they produce):

1. writes the multi-level definitions into ``DIR/definitions`` and explains,
   for a dozen sample tickets, which objective applies to each metric, which
   agreement and level decided it and which candidates it overrode;
2. generates ``--months`` months of history ending with March 2026 for the
   first ``--customers`` customers (``DIR/history``: events per month, outages
   and maintenance windows), deterministic per ``--seed``;
3. imports it into a fresh SQLite database ``DIR/servanda.sqlite`` month by
   month and sweeps time to each month's end, so warnings and breaches nobody
   pushed are recorded;
4. prints the last month per customer and objective: attainment against goal,
   breaches, availability and credits owed;
5. writes the reports into ``DIR/reports`` (``servanda.demo.outputs``);
6. with ``--serve``, serves the API on 127.0.0.1 with one token per role, its
   clock frozen at the end of the period, until interrupted.

Nothing reads the wall clock: the same seed gives byte-identical CSV and JSON.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from servanda.demo import SAMPLE_TICKETS, SampleTicket, definitions_path
from servanda.domain.agreements import Definitions
from servanda.specs.explain import explain
from servanda.specs.loader import load_definitions

if TYPE_CHECKING:
    from servanda.bootstrap import Storage
    from servanda.demo.history import DemoPeriod
    from servanda.demo.outputs import PdfRenderer
    from servanda.demo.story import Layout
    from servanda.demo.summary import DemoSummary

DEMO_DAY = date(2026, 3, 16)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to write definitions, history, database, reports.")
    ] = Path("servanda-demo"),
    months: Annotated[
        int, typer.Option(min=1, max=3, help="Months of history, ending with March 2026.")
    ] = 3,
    customers: Annotated[
        int,
        typer.Option(
            min=1, max=5, help="How many customers (acme, globex, initech, umbrella, hooli)."
        ),
    ] = 5,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same files.")] = 42,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Render the PDF reports.")] = True,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve the API on 127.0.0.1 until Ctrl-C.")
    ] = False,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port for --serve.")] = 8000,
) -> None:
    """Show Servanda on a realistic managed service provider, end to end."""
    from servanda.demo.history import demo_customers, demo_period
    from servanda.demo.story import Layout

    console = Console()
    layout = Layout(directory)
    layout.root.mkdir(parents=True, exist_ok=True)
    _write_definitions(layout.definitions)
    definitions = load_definitions(layout.definitions)
    console.rule(f"[bold]{definitions.provider or 'Servanda demo'}")
    console.print(_overview(definitions))
    _heading(console, "1", "The promises: which objective applies to each ticket, and why")
    _print_explanations(console, definitions)
    period = demo_period(months, definitions.timezone)
    chosen = demo_customers(customers)
    summary = _story(console, layout, definitions, period, chosen, seed, pdf=pdf)
    _print_summary(console, summary)
    _print_files(console, layout, period, chosen)
    if serve:
        _serve(console, layout, period, chosen, port)


def _heading(console: Console, number: str, text: str) -> None:
    console.print(f"\n[bold]{number}  {text}[/bold]")


def _story(
    console: Console,
    layout: Layout,
    definitions: Definitions,
    period: DemoPeriod,
    customers: tuple[str, ...],
    seed: int,
    *,
    pdf: bool,
) -> DemoSummary:
    from servanda.demo import story
    from servanda.entrypoints.cli.progress import import_progress

    span = _span(period)
    _heading(console, "2", f"What happened: {span}, {len(customers)} customer(s), seed {seed}")
    layout.reset()
    history = story.write_history(layout, definitions, customers, period, seed)
    console.print(
        f"{history.tickets:,} tickets ({history.event_count:,} events), {history.outages} outages "
        f"and {history.maintenance} announced maintenance windows, written to {layout.history}"
    )
    storage = story.open_database(layout)
    try:
        revision = story.apply_revision(storage, layout, definitions, period.start)
        with import_progress(history.event_bytes) as advance:
            recorded = story.import_history(storage, layout, history, period, advance)
        console.print(
            f"imported into {layout.database} (definitions revision {revision}): "
            f"{recorded.events:,} events, {recorded.outages} outage records"
        )
        _heading(console, "3", f"Time passes: swept to each month's end, up to {_now(period)}")
        console.print(
            f"{recorded.warnings:,} warnings and {recorded.breaches:,} breaches recorded "
            "(at import, and by the sweep for clocks that ran out with no event)"
        )
        return _reports(storage, layout, definitions, period, customers, pdf=pdf)
    finally:
        storage.dispose()


def _reports(
    storage: Storage,
    layout: Layout,
    definitions: Definitions,
    period: DemoPeriod,
    customers: tuple[str, ...],
    *,
    pdf: bool,
) -> DemoSummary:
    from servanda.demo import outputs

    with outputs.PdfRenderer(pdf) as renderer:
        with _counter("writing reports") as count:
            summary, _ = outputs.write_reports(
                storage, layout.reports, definitions, customers, period, renderer, count
            )
        _wait_for_pdfs(renderer)
    return summary


def _span(period: DemoPeriod) -> str:
    first, last = period.months[0], period.months[-1]
    if first == last:
        return f"{last:%B %Y}"
    return f"{first:%B}–{last:%B %Y}"


def _now(period: DemoPeriod) -> str:
    return f"{period.local(period.end):%Y-%m-%d %H:%M} {period.timezone}"


@contextmanager
def _counter(label: str) -> Iterator[Callable[[Path], None]]:
    """A spinner with a count on stderr (on a terminal only); yields ``count(path)``."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    stderr = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn(f"{label}: {{task.completed}} files"),
        console=stderr,
        disable=not stderr.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=None)
        yield lambda _path: progress.advance(task)


def _wait_for_pdfs(renderer: PdfRenderer) -> None:
    """A progress bar over the PDFs still rendering (on a terminal only)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    stderr = Console(stderr=True)
    with Progress(
        TextColumn("rendering PDFs"),
        BarColumn(),
        MofNCompleteColumn(),
        console=stderr,
        disable=not stderr.is_terminal or renderer.submitted == 0,
    ) as progress:
        task = progress.add_task("pdf", total=renderer.submitted, completed=renderer.finished)
        renderer.done = lambda _path: progress.advance(task)
        renderer.wait()


def _write_definitions(target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(definitions_path(), target)


def _overview(definitions: Definitions) -> str:
    levels = sorted({a.level.value for a in definitions.agreements})
    groups = sorted({c.group for c in definitions.customers.values() if c.group})
    return (
        f"{len(definitions.agreements)} agreements at levels {', '.join(levels)}; "
        f"{len(definitions.services)} services; {len(definitions.customers)} customers "
        f"in groups {', '.join(groups)}; calendars: {', '.join(sorted(definitions.calendars))}."
    )


def _print_explanations(console: Console, definitions: Definitions) -> None:
    console.print(f"Sample tickets created on {DEMO_DAY.isoformat()}:")
    for ticket in SAMPLE_TICKETS:
        extra = "".join(f" {key}={value}" for key, value in ticket.fields)
        console.print(
            f"\n[bold]{ticket.id}[/bold]  {ticket.customer} / {ticket.service} / "
            f"{ticket.priority}{extra}  [dim]{ticket.story}[/dim]"
        )
        console.print(_ticket_table(definitions, ticket))


def _ticket_table(definitions: Definitions, ticket: SampleTicket) -> Table:
    table = Table(header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("metric", "target", "goal", "calendar", "decided by", "overrode"):
        table.add_column(column, no_wrap=column != "overrode")
    rows = explain(
        definitions,
        customer=ticket.customer,
        service=ticket.service,
        attributes={"priority": ticket.priority, **dict(ticket.fields)},
        on=DEMO_DAY,
    )
    for row in rows:
        table.add_row(
            row.metric.value,
            row.target,
            row.goal or "",
            row.calendar if row.metric.is_ticket_clock else "",
            f"{row.agreement} ({row.specificity})",
            ", ".join(agreement for agreement, _, _ in row.overridden) or "-",
        )
    return table


def _print_summary(console: Console, summary: DemoSummary) -> None:
    from servanda.demo.terminal import customer_table

    _heading(console, "4", f"{summary.title}: each customer's objectives, availability and credits")
    for customer in summary.customers:
        console.print(customer_table(customer))


def _print_files(
    console: Console, layout: Layout, period: DemoPeriod, customers: tuple[str, ...]
) -> None:
    label, first = period.last_label, customers[0]
    url = layout.database_url
    _heading(console, "5", "Files, and how to reproduce every number (docs/tour.md)")
    console.print(
        f"definitions  {layout.definitions}\n"
        f"history      {layout.history}  (events.jsonl, outages.csv)\n"
        f"database     {layout.database}\n"
        f"reports      {layout.reports}\n"
        f"  customers/{first}-{label}.pdf  monthly SLA report (HTML and PDF per customer)\n"
        f"  credits-{label}.pdf  credit statement (also CSV, JSON, HTML)\n"
        f"  compliance-YYYY-MM.csv|json, availability-YYYY-MM.csv|json, credits-YYYY-MM.csv|json\n"
        f"  agreements/AGREEMENT.html|md  contract documents; summary.json  the table above\n"
        f"\n  servanda report compliance --period {label} --customer {first} "
        f"--database-url {url}\n"
        f"  servanda report credits --period {label} --database-url {url}\n"
        f"  servanda ticket timeline {layout.events_file} TICKET "
        f"--definitions {layout.definitions}",
        highlight=False,
        soft_wrap=True,
    )


def _serve(
    console: Console, layout: Layout, period: DemoPeriod, customers: tuple[str, ...], port: int
) -> None:
    import uvicorn

    from servanda.bootstrap import connect, load_settings
    from servanda.entrypoints.api import create_app
    from servanda.services.auth import Role, create_token

    settings = load_settings(database_url=layout.database_url)
    storage = connect(settings)
    store = storage.tokens
    _heading(console, "6", f"The API, its clock frozen at {_now(period)}")
    console.print(f"http://127.0.0.1:{port}/docs  (OpenAPI: /openapi.json)  Ctrl-C stops it")
    for role in Role:
        customer = customers[0] if role is Role.CUSTOMER else None
        created = create_token(
            store, role=role, customer=customer, name=f"demo {role.value}", now=period.end
        )
        whose = f" ({customer})" if customer else ""
        console.print(f"  {role.value + whose:<20} {created.secret}", highlight=False)
    console.print(
        f"  curl -H 'Authorization: Bearer TOKEN' http://127.0.0.1:{port}/api/v1/clocks",
        highlight=False,
    )
    try:
        app = create_app(settings, storage=storage, now=lambda: period.end)
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    finally:
        storage.dispose()
