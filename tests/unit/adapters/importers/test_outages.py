"""Outage files: JSONL and CSV lines become outages or located rejections."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from servanda.adapters.importers.outages import parse_outages_csv, parse_outages_jsonl
from servanda.adapters.importers.records import Rejection, collect
from servanda.domain.availability import Impact, Outage


def at(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())


def test_a_jsonl_full_outage_becomes_an_outage_for_every_customer():
    line = '{"id": "INC-1", "service": "email", "start": "2026-03-01T10:00:00Z", "end": "2026-03-01T11:30:00+00:00"}'
    assert collect(parse_outages_jsonl([line])).values == [
        Outage(id="INC-1", service="email", start=at(2026, 3, 1, 10), end=at(2026, 3, 1, 11, 30))
    ]


def test_a_jsonl_partial_planned_outage_keeps_weight_customers_and_source():
    line = (
        '{"reference": "CHG-7", "service": "network", "start": "2026-03-01T10:00:00+01:00",'
        ' "end": "2026-03-01T12:00:00+01:00", "impact": "partial", "weight": 0.25,'
        ' "planned": true, "customers": ["globex", "acme"], "source": "statuspage"}'
    )
    [outage] = collect(parse_outages_jsonl([line])).values
    assert outage.id == "CHG-7"
    assert outage.start == at(2026, 3, 1, 9)
    assert outage.impact is Impact.PARTIAL
    assert outage.weight == Decimal("0.25")
    assert outage.planned
    assert outage.customers == ("acme", "globex")
    assert outage.source == "statuspage"


def test_bad_jsonl_lines_are_rejected_with_their_line_numbers_and_the_rest_is_kept():
    lines = [
        '{"id": "a", "service": "s", "start": "2026-03-01T10:00:00Z", "end": "2026-03-01T11:00:00Z"}',
        "",
        "{not json",
        '{"id": "b", "service": "s", "start": "2026-03-01T10:00:00Z", "end": "2026-03-01T09:00:00Z"}',
        '{"id": "c", "service": "s", "start": "2026-03-01T10:00:00", "end": "2026-03-01T11:00:00Z"}',
        '{"id": "d", "service": "s", "start": "2026-03-01T10:00:00Z", "end": "2026-03-01T11:00:00Z", "impact": "partial"}',
        '{"id": "e", "service": "s", "start": "2026-03-01T10:00:00Z", "end": "2026-03-01T11:00:00Z", "colour": "red"}',
        "[1, 2]",
    ]
    result = collect(parse_outages_jsonl(lines))
    assert [outage.id for outage in result.values] == ["a"]
    lines_and_reasons = [(r.line, r.message) for r in result.rejections]
    assert [line for line, _ in lines_and_reasons] == [3, 4, 5, 6, 7, 8]
    assert "ends at or before its start" in lines_and_reasons[1][1]
    assert "no UTC offset" in lines_and_reasons[2][1]
    assert "needs a weight" in lines_and_reasons[3][1]
    assert "unknown field(s): colour" in lines_and_reasons[4][1]


def test_a_naive_timestamp_is_read_in_the_zone_the_import_names():
    line = (
        '{"id": "a", "service": "s", "start": "2026-07-01T10:00:00", "end": "2026-07-01T11:00:00"}'
    )
    [outage] = collect(parse_outages_jsonl([line], zone=ZoneInfo("Europe/Berlin"))).values
    assert outage.start == at(2026, 7, 1, 8)


def test_csv_outages_read_percent_weights_and_semicolon_separated_customers():
    text = (
        "id,service,start,end,impact,weight,planned,customers,description\n"
        "o1,email,2026-03-01T10:00:00Z,2026-03-01T11:00:00Z,,,,,mail down\n"
        "o2,email,2026-03-01T10:00:00Z,2026-03-01T11:00:00Z,partial,50%,yes,acme; globex,slow\n"
    )
    result = collect(parse_outages_csv(text.splitlines(keepends=True)))
    assert result.rejections == []
    first, second = result.values
    assert (first.impact, first.weight, first.planned, first.customers) == (
        Impact.FULL,
        Decimal(1),
        False,
        (),
    )
    assert first.description == "mail down"
    assert (second.impact, second.weight, second.planned, second.customers) == (
        Impact.PARTIAL,
        Decimal("0.5"),
        True,
        ("acme", "globex"),
    )


def test_csv_outage_rows_that_cannot_be_used_are_rejected_by_line():
    text = (
        "id,service,start,end,impact,weight,planned\n"
        "o1,email,2026-03-01T10:00:00Z,2026-03-01T11:00:00Z,total,,\n"
        "o2,email,yesterday,2026-03-01T11:00:00Z,,,\n"
        "o3,email,2026-03-01T10:00:00Z,2026-03-01T11:00:00Z,,,maybe\n"
        "o4,email,2026-03-01T10:00:00Z,2026-03-01T11:00:00Z,partial,lots,\n"
    )
    rejections = collect(parse_outages_csv(text.splitlines(keepends=True))).rejections
    assert all(isinstance(r, Rejection) for r in rejections)
    assert [(r.line, r.message) for r in rejections] == [
        (2, "impact must be full or partial, not 'total'"),
        (3, "'yesterday' is not an ISO 8601 timestamp"),
        (4, "planned must be true or false, not 'maybe'"),
        (5, "weight 'lots' is not a number or percentage"),
    ]
