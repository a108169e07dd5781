"""Engines for the two supported databases, configured for safe concurrent use.

SQLite (default, a file created on first use): WAL journal so readers never
block the writer, foreign keys enforced, a 30 s busy timeout, and every
transaction opened with ``BEGIN IMMEDIATE`` so two writers queue up front
instead of failing later on a lock upgrade — except a connection marked
``READ_ONLY`` (a unit of work that only reads), which begins a deferred
transaction: in WAL mode it reads a snapshot while another process writes.
PostgreSQL: ``postgresql+psycopg://`` (psycopg 3); a plain ``postgresql://``
URL is taken to mean the same driver. READ COMMITTED; the repositories take
row locks where order matters. A pooled connection is checked with a
``SELECT 1`` only when it has sat unused for ``PING_AFTER_IDLE_SECONDS``
(SQLAlchemy's ``pool_pre_ping`` pings at every checkout: one more round trip
per request and per event batch); a dead one is replaced before use.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolProxiedConnection

from servanda.adapters.sqlalchemy.bulk import create_staging_tables

BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "servanda_read_only"
"""Execution option: the connection only reads (SQLite begins a deferred transaction)."""


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 here (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, pooled: bool = True) -> Engine:
    """An engine for ``url``; a SQLite file's directory is created when missing."""
    url = normalise_url(url)
    if is_sqlite(url):
        return _sqlite_engine(url)
    if not pooled:
        return create_engine(url, poolclass=NullPool)
    engine = create_engine(url)
    _ping_when_idle(engine)

    @event.listens_for(engine, "connect")
    def _prepare(dbapi: Any, record: ConnectionPoolEntry) -> None:  # noqa: ANN401
        create_staging_tables(dbapi, record.info)

    return engine


PING_AFTER_IDLE_SECONDS = 2.0
"""A pooled connection unused this long is pinged before it is handed out (monotonic time)."""

_RETURNED = "servanda_returned_at"


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _returned(_dbapi: Any, record: ConnectionPoolEntry) -> None:  # noqa: ANN401
        record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _lent(dbapi: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:  # noqa: ANN401
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and lends another (SQLAlchemy's documented
            # pessimistic disconnect handling).
            raise DisconnectionError(f"a pooled connection is gone: {error}") from error


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Take transaction control away from the sqlite3 module: we BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def ping(engine: Engine) -> None:
    """One trivial query: raises if the database cannot answer (the health probe)."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
