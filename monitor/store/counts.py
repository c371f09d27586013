"""Stories per actor, event and actor x event pair per hour (trend_counts): counted at ingest, read by trends.

Counting is one executemany of one upsert (INSERT ... ON CONFLICT DO UPDATE, SQLite and PostgreSQL),
on the connection of the transaction that stores the story's first article: a story is counted once,
with its article, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from datetime import datetime

from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Executable, Table, and_, case, delete, func, or_, select

from monitor.model import MatchResult
from monitor.store.db import Database, upsert_insert
from monitor.store.tables import TrendCountRow
from monitor.trends import Mention, bumps, hour_of

_COUNTS = cast(Table, TrendCountRow.__table__)


def _set(excluded: Any) -> dict[str, Any]:
    return {
        "stories": _COUNTS.c.stories + excluded.stories,
        "severity": case((excluded.severity > _COUNTS.c.severity, excluded.severity), else_=_COUNTS.c.severity),
        "score": _COUNTS.c.score + excluded.score,
    }


_KEY = [_COUNTS.c.actor, _COUNTS.c.event, _COUNTS.c.hour]


@cache
def _upsert(dialect: str) -> Executable:
    """The hour rows' upsert in this dialect, built once."""
    insert = upsert_insert(dialect, _COUNTS)
    return insert.on_conflict_do_update(index_elements=_KEY, set_=_set(insert.excluded))


def mentions(result: MatchResult) -> list[Mention]:
    """The watched names a story's first article matched."""
    return [Mention(m.kind, m.name, m.severity, m.cameo) for m in result.matches]


def count_many(connection: Connection, stories: Iterable[tuple[Sequence[Mention], datetime]]) -> None:
    """Add stories (what each names, when) to their hour rows: summed per row first, then one executemany
    (a feed's new stories are counted together, in the transaction that stores them)."""
    rows: dict[tuple[str, str, datetime], list[Any]] = {}  # key -> [stories, severity, score]
    for found, at in stories:
        hour = hour_of(at)
        for b in bumps(found):
            row = rows.setdefault((b.actor, b.event, hour), [0, 0, 0.0])
            row[0], row[1], row[2] = row[0] + 1, max(row[1], b.severity), row[2] + b.score
    if rows:
        connection.execute(_upsert(connection.dialect.name), [
            {"actor": actor, "event": event, "hour": hour, "stories": n, "severity": severity, "score": score}
            for (actor, event, hour), (n, severity, score) in rows.items()
        ])


def count_stories(db: Database, stories: Iterable[tuple[Sequence[Mention], datetime]]) -> None:
    """Count many stories in one transaction (tests, benchmarks, rebuilding)."""
    with db.session() as s:
        count_many(s.connection(), stories)


@dataclass(frozen=True)
class Cell:
    """One hour of one series."""

    actor: str
    event: str
    hour: datetime
    stories: int
    severity: int
    score: float


def cells(db: Database, since: datetime, actors: Sequence[str] = (), events: Sequence[str] = (), names: Sequence[str] = ()) -> list[Cell]:
    """Hour rows from `since` on: of these actors x events ("" included: [] means "the other side only");
    or, with `names`, every row naming one of them; with neither, every row."""
    c = _COUNTS.c
    query = select(c.actor, c.event, c.hour, c.stories, c.severity, c.score).where(c.hour >= since)
    if actors or events:
        query = query.where(_series(actors, events))
    elif names:
        query = query.where(or_(c.actor.in_(list(names)), c.event.in_(list(names))))
    with db.session() as s:
        return [Cell(a, e, h, n, sev, score) for a, e, h, n, sev, score in s.connection().execute(query.order_by(c.hour))]


def _series(actors: Sequence[str], events: Sequence[str]) -> ColumnElement[bool]:
    return and_(_COUNTS.c.actor.in_(list(actors) or [""]), _COUNTS.c.event.in_(list(events) or [""]))


def totals(db: Database, first: datetime, last: datetime, actors: Sequence[str], events: Sequence[str], at_least: int = 1) -> dict[tuple[str, str], int]:
    """Stories per (actor, event) series of these actors x events in the hours first..last, where at least `at_least`."""
    c = _COUNTS.c
    total = func.sum(c.stories)
    query = (select(c.actor, c.event, total).where(c.hour >= first, c.hour <= last, _series(actors, events))
             .group_by(c.actor, c.event).having(total >= at_least))
    with db.session() as s:
        return {(a, e): int(n) for a, e, n in s.connection().execute(query)}


def cells_in(db: Database, spans: Sequence[tuple[datetime, datetime]], actors: Sequence[str], events: Sequence[str]) -> list[Cell]:
    """Hour rows of these actors x events in the spans (first..last hour, both included)."""
    c = _COUNTS.c
    query = select(c.actor, c.event, c.hour, c.stories, c.severity, c.score).where(
        _series(actors, events), or_(*(and_(c.hour >= first, c.hour <= last) for first, last in spans)))
    with db.session() as s:
        return [Cell(a, e, h, n, sev, score) for a, e, h, n, sev, score in s.connection().execute(query)]


def prune(db: Database, before: datetime) -> int:
    """Forget hours before `before`; returns the rows deleted."""
    with db.session() as s:
        return s.connection().execute(delete(_COUNTS).where(_COUNTS.c.hour < before)).rowcount

