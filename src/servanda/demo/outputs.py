"""The demo's report files under ``DIR/reports``, written from the demo database.

- ``customers/CUSTOMER-YYYY-MM.html`` and ``.pdf``: each customer's monthly
  SLA report for the last month (``servanda report customer``);
- ``credits-YYYY-MM.csv|json`` for every month, ``.html|.pdf`` for the last
  (``servanda report credits``), statements of the demo's customers only;
- ``compliance-YYYY-MM.csv|json`` and ``availability-YYYY-MM.csv|json`` for
  every month (``servanda report compliance|availability``);
- ``agreements/AGREEMENT.md`` and ``.pdf``: the contract document of every
  agreement that applies to a demo customer (``servanda definitions render``);
- ``summary.json``: the terminal summary with exact values.

CSV and JSON are byte-identical for the same seed. PDFs are rendered last, in
up to ``PDF_WORKERS`` processes (WeasyPrint is single-threaded and the slowest
step), largest documents first.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
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


@dataclass(slots=True)
class Written:
    """Files written so far, and the PDFs still to render as ``(path, html)``."""

    files: list[Path] = field(default_factory=list)
    pdfs: list[tuple[Path, str]] = field(default_factory=list)

    def text(self, path: Path, content: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        self.files.append(path)

    def pdf(self, path: Path, html: str) -> None:
        self.pdfs.append((path, html))
        self.files.append(path)


def report_sources(storage: Storage) -> ReportSources:
    from servanda.adapters.sqlalchemy.reports import SqlAlchemyReportReadModel

    return ReportSources(storage.uow_factory, SqlAlchemyReportReadModel(storage.engine))


def write_reports(
    storage: Storage,
    reports: Path,
    definitions: Definitions,
    customers: Sequence[str],
    period: DemoPeriod,
    *,
    pdf: bool,
) -> tuple[DemoSummary, Written]:
    """Every report file except the PDFs' bytes; the summary of the last month."""
    sources = report_sources(storage)
    written = Written()
    summary = _customer_reports(sources, reports, customers, period.last_label, written, pdf=pdf)
    for index in range(len(period.months)):
        _tables(sources, reports, customers, period.label(index), written)
    _credits_document(sources, reports, customers, period.last_label, written, pdf=pdf)
    _agreements(reports / "agreements", definitions, customers, period, written, pdf=pdf)
    written.text(reports / "summary.json", summary_json(summary))
    return summary, written


def _customer_reports(
    sources: ReportSources,
    reports: Path,
    customers: Sequence[str],
    label: str,
    written: Written,
    *,
    pdf: bool,
) -> DemoSummary:
    from servanda.reporting.html import customer_report_html
    from servanda.services.customer_report import customer_report

    made = []
    for customer in customers:
        report = customer_report(sources, customer, label)
        html = customer_report_html(report)
        written.text(reports / "customers" / f"{customer}-{label}.html", html)
        if pdf:
            written.pdf(reports / "customers" / f"{customer}-{label}.pdf", html)
        made.append(report)
    return summarise(made)


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
    *,
    pdf: bool,
) -> None:
    from servanda.reporting import tables

    html = tables.to_html(tables.credits_table(_credits(sources, customers, label)))
    written.text(reports / f"credits-{label}.html", html)
    if pdf:
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
    *,
    pdf: bool,
) -> None:
    from servanda.reporting.agreement_document import (
        agreement_document,
        render_html,
        render_markdown,
    )

    for agreement in relevant_agreements(definitions, customers, period):
        document = agreement_document(definitions, agreement)
        written.text(folder / f"{agreement}.md", render_markdown(document))
        if pdf:
            written.pdf(folder / f"{agreement}.pdf", render_html(document))


def _render_one(path: Path, html: str) -> Path:
    from servanda.reporting.pdf import html_to_pdf

    path.write_bytes(html_to_pdf(html))
    return path


def render_pdfs(jobs: Sequence[tuple[Path, str]], done: Callable[[Path], None]) -> None:
    """Write every PDF, largest HTML first, in up to ``PDF_WORKERS`` processes."""
    ordered = sorted(jobs, key=lambda job: -len(job[1]))
    workers = min(PDF_WORKERS, os.cpu_count() or 1, len(ordered))
    if workers <= 1:
        for path, html in ordered:
            done(_render_one(path, html))
        return
    from servanda.reporting.pdf import _weasyprint

    _weasyprint()  # imported once here, inherited by the forked workers
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_render_one, path, html) for path, html in ordered]
        for future in futures:
            done(future.result())
