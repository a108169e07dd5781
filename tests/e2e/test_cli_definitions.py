"""``servanda definitions validate | schema | explain`` as people run them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from servanda.domain.errors import NotFoundError
from servanda.entrypoints.cli import _register, app

ROOT = Path(__file__).resolve().parents[2]
MULTI = str(ROOT / "examples" / "multi-level")
INVALID = ROOT / "examples" / "invalid"


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    _register()
    return app


def run(cli: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["definitions", *args])
    return result.exit_code, result.output


def test_validate_prints_a_one_line_summary_and_exits_0(cli: typer.Typer) -> None:
    code, output = run(cli, "validate", MULTI)
    assert code == 0
    assert output.strip().splitlines() == [
        f"valid: {MULTI} (10 agreements, 25 objectives, 5 customers, 3 services, 5 calendars; "
        "vocabulary: channel (3 values), type (3 values))"
    ]


def test_validate_lists_every_located_problem_with_its_source_line_and_exits_1(
    cli: typer.Typer,
) -> None:
    folder = INVALID / "three-problems"
    code, output = run(cli, "validate", str(folder))
    assert code == 1
    assert f"{folder / 'agreements.yaml'}:5:52: unknown calendar 'support-hours'" in output
    assert "calendar: support-hours}\n" in output
    assert " " * 55 + "^" in output  # the caret under column 52, after the 4-space indent
    assert "3 problems in" in output
    assert "Traceback" not in output


def test_validate_reports_a_missing_path_as_a_problem(cli: typer.Typer, tmp_path: Path) -> None:
    code, output = run(cli, "validate", str(tmp_path / "nowhere"))
    assert code == 1
    assert "no such file or folder" in output


def test_schema_prints_a_json_schema_of_the_format(cli: typer.Typer) -> None:
    code, output = run(cli, "schema")
    assert code == 0
    schema = json.loads(output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == {
        "provider",
        "timezone",
        "calendars",
        "services",
        "customers",
        "agreements",
        "vocabulary",
    }
    objective = schema["$defs"]["ObjectiveEntry"]
    assert objective["additionalProperties"] is False
    assert objective["properties"]["metric"]["$ref"].endswith("/Metric")


def test_explain_json_names_the_winner_and_what_it_overrode(cli: typer.Typer) -> None:
    code, output = run(
        cli,
        "explain",
        MULTI,
        "--customer",
        "globex",
        "--service",
        "email",
        "--priority",
        "P1",
        "--at",
        "2026-04-01",
        "--format",
        "json",
    )
    assert code == 0
    rows = {row["metric"]: row for row in json.loads(output)}
    resolution = rows["resolution"]
    assert resolution["agreement"] == "globex-email"
    assert resolution["level"] == "customer"
    assert resolution["target"] == "2h"
    assert resolution["calendar"] == "24x7"
    assert resolution["goal"] == "99%"
    assert resolution["overridden"] == ["gold", "corporate-standard"]
    assert rows["availability"]["target"] == "99.9%"
    assert rows["availability"]["goal"] is None


def test_explain_before_an_agreement_starts_falls_back_to_the_layers_below(
    cli: typer.Typer,
) -> None:
    args = ["--customer", "globex", "--service", "email", "--priority", "P1", "--format", "json"]
    code, output = run(cli, "explain", MULTI, *args, "--at", "2026-02-01")
    assert code == 0
    rows = {row["metric"]: row for row in json.loads(output)}
    assert rows["resolution"]["agreement"] == "gold"  # globex-email starts on 2026-03-01


def test_explain_fields_reach_conditions_on_any_attribute(cli: typer.Typer) -> None:
    args = ["--customer", "globex", "--service", "email", "--priority", "P1", "--at", "2026-04-01"]
    code, output = run(cli, "explain", MULTI, *args, "--field", "channel=phone", "--format", "json")
    assert code == 0
    rows = {row["metric"]: row for row in json.loads(output)}
    assert rows["first_response"]["agreement"] == "globex-email"
    assert rows["first_response"]["target"] == "15m"


def test_explain_text_shows_a_table_and_the_reasons(cli: typer.Typer) -> None:
    args = ["--customer", "acme", "--service", "network", "--priority", "P1", "--at", "2026-04-01"]
    code, output = run(cli, "explain", MULTI, *args)
    assert code == 0
    assert "Ticket: customer acme, service network, priority P1; created 2026-04-01" in output
    assert "99.99%" in output
    assert "beats network-service matches at service level" in output


def test_explain_rejects_a_field_without_a_value(cli: typer.Typer) -> None:
    code, output = run(cli, "explain", MULTI, "--field", "channel", "--at", "2026-04-01")
    assert code == 2
    assert "is not key=value" in output


def test_explain_of_an_unknown_customer_is_a_not_found_error(cli: typer.Typer) -> None:
    result = CliRunner().invoke(
        cli, ["definitions", "explain", MULTI, "--customer", "nobody", "--at", "2026-04-01"]
    )
    assert isinstance(result.exception, NotFoundError)
    assert "customers defined: acme, globex" in str(result.exception)


def test_the_console_script_turns_errors_into_a_message_and_an_exit_code() -> None:
    command = [sys.executable, "-c", "from servanda.entrypoints.cli import main; main()"]
    explained = subprocess.run(
        [*command, "definitions", "explain", MULTI, "--customer", "nobody", "--at", "2026-04-01"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert explained.returncode == 3
    assert explained.stderr.startswith("error: unknown customer 'nobody'")
    invalid = subprocess.run(
        [*command, "definitions", "validate", str(INVALID / "syntax-error.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert invalid.returncode == 1
    assert "not valid YAML" in invalid.stdout
    assert "Traceback" not in invalid.stdout + invalid.stderr
