"""Read-only queries of the web view (monitor/web): alerts with filters, stories, an actor's days, sources.

Each listing is one bounded query for its rows plus one query per kind of detail, keyed by the rows'
ids (never one query per row), so that a page costs the same with 1,000 or 100,000 stored articles.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from monitor.store.alert_view import OPENING, AlertDetail, alert_detail
from monitor.store.db import Database
from monitor.store.signals import silences
from monitor.store.sources import SourceHealth, list_sources
from monitor.store.stories import StorySummary, recent_stories
from monitor.store.tables import AlertRow, ArticleRow, DeliveryRow, MatchRow, SourceRow, StoryRow
from monitor.text_norm import title_or_opening

STATES = ("pending", "held", "sent", "failed", "dismissed")
NO_EVENT = "(no event)"


@dataclass(frozen=True)
class AlertFilter:
    """What the alerts page was asked for; empty values select everything."""

    severity: int | None = None  # at least this severity
    actor: str = ""
    event: str = ""
    tag: str = ""
    state: str = ""  # a delivery in this state (one of STATES)


@dataclass(frozen=True)
class AlertItem:
    id: int
    uid: str
    created_at: datetime
    severity: int
    title: str
    source: str
    tags: tuple[str, ...]
    actors: tuple[str, ...]
    events: tuple[str, ...]
    deliveries: tuple[tuple[str, str], ...]  # (channel, state)


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _named(kind: str, name: str) -> Any:
    """An alert whose article matched the name; an alert with no article (a spike) whose context lists it."""
    quoted = _like(json.dumps(name, ensure_ascii=False))  # as escalation.py stores a spike's context
    return or_(exists().where(MatchRow.article_id == AlertRow.article_id, MatchRow.kind == kind, MatchRow.name == name),
               and_(AlertRow.article_id.is_(None), AlertRow.context.like(f'%"{kind}s": [%{quoted}%]%', escape="\\")))


ALERTS_SHOWN = 100  # the alerts page's newest alerts


def alerts(db: Database, wanted: AlertFilter, limit: int = ALERTS_SHOWN) -> list[AlertItem]:
    """The newest alerts that pass the filter, with their actors, events and delivery states; a spike or
    source-health alert (no article) with the actors and events of its context, from "(trends)" as `monitor alerts` says.
    A name holding NUL is none stored: none (PostgreSQL's text refuses NUL; it was a 500)."""
    if "\x00" in wanted.actor + wanted.event + wanted.tag + wanted.state:
        return []
    query = (select(AlertRow.id, AlertRow.uid, AlertRow.created_at, AlertRow.severity, AlertRow.title, AlertRow.tags, AlertRow.article_id,
                    AlertRow.context, SourceRow.name).outerjoin(ArticleRow, ArticleRow.id == AlertRow.article_id)
             .outerjoin(SourceRow, SourceRow.id == ArticleRow.source_id))
    if wanted.severity is not None:
        query = query.where(AlertRow.severity >= wanted.severity)
    if wanted.actor:
        query = query.where(_named("actor", wanted.actor))
    if wanted.event:
        query = query.where(_named("event", wanted.event))
    if wanted.tag:
        query = query.where((literal(" ") + AlertRow.tags + literal(" ")).like(f"% {_like(wanted.tag)} %", escape="\\"))
    if wanted.state:
        query = query.where(exists().where(DeliveryRow.alert_id == AlertRow.id, DeliveryRow.status == wanted.state))
    with db.session() as s:
        rows = s.execute(query.order_by(AlertRow.id.desc()).limit(limit)).all()
        names = _names(s, [r.article_id for r in rows])
        states: dict[int, list[tuple[str, str]]] = defaultdict(list)
        if rows:
            for alert_id, channel, status in s.execute(select(DeliveryRow.alert_id, DeliveryRow.channel, DeliveryRow.status)
                                                       .where(DeliveryRow.alert_id.in_([r.id for r in rows])).order_by(DeliveryRow.channel)):
                states[alert_id].append((channel, status))
    return [AlertItem(r.id, r.uid, r.created_at, r.severity, r.title, r.name or "(trends)", tuple(r.tags.split()),
                      *(_listed(r.context) if r.article_id is None else (tuple(names[r.article_id]["actor"]), tuple(names[r.article_id]["event"]))),
                      tuple(states[r.id])) for r in rows]


def _listed(context: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(actors, events) of an alert with no article, from its stored context."""
    try:
        fields = json.loads(context)
    except ValueError:
        return (), ()
    if not isinstance(fields, dict):
        return (), ()
    return tuple(str(n) for n in fields.get("actors") or ()), tuple(str(n) for n in fields.get("events") or ())


def _names(s: Any, article_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """Actor and event names matched in each article, in order of first appearance."""
    out: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"actor": [], "event": []})
    if article_ids:
        for article_id, kind, name in s.execute(select(MatchRow.article_id, MatchRow.kind, MatchRow.name)
                                                .where(MatchRow.article_id.in_(article_ids)).order_by(MatchRow.article_id, MatchRow.start)):
            found = out[article_id].setdefault(kind, [])
            if name not in found:
                found.append(name)
    return out


@dataclass(frozen=True)
class Found:
    kind: str
    name: str
    found: str
    times: int = 1  # the article's matches of this name in this form


@dataclass(frozen=True)
class AlertPage:
    detail: AlertDetail
    context: dict[str, Any]  # the alert's stored context: hits (rule, severity, explanation, sentence), actors, events
    found: tuple[Found, ...]  # what the matcher found in the article, each name and form once


def alert_page(db: Database, alert_id: int) -> AlertPage | None:
    """One alert in full; None when there is no such alert."""
    with db.session() as s:
        row = s.execute(select(AlertRow.context, AlertRow.article_id).where(AlertRow.id == alert_id)).first()
        if row is None:
            return None
        found = tuple(Found(k, n, f, t) for k, n, f, t in s.execute(  # each name and form once, in order of its first match
            select(MatchRow.kind, MatchRow.name, MatchRow.found, func.count()).where(MatchRow.article_id == row.article_id)
            .group_by(MatchRow.kind, MatchRow.name, MatchRow.found).order_by(func.min(MatchRow.start))))
    try:
        context = json.loads(row.context)
    except ValueError:
        context = {}
    return AlertPage(alert_detail(db, alert_id), context if isinstance(context, dict) else {}, found)


STORIES_SHOWN = 50  # the stories page's newest stories


def stories(db: Database, limit: int = STORIES_SHOWN) -> list[StorySummary]:
    """The newest stories, with their number of copies and sources and when the last copy came."""
    return recent_stories(db, limit)


@dataclass(frozen=True)
class Copy:
    article_id: int
    source: str
    title: str
    url: str | None
    published_at: datetime | None
    fetched_at: datetime
    added: tuple[str, ...]  # actors and events this copy was the first of its story to name
    alert_id: int | None


@dataclass(frozen=True)
class StoryPage:
    id: int
    created_at: datetime
    severity: int | None  # the highest alerted; None: no alert on the story
    reported: tuple[str, ...]
    copies: tuple[Copy, ...] = field(default=())  # the first COPIES_SHOWN
    size: int = 0  # copies in all
    sources: int = 0  # their sources


COPIES_SHOWN = 500  # a story's copies listed on its page


def story_page(db: Database, story_id: int) -> StoryPage | None:
    """A story's copies across sources, oldest first, each with what it added to the story."""
    with db.session() as s:
        story = s.get(StoryRow, story_id)
        if story is None:
            return None
        rows = s.execute(select(ArticleRow.id, SourceRow.name, ArticleRow.title, func.substr(ArticleRow.text, 1, OPENING).label("opening"), ArticleRow.url,
                                ArticleRow.published_at, ArticleRow.fetched_at, AlertRow.id.label("alert_id"))
                         .join(SourceRow, SourceRow.id == ArticleRow.source_id).outerjoin(AlertRow, AlertRow.article_id == ArticleRow.id)
                         .where(ArticleRow.story_id == story_id).order_by(ArticleRow.fetched_at, ArticleRow.id).limit(COPIES_SHOWN)).all()
        size, sources = s.execute(select(func.count(ArticleRow.id), func.count(func.distinct(ArticleRow.source_id))).where(ArticleRow.story_id == story_id)).one()
        names = _names(s, [r.id for r in rows])
        page = StoryPage(story.id, story.created_at, story.severity if story.last_alert_uid else None, tuple(story.reported.split("\n")) if story.reported else ())
    seen: set[str] = set()
    copies = []
    for r in rows:
        named = names[r.id]["actor"] + names[r.id]["event"]
        copies.append(Copy(r.id, r.name, title_or_opening(r.title, r.opening or ""), r.url, r.published_at, r.fetched_at, tuple(n for n in named if n not in seen), r.alert_id))
        seen.update(named)
    return StoryPage(page.id, page.created_at, page.severity, page.reported, tuple(copies), size, sources)


@dataclass(frozen=True)
class Sentence:
    article_id: int
    story_id: int | None
    title: str
    source: str
    when: datetime
    text: str
    spans: tuple[tuple[int, int], ...]  # of the actor's mentions, within text


def actor_days(db: Database, name: str, since: datetime) -> dict[tuple[date, str], int]:
    """Stories per day and event (NO_EVENT when the article named none) for one actor, from stored matches:
    the day an article was published (or fetched, when it gives no date), counted once per story."""
    actor, event = aliased(MatchRow), aliased(MatchRow)
    query = (select(ArticleRow.id, ArticleRow.story_id, ArticleRow.published_at, ArticleRow.fetched_at, event.name)
             .join(actor, actor.article_id == ArticleRow.id)
             .outerjoin(event, and_(event.article_id == ArticleRow.id, event.kind == "event"))
             .where(actor.kind == "actor", actor.name == name, ArticleRow.fetched_at >= since).distinct())
    stories_of: dict[tuple[date, str], set[int]] = defaultdict(set)
    with db.session() as s:
        for article_id, story_id, published, fetched, event_name in s.execute(query):
            when = published if published is not None and since <= published <= fetched + timedelta(days=1) else fetched
            stories_of[(when.date(), event_name or NO_EVENT)].add(story_id if story_id is not None else -article_id)
    return {key: len(ids) for key, ids in stories_of.items()}


def _sentence(text: str, start: int, end: int, width: int = 300) -> tuple[int, int]:
    """The bounds of the sentence around text[start:end], at most about `width` characters either side."""
    after = [at + len(stop) for stop in (". ", "! ", "? ", "\n") if (at := text.rfind(stop, max(0, start - width), start)) >= 0]
    lo = max(after) if after else max(0, start - width)
    ends = [i for i in (text.find(stop, end, end + width) for stop in (". ", "! ", "? ", "\n")) if i >= 0]
    hi = min(ends) + 1 if ends else min(len(text), end + width)
    return lo, hi


def actor_sentences(db: Database, name: str, limit: int = 10) -> list[Sentence]:
    """The latest articles naming the actor, each with the sentence of its first mention: the newest `limit`
    article ids among the actor's matches first (ix_matches_name_kind_article walked backwards, stopping early),
    then their first mentions, however many times an article names it."""
    named = (MatchRow.kind == "actor", MatchRow.name == name)
    with db.session() as s:
        ids = s.scalars(select(MatchRow.article_id).where(*named).group_by(MatchRow.article_id).order_by(MatchRow.article_id.desc()).limit(limit)).all()
        if not ids:
            return []
        first = (select(MatchRow.article_id, func.min(MatchRow.start).label("start")).where(*named, MatchRow.article_id.in_(ids))
                 .group_by(MatchRow.article_id).subquery())
        rows = s.execute(select(ArticleRow.id, ArticleRow.story_id, ArticleRow.title, ArticleRow.text, ArticleRow.fetched_at, SourceRow.name,
                                MatchRow.start, func.max(MatchRow.end).label("end"))
                         .join(first, first.c.article_id == ArticleRow.id).join(SourceRow, SourceRow.id == ArticleRow.source_id)
                         .join(MatchRow, and_(MatchRow.article_id == ArticleRow.id, MatchRow.start == first.c.start, *named))
                         .group_by(ArticleRow.id, ArticleRow.story_id, ArticleRow.title, ArticleRow.text, ArticleRow.fetched_at, SourceRow.name, MatchRow.start)
                         .order_by(ArticleRow.id.desc())).all()
    out: list[Sentence] = []
    for r in rows:
        body = f"{r.title}\n\n{r.text}" if r.title else r.text  # what matching ran over (model.Article.body): the spans' string
        start, end = max(0, min(r.start, len(body))), max(0, min(r.end, len(body)))
        lo, hi = _sentence(body, start, end)
        out.append(Sentence(r.id, r.story_id, title_or_opening(r.title, r.text), r.name, r.fetched_at, body[lo:hi], ((start - lo, end - lo),) if end > start else ()))
    return out


RECENT = 20_000  # newest articles read for the sources' last article: bounded, whatever the store holds


@dataclass(frozen=True)
class SourceView:
    health: SourceHealth  # its silent_since set when alerted as silent and not back yet, as `monitor sources` shows it
    last_article_at: datetime | None  # its newest article; None: no article among the newest RECENT


def sources(db: Database) -> list[SourceView]:
    """Every listed source with its health and the time of its newest article among the newest RECENT
    (a per-source maximum would read every article: no index has source_id before fetched_at)."""
    silent = silences(db)
    listed = [replace(h, silent_since=silent.get(h.id)) if h.id in silent else h for h in list_sources(db)]
    last: dict[int, datetime] = {}
    with db.session() as s:
        recent = select(ArticleRow.source_id, ArticleRow.fetched_at).order_by(ArticleRow.id.desc()).limit(RECENT).subquery()
        for source_id, at in s.execute(select(recent.c.source_id, func.max(recent.c.fetched_at)).group_by(recent.c.source_id)):
            last[source_id] = at
    return [SourceView(h, last.get(h.id)) for h in listed]
