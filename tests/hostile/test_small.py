"""The small ones: HEAD on every GET route, imports that never split a ticket, ``--notify``.

On SQLite and PostgreSQL (the ``database_url`` fixture).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.routing import iter_route_contexts

from tests.e2e.api_support import Api, created, running_api

# A value for each path parameter of the API, so every GET route answers for a real thing.
PATH_VALUES = {"ticket_id": "T1", "kind": "compliance", "period": "2026-03"}
# Query strings a route needs to answer 200 rather than 422.
QUERIES = {"/api/v1/reports/{kind}": {"period": "2026-03"}}
STATIC_FILE = "/docs/static/swagger-ui.css"


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running_api(database_url) as running:
        running.post("/api/v1/events", {"events": [created("T1", "acme")]})
        yield running


def get_routes(api: Api) -> list[str]:
    """Every path the app answers GET on (path parameters filled in), the static mount's
    files included: walked from the app itself, so a new route is covered without a change
    here."""
    paths: list[str] = []
    for route in iter_route_contexts(api.client.app.routes):
        methods = route.methods
        if methods is None:  # a mount: the bundled Swagger UI files
            paths.append(STATIC_FILE)
        elif "GET" in methods:
            paths.append(route.path.format(**PATH_VALUES))
    return paths


def test_head_answers_like_get_on_every_get_route_without_a_body(api: Api) -> None:
    paths = get_routes(api)
    assert {"/healthz", "/api/v1/tickets/T1", "/metrics", STATIC_FILE} <= set(paths)
    assert len(paths) >= 15
    for who in ("admin", "acme", "nobody"):
        for path in paths:
            params = QUERIES.get(path.replace("compliance", "{kind}"))
            got = api.client.get(path, headers=api.headers(who), params=params)
            head = api.client.head(path, headers=api.headers(who), params=params)
            assert head.status_code == got.status_code, (who, path, head.status_code)
            assert head.headers == got.headers, (who, path)
            assert head.content == b"", (who, path)
            assert int(head.headers["content-length"]) == len(got.content), (who, path)
    assert api.client.head("/healthz").status_code == 200


def test_head_on_a_route_without_get_is_still_refused(api: Api) -> None:
    answer = api.client.head("/api/v1/events", headers=api.headers("admin"))
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.content == b""
