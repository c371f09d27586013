"""Alerts that are no article's (spikes, silent sources) and the states that make them one per change.

Each alert is written with its state in one transaction (the outbox: deliveries go out through the
dispatcher like every alert's). The state row's primary key makes the write happen once: a second
process, or the same check after a restart, finds it there and writes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from monitor.store.articles import NewAlert
from monitor.store.db import Database
from monitor.store.tables import AlertRow, ArticleRow, DeliveryRow, MatchRow, SourceRow, SourceSilenceRow, SpikeStateRow
from monitor.stories import article_time

_ALERTS, _DELIVERIES, _SPIKES, _SILENCES = (cast(Table, t.__table__) for t in (AlertRow, DeliveryRow, SpikeStateRow, SourceSilenceRow))


def _write_alert(connection: Connection, alert: NewAlert, now: datetime) -> None:
    alert_id = connection.execute(insert(_ALERTS).returning(_ALERTS.c.id), {
        "uid": alert.uid, "article_id": None, "severity": alert.severity, "tags": " ".join(alert.tags),
        "title": alert.title, "body": alert.body, "context": alert.context, "created_at": now,
    }).scalar_one()
    if alert.channels:
        connection.execute(insert(_DELIVERIES), [
            {"alert_id": alert_id, "channel": c, "status": "pending", "attempts": 0, "next_attempt_at": now, "via_digest": False}
            for c in alert.channels
        ])


def _record(db: Database, states: Table, state: dict[str, object], alert: NewAlert | None, now: datetime) -> bool:
    """A state row (its alert's uid with it) and its alert (None: muted, the state only) written at once; False when
    the state's primary key is there already (another process, or the same check before a restart, wrote it)."""
    try:
        with db.session() as s:
            connection = s.connection()
            connection.execute(insert(states), {**state, "alert_uid": alert.uid if alert else ""})
            if alert is not None:
                _write_alert(connection, alert, now)
        return True
    except IntegrityError:
        return False


# -- spikes -------------------------------------------------------------------------------------
def firing(db: Database, spike: str) -> set[tuple[str, str]]:
    """The (actor, event) series of a spike that fired and have not fallen back yet."""
    with db.session() as s:
        return {(a, e) for a, e in s.execute(select(_SPIKES.c.actor, _SPIKES.c.event).where(_SPIKES.c.spike == spike))}


def fire(db: Database, spike: str, key: tuple[str, str], alert: NewAlert | None, now: datetime) -> bool:
    """Mark a series as firing and write its alert (None: muted, state only), at once; False if it was already."""
    return _record(db, _SPIKES, {"spike": spike, "actor": key[0], "event": key[1], "fired_at": now}, alert, now)


def rearm(db: Database, spike: str, keys: set[tuple[str, str]]) -> None:
    """These series have fallen back: their next rise fires again."""
    with db.session() as s:
        for actor, event in keys:
            s.execute(delete(_SPIKES).where(_SPIKES.c.spike == spike, _SPIKES.c.actor == actor, _SPIKES.c.event == event))


@dataclass(frozen=True)
class StoryLine:
    """A story of a spike's window: its first article."""

    story_id: int
    at: datetime
    source: str
    title: str
    url: str | None


def window_stories(db: Database, actor: str, event: str, since: datetime, limit: int = 20) -> list[StoryLine]:
    """Stories counted since `since` naming the actor and/or the event ("" = either), newest first: as the
    trend counts have them, by their first article, at its time (published when plausible, never after it
    was fetched), so that a spike's stories are the ones it counted."""
    recent = select(ArticleRow.story_id).where(ArticleRow.fetched_at >= since)
    first = select(func.min(ArticleRow.id)).where(ArticleRow.story_id.in_(recent)).group_by(ArticleRow.story_id)
    query = (select(ArticleRow.story_id, ArticleRow.published_at, ArticleRow.fetched_at, SourceRow.name, ArticleRow.title, ArticleRow.url)
             .join(SourceRow, ArticleRow.source_id == SourceRow.id).where(ArticleRow.id.in_(first), ArticleRow.fetched_at >= since))
    for kind, name in (("actor", actor), ("event", event)):
        if name:
            query = query.where(ArticleRow.id.in_(select(MatchRow.article_id).where(MatchRow.kind == kind, MatchRow.name == name)))
    with db.session() as s:
        rows = s.execute(query).all()
    lines = [StoryLine(story or 0, min(article_time(published, fetched), fetched), source, title, url)
             for story, published, fetched, source, title, url in rows]
    return sorted((line for line in lines if line.at >= since), key=lambda line: (line.at, line.story_id), reverse=True)[:limit]


# -- silent sources -------------------------------------------------------------------------------
def silences(db: Database) -> dict[int, datetime]:
    """Sources alerted as silent and not back yet: since when (their latest article then)."""
    with db.session() as s:
        return {source_id: since for source_id, since in s.execute(select(_SILENCES.c.source_id, _SILENCES.c.silent_since))}


def went_silent(db: Database, source_id: int, since: datetime, alert: NewAlert | None, now: datetime) -> bool:
    """Record a silence and write its alert at once; False if it was recorded already."""
    return _record(db, _SILENCES, {"source_id": source_id, "silent_since": since}, alert, now)


def came_back(db: Database, source_id: int, alert: NewAlert | None, now: datetime) -> bool:
    """End a silence and write its "back" alert at once; False if another process ended it first."""
    with db.session() as s:
        connection = s.connection()
        if not connection.execute(delete(_SILENCES).where(_SILENCES.c.source_id == source_id)).rowcount:
            return False
        if alert is not None:
            _write_alert(connection, alert, now)
    return True


def last_articles(db: Database) -> dict[int, datetime]:
    """Each source's latest article (when it was stored)."""
    with db.session() as s:
        return {source_id: at for source_id, at in s.execute(select(ArticleRow.source_id, func.max(ArticleRow.fetched_at)).group_by(ArticleRow.source_id))}


def article_times(db: Database, source_id: int, since: datetime, limit: int = 500) -> list[tuple[datetime | None, datetime]]:
    """(published, fetched) of a source's latest articles stored since `since`."""
    with db.session() as s:
        return [(p, f) for p, f in s.execute(
            select(ArticleRow.published_at, ArticleRow.fetched_at).where(ArticleRow.source_id == source_id, ArticleRow.fetched_at >= since)
            .order_by(ArticleRow.id.desc()).limit(limit)
        )]


def spike_alerts(db: Database, since: datetime) -> list[tuple[str, str, datetime]]:
    """(actor, event, when) of the spike alerts written since `since`."""
    with db.session() as s:
        rows = s.execute(select(AlertRow.context, AlertRow.created_at).where(AlertRow.article_id.is_(None), AlertRow.created_at >= since,
                                                                              AlertRow.title.startswith("Spike: "))).all()
    out = []
    for context, at in rows:
        try:
            data = json.loads(context)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("kind") == "spike":
            out.append((str(data.get("actor", "")), str(data.get("event", "")), at))
    return out
