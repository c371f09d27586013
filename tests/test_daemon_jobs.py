"""The daemon's jobs: when the system clock steps back (NTP correcting a clock set hours ahead, a VM restored), when a reload changes their intervals."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import apscheduler.executors.base
import apscheduler.schedulers.base
import pytest
from sqlalchemy import select

import monitor.daemon
import monitor.store.db
from monitor.daemon import Daemon
from monitor.pipeline import build_pipeline
from monitor.settings import load_settings
from monitor.store import outbox
from monitor.store.db import utcnow
from monitor.store.tables import ArticleRow
from tests.conftest import DEFAULT_WATCHLIST, DISTINCT_STORIES, JsonReceiver, LocalHTTP, inbox_with, sqlite_only, wait_for, write_config
from tests.test_pipeline import CALM, rss


def test_the_jobs_go_on_when_the_system_clock_steps_back_an_hour(tmp_path: Path, http_server: LocalHTTP, monkeypatch: pytest.MonkeyPatch,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    """Regression: APScheduler keeps its jobs' next runs in wall-clock time; the clock stepped back an hour,
    every interval job (feeds, folder rescans, dispatch retries, the heartbeat) waited that hour, and so did
    each feed's next check and each delivery's next retry, stored in wall-clock time: no poll and no retry
    for an hour, with no line in the log. Now the daemon sees the step (the wall clock against the monotonic
    one), says so in one line, and the jobs run from now, the stored times moved back by the step."""
    http_server.routes["/wire.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Rates unchanged", "https://wire.example/r", "r-1", CALM)))
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/wire.xml"), "every": 0.5}])
    daemon = Daemon(build_pipeline(load_settings(config)))

    def fetches() -> int:
        return sum(1 for request in list(http_server.requests) if request[1] == "/wire.xml")

    class HourBehind(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.now(tz) - timedelta(hours=1)

    seen: dict[str, int] = {}

    def operator() -> None:
        try:
            wait_for(lambda: fetches() >= 2, timeout=20)
            for module in (apscheduler.schedulers.base, apscheduler.executors.base, monitor.daemon, monitor.store.db):  # the clock steps back
                monkeypatch.setattr(module, "datetime", HourBehind)
            daemon.scheduler.wakeup()
            time.sleep(1)
            seen["before"] = fetches()
            time.sleep(4)
            seen["after"] = fetches()
        finally:
            daemon.stop()

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    thread = threading.Thread(target=operator)
    thread.start()
    try:
        daemon.run_forever()
    finally:
        thread.join(30)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert seen["after"] > seen["before"], seen  # polled on, every 0.5 s
    # (on PostgreSQL the heartbeat also says the clock is now an hour off the database server's: it is)
    [line] = [r.getMessage() for r in caplog.records if "clock went" in r.getMessage()]
    assert line.startswith("the system clock went back 3600 s"), line


def test_a_retry_set_by_a_clock_an_hour_ahead_is_moved_back_by_the_step(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = inbox_with(tmp_path, DISTINCT_STORIES[:1])
    settings = {"delivery": {"backoff_seconds": 600, "backoff_max_seconds": 600}}
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}], settings=settings)))
    pipeline.scan_folders()
    json_receiver.fail = True
    pipeline.dispatch()  # failed: retried in 5-10 minutes, as the clock an hour ahead read them
    assert json_receiver.rejected == 1
    json_receiver.fail = False
    behind = utcnow() - timedelta(hours=1)  # the clock, stepped back
    assert pipeline.dispatch(behind + timedelta(minutes=11)) == 0  # held back an hour more
    assert outbox.clock_stepped_back(pipeline.db, behind, timedelta(hours=1)) == 1
    assert pipeline.dispatch(behind + timedelta(minutes=11)) == 1
    assert len(json_receiver.messages) == 1


def test_a_reload_takes_a_new_trends_check_every_as_it_takes_the_schedule(tmp_path: Path) -> None:
    """Regression: SIGHUP took [schedule] intervals at once but left the trends job at the old
    [trends] check_every, without a word, until a restart."""
    config = write_config(tmp_path, folders=[tmp_path], settings={"trends": {"check_every": 300}})
    daemon = Daemon(build_pipeline(load_settings(config)))
    daemon.start()
    try:
        write_config(tmp_path, folders=[tmp_path], settings={"trends": {"check_every": 60}, "schedule": {"dispatch_every": 2}})
        daemon.reload_config()
        intervals = {job.id: job.trigger.interval.total_seconds() for job in daemon.scheduler.get_jobs() if job.id in ("trends", "dispatch")}
        assert intervals == {"trends": 60, "dispatch": 2}
    finally:
        daemon.shutdown()


def test_a_reload_takes_a_new_stories_window_into_the_index_as_it_fills(tmp_path: Path) -> None:
    """Regression (found by helper xsoak's soak): SIGHUP took `[stories]` into the settings, but the ingest kept the
    limits it was built with until a restart: a window lowered to save memory (each article ~1.3 KB in the index) left
    the index growing to the old 5,000, and a new `join_within` (docs/operations.md: taken at once) was not taken."""
    inbox = inbox_with(tmp_path, DISTINCT_STORIES[:3])
    daemon = Daemon(build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], settings={"stories": {"window": 5000}}))))
    daemon.start()
    try:
        wait_for(lambda: len(daemon.pipeline.ingest.story_index) == 3, timeout=30)
        write_config(tmp_path, folders=[inbox], settings={"stories": {"window": 1, "join_within": 1}})
        daemon.reload_config()
        (inbox / "3.txt").write_text(DISTINCT_STORIES[3])
        os.utime(inbox / "3.txt", (time.time() - 60, time.time() - 60))
        wait_for(lambda: stored(daemon) == 4, timeout=30)
        assert len(daemon.pipeline.ingest.story_index) == 1  # of 4: the latest, as a start with window = 1 keeps
        assert daemon.pipeline.ingest.limits.join_within == timedelta(hours=1)
    finally:
        daemon.shutdown()


def test_a_reload_compiles_the_watchlist_again_only_when_another_file_is_named_or_it_was_broken(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by helper xsoak's soak): every SIGHUP (a channel added, say) compiled the unchanged watchlist again,
    about 2 s of CPU, had each parsing process load it again (~5 MB more each, the first few times), and logged `watchlist
    reloaded from ...` of a file nobody had touched. A broken watchlist is still tried (and said) again at each SIGHUP."""
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(DEFAULT_WATCHLIST.read_text())
    config = write_config(tmp_path, folders=[tmp_path], watchlist=watchlist)
    daemon = Daemon(build_pipeline(load_settings(config)))
    daemon.start()
    try:
        matcher = daemon.pipeline.ingest.matcher
        with caplog.at_level(logging.INFO, logger="monitor"):
            daemon.reload_config()
            time.sleep(1.5)  # (nothing to await: the watchlist job looks every 0.3 s, and should find nothing to do)
        assert daemon.pipeline.ingest.matcher is matcher
        assert not [r for r in caplog.records if r.getMessage().startswith("watchlist reloaded")]
        watchlist.write_text("actors: [unclosed\n")
        wait_for(lambda: any("watchlist not reloaded" in r.getMessage() for r in caplog.records), timeout=10)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="monitor"):
            daemon.reload_config()
            wait_for(lambda: any("watchlist not reloaded" in r.getMessage() for r in caplog.records), timeout=10)  # said again
    finally:
        daemon.shutdown()


def stored(daemon: Daemon) -> int:
    with daemon.pipeline.db.session() as s:
        return len(s.scalars(select(ArticleRow.id)).all())


def test_a_reload_that_shortens_the_leases_makes_the_heartbeat_keep_up_with_them(tmp_path: Path) -> None:
    """Regression (found by helper xops): the heartbeat's interval (4 beats per lease) was set at the start;
    a reload lowering `[delivery] lease_seconds` (and `[http] deadline`, whose 4 x is the feeds' lease) wrote
    the shorter lease into the registry at the next beat and left the beats as far apart as before: 150 s
    apart for a 60 s lease, so between beats the daemon read as gone (`monitor status`), and a daemon starting
    then on a shared store gave back its claims and sent its deliveries again."""
    settings = {"delivery": {"lease_seconds": 600}, "http": {"deadline": 30}}
    daemon = Daemon(build_pipeline(load_settings(write_config(tmp_path, folders=[tmp_path], settings=settings))))
    daemon.start()
    try:
        assert daemon.scheduler.get_job("heartbeat").trigger.interval.total_seconds() == 150
        write_config(tmp_path, folders=[tmp_path], settings={"delivery": {"lease_seconds": 60}, "http": {"deadline": 10}})
        daemon.reload_config()
        assert daemon.lease_seconds() == 60
        assert daemon.scheduler.get_job("heartbeat").trigger.interval.total_seconds() == 15
    finally:
        daemon.shutdown()


def test_the_stop_signal_handler_takes_no_lock_the_main_thread_may_hold(tmp_path: Path) -> None:
    """Regression (seen once in an e2e test: a SIGINT that `monitor run` never answered): the SIGINT/SIGTERM
    handler set the daemon's threading.Event, which takes the Event's lock; a signal handler runs in the main
    thread between two of its bytecodes, so a signal landing while the main thread held that lock (in
    `Event.wait`, at each of its 0.5 s looks) deadlocked it, and the daemon never stopped (systemd: SIGKILL
    after TimeoutStopSec). The handler is called here while that lock is held, as it would be then."""
    daemon = Daemon(build_pipeline(load_settings(write_config(tmp_path, folders=[tmp_path]))))
    try:
        with daemon.stopping._cond:  # what the main thread holds inside stopping.wait(0.5)
            handler = threading.Thread(target=daemon.stop, args=(signal.SIGTERM, None), daemon=True)
            handler.start()
            handler.join(2)
            assert not handler.is_alive(), "the stop handler waits for a lock the interrupted main thread holds"
    finally:
        daemon.pipeline.close()


@sqlite_only  # on SQLite the daemon is alone (its lock): every claim at its start is a dead one's
def test_a_start_on_sqlite_polls_at_once_the_feeds_a_killed_daemon_had_claimed(tmp_path: Path, http_server: LocalHTTP,
                                                                                 caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by helper xpg): after a SIGKILL mid-poll, `systemctl restart` gave a daemon that left
    the killed one's claimed feeds alone until their lease ended (2 min), while it can only be alone. A feed
    whose next check was planned (not a claim) keeps it: a Retry-After or a backoff still holds."""
    from monitor.store import sources
    from monitor.store.tables import SourceRow

    http_server.routes["/wire.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Rates unchanged", "https://wire.example/r", "r-1", CALM)))
    http_server.routes["/later.xml"] = http_server.routes["/wire.xml"]
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/wire.xml")}, {"name": "later", "url": http_server.url("/later.xml")}])
    pipeline = build_pipeline(load_settings(config))
    with pipeline.db.session() as s:
        ids = {r.name: r.id for r in s.scalars(select(SourceRow))}
    now = utcnow()
    assert sources.claim(pipeline.db, [ids["wire"]], now, now + timedelta(minutes=2)) == {ids["wire"]}  # the killed poll's claim
    sources.retry_now(pipeline.db, ids["later"], now + timedelta(minutes=1))  # planned: a Retry-After of a minute, say
    daemon = Daemon(pipeline)
    caplog.set_level("INFO", logger="monitor")
    daemon.start()
    try:
        wait_for(lambda: any(r[1] == "/wire.xml" for r in list(http_server.requests)), timeout=15)
    finally:
        daemon.shutdown()
    assert not any(r[1] == "/later.xml" for r in http_server.requests)
    assert "1 feed claimed by a daemon that is gone is polled now" in caplog.text


@sqlite_only  # `monitor once` holds the SQLite lock: alone, every claim it finds is a killed run's
def test_monitor_once_on_sqlite_polls_the_feeds_a_killed_run_had_claimed(tmp_path: Path, http_server: LocalHTTP) -> None:
    """`monitor once` from cron, its last run killed mid-poll (a `timeout`, a reboot): the feeds that run had
    claimed were passed over as not due until their lease ended."""
    from monitor.store import sources
    from monitor.store.tables import SourceRow
    from tests.test_cli import monitor

    http_server.routes["/wire.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Rates unchanged", "https://wire.example/r", "r-1", CALM)))
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/wire.xml")}])
    pipeline = build_pipeline(load_settings(config))
    with pipeline.db.session() as s:
        [source_id] = s.scalars(select(SourceRow.id)).all()
    now = utcnow()
    assert sources.claim(pipeline.db, [source_id], now, now + timedelta(minutes=2)) == {source_id}
    pipeline.close()
    result = monitor("once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert any(r[1] == "/wire.xml" for r in http_server.requests)


@pytest.mark.parametrize("at_start", ["there", "missing"])
def test_a_folder_removed_and_made_again_or_made_after_the_start_is_watched_from_the_next_rescan(tmp_path: Path, at_start: str) -> None:
    """Regression (found by helper xfolder): watchdog watched the folder the daemon started with; once it was removed
    and made again (`rm -r inbox; mkdir inbox`, a share remounted), or when it was made after the start, no file
    dropped in it was seen until the next full rescan (`folders_every`, 30 s by default), for the daemon's whole
    life. The rescan now watches it again, so the files after it are read at once."""
    inbox = tmp_path / "inbox"
    if at_start == "there":
        inbox.mkdir()
    config = write_config(tmp_path, folders=[inbox], settings={"schedule": {"folders_every": 600}})
    daemon = Daemon(build_pipeline(load_settings(config)))

    def titles() -> list[str]:
        with daemon.pipeline.db.session() as s:
            return list(s.scalars(select(ArticleRow.title)))

    daemon.start()
    try:
        wait_for(lambda: daemon.scheduler.get_job("folders").next_run_time > datetime.now().astimezone() + timedelta(seconds=60))
        time.sleep(0.5)  # the start's scan over: the next is in 600 s
        if at_start == "there":
            inbox.rmdir()
        inbox.mkdir()
        if at_start == "there":  # watchdog's thread sees the removal on its own time (a loaded machine: later than the
            # mkdir); the rescan that follows in a daemon comes seconds after, as this wait stands for
            from monitor.sources.folders import folder_ids, watch_lost

            wait_for(lambda: watch_lost(daemon.observer) or folder_ids([(inbox, False)]) != daemon._watched, timeout=10)
        daemon._scan()  # the folders job's rescan, run now rather than in 600 s
        (inbox / "late.txt").write_text("Rockets hit the Green Zone\n\nKataeb Hezbollah fired rockets at the embassy.")
        wait_for(lambda: titles() == ["Rockets hit the Green Zone"], timeout=5)
    finally:
        daemon.shutdown()


def test_a_reload_gives_the_folders_claims_the_new_lease_as_the_feeds_claims(tmp_path: Path) -> None:
    """Regression (found by helper xsoak): a reload took a new `[http] deadline` into the feeds' claims (4 deadlines) but
    the folders' files kept being claimed for the lease of the start: on a shared PostgreSQL another daemon could take a
    file still being read, or wait for the old lease after a crash."""
    inbox = inbox_with(tmp_path, DISTINCT_STORIES[:1])
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], settings={"http": {"deadline": 30}})))
    try:
        assert pipeline.folders.lease_seconds == pipeline.feeds.policy.lease_seconds == 120
        pipeline.settings = load_settings(write_config(tmp_path, folders=[inbox], settings={"http": {"deadline": 300}}))
        assert pipeline.folders.lease_seconds == pipeline.feeds.policy.lease_seconds == 1200
        assert pipeline.lease_seconds() == 1200  # the heartbeat's lease covers the folders' claims
    finally:
        pipeline.close()
