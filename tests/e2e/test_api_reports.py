"""``GET /api/v1/reports/...``: a customer's figures in the customer's zone, each credit line's fee
base, on SQLite and PostgreSQL (figures: tests/fee_base_scenario.py)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from servanda.bootstrap import connect, load_settings
from servanda.entrypoints.api import create_app
from servanda.services.auth import Role, create_token
from tests import fee_base_scenario


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    storage = connect(load_settings(database_url=database_url))
    fee_base_scenario.load(storage)
    app = create_app(storage.settings, storage=storage, now=lambda: fee_base_scenario.NOW)
    token = create_token(app.state.servanda.tokens, role=Role.VIEWER, now=fee_base_scenario.NOW)
    with TestClient(app) as running:
        running.headers["Authorization"] = f"Bearer {token.secret}"
        yield running
    storage.dispose()


def rows(client: TestClient, kind: str, **params: str) -> list[dict[str, object]]:
    answer = client.get(f"/api/v1/reports/{kind}", params={"period": "2026-03", **params})
    assert answer.status_code == 200, answer.text
    found: list[dict[str, object]] = answer.json()["rows"]
    return found


def test_the_api_gives_a_customer_the_same_availability_in_every_report(client):
    (everyone,) = [r for r in rows(client, "availability") if r["customer"] == "shop"]
    (alone,) = rows(client, "availability", customer="shop")
    assert everyone == alone
    assert everyone["reporting_timezone"] == "America/New_York"
    assert Decimal(str(everyone["availability"])) == fee_base_scenario.HOSTING_AVAILABILITY
    (credited,) = [
        r for r in rows(client, "credits") if r.get("objective") == "shop-deal/hosting-up"
    ]
    assert credited["level"] == everyone["availability"]


def test_the_api_names_each_credit_lines_fee_base(client):
    lines = {(r["kind"], r.get("objective")): r for r in rows(client, "credits", customer="shop")}
    hosting = lines["credit", "shop-deal/hosting-up"]
    assert hosting["fee_base"] == [{"service": "hosting", "amount": "3000"}]
    assert hosting["amount"] == "300.0"
    cap = lines["credit_cap", None]
    assert [item["service"] for item in cap["fee_base"]] == ["email", "hosting"]  # type: ignore[union-attr]
    assert lines["total", None]["credits"] == "400.00"
