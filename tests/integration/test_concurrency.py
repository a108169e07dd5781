"""PostgreSQL with several processes: concurrent imports and sweeps end as one serial run would."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.database_state import database_state
from tests.integration.processes import apply_example, servanda, start, write_events
from tests.streams import event_stream

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
NOW = "2026-07-15T00:00:00+00:00"


def test_eight_overlapping_concurrent_imports_end_as_one_serial_import(
    fresh_postgres: Callable[[], str], tmp_path: Path
) -> None:
    events = list(event_stream(250, seed=11))
    rng = random.Random(5)
    files = []
    for number in range(8):
        chosen = [event for event in events if rng.random() < 0.45]
        rng.shuffle(chosen)
        files.append(write_events(tmp_path / f"part{number}.jsonl", chosen))
    whole = write_events(tmp_path / "whole.jsonl", events)

    concurrent, serial = fresh_postgres(), fresh_postgres()
    apply_example(tmp_path, concurrent)
    apply_example(tmp_path, serial)
    processes = [
        start(
            ["events", "import", str(path), "--now", NOW, "--database-url", concurrent],
            tmp_path / f"import-{number}.txt",
            SERVANDA_IMPORT_BATCH_SIZE=str(rng.choice([37, 60, 101])),
        )
        for number, path in enumerate(files)
    ]
    for process in processes:
        process.finish()
    servanda(tmp_path, "events", "import", str(whole), "--now", NOW, "--database-url", concurrent)
    servanda(tmp_path, "events", "import", str(whole), "--now", NOW, "--database-url", serial)

    together, alone = database_state(concurrent), database_state(serial)
    assert len(together["events"]) == len(events)
    assert len(together["measurements"]) > 0
    assert len(together["transitions"]) > 0
    assert together == alone


def test_four_workers_sweeping_the_same_clocks_record_each_transition_once(
    fresh_postgres: Callable[[], str], tmp_path: Path
) -> None:
    created = [event for event in event_stream(600, seed=3) if event.type.value == "created"]
    opened = write_events(tmp_path / "created.jsonl", created)
    shared, serial = fresh_postgres(), fresh_postgres()
    for url in (shared, serial):
        apply_example(tmp_path, url)
        servanda(
            tmp_path,
            "events",
            "import",
            str(opened),
            "--now",
            "2026-05-30T00:00:00+00:00",
            "--database-url",
            url,
        )

    before = len(database_state(shared)["transitions"])
    later = "2026-06-20T00:00:00+00:00"
    workers = [
        start(
            ["sweep", "--now", later, "--database-url", shared],
            tmp_path / f"sweep-{number}.txt",
            SERVANDA_SWEEP_BATCH_SIZE="5",
        )
        for number in range(4)
    ]
    reported = [worker.finish() for worker in workers]
    servanda(tmp_path, "sweep", "--now", later, "--database-url", serial)

    recorded = sum(
        int(re.search(r"recorded ([\d,]+) transition", out).group(1).replace(",", ""))
        for out in reported
    )
    swept = [
        int(re.search(r"swept ([\d,]+) ticket", out).group(1).replace(",", "")) for out in reported
    ]
    state = database_state(shared)
    assert recorded == len(state["transitions"]) - before > 0
    assert sum(1 for count in swept if count > 0) >= 2, (
        f"the workers did not share the work: {swept}"
    )
    assert state == database_state(serial)
