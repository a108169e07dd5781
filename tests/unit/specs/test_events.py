"""The JSON event format: what is accepted, how instants are read, and the errors people see."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from servanda.domain.errors import EventError
from servanda.domain.events import EventType, TicketEvent
from servanda.specs.events import (
    event_from_json,
    event_to_json,
    event_to_line,
    parse_event_line,
    read_events,
)

CREATED = {
    "id": "e1",
    "ticket": "T-1",
    "type": "created",
    "at": "2026-03-02T09:15:00+01:00",
    "customer": "acme",
    "service": "email",
    "priority": "P1",
    "fields": {"channel": "phone"},
}


def test_a_created_event_carries_its_attributes_and_its_instant_in_utc_epoch_seconds():
    event = event_from_json(CREATED)
    assert event == TicketEvent(
        id="e1",
        ticket="T-1",
        type=EventType.CREATED,
        at=1772439300,  # 2026-03-02T08:15:00Z
        customer="acme",
        service="email",
        priority="P1",
        fields=(("channel", "phone"),),
    )
    assert event.source == "default"


def test_sub_second_instants_are_floored_to_the_whole_second():
    event = event_from_json({**CREATED, "at": "2026-03-02T08:15:00.999Z"})
    assert event.at == 1772439300


def test_a_naive_instant_is_refused_unless_a_zone_is_named():
    with pytest.raises(EventError, match="no UTC offset"):
        event_from_json({**CREATED, "at": "2026-03-02T09:15:00"})
    event = event_from_json(
        {**CREATED, "at": "2026-03-02T09:15:00"}, zone=ZoneInfo("Europe/Berlin")
    )
    assert event.at == 1772439300


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "escalated"}, "unknown type 'escalated'"),
        ({"type": 3}, "type must be a string, not a number"),
        ({"at": "yesterday"}, "'yesterday' is not an ISO 8601 timestamp"),
        ({"at": 1772439300}, "at must be an ISO 8601 string, not a number"),
        ({"ticket": ""}, "ticket must be a non-empty string"),
        ({"fields": {"seats": 5}}, "fields.seats must be a string, not a number"),
        ({"fields": ["phone"]}, "fields must be an object of strings, not an array"),
        ({"prority": "P1"}, "prority not allowed on a created event"),
    ],
)
def test_a_malformed_event_is_refused_with_a_precise_message(change, message):
    with pytest.raises(EventError, match=message):
        event_from_json({**CREATED, **change})


def test_missing_required_fields_are_all_named():
    with pytest.raises(EventError, match="missing id, at"):
        event_from_json({"ticket": "T-1", "type": "responded"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "status_changed"}, "needs a status"),
        ({"type": "attributes_changed", "changes": {}}, "non-empty changes"),
        ({"type": "rated"}, "needs a score"),
        ({"type": "rated", "score": True}, "score must be a number, not a boolean"),
        ({"type": "responded", "status": "open"}, "status not allowed on a responded event"),
    ],
)
def test_each_type_requires_its_own_fields_and_refuses_others(data, message):
    with pytest.raises(EventError, match=message):
        event_from_json({"id": "e", "ticket": "T", "at": "2026-03-02T09:15:00Z", **data})


def test_an_event_survives_the_round_trip_through_its_json_line():
    rated = TicketEvent(
        "e9", "T-1", EventType.RATED, 1772439300, source="zendesk", score=Decimal("4.5")
    )
    changed = TicketEvent(
        "e5", "T-1", EventType.ATTRIBUTES_CHANGED, 1772439300, changes=(("priority", "P2"),)
    )
    for event in (event_from_json(CREATED), rated, changed):
        assert parse_event_line(event_to_line(event)) == event
    assert event_to_json(rated)["source"] == "zendesk"


def test_the_line_reader_reports_bad_lines_with_their_number_and_goes_on():
    lines = [
        '{"id": "e1", "ticket": "T", "type": "created", "at": "2026-03-02T09:00:00Z"}',
        "",
        "{not json",
        '{"id": "e2", "ticket": "T", "type": "responded", "at": "2026-03-02T09:05:00Z"}',
    ]
    results = list(read_events(lines))
    assert [number for number, _ in results] == [1, 3, 4]
    assert isinstance(results[1][1], EventError)
    assert "invalid JSON" in str(results[1][1])
    assert isinstance(results[2][1], TicketEvent)
