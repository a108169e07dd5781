"""History that never moves by itself, end to end through the command line, on SQLite and
PostgreSQL: import three months, close January, apply a revision effective in February with
``--remeasure``, send a late January event. January's reports are byte-identical, February's
changed exactly as the preview said, and the adjustment for January appears in March.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from servanda.bootstrap import connect, load_settings
from servanda.entrypoints.cli import _register, app
from servanda.services.credit_reports import credits_report
from servanda.services.generation import generate_events
from servanda.services.reports import ReportSources
from servanda.specs.events import event_to_line
from servanda.specs.loader import load_definitions

_register()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "multi-level"
NOW = "2026-04-01T00:00:00+00:00"


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _january(url: str, folder: Path) -> dict[str, str]:
    """ACME's January reports in every format, and its customer report."""
    found = {}
    for kind in ("compliance", "availability", "credits"):
        for fmt in ("json", "csv", "html"):
            out = folder / f"{kind}.{fmt}"
            run("report", kind, "--period", "2026-01", "--customer", "acme", "-f", fmt,
                "-o", str(out), "--database-url", url)  # fmt: skip
            found[out.name] = out.read_text(encoding="utf-8")
    page = folder / "acme.html"
    run("report", "customer", "--customer", "acme", "--period", "2026-01", "-o", str(page),
        "--database-url", url)  # fmt: skip
    found[page.name] = page.read_text(encoding="utf-8")
    return found


def _statement(url: str, period: str) -> list[dict[str, object]]:
    text = run("report", "credits", "--period", period, "--customer", "acme", "-f", "json",
               "--database-url", url)  # fmt: skip
    rows: list[dict[str, object]] = json.loads(text)["rows"]
    return rows


def _net(rows: list[dict[str, object]]) -> Decimal:
    (total,) = [r for r in rows if r["kind"] == "total" and r["currency"] == "EUR"]
    return Decimal(str(total["net"]))


def test_a_closed_january_stays_a_remeasured_february_matches_its_preview_and_march_adjusts(
    database_url: str, tmp_path: Path
) -> None:
    url = database_url
    definitions = load_definitions(EXAMPLE)
    history = tmp_path / "events.jsonl"
    stream = generate_events(definitions, 800, seed=3, start=date(2026, 1, 5), tickets_per_day=10)
    history.write_bytes(b"".join(event_to_line(e) for e in stream))
    draft = tmp_path / "draft"
    shutil.copytree(EXAMPLE, draft)
    groups = draft / "agreements" / "groups.yaml"
    groups.write_text(
        groups.read_text(encoding="utf-8").replace(
            "when: {priority: P1}, target: 4h", "when: {priority: P1}, target: 24h"
        ),
        encoding="utf-8",
    )

    run("definitions", "apply", str(EXAMPLE), "--effective-from", "2026-01-01",
        "--database-url", url)  # fmt: skip
    run("events", "import", str(history), "--now", NOW, "--database-url", url)
    run("periods", "close", "2026-01", "--customer", "acme", "--now", "2026-03-02T09:00:00+01:00",
        "--author", "alice", "--reason", "January invoiced", "--database-url", url)  # fmt: skip
    (tmp_path / "closed").mkdir()
    january = _january(url, tmp_path / "closed")
    assert "alice" in january["credits.json"]

    preview = json.loads(
        run(
            "definitions",
            "apply",
            str(draft),
            "--effective-from",
            "2026-02-01",
            "--preview",
            "--format",
            "json",
            "--database-url",
            url,
        )
    )
    (february,) = [
        r for r in preview["rows"] if (r["customer"], r["period"]) == ("acme", "2026-02")
    ]
    assert february["net_credits_before"] != february["net_credits_after"]
    run("definitions", "apply", str(draft), "--effective-from", "2026-02-01", "--remeasure",
        "--author", "alice", "--database-url", url)  # fmt: skip
    assert [{"currency": "EUR", "amount": str(_net(_statement(url, "2026-02")))}] == february[
        "net_credits_after"
    ]

    stated = _net(_statement(url, "2026-01"))
    late = tmp_path / "late.jsonl"
    lines = []
    for n in range(20):  # twenty P1 tickets of January resolved within the hour
        day = f"2026-01-{10 + n:02d}"
        lines.append({"id": f"late-{n}-c", "ticket": f"LATE-{n}", "type": "created",
                      "at": f"{day}T09:00:00+01:00", "customer": "acme", "service": "email",
                      "priority": "P1"})  # fmt: skip
        lines.append({"id": f"late-{n}-r", "ticket": f"LATE-{n}", "type": "resolved",
                      "at": f"{day}T10:00:00+01:00"})  # fmt: skip
    late.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    run("events", "import", str(late), "--now", "2026-03-15T00:00:00+01:00", "--database-url", url)

    (tmp_path / "later").mkdir()
    assert _january(url, tmp_path / "later") == january
    storage = connect(load_settings(database_url=url))
    try:
        closed = storage.reports
        live = ReportSources(closed.uow_factory, closed.read_model)
        statement = credits_report(live, "2026-01", customer="acme").statements[0]
        owed = statement.own_net("EUR").amount - stated
    finally:
        storage.dispose()
    assert owed != 0  # gold resolution from 1 of 3 met to 21 of 23: a lower credit band
    march = _statement(url, "2026-03")
    adjustments = [
        (r["adjusts"], Decimal(str(r["amount"]))) for r in march if r.get("kind") == "adjustment"
    ]
    assert adjustments == [("2026-01", owed)]
    assert not [r for r in _statement(url, "2026-02") if r.get("kind") == "adjustment"]
