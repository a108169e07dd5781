"""Unknown values over HTTP (warnings, ``?strict=true``, declared vocabularies) and the list of
tickets without a clock, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from servanda.domain.agreements import (
    Agreement,
    Condition,
    Definitions,
    Level,
    Metric,
    Objective,
    Service,
    Vocabulary,
)
from servanda.services.revisions import apply_definitions
from servanda.specs.snapshot import content_hash
from tests.e2e.api_support import Api, created, iso, running_api
from tests.streams import HOUR, START, small_definitions


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running_api(database_url) as running:
        yield running


def apply(api: Api, definitions: Definitions) -> None:
    """Store ``definitions`` as the revision measuring every ticket from now on."""
    apply_definitions(
        api.storage.uow_factory, definitions, fingerprint=content_hash, now=START, effective_from=0
    )


def priority_only(vocabulary: Vocabulary | None = None) -> Definitions:
    """Every objective names a priority, and one service is defined."""
    p1 = (Condition("priority", frozenset({"P1", "P2"})),)
    corporate = Agreement(
        "corp",
        Level.CORPORATE,
        "Corporate",
        (
            Objective("fr", Metric.FIRST_RESPONSE, p1, target_seconds=HOUR),
            Objective("res", Metric.RESOLUTION, p1, target_seconds=8 * HOUR),
        ),
        pause_on=frozenset({"waiting_on_customer"}),
    )
    return replace(
        small_definitions(),
        agreements=(corporate,),
        services={"email": Service("email", "Managed Email")},
        vocabulary=vocabulary or Vocabulary(),
    )


def test_an_unknown_priority_is_stored_with_a_warning_naming_the_likely_one(api: Api) -> None:
    response = api.post("/api/v1/events", {"events": [created("CS-1002", "acme", priority="p2")]})
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["status"] == "created"
    assert result["warnings"] == [
        {
            "code": "unknown_priority",
            "severity": "warning",
            "attribute": "priority",
            "value": "p2",
            "message": "priority 'p2' matches no objective at any level: only objectives that "
            "name no priority apply (did you mean 'P2'?)",
        }
    ]
    assert api.get("/api/v1/tickets/CS-1002").status_code == 200


def test_known_values_carry_no_warnings(api: Api) -> None:
    [result] = api.post("/api/v1/events", {"events": [created("T1", "acme")]}).json()["results"]
    assert (result["status"], result["warnings"]) == ("created", [])


def test_strict_rejects_the_items_with_unknown_values_and_stores_the_others(api: Api) -> None:
    events = [
        created("T1", "acme"),
        created("T2", "acme", priority="p2"),
        {"id": "T1-s", "ticket": "T1", "type": "status_changed", "at": iso(START + 60),
         "status": "waiting_on_custmer"},
    ]  # fmt: skip
    response = api.post("/api/v1/events?strict=true", {"events": events})
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["created", "rejected", "rejected"]
    assert body["results"][1]["reason"] == (
        "unknown values refused (strict): priority 'p2' matches no objective at any level: only "
        "objectives that name no priority apply (did you mean 'P2'?)"
    )
    assert [w["code"] for w in body["results"][2]["warnings"]] == ["unknown_status"]
    assert (body["created"], body["rejected"]) == (1, 2)
    assert api.get("/api/v1/tickets/T2").status_code == 404  # nothing of it was written
    timeline = api.get("/api/v1/tickets/T1").json()["timeline"]
    assert [entry["type"] for entry in timeline if entry["kind"] == "event"] == ["created"]


def test_a_value_outside_a_declared_vocabulary_is_rejected_without_strict(api: Api) -> None:
    apply(api, priority_only(Vocabulary(priorities=frozenset({"P1", "P2", "P3"}))))
    events = [created("T1", "acme", priority="P3"), created("T2", "acme", priority="p2")]
    body = api.post("/api/v1/events", {"events": events}).json()
    assert [r["status"] for r in body["results"]] == ["created", "rejected"]
    assert body["results"][1]["reason"] == (
        "priority 'p2' is not in vocabulary.priorities (P1, P2, P3); did you mean 'P2'?"
    )
    assert body["results"][1]["warnings"][0]["severity"] == "error"


def test_an_outage_for_an_undefined_service_warns_and_strict_rejects_it(api: Api) -> None:
    apply(api, priority_only())
    outage = {"id": "o1", "service": "emial", "start": iso(START), "end": iso(START + HOUR)}
    strict = api.post("/api/v1/outages?strict=true", {"outages": [outage]}).json()
    assert strict["results"][0]["status"] == "rejected"
    stored = api.post("/api/v1/outages", {"outages": [outage]}).json()
    [result] = stored["results"]
    assert result["status"] == "created"
    assert result["warnings"][0]["code"] == "unknown_service"
    assert "did you mean 'email'?" in result["warnings"][0]["message"]


def _unmeasured_tickets(api: Api) -> None:
    apply(api, priority_only())
    events = [
        created("A-1", "acme"),  # P1: measured
        created("A-2", "acme", priority="p1"),  # matches nothing
        created("G-1", "globex", priority="P4"),  # matches nothing
        {"id": "X-r", "ticket": "X-1", "type": "responded", "at": iso(START)},  # no created
    ]
    api.post("/api/v1/events", {"events": events})


def test_tickets_without_a_clock_are_listed_with_the_reason(api: Api) -> None:
    _unmeasured_tickets(api)
    response = api.get("/api/v1/tickets", measured="false")
    assert response.status_code == 200
    body = response.json()
    assert [(t["id"], t["clocks"], t["unmeasured"]["code"]) for t in body["items"]] == [
        ("A-2", 0, "no_objective_matches"),
        ("G-1", 0, "no_objective_matches"),
        ("X-1", 0, "no_created_event"),
    ]
    assert body["items"][0]["unmeasured"]["message"] == (
        "no first_response, next_response or resolution objective matches customer 'acme', "
        "service 'email', priority 'p1' (unknown; did you mean 'P1'?)"
    )
    assert body["next_offset"] is None
    every = api.get("/api/v1/tickets").json()["items"]
    assert [(t["id"], t["clocks"], t["unmeasured"] is None) for t in every] == [
        ("A-1", 2, True),
        ("A-2", 0, False),
        ("G-1", 0, False),
        ("X-1", 0, False),
    ]


def test_the_tickets_list_pages_and_is_readable_by_the_roles_that_read_tickets(api: Api) -> None:
    _unmeasured_tickets(api)
    first = api.get("/api/v1/tickets", measured="false", limit=2).json()
    assert ([t["id"] for t in first["items"]], first["next_offset"]) == (["A-2", "G-1"], 2)
    everyone = api.get("/api/v1/tickets", measured="false").json()["items"]
    for who in ("admin", "integration", "viewer"):
        seen = api.get("/api/v1/tickets", who=who, measured="false")
        assert seen.status_code == 200, who
        assert seen.json()["items"] == everyone, who
    assert api.get("/api/v1/tickets", who="nobody").status_code == 401


def test_a_customer_token_lists_only_its_own_tickets(api: Api) -> None:
    _unmeasured_tickets(api)
    mine = api.get("/api/v1/tickets", who="globex", measured="false").json()["items"]
    assert [t["id"] for t in mine] == ["G-1"]
    other = api.get("/api/v1/tickets", who="globex", customer="acme").json()
    assert other["items"] == []


@pytest.mark.parametrize(
    "params",
    [{"measured": "maybe"}, {"limit": "0"}, {"limit": "501"}, {"offset": "-1"}, {"customer": ""}],
)
def test_bad_list_parameters_are_a_readable_422(api: Api, params: dict[str, str]) -> None:
    response = api.get("/api/v1/tickets", **params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def test_the_openapi_document_describes_warnings_strict_and_the_tickets_list(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    warning = components["ValueWarning"]
    codes = {
        "unknown_customer",
        "unknown_service",
        "unknown_priority",
        "unknown_status",
        "unknown_attribute_value",
        "created_before_definitions",
    }
    code_schema = warning["properties"]["code"]
    resolved = (
        components[code_schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in code_schema else code_schema
    )
    assert set(resolved["enum"]) == codes
    assert components["ItemResult"]["properties"]["warnings"]["items"]["$ref"].endswith(
        "/ValueWarning"
    )
    for path in ("/api/v1/events", "/api/v1/outages"):
        parameters = schema["paths"][path]["post"]["parameters"]
        assert [p["name"] for p in parameters] == ["strict"]
    listing = schema["paths"]["/api/v1/tickets"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"measured", "customer", "limit", "offset"}
    assert "UnmeasuredOut" in components
