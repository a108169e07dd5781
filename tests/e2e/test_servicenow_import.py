"""The real ServiceNow incident log: converted whole, and imported into SQLite and PostgreSQL.

The data file lives outside the repository (``../shared/data``, or
``SERVANDA_SERVICENOW_LOG``); without it these tests skip, saying why — under
``CI=true`` a missing file or PostgreSQL server fails instead.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from pathlib import Path

import orjson
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


def test_the_example_definitions_know_every_value_the_real_log_carries(converted):
    """The example declares priorities and statuses: nothing of the real log is refused. Its
    customers (callers) and services (categories) are checked only once definitions define
    some, so corporate-only definitions produce no warning per caller or category."""
    from servanda.domain.vocabulary import KnownValues, check_event
    from servanda.specs.loader import load_definitions

    definitions = load_definitions(EXAMPLE / "definitions.yaml")
    known = KnownValues.of(definitions, load_state_map().statuses.values())
    assert [found for e in converted.events if (found := check_event(e, known))] == []


def test_definitions_naming_some_categories_as_services_flag_every_other_one(converted, tmp_path):
    """What the real log gives when definitions define only the ten busiest categories as
    services: one unknown_service per created or changed category elsewhere (5,771 events).
    A --strict import refuses them all before storing anything and shows the first rows."""
    from servanda.domain.vocabulary import FindingCode, KnownValues, check_event
    from servanda.specs.loader import load_definitions

    categories = Counter(e.service for e in converted.events if e.service)
    busiest = sorted(name for name, _ in categories.most_common(10))
    text = (
        (EXAMPLE / "definitions.yaml").read_text()
        + "services:\n"
        + "".join(f"  {name}: {{name: {name}}}\n" for name in busiest)
    )
    variant = tmp_path / "definitions.yaml"
    variant.write_text(text)
    known = KnownValues.of(load_definitions(variant), load_state_map().statuses.values())
    found = Counter(f.code for e in converted.events for f in check_event(e, known))
    assert found == {FindingCode.UNKNOWN_SERVICE: 5_771}
    known_list = ", ".join(busiest[:8]) + " and 2 more"

    from servanda.entrypoints.cli import _register, app

    _register()
    url = f"sqlite:///{tmp_path / 'strict.sqlite'}"
    _cli("definitions", "apply", str(variant), "--effective-from", "2016-01-01",
         "--database-url", url)  # fmt: skip
    result = CliRunner().invoke(
        app, ["import", "servicenow", str(DATA), "--strict", "--now", NOW, "--database-url", url]
    )
    assert result.exit_code == 1
    assert str(result.exception) == (
        "--strict: 5,771 event(s) with unknown values, nothing was imported"
    )
    refused = [line for line in result.stderr.splitlines() if "(--strict)" in line]
    assert len(refused) == 10  # the first ten in file order, then the count
    assert refused[0] == (
        f"rejected {DATA}:2: INC0000045: unknown values refused (--strict): service "
        f"'Category 55' is not defined: no agreement for a service applies (known: {known_list})"
    )


# ---------------------------------------------------------------- into a database


def _cli(*arguments: str) -> str:
    from servanda.entrypoints.cli import _register, app

    _register()
    result = CliRunner().invoke(app, list(arguments))
    assert result.exit_code == 0, result.output
    return result.stdout


def _canonical(payloads: list[dict[str, object]]) -> list[dict[str, object]]:
    return sorted(payloads, key=lambda m: (m["ticket"], m["metric"], m["cycle"], m["objective"]))


@pytest.fixture(scope="module")
def replayed(tmp_path_factory) -> list[dict[str, object]]:
    """``servanda replay`` of the converted events, at the same instant as the imports."""
    _need_data()
    events = tmp_path_factory.mktemp("replay") / "events.jsonl"
    _cli("import", "servicenow", str(DATA), "--output", str(events))
    definitions = str(EXAMPLE / "definitions.yaml")
    output = _cli(
        "replay", str(events), "--definitions", definitions, "--now", NOW, "--format", "json"
    )
    return _canonical([orjson.loads(line) for line in output.splitlines()])


def _stored_measurements(url: str) -> list[dict[str, object]]:
    from sqlalchemy import select

    from servanda.adapters.sqlalchemy.codec import measurement_from_json
    from servanda.adapters.sqlalchemy.engine import make_engine
    from servanda.adapters.sqlalchemy.tables import measurements

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(measurements.c.payload)).scalars().all()
    finally:
        engine.dispose()
    return _canonical([measurement_from_json(payload).to_dict() for payload in rows])


def _apply_example(url: str) -> None:
    _cli(
        "definitions",
        "apply",
        str(EXAMPLE / "definitions.yaml"),
        "--effective-from",
        "2016-01-01",
        "--database-url",
        url,
    )


def test_the_whole_log_imports_idempotently_and_matches_servanda_replay(
    converted, replayed, database_url
):
    _apply_example(database_url)
    arguments = ("import", "servicenow", str(DATA), "--now", NOW, "--database-url", database_url)
    first = _cli(*arguments)
    assert re.search(r"events new\s+│\s+113,436", first), first
    # the example's declared vocabulary knows every priority and status of the real log
    assert re.search(r"unknown values\s+│\s+0 ", first), first
    assert re.search(r"events refused for unknown values\s+│\s+0 ", first), first
    again = _cli(*arguments)
    assert re.search(r"events duplicate\s+│\s+113,436", again), again
    assert re.search(r"events new\s+│\s+0 ", again), again

    unmeasured = _cli("tickets", "unmeasured", "--database-url", database_url)
    assert unmeasured.strip() == "every stored ticket has a clock"

    stored = _stored_measurements(database_url)
    assert len(stored) == len(replayed)
    assert stored == replayed
    states = Counter(m["state"] for m in stored)
    assert states["breached"] > 0
    assert states["met"] > states["breached"]
