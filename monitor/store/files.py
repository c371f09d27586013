"""Files of folder sources already read, so a rescan or a restart reads nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from monitor.store.db import Database
from monitor.store.tables import SeenFileRow


def is_seen(db: Database, path: str, size: int, mtime_ns: int) -> bool:
    with db.session() as s:
        row = s.scalar(select(SeenFileRow).where(SeenFileRow.path == path))
        return row is not None and row.size == size and row.mtime_ns == mtime_ns


def mark_seen(db: Database, path: str, size: int, mtime_ns: int, now: datetime) -> None:
    with db.session() as s:
        row = s.scalar(select(SeenFileRow).where(SeenFileRow.path == path))
        if row is None:
            s.add(SeenFileRow(path=path, size=size, mtime_ns=mtime_ns, seen_at=now))
        else:
            row.size, row.mtime_ns, row.seen_at = size, mtime_ns, now
