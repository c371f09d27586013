"""Several daemons on one database (issue 18): the `daemons` registry (host, pid, heartbeat, what each
holds) and `seen_files.lease_until` (a file being read by one daemon; the others leave it alone until the
lease ends, so a killed daemon's file is read again).

(On SQLite, ADD COLUMN of a nullable column is done in place: no copy of `seen_files`.)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daemons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("verb", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.Column("lease_seconds", sa.Float(), nullable=False),
        sa.Column("feeds", sa.Integer(), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("daemons") as batch_op:
        batch_op.create_index(batch_op.f("ix_daemons_heartbeat_at"), ["heartbeat_at"], unique=False)
    with op.batch_alter_table("seen_files") as batch_op:
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("seen_files") as batch_op:
        batch_op.drop_column("lease_until")
    with op.batch_alter_table("daemons") as batch_op:
        batch_op.drop_index(batch_op.f("ix_daemons_heartbeat_at"))
    op.drop_table("daemons")
