"""The daemon: APScheduler 3 runs the jobs, watchdog wakes the folder scan, signals stop it cleanly.

Jobs: poll due feeds, rescan folders, dispatch pending deliveries (and the digests), the trends job,
daily housekeeping (pruning what is older than `[store] keep_days`), and the heartbeat of the daemon's row in the store's registry
(`store/daemons.py`: several daemons may share a PostgreSQL store; `monitor status` lists them; the
digests, the trends job and housekeeping run in one of them at a time, store/jobs.py). A new file in a watched folder
triggers a scan at once; a scan or poll that stored an alert triggers a dispatch at once. A job whose
store fails (locked, read-only, disk full) says so in one line and backs off until the store works again.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.events import (EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED,
                                JobExecutionEvent, JobSubmissionEvent)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor import escalation, metrics
from monitor.alerts.channels import Notifier
from monitor.errors import ConfigError, SchemaChanged, StoreError, WatchlistError
from monitor.logs import counted
from monitor.pipeline import HEARTBEATS_PER_LEASE, Pipeline, folder_paths, register_sources, warn_other_channels
from monitor.scanning import forget_gone
from monitor.server import Endpoint, Health
from monitor.settings import Settings, load_settings
from monitor.sources.folders import FolderIds, folder_ids, watch, watch_lost
from monitor.store import daemons, jobs, outbox, retention, sources
from monitor.watchlist import Settled

log = logging.getLogger("monitor")
FEED_POLLS = 4  # feed polls that may run at once: the next tick does not wait for a slow feed of the last
HOUSEKEEPING_EVERY = 86400.0  # seconds between prunes; the first runs at start
FORGET_GONE_FILES_AFTER = timedelta(days=1)  # with keep_days = 0, files gone from their folder read this long ago are forgotten
CLOCK_STEP_BACK = 5.0  # seconds the wall clock may fall behind the monotonic one between two looks before the jobs are set from now


def _sources_said(feeds: tuple[int, int, int], settings: Settings) -> str:
    """What the start and reload lines count: the feeds (of the config, of other daemons' configs on a shared store:
    polled by any, added), folders and channels."""
    configured, others, added = feeds
    theirs = f", {others} from other daemons' configs" if others else ""
    return (f"{counted(configured + others + added, 'feed')} ({configured} from the config{theirs}, {added} added), "
            f"{counted(len(settings.folders), 'folder')}, {counted(len(settings.channels), 'channel')}")


BACKOFF_FIRST = 1.0  # seconds a job waits after its store first fails; doubled at each failure after
BACKOFF_MAX = 60.0


class Guarded:
    """A job whose store failures (StoreError, OSError: locked, read-only, disk full) are one warning per
    cause, not a traceback per run: the job skips its runs for a back-off that doubles at each failure
    (BACKOFF_FIRST up to BACKOFF_MAX), and says once when it works again. Other exceptions go through. With
    `backs_off=False` it runs at each of its scheduled runs all the same (the heartbeat: backed off up to a minute, it
    renewed the daemon's row that much after the store came back, and a lease shorter than that made it look gone)."""

    def __init__(self, name: str, job: Callable[[], object], clock: Callable[[], float] = time.monotonic, backs_off: bool = True) -> None:
        self.name, self.job, self.clock, self.backs_off = name, job, clock, backs_off
        self.cause = ""  # the failure being backed off from; "" while the job works
        self.failed_at = 0.0  # when it last failed
        self.delay = 0.0
        self.resume_at = 0.0
        self._lock = threading.Lock()  # a job and its "-now" twin can run at once, feed polls up to 4

    def __call__(self) -> None:
        started = self.clock()
        if started < self.resume_at:
            return
        try:
            self.job()
        except (StoreError, OSError) as exc:
            self._failed(exc)
            return
        with self._lock:
            if self.cause and self.failed_at >= started:
                return  # a run begun before the failure (a long poll, one cancelled at a stop) tells nothing of now
            if self.cause:
                log.info("%s available again: %s job runs as scheduled (it had failed: %s)", self.cause.split()[0], self.name, self.cause)
            self.cause, self.delay, self.resume_at = "", 0.0, 0.0

    def _failed(self, exc: StoreError | OSError) -> None:
        if isinstance(exc, SchemaChanged):
            return  # the daemon stops, and says why in one line (`run_forever`)
        if isinstance(exc, StoreError):
            cause = f"store unavailable ({exc})"
        else:  # a file the job writes beside the store (a console:// channel's, say)
            cause = f"files unavailable ({exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''})"
        with self._lock:
            self.delay = 0.0 if not self.backs_off else min(BACKOFF_MAX, self.delay * 2) if self.delay else BACKOFF_FIRST
            self.failed_at = self.clock()
            self.resume_at = self.failed_at + self.delay
            if cause != self.cause and not self.backs_off:
                log.warning("%s: %s job fails at each of its runs until it works again", cause, self.name)
            elif cause != self.cause:
                log.warning("%s: %s job backs off %g s, doubling up to %g s, until it works again", cause, self.name, self.delay, BACKOFF_MAX)
            self.cause = cause


class RunAgain:
    """A job whose wake-ups are never lost: called while it runs (its interval run and its "-now" twin, or
    two wake-ups close together), the call returns at once and the job runs once more when it ends, for
    the work that came while it ran (an alert stored after the dispatch read what was due). Without it,
    APScheduler skipped the twin, and that alert waited for the next interval."""

    def __init__(self, job: Callable[[], object]) -> None:
        self.job = job
        self._lock = threading.Lock()
        self._running = self._again = False

    def __call__(self) -> None:
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        try:
            while True:
                self.job()
                with self._lock:  # one lock with the callers': a wake-up is either seen here or runs itself
                    if not self._again:
                        self._running = False
                        return
                    self._again = False
        except BaseException:
            with self._lock:
                self._running = self._again = False
            raise


class Daemon:
    """Schedules the pipeline's jobs until `stop()`."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.stopping = threading.Event()
        self.skipped = 0
        self._scan_lock = threading.Lock()
        self._watch_lock = threading.Lock()  # the watchdog observer is replaced by a rescan, a reload or the stop
        self.observer: Any = None
        self._watched: FolderIds | None = None  # the folders the observer watches (None: not started)
        self._feeds = Guarded("feeds", pipeline.poll_due_feeds)
        self._folders = Guarded("folders", self._scan)
        self._dispatch = Guarded("dispatch", pipeline.dispatch)
        self._scan_runs, self._dispatch_runs = RunAgain(self._folders), RunAgain(self._dispatch)
        self._housekeeping = Guarded("housekeeping", self._housekeep)
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(4), "feeds": ThreadPoolExecutor(FEED_POLLS)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        )
        self.scheduler.add_listener(self._on_skipped, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
        self.scheduler.add_listener(self._on_submitted, EVENT_JOB_SUBMITTED)
        schedule = pipeline.settings.schedule
        self.health = Health(pipeline.db, pipeline.settings.server.overdue_after,
                             max(60.0, 3 * min(schedule.folders_every, schedule.dispatch_every, schedule.watchlist_every)),
                             lambda: [(g.name, g.cause) for g in (self._feeds, self._folders, self._dispatch) if g.cause],
                             channels=lambda: self.pipeline.notifier.channels.keys())
        self.scheduler.add_listener(lambda _: self.health.tick(), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        self.endpoint: Endpoint | None = None
        self.reload_wanted = False  # set by SIGHUP; the main thread reloads the config
        self.stop_asked = False  # set by SIGINT and SIGTERM; the main thread stops the daemon
        self.daemon_id: int | None = None  # this daemon's row in the store's registry

    def lease_seconds(self) -> float:
        return self.pipeline.lease_seconds()

    def register(self, now: datetime) -> int:
        """Enter the store's registry (`Pipeline.enter_registry`: a killed daemon's claims given back when no other is alive)."""
        return self.pipeline.enter_registry("monitor run", now)

    def heartbeat(self) -> None:
        """Refresh this daemon's registry row with what it holds now (registered again if it was deleted)."""
        self.daemon_id = self.pipeline.heartbeat(self.daemon_id, "monitor run")

    def start(self) -> None:
        schedule = self.pipeline.settings.schedule
        server = self.pipeline.settings.server
        if server.address:  # first: a port in use refuses the start, before any job runs
            self.endpoint = Endpoint(server.listen, server.address, self.health, lambda: self.pipeline.ingest.matcher.watchlist)
        now = datetime.now(UTC)
        if self.pipeline.db.sqlite and (released := sources.release_claims(self.pipeline.db, now)):  # alone (its lock): a killed daemon's claims
            log.info("%d feed%s claimed by a daemon that is gone %s polled now", released, "" if released == 1 else "s", "is" if released == 1 else "are")
        self.daemon_id = self.register(now)
        self.scheduler.add_job(Guarded("heartbeat", self.heartbeat, backs_off=False), "interval", seconds=self.lease_seconds() / HEARTBEATS_PER_LEASE,
                               id="heartbeat", replace_existing=True)
        self.scheduler.add_job(self._feeds, "interval", seconds=schedule.feeds_every, id="feeds", next_run_time=now,
                               replace_existing=True, executor="feeds", max_instances=FEED_POLLS)
        self.scheduler.add_job(self._scan_runs, "interval", seconds=schedule.folders_every, id="folders", next_run_time=now, replace_existing=True)
        self.scheduler.add_job(self._dispatch_runs, "interval", seconds=schedule.dispatch_every, id="dispatch", next_run_time=now, replace_existing=True)
        self.scheduler.add_job(self._housekeeping, "interval", seconds=HOUSEKEEPING_EVERY, id="housekeeping", next_run_time=now, replace_existing=True)
        self.scheduler.add_job(Guarded("trends", lambda: escalation.run(self.pipeline)), "interval", seconds=self.pipeline.settings.trends.check_every, id="trends", next_run_time=now, replace_existing=True)
        self._watchlist_files = Settled(self.pipeline.settings.watchlist)
        self._watchlist_error = ""
        self.scheduler.add_job(self._reload_watchlist_if_changed, "interval", seconds=schedule.watchlist_every, id="watchlist", replace_existing=True)
        self.pipeline.ingest.on_alert = self.dispatch_soon
        self.scheduler.start()
        self._watch(folder_paths(self.pipeline.settings))
        log.info("monitor running: %s%s", _sources_said(sources.feed_counts(self.pipeline.db, [f.label for f in self.pipeline.settings.feeds]), self.pipeline.settings),
                 f"; health and metrics on {server.url}/healthz and /metrics" if self.endpoint else "")
        self._say_blank_variables(self.pipeline.settings)

    def scan_soon(self, delay: float = 0.05) -> None:
        """Run a folder scan shortly (watchdog events arrive in bursts; one scan serves them all)."""
        if not self.stopping.is_set():
            when = datetime.now(UTC) + timedelta(seconds=delay)
            self.scheduler.add_job(self._scan_runs, "date", run_date=when, id="scan-now", replace_existing=True)

    def dispatch_soon(self) -> None:
        if not self.stopping.is_set():
            self.scheduler.add_job(self._dispatch_runs, "date", run_date=datetime.now(UTC), id="dispatch-now", replace_existing=True)

    def _watch(self, folders: list[tuple[Path, bool]]) -> None:
        """Watch these folders with watchdog (in place of what was watched), unless the daemon stops."""
        with self._watch_lock:
            if self.observer is not None:
                self.observer.stop()
            if not self.stopping.is_set():
                self._watched, self.observer = folder_ids(folders), watch(folders, self.scan_soon)

    def _scan(self) -> None:
        with self._scan_lock:
            waiting = self.pipeline.scan_folders()
        folders = folder_paths(self.pipeline.settings)
        if self._watched is not None and (folder_ids(folders) != self._watched or watch_lost(self.observer)):  # a folder removed, made (again)
            self._watch(folders)
        if waiting:
            self.scan_soon(max(f.settle_seconds for f in self.pipeline.settings.folders) / 2 + 0.05)

    def _housekeep(self) -> None:
        """Prune what is older than [store] keep_days (0: keep every article; files read a day ago and gone from their
        folders are forgotten all the same: a folder fed and emptied daily grew `seen_files` for ever); on a shared
        PostgreSQL, not while another daemon prunes (store/jobs.py: this run is skipped, the next day's prunes)."""
        keep, folders = self.pipeline.settings.store.keep_days, self.pipeline.folders.folders
        if keep or folders:
            with jobs.exclusive(self.pipeline.db, "housekeeping") as mine:
                if not mine:
                    return
                # keep_days = 0 keeps every article; what was read of files gone from the folders is no article
                cutoff = datetime.now(UTC) - (timedelta(days=keep) if keep else FORGET_GONE_FILES_AFTER)
                forgotten = forget_gone(self.pipeline.db, folders, cutoff)
                if keep:
                    pruned = replace(retention.prune(self.pipeline.db, cutoff, stopping=self.stopping.is_set), files=forgotten)
                    log.info("housekeeping: pruned what is older than %s: %s", counted(keep, "day"), pruned.describe())
                elif forgotten:
                    log.info("housekeeping: forgot %s read %s gone from %s (keep_days = 0: every article kept)", forgotten,
                             "file" if forgotten == 1 else "files", "its folder" if forgotten == 1 else "their folders")

    def _reload_watchlist_if_changed(self) -> None:
        """Analysts edit the watchlist while the daemon runs: take a valid edit once saved (unchanged since the last
        look), keep the old on a broken one."""
        if not self._watchlist_files.due(self.pipeline.settings.watchlist):
            return
        try:
            self.pipeline.reload_watchlist()
        except WatchlistError as exc:
            if str(exc) != self._watchlist_error:
                log.warning("watchlist not reloaded, the previous one stays in use: %s", exc)
            self._watchlist_error = str(exc)
            return
        self._watchlist_error = ""
        log.info("watchlist reloaded from %s", self.pipeline.settings.watchlist)

    @staticmethod
    def _say_blank_variables(settings: Settings) -> None:
        """A warning line for each `${VAR}` set but empty where it matters (`monitor check` warns of them too): a
        channel would fail at its first alert, a path or host would be read without it."""
        for blank in settings.blank_variables:
            log.warning("%s", blank)

    def reload_config(self) -> None:
        """SIGHUP: take the config file as it is now (feeds, folders, channels, schedule, limits); a
        broken edit keeps the running config, in one line. [store], [server], [log] and parse_workers
        need a restart: a change to them is said and left out."""
        old = self.pipeline.settings
        try:
            fresh = load_settings(old.path or "config/monitor.toml")
            new = fresh.model_copy(update={"store": old.store, "server": old.server, "log": old.log,
                                           "schedule": fresh.schedule.model_copy(update={"parse_workers": old.schedule.parse_workers})})
            notifier = Notifier(new.channels)
            folder_ids = register_sources(self.pipeline.db, new)
            if not self.pipeline.db.sqlite:
                warn_other_channels(self.pipeline.db, new)
            counts = sources.feed_counts(self.pipeline.db, [f.label for f in new.feeds])  # as the start line counts them: a feed added here is polled too
        except (ConfigError, StoreError) as exc:
            log.warning("config not reloaded, the running one stays in use: %s", exc)
            return
        kept = [name for name, a, b in (("[store]", old.store, fresh.store), ("[server]", old.server, fresh.server), ("[log]", old.log, fresh.log),
                                        ("parse_workers", old.schedule.parse_workers, fresh.schedule.parse_workers)) if a != b]
        lease = self.lease_seconds()
        with self._scan_lock:
            self.pipeline.configure(new, notifier, folder_ids)
        if self.lease_seconds() != lease:  # its beats keep up with the new lease ([delivery] lease_seconds, [http] deadline)
            self.scheduler.reschedule_job("heartbeat", trigger="interval", seconds=self.lease_seconds() / HEARTBEATS_PER_LEASE)
        # the watchlist job loads the watchlist at its next settled look when the config names another file, or when the
        # last one could not be loaded (it says again why, the last error forgotten); an unchanged good one is not compiled again
        if new.watchlist != old.watchlist or self._watchlist_error:
            self._watchlist_files.forget()
            self._watchlist_error = ""
        for job, every, was in (("feeds", new.schedule.feeds_every, old.schedule.feeds_every), ("folders", new.schedule.folders_every, old.schedule.folders_every),
                                ("dispatch", new.schedule.dispatch_every, old.schedule.dispatch_every),
                                ("watchlist", new.schedule.watchlist_every, old.schedule.watchlist_every), ("trends", new.trends.check_every, old.trends.check_every)):
            if every != was:
                self.scheduler.reschedule_job(job, trigger="interval", seconds=every)
        if folder_paths(new) != folder_paths(old):
            self._watch(folder_paths(new))
        log.info("config reloaded from %s: %s%s", old.path, _sources_said(counts, new),
                 f" ({', '.join(kept)} changed: they take effect at the next start)" if kept else "")
        self._say_blank_variables(new)
        self.scan_soon()
        self.scheduler.add_job(self._feeds, "date", run_date=datetime.now(UTC), id="feeds-now", replace_existing=True, executor="feeds")

    def _on_submitted(self, event: JobSubmissionEvent) -> None:
        if event.scheduled_run_times:
            metrics.SCHEDULER_LAG.set(max(0.0, (datetime.now(UTC) - max(event.scheduled_run_times)).total_seconds()))

    def _on_skipped(self, event: JobExecutionEvent) -> None:
        self.skipped += 1
        if event.job_id.endswith("-now"):  # a wake-up while the same work is running: that run covers it
            return
        log.warning("job %s skipped: its previous run is still going or it missed its time (%d skipped so far)", event.job_id, self.skipped)

    def stop(self, *_: Any) -> None:
        """SIGINT, SIGTERM (or a caller): the main loop stops the daemon within half a second."""
        self.stop_asked = True  # only a flag: a signal handler takes no lock (Event.set here deadlocked a main thread inside Event.wait)

    def _want_reload(self, *_: Any) -> None:
        self.reload_wanted = True  # only a flag: a signal handler takes no lock

    def run_forever(self, reload_wanted: Callable[[], bool] = lambda: False) -> None:
        """Start, wait for SIGINT/SIGTERM, then drain running jobs and stop. `reload_wanted()`: a SIGHUP came
        before this daemon's handler (while it started): the config is reloaded at once."""
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGHUP, self._want_reload)
        if reload_wanted():
            self.reload_wanted = True
        self.start()
        clock = (datetime.now(UTC), time.monotonic())
        try:
            while not self.stop_asked and not self.stopping.wait(0.5) and not self.pipeline.db.changed:
                clock = self._watch_clock(*clock)
                if self.reload_wanted:
                    self.reload_wanted = False
                    self.reload_config()
        finally:
            self.shutdown()
        if self.pipeline.db.changed:  # a newer monitor upgraded the store under it: nothing more written, exit 1
            raise SchemaChanged(self.pipeline.db.changed)

    def _watch_clock(self, wall: datetime, mono: float) -> tuple[datetime, float]:
        """The jobs' next runs are wall-clock times (APScheduler's): a clock stepped back (NTP correcting a
        clock set ahead, a VM restored) would hold every interval job for the length of the step. When the
        wall clock fell behind the monotonic one since the last look, the interval jobs pushed past their
        interval run now, and the log says so in one line. Returns this look's (wall, monotonic)."""
        now, now_mono = datetime.now(UTC), time.monotonic()
        back = (now_mono - mono) - (now - wall).total_seconds()
        if back > CLOCK_STEP_BACK:
            for job in self.scheduler.get_jobs():
                if isinstance(job.trigger, IntervalTrigger) and job.next_run_time is not None and job.next_run_time > now + job.trigger.interval:
                    job.modify(next_run_time=now)
            step, moved = timedelta(seconds=back), ""
            with contextlib.suppress(StoreError):  # a store failing now: its jobs say so; the times stay as they were
                moved = (f"; {sources.clock_stepped_back(self.pipeline.db, now, step)} feed checks and "
                         f"{outbox.clock_stepped_back(self.pipeline.db, now, step)} delivery retries moved back as much")
            log.warning("the system clock went back %.0f s: the daemon's jobs run from now, not %.0f s late%s", back, back, moved)
        return now, now_mono

    def shutdown(self) -> None:
        """Cancel the fetches under way (their feeds are polled at the next start), let running jobs end, stop."""
        log.info("monitor stopping: cancelling fetches, waiting for running jobs")
        self.stopping.set()
        self.pipeline.cancel_fetches()
        self._watch([])  # the observer stopped (none started again: stopping is set)
        self.scheduler.shutdown(wait=True)
        if self.endpoint:
            self.endpoint.close()
        if self.daemon_id is not None:
            with contextlib.suppress(StoreError):  # a store gone: the row ages out (gone after its lease)
                daemons.deregister(self.pipeline.db, self.daemon_id)
        self.pipeline.close()
        log.info("monitor stopped")
