"""The delivery outbox: claim due deliveries under a lease, record success or failure."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Select, and_, func, or_, select, true, update

from monitor.model import Held
from monitor.store.db import Database, move_back
from monitor.store.tables import AlertRow, ArticleRow, DeliveryRow, SourceRow


@dataclass(frozen=True)
class DueDelivery:
    """A claimed delivery, with what to send."""

    id: int
    channel: str
    attempts: int
    alert_uid: str
    title: str
    body: str
    tags: tuple[str, ...]
    severity: int = 0
    context: str = "{}"
    done: frozenset[str] = frozenset()  # the channel's services that took it at an earlier try


@dataclass(frozen=True)
class AlertSummary:
    """A row of `monitor alerts`."""

    id: int
    uid: str
    created_at: datetime
    severity: int
    title: str
    source: str
    url: str | None
    deliveries: str  # e.g. "console:sent mail:pending(2)"
    last_error: str | None = None  # of a failed delivery


def claimable(now: datetime) -> ColumnElement[bool]:
    """A delivery a dispatcher may take now: pending, due, and not leased (or its lease expired)."""
    return and_(
        DeliveryRow.status == "pending",
        DeliveryRow.next_attempt_at <= now,
        or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until < now),
    )


def due_ids(db: Database, now: datetime, limit: int = 50) -> list[int]:
    """Ids of the deliveries claimable now, the most severe alerts first."""
    with db.session() as s:
        return list(s.scalars(
            select(DeliveryRow.id)
            .join(AlertRow, DeliveryRow.alert_id == AlertRow.id)
            .where(claimable(now))
            .order_by(AlertRow.severity.desc(), DeliveryRow.id)
            .limit(limit)
        ))


def claim(db: Database, ids: list[int], now: datetime, lease_seconds: float) -> list[DueDelivery]:
    """Lease these deliveries to us, each only if it is still claimable.

    The state is checked in the WHERE of the UPDATE itself, so that the check and the lease are one
    atomic step: of two dispatchers, one takes a delivery, and none takes one sent meanwhile.
    """
    lease_until = now + timedelta(seconds=lease_seconds)
    with db.session() as s:
        taken = [
            delivery_id for delivery_id in ids
            if cast(CursorResult[Any], s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, claimable(now))
                .values(lease_until=lease_until)
                .execution_options(synchronize_session=False)
            )).rowcount
        ]
        rows = {delivery.id: (delivery, alert) for delivery, alert in s.execute(
            select(DeliveryRow, AlertRow).join(AlertRow, DeliveryRow.alert_id == AlertRow.id).where(DeliveryRow.id.in_(taken))
        )} if taken else {}
    out = [
        DueDelivery(d.id, d.channel, d.attempts, a.uid, a.title, a.body, tuple(a.tags.split()), a.severity, a.context,
                    frozenset((d.sent_to or "").split()))
        for d, a in (rows[i] for i in taken)
    ]
    _holding(out, lease_until)
    return out


def claim_due(db: Database, now: datetime, lease_seconds: float, limit: int = 50, channels: Collection[str] | None = None) -> list[DueDelivery]:
    """Pending deliveries whose time has come and whose lease (if any) has expired, now leased to us.

    On PostgreSQL, where several daemons dispatch from one outbox (issue 18), one statement locks the
    claimable rows with FOR UPDATE SKIP LOCKED and leases them: a row another daemon is claiming is
    passed over, not waited for, and none is taken twice; with `channels`, only the deliveries to these
    (the daemon's own: another daemon, whose config has one more, sends to it). On SQLite, the one
    daemon's store: the ids, then `claim`, to every channel."""
    if db.sqlite:
        return claim(db, due_ids(db, now, limit), now, lease_seconds)
    lease_until = now + timedelta(seconds=lease_seconds)
    mine = DeliveryRow.channel.in_(channels) if channels is not None else true()
    picked = (select(DeliveryRow.id).join(AlertRow, DeliveryRow.alert_id == AlertRow.id).where(claimable(now), mine)
              .order_by(AlertRow.severity.desc(), DeliveryRow.id).limit(limit).with_for_update(of=DeliveryRow, skip_locked=True).cte("picked"))
    with db.session() as s:
        taken = list(s.scalars(update(DeliveryRow).where(DeliveryRow.id == picked.c.id).values(lease_until=lease_until).returning(DeliveryRow.id)))
        rows = s.execute(
            select(DeliveryRow, AlertRow).join(AlertRow, DeliveryRow.alert_id == AlertRow.id).where(DeliveryRow.id.in_(taken))
            .order_by(AlertRow.severity.desc(), DeliveryRow.id)
        ).all() if taken else []
        out = [DueDelivery(d.id, d.channel, d.attempts, a.uid, a.title, a.body, tuple(a.tags.split()), a.severity, a.context,
                    frozenset((d.sent_to or "").split())) for d, a in rows]
    _holding(out, lease_until)
    return out


_held_here: dict[int, datetime] = {}  # deliveries this process claimed and has not recorded yet, with their lease's end
_held_lock = threading.Lock()


def _holding(claimed: list[DueDelivery], until: datetime) -> None:
    with _held_lock:
        _held_here.update((d.id, until) for d in claimed)


def _recorded(delivery_id: int) -> None:
    with _held_lock:
        _held_here.pop(delivery_id, None)


def holding(now: datetime) -> int:
    """How many deliveries this process holds (its heartbeat's count): claimed, not yet sent, failed or
    held, and their lease not over (a dispatch that ended on a store error leaves its claims to expire)."""
    with _held_lock:
        for delivery_id in [i for i, until in _held_here.items() if until <= now]:
            del _held_here[delivery_id]
        return len(_held_here)


def give_up_unclaimed(db: Database, channels: Collection[str], due_by: datetime, gone: Callable[[str], bool] = lambda _: True) -> dict[str, int]:
    """Give up the pending deliveries to channels not in `channels` (this daemon's) due by `due_by` and not
    leased: on a shared store, no daemon whose config has their channel has taken them since (a channel
    taken out of every daemon's config; `gone(channel)` False: one still has it). Failed, as on SQLite,
    with the reason; how many, by channel."""
    unclaimed = and_(DeliveryRow.status == "pending", DeliveryRow.channel.not_in(channels), DeliveryRow.next_attempt_at <= due_by,
                     or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until < due_by))
    given_up: dict[str, int] = {}
    with db.session() as s:
        for channel in [c for c in s.scalars(select(DeliveryRow.channel).where(unclaimed).distinct()).all() if gone(c)]:
            error = (f"channel {channel!r} is in no running daemon's config (none sent to it for an hour): put it back in a daemon's config, "
                     f"then `monitor alerts retry --failed --channel {channel}`")
            moved = cast(CursorResult[Any], s.execute(
                update(DeliveryRow).where(unclaimed, DeliveryRow.channel == channel)
                .values(status="failed", attempts=DeliveryRow.attempts + 1, last_error=error, lease_until=None)
                .execution_options(synchronize_session=False)))
            if moved.rowcount:  # (none: another daemon took them meanwhile)
                given_up[channel] = int(moved.rowcount)
    return given_up


def retry_now(db: Database, channel: str, now: datetime) -> int:
    """The channel took a message: its deliveries that failed or were put off while it was down (`postpone`) and
    wait for a later retry (held ones: their digest's) are due now; how many. A delivery never tried (an alert stored
    after `now`, while the dispatch ran) waits for no retry: it is not counted."""
    with db.session() as s:
        tried = or_(DeliveryRow.attempts > 0, DeliveryRow.last_error.is_not(None))  # failed, or put off (`postpone` says why)
        waiting = or_(and_(DeliveryRow.status == "pending", tried), and_(DeliveryRow.status == "held", DeliveryRow.attempts > 0))
        moved = cast(CursorResult[Any], s.execute(
            update(DeliveryRow).where(DeliveryRow.channel == channel, waiting, DeliveryRow.next_attempt_at > now)
            .values(next_attempt_at=now).execution_options(synchronize_session=False)))
        return int(moved.rowcount or 0)


def gave_up(db: Database, channel: str) -> int:
    """How many deliveries to the channel gave up (`failed`, not dismissed)."""
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(DeliveryRow).where(DeliveryRow.channel == channel, DeliveryRow.status == "failed")) or 0)


def postpone(db: Database, delivery_ids: list[int], until: datetime, why: str) -> None:
    """Give back claimed deliveries not tried, due at `until` (their channel failed meanwhile, `why`), no attempt counted."""
    with db.session() as s:
        s.execute(update(DeliveryRow).where(DeliveryRow.id.in_(delivery_ids), DeliveryRow.status == "pending")
                  .values(lease_until=None, next_attempt_at=until, last_error=why[:2000]).execution_options(synchronize_session=False))
    for delivery_id in delivery_ids:
        _recorded(delivery_id)


def release_all(db: Database) -> int:
    """Give back every delivery claim (at a start where no other daemon is alive: they were the dead ones'); how many."""
    with db.session() as s:
        released = cast(CursorResult[Any], s.execute(update(DeliveryRow).where(DeliveryRow.status.in_(("pending", "held")), DeliveryRow.lease_until.is_not(None))
                                                     .values(lease_until=None).execution_options(synchronize_session=False)))
        return int(released.rowcount or 0)


def release(db: Database, delivery_ids: list[int]) -> None:
    """Give back claimed deliveries not sent (the daemon stops): their lease ended, claimable at once."""
    with db.session() as s:
        s.execute(update(DeliveryRow).where(DeliveryRow.id.in_(delivery_ids), DeliveryRow.status == "pending")
                  .values(lease_until=None).execution_options(synchronize_session=False))
    for delivery_id in delivery_ids:
        _recorded(delivery_id)


def record_sent(db: Database, delivery_id: int, now: datetime, note: str | None = None) -> None:
    """Sent; `note` kept as its error when some recipients refused it (a mail's)."""
    with db.session() as s:
        row = s.get_one(DeliveryRow, delivery_id)
        row.status, row.sent_at, row.lease_until, row.last_error = "sent", now, None, note[:2000] if note else None
        row.attempts += 1
    _recorded(delivery_id)


def record_failure(db: Database, delivery_id: int, error: str, next_attempt_at: datetime, final: bool, took: Collection[str] = ()) -> None:
    """Keep the reason; a final failure stays visible as 'failed'. `took`: the channel's services that took it all
    the same, added to those kept (a retry leaves them out)."""
    with db.session() as s:
        row = s.get_one(DeliveryRow, delivery_id)
        if took:
            row.sent_to = " ".join(sorted(set((row.sent_to or "").split()) | set(took)))
        row.attempts += 1
        row.last_error = error[:2000]
        row.lease_until = None
        row.next_attempt_at = next_attempt_at
        if final:
            row.status = "failed"
    _recorded(delivery_id)


def clock_stepped_back(db: Database, now: datetime, by: timedelta) -> int:
    """The wall clock stepped back by `by`: pending deliveries' retries set later than `now` were set by the
    clock ahead, and are moved back by the step (never before now). How many moved."""
    return move_back(db, DeliveryRow.next_attempt_at, now, by, DeliveryRow.status == "pending")


def latest_alerts(db: Database, limit: int, failed_only: bool = False) -> list[AlertSummary]:
    """The newest alerts (or only those with a delivery that gave up), with their delivery states: two queries
    whatever the limit (the alerts, then their deliveries), reading no article's text."""
    listed = select(AlertRow.id)
    if failed_only:
        listed = listed.where(AlertRow.id.in_(select(DeliveryRow.alert_id).where(DeliveryRow.status == "failed")))
    listed = listed.order_by(AlertRow.id.desc()).limit(limit)
    with db.session() as s:
        rows = s.execute(
            select(AlertRow.id, AlertRow.uid, AlertRow.created_at, AlertRow.severity, AlertRow.title, SourceRow.name, ArticleRow.url)
            .outerjoin(ArticleRow, AlertRow.article_id == ArticleRow.id)  # none: a spike or health alert
            .outerjoin(SourceRow, ArticleRow.source_id == SourceRow.id)
            .where(AlertRow.id.in_(listed.scalar_subquery())).order_by(AlertRow.id.desc())
        ).all()
        deliveries: dict[int, list[tuple[str, str, int, str | None]]] = {}
        for alert_id, channel, status, attempts, error in s.execute(
            select(DeliveryRow.alert_id, DeliveryRow.channel, DeliveryRow.status, DeliveryRow.attempts, DeliveryRow.last_error)
            .where(DeliveryRow.alert_id.in_(listed.scalar_subquery())).order_by(DeliveryRow.id)
        ):
            deliveries.setdefault(alert_id, []).append((channel, status, attempts, error))
    out = []
    for alert_id, uid, created_at, severity, title, source, url in rows:
        mine = deliveries.get(alert_id, [])
        states = " ".join(channel + ":" + status + (f"({attempts})" if status != "sent" and attempts else "")
                          for channel, status, attempts, _ in sorted(mine, key=lambda d: d[0]))
        error = next((error for _, status, _, error in mine if status == "failed"), None)
        out.append(AlertSummary(alert_id, uid, created_at, severity, title, source if source is not None else "(trends)", url, states, error))
    return out


def hold(db: Database, delivery_ids: Collection[int], reason: str) -> None:
    """Keep claimed deliveries for their channel's digest, in one transaction (a flood holds a dispatch's 50 at once)."""
    with db.session() as s:
        s.execute(update(DeliveryRow).where(DeliveryRow.id.in_(list(delivery_ids)))
                  .values(status="held", held_reason=reason, lease_until=None).execution_options(synchronize_session=False))
    for delivery_id in delivery_ids:
        _recorded(delivery_id)


def sent_since(db: Database, channel: str, since: datetime) -> int:
    """Alerts sent one by one on a channel since a time (flood control counts these)."""
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(DeliveryRow).where(
            DeliveryRow.channel == channel, DeliveryRow.status == "sent", DeliveryRow.via_digest.is_(False), DeliveryRow.sent_at >= since,
        )) or 0)


def held(db: Database, now: datetime | None = None, channels: Collection[str] | None = None) -> dict[str, list[Held]]:
    """Deliveries waiting for a digest, by channel (of `channels` only, if given), oldest first; with `now`, only those
    no digest under way holds (`claim_held`)."""
    out: dict[str, list[Held]] = {}
    of = true() if channels is None else DeliveryRow.channel.in_(list(channels))
    with db.session() as s:
        rows = s.execute(_held(now, DeliveryRow, AlertRow).where(of).order_by(AlertRow.created_at, DeliveryRow.id)).all()
        for delivery, alert in rows:
            out.setdefault(delivery.channel, []).append(Held(delivery.id, alert.uid, alert.title, alert.created_at, delivery.held_reason or "",
                                                             delivery.attempts, delivery.next_attempt_at, tuple(alert.tags.split()),
                                                             frozenset((delivery.sent_to or "").split())))
    return out


def held_since(db: Database, now: datetime) -> dict[str, datetime]:
    """When the oldest delivery `held(db, now)` would give arrived, by channel: counted by the database, so that a
    dispatch reads the held alerts only of a channel whose digest may be due (a flood leaves thousands held for an
    hour, and every dispatch of that hour read them all)."""
    with db.session() as s:
        rows = s.execute(_held(now, DeliveryRow.channel, func.min(AlertRow.created_at)).group_by(DeliveryRow.channel)).all()
    return {channel: oldest for channel, oldest in rows}


def _held(now: datetime | None, *columns: Any) -> Select[Any]:
    """`columns` of the held deliveries joined to their alerts; with `now`, of those no digest under way holds."""
    free = true() if now is None else or_(DeliveryRow.lease_until.is_(None), DeliveryRow.lease_until < now)
    return select(*columns).join(AlertRow, DeliveryRow.alert_id == AlertRow.id).where(DeliveryRow.status == "held", free)


def claim_held(db: Database, delivery_ids: list[int], until: datetime) -> None:
    """These held deliveries go in a digest being sent: leased until `until`, so that the digests' job lock can be let
    go before the send (a slow channel held it, on a shared store, for every daemon's digests) and no run meanwhile
    reads them as due. A daemon killed mid-send leaves them to the next run once the lease ends (`release_all` at once)."""
    with db.session() as s:
        s.execute(update(DeliveryRow).where(DeliveryRow.id.in_(delivery_ids), DeliveryRow.status == "held")
                  .values(lease_until=until).execution_options(synchronize_session=False))


def record_digest_sent(db: Database, delivery_ids: list[int], now: datetime) -> None:
    """These held deliveries went out in their channel's digest (those still held: none is sent twice)."""
    with db.session() as s:
        for row in s.scalars(select(DeliveryRow).where(DeliveryRow.id.in_(delivery_ids), DeliveryRow.status == "held")):
            row.status, row.sent_at, row.via_digest, row.last_error, row.lease_until = "sent", now, True, None, None


def record_digest_failure(db: Database, delivery_ids: list[int], error: str, tries: int, retry_at: datetime, took: Collection[str] = ()) -> None:
    """A digest of these held deliveries failed: they stay held, with the error and the tries (`monitor alerts`
    shows held(N)), and the channel's digest waits until `retry_at`; `took`: the channel's services that took it."""
    with db.session() as s:
        for row in s.scalars(select(DeliveryRow).where(DeliveryRow.id.in_(delivery_ids), DeliveryRow.status == "held")):
            row.attempts, row.last_error, row.next_attempt_at, row.lease_until = tries, error[:2000], retry_at, None
            if took:
                row.sent_to = " ".join(sorted(set((row.sent_to or "").split()) | set(took)))


def give_up_held(db: Database, delivery_ids: list[int], error: str) -> None:
    """These held deliveries' channel is gone from the config: failed (listed by `monitor alerts --failed`,
    re-queued by `alerts retry`), not held for a digest that never comes."""
    with db.session() as s:
        for row in s.scalars(select(DeliveryRow).where(DeliveryRow.id.in_(delivery_ids), DeliveryRow.status == "held")):
            row.status, row.attempts, row.last_error, row.lease_until = "failed", row.attempts + 1, error[:2000], None


def requeue(db: Database, alert_id: int, now: datetime, channels: Collection[str] | None = None) -> tuple[int, list[str]]:
    """Put an alert's failed (or dismissed) deliveries (to these channels: the config's) back in the queue with a fresh
    attempt count; how many, and the channels of those left (not among `channels`: they would give up again at once)."""
    with db.session() as s:
        rows = s.scalars(select(DeliveryRow).where(DeliveryRow.alert_id == alert_id, DeliveryRow.status.in_(("failed", "dismissed")))
                         .order_by(DeliveryRow.channel)).all()
        left = [row.channel for row in rows if channels is not None and row.channel not in channels]
        for row in rows:
            if row.channel not in left:
                if row.status == "dismissed" and row.last_error:  # no longer dismissed: the failure it had
                    row.last_error = row.last_error.split(DISMISSED_FAILURE, 1)[-1]
                row.status, row.attempts, row.next_attempt_at, row.lease_until = "pending", 0, now, None
        return len(rows) - len(left), left


def retry_alert_now(db: Database, alert_id: int, now: datetime) -> int:
    """An alert's deliveries waiting for a retry (they failed, and have not given up) are due now, their attempts kept;
    how many."""
    with db.session() as s:
        moved = cast(CursorResult[Any], s.execute(
            update(DeliveryRow).where(DeliveryRow.alert_id == alert_id, DeliveryRow.status == "pending", DeliveryRow.attempts > 0,
                                      DeliveryRow.next_attempt_at > now)
            .values(next_attempt_at=now).execution_options(synchronize_session=False)))
        return int(moved.rowcount or 0)


def requeue_failed(db: Database, now: datetime, channel: str | None = None) -> int:
    """Put every delivery that gave up (of one channel, or all) back in the queue with a fresh attempt count: after
    an outage longer than the retries last; returns how many."""
    with db.session() as s:
        failed = update(DeliveryRow).where(DeliveryRow.status == "failed", *([DeliveryRow.channel == channel] if channel is not None else []))
        moved = cast(CursorResult[Any], s.execute(failed.values(status="pending", attempts=0, next_attempt_at=now, lease_until=None)
                                                 .execution_options(synchronize_session=False)))
        return int(moved.rowcount or 0)


DISMISSED_FAILURE = "; it had failed: "


def dismissed_note(now: datetime, error: str | None) -> str:
    """What a dismissed delivery keeps as its error: when, by what, and the failure it had."""
    return f"dismissed {now:%Y-%m-%d %H:%M} UTC by `monitor alerts dismiss`{DISMISSED_FAILURE}{error or '(no reason kept)'}"[:2000]


def dismiss(db: Database, now: datetime, alert_id: int | None = None, channel: str | None = None) -> int:
    """Mark failed deliveries (an alert's, or every one, of one channel or all) 'dismissed': an operator dealt with
    them. They leave `monitor alerts --failed` and `status`, `retry --failed` leaves them, and they keep why; how many."""
    which = [DeliveryRow.status == "failed", *([DeliveryRow.alert_id == alert_id] if alert_id is not None else []),
             *([DeliveryRow.channel == channel] if channel is not None else [])]
    with db.session() as s:
        rows = s.scalars(select(DeliveryRow).where(*which)).all()
        for row in rows:
            row.status, row.last_error, row.lease_until = "dismissed", dismissed_note(now, row.last_error), None
        return len(rows)


@dataclass(frozen=True)
class Oldest:
    """The pending delivery waiting longest (for /healthz and the metrics)."""

    alert_uid: str
    channel: str
    since: datetime  # its alert's creation


def delivery_states(db: Database) -> dict[tuple[str, str], int]:
    """How many deliveries each (channel, state) has."""
    with db.session() as s:
        rows = s.execute(select(DeliveryRow.channel, DeliveryRow.status, func.count()).group_by(DeliveryRow.channel, DeliveryRow.status))
        return {(channel, status): int(n) for channel, status, n in rows}


def undelivered(db: Database) -> dict[str, dict[str, int]]:
    """How many deliveries of each channel are not sent, by state (pending, held, failed); channels with none left out."""
    out: dict[str, dict[str, int]] = {}
    with db.session() as s:
        rows = s.execute(select(DeliveryRow.channel, DeliveryRow.status, func.count()).where(DeliveryRow.status.in_(("pending", "held", "failed")))
                         .group_by(DeliveryRow.channel, DeliveryRow.status).order_by(DeliveryRow.channel, DeliveryRow.status))
        for channel, status, n in rows:
            out.setdefault(channel, {})[status] = int(n)
    return out


@dataclass(frozen=True)
class Retrying:
    """A channel's pending deliveries that failed (or were put off while it failed) and wait for a retry (`monitor status`)."""

    deliveries: int
    next_attempt_at: datetime  # the first of them
    last_error: str  # the latest failure's


def retrying(db: Database) -> dict[str, Retrying]:
    """The channels with deliveries waiting for a retry: how many, the next, and the last failure's words."""
    waiting = (DeliveryRow.status == "pending", DeliveryRow.last_error.is_not(None))
    with db.session() as s:
        counts = s.execute(select(DeliveryRow.channel, func.count(), func.min(DeliveryRow.next_attempt_at), func.max(DeliveryRow.id))
                           .where(*waiting).group_by(DeliveryRow.channel).order_by(DeliveryRow.channel)).all()
        errors = dict(s.execute(select(DeliveryRow.id, DeliveryRow.last_error).where(DeliveryRow.id.in_([row[3] for row in counts]))).tuples().all())
    return {channel: Retrying(int(n), first, errors.get(last) or "") for channel, n, first, last in counts}


def oldest_pending(db: Database, channels: Collection[str] | None = None) -> Oldest | None:
    """The pending (not held, not sent, not given up) delivery whose alert is the oldest, of those `channels` (None:
    of any); None if none."""
    query = (select(AlertRow.uid, DeliveryRow.channel, AlertRow.created_at).join(AlertRow, DeliveryRow.alert_id == AlertRow.id)
             .where(DeliveryRow.status == "pending"))
    if channels is not None:
        query = query.where(DeliveryRow.channel.in_(list(channels)))
    with db.session() as s:
        row = s.execute(query.order_by(AlertRow.created_at, DeliveryRow.id).limit(1)).first()
    return Oldest(row[0], row[1], row[2]) if row else None
