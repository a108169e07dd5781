"""Tables of the HTTP API: API tokens, webhook subscriptions and webhook deliveries.

They join the storage schema's ``metadata`` (migration ``0002``). Instants are
integer epoch seconds (UTC), as everywhere. A token row keeps only the SHA-256
digest of the secret. A delivery row is one transition for one subscription:
unique per ``(subscription_id, transition_id)``, so fanning out twice is a no-op.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from servanda.adapters.sqlalchemy.tables import Identity, metadata

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Identity, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("customer", String(200), nullable=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
)

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", Identity, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("kinds", String(100), nullable=False),  # comma-separated TransitionKind values
    Column("secret", Text, nullable=False),  # needed in clear to sign; never shown back
    Column("customer", String(200), nullable=True),  # only this customer's tickets; NULL: all
    Column("created_at", BigInteger, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Identity, primary_key=True, autoincrement=True),
    Column("subscription_id", Identity, ForeignKey("webhook_subscriptions.id"), nullable=False),
    # No foreign key: the outbox may withdraw an undelivered transition concurrently;
    # a delivery whose transition is gone is simply never sent.
    Column("transition_id", Identity, nullable=False),
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("last_attempt_at", BigInteger, nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=False, default=""),
    Column("delivered_at", BigInteger, nullable=True),
    UniqueConstraint("subscription_id", "transition_id"),
    Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
)
