"""Several daemons on one PostgreSQL (issue 18): three `monitor run` share 2,000 feeds served by eight
loopback hosts (a host is polled by one daemon at a time); one is SIGKILLed mid-cycle and another stopped
with SIGTERM, and the one left takes their hosts. Every article is stored once, every alert created once, every
delivery received once per channel, and nothing stays claimed.

The kill lands while the two receivers hold their requests unanswered (and count none of them): a daemon
killed between a receiver's answer and its own record of it would send that alert again after its
lease (at-least-once, as tests/e2e/test_chaos.py counts); here the deliveries it held are resent by the
others, received once.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ON_POSTGRES, REPO, JsonReceiver, LocalHTTP, query, serve_http, wait_for, write_config
from tests.e2e.test_chaos import ACTORS, VOCABULARY
from tests.test_cli import monitor

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="daemons share a store only on PostgreSQL (SQLite keeps one daemon: its flock); "
                                                        "this runs in the PostgreSQL pass (MONITOR_TEST_STORE=postgresql)")

FEEDS = 2000
ALERTING = 100  # feeds whose entry names an actor and an event: one alert each, distinct stories
RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>feed {i}</title><link>http://example.org/{i}</link><description>d</description>
<item><title>{title}</title><link>http://example.org/{i}/1</link><guid>urn:feed:{i}:1</guid><description>{text}</description></item>
</channel></rss>"""


HOSTS = [f"127.0.18.{n}" for n in range(1, 9)]


@pytest.fixture
def feed_hosts() -> Iterator[list[LocalHTTP]]:
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(serve_http(address)) for address in HOSTS]


def feed_server(servers: list[LocalHTTP]) -> list[str]:
    """Every feed's path on one of the servers (their urls returned); one feed in FEEDS / ALERTING tells of
    a distinct strike."""
    words, urls = random.Random(18), []
    for i in range(FEEDS):
        server = servers[i % len(servers)]
        urls.append(server.url(f"/f/{i}.xml"))
        filler = " ".join(words.choice(VOCABULARY) for _ in range(40))
        if i % (FEEDS // ALERTING) == 0:
            title, text = f"Strike {i}", f"{ACTORS[i % len(ACTORS)]} was blamed for a drone strike near Erbil. {filler}."
        else:
            title, text = f"Market report {i}", f"The harbour council met on the budget. {filler}."
        server.routes[f"/f/{i}.xml"] = (200, {"Content-Type": "application/rss+xml"}, RSS.format(i=i, title=title, text=text).encode())
    return urls


@pytest.fixture
def second_receiver() -> Iterator[JsonReceiver]:
    with serve_http() as state:
        yield JsonReceiver(state)


def start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=REPO, stdout=out, stderr=out)


def count(tmp_path: Path, sql: str) -> int:
    return int(query(tmp_path, sql)[0][0])


def status(config: Path) -> list[dict[str, Any]]:
    result = monitor("status", "--json", "--config", str(config))
    assert result.returncode == 0, result.stderr
    daemons: list[dict[str, Any]] = json.loads(result.stdout)["daemons"]
    return daemons


def test_three_daemons_share_2000_feeds_one_killed_one_stopped_everything_once(
        tmp_path: Path, feed_hosts: list[LocalHTTP], json_receiver: JsonReceiver, second_receiver: JsonReceiver) -> None:
    urls = feed_server(feed_hosts)
    receivers = {"hook": json_receiver, "other": second_receiver}
    config = write_config(
        tmp_path, feeds=[{"name": f"feed {i}", "url": url, "every": 3600} for i, url in enumerate(urls)],
        channels=[{"name": name, "url": r.url, "max_per_hour": 0} for name, r in receivers.items()],
        settings={"http": {"deadline": 4, "max_in_flight": 8},  # feed leases of 16 s; each daemon claims 32 feeds at a time
                  "schedule": {"per_host": 32, "parse_workers": 1, "feeds_every": 0.3, "min_interval": 1, "backoff_cap": 2},  # a feed that
                  # timed out on the loaded test machine is polled again 1-2 s later
                  "delivery": {"lease_seconds": 15, "max_attempts": 20}},  # a dispatch claims 50: sent well within 15 s
    )
    logs = [tmp_path / f"daemon{n}.log" for n in range(3)]
    procs = [start(config, log) for log in logs]
    try:
        for log in logs:
            wait_for(lambda log=log: "monitor running" in log.read_text(), timeout=90)  # type: ignore[misc]
        killed, stopped, kept = procs
        articles = lambda: count(tmp_path, "select count(*) from articles")  # noqa: E731
        wait_for(lambda: articles() >= 300, timeout=60)
        for r in receivers.values():  # no answer, nothing counted, while the first is killed
            r.hang = True
        time.sleep(1.0)  # what was answered before is recorded by then
        killed.send_signal(signal.SIGKILL)
        assert killed.wait(timeout=20) == -signal.SIGKILL
        for r in receivers.values():
            r.hang = False
            r.release.set()
        assert articles() < FEEDS, "the kill came after the cycle: nothing was left to take over"
        wait_for(lambda: articles() >= 1000, timeout=90)
        stopped.send_signal(signal.SIGTERM)
        assert stopped.wait(timeout=60) == 0
        wait_for(lambda: articles() == FEEDS, timeout=120)  # the killed daemon's feeds: taken again after their lease
        wait_for(lambda: count(tmp_path, "select count(*) from deliveries where status = 'sent'") == 2 * ALERTING, timeout=120)
        wait_for(lambda: count(tmp_path, "select count(*) from sources where kind = 'feed' and last_success_at is null") == 0, timeout=60)
        holding = lambda d: (d["feeds"], d["deliveries"], d["files"])  # noqa: E731
        # a heartbeat of the one left after its last claim ended (every lease / HEARTBEATS_PER_LEASE: seconds apart,
        # more on a loaded machine; a fixed 3 s wait read the heartbeat before, holding 20 feeds still being recorded)
        wait_for(lambda: any(d["pid"] == kept.pid and holding(d) == (0, 0, 0) for d in status(config)), timeout=60)
        daemons = {d["pid"]: d for d in status(config)}
        assert set(daemons) == {killed.pid, kept.pid}  # the stopped one left the registry; the killed one is listed
        assert not daemons[killed.pid]["alive"] and daemons[kept.pid]["alive"]
        assert holding(daemons[kept.pid]) == (0, 0, 0)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)

    assert query(tmp_path, "select count(*), count(distinct guid), count(distinct source_id) from articles") == [(FEEDS, FEEDS, FEEDS)]
    assert query(tmp_path, "select count(*), count(distinct article_id) from alerts") == [(ALERTING, ALERTING)]
    uids = {row[0] for row in query(tmp_path, "select uid from alerts")}
    for name, receiver in receivers.items():
        received = Counter(re.search(r"Alert id: (\w+)", m["message"]).group(1) for m in receiver.messages)  # type: ignore[union-attr]
        assert set(received) == uids and set(received.values()) == {1}, (name, received.most_common(3))
    assert count(tmp_path, "select count(*) from deliveries where status <> 'sent' or lease_until is not null") == 0
    leased = "select count(*) from sources where kind = 'feed' and (error_count > 0 or next_check_at < now() at time zone 'utc' + interval '30 minutes')"
    assert count(tmp_path, leased) == 0  # every feed recorded its check: its next is an hour on, not a lease's end
    assert count(tmp_path, "select count(*) from host_claims where lease_until > now() at time zone 'utc'") == 0  # no host held
    assert len({(server.port, path) for server in feed_hosts for method, path, _, _ in server.requests if method == "GET"}) == FEEDS
    assert all(" 1 new; next check" in log.read_text() for log in logs)  # each of the three polled feeds
