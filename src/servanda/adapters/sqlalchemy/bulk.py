"""Bulk row paths for the ingestion hot loop, one per database, on the driver connection.

SQLAlchemy's per-row parameter processing costs more than the database work
at tens of thousands of rows per second, so the repositories hand whole
batches of tuples to these writers, inside the unit of work's transaction:

- PostgreSQL (psycopg 3): ``COPY`` into the target (or a temporary staging
  table when conflicts must be resolved with ``INSERT ... SELECT ... ON
  CONFLICT``; for 100 rows this costs a third of the client CPU of a
  multi-row ``VALUES`` and a tenth of ``unnest`` over array parameters, whose
  adaptation is per element in Python); arrays instead of long ``IN`` lists,
  probed one key at a time (``LATERAL``) so the plan never depends on table
  statistics.
- SQLite: ``executemany`` of plain statements. The transaction holds the
  database's single write lock (``BEGIN IMMEDIATE``), so "which identities are
  already stored" can be asked before inserting without a race.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any, Protocol

import psycopg
from sqlalchemy import Connection

from servanda.services.ports import TicketPin

Row = tuple[Any, ...]
CHUNK = 500

EVENT_COLUMNS = ("source", "event_id", "ticket_id", "type", "at", "content")


class BulkWriter(Protocol):
    def insert_new_events(self, rows: Sequence[Row]) -> set[tuple[str, str]]:
        """Insert the event rows whose (source, event_id) is not stored; return their identities."""
        ...

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        """Insert rows known not to conflict."""
        ...

    def upsert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        """Insert rows, replacing every column but the first (the key) on conflict."""
        ...

    def lock_tickets(self, ticket_ids: Sequence[str]) -> dict[str, TicketPin]:
        """Create missing ticket rows, lock all in id order; return the ids that existed, each
        with its pin."""
        ...

    def existing_tickets(self, ticket_ids: Collection[str]) -> set[str]:
        """The ids among ``ticket_ids`` that have a ticket row (no lock taken)."""
        ...

    def select_by_ticket(
        self, table: str, columns: Sequence[str], ticket_ids: Collection[str]
    ) -> Iterator[Row]: ...

    def delete_by_ticket(self, table: str, ticket_ids: Collection[str]) -> None: ...

    def read_ticket(self, ticket_id: str, queries: Sequence[str]) -> list[list[Row]]:
        """The rows of each query (one ``?`` parameter: the ticket id), in one exchange where the
        driver can pipeline them (PostgreSQL: one round trip instead of one per query)."""
        ...

    def select_events(self, identities: Collection[tuple[str, str]]) -> Iterator[Row]:
        """``(source, event_id, content)`` of the stored events among ``identities``."""
        ...


PIN_COLUMNS = "id, event_count, revision_id, created_at, evaluated_at"
"""The columns of a ticket's pin, id first (``pins`` reads rows of them)."""


def pins(rows: Iterable[Row]) -> dict[str, TicketPin]:
    """Pins by ticket id from rows of ``PIN_COLUMNS``."""
    return {row[0]: TicketPin(int(row[1]), row[2], row[3], row[4]) for row in rows}


def bulk_writer(connection: Connection) -> BulkWriter:
    """The writer for the connection's database; the connection's transaction is begun first."""
    if not connection.in_transaction():
        connection.begin()
    if connection.dialect.name == "postgresql":
        return PostgresBulkWriter(connection)
    return SqliteBulkWriter(connection)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SqliteBulkWriter:
    def __init__(self, connection: Connection) -> None:
        self._driver: Any = connection.connection.driver_connection

    def insert_new_events(self, rows: Sequence[Row]) -> set[tuple[str, str]]:
        stored: set[tuple[str, str]] = set()
        cursor = self._driver.cursor()
        by_source: dict[str, list[str]] = {}
        for row in rows:
            by_source.setdefault(row[0], []).append(row[1])
        for source, ids in by_source.items():
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                cursor.execute(
                    f"SELECT event_id FROM events WHERE source = ? AND event_id IN ({marks})",
                    (source, *chunk),
                )
                stored.update((source, event_id) for (event_id,) in cursor.fetchall())
        new = [row for row in rows if (row[0], row[1]) not in stored]
        self.insert("events", EVENT_COLUMNS, new)
        return {(row[0], row[1]) for row in new}

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        if rows:
            marks = ",".join("?" * len(columns))
            self._driver.executemany(
                f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows
            )

    def upsert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        if rows:
            marks = ",".join("?" * len(columns))
            updates = ",".join(f"{c} = excluded.{c}" for c in columns[1:])
            self._driver.executemany(
                f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks}) "
                f"ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}",
                rows,
            )

    def lock_tickets(self, ticket_ids: Sequence[str]) -> dict[str, TicketPin]:
        """Only a lookup: the transaction already holds SQLite's write lock."""
        existed: dict[str, TicketPin] = {}
        cursor = self._driver.cursor()
        for chunk in _chunks(ticket_ids):
            marks = ",".join("?" * len(chunk))
            cursor.execute(f"SELECT {PIN_COLUMNS} FROM tickets WHERE id IN ({marks})", chunk)
            existed.update(pins(cursor.fetchall()))
        return existed

    def existing_tickets(self, ticket_ids: Collection[str]) -> set[str]:
        existed: set[str] = set()
        cursor = self._driver.cursor()
        for chunk in _chunks(list(ticket_ids)):
            marks = ",".join("?" * len(chunk))
            cursor.execute(f"SELECT id FROM tickets WHERE id IN ({marks})", chunk)
            existed.update(ticket_id for (ticket_id,) in cursor.fetchall())
        return existed

    def select_by_ticket(
        self, table: str, columns: Sequence[str], ticket_ids: Collection[str]
    ) -> Iterator[Row]:
        cursor = self._driver.cursor()
        for chunk in _chunks(list(ticket_ids)):
            marks = ",".join("?" * len(chunk))
            cursor.execute(
                f"SELECT {','.join(columns)} FROM {table} WHERE ticket_id IN ({marks})", chunk
            )
            yield from cursor.fetchall()

    def select_events(self, identities: Collection[tuple[str, str]]) -> Iterator[Row]:
        by_source: dict[str, list[str]] = {}
        for source, event_id in identities:
            by_source.setdefault(source, []).append(event_id)
        cursor = self._driver.cursor()
        for source, ids in by_source.items():
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                cursor.execute(
                    "SELECT source, event_id, content FROM events "
                    f"WHERE source = ? AND event_id IN ({marks})",
                    (source, *chunk),
                )
                yield from cursor.fetchall()

    def read_ticket(self, ticket_id: str, queries: Sequence[str]) -> list[list[Row]]:
        return [self._driver.execute(query, (ticket_id,)).fetchall() for query in queries]

    def delete_by_ticket(self, table: str, ticket_ids: Collection[str]) -> None:
        for chunk in _chunks(list(ticket_ids)):
            marks = ",".join("?" * len(chunk))
            self._driver.execute(f"DELETE FROM {table} WHERE ticket_id IN ({marks})", chunk)


class PostgresBulkWriter:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._driver: Any = connection.connection.driver_connection

    def _stage(self, cursor: Any, staging: str, columns: str) -> None:  # noqa: ANN401 - a cursor
        """Make the session's staging table ``staging`` exist and be empty, sending nothing when
        it was created with the connection and not filled yet in this transaction (a commit
        empties it, ``ON COMMIT DELETE ROWS``, and a rollback takes its rows back)."""
        info = self._connection.connection.info  # the DBAPI connection's; new with a new one
        transaction = self._connection.get_transaction()
        filled: dict[str, object] = info.setdefault(_STAGING_FILLED, {})
        if staging not in info.get(_STAGING_READY, ()) or filled.get(staging) is transaction:
            _empty_staging(cursor, staging, columns)
        filled[staging] = transaction

    def insert_new_events(self, rows: Sequence[Row]) -> set[tuple[str, str]]:
        if not rows:
            return set()
        cursor = self._driver.cursor()
        self._stage(cursor, "incoming_events", STAGING_TABLES["incoming_events"])
        self._copy(cursor, "incoming_events", EVENT_COLUMNS, rows)
        # Appended in identity order, so concurrent importers take index entries in one order.
        names = ",".join(EVENT_COLUMNS)
        cursor.execute(
            f"INSERT INTO events ({names}) SELECT {names} FROM incoming_events "
            "ORDER BY source, event_id "
            "ON CONFLICT (source, event_id) DO NOTHING RETURNING source, event_id"
        )
        return {(source, event_id) for source, event_id in cursor.fetchall()}

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        if rows:
            self._copy(self._driver.cursor(), table, columns, rows)

    def upsert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        if not rows:
            return
        cursor = self._driver.cursor()
        staging = f"incoming_{table}"
        self._stage(
            cursor, staging, STAGING_TABLES.get(staging, f"(LIKE {table} INCLUDING DEFAULTS)")
        )
        self._copy(cursor, staging, columns, rows)
        names = ",".join(columns)
        updates = ",".join(f"{c} = excluded.{c}" for c in columns[1:])
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} ORDER BY {columns[0]} "
            f"ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}"
        )

    def lock_tickets(self, ticket_ids: Sequence[str]) -> dict[str, TicketPin]:
        # Creates missing rows and row-locks existing ones, in id order (no deadlock between
        # importers: everyone takes ticket locks in the same order). ``xmax = 0`` marks a row
        # this statement inserted; a row it updated (locked) existed before.
        cursor = self._driver.execute(
            "INSERT INTO tickets (id, attributes, event_count) "
            "SELECT id, '{}', 0 FROM unnest(%s::text[]) AS id ORDER BY id "
            "ON CONFLICT (id) DO UPDATE SET id = excluded.id "
            f"RETURNING xmax = 0, {PIN_COLUMNS}",
            (sorted(ticket_ids),),
        )
        return pins(row[1:] for row in cursor.fetchall() if not row[0])

    def existing_tickets(self, ticket_ids: Collection[str]) -> set[str]:
        cursor = self._driver.execute(_probe("tickets", "id", ("id",)), (list(ticket_ids),))
        return {ticket_id for (ticket_id,) in cursor.fetchall()}

    def select_by_ticket(
        self, table: str, columns: Sequence[str], ticket_ids: Collection[str]
    ) -> Iterator[Row]:
        cursor = self._driver.execute(_probe(table, "ticket_id", columns), (list(ticket_ids),))
        yield from cursor.fetchall()

    def read_ticket(self, ticket_id: str, queries: Sequence[str]) -> list[list[Row]]:
        driver = self._driver
        if driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            with driver.pipeline():  # inside a transaction begun by earlier statements
                cursors = [driver.execute(q.replace("?", "%s"), (ticket_id,)) for q in queries]
            return [cursor.fetchall() for cursor in cursors]
        # Nothing sent yet: one exchange holds a transaction of its own, the queries in it
        # reading one snapshot (REPEATABLE READ; under READ COMMITTED each query would see
        # the batches committed before it), and its end, so no ROLLBACK follows.
        driver.autocommit = True
        try:
            with driver.pipeline():
                driver.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cursors = [driver.execute(q.replace("?", "%s"), (ticket_id,)) for q in queries]
                driver.execute("COMMIT")
            return [cursor.fetchall() for cursor in cursors]
        finally:
            if not driver.closed:
                if driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    driver.execute("ROLLBACK")  # a query failed inside the transaction
                driver.autocommit = False

    def delete_by_ticket(self, table: str, ticket_ids: Collection[str]) -> None:
        # The rows are found by index probes as in ``select_by_ticket`` and deleted by their
        # physical address; the caller holds the tickets' locks, so no row moves meanwhile.
        self._driver.execute(
            f"DELETE FROM {table} WHERE ctid = ANY(ARRAY({_probe(table, 'ticket_id', ('ctid',))}))",
            (list(ticket_ids),),
        )

    def select_events(self, identities: Collection[tuple[str, str]]) -> Iterator[Row]:
        sources = [source for source, _ in identities]
        ids = [event_id for _, event_id in identities]
        cursor = self._driver.cursor()
        cursor.execute(
            "SELECT e.source, e.event_id, e.content FROM events AS e "
            "JOIN unnest(%s::text[], %s::text[]) AS k(source, event_id) "
            "ON e.source = k.source AND e.event_id = k.event_id",
            (sources, ids),
        )
        yield from cursor.fetchall()

    @staticmethod
    def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:  # noqa: ANN401
        with cursor.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _probe(table: str, key: str, columns: Sequence[str]) -> str:
    """``columns`` of the rows of ``table`` whose ``key`` is in the array parameter, found by one
    index probe per key whatever the statistics say. On a young or fast-growing table (not
    analysed yet) ``key = ANY(%s)`` and a plain join are planned as sequential scans, which
    grow with the table; ``OFFSET 0`` keeps the lateral subquery a per-key probe."""
    names = ",".join(f"r.{c}" for c in columns)
    return (
        f"SELECT {names} FROM unnest(%s::text[]) AS k(key) "
        f"CROSS JOIN LATERAL (SELECT {','.join(columns)} FROM {table} "
        f"WHERE {key} = k.key OFFSET 0) AS r"
    )


STAGING_TABLES = {
    "incoming_events": (
        "(source text, event_id text, ticket_id text, type text, at bigint, content text)"
    ),
    "incoming_tickets": "(LIKE tickets INCLUDING DEFAULTS)",
}
"""The temporary staging tables of a PostgreSQL session, and their columns."""

_STAGING_READY = "servanda_staging_ready"  # created when the connection was made
_STAGING_FILLED = "servanda_staging_filled"  # staging table -> the transaction that filled it


def create_staging_tables(driver: Any, info: dict[Any, Any]) -> None:  # noqa: ANN401 - psycopg's
    """Create the staging tables on a new PostgreSQL connection, outside any transaction, so
    that a batch need not ask for them (one round trip per table per batch); ``info`` (the
    pooled connection's) remembers which exist. A table whose model is missing (a database
    not migrated yet) is left to be created on first use."""
    ready: set[str] = set()
    driver.autocommit = True
    try:
        for staging, columns in STAGING_TABLES.items():
            try:
                driver.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {staging} {columns} ON COMMIT DELETE ROWS"
                )
                ready.add(staging)
            except psycopg.errors.UndefinedTable:
                pass
    finally:
        driver.autocommit = False
    info[_STAGING_READY] = ready


def _empty_staging(cursor: Any, staging: str, columns: str) -> None:  # noqa: ANN401 - a cursor
    """The session's temporary staging table, created on first use and empty, in one round trip.

    ``ON COMMIT DELETE ROWS`` empties it at every commit; the ``DELETE`` covers a second use
    within one transaction (cheaper than ``TRUNCATE``, which replaces the table's files).
    """
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {staging} {columns} ON COMMIT DELETE ROWS; "
        f"DELETE FROM {staging}"
    )
