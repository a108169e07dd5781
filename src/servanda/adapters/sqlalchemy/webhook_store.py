"""Webhook subscriptions and the delivery log in the database; fan-out and claims in SQL.

Fan-out takes recorded transitions whose ``delivered_at`` is NULL (here:
"not yet handed to the webhook outbox"), locks them (``SKIP LOCKED`` on
PostgreSQL), inserts one delivery per matching subscription with
``ON CONFLICT DO NOTHING`` and stamps ``delivered_at``. A claim leases due
pending deliveries by pushing their ``next_attempt_at`` past the lease, in the
same transaction that selected them, so two workers never hold the same one.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from servanda.adapters.sqlalchemy.access_tables import webhook_deliveries, webhook_subscriptions
from servanda.adapters.sqlalchemy.audit_log import add_entry
from servanda.adapters.sqlalchemy.repositories import chunked, upsert
from servanda.adapters.sqlalchemy.tables import tickets, transitions
from servanda.domain.errors import NotFoundError
from servanda.services.audit import AuditFor
from servanda.services.ports import TransitionKind
from servanda.services.webhooks import (
    EVENT_NAMES,
    DeliveryRecord,
    DeliveryStatus,
    OutgoingDelivery,
    SendResult,
    Subscription,
)

s = webhook_subscriptions.c
d = webhook_deliveries.c
tr = transitions.c


def _subscription(row: Any) -> Subscription:  # noqa: ANN401 - a Row of webhook_subscriptions
    kinds = frozenset(TransitionKind(k) for k in row.kinds.split(",") if k)
    return Subscription(
        int(row.id), row.url, kinds, row.customer, int(row.created_at), bool(row.active)
    )


class SqlAlchemyWebhookStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add_subscription(
        self,
        *,
        url: str,
        kinds: Collection[TransitionKind],
        secret: str,
        customer: str | None,
        now: int,
        audit: AuditFor[Subscription] | None = None,
    ) -> Subscription:
        values = {
            "url": url,
            "kinds": ",".join(sorted(k.value for k in kinds)),
            "secret": secret,
            "customer": customer,
            "created_at": now,
            "active": True,
        }
        with self._engine.begin() as connection:
            row = connection.execute(
                webhook_subscriptions.insert().values(**values).returning(webhook_subscriptions)
            ).one()
            created = _subscription(row)
            if audit is not None:
                add_entry(connection, audit(created))
        return created

    def subscriptions(self) -> list[Subscription]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(webhook_subscriptions).order_by(s.id)).all()
        return [_subscription(row) for row in rows]

    def deactivate(
        self, subscription_id: int, audit: AuditFor[Subscription] | None = None
    ) -> Subscription:
        with self._engine.begin() as connection:
            stopped = connection.execute(
                update(webhook_subscriptions)
                .where(s.id == subscription_id, s.active)
                .values(active=False)
            ).rowcount
            row = connection.execute(
                select(webhook_subscriptions).where(s.id == subscription_id)
            ).first()
            if row is None:
                raise NotFoundError(f"there is no webhook subscription {subscription_id}")
            found = _subscription(row)
            if stopped and audit is not None:
                add_entry(connection, audit(found))
        return found

    def fan_out(self, now: int, limit: int) -> int:
        with self._engine.begin() as connection:
            due = connection.execute(
                select(tr.id, tr.kind, tr.recorded_at, tickets.c.customer)
                .select_from(transitions.outerjoin(tickets, tickets.c.id == tr.ticket_id))
                .where(tr.delivered_at.is_(None))
                .order_by(tr.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=transitions)
            ).all()
            if not due:
                return 0
            active = [
                _subscription(row)
                for row in connection.execute(select(webhook_subscriptions).where(s.active))
            ]
            rows = [
                {
                    "subscription_id": sub.id,
                    "transition_id": t.id,
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                    "last_error": "",
                }
                for t in due
                for sub in active
                if TransitionKind(t.kind) in sub.kinds
                and t.recorded_at >= sub.created_at
                and (sub.customer is None or sub.customer == t.customer)
            ]
            if rows:
                connection.execute(
                    upsert(connection, webhook_deliveries).on_conflict_do_nothing(
                        index_elements=["subscription_id", "transition_id"]
                    ),
                    rows,
                )
            for chunk in chunked([t.id for t in due]):
                connection.execute(
                    update(transitions).where(tr.id.in_(chunk)).values(delivered_at=now)
                )
        return len(due)

    def claim(self, now: int, limit: int, lease_seconds: int) -> list[OutgoingDelivery]:
        with self._engine.begin() as connection:
            ids = list(
                connection.execute(
                    select(d.id)
                    .where(d.status == DeliveryStatus.PENDING.value, d.next_attempt_at <= now)
                    .order_by(d.next_attempt_at, d.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                ).scalars()
            )
            if not ids:
                return []
            connection.execute(
                update(webhook_deliveries)
                .where(d.id.in_(ids))
                .values(next_attempt_at=now + lease_seconds)
            )
            return _outgoing(connection, ids)

    def finish(
        self,
        delivery_id: int,
        *,
        now: int,
        result: SendResult,
        status: DeliveryStatus,
        next_attempt_at: int,
    ) -> None:
        values: dict[str, object] = {
            "status": status.value,
            "attempts": d.attempts + 1,
            "last_attempt_at": now,
            "last_status_code": result.status_code,
            "last_error": result.error[:2000],
            "next_attempt_at": next_attempt_at,
        }
        if status is DeliveryStatus.DELIVERED:
            values["delivered_at"] = now
        with self._engine.begin() as connection:
            connection.execute(
                update(webhook_deliveries).where(d.id == delivery_id).values(**values)
            )

    def deliveries(
        self, *, limit: int, status: DeliveryStatus | None = None
    ) -> list[DeliveryRecord]:
        query = (
            select(webhook_deliveries, s.url, tr.kind, tr.ticket_id)
            .select_from(
                webhook_deliveries.join(webhook_subscriptions, s.id == d.subscription_id).join(
                    transitions, tr.id == d.transition_id
                )
            )
            .order_by(d.id.desc())
            .limit(limit)
        )
        if status is not None:
            query = query.where(d.status == status.value)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            DeliveryRecord(
                id=int(row.id),
                subscription_id=int(row.subscription_id),
                transition_id=int(row.transition_id),
                url=row.url,
                event=EVENT_NAMES[TransitionKind(row.kind)],
                ticket=row.ticket_id,
                status=DeliveryStatus(row.status),
                attempts=int(row.attempts),
                next_attempt_at=int(row.next_attempt_at),
                created_at=int(row.created_at),
                last_attempt_at=row.last_attempt_at,
                last_status_code=row.last_status_code,
                last_error=row.last_error,
                delivered_at=row.delivered_at,
            )
            for row in rows
        ]


def _outgoing(connection: Connection, ids: list[int]) -> list[OutgoingDelivery]:
    rows = connection.execute(
        select(
            d.id,
            s.url,
            s.secret,
            d.attempts,
            tr.id.label("transition_id"),
            tr.kind,
            tr.ticket_id,
            tickets.c.customer,
            tickets.c.service,
            tr.measurement_key,
            tr.objective_key,
            tr.metric,
            tr.threshold,
            tr.at,
            tr.recorded_at,
        )
        .select_from(
            webhook_deliveries.join(webhook_subscriptions, s.id == d.subscription_id)
            .join(transitions, tr.id == d.transition_id)
            .outerjoin(tickets, tickets.c.id == tr.ticket_id)
        )
        .where(d.id.in_(ids))
        .order_by(d.id)
    ).all()
    return [
        OutgoingDelivery(
            id=int(r.id),
            url=r.url,
            secret=r.secret,
            attempts=int(r.attempts),
            transition_id=int(r.transition_id),
            kind=TransitionKind(r.kind),
            ticket=r.ticket_id,
            customer=r.customer,
            service=r.service,
            measurement_key=r.measurement_key,
            objective_key=r.objective_key,
            metric=r.metric,
            threshold=r.threshold,
            at=int(r.at),
            recorded_at=int(r.recorded_at),
        )
        for r in rows
    ]
