"""Hostile definitions: dates outside 1970-01-01..2199-12-31 and YAML built to exhaust the loader.

Each case is refused with a located problem (file:line:column, and a stable
code for the YAML limits) by ``servanda definitions validate``, by
``servanda definitions apply`` and by ``POST /api/v1/revisions``, without a
traceback; on SQLite and PostgreSQL every stored row stays as it was. A
"billion laughs" file is refused in well under a second and 100 MB.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from servanda.domain.errors import DefinitionError
from servanda.specs.loader import load_definitions_from_texts
from tests.e2e.api_support import Api, running_api
from tests.hostile.stored import stored_rows

VALID = """\
timezone: UTC
calendars:
  office:
    timezone: Europe/Berlin
    hours: {mon-fri: "08:00-18:00"}
    holidays: {dates: [2026-12-24]}
agreements:
  - id: corporate
    level: corporate
    title: Corporate
    effective_from: 2026-01-01
    review_every: 1 year
    objectives:
      - {metric: resolution, target: 8h, calendar: office}
"""


@dataclass(frozen=True)
class Case:
    """A hostile file, the problem's code (or a phrase of its message) and where it must point."""

    name: str
    text: str
    code: str | None
    line: int
    column: int
    says: str = ""


def _edit(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new)


def _at(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` in ``text``."""
    before = text[: text.index(needle)]
    return before.count("\n") + 1, len(before) - before.rfind("\n")


def _date_case(name: str, old: str, new: str, needle: str, code: str | None, says: str) -> Case:
    text = _edit(old, new)
    return Case(name, text, code, *_at(text, needle), says)


DATE_CASES = [
    _date_case(
        "effective_from before 1970",
        "effective_from: 2026-01-01",
        "effective_from: 1969-12-31",
        "1969-12-31",
        "date_out_of_range",
        "outside the supported dates (1970-01-01 to 2199-12-31)",
    ),
    _date_case(
        "effective_to after 2199",
        "effective_from: 2026-01-01",
        "effective_from: 2026-01-01\n    effective_to: 2200-01-01",
        "2200-01-01",
        "date_out_of_range",
        "outside the supported dates",
    ),
    _date_case(
        "effective_from in year 9999",
        "effective_from: 2026-01-01",
        "effective_from: 9999-12-31",
        "9999-12-31",
        "date_out_of_range",
        "outside the supported dates",
    ),
    _date_case(
        "effective_from in year 0",
        "effective_from: 2026-01-01",
        "effective_from: 0000-01-01",
        "0000-01-01",
        None,
        "must be a date written as YYYY-MM-DD",
    ),
    _date_case(
        "a holiday in 1900",
        "holidays: {dates: [2026-12-24]}",
        "holidays: {dates: [2026-12-24, 1900-01-01]}",
        "1900-01-01",
        "date_out_of_range",
        "outside the supported dates",
    ),
    _date_case(
        "an exception in 2200",
        'hours: {mon-fri: "08:00-18:00"}',
        'hours: {mon-fri: "08:00-18:00"}\n    exceptions: [{date: 2200-01-01, closed: true}]',
        "2200-01-01",
        "date_out_of_range",
        "outside the supported dates",
    ),
    _date_case(
        "holiday years from 1900",
        "holidays: {dates: [2026-12-24]}",
        "holidays: {country: DE, first_year: 1900}",
        "1900",
        None,
        "'first_year' must be at least 1970",
    ),
    _date_case(
        "holiday years to 2200",
        "holidays: {dates: [2026-12-24]}",
        "holidays: {country: DE, last_year: 2200}",
        "2200",
        None,
        "'last_year' must be at most 2199",
    ),
    _date_case(
        "a review every 10,000 years",
        "review_every: 1 year",
        "review_every: 10000 years",
        "10000 years",
        None,
        "longer than the longest review cadence, 100 years",
    ),
]

LAUGHS = "".join(
    f"    {name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
BILLION_LAUGHS = (
    "vocabulary:\n  attributes:\n    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + LAUGHS
)
"""404 bytes; expanded, 9**9 = 387,420,489 strings."""

YAML_CASES = [
    Case("billion laughs", BILLION_LAUGHS, "yaml_alias_expansion", 7, 16),
    Case("an alias inside its own anchor", "agreements: &a [*a]\n", "yaml_recursive_alias", 1, 17),
    Case(
        "1,001 aliases",
        "timezone: &z UTC\nagreements: [" + ", ".join(["*z"] * 1001) + "]\n",
        "yaml_too_many_aliases",
        2,
        14 + 1000 * 4,
    ),
    Case(
        "20,000 nested brackets",
        "agreements: " + "[" * 20_000 + "]" * 20_000 + "\n",
        "yaml_too_deep",
        1,
        13 + 63,
    ),
    Case(
        "20,000 nested flow mappings",
        "agreements: " + "{a: " * 20_000 + "}" * 20_000 + "\n",
        "yaml_too_deep",
        1,
        13 + 63 * 4,
    ),
    Case(
        "20,000 nested block lists on one line",
        "agreements:\n" + "- " * 20_000 + "x\n",
        "yaml_too_deep",
        2,
        1 + 64 * 2,
    ),
    Case(
        "1,000 levels of indentation",
        "agreements:\n" + "".join(" " * depth + "k:\n" for depth in range(1, 1000)),
        "yaml_too_deep",
        65,
        66,
    ),
    Case(
        "a file over 1 MiB",
        "provider: " + "x" * (1024 * 1024) + "\n",
        "yaml_too_large",
        1,
        1,
    ),
]

CASES = DATE_CASES + YAML_CASES
IDS = [case.name for case in CASES]


def _check_issue(issues: list[dict[str, object]], case: Case, file: str) -> None:
    """The problem of ``case`` is among ``issues``, at its file, line and column."""
    located = [(i["file"], i["line"], i["column"]) for i in issues]
    assert (file, case.line, case.column) in located, located
    issue = issues[located.index((file, case.line, case.column))]
    assert issue.get("code") == case.code
    assert case.says in str(issue["message"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_loader_locates_the_problem(case: Case) -> None:
    with pytest.raises(DefinitionError) as refused:
        load_definitions_from_texts({"hostile.yaml": case.text})
    issues = [
        {"file": i.file, "line": i.line, "column": i.column, "code": i.code, "message": i.message}
        for i in refused.value.issues
    ]
    _check_issue(issues, case, "hostile.yaml")


def servanda(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "servanda", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_definitions_validate_prints_the_located_problem_and_exits_1(
    case: Case, tmp_path: Path
) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(case.text, encoding="utf-8")
    result = servanda("definitions", "validate", str(path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    line = next(
        line for line in result.stdout.splitlines() if line.startswith(f"{path}:{case.line}:")
    )
    assert line.startswith(f"{path}:{case.line}:{case.column}: ")
    assert case.says in line
    if case.code:
        assert line.endswith(f"[{case.code}]")


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running_api(database_url) as running:
        yield running


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_post_revisions_answers_422_with_the_located_problem_and_stores_nothing(
    api: Api, database_url: str, case: Case
) -> None:
    before = stored_rows(database_url)
    answer = api.post(
        "/api/v1/revisions", {"files": {"hostile.yaml": case.text}, "remeasure": False}
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "invalid_definitions"
    _check_issue(body["errors"], case, "hostile.yaml")
    assert stored_rows(database_url) == before
    assert api.get("/api/v1/revisions").status_code == 200


def test_a_yaml_body_bomb_is_refused_like_a_file(api: Api, database_url: str) -> None:
    before = stored_rows(database_url)
    answer = api.client.post(
        "/api/v1/revisions",
        content=BILLION_LAUGHS.encode(),
        headers={**api.headers("admin"), "Content-Type": "application/yaml"},
    )
    assert answer.status_code == 422, answer.text
    (issue,) = answer.json()["errors"]
    assert (issue["file"], issue["line"], issue["column"], issue["code"]) == (
        "definitions.yaml",
        7,
        16,
        "yaml_alias_expansion",
    )
    assert stored_rows(database_url) == before


def test_a_set_over_2_mib_is_refused_before_it_is_parsed(api: Api, database_url: str) -> None:
    before = stored_rows(database_url)
    part = "provider: " + "x" * (800 * 1024) + "\n"  # each file is under 1 MiB, the set is not
    files = {"a.yaml": part, "b.yaml": part, "c.yaml": part}
    answer = api.post("/api/v1/revisions", {"files": files, "remeasure": False})
    assert answer.status_code == 422, answer.text
    (issue,) = answer.json()["errors"]
    assert (issue["file"], issue["line"], issue["column"], issue["code"]) == (
        "a.yaml",
        1,
        1,
        "yaml_too_large",
    )
    assert stored_rows(database_url) == before


@pytest.mark.parametrize("case", CASES[::3], ids=IDS[::3])
def test_definitions_apply_exits_1_and_stores_nothing(
    case: Case, database_url: str, tmp_path: Path
) -> None:
    with running_api(database_url):  # migrated, with a first revision and tokens
        pass
    before = stored_rows(database_url)
    path = tmp_path / "hostile.yaml"
    path.write_text(case.text, encoding="utf-8")
    result = servanda("definitions", "apply", str(path), "--database-url", database_url)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert f"{path}:{case.line}:{case.column}: " in result.stderr
    assert stored_rows(database_url) == before


def test_a_billion_laughs_is_refused_in_under_a_second_and_100_mb() -> None:
    tracemalloc.start()
    try:
        started = time.perf_counter()
        with pytest.raises(DefinitionError) as refused:
            load_definitions_from_texts({"laughs.yaml": BILLION_LAUGHS})
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [i.code for i in refused.value.issues] == ["yaml_alias_expansion"]
    assert elapsed < 1.0
    assert peak < 100 * 1024 * 1024


PEAK_MEMORY = """
import atexit, sys
def peak():
    with open("/proc/self/status") as status:
        sys.stderr.write(next(line for line in status if line.startswith("VmHWM:")))
atexit.register(peak)
from servanda.entrypoints.cli import main
sys.argv[0] = "servanda"
main()
"""
"""Runs the CLI and prints its peak resident memory (Linux: ``VmHWM``, in kB) as it exits."""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_the_cli_refuses_a_billion_laughs_within_100_mb_of_memory(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    command = [sys.executable, "-c", PEAK_MEMORY, "definitions", "validate", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr
    assert f"{path}:7:16: " in result.stdout
    kilobytes = int(result.stderr.rsplit("VmHWM:", 1)[1].split()[0])
    assert kilobytes < 100 * 1024
