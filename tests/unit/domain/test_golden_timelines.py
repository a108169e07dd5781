"""Golden timelines: every file in tests/golden/timelines/ is a ticket story and its exact outcome.

A file names its definitions (``definitions/<name>.yaml`` next to it), the
evaluation instant ``now``, the events (JSON event format; ``id`` defaults to
``e<n>`` by position and ``ticket`` to ``T-1``), and either ``expect`` (the
measurements, in the fold's order: first_response, next_response cycles,
resolution; only the keys written are compared) or ``error`` (a message the
fold must raise); ``ticket`` optionally pins the ticket's facts (customer,
service, priority, status, created_at, attributes) as the fold leaves them. Durations are written ``1h30m`` or as seconds; instants as
ISO 8601 with an offset. ``ignored`` lists the ids the fold must not apply.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from servanda.domain.calendar.arithmetic import build_calendars
from servanda.domain.clock.engine import ClockEngine
from servanda.domain.clock.measurement import Measurement
from servanda.domain.clock.ticket_fold import TicketFacts
from servanda.domain.errors import ServandaError
from servanda.specs.events import event_from_json, parse_instant
from servanda.specs.loader import load_definitions

HERE = Path(__file__).resolve().parents[2] / "golden" / "timelines"
CASES = sorted(HERE.glob("*.yaml"))
DURATIONS = {"target": "target_seconds", "elapsed": "elapsed_seconds", "paused": "paused_seconds"}
DURATIONS |= {"remaining": "remaining_seconds"}
INSTANTS = ("started_at", "deadline", "stopped_at", "breached_at", "next_due_at")
PLAIN = ("metric", "cycle", "state", "objective", "agreement", "level", "calendar")


def load(path: Path) -> dict[str, Any]:
    yaml = YAML(typ="safe", pure=True)
    data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"))
    return data


@cache
def engine(name: str) -> ClockEngine:
    definitions = load_definitions(HERE / "definitions" / name)
    return ClockEngine(definitions, build_calendars(definitions.calendars))


def seconds(value: object) -> int:
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"(-)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", str(value))
    assert match, f"not a duration: {value!r}"
    assert any(match.groups()[1:]), f"not a duration: {value!r}"
    sign, h, m, s = match.groups()
    total = int(h or 0) * 3600 + int(m or 0) * 60 + int(s or 0)
    return -total if sign else total


def instant(value: object) -> int | None:
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return parse_instant(text)


def events_of(case: dict[str, Any]) -> list[Any]:
    events = []
    for number, raw in enumerate(case["events"], start=1):
        data = {"id": f"e{number}", "ticket": "T-1", **raw}
        data["at"] = raw["at"].isoformat() if isinstance(raw["at"], datetime) else raw["at"]
        events.append(event_from_json(data))
    return events


def actual_view(measurement: Measurement, expected: dict[str, Any]) -> dict[str, Any]:
    """The measurement seen through the keys the fixture wrote, in the fixture's units."""
    data = measurement.to_dict()
    view: dict[str, Any] = {}
    for key in expected:
        if key in DURATIONS:
            view[key] = data[DURATIONS[key]]
        elif key in INSTANTS:
            view[key] = instant(data[key])
        elif key == "warnings":
            view[key] = [(w.threshold, w.at) for w in measurement.warnings]
        elif key == "history":
            view[key] = [change.cause.value for change in measurement.history]
        else:
            assert key in PLAIN, f"unknown expectation key {key!r}"
            view[key] = data[key]
    return view


def expected_view(expected: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for key, value in expected.items():
        if key in DURATIONS:
            view[key] = seconds(value)
        elif key in INSTANTS:
            view[key] = instant(value)
        elif key == "warnings":
            view[key] = [
                (Decimal(str(w["threshold"]).rstrip("%")) / 100, instant(w["at"])) for w in value
            ]
        else:
            view[key] = value
    return view


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_the_fold_tells_each_golden_story_exactly(path: Path):
    case = load(path)
    fold = engine(case.get("definitions", "house.yaml"))
    now = instant(case["now"])
    assert now is not None
    if "error" in case:
        with pytest.raises(ServandaError, match=case["error"]):
            fold.evaluate(events_of(case), now)
        return
    result = fold.evaluate(events_of(case), now)
    expected = case["expect"]
    got = [actual_view(m, e) for m, e in zip(result.measurements, expected, strict=False)]
    assert got == [expected_view(e) for e in expected]
    assert len(result.measurements) == len(expected), [m.to_dict() for m in result.measurements]
    assert sorted(i.event.id for i in result.ignored) == sorted(case.get("ignored", []))
    if "ticket" in case:
        assert facts_view(result.facts, case["ticket"]) == expected_facts(case["ticket"])


def facts_view(facts: TicketFacts, expected: dict[str, Any]) -> dict[str, Any]:
    """The fold's ticket facts seen through the keys the fixture wrote."""
    view: dict[str, Any] = {}
    for key in expected:
        value = getattr(facts, key)
        view[key] = dict(value) if key == "attributes" else value
    return view


def expected_facts(expected: dict[str, Any]) -> dict[str, Any]:
    return {k: instant(v) if k == "created_at" else v for k, v in expected.items()}


def test_there_are_at_least_thirty_golden_timelines():
    assert len(CASES) >= 30
