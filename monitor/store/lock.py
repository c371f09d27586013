"""One daemon per database: a lock file beside a SQLite database, released by the kernel when its process ends.

Two `monitor run` (or a `run` and a `once`) on one database both poll and both send: alerts twice and
unique-key clashes. Until several daemons share the work (issue 18), the second one refuses to start,
naming the first. The lock is `flock` on `<database>.lock`, which holds the holder's pid, host, verb
and start time as text; a SIGKILLed holder's lock goes with its process, the file stays and is reused.
Other engines (PostgreSQL) are not locked yet: a lease row will come with issue 18.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from monitor.errors import StoreError
from monitor.store.db import database_file


@contextmanager
def single_daemon(url: str, verb: str) -> Iterator[None]:
    """Hold the database's daemon lock for the block; StoreError naming the holder if another has it."""
    path = database_file(url)
    if path is None:  # in memory (nothing to share) or not SQLite (not locked yet, see the docstring)
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
