"""``servanda report ...`` and ``servanda definitions render`` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from servanda.bootstrap import connect, load_settings
from servanda.entrypoints.cli import _register, app
from tests import reports_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli") / "servanda.sqlite"
    url = f"sqlite:///{path}"
    storage = connect(load_settings(database_url=url))
    reports_scenario.load(storage)
    storage.dispose()
    _register()
    return url


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_compliance_as_json_has_exact_attainment(database):
    result = invoke(
        "report",
        "compliance",
        "--period",
        "2026-03",
        "--customer",
        "acme",
        "--format",
        "json",
        "--database-url",
        database,
    )
    rows = json.loads(result.stdout)["rows"]
    p1 = [r for r in rows if r.get("objective") == "gold/resolution-1"]
    assert sum(r["met"] for r in p1) == 1
    assert sum(r["breached"] for r in p1) == 1


def test_availability_as_csv(database):
    result = invoke(
        "report",
        "availability",
        "--period",
        "2026-03",
        "--customer",
        "acme",
        "--service",
        "network",
        "--format",
        "csv",
        "--database-url",
        database,
    )
    assert "network,acme,Europe/Berlin,gold-network/availability-1,99.99%,99.882%" in result.stdout


def test_credits_table_shows_the_totals(database):
    result = invoke(
        "report", "credits", "--period", "2026-03", "--customer", "acme", "--database-url", database
    )
    assert "net EUR 4,100.00" in result.stdout


def test_a_bad_period_is_a_usage_error(database):
    result = runner.invoke(
        app, ["report", "compliance", "--period", "2026-13", "--database-url", database]
    )
    assert result.exit_code == 2
    assert "month 13 does not exist" in result.output


def test_the_customer_report_is_written_as_pdf(database, tmp_path: Path):
    output = tmp_path / "report.pdf"
    invoke(
        "report",
        "customer",
        "--customer",
        "acme",
        "--period",
        "2026-03",
        "--output",
        str(output),
        "--database-url",
        database,
    )
    assert output.read_bytes().startswith(b"%PDF")


def test_definitions_render_writes_the_contract_as_html(tmp_path: Path):
    _register()
    output = tmp_path / "gold.html"
    invoke(
        "definitions",
        "render",
        "gold",
        "--definitions",
        str(reports_scenario.EXAMPLE),
        "--format",
        "html",
        "--output",
        str(output),
    )
    assert "Gold tier" in output.read_text(encoding="utf-8")


def test_a_piped_table_keeps_every_row_on_one_line(database):
    """Output that is not a terminal gets room for every column: no folded figures."""
    result = invoke("report", "compliance", "--period", "2026-03", "--database-url", database)
    header = next(line for line in result.output.splitlines() if "objective" in line)
    for column in ("metric", "customer", "target", "goal", "attainment", "status"):
        assert column in header
    rows = [line for line in result.output.splitlines() if "%" in line and "│" in line]
    assert rows
    assert all(line.count("%") >= 2 for line in rows)  # goal and attainment on the same line
