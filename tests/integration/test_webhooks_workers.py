"""Two ``servanda worker`` processes on one PostgreSQL deliver each transition exactly once per subscription."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import func, select

from servanda.adapters.sqlalchemy.access_tables import webhook_deliveries
from servanda.adapters.sqlalchemy.tables import transitions
from servanda.adapters.sqlalchemy.webhook_store import SqlAlchemyWebhookStore
from servanda.bootstrap import connect, load_settings
from servanda.services.ingestion import record_events
from servanda.services.webhooks import subscribe, verify
from servanda.specs.events import event_from_json
from tests.e2e.api_support import created
from tests.integration.webhook_receiver import receiver
from tests.streams import HOUR, START, apply_small_definitions

SECRET = "a-long-enough-signing-secret"


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_deliver_every_transition_exactly_once(fresh_postgres) -> None:
    url = fresh_postgres()
    storage = connect(load_settings(database_url=url))
    apply_small_definitions(storage.uow_factory)
    store = SqlAlchemyWebhookStore(storage.engine)
    with receiver() as hook:
        for path, events in (("/all", ["warning", "breach", "met"]), ("/breaches", ["breach"])):
            subscribe(store, url=hook.url + path, events=events, secret=SECRET, now=START)
        tickets = [
            created(f"T{i}", "acme", at=START - (i % 9) * HOUR, priority=f"P{1 + i % 4}")
            for i in range(300)
        ]
        record_events(
            storage.uow_factory, storage.evaluator, [event_from_json(e) for e in tickets], START
        )
        command = [sys.executable, "-m", "servanda", "worker", "--once", "--database-url", url]
        workers = [subprocess.Popen(command, stdout=subprocess.DEVNULL) for _ in range(2)]
        assert [w.wait(timeout=300) for w in workers] == [0, 0]
    with storage.engine.connect() as connection:
        kinds = Counter(
            dict(
                connection.execute(
                    select(transitions.c.kind, func.count()).group_by(transitions.c.kind)
                ).all()
            )
        )
        statuses = Counter(
            dict(
                connection.execute(
                    select(webhook_deliveries.c.status, func.count()).group_by(
                        webhook_deliveries.c.status
                    )
                ).all()
            )
        )
    storage.dispose()
    arrivals = Counter((r.path, r.document["id"]) for r in hook.received)
    assert kinds["breached"] > 0
    assert kinds["warning"] > 0
    assert set(arrivals.values()) == {1}
    expected = sum(kinds.values()) + kinds["breached"]
    assert len(hook.received) == expected
    assert statuses == {"delivered": expected}
    assert all(
        verify(SECRET, r.headers["Servanda-Timestamp"], r.headers["Servanda-Signature"],
               r.body, now=int(r.headers["Servanda-Timestamp"]))
        for r in hook.received
    )  # fmt: skip
