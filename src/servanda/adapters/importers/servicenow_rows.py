"""Reading a ServiceNow incident audit-log CSV into typed rows, in each incident's update order.

The file (read by ``text_files.TextFile``: plain or gzip) has one row per incident
update; the columns this reader needs are named in ``REQUIRED_COLUMNS``.
Timestamps are ``D/M/YYYY HH:MM`` wall-clock time in the zone the import
names (the export does not say); they become epoch seconds (UTC). ``?`` marks
a missing value and becomes ``None``. A row that cannot be used (a NUL
character in a cell it uses included) is a ``Rejection`` with its line number
(the header is line 1).

Order: rows are sorted per incident by ``sys_mod_count``, then
``sys_updated_at``, then line. Where one ``sys_mod_count`` appears on several
rows, the rows whose ``sys_updated_at`` lies outside the times of the
neighbouring updates are rejected as misplaced duplicates.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo

from servanda.adapters.importers.records import Rejection
from servanda.domain.errors import EventError
from servanda.domain.events import refuse_nul
from servanda.domain.instants import is_supported, unsupported

MISSING = "?"
REQUIRED_COLUMNS = (
    "number",
    "incident_state",
    "reopen_count",
    "sys_mod_count",
    "opened_at",
    "sys_updated_at",
    "priority",
    "assignment_group",
    "contact_type",
    "resolved_at",
)


@dataclass(frozen=True, slots=True)
class IncidentRow:
    """One usable update of one incident (instants in epoch seconds, UTC)."""

    line: int
    number: str
    state: str
    mod: int
    updated_at: int
    opened_at: int
    resolved_at: int | None
    reopen_count: int
    priority: str | None
    customer: str | None
    service: str | None
    group: str | None
    channel: str | None


@dataclass(frozen=True, slots=True)
class Columns:
    """Which columns carry the ticket's customer and service (or a fixed customer)."""

    customer_field: str = "caller_id"
    service_field: str = "category"
    customer: str | None = None  # a fixed customer for every incident, instead of a column


class LocalTimes:
    """``D/M/YYYY HH:MM`` in one zone -> epoch seconds, memoised (the file repeats them a lot)."""

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone
        self._seen: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        seconds = self._seen.get(text)
        if seconds is None:
            seconds = self._parse(text)
            self._seen[text] = seconds
        return seconds

    def _parse(self, text: str) -> int:
        try:
            day_part, time_part = text.strip().split(" ")
            day, month, year = (int(part) for part in day_part.split("/"))
            hour, minute = (int(part) for part in time_part.split(":"))
            local = datetime(year, month, day, hour, minute, tzinfo=self._zone)
        except ValueError:
            raise ValueError(f"{text!r} is not a D/M/YYYY HH:MM timestamp") from None
        try:
            seconds = int(local.timestamp())
        except (OverflowError, ValueError):  # the zone's offset took it past year 1 or 9999
            seconds = None
        if seconds is None or not is_supported(seconds):
            raise ValueError(unsupported("timestamp", repr(text)))
        return seconds


def priority_code(text: str) -> str:
    """``1 - Critical`` -> ``P1`` (the number before the dash); ``ValueError`` otherwise."""
    head = text.split("-", 1)[0].strip()
    if not head.isdigit():
        raise ValueError(f"priority {text!r} does not start with a number")
    return f"P{int(head)}"


class RowReader:
    """Turns CSV records into ``IncidentRow`` values or rejections."""

    def __init__(self, header: list[str], columns: Columns, zone: tzinfo) -> None:
        wanted = [*REQUIRED_COLUMNS, columns.service_field]
        if columns.customer is None:
            wanted.append(columns.customer_field)
        missing = [name for name in wanted if name not in header]
        if missing:
            raise EventError(
                f"not a ServiceNow incident log: missing column(s) {', '.join(missing)}"
            )
        self._names = tuple(dict.fromkeys(wanted))
        self._positions = tuple(header.index(name) for name in self._names)
        self._width = len(header)
        self._columns = columns
        self._times = LocalTimes(zone)

    def read(self, line: int, record: list[str]) -> IncidentRow | Rejection:
        try:
            return self._row(line, record)
        except ValueError as error:
            return Rejection(line, str(error), ",".join(record))

    def _row(self, line: int, record: list[str]) -> IncidentRow:
        if len(record) != self._width:
            raise ValueError(f"{len(record)} values for {self._width} columns")
        cell = dict(
            zip(self._names, map(_value, map(record.__getitem__, self._positions)), strict=True)
        )
        if "\x00" in "".join(record):  # rare: then name the cell
            for name, value in cell.items():
                refuse_nul(name, value or "")
        number, state, mod = cell["number"], cell["incident_state"], cell["sys_mod_count"]
        if number is None:
            raise ValueError("missing incident number")
        if state is None or mod is None or not mod.isdigit():
            raise ValueError(f"unusable incident_state {state!r} / sys_mod_count {mod!r}")
        priority, resolved, channel = cell["priority"], cell["resolved_at"], cell["contact_type"]
        return IncidentRow(
            line=line,
            number=number,
            state=state,
            mod=int(mod),
            updated_at=self._instant(cell, "sys_updated_at"),
            opened_at=self._instant(cell, "opened_at"),
            resolved_at=None if resolved is None else self._times(resolved),
            reopen_count=int(cell["reopen_count"] or 0),
            priority=None if priority is None else priority_code(priority),
            customer=self._columns.customer or cell[self._columns.customer_field],
            service=cell[self._columns.service_field],
            group=cell["assignment_group"],
            channel=None if channel is None else channel.lower(),
        )

    def _instant(self, cell: dict[str, str | None], name: str) -> int:
        text = cell[name]
        if text is None:
            raise ValueError(f"missing {name}")
        return self._times(text)


def _value(text: str) -> str | None:
    """A cell's value; ``?`` and empty cells are missing."""
    value = text.strip()
    return None if value in (MISSING, "") else value


def read_rows(
    stream: Iterable[str], columns: Columns, zone: tzinfo
) -> Iterator[IncidentRow | Rejection]:
    """Every data row of the log, in file order, as a row or a rejection."""
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        raise EventError("the ServiceNow file is empty")
    rows = RowReader([name.strip() for name in header], columns, zone)
    for record in reader:
        if record:
            yield rows.read(reader.line_num, record)


def in_update_order(rows: list[IncidentRow]) -> tuple[list[IncidentRow], list[Rejection]]:
    """One incident's rows in update order, without misplaced duplicate updates."""
    ordered = sorted(rows, key=lambda row: (row.mod, row.updated_at, row.line))
    mods = sorted({row.mod for row in ordered})
    if len(mods) == len(ordered):
        return ordered, []
    by_mod: dict[int, list[IncidentRow]] = {}
    for row in ordered:
        by_mod.setdefault(row.mod, []).append(row)
    kept: list[IncidentRow] = []
    rejected: list[Rejection] = []
    for position, mod in enumerate(mods):
        group = by_mod[mod]
        if len(group) > 1:
            lower = kept[-1].updated_at if kept else None
            upper = by_mod[mods[position + 1]][0].updated_at if position + 1 < len(mods) else None
            fitting = [row for row in group if _between(row.updated_at, lower, upper)]
            if fitting:
                rejected.extend(_misplaced(row) for row in group if row not in fitting)
                group = fitting
        kept.extend(group)
    return kept, rejected


def _between(instant: int, lower: int | None, upper: int | None) -> bool:
    return (lower is None or instant >= lower) and (upper is None or instant <= upper)


def _misplaced(row: IncidentRow) -> Rejection:
    return Rejection(
        row.line,
        f"{row.number}: duplicate sys_mod_count {row.mod} whose sys_updated_at is out of "
        "order with the neighbouring updates (ignored)",
    )
