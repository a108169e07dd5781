"""Credits on the right fee base, on SQLite and PostgreSQL (figures: tests/fee_base_scenario.py).

A credit, cap or bonus is a share of the fees of the services in scope of the
objective: the agreement's services, narrowed by the objective's own
``when: service`` and by the services the customer pays for. A cap is a share of
the union of the fee bases of the lines it caps (docs/reports.md).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest

from servanda.adapters.sqlalchemy.reports import SqlAlchemyReportReadModel
from servanda.bootstrap import connect, load_settings
from servanda.domain.credits import CreditStatement, LineKind, StatementLine
from servanda.domain.money import Money
from servanda.reporting import tables
from servanda.reporting.html import customer_report_html
from servanda.services.credit_reports import credits_report
from servanda.services.customer_report import customer_report
from servanda.services.reports import ReportSources, compliance_report
from tests import fee_base_scenario

D = Decimal


def eur(amount: str) -> Money:
    return Money(D(amount), "EUR")


@pytest.fixture
def sources(database_url: str) -> Iterator[ReportSources]:
    storage = connect(load_settings(database_url=database_url))
    fee_base_scenario.load(storage)
    yield ReportSources(storage.uow_factory, SqlAlchemyReportReadModel(storage.engine))
    storage.dispose()


def statement_of(sources: ReportSources) -> CreditStatement:
    (statement,) = credits_report(sources, "2026-03", customer="shop").statements
    return statement


def line_of(statement: CreditStatement, kind: LineKind, objective: str | None) -> StatementLine:
    (found,) = [ln for ln in statement.lines if ln.kind is kind and ln.objective_key == objective]
    return found


def test_a_missed_objective_narrowed_to_hosting_credits_a_share_of_the_hosting_fee_only(sources):
    statement = statement_of(sources)
    hosting = line_of(statement, LineKind.CREDIT, "shop-deal/hosting-up")
    assert hosting.fee_base.services == ("hosting",)
    assert hosting.fee_base.total == eur("3000")
    assert hosting.amount == eur("300")  # 10 % of hosting's EUR 3,000, not of all EUR 6,000
    assert "10% of EUR 3,000.00 (hosting)" in hosting.reason
    email = line_of(statement, LineKind.CREDIT, "shop-deal/email-fix")
    assert email.fee_base.services == ("email",)
    assert email.amount == eur("200")  # 20 % of email's EUR 1,000


def test_the_cap_is_a_share_of_the_union_of_the_fee_bases_of_the_lines_it_caps(sources):
    statement = statement_of(sources)
    cap = line_of(statement, LineKind.CREDIT_CAP, None)
    assert cap.fee_base.services == ("email", "hosting")  # backup missed nothing: not capped on
    assert cap.fee_base.total == eur("4000")
    assert cap.amount == eur("-100")  # 300 + 200 = 500 capped at 10 % of EUR 4,000
    assert statement.credits("EUR") == eur("400.00")
    assert statement.net("EUR") == eur("400.00")


def test_the_availability_level_of_an_objective_narrowed_to_hosting_is_hostings_availability(
    sources,
):
    # The 10-hour email outage would put email at 98.65 %: it must not be the level.
    hosting = line_of(statement_of(sources), LineKind.CREDIT, "shop-deal/hosting-up")
    assert hosting.level == fee_base_scenario.HOSTING_AVAILABILITY


def test_a_ticket_objective_narrowed_to_email_counts_only_email_tickets(sources):
    report = compliance_report(sources, "2026-03", customer="shop")
    counted = {
        (r.objective_key, r.service): (r.met, r.breached)
        for r in report.rows
        if r.objective_key == "shop-deal/email-fix"
    }
    assert counted == {("shop-deal/email-fix", "email"): (1, 1)}  # H1 (hosting) is not its item
    email = line_of(statement_of(sources), LineKind.CREDIT, "shop-deal/email-fix")
    assert email.level == D("0.5")


def test_every_credits_output_names_each_lines_fee_base(sources):
    table = tables.credits_table(credits_report(sources, "2026-03", customer="shop"))
    shown = dict(zip(table.columns, table.rows[0], strict=True))
    assert shown["fee base"] == "EUR 3,000.00 (hosting)"
    rows = list(csv.DictReader(io.StringIO(tables.to_csv(table))))
    assert [r["fee base"] for r in rows if r["line"] == "credit_cap"] == [
        "EUR 4,000.00 (email 1,000.00 + hosting 3,000.00)"
    ]
    records = json.loads(tables.to_json(table))["rows"]
    (cap,) = [r for r in records if r["kind"] == "credit_cap"]
    assert cap["fee_base"] == [
        {"service": "email", "amount": "1000"},
        {"service": "hosting", "amount": "3000"},
    ]
    assert (cap["fee"], cap["services"]) == ("4000", ["email", "hosting"])
    html = tables.to_html(table)
    assert "EUR 4,000.00 (email 1,000.00 + hosting 3,000.00)" in html
    assert all(str(ln.fee_base) in ln.reason for ln in statement_of(sources).lines)
    document = customer_report_html(customer_report(sources, "shop", "2026-03"))
    assert "10% of EUR 3,000.00 (hosting)" in document
    assert "EUR 4,000.00 (email 1,000.00 + hosting 3,000.00)" in document
