"""Hosts claimed by daemons sharing one database (issue 18): while a daemon polls a host's feeds it holds
the host's row, and the other daemons leave that host's feeds alone, so `per_host` and `host_gap` are
what the host sees from all of them. A daemon gives a host back when it has nothing of it left to
fetch; a killed daemon's hosts are taken over once their lease ends.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select

from monitor.store.db import Database, upsert_insert
from monitor.store.tables import HostClaimRow, column_length, fit_key, table_of

_HOST_LENGTH = column_length(table_of(HostClaimRow).c.host)
FORGET_AFTER = timedelta(days=1)  # a claim whose lease ended this long ago is deleted by any release


def claim(db: Database, hosts: Collection[str], daemon_id: int, now: datetime, until: datetime) -> set[str]:
    """Hold `hosts` for `daemon_id` until `until`: those no other daemon holds under a lease not ended
    (its own are renewed). Returns the hosts held. One statement: two daemons never both hold a host."""
    if not hosts:
        return set()
    asked = {fit_key(host, _HOST_LENGTH): host for host in hosts}  # a host name too long to store as it is
    insert = upsert_insert("sqlite" if db.sqlite else "postgresql", HostClaimRow).values([{"host": key, "daemon_id": daemon_id, "lease_until": until} for key in sorted(asked)])
    statement = insert.on_conflict_do_update(
        index_elements=[HostClaimRow.host], set_={"daemon_id": insert.excluded.daemon_id, "lease_until": insert.excluded.lease_until},
        where=or_(HostClaimRow.daemon_id == daemon_id, HostClaimRow.lease_until < now),
    ).returning(HostClaimRow.host)
    with db.session() as s:
        return {asked.get(key, key) for key in s.scalars(statement)}


def release(db: Database, hosts: Collection[str], daemon_id: int, now: datetime) -> None:
    """Give back `hosts` held by `daemon_id` (and forget claims whose lease ended a day ago)."""
    keys = [fit_key(host, _HOST_LENGTH) for host in hosts]
    with db.session() as s:
        if keys:
            s.execute(delete(HostClaimRow).where(HostClaimRow.host.in_(keys), HostClaimRow.daemon_id == daemon_id))
        s.execute(delete(HostClaimRow).where(HostClaimRow.lease_until < now - FORGET_AFTER))


def held(db: Database, now: datetime) -> dict[int, int]:
    """How many hosts each daemon holds under a lease not ended, by daemon id (for `monitor status`)."""
    with db.session() as s:
        rows = s.execute(select(HostClaimRow.daemon_id, func.count()).where(HostClaimRow.lease_until >= now).group_by(HostClaimRow.daemon_id))
        return {daemon_id: count for daemon_id, count in rows}
