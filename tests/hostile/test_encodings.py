"""Encodings: malformed JSON bodies, undecodable lines, truncated gzip and NUL characters.

Every JSON body route answers a body it cannot read with the documented 400
``malformed_json``; a file import rejects an undecodable line or a truncated
``.gz`` at its ``file:line`` and keeps the rest; a NUL character in any text
is refused alike by the API and by imports into SQLite and PostgreSQL
(docs/security.md, "Encodings and malformed requests").
"""

from __future__ import annotations

import pytest

from servanda.entrypoints.api.json_bodies import StrictJsonRoute
from tests.e2e.api_support import created, running_api
from tests.hostile.boundary import stored_rows

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
