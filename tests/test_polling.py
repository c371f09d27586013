"""Feed polling through the pipeline: the server's hints decide the next check; failing feeds back
off, get suspended and recover by themselves; a slow feed does not hold up the others."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from monitor.daemon import Daemon
from monitor.pipeline import build_pipeline
from monitor.schedule import plain_delay
from monitor.settings import load_settings
from monitor.store import sources
from monitor.store.db import utcnow
from tests.conftest import ON_POSTGRES, JsonReceiver, LocalHTTP, wait_for, write_config
from tests.test_cli import monitor
from tests.test_pipeline import STRIKE, rss

FEED = rss(("Strike", "https://wire.example/s", "s", STRIKE))


def health(pipeline, name: str) -> sources.SourceHealth:  # type: ignore[no-untyped-def]
    return next(h for h in sources.list_sources(pipeline.db) if h.name == name)


def seconds_until_next_check(pipeline, name: str) -> float:  # type: ignore[no-untyped-def]
    return (health(pipeline, name).next_check_at - utcnow()).total_seconds()


def test_rss_ttl_and_cache_control_push_the_next_check_back(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/ttl.xml"] = (200, {}, FEED.replace(b"<channel>", b"<channel><ttl>120</ttl>"))
    http_server.routes["/cached.xml"] = (200, {"Cache-Control": "public, max-age=5400"}, rss(("Other", "https://wire.example/o", "o", "Calm day.")))
    config = write_config(tmp_path, feeds=[{"name": "ttl", "url": http_server.url("/ttl.xml")}, {"name": "cached", "url": http_server.url("/cached.xml")}],
                          settings={"schedule": {"min_interval": 60}})
    pipeline = build_pipeline(load_settings(config))
    pipeline.poll_due_feeds()
    assert 7100 < seconds_until_next_check(pipeline, "ttl") <= 7200
    assert 5300 < seconds_until_next_check(pipeline, "cached") <= 5400


def test_429_retry_after_is_honoured(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/busy.xml"] = (429, {"Retry-After": "3600"}, b"slow down")
    config = write_config(tmp_path, feeds=[{"name": "busy", "url": http_server.url("/busy.xml")}], settings={"schedule": {"min_interval": 60}})
    pipeline = build_pipeline(load_settings(config))
    pipeline.poll_due_feeds()
    assert 3500 < seconds_until_next_check(pipeline, "busy") <= 3600
    assert "HTTP 429" in (health(pipeline, "busy").last_error or "")


def test_a_retry_after_of_thousands_of_digits_is_the_longest_wait_and_the_poll_goes_on(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression: 'Retry-After: 999...' of 5,000 digits (an HTTP header line holds 8,190 bytes) made int() raise
    ValueError in the poll: `monitor once` ended with a traceback, no feed recorded. It is the longest wait honoured."""
    http_server.routes["/busy.xml"] = (429, {"Retry-After": "9" * 5000}, b"slow down")
    http_server.routes["/good.xml"] = (200, {}, rss(("Strike", "https://wire.example/s", "s", STRIKE)))
    config = write_config(tmp_path, feeds=[{"name": "busy", "url": http_server.url("/busy.xml")}, {"name": "good", "url": http_server.url("/good.xml")}])
    pipeline = build_pipeline(load_settings(config))
    try:
        pipeline.poll_due_feeds()
        assert health(pipeline, "good").status == "ok" and health(pipeline, "good").last_new_items == 1
        assert "HTTP 429" in (health(pipeline, "busy").last_error or "") and seconds_until_next_check(pipeline, "busy") > 86000  # the plan's longest wait
    finally:
        pipeline.parsers.shutdown()


def test_a_max_age_of_thousands_of_digits_is_the_longest_wait_and_the_poll_goes_on(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression: 'Cache-Control: max-age=999...' of 5,000 digits was read as an infinite float, and the interval's
    words (int(inf)) raised OverflowError: `monitor once` ended with a traceback, no feed recorded."""
    http_server.routes["/cached.xml"] = (200, {"Cache-Control": "max-age=" + "9" * 5000}, rss(("Talks", "https://wire.example/t", "t", "Talks resumed.")))
    http_server.routes["/good.xml"] = (200, {}, rss(("Strike", "https://wire.example/s", "s", STRIKE)))
    config = write_config(tmp_path, feeds=[{"name": "cached", "url": http_server.url("/cached.xml")}, {"name": "good", "url": http_server.url("/good.xml")}])
    pipeline = build_pipeline(load_settings(config))
    try:
        pipeline.poll_due_feeds()
        assert health(pipeline, "good").status == "ok" and health(pipeline, "cached").status == "ok"
        assert seconds_until_next_check(pipeline, "cached") > 86000  # the plan's longest wait
    finally:
        pipeline.parsers.shutdown()


def test_a_failing_feed_is_suspended_then_recovers_by_itself(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/flaky.xml"] = (500, {}, b"down")
    config = write_config(tmp_path, feeds=[{"name": "flaky", "url": http_server.url("/flaky.xml")}],
                          settings={"schedule": {"min_interval": 60, "suspend_after": 3, "backoff_cap": 600, "suspended_every": 3600}})
    pipeline = build_pipeline(load_settings(config))
    start = utcnow()
    for hour in range(3):
        pipeline.poll_due_feeds(start + timedelta(hours=hour))  # each time the backoff has passed
    h = health(pipeline, "flaky")
    assert (h.status, h.error_count) == ("suspended", 3) and "suspended after 3 failures" in (h.last_error or "")
    assert h.next_check_at is not None  # still tried, slowly: an hour after that poll's failure (its fetch's time, not its start)
    assert timedelta(hours=3) <= h.next_check_at - start < timedelta(hours=3, seconds=30), h.next_check_at - start

    http_server.routes["/flaky.xml"] = (200, {}, FEED)
    assert sources.due_feeds(pipeline.db, start + timedelta(hours=2, minutes=59)) == []
    pipeline.poll_due_feeds(start + timedelta(hours=3, minutes=1))
    h = health(pipeline, "flaky")
    assert (h.status, h.error_count, h.last_error) == ("ok", 0, None)


def held_feed(release: threading.Event, at_most: float) -> Callable[[BaseHTTPRequestHandler, bytes], None]:
    """A route that answers FEED once `release` is set (or after `at_most` seconds)."""

    def answer(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        release.wait(at_most)
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(FEED)))
        handler.end_headers()
        handler.wfile.write(FEED)

    return answer


def test_a_slow_feed_does_not_hold_up_the_others(tmp_path: Path, http_server: LocalHTTP) -> None:
    release = threading.Event()
    http_server.routes["/slow.xml"] = held_feed(release, 5)
    http_server.routes["/fast.xml"] = (200, {}, rss(("Fast", "https://wire.example/f", "f", "Kataeb Hezbollah fired rockets at the base.")))
    config = write_config(tmp_path, feeds=[{"name": "slow", "url": http_server.url("/slow.xml")}, {"name": "fast", "url": f"http://localhost:{http_server.port}/fast.xml"}])
    pipeline = build_pipeline(load_settings(config))
    poller = threading.Thread(target=pipeline.poll_due_feeds)
    poller.start()
    deadline = time.monotonic() + 5
    while health(pipeline, "fast").last_success_at is None and time.monotonic() < deadline:
        time.sleep(0.02)
    fast_done = health(pipeline, "fast").last_success_at is not None
    slow_done = health(pipeline, "slow").last_success_at is not None
    release.set()
    poller.join(10)
    assert fast_done and not slow_done  # the fast feed finished while the slow one was still waiting


def test_a_feed_fetched_late_in_a_poll_is_next_checked_from_its_own_fetch(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression (left by the last stop, fixed by helper xops5): a feed's next check was planned from its poll's start,
    so one answered late in a long poll (a slow host, thousands of feeds) came due early by as long: every 600 s meant
    600 s after the poll began. It is planned from the feed's own outcome, and so is its last success."""
    http_server.routes["/slow.xml"] = held_feed(threading.Event(), 3)  # answered after 3 s
    config = write_config(tmp_path, feeds=[{"name": "slow", "url": http_server.url("/slow.xml"), "every": 600}])
    pipeline = build_pipeline(load_settings(config))
    try:
        began = utcnow()
        pipeline.poll_due_feeds()
        slow = health(pipeline, "slow")
    finally:
        pipeline.close()
    assert slow.last_success_at is not None and slow.next_check_at is not None
    assert (slow.last_success_at - began).total_seconds() >= 3, (began, slow.last_success_at)
    assert (slow.next_check_at - began).total_seconds() >= 603, (began, slow.next_check_at)


def test_full_text_matches_the_article_page_not_the_summary(tmp_path: Path, http_server: LocalHTTP, json_receiver) -> None:  # type: ignore[no-untyped-def]
    page = ("<html><head><title>Wire</title></head><body><nav>Home News</nav><article><h1>Overnight attack</h1>"
            "<p>Officials said the convoy was hit before dawn and casualties were being counted by the ministry.</p>"
            f"<p>{STRIKE}</p><p>More details were expected later in the day, the statement added.</p></article></body></html>")
    http_server.routes["/story"] = (200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())
    http_server.routes["/teaser.xml"] = (200, {}, rss(("Overnight attack", http_server.url("/story"), "t1", "An attack overnight. Read more.")))
    config = write_config(tmp_path, feeds=[{"name": "teaser", "url": http_server.url("/teaser.xml"), "full_text": True}],
                          channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once(settle_wait=0)
    assert len(json_receiver.messages) == 1 and "Qasem Soleimani" in json_receiver.messages[0]["title"]
    pipeline.run_once(settle_wait=0)
    assert [r[1] for r in http_server.requests].count("/story") == 1  # a seen entry's page is not fetched again


def test_a_permanent_redirect_is_recorded_not_adopted(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/old.xml"] = (301, {"Location": "/new.xml"}, b"")
    http_server.routes["/new.xml"] = (200, {}, FEED)
    config = write_config(tmp_path, feeds=[{"name": "moved", "url": http_server.url("/old.xml")}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.poll_all_feeds()
    h = health(pipeline, "moved")
    assert (h.status, h.location, h.moved_to) == ("ok", http_server.url("/old.xml"), http_server.url("/new.xml"))



def test_a_permanent_redirect_to_a_new_token_is_shown_masked(tmp_path: Path, http_server: LocalHTTP, caplog) -> None:  # type: ignore[no-untyped-def]
    """Regression: the target of a permanent redirect was logged and listed as it came; a private feed moved to a URL
    with a new token in its path ('source 1 (private): permanently redirected to .../v2/feeds/<token>/rss', and
    'moved permanently to ...' in `monitor sources`) showed that token, which is as secret as the feed's own."""
    import logging

    old, new = "Kx93TqPLm27ZvBw4", "Qa81XcVn53RtYu9E"
    http_server.routes[f"/feeds/{old}/rss"] = (301, {"Location": f"/v2/feeds/{new}/rss"}, b"")
    http_server.routes[f"/v2/feeds/{new}/rss"] = (200, {}, FEED)
    config = write_config(tmp_path, feeds=[{"name": "private", "url": http_server.url(f"/feeds/{old}/rss")}])
    pipeline = build_pipeline(load_settings(config))
    with caplog.at_level(logging.INFO, logger="monitor"):
        pipeline.poll_all_feeds()
    from monitor.redact import redact

    said = [redact(r.getMessage()) for r in caplog.records if "permanently redirected" in r.getMessage()]  # as the log's filter masks it
    assert said and new not in said[0] and "/v2/feeds/****/rss" in said[0], said
    assert [getattr(r, "source", None) for r in caplog.records if "permanently redirected" in r.getMessage()] == ["private"]  # the JSON log's field
    pipeline.db.close()
    listed = monitor("sources", "--config", str(config))
    assert listed.returncode == 0 and "moved permanently to" in listed.stdout, listed.stdout + listed.stderr
    assert new not in listed.stdout and old not in listed.stdout, listed.stdout

def test_an_unchanged_body_without_validators_is_not_parsed_again(tmp_path: Path, http_server: LocalHTTP, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    http_server.routes["/plain.xml"] = (200, {}, FEED)  # no ETag, no Last-Modified: only the body tells
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "plain", "url": http_server.url("/plain.xml")}])))
    parsed: list[int] = []  # the parsing processes are asked once per body to parse
    real = pipeline.parsers.submit
    monkeypatch.setattr(pipeline.parsers, "submit", lambda *args: parsed.append(1) or real(*args))
    pipeline.poll_all_feeds()
    pipeline.poll_all_feeds()
    assert len(parsed) == 1
    http_server.routes["/plain.xml"] = (200, {}, rss(("New", "https://wire.example/n", "n", "Another day.")))
    pipeline.poll_all_feeds()
    assert len(parsed) == 2 and health(pipeline, "plain").last_new_items == 1


def test_changed_feeds_waiting_to_be_stored_are_bounded(tmp_path: Path, http_server: LocalHTTP, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    names = [f"f{i}" for i in range(24)]
    for i, name in enumerate(names):
        http_server.routes[f"/{name}.xml"] = (200, {}, rss((f"Item {i}", f"https://wire.example/{i}", f"g{i}", f"Story number {i} of the day.")))
    config = write_config(tmp_path, feeds=[{"name": n, "url": http_server.url(f"/{n}.xml")} for n in names], settings={"schedule": {"feed_workers": 10, "parse_workers": 2}})
    pipeline = build_pipeline(load_settings(config))
    submitted, stored, most = [0], [0], [0]

    real_submit, real_settle = pipeline.parsers.submit, pipeline.feeds._settle

    def counting_submit(*args):  # type: ignore[no-untyped-def]  # the parsing pool, counting what is handed to it
        submitted[0] += 1
        most[0] = max(most[0], submitted[0] - stored[0])
        return real_submit(*args)

    def slow_settle(poller, item, now, claim):  # type: ignore[no-untyped-def]  # a store slower than fetching and parsing
        time.sleep(0.05)
        result = real_settle(poller, item, now, claim)
        stored[0] += 1
        return result

    monkeypatch.setattr(pipeline.parsers, "submit", counting_submit)
    monkeypatch.setattr(pipeline.feeds, "_settle", slow_settle)
    assert pipeline.poll_all_feeds() == 24
    assert stored[0] == 24
    assert most[0] <= 8  # 4 per parsing process: not all 24 parsed and held at once


def test_at_most_feed_workers_fetches_run_at_once_and_every_feed_is_polled(tmp_path: Path, http_server: LocalHTTP) -> None:
    names = [f"s{i}" for i in range(30)]
    under_way, most, lock = [0], [0], threading.Lock()

    def slow(i: int) -> Callable[[BaseHTTPRequestHandler, bytes], None]:
        def route(handler: BaseHTTPRequestHandler, _: bytes) -> None:
            with lock:
                under_way[0] += 1
                most[0] = max(most[0], under_way[0])
            time.sleep(0.1)  # long enough for every fetcher to be waiting on a server at once
            with lock:  # before answering: the answered fetcher may start its next request at once
                under_way[0] -= 1
            body = rss((f"Item {i}", f"https://wire.example/s{i}", f"s{i}", f"Slow story {i}."))
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        return route

    for i, name in enumerate(names):
        http_server.routes[f"/{name}.xml"] = slow(i)
    config = write_config(tmp_path, feeds=[{"name": n, "url": http_server.url(f"/{n}.xml")} for n in names], settings={"schedule": {"feed_workers": 3, "per_host": 30}})
    pipeline = build_pipeline(load_settings(config))
    assert pipeline.poll_all_feeds() == 30
    assert most[0] == 3  # the fetchers were all busy at once, and never more than they


def requests_to(http_server: LocalHTTP, path: str) -> int:
    return [p for _, p, _, _ in http_server.requests].count(path)


def test_once_polls_only_what_is_due_and_all_forces_it(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Issue 14 item 8: a cron-driven `monitor once` polled a feed answering 429 every time, whatever
    its Retry-After; now a second `once` leaves it alone until it is due, and `--all` forces it."""
    http_server.routes["/busy.xml"] = (429, {"Retry-After": "3600"}, b"slow down")
    config = write_config(tmp_path, feeds=[{"name": "busy", "url": http_server.url("/busy.xml")}])
    assert monitor("once", "--config", str(config)).returncode == 0  # new: polled at once
    assert requests_to(http_server, "/busy.xml") == 1
    again = monitor("once", "--config", str(config))
    assert again.returncode == 0 and requests_to(http_server, "/busy.xml") == 1, again.stderr
    forced = monitor("once", "--all", "--config", str(config))
    assert forced.returncode == 0 and requests_to(http_server, "/busy.xml") == 2
    assert "polling the one feed, due or not (--all)" in forced.stderr  # not "all 1 feeds" (found by helper xops)


def test_a_claimed_feed_is_not_claimed_again_and_a_released_claim_is_due_again(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Two polls at once (overlapping ticks, or `once` beside the daemon) never take one feed twice."""
    config = write_config(tmp_path, feeds=[{"name": "a", "url": http_server.url("/a.xml")}])
    pipeline = build_pipeline(load_settings(config))
    now = utcnow()
    [job] = sources.due_feeds(pipeline.db, now)
    lease = now + timedelta(seconds=120)
    assert sources.claim(pipeline.db, [job.id], now, lease) == {job.id}
    assert sources.claim(pipeline.db, [job.id], now, lease) == set()
    assert sources.due_feeds(pipeline.db, now) == []
    sources.release(pipeline.db, [job], lease)  # a cancelled fetch gives its claim back
    assert [j.id for j in sources.due_feeds(pipeline.db, now)] == [job.id]


def test_a_stalled_feed_holds_back_no_later_tick(tmp_path: Path, http_server: LocalHTTP, json_receiver: JsonReceiver) -> None:
    """Issue 14 item 9: a tick waited for its slowest fetch, so with `per_host` feeds a tick the rest
    waited for the stalled one's deadline. Now the daemon's ticks overlap and a stalled feed takes
    only its own slot: 20 fast feeds are stored and alert while the stalled one still hangs."""
    release = threading.Event()
    http_server.routes["/stalled.xml"] = held_feed(release, 30)
    fast = [{"name": f"fast{i}", "url": http_server.url(f"/fast{i}.xml")} for i in range(20)]
    for i in range(20):
        http_server.routes[f"/fast{i}.xml"] = (200, {}, rss((f"Rockets {i}", f"https://wire.example/f{i}", f"f{i}", f"Kataeb Hezbollah fired rockets at the base, report {i}.")))
    config = write_config(tmp_path, feeds=[{"name": "stalled", "url": f"http://localhost:{http_server.port}/stalled.xml"}, *fast],
                          channels=[{"name": "hook", "url": json_receiver.url}],
                          settings={"schedule": {"feeds_every": 0.2, "per_host": 2}, "http": {"timeout": 30, "deadline": 30}})
    daemon = Daemon(build_pipeline(load_settings(config)))
    daemon.start()
    try:
        wait_for(lambda: all(health(daemon.pipeline, f["name"]).last_new_items == 1 for f in fast), timeout=15)
        wait_for(lambda: json_receiver.messages, timeout=10)
        assert health(daemon.pipeline, "stalled").last_checked_at is None  # still hanging
    finally:
        release.set()
        daemon.shutdown()


def test_a_feed_added_while_the_daemon_runs_is_polled_at_the_next_tick(tmp_path: Path, http_server: LocalHTTP, caplog) -> None:  # type: ignore[no-untyped-def]
    """Issue 14 item 22: a feed added with `monitor sources add` is due at once and the running daemon
    polls it within a feeds tick; the start-up line counts the feeds added so."""
    http_server.routes["/added.xml"] = (200, {}, FEED)
    http_server.routes["/early.xml"] = (200, {}, FEED)
    config = write_config(tmp_path, settings={"schedule": {"feeds_every": 0.3}})
    pipeline = build_pipeline(load_settings(config))
    sources.add_feed(pipeline.db, "early", http_server.url("/early.xml"), None)
    daemon = Daemon(pipeline)
    with caplog.at_level("INFO", logger="monitor"):
        daemon.start()
    try:
        assert "monitor running: 1 feed (0 from the config, 1 added), 0 folders, 1 channel" in caplog.text
        sources.add_feed(pipeline.db, "added", http_server.url("/added.xml"), None)
        wait_for(lambda: health(pipeline, "added").last_success_at is not None, timeout=5)
    finally:
        daemon.shutdown()


def test_the_first_interval_is_said_in_words_with_what_decided_it(tmp_path: Path, http_server: LocalHTTP, caplog) -> None:  # type: ignore[no-untyped-def]
    """Issue 14 item 22: `next check in 3808 s` surprised users."""
    http_server.routes["/ttl.xml"] = (200, {}, FEED.replace(b"<channel>", b"<channel><ttl>60</ttl>"))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "ttl", "url": http_server.url("/ttl.xml")}])))
    with caplog.at_level("INFO", logger="monitor"):
        pipeline.poll_due_feeds()
    assert "next check in 1 h (ttl 60 min from the feed)" in caplog.text
    assert [plain_delay(s) for s in (0.4, 45, 600, 3808, 86400, 90000 + 1800)] == ["0 s", "45 s", "10 min", "1 h 3 min", "1 d", "1 d 2 h"]


def test_a_full_text_page_in_a_charset_no_text_decodes_fails_neither_its_entry_nor_the_feed(tmp_path: Path, http_server: LocalHTTP, json_receiver) -> None:  # type: ignore[no-untyped-def]
    """Regression (found by helper xhostile): a page served as 'text/html; charset=undefined' (or punycode) raised
    UnicodeError out of the full-text step: the feed's whole batch failed ('unexpected error while storing'), its
    other entries unstored and unalerted, at every poll. Such a page is read as UTF-8 with replacements."""
    for name, charset in (("odd", "undefined"), ("puny", "punycode")):
        http_server.routes[f"/{name}"] = (200, {"Content-Type": f"text/html; charset={charset}"}, b"<html><body><p>Markets rose \\x.. on Friday.</p></body></html>")
    http_server.routes["/story"] = (200, {"Content-Type": "text/html"}, f"<html><body><p>{STRIKE}</p></body></html>".encode())
    http_server.routes["/teaser.xml"] = (200, {}, rss(("Markets", http_server.url("/odd"), "m1", "Markets."), ("Puny", http_server.url("/puny"), "m2", "Puny."),
                                                      ("Overnight attack", http_server.url("/story"), "t1", "An attack overnight.")))
    config = write_config(tmp_path, feeds=[{"name": "teaser", "url": http_server.url("/teaser.xml"), "full_text": True}],
                          channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once(settle_wait=0)
    h = health(pipeline, "teaser")
    assert (h.status, h.last_error, h.last_new_items) == ("ok", None, 3)
    assert len(json_receiver.messages) == 1 and "Qasem Soleimani" in json_receiver.messages[0]["title"]


def test_full_text_pages_are_fetched_a_few_at_a_time_and_kept_as_text(tmp_path: Path, http_server: LocalHTTP, json_receiver) -> None:  # type: ignore[no-untyped-def]
    """Regression (found by helper xhostile): a full-text feed's new entries had their pages fetched all at once
    and held whole until the last came: 300 entries linking to 9 MB pages took 3 GB, MemoryError under a 2 GB
    limit, and the feed's batch failed at every poll. Now PAGES_AT_ONCE pages are fetched at a time, each made
    text (at most TEXT_CHARS) before the next ones come."""
    from monitor.ingest import PAGES_AT_ONCE

    lock, at_once, most = threading.Lock(), [0], [0]

    def page(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        with lock:
            at_once[0] += 1
            most[0] = max(most[0], at_once[0])
        time.sleep(0.05)
        body = f"<html><body><p>{STRIKE}</p>{'<p>Markets rose on Friday.</p>' * 2000}</body></html>".encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        with lock:
            at_once[0] -= 1
        handler.wfile.write(body)

    entries = [(f"Story {i}", http_server.url(f"/page{i}"), f"p{i}", "Teaser.") for i in range(30)]
    http_server.routes.update({f"/page{i}": page for i in range(30)})
    http_server.routes["/teaser.xml"] = (200, {}, rss(*entries))
    config = write_config(tmp_path, feeds=[{"name": "teaser", "url": http_server.url("/teaser.xml"), "full_text": True}],
                          channels=[{"name": "hook", "url": json_receiver.url}], settings={"schedule": {"per_host": 100}})
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once(settle_wait=0)
    assert health(pipeline, "teaser").last_new_items == 30
    assert 1 <= most[0] <= PAGES_AT_ONCE


def test_a_feed_too_large_to_parse_is_its_own_one_line_error_and_the_poll_goes_on(tmp_path: Path, http_server: LocalHTTP, json_receiver) -> None:  # type: ignore[no-untyped-def]
    """Regression (found by helper xhostile; the address-space bound first tried was reverted): '<item>' never closed,
    300,000 times, made feedparser nest 300,000 entries, and 10 MB of them took over 2 GB: the MemoryError ended the
    whole poll, `monitor once` with a traceback, the other feeds' entries unstored. The parse now stops by itself
    past feeds.MAX_DEPTH open elements, and the feed's error says so in one line."""
    http_server.routes["/items.xml"] = (200, {}, b'<rss version="2.0"><channel>' + b"<item>" * 300_000)
    http_server.routes["/good.xml"] = (200, {}, rss(("Strike", "https://wire.example/s", "s", STRIKE)))
    config = write_config(tmp_path, feeds=[{"name": "items", "url": http_server.url("/items.xml")}, {"name": "good", "url": http_server.url("/good.xml")}],
                          channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    try:
        pipeline.run_once(settle_wait=0)
        items = health(pipeline, "items")
        assert items.status == "error" and (items.last_error or "").endswith("too large to parse: elements nested over 1,000 deep")
        assert health(pipeline, "good").status == "ok"
        assert len(json_receiver.messages) == 1
    finally:
        pipeline.parsers.shutdown()


def test_a_feed_with_a_reference_to_no_character_is_stored_and_the_poll_goes_on(tmp_path: Path, http_server: LocalHTTP, json_receiver) -> None:  # type: ignore[no-untyped-def]
    """Regression: '&#xD800;' in a feed made feedparser's loose parser raise UnicodeEncodeError out of the parsing
    process, and the poll ended with a traceback (`monitor once`, exit 1), the other feeds' entries unstored. The
    reference is U+FFFD now, and any error feedparser raises on a feed is that feed's one-line error."""
    http_server.routes["/odd.xml"] = (200, {}, b'<rss version="2.0"><channel><item><title>a &#xD800; b</title><guid>g</guid></item></channel></rss>')
    http_server.routes["/good.xml"] = (200, {}, rss(("Strike", "https://wire.example/s", "s", STRIKE)))
    config = write_config(tmp_path, feeds=[{"name": "odd", "url": http_server.url("/odd.xml")}, {"name": "good", "url": http_server.url("/good.xml")}],
                          channels=[{"name": "hook", "url": json_receiver.url}])
    done = monitor("once", "--config", str(config))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    pipeline = build_pipeline(load_settings(config))
    try:
        assert health(pipeline, "odd").status == "ok" and health(pipeline, "odd").last_new_items == 1
        assert health(pipeline, "good").status == "ok" and len(json_receiver.messages) == 1
    finally:
        pipeline.parsers.shutdown()


def test_a_full_text_feed_gets_the_pages_of_its_first_full_text_pages_new_entries_only(tmp_path: Path, http_server: LocalHTTP, caplog) -> None:  # type: ignore[no-untyped-def]
    """Regression: a full-text feed's new entries each had their page fetched and made text on the storing thread,
    every other feed's storing waiting: a first poll of a feed of 10,000 entries (MAX_ENTRIES) was 10,000 fetches of
    up to max_body_bytes and up to 3 s of trafilatura each, hours. A poll fetches the pages of a feed's first
    FULL_TEXT_PAGES new entries (its newest); the others keep their summary, and a line says so."""
    from monitor.ingest import FULL_TEXT_PAGES

    count = FULL_TEXT_PAGES + 30
    fetched: list[int] = []

    def page(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        fetched.append(1)
        body = f"<html><body><p>{STRIKE}</p></body></html>".encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    http_server.routes.update({f"/page{i}": page for i in range(count)})
    http_server.routes["/teaser.xml"] = (200, {}, rss(*[(f"Story {i}", http_server.url(f"/page{i}"), f"p{i}", "Teaser.") for i in range(count)]))
    config = write_config(tmp_path, feeds=[{"name": "teaser", "url": http_server.url("/teaser.xml"), "full_text": True}], settings={"schedule": {"per_host": 100}})
    pipeline = build_pipeline(load_settings(config))
    try:
        with caplog.at_level("INFO", logger="monitor"):
            pipeline.run_once(settle_wait=0)
        assert health(pipeline, "teaser").last_new_items == count and len(fetched) == FULL_TEXT_PAGES
        assert f"{count} new entries: the pages of the first {FULL_TEXT_PAGES} fetched for their full text, the others keep their summary" in caplog.text
    finally:
        pipeline.parsers.shutdown()


def test_a_feed_that_gives_all_its_entries_new_ids_at_each_poll_stores_its_newest_only(tmp_path: Path, http_server: LocalHTTP, caplog) -> None:  # type: ignore[no-untyped-def]
    """Regression (left open by stop 39, found by helper xhostile): a feed whose entries all came back under new ids,
    links and words at each poll stored every one of them, up to feeds.MAX_ENTRIES (10,000) a poll, each matched,
    sketched and kept for `keep_days`, and nothing said why. A feed polled before whose entries are all unknown (no
    GUID stored) stores at most ingest.TURNOVER_LIMIT of them (its newest), with one line naming it; a feed's first
    poll, and a poll where some of its entries are known, store every new entry."""
    from monitor.ingest import TURNOVER_LIMIT

    def feed(poll: int, count: int, fresh: int = 0) -> bytes:
        items = [(f"Fresh {poll} {i}", f"https://wire.example/f{poll}-{i}", f"f{poll}-{i}", f"Fresh story {i} of poll {poll}.") for i in range(fresh)]
        return rss(*items, *((f"Item {poll} {i}", f"https://wire.example/{poll}-{i}", f"{poll}-{i}", f"Story {i} of poll {poll}, told anew.") for i in range(count)))

    count = TURNOVER_LIMIT + 40
    http_server.routes["/churn.xml"] = (200, {}, feed(1, count))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "churn", "url": http_server.url("/churn.xml")}])))
    try:
        assert pipeline.poll_all_feeds() == count  # its first poll: every entry
        http_server.routes["/churn.xml"] = (200, {}, feed(2, count))
        with caplog.at_level("INFO", logger="monitor"):
            assert pipeline.poll_all_feeds() == TURNOVER_LIMIT
        said = [r.getMessage() for r in caplog.records if "none of them stored before" in r.getMessage()]
        source = health(pipeline, "churn").id
        assert said == [f"source {source} (churn): {count} entries, none of them stored before though the feed was polled before: "
                        f"its newest {TURNOVER_LIMIT} stored, the other 40 at its next poll if it still carries them; a feed "
                        "that gives its entries new ids at every poll does this"], caplog.text
        assert health(pipeline, "churn").last_new_items == TURNOVER_LIMIT
        http_server.routes["/churn.xml"] = (200, {}, feed(3, count))
        caplog.clear()
        with caplog.at_level("INFO", logger="monitor"):
            assert pipeline.poll_all_feeds() == TURNOVER_LIMIT
        said = [r.getMessage() for r in caplog.records if "none of them stored before" in r.getMessage()]
        assert said == [f"source {source} (churn): {count} entries, none of them stored before though the feed was polled before: "
                        f"its newest {TURNOVER_LIMIT} stored, the other 40 at its next poll if it still carries them; 2 polls "
                        f"in a row: the feed gives its entries new ids, links and words at every poll (`monitor sources disable "
                        f"{source}` stops polling it)"], caplog.text
        body = feed(3, count, fresh=TURNOVER_LIMIT + 5)  # as many real new entries above the known ones: the newest now, the rest next
        http_server.routes["/churn.xml"] = (200, {}, body)
        assert pipeline.poll_all_feeds() == TURNOVER_LIMIT
        assert pipeline.poll_all_feeds() == 5 + 40
        assert pipeline.poll_all_feeds() == 0
    finally:
        pipeline.parsers.shutdown()


def test_a_feed_turned_over_faster_than_polled_says_so_in_monitor_sources_till_a_poll_stores_all(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression: a feed whose entries turned over faster than it was polled (more than TURNOVER_LIMIT new, the rest
    left for its next poll), or that gave its entries new ids at every poll, said so only in the daemon's log:
    `monitor sources` listed it `ok`, nothing in its row. The poll's warning is its row's last error column now (its
    status stays ok), until a poll stores every new entry it has."""
    from monitor.ingest import TURNOVER_LIMIT

    def feed(poll: int) -> bytes:
        return rss(*((f"Item {poll} {i}", f"https://wire.example/{poll}-{i}", f"{poll}-{i}", f"Story {i} of poll {poll}, told anew.") for i in range(TURNOVER_LIMIT + 40)))

    def row() -> str:
        listing = monitor("sources", "--config", str(config), env={"COLUMNS": "1000"})
        assert listing.returncode == 0, listing.stderr
        return next(line for line in listing.stdout.splitlines() if " churn " in line)

    http_server.routes["/churn.xml"] = (200, {}, feed(1))
    config = write_config(tmp_path, feeds=[{"name": "churn", "url": http_server.url("/churn.xml")}])
    pipeline = build_pipeline(load_settings(config))
    try:
        pipeline.poll_all_feeds()
        assert "warning" not in row() and " ok " in row()
        for poll in (2, 3):
            http_server.routes["/churn.xml"] = (200, {}, feed(poll))
            assert pipeline.poll_all_feeds() == TURNOVER_LIMIT
        source = health(pipeline, "churn").id
        said = row()
        assert " ok " in said and (f"warning: {TURNOVER_LIMIT + 40} entries, none of them stored before though the feed was polled before: "
                                   f"its newest {TURNOVER_LIMIT} stored, the other 40 at its next poll if it still carries them; 2 polls in a row: "
                                   f"the feed gives its entries new ids, links and words at every poll (`monitor sources disable {source}` "
                                   "stops polling it)") in said, said
        assert pipeline.poll_all_feeds() == 40  # the same feed again: the 40 left are stored, nothing more to say
        assert "warning" not in row(), row()
    finally:
        pipeline.parsers.shutdown()


def test_a_feed_that_gives_every_entry_the_same_guid_stores_each_entry(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression: a feed whose generator gave every entry one GUID (the site's address) stored its first entry only:
    the others were taken for repeats of it in the poll, and at later polls for entries already stored, so every later
    story of the feed was lost without a word. A GUID that several of a feed's entries carry identifies none of them:
    they are told apart by their links (or their words), as entries without a GUID are."""
    def feed(*numbers: int) -> bytes:
        return rss(*((f"Story {n}", f"https://site.example/{n}", "https://site.example/", f"Story number {n} of the site.") for n in numbers))

    http_server.routes["/same.xml"] = (200, {}, feed(2, 1))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "same", "url": http_server.url("/same.xml")}])))
    try:
        assert pipeline.poll_all_feeds() == 2
        http_server.routes["/same.xml"] = (200, {}, feed(3, 2, 1))
        assert pipeline.poll_all_feeds() == 1
    finally:
        pipeline.parsers.shutdown()


def test_a_turned_over_feed_listing_its_oldest_first_stores_its_newest_by_date(tmp_path: Path, http_server: LocalHTTP) -> None:
    """The turnover bound stored a feed's first TURNOVER_LIMIT entries and said they were its newest: a feed listing
    its oldest first had its oldest stored and its newest left out. Entries with dates are taken newest first."""
    from sqlalchemy import select

    from monitor.ingest import TURNOVER_LIMIT
    from monitor.store.tables import ArticleRow

    def feed(poll: int, count: int) -> bytes:
        items = "".join(f"<item><title>Item {poll} {i}</title><link>https://wire.example/{poll}-{i}</link><guid>{poll}-{i}</guid>"
                        f"<description>Story {i} of poll {poll}, told anew.</description>"
                        f"<pubDate>Fri, 03 Jan 2020 {i // 60:02d}:{i % 60:02d}:00 GMT</pubDate></item>" for i in range(count))  # oldest first
        return f'<rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()

    count = TURNOVER_LIMIT + 40
    http_server.routes["/asc.xml"] = (200, {}, feed(1, count))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "asc", "url": http_server.url("/asc.xml")}])))
    try:
        assert pipeline.poll_all_feeds() == count
        http_server.routes["/asc.xml"] = (200, {}, feed(2, count))
        assert pipeline.poll_all_feeds() == TURNOVER_LIMIT
        with pipeline.db.session() as s:
            titles = set(s.scalars(select(ArticleRow.title).where(ArticleRow.title.like("Item 2 %"))))
        assert titles == {f"Item 2 {i}" for i in range(40, count)}
    finally:
        pipeline.parsers.shutdown()


def test_a_live_blogs_updates_sharing_one_link_but_for_the_fragment_are_each_stored(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression (found by helper xfeed2): a live blog's feed lists each update as an entry of its own whose link is
    the page's with the update's fragment (`https://news.example/live#update-3`); the fragment was dropped from the
    canonical URL, so every update after the first was taken for a copy of it and lost without a word. Entries of one
    feed whose links differ only by an anchor (no `=` in it: not a tracking fragment) are told apart by it."""
    from sqlalchemy import select

    from monitor.store.tables import ArticleRow

    def feed(*numbers: int) -> bytes:
        return rss(*((f"Live: update {n}", f"https://news.example/live#update-{n}", f"live-{n}", f"Update {n}: talks went on in room {n * 7}.")
                     for n in numbers))

    http_server.routes["/live.xml"] = (200, {}, feed(1))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "live", "url": http_server.url("/live.xml")}])))
    try:
        assert pipeline.poll_all_feeds() == 1
        http_server.routes["/live.xml"] = (200, {}, feed(3, 2, 1))
        assert pipeline.poll_all_feeds() == 2
        http_server.routes["/live.xml"] = (200, {}, feed(5, 4, 3, 2))
        assert pipeline.poll_all_feeds() == 2
        with pipeline.db.session() as s:
            titles = sorted(s.scalars(select(ArticleRow.title)))
        assert titles == [f"Live: update {n}" for n in range(1, 6)]
    finally:
        pipeline.parsers.shutdown()


def test_a_live_blog_whose_feed_lists_one_update_at_a_time_stores_each(tmp_path: Path, http_server: LocalHTTP) -> None:
    """The live blog's rule across polls (found by helper xfeed2): a feed listing only its latest update
    (`/live#update-2`, then `/live#update-3`) had each later update taken for a copy of the first, stored under the
    page's link. An entry of the same feed, new by its GUID and its words, whose link differs from a stored entry's only
    by an anchor, is told apart by it too."""
    from sqlalchemy import select

    from monitor.store.tables import ArticleRow

    def feed(n: int) -> bytes:
        return rss((f"Live: update {n}", f"https://news.example/live#update-{n}", f"live-{n}", f"Update {n}: talks went on in room {n * 7}."))

    http_server.routes["/live.xml"] = (200, {}, feed(1))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "live", "url": http_server.url("/live.xml")}])))
    try:
        assert pipeline.poll_all_feeds() == 1
        for n in (2, 3):
            http_server.routes["/live.xml"] = (200, {}, feed(n))
            assert pipeline.poll_all_feeds() == 1
        http_server.routes["/live.xml"] = (200, {}, rss(("Live: update 3", "https://news.example/live#update-3", "live-3b", "Update 3: talks went on in room 21.")))
        assert pipeline.poll_all_feeds() == 0  # a new GUID on the same update's words: a copy still
        with pipeline.db.session() as s:
            stored = sorted((title, url) for title, url in s.execute(select(ArticleRow.title, ArticleRow.canonical_url)))
        assert stored == [("Live: update 1", "https://news.example/live"), ("Live: update 2", "https://news.example/live#update-2"),
                          ("Live: update 3", "https://news.example/live#update-3")]
    finally:
        pipeline.parsers.shutdown()


def test_a_link_with_a_tracking_fragment_is_still_a_copy_of_the_same_link(tmp_path: Path, http_server: LocalHTTP) -> None:
    """What the live blog's rule leaves alone: a tracking fragment (`#xtor=RSS-3`, a `key=value`) is no identity, in
    one feed or across feeds; nor is a fragment on a link no other entry of the feed shares."""
    http_server.routes["/a.xml"] = (200, {}, rss(("Talks resume", "https://wire.example/t#xtor=RSS-1", "a1", "Talks resumed on Monday."),
                                                 ("Talks resume", "https://wire.example/t#xtor=RSS-9", "a2", "Talks resumed on Monday, it said.")))
    http_server.routes["/b.xml"] = (200, {}, rss(("Talks resume", "https://wire.example/t#comments", "b1", "Talks resumed on Monday, officials said.")))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "a", "url": http_server.url("/a.xml")}])))
    try:
        assert pipeline.poll_all_feeds() == 1
    finally:
        pipeline.parsers.shutdown()
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "a", "url": http_server.url("/a.xml")},
                                                                          {"name": "b", "url": http_server.url("/b.xml")}])))
    try:
        assert pipeline.poll_all_feeds() == 0
    finally:
        pipeline.parsers.shutdown()


def test_a_churning_feed_with_one_entry_that_keeps_its_id_is_bounded_too(tmp_path: Path, http_server: LocalHTTP, caplog) -> None:  # type: ignore[no-untyped-def]
    """Regression (found by helper xfeed2): the turnover bound held only where none of a feed's entries was known: a
    feed giving its entries new ids, links and words at every poll but one (a pinned post) stored all the others at
    every poll, up to feeds.MAX_ENTRIES (10,000) a poll, without a word. A feed polled before stores at most
    ingest.TURNOVER_LIMIT new entries a poll (its newest), and the others at its next poll if it still carries them."""
    from monitor.ingest import TURNOVER_LIMIT

    def feed(poll: int, count: int) -> bytes:
        pinned = ("About this feed", "https://wire.example/about", "about", "What this feed carries.")
        return rss(pinned, *((f"Item {poll} {i}", f"https://wire.example/{poll}-{i}", f"{poll}-{i}", f"Story {i} of poll {poll}, told anew.") for i in range(count)))

    count = TURNOVER_LIMIT + 40
    http_server.routes["/churn.xml"] = (200, {}, feed(1, count))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "churn", "url": http_server.url("/churn.xml")}])))
    try:
        assert pipeline.poll_all_feeds() == count + 1  # its first poll: every entry
        http_server.routes["/churn.xml"] = (200, {}, feed(2, count))
        with caplog.at_level("INFO", logger="monitor"):
            assert pipeline.poll_all_feeds() == TURNOVER_LIMIT
        said = [r.getMessage() for r in caplog.records if "since its last poll" in r.getMessage()]
        assert said == [f"source {health(pipeline, 'churn').id} (churn): {count} new entries of {count + 1}, more than {TURNOVER_LIMIT} since "
                        f"its last poll: its newest {TURNOVER_LIMIT} stored, the other 40 at its next poll if it still carries them"], caplog.text
        assert pipeline.poll_all_feeds() == 40  # the feed still carries them
        assert pipeline.poll_all_feeds() == 0
    finally:
        pipeline.parsers.shutdown()


def test_an_entry_link_with_a_broken_host_is_no_link_and_the_poll_goes_on(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression (found by helper xfeed2): an entry link `//[oops/x` (relative to the feed's scheme, its host a
    broken IPv6 literal) made urljoin raise ValueError in the parsing process, outside the parse's own error handling:
    it came back as the whole poll's error (`monitor once` ended with its traceback, the other feeds' outcomes
    dropped, and so at every poll). Such a link is no link: the entry is stored without one, the poll goes on."""
    http_server.routes["/odd.xml"] = (200, {}, rss(("Odd", "//[oops/x", "o1", "Talks resumed on Monday.")))
    http_server.routes["/good.xml"] = (200, {}, rss(("Strike", "https://wire.example/s", "s", STRIKE)))
    config = write_config(tmp_path, feeds=[{"name": "odd", "url": http_server.url("/odd.xml")}, {"name": "good", "url": http_server.url("/good.xml")}])
    pipeline = build_pipeline(load_settings(config))
    try:
        assert pipeline.poll_all_feeds() == 2
        assert health(pipeline, "good").status == "ok" and health(pipeline, "odd").status == "ok"
    finally:
        pipeline.parsers.shutdown()


def test_the_start_line_counts_apart_the_feeds_of_other_daemons_configs(tmp_path: Path, http_server: LocalHTTP, caplog) -> None:  # type: ignore[no-untyped-def]
    """On a shared store the configured feeds of every daemon are polled by any: the start line said '2 feeds (2 from
    the config, 0 added)' of a config that lists one."""
    http_server.routes["/mine.xml"] = http_server.routes["/theirs.xml"] = (200, {}, FEED)
    config = write_config(tmp_path, feeds=[{"name": "mine", "url": http_server.url("/mine.xml")}], settings={"schedule": {"feeds_every": 0.3}})
    pipeline = build_pipeline(load_settings(config))
    sources.ensure_sources(pipeline.db, [sources.SourceSpec("theirs", "feed", http_server.url("/theirs.xml"), None, False)])  # another daemon's
    daemon = Daemon(pipeline)
    with caplog.at_level("INFO", logger="monitor"):
        daemon.start()
    try:
        assert "monitor running: 2 feeds (1 from the config, 1 from other daemons' configs, 0 added), 0 folders, 1 channel" in caplog.text
    finally:
        daemon.shutdown()


def test_a_full_text_feed_whose_pages_never_come_holds_the_storing_thread_for_twice_the_deadline_at_most(
        tmp_path: Path, http_server: LocalHTTP, caplog) -> None:  # type: ignore[no-untyped-def]
    """Regression (found by helper xfeed2): a full-text feed's pages are fetched on the storing thread, 8 at once, each
    within [http] deadline: a site whose pages trickle or never answer held every other feed's storing for
    FULL_TEXT_PAGES / 8 deadlines (13 x 30 s, six and a half minutes, with the defaults) at each poll with new entries.
    A feed's pages get twice the deadline in all; the entries whose pages were not fetched by then keep their
    summary, with one line naming the feed."""
    release = threading.Event()
    asked: list[str] = []

    def never(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        asked.append(handler.path)
        release.wait(10)

    count = 30
    http_server.routes.update({f"/page{i}": never for i in range(count)})
    http_server.routes["/teaser.xml"] = (200, {}, rss(*[(f"Story {i}", http_server.url(f"/page{i}"), f"p{i}", f"Teaser {i}.") for i in range(count)]))
    config = write_config(tmp_path, feeds=[{"name": "teaser", "url": http_server.url("/teaser.xml"), "full_text": True}],
                          settings={"http": {"deadline": 0.5, "timeout": 0.5}, "schedule": {"per_host": 100}})
    pipeline = build_pipeline(load_settings(config))
    try:
        with caplog.at_level("INFO", logger="monitor"):
            pipeline.poll_all_feeds()
        assert health(pipeline, "teaser").last_new_items == count  # stored with their summaries
        assert len(asked) <= 16, len(asked)  # two rounds of 8 within 2 x 0.5 s; not the four rounds of all 30
        said = [r.getMessage() for r in caplog.records if "keep their summary" in r.getMessage()]
        rounds = 2 if f"the other {count - 16} " in caplog.text else 1  # the second round starts within the budget, unless the machine is slow
        assert said == [f"{http_server.url('/teaser.xml')}: the pages of its new entries took over 1 s in all (twice [http] deadline): "
                        f"the other {count - 8 * rounds} keep their summary"], caplog.text
    finally:
        release.set()
        pipeline.parsers.shutdown()


def test_a_malformed_feed_is_said_once_while_it_stays_so_not_at_each_change(tmp_path: Path, http_server: LocalHTTP, caplog) -> None:  # type: ignore[no-untyped-def]
    """Regression (found by helper xsoak's soak): a feed parsed anyway though malformed (an undefined entity, a wrong
    declared charset) logged `malformed feed, parsed anyway: ...` at every poll that found it changed: a busy feed with
    a lasting fault, a warning line at each of its new entries, for ever (a failing feed is logged once); and the line
    had no `source` field in the JSON log. Now it is said once while the fault stays (its position in the body aside),
    and again when it comes back after a clean parse."""
    def feed(guids: range, clean: bool = False) -> bytes:
        items = "".join(f"<item><title>Entry {i}{'!' * i}{'' if clean else ' &nbsp; odd'}</title><guid>g{i}</guid></item>" for i in reversed(guids))
        return f'<rss version="2.0"><channel><title>odd</title>{items}</channel></rss>'.encode()

    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "odd", "url": http_server.url("/odd.xml")}])))
    try:
        def said(n: int) -> list[str]:
            http_server.routes["/odd.xml"] = (200, {"Content-Type": "application/rss+xml"}, feed(range(n), clean=n == 4))
            with caplog.at_level("INFO", logger="monitor"):
                pipeline.poll_all_feeds()
            assert health(pipeline, "odd").last_new_items == 1
            return [r.getMessage() for r in caplog.records if "malformed feed" in r.getMessage()]

        assert len(said(1)) == 1
        assert len(said(2)) == 1 and len(said(3)) == 1  # changed twice, the fault moved: not said again
        assert all(getattr(r, "source", None) == "odd" for r in caplog.records if "malformed feed" in r.getMessage())
        assert len(said(4)) == 1  # a clean parse
        assert len(said(5)) == 2  # the fault is back: said again
    finally:
        pipeline.parsers.shutdown()


def _first_never_answered(first: threading.Event, done: threading.Event) -> Callable[[BaseHTTPRequestHandler, bytes], None]:
    """A route whose first request (the daemon about to be stalled) is never answered (until `done`), and every later one
    gets FEED."""

    def answer(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        if not first.is_set():
            first.set()
            done.wait(30)
            handler.close_connection = True
            return
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(FEED)))
        handler.end_headers()
        handler.wfile.write(FEED)

    return answer


def test_a_daemon_stalled_past_its_claim_records_nothing_over_the_feed_another_poll_claimed_since(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression (found by helper xpg2): a daemon stopped (SIGSTOP, a paused VM) mid-fetch longer than its claim's lease
    came back and recorded its fetch's fate over the feed the next claimer had polled since: 'total deadline of 10s
    exceeded' (its own stall) as the feed's failure, an error counted, and a next check planned from its poll's start,
    so the feed was due again at once and polled a third time. An outcome whose claim has lapsed is now recorded only
    if no poll claimed the feed since."""
    import os
    import signal
    import subprocess
    import sys

    from tests.conftest import REPO

    first, done = threading.Event(), threading.Event()
    http_server.routes["/held.xml"] = _first_never_answered(first, done)
    config = write_config(tmp_path, feeds=[{"name": "held", "url": http_server.url("/held.xml"), "every": 3600}],
                          settings={"http": {"deadline": 1, "timeout": 1}})  # a feed's lease: 4 x deadline
    with open(tmp_path / "err.log", "w") as err:
        stalled = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=REPO, stderr=err)
        try:
            assert first.wait(30)  # its fetch under way
            stalled.send_signal(signal.SIGSTOP)
            time.sleep(4.5)  # past its lease
            other = build_pipeline(load_settings(config))
            assert other.poll_due_feeds() == 1  # the lease ended: another poll claims the feed and stores its entry
            after = health(other, "held")
            assert (after.error_count, after.last_error) == (0, None)
            stalled.send_signal(signal.SIGCONT)
            time.sleep(3)  # its fetch ends (its deadline passed while it was stopped) and its poll settles
            now = health(other, "held")
            assert (now.error_count, now.last_error, now.next_check_at) == (0, None, after.next_check_at)
        finally:
            done.set()
            os.kill(stalled.pid, signal.SIGCONT)
            stalled.terminate()
            stalled.wait(timeout=30)
    assert "deadline" not in (tmp_path / "err.log").read_text()


def _stop_outside_a_write(daemon: subprocess.Popen[bytes], path: Path) -> None:
    """SIGSTOP the daemon at a moment it holds no SQLite write lock: its start's jobs write now and then, and a daemon
    stopped inside a write transaction holds the file locked (one writer), another case than a stall past its claims."""
    for _ in range(100):
        daemon.send_signal(signal.SIGSTOP)
        if ON_POSTGRES:
            return
        try:
            with contextlib.closing(sqlite3.connect(path, timeout=0.05)) as db:
                db.execute("BEGIN IMMEDIATE")
                db.rollback()
            return
        except sqlite3.OperationalError:  # stopped inside a write: let it end it
            daemon.send_signal(signal.SIGCONT)
            time.sleep(0.1)
    raise AssertionError("the daemon held the store's write lock at every try")


def test_a_daemon_stalled_past_its_claims_starts_no_fetch_of_the_feeds_it_claimed_before(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression (found by helper xpg2): a daemon stopped (SIGSTOP, a paused VM) longer than its claims' lease came back
    and fetched the feeds it had claimed before and not yet fetched, though their lease had ended and another poll had
    polled them since: each such feed fetched twice within seconds, and its host by two daemons at once. A fetch whose
    claim has lapsed is no longer started: the feed is due, for whichever poll claims it next."""
    import os
    import signal
    import subprocess
    import sys

    from tests.conftest import REPO

    first, done = threading.Event(), threading.Event()
    http_server.routes["/held.xml"] = _first_never_answered(first, done)
    http_server.routes["/next.xml"] = (200, {}, rss(("Next", "https://wire.example/n", "n", "Story of the day.")))
    config = write_config(tmp_path, feeds=[{"name": "held", "url": http_server.url("/held.xml"), "every": 3600},
                                           {"name": "next", "url": http_server.url("/next.xml"), "every": 3600}],
                          settings={"http": {"deadline": 1, "timeout": 1}, "schedule": {"per_host": 1}})  # next waits for held's slot
    err = open(tmp_path / "err.log", "w")  # noqa: SIM115  # closed below, once the daemon has ended
    stalled = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=REPO, stderr=err)
    try:
        assert first.wait(30)  # its first fetch under way, the other feed claimed and waiting for the host
        _stop_outside_a_write(stalled, tmp_path / "monitor.db")
        time.sleep(4.5)  # past its lease (4 x deadline)
        other = build_pipeline(load_settings(config))
        assert other.poll_due_feeds() == 2  # the lease ended: another poll claims both feeds
        polled = len(http_server.requests)
        stalled.send_signal(signal.SIGCONT)
        time.sleep(3)  # its first fetch ends (its deadline passed while it was stopped), its host has room again
        assert [path for _, path, _, _ in http_server.requests[polled:]] == []
    finally:
        done.set()
        os.kill(stalled.pid, signal.SIGCONT)
        stalled.terminate()
        stalled.wait(timeout=30)
        err.close()
    said = [line.split(" ", 2)[1:] for line in (tmp_path / "err.log").read_text().splitlines() if "not fetched" in line]
    assert said == [["WARNING", "1 claimed feed not fetched: the lease of the claim ended before the fetch's turn (this daemon stalled, or its store "
                                "or hosts were that slow): due again, for the next poll of any daemon"]]


def test_a_feed_slow_to_parse_is_its_own_error_past_parse_timeout_and_the_poll_stores_its_neighbours(tmp_path: Path, http_server: LocalHTTP, json_receiver) -> None:  # type: ignore[no-untyped-def]
    """Issue (left by the last stop): a body within max_body_bytes that feedparser took seconds or minutes on held its
    parsing process that long. `[schedule] parse_timeout` bounds each parse in CPU seconds; a reload sets it anew."""
    http_server.routes["/slow.xml"] = (200, {}, b"<rss><channel><item><title>a</title>" + b"<x/>" * 150_000 + b"</item></channel></rss>")
    http_server.routes["/good.xml"] = (200, {}, rss(("Strike", "https://wire.example/s", "s", STRIKE)))
    feeds = [{"name": "slow", "url": http_server.url("/slow.xml")}, {"name": "good", "url": http_server.url("/good.xml")}]
    config = write_config(tmp_path, feeds=feeds, channels=[{"name": "hook", "url": json_receiver.url}], settings={"schedule": {"parse_timeout": 0.3}})
    pipeline = build_pipeline(load_settings(config))
    try:
        assert pipeline.parsers.parse_timeout == 0.3
        pipeline.run_once(settle_wait=0)
        slow = health(pipeline, "slow")
        assert slow.status == "error" and (slow.last_error or "").endswith("not parsed: its parse took over 0.3 s of CPU ([schedule] parse_timeout)")
        assert health(pipeline, "good").status == "ok" and len(json_receiver.messages) == 1
        pipeline.settings = load_settings(write_config(tmp_path, feeds=feeds, channels=[{"name": "hook", "url": json_receiver.url}]))
        assert pipeline.parsers.parse_timeout == 10  # the default, taken at a reload
    finally:
        pipeline.parsers.shutdown()
