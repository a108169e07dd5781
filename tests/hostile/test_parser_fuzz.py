"""Property-based fuzz of the parsers that read what users send: only documented errors escape.

- the event parser (``specs.events``: a JSON line or a decoded value) raises
  ``EventError`` or returns an event whose instant lies in the supported range,
  and writing that event and reading it back gives it again;
- the CSV event reader (``adapters.importers.csv_events``) and the outage
  readers (``adapters.importers.outages``) never raise: every line is a record
  or a ``Rejection`` with its line number; one outage record is an ``Outage``
  or a ``ValueError`` (its documented error);
- the YAML definitions loader (``specs.loader``) returns definitions or raises
  ``DefinitionError``, every issue of which names its file.

Inputs: arbitrary bytes and text, JSON values of any shape with hostile
strings, numbers and instants, and the shipped examples mutated (characters
inserted, deleted, replaced; values swapped for hostile ones). Bounded
(``EXAMPLES`` per property, a few seconds each), no database.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servanda.adapters.importers.csv_events import parse_csv_rows
from servanda.adapters.importers.outages import (
    outage_from_mapping,
    parse_outages_csv,
    parse_outages_jsonl,
)
from servanda.adapters.importers.records import Rejection
from servanda.domain.errors import DefinitionError, EventError
from servanda.domain.events import TicketEvent
from servanda.domain.instants import EARLIEST, LATEST
from servanda.specs.events import event_from_json, event_to_line, parse_event_line
from servanda.specs.loader import load_definitions_from_texts

EXAMPLES = 500
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_FILES = sorted((ROOT / "examples").glob("*/*.yaml"))

EDGE_TEXT = ["", " ", "\x00", "\ud800", "\u202e", "\ufeff", "\r\n", "~", "null", "yes", "0x1F"]
EDGE_INSTANTS = [
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59+14:00",
    "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "2199-12-31T23:59:59Z",
    "2199-12-31T23:59:59-01:00",
    "2200-01-01T00:00:00Z",
    "2026-02-29T00:00:00Z",
    "2026-03-02T09:00:00",
    "2026-03-02T09:00:00+25:00",
    "2026-12-31T23:59:60Z",
    "+12026-03-02T09:00:00Z",
    "2026-03-02T09:00:00.999999999999Z",
]
EDGE_NUMBERS = [0, -1, 2**63, -(2**64), 10**400, 1e308, -1e308, 5e-324, float("inf"), float("nan")]

texts = st.one_of(st.text(max_size=40), st.sampled_from(EDGE_TEXT + EDGE_INSTANTS))
numbers = st.one_of(st.integers(), st.floats(), st.sampled_from(EDGE_NUMBERS))
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=20,
)
EVENT_TYPES = ["created", "responded", "status_changed", "customer_replied", "attributes_changed"]
EVENT_TYPES += ["resolved", "reopened", "closed", "rated", "unknown"]


@st.composite
def event_like(draw: st.DrawFn) -> dict[str, object]:
    """Mostly well-formed events with one or more hostile values."""
    event: dict[str, object] = {
        "id": draw(texts),
        "ticket": draw(texts),
        "type": draw(st.sampled_from(EVENT_TYPES)),
        "at": draw(st.one_of(st.sampled_from(EDGE_INSTANTS), texts, numbers)),
    }
    optional = {
        "source": texts,
        "customer": texts,
        "service": texts,
        "priority": texts,
        "status": texts,
        "fields": st.one_of(st.dictionaries(texts, texts, max_size=3), json_values),
        "changes": st.one_of(st.dictionaries(texts, texts, max_size=3), json_values),
        "score": st.one_of(numbers, texts),
    }
    for key in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=4)):
        event[key] = draw(optional[key])
    for key in draw(st.lists(st.sampled_from(sorted(event)), unique=True, max_size=1)):
        event[key] = draw(json_values)
    return event


def accepted_event(event: TicketEvent) -> None:
    """What every event the parser accepts satisfies."""
    assert EARLIEST <= event.at <= LATEST
    assert event.id
    assert event.ticket
    assert parse_event_line(event_to_line(event)) == event


def only(errors: tuple[type[BaseException], ...], call: Callable[[], object]) -> object:
    """``call()``'s result, or ``None`` when it raised one of ``errors`` (anything else
    escapes and fails the test)."""
    try:
        return call()
    except errors:
        return None


@FUZZ
@given(line=st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_any_line_is_an_event_or_an_event_error(line: bytes | str) -> None:
    event = only((EventError,), lambda: parse_event_line(line))
    if isinstance(event, TicketEvent):
        accepted_event(event)


@FUZZ
@given(value=st.one_of(event_like(), json_values))
def test_any_json_value_is_an_event_or_an_event_error(value: object) -> None:
    event = only((EventError,), lambda: event_from_json(value))
    if isinstance(event, TicketEvent):
        accepted_event(event)
    try:
        line = json.dumps(value, allow_nan=True)
    except (ValueError, UnicodeEncodeError):
        return
    again = only((EventError,), lambda: parse_event_line(line))
    if isinstance(again, TicketEvent):
        accepted_event(again)


CSV_HEADERS = [
    "id,ticket,type,at",
    "id,ticket,type,at,source,customer,service,priority,status,score,field.channel,change.priority",
    "id,ticket,type",
    "id,id,ticket,type,at",
]


@FUZZ
@given(
    header=st.one_of(st.sampled_from(CSV_HEADERS), st.text(max_size=60)),
    rows=st.lists(
        st.one_of(
            st.lists(st.one_of(texts, st.sampled_from(EVENT_TYPES)), max_size=13).map(
                lambda cells: ",".join(json.dumps(c) if "," in c or '"' in c else c for c in cells)
            ),
            st.text(max_size=80),
        ),
        max_size=8,
    ),
)
def test_any_csv_file_is_events_and_located_rejections(header: str, rows: list[str]) -> None:
    # split as a file opened with newline="" is (importers.csv_events' readers)
    lines = list(io.StringIO("".join(f"{line}\n" for line in [header, *rows]), newline=""))
    for item in parse_csv_rows(lines):
        if isinstance(item, Rejection):
            assert item.line >= 1
            assert item.message
        else:
            number, event, _raw = item
            assert number >= 2
            assert EARLIEST <= event.at <= LATEST


@st.composite
def outage_like(draw: st.DrawFn) -> dict[str, object]:
    record: dict[str, object] = {
        "id": draw(texts),
        "service": draw(texts),
        "start": draw(st.one_of(st.sampled_from(EDGE_INSTANTS), texts, numbers)),
        "end": draw(st.one_of(st.sampled_from(EDGE_INSTANTS), texts, numbers)),
    }
    optional = {
        "impact": st.one_of(st.sampled_from(["full", "partial", "FULL", ""]), json_values),
        "weight": st.one_of(numbers, texts, st.sampled_from(["25%", "1e999%", "-5%", "NaN"])),
        "planned": st.one_of(st.booleans(), texts, json_values),
        "customers": st.one_of(st.lists(texts, max_size=3), json_values),
        "source": texts,
        "description": texts,
        "reference": texts,
    }
    for key in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=4)):
        record[key] = draw(optional[key])
    return record


@FUZZ
@given(record=st.one_of(outage_like(), st.dictionaries(texts, json_values, max_size=5)))
def test_any_outage_record_is_an_outage_or_a_value_error(record: dict[str, object]) -> None:
    outage = only((ValueError,), lambda: outage_from_mapping(record))
    if outage is not None:
        assert EARLIEST <= outage.start < outage.end <= LATEST  # type: ignore[attr-defined]
        assert Decimal(0) < outage.weight <= Decimal(1)  # type: ignore[attr-defined]


@FUZZ
@given(
    lines=st.lists(
        st.one_of(
            outage_like().map(lambda r: json.dumps(r, allow_nan=True)),
            st.text(max_size=80),
        ),
        max_size=6,
    ),
    csv_header=st.sampled_from(["id,service,start,end", "id,service,start,end,impact,weight"]),
)
def test_any_outage_file_is_outages_and_located_rejections(
    lines: list[str], csv_header: str
) -> None:
    text = "".join(f"{line}\n" for line in lines)
    jsonl = list(io.StringIO(text, newline=""))
    csv_lines = list(io.StringIO(f"{csv_header}\n{text}", newline=""))
    for item in [*parse_outages_jsonl(jsonl), *parse_outages_csv(csv_lines)]:
        if isinstance(item, Rejection):
            assert item.line >= 1
            assert item.message


def mutated(text: str, data: st.DataObject) -> str:
    """``text`` with a few characters inserted, deleted or replaced, or a line's value
    swapped for a hostile one."""
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(0, len(text)))
        how = data.draw(st.sampled_from(["insert", "delete", "replace", "value", "line"]))
        piece = data.draw(
            st.one_of(
                st.sampled_from(
                    [
                        "\x00", "\t", "&a", "*a", "!!python/object:os.system", "[", "{", ":",
                        "- ", "\n  ", "%YAML 1.1\n", "---\n", "<<: *a", "1e999", "0001-01-01",
                        "9999-12-31", "-", "'", '"',
                    ]
                ),
                st.text(max_size=6),
            )
        )  # fmt: skip
        if how == "insert":
            text = text[:where] + piece + text[where:]
        elif how == "delete":
            text = text[:where] + text[where + data.draw(st.integers(1, 40)) :]
        elif how == "replace":
            text = text[:where] + piece + text[where + len(piece) :]
        else:
            lines = text.split("\n")
            index = data.draw(st.integers(0, max(0, len(lines) - 1)))
            head, colon, _ = lines[index].partition(": ")
            lines[index] = f"{head}{colon or ': '}{piece}" if how == "value" else piece
            text = "\n".join(lines)
    return text


@settings(FUZZ, max_examples=EXAMPLES)
@given(data=st.data())
def test_any_definitions_yaml_is_definitions_or_a_located_definition_error(
    data: st.DataObject,
) -> None:
    source = data.draw(st.sampled_from(EXAMPLE_FILES))
    text = source.read_text(encoding="utf-8")
    if data.draw(st.booleans()):
        text = mutated(text, data)
    else:
        text = data.draw(st.one_of(st.text(max_size=200), st.just(text[: len(text) // 2])))
    name = source.name
    refused: DefinitionError | None = None
    try:
        load_definitions_from_texts({name: text})
    except DefinitionError as error:
        refused = error
    if refused is not None:
        assert refused.issues, text
        assert all(issue.file == name for issue in refused.issues), refused.issues


def test_the_fuzzed_examples_are_there() -> None:
    assert len(EXAMPLE_FILES) >= 4
