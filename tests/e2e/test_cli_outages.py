"""``servanda outages import``: files in, outages stored once, bad lines reported by line."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from typer.testing import CliRunner

from servanda.domain.availability import Impact

JSONL = (
    '{"id": "INC-1", "service": "email", "start": "2026-03-04T09:00:00Z", "end": "2026-03-04T10:00:00Z"}\n'
    '{"id": "INC-2", "service": "email", "start": "2026-03-04T09:30:00Z", "end": "2026-03-04T11:00:00Z",'
    ' "impact": "partial", "weight": "50%", "customers": ["acme"]}\n'
    '{"id": "INC-3", "service": "email", "start": "2026-03-04T09:30:00Z"}\n'
)
CSV = (
    "id,service,start,end,planned,description\n"
    "CHG-1,email,2026-03-07T22:00:00,2026-03-08T00:00:00,true,patching\n"
)


def at(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())


def run(*arguments: str):
    from servanda.entrypoints.cli import _register, app

    _register()
    return CliRunner().invoke(app, list(arguments))


def stored(url: str):
    from servanda.bootstrap import connect, load_settings

    storage = connect(load_settings(database_url=url))
    try:
        with storage.uow_factory() as uow:
            return uow.outages.overlapping("email", at(2026, 3, 1), at(2026, 4, 1))
    finally:
        storage.dispose()


def test_outage_files_are_stored_once_and_bad_lines_are_named(tmp_path, database_url):
    jsonl = tmp_path / "outages.jsonl"
    jsonl.write_text(JSONL, encoding="utf-8")
    csv = tmp_path / "maintenance.csv"
    csv.write_text(CSV, encoding="utf-8")
    arguments = ("outages", "import", str(jsonl), str(csv), "--timezone", "UTC")

    first = run(*arguments, "--database-url", database_url)
    assert first.exit_code == 0, first.output
    assert f"{jsonl}:3: missing end" in first.stderr
    assert "4 records read: 3 new, 0 duplicate, 0 conflicting, 1 rejected" in first.stdout
    again = run(*arguments, "--database-url", database_url)
    assert "4 records read: 0 new, 3 duplicate, 0 conflicting, 1 rejected" in again.stdout

    outages = {o.id: o for o in stored(database_url)}
    assert sorted(outages) == ["CHG-1", "INC-1", "INC-2"]
    assert outages["INC-2"].impact is Impact.PARTIAL
    assert outages["INC-2"].weight == Decimal("0.5")
    assert outages["INC-2"].customers == ("acme",)
    assert outages["CHG-1"].planned
    assert outages["CHG-1"].start == at(2026, 3, 7, 22)


def test_strict_stores_nothing_when_a_line_is_bad(tmp_path, database_url):
    jsonl = tmp_path / "outages.jsonl"
    jsonl.write_text(JSONL, encoding="utf-8")
    result = run("outages", "import", str(jsonl), "--strict", "--database-url", database_url)
    assert result.exit_code == 1
    assert stored(database_url) == []


def test_a_naive_timestamp_without_timezone_is_rejected_with_its_line(tmp_path, database_url):
    csv = tmp_path / "maintenance.csv"
    csv.write_text(CSV, encoding="utf-8")
    result = run("outages", "import", str(csv), "--database-url", database_url)
    assert result.exit_code == 0, result.output
    assert f"{csv}:2: timestamp '2026-03-07T22:00:00' has no UTC offset" in result.stderr
    assert stored(database_url) == []
