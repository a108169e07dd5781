"""A refused write stores nothing: every write route of the API and the definitions commands.

``effective_from`` outside the supported instants was stored as a revision (1900,
2500) or answered 500 (year 10000 once shown); it is now a 422 (API) or a usage
error (CLI) before anything is read or stored. Every other write route
(webhooks, periods, events, outages, revisions) was reviewed for "stored, then
failed": each validates before it writes and writes in one transaction with its
audit entry; a refusal of each is pinned here. Each case asserts the refusal,
no traceback, and every stored row unchanged, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.api_support import Api, running_api
from tests.hostile.stored import stored_rows

DEFINITIONS = """\
timezone: Europe/Berlin
customers:
  acme: {name: ACME}
agreements:
  - id: corporate
    level: corporate
    title: Corporate
    objectives:
      - {metric: resolution, target: 6h, calendar: 24x7}
"""

OUT_OF_RANGE = [
    "1900-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z",
    "2500-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+01:00",
]


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running_api(database_url) as running:
        yield running


def _refused(answer: object, status: int = 422) -> dict[str, object]:
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    assert "Traceback" not in answer.text  # type: ignore[attr-defined]
    body: dict[str, object] = answer.json()  # type: ignore[attr-defined]
    return body


@pytest.mark.parametrize("instant", OUT_OF_RANGE)
def test_effective_from_out_of_range_in_the_query_is_a_422_that_stores_nothing(
    api: Api, database_url: str, instant: str
) -> None:
    before = stored_rows(database_url)
    answer = api.client.post(
        "/api/v1/revisions",
        params={"effective_from": instant, "remeasure": "false"},
        headers=api.headers("admin"),
        json={"files": {"d.yaml": DEFINITIONS}},
    )
    body = _refused(answer)
    (issue,) = body["errors"]  # type: ignore[misc]
    assert issue["location"] == "effective_from"
    assert issue["code"] == "instant_out_of_range"
    assert "1970-01-01T00:00:00Z to 2199-12-31T23:59:59Z" in issue["message"]
    assert stored_rows(database_url) == before
    assert api.get("/api/v1/revisions").status_code == 200


@pytest.mark.parametrize("instant", OUT_OF_RANGE[::2])
def test_effective_from_out_of_range_in_the_body_is_a_422_that_stores_nothing(
    api: Api, database_url: str, instant: str
) -> None:
    before = stored_rows(database_url)
    answer = api.post(
        "/api/v1/revisions",
        {"files": {"d.yaml": DEFINITIONS}, "effective_from": instant, "remeasure": False},
    )
    assert _refused(answer)["errors"][0]["code"] == "instant_out_of_range"  # type: ignore[index]
    assert stored_rows(database_url) == before


@pytest.mark.parametrize("instant", OUT_OF_RANGE[1::2])
def test_a_preview_effective_from_out_of_range_is_a_422(
    api: Api, database_url: str, instant: str
) -> None:
    before = stored_rows(database_url)
    answer = api.client.post(
        "/api/v1/revisions/preview",
        params={"effective_from": instant},
        headers=api.headers("admin"),
        json={"files": {"d.yaml": DEFINITIONS}},
    )
    assert _refused(answer)["errors"][0]["code"] == "instant_out_of_range"  # type: ignore[index]
    assert stored_rows(database_url) == before


def test_the_ends_of_the_range_are_accepted(api: Api) -> None:
    first = api.post(
        "/api/v1/revisions",
        {"files": {"d.yaml": DEFINITIONS}, "effective_from": "1970-01-01T00:00:00Z",
         "remeasure": False},
    )  # fmt: skip
    assert first.status_code == 201, first.text
    last = api.post(
        "/api/v1/revisions",
        {"files": {"d.yaml": DEFINITIONS.replace("6h", "7h")},
         "effective_from": "2199-12-31T23:59:59Z", "remeasure": False},
    )  # fmt: skip
    assert last.status_code == 201, last.text
    shown = [r["effective_from"] for r in api.get("/api/v1/revisions").json()["revisions"]]
    assert shown[-2:] == ["1970-01-01T00:00:00+00:00", "2199-12-31T23:59:59+00:00"]


def servanda(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "servanda", *args], capture_output=True, text=True, check=False
    )


def words(text: str) -> str:
    """A usage error's text without the frame click draws around it and its line breaks."""
    return " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize(
    "given", ["1969-12-31", "2200-01-01", "1900-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00"]
)
def test_definitions_apply_effective_from_out_of_range_is_a_usage_error(
    database_url: str, tmp_path: Path, given: str
) -> None:
    with running_api(database_url):  # migrated, with a first revision
        pass
    before = stored_rows(database_url)
    path = tmp_path / "d.yaml"
    path.write_text(DEFINITIONS, encoding="utf-8")
    result = servanda(
        "definitions", "apply", str(path), "--effective-from", given, "--no-remeasure",
        "--database-url", database_url,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "--effective-from" in result.stderr
    assert "is outside the supported" in words(result.stderr)
    assert stored_rows(database_url) == before
    history = servanda("definitions", "history", "--database-url", database_url)
    assert history.returncode == 0, history.stderr


@pytest.mark.parametrize(
    ("command", "hint"),
    [
        (["definitions", "explain", "{path}", "--at", "1969-12-31"], "--at"),
        (["definitions", "explain", "{path}", "--at", "2200-01-01"], "--at"),
        (["calendar", "add", "1900-01-01T00:00:00Z", "4h", "--definitions", "{path}",
          "--calendar", "24x7"], "START"),
        (["calendar", "between", "2026-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00",
          "--definitions", "{path}", "--calendar", "24x7"], "END"),
    ],
)  # fmt: skip
def test_a_date_option_of_the_definitions_commands_out_of_range_is_a_usage_error(
    tmp_path: Path, command: list[str], hint: str
) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(DEFINITIONS, encoding="utf-8")
    result = servanda(*(part.replace("{path}", str(path)) for part in command))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert hint in result.stderr
    assert "is outside the supported" in words(result.stderr)


HOOK = {"url": "https://hooks.example/sla", "events": ["breach"], "secret": "sixteen-chars-or-more"}


@pytest.mark.parametrize(
    ("method", "path", "body", "who", "status"),
    [
        ("post", "/api/v1/webhooks", HOOK | {"customer": "nobody"}, "admin", 422),
        ("post", "/api/v1/webhooks", HOOK | {"url": "https://u:p@hooks.example/"}, "admin", 422),
        ("post", "/api/v1/webhooks", HOOK, "integration", 403),
        ("delete", "/api/v1/webhooks/999", None, "admin", 404),
        ("post", "/api/v1/periods/1900-01/close", {"reason": "x"}, "admin", 422),
        ("post", "/api/v1/periods/2026-05/close", {"customer": "nobody"}, "admin", 404),
        ("post", "/api/v1/periods/2026-05/reopen", {"reason": ""}, "admin", 400),
        ("post", "/api/v1/periods/2026-05/reopen", {"reason": "late fix"}, "admin", 404),
        ("post", "/api/v1/events", {"events": [{}] * 1001}, "integration", 413),
        ("post", "/api/v1/events", {"events": []}, "acme", 403),
        ("post", "/api/v1/outages", {"outages": [{}] * 1001}, "integration", 413),
        ("post", "/api/v1/revisions", {"files": {"d.yaml": "agreements: ["}}, "admin", 422),
        ("post", "/api/v1/revisions", {"files": {"d.yaml": DEFINITIONS}}, "viewer", 403),
    ],
)  # fmt: skip
def test_every_write_route_that_refuses_stores_nothing(
    api: Api, database_url: str, method: str, path: str, body: object, who: str, status: int
) -> None:
    before = stored_rows(database_url)
    if method == "delete":
        answer = api.client.delete(path, headers=api.headers(who))
    else:
        answer = api.post(path, body, who)
    assert answer.status_code == status, answer.text
    assert "Traceback" not in answer.text
    assert set(answer.json()) == {"code", "message", "errors"}
    assert stored_rows(database_url) == before


def test_a_revision_that_needs_a_remeasure_choice_stores_nothing(
    api: Api, database_url: str
) -> None:
    from tests.e2e.api_support import created

    stored = api.post("/api/v1/events", {"events": [created("T-1", "acme")]}, "integration")
    assert stored.status_code == 200, stored.text
    before = stored_rows(database_url)
    answer = api.post(
        "/api/v1/revisions",
        {"files": {"d.yaml": DEFINITIONS}, "effective_from": "2020-01-01T00:00:00Z"},
    )
    assert _refused(answer, 409)["code"] == "remeasure_choice_required"
    assert stored_rows(database_url) == before
