"""One daemon at a time runs a shared store's periodic jobs: digests, the trends job, housekeeping (issue 18).

Several daemons on one PostgreSQL all schedule these jobs. Two running one at the same instant would
each read the same state ("this channel's digest is due", "this series is not firing") and each act on
it: a digest sent twice. So a run first takes its job's lock, `exclusive(db, job)`: a transaction
advisory lock, `pg_try_advisory_xact_lock(key)`, taken in a transaction of its own that stays open for
the run. A daemon that does not get it skips the run (said at debug level: it is the normal case with
two daemons) and the next run, in whichever daemon, does what is then due. Under the lock the run reads
the state (the held deliveries, the spike and silence states) and writes each outcome with its state in
one commit (an alert with its state row; a digest's deliveries leased to the run, then sent after the
lock goes: alerts/dispatch.send_digests) before the lock goes: the next holder sees it. The lock's transaction is idle meanwhile (the run's reads and writes are short
transactions on other connections), so it turns off for itself any `idle_in_transaction_session_timeout`
set on the server or role: ended by the server, it would free the job for another daemon mid-run.

Why an advisory lock and not a lease row per job (`UPDATE jobs SET lease_until = ... WHERE lease_until
< now`, which SQLite would take too): PostgreSQL drops it when the holder's connection ends, so a daemon
killed mid-run blocks the job for no lease (its committed outcomes are whole, the rest is redone by the
next run; a machine lost without closing its connections holds it until TCP gives up on them); it
needs no table and no migration; and a transaction lock survives PgBouncer in transaction mode, where a
session lock would not (docs/scaling.md). SQLite has one daemon per file (store/lock.py): nothing is
taken there and every run goes ahead, as before.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from monitor.errors import StoreError
from monitor.store.db import Database, unavailable_reason

log = logging.getLogger("monitor")

# The keys of the jobs' locks (store/stories.py, store/db.py have the story and schema locks' keys).
KEYS = {
    "digests": 0x6D6F6E2D64696765,  # "mon-dige"
    "trends": 0x6D6F6E2D7472656E,  # "mon-tren"
    "housekeeping": 0x6D6F6E2D686F7573,  # "mon-hous"
    "registry": 0x6D6F6E2D72656769,  # "mon-regi": a daemon entering the registry (daemon.register)
}
_TRY = text("SELECT pg_try_advisory_xact_lock(:key)")
_NO_IDLE_LIMIT = text("SET LOCAL idle_in_transaction_session_timeout = 0")  # for this transaction only


@contextmanager
def exclusive(db: Database, job: str) -> Iterator[bool]:
    """True for the block when this process runs `job` now (its lock taken; always on SQLite), False when
    another daemon is running it (skip the run). The lock is held until the block ends."""
    if db.sqlite:
        yield True
        return
    try:
        connection = db.engine.connect()
    except OperationalError as exc:
        raise StoreError(f"{db.name}: {unavailable_reason(exc)}") from exc
    try:
        try:
            transaction = connection.begin()
            connection.execute(_NO_IDLE_LIMIT)
            mine = bool(connection.execute(_TRY, {"key": KEYS[job]}).scalar())
        except OperationalError as exc:
            raise StoreError(f"{db.name}: {unavailable_reason(exc)}") from exc
        if not mine:
            log.debug("%s job skipped: another daemon is running it on this store", job)
        try:
            yield mine
        finally:
            with contextlib.suppress(DBAPIError):  # a connection lost has lost its lock with it
                transaction.rollback()  # ends the transaction: the lock goes
    finally:
        connection.close()
