"""Ingestion benchmark: a generated event stream (and the ServiceNow log) into SQLite and PostgreSQL.

Run: ``scripts/bench ingest`` (or ``python benchmarks/ingest.py [--events N] [--only sqlite]``).

What is measured, end to end, exactly as a user runs it: the wall time of
``servanda events import FILE`` in a fresh process (JSONL parsing, idempotent
append, re-folding every touched ticket, storing measurements and transitions,
commits), the child process's peak RSS (``wait4``), and the database size
afterwards (SQLite file + WAL; ``pg_database_size``). The stream comes from
``servanda generate events`` over ``examples/multi-level`` (about five events
per ticket). A second import of the same file measures the duplicate path.
The ServiceNow row times ``servanda import servicenow`` on the shared log when
both exist. Results go into docs/benchmarks.md, section "Ingestion".
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVANDA = str(Path(sys.executable).with_name("servanda"))
DEFINITIONS = ROOT / "examples" / "multi-level"
SERVICENOW_LOG = ROOT.parent / "shared" / "data" / "servicenow_incident_event_log.csv.gz"
SERVICENOW_DEFINITIONS = ROOT / "examples" / "servicenow" / "definitions.yaml"
POSTGRES_ADMIN = os.environ.get(
    "SERVANDA_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
NOW = "2027-06-01T00:00:00+00:00"


def run(args: list[str], *, timed: bool = False) -> tuple[float, float]:
    """Run a servanda command; (seconds, peak RSS in MiB) of the child.

    The machine may be shared: the CPU seconds of the command and its workers and
    the load average are printed too, so a slow wall time can be told from a busy box.
    """
    started = time.perf_counter()
    child = subprocess.Popen([SERVANDA, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime  # includes the workers it waited for
    if timed:
        print(f"    client CPU: {cpu:.1f} s; load average after: {os.getloadavg()[0]:.1f}")
    out, err = child.communicate()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"servanda {' '.join(args)} failed:\n{out.decode()}\n{err.decode()}")
    if timed:
        print("   ", out.decode().strip().replace("\n", "\n    "))
    return elapsed, usage.ru_maxrss / 1024


def sqlite_url(work: Path, name: str) -> tuple[str, callable]:  # type: ignore[valid-type]
    path = work / f"{name}.sqlite"

    def size() -> int:
        return sum(p.stat().st_size for p in work.glob(f"{name}.sqlite*"))

    return f"sqlite:///{path}", size


def postgres_url(name: str) -> tuple[str, callable, callable]:  # type: ignore[valid-type]
    import psycopg

    database = f"servanda_bench_{name}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{database}"

    def size() -> int:
        with psycopg.connect(url) as connection:
            return int(
                connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
            )

    def drop() -> None:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    return url.replace("postgresql://", "postgresql+psycopg://"), size, drop


def bench_stream(label: str, url: str, size: callable, stream: Path, events: int) -> None:  # type: ignore[valid-type]
    run(["db", "upgrade", "--database-url", url])
    run(
        [
            "definitions",
            "apply",
            str(DEFINITIONS),
            "--effective-from",
            "2020-01-01",
            "--database-url",
            url,
        ]
    )
    print(f"{label}: generated stream, {events:,} events")
    seconds, rss = run(
        ["events", "import", str(stream), "--now", NOW, "--database-url", url], timed=True
    )
    print(
        f"  first import: {seconds:.1f} s, {events / seconds:,.0f} events/s, peak RSS {rss:.0f} MiB, "
        f"database {size() / 2**20:,.0f} MiB"
    )
    seconds, rss = run(["events", "import", str(stream), "--now", NOW, "--database-url", url])
    print(
        f"  re-import (all duplicates): {seconds:.1f} s, {events / seconds:,.0f} events/s, peak RSS {rss:.0f} MiB"
    )


def bench_servicenow(label: str, url: str, size: callable) -> None:  # type: ignore[valid-type]
    if not SERVICENOW_LOG.exists() or not SERVICENOW_DEFINITIONS.exists():
        print(f"{label}: ServiceNow log or examples/servicenow missing, skipped")
        return
    run(["db", "upgrade", "--database-url", url])
    run(
        [
            "definitions",
            "apply",
            str(SERVICENOW_DEFINITIONS),
            "--effective-from",
            "2015-01-01",
            "--database-url",
            url,
        ]
    )
    seconds, rss = run(
        ["import", "servicenow", str(SERVICENOW_LOG), "--database-url", url], timed=True
    )
    print(
        f"{label}: ServiceNow log {seconds:.1f} s, peak RSS {rss:.0f} MiB, database {size() / 2**20:,.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--skip-servicenow", action="store_true")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.platform()}, {os.cpu_count()} cores")
    work = Path(tempfile.mkdtemp(prefix="servanda-bench-"))
    try:
        stream = work / "events.jsonl"
        started = time.perf_counter()
        run(
            [
                "generate",
                "events",
                "--tickets",
                str(args.events // 5),
                "--seed",
                str(args.seed),
                "--definitions",
                str(DEFINITIONS),
                "--output",
                str(stream),
            ]
        )
        with stream.open("rb") as lines:
            events = sum(1 for _ in lines)
        print(
            f"generated {events:,} events in {time.perf_counter() - started:.1f} s "
            f"({stream.stat().st_size / 2**20:,.0f} MiB JSONL)"
        )
        if args.only in (None, "sqlite"):
            url, size = sqlite_url(work, "stream")
            bench_stream("SQLite", url, size, stream, events)
            if not args.skip_servicenow:
                url, size = sqlite_url(work, "servicenow")
                bench_servicenow("SQLite", url, size)
        if args.only in (None, "postgresql"):
            url, size, drop = postgres_url("stream")
            try:
                bench_stream("PostgreSQL", url, size, stream, events)
            finally:
                drop()
            if not args.skip_servicenow:
                url, size, drop = postgres_url("servicenow")
                try:
                    bench_servicenow("PostgreSQL", url, size)
                finally:
                    drop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
