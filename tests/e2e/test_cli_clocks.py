"""``servanda replay``, ``servanda ticket timeline`` and ``servanda generate events`` as people run them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from servanda.domain.errors import NotFoundError
from servanda.entrypoints.cli import _register, app

ROOT = Path(__file__).resolve().parents[2]
HOUSE = str(ROOT / "tests" / "golden" / "timelines" / "definitions" / "house.yaml")
STORY = [
    '{"id":"e1","ticket":"T-17","type":"created","at":"2026-03-02T09:00:00+01:00",'
    '"customer":"globex","service":"email","priority":"P3"}',
    '{"id":"e2","ticket":"T-17","type":"responded","at":"2026-03-02T09:30:00+01:00"}',
    '{"id":"e3","ticket":"T-17","type":"attributes_changed","changes":{"priority":"P1"},'
    '"at":"2026-03-02T18:00:00+01:00"}',
]


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    _register()
    return app


def write(tmp_path: Path, lines: list[str]) -> str:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_replay_prints_one_json_object_per_measurement(cli, tmp_path):
    events = write(tmp_path, STORY)
    result = CliRunner().invoke(
        cli,
        [
            "replay",
            "--definitions",
            HOUSE,
            events,
            "--format",
            "json",
            "--now",
            "2026-03-02T19:00:00+01:00",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["metric"], r["state"], r["objective"]) for r in rows] == [
        ("first_response", "met", "corp/fr-p2"),
        ("resolution", "breached", "corp/res-p1"),
    ]
    assert rows[1]["breached_at"] == "2026-03-02T17:00:00+00:00"
    assert rows[1]["elapsed_seconds"] == 10 * 3600


def test_replay_reports_bad_lines_with_their_number_and_exits_1(cli, tmp_path):
    events = write(tmp_path, [STORY[0], '{"id": "x", "ticket": "T-17"}', STORY[1]])
    result = CliRunner().invoke(cli, ["replay", "--definitions", HOUSE, events, "--format", "csv"])
    assert result.exit_code == 1
    assert "events.jsonl:2: skipped: missing type, at" in result.output
    assert result.stdout.splitlines()[0].startswith("ticket,agreement,level,objective,metric")
    assert len(result.stdout.splitlines()) == 3  # header + two clocks of T-17


def test_the_timeline_explains_a_breach_caused_by_a_priority_change(cli, tmp_path):
    events = write(tmp_path, STORY)
    result = CliRunner().invoke(
        cli,
        [
            "ticket",
            "timeline",
            "--definitions",
            HOUSE,
            events,
            "T-17",
            "--now",
            "2026-03-02T19:00:00+01:00",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "resolution [corp/res-p3]: started (created); target 40h" in result.stdout
    assert "2026-03-02 18:00:00 +0100    resolution [corp/res-p1]: BREACHED" in result.stdout
    assert "the new target 8h had already passed" in result.stdout


def test_the_timeline_explains_a_breach_one_second_after_a_closing_time_deadline(cli, tmp_path):
    events = write(
        tmp_path,
        [
            '{"id":"e1","ticket":"T-18","type":"created","at":"2026-03-06T13:00:00+01:00",'
            '"customer":"globex","service":"email","priority":"P2"}',
            '{"id":"e2","ticket":"T-18","type":"responded","at":"2026-03-07T10:00:00+01:00"}',
        ],
    )
    result = CliRunner().invoke(
        cli,
        ["ticket", "timeline", "--definitions", HOUSE, events, "T-18", "--zone", "Europe/Berlin"],
    )
    assert result.exit_code == 0, result.output
    assert "2026-03-06 17:00:01 +0100    first_response [corp/fr-p2]: BREACHED" in result.stdout
    assert (
        "still running one second after the deadline 2026-03-06 17:00:00 +0100 (target 4h on "
        "office): breached at 2026-03-06 17:00:01 +0100"
    ) in result.stdout


def test_the_timeline_of_an_unknown_ticket_is_not_found(cli, tmp_path):
    events = write(tmp_path, STORY)
    result = CliRunner().invoke(
        cli, ["ticket", "timeline", "--definitions", HOUSE, events, "T-404"]
    )
    assert isinstance(result.exception, NotFoundError)
    assert str(result.exception) == f"no events for ticket 'T-404' in {events}"
    assert result.stdout == ""


def test_generated_streams_are_the_same_for_a_seed_and_replay_cleanly(cli, tmp_path):
    outputs = []
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        target = tmp_path / f"{name}.jsonl"
        args = ["generate", "events", "--tickets", "40", "--definitions", HOUSE, "--seed", seed]
        result = CliRunner().invoke(cli, [*args, "--output", str(target)])
        assert result.exit_code == 0, result.output
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0] != outputs[2]
    replayed = CliRunner().invoke(
        cli, ["replay", "--definitions", HOUSE, str(tmp_path / "a.jsonl")]
    )
    assert replayed.exit_code == 0, replayed.output
    assert "40 tickets folded" in replayed.output
