"""Reports as tables: rounded display rows, exact JSON records, CSV, JSON and HTML, closed periods."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from decimal import Decimal

import pytest

from servanda.reporting.tables import (
    Table,
    availability_table,
    closed_note,
    compliance_table,
    credits_table,
    to_csv,
    to_html,
    to_json,
)
from servanda.services.closed_periods import ClosedPeriod
from servanda.services.credit_reports import credits_report
from servanda.services.reports import availability_report, compliance_report
from tests.reports_scenario import at
from tests.unit.reporting.acme_march import scenario_sources

CLOSE = ClosedPeriod(
    customer="acme",
    period="2026-03",
    start=at("2026-02-28T23:00:00"),
    end=at("2026-03-31T22:00:00"),
    closed_at=at("2026-04-03T09:30:00"),
    closed_by="dana",
    reason="signed off",
    revision_ceiling=1,
    content_hash="ab" * 32,
)


@pytest.fixture(scope="module")
def compliance() -> Table:
    return compliance_table(compliance_report(scenario_sources(), "2026-03", customer="acme"))


def by_key(table: Table, *keys: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Display rows by the values of ``keys`` columns."""
    index = [table.columns.index(key) for key in keys]
    return {tuple(row[i] for i in index): row for row in table.rows}


def test_ticket_rows_count_items_and_leave_the_rating_columns_empty(compliance: Table) -> None:
    row = dict(zip(compliance.columns, by_key(compliance, "objective", "service")[
        ("gold/resolution-1", "email")], strict=True))  # fmt: skip
    assert row == {
        "objective": "gold/resolution-1", "metric": "resolution", "customer": "acme",
        "zone": "Europe/Berlin", "service": "email", "target": "4h", "goal": "98%",
        "met": "0", "breached": "1", "attainment": "0%", "ratings": "–", "mean": "–",
        "change": "–", "status": "fail",
    }  # fmt: skip


def test_satisfaction_rows_count_ratings_and_leave_the_item_columns_empty(compliance: Table):
    row = by_key(compliance, "objective", "service")[
        ("corporate-standard/satisfaction-1", "network")
    ]
    values = dict(zip(compliance.columns, row, strict=True))
    assert (values["target"], values["ratings"], values["mean"]) == ("mean ≥ 4.0", "1", "5")
    assert (values["met"], values["breached"], values["attainment"], values["goal"]) == ("–",) * 4


def test_json_records_keep_exact_values_and_null_for_what_is_unknown(compliance: Table) -> None:
    records = {(r["objective"], r["service"]): r for r in compliance.records}
    network = records[("gold/resolution-1", "network")]
    assert (network["goal"], network["attainment"], network["target_seconds"]) == (
        "0.98",
        "1",
        14400,
    )
    assert network["previous_attainment"] is None
    rating = records[("corporate-standard/satisfaction-1", "email")]
    assert (rating["target"], rating["mean"], rating["rating_sum"]) == ("4.0", "3", "3")
    assert compliance.notes == ("definitions revision 1",)
    assert compliance.title == "Compliance March 2026"


def test_availability_rows_show_rounded_figures_and_records_the_exact_ones() -> None:
    table = availability_table(availability_report(scenario_sources(), "2026-03", customer="acme"))
    row = dict(zip(table.columns, by_key(table, "service")[("network",)], strict=True))
    assert (row["availability"], row["downtime min"], row["outages"], row["status"]) == (
        "99.882%", "52.5", "o1, o2", "fail",
    )  # fmt: skip
    (record,) = [r for r in table.records if r["service"] == "network"]
    assert record["covered_seconds"] == 2_667_600  # announced maintenance left out
    assert Decimal(str(record["downtime_seconds"])) == 3150
    assert Decimal(str(record["availability"])) == 1 - Decimal(3150) / Decimal(2_667_600)
    assert by_key(table, "service")[("email",)][table.columns.index("outages")] == "–"


def test_credit_rows_show_money_and_fee_bases_and_a_total_per_currency() -> None:
    table = credits_table(credits_report(scenario_sources(), "2026-03", customer="acme"))
    amounts = {row[2]: row[5] for row in table.rows}
    assert amounts == {"gold": "EUR 2,850.00", "gold-network": "EUR 1,250.00", "email-service": "–"}
    assert table.notes == ("acme: credits EUR 4,100.00, bonuses EUR 0.00, net EUR 4,100.00",)
    total = table.records[-1]
    assert (total["kind"], total["currency"], total["credits"], total["net"]) == (
        "total", "EUR", "4100.00", "4100.00",
    )  # fmt: skip
    gold = table.records[0]
    assert gold["fee_base"] == [
        {"service": "email", "amount": "2000"},
        {"service": "network", "amount": "5000"},
        {"service": "workplace", "amount": "12000"},
    ]
    assert (gold["rate"], gold["threshold"], gold["level"]) == ("0.15", "0.9", "0.5")


def test_a_closed_period_is_noted_and_listed_in_the_json() -> None:
    report = compliance_report(scenario_sources(), "2026-03", customer="acme")
    table = compliance_table(dataclasses.replace(report, closed=(CLOSE,)))
    assert table.notes[1] == (
        "2026-03 is closed for acme: closed 2026-04-03T09:30:00+00:00 by dana (signed off); "
        "figures as frozen at the close (sha256 abababababab)"
    )
    document = json.loads(to_json(table))
    assert document["closed"] == [
        {"customer": "acme", "period": "2026-03", "closed_at": "2026-04-03T09:30:00+00:00",
         "closed_by": "dana", "reason": "signed off", "content_hash": "ab" * 32},
    ]  # fmt: skip


def test_a_close_without_a_reason_says_none() -> None:
    assert "by dana; figures" in closed_note(dataclasses.replace(CLOSE, reason=""))


TABLE = Table(
    "Demo <b>",
    ("name", "note"),
    (("a, b", 'say "hi"'), ("<script>", "≥ 4")),
    ({"name": "a, b", "share": "0.5"},),
)


def test_csv_has_a_header_and_quotes_what_needs_quoting() -> None:
    text = to_csv(TABLE)
    assert text.splitlines()[0] == "name,note"
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "note"], ["a, b", 'say "hi"'], ["<script>", "≥ 4"],
    ]  # fmt: skip


def test_json_holds_title_and_records_keeps_non_ascii_and_has_no_closed_key_when_open() -> None:
    document = json.loads(to_json(TABLE))
    assert document == {"title": "Demo <b>", "rows": [{"name": "a, b", "share": "0.5"}]}
    assert '"n": "≥"' in to_json(dataclasses.replace(TABLE, records=({"n": "≥"},)))


def test_html_escapes_every_cell_and_the_title() -> None:
    page = to_html(TABLE)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "Demo &lt;b&gt;" in page
    assert "say &#34;hi&#34;" in page or "say &quot;hi&quot;" in page
