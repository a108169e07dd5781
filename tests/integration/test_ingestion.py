"""Ingestion on SQLite and PostgreSQL: same results as the in-memory adapter, idempotent re-runs, the CLI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from servanda.bootstrap import Storage, connect, load_settings, memory_storage
from servanda.domain.events import TicketEvent
from servanda.entrypoints.cli import _register, app
from servanda.services.ingestion import record_events
from servanda.services.ports import UnitOfWorkFactory
from servanda.services.sweeping import sweep_due_clocks
from servanda.specs.events import event_to_line
from tests.streams import HOUR, START, apply_small_definitions, event_stream

LATER = START + 40 * 24 * HOUR
EXAMPLE = Path(__file__).parents[2] / "examples" / "multi-level"
_register()


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    opened = connect(load_settings(database_url=database_url))
    apply_small_definitions(opened.uow_factory)
    yield opened
    opened.dispose()


def _imported_in_memory(events: list[TicketEvent]) -> UnitOfWorkFactory:
    """In-memory storage holding ``events``, imported in one batch: the reference."""
    memory_factory, memory_evaluator = memory_storage()
    apply_small_definitions(memory_factory)
    record_events(memory_factory, memory_evaluator, events, LATER)
    return memory_factory


def _measurements(uow_factory, tickets) -> dict[str, list[object]]:
    with uow_factory() as uow:
        return {t: [s.measurement for s in uow.measurements.for_ticket(t)] for t in sorted(tickets)}


def test_a_database_import_stores_what_the_in_memory_one_does(storage: Storage) -> None:
    events = list(event_stream(150))
    for start in range(0, len(events), 200):
        record_events(storage.uow_factory, storage.evaluator, events[start : start + 200], LATER)
    memory_factory = _imported_in_memory(events)
    tickets = {e.ticket for e in events}
    assert _measurements(storage.uow_factory, tickets) == _measurements(memory_factory, tickets)
    with storage.uow_factory() as uow, memory_factory() as memory:
        assert uow.transitions.count() == memory.transitions.count() > 0


def test_re_importing_stores_nothing_new(storage: Storage) -> None:
    events = list(event_stream(40))
    first = record_events(storage.uow_factory, storage.evaluator, events, LATER)
    again = record_events(storage.uow_factory, storage.evaluator, events, LATER)
    assert (first.new, again.new, again.duplicates, len(again.transitions)) == (
        len(events),
        0,
        len(events),
        0,
    )


def test_a_sweep_records_breaches_that_came_due_after_the_import(storage: Storage) -> None:
    events = [e for e in event_stream(30) if e.type.value == "created"]
    record_events(storage.uow_factory, storage.evaluator, events, START + 30 * 97)
    swept = sweep_due_clocks(storage.uow_factory, storage.evaluator, LATER, batch_size=7)
    assert swept.tickets == 30
    assert sum(t.kind.value == "breached" for t in swept.transitions) == 60
    assert sweep_due_clocks(storage.uow_factory, storage.evaluator, LATER).transitions == ()


def _write_jsonl(path: Path, tickets: int) -> int:
    lines = [event_to_line(e) for e in event_stream(tickets)]
    path.write_bytes(b"".join(lines[:5]) + b'{"id": "broken"}\n' + b"".join(lines[5:]))
    return len(lines)


def test_the_import_command_reports_rejects_and_is_safe_to_re_run(
    database_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    events_file = tmp_path / "events.jsonl"
    count = _write_jsonl(events_file, 25)
    base = ["--database-url", database_url]
    applied = runner.invoke(
        app, ["definitions", "apply", str(EXAMPLE), "--effective-from", "2020-01-01", *base]
    )
    assert applied.exit_code == 0, applied.output
    rejects = tmp_path / "rejects.jsonl"
    first = runner.invoke(
        app,
        [
            "events",
            "import",
            str(events_file),
            "--reject-file",
            str(rejects),
            "--now",
            "2026-07-01T00:00:00Z",
            *base,
        ],
    )
    assert f"events new: {count}, duplicate: 0, rejected: 1" in first.output
    assert f"{events_file}:6:" in first.output
    assert rejects.read_text() == '{"id": "broken"}\n'
    again = runner.invoke(
        app, ["events", "import", str(events_file), "--now", "2026-07-01T00:00:00Z", *base]
    )
    assert f"events new: 0, duplicate: {count}, rejected: 1" in again.output
    assert "tickets touched: 0" in again.output


def test_a_strict_import_of_a_file_with_a_bad_record_stores_nothing(
    database_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    events_file = tmp_path / "events.jsonl"
    _write_jsonl(events_file, 5)
    base = ["--database-url", database_url]
    runner.invoke(app, ["definitions", "apply", str(EXAMPLE), *base])
    result = runner.invoke(app, ["events", "import", str(events_file), "--strict", *base])
    assert result.exit_code != 0
    with_storage = connect(load_settings(database_url=database_url))
    with with_storage.uow_factory() as uow:
        assert uow.events.count() == 0
    with_storage.dispose()


def test_definitions_history_and_diff_show_revisions(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--database-url", database_url]
    changed = tmp_path / "defs"
    changed.mkdir()
    for source in EXAMPLE.rglob("*.yaml"):
        target = changed / source.relative_to(EXAMPLE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            source.read_text().replace("target: 8h, calendar: 24x7", "target: 6h, calendar: 24x7")
        )
    assert (
        "stored revision 1"
        in runner.invoke(app, ["definitions", "apply", str(EXAMPLE), *base]).output
    )
    assert "unchanged" in runner.invoke(app, ["definitions", "apply", str(EXAMPLE), *base]).output
    second = runner.invoke(
        app, ["definitions", "apply", str(changed), "--comment", "faster P1", *base]
    )
    assert "stored revision 2" in second.output
    history = runner.invoke(app, ["definitions", "history", *base])
    assert "faster P1" in history.output
    diff = runner.invoke(app, ["definitions", "diff", "1", "2", *base])
    assert "target_seconds: 8h -> 6h" in diff.output


def test_the_sweep_and_worker_commands_record_due_breaches_once(
    database_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["--database-url", database_url]
    created = tmp_path / "created.jsonl"
    created.write_bytes(
        b"".join(event_to_line(e) for e in event_stream(12) if e.type.value == "created")
    )
    runner.invoke(
        app, ["definitions", "apply", str(EXAMPLE), "--effective-from", "2020-01-01", *base]
    )
    imported = runner.invoke(
        app,
        ["events", "import", str(created), "--now", "2026-05-29T00:00:00Z", "--jobs", "1", *base],
    )
    assert imported.exit_code == 0, imported.output
    swept = runner.invoke(app, ["sweep", "--now", "2026-07-01T00:00:00Z", *base])
    assert re.fullmatch(
        r"swept [1-9]\d* ticket\(s\); recorded [1-9]\d* transition\(s\)\n", swept.output
    )
    again = runner.invoke(app, ["worker", "--once", *base])
    assert again.exit_code == 0, again.output
    assert "recorded" not in again.output  # nothing new was due after the sweep


def test_two_processes_taking_turns_on_tickets_store_what_one_import_does(
    storage: Storage, database_url: str
) -> None:
    """Each process remembers the histories it folded; once the other has added events to a
    ticket the remembered history is one event short and is read back instead."""
    other = connect(load_settings(database_url=database_url))  # its own evaluator and cache
    events = sorted(event_stream(60), key=lambda e: e.at)
    for turn, start in enumerate(range(0, len(events), 25)):
        process = storage if turn % 2 == 0 else other
        record_events(process.uow_factory, process.evaluator, events[start : start + 25], LATER)
    other.dispose()
    memory_factory = _imported_in_memory(events)
    tickets = {e.ticket for e in events}
    assert _measurements(storage.uow_factory, tickets) == _measurements(memory_factory, tickets)
    for process in (storage, other):
        assert process.evaluator.histories.hits > 0
        assert process.evaluator.histories.misses > 0


def test_a_ticket_view_reads_what_the_separate_reads_do(storage: Storage) -> None:
    """``tickets.view`` (one pipelined exchange on PostgreSQL) against the per-table reads."""
    events = list(event_stream(20))
    record_events(storage.uow_factory, storage.evaluator, events, LATER)
    ticket = events[0].ticket
    with storage.uow_factory() as uow:
        found = uow.tickets.view(ticket)
        assert uow.tickets.view("no-such-ticket") is None
        assert found is not None
        assert found.state == uow.tickets.get(ticket)
        assert found.measurements == uow.measurements.for_ticket(ticket)
        assert sorted(found.events, key=lambda e: e.order_key) == sorted(
            uow.events.for_tickets([ticket])[ticket], key=lambda e: e.order_key
        )
        assert found.transitions == uow.transitions.for_ticket(ticket)
        assert found.measurements
        assert found.transitions
