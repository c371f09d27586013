"""Sources and their health: fetch validators, last success, last error, error count, next check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from monitor.model import FetchState
from monitor.store.db import Database
from monitor.store.tables import SourceRow


@dataclass(frozen=True)
class SourceHealth:
    """What `monitor sources`-style listings show."""

    id: int
    name: str
    kind: str
    location: str
    last_checked_at: datetime | None
    last_success_at: datetime | None
    next_check_at: datetime | None
    error_count: int
    last_error: str | None
    last_new_items: int


def ensure_source(db: Database, name: str, kind: str, location: str) -> int:
    """The id of a source, created on first sight; its location follows the config."""
    with db.session() as s:
        row = s.scalar(select(SourceRow).where(SourceRow.name == name))
        if row is None:
            row = SourceRow(name=name, kind=kind, location=location, error_count=0, last_new_items=0)
            s.add(row)
            s.flush()
        elif row.location != location or row.kind != kind:
            row.location, row.kind, row.etag, row.last_modified = location, kind, None, None
        return row.id


def fetch_state(db: Database, source_id: int) -> FetchState:
    with db.session() as s:
        row = s.get_one(SourceRow, source_id)
        return FetchState(row.etag, row.last_modified)


def is_due(db: Database, source_id: int, now: datetime) -> bool:
    with db.session() as s:
        due = s.get_one(SourceRow, source_id).next_check_at
        return due is None or due <= now


def record_success(db: Database, source_id: int, now: datetime, next_check: datetime, new_items: int, state: FetchState | None = None) -> None:
    """A good check: the error count resets, validators are kept for the next conditional GET."""
    with db.session() as s:
        row = s.get_one(SourceRow, source_id)
        row.last_checked_at = row.last_success_at = now
        row.next_check_at = next_check
        row.error_count, row.last_error, row.last_new_items = 0, None, new_items
        if state is not None:
            row.etag, row.last_modified = state.etag, state.last_modified


def record_failure(db: Database, source_id: int, now: datetime, next_check: datetime, error: str) -> bool:
    """A failed check: one line of error, the count goes up; True when the error differs from the last."""
    line = error.splitlines()[0][:1000] if error else "unknown error"
    with db.session() as s:
        row = s.get_one(SourceRow, source_id)
        changed = row.last_error != line
        row.last_checked_at, row.next_check_at = now, next_check
        row.error_count = (row.error_count or 0) + 1
        row.last_error = line
        return changed


def error_count(db: Database, source_id: int) -> int:
    with db.session() as s:
        return s.get_one(SourceRow, source_id).error_count or 0


def list_sources(db: Database) -> list[SourceHealth]:
    with db.session() as s:
        return [
            SourceHealth(
                r.id, r.name, r.kind, r.location, r.last_checked_at, r.last_success_at,
                r.next_check_at, r.error_count, r.last_error, r.last_new_items,
            )
            for r in s.scalars(select(SourceRow).order_by(SourceRow.id))
        ]
