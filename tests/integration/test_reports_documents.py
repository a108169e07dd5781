"""The customer report rendered to HTML and PDF for ACME, March 2026; content read back with pypdf."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from servanda.adapters.sqlalchemy.reports import SqlAlchemyReportReadModel
from servanda.bootstrap import connect, load_settings
from servanda.reporting.html import customer_report_html
from servanda.reporting.pdf import render_pdf
from servanda.services.customer_report import CustomerReport, customer_report
from servanda.services.reports import ReportSources
from tests import reports_scenario


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CustomerReport]:
    path: Path = tmp_path_factory.mktemp("documents") / "servanda.sqlite"
    storage = connect(load_settings(database_url=f"sqlite:///{path}"))
    reports_scenario.load(storage)
    sources = ReportSources(storage.uow_factory, SqlAlchemyReportReadModel(storage.engine))
    yield customer_report(sources, "acme", "2026-03")
    storage.dispose()


@pytest.fixture(scope="module")
def pdf_text(report: CustomerReport) -> str:
    reader = PdfReader(io.BytesIO(render_pdf(report)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_report_data_holds_the_hand_computed_figures(report):
    (p1,) = [o for o in report.objectives if o.objective_key == "gold/resolution-1"]
    assert (p1.met, p1.breached) == (1, 1)
    assert [b.ticket for b in report.breaches] == ["T4"]  # T2's breach counts in April (Berlin)
    assert report.next_review is not None
    assert report.next_review.isoformat() == "2026-07-01"


def test_the_html_report_is_self_contained(report):
    html = customer_report_html(report)
    assert "http://" not in html
    assert "https://" not in html
    assert "ACME GmbH" in html
    assert "March 2026" in html


def test_the_pdf_cover_names_customer_period_and_agreements(pdf_text):
    assert "Service level report" in pdf_text
    assert "ACME GmbH" in pdf_text
    assert "March 2026" in pdf_text
    assert "Gold tier, Managed Network" in pdf_text


def test_the_pdf_shows_attainment_availability_breaches_and_credits(pdf_text):
    assert "50%" in pdf_text  # gold P1 resolution
    assert "99.882%" in pdf_text  # network availability
    assert "T4" in pdf_text  # the breach list and its appendix
    assert "EUR 2,850.00" in pdf_text
    assert "EUR 1,250.00" in pdf_text
    assert "EUR 4,100.00" in pdf_text
    assert "Name two authorised contacts" in pdf_text
    assert "2026-07-01" in pdf_text  # next review
