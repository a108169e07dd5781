"""One fold per ticket: the stored ticket row, its measurement rows, the API answer and
``servanda replay`` are the same fold of the same events, in memory, on SQLite and on PostgreSQL.

Every golden timeline (tests/golden/timelines) is recorded through storage as a ticket of its
own, at the timeline's ``now``, and what storage keeps is compared with the pure fold.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from servanda.bootstrap import connect, load_settings, memory_storage
from servanda.domain.clock.engine import TicketEvaluation
from servanda.domain.events import EventType, TicketEvent
from servanda.entrypoints.cli import _register, app
from servanda.services.evaluation import Evaluator
from servanda.services.ingestion import record_events
from servanda.services.ports import TicketState, UnitOfWorkFactory
from servanda.services.reports import compliance_report
from servanda.services.revisions import apply_definitions
from servanda.specs.events import event_to_line, parse_instant
from servanda.specs.loader import load_definitions
from servanda.specs.snapshot import content_hash
from tests.conftest import empty_postgres
from tests.unit.domain.test_golden_timelines import CASES, HERE, engine, events_of, instant, load

_register()
HOUSE = HERE / "definitions" / "house.yaml"


@dataclasses.dataclass
class Backend:
    uow_factory: UnitOfWorkFactory
    evaluator: Evaluator
    database_url: str | None


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The in-memory store, a fresh SQLite file or the session's (emptied) PostgreSQL database."""
    if request.param == "memory":
        uow_factory, evaluator = memory_storage()
        _apply_house(uow_factory)
        yield Backend(uow_factory, evaluator, None)
        return
    if request.param == "sqlite":
        path = tmp_path / "servanda.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        empty_postgres(url)
    storage = connect(load_settings(database_url=url))
    _apply_house(storage.uow_factory)
    yield Backend(storage.uow_factory, storage.evaluator, url)
    storage.dispose()


def _apply_house(uow_factory: UnitOfWorkFactory) -> None:
    apply_definitions(
        uow_factory,
        load_definitions(HOUSE),
        fingerprint=content_hash,
        now=0,
        effective_from=0,
    )


def _renamed(events: list[TicketEvent], ticket: str) -> list[TicketEvent]:
    """The case's events as ticket ``ticket``, with ids unique across cases."""
    return [dataclasses.replace(e, ticket=ticket, id=f"{ticket}/{e.id}") for e in events]


def _facts_of(state: TicketState) -> tuple[object, ...]:
    return (
        state.created_at,
        state.customer,
        state.service,
        state.priority,
        state.status,
        state.attributes,
    )


def _fold_facts(evaluation: TicketEvaluation) -> tuple[object, ...]:
    f = evaluation.facts
    return (f.created_at, f.customer, f.service, f.priority, f.status, f.attributes)


def test_storage_keeps_exactly_the_fold_of_every_golden_timeline(backend: Backend) -> None:
    folded: dict[str, TicketEvaluation] = {}
    for number, path in enumerate(CASES):
        case = load(path)
        if "error" in case:
            continue  # a fold that raises stores nothing to compare
        ticket = f"G-{number:02d}"
        events = _renamed(events_of(case), ticket)
        now = instant(case["now"])
        assert now is not None
        record_events(backend.uow_factory, backend.evaluator, events, now)
        folded[ticket] = engine("house.yaml").evaluate(events, now)
    assert len(folded) >= 40
    mismatches = []
    with backend.uow_factory() as uow:
        for ticket, evaluation in folded.items():
            stored = [s.measurement for s in uow.measurements.for_ticket(ticket)]
            if sorted(stored, key=repr) != sorted(evaluation.measurements, key=repr):
                mismatches.append(f"{ticket}: measurements differ from the fold")
            facts = _facts_of(uow.tickets.get(ticket))
            if facts != _fold_facts(evaluation):
                mismatches.append(f"{ticket}: stored facts differ from the fold's")
    assert mismatches == []


def _second_created() -> list[TicketEvent]:
    """A ticket created for acme/email, then 'created' again for globex/network (ignored)."""
    at = parse_instant("2026-03-02T09:00:00+01:00")
    return [
        TicketEvent(
            "c1", "T-1", EventType.CREATED, at, customer="acme", service="email", priority="P1"
        ),
        TicketEvent(
            "c2",
            "T-1",
            EventType.CREATED,
            at + 600,
            customer="globex",
            service="network",
            priority="P3",
            status="waiting_on_customer",
        ),
        TicketEvent("r1", "T-1", EventType.RESPONDED, at + 2400),
        TicketEvent("s1", "T-1", EventType.RESOLVED, at + 3 * 3600),
    ]


NOW = parse_instant("2026-03-31T12:00:00+02:00")


def test_a_second_created_event_moves_neither_the_ticket_nor_its_measurements(
    database_url: str,
) -> None:
    storage = connect(load_settings(database_url=database_url))
    try:
        _apply_house(storage.uow_factory)
        record_events(storage.uow_factory, storage.evaluator, _second_created(), NOW)
        with storage.uow_factory() as uow:
            state = uow.tickets.get("T-1")
        assert (state.customer, state.service, state.priority) == ("acme", "email", "P1")
        from servanda.adapters.sqlalchemy.tables import measurements

        with storage.engine.connect() as connection:
            scopes = set(
                connection.execute(
                    select(measurements.c.customer, measurements.c.service).where(
                        measurements.c.ticket_id == "T-1"
                    )
                )
            )
        assert scopes == {("acme", "email")}
        sources = storage.reports
        acme = compliance_report(sources, "2026-03", customer="acme")
        globex = compliance_report(sources, "2026-03", customer="globex")
        assert {(r.objective_key, r.met, r.breached) for r in acme.rows} == {
            ("gold/fr-gold", 0, 1),
            ("acme-email/res-acme", 1, 0),
        }
        assert globex.rows == ()
    finally:
        storage.dispose()


def test_the_api_answer_and_replay_are_the_stored_fold(database_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from servanda.entrypoints.api import create_app
    from servanda.services.auth import Role, create_token

    events = _second_created()
    storage = connect(load_settings(database_url=database_url))
    try:
        _apply_house(storage.uow_factory)
        record_events(storage.uow_factory, storage.evaluator, events, NOW)
        with storage.uow_factory() as uow:
            stored = [s.measurement.to_dict() for s in uow.measurements.for_ticket("T-1")]
        api_app = create_app(storage.settings, storage=storage, now=lambda: NOW)
        token = create_token(api_app.state.servanda.tokens, role=Role.ADMIN, now=0).secret
        with TestClient(api_app, raise_server_exceptions=False) as client:
            answer = client.get("/api/v1/tickets/T-1", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        assert (body["customer"], body["service"], body["priority"]) == ("acme", "email", "P1")
        answered = {(m["objective"], m["state"], m["breached_at"]) for m in body["measurements"]}
        assert answered == {(m["objective"], m["state"], m["breached_at"]) for m in stored}
    finally:
        storage.dispose()

    log = tmp_path / "events.jsonl"
    log.write_bytes(b"".join(event_to_line(e) for e in events))
    replayed = CliRunner().invoke(
        app,
        ["replay", str(log), "--definitions", str(HOUSE), "--now", "2026-03-31T12:00:00+02:00",
         "--format", "json"],
    )  # fmt: skip
    assert replayed.exit_code == 0, replayed.output
    lines = [orjson.loads(line) for line in replayed.stdout.splitlines() if line.startswith("{")]
    assert sorted(lines, key=repr) == sorted(stored, key=repr)
