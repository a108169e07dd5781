"""Engines for the two supported databases, configured for safe concurrent use.

SQLite (default, a file created on first use): WAL journal so readers never
block the writer, foreign keys enforced, a 30 s busy timeout, and every
transaction opened with ``BEGIN IMMEDIATE`` so two writers queue up front
instead of failing later on a lock upgrade — except a connection marked
``READ_ONLY`` (a unit of work that only reads), which begins a deferred
transaction: in WAL mode it reads a snapshot while another process writes.
PostgreSQL: ``postgresql+psycopg://`` (psycopg 3); a plain ``postgresql://``
URL is taken to mean the same driver. READ COMMITTED; the repositories take
row locks where order matters.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

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
    options: dict[str, Any] = {"pool_pre_ping": True}
    if not pooled:
        options = {"poolclass": NullPool}
    return create_engine(url, **options)


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
