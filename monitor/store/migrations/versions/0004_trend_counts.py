"""Trends (issue 19): stories per actor, event and pair per hour; spike and silence states; alerts
without an article (spike and health alerts), so alerts.article_id may be NULL. The stories stored before
are counted from their first articles' matches, as ingest counts a new story.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

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
    _count_stored_stories()


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


FIRST_ARTICLES = sa.text(  # each story's first article still stored (and each article of no story), with its matches
    "SELECT a.id, a.published_at, a.fetched_at, m.kind, m.name, m.severity FROM articles a JOIN matches m ON m.article_id = a.id "
    "WHERE a.story_id IS NULL OR a.id IN (SELECT min(id) FROM articles WHERE story_id IS NOT NULL GROUP BY story_id) ORDER BY a.id, m.id"
).columns(sa.column("id", sa.Integer), sa.column("published_at", sa.DateTime), sa.column("fetched_at", sa.DateTime),
          sa.column("kind", sa.String), sa.column("name", sa.String), sa.column("severity", sa.Integer))
COUNTS = sa.table("trend_counts", sa.column("actor", sa.String), sa.column("event", sa.String), sa.column("hour", sa.DateTime),
                  sa.column("stories", sa.Integer), sa.column("severity", sa.Integer), sa.column("score", sa.Float))
FLUSH_ROWS = 20_000  # hour rows summed in memory before they are written (a large store's stories in bounded memory)


def _count_stored_stories() -> None:
    """Count the stories already stored in trend_counts, as ingest counts a story when it stores its first article
    (`counts.count_many`): what the first article matched, at the hour of its time (`article_time`, not after its
    fetching). The events' CAMEO codes are the watchlist's, not stored: the escalation score counts each event as
    one without a code (`trends.NO_CAMEO_WEIGHT`)."""
    from monitor.store.db import upsert_insert
    from monitor.store.tables import fit_key
    from monitor.stories import article_time
    from monitor.trends import Mention, bumps, hour_of

    bind = op.get_bind()
    insert = upsert_insert(bind.dialect.name, COUNTS)
    upsert = insert.on_conflict_do_update(index_elements=["actor", "event", "hour"], set_={
        "stories": COUNTS.c.stories + insert.excluded.stories,
        "severity": sa.case((insert.excluded.severity > COUNTS.c.severity, insert.excluded.severity), else_=COUNTS.c.severity),
        "score": COUNTS.c.score + insert.excluded.score,
    })
    rows: dict[tuple[str, str, datetime], list[Any]] = {}  # (actor, event, hour) -> [stories, severity, score]

    def count(published: datetime | None, fetched: datetime, mentions: list[Mention]) -> None:
        fetched = fetched.replace(tzinfo=UTC)
        at = min(article_time(published.replace(tzinfo=UTC) if published else None, fetched), fetched)
        hour = hour_of(at).replace(tzinfo=None)
        for b in bumps(mentions):
            row = rows.setdefault((fit_key(b.actor, 500), fit_key(b.event, 500), hour), [0, 0, 0.0])
            row[0], row[1], row[2] = row[0] + 1, max(row[1], b.severity), row[2] + b.score

    def flush() -> None:
        if rows:
            bind.execute(upsert, [{"actor": actor, "event": event, "hour": hour, "stories": n, "severity": severity, "score": score}
                                  for (actor, event, hour), (n, severity, score) in rows.items()])
            rows.clear()

    article: tuple[int, datetime | None, datetime] | None = None
    mentions: list[Mention] = []
    for article_id, published, fetched, kind, name, severity in bind.execute(FIRST_ARTICLES):
        if article is not None and article_id != article[0]:
            count(article[1], article[2], mentions)
            mentions = []
            if len(rows) >= FLUSH_ROWS:
                flush()
        article = (article_id, published, fetched)
        mentions.append(Mention(kind, name, severity or 0))
    if article is not None:
        count(article[1], article[2], mentions)
    flush()
