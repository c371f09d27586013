"""Issue 18: a poll claims its due feeds as their hosts get room, inside one poll (one event loop, one
HTTP session): a slow host holds back only its own feeds; `per_host` and `host_gap` hold across the
claims; two pollers on one store fetch each feed once; daemons on one PostgreSQL poll a host one at a time,
so per_host holds across them; a stopped poll gives its claims back.

These run on the test's store: a SQLite file, or PostgreSQL (FOR UPDATE SKIP LOCKED) in its pass.
"""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import datetime, timedelta
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from monitor.pipeline import Pipeline, build_pipeline
from monitor.settings import load_settings
from monitor.store import daemons, sources
from monitor.store import hosts as hosts_store
from monitor.sources import poller
from monitor.store.db import utcnow
from monitor.store.tables import SourceRow
from tests.conftest import ON_POSTGRES, LocalHTTP, query, serve_http, wait_for, write_config
from tests.test_poller import Counting


def held(counting: Counting, release: threading.Event, i: int) -> Callable[[BaseHTTPRequestHandler, bytes], None]:
    """A route counted by `counting` that answers only once `release` is set (or after 30 s)."""
    answer = counting.route(i)

    def route(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        with counting.lock:
            counting.arrivals.append((handler.headers["Host"].split(":")[0] + "/held", time.monotonic()))
        release.wait(30)
        answer(handler, body)
    return route


@contextlib.contextmanager
def hosts(*addresses: str) -> Iterator[list[LocalHTTP]]:
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(serve_http(address)) for address in addresses]


def feeds_on(server: LocalHTTP, prefix: str, count: int, route: Callable[[int], Any], first: int = 0) -> list[dict[str, str]]:
    """`count` feeds on `server`, each with one entry of its own (numbered from `first`)."""
    for i in range(count):
        server.routes[f"/{prefix}{i}.xml"] = route(first + i)
    return [{"name": f"{prefix}{i}", "url": server.url(f"/{prefix}{i}.xml")} for i in range(count)]


def poll_together(pipelines: list[Pipeline], now: datetime) -> Counter[int]:
    """Each pipeline's `poll_due_feeds(now)`, all started at one moment (as daemons would); new articles by index."""
    start, new = threading.Barrier(len(pipelines)), Counter[int]()

    def poll(n: int) -> None:
        start.wait()
        new[n] = pipelines[n].poll_due_feeds(now)

    threads = [threading.Thread(target=poll, args=(n,)) for n in range(len(pipelines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return new


def checked(pipeline: Pipeline, names: list[str]) -> bool:
    health = {h.name: h for h in sources.list_sources(pipeline.db)}
    return all(health[name].last_success_at is not None for name in names)


def test_a_slow_host_holds_back_only_its_own_feeds_within_one_poll(tmp_path: Path) -> None:
    """Issue 18: a tick took `per_host` feeds of each host and waited for its slowest fetch, so one slow
    host held every other host's next feeds until the next tick. Now, within one poll, the fast host's
    six feeds are fetched one after the other (per_host 1) while the slow host's first is still held."""
    fast, slow, release = Counting(hold=0.02), Counting(hold=0), threading.Event()
    with hosts("127.0.0.2", "127.0.0.3") as (slow_host, fast_host):
        slow_feeds = feeds_on(slow_host, "s", 2, lambda i: held(slow, release, i), first=100)
        fast_feeds = feeds_on(fast_host, "f", 6, fast.route)
        config = write_config(tmp_path, feeds=[*slow_feeds, *fast_feeds], settings={"schedule": {"per_host": 1}})
        pipeline = build_pipeline(load_settings(config))
        polled: list[int] = []
        poll = threading.Thread(target=lambda: polled.append(pipeline.poll_due_feeds()))
        poll.start()
        try:
            wait_for(lambda: checked(pipeline, [f["name"] for f in fast_feeds]), timeout=15)
            assert not checked(pipeline, [slow_feeds[0]["name"]]) and len(slow.arrivals) == 1  # still held, alone on its host
        finally:
            release.set()
            poll.join(30)
        pipeline.close()
    assert polled == [8] and checked(pipeline, [f["name"] for f in slow_feeds])  # one poll took every feed
    assert fast.most["127.0.0.3"] == 1 and len(fast.arrivals) == 6  # per_host held, each feed once


def test_a_poll_records_how_long_each_feed_takes_and_the_next_poll_starts_the_slowest_host_first(tmp_path: Path) -> None:
    """Issue 18: a slow host's chain of fetches started wherever it fell in the due order and ended the
    cycle alone. Each feed's fetch time is now kept (`sources.fetch_seconds`), and a poll starts the host
    with the longest chain first, even when its feeds come last in the due order."""
    fast, slow = Counting(hold=0.01), Counting(hold=0.6)
    with hosts("127.0.0.2", "127.0.0.3") as (fast_host, slow_host):
        feeds = [*feeds_on(fast_host, "f", 3, fast.route), *feeds_on(slow_host, "s", 2, slow.route, first=100)]
        config = write_config(tmp_path, feeds=feeds, settings={"schedule": {"per_host": 1}, "http": {"max_in_flight": 1}})
        pipeline = build_pipeline(load_settings(config))
        assert pipeline.poll_due_feeds() == 5
        took = dict(query(tmp_path, "select name, fetch_seconds from sources"))
        assert all(took[f"s{i}"] >= 0.6 for i in range(2)), took  # the server's latency, and the client's (a loaded loop: the first ingest)
        assert sum(took[f"f{i}"] for i in range(3)) < took["s0"] + took["s1"], took
        with pipeline.db.session() as s:  # the fast host's feeds first in the due order
            s.execute(update(SourceRow).where(SourceRow.name.like("f%")).values(next_check_at=None))
        began = time.monotonic()
        assert pipeline.poll_due_feeds(utcnow() + timedelta(days=2)) == 0
        pipeline.close()
    second = sorted([(at, host) for host, at in fast.arrivals + slow.arrivals if at >= began])
    assert [host for _, host in second] == ["127.0.0.3"] * 2 + ["127.0.0.2"] * 3, second  # one fetch at a time: the slow host's first


def test_per_host_and_host_gap_hold_across_the_claims_of_one_poll(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counting, gap = Counting(hold=0.4), 0.1
    claims: list[int] = []
    real_claim = sources.claim

    def counted_claim(*args: Any, **kwargs: Any) -> set[int]:
        got = real_claim(*args, **kwargs)
        claims.append(len(got))
        return got

    monkeypatch.setattr(sources, "claim", counted_claim)
    starts: list[float] = []  # when each fetch began, on the client: the server's arrival times move with its threads' turns at the GIL
    real_fetch = poller.fetch_with

    async def timed_fetch(*args: Any, **kwargs: Any) -> Any:
        starts.append(time.monotonic())
        return await real_fetch(*args, **kwargs)

    monkeypatch.setattr(poller, "fetch_with", timed_fetch)
    with hosts("127.0.0.2") as (host,):
        config = write_config(tmp_path, feeds=feeds_on(host, "g", 6, counting.route), settings={"schedule": {"per_host": 2}, "http": {"host_gap": gap}})
        pipeline = build_pipeline(load_settings(config))
        assert pipeline.poll_due_feeds() == 6  # one poll, every feed
        pipeline.close()
    taken = [n for n in claims if n]  # claimed as the host got room, not all at once: per_host fetching and per_host ahead at most
    assert len(taken) >= 2 and max(taken) <= 2 * 2, claims  # how many claims depends on how many fetches end before a refill runs
    assert counting.most["127.0.0.2"] == 2  # never more than per_host at once
    assert len(counting.arrivals) == 6 and len(starts) == 6
    assert all(later - earlier >= gap - 0.01 for earlier, later in zip(starts, starts[1:])), starts  # the loop's turns: ms


def test_two_pollers_on_one_store_fetch_each_feed_once_and_both_take_part(tmp_path: Path) -> None:
    """Two daemons (here two pipelines on the store, each polling from the same moment) list the same
    due feeds and claim them as hosts get room: every feed is fetched once in the cycle."""
    counting = Counting(hold=0.05)
    with hosts("127.0.0.2", "127.0.0.3", "127.0.0.4") as servers:
        feeds = [f for n, server in enumerate(servers) for f in feeds_on(server, f"h{n}-", 8, counting.route, first=8 * n)]
        config = write_config(tmp_path, feeds=feeds, settings={"schedule": {"per_host": 2}})
        pipelines = [build_pipeline(load_settings(config)) for _ in range(2)]
        now = utcnow()
        new = poll_together(pipelines, now)
        for pipeline in pipelines:
            pipeline.close()
    requested = Counter(path for server in servers for _, path, _, _ in server.requests)
    assert len(requested) == 24 and set(requested.values()) == {1}  # each feed fetched once
    assert new[0] > 0 and new[1] > 0 and new[0] + new[1] == 24  # both took part; each feed's one entry stored once
    assert sources.due_feeds(pipelines[0].db, now) == []


@pytest.mark.skipif(not ON_POSTGRES, reason="daemons share a store only on PostgreSQL; this runs in its pass (MONITOR_TEST_STORE=postgresql)")
def test_daemons_on_postgresql_poll_a_host_one_at_a_time_and_share_the_hosts(tmp_path: Path) -> None:
    """Issue 18: two daemons polling at once, per_host 2 each, sent up to 4 requests at once to a host.
    Now a daemon holds a host in the store while it polls the host's feeds (as many hosts as its fetch
    slots need): a host sees at most per_host at once from both, both take part, and a host another
    daemon holds under a live lease is left to it."""
    counting, addresses = Counting(hold=0.15), [f"127.0.0.{n}" for n in range(2, 8)]
    with hosts(*addresses) as servers:
        feeds = [f for n, server in enumerate(servers) for f in feeds_on(server, f"h{n}-", 6, counting.route, first=6 * n)]
        config = write_config(tmp_path, feeds=feeds, settings={"schedule": {"per_host": 2}, "http": {"max_in_flight": 2}})  # 2 hosts at a time
        pipelines = [build_pipeline(load_settings(config)) for _ in range(2)]
        now = utcnow()
        for pipeline in pipelines:
            pipeline.feeds.member = daemons.register(pipeline.db, "monitor run", 120, now)
        held_elsewhere = hosts_store.claim(pipelines[0].db, ["127.0.0.7"], 99, now, now + timedelta(hours=1))
        new = poll_together(pipelines, now)
        left = [j.url for j in sources.due_feeds(pipelines[0].db, now)]
        hosts_store.release(pipelines[0].db, ["127.0.0.7"], 99, now)  # that daemon is done: the next poll takes it
        new[2] = pipelines[1].poll_due_feeds(now)
        for pipeline in pipelines:
            pipeline.close()
    assert held_elsewhere == {"127.0.0.7"} and len(left) == 6 and all("127.0.0.7" in url for url in left)
    assert new[0] > 0 and new[1] > 0 and new[0] + new[1] == 30 and new[2] == 6  # both took part; each feed once
    assert all(counting.most[a] == 2 for a in addresses), counting.most  # per_host at once to a host, across both daemons
    requested = Counter(path for server in servers for _, path, _, _ in server.requests)
    assert len(requested) == 36 and set(requested.values()) == {1}
    assert query(tmp_path, "select count(*) from host_claims") == [(0,)]  # each daemon gave its hosts back


def test_a_stopped_poll_gives_back_its_claims_and_leaves_the_rest_due(tmp_path: Path) -> None:
    """Stopping (SIGTERM) cancels the fetches under way: the feeds claimed and not recorded are due
    again at once, those never claimed stay due, a feed recorded before the stop is not."""
    slow, fast, release = Counting(hold=0), Counting(hold=0), threading.Event()
    with hosts("127.0.0.2", "127.0.0.3") as (slow_host, fast_host):
        held_feeds = feeds_on(slow_host, "held", 5, lambda i: held(slow, release, i))
        fast_feeds = feeds_on(fast_host, "fast", 1, fast.route, first=100)
        config = write_config(tmp_path, feeds=[*held_feeds, *fast_feeds], settings={"schedule": {"per_host": 2}})
        pipeline = build_pipeline(load_settings(config))
        now = utcnow()
        poll = threading.Thread(target=pipeline.poll_due_feeds, args=(now,))
        poll.start()
        try:
            wait_for(lambda: len(slow.arrivals) == 2 and checked(pipeline, ["fast0"]), timeout=15)  # two held, three waiting
            pipeline.cancel_fetches()
            poll.join(15)
            assert not poll.is_alive()
        finally:
            release.set()
        pipeline.close()
    due = {j.name for j in sources.due_feeds(pipeline.db, now)}
    assert due == {f["name"] for f in held_feeds}  # the two claimed ones given back, the three others never taken
    assert not any(h.last_checked_at for h in sources.list_sources(pipeline.db) if h.name.startswith("held"))


def test_a_poll_claims_at_once_when_fewer_feeds_than_fetch_slots_are_left_to_fetch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fast answers empty the fetch slots long before the refill timer: the poll claims the next feeds then,
    without waiting for the timer (here 30 s; it held a poll to `4 x max_in_flight` feeds a period)."""
    monkeypatch.setattr("monitor.polling.REFILL_SECONDS", 30.0)
    counting = Counting(hold=0.0)
    with hosts("127.0.0.2") as (host,):
        config = write_config(tmp_path, feeds=feeds_on(host, "f", 30, counting.route), settings={"schedule": {"feed_workers": 2}})
        pipeline = build_pipeline(load_settings(config))
        started = time.monotonic()
        assert pipeline.poll_due_feeds() == 30  # 30 feeds, 8 claimed at a time: four claims
        pipeline.close()
    assert time.monotonic() - started < 30  # no claim waited for the timer
