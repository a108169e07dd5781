"""One customer, one figure: every report cuts a customer's figures in the customer's zone,
on SQLite and PostgreSQL (figures: tests/fee_base_scenario.py).

Shop is reported in America/New_York, the provider in Europe/Berlin. An outage
scoped to Shop runs from 2026-03-31T21:00Z to 2026-04-01T00:00Z: 3 h of New
York's March, 1 h of Berlin's. And one count: the customer report's cover
counts the objectives its summary table lists.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest

from servanda.adapters.sqlalchemy.reports import SqlAlchemyReportReadModel
from servanda.bootstrap import connect, load_settings
from servanda.reporting import tables
from servanda.reporting.html import customer_report_html
from servanda.services.credit_reports import credits_report
from servanda.services.customer_report import customer_report
from servanda.services.reports import ReportSources, availability_report, compliance_report
from tests import fee_base_scenario

NEW_YORK = "America/New_York"
BERLIN = "Europe/Berlin"


@pytest.fixture
def sources(database_url: str) -> Iterator[ReportSources]:
    storage = connect(load_settings(database_url=database_url))
    fee_base_scenario.load(storage)
    yield ReportSources(storage.uow_factory, SqlAlchemyReportReadModel(storage.engine))
    storage.dispose()


def test_the_provider_wide_availability_report_cuts_a_customers_row_in_the_customers_zone(sources):
    everyone = availability_report(sources, "2026-03")
    (shop,) = [r for r in everyone.rows if r.figure.customer == "shop"]
    assert shop.figure.measured.downtime_seconds == fee_base_scenario.HOSTING_DOWNTIME_SECONDS
    assert shop.figure.availability == fee_base_scenario.HOSTING_AVAILABILITY
    assert shop.timezone == NEW_YORK
    (alone,) = availability_report(sources, "2026-03", customer="shop").rows
    assert shop.figure == alone.figure
    assert [o.id for o in shop.outages] == ["h1", "h2"]


def test_every_report_gives_the_customer_the_same_availability(sources):
    expected = fee_base_scenario.HOSTING_AVAILABILITY
    everyone = availability_report(sources, "2026-03")
    provider_wide = [r.figure.availability for r in everyone.rows if r.figure.customer == "shop"]
    (statement,) = credits_report(sources, "2026-03").statements
    credited = [ln.level for ln in statement.lines if ln.objective_key == "shop-deal/hosting-up"]
    report = customer_report(sources, "shop", "2026-03")
    in_report = [a.figure.availability for a in report.availability]
    summarised = [r.level for r in report.results if r.objective_key == "shop-deal/hosting-up"]
    assert provider_wide == credited == in_report == summarised == [expected]
    table = tables.availability_table(everyone)
    (record,) = [r for r in table.records if r["customer"] == "shop"]
    assert Decimal(str(record["availability"])) == expected


def test_provider_wide_reports_say_which_zone_cut_each_row(sources):
    availability = tables.availability_table(availability_report(sources, "2026-03"))
    zones = {(r["service"], r["customer"]): r["reporting_timezone"] for r in availability.records}
    assert zones == {("hosting", None): BERLIN, ("hosting", "shop"): NEW_YORK}
    shown = [dict(zip(availability.columns, row, strict=True)) for row in availability.rows]
    assert {(r["customer"], r["zone"]) for r in shown} == {
        ("all customers", BERLIN),
        ("shop", NEW_YORK),
    }
    compliance = tables.compliance_table(compliance_report(sources, "2026-03"))
    assert {r["reporting_timezone"] for r in compliance.records} == {NEW_YORK}
    assert "zone" in next(csv.reader(io.StringIO(tables.to_csv(compliance))))
    credits = tables.credits_table(credits_report(sources, "2026-03"))
    assert {r["reporting_timezone"] for r in credits.records} == {NEW_YORK}
    assert "zone" in credits.columns


def test_satisfaction_rows_show_ratings_and_mean_under_columns_named_so(sources):
    table = tables.compliance_table(compliance_report(sources, "2026-03", customer="shop"))
    rows = list(csv.DictReader(io.StringIO(tables.to_csv(table))))
    satisfaction = sorted(
        (r["service"], r["ratings"], r["mean"], r["met"], r["attainment"])
        for r in rows
        if r["metric"] == "satisfaction"
    )
    assert satisfaction == [("email", "1", "5", "–", "–"), ("hosting", "1", "3", "–", "–")]
    (email_fix,) = [r for r in rows if r["objective"] == "shop-deal/email-fix"]
    assert (email_fix["met"], email_fix["attainment"], email_fix["ratings"]) == ("1", "50%", "–")
    records = json.loads(tables.to_json(table))["rows"]
    rated = [r for r in records if r["metric"] == "satisfaction"]
    assert all("met" not in r and "attainment" not in r for r in rated)
    assert sorted((r["ratings"], r["mean"]) for r in rated) == [(1, "3"), (1, "5")]


def test_the_customer_report_cover_counts_the_objectives_its_summary_table_lists(sources):
    html = customer_report_html(customer_report(sources, "shop", "2026-03"))
    cover = re.search(
        r'<div class="value">(\d+) / (\d+)</div><div class="label">objectives met', html
    )
    assert cover is not None
    summary = html[
        html.index("<h2>Summary</h2>") : html.index("</table>", html.index("<h2>Summary"))
    ]
    statuses = re.findall(r'<tr class="status-(\w+)">', summary)
    # house resolution (H1 breached), email-fix 50 %, hosting-up 99.46 %: missed; satisfaction 4.0: met
    assert sorted(statuses) == ["fail", "fail", "fail", "pass"]
    assert (int(cover[1]), int(cover[2])) == (
        statuses.count("pass"),
        statuses.count("pass") + statuses.count("fail"),
    )
