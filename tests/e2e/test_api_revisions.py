"""Applying definitions over HTTP: the preview, the re-measure choice and the audit log.

On SQLite and PostgreSQL; the stored tickets are two P1 tickets of the test
definitions (resolution 8 h) created before a revision that changes it to 2 h.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.api_support import Api, created, iso, running_api
from tests.streams import HOUR, START

TWO_HOURS = """
timezone: UTC
calendars: {}
agreements:
  - id: corporate
    level: corporate
    title: Corporate
    pause_on: [waiting_on_customer]
    objectives:
      - {id: fr-p1, metric: first_response, when: {priority: P1}, target: 1h, calendar: 24x7}
      - {id: fr, metric: first_response, when: {priority: [P2, P3, P4]}, target: 4h, calendar: 24x7}
      - {id: res, metric: resolution, target: 2h, calendar: 24x7, warn_at: [50%, 80%]}
"""


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running_api(database_url) as running:
        running.clock.at = START + 5 * HOUR
        running.post("/api/v1/events", {"events": [created("A1", "acme"), created("A2", "acme")]})
        yield running


def _post(api: Api, path: str, **params: object):
    return api.client.post(
        path,
        headers={**api.headers("admin"), "Content-Type": "application/yaml"},
        params={"effective_from": iso(START - HOUR), **params},
        content=TWO_HOURS,
    )


def _resolution(api: Api, ticket: str) -> dict[str, object]:
    clocks = api.get(f"/api/v1/tickets/{ticket}").json()["measurements"]
    return next(c for c in clocks if c["metric"] == "resolution")


def test_the_preview_says_what_would_change_and_stores_nothing(api: Api) -> None:
    preview = _post(api, "/api/v1/revisions/preview")
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["affected_tickets"], body["changed_tickets"]) == (2, 2)
    # Running under 8 h, breached under 2 h (at START + 2 h + 1 s, in May):
    assert [(r["period"], r["tickets"]) for r in body["rows"]] == [("2026-05", 2), ("open", 2)]
    assert len(api.get("/api/v1/revisions").json()["revisions"]) == 1


def test_without_a_choice_nothing_is_stored_and_the_answer_is_409(api: Api) -> None:
    refused = _post(api, "/api/v1/revisions")
    assert refused.status_code == 409
    assert refused.json()["code"] == "remeasure_choice_required"
    assert "2 stored ticket" in refused.json()["message"]
    assert len(api.get("/api/v1/revisions").json()["revisions"]) == 1
    assert _resolution(api, "A1")["target_seconds"] == 8 * HOUR


def test_re_measuring_moves_the_stored_tickets_and_is_audited_under_the_token_name(
    api: Api,
) -> None:
    applied = _post(api, "/api/v1/revisions", remeasure="true", comment="faster")
    assert applied.status_code == 201, applied.text
    assert (applied.json()["affected_tickets"], applied.json()["remeasured_tickets"]) == (2, 2)
    clock = _resolution(api, "A1")
    assert (clock["target_seconds"], clock["state"], clock["revision_id"]) == (
        2 * HOUR, "breached", 2,
    )  # fmt: skip
    entries = api.get("/api/v1/audit", action="definitions.applied").json()["entries"]
    assert [(e["actor"], e["subject"], e["reason"]) for e in entries][-1] == (
        "admin token", "revision 2", "faster",
    )  # fmt: skip
    assert entries[-1]["details"]["remeasured_tickets"] == "2"


def test_keeping_the_figures_leaves_the_stored_tickets_on_their_revision(api: Api) -> None:
    kept = _post(api, "/api/v1/revisions", remeasure="false")
    assert kept.status_code == 201
    assert (kept.json()["affected_tickets"], kept.json()["remeasured_tickets"]) == (2, 0)
    assert _resolution(api, "A1")["target_seconds"] == 8 * HOUR


def test_an_unknown_audit_action_is_a_404_naming_the_known_ones(api: Api) -> None:
    answer = api.get("/api/v1/audit", action="nope")
    assert answer.status_code == 404
    assert "definitions.applied" in answer.json()["message"]
