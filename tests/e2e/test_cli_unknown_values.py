"""Unknown values in file imports (events, outages, ServiceNow) and ``servanda tickets unmeasured``,
through the command line on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

DEFINITIONS = """\
timezone: UTC
services:
  email: {name: Managed Email}
customers:
  acme: {name: ACME}
  globex: {name: Globex}
agreements:
  - id: corp
    level: corporate
    pause_on: [waiting_on_customer]
    objectives:
      - {metric: first_response, when: {priority: [P1, P2, P3]}, target: 1h}
      - {metric: resolution, when: {priority: [P1, P2, P3]}, target: 8h}
  - id: acme-phone
    level: customer
    customers: [acme]
    objectives:
      - {metric: first_response, when: {priority: P1, channel: phone}, target: 15m}
"""
DECLARED = DEFINITIONS + "vocabulary:\n  priorities: [P1, P2, P3]\n"
NOW = "2026-03-03T00:00:00Z"


def line(event_id: str, ticket: str, kind: str, **extra: object) -> str:
    at = extra.pop("at", "2026-03-02T09:00:00Z")
    return json.dumps({"id": event_id, "ticket": ticket, "type": kind, "at": at, **extra}) + "\n"


EVENTS = (
    line("e1", "CS-1001", "created", customer="acme", service="email", priority="P2")
    + line("e2", "CS-1002", "created", customer="acme", service="email", priority="p2")
    + line("e3", "CS-1003", "created", customer="acm", service="email", priority="P1",
           fields={"channel": "Phone"})
    + line("e4", "CS-1001", "status_changed", status="waiting_on_custmer",
           at="2026-03-02T09:30:00Z")
)  # fmt: skip


def run(*arguments: str) -> Result:
    from servanda.entrypoints.cli import _register, app

    _register()
    return CliRunner().invoke(app, list(arguments))


@pytest.fixture
def database(database_url: str, tmp_path: Path) -> str:
    return apply(database_url, tmp_path, DEFINITIONS)


def apply(database_url: str, tmp_path: Path, text: str) -> str:
    path = tmp_path / "definitions.yaml"
    path.write_text(text)
    applied = run(
        "definitions", "apply", str(path), "--effective-from", "2026-01-01", "--database-url",
        database_url,
    )  # fmt: skip
    assert applied.exit_code == 0, applied.output
    return database_url


def import_events(database: str, *files: Path, options: tuple[str, ...] = ()) -> Result:
    return run(
        "events", "import", *map(str, files), "--now", NOW, "--database-url", database, *options
    )


def stored_events(url: str) -> int:
    from servanda.bootstrap import connect, load_settings

    storage = connect(load_settings(database_url=url))
    try:
        with storage.uow_factory() as uow:
            return uow.events.count()
    finally:
        storage.dispose()


def stored_outages(url: str) -> int:
    from servanda.bootstrap import connect, load_settings

    storage = connect(load_settings(database_url=url))
    try:
        with storage.uow_factory() as uow:
            return len(uow.outages.existing([("default", "o1"), ("default", "o2")]))
    finally:
        storage.dispose()


def test_an_import_reports_each_unknown_value_at_its_line_and_counts_them(
    database: str, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(EVENTS)
    result = import_events(database, events, options=("--jobs", "1"))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{events}:2: CS-1002: priority 'p2' matches no objective at any level: no clocks "
        "(did you mean 'P2'?) [unknown_priority]",
        f"{events}:3: CS-1003: customer 'acm' is not defined: only corporate and service "
        "agreements apply (did you mean 'acme'?) [unknown_customer]",
        f"{events}:3: CS-1003: channel 'Phone' is named by no objective condition: objectives "
        "that name a channel do not apply to it (did you mean 'phone'?) [unknown_attribute_value]",
        f"{events}:4: CS-1001: status 'waiting_on_custmer' is in no pause list and no state map: "
        "it pauses no clock (did you mean 'waiting_on_customer'?) [unknown_status]",
    ]
    assert (
        "unknown values: 4 (unknown_attribute_value: 1, unknown_customer: 1, "
        "unknown_priority: 1, unknown_status: 1)"
    ) in result.stdout
    assert "events new: 4, duplicate: 0, rejected: 0" in result.stdout
    assert stored_events(database) == 4


def test_a_csv_import_reports_the_line_of_each_row(database: str, tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        "id,ticket,type,at,customer,service,priority\n"
        "c1,CS-1,created,2026-03-02T09:00:00Z,acme,email,P1\n"
        "c2,CS-2,created,2026-03-02T09:00:00Z,globex,email,p3\n"
    )
    result = import_events(database, events, options=("--jobs", "1"))
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"{events}:3: CS-2: priority 'p3' matches no objective")


def test_strict_imports_nothing_when_a_value_is_unknown(database: str, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(EVENTS)
    result = import_events(database, events, options=("--strict",))
    assert result.exit_code == 1
    assert f"{events}:2: CS-1002: unknown values refused (--strict): priority 'p2'" in (
        result.stderr
    )
    assert str(result.exception) == "--strict: 3 bad record(s), nothing was imported"
    assert stored_events(database) == 0


def test_a_value_outside_a_declared_vocabulary_rejects_its_record_only(
    database_url: str, tmp_path: Path
) -> None:
    database = apply(database_url, tmp_path, DECLARED)
    events = tmp_path / "events.jsonl"
    events.write_text(EVENTS)
    rejects = tmp_path / "rejects.jsonl"
    result = import_events(database, events, options=("--jobs", "1", "--reject-file", str(rejects)))
    assert result.exit_code == 1
    assert (
        f"{events}:2: CS-1002: priority 'p2' is not in vocabulary.priorities (P1, P2, P3); "
        "did you mean 'P2'?"
    ) in result.stderr
    assert "events new: 3, duplicate: 0, rejected: 1" in result.stdout
    assert "; 1 record(s) refused for them" in result.stdout
    assert rejects.read_text() == EVENTS.splitlines(keepends=True)[1]


def test_many_warnings_show_the_first_few_of_each_kind_in_file_order_whatever_the_workers(
    database: str, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(
        "".join(line(f"e{n}", f"T-{n}", "created", priority="p1") for n in range(1, 13))
    )
    every = tmp_path / "warnings.txt"
    serial = import_events(database, events, options=("--jobs", "1", "--warnings-file", str(every)))
    assert serial.exit_code == 0, serial.output
    shown = serial.stderr.splitlines()
    assert [entry.split(":")[1] for entry in shown[:5]] == ["1", "2", "3", "4", "5"]
    assert shown[5:] == ["... and 7 more unknown_priority"]
    assert len(every.read_text().splitlines()) == 12
    assert "unknown values: 12 (unknown_priority: 12)" in serial.stdout
    parallel = import_events(database, events, options=("--jobs", "2"))
    assert parallel.stderr == serial.stderr  # re-imported as duplicates: warned just the same


def test_an_outage_import_reports_unknown_services_by_line_and_strict_stores_nothing(
    database: str, tmp_path: Path
) -> None:
    outages = tmp_path / "outages.jsonl"
    outages.write_text(
        '{"id": "o1", "service": "email", "start": "2026-03-02T09:00:00Z", '
        '"end": "2026-03-02T10:00:00Z"}\n'
        '{"id": "o2", "service": "emial", "start": "2026-03-02T09:00:00Z", '
        '"end": "2026-03-02T10:00:00Z", "customers": ["acme"]}\n'
    )
    base = ("outages", "import", str(outages), "--database-url", database)
    strict = run(*base, "--strict")
    assert strict.exit_code == 1
    assert f"{outages}:2: o2: unknown values refused (--strict): service 'emial'" in strict.stderr
    assert stored_outages(database) == 0  # it stopped before storing anything
    result = run(*base)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"{outages}:2: o2: service 'emial' is not defined")
    assert "2 records read: 2 new" in result.stdout
    assert stored_outages(database) == 2
    assert "unknown values: 1 (unknown_service: 1)" in result.stdout


def test_tickets_unmeasured_lists_the_tickets_without_a_clock_and_why(
    database: str, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(EVENTS + line("r1", "CS-1009", "responded"))
    import_events(database, events, options=("--jobs", "1"))
    result = run("tickets", "unmeasured", "--format", "json", "--database-url", database)
    assert result.exit_code == 0, result.output
    rows = [json.loads(row) for row in result.stdout.splitlines()]
    assert [(row["ticket"], row["reason"]) for row in rows] == [
        ("CS-1002", "no_objective_matches"),
        ("CS-1009", "no_created_event"),
    ]
    assert "priority 'p2' (unknown; did you mean 'P2'?)" in rows[0]["why"]
    table = run("tickets", "unmeasured", "--database-url", database)
    assert "2 ticket(s) without a clock (no_created_event: 1, no_objective_matches: 1)" in (
        table.stdout
    )
    mine = run("tickets", "unmeasured", "--customer", "acme", "--format", "csv",
               "--database-url", database)  # fmt: skip
    assert mine.stdout.splitlines()[0] == (
        "ticket,customer,service,priority,created_at,revision,reason,why"
    )
    assert [row.split(",")[0] for row in mine.stdout.splitlines()[1:]] == ["CS-1002"]


SERVICENOW_HEADER = (
    "number,incident_state,reopen_count,sys_mod_count,caller_id,opened_at,sys_updated_at,"
    "category,priority,assignment_group,contact_type,resolved_at,closed_at\n"
)


def servicenow_row(number: str, state: str, mod: int, category: str, caller: str) -> str:
    return (
        f"{number},{state},0,{mod},{caller},1/3/2026 09:00,1/3/2026 {9 + mod:02d}:00,"
        f"{category},2 - High,Group 1,Phone,?,?\n"
    )


def test_a_servicenow_import_reports_unknown_values_at_the_row_that_set_them(
    database: str, tmp_path: Path
) -> None:
    log = tmp_path / "incidents.csv"
    log.write_text(
        SERVICENOW_HEADER
        + servicenow_row("INC1", "New", 0, "email", "acme")
        + servicenow_row("INC1", "Active", 1, "emial", "acme")
        + servicenow_row("INC2", "New", 0, "email", "globex")
    )
    base = ("import", "servicenow", str(log), "--now", NOW, "--database-url", database)
    strict = run(*base, "--strict")
    assert strict.exit_code == 1
    assert f"{log}:3: INC1: unknown values refused (--strict): service 'emial'" in strict.stderr
    assert stored_events(database) == 0
    result = run(*base)
    assert result.exit_code == 0, result.output
    assert f"{log}:3: INC1: service 'emial' is not defined" in result.stderr
    assert "unknown_service" in result.stdout
