"""Shared fixtures: databases for the storage tests, on SQLite and on PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (user ``postgres``, trust auth),
reached through its ``test`` database (or ``postgres``); override with
``SERVANDA_TEST_POSTGRES_URL``. Each test session creates its own uniquely
named databases and drops them at the end. When the server is absent the
PostgreSQL half of the tests is skipped with the reason shown; under
``CI=true`` an absent server fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

DEFAULT_POSTGRES_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
)


def _all_tables() -> str:
    """Every table the migrations create (derived, so a new table is never left un-emptied)."""
    import servanda.adapters.sqlalchemy.access_tables  # noqa: F401  (registers its tables)
    from servanda.adapters.sqlalchemy.tables import metadata

    return ", ".join(table.name for table in metadata.sorted_tables)


def _admin_url() -> str:
    """A reachable maintenance database URL, or skip (locally) / fail (CI) with the reason."""
    import psycopg
    from sqlalchemy.engine import make_url

    configured = os.environ.get("SERVANDA_TEST_POSTGRES_URL")
    candidates = (configured,) if configured else DEFAULT_POSTGRES_URLS
    problems: list[str] = []
    for url in candidates:
        parsed = make_url(url)
        try:
            psycopg.connect(
                host=parsed.host,
                port=parsed.port or 5432,
                user=parsed.username,
                password=parsed.password,
                dbname=parsed.database,
                connect_timeout=3,
            ).close()
            return url
        except psycopg.OperationalError as error:
            problems.append(f"{url}: {str(error).strip()}")
    reason = "PostgreSQL is not reachable (" + "; ".join(problems) + ")"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; under CI=true the PostgreSQL tests must run", pytrace=False)
    pytest.skip(f"{reason}: skipping the PostgreSQL half of the storage tests")


class PostgresServer:
    """Creates uniquely named databases (migrated to head) and drops them all at the end."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy import create_engine

        self.admin_url = admin_url
        self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self._created: list[str] = []

    def create_database(self, migrate: bool = True) -> str:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        from servanda.adapters.sqlalchemy.engine import make_engine
        from servanda.adapters.sqlalchemy.schema import upgrade_database

        name = f"servanda_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self._created.append(name)
        url = make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)
        if migrate:
            engine = make_engine(url)
            upgrade_database(engine)
            engine.dispose()
        return url

    def drop_all(self) -> None:
        from sqlalchemy import text

        with self._admin.connect() as connection:
            for name in self._created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(_admin_url())
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """One migrated database for the whole session; tests empty it before use."""
    return postgres_server.create_database()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    from servanda.adapters.sqlalchemy.engine import make_engine
    from servanda.adapters.sqlalchemy.schema import upgrade_database

    path = tmp_path_factory.mktemp("template") / "servanda.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


def empty_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {_all_tables()} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database: a fresh SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "servanda.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    empty_postgres(url)
    return url


@pytest.fixture
def fresh_postgres(postgres_server: PostgresServer) -> Callable[[], str]:
    """Makes brand-new migrated PostgreSQL databases (for multi-process tests)."""
    return postgres_server.create_database
