"""Encodings: malformed JSON bodies, undecodable lines, truncated gzip and NUL characters.

Every JSON body route answers a body it cannot read with the documented 400
``malformed_json``; a file import rejects an undecodable line or a truncated
``.gz`` at its ``file:line`` and keeps the rest; a NUL character in any text
is refused alike by the API and by imports into SQLite and PostgreSQL
(docs/security.md, "Encodings and malformed requests").
"""

from __future__ import annotations

import gzip
import json
import re
import secrets
from pathlib import Path

import pytest

from servanda.entrypoints.api.json_bodies import StrictJsonRoute
from tests.e2e.api_support import created, running_api
from tests.hostile.boundary import cli, stored_rows, with_small_definitions

MALFORMED = {
    "lone high surrogate": b'{"events": [{"id": "\\ud800"}]}',
    "lone low surrogate": b'{"outages": [], "x": "\\udc00"}',
    "invalid UTF-8": b'{"events": [{"id": "caf\xe9"}]}',
    "nested 1,000 deep": b"[" * 1000 + b"]" * 1000,
    "nested 2,000 deep": b'{"events": ' + b"[" * 2000 + b"]" * 2000 + b"}",
    "nested 40 deep in an item": b'{"events": [' + b'{"a": ' * 40 + b"1" + b"}" * 40 + b"]}",
    "5,000-digit number": b'{"events": [{"score": ' + b"9" * 5000 + b"}]}",
    "number beyond a double": b'{"events": [{"score": 1e400}]}',
    "NaN": b'{"events": [{"score": NaN}]}',
    "trailing garbage": b'{"events": []} {"events": []}',
    "cut short": b'{"events": [{"id": "e1"',
}
JSON_ROUTES = (
    "/api/v1/events",
    "/api/v1/outages",
    "/api/v1/webhooks",
    "/api/v1/periods/2026-03/close",
    "/api/v1/periods/2026-03/reopen",
    "/api/v1/revisions",
    "/api/v1/revisions/preview",
)


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_every_json_body_route_answers_a_malformed_body_with_malformed_json(
    database_url: str, body: bytes
) -> None:
    with running_api(database_url) as api:
        before = stored_rows(database_url)
        for path in JSON_ROUTES:
            answer = api.client.post(
                path,
                content=body,
                headers={**api.headers("admin"), "Content-Type": "application/json"},
            )
            assert answer.status_code == 400, (path, answer.text)
            error = answer.json()
            assert error["code"] == "malformed_json", (path, error)
            assert error["message"].startswith("the request body "), (path, error)
        assert stored_rows(database_url) == before


def test_a_surrogate_pair_is_one_character_and_is_stored(database_url: str) -> None:
    body = (
        b'{"events": [{"id": "e1", "ticket": "T-\\ud83d\\ude00", "type": "created",'
        b' "at": "2026-05-28T20:26:40Z", "customer": "acme", "priority": "P1"}]}'
    )
    with running_api(database_url) as api:
        answer = api.client.post(
            "/api/v1/events",
            content=body,
            headers={**api.headers("admin"), "Content-Type": "application/json"},
        )
        assert answer.json()["created"] == 1, answer.text
        assert api.get("/api/v1/tickets/T-\U0001f600").status_code == 200


def test_every_route_that_takes_a_body_reads_it_with_the_strict_decoder() -> None:
    from fastapi.routing import APIRoute

    from servanda.entrypoints.api.app import _root_router
    from servanda.entrypoints.api.routers import ROUTERS, metrics

    routers = [*ROUTERS, metrics.router, _root_router()]
    routes = [route for router in routers for route in router.routes if isinstance(route, APIRoute)]
    assert sum(route.body_field is not None for route in routes) >= 5
    lenient = [route.path for route in routes if not isinstance(route, StrictJsonRoute)]
    assert lenient == []


def test_an_empty_events_body_is_still_a_validation_error(database_url: str) -> None:
    with running_api(database_url) as api:
        answer = api.client.post(
            "/api/v1/events",
            content=b"{}",
            headers={**api.headers("admin"), "Content-Type": "application/json"},
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid_request"
        good = api.post("/api/v1/events", {"events": [created("T-1", "acme")]})
        assert good.json()["created"] == 1, good.text


# --- files: an undecodable line or a broken-off .gz is one rejected record ----------------------

NOW = "2026-06-01T00:00:00Z"
AT = "2026-05-28T20:26:40Z"
CSV_HEADER = "id,ticket,type,at,customer,priority\n"


def event_line(event_id: str, ticket: str, kind: str, **extra: str) -> bytes:
    record = {"id": event_id, "ticket": ticket, "type": kind, "at": AT, **extra}
    return json.dumps(record).encode() + b"\n"


def csv_line(event_id: str, ticket: str, kind: str, **extra: str) -> bytes:
    cells = [event_id, ticket, kind, AT, extra.get("customer", ""), extra.get("priority", "")]
    return ",".join(cells).encode() + b"\n"


def events_file(tmp_path: Path, shape: str, lines: list[bytes]) -> Path:
    """An events file of ``shape`` (``jsonl``, ``csv``, ``jsonl.gz``, ``csv.gz``) holding lines."""
    data = (CSV_HEADER.encode() if shape.startswith("csv") else b"") + b"".join(lines)
    path = tmp_path / f"events.{shape}"
    path.write_bytes(gzip.compress(data) if shape.endswith(".gz") else data)
    return path


def stored_event_ids(database: str) -> list[str]:
    return sorted(str(row["event_id"]) for row in stored_rows(database)["events"])


@pytest.fixture
def database(database_url: str) -> str:
    return with_small_definitions(database_url)


SHAPES = ["jsonl", "csv", "jsonl.gz", "csv.gz"]


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("shape", SHAPES)
def test_a_line_that_is_not_utf8_is_rejected_at_its_line_and_the_rest_imported(
    database: str, tmp_path: Path, shape: str, jobs: str
) -> None:
    line = csv_line if shape.startswith("csv") else event_line
    bad = line("e2", "T-2", "created", customer="acme", priority="P1").replace(b"acme", b"caf\xe9")
    path = events_file(
        tmp_path,
        shape,
        [
            line("e1", "T-1", "created", customer="acme", priority="P1"),
            bad,
            line("e3", "T-1", "responded"),
        ],
    )
    rejects = tmp_path / "rejects.txt"
    result = cli(
        "events", "import", str(path), "--now", NOW, "--jobs", jobs,
        "--reject-file", str(rejects), "--database-url", database,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    number = 3 if shape.startswith("csv") else 2
    column = bad.index(b"\xe9") + 1
    assert (
        f"{path}:{number}: the line is not UTF-8 text: byte 0xE9 at character {column} "
        "cannot be decoded (save the file as UTF-8)"
    ) in result.stderr, result.output
    assert "rejected: 1" in result.stdout, result.output
    assert stored_event_ids(database) == ["e1", "e3"]
    assert "caf\\xe9" in rejects.read_text(encoding="utf-8")


def truncated(data: bytes) -> bytes:
    """The gzip of ``data`` cut off in the middle of its compressed stream."""
    whole = gzip.compress(data)
    return whole[: len(whole) // 2]


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("shape", ["jsonl", "csv"])
def test_a_truncated_gzip_names_the_file_and_how_far_it_got_and_keeps_what_it_read(
    database: str, tmp_path: Path, shape: str, jobs: str
) -> None:
    line = csv_line if shape == "csv" else event_line
    rows = [
        line(f"e{n}-{secrets.token_hex(8)}", f"T-{n}", "created", customer="acme", priority="P1")
        for n in range(3000)
    ]
    header = CSV_HEADER.encode() if shape == "csv" else b""
    path = tmp_path / f"events.{shape}.gz"
    path.write_bytes(truncated(header + b"".join(rows)))
    result = cli(
        "events", "import", str(path), "--now", NOW, "--jobs", jobs, "--database-url", database
    )
    assert result.exit_code == 1, result.output
    found = re.search(
        rf"{re.escape(str(path))}:(\d+): the compressed file ends early or is damaged after "
        r"line (\d+) \(([\d,]+) bytes decompressed\): .+; the lines before it were read",
        result.stderr,
    )
    assert found is not None, result.output
    after = int(found[2])
    assert int(found[1]) == after + 1
    whole = after - len(header.splitlines())
    assert 0 < whole < len(rows)
    assert result.stderr.count("ends early") == 1, result.output
    expected = sorted(row.split(b",")[0].decode() if shape == "csv" else json.loads(row)["id"]
                      for row in rows[:whole])  # fmt: skip
    assert stored_event_ids(database) == expected


def test_outage_files_reject_an_undecodable_line_and_a_broken_off_gzip_by_line(
    database: str, tmp_path: Path
) -> None:
    def outage(outage_id: str, description: str = "") -> bytes:
        record = {"id": outage_id, "service": "email", "start": AT, "end": NOW}
        return json.dumps(record | {"description": description}).encode() + b"\n"

    plain = tmp_path / "outages.jsonl"
    plain.write_bytes(outage("O-1") + outage("O-2", "caf\xe9").replace(b"\\u00e9", b"\xe9"))
    padding = [outage(f"G-{n}", secrets.token_hex(16)) for n in range(3000)]
    broken = tmp_path / "more-outages.jsonl.gz"
    broken.write_bytes(truncated(b"".join(padding)))
    result = cli("outages", "import", str(plain), str(broken), "--database-url", database)
    assert f"{plain}:2: the line is not UTF-8 text: byte 0xE9" in result.stderr, result.output
    found = re.search(
        rf"{re.escape(str(broken))}:(\d+): the compressed file ends early or is damaged after "
        r"line (\d+)",
        result.stderr,
    )
    assert found is not None, result.output
    stored = {str(row["outage_id"]) for row in stored_rows(database)["outages"]}
    assert stored == {"O-1"} | {f"G-{n}" for n in range(int(found[2]))}


SERVICENOW_HEADER = (
    b"number,incident_state,reopen_count,sys_mod_count,caller_id,opened_at,sys_updated_at,"
    b"category,priority,assignment_group,contact_type,resolved_at,closed_at\n"
)


def servicenow_row(number: str, caller: bytes = b"acme") -> bytes:
    return (
        number.encode() + b",New,0,0," + caller + b",1/3/2026 09:00,1/3/2026 09:05,"
        b"email,2 - High,Group 1,Phone,?,?\n"
    )


def test_a_servicenow_log_rejects_an_undecodable_row_and_a_broken_off_gzip_by_line(
    database: str, tmp_path: Path
) -> None:
    rows = [servicenow_row(f"INC{n}") for n in range(3000)]
    rows[1] = servicenow_row("INC1", b"caf\xe9")
    path = tmp_path / "incidents.csv.gz"
    path.write_bytes(truncated(SERVICENOW_HEADER + b"".join(rows)))
    result = cli("import", "servicenow", str(path), "--now", NOW, "--database-url", database)
    assert f"{path}:3: the line is not UTF-8 text: byte 0xE9" in result.stderr, result.output
    found = re.search(
        rf"{re.escape(str(path))}:(\d+): the compressed file ends early or is damaged after "
        r"line (\d+)",
        result.stderr,
    )
    assert found is not None, result.output
    tickets = {str(row["id"]) for row in stored_rows(database)["tickets"]}
    whole = int(found[2]) - 1  # the header is line 1
    assert tickets == {f"INC{n}" for n in range(whole)} - {"INC1"}


# --- NUL: refused alike by the API and by every import, on SQLite and PostgreSQL ----------------

NUL_MESSAGE = "customer holds a NUL character (U+0000), which no text may contain"


def test_a_nul_in_any_text_of_an_event_is_refused_by_the_api(database_url: str) -> None:
    items = [
        created("T-1", "ac\x00me"),
        created("T-2", "acme", fields={"chan\x00nel": "phone"}),
        created("T-3", "acme", fields={"channel": "ph\x00one"}),
        created("T-4", "acme") | {"id": "T-4\x00created"},
        created("T-5", "acme"),
    ]
    with running_api(database_url) as api:
        answer = api.post("/api/v1/events", {"events": items})
        assert answer.status_code == 200, answer.text
        results = answer.json()["results"]
        assert [r["status"] for r in results] == ["rejected"] * 4 + ["created"]
        assert [r["reason"] for r in results[:4]] == [
            NUL_MESSAGE,
            "a name in fields holds a NUL character (U+0000), which no text may contain",
            "fields.channel holds a NUL character (U+0000), which no text may contain",
            "id holds a NUL character (U+0000), which no text may contain",
        ]
        outage = {"service": "email", "start": AT, "end": NOW}
        answer = api.post(
            "/api/v1/outages",
            {
                "outages": [
                    outage | {"id": "O-1", "description": "power\x00cut"},
                    outage | {"id": "O-2", "customers": ["ac\x00me"]},
                    outage | {"id": "O-3"},
                ]
            },
        )
        results = answer.json()["results"]
        assert [r["status"] for r in results] == ["rejected", "rejected", "created"], results
        assert results[0]["reason"] == (
            "description holds a NUL character (U+0000), which no text may contain"
        )
        assert results[1]["reason"] == (
            "customers holds a NUL character (U+0000), which no text may contain"
        )
    rows = stored_rows(database_url)
    assert [row["event_id"] for row in rows["events"]] == ["T-5-created"]
    assert [row["outage_id"] for row in rows["outages"]] == ["O-3"]


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("shape", ["jsonl", "csv"])
def test_a_nul_in_an_imported_event_is_rejected_at_its_line_and_the_rest_imported(
    database: str, tmp_path: Path, shape: str, jobs: str
) -> None:
    line = csv_line if shape == "csv" else event_line
    path = events_file(
        tmp_path,
        shape,
        [
            line("e1", "T-1", "created", customer="acme", priority="P1"),
            line("e2", "T-2", "created", customer="ac\x00me", priority="P1"),
            line("e3", "T-1", "responded"),
        ],
    )
    assert (b"\\u0000" if shape == "jsonl" else b"\x00") in path.read_bytes()
    result = cli(
        "events", "import", str(path), "--now", NOW, "--jobs", jobs, "--database-url", database
    )
    assert result.exit_code == 1, result.output
    number = 3 if shape == "csv" else 2
    assert f"{path}:{number}: {NUL_MESSAGE}" in result.stderr, result.output
    assert stored_event_ids(database) == ["e1", "e3"]


def test_a_nul_in_an_imported_outage_or_servicenow_row_is_rejected_at_its_line(
    database: str, tmp_path: Path
) -> None:
    outages = tmp_path / "outages.csv"
    outages.write_bytes(
        b"id,service,start,end,customers\n"
        + f"O-1,email,{AT},{NOW},acme\n".encode()
        + f"O-2,email,{AT},{NOW},ac\x00me\n".encode()
    )
    result = cli("outages", "import", str(outages), "--database-url", database)
    assert (
        f"{outages}:3: customers holds a NUL character (U+0000), which no text may contain"
        in result.stderr
    ), result.output
    assert [row["outage_id"] for row in stored_rows(database)["outages"]] == ["O-1"]
    log = tmp_path / "incidents.csv"
    log.write_bytes(
        SERVICENOW_HEADER + servicenow_row("INC1") + servicenow_row("INC2", b"ac\x00me")
    )
    result = cli("import", "servicenow", str(log), "--now", NOW, "--database-url", database)
    assert (
        f"{log}:3: caller_id holds a NUL character (U+0000), which no text may contain"
        in result.stderr
    ), result.output
    assert {row["id"] for row in stored_rows(database)["tickets"]} == {"INC1"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tickets/a%00b",
        "/api/v1/tickets?customer=a%00b",
        "/api/v1/clocks?customer=a%00b",
        "/api/v1/reports/compliance?period=2026-03&customer=a%00b",
        "/api/v1/periods?customer=a%00b",
        "/api/v1/audit?action=a%00b",
    ],
)
def test_a_nul_in_a_url_is_the_same_client_error_on_every_database(
    database_url: str, url: str
) -> None:
    with running_api(database_url) as api:
        answer = api.client.get(url, headers=api.headers("admin"))
        assert answer.status_code == 422, answer.text
        assert answer.json() == {
            "code": "invalid_request",
            "message": "the URL holds a NUL character (%00), which no text may contain",
            "errors": [],
        }
