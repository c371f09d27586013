"""The first revision's tables, written out (frozen): what monitor made with create_all before migrations.

Revision 0001 creates them; a database made before migrations is compared with them (every column of
every table it has) and stamped at 0001. Later revisions change the schema with Alembic operations;
this file never changes.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

sa.Table(
    "mutes",
    metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=500), nullable=False),
    sa.Column("until", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("name"),
)

sa.Table(
    "seen_files",
    metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("path", sa.String(length=4096), nullable=False),
    sa.Column("size", sa.Integer(), nullable=False),
    sa.Column("mtime_ns", sa.Integer(), nullable=False),
    sa.Column("seen_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("path"),
)

sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=500), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("location", sa.Text(), nullable=False),
    sa.Column("origin", sa.String(length=16), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("suspended", sa.Boolean(), nullable=False),
    sa.Column("every", sa.Double(), nullable=True),
    sa.Column("full_text", sa.Boolean(), nullable=False),
    sa.Column("moved_to", sa.Text(), nullable=True),
    sa.Column("etag", sa.Text(), nullable=True),
    sa.Column("last_modified", sa.Text(), nullable=True),
    sa.Column("body_hash", sa.String(length=64), nullable=True),
    sa.Column("last_checked_at", sa.DateTime(), nullable=True),
    sa.Column("next_check_at", sa.DateTime(), nullable=True),
    sa.Column("last_success_at", sa.DateTime(), nullable=True),
    sa.Column("error_count", sa.Integer(), nullable=False),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("last_new_items", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("name"),
)

sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("severity", sa.Integer(), nullable=False),
    sa.Column("reported", sa.Text(), nullable=False),
    sa.Column("last_alert_uid", sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint("id"),
)

sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("source_id", sa.Integer(), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("url", sa.Text(), nullable=True),
    sa.Column("canonical_url", sa.String(length=2048), nullable=True),
    sa.Column("guid", sa.String(length=2048), nullable=True),
    sa.Column("content_hash", sa.String(length=64), nullable=False),
    sa.Column("published_at", sa.DateTime(), nullable=True),
    sa.Column("fetched_at", sa.DateTime(), nullable=False),
    sa.Column("story_id", sa.Integer(), nullable=True),
    sa.Column("signature", sa.LargeBinary(), nullable=True),
    sa.Column("shingles", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
    sa.ForeignKeyConstraint(["story_id"], ["stories.id"]),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("canonical_url"),
    sa.UniqueConstraint("content_hash"),
    sa.UniqueConstraint("source_id", "guid"),
    sa.Index("ix_articles_story_id", "story_id"),
)

sa.Table(
    "outlines",
    metadata,
    sa.Column("source_id", sa.Integer(), nullable=False),
    sa.Column("folder", sa.String(length=500), nullable=False),
    sa.Column("html_url", sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(["source_id"], ["sources.id"]),
    sa.PrimaryKeyConstraint("source_id"),
)

sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("uid", sa.String(length=32), nullable=False),
    sa.Column("article_id", sa.Integer(), nullable=False),
    sa.Column("severity", sa.Integer(), nullable=False),
    sa.Column("tags", sa.Text(), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("context", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("article_id"),
    sa.UniqueConstraint("uid"),
)

sa.Table(
    "matches",
    metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("article_id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=8), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("alias", sa.Text(), nullable=False),
    sa.Column("found", sa.Text(), nullable=False),
    sa.Column("start", sa.Integer(), nullable=False),
    sa.Column("end", sa.Integer(), nullable=False),
    sa.Column("score", sa.Double(), nullable=False),
    sa.Column("severity", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_matches_article_id", "article_id"),
)

sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("alert_id", sa.Integer(), nullable=False),
    sa.Column("channel", sa.String(length=200), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("held_reason", sa.String(length=32), nullable=True),
    sa.Column("via_digest", sa.Boolean(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
    sa.Column("lease_until", sa.DateTime(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("sent_at", sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"]),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("alert_id", "channel"),
    sa.Index("ix_deliveries_alert_id", "alert_id"),
    sa.Index("ix_deliveries_status", "status"),
)
