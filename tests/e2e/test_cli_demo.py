"""``servanda demo`` explains, for a dozen sample tickets, which promise applies and why."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from servanda.demo import SAMPLE_TICKETS, definitions_path
from servanda.specs.loader import load_definitions


def run_demo(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "servanda",
            "demo",
            "--dir",
            str(tmp_path / "demo"),
            "--months",
            "1",
            "--customers",
            "1",
            "--no-pdf",
        ],
        capture_output=True,
        text=True,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"},
        check=False,
    )


def ticket_block(output: str, ticket: str) -> str:
    start = output.index(ticket)
    following = re.search(r"\nT-\d{3} ", output[start + 1 :])
    return output[start : start + 1 + following.start()] if following else output[start:]


def test_the_demo_writes_valid_definitions_and_explains_every_sample_ticket(tmp_path):
    result = run_demo(tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "demo" / "definitions"
    assert load_definitions(written) == load_definitions(definitions_path())
    for ticket in SAMPLE_TICKETS:
        assert ticket.id in result.stdout
    assert "Northwind Managed Services" in result.stdout


def test_the_demo_shows_the_most_specific_layer_winning_with_what_it_overrode(tmp_path):
    output = run_demo(tmp_path).stdout
    phoned = ticket_block(output, "T-104")
    assert re.search(
        r"first_response\s+15m\s+99%\s+24x7\s+globex-email \(customer\+service\)", phoned
    )
    portal = ticket_block(output, "T-105")  # the 15m promise is for phone calls only
    assert re.search(r"first_response\s+30m\s+98%\s+24x7\s+gold \(group\)", portal)
    night_change = ticket_block(output, "T-106")
    assert re.search(
        r"resolution\s+6h\s+90%\s+new-york-night-desk\s+globex-network-changes", night_change
    )
    untiered = ticket_block(output, "T-112")
    assert re.search(
        r"resolution\s+40h\s+85%\s+berlin-office\s+corporate-standard \(corporate\)", untiered
    )


def test_the_demo_matches_what_definitions_explain_says(tmp_path):
    output = run_demo(tmp_path).stdout
    explained = subprocess.run(
        [
            sys.executable,
            "-m",
            "servanda",
            "definitions",
            "explain",
            str(definitions_path()),
            "--customer",
            "globex",
            "--service",
            "email",
            "--priority",
            "P1",
            "--field",
            "channel=phone",
            "--at",
            "2026-03-16",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = {row["metric"]: row for row in json.loads(explained.stdout)}
    phoned = ticket_block(output, "T-104")
    for metric, row in rows.items():
        assert re.search(rf"{metric}\s+{re.escape(row['target'])}\s", phoned), metric
        assert row["agreement"] in phoned
