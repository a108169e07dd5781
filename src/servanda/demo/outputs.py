"""The demo's report files under ``DIR/reports``, written from the demo database.

- ``customers/CUSTOMER-YYYY-MM.html`` and ``.pdf``: each customer's monthly
  SLA report for the last month (``servanda report customer``);
- ``credits-YYYY-MM.csv|json`` for every month, ``.html|.pdf`` for the last
  (``servanda report credits``), statements of the demo's customers only;
- ``compliance-YYYY-MM.csv|json`` and ``availability-YYYY-MM.csv|json`` for
  every month (``servanda report compliance|availability``);
- ``agreements/AGREEMENT.md`` and ``.html``: the contract document of every
  agreement that applies to a demo customer (``servanda definitions render``;
  its ``--format pdf`` makes the PDF: not done here, ten more PDFs would cost
  a third of the demo's time);
- ``summary.json``: the terminal summary with exact values.

CSV and JSON are byte-identical for the same seed. PDFs (WeasyPrint is
single-threaded and the slowest step) are rendered in up to ``PDF_WORKERS``
forked processes (on Linux; elsewhere one by one) while the other reports are
still being computed. Reports read the revision through the same sources as
``servanda report`` (``Storage.reports``); its snapshot is decoded
once per process (``specs.snapshot.loads`` is memoized).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from servanda.bootstrap import Storage
from servanda.demo.history import DemoPeriod
from servanda.demo.summary import DemoSummary, summarise, summary_json
from servanda.domain.agreements import Definitions, add_months
from servanda.services.credit_reports import CreditsReport, credits_report
from servanda.services.reports import ReportSources

PDF_WORKERS = 2


class PdfRenderer:
    """Renders PDFs as they are handed in: in ``PDF_WORKERS`` forked processes, or inline.

    Use as a context manager; leaving it waits for every PDF (``done`` is called
    once per file written, in submission order).
    """

    def __init__(self, enabled: bool, done: Callable[[Path], None] = lambda _path: None) -> None:
        self.enabled = enabled
        self.done = done
        self.submitted = 0
        self.finished = 0
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list[Future[Path]] = []

    def __enter__(self) -> PdfRenderer:
        workers = min(PDF_WORKERS, os.cpu_count() or 1)
        if self.enabled and workers > 1 and sys.platform == "linux":  # fork is safe on Linux only
            from servanda.reporting.pdf import _weasyprint

            _weasyprint()  # imported once here, inherited by the forked workers
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(workers, mp_context=context)
        return self

    def submit(self, path: Path, html: str) -> None:
        self.submitted += 1
        if self._pool is None:
            self._finish(_render_one(path, html))
        else:
            self._futures.append(self._pool.submit(_render_one, path, html))

    def wait(self) -> None:
        """Block until every submitted PDF is written."""
        for future in self._futures:
            self._finish(future.result())
        self._futures.clear()

    def _finish(self, path: Path) -> None:
        self.finished += 1
        self.done(path)

    def __exit__(self, *exc_info: object) -> None:
        try:
            if exc_info[0] is None:
                self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)


@dataclass(slots=True)
class Written:
    """Files written so far; PDFs go to ``renderer``."""

    renderer: PdfRenderer
    on_file: Callable[[Path], None] = lambda _path: None
    files: list[Path] = field(default_factory=list)

    def text(self, path: Path, content: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        self.files.append(path)
        self.on_file(path)

    def pdf(self, path: Path, html: str) -> None:
        if self.renderer.enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.renderer.submit(path, html)
            self.files.append(path)


def write_reports(
    storage: Storage,
    reports: Path,
    definitions: Definitions,
    customers: Sequence[str],
    period: DemoPeriod,
    renderer: PdfRenderer,
    on_file: Callable[[Path], None] = lambda _path: None,
) -> tuple[DemoSummary, Written]:
    """Every report file (PDFs handed to ``renderer``); the summary of the last month."""
    sources = storage.reports
    written = Written(renderer, on_file)
    summary = _customer_reports(
        sources, reports, definitions, customers, period.last_label, written
    )
    _credits_document(sources, reports, customers, period.last_label, written)
    _agreements(reports / "agreements", definitions, customers, period, written)
    for index in range(len(period.months)):
        _tables(sources, reports, customers, period.label(index), written)
    written.text(reports / "summary.json", summary_json(summary))
    return summary, written


def _customer_reports(
    sources: ReportSources,
    reports: Path,
    definitions: Definitions,
    customers: Sequence[str],
    label: str,
    written: Written,
) -> DemoSummary:
    from servanda.reporting.html import customer_report_html
    from servanda.services.customer_report import customer_report
    from servanda.services.reports import compliance_report

    made = []
    for customer in customers:
        report = customer_report(sources, customer, label)
        html = customer_report_html(report)
        written.text(reports / "customers" / f"{customer}-{label}.html", html)
        written.pdf(reports / "customers" / f"{customer}-{label}.pdf", html)
        made.append((report, compliance_report(sources, label, customer=customer)))
    return summarise(definitions, made)


def _tables(
    sources: ReportSources, reports: Path, customers: Sequence[str], label: str, written: Written
) -> None:
    from servanda.reporting import tables
    from servanda.services.reports import availability_report, compliance_report

    made = {
        "compliance": tables.compliance_table(compliance_report(sources, label)),
        "availability": tables.availability_table(availability_report(sources, label)),
        "credits": tables.credits_table(_credits(sources, customers, label)),
    }
    for name, table in made.items():
        written.text(reports / f"{name}-{label}.csv", tables.to_csv(table))
        written.text(reports / f"{name}-{label}.json", tables.to_json(table))


def _credits(sources: ReportSources, customers: Sequence[str], label: str) -> CreditsReport:
    parts = [credits_report(sources, label, customer=customer) for customer in customers]
    statements = tuple(statement for part in parts for statement in part.statements)
    first = parts[0]
    return CreditsReport(first.period, first.title, first.revision_id, statements)


def _credits_document(
    sources: ReportSources,
    reports: Path,
    customers: Sequence[str],
    label: str,
    written: Written,
) -> None:
    from servanda.reporting import tables

    html = tables.to_html(tables.credits_table(_credits(sources, customers, label)))
    written.text(reports / f"credits-{label}.html", html)
    written.pdf(reports / f"credits-{label}.pdf", html)


def relevant_agreements(
    definitions: Definitions, customers: Sequence[str], period: DemoPeriod
) -> list[str]:
    """The agreements precedence picks an objective of for some demo customer, in definitions order."""
    from servanda.services.credit_reports import applicable_objectives

    last_day = add_months(period.months[-1], 1) - timedelta(days=1)
    picked = {
        agreement.id
        for customer in customers
        for agreement, _ in applicable_objectives(definitions, customer, last_day)
    }
    return [agreement.id for agreement in definitions.agreements if agreement.id in picked]


def _agreements(
    folder: Path,
    definitions: Definitions,
    customers: Sequence[str],
    period: DemoPeriod,
    written: Written,
) -> None:
    from servanda.reporting.agreement_document import (
        agreement_document,
        render_html,
        render_markdown,
    )

    for agreement in relevant_agreements(definitions, customers, period):
        document = agreement_document(definitions, agreement)
        written.text(folder / f"{agreement}.md", render_markdown(document))
        written.text(folder / f"{agreement}.html", render_html(document))


def _render_one(path: Path, html: str) -> Path:
    from servanda.reporting.pdf import html_to_pdf

    path.write_bytes(html_to_pdf(html))
    return path
