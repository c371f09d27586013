"""Articles, their matches, and (in the same transaction) their alert and outbox rows; one feed's new
articles in one transaction (`batch`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, exists, insert, select, update
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from monitor.model import Article, MatchResult
from monitor.store.db import Database
from monitor.store.tables import AlertRow, ArticleRow, DeliveryRow, MatchRow, StoryRow, column_length, fit_key, table_of


@dataclass(frozen=True)
class NewAlert:
    """An alert to write with its article: rendered text and the channels it goes to."""

    uid: str
    severity: int
    tags: tuple[str, ...]
    title: str
    body: str
    channels: tuple[str, ...]
    context: str = "{}"  # JSON for channel templates


_STORIES, _ARTICLES, _MATCHES, _ALERTS, _DELIVERIES = (table_of(t) for t in (StoryRow, ArticleRow, MatchRow, AlertRow, DeliveryRow))
# Statements built once, values bound at execution: building one with .values() per article cost more than running it.
# Several rows at once (executemany), their ids returned in the order of the rows.
_NEW_STORIES = insert(_STORIES).returning(_STORIES.c.id, sort_by_parameter_order=True)
_NEW_ARTICLES = insert(_ARTICLES).returning(_ARTICLES.c.id, sort_by_parameter_order=True)
_NEW_ALERTS = insert(_ALERTS).returning(_ALERTS.c.id, sort_by_parameter_order=True)
_PLAIN = {returning: insert(table) for returning, table in ((_NEW_STORIES, _STORIES), (_NEW_ARTICLES, _ARTICLES), (_NEW_ALERTS, _ALERTS))}  # SQLite's
_STORIES_STATE = select(_STORIES.c.id, _STORIES.c.severity, _STORIES.c.reported).where(_STORIES.c.id.in_(bindparam("ids", expanding=True)))
_STORY_ALERTED = update(_STORIES).where(_STORIES.c.id == bindparam("story_id")).values(
    severity=bindparam("severity"), reported=bindparam("reported"), last_alert_uid=bindparam("uid"))
_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # a positional parameter in the drivers' paramstyles (sqlite3, psycopg)


def _marks(connection: Connection, count: int) -> str:
    """`count` positional parameters in the connection's driver's style, comma-separated."""
    return ", ".join([_MARKS[connection.dialect.paramstyle]] * count)


def known_keys(db: Database, source_id: int, guids: list[str], urls: list[str], hashes: list[str]) -> tuple[set[str], set[str], set[str]]:
    """Which of these GUIDs (of this source), canonical URLs and content hashes (of any source) are stored:
    one statement (the GUIDs' and the unique indexes' SELECTs joined by UNION ALL) in the driver's SQL (a
    statement with an expanding IN list cost SQLAlchemy more to render and run than SQLite to answer: 430
    against 190 µs for 50 GUIDs), the keys fitted as the column's type fits them (`fit_key`); a feed of
    more than `KEYS_PER_STATEMENT` entries is asked in as many statements, within the drivers' parameter limits."""
    fitted_guids = [fit_key(guid, _GUID_LENGTH) for guid in guids]
    fitted_urls = [fit_key(url, _URL_LENGTH) for url in urls]
    if not fitted_guids and not fitted_urls and not hashes:
        return set(), set(), set()
    rows: list[Any] = []
    with db.transaction() as connection:
        for start in range(0, max(len(fitted_guids), len(fitted_urls), len(hashes)), KEYS_PER_STATEMENT):
            end = start + KEYS_PER_STATEMENT
            rows += _stored_keys(connection, source_id, fitted_guids[start:end], fitted_urls[start:end], hashes[start:end])
    asked = set(hashes)
    return (_as_given(guids, {key for kind, key, _ in rows if kind == 1} - {None, ""}, _GUID_LENGTH),
            _as_given(urls, {key for kind, key, _ in rows if kind == 2} - {None, ""}, _URL_LENGTH),
            {digest for kind, _, digest in rows if kind == 2 and digest in asked})


KEYS_PER_STATEMENT = 5000  # of each kind: 15,001 parameters at most, under SQLite's 32,766 and PostgreSQL's 65,535


def _stored_keys(connection: Connection, source_id: int, guids: list[str], urls: list[str], hashes: list[str]) -> list[Any]:
    """(1, guid, NULL) for each stored GUID of the source, (2, canonical_url, content_hash) for each article with one of the URLs or hashes."""
    selects, params = [], list[object]()
    if guids:
        selects.append(f"SELECT 1, guid, NULL FROM {_ARTICLES.name} WHERE source_id = {_marks(connection, 1)} AND guid IN ({_marks(connection, len(guids))})")
        params += [source_id, *guids]
    where = [f"{column} IN ({_marks(connection, len(keys))})" for column, keys in (("canonical_url", urls), ("content_hash", hashes)) if keys]
    if where:
        selects.append(f"SELECT 2, canonical_url, content_hash FROM {_ARTICLES.name} WHERE {' OR '.join(where)}")
        params += [*urls, *hashes]
    return list(connection.exec_driver_sql(" UNION ALL ".join(selects), tuple(params)).all())


def known_guids(db: Database, source_id: int, guids: list[str]) -> set[str]:
    """Which of these GUIDs of this source are stored (`known_keys`)."""
    return known_keys(db, source_id, guids, [], [])[0]


def known_urls_and_hashes(db: Database, urls: list[str], hashes: list[str]) -> tuple[set[str], set[str]]:
    """Which of these canonical URLs and content hashes (of any source) are stored (`known_keys`)."""
    _, known_urls, known_hashes = known_keys(db, 0, [], urls, hashes)
    return known_urls, known_hashes


def article_with(db: Database, canonical_url: str | None, content_hash: str) -> int | None:
    """The first stored article with this canonical URL or content hash (of any source): one the daemon would not store again."""
    where = _ARTICLES.c.content_hash == content_hash
    if canonical_url:
        where = where | (_ARTICLES.c.canonical_url == fit_key(canonical_url, _URL_LENGTH))
    with db.transaction() as connection:
        return connection.scalar(select(_ARTICLES.c.id).where(where).order_by(_ARTICLES.c.id).limit(1))


def has_articles(db: Database, source_id: int) -> bool:
    """Whether any article of this source is stored."""
    with db.transaction() as connection:
        return bool(connection.scalar(select(exists().where(_ARTICLES.c.source_id == source_id))))


_GUID_LENGTH, _URL_LENGTH = column_length(_ARTICLES.c.guid), column_length(_ARTICLES.c.canonical_url)


def _as_given(asked: list[str], stored: set[str], length: int) -> set[str]:
    """The asked keys that are stored: a key too long to store as it is was stored as fit_key made it."""
    return {key for key in asked if key in stored or fit_key(key, length) in stored}


@dataclass(frozen=True)
class StoryLink:
    """The story an article joins (None: it starts one), and its MinHash sketch."""

    story_id: int | None
    signature: bytes | None = None
    shingles: int = 0
    reported: frozenset[str] = frozenset()  # actors and events the alert reports, added to the story
    started_by: int | None = None  # with story_id None: the story the article at this position of a save_many started


NewArticle = tuple[Article, MatchResult, "NewAlert | None", StoryLink]  # an article to save, as save_many takes it


def save_article(db: Database, source_id: int, article: Article, result: MatchResult, alert: NewAlert | None, now: datetime,
                 story: StoryLink = StoryLink(None)) -> tuple[int, int] | None:
    """Store a new article with its matches, story, alert and deliveries at once.

    Returns (article id, story id), or None if the article was a duplicate (its canonical URL, its
    GUID from this source or its content hash is stored: the unique keys refuse it).
    """
    try:
        with batch(db) as b:
            return b.save(source_id, article, result, alert, now, story)
    except Duplicate:
        return None  # a concurrent writer stored the same article first


class Duplicate(Exception):
    """A unique key refused an article of a batch: the whole batch was rolled back."""


class Batch:
    """Articles saved in one open transaction (one feed's new articles): all of them commit, or none."""

    def __init__(self, connection: Connection) -> None:
        self._run = connection.execute
        self.connection = connection

    def save(self, source_id: int, article: Article, result: MatchResult, alert: NewAlert | None, now: datetime,
             story: StoryLink = StoryLink(None)) -> tuple[int, int]:
        """Insert one article with its matches, story, alert and deliveries; returns (article id, story id)."""
        return self.save_many(source_id, [(article, result, alert, story)], now)[0]

    def save_many(self, source_id: int, items: Sequence[NewArticle], now: datetime) -> list[tuple[int, int]]:
        """Insert articles with their matches, stories, alerts and deliveries; returns each one's (article id,
        story id). One executemany per table (plain Core INSERTs, ids returned in order), whatever the number
        of articles: the statements, not the rows, were most of the cost."""
        run = self._run
        starts = [k for k, (_, _, _, link) in enumerate(items) if link.story_id is None and link.started_by is None]
        new_stories = dict(zip(starts, self._inserted(_NEW_STORIES, [{"created_at": now, "severity": 0, "reported": ""} for _ in starts]),
                               strict=True))
        story_ids = [link.story_id if link.story_id is not None else new_stories[k if link.started_by is None else link.started_by]
                     for k, (_, _, _, link) in enumerate(items)]
        article_ids = self._inserted(_NEW_ARTICLES, [{
            "source_id": source_id, "title": a.title, "text": a.text, "url": a.url, "canonical_url": a.canonical_url,
            "guid": a.guid, "content_hash": a.content_hash, "published_at": a.published, "fetched_at": now,
            "story_id": story_id, "signature": link.signature, "shingles": link.shingles,
        } for (a, _, _, link), story_id in zip(items, story_ids, strict=True)])
        matches = [
            {"article_id": article_id, "kind": m.kind, "name": m.name, "alias": m.alias, "found": m.found,
             "start": m.start, "end": m.end, "score": m.score, "severity": m.severity}
            for (_, result, _, _), article_id in zip(items, article_ids, strict=True) for m in result.matches
        ]
        if matches:
            run(insert(_MATCHES), matches)
        alerted = [(k, alert) for k, (_, _, alert, _) in enumerate(items) if alert is not None]
        if alerted:
            self._alerts(alerted, items, article_ids, story_ids, now)
        return list(zip(article_ids, story_ids, strict=True))

    def _inserted(self, statement: ReturningInsert[Any], rows: list[dict[str, Any]]) -> list[int]:
        """The ids of rows inserted in order: one row as a plain execute (executemany's RETURNING machinery
        cost more than the row), several as one executemany. On SQLite, whose RETURNING order SQLAlchemy does
        not trust (it ran one INSERT a row), the rows go in one executemany without RETURNING, and their ids
        are the run that ends at `last_insert_rowid()`: each new row of a table whose INTEGER PRIMARY KEY is
        its rowid (no AUTOINCREMENT) takes the largest rowid + 1, and no other connection writes while this
        transaction holds SQLite's write lock."""
        if len(rows) == 1:
            return [int(self._run(statement, rows[0]).scalar_one())]
        if not rows:
            return []
        if self.connection.dialect.name == "sqlite":
            self._run(_PLAIN[statement], rows)
            last = int(self.connection.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
            return list(range(last - len(rows) + 1, last + 1))
        return [int(i) for i in self._run(statement, rows).scalars()]

    def _alerts(self, alerted: list[tuple[int, NewAlert]], items: Sequence[NewArticle], article_ids: list[int], story_ids: list[int],
                now: datetime) -> None:
        """The alerts, their deliveries, and what each alerted story has reported (severity, actors and events,
        last alert): one statement each, the stories read and written once whatever the number of alerts."""
        run = self._run
        alert_ids = self._inserted(_NEW_ALERTS, [{
            "uid": alert.uid, "article_id": article_ids[k], "severity": alert.severity, "tags": " ".join(alert.tags),
            "title": alert.title, "body": alert.body, "context": alert.context, "created_at": now,
        } for k, alert in alerted])
        deliveries = [
            {"alert_id": alert_id, "channel": c, "status": "pending", "attempts": 0, "next_attempt_at": now, "via_digest": False}
            for (_, alert), alert_id in zip(alerted, alert_ids, strict=True) for c in alert.channels
        ]
        if deliveries:
            run(insert(_DELIVERIES), deliveries)
        ids = sorted({story_ids[k] for k, _ in alerted})
        state: dict[int, tuple[int, set[str], str]] = {  # what each story has reported so far (KEYS_PER_STATEMENT ids a statement)
            story_id: (severity, set(filter(None, reported.split("\n"))), "")
            for start in range(0, len(ids), KEYS_PER_STATEMENT)
            for story_id, severity, reported in run(_STORIES_STATE, {"ids": ids[start : start + KEYS_PER_STATEMENT]})
        }
        for k, alert in alerted:
            severity, reported, _ = state[story_ids[k]]
            state[story_ids[k]] = (max(severity, alert.severity), reported | items[k][3].reported, alert.uid)
        run(_STORY_ALERTED, [{"story_id": story_id, "severity": severity, "uid": uid, "reported": "\n".join(sorted(reported))}
                             for story_id, (severity, reported, uid) in state.items()])


@contextmanager
def batch(db: Database) -> Iterator[Batch]:
    """One transaction for several articles: committed when the block ends, rolled back whole if it raises.
    A unique key refusing any article (a copy a concurrent writer stored first) raises Duplicate after the
    rollback; the caller then saves the articles one transaction each (ingest.py)."""
    try:
        with db.transaction() as connection:
            yield Batch(connection)
    except IntegrityError as exc:
        raise Duplicate(str(exc).splitlines()[0]) from None


@dataclass(frozen=True)
class StoredArticle:
    """An article as stored, with whether it alerted (and whether an earlier copy of its story did)."""

    id: int
    source: str
    title: str
    text: str
    fetched_at: datetime
    alerted: bool
    story_alerted: bool = False  # another article of its story alerted: an earlier one (this copy did not escalate), or a later
                                 # one (this first article's rule waited for a second source, min_sources)

    @property
    def body(self) -> str:
        return f"{self.title}\n\n{self.text}" if self.title else self.text


def stored_between(db: Database, since: datetime, until: datetime) -> list[StoredArticle]:
    """Articles fetched in [since, until), oldest first."""
    return _stored(db, (ArticleRow.fetched_at >= since, ArticleRow.fetched_at < until))


def stored_article(db: Database, article_id: int) -> StoredArticle | None:
    """One stored article by its id, or None."""
    found = _stored(db, (ArticleRow.id == article_id,))
    return found[0] if found else None


def _stored(db: Database, where: tuple[ColumnElement[bool], ...]) -> list[StoredArticle]:
    other = aliased(ArticleRow)
    story_alerted = exists().where(
        other.story_id == ArticleRow.story_id, other.id != ArticleRow.id, AlertRow.article_id == other.id,
    ).correlate(ArticleRow)
    with db.session() as s:
        rows = s.execute(
            select(ArticleRow, AlertRow.id, story_alerted)
            .outerjoin(AlertRow, AlertRow.article_id == ArticleRow.id)
            .where(*where)
            .order_by(ArticleRow.id)
        ).all()
        return [StoredArticle(a.id, a.source.name, a.title, a.text, a.fetched_at, alert_id is not None, bool(copy)) for a, alert_id, copy in rows]
