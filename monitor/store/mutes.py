"""Mutes: an actor or rule name silenced until a time."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select

from monitor.store.db import Database
from monitor.store.tables import MuteRow


def mute(db: Database, name: str, until: datetime) -> None:
    with db.session() as s:
        row = s.scalar(select(MuteRow).where(MuteRow.name == name))
        if row is None:
            s.add(MuteRow(name=name, until=until))
        else:
            row.until = until


def unmute(db: Database, name: str) -> bool:
    with db.session() as s:
        return bool(cast(CursorResult[Any], s.execute(delete(MuteRow).where(MuteRow.name == name))).rowcount)


def active(db: Database, now: datetime) -> dict[str, datetime]:
    """Names muted at `now`, with the time each mute ends."""
    with db.session() as s:
        return {row.name: row.until for row in s.scalars(select(MuteRow).where(MuteRow.until > now))}
