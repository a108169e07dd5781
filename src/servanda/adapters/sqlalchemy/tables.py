"""The relational schema (SQLAlchemy Core tables); Alembic migrations mirror it.

Rules: every instant is an integer of epoch seconds (UTC) — SQLite has no
timestamptz and the fold works on integers anyway. JSON documents are stored as
canonical text (sorted keys, compact), so equal content compares equal in SQL.
Decimals travel as strings. Event log rows are never updated or deleted.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# Names constraints deterministically so migrations (and SQLite batch mode) can refer to them.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BigInteger primary keys autoincrement on PostgreSQL; SQLite only does so for INTEGER.
Identity = BigInteger().with_variant(Integer(), "sqlite")

revisions = Table(
    "revisions",
    metadata,
    Column("id", Identity, primary_key=True, autoincrement=True),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("effective_from", BigInteger, nullable=False),
    Column("applied_at", BigInteger, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("snapshot", Text, nullable=False),
    Column("sources", Text, nullable=False, default="{}"),
)

events = Table(
    "events",
    metadata,
    Column("seq", Identity, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("ticket_id", String(200), nullable=False),
    Column("type", String(32), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("content", Text, nullable=False),
    UniqueConstraint("source", "event_id"),
    Index("ix_events_ticket_id_at", "ticket_id", "at"),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("revision_id", Identity, nullable=True),  # SQLite only: a key (migration 0004)
    Column("created_at", BigInteger, nullable=True),
    Column("customer", String(200), nullable=True),
    Column("service", String(200), nullable=True),
    Column("priority", String(100), nullable=True),
    Column("status", String(100), nullable=True),
    Column("attributes", Text, nullable=False, default="{}"),
    Column("last_event_at", BigInteger, nullable=True),
    Column("event_count", Integer, nullable=False, default=0),
    Column("evaluated_at", BigInteger, nullable=True),
    # The earliest next_due_at of the ticket's measurements: what the sweeper claims by.
    Column("next_due_at", BigInteger, nullable=True, index=True),
)

measurements = Table(
    "measurements",
    metadata,
    Column("ticket_id", String(200), ForeignKey("tickets.id"), primary_key=True),
    Column("key", String(300), primary_key=True),
    Column("agreement", String(200), nullable=False),
    Column("objective_key", String(300), nullable=False),
    Column("metric", String(32), nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("state", String(32), nullable=False),
    Column("target_seconds", BigInteger, nullable=True),
    Column("elapsed_seconds", BigInteger, nullable=True),
    Column("started_at", BigInteger, nullable=True),
    Column("deadline_at", BigInteger, nullable=True),
    Column("stopped_at", BigInteger, nullable=True),
    Column("breached_at", BigInteger, nullable=True),
    # When the measurement counts in compliance (met: stop, breached: breach instant).
    Column("concluded_at", BigInteger, nullable=True),
    Column("next_due_at", BigInteger, nullable=True, index=True),
    Column("revision_id", Identity, nullable=True),  # SQLite only: a key (migration 0004)
    Column("evaluated_at", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),  # Measurement.to_dict() as canonical JSON
    # The ticket's customer and service as folded with this measurement (written together
    # with the ticket row), so compliance groups without a join: docs/reports.md "Speed".
    Column("customer", String(200), nullable=True),
    Column("service", String(200), nullable=True),
)
# Folded rows name their revision; only SQLite declares it a foreign key. On PostgreSQL every
# insert would lock the one current revision row and serialise concurrent batches on it
# (MultiXacts); revisions are append-only, so nothing is lost (migration 0004).
for _table in (tickets, measurements):
    ForeignKeyConstraint(
        [_table.c.revision_id],
        [revisions.c.id],
        name=f"fk_{_table.name}_revision_id_revisions",
        table=_table,
    ).ddl_if(dialect="sqlite")
# Covering indexes for compliance counts (migration 0003). SQLite skip-scans the leading
# group columns and seeks the concluded_at range per group, grouping in index order;
# PostgreSQL range-scans concluded_at index-only and hash-aggregates.
_REPORT_COLUMNS = ("target_seconds", "agreement")
Index(
    "ix_measurements_report",
    measurements.c.objective_key,
    measurements.c.metric,
    measurements.c.customer,
    measurements.c.service,
    measurements.c.state,
    measurements.c.concluded_at,
    *_REPORT_COLUMNS,
).ddl_if(dialect="sqlite")
Index(
    "ix_measurements_concluded",
    measurements.c.concluded_at,
    measurements.c.state,
    measurements.c.objective_key,
    measurements.c.metric,
    measurements.c.customer,
    measurements.c.service,
    *_REPORT_COLUMNS,
).ddl_if(dialect="postgresql")
# A customer's breach list (the breached tenth of the rows, by customer and conclusion).
Index(
    "ix_measurements_breached",
    measurements.c.customer,
    measurements.c.concluded_at,
    sqlite_where=measurements.c.state == "breached",
    postgresql_where=measurements.c.state == "breached",
)

transitions = Table(
    "transitions",
    metadata,
    Column("id", Identity, primary_key=True, autoincrement=True),
    Column("ticket_id", String(200), nullable=False),
    Column("measurement_key", String(300), nullable=False),
    Column("kind", String(16), nullable=False),
    # "" for met/breached: NULLs are never equal in a UNIQUE constraint, "" is.
    Column("threshold", String(32), nullable=False, default=""),
    Column("objective_key", String(300), nullable=False),
    Column("metric", String(32), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("recorded_at", BigInteger, nullable=False),
    Column("revision_id", Identity, nullable=True),
    # The notification outbox: the webhook deliverer sets these.
    Column("delivered_at", BigInteger, nullable=True),
    Column("delivery_attempts", Integer, nullable=False, default=0),
    UniqueConstraint("ticket_id", "measurement_key", "kind", "threshold"),
    Index("ix_transitions_delivered_at_id", "delivered_at", "id"),
)

outages = Table(
    "outages",
    metadata,
    Column("id", Identity, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("outage_id", String(200), nullable=False),
    Column("service", String(200), nullable=False),
    Column("customers", Text, nullable=False, default="[]"),  # JSON list; empty: all
    Column("start_at", BigInteger, nullable=False),
    Column("end_at", BigInteger, nullable=False),
    Column("impact", String(16), nullable=False),
    Column("weight", String(32), nullable=False),
    Column("planned", Boolean, nullable=False, default=False),
    Column("description", Text, nullable=False, default=""),
    Column("content", Text, nullable=False),
    UniqueConstraint("source", "outage_id"),
    Index("ix_outages_service_start_at", "service", "start_at"),
)

# Who did what, when and why (services.audit): one row per apply, re-measurement, period close
# or reopen, token and webhook change; written in the same transaction as the change itself.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Identity, primary_key=True, autoincrement=True),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("details", Text, nullable=False, default="{}"),  # canonical JSON object of text
    Index("ix_audit_log_at_id", "at", "id"),
)
# Which stored tickets a revision effective from a past instant would re-measure.
Index("ix_tickets_created_at", tickets.c.created_at)

# Closed periods (services.closing): a customer's period whose report inputs are frozen.
# At most one row per (customer, period) is in force (``reopened_at`` NULL); reopened rows
# stay as history.
closed_periods = Table(
    "closed_periods",
    metadata,
    Column("id", Identity, primary_key=True, autoincrement=True),
    Column("customer", String(200), nullable=False),
    Column("period", String(32), nullable=False),  # its label: 2026-03, 2026-Q1, ...
    Column("start_at", BigInteger, nullable=False),
    Column("end_at", BigInteger, nullable=False),
    Column("closed_at", BigInteger, nullable=False),
    Column("closed_by", String(200), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("revision_ceiling", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("net_credits", Text, nullable=False, default="{}"),  # {currency: amount} at close
    Column("booked", Text, nullable=False, default="{}"),  # adjustments it booked, by period
    Column("snapshot", Text, nullable=False),  # services.frozen_figures.Recording.to_json()
    Column("reopened_at", BigInteger, nullable=True),
    Column("reopened_by", String(200), nullable=True),
    Column("reopen_reason", Text, nullable=False, default=""),
    Index("ix_closed_periods_customer_period", "customer", "period"),
)
