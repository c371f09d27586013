"""One daemon per database, released by the kernel or the server when its process ends, however it ends.

Two `monitor run` (or a `run` and a `once`) on one database both poll and both send: alerts twice and
unique-key clashes. Until several daemons share the work (issue 18), the second one refuses to start,
naming the first. On SQLite the lock is `flock` on `<database>.lock`, which holds the holder's pid, host,
verb and start time as text; a SIGKILLed holder's lock goes with its process, the file stays and is reused.
On PostgreSQL it is a session advisory lock (DAEMON_LOCK_KEY) held by a connection of its own for the
block; the holder is named by that connection's application_name and start (pg_stat_activity), and the
server releases the lock when the connection goes. Other servers are not locked.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from monitor.errors import StoreError
from monitor.store.db import database_file, database_name, open_failure, parse_url

DAEMON_LOCK_KEY = 0x6D6F6E69746F72  # "monitor": the PostgreSQL advisory lock of the one daemon of a database


@contextmanager
def single_daemon(url: str, verb: str) -> Iterator[None]:
    """Hold the database's daemon lock for the block; StoreError naming the holder if another has it."""
    path = database_file(url)
    if path is None:
        if parse_url(url).get_backend_name() == "postgresql":
            with _advisory_lock(url, verb):
                yield
        else:  # in memory (nothing to share) or another server (not locked, see the docstring)
            yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"{lock}: cannot open the daemon lock file: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 500, 0).decode("utf-8", "replace").strip() or "another monitor (starting)"
            raise StoreError(
                f"{path} is in use by {holder} (lock {lock}): stop it first, or give this one another [store] path"
            ) from None
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"`{verb}` (pid {os.getpid()} on {socket.gethostname()}, since {started})\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock; so does the process ending, however it ends


_HOLDER = text(
    "SELECT a.application_name, a.backend_start, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = CAST(:high AS oid) AND l.objid = CAST(:low AS oid) AND l.objsubid = 1 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


@contextmanager
def _advisory_lock(url: str, verb: str) -> Iterator[None]:
    """Hold the database's daemon advisory lock on a connection of its own for the block."""
    parsed = parse_url(url)
    me = f"{verb}|{os.getpid()}|{socket.gethostname()}"[:63]  # application_name: the holder, for a second one to name
    try:
        engine = create_engine(parsed, poolclass=NullPool, connect_args={"application_name": me})
        connection = engine.connect()
    except (SQLAlchemyError, ImportError) as exc:
        raise StoreError(f"cannot open database {database_name(url)}: {open_failure(parsed, exc)}") from None
    try:
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": DAEMON_LOCK_KEY}).scalar()
        connection.commit()  # the session lock outlives the transaction; no transaction stays open
        if not got:
            row = connection.execute(_HOLDER, {"high": DAEMON_LOCK_KEY >> 32, "low": DAEMON_LOCK_KEY & 0xFFFFFFFF}).first()
            raise StoreError(f"{database_name(url)} is in use by {_holder(row)}: stop it first, or give this one another [store] url")
        yield
    finally:
        connection.close()  # closing the connection releases the lock; so does the server when the process dies
        engine.dispose()


def _holder(row: Sequence[Any] | None) -> str:
    """How a refusal names the holder of the advisory lock: `verb` (pid N on host, since ...)."""
    if row is None:
        return "another monitor (it just let go: try again)"
    app, since, server_pid = row
    parts = (app or "").split("|")
    when = f"since {since.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" if since else "since an unknown time"
    if len(parts) == 3:
        return f"`{parts[0]}` (pid {parts[1]} on {parts[2]}, {when})"
    return f"another client ({app or 'no application name'}, server pid {server_pid}, {when})"
