"""ServiceNow incident log rows -> ticket events: hand-made snippets of the real format."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from servanda.adapters.importers.servicenow import ServiceNowOptions, convert_rows
from servanda.adapters.importers.servicenow_rows import Columns, priority_code, read_rows
from servanda.adapters.importers.state_maps import load_state_map
from servanda.domain.errors import EventError
from servanda.domain.events import EventType

HEADER = (
    "number,incident_state,reopen_count,sys_mod_count,caller_id,opened_at,sys_updated_at,"
    "category,priority,assignment_group,contact_type,resolved_at,closed_at\n"
)
OPTIONS = ServiceNowOptions(state_map=load_state_map())


def at(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())


def row(
    state: str,
    mod: int | str,
    updated: str,
    *,
    number: str = "INC1",
    reopen: int = 0,
    caller: str = "Caller 7",
    opened: str = "1/3/2016 09:00",
    category: str = "Category 5",
    priority: str = "3 - Moderate",
    group: str = "Group 1",
    resolved: str = "?",
) -> str:
    return (
        f"{number},{state},{reopen},{mod},{caller},{opened},{updated},{category},"
        f"{priority},{group},Phone,{resolved},?\n"
    )


def convert(*rows: str, options: ServiceNowOptions = OPTIONS):
    stream = io.StringIO(HEADER + "".join(rows))
    return convert_rows(read_rows(stream, options.columns, options.zone), options)


def timeline(*rows: str, options: ServiceNowOptions = OPTIONS):
    return [(e.type.value, e.at) for e in convert(*rows, options=options).events]


def test_a_simple_incident_is_created_responded_resolved_and_closed():
    result = convert(
        row("New", 0, "1/3/2016 09:05"),
        row("Active", 1, "1/3/2016 09:30"),
        row("Resolved", 2, "1/3/2016 11:00", resolved="1/3/2016 11:00"),
        row("Closed", 3, "6/3/2016 12:00"),
    )
    created, responded, status, resolved, closed = result.events
    assert (created.type, created.at, created.ticket) == (
        EventType.CREATED,
        at(2016, 3, 1, 9),
        "INC1",
    )
    assert (created.customer, created.service, created.priority) == ("Caller 7", "Category 5", "P3")
    assert created.fields == (("assignment_group", "Group 1"), ("channel", "phone"))
    assert created.source == "servicenow"
    assert created.id == "INC1:0:created"
    assert (responded.type, responded.at) == (EventType.RESPONDED, at(2016, 3, 1, 9, 30))
    assert (status.type, status.status) == (EventType.STATUS_CHANGED, "in_progress")
    assert (resolved.type, resolved.at, resolved.id) == (
        EventType.RESOLVED,
        at(2016, 3, 1, 11),
        "INC1:2:resolved",
    )
    assert (closed.type, closed.at) == (EventType.CLOSED, at(2016, 3, 6, 12))
    assert (result.rows_read, result.incidents, result.tickets) == (4, 1, 1)


def test_rows_out_of_file_order_are_walked_by_sys_mod_count():
    in_order = timeline(
        row("New", 0, "1/3/2016 09:05"),
        row("Awaiting User Info", 1, "1/3/2016 10:00"),
        row("Active", 2, "1/3/2016 12:00"),
        row("Resolved", 3, "1/3/2016 13:00"),
    )
    shuffled = timeline(
        row("Active", 2, "1/3/2016 12:00"),
        row("Resolved", 3, "1/3/2016 13:00"),
        row("New", 0, "1/3/2016 09:05"),
        row("Awaiting User Info", 1, "1/3/2016 10:00"),
    )
    assert shuffled == in_order


def test_awaiting_states_become_pause_statuses_and_active_resumes():
    events = convert(
        row("New", 0, "1/3/2016 09:05"),
        row("Awaiting User Info", 1, "1/3/2016 10:00"),
        row("Awaiting Vendor", 2, "1/3/2016 11:00"),
        row("Active", 3, "1/3/2016 12:00"),
    ).events
    statuses = [(e.status, e.at) for e in events if e.type is EventType.STATUS_CHANGED]
    assert statuses == [
        ("waiting_on_customer", at(2016, 3, 1, 10)),
        ("waiting_on_vendor", at(2016, 3, 1, 11)),
        ("in_progress", at(2016, 3, 1, 12)),
    ]


def test_the_first_response_is_the_first_row_that_leaves_new_and_happens_once():
    events = convert(
        row("New", 0, "1/3/2016 09:05"),
        row("New", 1, "1/3/2016 09:20"),
        row("Awaiting User Info", 2, "1/3/2016 10:00"),
        row("Active", 3, "1/3/2016 12:00"),
    ).events
    assert [e.at for e in events if e.type is EventType.RESPONDED] == [at(2016, 3, 1, 10)]


def test_an_incident_resolved_straight_from_new_has_no_response():
    events = convert(row("New", 0, "1/3/2016 09:05"), row("Resolved", 1, "1/3/2016 09:40")).events
    assert [e.type for e in events] == [EventType.CREATED, EventType.RESOLVED]


def test_leaving_resolved_for_an_open_state_is_a_reopen_and_the_next_resolution_counts_too():
    events = convert(
        row("Active", 0, "1/3/2016 09:05"),
        row("Resolved", 1, "1/3/2016 10:00"),
        row("Active", 2, "2/3/2016 08:00", reopen=1),
        row("Resolved", 3, "2/3/2016 09:00", reopen=1),
        row("Closed", 4, "7/3/2016 09:00", reopen=1),
    ).events
    assert [(e.type.value, e.at) for e in events[-4:]] == [
        ("resolved", at(2016, 3, 1, 10)),
        ("reopened", at(2016, 3, 2, 8)),
        ("resolved", at(2016, 3, 2, 9)),
        ("closed", at(2016, 3, 7, 9)),
    ]


def test_a_reopen_into_an_awaiting_state_carries_the_new_status():
    events = convert(
        row("Active", 0, "1/3/2016 09:05"),
        row("Resolved", 1, "1/3/2016 10:00"),
        row("Awaiting User Info", 2, "2/3/2016 08:00", reopen=1),
    ).events
    assert [(e.type.value, e.status) for e in events[-2:]] == [
        ("status_changed", "waiting_on_customer"),
        ("reopened", None),
    ]
    assert events[-1].at == events[-2].at == at(2016, 3, 2, 8)


def test_closing_an_unresolved_incident_resolves_it_first_at_resolved_at():
    events = convert(
        row("Active", 0, "1/3/2016 09:05", resolved="1/3/2016 15:00"),
        row("Closed", 1, "6/3/2016 15:00", resolved="1/3/2016 15:00"),
    ).events
    assert [(e.type.value, e.at) for e in events[-2:]] == [
        ("resolved", at(2016, 3, 1, 15)),
        ("closed", at(2016, 3, 6, 15)),
    ]


def test_priority_and_assignment_changes_become_attribute_changes_and_question_marks_erase_nothing():
    events = convert(
        row("New", 0, "1/3/2016 09:05"),
        row("Active", 1, "1/3/2016 09:30", priority="1 - Critical", group="Group 2"),
        row("Active", 2, "1/3/2016 10:00", priority="?", group="?", category="?", caller="?"),
        row("Active", 3, "1/3/2016 11:00", priority="1 - Critical", group="Group 2"),
    ).events
    changes = [e.changes for e in events if e.type is EventType.ATTRIBUTES_CHANGED]
    assert changes == [(("assignment_group", "Group 2"), ("priority", "P1"))]


def test_missing_values_at_creation_are_left_out_and_filled_in_by_a_later_change():
    events = convert(
        row("New", 0, "1/3/2016 09:05", caller="?", category="?"),
        row("Active", 1, "1/3/2016 09:30"),
    ).events
    assert (events[0].customer, events[0].service) == (None, None)
    [changed] = [e for e in events if e.type is EventType.ATTRIBUTES_CHANGED]
    assert changed.changes == (("customer", "Caller 7"), ("service", "Category 5"))


def test_rows_in_unknown_states_are_rejected_with_their_line_and_the_incident_goes_on():
    result = convert(
        row("New", 0, "1/3/2016 09:05"),
        row("-100", 1, "1/3/2016 09:30"),
        row("Resolved", 2, "1/3/2016 10:00"),
    )
    assert [(r.line, r.message) for r in result.rejections] == [
        (3, "INC1: incident_state '-100' is not in the state map")
    ]
    assert [e.type for e in result.events] == [EventType.CREATED, EventType.RESOLVED]


def test_unparseable_rows_are_rejected_by_line_instead_of_crashing():
    result = convert(
        row("New", 0, "31/2/2016 09:05", number="INC2"),
        row("New", 0, "1/3/2016 09:05", number="INC3", priority="urgent"),
        row("New", "x", "1/3/2016 09:05", number="INC4"),
        "INC5,New,0\n",
        row("New", 0, "1/3/2016 09:05", number="INC6"),
    )
    reasons = {r.line: r.message for r in result.rejections}
    assert sorted(reasons) == [2, 3, 4, 5]
    assert reasons[2] == "'31/2/2016 09:05' is not a D/M/YYYY HH:MM timestamp"
    assert reasons[3] == "priority 'urgent' does not start with a number"
    assert reasons[5] == "3 values for 13 columns"
    assert (result.rows_read, result.incidents, result.tickets) == (5, 1, 1)


def test_a_duplicate_update_number_out_of_time_order_is_ignored_as_misplaced():
    # the real file's INC0000135: a stray "7 Active" row from the incident's first hour
    result = convert(
        row("Active", 7, "1/3/2016 09:27"),
        row("Active", 1, "1/3/2016 11:45"),
        row("Resolved", 6, "1/3/2016 16:17"),
        row("Closed", 7, "6/3/2016 17:00"),
    )
    assert [r.line for r in result.rejections] == [2]
    assert "duplicate sys_mod_count 7" in result.rejections[0].message
    assert EventType.REOPENED not in [e.type for e in result.events]


def test_event_times_never_go_backwards_and_same_instant_events_keep_update_order():
    events = convert(
        row("Active", 0, "1/3/2016 08:55"),  # stamped before opened_at
        row("Resolved", 1, "1/3/2016 10:00"),
        row("Active", 2, "1/3/2016 10:00", reopen=1),
        row("Resolved", 3, "1/3/2016 10:00", reopen=1),
    ).events
    assert [(e.type.value, e.at - at(2016, 3, 1, 9)) for e in events] == [
        ("created", 0),
        ("responded", 0),
        ("status_changed", 0),
        ("resolved", 3600),
        ("reopened", 3600),
        ("resolved", 3601),
    ]
    assert sorted(events, key=lambda e: e.order_key) == events


def test_event_ids_are_stable_so_reconverting_gives_the_same_events():
    rows = (row("New", 0, "1/3/2016 09:05"), row("Resolved", 1, "1/3/2016 10:00"))
    first = convert(*rows).events
    assert convert(*reversed(rows)).events == first
    assert [e.id for e in first] == ["INC1:0:created", "INC1:1:resolved"]


def test_timestamps_are_read_in_the_zone_the_import_names():
    berlin = ServiceNowOptions(state_map=load_state_map(), zone=ZoneInfo("Europe/Berlin"))
    [created] = convert(row("New", 0, "1/3/2016 09:05"), options=berlin).events
    assert created.at == at(2016, 3, 1, 8)


def test_customer_and_service_come_from_the_named_columns_or_a_fixed_customer():
    options = ServiceNowOptions(
        state_map=load_state_map(),
        columns=Columns(customer="acme", service_field="assignment_group"),
    )
    [created] = convert(row("New", 0, "1/3/2016 09:05"), options=options).events
    assert (created.customer, created.service) == ("acme", "Group 1")


def test_a_file_without_the_named_columns_is_refused_as_a_whole():
    options = ServiceNowOptions(
        state_map=load_state_map(), columns=Columns(customer_field="company")
    )
    with pytest.raises(EventError, match="missing column"):
        convert(row("New", 0, "1/3/2016 09:05"), options=options)


@pytest.mark.parametrize(
    ("text", "code"), [("1 - Critical", "P1"), ("2 - High", "P2"), ("4 - Low", "P4")]
)
def test_priorities_map_to_p_codes(text, code):
    assert priority_code(text) == code
