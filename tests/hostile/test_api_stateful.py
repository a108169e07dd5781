"""Schemathesis in stateful mode over the whole API, with hostile values: no answer is a 5xx.

The app's own OpenAPI document is loaded, then every value in it is made hostile
before Schemathesis generates from it (``hostile_schema``): strings of any code
point (lone surrogates and control characters included), up to 300,000
characters, with their length and pattern limits dropped; instants at and
beyond 0001 and 9999, in odd shapes; numbers past every integer and float
limit; nested JSON deeper than any limit. Enumerations stay, so requests still
reach the handlers behind them. Links chain the calls: the ones Schemathesis
infers (webhooks, periods) plus posted events to their ticket and listed
tickets and clocks to one ticket (``LINKS``). Every call uses an admin token so
that it reaches its handler rather than the 401, and every scenario starts
from the same stored state (``fresh_start``). Bounded: at most ``SCENARIOS``
scenarios of ``STEPS`` calls (about 4,000 calls, 30 s); every 5xx found is
listed at the end, not shrunk. The stateful run is on SQLite only: on
PostgreSQL it found the NUL case below (a 500, since fixed), but after other tests in the same
process its generation was not repeatable (hypothesis: "inconsistent data
generation"; some state outlives the per-scenario reset there), so it is not
part of the suite; the regression tests it produced run on both databases. A raw-body test adds what a schema
cannot express: bodies that are not JSON, not UTF-8, or nested 100,000 deep,
on every POST route.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.e2e.api_support import Api, created, running_api
from tests.streams import apply_small_definitions

SCENARIOS = 200
STEPS = 20
HOSTILE_TEXT = "x-servanda-hostile-text"  # bodies: any code point
HOSTILE_PARAMETER = "x-servanda-hostile-parameter"  # URLs and headers: no lone surrogate
HOSTILE_INSTANT = "x-servanda-hostile-instant"

EDGE_STRINGS = [
    "",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfff",
    "\u202e\u2066",
    "\ufeff",
    "\r\nSet-Cookie: a=b",
    "../../etc/passwd",
    "%00%ff%c0%af",
    "' OR 1=1 --",
    "{{7*7}}${7*7}",
    "NaN",
    "-0",
    "1e309",
    "\U0001f642" * 10_000,
    "x" * 300_000,
]
EDGE_INSTANTS = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-23:59",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-12:00",
    "9999-12-31T23:59:59.999999+00:00",
    "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "2199-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-12-31T23:59:60Z",
    "2026-03-02T09:00:00",
    "2026-03-02T09:00:00+24:00",
    "2026-03-02t09:00:00z",
    "2026-03-02 09:00:00Z",
    "2026-03-02T09:00:00.12345678901234567890Z",
    "\uff12\uff10\uff12\uff16-03-02T09:00:00Z",
    "2026-W10-1T09:00:00Z",
    "20260302T090000Z",
    "1e10",
]
HOSTILE_NUMBERS = [0, -1, -0.5, 1.5, 2**31, 2**53 + 1, 2**63, -(2**63) - 1, 2**64, 10**30]
HOSTILE_NUMBERS += [1e308, -1e308, 5e-324, 1.7976931348623157e308]


def nested(depth: int) -> object:
    value: object = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


DEEP_VALUES = [nested(40), nested(200), {"k": "v" * 100_000}, ["x"] * 5_000]


def has_surrogate(text: str) -> bool:
    return any("\ud800" <= character <= "\udfff" for character in text)


def texts(surrogates: bool) -> st.SearchStrategy[str]:
    excluded: tuple[Any, ...] = () if surrogates else ("Cs",)
    any_character = st.characters(exclude_categories=excluded)
    return st.one_of(
        st.text(max_size=20),  # ordinary values, so that some requests succeed
        st.sampled_from([s for s in EDGE_STRINGS if surrogates or not has_surrogate(s)]),
        st.text(any_character, max_size=200),
        st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=40),
        st.integers(1, 300_000).map(lambda n: "y" * n),
    )


def instants() -> st.SearchStrategy[str]:
    from datetime import UTC, datetime, timedelta, timezone

    offsets = st.integers(-1439, 1439).map(lambda m: timezone(timedelta(minutes=m)))
    # hypothesis bounds are naive; ``timezones`` gives each value its offset
    first, last = datetime(1, 1, 2), datetime(9999, 12, 30)  # noqa: DTZ001
    anywhere = st.datetimes(first, last, timezones=offsets)
    year = datetime(2026, 1, 1), datetime(2026, 12, 31)  # noqa: DTZ001
    in_range = st.datetimes(*year, timezones=st.just(UTC))
    return st.one_of(
        in_range.map(datetime.isoformat),
        anywhere.map(datetime.isoformat),
        st.sampled_from(EDGE_INSTANTS),
        st.integers(-(10**20), 10**20).map(str),
    )


def hostile_schema(node: object, parameter: str = "") -> object:
    """``node`` of an OpenAPI document with every free value made hostile (module rules)."""
    if isinstance(node, list):
        return [hostile_schema(item, parameter) for item in node]
    if not isinstance(node, dict):
        return node
    if (
        isinstance(node.get("in"), str) and "schema" in node
    ):  # a parameter: its values go into a URL or header
        return {**node, "schema": hostile_schema(node["schema"], parameter=node["in"])}
    kind = node.get("type") if isinstance(node.get("type"), str) else None
    if kind == "string" and "enum" not in node and "const" not in node:
        loose = {k: v for k, v in node.items() if k not in {"minLength", "maxLength", "pattern"}}
        date = node.get("format") in {"date-time", "date"}
        text = HOSTILE_PARAMETER if parameter else HOSTILE_TEXT
        return {**loose, "format": HOSTILE_INSTANT if date else text}
    if kind in {"integer", "number"}:
        return {"anyOf": [node, {"enum": HOSTILE_NUMBERS}]}
    changed = {key: hostile_schema(value, parameter) for key, value in node.items()}
    if kind == "object" and not parameter:
        return {"anyOf": [changed, {"enum": DEEP_VALUES}]}
    return changed


# Links a client follows that inference cannot see (OpenAPI "links", by operationId).
LINKS = {
    ("/api/v1/events", "post", "200"): {
        "TicketOfTheFirstEvent": {
            "operationId": "get_ticket_api_v1_tickets__ticket_id__get",
            "parameters": {"ticket_id": "$request.body#/events/0/ticket"},
        }
    },
    ("/api/v1/tickets", "get", "200"): {
        "FirstTicket": {
            "operationId": "get_ticket_api_v1_tickets__ticket_id__get",
            "parameters": {"ticket_id": "$response.body#/items/0/id"},
        }
    },
    ("/api/v1/clocks", "get", "200"): {
        "TicketOfTheFirstClock": {
            "operationId": "get_ticket_api_v1_tickets__ticket_id__get",
            "parameters": {"ticket_id": "$response.body#/items/0/ticket"},
        }
    },
}


def linked(document: dict[str, Any]) -> dict[str, Any]:
    operation_ids = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}
    for (path, method, status), links in LINKS.items():
        assert {link["operationId"] for link in links.values()} <= operation_ids, links
        document["paths"][path][method]["responses"][status]["links"] = links
    return document


def fresh_start(api: Api) -> None:
    """Every scenario starts from the same stored state (tokens kept), as hypothesis needs:
    the links draw from what earlier answers returned, so a scenario replayed over another
    scenario's rows would draw differently."""
    from sqlalchemy import delete

    from servanda.adapters.sqlalchemy.tables import metadata
    from servanda.services.evaluation import HistoryCache

    storage = api.storage
    kept = {"api_tokens"}
    tables = [t for t in reversed(metadata.sorted_tables) if t.name not in kept]
    with storage.engine.begin() as connection:
        for table in tables:
            connection.execute(delete(table))
    storage.evaluator.histories = HistoryCache()
    apply_small_definitions(storage.uow_factory)
    api.post("/api/v1/events", {"events": [created("T1", "acme")]})


@pytest.fixture(scope="module", autouse=True)
def hostile_formats() -> None:
    """Custom format names: the built-in ``date-time`` generator other tests use is untouched."""
    schemathesis.openapi.format(HOSTILE_TEXT, texts(surrogates=True))
    schemathesis.openapi.format(HOSTILE_PARAMETER, texts(surrogates=False))
    schemathesis.openapi.format(HOSTILE_INSTANT, instants())


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    with running_api(database_url) as running:
        running.post("/api/v1/events", {"events": [created("T1", "acme")]})
        yield running


@pytest.fixture
def sqlite_api(tmp_path: Path) -> Iterator[Api]:
    with running_api(f"sqlite:///{tmp_path / 'servanda.sqlite'}") as running:
        yield running


def test_no_sequence_of_hostile_calls_gets_a_server_error(sqlite_api: Api) -> None:
    api = sqlite_api
    document = linked(api.client.get("/openapi.json").json())
    schema = schemathesis.openapi.from_dict(hostile_schema(document))  # type: ignore[arg-type]
    schema.app = api.client.app
    admin = api.headers("admin")
    answered: list[int] = []
    failures: dict[tuple[str, str, int], str] = {}

    class HostileCalls(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            fresh_start(api)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {**(case.headers or {}), **admin}}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            # Collected, not raised: a replay would meet another database state (the
            # calls before it changed it), which hypothesis reports as flaky generation.
            answered.append(response.status_code)
            text = response.content.decode("utf-8", "replace")
            if response.status_code >= 500 or "Traceback" in text:
                where = (case.method, case.operation.path, response.status_code)
                failures.setdefault(where, f"{case.path_parameters} {case.query} {text[:300]}")

    HostileCalls.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
    assert failures == {}
    assert len(answered) >= SCENARIOS  # the machine did call the API
    assert any(status < 300 for status in answered)  # and reached past validation


POST_ROUTES = (
    "/api/v1/events",
    "/api/v1/outages",
    "/api/v1/revisions",
    "/api/v1/revisions/preview",
    "/api/v1/webhooks",
    "/api/v1/periods/2026-03/close",
    "/api/v1/periods/2026-03/reopen",
)
RAW_BODIES = st.one_of(
    st.binary(max_size=2000),
    st.integers(1, 100_000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 100_000).map(lambda depth: b'{"events":' + b"[" * depth),
    st.sampled_from(
        [
            b"\xff\xfe{}",
            b'{"events": [{"id": "\\ud800"}]}',
            b'{"events": [], "events": [1]}',
            b'{"events": [1e999999]}',
            b'{"events": NaN}',
            b"\xef\xbb\xbf{}",
            b'{"events": [' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"]}",
            json.dumps({"events": [nested(30)]}).encode(),
        ]
    ),
)


@given(route=st.sampled_from(POST_ROUTES), body=RAW_BODIES, yaml=st.booleans())
@settings(
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.generate],  # bounded: a failure is reported as found, not shrunk
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_raw_body_gets_a_server_error(route: str, body: bytes, yaml: bool, raw_api: Api) -> None:
    kind = "application/yaml" if yaml and "revisions" in route else "application/json"
    answer = raw_api.client.post(
        route, content=body, headers={**raw_api.headers("admin"), "Content-Type": kind}
    )
    assert answer.status_code < 500, (route, body[:80], answer.status_code, answer.text[:300])
    assert "Traceback" not in answer.text


@pytest.fixture(scope="module")
def raw_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One app for every example (hypothesis runs the examples inside one test)."""
    path = tmp_path_factory.mktemp("raw") / "servanda.sqlite"
    with running_api(f"sqlite:///{path}") as running:
        yield running


# Found by the stateful run on PostgreSQL (GET /api/v1/tickets/{ticket_id}): a NUL in a
# ticket id reached the database, which refused it with a DataError, answered as a 500.
def test_a_nul_in_a_ticket_id_is_a_client_error(api: Api) -> None:
    answer = api.client.get("/api/v1/tickets/a%00b", headers=api.headers("admin"))
    assert 400 <= answer.status_code < 500, answer.text
    assert "Traceback" not in answer.text
