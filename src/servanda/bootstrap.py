"""The composition root: settings -> engine -> unit of work -> services.

Only this module knows the concrete adapters: the CLI, the API and the demo get
everything they use from the one ``Storage`` that ``connect`` returns (the unit
of work, the evaluator, the token and webhook stores, the clock and metrics
queries, the report sources, the wall clock and a health probe) and never import
``servanda.adapters`` themselves. Nothing is built at import time.
A SQLite database is created and migrated on first use; a PostgreSQL database
must be migrated explicitly (``servanda db upgrade``), so several processes
never race to change a shared schema.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from servanda.config import Settings
from servanda.domain.errors import ServandaError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from servanda.domain.agreements import Definitions
    from servanda.services.auth import TokenStore
    from servanda.services.evaluation import Evaluator
    from servanda.services.metrics import MetricsQuery
    from servanda.services.ports import ClockFold, DefinitionsCodec, UnitOfWorkFactory
    from servanda.services.queries import ClockQuery
    from servanda.services.reports import ReportSources
    from servanda.services.vocabulary import ValueChecker
    from servanda.services.webhooks import WebhookSender, WebhookStore


class SchemaOutOfDateError(ServandaError):
    """The database schema is older than this Servanda: run ``servanda db upgrade``."""

    code = "schema_out_of_date"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (e.g. a ``--database-url`` flag) winning."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]


def system_clock() -> Callable[[], int]:
    """The wall clock: epoch seconds now. The only way an entry point learns the time."""
    from servanda.adapters.system_clock import SystemClock

    return SystemClock().now


@dataclass(frozen=True, slots=True)
class Storage:
    """Everything the entry points use, wired for one database."""

    settings: Settings
    engine: Engine
    uow_factory: UnitOfWorkFactory
    evaluator: Evaluator
    values: ValueChecker
    """Checks imported values against the definitions (per process: it remembers revisions)."""
    tokens: TokenStore
    webhooks: WebhookStore
    clocks: ClockQuery
    """Clock lists for the API and the CLI (filtering, paging, at-risk)."""
    metrics: MetricsQuery
    reports: ReportSources
    """What the report use cases read: revisions, aggregates in SQL, closed periods."""
    now: Callable[[], int]
    """The wall clock (epoch seconds); a test or ``--now`` passes its own instant instead."""

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        """``with connect(...) as storage:`` releases the database's connections on the way out."""
        self.dispose()

    def health(self) -> None:
        """Raise if the database cannot answer a trivial query (the ``/healthz`` probe)."""
        from servanda.adapters.sqlalchemy.engine import ping

        ping(self.engine)

    def webhook_sender(self, timeout_seconds: float = 5.0) -> AbstractContextManager[WebhookSender]:
        """A sender of signed webhooks over HTTP; close it (or use ``with``) when done."""
        from servanda.adapters.webhooks import HttpxWebhookSender

        return HttpxWebhookSender(timeout_seconds)

    def refresh_statistics(self) -> None:
        """After bulk loads: let the database's planner see the new table sizes."""
        from servanda.adapters.sqlalchemy.schema import refresh_statistics

        refresh_statistics(self.engine)


def fold_for(definitions: Definitions) -> ClockFold:
    """The clock engine of one definitions set (calendars materialised once)."""
    from servanda.domain.calendar.arithmetic import build_calendars
    from servanda.domain.clock.engine import ClockEngine

    return ClockEngine(definitions, build_calendars(definitions.calendars))


def value_checker() -> ValueChecker:
    """The checker of unknown values, knowing the statuses the shipped state maps produce."""
    from servanda.adapters.importers.state_maps import load_state_map
    from servanda.services.vocabulary import ValueChecker

    return ValueChecker(load_state_map().statuses.values())


def definitions_codec() -> DefinitionsCodec:
    from servanda.specs import snapshot

    return snapshot.CODEC


def connect(settings: Settings, *, migrate: bool = False) -> Storage:
    """Storage for ``settings.database_url``; the schema is checked (SQLite: migrated) first."""
    from servanda.adapters.sqlalchemy.clock_queries import SqlAlchemyClockQuery
    from servanda.adapters.sqlalchemy.engine import is_sqlite, make_engine, normalise_url
    from servanda.adapters.sqlalchemy.metrics_queries import SqlAlchemyMetricsQuery
    from servanda.adapters.sqlalchemy.reports import SqlAlchemyReportReadModel
    from servanda.adapters.sqlalchemy.schema import is_up_to_date, upgrade_database
    from servanda.adapters.sqlalchemy.tokens import SqlAlchemyTokenStore
    from servanda.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
    from servanda.adapters.sqlalchemy.webhook_store import SqlAlchemyWebhookStore
    from servanda.services.closing import StoredClosedPeriods
    from servanda.services.evaluation import Evaluator
    from servanda.services.reports import ReportSources

    url = normalise_url(settings.database_url)
    engine = make_engine(url)
    if migrate or is_sqlite(url):
        upgrade_database(engine)
    elif not is_up_to_date(engine):
        engine.dispose()
        raise SchemaOutOfDateError(
            "the database schema is not up to date: run `servanda db upgrade` first"
        )
    codec = definitions_codec()

    def uow_factory() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(engine, codec)

    return Storage(
        settings=settings,
        engine=engine,
        uow_factory=uow_factory,
        evaluator=Evaluator(
            fold_for,
            reader=lambda: SqlAlchemyUnitOfWork(engine, codec, read_only=True),
            prefolds=is_sqlite(url),
        ),
        values=value_checker(),
        tokens=SqlAlchemyTokenStore(engine),
        webhooks=SqlAlchemyWebhookStore(engine),
        clocks=SqlAlchemyClockQuery(engine),
        metrics=SqlAlchemyMetricsQuery(engine),
        reports=ReportSources(
            uow_factory,
            SqlAlchemyReportReadModel(engine),
            closed=StoredClosedPeriods(uow_factory),
        ),
        now=system_clock(),
    )


def upgrade(settings: Settings) -> tuple[str | None, str | None]:
    """Migrate the database to the newest schema; the revisions before and after."""
    from servanda.adapters.sqlalchemy.engine import make_engine
    from servanda.adapters.sqlalchemy.schema import current_revision, upgrade_database

    engine = make_engine(settings.database_url)
    try:
        before = current_revision(engine)
        upgrade_database(engine)
        return before, current_revision(engine)
    finally:
        engine.dispose()


def memory_storage() -> tuple[UnitOfWorkFactory, Evaluator]:
    """In-memory storage (tests, replay): a fresh store and its evaluator."""
    from servanda.adapters.memory import InMemoryStore
    from servanda.services.evaluation import Evaluator

    store = InMemoryStore()
    return store.unit_of_work, Evaluator(fold_for)
