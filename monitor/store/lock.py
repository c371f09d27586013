"""One daemon per SQLite database, released by the kernel when its process ends, however it ends.

Two `monitor run` (or a `run` and a `once`) on one SQLite file would both poll and both send: alerts
twice, and SQLite has one writer at a time anyway. The second one refuses to start, naming the first.
The lock is `flock` on `<database>.lock`, which holds the holder's pid, host, verb and start time as
text; a SIGKILLed holder's lock goes with its process, the file stays and is reused.

On PostgreSQL several daemons share the database (issue 18): they claim feeds, files and deliveries
with leases (FOR UPDATE SKIP LOCKED), and register in the `daemons` table (`store/daemons.py`) instead
of taking a lock (a daemon of a monitor of revisions 0003 to 0005, before the registry, held a session advisory
lock instead: `older_holder` names it, so that an upgrade is not run under it). Other servers are not locked.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from monitor.errors import StoreError
from monitor.store.db import access_problem, database_file, database_name, make_folder, open_failure, parse_url


@contextmanager
def single_daemon(url: str, verb: str, busy: str = "stop it first, or give this one another [store] path") -> Iterator[None]:
    """Hold a SQLite database's daemon lock for the block; StoreError naming the holder if another has
    it, then `busy` (what to do). Elsewhere (PostgreSQL: daemons share it; in memory: nothing to share)
    nothing is held."""
    path = database_file(url)
    if path is None:
        yield
        return
    make_folder(path)
    lock = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        problem = access_problem(lock) if isinstance(exc, PermissionError) else None
        raise StoreError(f"{lock}: cannot open the daemon lock file: {exc.strerror}{f': {problem}' if problem else ''}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 500, 0).decode("utf-8", "replace").strip() or "another monitor (starting)"
            raise StoreError(
                f"{path} is in use by {holder} (lock {lock}): {busy}"
            ) from None
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"`{verb}` (pid {os.getpid()} on {socket.gethostname()}, since {started})\n".encode(), 0)
        except OSError:  # a full file system: the lock holds without its holder's line (the store then says what is wrong)
            pass
        yield
    finally:
        os.close(fd)  # closing releases the lock; so does the process ending, however it ends


def holder(url: str) -> str | None:
    """Who holds a SQLite database's daemon lock now (its line), or None: no one, or not a SQLite file."""
    path = database_file(url)
    if path is None:
        return None
    lock = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:  # no lock file: no daemon has run here
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # a holder's exclusive lock refuses it
        except BlockingIOError:
            return os.pread(fd, 500, 0).decode("utf-8", "replace").strip() or "another monitor (starting)"
        return None
    finally:
        os.close(fd)


OLDER_DAEMON_LOCK_KEY = 0x6D6F6E69746F72  # "monitor": the session advisory lock of the one daemon of monitors of revisions 0003 to 0005
_OLDER_HOLDER = text(
    "SELECT a.application_name, a.backend_start, l.pid FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = CAST(:high AS oid) AND l.objid = CAST(:low AS oid) AND l.objsubid = 1 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
).bindparams(high=OLDER_DAEMON_LOCK_KEY >> 32, low=OLDER_DAEMON_LOCK_KEY & 0xFFFFFFFF)


def older_holder(url: str) -> str | None:
    """The daemon of a monitor before the registry (revisions 0003 to 0005) running on a PostgreSQL store: it holds the
    one-daemon advisory lock those monitors took, and is named as they named it (`verb` (pid N on host, since ...),
    from its connection's application name); None when no one holds it, or the store is not PostgreSQL."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "postgresql":
        return None
    try:
        engine = create_engine(parsed, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                row = connection.execute(_OLDER_HOLDER).first()
        finally:
            engine.dispose()
    except (SQLAlchemyError, ImportError) as exc:
        raise StoreError(f"cannot open database {database_name(url)}: {open_failure(parsed, exc)}") from None
    if row is None:
        return None
    app, since, server_pid = row
    parts = (app or "").split("|")
    when = f"since {since.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" if since else "since an unknown time"
    if len(parts) == 3:
        return f"`{parts[0]}` (pid {parts[1]} on {parts[2]}, {when}) of a monitor before revision 0006"
    return f"a daemon of a monitor before revision 0006 (server pid {server_pid}, {when})"
