"""Stories: what their alerts reported so far, their size, and the sketches to rebuild the index from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from monitor.store.db import Database
from monitor.store.tables import ArticleRow, StoryRow


@dataclass(frozen=True)
class StoryState:
    """A story as the next copy of it sees it."""

    id: int
    severity: int
    reported: frozenset[str]
    last_alert_uid: str | None
    articles: int
    sources: int
    created_at: datetime


@dataclass(frozen=True)
class StorySummary:
    """A row of `monitor stories`."""

    id: int
    created_at: datetime
    severity: int
    articles: int
    sources: int
    title: str


def state(db: Database, story_id: int | None, source_id: int) -> StoryState | None:
    """A story as an article from `source_id` about to join it sees it (its source counted in)."""
    if story_id is None:
        return None
    with db.session() as s:
        row = s.get(StoryRow, story_id)
        if row is None:
            return None
        articles, sources = s.execute(
            select(func.count(ArticleRow.id), func.count(func.distinct(ArticleRow.source_id))).where(ArticleRow.story_id == story_id)
        ).one()
        known = s.scalar(select(ArticleRow.id).where(ArticleRow.story_id == story_id, ArticleRow.source_id == source_id).limit(1))
        reported = frozenset(filter(None, row.reported.split("\n")))
        return StoryState(row.id, row.severity, reported, row.last_alert_uid, articles, sources + (known is None), row.created_at)


def recent_sketches(db: Database, limit: int) -> list[tuple[int, int, bytes, int, datetime | None, datetime]]:
    """(article id, story id, signature, shingles, published, fetched) of the newest articles, oldest first."""
    with db.session() as s:
        rows = s.execute(
            select(ArticleRow.id, ArticleRow.story_id, ArticleRow.signature, ArticleRow.shingles, ArticleRow.published_at, ArticleRow.fetched_at)
            .where(ArticleRow.signature.is_not(None), ArticleRow.story_id.is_not(None))
            .order_by(ArticleRow.id.desc())
            .limit(limit)
        ).all()
    return [(a, st, sig, n, published, fetched) for a, st, sig, n, published, fetched in reversed(rows) if st is not None and sig is not None]


def recent_stories(db: Database, limit: int) -> list[StorySummary]:
    """The newest stories with their size and the title of their first article."""
    with db.session() as s:
        first = select(ArticleRow.story_id, func.min(ArticleRow.id).label("first_id"), func.count(ArticleRow.id).label("n"),
                       func.count(func.distinct(ArticleRow.source_id)).label("sources")).group_by(ArticleRow.story_id).subquery()
        rows = s.execute(
            select(StoryRow, first.c.n, first.c.sources, ArticleRow.title, ArticleRow.text)
            .join(first, first.c.story_id == StoryRow.id)
            .join(ArticleRow, ArticleRow.id == first.c.first_id)
            .order_by(StoryRow.id.desc())
            .limit(limit)
        ).all()
    return [StorySummary(st.id, st.created_at, st.severity, n, sources, title or " ".join(text.split())[:90]) for st, n, sources, title, text in rows]
