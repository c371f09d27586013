"""An index on matches (name, kind, article_id): the web view's actor page counts an actor's stories per
day from it (bench/web.py: median 145-255 ms without it at 100,000 articles, 75-120 ms with it).

Not (name, kind) alone: without statistics SQLite would pick it for the alert list's actor filter, which
then took over a minute.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matches") as batch_op:
        batch_op.create_index("ix_matches_name_kind_article", ["name", "kind", "article_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("matches") as batch_op:
        batch_op.drop_index("ix_matches_name_kind_article")
