"""Who may do what: every endpoint x every role, and customers confined to their own data.

A customer token probing another customer's ticket gets the same 404 as for a
ticket that does not exist; lists, filters and agreements never show another
customer's data or name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.api_support import Api, created, running_api
from tests.streams import HOUR, START

EXAMPLE = Path(__file__).parents[2] / "examples" / "multi-level"
ROLES = ("admin", "integration", "viewer", "acme", "nobody")
SECRET = "a-long-enough-signing-secret"

OUTAGE = {
    "id": "o1",
    "service": "email",
    "start": "2026-05-01T10:00:00Z",
    "end": "2026-05-01T11:00:00Z",
}
HOOK = {"url": "http://127.0.0.1:9/hook", "events": ["breach"], "secret": SECRET}

# (method, path, body, expected status per role in ROLES order)
MATRIX = [
    ("POST", "/api/v1/events", {"events": [created("N1", "acme")]}, (200, 200, 403, 403, 401)),
    ("POST", "/api/v1/outages", {"outages": [OUTAGE]}, (200, 200, 403, 403, 401)),
    ("GET", "/api/v1/tickets/A1", None, (200, 200, 200, 200, 401)),
    ("GET", "/api/v1/tickets/G1", None, (200, 200, 200, 404, 401)),
    ("GET", "/api/v1/clocks", None, (200, 200, 200, 200, 401)),
    ("GET", "/api/v1/agreements", None, (200, 403, 200, 200, 401)),
    ("GET", "/api/v1/revisions", None, (200, 403, 200, 403, 401)),
    ("POST", "/api/v1/revisions", {"files": {"a.yaml": "x: 1\n"}}, (422, 403, 403, 403, 401)),
    (
        "POST",
        "/api/v1/revisions/preview",
        {"files": {"a.yaml": "x: 1\n"}},
        (422, 403, 403, 403, 401),
    ),
    ("GET", "/api/v1/audit", None, (200, 403, 200, 403, 401)),
    ("GET", "/api/v1/webhooks", None, (200, 403, 200, 403, 401)),
    ("POST", "/api/v1/webhooks", HOOK, (201, 403, 403, 403, 401)),
    ("DELETE", "/api/v1/webhooks/999", None, (404, 403, 403, 403, 401)),
    ("GET", "/api/v1/webhooks/deliveries", None, (200, 403, 200, 403, 401)),
    ("GET", "/api/v1/reports/compliance?period=2026-05", None, (200, 403, 200, 200, 401)),
    ("GET", "/api/v1/reports/availability?period=2026-05", None, (200, 403, 200, 200, 401)),
    # The test definitions list no customers, so acme has no credit statement: its own 404.
    ("GET", "/api/v1/reports/credits?period=2026-05", None, (200, 403, 200, 404, 401)),
    (
        "GET",
        "/api/v1/reports/compliance?period=2026-05&customer=globex",
        None,
        (200, 403, 200, 404, 401),
    ),
    ("GET", "/metrics", None, (200, 403, 200, 403, 401)),
    ("GET", "/healthz", None, (200, 200, 200, 200, 200)),
]


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running_api(database_url) as running:
        running.post(
            "/api/v1/events",
            {"events": [created("A1", "acme"), created("G1", "globex", at=START - 3 * HOUR)]},
        )
        yield running


def _call(api: Api, method: str, path: str, body: object, who: str):
    return api.client.request(method, path, headers=api.headers(who), json=body)


def test_every_endpoint_answers_every_role_as_the_matrix_says(api: Api) -> None:
    answered = {
        (method, path): tuple(_call(api, method, path, body, who).status_code for who in ROLES)
        for method, path, body, _ in MATRIX
    }
    assert answered == {(method, path): expected for method, path, _, expected in MATRIX}


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX)
def test_every_refusal_has_a_code_and_a_message(api: Api, method, path, body, expected) -> None:
    for who in ROLES:
        response = _call(api, method, path, body, who)
        if response.status_code >= 400:
            assert set(response.json()) >= {"code", "message"}
            assert response.json()["message"]


def test_another_customers_ticket_reads_exactly_like_a_missing_one(api: Api) -> None:
    foreign = api.get("/api/v1/tickets/G1", who="acme")
    missing = api.get("/api/v1/tickets/G2", who="acme")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json() | {
        "message": missing.json()["message"].replace("G2", "G1")
    }
    assert "globex" not in foreign.text


def test_a_customer_lists_only_its_own_clocks_whatever_the_filter(api: Api) -> None:
    own = api.get("/api/v1/clocks", who="acme").json()["items"]
    assert own
    assert {c["customer"] for c in own} == {"acme"}
    for params in ({"customer": "globex"}, {"state": "breached", "customer": "globex"}):
        assert api.get("/api/v1/clocks", who="acme", **params).json()["items"] == []
    for state in ("breached", "running", "at_risk"):
        listed = api.get("/api/v1/clocks", who="acme", state=state).json()["items"]
        assert {c["ticket"] for c in listed} <= {"A1"}
    everyone = api.get("/api/v1/clocks", who="viewer").json()["items"]
    assert {c["customer"] for c in everyone} == {"acme", "globex"}


def test_a_customer_sees_only_agreements_that_can_apply_to_it(api: Api) -> None:
    files = {
        str(path.relative_to(EXAMPLE)).replace("/", "-"): path.read_text(encoding="utf-8")
        for path in sorted(EXAMPLE.rglob("*.yaml"))
    }
    body = {"files": files, "effective_from": "2020-01-01T00:00:00Z"}
    undecided = api.post("/api/v1/revisions", body)  # it would measure the stored tickets
    assert (undecided.status_code, undecided.json()["code"]) == (409, "remeasure_choice_required")
    applied = api.post("/api/v1/revisions", {**body, "remeasure": False})
    assert applied.status_code == 201
    assert api.post("/api/v1/revisions", {"files": files}).status_code == 200
    acme = api.get("/api/v1/agreements", who="acme").json()["agreements"]
    staff = api.get("/api/v1/agreements", who="viewer").json()["agreements"]
    assert any("globex" in a["customers"] for a in staff)
    assert "globex" not in str(acme)
    assert {a["level"] for a in acme} <= {"corporate", "service", "customer"}
    assert len(acme) < len(staff)


def test_a_customer_report_holds_only_its_own_customer(api: Api) -> None:
    own = api.get("/api/v1/reports/compliance", who="acme", period="2026-05").json()
    staff = api.get("/api/v1/reports/compliance", who="viewer", period="2026-05").json()
    assert "globex" in str(staff["rows"])
    assert own["rows"]
    assert "globex" not in str(own)
    probing = api.get("/api/v1/reports/compliance", who="acme", period="2026-05", customer="globex")
    missing = api.get("/api/v1/reports/compliance", who="acme", period="2026-05", customer="nope")
    assert probing.status_code == missing.status_code == 404
    assert probing.json()["code"] == missing.json()["code"] == "not_found"


def test_reports_come_as_csv_and_pdf_too(api: Api) -> None:
    csv = api.get("/api/v1/reports/compliance", period="2026-05", format="csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].count(",") >= 3
    pdf = api.get("/api/v1/reports/availability", period="2026-05", format="pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    bad = api.get("/api/v1/reports/compliance", period="2026-13")
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_period")


def test_invalid_definitions_come_back_located(api: Api) -> None:
    response = api.client.post(
        "/api/v1/revisions",
        content=b"agreements:\n  - id: broken\n    level: nowhere\n",
        headers=api.headers("admin") | {"Content-Type": "application/yaml"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_definitions"
    assert body["errors"]
    assert all(e["file"] == "definitions.yaml" for e in body["errors"])
    assert any(e["line"] for e in body["errors"])


def test_metrics_count_clocks_and_transitions_without_customer_labels(api: Api) -> None:
    text = api.get("/metrics", who="viewer").text
    assert 'servanda_clocks{state="breached"}' in text
    assert "servanda_breaches_total" in text
    assert "servanda_events_ingested_total 2.0" in text
    assert "acme" not in text
    assert "globex" not in text
