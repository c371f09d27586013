"""`monitor status`: the daemons registered on the store (several may share a PostgreSQL store; one on
SQLite), each with its host, pid, last heartbeat and what it holds, and whether it is alive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.app.core import Core
from monitor.store import hosts, outbox
from monitor.store.db import database_name
from monitor.store.daemons import DaemonInfo, exited_here, listing, processes_here, unseen_older_here
from monitor.store.lock import holder

__all__ = ["DaemonInfo", "Status", "StatusVerbs"]


@dataclass(frozen=True)
class Status:
    """The store's name, whether it may be shared, the time of the listing and its daemons."""

    database: str
    shared: bool  # PostgreSQL: several daemons may run on it; SQLite: one at a time
    now: datetime
    daemons: list[DaemonInfo]
    hosts: dict[int, int]  # hosts each daemon holds now (a PostgreSQL store shared by daemons), by daemon id
    exited: frozenset[int] = frozenset()  # daemons of this host whose process is gone, their lease not yet over
    channels: tuple[str, ...] = ()  # this config's channels
    deliveries: dict[str, dict[str, int]] = field(default_factory=dict)  # deliveries not sent, by channel and state
    retrying: dict[str, outbox.Retrying] = field(default_factory=dict)  # channels failing now: their deliveries waiting for a retry
    unseen: frozenset[int] = frozenset()  # daemons of an older monitor of this host name whose pid runs nothing here: exited or not, unknown
    processes: dict[int, str] = field(default_factory=dict)  # daemons of this host whose process is seen: `stopped` (SIGSTOP) or `running`

    def exited_or_not(self, daemon: DaemonInfo) -> bool | None:
        """Whether a daemon's process is known to have exited (None: its row, an older monitor's, cannot tell)."""
        return True if daemon.id in self.exited else None if daemon.id in self.unseen else False

    def state(self, daemon: DaemonInfo) -> str:
        """`exited` (its process seen gone), `stopped` (seen stopped: SIGSTOP, Ctrl-Z), `alive` (beating), `exited?`
        (beating, an older monitor's row whose pid runs nothing here), `stalled` (its process seen running, its
        heartbeat older than its lease) or `gone` (its heartbeat older than its lease, its process not seen)."""
        seen = None if daemon.id in self.exited else self.processes.get(daemon.id)
        if seen == "stopped":
            return "stopped"
        if daemon.alive(self.now):
            return {True: "exited", None: "exited?", False: "alive"}[self.exited_or_not(daemon)]
        return "stalled" if seen == "running" else "gone"

    def as_json(self) -> dict[str, object]:
        """`monitor status --json`: plain values, times in ISO 8601 UTC."""
        return {
            "database": self.database, "shared": self.shared, "now": self.now.isoformat(), "channels": list(self.channels), "deliveries": self.deliveries,
            "retrying": {name: {"deliveries": r.deliveries, "next_attempt_at": r.next_attempt_at.isoformat(), "last_error": r.last_error}
                         for name, r in self.retrying.items()},
            "daemons": [
                {"id": d.id, "host": d.host, "pid": d.pid, "verb": d.verb, "started_at": d.started_at.isoformat(),
                 "heartbeat_at": d.heartbeat_at.isoformat(), "lease_seconds": d.lease_seconds, "alive": d.alive(self.now), "exited": self.exited_or_not(d), "state": self.state(d),
                 "feeds": d.holding.feeds, "deliveries": d.holding.deliveries, "files": d.holding.files, "hosts": self.hosts.get(d.id, 0)}
                for d in self.daemons
            ],
        }


class StatusVerbs(Core):
    """`monitor status` (read-only)."""

    def status(self) -> Status:
        now = datetime.now(UTC)
        channels = tuple(c.name for c in self.settings.channels)
        if (db := self.stored()) is None:  # no daemon has run on it
            return Status(database_name(self.settings.store.sqlalchemy_url), False, now, [], {}, channels=channels)
        daemons = listing(db)
        exited = exited_here(daemons)
        if db.sqlite and holder(self.settings.store.sqlalchemy_url) is None:  # no daemon runs on the file: its lock says so
            exited = frozenset(d.id for d in daemons)  # (a row of another boot, a crash's, is told by it)
        return Status(db.name, not db.sqlite, now, daemons, hosts.held(db, now), exited, channels, outbox.undelivered(db),
                      outbox.retrying(db), unseen_older_here(daemons) - exited, processes_here(daemons))
