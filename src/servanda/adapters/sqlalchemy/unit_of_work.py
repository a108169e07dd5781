"""The SQLAlchemy unit of work: one connection, one transaction, explicit commit.

Leaving the ``with`` block without ``commit()`` rolls back. A deadlock, a
serialization failure or a SQLite "database is locked" raised inside the block
surfaces as ``StorageContentionError`` so the use case can retry its
(idempotent) work; every other error passes through unchanged.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from servanda.adapters.sqlalchemy.audit_log import SqlAlchemyAuditLog
from servanda.adapters.sqlalchemy.closed_periods import SqlAlchemyClosedPeriodRepository
from servanda.adapters.sqlalchemy.engine import READ_ONLY
from servanda.adapters.sqlalchemy.outage_repository import SqlAlchemyOutageRepository
from servanda.adapters.sqlalchemy.outbox import SqlAlchemyTransitionRepository
from servanda.adapters.sqlalchemy.repositories import (
    SqlAlchemyEventRepository,
    SqlAlchemyMeasurementRepository,
    SqlAlchemyRevisionRepository,
    SqlAlchemyTicketRepository,
)
from servanda.services.ports import DefinitionsCodec, StorageContentionError

# PostgreSQL SQLSTATEs of a lost race: deadlock_detected, serialization_failure.
_CONTENTION_STATES = frozenset({"40P01", "40001"})


def is_contention(error: BaseException) -> bool:
    if not isinstance(error, DBAPIError):
        return False
    state = getattr(error.orig, "sqlstate", None)
    if state in _CONTENTION_STATES:
        return True
    return "database is locked" in str(error.orig)


class SqlAlchemyUnitOfWork:
    """Repositories over one connection; nothing persists until ``commit()``."""

    revisions: SqlAlchemyRevisionRepository
    events: SqlAlchemyEventRepository
    tickets: SqlAlchemyTicketRepository
    measurements: SqlAlchemyMeasurementRepository
    transitions: SqlAlchemyTransitionRepository
    outages: SqlAlchemyOutageRepository
    audit: SqlAlchemyAuditLog
    periods: SqlAlchemyClosedPeriodRepository

    def __init__(self, engine: Engine, codec: DefinitionsCodec, *, read_only: bool = False) -> None:
        self._engine = engine
        self._codec = codec
        self._read_only = read_only
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        connection = self._engine.connect()
        if self._read_only:
            connection.execution_options(**{READ_ONLY: True})
        self._connection = connection
        self.revisions = SqlAlchemyRevisionRepository(connection, self._codec)
        self.events = SqlAlchemyEventRepository(connection)
        self.tickets = SqlAlchemyTicketRepository(connection)
        self.measurements = SqlAlchemyMeasurementRepository(connection)
        self.transitions = SqlAlchemyTransitionRepository(connection)
        self.outages = SqlAlchemyOutageRepository(connection)
        self.audit = SqlAlchemyAuditLog(connection)
        self.periods = SqlAlchemyClosedPeriodRepository(connection)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        connection = self._connection
        self._connection = None
        if connection is not None:
            try:
                connection.rollback()
            finally:
                connection.close()
        if error is not None and is_contention(error):
            raise StorageContentionError(f"lost a race with another process: {error}") from error

    def commit(self) -> None:
        self._active().commit()
        self.revisions.forget()

    def rollback(self) -> None:
        self._active().rollback()
        self.revisions.forget()

    def _active(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return self._connection
