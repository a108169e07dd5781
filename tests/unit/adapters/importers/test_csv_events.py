"""The CSV event format: rows become ticket events or rejections with line numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from servanda.adapters.importers.csv_events import parse_csv_events
from servanda.adapters.importers.records import collect
from servanda.domain.events import EventType, TicketEvent


def at(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())


def rows(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def test_a_created_row_carries_attributes_and_custom_fields():
    text = (
        "id,ticket,type,at,customer,service,priority,field.channel,field.region\n"
        "e1,T-1,created,2026-03-02T09:00:00+01:00,acme,email,P2,phone,\n"
    )
    assert collect(parse_csv_events(rows(text))).values == [
        TicketEvent(
            id="e1",
            ticket="T-1",
            type=EventType.CREATED,
            at=at(2026, 3, 2, 8),
            customer="acme",
            service="email",
            priority="P2",
            fields=(("channel", "phone"),),
        )
    ]


def test_change_columns_make_the_changes_of_an_attributes_changed_row():
    text = (
        "id,ticket,type,at,source,status,score,change.priority,change.group\n"
        "e2,T-1,attributes_changed,2026-03-02T10:00:00Z,crm,,,P1,network\n"
        "e3,T-1,status_changed,2026-03-02T10:05:00.900Z,crm,waiting_on_customer,,,\n"
        "e4,T-1,rated,2026-03-03T10:00:00Z,,,4.5,,\n"
    )
    changed, status, rated = collect(parse_csv_events(rows(text))).values
    assert changed.changes == (("group", "network"), ("priority", "P1"))
    assert changed.source == "crm"
    assert status.status == "waiting_on_customer"
    assert status.at == at(2026, 3, 2, 10, 5)  # sub-second part floored
    assert rated.score == Decimal("4.5")
    assert rated.source == "default"


def test_each_unusable_row_is_rejected_with_its_line_and_reason():
    text = (
        "id,ticket,type,at,status,score,field.channel,change.priority\n"
        "e1,T-1,created,2026-03-02T09:00:00Z,,,,\n"
        "e2,T-1,escalated,2026-03-02T09:00:00Z,,,,\n"
        "e3,T-1,status_changed,2026-03-02T09:00:00Z,,,,\n"
        "e4,T-1,attributes_changed,2026-03-02T09:00:00Z,,,,\n"
        "e5,T-1,rated,2026-03-02T09:00:00Z,,great,,\n"
        ",T-1,resolved,2026-03-02T09:00:00Z,,,,\n"
        "e7,T-1,resolved,2026-03-02 09:00,,,,\n"
        "e8,T-1,resolved,2026-03-02T09:00:00Z,,,phone,\n"
        "e9,T-1,resolved\n"
    )
    result = collect(parse_csv_events(rows(text)))
    assert [event.id for event in result.values] == ["e1"]
    reasons = {r.line: r.message for r in result.rejections}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert reasons[3].startswith("unknown type 'escalated'")
    assert reasons[4] == "a status_changed event needs a status"
    assert reasons[5].startswith("an attributes_changed event needs")
    assert reasons[6] == "score 'great' is not a number"
    assert reasons[7] == "missing id"
    assert "no UTC offset" in reasons[8]
    assert reasons[9] == "field.<name> columns belong to created, not resolved"
    assert reasons[10] == "3 values for 8 columns"


def test_a_value_that_does_not_belong_to_the_rows_type_is_refused_as_in_json():
    text = "id,ticket,type,at,priority\ne1,T-1,resolved,2026-03-02T09:00:00Z,P1\n"
    [rejection] = collect(parse_csv_events(rows(text))).rejections
    assert (rejection.line, rejection.message) == (2, "priority not allowed on a resolved event")


def test_a_quoted_cell_spanning_lines_reports_the_line_where_the_row_ends():
    text = 'id,ticket,type,at,customer\ne1,T-1,created,2026-03-02T09:00:00Z,"two\nlines"\ne2,T-1,bogus,x,\n'
    result = collect(parse_csv_events(rows(text)))
    assert result.values[0].customer == "two\nlines"
    assert [r.line for r in result.rejections] == [4]


def test_a_header_with_unknown_or_missing_columns_rejects_the_file_at_line_one():
    result = collect(parse_csv_events(rows("id,ticket,type,when,colour\ne1,T,created,x,red\n")))
    assert result.values == []
    [rejection] = result.rejections
    assert rejection.line == 1
    assert rejection.message == "unknown column(s): when, colour"


def test_blank_rows_are_skipped_and_an_empty_file_yields_nothing():
    assert collect(parse_csv_events([])).values == []
    text = "id,ticket,type,at\n\n,,,\ne1,T-1,closed,2026-03-02T09:00:00Z\n"
    result = collect(parse_csv_events(rows(text)))
    assert [event.type for event in result.values] == [EventType.CLOSED]
    assert result.rejections == []


def test_a_csv_row_gives_the_same_event_as_the_json_object_with_the_same_values():
    from servanda.specs.events import parse_event_line

    text = (
        "id,ticket,type,at,source,customer,service,priority,field.channel\n"
        "e1,T-1,created,2026-03-02T09:00:00+01:00,crm,acme,email,P2,phone\n"
    )
    json_line = (
        '{"id": "e1", "ticket": "T-1", "type": "created", "at": "2026-03-02T09:00:00+01:00",'
        ' "source": "crm", "customer": "acme", "service": "email", "priority": "P2",'
        ' "fields": {"channel": "phone"}}'
    )
    assert collect(parse_csv_events(rows(text))).values == [parse_event_line(json_line)]
