"""seen_files.size and mtime_ns as 64-bit integers: a nanosecond mtime overflows PostgreSQL's INTEGER.

(SQLite's INTEGER is 64-bit already; there the change is only the declared type.)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("seen_files") as batch_op:
        batch_op.alter_column("size", type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=False)
        batch_op.alter_column("mtime_ns", type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("seen_files") as batch_op:
        batch_op.alter_column("mtime_ns", type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=False)
        batch_op.alter_column("size", type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=False)
