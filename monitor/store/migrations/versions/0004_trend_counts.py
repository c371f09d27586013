"""Trends (issue 19): stories per actor, event and pair per hour; spike and silence states; alerts
without an article (spike and health alerts), so alerts.article_id may be NULL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import re

import sqlalchemy as sa
from alembic import op

NOT_NULL = re.compile(r"(\barticle_id\s+INTEGER)\s+NOT\s+NULL", re.IGNORECASE)


revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trend_counts",
        sa.Column("actor", sa.String(length=500), nullable=False),
        sa.Column("event", sa.String(length=500), nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("actor", "event", "hour"),
    )
    with op.batch_alter_table("trend_counts") as batch_op:
        batch_op.create_index("ix_trend_counts_hour", ["hour"], unique=False)
    op.create_table(
        "spike_states",
        sa.Column("spike", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=500), nullable=False),
        sa.Column("event", sa.String(length=500), nullable=False),
        sa.Column("fired_at", sa.DateTime(), nullable=False),
        sa.Column("alert_uid", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("spike", "actor", "event"),
    )
    op.create_table(
        "source_silences",
        sa.Column("source_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("silent_since", sa.DateTime(), nullable=False),
        sa.Column("alert_uid", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("source_id"),
    )
    _article_id_nullable(True)


def downgrade() -> None:
    op.execute("DELETE FROM deliveries WHERE alert_id IN (SELECT id FROM alerts WHERE article_id IS NULL)")
    op.execute("DELETE FROM alerts WHERE article_id IS NULL")
    _article_id_nullable(False)
    op.drop_table("source_silences")
    op.drop_table("spike_states")
    with op.batch_alter_table("trend_counts") as batch_op:
        batch_op.drop_index("ix_trend_counts_hour")
    op.drop_table("trend_counts")


def _article_id_nullable(nullable: bool) -> None:
    """alerts.article_id NULL or NOT NULL. On SQLite not by copying the table (batch mode): deliveries
    refer to alerts and foreign keys are on, so dropping the old table fails; instead the constraint is
    edited in the stored CREATE TABLE, the procedure SQLite's ALTER TABLE page gives for removing or
    adding NOT NULL (writable_schema, schema_version bumped, all in this transaction)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column("alerts", "article_id", existing_type=sa.Integer(), nullable=nullable)
        return
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'alerts'").scalar_one()
    changed = NOT_NULL.sub(r"\1", sql) if nullable else re.sub(r"(\barticle_id\s+INTEGER)(?!\s+NOT)", r"\1 NOT NULL", sql, count=1, flags=re.IGNORECASE)
    if changed == sql:
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'alerts'", (changed,))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
