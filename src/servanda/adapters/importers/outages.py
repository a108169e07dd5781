"""Outage files: JSONL (one object per line) and CSV (documented columns) -> ``Outage``.

Fields (docs/importing.md, "Outages"): ``id`` (or ``reference``), ``service``,
``start``, ``end`` (ISO 8601; without an offset only when the import names a
zone), ``impact`` (``full`` default, or ``partial``), ``weight`` (fraction
``0.25`` or percentage ``25%``; 1 for full, required for partial), ``planned``
(``true``/``false``, default false: only announced maintenance is planned),
``customers`` (JSON list, or ``;``-separated in CSV; empty = all customers),
``source`` (default the import's), ``description``.

A NUL character in any text is an error (``domain.events.refuse_nul``). Every
line yields an ``Outage`` or a ``Rejection`` with its line number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from datetime import tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path

import orjson

from servanda.adapters.importers.records import Rejection, parse_instant
from servanda.adapters.importers.text_files import TextFile
from servanda.domain.availability import Impact, Outage
from servanda.domain.events import DEFAULT_SOURCE, refuse_nul

CSV_COLUMNS = (
    "id",
    "service",
    "start",
    "end",
    "impact",
    "weight",
    "planned",
    "customers",
    "source",
    "description",
)
_KNOWN = frozenset((*CSV_COLUMNS, "reference"))
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0", ""})


def outage_from_mapping(
    record: Mapping[str, object], *, zone: tzinfo | None = None, source: str = DEFAULT_SOURCE
) -> Outage:
    """One outage from a decoded record; ``ValueError`` with a readable message otherwise."""
    unknown = sorted(set(record) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    for name, value in record.items():
        for text in value if isinstance(value, list) else (value,):
            if isinstance(text, str):
                refuse_nul(name, text)
    outage_id = _text(record.get("id") or record.get("reference"))
    if not outage_id:
        raise ValueError("missing id (or reference)")
    impact_text = _text(record.get("impact")) or Impact.FULL.value
    try:
        impact = Impact(impact_text.lower())
    except ValueError:
        raise ValueError(f"impact must be full or partial, not {impact_text!r}") from None
    return Outage(
        id=outage_id,
        service=_required(record, "service"),
        start=parse_instant(_required(record, "start"), zone),
        end=parse_instant(_required(record, "end"), zone),
        source=_text(record.get("source")) or source,
        customers=_customers(record.get("customers")),
        impact=impact,
        weight=_weight(record.get("weight"), impact),
        planned=_flag(record.get("planned")),
        description=_text(record.get("description")),
    )


Numbered = tuple[int, Outage]  # an outage and the line it was read from


def parse_outages_jsonl(
    lines: Iterable[str], *, zone: tzinfo | None = None, source: str = DEFAULT_SOURCE
) -> Iterator[Outage | Rejection]:
    """Outages from JSON Lines; blank lines are skipped."""
    for item in _jsonl(lines, zone, source):
        yield item if isinstance(item, Rejection) else item[1]


def parse_outages_csv(
    lines: Iterable[str], *, zone: tzinfo | None = None, source: str = DEFAULT_SOURCE
) -> Iterator[Outage | Rejection]:
    """Outages from CSV with a header row naming the columns (any order, extras refused)."""
    for item in _csv(lines, zone, source):
        yield item if isinstance(item, Rejection) else item[1]


def _jsonl(
    lines: Iterable[str], zone: tzinfo | None, source: str
) -> Iterator[Numbered | Rejection]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
            if not isinstance(record, dict):
                raise ValueError("a line must hold one JSON object")
            yield number, outage_from_mapping(record, zone=zone, source=source)
        except (ValueError, orjson.JSONDecodeError) as error:
            yield Rejection(number, str(error), line.rstrip("\n"))


def _csv(lines: Iterable[str], zone: tzinfo | None, source: str) -> Iterator[Numbered | Rejection]:
    reader = csv.DictReader(iter(lines))
    for row in reader:
        number = reader.line_num
        record = {key: value for key, value in row.items() if value not in (None, "")}
        try:
            if None in row:
                raise ValueError("more values than header columns")
            yield number, outage_from_mapping(record, zone=zone, source=source)
        except ValueError as error:
            yield Rejection(number, str(error), ",".join(str(v) for v in row.values()))


def read_outages(
    path: Path, *, zone: tzinfo | None = None, source: str = DEFAULT_SOURCE
) -> Iterator[Outage | Rejection]:
    """Outages from a file, CSV when its name ends in ``.csv`` (or ``.csv.gz``), JSON Lines
    otherwise."""
    for item in read_numbered_outages(path, zone=zone, source=source):
        yield item if isinstance(item, Rejection) else item[1]


def read_numbered_outages(
    path: Path, *, zone: tzinfo | None = None, source: str = DEFAULT_SOURCE
) -> Iterator[Numbered | Rejection]:
    """``read_outages`` with the line each outage was read from (plain or gzip; a line that is
    not UTF-8, or where a compressed file breaks off, is a rejection: ``TextFile``)."""
    kinds = [suffix.lower() for suffix in path.suffixes if suffix.lower() != ".gz"]
    parse = _csv if kinds[-1:] == [".csv"] else _jsonl
    with TextFile(path) as text:
        for item in parse(text, zone, source):
            yield from text.rejections()
            if isinstance(item, Rejection):
                yield Rejection(item.line, item.message, item.raw, str(path))
            else:
                yield item
        yield from text.rejections()


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _required(record: Mapping[str, object], name: str) -> str:
    value = _text(record.get(name))
    if not value:
        raise ValueError(f"missing {name}")
    return value


def _customers(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        names = [name.strip() for name in value.split(";")]
    elif isinstance(value, list):
        names = [_text(name) for name in value]
    else:
        raise ValueError("customers must be a list of names")
    return tuple(sorted({name for name in names if name}))


def _weight(value: object, impact: Impact) -> Decimal:
    if value is None or value == "":
        if impact is Impact.PARTIAL:
            raise ValueError("a partial outage needs a weight")
        return Decimal(1)
    text = _text(value)
    try:
        weight = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        raise ValueError(f"weight {text!r} is not a number or percentage") from None
    return weight


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"planned must be true or false, not {text!r}")
