"""Crash safety: an import killed with SIGKILL halfway, then re-run, ends as an uninterrupted one."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from servanda.adapters.sqlalchemy.engine import make_engine
from servanda.adapters.sqlalchemy.tables import events
from tests.integration.database_state import database_state
from tests.integration.processes import apply_example, servanda, start, write_events
from tests.streams import event_stream

NOW = "2026-07-15T00:00:00+00:00"


def _stored_events(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(events)).scalar_one())
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_databases(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'killed.sqlite'}", f"sqlite:///{tmp_path / 'whole.sqlite'}"
    fresh: Callable[[], str] = request.getfixturevalue("fresh_postgres")
    return fresh(), fresh()


@pytest.mark.slow
def test_an_import_killed_halfway_and_re_run_ends_as_an_uninterrupted_one(
    two_databases: tuple[str, str], tmp_path: Path
) -> None:
    killed, whole = two_databases
    stream = list(event_stream(1500, seed=21))
    path = write_events(tmp_path / "events.jsonl", stream)
    for url in (killed, whole):
        apply_example(tmp_path, url)

    child = start(
        ["events", "import", str(path), "--now", NOW, "--database-url", killed],
        tmp_path / "killed.txt",
        SERVANDA_IMPORT_BATCH_SIZE="50",
    )
    # Killed as soon as its first batches are in: waiting for a larger share left a window
    # of a fraction of a second that a busy machine's poller could miss.
    deadline = time.monotonic() + 120
    while (stored := _stored_events(killed)) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    child.kill()
    assert 0 < stored < len(stream), "the import was not caught halfway"

    rerun = servanda(
        tmp_path, "events", "import", str(path), "--now", NOW, "--database-url", killed
    )
    servanda(tmp_path, "events", "import", str(path), "--now", NOW, "--database-url", whole)
    assert "duplicate: 0" not in rerun
    assert database_state(killed) == database_state(whole)
