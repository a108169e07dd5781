"""The events endpoint and ticket reads over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.api_support import Api, created, iso, running_api
from tests.streams import HOUR, START


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running_api(database_url) as running:
        yield running


def test_a_batch_reports_created_duplicate_and_rejected_per_item(api: Api) -> None:
    first = created("T1", "acme")
    response = api.post(
        "/api/v1/events",
        {
            "events": [
                first,
                first,
                {"id": "x", "ticket": "T1", "type": "exploded", "at": iso(START)},
                {**first, "priority": "P2"},
                7,
            ]
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert [r["status"] for r in body["results"]] == [
        "created",
        "duplicate",
        "rejected",
        "rejected",
        "rejected",
    ]
    assert "unknown type 'exploded'" in body["results"][2]["reason"]
    assert "already taken" in body["results"][3]["reason"]
    assert (body["received"], body["created"], body["duplicates"], body["rejected"]) == (5, 1, 1, 3)


def test_posting_the_same_batch_again_stores_nothing_new(api: Api) -> None:
    batch = {"events": [created("T1", "acme"), created("T2", "globex")]}
    assert api.post("/api/v1/events", batch).json()["created"] == 2
    again = api.post("/api/v1/events", batch).json()
    assert (again["created"], again["duplicates"]) == (0, 2)
    with api.storage.uow_factory() as uow:
        assert uow.events.count() == 2


def test_a_ticket_shows_its_clocks_and_a_timeline_of_events_and_transitions(api: Api) -> None:
    api.post("/api/v1/events", {"events": [created("T1", "acme")]})
    body = api.get("/api/v1/tickets/T1").json()
    assert body["customer"] == "acme"
    states = {m["key"]: m["state"] for m in body["measurements"]}
    assert states == {"first_response:0": "breached", "resolution:0": "running"}
    kinds = [(entry["kind"], entry["type"]) for entry in body["timeline"]]
    assert kinds == [("event", "created"), ("transition", "breached")]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b'{"events": "many"}', 422, "invalid_request"),
        (b'{"events": [], "extra": 1}', 422, "invalid_request"),
        (b"[]", 422, "invalid_request"),
    ],
)
def test_unreadable_bodies_are_refused_with_a_code_and_a_message(
    api: Api, body: bytes, status: int, code: str
) -> None:
    response = api.client.post(
        "/api/v1/events",
        content=body,
        headers=api.headers("integration") | {"Content-Type": "application/json"},
    )
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_a_batch_over_the_limit_is_refused_whole(api: Api) -> None:
    events = [created(f"T{i}", "acme") for i in range(1001)]
    response = api.post("/api/v1/events", {"events": events})
    assert response.status_code == 413
    assert response.json()["code"] == "batch_too_large"
    with api.storage.uow_factory() as uow:
        assert uow.events.count() == 0


def test_a_timestamp_without_offset_is_rejected_with_the_reason(api: Api) -> None:
    event = created("T1", "acme") | {"at": "2026-05-28T20:26:40"}
    result = api.post("/api/v1/events", {"events": [event]}).json()["results"][0]
    assert result["status"] == "rejected"
    assert "no UTC offset" in result["reason"]


def test_an_oversized_body_is_refused_before_it_is_read(api: Api) -> None:
    response = api.client.post(
        "/api/v1/events",
        content=b" " * (9 * 1024 * 1024),
        headers=api.headers("admin") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


def test_clocks_are_sorted_by_deadline_and_filtered_by_state(api: Api) -> None:
    api.post(
        "/api/v1/events",
        {
            "events": [
                created("EARLY", "acme", at=START - 5 * HOUR, priority="P3"),
                created("LATE", "globex", at=START, priority="P3"),
            ]
        },
    )
    page = api.get("/api/v1/clocks", state="running").json()
    deadlines = [item["deadline"] for item in page["items"]]
    assert deadlines == sorted(deadlines)
    assert {item["ticket"] for item in page["items"]} == {"EARLY", "LATE"}
    at_risk = api.get("/api/v1/clocks", state="at_risk").json()["items"]
    assert [(c["ticket"], c["key"]) for c in at_risk] == [("EARLY", "resolution:0")]


def test_clocks_page_with_a_next_offset_until_the_last_page(api: Api) -> None:
    api.post("/api/v1/events", {"events": [created(f"T{i}", "acme") for i in range(3)]})
    first = api.get("/api/v1/clocks", limit=4).json()
    assert (len(first["items"]), first["next_offset"]) == (4, 4)
    rest = api.get("/api/v1/clocks", limit=4, offset=4).json()
    assert (len(rest["items"]), rest["next_offset"]) == (2, None)


def test_health_answers_without_a_token(api: Api) -> None:
    assert api.client.get("/healthz").json()["status"] == "ok"


def test_the_interactive_docs_load_only_bundled_assets(api: Api) -> None:
    page = api.client.get("/docs").text
    assert "http://" not in page
    assert "https://" not in page
    assert "/docs/static/swagger-ui-bundle.js" in page
    assert api.client.get("/docs/static/swagger-ui-bundle.js").status_code == 200
    assert api.client.get("/docs/static/swagger-ui.css").status_code == 200


def test_a_name_longer_than_storage_keeps_is_rejected_alone(api: Api) -> None:
    long_id = created("T1", "acme") | {"id": "x" * 201}
    results = api.post("/api/v1/events", {"events": [long_id, created("T2", "acme")]}).json()
    assert [r["status"] for r in results["results"]] == ["rejected", "created"]
    assert "longer than 200" in results["results"][0]["reason"]


def test_outages_report_created_duplicate_and_rejected_per_item(api: Api) -> None:
    outage = {"id": "o1", "service": "email", "start": iso(START), "end": iso(START + HOUR)}
    backwards = outage | {"id": "o2", "end": iso(START - HOUR)}
    body = api.post("/api/v1/outages", {"outages": [outage, outage, backwards]}, who="integration")
    assert [r["status"] for r in body.json()["results"]] == ["created", "duplicate", "rejected"]
    again = api.post("/api/v1/outages", {"outages": [outage | {"weight": "0.5"}]}).json()
    assert again["results"][0]["status"] == "rejected"


def test_webhook_subscriptions_never_show_their_secret(api: Api) -> None:
    secret = "a-long-enough-signing-secret"
    made = api.post(
        "/api/v1/webhooks",
        {"url": "http://127.0.0.1:9/hook", "events": ["breach", "met"], "secret": secret},
    )
    assert made.status_code == 201
    assert made.json()["events"] == ["breach", "met"]
    listed = api.get("/api/v1/webhooks", who="viewer")
    assert secret not in made.text + listed.text
    stopped = api.client.delete(
        f"/api/v1/webhooks/{made.json()['id']}", headers=api.headers("admin")
    )
    assert stopped.json()["active"] is False
    wrong = api.post(
        "/api/v1/webhooks", {"url": "ftp://x.example/a", "events": ["breach"], "secret": secret}
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "invalid_request")
