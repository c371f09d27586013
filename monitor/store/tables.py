"""ORM tables: sources (with fetch state), articles, matches, alerts, deliveries, seen files, trend counts and states."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import BigInteger, ColumnElement, DateTime, Dialect, Float, ForeignKey, Index, Integer, LargeBinary, String, Table, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC on every backend, read back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


KEY_BYTES = 1024  # well under PostgreSQL's limit for one b-tree index entry (about 2700 bytes)


def fit_key(value: str, length: int) -> str:
    """`value` if it fits `length` characters and KEY_BYTES bytes; else a prefix of it that does, with the
    SHA-256 of the whole: still unique, and storable (and indexable) on every backend."""
    data = value.encode("utf-8", "surrogatepass")
    if len(value) <= length and len(data) <= KEY_BYTES:
        return value
    digest = hashlib.sha256(data).hexdigest()
    head = data[: min(KEY_BYTES, length) - len(digest) - 1].decode("utf-8", "ignore")
    return f"{head[: length - len(digest) - 1]}#{digest}"


def table_of(model: type[DeclarativeBase]) -> Table:
    """A mapped class's Core table, typed as one (the ORM types `__table__` as any FromClause)."""
    return cast(Table, model.__table__)


def column_length(column: ColumnElement[Any]) -> int:
    """The declared length of a string column (KeyString's or String's)."""
    length = getattr(column.type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"column {column} has no length")
    return length


class KeyString(TypeDecorator[str]):
    """A bounded string that may be a key (a GUID, a URL, a path, a name): a longer value is stored as
    fit_key made it, on SQLite as on PostgreSQL (which would refuse it), in writes and lookups alike."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        length = getattr(self.impl, "length", None) or KEY_BYTES
        return fit_key(value, length) if value is not None else None


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime}


class SourceRow(Base):
    """A feed or folder, with its fetch state and health."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(KeyString(500), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # feed | folder
    location: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16), default="config")  # config | added (by `monitor sources add`)
    enabled: Mapped[bool] = mapped_column(default=True)
    suspended: Mapped[bool] = mapped_column(default=False)
    every: Mapped[float | None]  # seconds between polls (feeds)
    full_text: Mapped[bool] = mapped_column(default=False)  # fetch each new entry's page for its body
    moved_to: Mapped[str | None] = mapped_column(Text)  # a permanent redirect seen, not adopted
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    last_checked_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_new_items: Mapped[int] = mapped_column(Integer, default=0)
    fetch_seconds: Mapped[float | None] = mapped_column(Float)  # its fetches' time, smoothed (a poll starts slow hosts first)
    claimed_until: Mapped[datetime | None]  # the lease a claim set as its next check (still the next check: claimed, not recorded)


class OutlineRow(Base):
    """Where a feed sits in an OPML file (its folder) and its site's page: kept to export them again.

    A table of its own, not columns of `sources`: a database made before it gains it by create_all."""

    __tablename__ = "outlines"
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    folder: Mapped[str] = mapped_column(KeyString(500), default="")
    html_url: Mapped[str | None] = mapped_column(Text)


class ArticleRow(Base):
    """One stored copy of an article; dedup keys are unique."""

    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("source_id", "guid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(KeyString(2048), unique=True)
    guid: Mapped[str | None] = mapped_column(KeyString(2048))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    published_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime] = mapped_column(index=True)  # prune and replay select by it (revision 0002)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)  # MinHash of the text (monitor/stories.py)
    shingles: Mapped[int] = mapped_column(Integer, default=0)
    matches: Mapped[list[MatchRow]] = relationship(back_populates="article", cascade="all, delete-orphan")
    source: Mapped[SourceRow] = relationship()
    story: Mapped[StoryRow | None] = relationship()


class StoryRow(Base):
    """Copies of one story from any number of sources; what its alerts have reported so far."""

    __tablename__ = "stories"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    severity: Mapped[int] = mapped_column(Integer, default=0)  # highest severity alerted
    reported: Mapped[str] = mapped_column(Text, default="")  # actors and events alerted, one per line
    last_alert_uid: Mapped[str | None] = mapped_column(String(32))


class MatchRow(Base):
    """An actor or event found in an article."""

    __tablename__ = "matches"
    __table_args__ = (Index("ix_matches_name_kind_article", "name", "kind", "article_id"),)  # an actor's stories per day (web view)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(Text)
    alias: Mapped[str] = mapped_column(Text)
    found: Mapped[str] = mapped_column(Text)
    start: Mapped[int]
    end: Mapped[int]
    score: Mapped[float]
    severity: Mapped[int] = mapped_column(Integer, default=0)
    article: Mapped[ArticleRow] = relationship(back_populates="matches")


class AlertRow(Base):
    """One alert per article, with the rendered message; `uid` is stable and carried in the message."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"), unique=True)  # None: a spike or health alert (0004)
    severity: Mapped[int]
    tags: Mapped[str] = mapped_column(Text)  # space-separated Apprise tags
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    context: Mapped[str] = mapped_column(Text, default="{}")  # JSON data for channel templates
    created_at: Mapped[datetime]
    article: Mapped[ArticleRow | None] = relationship()
    deliveries: Mapped[list[DeliveryRow]] = relationship(back_populates="alert", cascade="all, delete-orphan")


class DeliveryRow(Base):
    """The outbox: one row per alert and channel, sent by the dispatcher."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("alert_id", "channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    channel: Mapped[str] = mapped_column(KeyString(200))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending | held | sent | failed
    held_reason: Mapped[str | None] = mapped_column(String(32))  # why it waits for the digest
    via_digest: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    sent_to: Mapped[str | None] = mapped_column(Text)  # the channel's services (ids), and a mail's recipients (`to:` a hash of the address), that took it while others failed (space-separated)
    alert: Mapped[AlertRow] = relationship(back_populates="deliveries")


class MuteRow(Base):
    """An actor or a rule muted until a time: its hits alert nobody meanwhile (articles are still stored)."""

    __tablename__ = "mutes"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(KeyString(500), unique=True)
    until: Mapped[datetime]


class SeenFileRow(Base):
    """A file of a folder source already read, by path, size and modification time."""

    __tablename__ = "seen_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(KeyString(4096), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)  # bytes: a file may pass 2 GiB
    mtime_ns: Mapped[int] = mapped_column(BigInteger)  # nanoseconds since 1970: needs 64 bits (PostgreSQL's INTEGER has 32)
    seen_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]  # being read by a daemon until then (None: read); an ended lease is read again


class NoticeRow(Base):
    """What was said once of a folder's file (a link refused, an empty file, ...): kept in the store, so that runs of
    `monitor once` (from cron), like the daemon's scans, say each cause of each file once; forgotten once the file is gone."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("source_id", "subject", "cause"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(KeyString(4096))  # the file's path
    cause: Mapped[str] = mapped_column(KeyString(200))  # what was said of it: "empty", "large", a refusal's reason
    said_at: Mapped[datetime]


class TrendCountRow(Base):
    """Stories (not copies) per hour naming an actor (event ""), an event (actor "") or both (monitor/trends.py)."""

    __tablename__ = "trend_counts"
    actor: Mapped[str] = mapped_column(KeyString(500), primary_key=True)
    event: Mapped[str] = mapped_column(KeyString(500), primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True, index=True)
    stories: Mapped[int] = mapped_column(Integer, default=0)
    severity: Mapped[int] = mapped_column(Integer, default=0)  # highest of the hour's stories
    score: Mapped[float] = mapped_column(Float, default=0.0)  # escalation: severity- and Goldstein-weighted stories


class SpikeStateRow(Base):
    """A spike series that fired and has not fallen back yet: one alert per rise, across restarts."""

    __tablename__ = "spike_states"
    spike: Mapped[str] = mapped_column(KeyString(500), primary_key=True)
    actor: Mapped[str] = mapped_column(KeyString(500), primary_key=True)
    event: Mapped[str] = mapped_column(KeyString(500), primary_key=True)
    fired_at: Mapped[datetime]
    alert_uid: Mapped[str] = mapped_column(String(32))


class SourceSilenceRow(Base):
    """A source that went silent and was alerted about; deleted (with a "back" alert) when it publishes again.

    No foreign key: removing a source is not held up by it (a row left behind is deleted by the next check)."""

    __tablename__ = "source_silences"
    source_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    silent_since: Mapped[datetime]  # its latest article then
    alert_uid: Mapped[str] = mapped_column(String(32))


class HostClaimRow(Base):
    """A host whose feeds one daemon is polling (issue 18): the others leave it alone until that daemon
    is done with it or its lease ends, so `per_host` and `host_gap` hold across daemons."""

    __tablename__ = "host_claims"
    host: Mapped[str] = mapped_column(KeyString(255), primary_key=True)
    daemon_id: Mapped[int] = mapped_column(Integer)
    lease_until: Mapped[datetime]


class DaemonRow(Base):
    """A `monitor run` (or a `monitor once` while it runs) on this database (issue 18): where it runs, its last heartbeat and what it holds.

    Gone when its heartbeat is older than its lease (its claims have ended by then); a daemon stopping
    cleanly deletes its row."""

    __tablename__ = "daemons"
    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    verb: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime] = mapped_column(index=True)
    lease_seconds: Mapped[float] = mapped_column(Float)  # gone when its heartbeat is older than this
    feeds: Mapped[int] = mapped_column(Integer, default=0)  # feeds claimed and not yet recorded, at its last heartbeat
    deliveries: Mapped[int] = mapped_column(Integer, default=0)  # deliveries claimed and not yet recorded
    files: Mapped[int] = mapped_column(Integer, default=0)  # folder files claimed and not yet read
    pid_space: Mapped[str | None] = mapped_column(String(64), nullable=True)  # its boot and pid namespace (NULL: a monitor before 0010)
    channels: Mapped[str | None] = mapped_column(Text, nullable=True)  # its config's channel names, a JSON list (NULL: a monitor before 0010, any)
    sources: Mapped[str | None] = mapped_column(Text, nullable=True)  # its config's feeds and folders, a JSON object name: location (NULL: a monitor before 0013, any)
