"""What every verb of the façade shares: the config file, its settings, and the one Database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from monitor.errors import MonitorError, StoreError
from monitor.settings import Settings, load_settings
from monitor.store import migrate, sources
from monitor.store.daemons import running as daemons_running
from monitor.store.db import Database, database_file, database_name
from monitor.store.lock import holder, older_holder


class Core:
    """The settings (read on first use) and the store (opened on first use, closed by `close`). With
    `sends=False` (verbs that send nothing and check no channel) the channels' `${VAR}` need not be set."""

    def __init__(self, config: Path, *, sends: bool = True, noted: Callable[[str], None] | None = None) -> None:
        self.config = config
        self.sends = sends
        self.noted = noted  # told, in one line, of what opening the store did unasked: an upgrade of its schema

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.config, sends=self.sends)

    @cached_property
    def db(self) -> Database:
        """The configured store, brought to the head revision or refused as [store] upgrade says."""
        return self.open_store()

    def stored(self, writes: bool = False) -> Database | None:
        """The store for a verb that only reads it; None while its SQLite file does not exist: reading
        creates nothing (a mistyped [store] path is not made a new, empty database). An older store is refused in
        one line, not upgraded (the older monitor can still open it). On a full file system a SQLite file is read
        as it stands (`Database(reading=True)`), with a warning line. `writes`: for a verb that changes rows of a
        store there (re-queues, dismisses), opened as [store] upgrade says."""
        if not self.created():
            return None
        if "db" not in self.__dict__:
            self.__dict__["db"] = self.open_store() if writes else self.open_store(reading=True)
        return self.db

    def required_store(self, writes: bool = False) -> Database:
        """The store for a verb that must read a row of it; MonitorError saying that it is not made yet (`no_store`)."""
        if (db := self.stored(writes)) is None:
            raise MonitorError(self.no_store() or "")
        return db

    def existing_store(self, nothing: str) -> Database:
        """The store for a verb that changes what is in it (a source's state, a mute, a prune, its schema); MonitorError
        saying `nothing` while its SQLite file does not exist: a mistyped [store] path is not made a new, empty store."""
        if not self.created():
            raise MonitorError(self.no_store(nothing, "; `monitor db upgrade --create` makes it empty now") or "")
        return self.db

    def made_store(self) -> Database:
        """The store for a verb that adds to it (a feed, a mute), made when its SQLite file does not exist, as the daemon's
        first run makes it, with a note saying so: a mistyped [store] path made, in silence, a store no daemon reads."""
        if self.created():
            return self.db
        db = self.db
        if self.noted is not None:
            self.noted(f"no store was at {database_file(self.settings.store.sqlalchemy_url)} ([store] in {self.config}): made a new one for "
                       "this (as the daemon's first run does): if a daemon runs already, give the [store] path it uses")
        return db

    def no_store(self, nothing: str = "nothing stored to show", making: str = "") -> str | None:
        """One line saying that the configured SQLite store is not made yet, and what to do (a verb that only reads
        lists nothing from it, and makes none: a mistyped [store] path looked like a quiet store); None when it exists."""
        if self.created():
            return None
        return (f"no store at {database_file(self.settings.store.sqlalchemy_url)} ([store] in {self.config}): {nothing}; the daemon "
                f"makes it at its first run (`monitor run`, or `monitor once`{making}): if one runs already, give the [store] path it uses")

    def created(self) -> bool:
        """Whether the configured store exists (a PostgreSQL one is the server's: taken as existing)."""
        path = database_file(self.settings.store.sqlalchemy_url)
        return path is None or path.exists()

    def open_store(self, upgrade: str | None = None, reading: bool = False) -> Database:
        """A Database on the configured store; `upgrade` overrides [store] upgrade ("auto" for `db upgrade`,
        which refuses a running daemon itself). With [store] upgrade = "auto", an older store is upgraded
        only while no daemon runs on it: the tables would change under it (as `db upgrade` refuses); `reading`
        (a verb that only reads) never upgrades it."""
        store = self.settings.store
        mode = upgrade or ("never" if reading and store.upgrade == "auto" else store.upgrade)  # a verb that only reads upgrades nothing
        db = Database(store.sqlalchemy_url, upgrade=mode, config=self.settings.path, reading=reading,
                      before_upgrade=None if upgrade else self._not_beside_a_daemon)
        sources.register_feeds_secrets(db)  # those added with `sources add`: their errors and links shown masked by every verb
        if db.upgraded_from and self.noted is not None:  # the daemon's log says it; a verb logs nothing
            self.noted(f"{db.name}: schema upgraded from revision {', '.join(db.upgraded_from)} to {migrate.head()} ([store] upgrade = "
                       f"\"{mode}\"): downgrades are not offered; to go back to the older monitor, restore a backup taken before")
        if db.tightened and self.noted is not None:
            self.noted(f"{db.name}: {db.tightened}")
        if db.loose and self.noted is not None:
            self.noted(f"{db.name}: readable by others than its owner ({db.loose}), though it holds the feeds' URLs with their tokens: "
                       f"`monitor db upgrade` (or the daemon's next start) makes it readable by its owner only, as monitor makes new stores")
        return db

    def _not_beside_a_daemon(self, revisions: tuple[str, ...]) -> None:
        """StoreError when a daemon runs on the store: its SQLite lock's holder, or PostgreSQL's live heartbeats."""
        url = self.settings.store.sqlalchemy_url
        listed = " (the older monitor's `monitor status` lists it)"
        if database_file(url) is not None:
            running = [held] if (held := holder(url)) else []
        else:
            now = datetime.now(UTC)
            running = [daemon.named(now) for daemon in daemons_running(url, now)]
            listed = listed if running else ""  # one of a monitor before the registry (revision 0006), holding its lock, has no `monitor status`
            running += [held] if (held := older_holder(url)) else []
        if running:
            raise StoreError(f"{database_name(url)}: schema revision {', '.join(revisions)} is older than this monitor's {migrate.head()}, and "
                             f"{'; '.join(running)} runs on this store{listed}: restart it with this monitor "
                             "(it upgrades the store as it starts), then run this again")

    def close(self) -> None:
        """Close the store if a verb opened it."""
        db = self.__dict__.pop("db", None)
        if db is not None:
            db.close()
