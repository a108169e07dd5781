"""Located rejections, collecting a file's values and rejections, zones and instants of file cells."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from servanda.adapters.importers.records import (
    Collected,
    Rejection,
    collect,
    parse_instant,
    zone_named,
)
from servanda.domain.errors import EventError


def test_a_rejection_reads_as_file_line_and_reason() -> None:
    assert (
        str(Rejection(7, "missing ticket", "a,b", "events.csv")) == "events.csv:7: missing ticket"
    )
    assert str(Rejection(2, "bad")) == "<input>:2: bad"


def test_collect_splits_values_from_rejections_keeping_file_order() -> None:
    first, second = Rejection(3, "x"), Rejection(5, "y")
    collected = collect(["a", first, "b", second, "c"])
    assert collected == Collected(["a", "b", "c"], [first, second])
    assert collect([]) == Collected()


def test_a_zone_is_found_by_its_iana_name_and_an_unknown_one_is_an_event_error() -> None:
    assert str(zone_named("Europe/Berlin")) == "Europe/Berlin"
    with pytest.raises(EventError, match="unknown time zone 'Europe/Atlantis'"):
        zone_named("Europe/Atlantis")
    with pytest.raises(EventError, match="unknown time zone"):
        zone_named("../etc/passwd")


def test_an_instant_with_an_offset_needs_no_zone_and_is_floored_to_the_second() -> None:
    expected = int(datetime(2026, 3, 2, 8, tzinfo=UTC).timestamp())
    assert parse_instant("2026-03-02T09:00:00.999+01:00") == expected
    assert parse_instant("2026-03-02T08:00:00Z") == expected


def test_a_naive_instant_is_refused_unless_the_import_names_its_zone() -> None:
    with pytest.raises(EventError, match=r"offset|zone"):
        parse_instant("2026-03-02T09:00:00")
    expected = int(datetime(2026, 3, 2, 8, tzinfo=UTC).timestamp())
    assert parse_instant("2026-03-02T09:00:00", zone_named("Europe/Berlin")) == expected
    # summer time: the same wall clock is an hour earlier in UTC
    summer = int(datetime(2026, 7, 2, 7, tzinfo=UTC).timestamp())
    assert parse_instant("2026-07-02T09:00:00", zone_named("Europe/Berlin")) == summer


def test_an_unreadable_cell_is_a_value_error_for_the_row_to_reject() -> None:
    with pytest.raises(ValueError, match="not-a-time"):
        parse_instant("not-a-time")
