"""One alert in full (`monitor alerts show`), and finding an alert by either of its ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.store.db import Database
from monitor.store.tables import AlertRow, ArticleRow, DeliveryRow, SourceRow
from monitor.text_norm import title_or_opening

STORY_SHOWN = 100  # copies of the alert's story listed (oldest first, and the alert's own): a story may have thousands


@dataclass(frozen=True)
class DeliveryState:
    channel: str
    status: str
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    error: str | None
    held_reason: str | None

    @property
    def when(self) -> datetime | None:
        """When it was sent, or when it is next tried; None when no attempt is to come (it gave up or was dismissed)
        or it waits for its digest (unless the digest failed and waits to be tried again)."""
        if self.status == "sent":
            return self.sent_at
        return self.next_attempt_at if self.status == "pending" or (self.status == "held" and self.attempts) else None


@dataclass(frozen=True)
class StoryCopy:
    article_id: int
    fetched_at: datetime
    source: str
    title: str
    url: str | None


@dataclass(frozen=True)
class AlertDetail:
    id: int
    uid: str
    created_at: datetime
    severity: int
    tags: str
    title: str
    body: str
    article: StoryCopy | None  # None for a spike or health alert (monitor/escalation.py)
    story_id: int | None
    story: tuple[StoryCopy, ...]  # the first STORY_SHOWN copies of the alert's story, oldest first, and the alert's own
    deliveries: tuple[DeliveryState, ...]
    story_size: int = 0  # the story's copies in all

    @property
    def story_cut(self) -> int:
        """How many of the story's first copies are listed when not all are (the alert's own comes beside them); 0: all are."""
        return STORY_SHOWN if self.story_size > STORY_SHOWN else 0


def find_alert(db: Database, ref: str) -> int | None:
    """The row id of the alert `ref` names: its number (first column of `monitor alerts`) or its
    `Alert id` (the uid printed in every alert); None when there is no such alert."""
    ref = ref.strip()
    with db.session() as s:
        by_uid = s.scalar(select(AlertRow.id).where(AlertRow.uid == ref.lower()))
        if by_uid is not None:
            return by_uid
        if ref.isdigit() and len(ref) < 19:
            return s.scalar(select(AlertRow.id).where(AlertRow.id == int(ref)))
    return None


OPENING = 400  # characters of an untitled article's text read for its opening words


def _copy(article: ArticleRow) -> StoryCopy:
    return StoryCopy(article.id, article.fetched_at, article.source.name, title_or_opening(article.title, article.text), article.url)


def alert_detail(db: Database, alert_id: int) -> AlertDetail:
    """The alert, its article, its story's copies and every delivery with its state."""
    with db.session() as s:
        alert = s.get_one(AlertRow, alert_id)
        article = alert.article
        if article is None:  # a spike or health alert (monitor/escalation.py): no article, no story
            return AlertDetail(alert.id, alert.uid, alert.created_at, alert.severity, alert.tags, alert.title, alert.body,
                               None, None, (), _deliveries(s, alert_id))
        own = _copy(article)
        story, size = ([own], 1) if article.story_id is None else _story(s, article.story_id)
        if own.article_id not in {c.article_id for c in story}:
            story.append(own)
        return AlertDetail(
            alert.id, alert.uid, alert.created_at, alert.severity, alert.tags, alert.title, alert.body, own, article.story_id,
            tuple(story), _deliveries(s, alert_id), size,
        )


def _story(s: Session, story_id: int) -> tuple[list[StoryCopy], int]:
    """The story's first STORY_SHOWN copies (their texts unread) and how many it has."""
    rows = s.execute(select(ArticleRow.id, ArticleRow.fetched_at, SourceRow.name, ArticleRow.title, ArticleRow.url, func.substr(ArticleRow.text, 1, OPENING))
                     .join(SourceRow, SourceRow.id == ArticleRow.source_id).where(ArticleRow.story_id == story_id)
                     .order_by(ArticleRow.id).limit(STORY_SHOWN)).all()
    size = s.scalar(select(func.count()).select_from(ArticleRow).where(ArticleRow.story_id == story_id)) or 0
    return [StoryCopy(a, at, source, title_or_opening(title, opening or ""), url) for a, at, source, title, url, opening in rows], size


def _deliveries(s: Session, alert_id: int) -> tuple[DeliveryState, ...]:
    deliveries = s.scalars(select(DeliveryRow).where(DeliveryRow.alert_id == alert_id).order_by(DeliveryRow.channel)).all()
    return tuple(DeliveryState(d.channel, d.status, d.attempts, d.next_attempt_at, d.sent_at, d.last_error, d.held_reason) for d in deliveries)
