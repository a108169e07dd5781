"""Crash safety: an import killed with SIGKILL halfway, then re-run, ends as an uninterrupted one."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from servanda.adapters.sqlalchemy.engine import make_engine
from servanda.adapters.sqlalchemy.tables import events
from tests.integration.database_state import database_state
from tests.integration.processes import EXAMPLE, apply_example, servanda, start, write_events
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


def _holds_ticket_lock(url: str) -> bool:
    """Whether another session holds the tickets table lock a re-measuring apply takes."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'tickets' AND l.mode = 'ExclusiveLock' AND l.granted "
                "AND l.pid <> pg_backend_pid()"
            ).scalar_one()
            return int(found) > 0
    finally:
        engine.dispose()


def _revisions(url: str) -> int:
    from servanda.adapters.sqlalchemy.tables import revisions

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(revisions)).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_a_re_measurement_killed_halfway_leaves_the_old_figures_and_a_re_run_ends_as_an_uninterrupted_one(
    fresh_postgres: Callable[[], str], tmp_path: Path
) -> None:
    killed, whole = fresh_postgres(), fresh_postgres()
    path = write_events(tmp_path / "events.jsonl", list(event_stream(3000, seed=5)))
    draft = tmp_path / "draft"
    shutil.copytree(EXAMPLE, draft)
    corporate = draft / "agreements" / "corporate.yaml"
    corporate.write_text(
        corporate.read_text(encoding="utf-8").replace(
            "target: 8h, calendar: 24x7", "target: 3h, calendar: 24x7"
        ),
        encoding="utf-8",
    )
    for url in (killed, whole):
        apply_example(tmp_path, url)
        servanda(tmp_path, "events", "import", str(path), "--now", NOW, "--database-url", url)
    before = database_state(killed)
    apply = ["definitions", "apply", str(draft), "--effective-from", "2020-06-01", "--remeasure"]

    child = start([*apply, "--database-url", killed], tmp_path / "killed.txt")
    deadline = time.monotonic() + 120
    while not _holds_ticket_lock(killed) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # well inside the re-measurement of 3,000 tickets
    child.kill()
    assert _revisions(killed) == 1, "the re-measurement finished before it could be killed"
    assert database_state(killed) == before  # the old figures, not a mix

    servanda(tmp_path, *apply, "--database-url", killed)
    servanda(tmp_path, *apply, "--database-url", whole)
    assert _revisions(killed) == _revisions(whole) == 2
    after = database_state(killed)
    assert after == database_state(whole)
    assert after["measurements"] != before["measurements"]
