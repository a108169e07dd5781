"""Report benchmark: one month's compliance over 1,000,000 measurements, and a customer's PDF.

    .venv/bin/python benchmarks/reports.py [--rows 1000000] [--postgres URL] [--runs 5]

Setup inserts synthetic tickets and measurements straight into a migrated
database (SQLite file under /tmp, reused when it already holds the rows; on
PostgreSQL with COPY), all concluding in March 2026 (Europe/Berlin) over the
multi-level example's objectives, then times ``compliance_report`` (the SQL
aggregation plus the domain figures) for that month and ``render_pdf`` of one
customer's monthly report. Prints the best and median of ``--runs``.
Targets: compliance < 2 s on either database; the customer PDF < 5 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "multi-level"
MARCH_START = 1772319600  # 2026-03-01T00:00+01:00
MARCH_SECONDS = 31 * 86_400 - 3600
CUSTOMERS = ("acme", "globex", "initech", "umbrella", "hooli")
SERVICES = ("email", "network", "workplace")
OBJECTIVES = (
    ("corporate-standard", "first_response-2", "first_response", 14_400),
    ("corporate-standard", "next_response-1", "next_response", 28_800),
    ("corporate-standard", "resolution-3", "resolution", 57_600),
    ("corporate-standard", "resolution-4", "resolution", 144_000),
    ("gold", "first_response-2", "first_response", 7200),
    ("gold", "resolution-3", "resolution", 14_400),
    ("silver", "resolution-2", "resolution", 43_200),
)
MEASUREMENT_COLUMNS = (
    "ticket_id, key, agreement, objective_key, metric, cycle, state, target_seconds, elapsed_seconds,"
    " started_at, deadline_at, stopped_at, breached_at, concluded_at, next_due_at, revision_id,"
    " evaluated_at, payload, customer, service"
)
PAYLOAD = (
    '{"history":[' + ",".join(['{"at":"2026-03-02T08:15:00+00:00","cause":"started"}'] * 6) + "]}"
)


def timed(function: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        samples.append(time.perf_counter() - began)
    return min(samples), statistics.median(samples)


def synthetic(
    rows: int, seed: int = 7
) -> Iterator[tuple[tuple[object, ...], tuple[object, ...] | None]]:
    """(measurement row, ticket row or None) pairs; three measurements per ticket.

    A measurement row carries its ticket's customer and service, as the write
    path stores them (``SqlAlchemyMeasurementRepository.replace``).
    """
    rnd = random.Random(seed)
    customer = service = ""
    for index in range(rows):
        ticket = f"T{index // 3:07d}"
        ticket_row = None
        if index % 3 == 0:
            customer, service = rnd.choice(CUSTOMERS), rnd.choice(SERVICES)
            ticket_row = (ticket, customer, service, rnd.choice(("P1", "P2", "P3", "P4")))
        agreement, objective, metric, target = OBJECTIVES[index % len(OBJECTIVES)]
        concluded = MARCH_START + rnd.randrange(MARCH_SECONDS)
        breached = rnd.random() < 0.08
        elapsed = target + rnd.randrange(1, 7200) if breached else rnd.randrange(target)
        state = "breached" if breached else "met"
        yield (
            (ticket, f"{metric}:{index % 3}", agreement, f"{agreement}/{objective}", metric, 0,
             state, target, elapsed, concluded - elapsed, concluded, concluded, concluded if breached else None,
             concluded, None, 1, concluded, PAYLOAD, customer, service),
            ticket_row,
        )  # fmt: skip


def populate_sqlite(path: Path, rows: int) -> str:
    import sqlite3

    from servanda.adapters.sqlalchemy.engine import make_engine
    from servanda.adapters.sqlalchemy.schema import upgrade_database

    url = f"sqlite:///{path}"
    if path.exists():
        with sqlite3.connect(path) as connection:
            (count,) = connection.execute("SELECT count(*) FROM measurements").fetchone()
        if count == rows:
            upgrade_timed(url)
            return url
        path.unlink()
    engine = make_engine(url)
    upgrade_database(engine)
    engine.dispose()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "INSERT INTO revisions (id, content_hash, effective_from, applied_at, comment, snapshot, sources)"
        " VALUES (1, 'x', 0, 0, '', '{}', '{}')"
    )
    measurements, tickets = [], []
    for measurement, ticket in synthetic(rows):
        measurements.append(measurement)
        if ticket:
            tickets.append(ticket)
    connection.executemany(
        "INSERT INTO tickets (id, customer, service, priority, attributes, event_count) VALUES (?, ?, ?, ?, '{}', 0)",
        tickets,
    )
    connection.executemany(
        "INSERT INTO measurements ("
        + MEASUREMENT_COLUMNS
        + ") VALUES ("
        + ", ".join("?" * 20)
        + ")",
        measurements,
    )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()
    return url


def populate_postgres(url: str, rows: int) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    upgrade_timed(url)
    parsed = make_url(url)
    conninfo = f"host={parsed.host} port={parsed.port or 5432} user={parsed.username} dbname={parsed.database}"
    with psycopg.connect(conninfo) as connection:
        (count,) = connection.execute("SELECT count(*) FROM measurements").fetchone() or (0,)
        if count != rows:
            copy_postgres(connection, rows)
    vacuum(conninfo)
    return url


def copy_postgres(connection: Any, rows: int) -> None:
    connection.execute(
        "TRUNCATE revisions, events, tickets, measurements, transitions, outages CASCADE"
    )
    connection.execute(
        "INSERT INTO revisions (id, content_hash, effective_from, applied_at, comment, snapshot, sources)"
        " VALUES (1, 'x', 0, 0, '', '{}', '{}')"
    )
    pairs = list(synthetic(rows))
    with connection.cursor().copy(
        "COPY tickets (id, customer, service, priority, attributes, event_count) FROM STDIN"
    ) as copy:
        for _, ticket in pairs:
            if ticket:
                copy.write_row((*ticket, "{}", 0))
    with connection.cursor().copy(
        "COPY measurements (" + MEASUREMENT_COLUMNS + ") FROM STDIN"
    ) as copy:
        for measurement, _ in pairs:
            copy.write_row(measurement)
    connection.commit()


def vacuum(conninfo: str) -> None:
    """What autovacuum does to a table after bulk inserts: statistics, and the visibility map
    that lets the report read its covering index alone (an index-only scan)."""
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE tickets")
        connection.execute("VACUUM ANALYZE measurements")


def upgrade_timed(url: str) -> None:
    """Migrate to head (a database from an older Servanda is upgraded, its rows back-filled)."""
    from servanda.adapters.sqlalchemy.engine import make_engine
    from servanda.adapters.sqlalchemy.schema import (
        current_revision,
        head_revision,
        upgrade_database,
    )

    engine = make_engine(url)
    before = current_revision(engine)
    began = time.perf_counter()
    upgrade_database(engine)
    if before not in (None, head_revision()):
        took = time.perf_counter() - began
        print(f"migrated {before} -> {head_revision()} in {took:.1f} s", file=sys.stderr)
    engine.dispose()


def store_definitions(url: str) -> None:
    """Replace revision 1's placeholder snapshot with the multi-level example."""
    from sqlalchemy import update

    from servanda.adapters.sqlalchemy.engine import make_engine
    from servanda.adapters.sqlalchemy.tables import revisions
    from servanda.specs import snapshot
    from servanda.specs.loader import load_definitions

    content = snapshot.CODEC.dumps(load_definitions(EXAMPLE)).decode()
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(update(revisions).where(revisions.c.id == 1).values(snapshot=content))
    engine.dispose()


def measure(label: str, url: str, runs: int) -> None:
    from servanda.adapters.sqlalchemy.reports import SqlAlchemyReportReadModel
    from servanda.bootstrap import connect, load_settings
    from servanda.reporting.pdf import render_pdf
    from servanda.services.customer_report import customer_report
    from servanda.services.reports import ReportSources, compliance_report

    store_definitions(url)
    storage = connect(load_settings(database_url=url))
    sources = ReportSources(storage.uow_factory, SqlAlchemyReportReadModel(storage.engine))
    report = compliance_report(sources, "2026-03")
    items = sum(row.items for row in report.rows)
    best, median = timed(lambda: compliance_report(sources, "2026-03"), runs)
    print(
        f"{label}: compliance 2026-03 over {items:,} items: best {best:.3f} s, median {median:.3f} s"
    )
    best, median = timed(lambda: render_pdf(customer_report(sources, "acme", "2026-03")), runs)
    print(f"{label}: acme's monthly PDF report: best {best:.3f} s, median {median:.3f} s")
    best, median = timed(lambda: customer_report(sources, "acme", "2026-03"), runs)
    print(f"{label}:   of which the report data: best {best:.3f} s, median {median:.3f} s")
    storage.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sqlite", type=Path, default=Path("/tmp/servanda-bench-reports.sqlite"))
    parser.add_argument(
        "--postgres", default=None, help="a PostgreSQL database URL to fill and measure"
    )
    args = parser.parse_args(argv)
    began = time.perf_counter()
    url = populate_sqlite(args.sqlite, args.rows)
    print(f"sqlite setup: {time.perf_counter() - began:.1f} s", file=sys.stderr)
    measure("sqlite", url, args.runs)
    if args.postgres:
        began = time.perf_counter()
        populate_postgres(args.postgres, args.rows)
        print(f"postgresql setup: {time.perf_counter() - began:.1f} s", file=sys.stderr)
        measure("postgresql", args.postgres, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
