"""Files of folder sources already read, so a rescan or a restart reads nothing twice.

Several daemons may watch one folder (issue 18): before reading a file, a daemon claims it by inserting
its row with a lease (`claim`: INSERT ... ON CONFLICT DO NOTHING, or DO UPDATE only where the row's lease
has ended); the one whose row went in reads it and marks it read (`mark_seen`: the lease cleared). A
daemon killed while reading leaves a lease that ends, and the file is read again by whoever claims next.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from monitor.store.db import Database, upsert_insert
from monitor.store.tables import SeenFileRow, column_length, fit_key, table_of

_PATH_LENGTH = column_length(table_of(SeenFileRow).c.path)


def versions(db: Database, paths: list[str], now: datetime | None = None) -> dict[str, tuple[int, int, bool]]:
    """(size, mtime_ns, read) of each of these paths that was read before (read: True) or is being read under a lease
    not over at `now` (False), in one query per 500 paths; a path whose reader's lease ended is left out."""
    out: dict[str, tuple[int, int, bool]] = {}
    with db.session() as s:
        for i in range(0, len(paths), 500):
            query = select(SeenFileRow.path, SeenFileRow.size, SeenFileRow.mtime_ns, SeenFileRow.lease_until.is_(None)).where(SeenFileRow.path.in_(paths[i : i + 500]))
            if now is not None:
                query = query.where(or_(SeenFileRow.lease_until.is_(None), SeenFileRow.lease_until >= now))
            asked = {fit_key(p, _PATH_LENGTH): p for p in paths[i : i + 500]}  # a path too long to store as it is
            out.update({asked.get(path, path): (size, mtime, bool(read)) for path, size, mtime, read in s.execute(query)})
    return out


def claim(db: Database, path: str, size: int, mtime_ns: int, now: datetime, until: datetime) -> bool:
    """Take a file to read until `until`: True if it was neither read nor being read by another daemon
    (a row whose lease ended is taken over). One statement, so two daemons never both get True."""
    values = {"path": path, "size": size, "mtime_ns": mtime_ns, "seen_at": now, "lease_until": until}
    insert = upsert_insert("sqlite" if db.sqlite else "postgresql", SeenFileRow).values(**values)
    statement = insert.on_conflict_do_update(
        index_elements=[SeenFileRow.path], set_={k: insert.excluded[k] for k in ("size", "mtime_ns", "seen_at", "lease_until")},
        where=SeenFileRow.lease_until.is_not(None) & (SeenFileRow.lease_until < now),
    ).returning(SeenFileRow.id)
    with db.session() as s:
        return s.execute(statement).first() is not None


def release(db: Database, path: str) -> None:
    """Give back a claimed file not read (it changed while read): it is claimed again once it settles."""
    with db.session() as s:
        s.execute(delete(SeenFileRow).where(SeenFileRow.path == path, SeenFileRow.lease_until.is_not(None)))


def release_all(db: Database) -> int:
    """Give back every claim (at a start where no other daemon is alive: they were the dead ones'); how many."""
    with db.session() as s:
        return len(s.scalars(delete(SeenFileRow).where(SeenFileRow.lease_until.is_not(None)).returning(SeenFileRow.id)).all())


def mark_seen(db: Database, path: str, size: int, mtime_ns: int, now: datetime) -> None:
    """The file was read (or could not be): never again; a claim's lease is cleared."""
    with db.session() as s:
        changed = s.execute(update(SeenFileRow).where(SeenFileRow.path == path)
                            .values(size=size, mtime_ns=mtime_ns, seen_at=now, lease_until=None).returning(SeenFileRow.id)).first()
        if changed is None:
            s.add(SeenFileRow(path=path, size=size, mtime_ns=mtime_ns, seen_at=now))



def forget_absent(db: Database, folder: str, present: Collection[str], before: datetime, nested: bool = True) -> int:
    """Forget the files read below `folder` (its resolved path) before `before` that are not `present` (the
    paths its listing has now; with `nested` False, only its own files, not its subfolders'): their rows
    would grow the table for ever. How many."""
    prefix = folder.rstrip("/") + "/"
    kept = {fit_key(p, _PATH_LENGTH) for p in present}
    query = select(SeenFileRow.id, SeenFileRow.path).where(SeenFileRow.path.startswith(prefix, autoescape=True),
                                                          SeenFileRow.lease_until.is_(None), SeenFileRow.seen_at < before)
    with db.session() as s:
        gone = [row_id for row_id, path in s.execute(query)  # (SQLite's LIKE ignores ASCII case: the prefix checked again)
                if path.startswith(prefix) and path not in kept and (nested or "/" not in path[len(prefix):])]
        for i in range(0, len(gone), 500):
            s.execute(delete(SeenFileRow).where(SeenFileRow.id.in_(gone[i : i + 500])))
    return len(gone)
