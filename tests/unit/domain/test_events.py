"""Ticket events: identity, the order they apply in, and instants in whole UTC seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from servanda.domain.errors import EventError
from servanda.domain.events import (
    SAME_INSTANT_RANK,
    EventType,
    TicketEvent,
    epoch_seconds,
    from_epoch,
    parse_instant,
)

T0 = 1_772_438_400  # 2026-03-02T08:00:00Z


def test_identity_is_source_and_id_so_two_sources_may_reuse_an_id() -> None:
    desk = TicketEvent("e1", "T1", EventType.CREATED, T0, source="desk")
    mail = TicketEvent("e1", "T1", EventType.CREATED, T0, source="mail")
    assert desk.identity == ("desk", "e1")
    assert desk.identity != mail.identity
    assert TicketEvent("e1", "T1", EventType.CREATED, T0).identity == ("default", "e1")


def test_events_at_one_instant_apply_created_first_then_in_type_order_then_by_id() -> None:
    events = [
        TicketEvent("b", "T1", EventType.RATED, T0),
        TicketEvent("z", "T1", EventType.RESOLVED, T0),
        TicketEvent("a", "T1", EventType.RESOLVED, T0),
        TicketEvent("y", "T1", EventType.CREATED, T0),
        TicketEvent("x", "T1", EventType.RESPONDED, T0 - 1),
    ]
    ordered = sorted(events, key=lambda e: e.order_key)
    assert [e.id for e in ordered] == ["x", "y", "a", "z", "b"]
    assert list(SAME_INSTANT_RANK) == list(EventType)
    assert SAME_INSTANT_RANK[EventType.CREATED] == 0


def test_events_compare_and_hash_by_content() -> None:
    one = TicketEvent("e", "T", EventType.CREATED, T0, fields=(("channel", "phone"),))
    same = TicketEvent("e", "T", EventType.CREATED, T0, fields=(("channel", "phone"),))
    assert one == same
    assert len({one, same}) == 1
    assert one.at_datetime == datetime(2026, 3, 2, 8, tzinfo=UTC)


def test_epoch_seconds_floor_sub_second_parts_and_refuse_naive_instants() -> None:
    assert epoch_seconds(datetime(2026, 3, 2, 8, 0, 0, 999_999, tzinfo=UTC)) == T0
    before_epoch = datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)
    assert epoch_seconds(before_epoch) == -1  # floored, not truncated towards zero
    with pytest.raises(ValueError, match="naive datetime"):
        epoch_seconds(datetime(2026, 3, 2, 8))  # noqa: DTZ001 - the naive instant under test
    assert from_epoch(T0) == datetime(2026, 3, 2, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "zone", "seconds"),
    [
        ("2026-03-02T08:00:00Z", None, T0),
        ("2026-03-02T09:00:00.75+01:00", None, T0),
        (" 2026-03-02T08:00:00+00:00 ", None, T0),
        ("2026-03-02T09:00:00", ZoneInfo("Europe/Berlin"), T0),
        ("2026-03-02T03:00:00", ZoneInfo("America/New_York"), T0),
        ("2026-03-02T10:00:00", timezone(timedelta(hours=2)), T0),
    ],
)
def test_an_instant_is_read_with_its_offset_or_in_the_named_zone(text, zone, seconds) -> None:
    assert parse_instant(text, zone) == seconds


def test_a_naive_instant_without_a_zone_names_the_field_and_the_fix() -> None:
    with pytest.raises(
        EventError, match=r"^at '2026-03-02T08:00:00' has no UTC offset \(add Z or \+hh:mm\)$"
    ):
        parse_instant("2026-03-02T08:00:00", field="at")
    with pytest.raises(EventError, match=r"^timestamp '2026-03-02T08:00:00' has no UTC offset"):
        parse_instant("2026-03-02T08:00:00")


def test_text_that_is_no_timestamp_is_an_event_error() -> None:
    with pytest.raises(EventError, match=r"^at 'tomorrow' is not an ISO 8601 timestamp$"):
        parse_instant("tomorrow", field="at")


@pytest.mark.parametrize(
    "text",
    [
        "1969-12-31T23:59:59Z",
        "2200-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_an_instant_outside_1970_to_2199_is_refused_even_where_the_offset_overflows(
    text: str,
) -> None:
    with pytest.raises(EventError, match="outside the supported instants"):
        parse_instant(text, field="at")


def test_the_first_and_last_supported_seconds_are_read() -> None:
    assert parse_instant("1970-01-01T00:00:00Z") == 0
    assert parse_instant("2199-12-31T23:59:59Z") == 7_258_118_399
