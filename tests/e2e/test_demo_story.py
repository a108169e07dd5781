"""``servanda demo`` end to end, reduced (one month, two customers): the summary, the files, and
every figure of the summary recomputed by ``servanda report`` from the demo's own database."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from servanda.domain.display import percent

PERIOD = "2026-03"
CUSTOMERS = ("acme", "globex")
ROW = re.compile(r"\s(\d+)\s+(\d+)\s+([\d.]+%|-)\s+(met|MISSED|no items)\s")
STATUS = {"pass": "met", "fail": "MISSED", "no_items": "no items"}
ENV = {"COLUMNS": "200", "PATH": "/usr/bin:/bin"}


def servanda(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "servanda", *args],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )


def run_demo(directory: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    result = servanda(
        "demo", "--dir", str(directory), "--months", "1", "--customers", "2", "--seed", "7", *extra
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    directory = tmp_path_factory.mktemp("demo")
    return directory, run_demo(directory).stdout


@pytest.fixture(scope="module")
def summary(demo: tuple[Path, str]) -> dict[str, dict[str, object]]:
    document = json.loads((demo[0] / "reports" / "summary.json").read_text())
    assert document["period"] == PERIOD
    return {entry["customer"]: entry for entry in document["customers"]}


def table_of(output: str, name: str, customer: str) -> str:
    """The summary table of one customer: from its title to its caption."""
    start = output.index(f"{name} ({customer}")
    return output[start : output.index(" breaches; ", start) + 200]


def report(directory: Path, kind: str, customer: str) -> list[dict[str, object]]:
    result = servanda(
        "report",
        kind,
        "--period",
        PERIOD,
        "--customer",
        customer,
        "--format",
        "json",
        "--database-url",
        f"sqlite:///{directory / 'servanda.sqlite'}",
    )
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, object]] = json.loads(result.stdout)["rows"]
    return rows


def test_the_summary_shows_every_customer_objective_with_its_figures(demo, summary):
    _, output = demo
    assert set(summary) == set(CUSTOMERS)
    assert "ACME GmbH" in output
    assert "Globex Corporation" in output
    assert "initech" not in output.split("4  March 2026")[1].split("5  Files")[0]
    for customer in summary.values():
        assert customer["objectives"], customer["customer"]
        section = table_of(output, str(customer["name"]), str(customer["customer"]))
        shown = sorted(re.findall(ROW, section))
        expected = sorted(
            (
                str(o["met"]),
                str(o["breached"]),
                percent(Decimal(o["attainment"])) if o["attainment"] is not None else "-",
                STATUS[o["status"]],
            )
            for o in customer["objectives"]
            if "attainment" in o
        )
        assert shown == expected
        for a in customer["availability"]:
            assert re.search(rf"availability {a['service']}\s", section)
            assert percent(Decimal(a["availability"]), 3) in section
        for rated in (o for o in customer["objectives"] if o["metric"] == "satisfaction"):
            mean = Decimal(rated["mean"]).quantize(Decimal("0.01"))
            shown_mean = f"{mean:f}".rstrip("0").rstrip(".")
            assert re.search(rf"\s{rated['ratings']}\s+{re.escape(shown_mean)}\s", section)
        assert f"{customer['breaches']} breaches; " in section
        for credit in customer["credits"]:
            net = Decimal(str(credit["net"]))
            assert f"net owed {credit['currency']} {net:,.2f}" in section


def test_every_compliance_figure_equals_servanda_report_compliance(demo, summary):
    directory, _ = demo
    for name, customer in summary.items():
        counts: dict[str, list[int]] = {}
        for row in report(directory, "compliance", name):
            if row["metric"] == "satisfaction":
                continue
            figures = counts.setdefault(str(row["objective"]), [0, 0])
            figures[0] += int(row["met"])  # type: ignore[call-overload]
            figures[1] += int(row["breached"])  # type: ignore[call-overload]
        summarised = {o["objective"] for o in customer["objectives"]}
        assert {key for key, (met, breached) in counts.items() if met + breached} <= summarised
        for objective in (o for o in customer["objectives"] if "attainment" in o):
            met, breached = counts.get(objective["objective"], [0, 0])
            assert (objective["met"], objective["breached"]) == (met, breached), objective
            expected = Decimal(met) / Decimal(met + breached) if met + breached else None
            given = objective["attainment"]
            assert (Decimal(given) if given is not None else None) == expected


def test_every_availability_figure_equals_servanda_report_availability(demo, summary):
    directory, _ = demo
    for name, customer in summary.items():
        rows = {row["service"]: row for row in report(directory, "availability", name)}
        assert customer["availability"]
        for figure in customer["availability"]:
            row = rows[figure["service"]]
            assert row["objective"] == figure["objective"]
            assert row["availability"] == figure["availability"]
            assert row["downtime_seconds"] == figure["downtime_seconds"]


def test_every_credit_figure_equals_servanda_report_credits(demo, summary):
    directory, _ = demo
    for name, customer in summary.items():
        totals = {
            row["currency"]: row
            for row in report(directory, "credits", name)
            if row["kind"] == "total"
        }
        assert customer["credits"]
        for figure in customer["credits"]:
            total = totals[figure["currency"]]
            assert (total["credits"], total["bonuses"], total["net"]) == (
                figure["credits"],
                figure["bonuses"],
                figure["net"],
            )


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_each_customer_gets_a_pdf_and_html_report_that_agrees_with_the_summary(demo, summary):
    directory, _ = demo
    folder = directory / "reports" / "customers"
    for name, customer in summary.items():
        assert (folder / f"{name}-{PERIOD}.html").stat().st_size > 0
        text = pdf_text(folder / f"{name}-{PERIOD}.pdf")
        assert customer["name"] in text
        assert "March 2026" in text
        breaches = re.search(r"(\d+)\s*BREACHED ITEMS", text)
        assert breaches is not None
        listed = [o for o in customer["objectives"] if o["in_customer_report"]]
        assert int(breaches.group(1)) == sum(o.get("breached", 0) for o in listed)
        for credit in customer["credits"]:
            net = Decimal(str(credit["net"]))
            assert f"{credit['currency']} {net:,.2f}" in text


def test_each_pdf_cover_counts_the_objectives_its_customers_summary_table_shows(demo, summary):
    directory, output = demo
    for name, customer in summary.items():
        section = table_of(output, str(customer["name"]), name)
        statuses = re.findall(r"\s(met|MISSED)\s*$", section, re.MULTILINE)
        met, judged = statuses.count("met"), len(statuses)
        text = pdf_text(directory / "reports" / "customers" / f"{name}-{PERIOD}.pdf")
        cover = re.search(r"(\d+) / (\d+)\s*OBJECTIVES MET", text, re.IGNORECASE)
        assert cover is not None
        assert (int(cover.group(1)), int(cover.group(2))) == (met, judged), name
        assert f"{met} / {judged} objectives met; " in section
        assert (customer["objectives_met"], customer["objectives_judged"]) == (met, judged)


def test_the_credit_statement_contract_documents_and_tables_are_written(demo):
    directory, _ = demo
    reports = directory / "reports"
    statement = pdf_text(reports / f"credits-{PERIOD}.pdf")
    assert "Service credits March 2026" in statement
    for customer in CUSTOMERS:
        assert customer in statement
    for name in ("compliance", "availability", "credits"):
        assert (reports / f"{name}-{PERIOD}.csv").read_text().count("\n") > 1
        assert json.loads((reports / f"{name}-{PERIOD}.json").read_text())["rows"]
    contracts = {path.stem for path in (reports / "agreements").glob("*.md")}
    assert {"corporate-standard", "gold", "globex-tailored", "gold-network"} <= contracts
    assert "silver" not in contracts  # no silver customer among the first two
    assert "Globex" in (reports / "agreements" / "globex-tailored.html").read_text()


def machine_readable(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for pattern in ("reports/**/*.csv", "reports/**/*.json", "history/*")
        for path in sorted(directory.glob(pattern))
    }


def test_the_same_seed_gives_byte_identical_csv_and_json(demo, tmp_path):
    directory, _ = demo
    run_demo(tmp_path / "again", "--no-pdf")
    first, second = machine_readable(directory), machine_readable(tmp_path / "again")
    assert {"reports/summary.json", "history/outages.csv", "history/events.jsonl"} <= set(first)
    assert len(first) == 9  # + compliance, availability and credits as CSV and JSON
    assert first == second


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_prints_one_token_per_role_that_the_api_accepts(tmp_path):
    port = free_port()
    command = [
        *("-m", "servanda", "demo", "--dir", str(tmp_path / "served"), "--months", "1"),
        *("--customers", "2", "--no-pdf", "--serve", "--port", str(port)),
    ]
    process = subprocess.Popen(
        [sys.executable, *command], stdout=subprocess.PIPE, text=True, env={**ENV, **os.environ}
    )
    try:
        assert process.stdout is not None
        tokens: dict[str, str] = {}
        for line in process.stdout:
            found = re.match(
                r"\s+(admin|integration|viewer|customer) (?:\((\w+)\))?\s*(svd_\S+)", line
            )
            if found:
                tokens[found.group(1)] = found.group(3)
            if len(tokens) == 4:
                break
        assert set(tokens) == {"admin", "integration", "viewer", "customer"}
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the API did not come up"
                time.sleep(0.3)
        for role, token in tokens.items():
            answer = httpx.get(
                f"{base}/api/v1/clocks", headers={"Authorization": f"Bearer {token}"}
            )
            assert answer.status_code == 200, (role, answer.text)
            assert answer.json()["items"], role
            if role == "customer":
                assert {item["customer"] for item in answer.json()["items"]} == {"acme"}
        assert httpx.get(f"{base}/api/v1/clocks").status_code == 401
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
