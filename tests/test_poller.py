"""The poller: its fetching thread never outlives a poll, whatever the consumer raises; a feed's own
unexpected failure is recorded against it (issue 16); per-host politeness and a claim of more feeds than
PostgreSQL takes parameters in one statement (issue 18)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from monitor.errors import SourceError, StoreError
from monitor.model import FetchResult, FetchState
from monitor.pipeline import build_pipeline
from monitor.settings import HttpSettings, load_settings
from monitor.sources.parsing import ParserPool
from monitor.sources.poller import HostGate, Polled, Poller, PollLimits
from monitor.store import sources
from monitor.store.sources import FeedJob
from monitor.store.db import utcnow
from monitor.store.tables import SourceRow, table_of
from tests.conftest import LocalHTTP, serve_http, sqlite_only, write_config
from tests.test_cli import monitor
from tests.test_pipeline import rss


def fetching_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "monitor-fetch" and t.is_alive()]


def feeds(http_server: LocalHTTP, count: int) -> list[dict[str, str]]:
    for i in range(count):
        http_server.routes[f"/f{i}.xml"] = (200, {}, rss((f"Item {i}", f"https://wire.example/{i}", f"g{i}", f"Story number {i} of the day.")))
    return [{"name": f"f{i}", "url": http_server.url(f"/f{i}.xml")} for i in range(count)]


@sqlite_only  # the store is made to fail with SQLite triggers
def test_a_store_error_mid_poll_ends_the_poll_and_joins_the_fetching_thread(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Issue 16: an OperationalError from saving an article left the fetching thread waiting on the
    backlog for ever (one more each failed tick). The poll now raises it and joins its thread."""
    config = write_config(tmp_path, feeds=feeds(http_server, 12), settings={"schedule": {"feed_workers": 4, "parse_workers": 1}})
    pipeline = build_pipeline(load_settings(config))
    with sqlite3.connect(tmp_path / "monitor.db") as db:  # every article insert now fails: "no such table"
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON articles BEGIN INSERT INTO no_such_table VALUES (1); END")
    assert fetching_threads() == []
    for _ in range(3):  # repeated failed ticks leave no thread behind
        with pytest.raises(StoreError, match="no such table"):
            pipeline.poll_all_feeds()
        assert fetching_threads() == []
    assert len(sources.due_feeds(pipeline.db, utcnow())) == 12  # the claims were given back: every feed is due again


@sqlite_only
def test_an_unexpected_error_on_one_feed_is_recorded_as_its_failure_and_the_others_are_stored(tmp_path: Path, http_server: LocalHTTP) -> None:
    """A feed whose articles meet an error of their own (here the store refuses them with a DataError, not
    a database-unavailable error) gets it as its last error, shown by `monitor sources`; the poll goes on."""
    config = write_config(tmp_path, feeds=feeds(http_server, 3))
    pipeline = build_pipeline(load_settings(config))
    with sqlite3.connect(tmp_path / "monitor.db") as db:
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN NEW.source_id = (SELECT id FROM sources WHERE name = 'f1') "
                   "BEGIN SELECT zeroblob(2000000000); END")
    assert pipeline.poll_all_feeds() == 2
    health = {h.name: h for h in sources.list_sources(pipeline.db)}
    assert health["f0"].error_count == 0 and health["f2"].error_count == 0
    assert health["f1"].error_count == 1 and "unexpected error" in (health["f1"].last_error or "") and "too big" in (health["f1"].last_error or "")
    assert fetching_threads() == []
    listing = monitor("sources", "--config", str(config), env={"COLUMNS": "400"}).stdout
    assert "unexpected error while storing: DataError: (sqlite3.DataError) string or blob too big" in listing, listing


def test_leaving_the_poller_on_an_exception_cancels_and_joins_its_thread_even_with_fetches_waiting(tmp_path: Path, http_server: LocalHTTP) -> None:
    """The consumer raises at the first outcome without letting the next changed feed in: the fetchers
    wait on the backlog, and leaving the `with` still ends them and joins the thread."""
    jobs = [FeedJob(i, f"f{i}", f["url"], None, 0) for i, f in enumerate(feeds(http_server, 10))]
    parsers = ParserPool(1)
    try:
        with pytest.raises(RuntimeError, match="the store broke"), Poller(jobs, HttpSettings(allow_networks=["127.0.0.0/8"]).limits(), PollLimits(4, 1), parsers) as poller:
            for item in poller.outcomes(1.0):
                if item is not None:
                    assert item.parsed is not None and item.parsed.documents
                    raise RuntimeError("the store broke")
        assert fetching_threads() == []
        with Poller(jobs[:2], HttpSettings(allow_networks=["127.0.0.0/8"]).limits(), PollLimits(4, 1), parsers) as poller:
            poller.cancel()  # cancelled before it fetched anything: it ends at once, having fetched nothing
            assert [item for item in poller.outcomes(1.0) if item is not None] == []
        assert fetching_threads() == []
    finally:
        parsers.shutdown()


def test_pages_are_fetched_on_the_polls_loop_while_it_runs(http_server: LocalHTTP) -> None:
    http_server.routes["/page.html"] = (200, {"Content-Type": "text/html"}, b"<html><body><p>The whole story.</p></body></html>")
    jobs = [FeedJob(0, "f0", feeds(http_server, 1)[0]["url"], None, 0)]
    parsers = ParserPool(1)
    try:
        with Poller(jobs, HttpSettings(allow_networks=["127.0.0.0/8"]).limits(), PollLimits(), parsers) as poller:
            outcomes = [item for item in poller.outcomes(1.0) if item is not None]
            page, missing = poller.fetch_pages([http_server.url("/page.html"), http_server.url("/nothing")])
        assert len(outcomes) == 1 and isinstance(page, FetchResult) and b"whole story" in page.body
        assert isinstance(missing, SourceError) and "404" in str(missing)
        assert fetching_threads() == []
    finally:
        parsers.shutdown()


# -- issue 18: politeness per host, global concurrency, the claim -----------------------------------

class Counting:
    """A route counting the requests under way per Host name, the most at once, and each request's arrival."""

    def __init__(self, hold: float) -> None:
        self.hold, self.lock = hold, threading.Lock()
        self.under_way, self.most = Counter[str](), Counter[str]()
        self.overall, self.most_overall = 0, 0
        self.arrivals: list[tuple[str, float]] = []

    def route(self, i: int) -> Callable[[BaseHTTPRequestHandler, bytes], None]:
        def serve(handler: BaseHTTPRequestHandler, _: bytes) -> None:
            host = handler.headers["Host"].split(":")[0]
            with self.lock:
                self.arrivals.append((host, time.monotonic()))
                self.under_way[host] += 1
                self.overall += 1
                self.most[host] = max(self.most[host], self.under_way[host])
                self.most_overall = max(self.most_overall, self.overall)
            time.sleep(self.hold)  # the server's latency: requests overlap if the client lets them
            with self.lock:
                self.under_way[host] -= 1
                self.overall -= 1
            body = rss((f"Item {i}", f"https://wire.example/{i}", f"g{i}", f"Story number {i}."))
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        return serve


def poll_jobs(jobs: list[FeedJob], http: HttpSettings, limits: PollLimits) -> list[str]:
    parsers = ParserPool(1)
    try:
        with Poller(jobs, http.limits(), limits, parsers) as poller:
            urls = []
            for item in poller.outcomes(1.0):
                if item is not None:
                    assert item.error is None, item.error
                    urls.append(item.job.url)
                    item.done()
            return urls
    finally:
        parsers.shutdown()


def test_at_most_per_host_fetches_run_at_once_to_a_host_while_other_hosts_go_on() -> None:
    counting, hosts = Counting(hold=0.1), ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(serve_http(host)) for host in hosts]
        jobs: list[FeedJob] = []
        for server in servers:
            for i in range(8):
                server.routes[f"/f{i}.xml"] = counting.route(i)
                jobs.append(FeedJob(len(jobs), f"f{len(jobs)}", server.url(f"/f{i}.xml"), None, 0))
        urls = poll_jobs(jobs, HttpSettings(allow_networks=["127.0.0.0/8"]), PollLimits(max_in_flight=100, backlog=4, per_host=2))
    assert sorted(urls) == sorted(j.url for j in jobs)  # every feed polled once
    assert dict(counting.most) == dict.fromkeys(hosts, 2)  # never more than per_host at once to a host ...
    assert counting.most_overall > 2  # ... while the hosts were fetched at the same time


def test_request_starts_to_one_host_are_host_gap_apart(http_server: LocalHTTP) -> None:
    counting, gap = Counting(hold=0), 0.2
    jobs: list[FeedJob] = []
    for i in range(4):
        http_server.routes[f"/g{i}.xml"] = counting.route(i)
        jobs.append(FeedJob(i, f"g{i}", http_server.url(f"/g{i}.xml"), None, 0))
    urls = poll_jobs(jobs, HttpSettings(allow_networks=["127.0.0.0/8"], host_gap=gap), PollLimits(max_in_flight=10, backlog=4, per_host=4))
    assert len(urls) == 4
    times = [t for _, t in counting.arrivals]
    assert all(later - earlier >= gap - 0.05 for earlier, later in zip(times, times[1:])), times  # 50 ms for the connection


def test_more_feeds_than_a_statement_takes_parameters_are_claimed_at_once(tmp_path: Path) -> None:
    """PostgreSQL takes at most 65,535 parameters a statement: a claim of every due feed of a large
    deployment failed there. It is sent in chunks (this also runs on PostgreSQL)."""
    pipeline = build_pipeline(load_settings(write_config(tmp_path, channels=[])))
    count, table = 70_000, table_of(SourceRow)
    with pipeline.db.session() as s:
        s.connection().execute(table.insert(), [{"name": f"bulk-{i}", "kind": "feed", "location": f"https://h{i % 500}.example/{i}.xml",
                                                 "origin": "added", "enabled": True, "suspended": False, "full_text": False,
                                                 "error_count": 0, "last_new_items": 0} for i in range(count)])
    now = utcnow()
    due = sources.due_feeds(pipeline.db, now)
    assert len(due) == count
    claimed = sources.claim(pipeline.db, [j.id for j in due], now, now + timedelta(minutes=5))
    assert claimed == {j.id for j in due}
    assert sources.due_feeds(pipeline.db, now) == []  # every one leased
    assert sources.claim(pipeline.db, [j.id for j in due], now, now + timedelta(minutes=9)) == set()  # and not twice


def test_an_open_gate_starts_hosts_added_in_the_order_they_came_and_a_warm_host_first() -> None:
    """Issue 18: the poll adds hosts longest chain first (`schedule.DueQueue`); the gate put each host it
    was given first in line, so a batch's last host started first. Hosts new to the gate now join the
    back of the line; a host that has fetched (its connection warm) still goes first."""
    def job(i: int, host: str) -> FeedJob:
        return FeedJob(i, f"f{i}", f"http://{host}/{i}.xml", None, 0)

    async def order() -> list[int]:
        gate: HostGate[FeedJob] = HostGate([], per_host=1, gap=0, closed=False)
        await gate.add([job(0, "slow.example"), job(1, "mid.example"), job(2, "fast.example")])
        first = await gate.take()
        assert first is not None
        await gate.add([job(3, "slow.example"), job(4, "new.example")])
        await gate.done(first)  # slow.example has room again, its connection warm
        await gate.close()
        taken = [first]
        while (j := await gate.take()) is not None:
            taken.append(j)
            await gate.done(j)
        return [j.id for j in taken]

    assert asyncio.run(order()) == [0, 3, 1, 2, 4]


# -- issue 21: the bodies a poll holds ---------------------------------------------------------------

def test_a_store_behind_holds_back_new_fetches_so_a_poll_holds_about_the_backlogs_bodies_not_one_per_fetcher(http_server: LocalHTTP) -> None:
    """Issue 21: each fetcher fetched a body, then waited holding it for room in the backlog; while the store was
    behind, a poll held one decoded body per fetcher (`max_in_flight`, 200 by default). A fetcher now takes a feed
    only while fewer bodies wait than the backlog holds, counting the fetches of feeds with no validators as bodies
    to come: with the outcomes stored slowly, the requests started by the K-th outcome are about the backlog's
    bodies and K, not max_in_flight + K."""
    jobs = [FeedJob(i, f"f{i}", f["url"], None, 0) for i, f in enumerate(feeds(http_server, 60))]
    started = started_by_each_outcome(http_server, jobs, PollLimits(max_in_flight=40, backlog=2, per_host=100))
    assert len(started) == len(http_server.requests) == 60  # every feed fetched, once
    assert started[4] <= 2 * 2 + 5 + 2, started  # the backlog's 2, 2 waiting, one per outcome stored, 2 spare (36 on main: 40 fetchers, then one per outcome)


def started_by_each_outcome(http_server: LocalHTTP, jobs: list[FeedJob], limits: PollLimits) -> list[int]:
    """A poll of `jobs` whose store is slower than the fetches (50 ms an outcome): the requests the server had received
    when each outcome came."""
    started: list[int] = []
    parsers = ParserPool(1)
    try:
        with Poller(jobs, HttpSettings(allow_networks=["127.0.0.0/8"]).limits(), limits, parsers) as poller:
            for item in poller.outcomes(1.0):
                if item is not None:
                    assert item.error is None and item.parsed is not None, item.error
                    started.append(len(http_server.requests))
                    time.sleep(0.05)
                    item.done()
    finally:
        parsers.shutdown()
    return started


def test_a_store_behind_holds_back_new_fetches_once_the_bodies_held_reach_the_byte_budget(http_server: LocalHTTP) -> None:
    """The bound on bodies counted bodies, not bytes: with the store behind, a poll held the backlog's bodies and as many
    waiting, each of up to `max_body_bytes` (10 MB), whatever their size. A fetcher now also waits while the bodies
    fetched and not yet parsed hold `body_bytes`: with 1 MB bodies and a budget of 1.5 MB, the requests started by the
    K-th outcome are K, the backlog's (parsed: they keep no body) and the few under way, not K and the backlog's and
    as many waiting bodies and those to come."""
    big = b" " * 1_000_000  # after the feed: 1 MB to hold, nothing to parse
    for i in range(30):
        http_server.routes[f"/big{i}.xml"] = (200, {}, rss((f"Item {i}", f"https://wire.example/{i}", f"g{i}", f"Story {i}.")) + big)
    jobs = [FeedJob(i, f"big{i}", http_server.url(f"/big{i}.xml"), None, 0) for i in range(30)]
    started = started_by_each_outcome(http_server, jobs, PollLimits(max_in_flight=40, backlog=4, per_host=100, body_bytes=1_500_000))
    assert len(started) == len(http_server.requests) == 30  # every feed fetched, once
    assert max(n - k for k, n in enumerate(started, 1)) <= 4 + 3, str(started)  # the backlog's 4 (parsed: no body), one body held, 2 under way: K + 6 read; K + 11 on main


def test_a_poll_fetches_more_feeds_with_no_validators_at_once_while_the_store_keeps_up(http_server: LocalHTTP) -> None:
    """The bound must not make a first cycle at internet latency slower: while bodies find room in the backlog
    (the store keeps up), the fetches of feeds with no validators at once grow from the backlog's size to the
    fetchers' number."""
    counting = Counting(hold=0.2)  # each request's latency
    jobs: list[FeedJob] = []
    for i in range(60):
        http_server.routes[f"/s{i}.xml"] = counting.route(i)
        jobs.append(FeedJob(i, f"s{i}", http_server.url(f"/s{i}.xml"), None, 0))
    urls = poll_jobs(jobs, HttpSettings(allow_networks=["127.0.0.0/8"]), PollLimits(max_in_flight=40, backlog=2, per_host=100))
    assert sorted(urls) == sorted(j.url for j in jobs)
    assert counting.most_overall >= 12, counting.most_overall  # 2, 4, 8, 16 ... at once (19-22 read; 2 with a limit that did not grow)


def test_feeds_answering_304_are_fetched_while_the_backlog_is_full(http_server: LocalHTTP) -> None:
    """A steady cycle keeps its fetches going: a 304 brings no body, so while the changed feeds fill the backlog
    (their outcomes not yet stored) the feeds with validators are still fetched, all of them."""
    def route(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        handler.send_response(304)
        handler.send_header("ETag", '"v1"')
        handler.end_headers()

    changed = [FeedJob(i, f"f{i}", f["url"], None, 0) for i, f in enumerate(feeds(http_server, 2))]
    same: list[FeedJob] = []
    for i in range(30):
        http_server.routes[f"/same{i}.xml"] = route
        same.append(FeedJob(100 + i, f"same{i}", http_server.url(f"/same{i}.xml"), None, 0, state=FetchState(etag='"v1"')))
    held: list[Polled[FeedJob]] = []
    parsers = ParserPool(1)
    try:
        with Poller(changed + same, HttpSettings(allow_networks=["127.0.0.0/8"]).limits(), PollLimits(max_in_flight=10, backlog=2, per_host=100), parsers) as poller:
            unchanged, idle = 0, 0
            for item in poller.outcomes(0.5):
                if item is None:
                    idle += 1
                    assert idle < 20, f"{unchanged} of 30 feeds answering 304 fetched with the backlog full"
                elif item.parsed is not None:
                    held.append(item)  # stored later: the backlog stays full
                else:
                    assert item.result is not None and item.result.not_modified
                    unchanged += 1
                if unchanged == 30 and len(held) == 2:
                    for item in held:
                        item.done()
                    held = []
    finally:
        parsers.shutdown()
    assert unchanged == 30


SLOW_FEED = b"<rss><channel><item><title>Slow " + b"<x/>" * 400_000 + b"</title><link>https://wire.example/slow</link><guid>slow</guid></item></channel></rss>"


@sqlite_only  # no store: the poll alone
def test_a_parsing_process_that_dies_loses_no_feed_being_parsed_beside_it(http_server: LocalHTTP) -> None:
    """Regression (found by the attacker helper, stop 45): a parsing process that died (killed, out of memory) broke
    the whole pool, and the feed being parsed in the other process failed with it, 'the parsing process stopped'
    (its body fetched, its entries not read until the next poll, and again if a hostile neighbour broke that one).
    A feed whose parse a broken pool cut is parsed once more in the new pool."""
    jobs = []
    for i in range(2):
        http_server.routes[f"/slow{i}.xml"] = (200, {}, SLOW_FEED)  # 1.6 MB, seconds of feedparser each: both under way at the kill
        jobs.append(FeedJob(i, f"slow{i}", http_server.url(f"/slow{i}.xml"), None, 0))
    parsers = ParserPool(2, parse_timeout=120)
    workers: list[int] = []
    try:
        with Poller(jobs, HttpSettings(allow_networks=["127.0.0.0/8"]).limits(), PollLimits(4, 2), parsers) as poller:
            deadline = time.monotonic() + 30
            while (len(http_server.requests) < 2 or parsers._executor is None) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)  # both bodies handed to the two processes (started for the first), their parses under way
            workers = list(parsers._executor._processes) if parsers._executor else []
            os.kill(workers[0], signal.SIGKILL)
            outcomes = []
            for item in poller.outcomes(1.0):
                if item is not None:
                    outcomes.append(item)
                    item.done()
        assert len(workers) == 2 and len(outcomes) == 2
        assert [str(o.error) for o in outcomes if o.error] == []
        assert all(o.parsed is not None and o.parsed.documents for o in outcomes)
    finally:
        parsers.shutdown()


def test_bodies_of_feeds_with_validators_read_at_once_are_bounded_by_the_large_body_slots(http_server: LocalHTTP) -> None:
    """The byte budget stopped only new fetches: every fetch a poll had started (`max_in_flight`, 200 by default) read its
    whole body (up to `max_body_bytes`, 10 MB) and held it for the backlog, so feeds with validators that all changed at
    once, or a hostile host, could hold max_in_flight x 10 MB. A body past `large_body_bytes` now waits for one of
    `large_bodies` slots before it reads on, and keeps it until parsed: with 10 changed 4 MB feeds, 2 slots and the
    store behind, the poll's memory peaks under 30 MB (21 read: two bodies, their copies joined and sent to the parsing
    process), not at the 40 MB of the bodies (49 read on main), and every feed is stored."""
    big = b" " * 4_000_000  # after the feed: 4 MB to hold, nothing to parse
    for i in range(10):
        http_server.routes[f"/v{i}.xml"] = (200, {"ETag": f'"{i}b"'}, rss((f"Item {i}", f"https://wire.example/{i}", f"g{i}", f"Story {i}.")) + big)
    jobs = [FeedJob(i, f"v{i}", http_server.url(f"/v{i}.xml"), None, 0, state=FetchState(f'"{i}a"')) for i in range(10)]
    limits = PollLimits(max_in_flight=10, backlog=2, per_host=100, large_bodies=2, large_body_bytes=64 * 1024)
    tracemalloc.start()
    try:
        started = started_by_each_outcome(http_server, jobs, limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(started) == len(http_server.requests) == 10  # every feed fetched and parsed, once
    assert peak < 30_000_000, f"{peak / 1e6:.1f} MB at the peak"
