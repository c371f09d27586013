"""`monitor backup`: a consistent copy of the SQLite store while the daemon runs (SQLite's online backup API)."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from monitor.errors import StoreError
from monitor.store.db import FULL_BELOW, database_file, database_name, free_bytes, make_private

COMPANIONS = ("-wal", "-shm", "-journal")  # the files SQLite keeps beside a database, by the end of their names
PG_DUMP = "pg_dump --format=custom --file=monitor.dump 'postgresql://USER@HOST/DATABASE'"


def backup(url: str, dest: Path | str, busy_timeout: float = 30.0) -> Path:
    """Copy the database to `dest` (a new file, or a folder to put `<name>-<UTC time>.db` in); the path written.

    A `dest` string ending in a slash names a folder, which must exist (not a file of that name).

    The copy is made in one step of `sqlite3.Connection.backup` (a read transaction: a writer in WAL mode
    goes on meanwhile, and the copy is the database as of its start), into `<dest>.partial`, renamed when whole.
    """
    source = database_file(url)
    if source is None:
        raise StoreError(f"{database_name(url)} is not a SQLite file: back it up with pg_dump, e.g. {PG_DUMP} (docs/operations.md)")
    if not source.is_file():
        raise StoreError(f"{source}: no database to back up yet (the first `monitor once` or `monitor run` creates it)")
    given = str(dest)
    dest = Path(dest)
    if given.endswith(("/", os.sep)) and not dest.is_dir():
        raise StoreError(f"{given}: there is no folder {dest}: create it, or give another path")
    if dest.is_dir():
        dest = dest / f"{source.stem}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}{source.suffix or '.db'}"
    if dest.resolve() in {source.resolve().with_name(source.resolve().name + end) for end in COMPANIONS}:
        raise StoreError(f"{dest}: a file SQLite keeps beside the store {source} (it would delete or overwrite the copy): give another path")
    if dest.exists():
        raise StoreError(f"{dest} exists: give a new file or a folder (a backup never overwrites)")
    if not dest.parent.is_dir():
        raise StoreError(f"{dest}: there is no folder {dest.parent}: create it, or give another path")
    partial = dest.with_name(dest.name + ".partial")
    try:
        partial.unlink(missing_ok=True)  # a killed backup's leftover: SQLite would open it as the copy ("file is not a database")
        make_private(partial)  # a copy of the store holds what it holds: feeds' tokens
        src = sqlite3.connect(source, timeout=busy_timeout)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(partial, dest)
    except (sqlite3.Error, OSError) as exc:
        full = _full(str(exc), source, dest)  # before the partial copy goes, freeing its space
        partial.unlink(missing_ok=True)
        raise StoreError(f"cannot back up {source} to {dest}: {exc}{full}") from None
    return dest


def _full(reason: str, source: Path, dest: Path) -> str:
    """What a full file system has to do with a failed backup, in words ("" when none is full): SQLite says
    "disk I/O error" when it cannot make the store's -shm file, "database or disk is full" for the copy."""
    if reason not in ("disk I/O error", "database or disk is full") and not reason.startswith("[Errno 28]"):
        return ""
    for which, folder in (("the copy's", dest.parent), ("the store's", source.parent)):
        if (free := free_bytes(folder)) is not None and free < FULL_BELOW:
            return f": {which} file system ({folder}) is full: free space on it"
    return ""
