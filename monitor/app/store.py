"""The store's verbs: alerts (list, show, retry), stories, mutes, prune, backup, schema revisions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.app.core import Core
from monitor.errors import MonitorError, WatchlistError
from monitor.replay import parse_duration, parse_until
from monitor.store import mutes, outbox
from monitor.store import sources as source_store
from monitor.store import stories as story_store
from monitor.store.alert_view import AlertDetail, alert_detail, find_alert
from monitor.store.daemons import running as daemons_running
from monitor.store.db import database_file, database_name, made_owner_only, schema_revision
from monitor.store.retention import Pruned
from monitor.model import Watchlist
from monitor.watchlist import load_watchlist, mutable_name, mute_suggestion


@dataclass(frozen=True)
class Revision:
    """`monitor db current`/`upgrade`: the database's name, its revisions before (None: no file yet;
    () with tables: made before migrations), whether it had tables, and this monitor's head."""

    database: str
    revisions: tuple[str, ...] | None
    has_tables: bool
    head: str
    first: str  # the first revision, which a database made before migrations is stamped at
    newer: tuple[str, ...] = ()  # its revisions this monitor does not know: a newer monitor's
    tightened: str = ""  # what `db upgrade` did to the mode of a SQLite file readable by others (Database.tightened)


@dataclass(frozen=True)
class Prune:
    database: str
    keep_days: int
    cutoff: datetime
    pruned: Pruned


class StoreVerbs(Core):
    """Verbs reading or changing the store's alerts, stories and mutes, and the store itself."""

    def alerts(self, limit: int, failed_only: bool = False) -> list[outbox.AlertSummary]:
        db = self.stored()
        return outbox.latest_alerts(db, limit, failed_only=failed_only) if db else []

    def alert_id(self, ref: str, writes: bool = False) -> int:
        """The alert a number or an Alert id names; MonitorError when none. `writes`: for a verb that changes its deliveries."""
        db = self.required_store(writes)
        alert_id = find_alert(db, ref)
        if alert_id is None:
            raise MonitorError(f"no alert {ref!r}: give a number from the first column of `monitor alerts` or the Alert id printed in an alert")
        return alert_id

    def alert(self, ref: str) -> AlertDetail:
        alert_id = self.alert_id(ref)  # first: none in a store not made yet, which is then not made
        source_store.register_feeds_secrets(self.db)  # an article's link, shown with its signature, may carry its feed's token
        return alert_detail(self.db, alert_id)

    def not_sent_to(self, alert: AlertDetail) -> list[tuple[str, str]]:
        """The config's channels the alert has no delivery to, each with why: the alerts' tags it takes are others, or
        it takes them and came into the config after the alert was raised."""
        missing = [c for c in self.settings.channels if c.name not in {d.channel for d in alert.deliveries}]
        if not missing:
            return []
        from monitor.alerts.channels import channel_tags, route  # (Apprise, for a channel's config file, only when one is missing)

        tags = tuple(alert.tags.split())
        said = []
        for channel in missing:
            if route([channel], tags):
                said.append((channel.name, "it takes this alert's tags, but was not in the config when the alert was raised"))
            else:
                takes = sorted(channel_tags(channel) or ())
                said.append((channel.name, f"it takes alerts tagged {', '.join(takes) or '(none)'}; this one is tagged {', '.join(tags) or '(none)'}"))
        return said

    def retry_alert(self, ref: str) -> tuple[int, int, list[str], int]:
        """Re-queue an alert's failed (or dismissed) deliveries to the config's channels, and make those waiting for a
        retry due now: (the alert's id, how many re-queued, the channels not in the config whose deliveries were left,
        how many waited for a retry)."""
        alert_id = self.alert_id(ref, writes=True)
        now = datetime.now(UTC)
        waiting = outbox.retry_alert_now(self.db, alert_id, now)
        return alert_id, *outbox.requeue(self.db, alert_id, now, [c.name for c in self.settings.channels]), waiting

    def dismiss_alert(self, ref: str) -> tuple[int, int]:
        """Mark an alert's failed deliveries dismissed: (the alert's id, how many)."""
        alert_id = self.alert_id(ref, writes=True)
        return alert_id, outbox.dismiss(self.db, datetime.now(UTC), alert_id=alert_id)

    def dismiss_failed(self, channel: str | None = None) -> int:
        """Mark every failed delivery (of one channel, or all) dismissed: how many (a channel gone from the config too)."""
        db = self.stored(writes=True)
        return outbox.dismiss(db, datetime.now(UTC), channel=channel) if db else 0

    def retry_failed(self, channel: str | None = None) -> int:
        """Re-queue every delivery that gave up (of one channel, or all): how many. A channel not in the config is
        refused: its deliveries would give up again at the next dispatch (or a mistyped name found none)."""
        names = [c.name for c in self.settings.channels]
        if channel is not None and channel not in names:
            raise MonitorError(f"{self.config}: no channel {channel!r} in the config (its channels: {', '.join(names) or 'none'}): "
                               "put it back in the config first, or name one of them")
        db = self.stored(writes=True)
        return outbox.requeue_failed(db, datetime.now(UTC), channel) if db else 0

    def stories(self, limit: int) -> list[story_store.StorySummary]:
        db = self.stored()
        return story_store.recent_stories(db, limit) if db else []

    def mutes(self) -> list[tuple[str, datetime]]:
        """The mutes in force, by name."""
        db = self.stored()
        return sorted(mutes.active(db, datetime.now(UTC)).items()) if db else []

    def mute(self, name: str, for_: str = "6h", until: str | None = None) -> tuple[str, datetime, tuple[str, ...]]:
        """Mute the actor, rule or spike `name` (as the watchlist spells it) for a span or until a time; with the
        actor's units (a mute silences the actor named, not its units)."""
        now = datetime.now(UTC)
        end = parse_until(until, now, "--until") if until else now + parse_duration(for_, "--for")  # a usage mistake first
        watchlist = load_watchlist(self.settings.watchlist)
        target = mutable_name(watchlist, name)
        if target is None:
            raise MonitorError(f"{self.settings.watchlist}: no actor, rule or spike named {name!r}: {mute_suggestion(watchlist, name)}")
        mutes.mute(self.made_store(), target, end)
        return target, end, watchlist.units(target)

    def unmute(self, name: str) -> tuple[str, bool]:
        """Lift a mute now: the name as muted (the watchlist's spelling, any case given, as `mute` takes it; else as
        given: a name since taken out of the watchlist), and False when there was none. A name that is neither muted nor
        an actor, rule or spike of the watchlist (an alias, a typo) is a MonitorError saying which it may mean: the mute
        meant stays in force."""
        try:
            watchlist: Watchlist | None = load_watchlist(self.settings.watchlist)
        except WatchlistError:
            watchlist = None
        target = (mutable_name(watchlist, name) if watchlist else None) or name
        db = self.existing_store("no mute to lift")
        lifted = mutes.unmute(db, target) or (target != name and mutes.unmute(db, name))
        if not lifted and watchlist is not None and target == name and mutable_name(watchlist, name) is None:
            raise MonitorError(f"no mute of {name!r} to lift, and {self.settings.watchlist} has no actor, rule or spike of that name: "
                               f"{mute_suggestion(watchlist, name, 'monitor mute --off')} (`monitor mute` lists the mutes in force)")
        return target, lifted

    def prune(self, days: int | None = None) -> Prune:
        """Delete what is older than `days` (default: [store] keep_days); refused while a daemon prunes the store."""
        from monitor.pipeline import folders_of
        from monitor.scanning import forget_gone
        from monitor.store import jobs
        from monitor.store.retention import prune

        keep = days or self.settings.store.keep_days
        if not keep:
            raise MonitorError(f"{self.config}: [store] keep_days is 0 (keep everything): give --days N, or set keep_days")
        cutoff = datetime.now(UTC) - timedelta(days=keep)
        self.existing_store("nothing to prune")
        with jobs.exclusive(self.db, "housekeeping") as mine:  # not beside a daemon's own daily prune (PostgreSQL)
            if not mine:
                raise MonitorError(f"{self.db.name}: a daemon is pruning this store now (its housekeeping): run `monitor prune` again in a few minutes")
            forgotten = forget_gone(self.db, folders_of(self.settings), cutoff)
            pruned = replace(prune(self.db, cutoff), files=forgotten)
        return Prune(self.db.name, keep, cutoff, pruned)

    def backup(self, path: Path | str) -> tuple[str, Path]:
        """Copy the SQLite store to `path` (ending in a slash: a folder): (the database's name, the file written)."""
        from monitor.store.backup import backup

        url = self.settings.store.sqlalchemy_url
        return database_name(url), backup(url, path)

    def db_current(self) -> Revision:
        """The store's schema revision, without changing the database; MonitorError where no SQLite store is (a mistyped
        [store] path, or before the first run: a script asking for the revision is not told all is well)."""
        from monitor.store import migrate

        if missing := self.no_store(f"no schema revision to show (this monitor's newest is {migrate.head()})"):
            raise MonitorError(missing)
        return self._revision()

    def _revision(self) -> Revision:
        """The store's schema revision (that of a store not made yet: none)."""
        from monitor.store import migrate

        url = self.settings.store.sqlalchemy_url
        state = schema_revision(url)
        revisions = state[0] if state else None
        newer = tuple(r for r in revisions or () if r != migrate.head() and not migrate.known(r))
        return Revision(database_name(url), revisions, bool(state and state[1]), migrate.head(), migrate.FIRST, newer)

    def db_upgrade(self, create: bool = False) -> Revision:
        """Bring the store to the head revision; the revision it was at before. Refused beside a daemon on
        the SQLite file (its lock): the tables would change under it. A SQLite file not there is made only
        with `create` (else MonitorError: a mistyped [store] path)."""
        from monitor.store.lock import older_holder, single_daemon

        url = self.settings.store.sqlalchemy_url
        if not create and (missing := self.no_store("nothing to upgrade", "; `monitor db upgrade --create` makes it empty now")):
            raise MonitorError(missing)
        if (now := self._revision()).has_tables and now.revisions == (now.head,):  # nothing to upgrade: no need to stop the daemon that upgraded it
            return replace(now, tightened=made_owner_only(path)) if (path := database_file(url)) else now  # (its mode as opening it makes it)
        if now.newer:  # a newer monitor's: refused in one line by opening it (stopping its daemons would not help)
            self.open_store(upgrade="auto").close()
        busy = "stop the daemon, back the store up (`monitor backup`), then run `monitor db upgrade` again"
        with single_daemon(url, "monitor db upgrade", busy):
            before = self._revision()
            if before.revisions and before.revisions != (before.head,) and database_file(url) is None:  # a shared (PostgreSQL) store
                running = daemons_running(url, at := datetime.now(UTC))
                older = [held] if (held := older_holder(url)) else []  # a monitor's before the registry (revision 0006)
                if running or older:
                    named = "; ".join([daemon.named(at) for daemon in running] + older)
                    killed = " (one killed: once its lease has ended)" if not all(daemon.seen for daemon in running) else ""
                    count = len(running) + len(older)
                    listed = f"; the older monitor's `monitor status` lists {'it' if len(running) == 1 else 'them'}" if running else ""
                    raise MonitorError(f"{before.database}: {count} daemon{' runs' if count == 1 else 's run'} on this store ({named}{listed}): stop every daemon, "
                                       f"back the store up (pg_dump), then run `monitor db upgrade` again{killed}")
            db = self.open_store(upgrade="auto")
            db.close()
        return replace(before, tightened=db.tightened)
