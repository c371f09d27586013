"""What every verb of the façade shares: the config file, its settings, and the one Database."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from monitor.settings import Settings, load_settings
from monitor.store.db import Database, database_file


class Core:
    """The settings (read on first use) and the store (opened on first use, closed by `close`). With
    `sends=False` (verbs that send nothing and check no channel) the channels' `${VAR}` need not be set."""

    def __init__(self, config: Path, *, sends: bool = True) -> None:
        self.config = config
        self.sends = sends

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.config, sends=self.sends)

    @cached_property
    def db(self) -> Database:
        """The configured store, brought to the head revision or refused as [store] upgrade says."""
        return self.open_store()

    def stored(self) -> Database | None:
        """The store for a verb that only reads it; None while its SQLite file does not exist: reading
        creates nothing (a mistyped [store] path is not made a new, empty database). On a full file system
        a SQLite file is read as it stands (`Database(reading=True)`), with a warning line."""
        if not self.created():
            return None
        if "db" not in self.__dict__:
            self.__dict__["db"] = self.open_store(reading=True)
        return self.db

    def created(self) -> bool:
        """Whether the configured store exists (a PostgreSQL one is the server's: taken as existing)."""
        path = database_file(self.settings.store.sqlalchemy_url)
        return path is None or path.exists()

    def open_store(self, upgrade: str | None = None, reading: bool = False) -> Database:
        """A Database on the configured store; `upgrade` overrides [store] upgrade ("auto" for `db upgrade`)."""
        store = self.settings.store
        return Database(store.sqlalchemy_url, upgrade=upgrade or store.upgrade, config=self.settings.path, reading=reading)

    def close(self) -> None:
        """Close the store if a verb opened it."""
        db = self.__dict__.pop("db", None)
        if db is not None:
            db.close()
