"""ServiceNow audit-log rows: gzip or plain files, local D/M/YYYY times, cells, and update order."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from servanda.adapters.importers.records import Rejection
from servanda.adapters.importers.servicenow_rows import (
    Columns,
    IncidentRow,
    LocalTimes,
    in_update_order,
    read_rows,
)
from servanda.adapters.importers.text_files import TextFile
from servanda.domain.errors import EventError

HEADER = (
    " number ,incident_state,reopen_count,sys_mod_count,caller_id,opened_at,sys_updated_at,"
    "category,priority,assignment_group,contact_type,resolved_at\n"
)
ROW = "INC1,Active,?,3,Caller 7,1/3/2016 09:00,1/3/2016 09:30,Category 5,2 - High,?,Phone,?\n"
BERLIN = ZoneInfo("Europe/Berlin")
BY_CALLER = Columns()


def utc(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())  # type: ignore[misc]


def rows(
    text: str, columns: Columns = BY_CALLER, zone: tzinfo = UTC
) -> list[IncidentRow | Rejection]:
    return list(read_rows(io.StringIO(HEADER + text), columns, zone))


def test_a_row_becomes_typed_values_with_question_marks_as_missing() -> None:
    (row,) = rows(ROW)
    assert row == IncidentRow(
        line=2, number="INC1", state="Active", mod=3,
        updated_at=utc(2016, 3, 1, 9, 30), opened_at=utc(2016, 3, 1, 9), resolved_at=None,
        reopen_count=0, priority="P2", customer="Caller 7", service="Category 5",
        group=None, channel="phone",
    )  # fmt: skip


def test_a_fixed_customer_needs_no_customer_column() -> None:
    header = HEADER.replace("caller_id,", "")
    text = ROW.replace("Caller 7,", "")
    (row,) = read_rows(io.StringIO(header + text), Columns(customer="acme"), UTC)
    assert isinstance(row, IncidentRow)
    assert row.customer == "acme"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("?,Active,0,3,C,1/3/2016 09:00,1/3/2016 09:30,S,?,?,?,?\n", "missing incident number"),
        ("INC1,?,0,3,C,1/3/2016 09:00,1/3/2016 09:30,S,?,?,?,?\n", "unusable incident_state None"),
        ("INC1,Active,0,-1,C,1/3/2016 09:00,1/3/2016 09:30,S,?,?,?,?\n", "sys_mod_count '-1'"),
        ("INC1,Active,0,3,C,?,1/3/2016 09:30,S,?,?,?,?\n", "missing opened_at"),
        ("INC1,Active,0,3,C,1/3/2016 09:00,2016-03-01 09:30,S,?,?,?,?\n", "D/M/YYYY HH:MM"),
        ("INC1,Active,0,3,C,1/3/2016 09:00,1/3/2300 09:30,S,?,?,?,?\n", "outside the supported"),
        ("INC1,Active,0,3,C,1/3/2016 09:00,1/3/2016 09:30,S,?,?,?\n", "11 values for 12 columns"),
        ("INC1,Active,x,3,C,1/3/2016 09:00,1/3/2016 09:30,S,?,?,?,?\n", "invalid literal"),
    ],
)
def test_an_unusable_row_is_a_rejection_with_its_line_and_the_raw_text(text: str, message: str):
    rejection, kept = rows(text + ROW)
    assert isinstance(rejection, Rejection)
    assert (rejection.line, rejection.raw) == (2, text.rstrip("\n"))
    assert message in rejection.message
    assert isinstance(kept, IncidentRow)
    assert kept.line == 3


def test_an_empty_file_and_a_file_of_another_kind_are_refused_as_a_whole() -> None:
    with pytest.raises(EventError, match="is empty"):
        list(read_rows(io.StringIO(""), Columns(), UTC))
    with pytest.raises(EventError, match="missing column"):
        list(read_rows(io.StringIO("ticket,type,at\n"), Columns(), UTC))


def test_blank_lines_are_skipped_but_counted_in_line_numbers() -> None:
    (row,) = rows("\n" + ROW)
    assert isinstance(row, IncidentRow)
    assert row.line == 3


def test_local_times_are_read_in_the_named_zone_across_daylight_saving() -> None:
    times = LocalTimes(BERLIN)
    assert times("1/3/2026 09:00") == utc(2026, 3, 1, 8)
    assert times("1/7/2026 09:00") == utc(2026, 7, 1, 7)
    # the hour the clocks skip reads as the hour before the jump (02:30 CET = 03:30 CEST)
    assert times("29/3/2026 02:30") == utc(2026, 3, 29, 1, 30)
    # the hour that happens twice means its first occurrence (still summer time)
    assert times("25/10/2026 02:30") == utc(2026, 10, 25, 0, 30)
    assert times("31/12/2026 23:59") == utc(2026, 12, 31, 22, 59)


@pytest.mark.parametrize(
    "text", ["31/2/2016 09:00", "1/3/2016", "1/3/2016 9h00", "", "1/3/16 09:00:00"]
)
def test_a_cell_that_is_no_d_m_yyyy_time_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not a D/M/YYYY HH:MM timestamp"):
        LocalTimes(UTC)(text)


def test_plain_and_gzipped_files_read_the_same_and_a_bom_is_dropped(tmp_path: Path) -> None:
    plain, packed = tmp_path / "log.csv", tmp_path / "log.csv.gz"
    plain.write_text("\ufeff" + HEADER + ROW, encoding="utf-8")
    packed.write_bytes(gzip.compress(("\ufeff" + HEADER + ROW).encode("utf-8")))
    with TextFile(plain) as first, TextFile(packed) as second:
        assert "".join(first) == "".join(second) == HEADER + ROW


def row(mod: int, updated: int, line: int) -> IncidentRow:
    return IncidentRow(
        line, "INC1", "Active", mod, updated, 0, None, 0, None, None, None, None, None
    )


def test_rows_are_ordered_by_update_number_then_time_then_line() -> None:
    given = [row(2, 50, 2), row(0, 10, 3), row(1, 30, 5), row(1, 20, 4)]
    ordered, rejected = in_update_order(given)
    assert [r.line for r in ordered] == [3, 4, 5, 2]
    assert rejected == []


def test_a_duplicate_update_outside_its_neighbours_times_is_rejected_and_one_inside_kept() -> None:
    ordered, rejected = in_update_order(
        [row(0, 10, 2), row(1, 99, 3), row(1, 20, 4), row(2, 30, 5)]
    )
    assert [r.line for r in ordered] == [2, 4, 5]
    assert [r.line for r in rejected] == [3]
    assert rejected[0].message == (
        "INC1: duplicate sys_mod_count 1 whose sys_updated_at is out of order with the "
        "neighbouring updates (ignored)"
    )


def test_duplicates_of_which_none_fits_are_all_kept() -> None:
    ordered, rejected = in_update_order([row(0, 50, 2), row(1, 10, 3), row(1, 20, 4), row(2, 5, 5)])
    assert [r.line for r in ordered] == [2, 3, 4, 5]
    assert rejected == []
