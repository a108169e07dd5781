"""The real ServiceNow incident log: converted whole, and imported into SQLite and PostgreSQL.

The data file lives outside the repository (``../shared/data``, or
``SERVANDA_SERVICENOW_LOG``); without it these tests skip, saying why — under
``CI=true`` a missing file or PostgreSQL server fails instead.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from servanda.adapters.importers.servicenow import ServiceNowConversion, convert_servicenow_file
from servanda.adapters.importers.state_maps import load_state_map
from servanda.domain.events import EventType, TicketEvent

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "servicenow"
DATA = Path(
    os.environ.get(
        "SERVANDA_SERVICENOW_LOG",
        ROOT.parent / "shared" / "data" / "servicenow_incident_event_log.csv.gz",
    )
)
NOW = "2017-06-01T00:00:00Z"
NOW_EPOCH = int(datetime(2017, 6, 1, tzinfo=UTC).timestamp())
IN_CI = os.environ.get("CI") == "true"

pytestmark = pytest.mark.slow


def _need_data() -> None:
    if not DATA.exists():
        if IN_CI:
            pytest.fail(f"the ServiceNow log is missing at {DATA}")
        pytest.skip(f"the ServiceNow log is not at {DATA} (set SERVANDA_SERVICENOW_LOG)")


@pytest.fixture(scope="module")
def converted() -> ServiceNowConversion:
    _need_data()
    return convert_servicenow_file(DATA)


def test_the_whole_log_converts_with_only_its_known_warts_rejected(converted):
    assert converted.rows_read == 119_998
    assert converted.incidents == 20_769
    assert converted.tickets == 20_769
    # five misplaced duplicate updates, two rows in state -100
    assert [r.line for r in converted.rejections] == [
        330,
        346,
        351,
        359,
        438,
        115_643,
        115_644,
    ]
    assert Counter(e.type for e in converted.events) == {
        EventType.CREATED: 20_769,
        EventType.RESPONDED: 14_167,
        EventType.STATUS_CHANGED: 18_857,
        EventType.ATTRIBUTES_CHANGED: 17_547,
        EventType.RESOLVED: 21_044,
        EventType.REOPENED: 276,
        EventType.CLOSED: 20_776,
    }


def test_every_event_has_a_unique_identity_and_follows_its_tickets_creation(converted):
    events = converted.events
    assert len({e.identity for e in events}) == len(events)
    assert {e.source for e in events} == {"servicenow"}
    by_ticket: dict[str, list[TicketEvent]] = defaultdict(list)
    for event in events:
        by_ticket[event.ticket].append(event)
    for ticket_events in by_ticket.values():
        ordered = sorted(ticket_events, key=lambda e: e.order_key)
        assert ordered == ticket_events  # emitted in the order the fold applies them
        assert ordered[0].type is EventType.CREATED


def test_every_priority_is_p1_to_p4_and_every_status_is_in_the_state_map(converted):
    states = load_state_map()
    assert {e.priority for e in converted.events if e.type is EventType.CREATED} == {
        "P1",
        "P2",
        "P3",
        "P4",
    }
    assert {e.status for e in converted.events if e.status} <= set(states.statuses.values())


def test_the_example_state_map_is_the_shipped_default_and_its_pause_states_are_paused():
    from servanda.specs.loader import load_definitions

    assert load_state_map(EXAMPLE / "state-map.yaml") == load_state_map()
    definitions = load_definitions(EXAMPLE / "definitions.yaml")
    [agreement] = definitions.agreements
    waiting = {status for status in load_state_map().statuses.values() if "waiting" in status}
    assert waiting == set(agreement.pause_on)


def test_the_cli_writes_jsonl_that_reads_back_as_the_same_events(converted, tmp_path):
    from servanda.entrypoints.cli import _register, app
    from servanda.specs.events import parse_event_line

    _register()
    output = tmp_path / "events.jsonl"
    result = CliRunner().invoke(app, ["import", "servicenow", str(DATA), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "113,436" in result.output
    with output.open("rb") as lines:
        assert [parse_event_line(line) for line in lines] == converted.events


# ---------------------------------------------------------------- into a database


def _postgres_url() -> Iterator[str]:
    import psycopg

    base = os.environ.get("SERVANDA_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
    name = f"servanda_sn_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(base, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL is not reachable at {base}: {error}")
        pytest.skip(f"PostgreSQL is not reachable at {base}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://{base.split('://', 1)[1].rsplit('/', 1)[0]}/{name}"
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'servicenow.sqlite'}"
    else:
        yield from _postgres_url()


def _apply_example(url: str) -> None:
    from servanda.bootstrap import connect, load_settings
    from servanda.services.revisions import apply_definitions
    from servanda.specs.loader import load_definitions
    from servanda.specs.snapshot import content_hash

    storage = connect(load_settings(database_url=url), migrate=True)
    try:
        apply_definitions(
            storage.uow_factory,
            load_definitions(EXAMPLE / "definitions.yaml"),
            fingerprint=content_hash,
            now=NOW_EPOCH,
            effective_from=int(datetime(2016, 1, 1, tzinfo=UTC).timestamp()),
        )
    finally:
        storage.dispose()


def _import(url: str) -> str:
    from servanda.entrypoints.cli import _register, app

    _register()
    arguments = ["import", "servicenow", str(DATA), "--now", NOW, "--database-url", url]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_whole_log_imports_idempotently_and_matches_a_replay_of_its_events(
    converted, database_url
):
    from servanda.bootstrap import connect, fold_for, load_settings
    from servanda.services.evaluation import keyed
    from servanda.specs.loader import load_definitions

    _apply_example(database_url)
    first = _import(database_url)
    assert "events new                               │ 113,436" in first
    again = _import(database_url)
    assert "events duplicate                         │ 113,436" in again

    fold = fold_for(load_definitions(EXAMPLE / "definitions.yaml"))
    by_ticket: dict[str, list[TicketEvent]] = defaultdict(list)
    for event in converted.events:
        by_ticket[event.ticket].append(event)
    storage = connect(load_settings(database_url=database_url))
    try:
        with storage.uow_factory() as uow:
            assert uow.events.count() == len(converted.events)
            for ticket, events in sorted(by_ticket.items()):
                replayed = {m.key: m.measurement for m in keyed(fold(events, NOW_EPOCH), 1)}
                stored = {m.key: m.measurement for m in uow.measurements.for_ticket(ticket)}
                assert stored == replayed, ticket
            states = uow.measurements.count_by_state()
    finally:
        storage.dispose()
    assert states["breached"] > 0
    assert states["met"] > states["breached"]
