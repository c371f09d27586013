"""Nothing sent twice by the periodic jobs across daemons (issue 18): two daemon processes on one PostgreSQL run
the trends job and the dispatcher (with its digests) at the same moment on a store where one digest, one spike
alert and one silent-source alert are due; loopback JSON receivers count what each channel gets. A job whose
lock another daemon holds skips its run and says so at debug level; a holder killed mid-run holds nothing.
On SQLite (one daemon per file) the jobs take no lock and always run."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from sqlalchemy import make_url

from monitor import escalation
from monitor.alerts.channels import Notifier
from monitor.alerts.dispatch import dispatch_due, send_digests
from monitor.model import Article, MatchResult
from monitor.daemon import Daemon
from monitor.pipeline import build_pipeline, register_sources
from monitor.settings import Settings, load_settings
from monitor.store import articles, counts, jobs, sources
from monitor.store.articles import NewAlert
from monitor.store.db import Database, utcnow
from monitor.watchlist import load_watchlist
from tests.conftest import ON_POSTGRES, REPO, JsonReceiver, LocalHTTP, postgres, query, run_at_once, serve_http, wait_for, write_config
from tests.test_spikes import HOUR, T, WATCHLIST, history, save

on_postgres = pytest.mark.skipif(not ON_POSTGRES, reason=(
    "several daemons share a store only on PostgreSQL: SQLite keeps one daemon per database (store/lock.py)"))
NOW = T + timedelta(minutes=30)  # the spike of tests/test_spikes.py's history is due, and the feed silent since T - 10 h
GATE_WAIT = 2.0  # seconds a digest's answer waits for a second digest (one that comes is the duplicate)


class Receiver:
    """A JSON receiver on 127.0.0.1 counting what it is sent. With `gate`, an answer is held until a second
    message comes or GATE_WAIT passed: a sender holds its digest as unsent meanwhile, so a second daemon
    that reads the same due digest sends it too (before issue 18's job locks) instead of finding it sent."""

    def __init__(self, http: LocalHTTP, gate: bool = False) -> None:
        self.http, self.second = http, threading.Event()
        self.messages: list[dict[str, Any]] = []

        def route(handler: BaseHTTPRequestHandler, body: bytes) -> None:
            self.messages.append(json.loads(body))
            if len(self.messages) >= 2:
                self.second.set()
            if gate:
                self.second.wait(GATE_WAIT)
            handler.send_response(200)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        http.routes["/in"] = route

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.http.port}/in"


@contextmanager
def receivers() -> Iterator[tuple[Receiver, Receiver, Receiver]]:
    with serve_http() as desk, serve_http() as ops, serve_http() as digest:
        yield Receiver(desk), Receiver(ops), Receiver(digest, gate=True)


def due_store(tmp_path: Path, desk: Receiver, ops: Receiver, digest: Receiver) -> Settings:
    """A store where, at NOW, one spike (desk), one silent feed (ops) and one digest of two held alerts
    (digest: every alert below severity 4 waits for it, 600 s at most) are due."""
    (tmp_path / "watchlist.yaml").write_text(WATCHLIST)
    config = write_config(tmp_path, watchlist=tmp_path / "watchlist.yaml", feeds=[{"name": "wire", "url": "http://127.0.0.1:9/feed.xml"}],
                          channels=[{"name": "desk", "url": desk.url, "tags": ["desk"]}, {"name": "ops", "url": ops.url, "tags": ["ops"]},
                                    {"name": "digest", "url": digest.url, "tags": ["brief"], "digest_below": 4, "digest_every": 600}])
    settings = load_settings(config)
    db = Database(settings.store.sqlalchemy_url)
    try:
        register_sources(db, settings)
        [(feed_id,)] = query(tmp_path, "SELECT id FROM sources WHERE kind = 'feed'")
        counts.count_stories(db, history())
        for n in range(60):  # every 2 hours, until 10 hours before T: silent (4 x 2 h) at NOW
            save(db, feed_id, T - timedelta(hours=10 + 2 * n), n)
        briefs = sources.ensure_source(db, "briefs", "folder", str(tmp_path / "briefs"))  # no silent_hours: never judged
        for n in range(2):
            key = hashlib.sha256(f"brief {n}".encode()).hexdigest()
            alert = NewAlert(f"brief{n}", 2, ("brief",), f"Brief {n}", f"Brief {n} body", ("digest",))
            assert articles.save_article(db, briefs, Article("briefs", f"Brief {n}", "text", None, None, key, T - HOUR, key), MatchResult(), alert, T - HOUR)
        assert dispatch_due(db, Notifier(settings.channels), settings.delivery, T - HOUR) == 0  # both held; the digest due at T - 50 min
    finally:
        db.close()
    assert query(tmp_path, "SELECT channel, status FROM deliveries") == [("digest", "held"), ("digest", "held")]
    assert not desk.messages and not ops.messages and not digest.messages
    return settings


DAEMON = """
import sys, time
from datetime import datetime
from pathlib import Path
from sqlalchemy import make_url

from monitor import escalation
from monitor.pipeline import build_pipeline
from monitor.settings import load_settings
config, go, now = sys.argv[1], Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
pipeline = build_pipeline(load_settings(config))
(go.parent / f"ready-{sys.argv[4]}").touch()
while not go.exists():
    time.sleep(0.005)
escalation.check(pipeline.db, pipeline.settings, pipeline.ingest.matcher.watchlist, now)  # the trends job, then the dispatch job (deliveries, then digests), as a daemon's scheduler runs them
pipeline.dispatch(now)
pipeline.close()
"""


@on_postgres
def test_two_daemon_processes_running_the_jobs_at_once_send_one_digest_one_spike_and_one_silence_alert(tmp_path: Path) -> None:
    with receivers() as (desk, ops, digest):
        settings = due_store(tmp_path, desk, ops, digest)
        go = tmp_path / "go"
        run_at_once(tmp_path, {name: ["-c", DAEMON, str(settings.path), str(go), NOW.isoformat(), name] for name in "ab"}, go)
        assert [m["title"] for m in digest.messages] == ["[digest] 2 alerts"]  # one digest, not one per daemon
        assert [m["title"].split(":")[0] for m in desk.messages] == ["Spike"]
        assert [m["title"].split(":")[0] for m in ops.messages] == ["Silent source"]
        assert sorted(query(tmp_path, "SELECT title FROM alerts WHERE article_id IS NULL")) == sorted(
            [(desk.messages[0]["title"],), (ops.messages[0]["title"],)])  # one alert each, the one sent
        assert query(tmp_path, "SELECT status, via_digest FROM deliveries WHERE channel = 'digest'") == [("sent", True), ("sent", True)]
        db = Database(settings.store.sqlalchemy_url)  # a later run (any daemon) finds everything done
        try:
            assert escalation.check(db, settings, load_watchlist(settings.watchlist), NOW + timedelta(minutes=5)) == 0
            assert dispatch_due(db, Notifier(settings.channels), settings.delivery, NOW + timedelta(minutes=5)) == 0
        finally:
            db.close()
        assert (len(digest.messages), len(desk.messages), len(ops.messages)) == (1, 1, 1)


@on_postgres
def test_a_job_whose_lock_another_daemon_holds_skips_its_run_at_debug_level_and_the_next_run_does_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with receivers() as (desk, ops, digest):
        settings = due_store(tmp_path, desk, ops, digest)
        other, db = Database(settings.store.sqlalchemy_url), Database(settings.store.sqlalchemy_url)  # another daemon's store, and ours
        watchlist, notifier = load_watchlist(settings.watchlist), Notifier(settings.channels)
        try:
            with caplog.at_level(logging.DEBUG, logger="monitor"):
                with jobs.exclusive(other, "trends") as mine, jobs.exclusive(other, "digests") as also_mine:
                    assert mine and also_mine
                    assert escalation.check(db, settings, watchlist, NOW) == 0
                    assert send_digests(db, notifier, NOW) == 0
                    assert query(tmp_path, "SELECT count(*) FROM alerts WHERE article_id IS NULL") == [(0,)]
                    assert query(tmp_path, "SELECT count(*) FROM spike_states") == [(0,)]  # nothing decided while skipped
                skipped = [r for r in caplog.records if "skipped" in r.getMessage()]
                assert [(r.levelno, r.getMessage()) for r in skipped] == [
                    (logging.DEBUG, "trends job skipped: another daemon is running it on this store"),
                    (logging.DEBUG, "digests job skipped: another daemon is running it on this store")]
                assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
                assert not digest.messages
                assert escalation.check(db, settings, watchlist, NOW) == 2  # the lock gone: the next run does it
                assert send_digests(db, notifier, NOW) == 2
            assert [m["title"] for m in digest.messages] == ["[digest] 2 alerts"]
            with jobs.exclusive(db, "housekeeping") as first, jobs.exclusive(other, "housekeeping") as second:
                assert (first, second) == (True, False)  # housekeeping has its own lock, and one holder
        finally:
            db.close()
            other.close()


@on_postgres
def test_housekeeping_skips_its_prune_while_another_daemon_prunes(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": "http://127.0.0.1:9/feed.xml"}], settings={"store": {"keep_days": 30}})
    daemon = Daemon(build_pipeline(load_settings(config)))
    other = Database(daemon.pipeline.settings.store.sqlalchemy_url)
    try:
        [(feed_id,)] = query(tmp_path, "SELECT id FROM sources WHERE kind = 'feed'")
        save(daemon.pipeline.db, feed_id, utcnow() - timedelta(days=40), 1)  # older than keep_days, no alert: pruned when it runs
        with caplog.at_level(logging.DEBUG, logger="monitor"), jobs.exclusive(other, "housekeeping") as mine:
            assert mine
            daemon._housekeep()
            assert "housekeeping job skipped: another daemon is running it on this store" in caplog.text
            assert "pruned" not in caplog.text and query(tmp_path, "SELECT count(*) FROM articles") == [(1,)]
        daemon._housekeep()  # the next day's run (in any daemon)
        assert query(tmp_path, "SELECT count(*) FROM articles") == [(0,)]
    finally:
        other.close()
        daemon.pipeline.close()
        daemon.pipeline.db.close()


@on_postgres
def test_monitor_prune_by_hand_is_refused_in_one_line_while_a_daemon_prunes(tmp_path: Path) -> None:
    config = write_config(tmp_path, settings={"store": {"keep_days": 30}})
    other = Database(load_settings(config).store.sqlalchemy_url)
    try:
        with jobs.exclusive(other, "housekeeping") as mine:
            assert mine
            held = subprocess.run([sys.executable, "-m", "monitor", "prune", "--config", str(config)], capture_output=True, text=True, timeout=120)
        assert held.returncode == 1, held.stdout + held.stderr
        [line] = held.stderr.strip().splitlines()
        assert "a daemon is pruning this store now" in line and "Traceback" not in held.stderr
        free = subprocess.run([sys.executable, "-m", "monitor", "prune", "--config", str(config)], capture_output=True, text=True, timeout=120)
        assert free.returncode == 0, free.stdout + free.stderr
    finally:
        other.close()


HOLDER = """
import sys, time
from monitor.store import jobs
from monitor.store.db import Database, utcnow
with jobs.exclusive(Database(sys.argv[1]), "trends") as mine:
    print("held" if mine else "not held", flush=True)
    time.sleep(300)
"""


@on_postgres
def test_a_daemon_killed_while_running_a_job_leaves_its_lock_to_the_next_run_at_once(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path))
    Database(settings.store.sqlalchemy_url).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, settings.store.sqlalchemy_url], cwd=REPO, stdout=subprocess.PIPE, text=True)
    db = Database(settings.store.sqlalchemy_url)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with jobs.exclusive(db, "trends") as mine:
            assert not mine
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)

        def taken() -> bool:
            with jobs.exclusive(db, "trends") as mine:
                return mine
        assert wait_for(taken, timeout=30)  # no lease to wait for: the lock went with the connection
    finally:
        if holder.poll() is None:
            holder.kill()
        db.close()


@on_postgres
def test_the_lock_outlasts_an_idle_in_transaction_timeout_set_on_the_database(tmp_path: Path) -> None:
    """The lock's transaction is idle while the run works: a server-side idle_in_transaction_session_timeout
    shorter than a run would end it, and free the job for another daemon mid-run. The transaction turns it off."""
    settings = load_settings(write_config(tmp_path))
    url = settings.store.sqlalchemy_url
    Database(url).close()
    postgres().sql(f"ALTER DATABASE {make_url(url).database} SET idle_in_transaction_session_timeout = '100ms'")
    db, other = Database(url), Database(url)
    try:
        with jobs.exclusive(db, "trends") as mine:
            assert mine
            time.sleep(0.5)  # a run at work, five times the timeout
            with jobs.exclusive(other, "trends") as also:
                assert not also
    finally:
        db.close()
        other.close()


def test_on_sqlite_every_run_goes_ahead_one_daemon_per_file(tmp_path: Path) -> None:
    if ON_POSTGRES:
        pytest.skip("the SQLite pass runs this")
    settings = load_settings(write_config(tmp_path))
    db = Database(settings.store.sqlalchemy_url)
    try:
        with jobs.exclusive(db, "trends") as first, jobs.exclusive(db, "trends") as second:
            assert first and second  # nothing taken: store/lock.py already keeps a second daemon out
    finally:
        db.close()


@on_postgres
def test_a_digest_slow_to_send_holds_no_other_daemons_digests_and_is_sent_once(tmp_path: Path) -> None:
    """The digests' job lock was held while the digests were sent: one daemon's channel slow to answer (up to half
    a lease, 60 s) held every other daemon's digests back. Now the alerts due are leased under the lock and sent after
    it: another daemon sends its own channel's digest meanwhile, and not the slow one's again."""
    with serve_http() as slow_http, serve_http() as quick_http:
        slow, quick = JsonReceiver(slow_http, hang=True), JsonReceiver(quick_http)
        channels = [{"name": "slow", "url": slow.url, "digest_below": 4, "digest_every": 600},
                    {"name": "quick", "url": quick.url, "digest_below": 4, "digest_every": 600}]
        settings = load_settings(write_config(tmp_path, channels=channels))
        one, other = Database(settings.store.sqlalchemy_url), Database(settings.store.sqlalchemy_url)  # two daemons' stores
        slow_only, both = Notifier([c for c in settings.channels if c.name == "slow"]), Notifier(settings.channels)
        sending: list[int] = []
        try:
            briefs = sources.ensure_source(one, "briefs", "folder", str(tmp_path / "briefs"))
            for n in range(2):
                key = hashlib.sha256(f"brief {n}".encode()).hexdigest()
                alert = NewAlert(f"brief{n}", 2, ("default",), f"Brief {n}", f"Brief {n} body", ("slow", "quick"))
                assert articles.save_article(one, briefs, Article("briefs", f"Brief {n}", "text", None, None, key, T - HOUR, key), MatchResult(), alert, T - HOUR)
            assert dispatch_due(one, both, settings.delivery, T - HOUR) == 0  # all four held
            hung = threading.Thread(target=lambda: sending.append(send_digests(one, slow_only, NOW, settings.delivery)))
            hung.start()
            wait_for(lambda: slow.hung == 1, timeout=30)  # the slow channel's digest under way
            assert send_digests(other, both, NOW, settings.delivery) == 2  # 0: skipped, the lock held by the slow send
            assert [m["title"] for m in quick.messages] == ["[digest] 2 alerts"]
            assert slow.hung == 1  # not sent twice meanwhile
            slow.hang = False
            slow.release.set()  # the slow send fails (its connection dropped): held, retried later
            hung.join(timeout=60)
            assert sending == [0]
            assert query(tmp_path, "SELECT channel, status, lease_until IS NULL FROM deliveries ORDER BY channel, id") == [
                ("quick", "sent", True), ("quick", "sent", True), ("slow", "held", True), ("slow", "held", True)]
        finally:
            slow.release.set()
            one.close()
            other.close()
