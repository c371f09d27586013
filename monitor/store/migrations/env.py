"""Alembic's environment for monitor: runs on the connection monitor.store.migrate hands it.

Batch mode (render_as_batch) so that a later ALTER works on SQLite, which alters a table by copying it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from monitor.store.tables import Base

config = context.config
connection = config.attributes.get("connection")


def run(conn: Connection) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:  # a developer's `command.revision(..., autogenerate=True)` with sqlalchemy.url set on the Config
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
