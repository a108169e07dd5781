"""API tokens in the database (``api_tokens``): one short transaction per call.

Only the SHA-256 digest of a secret is stored; lookups go by the unique digest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select, update

from servanda.adapters.sqlalchemy.access_tables import api_tokens
from servanda.adapters.sqlalchemy.audit_log import add_entry
from servanda.domain.errors import NotFoundError
from servanda.services.audit import AuditFor
from servanda.services.auth import Role, TokenRecord

_COLUMNS = (
    api_tokens.c.id,
    api_tokens.c.name,
    api_tokens.c.role,
    api_tokens.c.customer,
    api_tokens.c.prefix,
    api_tokens.c.created_at,
    api_tokens.c.revoked_at,
)


def _record(row: Any) -> TokenRecord:  # noqa: ANN401 - a Row of _COLUMNS
    return TokenRecord(
        id=int(row[0]),
        name=row[1],
        role=Role(row[2]),
        customer=row[3],
        prefix=row[4],
        created_at=int(row[5]),
        revoked_at=None if row[6] is None else int(row[6]),
    )


class SqlAlchemyTokenStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self,
        *,
        name: str,
        role: Role,
        customer: str | None,
        digest: str,
        prefix: str,
        now: int,
        audit: AuditFor[TokenRecord] | None = None,
    ) -> TokenRecord:
        with self._engine.begin() as connection:
            row = connection.execute(
                api_tokens.insert()
                .values(
                    name=name,
                    role=role.value,
                    customer=customer,
                    digest=digest,
                    prefix=prefix,
                    created_at=now,
                )
                .returning(*_COLUMNS)
            ).one()
            record = _record(row)
            if audit is not None:
                add_entry(connection, audit(record))
        return record

    def find_active(self, digest: str) -> TokenRecord | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(*_COLUMNS).where(
                    api_tokens.c.digest == digest, api_tokens.c.revoked_at.is_(None)
                )
            ).first()
        return None if row is None else _record(row)

    def all(self) -> list[TokenRecord]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(*_COLUMNS).order_by(api_tokens.c.id)).all()
        return [_record(row) for row in rows]

    def revoke(
        self, token_id: int, now: int, audit: AuditFor[TokenRecord] | None = None
    ) -> TokenRecord:
        with self._engine.begin() as connection:
            revoked = connection.execute(
                update(api_tokens)
                .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount
            row = connection.execute(select(*_COLUMNS).where(api_tokens.c.id == token_id)).first()
            if row is None:
                raise NotFoundError(f"there is no token {token_id}")
            record = _record(row)
            if revoked and audit is not None:  # revoking twice changes nothing: no second entry
                add_entry(connection, audit(record))
        return record
