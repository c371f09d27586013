"""Wiring only: one configuration's stages, and one method per use case (poll feeds, scan folders, deliver).

Fetch and parse (`sources.poller`), then process (`ingest`: dedup -> match -> story -> save, with the
alert decision of `alerts.decide`), as Miniflux splits them; `polling` and `scanning` are the feed and
folder use cases, `schedule` decides the next checks. The stages get small value objects built here.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from monitor.alerts.channels import Notifier, channel_tags
from monitor.alerts.decide import ChannelPolicy, Route
from monitor.alerts.dispatch import ChannelsInUse, dispatch_due
from monitor.defaults import BACKLOG_PER_WORKER
from monitor.errors import ConfigError, StoreError
from monitor.ingest import Ingest, StoryLimits
from monitor.logs import counted
from monitor.matching.matcher import Matcher
from monitor.memory import map_large_blocks
from monitor.polling import FeedPolling
from monitor.prepare import Preparer, daemon_matcher, preparing_pool
from monitor.redact import redact
from monitor.scanning import Folder, FolderScanning
from monitor.schedule import PollPolicy
from monitor.settings import Settings
from monitor.sources.parsing import ParserPool
from monitor.sources.poller import PollLimits
from monitor.store import daemons, files, jobs, migrate, outbox, sources
from monitor.store.db import Database, database_file, database_name, utcnow
from monitor.store.lock import older_holder

log = logging.getLogger("monitor")

HEARTBEATS_PER_LEASE = 4  # a daemon refreshes its registry row 4 times per lease: one late beat does not make it gone


class Pipeline:
    """The stages wired together for one configuration; the parser pool is its own (`close()` stops it)."""

    def __init__(self, settings: Settings, db: Database, matcher: Matcher, notifier: Notifier, parsers: ParserPool | None = None) -> None:
        self._settings, self.db, self.notifier = settings, db, notifier
        self.stopping = threading.Event()  # set when the daemon stops
        self.started = utcnow()  # its dispatch's watch began (a shared store's deliveries no daemon takes: dispatch_due)
        self.in_use = ChannelsInUse()  # the channels of the daemons on a shared store, as its heartbeats and digests saw them
        self._sources_written: Settings | None = None  # the settings whose sources its registry row has
        self._unlisted: dict[str, datetime] = {}  # configured sources no running daemon's config lists, since when (a shared store)
        self._clock_off = False  # this machine's clock was found off the database server's (a shared store)
        self.parsers = parsers or ParserPool(settings.schedule.parse_workers)
        self.parsers.parse_timeout = settings.schedule.parse_timeout
        self.parsers.use(Preparer(matcher))
        self.ingest = Ingest(db, matcher, channel_policy(settings, matcher), story_limits(settings))
        self.ingest.reroute = lambda: routes(self.settings)  # an Apprise config file changed on disk routes as it is now
        self.feeds = FeedPolling(db, self.ingest, self.parsers, poll_policy(settings), poll_limits(settings), settings.http.limits())
        self.folders = FolderScanning(db, self.ingest, folders_of(settings), register_sources(db, settings), settings.schedule.folders_every,
                                      poll_policy(settings).lease_seconds, self.stopping.is_set)
        sources.register_feeds_secrets(db)  # before the first dispatch: a pending alert's link may carry a feed's token

    @property
    def settings(self) -> Settings:
        return self._settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        """A reloaded configuration (SIGHUP): the stages take its values; the parser pool keeps its size."""
        self._settings = settings
        self.parsers.parse_timeout = settings.schedule.parse_timeout
        self.ingest.policy, self.ingest.limits = channel_policy(settings, self.ingest.matcher), story_limits(settings)
        self.feeds.policy, self.feeds.limits, self.feeds.http = poll_policy(settings), poll_limits(settings), settings.http.limits()
        self.folders.folders, self.folders.rescan_every = folders_of(settings), settings.schedule.folders_every
        self.folders.lease_seconds = self.feeds.policy.lease_seconds  # a file's claim, as a feed's: [http] deadline's

    def configure(self, settings: Settings, notifier: Notifier, folder_ids: dict[str, int]) -> None:
        """Take a reloaded configuration, its channels and its folders' source ids."""
        self.settings, self.notifier = settings, notifier
        self.folders.ids = {**self.folders.ids, **folder_ids}

    def reload_watchlist(self) -> None:
        """Swap in the watchlist as it is on disk now; a broken edit raises and keeps the old one."""
        matcher = daemon_matcher(self.settings)
        self.ingest.matcher, self.ingest.policy = matcher, channel_policy(self.settings, matcher)
        self.parsers.use(Preparer(matcher))

    def poll_due_feeds(self, now: datetime | None = None, per_host: int | None = None) -> int:
        """Poll the feeds whose next check has come (new ones at once); returns how many articles were new."""
        return self.feeds.due(now or utcnow(), per_host)

    def poll_all_feeds(self, now: datetime | None = None) -> int:
        """Poll every enabled feed once, due or not (`monitor once --all`)."""
        return self.feeds.every(now or utcnow())

    def cancel_fetches(self) -> None:
        """Stop polling, scanning and sending (the daemon is stopping): fetches under way are cancelled, their claims
        given back; a folder scan ends after the file under way; a dispatch gives back the deliveries it has not sent yet."""
        self.stopping.set()
        self.feeds.cancel()

    def scan_folders(self) -> bool:
        """Read every settled new file of every folder; True when some file is still being written."""
        return self.folders.scan_all()

    def dispatch(self, now: datetime | None = None) -> int:
        """Send the deliveries that are due; returns how many were sent."""
        return dispatch_due(self.db, self.notifier, self.settings.delivery, now or utcnow(), self.stopping.is_set, self.started, self.in_use)

    def run_once(self, settle_wait: float = 10.0, all_feeds: bool = True) -> None:
        """One pass over every source (waiting up to `settle_wait` s beyond `settle_seconds` for files
        being written), then deliver. Without `all_feeds`, only the due feeds, every host's at once."""
        if all_feeds:
            self.poll_all_feeds()
        else:
            self.poll_due_feeds(per_host=sys.maxsize)
        deadline = time.monotonic() + settle_wait + max((f.settle_seconds for f in self.settings.folders), default=0)
        while self.scan_folders() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.dispatch()

    def lease_seconds(self) -> float:
        """The longest lease of this process's claims (feeds, files, deliveries): its heartbeat older than
        that, it counts as gone, and whatever it held has been given back by then."""
        return max(self.feeds.policy.lease_seconds, self.settings.delivery.lease_seconds)

    def enter_registry(self, verb: str, now: datetime) -> int:
        """Enter the store's registry of daemons as `verb` (`monitor run`, `monitor once`); returns the id.
        First, forget this host's daemons whose process is gone, and when no other is alive, give back the
        folder files they were reading and the deliveries they had claimed (read and sent at once, not
        after their lease: the restart after a SIGKILL). On PostgreSQL this is done under the registry's
        lock: a process finding another registering at that moment (two starting at once) takes it as
        alive, and gives back none of its fresh claims."""
        with jobs.exclusive(self.db, "registry") as alone:  # not: another daemon is registering now (two starting at once), alive
            daemons.forget_dead_here(self.db)
            if alone and not any(d.alive(now) for d in daemons.listing(self.db)):
                if released := files.release_all(self.db):
                    log.info("%s claimed by a daemon that is gone %s read again", counted(released, "folder file"), "is" if released == 1 else "are")
                if released := outbox.release_all(self.db):
                    log.info("%s claimed by a daemon that is gone %s sent now", counted(released, "delivery", "deliveries"), "is" if released == 1 else "are")
            member = daemons.register(self.db, verb, self.lease_seconds(), now, tuple(self.notifier.channels), source_locations(settings := self.settings))
            if not self.db.sqlite:  # a daemon starting meanwhile stored its sources before this one was listed: it retired this one's own
                self._restore_sources(settings)
        if not self.db.sqlite:
            warn_other_channels(self.db, settings)
            self.check_clock(now)
        self._sources_written = settings
        self.feeds.member = member
        return member

    def heartbeat(self, member: int | None, verb: str) -> int:
        """Refresh this process's registry row with what it holds now (registered again if it was deleted,
        or never was: `member` None); returns its id."""
        now = utcnow()
        holding = daemons.Holding(self.feeds.holding(), outbox.holding(now), self.folders.reading)
        settings = self.settings  # its sources are written when they change (a reload), not at every beat: thousands of feeds
        listed = source_locations(settings) if settings is not self._sources_written else None
        if member is None or not daemons.heartbeat(self.db, member, now, holding, self.lease_seconds(), tuple(self.notifier.channels), listed):
            member = self.enter_registry(verb, now)
        self._sources_written = settings
        if not self.db.sqlite:
            self.in_use.look(daemons.channels_in_use(self.db, now), now)
            self.follow_configs(now)
            self.check_clock(utcnow())
        return member

    def check_clock(self, now: datetime) -> None:
        """On a shared store: say once when this machine's clock (`now`) is off the database server's by more than a
        quarter of the lease (between two heartbeats), and once when they agree again."""
        offset = daemons.clock_offset(self.db, now)
        off = abs(offset) > self.lease_seconds() / HEARTBEATS_PER_LEASE
        if off and not self._clock_off:
            log.warning("this machine's clock is %.0f s %s the database server's: the daemons of a shared store compare each other's heartbeats "
                        "and leases with their own clocks, so theirs and this one's are taken as ended too early or too late (claims taken "
                        "again, files read and alerts sent twice); keep every machine's clock in step (NTP)", abs(offset), "ahead of" if offset > 0 else "behind")
        elif self._clock_off and not off:
            log.info("this machine's clock agrees with the database server's again")
        self._clock_off = off

    def _restore_sources(self, settings: Settings) -> dict[str, str]:
        """Put back the config's sources retired as no longer in the config file (on a shared store, by a daemon
        that did not see this one's config listed); the config's sources, name and location."""
        mine = source_locations(settings)
        if restored := sources.restore_config_names(self.db, mine):
            one = len(restored) == 1
            log.info("%d source%s of this config, retired by another daemon whose config lacks %s (it had not seen this one's yet), %s "
                     "polled or scanned again: %s%s", len(restored), "" if one else "s", "it" if one else "them", "is" if one else "are",
                     ", ".join(restored[:5]), ", ..." if len(restored) > 5 else "")
        return mine

    def follow_configs(self, now: datetime) -> None:
        """On a shared store, at each heartbeat: put back this config's sources that were retired (a daemon's look
        racing this one's start or reload), and retire the configured sources that no running daemon's config has
        listed for a lease (their daemon stopped: they were polled on until another restarted or reloaded)."""
        mine = self._restore_sources(self.settings)
        others = daemons.sources_of_others(self.db, now)
        if others is None:  # a daemon of a monitor before revision 0013: it may have any
            self._unlisted = {}
            return
        self._unlisted = {name: self._unlisted.get(name, now) for name in sources.unlisted_config_names(self.db, mine.keys() | others.keys())}
        if due := sorted(name for name, since in self._unlisted.items() if now - since >= timedelta(seconds=self.lease_seconds())):
            for name in due:
                del self._unlisted[name]
            if retired := sources.retire_config_names(self.db, due):
                one = len(retired) == 1
                log.info("%d configured source%s retired (%s): no running daemon's config lists %s: %s%s", len(retired), "" if one else "s",
                         sources.REMOVED, "it" if one else "them", ", ".join(retired[:5]), ", ..." if len(retired) > 5 else "")

    @contextlib.contextmanager
    def registered(self, verb: str) -> Iterator[None]:
        """In the registry for the block, beating on a thread of its own, as a daemon does (`monitor once`:
        a daemon starting meanwhile sees it alive and leaves its claims alone); out of it at the end."""
        member = self.enter_registry(verb, utcnow())
        done = threading.Event()

        def beat() -> None:
            nonlocal member
            while not done.wait(self.lease_seconds() / HEARTBEATS_PER_LEASE):
                try:
                    member = self.heartbeat(member, verb)
                except StoreError as exc:  # the store failing now: the run's own work says so; beat again later
                    log.warning("registry heartbeat failed: %s", exc)

        beating = threading.Thread(target=beat, name="heartbeat", daemon=True)
        beating.start()
        try:
            yield
        finally:
            done.set()
            beating.join()
            with contextlib.suppress(StoreError):  # a store gone: the row ages out (gone after its lease)
                daemons.deregister(self.db, member)

    def close(self) -> None:
        """Stop the parsing processes."""
        self.parsers.shutdown()


def channel_policy(settings: Settings, matcher: Matcher) -> ChannelPolicy:
    return ChannelPolicy(routes(settings), matcher.watchlist.rules)


def routes(settings: Settings) -> tuple[Route, ...]:
    """The channels and the alert tags each takes (an Apprise config file's: its services' tags, `channel_tags`)."""
    return tuple(Route(c.name, tags or frozenset(), tags is None) for c in settings.channels for tags in [channel_tags(c)])


def poll_policy(settings: Settings) -> PollPolicy:
    s = settings.schedule
    return PollPolicy(s.min_interval, s.max_interval, s.backoff_cap, s.suspend_after, s.suspended_every, s.per_host, settings.http.deadline * 4)


def poll_limits(settings: Settings) -> PollLimits:
    return PollLimits(settings.schedule.feed_workers, BACKLOG_PER_WORKER * settings.schedule.parse_workers)


def folders_of(settings: Settings) -> tuple[Folder, ...]:
    return tuple(Folder(f.label, f.path, f.recursive, f.settle_seconds, f.max_file_bytes) for f in settings.folders)


def source_specs(settings: Settings) -> tuple[list[sources.SourceSpec], list[sources.SourceSpec]]:
    """The configured feeds and folders as the store keeps them."""
    return ([sources.SourceSpec(f.label, "feed", f.url, f.every, f.full_text) for f in settings.feeds],
            [sources.SourceSpec(f.label, "folder", str(f.path)) for f in settings.folders])


def source_locations(settings: Settings) -> dict[str, str]:
    """The config's feeds and folders, name and location, as a daemon's registry row keeps them."""
    feeds, folders = source_specs(settings)
    return {spec.name: spec.location for spec in feeds + folders}


def register_sources(db: Database, settings: Settings) -> dict[str, int]:
    """Make the store's source list follow the config; returns the folder sources' ids by name. A configured
    source that the config lacks is retired only when no other running daemon's config lists it (daemons of one
    store may have feeds of their own; one of a monitor before revision 0013 keeps them all). A configured
    name that a feed added with `monitor sources add` has is a ConfigError naming the config file."""
    feeds, folders = source_specs(settings)
    others = daemons.sources_of_others(db, utcnow())
    for spec in feeds + folders:
        location, daemon = (others or {}).get(spec.name, (spec.location, ""))
        if location != spec.location:
            what, verb = ("URL", "polled") if spec.kind == "feed" else ("path", "scanned")
            log.warning("%s: [[%ss]] %r has the %s %s here and %s in the config of the daemon on %s: the %s is %s at the %s of the daemon "
                        "started or reloaded last; give the %s the same %s in every config, or another name in one", settings.path, spec.kind,
                        spec.name, what, redact(spec.location), redact(location), daemon, spec.kind, verb, what, spec.kind, what)
    by_url = {location: (name, daemon) for name, (location, daemon) in (others or {}).items()}
    mine = {spec.name for spec in feeds}
    for spec in feeds:
        if (twin := by_url.get(spec.location)) is not None and twin[0] not in mine:
            log.warning("%s: [[feeds]] %r has the URL of %r in the config of the daemon on %s: both are polled, twice the requests to its host "
                        "for the same entries; give the feed one name in every config", settings.path, redact(spec.name), redact(twin[0]), twin[1])
    try:
        sources.ensure_sources(db, feeds)
        if others is not None:
            sources.retire_config_sources(db, "feed", {f.label for f in settings.feeds} | set(others))
        ids = sources.ensure_sources(db, folders)
        if others is not None:
            sources.retire_config_sources(db, "folder", {f.label for f in settings.folders} | set(others))
    except ConfigError as exc:
        raise ConfigError(f"{settings.path}: {exc}", path=str(settings.path)) from None
    return {f.label: ids[f.label] for f in settings.folders}


def warn_other_channels(db: Database, settings: Settings) -> None:
    """One warning line for each running daemon of the store whose config has other channels than `settings`: an alert
    goes to the channels of the config of the daemon that stores it."""
    mine = frozenset(c.name for c in settings.channels)
    for daemon, theirs in daemons.channels_of_others(db, utcnow()).items():
        if differ := sorted(theirs ^ mine):
            one = len(differ) == 1
            log.warning("%s: the daemon on %s has the channels %s and this config %s: an alert goes to the channels of the daemon that stores it "
                        "(whichever polled its feed or read its file), so %s get%s only the alerts of the daemons whose config has %s; "
                        "give every daemon the same [[channels]]", settings.path, daemon, ", ".join(sorted(theirs)) or "none",
                        ", ".join(sorted(mine)) or "none", ", ".join(repr(name) for name in differ), "s" if one else "", "it" if one else "them")


def story_limits(settings: Settings) -> StoryLimits:
    """[stories] as the ingest takes it (at start and at each reload: a lower window applies to the index as it fills)."""
    return StoryLimits(settings.stories.window, timedelta(hours=settings.stories.join_within))


def build_pipeline(settings: Settings, parsers: ParserPool | None = None, matcher: Matcher | None = None) -> Pipeline:
    """Wire a configuration: the watchlist's matcher, the parser pool (forked while no thread runs, see
    `sources.parsing`, with the matcher to prepare new entries; or the pool and the matcher given, as
    `prepare.preparing_pool` made them), then the database and the channels."""
    own = parsers is None
    if matcher is None:
        map_large_blocks()  # as `monitor run` (cli.run) before the watchlist is compiled
        matcher = daemon_matcher(settings)
    parsers = parsers or preparing_pool(matcher, settings.schedule.parse_workers)
    try:
        url = settings.store.sqlalchemy_url
        db = Database(url, upgrade=settings.store.upgrade, config=settings.path, before_upgrade=partial(_no_other_daemon, url))
        return Pipeline(settings, db, matcher, Notifier(settings.channels), parsers)
    except BaseException:  # a refused store or watchlist: the processes end here, not at exit
        if own:
            parsers.shutdown()
        raise


def _no_other_daemon(url: str, revisions: tuple[str, ...]) -> None:
    """StoreError when a daemon (of the older monitor) runs on a shared PostgreSQL store that this daemon would
    upgrade: the tables would change under it (`monitor db upgrade` refuses likewise). On SQLite this daemon holds
    the store's lock already: no other runs."""
    if database_file(url) is not None:
        return
    now = datetime.now(UTC)
    running = [daemon.named(now) for daemon in daemons.running(url, now)]
    listed = f" (the older monitor's `monitor status` lists {'it' if len(running) == 1 else 'them'})" if running else ""
    running += [held] if (held := older_holder(url)) else []  # a monitor's before the registry (revision 0006): no `monitor status`
    if running:
        raise StoreError(f"{database_name(url)}: schema revision {', '.join(revisions)} is older than this monitor's {migrate.head()}, and {'; '.join(running)} "
                         f"{'runs' if len(running) == 1 else 'run'} on this store{listed}: stop every daemon, back the store up (pg_dump), then start them with this monitor")


def folder_paths(settings: Settings) -> list[tuple[Path, bool]]:
    """The folders to watch, each with whether its subfolders are watched too."""
    return [(f.path, f.recursive) for f in settings.folders]
