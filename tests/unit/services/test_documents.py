"""Plain JSON documents of frozen values and back: exact decimals, dates, sets, mappings, enums."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

import orjson
import pytest

from servanda.bootstrap import fold_for
from servanda.domain.clock.measurement import Measurement
from servanda.domain.events import EventType, TicketEvent
from servanda.services.documents import decode, encode
from tests.streams import HOUR, START, small_definitions


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True, slots=True)
class Leaf:
    share: Decimal
    colour: Colour
    since: date | None = None


@dataclass(frozen=True, slots=True)
class Tree:
    name: str
    tags: frozenset[str]
    leaves: tuple[Leaf, ...]
    pair: tuple[int, str]
    by_name: dict[str, Leaf]
    parent: Tree | None = None


TREE = Tree(
    "oak",
    frozenset({"tall", "old", "green"}),
    (Leaf(Decimal("0.950"), Colour.RED, date(2026, 3, 1)), Leaf(Decimal("1E+2"), Colour.BLUE)),
    (3, "three"),
    {"z": Leaf(Decimal("0.1"), Colour.BLUE), "a": Leaf(Decimal("7"), Colour.RED)},
    parent=Tree("root", frozenset(), (), (0, ""), {}),
)


def test_values_encode_as_plain_json_with_exact_decimals_and_sorted_sets_and_keys() -> None:
    document = encode(TREE)
    assert isinstance(document, dict)
    assert document["tags"] == ["green", "old", "tall"]
    assert document["leaves"] == [
        {"share": "0.950", "colour": "red", "since": "2026-03-01"},
        {"share": "1E+2", "colour": "blue", "since": None},
    ]
    assert document["pair"] == [3, "three"]
    assert list(document["by_name"]) == ["a", "z"]
    # stable text: the same value always gives the same bytes
    assert orjson.dumps(document) == orjson.dumps(encode(TREE))


def test_a_decoded_document_equals_the_value_it_was_encoded_from() -> None:
    again = decode(Tree, orjson.loads(orjson.dumps(encode(TREE))))
    assert again == TREE
    assert str(again.leaves[0].share) == "0.950"  # digits kept, not normalised


def test_a_measurement_round_trips_through_its_document() -> None:
    events = [TicketEvent("e", "T", EventType.CREATED, START, priority="P1")]
    measurements = fold_for(small_definitions()).evaluate(events, START + 2 * HOUR).measurements
    for measurement in measurements:
        assert decode(Measurement, encode(measurement)) == measurement


def test_values_it_cannot_represent_are_refused_on_the_way_in_and_out() -> None:
    with pytest.raises(TypeError, match="cannot snapshot a bytes"):
        encode(Leaf(Decimal(1), Colour.RED, b"2026"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected str, found int"):
        decode(Tree, {**encode(TREE), "name": 5})  # type: ignore[dict-item]
