"""Files of folder sources already read, so a rescan or a restart reads nothing twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from monitor.store.db import Database
from monitor.store.tables import SeenFileRow, column_length, fit_key, table_of


_PATH_LENGTH = column_length(table_of(SeenFileRow).c.path)


def seen_versions(db: Database, paths: list[str]) -> dict[str, tuple[int, int]]:
    """(size, mtime_ns) of each of these paths that was read before, in one query per 500 paths."""
    out: dict[str, tuple[int, int]] = {}
    with db.session() as s:
        for i in range(0, len(paths), 500):
            rows = s.execute(select(SeenFileRow.path, SeenFileRow.size, SeenFileRow.mtime_ns).where(SeenFileRow.path.in_(paths[i : i + 500])))
            asked = {fit_key(p, _PATH_LENGTH): p for p in paths[i : i + 500]}  # a path too long to store as it is
            out.update({asked.get(path, path): (size, mtime) for path, size, mtime in rows})
    return out


def mark_seen(db: Database, path: str, size: int, mtime_ns: int, now: datetime) -> None:
    with db.session() as s:
        row = s.scalar(select(SeenFileRow).where(SeenFileRow.path == path))
        if row is None:
            s.add(SeenFileRow(path=path, size=size, mtime_ns=mtime_ns, seen_at=now))
        else:
            row.size, row.mtime_ns, row.seen_at = size, mtime_ns, now
