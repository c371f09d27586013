"""The registry of daemons on one database (issue 18): several `monitor run` may share a PostgreSQL store,
each claiming its own feeds, files and deliveries; this table says who runs where and what each holds.

A daemon registers at start, its `heartbeat` job refreshes its row (with what it holds then), and a clean
stop deletes the row. A daemon whose heartbeat is older than its lease is gone (SIGKILL, a lost machine):
its claims have ended with their leases by then, and another daemon's heartbeat deletes its row a day later.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import InstrumentedAttribute

from monitor.store.db import Database, alive_daemons
from monitor.store.tables import DaemonRow

FORGET_AFTER = timedelta(days=1)  # a gone daemon's row is kept this long for `monitor status`


@dataclass(frozen=True)
class Holding:
    """What a daemon holds at a heartbeat: feeds, deliveries and folder files claimed and not yet recorded."""

    feeds: int = 0
    deliveries: int = 0
    files: int = 0


@dataclass(frozen=True)
class DaemonInfo:
    """A row of `monitor status`."""

    id: int
    host: str
    pid: int
    verb: str
    started_at: datetime
    heartbeat_at: datetime
    lease_seconds: float
    holding: Holding
    pid_space: str | None = None  # its boot and pid namespace (`pid_space()`): its pid means a process only there

    def alive(self, now: datetime) -> bool:
        """Its heartbeat is within its lease (else it is gone and its claims have ended)."""
        return now - self.heartbeat_at <= timedelta(seconds=self.lease_seconds)


def register(db: Database, verb: str, lease_seconds: float, now: datetime, channels: Collection[str] = (), sources: Mapping[str, str] | None = None) -> int:
    """This process as a daemon of the database, with its config's channels and sources (feeds, folders); returns its id."""
    with db.session() as s:
        row = DaemonRow(host=socket.gethostname()[:255], pid=os.getpid(), verb=verb[:32], started_at=now, heartbeat_at=now,
                        lease_seconds=lease_seconds, feeds=0, deliveries=0, files=0, channels=_names(channels), pid_space=pid_space(),
                        sources=_locations(sources or {}))
        s.add(row)
        s.flush()
        return row.id


def heartbeat(db: Database, daemon_id: int, now: datetime, holding: Holding, lease_seconds: float, channels: Collection[str] | None = None,
              sources: Mapping[str, str] | None = None) -> bool:
    """Refresh a daemon's row (and its channels and sources, given: a reloaded config's); False when it is no longer
    there (deleted as gone: register again)."""
    values: dict[str, object] = {"heartbeat_at": now, "lease_seconds": lease_seconds, "feeds": holding.feeds, "deliveries": holding.deliveries, "files": holding.files}
    if channels is not None:
        values["channels"] = _names(channels)
    if sources is not None:
        values["sources"] = _locations(sources)
    with db.session() as s:
        changed = s.execute(
            update(DaemonRow).where(DaemonRow.id == daemon_id).values(values)
            .returning(DaemonRow.id)
        ).first()
        s.execute(delete(DaemonRow).where(DaemonRow.heartbeat_at < now - FORGET_AFTER))
    return changed is not None


def _names(channels: Collection[str]) -> str:
    return json.dumps(sorted(channels), ensure_ascii=False)  # a name may hold any character, a newline too


def channels_in_use(db: Database, now: datetime) -> frozenset[str] | None:
    """The channels of the alive daemons' configs; None when one of them does not say (a monitor from
    before revision 0010: it may have any)."""
    with db.session() as s:
        rows = s.execute(select(DaemonRow.heartbeat_at, DaemonRow.lease_seconds, DaemonRow.channels)).all()
    alive = [channels for beat, lease, channels in rows if now - beat <= timedelta(seconds=lease)]
    if any(channels is None for channels in alive):
        return None
    return frozenset(name for channels in alive for name in json.loads(channels or "[]"))


def _locations(sources: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(sources.items())), ensure_ascii=False)


def sources_of_others(db: Database, now: datetime) -> dict[str, tuple[str, str]] | None:
    """The configured sources of the other running daemons, by name: each one's location (a feed's URL, a folder's
    path) and the daemon whose config gives it (`host H pid P`). Running: alive by their heartbeat, not this process,
    nor one of this host and pid namespace whose process is gone (SIGKILLed, being restarted). None when one of them
    does not say (a monitor from before revision 0013: it may have any)."""
    others = _running_others(db, now, DaemonRow.sources)
    if any(listed is None for _, listed in others):
        return None
    return {name: (location, daemon) for daemon, listed in others for name, location in json.loads(listed or "{}").items()}


def channels_of_others(db: Database, now: datetime) -> dict[str, frozenset[str]]:
    """The channels of the other running daemons' configs (as `sources_of_others`), by daemon (`host H pid P`); a
    daemon of a monitor before revision 0010 (its row says none) left out."""
    return {daemon: frozenset(json.loads(listed)) for daemon, listed in _running_others(db, now, DaemonRow.channels) if listed is not None}


def _running_others(db: Database, now: datetime, column: InstrumentedAttribute[str | None]) -> list[tuple[str, str | None]]:
    """The other running daemons (`host H pid P`) with their `column`: alive by their heartbeat, not this process, nor
    one of this host and pid namespace whose process is gone."""
    with db.session() as s:
        rows = s.execute(select(DaemonRow.host, DaemonRow.pid, DaemonRow.pid_space, DaemonRow.heartbeat_at, DaemonRow.lease_seconds, column)).all()
    return [(f"{host} pid {pid}", value) for host, pid, space, beat, lease, value in rows if now - beat <= timedelta(seconds=lease)
            and not (_here(host, space) and pid == os.getpid()) and not _gone_here(host, space, pid)]


def clock_offset(db: Database, now: datetime) -> float:
    """How many seconds `now` (this machine's clock) is ahead of the PostgreSQL server's (negative: behind)."""
    with db.session() as s:
        server = s.execute(select(func.now())).scalar_one()
    return float((now - server).total_seconds())


def deregister(db: Database, daemon_id: int) -> None:
    """A clean stop: the daemon's row goes (its claims were given back or recorded)."""
    with db.session() as s:
        s.execute(delete(DaemonRow).where(DaemonRow.id == daemon_id))


@cache
def pid_space() -> str:
    """This process's boot and pid namespace ("<boot id>/<namespace inode>"): the processes whose pids it can
    tell running or gone are those of the same. Containers may share a host name (`network_mode: host`, a
    fixed `hostname:`), each with pids of its own; a reboot starts the pids again."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        return f"{boot}/{os.stat('/proc/self/ns/pid').st_ino}"[:64]
    except OSError:  # not Linux: the host name stands for it
        return ""


def _here(host: str, space: str | None) -> bool:
    """Whether a daemon's pid names a process this process can see (same host name, boot and pid namespace)."""
    return host == socket.gethostname()[:255] and space == pid_space()


def _gone_here(host: str, space: str | None, pid: int) -> bool:
    """Whether a daemon's row is of this host (and pid namespace) and its process is gone: not this process, and
    no process runs under its pid (SIGKILLed: it will not beat again)."""
    return _here(host, space) and pid != os.getpid() and not pid_running(pid)


@dataclass(frozen=True)
class Running:
    """A daemon that runs on a store, as a refusal names it."""

    host: str
    pid: int
    lease_until: datetime  # its heartbeat plus its lease: when it is taken as gone if it beats no more
    seen: bool  # its process was seen running (this host and pid namespace); else its heartbeat alone says it runs
    older: bool  # its row says no pid namespace (a monitor before revision 0010)

    def named(self, now: datetime) -> str:
        """`host pid N`, and for one whose process could not be seen, until when it holds the store if it was killed."""
        if self.seen:
            return f"{self.host} pid {self.pid}"
        whose = " of an older monitor, whose row says no pid namespace" if self.older else ""
        minutes = max(1, -(-int((self.lease_until - now).total_seconds()) // 60))
        return (f"{self.host} pid {self.pid}{whose}: taken as running by its heartbeat; if it was killed, until its lease ends at "
                f"{self.lease_until:%H:%M:%S} UTC (in {minutes} min)")


def running(url: str, now: datetime) -> list[Running]:
    """The daemons registered on a store (of any revision) that run: alive by their heartbeat, and, for one of this
    host and pid namespace, by its process (a SIGKILLed one will not beat again). One of another host or namespace,
    or of a monitor before revision 0010 (its row says no namespace: its pid may be another container's), is taken
    as running until its lease ends."""
    out = []
    for host, pid, space, beat, lease in alive_daemons(url, now):
        here = _here(host, space)
        if not here or pid_running(pid):
            out.append(Running(host, pid, beat + timedelta(seconds=lease), here, space is None))
    return out


def forget_dead_here(db: Database) -> int:
    """Delete the rows of daemons of this host (and pid namespace) whose process is gone (SIGKILLed: no clean
    stop); how many. On SQLite, whose lock the caller holds (no other daemon runs on the file), every row is a dead
    one's: of another boot (a crash, a reboot) or saying no pid namespace (a monitor before revision 0010) too."""
    here = socket.gethostname()[:255]
    with db.session() as s:
        rows = s.scalars(select(DaemonRow) if db.sqlite else select(DaemonRow).where(DaemonRow.host == here))
        dead = [r.id for r in rows if (db.sqlite and r.pid != os.getpid()) or _gone_here(r.host, r.pid_space, r.pid)]
        if dead:
            s.execute(delete(DaemonRow).where(DaemonRow.id.in_(dead)))
    return len(dead)


def exited_here(listed: Sequence[DaemonInfo]) -> frozenset[int]:
    """The ids of the listed daemons of this host whose process has exited without a clean stop (SIGKILLed):
    they will not beat again, though what they held stays theirs until their lease ends."""
    return frozenset(d.id for d in listed if _gone_here(d.host, d.pid_space, d.pid))


def unseen_older_here(listed: Sequence[DaemonInfo]) -> frozenset[int]:
    """The ids of the listed daemons of an older monitor (their row says no pid namespace: before revision 0010) of this
    host name under whose pid no process runs here: killed, unless they run in another container of the same host
    name; taken as running by their heartbeat until their lease ends."""
    here = socket.gethostname()[:255]
    return frozenset(d.id for d in listed if d.pid_space is None and d.host == here and not pid_running(d.pid))


def pid_running(pid: int) -> bool:
    """Whether a process of this host runs under that pid."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it runs
        return True
    return True


def processes_here(listed: Sequence[DaemonInfo]) -> dict[int, str]:
    """The state of the process of each listed daemon of this host (and pid namespace) that is still its own, by id:
    `stopped` (SIGSTOP, Ctrl-Z: it beats no more until `kill -CONT`) or `running`. A daemon whose pid runs nothing, or
    a process started after the daemon registered (its pid taken again since), is left out."""
    states = {d.id: _process_state(d.pid, d.started_at) for d in listed if _here(d.host, d.pid_space) and d.pid != os.getpid()}
    return {daemon: state for daemon, state in states.items() if state is not None}


def _process_state(pid: int, since: datetime) -> str | None:
    """`stopped` or `running` for the process under `pid`, if it started by `since`; None when none runs there (or only
    its exit status waits), or one started later. Read from /proc/PID/stat on Linux (its state and start time); elsewhere, any process under the pid."""
    if not Path("/proc/self/stat").exists():  # not Linux
        return "running" if pid_running(pid) else None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()  # the command name may hold ") "
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
    except OSError:  # no such process
        return None
    started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 of stat: clock ticks after boot
    if started > since.timestamp() + 2:  # (btime and the ticks are whole seconds and ticks: a margin)
        return None
    return None if fields[0] in ("Z", "X") else "stopped" if fields[0] in ("T", "t") else "running"  # (Z: exited, not yet reaped)


def listing(db: Database) -> list[DaemonInfo]:
    """Every registered daemon, the longest running first."""
    with db.session() as s:
        return [DaemonInfo(r.id, r.host, r.pid, r.verb, r.started_at, r.heartbeat_at, r.lease_seconds, Holding(r.feeds, r.deliveries, r.files), r.pid_space)
                for r in s.scalars(select(DaemonRow).order_by(DaemonRow.started_at, DaemonRow.id))]
