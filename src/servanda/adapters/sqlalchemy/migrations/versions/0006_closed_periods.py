"""Closed periods: a customer's period whose report figures are frozen.

One row per close: the period's bounds, who closed it and when, the newest
revision at the close, the frozen report inputs (``snapshot``) and their
content hash, the net credits it stated and the adjustments after close of
earlier periods it booked. Reopening sets ``reopened_*``; the row is kept.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "closed_periods",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("customer", sa.String(200), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("start_at", sa.BigInteger(), nullable=False),
        sa.Column("end_at", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", sa.BigInteger(), nullable=False),
        sa.Column("closed_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revision_ceiling", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("net_credits", sa.Text(), nullable=False),
        sa.Column("booked", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("reopened_at", sa.BigInteger(), nullable=True),
        sa.Column("reopened_by", sa.String(200), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closed_periods")),
    )
    op.create_index("ix_closed_periods_customer_period", "closed_periods", ["customer", "period"])


def downgrade() -> None:
    op.drop_index("ix_closed_periods_customer_period", table_name="closed_periods")
    op.drop_table("closed_periods")
