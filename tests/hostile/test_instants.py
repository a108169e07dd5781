"""Instants and periods at the edges: every entry refuses what lies outside 1970-2199 UTC.

The supported range is ``servanda.domain.instants`` (docs/security.md, "The
supported range of instants"). Events and outages (API and every file import),
``--now`` and ``--since`` on the command line, and report periods over HTTP and
the command line: each refuses an instant outside it with a 4xx or a located
error, no traceback, and stores nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.api_support import created, running_api
from tests.hostile.boundary import cli, stored_rows, with_small_definitions

OUTSIDE = (
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "2199-12-31T23:59:59-14:00",  # 2200-01-01T13:59:59Z
    "1970-01-01T00:00:00+14:00",  # 1969-12-31T10:00:00Z
)
FAR_ENDS = OUTSIDE[:2]  # the instants that overflow a date once their offset is applied
FIRST, LAST = "1970-01-01T00:00:00Z", "2199-12-31T23:59:59Z"
PERIODS = (
    "9999-12",
    "9999",
    "9999-Q4",
    "0001-01",
    "9999-12-30..9999-12-31",
    "0001-01-01..0001-01-02",
    "1969-12",
    "2200-01",
    "2199-12-31..2200-01-01",
)
NOW = "2026-06-01T00:00:00Z"
RANGE = "is outside the supported instants (1970-01-01T00:00:00Z to 2199-12-31T23:59:59Z)"
EVENTS = "/api/v1/events"


# --- events and outages over HTTP -------------------------------------------------------------


@pytest.mark.parametrize("at", OUTSIDE)
def test_an_event_outside_the_supported_instants_is_rejected_and_its_ticket_still_answers(
    database_url: str, at: str
) -> None:
    with running_api(database_url) as api:
        assert api.post(EVENTS, {"events": [created("T-1", "acme")]}).json()["created"] == 1
        before = stored_rows(database_url)
        answer = api.post(
            EVENTS,
            {
                "events": [
                    {"id": "T-1-responded", "ticket": "T-1", "type": "responded", "at": at},
                    created("T-2", "acme") | {"at": at},
                ]
            },
        )
        assert answer.status_code == 200, answer.text
        results = answer.json()["results"]
        assert [r["status"] for r in results] == ["rejected", "rejected"]
        assert all(r["reason"] == f"at {at!r} {RANGE}" for r in results), results
        assert stored_rows(database_url) == before
        assert api.get("/api/v1/tickets/T-1").status_code == 200
        assert api.get("/api/v1/tickets/T-2").status_code == 404


def test_the_first_and_last_supported_instants_are_stored_and_their_tickets_answer(
    database_url: str,
) -> None:
    with running_api(database_url) as api:
        answer = api.post(
            EVENTS,
            {
                "events": [
                    created("T-FIRST", "acme") | {"at": FIRST},
                    created("T-LAST", "acme") | {"at": LAST},
                    {
                        "id": "T-FIRST-responded",
                        "ticket": "T-FIRST",
                        "type": "responded",
                        "at": LAST,
                    },
                ]
            },
        )
        assert answer.json()["created"] == 3, answer.text
        for ticket in ("T-FIRST", "T-LAST"):
            shown = api.get(f"/api/v1/tickets/{ticket}")
            assert shown.status_code == 200, shown.text


@pytest.mark.parametrize("at", OUTSIDE)
def test_an_outage_outside_the_supported_instants_is_rejected(database_url: str, at: str) -> None:
    with running_api(database_url) as api:
        before = stored_rows(database_url)
        answer = api.post(
            "/api/v1/outages",
            {
                "outages": [
                    {"id": "O-1", "service": "email", "start": "2026-03-01T00:00:00Z", "end": at},
                    {"id": "O-2", "service": "email", "start": at, "end": "2026-03-01T00:00:00Z"},
                ]
            },
        )
        assert answer.status_code == 200, answer.text
        results = answer.json()["results"]
        assert [r["status"] for r in results] == ["rejected", "rejected"]
        assert all(r["reason"] == f"timestamp {at!r} {RANGE}" for r in results), results
        assert stored_rows(database_url) == before


@pytest.mark.parametrize("at", FAR_ENDS)
def test_the_audit_log_refuses_a_since_outside_the_range(database_url: str, at: str) -> None:
    with running_api(database_url) as api:
        answer = api.get("/api/v1/audit", since=at)
        assert answer.status_code == 422, answer.text
        assert answer.json()["message"] == f"since {at!r} {RANGE}"


# --- report periods over HTTP and the command line ---------------------------------------------


@pytest.mark.parametrize("period", PERIODS)
def test_every_report_endpoint_refuses_a_period_outside_the_supported_years(
    database_url: str, period: str
) -> None:
    with running_api(database_url) as api:
        before = stored_rows(database_url)
        for kind in ("compliance", "availability", "credits"):
            for shape in ("json", "csv", "pdf"):
                answer = api.get(f"/api/v1/reports/{kind}", period=period, format=shape)
                assert answer.status_code == 422, (kind, shape, answer.text)
                assert answer.json()["code"] == "invalid_period"
        for action in ("close", "reopen"):
            answer = api.post(f"/api/v1/periods/{period}/{action}", {"reason": "hostile"})
            assert answer.status_code == 422, (action, answer.text)
            assert answer.json()["code"] == "invalid_period"
        assert stored_rows(database_url) == before


@pytest.fixture
def database(database_url: str) -> str:
    """The small definitions applied, nothing else stored."""
    return with_small_definitions(database_url)


@pytest.mark.parametrize("period", PERIODS)
def test_every_report_command_refuses_a_period_outside_the_supported_years(
    database: str, period: str, tmp_path: Path
) -> None:
    before = stored_rows(database)
    output = str(tmp_path / "report.pdf")
    commands = [
        ("report", kind, "--period", period) for kind in ("compliance", "availability", "credits")
    ]
    commands.append(("report", "customer", "--customer", "acme", "--period", period, "-o", output))
    for command in commands:
        result = cli(*command, "--database-url", database)
        assert result.exit_code == 2, (command, result.output)
        assert "'--period'" in result.stderr, (command, result.output)
        assert "outside the supported years" in result.stderr, (command, result.output)
    for command in (("periods", "close", period), ("periods", "reopen", period, "--reason", "x")):
        result = cli(*command, "--now", NOW, "--database-url", database)
        assert result.exit_code == 2, (command, result.output)
        assert "'PERIOD'" in result.stderr, (command, result.output)
        assert "outside the supported years" in result.stderr, (command, result.output)
    assert stored_rows(database) == before
    assert not Path(output).exists()


# --- --now and --since on the command line ----------------------------------------------------

DEFINITIONS_YAML = """\
timezone: UTC
agreements:
  - id: corp
    level: corporate
    objectives:
      - {metric: first_response, target: 1h}
"""
SERVICENOW_HEADER = (
    "number,incident_state,reopen_count,sys_mod_count,caller_id,opened_at,sys_updated_at,"
    "category,priority,assignment_group,contact_type,resolved_at,closed_at\n"
)


def servicenow_row(number: str, opened: str, updated: str) -> str:
    return f"{number},New,0,0,acme,{opened},{updated},email,2 - High,Group 1,Phone,?,?\n"


def event_line(event_id: str, ticket: str, kind: str, at: str, **extra: object) -> str:
    return json.dumps({"id": event_id, "ticket": ticket, "type": kind, "at": at, **extra}) + "\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    events = tmp_path / "events.jsonl"
    events.write_text(
        event_line("e1", "T-1", "created", "2026-03-02T09:00:00Z", customer="acme", priority="P1")
    )
    definitions = tmp_path / "definitions.yaml"
    definitions.write_text(DEFINITIONS_YAML)
    incidents = tmp_path / "incidents.csv"
    incidents.write_text(
        SERVICENOW_HEADER + servicenow_row("INC1", "1/3/2026 09:00", "1/3/2026 09:05")
    )
    return {"events": str(events), "definitions": str(definitions), "incidents": str(incidents)}


def now_commands(files: dict[str, str], database: str) -> list[tuple[str, ...]]:
    """Every command that takes ``--now``, ready for one."""
    url = ("--database-url", database)
    return [
        ("events", "import", files["events"], "--jobs", "1", *url),
        ("import", "servicenow", files["incidents"], *url),
        ("sweep", *url),
        ("periods", "close", "2026-03", *url),
        ("periods", "reopen", "2026-03", "--reason", "hostile", *url),
        ("replay", files["events"], "--definitions", files["definitions"]),
        ("ticket", "timeline", files["events"], "T-1", "--definitions", files["definitions"]),
    ]


@pytest.mark.parametrize("at", OUTSIDE)
def test_every_command_that_takes_now_refuses_one_outside_the_range_as_a_usage_error(
    database: str, files: dict[str, str], at: str
) -> None:
    before = stored_rows(database)
    for command in now_commands(files, database):
        result = cli(*command, "--now", at)
        assert result.exit_code == 2, (command, result.output)
        assert "'--now'" in result.stderr, (command, result.output)
        assert RANGE in result.stderr, (command, result.output)
    assert stored_rows(database) == before


def test_a_now_that_is_not_an_instant_is_a_usage_error_too(
    database: str, files: dict[str, str]
) -> None:
    before = stored_rows(database)
    for command in now_commands(files, database):
        result = cli(*command, "--now", "tomorrow")
        assert result.exit_code == 2, (command, result.output)
        assert "'tomorrow' is not an ISO 8601 timestamp" in result.stderr, (command, result.output)
    assert stored_rows(database) == before


@pytest.mark.parametrize("at", FAR_ENDS)
def test_the_audit_command_refuses_a_since_outside_the_range(database: str, at: str) -> None:
    result = cli("audit", "--since", at, "--database-url", database)
    assert result.exit_code == 2, result.output
    assert "'--since'" in result.stderr
    assert RANGE in result.stderr


# --- file imports: a line outside the range is one rejected record -----------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("shape", ["jsonl", "csv"])
def test_an_event_line_outside_the_range_is_rejected_at_its_line_and_the_rest_imported(
    database: str, tmp_path: Path, shape: str, jobs: str
) -> None:
    good, far, early = "2026-03-02T09:00:00Z", OUTSIDE[0], OUTSIDE[1]
    path = tmp_path / f"events.{shape}"
    if shape == "jsonl":
        path.write_text(
            event_line("e1", "T-1", "created", good, customer="acme", priority="P1")
            + event_line("e2", "T-1", "responded", far)
            + event_line("e3", "T-2", "created", early, customer="acme", priority="P1")
        )
    else:
        path.write_text(
            "id,ticket,type,at,customer,priority\n"
            f"e1,T-1,created,{good},acme,P1\n"
            f"e2,T-1,responded,{far},,\n"
            f"e3,T-2,created,{early},acme,P1\n"
        )
    result = cli(
        "events", "import", str(path), "--now", NOW, "--jobs", jobs, "--database-url", database
    )
    assert result.exit_code == 1, result.output
    field, line = ("at", 2) if shape == "jsonl" else ("timestamp", 3)  # CSV: the header is line 1
    assert f"{path}:{line}: {field} {far!r} {RANGE}" in result.stderr, result.output
    assert f"{path}:{line + 1}: {field} {early!r} {RANGE}" in result.stderr, result.output
    assert [row["event_id"] for row in stored_rows(database)["events"]] == ["e1"]


def test_an_outage_line_outside_the_range_is_rejected_at_its_line(
    database: str, tmp_path: Path
) -> None:
    path = tmp_path / "outages.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "O-1",
                "service": "email",
                "start": "2026-03-01T00:00:00Z",
                "end": "2026-03-01T01:00:00Z",
            }
        )
        + "\n"
        + json.dumps(
            {"id": "O-2", "service": "email", "start": "2026-03-01T00:00:00Z", "end": OUTSIDE[0]}
        )
        + "\n"
        + json.dumps(
            {"id": "O-3", "service": "email", "start": OUTSIDE[1], "end": "2026-03-01T00:00:00Z"}
        )
        + "\n"
    )
    result = cli("outages", "import", str(path), "--database-url", database)
    assert f"{path}:2: timestamp {OUTSIDE[0]!r} {RANGE}" in result.stderr, result.output
    assert f"{path}:3: timestamp {OUTSIDE[1]!r} {RANGE}" in result.stderr, result.output
    assert [row["outage_id"] for row in stored_rows(database)["outages"]] == ["O-1"]


def test_a_servicenow_row_outside_the_range_is_rejected_at_its_line(
    database: str, tmp_path: Path
) -> None:
    path = tmp_path / "incidents.csv"
    path.write_text(
        SERVICENOW_HEADER
        + servicenow_row("INC1", "1/3/2026 09:00", "1/3/2026 09:05")
        + servicenow_row("INC2", "31/12/9999 23:59", "31/12/9999 23:59")
        + servicenow_row("INC3", "1/1/0001 00:00", "1/1/0001 00:00")
    )
    result = cli(
        "import", "servicenow", str(path), "--timezone", "Pacific/Kiritimati", "--now", NOW,
        "--database-url", database,
    )  # fmt: skip
    assert f"{path}:3: timestamp '31/12/9999 23:59' {RANGE}" in result.stderr, result.output
    assert f"{path}:4: timestamp '1/1/0001 00:00' {RANGE}" in result.stderr, result.output
    assert {row["id"] for row in stored_rows(database)["tickets"]} == {"INC1"}
