"""The channels of each registered daemon's config (`daemons.channels`, a JSON list of names): on a shared
PostgreSQL store, alerts held for the digest of a channel that no running daemon has are given up once it
has been in none of their configs for an hour, not held for ever (NULL: a daemon of a monitor before this
revision, taken to have every channel); and each daemon's boot and pid namespace (`daemons.pid_space`): a
daemon takes a row of its host name for a dead daemon's, when its pid runs nothing, only in the same namespace
(containers sharing a host name each have pids of their own).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("daemons") as batch_op:
        batch_op.add_column(sa.Column("pid_space", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("channels", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("daemons") as batch_op:
        batch_op.drop_column("channels")
        batch_op.drop_column("pid_space")
