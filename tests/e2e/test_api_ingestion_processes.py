"""``POST /api/v1/events`` folded in ingestion processes (``serve``'s default): the same answers
as folding in the serving process, at a lower CPU priority, and a dead process replaced."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from servanda.adapters.sqlalchemy.engine import make_engine
from servanda.adapters.sqlalchemy.schema import upgrade_database
from servanda.bootstrap import connect, load_settings
from servanda.entrypoints.api import create_app
from servanda.entrypoints.api.ingestion import INGESTION_NICENESS, ProcessIngestion
from servanda.services.auth import Role, create_token
from tests.e2e.api_support import NOW, clear_api_tables, iso
from tests.streams import HOUR, START, apply_small_definitions

pytestmark = pytest.mark.slow


@contextmanager
def served(database_url: str, processes: int, *, definitions: bool = True) -> Iterator[tuple]:
    """A TestClient on an app folding in ``processes`` ingestion processes (0: in process)."""
    storage = connect(load_settings(database_url=database_url))
    clear_api_tables(storage)
    if definitions:
        apply_small_definitions(storage.uow_factory)
    settings = load_settings(database_url=database_url, ingestion_processes=processes)
    app = create_app(settings, now=lambda: NOW)
    ctx = app.state.servanda
    token = create_token(ctx.tokens, role=Role.INTEGRATION, now=START).secret
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            client.headers["Authorization"] = f"Bearer {token}"
            yield client, ctx.ingestion
    finally:
        storage.dispose()


def batch() -> list[object]:
    created = {"id": "t1-c", "ticket": "t1", "type": "created", "at": iso(START)}
    created |= {"customer": "acme", "service": "email", "priority": "P1"}
    return [
        created,
        {"id": "t1-r", "ticket": "t1", "type": "responded", "at": iso(START + HOUR)},
        {"id": "t1-r", "ticket": "t1", "type": "responded", "at": iso(START + HOUR)},
        {"id": "t1-x", "ticket": "t1", "type": "responded", "at": iso(START + 2 * HOUR)},
        {"id": "bad", "ticket": "t2", "type": "exploded", "at": iso(START)},
        {"id": "t1-x", "ticket": "t1", "type": "resolved", "at": iso(START + 2 * HOUR)},
    ]


def migrated_sqlite(tmp_path: Path, name: str) -> str:
    url = f"sqlite:///{tmp_path / name}"
    engine = make_engine(url)
    upgrade_database(engine)
    engine.dispose()
    return url


def test_processes_answer_byte_for_byte_as_the_serving_process(tmp_path: Path) -> None:
    answers = []
    for processes, name in ((0, "in-process.sqlite"), (2, "processes.sqlite")):
        with served(migrated_sqlite(tmp_path, name), processes) as (client, ingestion):
            assert isinstance(ingestion, ProcessIngestion) == (processes > 0)
            first = client.post("/api/v1/events", json={"events": batch()})
            again = client.post("/api/v1/events", json={"events": batch()})
            ticket = client.get("/api/v1/tickets/t1")
        assert first.status_code == again.status_code == 200
        answers.append((first.content, again.content, ticket.status_code))
    assert answers[0] == answers[1]
    results = [r["status"] for r in json.loads(answers[1][0])["results"]]
    assert results == ["created", "created", "duplicate", "created", "rejected", "rejected"]


def test_folding_in_processes_stores_and_refuses_as_documented(database_url: str) -> None:
    with served(database_url, 2) as (client, _):
        answer = client.post("/api/v1/events", json={"events": batch()}).json()
        assert (answer["created"], answer["duplicates"], answer["rejected"]) == (3, 1, 2)
        assert client.post("/api/v1/events", json={"events": batch()[:2]}).json()["duplicates"] == 2
        too_many = client.post("/api/v1/events", json={"events": batch() * 200})
        assert too_many.status_code == 413
        assert too_many.json()["code"] == "batch_too_large"


def test_a_batch_before_any_definitions_is_a_conflict_from_the_process(tmp_path: Path) -> None:
    with served(migrated_sqlite(tmp_path, "empty.sqlite"), 1, definitions=False) as (client, _):
        refused = client.post("/api/v1/events", json={"events": batch()})
    assert refused.status_code == 409
    assert refused.json()["code"] == "conflict"
    assert "no definitions are stored yet" in refused.json()["message"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for niceness")
def test_processes_run_niced_and_a_killed_one_is_replaced(tmp_path: Path) -> None:
    with served(migrated_sqlite(tmp_path, "kill.sqlite"), 2) as (client, ingestion):
        pids = ingestion.start()  # already running: the same processes answer
        assert len(set(pids)) == 2
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        for pid in pids:
            assert os.getpriority(os.PRIO_PROCESS, pid) == min(mine + INGESTION_NICENESS, 19)
            assert os.sched_getscheduler(pid) == os.SCHED_BATCH
        # A TestClient's requests all come from one "connection": they go to the first process.
        assert client.post("/api/v1/events", json={"events": batch()[:1]}).status_code == 200
        os.kill(pids[0], signal.SIGKILL)
        lost = client.post("/api/v1/events", json={"events": batch()[1:2]})
        assert lost.status_code == 503
        assert lost.json()["code"] == "ingestion_restarted"
        retried = client.post("/api/v1/events", json={"events": batch()[1:2]})
        assert retried.status_code == 200
        assert retried.json()["created"] == 1
        assert pids[0] not in ingestion.start()


def test_a_batch_goes_to_its_connections_process_while_that_one_is_free() -> None:
    ingestion = ProcessIngestion("sqlite:///unused.sqlite", 3)  # no process starts until used
    try:
        assert ingestion._choose("a") == 0
        ingestion._last["a"] = 2
        assert ingestion._choose("a") == 2
        ingestion._busy[2] = 1
        assert ingestion._choose("a") == 0  # busy: the least busy other one
        ingestion._busy = [1, 1, 1]
        assert ingestion._choose("a") == 2  # all busy: its own, queued behind one batch
    finally:
        ingestion.close()
