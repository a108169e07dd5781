"""Webhook and revision input the API refuses before storing anything (SQLite, PostgreSQL):
credentials in a webhook URL, an unknown customer, a secret with control characters, file
names that look like paths, and definitions without any agreement."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.api_support import Api, running_api

SECRET = "a-long-enough-signing-secret"
CUSTOMER_DEFINITIONS = """
timezone: UTC
customers:
  acme: {name: ACME}
agreements:
  - id: corporate
    level: corporate
    title: Corporate
    objectives:
      - {metric: resolution, target: 8h, calendar: 24x7}
"""


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running_api(database_url) as running:
        yield running


def _subscriptions(api: Api) -> list[object]:
    return api.get("/api/v1/webhooks").json()["subscriptions"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"url": "https://user:pw@hooks.example/sla"}, "user name or password"),
        ({"url": "https://token@hooks.example/sla"}, "user name or password"),
        ({"secret": "sixteen-chars-ok\x07bell"}, "control character"),
        ({"secret": "tab\there-is-long-enough"}, "control character"),
        ({"customer": "nobody"}, "no customer 'nobody'"),
    ],
)
def test_a_bad_subscription_is_a_422_and_stores_nothing(api: Api, body, says) -> None:
    answer = api.post(
        "/api/v1/webhooks",
        {"url": "https://hooks.example/sla", "events": ["breach"], "secret": SECRET} | body,
    )
    assert answer.status_code == 422, answer.text
    assert says in answer.json()["message"]
    assert _subscriptions(api) == []


def test_a_subscription_for_a_known_customer_is_stored(api: Api) -> None:
    applied = api.post(
        "/api/v1/revisions", {"files": {"d.yaml": CUSTOMER_DEFINITIONS}, "remeasure": False}
    )
    assert applied.status_code == 201, applied.text
    made = api.post(
        "/api/v1/webhooks",
        {"url": "https://hooks.example/sla", "events": ["breach"], "secret": SECRET,
         "customer": "acme"},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    [stored] = _subscriptions(api)
    assert stored == made.json()
    assert (stored["customer"], stored["url"], stored["events"]) == (  # type: ignore[index]
        "acme",
        "https://hooks.example/sla",
        ["breach"],
    )


@pytest.mark.parametrize(
    "name", ["../evil.yaml", "a/b.yaml", "a\\\\b.yaml", ".hidden.yaml", "bell\x07.yaml", ""]
)
def test_a_file_name_that_is_a_path_is_refused(api: Api, name: str) -> None:
    answer = api.post("/api/v1/revisions", {"files": {name: CUSTOMER_DEFINITIONS}})
    assert answer.status_code == 422, answer.text
    assert len(api.get("/api/v1/revisions").json()["revisions"]) == 1


def test_definitions_without_any_agreement_need_allow_empty(api: Api) -> None:
    empty = {"files": {"empty.yaml": "timezone: UTC\n"}, "remeasure": False}
    refused = api.post("/api/v1/revisions", empty)
    assert refused.status_code == 422
    assert "no agreement" in refused.text
    assert len(api.get("/api/v1/revisions").json()["revisions"]) == 1
    allowed = api.post("/api/v1/revisions", {**empty, "allow_empty": True})
    assert allowed.status_code == 201, allowed.text
