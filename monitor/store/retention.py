"""Retention: `[store] keep_days` prunes old articles (with their matches) and sent deliveries.

What the CLI shows is kept: an article with an alert stays (with its matches, its story and the alert's
deliveries that are not sent), pending, held, failed and dismissed deliveries stay, and a story goes only when none
of its articles is left. Articles are deleted in batches, each its own short transaction, so that a
daemon writing meanwhile waits milliseconds, not the whole prune. SQLite then gives the freed pages back
to the file system (`PRAGMA incremental_vacuum`; new databases are made with auto_vacuum=INCREMENTAL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import delete, exists, select

from monitor.logs import counted
from monitor.store.db import Database
from monitor.store.tables import AlertRow, ArticleRow, DeliveryRow, MatchRow, StoryRow, table_of

_ARTICLES, _MATCHES, _ALERTS, _DELIVERIES, _STORIES = (table_of(t) for t in (ArticleRow, MatchRow, AlertRow, DeliveryRow, StoryRow))
BATCH = 2000  # articles deleted per transaction


@dataclass(frozen=True)
class Pruned:
    """What a prune removed, and the bytes the database file shrank by (SQLite; 0 elsewhere)."""

    articles: int
    matches: int
    deliveries: int
    stories: int
    freed_bytes: int
    stopped: bool = False  # the daemon stopped it before the end: the next prune goes on
    files: int = 0  # folder files read before the cutoff and gone from their folder, forgotten (scanning.forget_gone)

    def describe(self) -> str:
        gone = "read file gone from its folder" if self.files == 1 else "read files gone from their folders"
        return (f"{counted(self.articles, 'article')}, {counted(self.matches, 'match', 'matches')}, {counted(self.deliveries, 'sent delivery', 'sent deliveries')}, "
                f"{counted(self.stories, 'story', 'stories')} left without articles, {self.files} {gone}; {counted(self.freed_bytes, 'byte')} freed"
                + ("; stopped with the daemon, the rest at the next prune" if self.stopped else ""))


def prune(db: Database, cutoff: datetime, batch: int = BATCH, stopping: Callable[[], bool] = lambda: False) -> Pruned:
    """Delete what is older than `cutoff` (see the module), then vacuum SQLite incrementally. Once `stopping()`
    (the daemon stops), no batch more: what is left goes at the next prune (`Pruned.stopped`)."""
    with db.session() as s:
        sent = s.connection().execute(delete(_DELIVERIES).where(_DELIVERIES.c.status == "sent", _DELIVERIES.c.sent_at < cutoff))
        deliveries = sent.rowcount
    old = (select(_ARTICLES.c.id)
           .where(_ARTICLES.c.fetched_at < cutoff, ~exists().where(_ALERTS.c.article_id == _ARTICLES.c.id))
           .limit(batch))
    articles = matches = 0
    while not (stopped := stopping()):
        with db.session() as s:
            run = s.connection().execute
            ids = list(run(old).scalars())
            if not ids:
                break
            matches += run(delete(_MATCHES).where(_MATCHES.c.article_id.in_(ids))).rowcount
            articles += run(delete(_ARTICLES).where(_ARTICLES.c.id.in_(ids))).rowcount
    with db.session() as s:
        orphans = delete(_STORIES).where(_STORIES.c.created_at < cutoff, ~exists().where(_ARTICLES.c.story_id == _STORIES.c.id))
        stories = s.connection().execute(orphans).rowcount
    return Pruned(articles, matches, deliveries, stories, vacuum(db), stopped)


def vacuum(db: Database) -> int:
    """Give SQLite's free pages back to the file system; the bytes freed (0 for other engines, or a
    database made before auto_vacuum=INCREMENTAL, which only a full VACUUM shrinks)."""
    if not db.sqlite:
        return 0
    raw = db.engine.raw_connection()
    try:
        conn = cast(sqlite3.Connection, raw.driver_connection)  # sqlite3's: only executescript steps the pragma to its end (execute frees one page)
        page_size, before = conn.execute("PRAGMA page_size").fetchone()[0], conn.execute("PRAGMA page_count").fetchone()[0]
        conn.executescript("PRAGMA incremental_vacuum;")
        after = conn.execute("PRAGMA page_count").fetchone()[0]
    finally:
        raw.close()
    return int((before - after) * page_size)
