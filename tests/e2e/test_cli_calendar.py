"""``servanda calendar add`` and ``servanda calendar between`` as people run them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from servanda.entrypoints.cli import _register, app

DEFINITIONS = """\
calendars:
  office:
    timezone: Europe/Berlin
    hours:
      mon-fri: "09:00-17:00"
    holidays:
      dates:
        - {date: 2026-04-03, name: Good Friday}
        - {date: 2026-04-06, name: Easter Monday}
  nights:
    timezone: Europe/Berlin
    hours:
      mon-sun: "22:00-06:00"
"""


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    _register()
    return app


@pytest.fixture
def definitions(tmp_path: Path) -> str:
    path = tmp_path / "calendars.yaml"
    path.write_text(DEFINITIONS, encoding="utf-8")
    return str(path)


def run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["calendar", *args])
    return result.exit_code, result.output


def test_add_prints_the_deadline_after_the_easter_weekend(cli, definitions):
    code, out = run(
        cli,
        "add",
        "--definitions",
        definitions,
        "--calendar",
        "office",
        "2026-04-02T16:00:00+02:00",
        "2h",
    )
    assert code == 0, out
    assert "deadline  2026-04-07T10:00:00+02:00 (Tue) = 2026-04-07T08:00:00Z" in out


def test_add_as_json_gives_utc_instants_and_whole_seconds(cli, definitions):
    code, out = run(
        cli,
        "add",
        "--definitions",
        definitions,
        "--calendar",
        "office",
        "2026-06-05T09:00:00+02:00",
        "8h",
        "--format",
        "json",
    )
    assert code == 0, out
    assert json.loads(out) == {
        "calendar": "office",
        "timezone": "Europe/Berlin",
        "start": "2026-06-05T07:00:00Z",
        "duration_seconds": 28800,
        "deadline": "2026-06-05T15:00:00Z",  # closing time itself, not Monday's opening
        "deadline_local": "2026-06-05T17:00:00+02:00",
    }


def test_between_counts_a_short_spring_forward_night(cli, definitions):
    code, out = run(
        cli,
        "between",
        "--definitions",
        definitions,
        "--calendar",
        "nights",
        "2026-03-28T12:00:00+01:00",
        "2026-03-29T12:00:00+02:00",
        "--format",
        "json",
    )
    assert code == 0, out
    found = json.loads(out)
    assert (found["business_seconds"], found["business_time"]) == (7 * 3600, "7h")


def test_between_in_text_names_the_half_open_interval(cli, definitions):
    code, out = run(
        cli,
        "between",
        "--definitions",
        definitions,
        "--calendar",
        "office",
        "2026-04-02T16:30:00+02:00",
        "2026-04-07T09:15:00Z",
    )
    assert code == 0, out
    assert "business  2h45m (9900 s) in [start, end)" in out  # Thu 30m + Tue 2h15m


def test_the_built_in_24x7_calendar_needs_no_definition(cli, definitions):
    code, out = run(
        cli,
        "add",
        "--definitions",
        definitions,
        "--calendar",
        "24x7",
        "2026-03-29T01:30:00+01:00",
        "1h",
        "--format",
        "json",
    )
    assert code == 0, out
    assert json.loads(out)["deadline"] == "2026-03-29T01:30:00Z"


def test_an_unknown_calendar_is_not_found_and_lists_the_known_ones(cli, definitions):
    result = CliRunner().invoke(
        cli,
        [
            "calendar",
            "add",
            "--definitions",
            definitions,
            "--calendar",
            "moon",
            "2026-04-02T16:00:00Z",
            "2h",
        ],
    )
    assert result.exit_code != 0
    assert "moon" in str(result.exception)
    assert "24x7, nights, office" in str(result.exception)


@pytest.mark.parametrize(
    ("start", "duration", "message"),
    [
        ("2026-04-02T16:00:00", "2h", "no UTC offset"),
        ("next tuesday", "2h", "not an ISO 8601 instant"),
        ("2026-04-02T16:00:00Z", "two hours", "not a duration"),
    ],
)
def test_bad_input_is_a_usage_error_with_a_reason(cli, definitions, start, duration, message):
    code, out = run(
        cli, "add", "--definitions", definitions, "--calendar", "office", start, duration
    )
    assert code == 2
    assert message in " ".join(out.split())
