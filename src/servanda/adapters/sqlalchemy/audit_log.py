"""The audit log table (``audit_log``) over a connection: append and read, never update.

``details`` is stored as canonical JSON (sorted keys) of text values.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, insert, select

from servanda.adapters.sqlalchemy.tables import audit_log
from servanda.services.audit import AuditAction, AuditEntry


class SqlAlchemyAuditLog:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, entry: AuditEntry) -> AuditEntry:
        return add_entry(self._connection, entry)

    def entries(
        self,
        *,
        action: AuditAction | None = None,
        since: int | None = None,
        subject: str | None = None,
        limit: int = 1000,
    ) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        if action is not None:
            query = query.where(audit_log.c.action == action.value)
        if since is not None:
            query = query.where(audit_log.c.at >= since)
        if subject is not None:
            query = query.where(audit_log.c.subject == subject)
        rows = self._connection.execute(query.limit(limit)).mappings().all()
        return [_entry(row) for row in reversed(rows)]


def add_entry(connection: Connection, entry: AuditEntry) -> AuditEntry:
    """Append ``entry`` in the connection's transaction (token and webhook stores use it too)."""
    details = orjson.dumps(dict(entry.details), option=orjson.OPT_SORT_KEYS).decode()
    new_id = connection.execute(
        insert(audit_log)
        .values(
            at=entry.at,
            actor=entry.actor,
            action=entry.action.value,
            subject=entry.subject,
            reason=entry.reason,
            details=details,
        )
        .returning(audit_log.c.id)
    ).scalar_one()
    return AuditEntry(
        entry.at, entry.actor, entry.action, entry.subject, entry.reason, entry.details, new_id
    )


def _entry(row: Any) -> AuditEntry:  # noqa: ANN401 - a result mapping
    details: dict[str, str] = orjson.loads(row["details"])
    return AuditEntry(
        int(row["at"]),
        row["actor"],
        AuditAction(row["action"]),
        row["subject"],
        row["reason"],
        tuple(sorted(details.items())),
        int(row["id"]),
    )
