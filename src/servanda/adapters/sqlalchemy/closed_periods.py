"""Closed periods in the database (``closed_periods``), over the unit of work's connection.

Money and booked adjustments are canonical JSON of decimal strings.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select, update

from servanda.adapters.sqlalchemy.tables import closed_periods
from servanda.domain.errors import NotFoundError
from servanda.services.closed_periods import ClosedPeriod

c = closed_periods.c
_SUMMARY = [col for col in closed_periods.c if col.name != "snapshot"]


class SqlAlchemyClosedPeriodRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, closed: ClosedPeriod, snapshot: str) -> ClosedPeriod:
        new_id = self._connection.execute(
            insert(closed_periods)
            .values(
                customer=closed.customer,
                period=closed.period,
                start_at=closed.start,
                end_at=closed.end,
                closed_at=closed.closed_at,
                closed_by=closed.closed_by,
                reason=closed.reason,
                revision_ceiling=closed.revision_ceiling,
                content_hash=closed.content_hash,
                net_credits=_dump({k: str(v) for k, v in closed.net_credits}),
                booked=_dump([[p, k, str(v)] for p, k, v in closed.booked]),
                snapshot=snapshot,
                reopen_reason="",
            )
            .returning(c.id)
        ).scalar_one()
        return self._get(int(new_id))

    def in_force(self, customer: str | None = None) -> list[ClosedPeriod]:
        query = select(*_SUMMARY).where(c.reopened_at.is_(None))
        if customer is not None:
            query = query.where(c.customer == customer)
        rows = self._connection.execute(query.order_by(c.customer, c.start_at, c.id))
        return [_closed(row) for row in rows.mappings()]

    def history(self, customer: str | None = None) -> list[ClosedPeriod]:
        query = select(*_SUMMARY)
        if customer is not None:
            query = query.where(c.customer == customer)
        rows = self._connection.execute(query.order_by(c.closed_at, c.id))
        return [_closed(row) for row in rows.mappings()]

    def snapshot(self, closed_id: int) -> str:
        found = self._connection.execute(
            select(c.snapshot).where(c.id == closed_id)
        ).scalar_one_or_none()
        if found is None:
            raise NotFoundError(f"there is no closed period {closed_id}")
        return str(found)

    def reopen(self, closed_id: int, at: int, by: str, reason: str) -> ClosedPeriod:
        self._connection.execute(
            update(closed_periods)
            .where(c.id == closed_id, c.reopened_at.is_(None))
            .values(reopened_at=at, reopened_by=by, reopen_reason=reason)
        )
        return self._get(closed_id)

    def _get(self, closed_id: int) -> ClosedPeriod:
        row = (
            self._connection.execute(select(*_SUMMARY).where(c.id == closed_id)).mappings().first()
        )
        if row is None:
            raise NotFoundError(f"there is no closed period {closed_id}")
        return _closed(row)


def _dump(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _closed(row: Any) -> ClosedPeriod:  # noqa: ANN401 - a result mapping
    net = json.loads(row["net_credits"])
    booked = json.loads(row["booked"])
    return ClosedPeriod(
        customer=row["customer"],
        period=row["period"],
        start=int(row["start_at"]),
        end=int(row["end_at"]),
        closed_at=int(row["closed_at"]),
        closed_by=row["closed_by"],
        reason=row["reason"],
        revision_ceiling=int(row["revision_ceiling"]),
        content_hash=row["content_hash"],
        net_credits=tuple(sorted((k, Decimal(v)) for k, v in net.items())),
        booked=tuple((p, k, Decimal(v)) for p, k, v in booked),
        id=int(row["id"]),
        reopened_at=None if row["reopened_at"] is None else int(row["reopened_at"]),
        reopened_by=row["reopened_by"],
        reopen_reason=row["reopen_reason"],
    )
