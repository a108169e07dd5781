"""The small ones: HEAD on every GET route, imports that never split a ticket, ``--notify``.

On SQLite and PostgreSQL (the ``database_url`` fixture).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts
from typer.testing import CliRunner, Result

from tests.e2e.api_support import Api, created, running_api

# A value for each path parameter of the API, so every GET route answers for a real thing.
PATH_VALUES = {"ticket_id": "T1", "kind": "compliance", "period": "2026-03"}
# Query strings a route needs to answer 200 rather than 422.
QUERIES = {"/api/v1/reports/{kind}": {"period": "2026-03"}}
STATIC_FILE = "/docs/static/swagger-ui.css"


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running_api(database_url) as running:
        running.post("/api/v1/events", {"events": [created("T1", "acme")]})
        yield running


def get_routes(api: Api) -> list[str]:
    """Every path the app answers GET on (path parameters filled in), the static mount's
    files included: walked from the app itself, so a new route is covered without a change
    here."""
    paths: list[str] = []
    for route in iter_route_contexts(api.client.app.routes):
        methods = route.methods
        if methods is None:  # a mount: the bundled Swagger UI files
            paths.append(STATIC_FILE)
        elif "GET" in methods:
            paths.append(route.path.format(**PATH_VALUES))
    return paths


def test_head_answers_like_get_on_every_get_route_without_a_body(api: Api) -> None:
    paths = get_routes(api)
    assert {"/healthz", "/api/v1/tickets/T1", "/metrics", STATIC_FILE} <= set(paths)
    assert len(paths) >= 15
    for who in ("admin", "acme", "nobody"):
        for path in paths:
            params = QUERIES.get(path.replace("compliance", "{kind}"))
            got = api.client.get(path, headers=api.headers(who), params=params)
            head = api.client.head(path, headers=api.headers(who), params=params)
            assert head.status_code == got.status_code, (who, path, head.status_code)
            assert head.headers == got.headers, (who, path)
            assert head.content == b"", (who, path)
            assert int(head.headers["content-length"]) == len(got.content), (who, path)
    assert api.client.head("/healthz").status_code == 200


def test_head_on_a_route_without_get_is_still_refused(api: Api) -> None:
    answer = api.client.head("/api/v1/events", headers=api.headers("admin"))
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.content == b""


# ---------------------------------------------------------------- imports: whole tickets

DEFINITIONS = """\
timezone: UTC
agreements:
  - id: corp
    level: corporate
    objectives:
      - {metric: first_response, when: {priority: [P1, P2]}, target: 1h}
      - {metric: resolution, when: {priority: [P1, P2]}, target: 8h, warn_at: [50%, 80%]}
"""
PAST = "2026-03-05T00:00:00Z"


def line(event_id: str, ticket: str, kind: str, at: str, **extra: object) -> str:
    return json.dumps({"id": event_id, "ticket": ticket, "type": kind, "at": at, **extra}) + "\n"


def created_line(ticket: str, at: str = "2026-03-02T09:00:00Z") -> str:
    return line(f"{ticket}-c", ticket, "created", at, customer="acme", priority="P1")


# Tickets interleaved as a live export writes them: cut every two events, each ticket's
# creation lands in one batch and the reply that met its clocks in the next, so the first
# batch records breaches (at PAST every clock is long overdue) that the second withdraws.
STRADDLING = (
    created_line("A")
    + created_line("B")
    + line("A-r", "A", "responded", "2026-03-02T09:20:00Z")
    + created_line("C")
    + line("B-r", "B", "responded", "2026-03-02T09:30:00Z")
    + line("A-s", "A", "resolved", "2026-03-02T10:00:00Z")
    + "{not json\n"
    + line("C-r", "C", "responded", "2026-03-02T09:40:00Z")
    + line("B-s", "B", "resolved", "2026-03-02T11:00:00Z")
    + created_line("D")
    + "".join(line(f"D-{n}", "D", "customer_replied", f"2026-03-02T1{n}:00:00Z") for n in range(5))
    + line("C-s", "C", "resolved", "2026-03-02T12:00:00Z")
)


def run(*arguments: str, env: dict[str, str] | None = None) -> Result:
    from servanda.entrypoints.cli import _register, app

    _register()
    return CliRunner().invoke(app, list(arguments), env=env)


@pytest.fixture
def database(database_url: str, tmp_path: Path) -> str:
    path = tmp_path / "definitions.yaml"
    path.write_text(DEFINITIONS)
    applied = run(
        "definitions", "apply", str(path), "--effective-from", "2026-01-01",
        "--database-url", database_url,
    )  # fmt: skip
    assert applied.exit_code == 0, applied.output
    return database_url


SURROGATE_KEYS = {("events", "seq"), ("transitions", "id")}  # numbered in insertion order


def stored(url: str) -> dict[str, object]:
    """Every stored row an import writes, as comparable values (surrogate keys left out)."""
    from sqlalchemy import select

    from servanda.adapters.sqlalchemy.tables import events, measurements, tickets, transitions
    from servanda.bootstrap import connect, load_settings

    storage = connect(load_settings(database_url=url))
    try:
        with storage.engine.connect() as connection:
            rows = {
                table.name: sorted(
                    tuple(str(value) for value in row)
                    for row in connection.execute(
                        select(*(c for c in table.c if (table.name, c.name) not in SURROGATE_KEYS))
                    )
                )
                for table in (events, tickets, measurements, transitions)
            }
    finally:
        storage.dispose()
    return rows


def summary_figure(output: str, label: str) -> int:
    found = re.search(rf"{label}: ([\d,]+)", output)
    assert found is not None, output
    return int(found.group(1).replace(",", ""))


@pytest.mark.parametrize(
    "settings",
    [
        {"SERVANDA_IMPORT_BATCH_SIZE": "2"},
        {"SERVANDA_IMPORT_BATCH_SIZE": "3", "SERVANDA_IMPORT_HOLD": "4"},  # several passes
    ],
    ids=["one-pass", "several-passes"],
)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_import_never_splits_a_ticket_so_its_summary_counts_what_is_stored(
    database: str, tmp_path: Path, settings: dict[str, str], jobs: str
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(STRADDLING)
    result = run(
        "events", "import", str(events), "--now", PAST, "--jobs", jobs,
        "--database-url", database, env=settings,
    )  # fmt: skip
    assert result.exit_code == 1, result.output  # the broken line
    assert result.stderr.count(f"{events}:7:") == 1  # reported once, however many passes
    rows = stored(database)
    transitions = rows["transitions"]
    assert isinstance(transitions, list)
    breaches = [row for row in transitions if "breached" in row]
    assert summary_figure(result.stdout, "transitions recorded") == len(transitions) > 0
    assert summary_figure(result.stdout, "measurements breached") == len(breaches) > 0
    assert summary_figure(result.stdout, "rows read") == STRADDLING.count("\n")
    assert summary_figure(result.stdout, "events new") == STRADDLING.count("\n") - 1


def test_several_passes_store_exactly_what_one_pass_does(database_url: str, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(STRADDLING)
    results = {}
    for hold in ("1000", "2"):
        url = _fresh(database_url, tmp_path / hold)
        answer = run(
            "events", "import", str(events), "--now", PAST, "--jobs", "1",
            "--database-url", url, env={"SERVANDA_IMPORT_HOLD": hold},
        )  # fmt: skip
        assert answer.exit_code == 1, answer.output
        results[hold] = (stored(url), answer.stdout)
    assert results["2"] == results["1000"]


def _fresh(database_url: str, where: Path) -> str:
    """``database_url`` emptied again (PostgreSQL) or a new SQLite file, with the definitions."""
    if database_url.startswith("sqlite"):
        where.mkdir()
        database_url = f"sqlite:///{where / 'servanda.sqlite'}"
    else:
        from tests.conftest import empty_postgres

        empty_postgres(database_url)
    path = where.parent / "definitions.yaml"
    path.write_text(DEFINITIONS)
    applied = run(
        "definitions", "apply", str(path), "--effective-from", "2026-01-01",
        "--database-url", database_url,
    )  # fmt: skip
    assert applied.exit_code == 0, applied.output
    return database_url


def test_whole_ticket_batches_put_a_ticket_larger_than_the_size_in_a_batch_of_its_own() -> None:
    from servanda.entrypoints.cli.ticket_batches import whole_ticket_batches

    groups = [["a1", "a2"], ["b1", "b2", "b3", "b4", "b5"], ["c1"], ["d1", "d2"]]
    batches = list(whole_ticket_batches(groups, 3))  # type: ignore[arg-type]
    assert batches == [["a1", "a2"], ["b1", "b2", "b3", "b4", "b5"], ["c1", "d1", "d2"]]


# ---------------------------------------------------------------- imports: --notify

ONE_LATE_TICKET = created_line("N") + line("N-s", "N", "resolved", "2026-03-02T20:00:00Z")


def deliveries_after_fan_out(url: str) -> int:
    """Hand every recorded transition to the webhook outbox, as the worker does; how many
    deliveries that made."""
    from servanda.bootstrap import connect, load_settings, system_clock

    storage = connect(load_settings(database_url=url))
    try:
        storage.webhooks.fan_out(system_clock()(), 10_000)
        return len(storage.webhooks.deliveries(limit=10_000))
    finally:
        storage.dispose()


def subscribe(url: str) -> None:
    from servanda.bootstrap import connect, load_settings, system_clock
    from servanda.services.ports import TransitionKind

    storage = connect(load_settings(database_url=url))
    try:
        storage.webhooks.add_subscription(
            url="https://hooks.example/servanda",
            kinds=set(TransitionKind),
            secret="s" * 32,
            customer=None,
            now=system_clock()(),
        )
    finally:
        storage.dispose()


def import_file(url: str, path: Path, *options: str) -> Result:
    return run("events", "import", str(path), "--jobs", "1", "--database-url", url, *options)


def test_an_import_at_a_past_now_records_transitions_that_are_delivered_only_with_notify(
    database: str, tmp_path: Path
) -> None:
    from servanda.bootstrap import connect, load_settings
    from tests.e2e.api_support import clear_api_tables

    storage = connect(load_settings(database_url=database))
    clear_api_tables(storage)  # the session's PostgreSQL database keeps subscriptions
    storage.dispose()
    subscribe(database)
    quiet, loud = tmp_path / "quiet.jsonl", tmp_path / "loud.jsonl"
    quiet.write_text(STRADDLING.replace("{not json\n", ""))
    loud.write_text(ONE_LATE_TICKET)

    history = import_file(database, quiet, "--now", PAST)
    assert history.exit_code == 0, history.output
    assert "notifications: none" in history.stdout
    recorded = summary_figure(history.stdout, "transitions recorded")
    assert recorded > 0
    assert deliveries_after_fan_out(database) == 0

    notified = import_file(database, loud, "--now", PAST, "--notify")
    assert notified.exit_code == 0, notified.output
    sent = summary_figure(notified.stdout, "transitions recorded")
    assert f"notifications: the {sent} transitions go to webhook subscriptions" in notified.stdout
    assert sent > 0
    assert deliveries_after_fan_out(database) == sent


def test_no_notify_without_a_past_now_is_a_usage_error_and_stores_nothing(
    database: str, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(ONE_LATE_TICKET)
    refused = import_file(database, events, "--no-notify")
    assert refused.exit_code == 2
    assert "--no-notify needs a --now in the past" in refused.output
    assert "Traceback" not in refused.output
    assert stored(database)["events"] == []


def test_the_servicenow_import_takes_the_same_notify_rule(database: str, tmp_path: Path) -> None:
    export = tmp_path / "incidents.csv"
    export.write_text("number,incident_state\n")
    refused = run("import", "servicenow", str(export), "--no-notify", "--database-url", database)
    assert refused.exit_code == 2
    assert "--no-notify needs a --now in the past" in refused.output
    assert stored(database)["events"] == []


# ---------------------------------------------------------------- found while fuzzing


# `POST /api/v1/events` refuses an id longer than storage keeps (entrypoints.api.ingestion:
# check_lengths); file imports do not: on PostgreSQL the batch fails with a traceback
# (StringDataRightTruncation), on SQLite the id is stored. Open: the check belongs in the
# parser both paths share. (A NUL, found the same way, is refused on both paths since.)
@pytest.mark.parametrize(
    "ticket",
    [
        pytest.param(
            "T" * 201,
            marks=pytest.mark.xfail(
                reason="open: file imports take ids over 200 characters (the API refuses them); "
                "PostgreSQL fails the batch with a traceback",
                strict=True,
            ),
            id="long-id",
        ),
        pytest.param("a\x00b", id="nul"),
    ],
)
def test_a_file_import_refuses_what_the_api_refuses_at_its_line(
    database: str, tmp_path: Path, ticket: str
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(created_line("OK") + created_line(ticket))
    before = stored(database)
    result = import_file(database, events, "--now", PAST)
    assert result.exit_code == 1, result.output
    assert f"{events}:2:" in result.stderr
    assert "Traceback" not in result.output
    assert stored(database)["events"] != before["events"]  # the good line went in
