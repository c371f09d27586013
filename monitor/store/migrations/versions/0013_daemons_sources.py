"""The feeds and folders of each registered daemon's config (`daemons.sources`, a JSON object of their names and locations): on a shared
PostgreSQL store, a daemon (or a verb) whose config lacks a configured source retires it only when no running
daemon's config lists it; daemons with feeds of their own retired each other's (NULL: a daemon of a monitor before
this revision, taken to have every source).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("daemons") as batch_op:
        batch_op.add_column(sa.Column("sources", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("daemons") as batch_op:
        batch_op.drop_column("sources")
