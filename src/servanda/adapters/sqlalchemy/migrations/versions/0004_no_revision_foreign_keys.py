"""PostgreSQL: tickets and measurements no longer declare a foreign key to ``revisions``.

Every ticket and measurement row names the revision it was folded with, and
all of them name the few current revisions. A foreign key makes each insert
take a ``FOR KEY SHARE`` lock on that parent row, so concurrent ingestion
transactions all lock the same one or two rows: PostgreSQL turns the shared
lockers into a MultiXact and rewrites the revision row's header (and WAL) on
each batch — a single hot row behind every API request. Revisions are never
deleted or renumbered (``definitions apply`` only appends), so the constraint
guarded nothing the write path does not already guarantee. The measurement ->
ticket key stays: its parent row is the one the batch itself has locked.

SQLite keeps the constraints: one writer at a time, no MultiXacts, and
dropping a constraint there means rebuilding the table.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_DROPPED = (
    ("tickets", "fk_tickets_revision_id_revisions"),
    ("measurements", "fk_measurements_revision_id_revisions"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, constraint in _DROPPED:
        op.drop_constraint(constraint, table, type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, constraint in _DROPPED:
        op.create_foreign_key(constraint, table, "revisions", ["revision_id"], ["id"])
