"""What was said once of a folder's files (`notices`: a link refused, an empty file, a file over max_file_bytes, ...),
so that `monitor once` run again and again (from cron) says each cause of each file once, as the daemon does.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=4096), nullable=False),
        sa.Column("cause", sa.String(length=200), nullable=False),
        sa.Column("said_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "subject", "cause"),
    )


def downgrade() -> None:
    op.drop_table("notices")
