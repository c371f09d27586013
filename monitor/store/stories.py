"""Stories: what their alerts reported so far, their size, and the sketches to rebuild the index from; on
PostgreSQL, the lock that serialises story decisions across daemons and the sketches others stored since.

Several daemons on one PostgreSQL each keep a story index in memory. Two copies of a story stored at the
same moment by two of them must not both start it, so a feed's batch takes STORY_LOCK_KEY, a transaction
advisory lock (`serialise`), before its first find, and keeps it until it commits or rolls back; under it, the
daemon first adds to its index the sketches stored since the highest article id it knows (`sketches_since`).
Every article insert of the ingest runs under that lock, so when a daemon holds it no other insert is in
flight: every article id below the next one allocated is committed or rolled back, and "id > last seen"
misses none (the refresh is a statement after the lock: at PostgreSQL's default READ COMMITTED it sees what the
previous holder committed). The index loaded on start needs no lock: a batch still in flight then has ids above
every committed one. SQLite has one daemon (store/lock.py) and one writer at a time: nothing to take there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, case, func, select, text

from monitor.store.alert_view import OPENING
from monitor.store.db import Database
from monitor.store.tables import ArticleRow, StoryRow, table_of
from monitor.text_norm import title_or_opening

STORY_LOCK_KEY = 0x6D6F6E2D73746F72  # "mon-stor": the transaction advisory lock of story decisions (lock.py has the daemon's)
_LOCK = text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=STORY_LOCK_KEY)
_A = table_of(ArticleRow)
_SINCE = (
    select(_A.c.id, _A.c.story_id, _A.c.signature, _A.c.shingles, _A.c.published_at, _A.c.fetched_at)
    .where(_A.c.id > bindparam("after"), _A.c.signature.is_not(None), _A.c.story_id.is_not(None))
    .order_by(_A.c.id.desc())
    .limit(bindparam("limit"))
)
_S = table_of(StoryRow)
_STORY = select(_S.c.id, _S.c.severity, _S.c.reported, _S.c.last_alert_uid, _S.c.created_at).where(_S.c.id == bindparam("story"))
_SIZE = select(  # its articles, their sources, and whether one is from this source
    func.count(_A.c.id), func.count(func.distinct(_A.c.source_id)), func.max(case((_A.c.source_id == bindparam("source"), 1), else_=0)),
).where(_A.c.story_id == bindparam("story"))
Sketch = tuple[int, int, bytes, int, "datetime | None", datetime]  # article id, story id, signature, shingles, published, fetched


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
    """A row of `monitor stories` and of the web view's stories page."""

    id: int
    created_at: datetime
    severity: int | None  # the highest alerted; None: no alert on the story
    articles: int
    sources: int
    title: str
    last_seen: datetime  # when its last copy was fetched


def state(connection: Connection, story_id: int | None, source_id: int) -> StoryState | None:
    """A story as an article from `source_id` about to join it sees it (its source counted in): two statements
    built once, on the connection of the transaction that will store the article."""
    if story_id is None:
        return None
    row = connection.execute(_STORY, {"story": story_id}).first()
    if row is None:
        return None
    articles, sources, known = connection.execute(_SIZE, {"story": story_id, "source": source_id}).one()
    reported = frozenset(filter(None, row.reported.split("\n")))
    return StoryState(row.id, row.severity, reported, row.last_alert_uid, articles, sources + (not known), row.created_at)


def serialise(connection: Connection) -> bool:
    """Wait for the store's story lock in the connection's transaction (released when it ends); True if taken,
    False on SQLite (see the module)."""
    if connection.dialect.name != "postgresql":
        return False
    connection.execute(_LOCK)
    return True


def sketches_since(connection: Connection, after: int, limit: int) -> list[Sketch]:
    """`recent_sketches` stored with an id above `after` (the newest `limit` of them, oldest first): one
    query on the primary key, run under `serialise` so that nothing older can still commit."""
    rows = connection.execute(_SINCE, {"after": after, "limit": limit}).all()
    return [(a, st, sig, n, published, fetched) for a, st, sig, n, published, fetched in reversed(rows)]


def recent_sketches(db: Database, limit: int) -> list[Sketch]:
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
    """The newest `limit` stories with their size, their last copy's time and the title of their first article:
    the stories first (the primary key), then only their articles (the index on story_id), so that a listing
    costs the same however many articles are stored (`monitor stories`, the web view's page)."""
    newest = select(StoryRow.id).order_by(StoryRow.id.desc()).limit(limit).scalar_subquery()  # a subquery: any limit, no bound id each
    with db.session() as s:
        agg = (select(ArticleRow.story_id, func.min(ArticleRow.id).label("first_id"), func.count(ArticleRow.id).label("n"),
                      func.count(func.distinct(ArticleRow.source_id)).label("sources"), func.max(ArticleRow.fetched_at).label("last"))
               .where(ArticleRow.story_id.in_(newest)).group_by(ArticleRow.story_id).subquery())
        rows = s.execute(select(StoryRow.id, StoryRow.created_at, StoryRow.severity, StoryRow.last_alert_uid, ArticleRow.title,
                                func.substr(ArticleRow.text, 1, OPENING).label("opening"), agg.c.n, agg.c.sources, agg.c.last)
                         .join(agg, agg.c.story_id == StoryRow.id).join(ArticleRow, ArticleRow.id == agg.c.first_id)
                         .order_by(StoryRow.id.desc())).all()
    return [StorySummary(r.id, r.created_at, r.severity if r.last_alert_uid else None, r.n, r.sources, title_or_opening(r.title, r.opening or ""),
                         r.last if isinstance(r.last, datetime) else r.created_at) for r in rows]
