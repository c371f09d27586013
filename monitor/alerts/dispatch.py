"""The outbox dispatcher: claim due deliveries under a lease, send through Apprise, record the outcome.

A failure keeps Apprise's reason and is retried with exponential backoff and jitter; after
`max_attempts` the delivery is 'failed' and stays visible. A crash between sending and recording
can repeat that one delivery once its lease expires; the alert id in the message lets a receiver
drop the repeat.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial

from monitor import metrics
from monitor.alerts.channels import Notifier, digest_fields, not_configured
from monitor.alerts.policy import digest_due, digest_due_since, digest_title, hold_reason, render_digest
from monitor.errors import DeliveryError
from monitor.model import Held
from monitor.schedule import backoff_seconds
from monitor.settings import DeliverySettings
from monitor.store import daemons, jobs, outbox
from monitor.store.db import Database, utcnow

log = logging.getLogger("monitor")


UNCLAIMED_FOR = timedelta(hours=1)  # on a shared store, a channel's due deliveries no daemon took this long: in no daemon's config
CHANNELS_AT_ONCE = 16  # channels sent to at once, each on its own thread
RECORD_SECONDS = 5.0  # a send is over this long before its claim's lease ends, at the latest (`record_margin`)
FAILURES_IN_ROW = 2  # a channel that failed this many times in a row in a dispatch is not asked for the rest (one bad alert is not enough)


class ChannelsInUse:
    """What a daemon on a shared store has seen of the other daemons' channels (`daemons.channels_in_use`,
    looked at each heartbeat and before a digest run): when each channel was last in an alive daemon's
    config. A channel in none of them for `UNCLAIMED_FOR`, every look of this daemon meanwhile, is taken
    out of every config: a daemon restarting, or a config rolled out to one daemon after another, leaves a
    gap of seconds, not an hour."""

    def __init__(self) -> None:
        self._since: datetime | None = None  # the first look
        self._everything_at: datetime | None = None  # the last look at which a daemon did not say (it may have any channel)
        self._seen_at: dict[str, datetime] = {}

    def look(self, in_use: frozenset[str] | None, now: datetime) -> None:
        if self._since is None:
            self._since = now
        if in_use is None:
            self._everything_at = now
        else:
            self._seen_at.update((name, now) for name in in_use)

    def gone(self, name: str, now: datetime) -> bool:
        """In no alive daemon's config at any look for `UNCLAIMED_FOR` (or more) until now."""
        if self._since is None:
            return False
        last = max(t for t in (self._since, self._everything_at, self._seen_at.get(name)) if t is not None)
        return now - last >= UNCLAIMED_FOR


def dispatch_due(db: Database, notifier: Notifier, cfg: DeliverySettings, now: datetime, stopping: Callable[[], bool] = lambda: False,
                 watching_since: datetime | None = None, in_use: ChannelsInUse | None = None) -> int:
    """Send every claimed delivery (or hold it for its channel's digest), then the digests that are due.
    Once `stopping()` (the daemon stops), the deliveries not sent yet are given back, claimable at once (by the
    next start): a stop waits for the send under way, not for up to 50 to a channel that hangs.

    On a shared store, a channel this daemon's config lacks is another's (a config rolled out to one daemon
    first): left to it, not failed here as taken out of the config; but a dispatcher watching since
    `watching_since` (the daemon's start), an hour or more, gives up its deliveries due an hour ago that no
    daemon took meanwhile, as SQLite does at once (`monitor alerts --failed` lists them); and, with `in_use`,
    the alerts held for the digest of a channel in no running daemon's config for an hour."""
    # the claims' lease ends lease_seconds after `now`, the dispatch's start (tests give another `now`: taken as this
    # moment, before the give-ups' queries): no send may outlast it, when another dispatcher may claim the delivery again
    lease_end = time.monotonic() + cfg.lease_seconds
    sent = 0
    if not db.sqlite and watching_since is not None and now - watching_since >= UNCLAIMED_FOR:
        gone: Callable[[str], bool] = _every  # (no registry's channels given: every channel not ours)
        if in_use is not None:  # not one another daemon has, nor had in the last hour (a slow dispatch, a restart)
            in_use.look(daemons.channels_in_use(db, now), now)
            gone = partial(in_use.gone, now=now)
        for name, count in outbox.give_up_unclaimed(db, tuple(notifier.channels), now - UNCLAIMED_FOR, gone).items():
            metrics.DELIVERIES.labels(name, "gave_up").inc(count)
            log.warning("%s to channel %s given up: no daemon's config has it (none sent to it for an hour); put it back in a daemon's config, "
                        "then `monitor alerts retry --failed --channel %s`", _alerts(count), name, name, extra={"channel": name})
    claimed = outbox.claim_due(db, now, cfg.lease_seconds, channels=None if db.sqlite else tuple(notifier.channels))
    by_channel: dict[str, list[outbox.DueDelivery]] = {}
    for due in claimed:
        by_channel.setdefault(due.channel, []).append(due)
    if len(by_channel) <= 1:  # (no thread for one channel)
        sent += sum(_send_channel(db, notifier, cfg, now, group, stopping, lease_end) for group in by_channel.values())
    else:  # each channel on its own thread: one that hangs holds back only its own deliveries
        with ThreadPoolExecutor(max_workers=min(len(by_channel), CHANNELS_AT_ONCE), thread_name_prefix="dispatch") as pool:
            sent += sum(pool.map(lambda group: _send_channel(db, notifier, cfg, now, group, stopping, lease_end), by_channel.values()))
    return sent + send_digests(db, notifier, now, cfg, in_use)


def record_margin(lease_seconds: float) -> float:
    """How long before its claim's lease ends a send is over (cut off if need be): time to record its outcome, the cut's
    rounds and Apprise's second for a channel of several services included (a quarter of a lease under 20 s)."""
    return min(RECORD_SECONDS, lease_seconds / 4)


def _send_channel(db: Database, notifier: Notifier, cfg: DeliverySettings, now: datetime, claimed: list[outbox.DueDelivery],
                  stopping: Callable[[], bool], lease_end: float) -> int:
    """Send one channel's claimed deliveries in order (or hold them for its digest); how many were sent. What is left
    once the daemon stops or half the lease has passed is given back; once the channel failed twice in a row, what is
    left waits `backoff_seconds` for it (no attempt counted: a channel that is down is not asked 50 times). A send has
    half the lease, and ends `record_margin` before the lease does at the latest (one begun late has less): its outcome
    is recorded while the delivery is still this dispatcher's. The deliveries held are written together, before the
    next send and at the end (a full hour holds the dispatch's 50 in one transaction, not 50)."""
    holds: dict[str, list[outbox.DueDelivery]] = {}
    sent = _send_each(db, notifier, cfg, now, claimed, stopping, lease_end, holds)
    _write_holds(db, holds)
    return sent


def _write_holds(db: Database, holds: dict[str, list[outbox.DueDelivery]]) -> None:
    """Hold the deliveries kept for their digest, one transaction for each reason; one log line each."""
    for reason, dues in holds.items():
        channel = dues[0].channel
        outbox.hold(db, [due.id for due in dues], reason)
        metrics.DELIVERIES.labels(channel, "held").inc(len(dues))
        log.info("%s to %s held for the digest (%s): %s", _alerts(len(dues)), channel, reason, " ".join(due.alert_uid for due in dues),
                 extra={"channel": channel})
    holds.clear()


def _send_each(db: Database, notifier: Notifier, cfg: DeliverySettings, now: datetime, claimed: list[outbox.DueDelivery],
               stopping: Callable[[], bool], lease_end: float, holds: dict[str, list[outbox.DueDelivery]]) -> int:
    """`_send_channel`'s loop: the deliveries to hold are added to `holds`, written before each send."""
    deadline, last_end = lease_end - cfg.lease_seconds / 2, lease_end - record_margin(cfg.lease_seconds)
    sent, failed_in_row, through, last_error = 0, 0, False, ""
    sent_last_hour: int | None = None
    for n, due in enumerate(claimed):
        left = [d.id for d in claimed[n:]]
        if failed_in_row >= FAILURES_IN_ROW:
            outbox.postpone(db, left, utcnow() + timedelta(seconds=cfg.backoff_seconds),
                            f"not tried yet: channel {due.channel!r} failed {failed_in_row} times in a row: {last_error}")
            log.info("channel %s failed %d times in a row: %s wait %.0fs for it", due.channel, failed_in_row, _alerts(len(left)),
                     cfg.backoff_seconds, extra={"channel": due.channel})
            return sent
        if stopping() or time.monotonic() > deadline:
            outbox.release(db, left)
            log.info("dispatch %s: %d deliver%s to %s given back", "stopped" if stopping() else "ran past half the lease", len(left),
                     "y" if len(left) == 1 else "ies", due.channel, extra={"channel": due.channel})
            return sent
        channel = notifier.channels.get(due.channel)
        fields = {"alert": due.alert_uid, "channel": due.channel}
        if sent_last_hour is None:  # counted once a dispatch, then as it sends (a burst of thousands: one query, not one each)
            sent_last_hour = outbox.sent_since(db, due.channel, now - timedelta(hours=1)) if channel and channel.max_per_hour else 0
        reason = hold_reason(channel, due.severity, now, sent_last_hour) if channel else None
        if reason:
            holds.setdefault(reason, []).append(due)
            continue
        _write_holds(db, holds)
        try:
            partly = notifier.send(due.channel, due.title, due.body, due.tags, json.loads(due.context or "{}"), done=due.done,
                                   within=min(cfg.lease_seconds / 2, last_end - time.monotonic()))
        except DeliveryError as exc:
            attempt = due.attempts + 1
            final = attempt >= cfg.max_attempts or channel is None  # a channel taken out of the config: no retry brings it back
            delay = backoff_seconds(attempt, cfg.backoff_seconds, cfg.backoff_max_seconds, random.random())
            outbox.record_failure(db, due.id, str(exc), utcnow() + timedelta(seconds=delay), final, exc.took)
            state = "gave up" if final else f"retry in {delay:.0f}s"
            metrics.DELIVERIES.labels(due.channel, "gave_up" if final else "failed").inc()
            log.warning("alert %s to %s failed (attempt %d, %s): %s", due.alert_uid, due.channel, attempt, state, exc, extra=fields)
            failed_in_row += channel is not None  # (one gone from the config fails at once: all its deliveries are given up)
            last_error = str(exc)
            continue
        failed_in_row = 0
        outbox.record_sent(db, due.id, utcnow(), partly)
        metrics.DELIVERIES.labels(due.channel, "sent").inc()
        if partly:  # not retried: the recipients who took it would get it again, and the server refused the others for good or for now
            log.warning("alert %s sent to %s, not to all: %s", due.alert_uid, due.channel, partly, extra=fields)
        else:
            log.info("alert %s sent to %s", due.alert_uid, due.channel, extra=fields)
        sent += 1
        sent_last_hour += 1
        if not through:  # the channel works: what failed while it was down goes now, not at its retry (up to an hour)
            through = True
            if waiting := outbox.retry_now(db, due.channel, now):  # (it was down: those that gave up meanwhile wait for the operator)
                gave_up = outbox.gave_up(db, due.channel)
                log.info("channel %s answers again: %s waiting for a retry go%s now%s", due.channel, _alerts(waiting), "es" if waiting == 1 else "",
                         f"; {_alerts(gave_up)} to it gave up earlier (`monitor alerts --failed`): `monitor alerts retry --failed --channel "
                         f"{due.channel}` sends {'it' if gave_up == 1 else 'them'} again" if gave_up else "", extra={"channel": due.channel})
    return sent


def send_digests(db: Database, notifier: Notifier, now: datetime, cfg: DeliverySettings | None = None, in_use: ChannelsInUse | None = None) -> int:
    """One message per channel whose held alerts are due; a failed digest stays held and is tried again.

    One daemon at a time reads the digests due (store/jobs.py: on a shared PostgreSQL, another daemon's dispatch
    skips them meanwhile): under the lock the held alerts due are leased to this run (`outbox.claim_held`,
    `[delivery] lease_seconds`), so no other daemon reads them as due again, and the lock is let go before
    the sends (a channel slow to answer held it up to half a lease, every daemon's digests waiting). A daemon
    killed between the channel's answer and the record has its digest sent again by the next run once the
    lease ends, or at its restart (at least once, as every delivery). A failed digest
    waits as a failed delivery does (`[delivery] backoff_seconds`, doubling up to `backoff_max_seconds`),
    never given up: a channel down for hours is not asked at every dispatch, nor logged each time. Alerts
    held for a channel this daemon's config lacks are given up: at once on SQLite (one daemon), on a shared
    store once `in_use` has seen the channel in no running daemon's config for an hour."""
    cfg = cfg or DeliverySettings()
    with jobs.exclusive(db, "digests") as mine:
        due = _due_digests(db, notifier, now, cfg, in_use) if mine else []
    return sum(_send_digest(db, notifier, now, cfg, *digest) for digest in due)  # (the lock let go: a slow channel holds no other daemon's digests)


Digest = tuple[str, list[Held], tuple[str, ...], frozenset[str]]  # channel, its held alerts, their tags, the services that took them


def _due_digests(db: Database, notifier: Notifier, now: datetime, cfg: DeliverySettings, in_use: ChannelsInUse | None) -> list[Digest]:
    """Under the digests' lock: the digests due, their alerts claimed for the send (`outbox.claim_held`), and the held
    alerts of a channel gone given up."""
    due: list[Digest] = []
    looked = False
    maybe = [name for name, oldest in outbox.held_since(db, now).items()  # (a channel gone: its held alerts may be given up)
             if (channel := notifier.channels.get(name)) is None or digest_due_since(channel, oldest, now)]
    if not maybe:
        return due
    for name, held in outbox.held(db, now, maybe).items():
        channel = notifier.channels.get(name)
        if channel is None and not db.sqlite and in_use is not None and not looked:  # another daemon's, or in none
            in_use.look(daemons.channels_in_use(db, now), now)
            looked = True
        if channel is None and (db.sqlite or (in_use is not None and in_use.gone(name, now))):
            error = not_configured(name) if db.sqlite else in_no_config(name)  # (one daemon: no other config has it), as a pending one is
            outbox.give_up_held(db, [h.delivery_id for h in held], error)
            metrics.DELIVERIES.labels(name, "gave_up").inc(len(held))
            log.warning("%s held for the digest of %s given up: %s", _alerts(len(held)), name, error, extra={"channel": name})
            continue
        if channel is None:
            continue
        # one digest for each set of tags (an Apprise config file routes each service its own alerts) and of services
        # that took the alerts at an earlier try (they are left out: nothing is sent to a service twice), each due and
        # waiting after a failure on its own (one that failed on a service that is down holds back no other)
        groups: dict[tuple[tuple[str, ...], frozenset[str]], list[Held]] = {}
        for h in held:
            groups.setdefault((h.tags if channel.config is not None else (), h.done), []).append(h)
        for (tags, done), group in groups.items():
            if digest_due(channel, group, now) and not any(h.tries and h.retry_at and h.retry_at > now for h in group):
                due.append((name, group, tags, done))
    outbox.claim_held(db, [h.delivery_id for _, group, _, _ in due for h in group], now + timedelta(seconds=cfg.lease_seconds))
    return due


def _send_digest(db: Database, notifier: Notifier, now: datetime, cfg: DeliverySettings, name: str, held: list[Held], tags: tuple[str, ...],
                 done: frozenset[str]) -> int:
    """Send one digest of these held alerts to the channel's services they are routed to (`tags`) that have not taken
    them (`done`); how many alerts went."""
    channel = notifier.channels[name]
    title, body = render_digest(channel, held, notifier.body_max(name, digest_title(len(held))))
    try:
        partly = notifier.send(name, title, body, tags, fields=digest_fields([h.alert_uid for h in held]), done=done, within=cfg.lease_seconds / 2)
    except DeliveryError as exc:
        tries = max(h.tries for h in held) + 1
        delay = backoff_seconds(tries, cfg.backoff_seconds, cfg.backoff_max_seconds, random.random())
        outbox.record_digest_failure(db, [h.delivery_id for h in held], str(exc), tries, now + timedelta(seconds=delay), exc.took)
        log.warning("digest of %s to %s failed (try %d, again in %.0fs): %s", _alerts(len(held)), name, tries, delay, exc, extra={"channel": name})
        return 0
    outbox.record_digest_sent(db, [h.delivery_id for h in held], utcnow())
    metrics.DELIVERIES.labels(name, "digest_sent").inc(len(held))
    if partly:
        log.warning("digest of %s sent to %s, not to all: %s", _alerts(len(held)), name, partly, extra={"channel": name})
    else:
        log.info("digest of %s sent to %s", _alerts(len(held)), name, extra={"channel": name})
    return len(held)


def _every(_: str) -> bool:
    return True


def in_no_config(channel_name: str) -> str:
    """Why alerts held for a channel no running daemon has (a shared store) are given up, and what to do."""
    return (f"channel {channel_name!r} is in no running daemon's config (for an hour): put it back in a daemon's config, "
            f"then `monitor alerts retry --failed --channel {channel_name}`")


def _alerts(count: int) -> str:
    return f"{count} alert{'s' if count != 1 else ''}"
