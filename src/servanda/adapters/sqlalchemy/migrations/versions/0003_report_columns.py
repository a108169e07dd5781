"""Reports: each measurement row carries its ticket's customer and service, and a covering index.

Compliance counts group measurements by objective x customer x service per
period; with the ticket's customer and service on the measurement row (the
write path stores them together with the ticket row) the counts need no join
and read only a covering index, never the rows with their JSON payload:

- SQLite: ``ix_measurements_report`` (objective_key, metric, customer, service,
  state, concluded_at, target_seconds, agreement). The planner skip-scans the
  few distinct group prefixes and seeks the ``concluded_at`` range in each, and
  groups in index order (no sort). Skip-scan needs ``sqlite_stat1``: this
  migration runs ``ANALYZE measurements`` when the table holds rows.
- PostgreSQL: ``ix_measurements_concluded`` (concluded_at, state, objective_key,
  metric, customer, service, target_seconds, agreement): an index-only range
  scan and a hash aggregate.

Both replace ``ix_measurements_objective_key_concluded_at``: their columns
serve every query it served. ``ix_measurements_breached`` (customer,
concluded_at, only breached rows) finds a customer's breach list. Existing
rows are back-filled from ``tickets``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SQLITE_INDEX = (
    "objective_key",
    "metric",
    "customer",
    "service",
    "state",
    "concluded_at",
    "target_seconds",
    "agreement",
)
_POSTGRES_INDEX = (
    "concluded_at",
    "state",
    "objective_key",
    "metric",
    "customer",
    "service",
    "target_seconds",
    "agreement",
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("measurements", sa.Column("customer", sa.String(length=200), nullable=True))
    op.add_column("measurements", sa.Column("service", sa.String(length=200), nullable=True))
    if sqlite:
        op.execute(
            "UPDATE measurements SET (customer, service) = (SELECT t.customer, t.service"
            " FROM tickets AS t WHERE t.id = measurements.ticket_id)"
        )
    else:
        op.execute(
            "UPDATE measurements AS m SET customer = t.customer, service = t.service"
            " FROM tickets AS t WHERE t.id = m.ticket_id"
        )
    op.drop_index("ix_measurements_objective_key_concluded_at", table_name="measurements")
    op.create_index(
        "ix_measurements_breached",
        "measurements",
        ["customer", "concluded_at"],
        sqlite_where=sa.text("state = 'breached'"),
        postgresql_where=sa.text("state = 'breached'"),
    )
    if sqlite:
        op.create_index("ix_measurements_report", "measurements", list(_SQLITE_INDEX))
        if op.get_bind().execute(sa.text("SELECT 1 FROM measurements LIMIT 1")).first():
            op.execute("ANALYZE measurements")
    else:
        op.create_index("ix_measurements_concluded", "measurements", list(_POSTGRES_INDEX))


def downgrade() -> None:
    op.drop_index("ix_measurements_breached", table_name="measurements")
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_measurements_report", table_name="measurements")
    else:
        op.drop_index("ix_measurements_concluded", table_name="measurements")
    op.create_index(
        "ix_measurements_objective_key_concluded_at",
        "measurements",
        ["objective_key", "concluded_at"],
    )
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.drop_column("service")
        batch_op.drop_column("customer")
