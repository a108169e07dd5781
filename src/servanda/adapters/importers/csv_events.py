"""The CSV event format: one event per row, the JSON event format's fields as columns.

Columns (header row required, any order; docs/importing.md "CSV events"):
``id``, ``ticket``, ``type``, ``at`` (required); ``source`` (default the
import's), ``customer``, ``service``, ``priority``, ``status``, ``score``;
``field.<name>`` columns (custom fields, on ``created``) and ``change.<name>``
columns (``attributes_changed``: ``change.priority``, ``change.service``, ...).
An empty cell means "not given"; a value in a column that does not belong to
the row's type is an error, as in the JSON format (docs/events.md), and so is a
NUL character in any cell. ``at`` is ISO 8601 with an offset (a naive
timestamp only when the import names its zone); it is floored to whole UTC
seconds.

Each row yields a ``TicketEvent`` or a ``Rejection`` with its line number
(the header is line 1).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from datetime import tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path

from servanda.adapters.importers.records import Rejection, parse_instant
from servanda.domain.events import DEFAULT_SOURCE, EventType, TicketEvent, refuse_nul

PLAIN_COLUMNS = (
    "id",
    "ticket",
    "type",
    "at",
    "source",
    "customer",
    "service",
    "priority",
    "status",
    "score",
)
FIELD_PREFIX = "field."
CHANGE_PREFIX = "change."
REQUIRED_COLUMNS = ("id", "ticket", "type", "at")


def check_header(header: Iterable[str]) -> None:
    """Refuse a header with unknown or missing columns (the whole file is unusable then)."""
    names = list(header)
    unknown = [
        name
        for name in names
        if name not in PLAIN_COLUMNS
        and not (name.startswith(FIELD_PREFIX) and len(name) > len(FIELD_PREFIX))
        and not (name.startswith(CHANGE_PREFIX) and len(name) > len(CHANGE_PREFIX))
    ]
    if unknown:
        raise ValueError(f"unknown column(s): {', '.join(unknown)}")
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"duplicate column(s): {', '.join(duplicates)}")


def event_from_row(
    row: Mapping[str, str], *, zone: tzinfo | None = None, source: str = DEFAULT_SOURCE
) -> TicketEvent:
    """One event from a row of cells; ``ValueError`` with a readable message otherwise."""
    cells = {name: value.strip() for name, value in row.items() if value and value.strip()}
    for name, value in cells.items():
        refuse_nul(name, value)
    for name in REQUIRED_COLUMNS:
        if name not in cells:
            raise ValueError(f"missing {name}")
    try:
        kind = EventType(cells["type"])
    except ValueError:
        known = ", ".join(kind.value for kind in EventType)
        raise ValueError(f"unknown type {cells['type']!r} (one of: {known})") from None
    fields = _prefixed(cells, FIELD_PREFIX)
    changes = _prefixed(cells, CHANGE_PREFIX)
    _check_shape(kind, cells, fields, changes)
    return TicketEvent(
        id=cells["id"],
        ticket=cells["ticket"],
        type=kind,
        at=parse_instant(cells["at"], zone),
        source=cells.get("source", source),
        customer=cells.get("customer"),
        service=cells.get("service"),
        priority=cells.get("priority"),
        status=cells.get("status"),
        fields=fields,
        changes=changes,
        score=_score(cells.get("score")),
    )


_ATTRIBUTE_CELLS = ("customer", "service", "priority", "status", "score")
_ALLOWED_CELLS: dict[EventType, frozenset[str]] = dict.fromkeys(EventType, frozenset()) | {
    EventType.CREATED: frozenset({"customer", "service", "priority", "status"}),
    EventType.STATUS_CHANGED: frozenset({"status"}),
    EventType.RATED: frozenset({"score"}),
}


def _check_shape(
    kind: EventType,
    cells: Mapping[str, str],
    fields: tuple[tuple[str, str], ...],
    changes: tuple[tuple[str, str], ...],
) -> None:
    """The JSON format's per-type rules: required values, and no value that belongs elsewhere."""
    stray = [
        name for name in _ATTRIBUTE_CELLS if name in cells and name not in _ALLOWED_CELLS[kind]
    ]
    if stray:
        raise ValueError(f"{', '.join(stray)} not allowed on a {kind.value} event")
    if kind is EventType.STATUS_CHANGED and "status" not in cells:
        raise ValueError("a status_changed event needs a status")
    if kind is EventType.ATTRIBUTES_CHANGED and not changes:
        raise ValueError("an attributes_changed event needs at least one change.<name> column")
    if kind is not EventType.ATTRIBUTES_CHANGED and changes:
        raise ValueError(f"change.<name> columns belong to attributes_changed, not {kind}")
    if kind is EventType.RATED and "score" not in cells:
        raise ValueError("a rated event needs a score")
    if kind is not EventType.CREATED and fields:
        raise ValueError(f"field.<name> columns belong to created, not {kind}")


def _prefixed(cells: Mapping[str, str], prefix: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(
            (name[len(prefix) :], value) for name, value in cells.items() if name.startswith(prefix)
        )
    )


def _score(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"score {text!r} is not a number") from None
    if not score.is_finite():
        raise ValueError(f"score {text!r} is not a finite number")
    return score


def parse_csv_events(
    lines: Iterable[str], *, zone: tzinfo | None = None, source: str = DEFAULT_SOURCE
) -> Iterator[TicketEvent | Rejection]:
    """Events from CSV text lines; a bad header rejects line 1 and stops."""
    for item in parse_csv_rows(lines, zone=zone, source=source):
        yield item if isinstance(item, Rejection) else item[1]


def parse_csv_rows(
    lines: Iterable[str], *, zone: tzinfo | None = None, source: str = DEFAULT_SOURCE
) -> Iterator[tuple[int, TicketEvent, str] | Rejection]:
    """``parse_csv_events`` with each event's line number (the row's last line) and raw cells."""
    reader = csv.reader(iter(lines))
    header = next(reader, None)
    if header is None:
        return
    header = [name.strip() for name in header]
    try:
        check_header(header)
    except ValueError as error:
        yield Rejection(1, str(error), ",".join(header))
        return
    for cells in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        try:
            if len(cells) != len(header):
                raise ValueError(f"{len(cells)} values for {len(header)} columns")
            event = event_from_row(dict(zip(header, cells, strict=True)), zone=zone, source=source)
            yield number, event, ",".join(cells)
        except ValueError as error:
            yield Rejection(number, str(error), ",".join(cells))


def read_csv_events(
    path: Path, *, zone: tzinfo | None = None, source: str = DEFAULT_SOURCE
) -> Iterator[TicketEvent | Rejection]:
    """Events from a CSV file (UTF-8, optional BOM); rejections carry the file name."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        for item in parse_csv_events(stream, zone=zone, source=source):
            if isinstance(item, Rejection):
                yield Rejection(item.line, item.message, item.raw, str(path))
            else:
                yield item
