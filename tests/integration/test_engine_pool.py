"""Pooled PostgreSQL connections: pinged only after sitting idle, replaced when gone; the ticket
view reads in one exchange that leaves no transaction open."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, text

from servanda.adapters.sqlalchemy import engine as engine_module
from servanda.adapters.sqlalchemy.engine import make_engine

pytestmark = pytest.mark.postgres


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_in_use_a_moment_ago_is_not_pinged(
    fresh_postgres: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(fresh_postgres())
    pings: list[object] = []
    real = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or real(c))
    first = _backend_pid(engine)
    assert _backend_pid(engine) == first  # the same pooled connection, lent again
    assert pings == []
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert _backend_pid(engine) == first
    assert len(pings) == 1
    engine.dispose()


def test_an_idle_connection_killed_by_the_server_is_replaced_before_use(
    fresh_postgres: Callable[[], str],
    postgres_server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = make_engine(fresh_postgres())
    first = _backend_pid(engine)
    admin = create_engine(postgres_server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    admin.dispose()
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it sat idle
    second = _backend_pid(engine)  # no error: the dead connection never reaches the caller
    assert second != first
    engine.dispose()


def test_the_ticket_view_leaves_no_transaction_open(fresh_postgres: Callable[[], str]) -> None:
    from psycopg.pq import TransactionStatus

    from servanda.bootstrap import connect, load_settings
    from servanda.services.ingestion import record_events
    from tests.streams import START, apply_small_definitions, event_stream

    storage = connect(load_settings(database_url=fresh_postgres()))
    apply_small_definitions(storage.uow_factory)
    events = list(event_stream(3, seed=5))
    record_events(storage.uow_factory, storage.evaluator, events, START + 30 * 86_400)
    ticket = events[0].ticket
    with storage.uow_factory() as uow:
        found = uow.tickets.view(ticket)
        driver = uow.tickets._connection.connection.driver_connection
        assert driver.info.transaction_status == TransactionStatus.IDLE
        assert driver.autocommit is False
        assert found is not None
        assert len(found.events) == sum(e.ticket == ticket for e in events)
        uow.tickets.save([found.state])  # a write after the view runs in a transaction again
        assert driver.info.transaction_status == TransactionStatus.INTRANS
        again = uow.tickets.view(ticket)  # inside that transaction: sees its own writes
        assert again is not None
        assert again.state == found.state
    storage.dispose()


def test_staging_tables_made_with_the_connection_are_emptied_only_when_needed(
    fresh_postgres: Callable[[], str],
) -> None:
    """A batch's staging ``COPY`` needs no statement before it, yet never sees rows of an
    earlier batch: not after a commit, not after a rollback, not on a second use within one
    transaction."""
    from servanda.adapters.sqlalchemy.bulk import bulk_writer

    engine = make_engine(fresh_postgres())

    def row(n: int) -> tuple[object, ...]:
        return ("s", f"e{n}", f"t{n}", "created", n, "{}")

    def staged(connection) -> int:
        return int(connection.exec_driver_sql("SELECT count(*) FROM incoming_events").scalar_one())

    with engine.connect() as connection:
        writer = bulk_writer(connection)
        assert writer.insert_new_events([row(1), row(2)]) == {("s", "e1"), ("s", "e2")}
        assert staged(connection) == 2
        # Again in the same transaction: the staging table is emptied first.
        assert writer.insert_new_events([row(2), row(3)]) == {("s", "e3")}
        assert staged(connection) == 2
        connection.rollback()
        writer = bulk_writer(connection)
        assert staged(connection) == 0  # the rollback took the staged rows back
        assert writer.insert_new_events([row(4)]) == {("s", "e4")}
        connection.commit()
        writer = bulk_writer(connection)
        assert staged(connection) == 0  # emptied by the commit
        assert writer.insert_new_events([row(4), row(5)]) == {("s", "e5")}
        assert staged(connection) == 2
        connection.commit()
        stored = connection.exec_driver_sql("SELECT event_id FROM events ORDER BY 1").scalars()
        assert list(stored) == ["e4", "e5"]
    engine.dispose()
