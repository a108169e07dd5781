"""What a customer sees of a ticket that moved to it from another customer (SQLite, PostgreSQL).

A ticket created for globex with globex's custom fields and moved to acme
showed acme's token the whole timeline: ``"customer": "globex"``, globex's
field values, the status changes globex's desk made and the transitions of
that time. A customer token now sees only the part of the history during
which the ticket was its own; staff tokens see everything, and reading stores
nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.e2e.api_support import Api, created, iso, running_api
from tests.hostile.stored import stored_rows
from tests.streams import HOUR, START

MOVED_AT = START + 10 * HOUR


def _event(ticket: str, name: str, kind: str, at: int, **extra: object) -> dict[str, object]:
    return {"id": f"{ticket}-{name}", "ticket": ticket, "type": kind, "at": iso(at), **extra}


def _moved_ticket(ticket: str) -> list[dict[str, object]]:
    """Created for globex (P1, fields of globex's), paused by globex, moved to acme, answered."""
    return [
        created(ticket, "globex", fields={"contract": "GLOBEX-7", "channel": "portal"}),
        _event(ticket, "wait", "status_changed", START + HOUR, status="waiting_on_customer"),
        _event(ticket, "open", "status_changed", START + 2 * HOUR, status="open"),
        _event(ticket, "move", "attributes_changed", MOVED_AT, changes={"customer": "acme"}),
        _event(
            ticket, "acme-field", "attributes_changed", MOVED_AT + HOUR, changes={"region": "north"}
        ),
        _event(ticket, "reply", "responded", MOVED_AT + 2 * HOUR),
    ]


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running_api(database_url) as running:
        running.clock.at = START + 30 * HOUR  # every clock of the first ticket has breached
        answer = running.post("/api/v1/events", {"events": _moved_ticket("T-1")}, "integration")
        assert answer.status_code == 200, answer.text
        yield running


def test_a_customer_sees_only_the_history_since_the_ticket_became_theirs(
    api: Api, database_url: str
) -> None:
    before = stored_rows(database_url)
    answer = api.get("/api/v1/tickets/T-1", who="acme")
    assert answer.status_code == 200, answer.text
    text, ticket = answer.text, answer.json()
    assert "globex" not in text.lower()
    assert "portal" not in text
    assert ticket["customer"] == "acme"
    assert ticket["owned_since"] == iso(MOVED_AT)
    assert ticket["attributes"] == {"region": "north"}
    assert ticket["event_count"] == 3
    events = [e["event"]["id"] for e in ticket["timeline"] if e["kind"] == "event"]
    assert events == ["T-1-move", "T-1-acme-field", "T-1-reply"]
    assert all(entry["at"] >= iso(MOVED_AT) for entry in ticket["timeline"])
    steps = [step for m in ticket["measurements"] for step in m["history"]]
    assert {step["event_id"] for step in steps} <= set(events)
    # the clocks are acme's and keep their figures: measured from creation, breached before
    first = next(m for m in ticket["measurements"] if m["metric"] == "first_response")
    assert (first["started_at"], first["state"]) == (iso(START), "breached")
    assert stored_rows(database_url) == before


def test_staff_see_the_whole_history(api: Api) -> None:
    ticket = api.get("/api/v1/tickets/T-1", who="viewer").json()
    assert ticket["owned_since"] is None
    assert ticket["attributes"] == {"channel": "portal", "contract": "GLOBEX-7", "region": "north"}
    assert ticket["event_count"] == 6
    assert ticket["timeline"][0]["event"]["customer"] == "globex"
    assert any(e["kind"] == "transition" and e["at"] < iso(MOVED_AT) for e in ticket["timeline"])


def test_the_earlier_owner_no_longer_sees_the_ticket(api: Api) -> None:
    answer = api.get("/api/v1/tickets/T-1", who="globex")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_the_tickets_list_shows_a_customer_only_its_own_fields(api: Api, database_url: str) -> None:
    before = stored_rows(database_url)
    page = api.get("/api/v1/tickets", who="acme")
    assert page.status_code == 200, page.text
    assert "globex" not in page.text.lower()
    (item,) = page.json()["items"]
    assert (item["id"], item["attributes"], item["event_count"]) == ("T-1", {"region": "north"}, 3)
    staff = api.get("/api/v1/tickets", who="viewer").json()["items"]
    assert staff[0]["attributes"]["contract"] == "GLOBEX-7"
    assert stored_rows(database_url) == before


def test_a_ticket_that_came_back_shows_both_of_its_owners_times_and_nothing_between(
    api: Api,
) -> None:
    ticket = "T-2"
    events = [
        created(ticket, "acme", fields={"channel": "email"}),
        _event(ticket, "to-globex", "attributes_changed", START + HOUR,
               changes={"customer": "globex", "contract": "GLOBEX-9"}),
        _event(ticket, "globex-wait", "status_changed", START + 2 * HOUR, status="pending"),
        _event(ticket, "back", "attributes_changed", START + 3 * HOUR, changes={"customer": "acme"}),
        _event(ticket, "reply", "responded", START + 4 * HOUR),
    ]  # fmt: skip
    answer = api.post("/api/v1/events", {"events": events}, "integration")
    assert answer.status_code == 200, answer.text
    seen = api.get(f"/api/v1/tickets/{ticket}", who="acme")
    assert "globex" not in seen.text.lower()
    body = seen.json()
    shown = [e["event"]["id"] for e in body["timeline"] if e["kind"] == "event"]
    assert shown == ["T-2-created", "T-2-back", "T-2-reply"]
    assert body["attributes"] == {"channel": "email"}
    assert body["owned_since"] == iso(START + 3 * HOUR)


def test_a_moved_ticket_keeps_nothing_of_the_earlier_owner_in_json(api: Api) -> None:
    """Every string of the answer, keys included: no value of globex's time survives."""
    ticket = api.get("/api/v1/tickets/T-1", who="acme").json()
    strings: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                strings.append(str(key))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            strings.append(json.dumps(value))

    walk(ticket)
    leaked = [s for s in strings if any(w in s for w in ("globex", "GLOBEX", "portal", "wait"))]
    assert leaked == []
