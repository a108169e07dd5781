"""HTTP API load: 16 clients post event batches while readers fetch tickets; then an exactly-once check.

Starts ``servanda serve --workers 2`` on a fresh PostgreSQL database, applies
small definitions (one corporate agreement, 24x7), and for ``--seconds``
(default 60) runs ``--writers`` threads posting batches of ``--batch`` events
(new tickets created, earlier ones responded to and resolved) and
``--readers`` threads calling ``GET /api/v1/tickets/{id}`` on tickets already
written. Reports accepted events/s, p50/p99 latency per endpoint, and checks
that every acknowledged event (created or duplicate) is stored exactly once.

    .venv/bin/python benchmarks/api_load.py [--seconds 60] [--writers 16] [--readers 4]

Needs PostgreSQL at ``--admin-url`` (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import gc
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import orjson
from sqlalchemy import create_engine, select, text

from servanda.adapters.sqlalchemy.engine import make_engine
from servanda.adapters.sqlalchemy.schema import upgrade_database
from servanda.adapters.sqlalchemy.tables import events as events_table
from servanda.adapters.sqlalchemy.tokens import SqlAlchemyTokenStore
from servanda.adapters.system_clock import SystemClock
from servanda.bootstrap import connect, load_settings
from servanda.services.auth import Role, create_token

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from tests.streams import START, apply_small_definitions

CLOCK = SystemClock()  # live events are dated by the machine clock, as the server is


@dataclass
class Shared:
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    acknowledged: set[tuple[str, str]] = field(default_factory=set)
    accepted: int = 0
    errors: int = 0
    tickets: list[str] = field(default_factory=list)

    def record(self, endpoint: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(endpoint, []).append(seconds)


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat()


def batches(client: int, size: int, live: bool):
    """Endless batches: a third new tickets, a third responses, a third resolutions.

    ``live``: every event is dated when its batch is built, as an integration pushing
    tickets as they happen does; otherwise (backfill) events are dated on one past day.
    """
    rng = random.Random(client)
    created: list[tuple[str, int]] = []
    serial = 0
    while True:
        batch: list[dict[str, object]] = []
        sent = CLOCK.now()
        third = size // 3
        answered = created[-2 * third : -third] if len(created) >= 2 * third else []
        resolving = created[-3 * third : -2 * third] if len(created) >= 3 * third else []
        for tickets, kind, suffix, later in (
            (answered, "responded", "r", 600),
            (resolving, "resolved", "x", 7200),
        ):
            batch.extend(
                {
                    "id": f"{ticket}-{suffix}",
                    "ticket": ticket,
                    "type": kind,
                    "at": iso(sent if live else at + later),
                }
                for ticket, at in tickets
            )
        while len(batch) < size:
            serial += 1
            ticket = f"c{client}-{serial}"
            at = sent if live else START + rng.randint(0, 86_400)
            batch.append(
                {
                    "id": f"{ticket}-c",
                    "ticket": ticket,
                    "type": "created",
                    "at": iso(at),
                    "customer": rng.choice(("acme", "globex", "initech")),
                    "service": "email",
                    "priority": rng.choice(("P1", "P2", "P3", "P4")),
                }
            )
            created.append((ticket, at))
        yield batch


class Connection:
    """One kept-alive HTTP/1.1 connection (``http.client``: the load generator shares the two
    cores with the server, and costs a fraction of an ``httpx`` client per request)."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self._address = base.removeprefix("http://")
        self._headers = headers
        self._http = http.client.HTTPConnection(self._address, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self._http.request(method, path, body=body, headers=self._headers)
                response = self._http.getresponse()
                return response.status, response.read()
            except (ConnectionError, http.client.HTTPException):
                self._http.close()
                self._http = http.client.HTTPConnection(self._address, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._http.close()


def writer(base: str, token: str, client: int, size: int, live: bool, shared: Shared) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection = Connection(base, headers)
    try:
        for batch in batches(client, size, live):
            if shared.stop.is_set():
                return
            body = orjson.dumps({"events": batch})  # the client stays light: orjson both ways
            began = time.perf_counter()
            status, content = connection.request("POST", "/api/v1/events", body)
            shared.record("POST /api/v1/events", time.perf_counter() - began)
            if status != 200:
                with shared.lock:
                    shared.errors += 1
                continue
            results = orjson.loads(content)["results"]
            ok = [
                (r["source"], r["id"]) for r in results if r["status"] in ("created", "duplicate")
            ]
            with shared.lock:
                shared.accepted += len(ok)
                shared.acknowledged.update(ok)
                shared.tickets.extend(e["ticket"] for e in batch if e["type"] == "created")
    finally:
        connection.close()


def reader(base: str, token: str, seed: int, rate: float, shared: Shared) -> None:
    """Reads random written tickets: ``rate`` per second on a fixed schedule, each latency
    counted from its scheduled instant (a late start counts against the server, not only
    the time on the wire); ``rate`` 0: back to back, as fast as answers come."""
    rng = random.Random(seed)
    connection = Connection(base, {"Authorization": f"Bearer {token}"})
    interval = 1 / rate if rate > 0 else 0.0
    due = time.perf_counter() + rng.random() * interval
    try:
        while not shared.stop.is_set():
            with shared.lock:
                ticket = rng.choice(shared.tickets) if shared.tickets else None
            if ticket is None:
                time.sleep(0.05)
                due = time.perf_counter()
                continue
            if interval:
                time.sleep(max(0.0, due - time.perf_counter()))
                began, due = due, due + interval
            else:
                began = time.perf_counter()
            status, _ = connection.request("GET", f"/api/v1/tickets/{ticket}")
            shared.record("GET /api/v1/tickets/{id}", time.perf_counter() - began)
            if status != 200:
                with shared.lock:
                    shared.errors += 1
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fresh_database(admin_url: str) -> str:
    name = f"servanda_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    upgrade_database(engine)
    engine.dispose()
    return url


def drop_database(admin_url: str, url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument(
        "--read-rate",
        type=float,
        default=200,
        help="ticket reads per second, all readers together, on a fixed schedule; "
        "0: each reader reads back to back",
    )
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--ingestion-processes",
        type=int,
        default=None,
        help="passed to serve (default: serve's own, 3 per worker); 0 folds in the workers",
    )
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--timeline",
        choices=("live", "backfill"),
        default="live",
        help="live: events dated as sent (default); backfill: dated on one past day",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = fresh_database(args.admin_url)
    storage = connect(load_settings(database_url=url))
    apply_small_definitions(storage.uow_factory)
    store = SqlAlchemyTokenStore(storage.engine)
    writer_token = create_token(store, role=Role.INTEGRATION, now=START).secret
    reader_token = create_token(store, role=Role.VIEWER, now=START).secret

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "servanda", "serve", "--workers", str(args.workers),
         "--port", str(port), "--log-level", "warning", "--database-url", url]
        + ([] if args.ingestion_processes is None
           else ["--ingestion-processes", str(args.ingestion_processes)]),
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        shared = Shared()
        threads = [
            threading.Thread(
                target=writer,
                args=(base, writer_token, c, args.batch, args.timeline == "live", shared),
            )
            for c in range(args.writers)
        ] + [
            threading.Thread(
                target=reader,
                args=(base, reader_token, 1000 + r, args.read_rate / args.readers, shared),
            )
            for r in range(args.readers)
        ]
        # The load generator must not pause: with the cyclic GC on, a full collection over its
        # bookkeeping (~400,000 acknowledged identities by the end) stopped every thread for up
        # to 107 ms (five in a run), and the scheduled readers counted that as server latency.
        gc.disable()
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        windows: list[int] = []  # accepted events per 10 s window: is the rate sustained?
        counted = 0
        while (left := args.seconds - (time.perf_counter() - began)) > 0:
            time.sleep(min(10.0, left))
            with shared.lock:
                windows.append(shared.accepted - counted)
                counted = shared.accepted
        shared.stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        gc.enable()
    finally:
        server.terminate()
        server.wait(timeout=30)

    with storage.engine.connect() as connection:
        stored = connection.execute(select(events_table.c.source, events_table.c.event_id)).all()
    storage.dispose()
    stored_set = {(s, e) for s, e in stored}
    exactly_once = len(stored) == len(stored_set) and shared.acknowledged <= stored_set

    reads = f"{args.read_rate:g} reads/s" if args.read_rate else "back to back"
    print(f"## HTTP API load ({args.writers} writers x batches of {args.batch}, "
          f"{args.readers} readers ({reads}), {args.workers} server workers, {elapsed:.0f} s)")  # fmt: skip
    print(f"accepted events: {shared.accepted:,} -> {shared.accepted / elapsed:,.0f} events/s")
    print("per 10 s window (events/s): " + ", ".join(f"{n / 10:,.0f}" for n in windows))
    print(f"errors: {shared.errors}")
    print("| endpoint | requests | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: |")
    for endpoint, values in sorted(shared.latencies.items()):
        print(
            f"| `{endpoint}` | {len(values):,} | {statistics.median(values) * 1000:.1f} "
            f"| {percentile(values, 0.99) * 1000:.1f} |"
        )
    print(
        f"exactly once: {'yes' if exactly_once else 'NO'} "
        f"({len(shared.acknowledged):,} acknowledged, {len(stored):,} stored rows, "
        f"{len(stored_set):,} distinct)"
    )
    if not args.keep:
        drop_database(args.admin_url, url)
    if not exactly_once:
        sys.exit(1)


if __name__ == "__main__":
    main()
