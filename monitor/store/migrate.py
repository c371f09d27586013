"""Schema revisions through Alembic's public API: the script directory shipped in monitor/store/migrations.

No alembic.ini: the Config is made here, its script_location the package's folder, and the connection
handed to env.py in `Config.attributes`. Alembic is imported only to upgrade, or to list the revisions of
a database that is not at the head: opening one at the head, or making a new one, reads and writes Alembic's
version table as Alembic does, with SQLAlchemy (the daemon spares Alembic's ≈ 10 MB).
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Connection, MetaData, PrimaryKeyConstraint, String, Table, inspect, select

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines are about itself; Database logs each upgrade
SCRIPTS = Path(__file__).with_name("migrations")
FIRST = "0001"  # the schema monitor made with create_all before migrations existed (migrations/first.py)
HEAD = "0013"  # the newest revision in migrations/versions (tests/test_migrations.py holds it to Alembic's head)
VERSIONS = Table(  # Alembic's version table, as MigrationContext makes it (alembic.ddl.impl.version_table_impl)
    "alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """Alembic's Config for monitor's scripts, running on `connection` (or, for a developer, on `url`)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    config.attributes["connection"] = connection
    return config


@cache
def scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The newest revision this monitor knows."""
    return HEAD


def known(revision: str) -> bool:
    return any(s.revision == revision for s in scripts().walk_revisions())


def current(connection: Connection) -> tuple[str, ...]:
    """The revision(s) the database is stamped with; () if it has no alembic_version table
    (MigrationContext.get_current_heads, without Alembic)."""
    if not inspect(connection).has_table(VERSIONS.name):
        return ()
    return tuple(connection.execute(select(VERSIONS.c.version_num)).scalars())


def upgrade(connection: Connection, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


def stamp(connection: Connection, revision: str) -> None:
    """Record `revision` without running any migration in a database stamped with none (new, or made before
    migrations) whose tables are already that schema: Alembic's version table and its one row."""
    VERSIONS.create(connection, checkfirst=True)
    connection.execute(VERSIONS.insert().values(version_num=revision))


def first_revision_problem(connection: Connection) -> str | None:
    """How a database made before migrations differs from the first revision: a table of it lacking a
    column, said in words; None if every table it has has every column (missing tables are created)."""
    from monitor.store.migrations.first import metadata

    return lacking(connection, metadata, tables_too=False)


def lacking(connection: Connection, metadata: MetaData, tables_too: bool = True) -> str | None:
    """The first column of `metadata`'s tables that the live database lacks (with `tables_too`, or table), said in
    words; None if it lacks none."""
    live = inspect(connection)
    tables = set(live.get_table_names())
    for table in metadata.sorted_tables:
        if table.name not in tables:
            if tables_too:
                return f"table {table.name} is missing"
            continue
        have = {c["name"] for c in live.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                return f"table {table.name} lacks column {column.name}"
    return None


def create_first_tables(connection: Connection) -> None:
    """The first revision's tables that a database made before migrations lacks (outlines came later)."""
    from monitor.store.migrations.first import metadata

    metadata.create_all(connection)


def state(connection: Connection) -> dict[str, Any]:
    """What `monitor db current` says: the database's revision(s), the head, whether it has tables."""
    return {"current": current(connection), "head": head(), "tables": bool(inspect(connection).get_table_names())}
