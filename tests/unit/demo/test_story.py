"""The demo's story: the layout it writes under DIR, history files that are importable as they are,
and the import month by month with sweeps, here into the in-memory storage."""

from __future__ import annotations

import csv
from pathlib import Path

from servanda.adapters.importers.outages import CSV_COLUMNS, read_outages
from servanda.adapters.importers.records import collect
from servanda.demo.history import generate_demo_outages, generate_tickets
from servanda.demo.story import Layout, Recorded, import_history
from servanda.services.ports import TransitionKind
from servanda.specs.events import parse_event_line
from tests.unit.demo.conftest import SEED, DemoRun


def test_the_layout_keeps_everything_under_its_root(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    assert layout.events_file == tmp_path / "history" / "events.jsonl"
    assert layout.outages_file == tmp_path / "history" / "outages.csv"
    assert layout.database_url == f"sqlite:///{tmp_path / 'servanda.sqlite'}"
    assert (layout.definitions, layout.reports) == (tmp_path / "definitions", tmp_path / "reports")


def test_a_reset_removes_an_earlier_runs_output_and_nothing_else(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    layout.reset()
    (layout.reports / "old.csv").write_text("x", encoding="utf-8")
    layout.events_file.write_text("x", encoding="utf-8")
    for suffix in ("", "-wal", "-journal"):
        Path(f"{layout.database}{suffix}").write_text("x", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    layout.definitions.mkdir()
    layout.reset()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "definitions",
        "history",
        "notes.txt",
        "reports",
    ]
    assert list(layout.history.iterdir()) == list(layout.reports.iterdir()) == []


def test_the_events_file_holds_the_generated_events_one_json_line_each(demo_run: DemoRun) -> None:
    lines = demo_run.layout.events_file.read_bytes().splitlines()
    expected = generate_tickets(demo_run.definitions, demo_run.customers, demo_run.period, SEED)
    assert [parse_event_line(line) for line in lines] == expected
    history = demo_run.history
    assert history.event_count == len(expected) == len(lines)
    assert history.tickets == len({event.ticket for event in expected})
    assert history.event_bytes == demo_run.layout.events_file.stat().st_size


def test_the_outages_file_reads_back_as_the_generated_outages(demo_run: DemoRun) -> None:
    path = demo_run.layout.outages_file
    with path.open(encoding="utf-8") as file:
        header = next(csv.reader(file))
    assert tuple(header) == CSV_COLUMNS
    collected = collect(read_outages(path))
    assert collected.rejections == []
    generated = generate_demo_outages(
        demo_run.definitions, demo_run.customers, demo_run.period, SEED
    )
    assert collected.values == generated
    planned = sum(1 for outage in generated if outage.planned)
    assert (demo_run.history.outages, demo_run.history.maintenance) == (
        len(generated) - planned,
        planned,
    )


def test_importing_records_every_event_and_outage_and_the_transitions_stored(
    demo_run: DemoRun,
) -> None:
    recorded = demo_run.recorded
    assert recorded.events == demo_run.history.event_count
    assert recorded.outages == demo_run.history.outages + demo_run.history.maintenance
    with demo_run.reports.uow_factory() as uow:
        assert uow.events.count() == recorded.events
        kinds = [
            t.kind
            for ticket in uow.events.for_tickets([f"INC-{n:05d}" for n in range(1, 400)])
            for t in uow.transitions.for_ticket(ticket)
        ]
    assert recorded.breaches == kinds.count(TransitionKind.BREACHED) > 0
    assert recorded.warnings == kinds.count(TransitionKind.WARNING) > 0


def test_importing_the_same_files_again_records_nothing_new(demo_run: DemoRun) -> None:
    again = import_history(demo_run.reports, demo_run.layout, demo_run.history, demo_run.period,
                           lambda _lines, _bytes: None)  # type: ignore[arg-type]  # fmt: skip
    assert (again.events, again.outages, again.breaches, again.warnings) == (0, 0, 0, 0)


def test_recorded_counts_warnings_and_breaches_but_not_met_clocks() -> None:
    recorded = Recorded()
    recorded.count([TransitionKind.WARNING, TransitionKind.MET, TransitionKind.BREACHED,
                    TransitionKind.WARNING])  # fmt: skip
    assert (recorded.warnings, recorded.breaches) == (2, 1)
