"""SQLAlchemy Core repositories over one connection (the unit of work's transaction).

Bulk rules: rows go in with executemany (SQLAlchemy's insertmanyvalues batches
them into multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING``), ``IN``
lists are chunked under both databases' parameter limits, and ticket rows are
locked in id order (``ON CONFLICT DO UPDATE`` takes the row lock on PostgreSQL;
on SQLite the whole transaction already holds the write lock).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import orjson
from sqlalchemy import Connection, Table, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite

from servanda.adapters.sqlalchemy import codec
from servanda.adapters.sqlalchemy.bulk import bulk_writer, pins
from servanda.adapters.sqlalchemy.tables import (
    events,
    measurements,
    revisions,
    tickets,
)
from servanda.domain.agreements import Definitions, Metric
from servanda.domain.clock.measurement import ClockState
from servanda.domain.errors import NotFoundError
from servanda.domain.events import EventType, TicketEvent
from servanda.services.ports import (
    DefinitionsCodec,
    Identity,
    RevisionSummary,
    StoredMeasurement,
    TicketPin,
    TicketRecord,
    TicketState,
)

CHUNK = 1000
T = TypeVar("T")


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def upsert(connection: Connection, table: Table) -> Any:  # noqa: ANN401 - dialect insert
    """The dialect's ``INSERT`` with ``on_conflict_*`` (PostgreSQL and SQLite spell it alike)."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


class SqlAlchemyRevisionRepository:
    """Revisions; ``history`` is read once per transaction (a batch's value check and its
    re-fold both need it): revisions are append-only, ``add`` and the end of the transaction
    forget it."""

    def __init__(self, connection: Connection, codec: DefinitionsCodec) -> None:
        self._connection = connection
        self._codec = codec
        self._history: list[RevisionSummary] | None = None

    def forget(self) -> None:
        """The transaction ended: read the history again when next asked."""
        self._history = None

    def add(
        self,
        definitions: Definitions,
        *,
        content_hash: str,
        effective_from: int,
        applied_at: int,
        comment: str,
        sources: dict[str, str],
    ) -> RevisionSummary:
        self._history = None
        # Numbered without gaps (max + 1, not a sequence, which a rolled-back apply would
        # advance): revision numbers are what people quote. Applies are serialised by
        # ``TicketRepository.lock_all`` (and by SQLite's single writer).
        next_id = select(func.coalesce(func.max(revisions.c.id), 0) + 1).scalar_subquery()
        inserted = self._connection.execute(
            revisions.insert()
            .values(
                id=next_id,
                content_hash=content_hash,
                effective_from=effective_from,
                applied_at=applied_at,
                comment=comment,
                snapshot=self._codec.dumps(definitions).decode(),
                sources=orjson.dumps(sources, option=orjson.OPT_SORT_KEYS).decode(),
            )
            .returning(revisions.c.id)
        ).scalar_one()
        return RevisionSummary(int(inserted), content_hash, effective_from, applied_at, comment)

    def latest(self) -> RevisionSummary | None:
        row = self._connection.execute(
            self._summaries().order_by(revisions.c.id.desc()).limit(1)
        ).first()
        return None if row is None else RevisionSummary(*row)

    def history(self) -> list[RevisionSummary]:
        if self._history is None:
            rows = self._connection.execute(self._summaries().order_by(revisions.c.id))
            self._history = [RevisionSummary(*row) for row in rows]
        return list(self._history)

    def get(self, revision_id: int) -> RevisionSummary:
        row = self._connection.execute(
            self._summaries().where(revisions.c.id == revision_id)
        ).first()
        if row is None:
            raise NotFoundError(f"there is no definitions revision {revision_id}")
        return RevisionSummary(*row)

    def definitions(self, revision_id: int) -> Definitions:
        snapshot = self._connection.execute(
            select(revisions.c.snapshot).where(revisions.c.id == revision_id)
        ).scalar_one_or_none()
        if snapshot is None:
            raise NotFoundError(f"there is no definitions revision {revision_id}")
        return self._codec.loads(snapshot)

    @staticmethod
    def _summaries() -> Any:  # noqa: ANN401 - a Select of five columns
        c = revisions.c
        return select(c.id, c.content_hash, c.effective_from, c.applied_at, c.comment)


class SqlAlchemyEventRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add_new(self, batch: Sequence[TicketEvent]) -> set[Identity]:
        if not batch:
            return set()
        kinds = _EVENT_TYPES
        rows = [(e.source, e.id, e.ticket, kinds[e.type], e.at, codec.dumps(e)) for e in batch]
        return bulk_writer(self._connection).insert_new_events(rows)

    def existing(self, identities: Collection[Identity]) -> dict[Identity, TicketEvent]:
        rows = bulk_writer(self._connection).select_events(identities)
        return {
            (source, event_id): codec.event_from_json(content) for source, event_id, content in rows
        }

    def for_tickets(self, ticket_ids: Collection[str]) -> dict[str, list[TicketEvent]]:
        found: dict[str, list[TicketEvent]] = {}
        if not ticket_ids:
            return found  # every history was at hand: no round trip
        rows = bulk_writer(self._connection).select_by_ticket(
            "events", ("ticket_id", "content"), ticket_ids
        )
        decode = codec.event_from_json
        for ticket_id, content in rows:
            found.setdefault(ticket_id, []).append(decode(content))
        return found

    def count(self) -> int:
        return int(self._connection.execute(select(func.count()).select_from(events)).scalar_one())


class SqlAlchemyTicketRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def lock(self, ticket_ids: Collection[str]) -> dict[str, TicketPin]:
        return bulk_writer(self._connection).lock_tickets(sorted(ticket_ids))

    def existing(self, ticket_ids: Collection[str]) -> set[str]:
        return bulk_writer(self._connection).existing_tickets(ticket_ids)

    def pins(self, ticket_ids: Collection[str]) -> dict[str, TicketPin]:
        found: dict[str, TicketPin] = {}
        for chunk in chunked(sorted(set(ticket_ids))):
            found.update(
                pins(self._connection.execute(select(*_PIN).where(tickets.c.id.in_(chunk))))
            )
        return found

    def claim_due(self, now: int, limit: int) -> dict[str, TicketPin]:
        query = (
            select(*_PIN)
            .where(tickets.c.next_due_at <= now)
            .order_by(tickets.c.next_due_at, tickets.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return pins(self._connection.execute(query))

    def created_between(self, start: int, end: int | None) -> dict[str, TicketPin]:
        query = select(*_PIN).where(tickets.c.created_at >= start).order_by(tickets.c.id)
        if end is not None:
            query = query.where(tickets.c.created_at < end)
        return pins(self._connection.execute(query))

    def lock_all(self) -> None:
        if self._connection.dialect.name == "postgresql":
            # Readers go on; writers of tickets (ingestion, sweeps) wait for this transaction.
            self._connection.exec_driver_sql("LOCK TABLE tickets IN EXCLUSIVE MODE")
        # SQLite: the unit of work's transaction already holds the database's write lock.

    def save(self, states: Sequence[TicketState]) -> None:
        rows = [_ticket_row(state) for state in states]
        bulk_writer(self._connection).upsert("tickets", _TICKET_COLUMNS, rows)

    def page(
        self, *, measured: bool | None, customer: str | None, limit: int | None, offset: int
    ) -> list[tuple[TicketState, int]]:
        """One statement: the measurement primary key (ticket_id, key) answers each ticket's
        count and existence by index."""
        m = measurements.c
        clocks = (
            select(func.count()).where(m.ticket_id == tickets.c.id).scalar_subquery().label("n")
        )
        has_clock = exists().where(m.ticket_id == tickets.c.id)
        query = select(*(tickets.c[name] for name in _TICKET_COLUMNS), clocks).where(
            tickets.c.event_count > 0
        )
        if customer is not None:
            query = query.where(tickets.c.customer == customer)
        if measured is not None:
            query = query.where(has_clock if measured else ~has_clock)
        query = query.order_by(tickets.c.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return [
            (_ticket_state(dict(zip(_TICKET_COLUMNS, row[:-1], strict=True))), int(row[-1]))
            for row in self._connection.execute(query)
        ]

    def view(self, ticket_id: str) -> TicketRecord | None:
        tickets_rows, measurement_rows, event_rows, transition_rows = bulk_writer(
            self._connection
        ).read_ticket(ticket_id, _VIEW_QUERIES)
        if not tickets_rows:
            return None
        return TicketRecord(
            _ticket_state(dict(zip(_TICKET_COLUMNS, tickets_rows[0], strict=True))),
            [
                StoredMeasurement(key, revision_id, codec.measurement_from_json(payload))
                for key, revision_id, payload in measurement_rows
            ],
            [codec.event_from_json(content) for (content,) in event_rows],
            [codec.transition_from_row(row) for row in transition_rows],
        )

    def get(self, ticket_id: str) -> TicketState:
        row = (
            self._connection.execute(select(tickets).where(tickets.c.id == ticket_id))
            .mappings()
            .first()
        )
        if row is None:
            raise NotFoundError(f"there is no ticket {ticket_id!r}")
        return _ticket_state(dict(row))


_PIN = (
    tickets.c.id,
    tickets.c.event_count,
    tickets.c.revision_id,
    tickets.c.created_at,
    tickets.c.evaluated_at,
)
_TICKET_COLUMNS = (
    "id",
    "revision_id",
    "created_at",
    "customer",
    "service",
    "priority",
    "status",
    "attributes",
    "last_event_at",
    "event_count",
    "evaluated_at",
    "next_due_at",
)


_VIEW_QUERIES = (
    f"SELECT {','.join(_TICKET_COLUMNS)} FROM tickets WHERE id = ?",
    "SELECT key, revision_id, payload FROM measurements WHERE ticket_id = ? ORDER BY key",
    "SELECT content FROM events WHERE ticket_id = ?",
    f"SELECT {','.join(codec.TRANSITION_COLUMNS)} FROM transitions WHERE ticket_id = ? "
    "ORDER BY at, id",
)


def _ticket_state(values: dict[str, Any]) -> TicketState:
    values["attributes"] = tuple(
        (key, value) for key, value in orjson.loads(values["attributes"]).items()
    )
    return TicketState(**values)


def _ticket_row(state: TicketState) -> tuple[object, ...]:
    return (
        state.id,
        state.revision_id,
        state.created_at,
        state.customer,
        state.service,
        state.priority,
        state.status,
        orjson.dumps(dict(state.attributes)).decode(),
        state.last_event_at,
        state.event_count,
        state.evaluated_at,
        state.next_due_at,
    )


class SqlAlchemyMeasurementRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def replace(
        self,
        ticket_ids: Collection[str],
        stored: Sequence[StoredMeasurement],
        scopes: Mapping[str, tuple[str | None, str | None]],
    ) -> None:
        """Each row also carries its ticket's customer and service (``scopes``), which
        compliance reports group by."""
        writer = bulk_writer(self._connection)
        writer.delete_by_ticket("measurements", ticket_ids)
        writer.insert(
            "measurements", _MEASUREMENT_COLUMNS, [_measurement_row(s, scopes) for s in stored]
        )

    def for_ticket(self, ticket_id: str) -> list[StoredMeasurement]:
        rows = self._connection.execute(
            select(measurements.c.key, measurements.c.revision_id, measurements.c.payload)
            .where(measurements.c.ticket_id == ticket_id)
            .order_by(measurements.c.key)
        )
        return [
            StoredMeasurement(key, revision_id, codec.measurement_from_json(payload))
            for key, revision_id, payload in rows
        ]

    def for_tickets(self, ticket_ids: Collection[str]) -> dict[str, list[StoredMeasurement]]:
        found: dict[str, list[StoredMeasurement]] = {}
        rows = bulk_writer(self._connection).select_by_ticket(
            "measurements", ("ticket_id", "key", "revision_id", "payload"), ticket_ids
        )
        decode = codec.measurement_from_json
        for ticket_id, key, revision_id, payload in rows:
            found.setdefault(ticket_id, []).append(
                StoredMeasurement(key, revision_id, decode(payload))
            )
        for stored in found.values():
            stored.sort(key=lambda s: s.key)
        return found

    def count_by_state(self) -> dict[str, int]:
        rows = self._connection.execute(
            select(measurements.c.state, func.count()).group_by(measurements.c.state)
        )
        return {state: int(count) for state, count in rows}


_MEASUREMENT_COLUMNS = (
    "ticket_id",
    "key",
    "agreement",
    "objective_key",
    "metric",
    "cycle",
    "state",
    "target_seconds",
    "elapsed_seconds",
    "started_at",
    "deadline_at",
    "stopped_at",
    "breached_at",
    "concluded_at",
    "next_due_at",
    "revision_id",
    "evaluated_at",
    "payload",
    "customer",
    "service",
)
_EVENT_TYPES = {kind: kind.value for kind in EventType}
_METRICS = {metric: metric.value for metric in Metric}
_STATES = {state: state.value for state in ClockState}


def _measurement_row(
    stored: StoredMeasurement, scopes: Mapping[str, tuple[str | None, str | None]]
) -> tuple[object, ...]:
    m = stored.measurement
    return (
        m.ticket,
        stored.key,
        m.agreement,
        m.objective_key,
        _METRICS[m.metric],
        m.cycle,
        _STATES[m.state],
        m.target_seconds,
        m.elapsed_seconds,
        m.started_at,
        m.deadline,
        m.stopped_at,
        m.breached_at,
        m.concluded_at,
        m.next_due_at,
        stored.revision_id,
        m.evaluated_at,
        codec.dumps(m),
        *scopes.get(m.ticket, (None, None)),
    )
