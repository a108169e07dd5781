"""Outages and planned maintenance, stored once per ``(source, outage_id)``."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import orjson
from sqlalchemy import Connection, select

from servanda.adapters.sqlalchemy import codec
from servanda.adapters.sqlalchemy.repositories import chunked, upsert
from servanda.adapters.sqlalchemy.tables import outages
from servanda.domain.availability import Outage
from servanda.services.ports import Identity


class SqlAlchemyOutageRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add_new(self, batch: Sequence[Outage]) -> set[Identity]:
        if not batch:
            return set()
        rows = [
            {
                "source": o.source,
                "outage_id": o.id,
                "service": o.service,
                "customers": orjson.dumps(sorted(o.customers)).decode(),
                "start_at": o.start,
                "end_at": o.end,
                "impact": o.impact.value,
                "weight": str(o.weight),
                "planned": o.planned,
                "description": o.description,
                "content": codec.dumps(o),
            }
            for o in batch
        ]
        statement = (
            upsert(self._connection, outages)
            .on_conflict_do_nothing(index_elements=["source", "outage_id"])
            .returning(outages.c.source, outages.c.outage_id)
        )
        return {(source, oid) for source, oid in self._connection.execute(statement, rows)}

    def existing(self, identities: Collection[Identity]) -> dict[Identity, Outage]:
        found: dict[Identity, Outage] = {}
        for chunk in chunked(identities):
            wanted = set(chunk)
            rows = self._connection.execute(
                select(outages.c.source, outages.c.outage_id, outages.c.content).where(
                    outages.c.outage_id.in_([oid for _, oid in chunk])
                )
            )
            for source, oid, content in rows:
                if (source, oid) in wanted:
                    found[(source, oid)] = codec.outage_from_json(content)
        return found

    def overlapping(self, service: str, start: int, end: int) -> list[Outage]:
        rows = self._connection.execute(
            select(outages.c.content)
            .where(
                outages.c.service == service,
                outages.c.start_at < end,
                outages.c.end_at > start,
            )
            .order_by(outages.c.start_at, outages.c.id)
        )
        return [codec.outage_from_json(content) for (content,) in rows]
