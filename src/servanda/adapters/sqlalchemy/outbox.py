"""The transitions table as the notification outbox: reconciled per ticket, delivered once.

Rule: after a re-fold the undelivered transitions of a ticket equal what its
measurements imply (added, updated in place, or withdrawn); a delivered one
(``delivered_at`` set) is history and never changes. The caller holds the
tickets' locks, so new rows cannot conflict with a concurrent insert.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Connection, bindparam, delete, func, select, update

from servanda.adapters.sqlalchemy.bulk import bulk_writer
from servanda.adapters.sqlalchemy.codec import TRANSITION_COLUMNS, transition_from_row
from servanda.adapters.sqlalchemy.repositories import chunked
from servanda.adapters.sqlalchemy.tables import transitions
from servanda.services.ports import Transition

_MUTABLE = ("objective_key", "metric", "at", "revision_id")
_TRANSITION_INSERT = (
    "ticket_id",
    "measurement_key",
    "kind",
    "threshold",
    *_MUTABLE,
    "recorded_at",
    "delivery_attempts",
)
_TRANSITION_COLUMNS = tuple(transitions.c[name] for name in TRANSITION_COLUMNS)


def _mutable(t: Transition) -> dict[str, object]:
    return {
        "objective_key": t.objective_key,
        "metric": t.metric,
        "at": t.at,
        "revision_id": t.revision_id,
    }


class SqlAlchemyTransitionRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def reconcile(
        self, ticket_ids: Collection[str], current: Sequence[Transition], recorded_at: int
    ) -> list[Transition]:
        wanted = {t.identity: t for t in current}
        stored = self._stored(ticket_ids)
        stale = [
            row_id
            for identity, (row_id, delivered, _) in stored.items()
            if identity not in wanted and not delivered
        ]
        for chunk in chunked(stale):
            # Re-checked under the row lock: a row delivered meanwhile (the webhook fan-out
            # stamps ``delivered_at``) is history and stays.
            self._connection.execute(
                delete(transitions).where(
                    transitions.c.id.in_(chunk), transitions.c.delivered_at.is_(None)
                )
            )
        changed = [
            {"row_id": stored[identity][0], **{f"new_{k}": v for k, v in _mutable(t).items()}}
            for identity, t in wanted.items()
            if identity in stored and not stored[identity][1] and stored[identity][2] != t
        ]
        if changed:
            c = transitions.c
            self._connection.execute(
                update(transitions)
                .where(c.id == bindparam("row_id"), c.delivered_at.is_(None))
                .values({name: bindparam(f"new_{name}") for name in _MUTABLE}),
                changed,
            )
        return self._insert(
            [t for identity, t in wanted.items() if identity not in stored], recorded_at
        )

    def _stored(
        self, ticket_ids: Collection[str]
    ) -> dict[tuple[str, str, str, str], tuple[int, bool, Transition]]:
        found: dict[tuple[str, str, str, str], tuple[int, bool, Transition]] = {}
        columns = ("id", "delivered_at", *(c.name for c in _TRANSITION_COLUMNS))
        rows = bulk_writer(self._connection).select_by_ticket("transitions", columns, ticket_ids)
        for row_id, delivered_at, *values in rows:
            transition = transition_from_row(values)
            found[transition.identity] = (row_id, delivered_at is not None, transition)
        return found

    def _insert(self, new: Sequence[Transition], recorded_at: int) -> list[Transition]:
        """Insert transitions known to be absent (the caller holds the tickets' locks)."""
        rows = [
            (
                t.ticket,
                t.measurement_key,
                t.kind.value,
                t.threshold,
                t.objective_key,
                t.metric,
                t.at,
                t.revision_id,
                recorded_at,
                0,
            )
            for t in new
        ]
        bulk_writer(self._connection).insert("transitions", _TRANSITION_INSERT, rows)
        return list(new)

    def mark_delivered(self, identities: Collection[tuple[str, str, str, str]], at: int) -> None:
        c = transitions.c
        for ticket, key, kind, threshold in identities:
            self._connection.execute(
                update(transitions)
                .where(
                    c.ticket_id == ticket,
                    c.measurement_key == key,
                    c.kind == kind,
                    c.threshold == threshold,
                )
                .values(delivered_at=at)
            )

    def for_ticket(self, ticket_id: str) -> list[Transition]:
        c = transitions.c
        rows = self._connection.execute(
            select(*_TRANSITION_COLUMNS).where(c.ticket_id == ticket_id).order_by(c.at, c.id)
        )
        return [transition_from_row(row) for row in rows]

    def count(self) -> int:
        return int(
            self._connection.execute(select(func.count()).select_from(transitions)).scalar_one()
        )
