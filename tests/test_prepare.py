"""New entries prepared by the parsing processes (text, article, matches, sketch): the storing thread
only decides and stores; what a worker cannot prepare, and every entry it was told is stored, the daemon
prepares itself; a reloaded watchlist reaches the workers."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from monitor.matching.matcher import Matcher
from monitor.metrics import REGISTRY
from monitor.model import Document, ParsedFeed, Prepared
from monitor.pipeline import Pipeline, build_pipeline
from monitor.prepare import Preparer
from monitor.settings import load_settings
from monitor.sources.parsing import ParserPool, seen_keys
from monitor.store.tables import AlertRow, ArticleRow
from monitor.watchlist import load_watchlist
from tests.conftest import DEFAULT_WATCHLIST, LocalHTTP, write_config
from tests.test_pipeline import CALM, STRIKE, count, rss

EVENT_ONLY = """actors:
  - name: Nobody Watched
    kind: person
    aliases: [Nobody Watched]
events:
  - name: drone strike
    severity: 3
    phrases: [drone strike]
rules:
  - name: any
    min_severity: 1
"""


class NoMatching(Matcher):
    """A matcher the storing thread must not use: matching there fails the feed."""

    def __init__(self) -> None:  # noqa: D107  (no watchlist: never compiled)
        pass

    def scan(self, text: str) -> Any:
        raise AssertionError("the storing thread matched an entry a parsing process had prepared")


class Failing:
    """A preparer that fails (picklable: spawned workers load it)."""

    def __call__(self, docs: Sequence[Document]) -> list[Prepared]:
        raise RuntimeError("cannot prepare")


class Recording:
    """The pipeline's ingest, recording the `prepared` each call is given."""

    def __init__(self, ingest: Any) -> None:
        self.ingest, self.seen, self.calls = ingest, ingest.seen, list[tuple[Any, ...]]()

    def __call__(self, source_id: int, name: str, docs: Any, enrich: Any = None, prepared: Sequence[Prepared | None] = (), polled_before: bool = False) -> int:
        self.calls.append(tuple(prepared))
        return int(self.ingest(source_id, name, docs, enrich, prepared, polled_before))


def storing_cannot_match(pipeline: Pipeline) -> list[tuple[Any, ...]]:
    """Make matching on the storing thread fail; the `prepared` each ingest call is given, per call."""
    recording = Recording(pipeline.ingest)
    pipeline.ingest.matcher = NoMatching()
    pipeline.feeds.ingest = recording  # type: ignore[assignment]
    return recording.calls


def test_new_entries_are_matched_by_the_parsing_processes_and_stored_ones_are_not_prepared_again(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/feed.xml"] = (200, {}, rss(("Strike", "https://wire.example/s", "s", STRIKE)))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/feed.xml")}])))
    calls = storing_cannot_match(pipeline)
    pipeline.poll_all_feeds()
    assert count(pipeline, ArticleRow) == 1 and count(pipeline, AlertRow) == 1  # matched, though not on the storing thread
    assert [type(p).__name__ for p in calls[0]] == ["Prepared"]
    http_server.routes["/feed.xml"] = (200, {}, rss(("Strike", "https://wire.example/s", "s", STRIKE), ("Rates", "https://wire.example/r", "r", CALM)))
    pipeline.poll_all_feeds()
    assert count(pipeline, ArticleRow) == 2
    assert [p is None for p in calls[1]] == [True, False]  # the stored entry came as it was parsed, the new one prepared


def test_a_reloaded_watchlist_reaches_the_parsing_processes(tmp_path: Path, http_server: LocalHTTP) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(EVENT_ONLY)
    http_server.routes["/feed.xml"] = (200, {}, rss(("Strike", "https://wire.example/s", "s", STRIKE)))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/feed.xml")}], watchlist=watchlist)))
    pipeline.poll_all_feeds()
    assert count(pipeline, AlertRow) == 0  # no watched actor in it
    watchlist.write_text(DEFAULT_WATCHLIST.read_text())
    pipeline.reload_watchlist()
    storing_cannot_match(pipeline)
    http_server.routes["/feed.xml"] = (200, {}, rss(("Strike again", "https://wire.example/t", "t", STRIKE + " Again.")))
    pipeline.poll_all_feeds()
    assert count(pipeline, AlertRow) == 1  # the workers matched it with the reloaded watchlist


def test_a_full_text_feed_is_not_prepared_by_the_parsing_processes(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/story"] = (200, {"Content-Type": "text/html; charset=utf-8"}, f"<html><body><article><p>{STRIKE}</p></article></body></html>".encode())
    http_server.routes["/teaser.xml"] = (200, {}, rss(("Overnight", http_server.url("/story"), "t1", "Read more.")))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "teaser", "url": http_server.url("/teaser.xml"), "full_text": True}])))
    recording = Recording(pipeline.ingest)
    pipeline.feeds.ingest = recording  # type: ignore[assignment]
    pipeline.poll_all_feeds()
    assert recording.calls == [()] and count(pipeline, AlertRow) == 1  # its text is the page's, matched after the page is fetched


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_watchlist(DEFAULT_WATCHLIST))


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_a_worker_prepares_the_entries_it_was_not_told_are_stored(matcher: Matcher, fork: bool) -> None:
    pool = ParserPool(1)
    pool.use(Preparer(matcher))
    if fork:
        pool.start()  # pytest runs threads: this one is spawned too unless none runs
    try:
        body = rss(("Strike", "https://wire.example/s", "s", STRIKE), ("Rates", "https://wire.example/r", "r", CALM))
        parsed = pool.submit(body, "wire", {}, seen_keys([" r "])).result(60)
        assert isinstance(parsed, ParsedFeed)
        strike, rates = parsed.prepared
        assert rates is None and "<p>" in parsed.documents[1].html  # told it is stored: left as parsed
        assert strike is not None and strike.result.alert and strike.article.guid == "s" and strike.size > 0
        assert parsed.documents[0].html == ""  # its markup is in the article now
        plain = pool.submit(body, "wire", {}).result(60)
        assert isinstance(plain, ParsedFeed) and plain.prepared == ()  # not asked to prepare
    finally:
        pool.shutdown()


def test_a_worker_that_cannot_prepare_sends_the_feed_as_parsed(matcher: Matcher) -> None:
    pool = ParserPool(1)
    pool.use(Failing())
    try:
        parsed = pool.submit(rss(("Strike", "https://wire.example/s", "s", STRIKE)), "wire", {}, b"").result(60)
        assert isinstance(parsed, ParsedFeed) and parsed.prepared == () and "<p>" in parsed.documents[0].html
        pool.use(Preparer(matcher))
        parsed = pool.submit(rss(("Strike", "https://wire.example/s", "s", STRIKE)), "wire", {}, b"").result(60)
        assert isinstance(parsed, ParsedFeed) and parsed.prepared[0] is not None  # the new preparer, loaded by the same worker
    finally:
        pool.shutdown()


def test_a_pool_started_after_its_preparer_file_was_removed_writes_it_again(matcher: Matcher) -> None:
    """A long run's /tmp cleaner may remove the pickle; workers spawned later (a broken pool) still prepare."""
    pool = ParserPool(1)
    pool.use(Preparer(matcher))  # not started: spawned at the first feed
    try:
        assert pool._prepare is not None
        shutil.rmtree(os.path.dirname(pool._prepare))
        parsed = pool.submit(rss(("Strike", "https://wire.example/s", "s", STRIKE)), "wire", {}, b"").result(60)
        assert isinstance(parsed, ParsedFeed) and parsed.prepared[0] is not None
        shutil.rmtree(os.path.dirname(pool._prepare))
        pool.use(Preparer(Matcher(load_watchlist(DEFAULT_WATCHLIST))))  # a reload: the old file is gone already
        parsed = pool.submit(rss(("Strike", "https://wire.example/s", "s", STRIKE)), "wire", {}, b"").result(60)
        assert isinstance(parsed, ParsedFeed) and parsed.prepared[0] is not None
    finally:
        pool.shutdown()


def test_what_the_storing_thread_prepares_is_counted(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/feed.xml"] = (200, {}, rss(("Strike", "https://wire.example/s", "s", STRIKE)))
    http_server.routes["/story"] = (200, {"Content-Type": "text/html; charset=utf-8"}, f"<html><body><p>{STRIKE} Page.</p></body></html>".encode())
    http_server.routes["/teaser.xml"] = (200, {}, rss(("Overnight", http_server.url("/story"), "t1", "Read more.")))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/feed.xml")},
                                                                          {"name": "teaser", "url": http_server.url("/teaser.xml"), "full_text": True}])))
    before = REGISTRY.get_sample_value("monitor_articles_prepared_by_daemon_total") or 0.0
    pipeline.poll_all_feeds()
    assert count(pipeline, ArticleRow) == 2
    assert REGISTRY.get_sample_value("monitor_articles_prepared_by_daemon_total") == before + 1  # the full-text entry only


def test_a_pool_removes_the_preparer_directories_of_killed_daemons_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A SIGKILLed daemon cannot remove its preparer's directory: the next pool does, and leaves a running one's."""
    killed = subprocess.run(
        [sys.executable, "-c", "import os, signal; from monitor.sources.parsing import ParserPool; "
         "pool = ParserPool(1); pool.use(list); print(os.getpid(), flush=True); os.kill(os.getpid(), signal.SIGKILL)"],
        env=os.environ | {"TMPDIR": str(tmp_path)}, capture_output=True, text=True, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    orphan = [p for p in tmp_path.iterdir() if p.name.startswith(f"monitor-parsers-{killed.stdout.strip()}-")]
    assert len(orphan) == 1 and any(orphan[0].iterdir())
    running = tmp_path / f"monitor-parsers-{os.getpid()}-abcd"
    unrelated = tmp_path / "monitor-parsers-notapid"
    running.mkdir()
    unrelated.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pool = ParserPool(1)
    pool.use(list)
    assert not orphan[0].exists()
    assert running.is_dir() and unrelated.is_dir()
    assert pool._prepare is not None and os.path.dirname(pool._prepare).startswith(str(tmp_path / f"monitor-parsers-{os.getpid()}-"))


def test_the_preparer_runs_once_before_the_fork_so_the_workers_share_what_it_loads() -> None:
    """What the preparer loads on first use (lxml's HTML modules for feed markup) is loaded by the daemon before
    it forks the workers: shared pages, not a copy made in each worker."""
    code = ("import sys; from monitor.matching.matcher import Matcher; from monitor.prepare import preparing_pool; "
            "from monitor.watchlist import load_watchlist; "
            f"matcher = Matcher(load_watchlist({str(DEFAULT_WATCHLIST)!r})); before = 'lxml.html' in sys.modules; "
            "pool = preparing_pool(matcher, 1); print(before, 'lxml.html' in sys.modules, pool.method); pool.shutdown()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["False", "True", "fork"], done.stderr


def dense(matcher: Matcher, n: int = 0) -> str:
    """A hostile entry's text: 50,000 characters of watched names and event phrases, each a match (some 0.45 s of CPU to
    prepare, where an article takes milliseconds); `n` makes it a text of its own (no matcher's cache spares it)."""
    aliases = [alias for actor in matcher.watchlist.actors for alias in actor.aliases][:50]
    phrases = [phrase for event in matcher.watchlist.events for phrase in event.phrases][:50]
    return f"Flood {n}. " + " ".join(f"{aliases[i % len(aliases)]} {phrases[i % len(phrases)]}" for i in range(1800))[:50_000]


def floods(matcher: Matcher, count: int) -> list[tuple[str, str, str, str]]:
    """`count` hostile entries (`dense`), each its own text: together past a `parse_timeout` of 1 s."""
    return [(f"Flood {i}", f"https://wire.example/flood/{i}", f"f{i}", dense(matcher, i)) for i in range(count)]


@contextlib.contextmanager
def bounded_pool(matcher: Matcher, parse_timeout: float) -> Iterator[ParserPool]:
    """One parsing process preparing with `matcher`, its parses and preparing bounded to `parse_timeout` CPU seconds."""
    pool = ParserPool(1, parse_timeout=parse_timeout)
    pool.use(Preparer(matcher))
    try:
        yield pool
    finally:
        pool.shutdown()


def test_an_entry_that_takes_too_long_to_prepare_is_left_out_in_one_line_and_its_neighbours_are_prepared(matcher: Matcher) -> None:
    """A parsing process prepared a feed's new entries for as long as they took (a feed of such entries held it
    minutes): past `parse_timeout`, they are prepared again one at a time, and an entry past a fifth of it is left out,
    named in the feed's warning; the entries around it, and the next feed, are prepared."""
    with bounded_pool(matcher, 1.0) as pool:
        body = rss(("Strike", "https://wire.example/s", "s", STRIKE), *floods(matcher, 3), ("Rates", "https://wire.example/r", "r", CALM))
        parsed = pool.submit(body, "wire", {}, b"").result(60)
        assert isinstance(parsed, ParsedFeed)
        assert [doc.guid for doc in parsed.documents] == ["s", "r"]
        assert all(one is not None for one in parsed.prepared)
        assert parsed.warning == ("entry 'https://wire.example/flood/0' left out: preparing it took over 0.2 s of CPU (a fifth of "
                                  "[schedule] parse_timeout) (3 entries left out so)")
        neighbour = pool.submit(rss(("Strike", "https://other.example/s", "s", STRIKE)), "other", {}, b"").result(60)
        assert isinstance(neighbour, ParsedFeed) and neighbour.prepared[0] is not None and neighbour.prepared[0].result.alert


def test_a_poll_stores_the_neighbours_of_an_entry_too_long_to_prepare_and_says_it_in_one_line(
        tmp_path: Path, http_server: LocalHTTP, caplog: pytest.LogCaptureFixture) -> None:
    """The daemon's side: the entry left out is said in one warning line naming the feed and the entry, its neighbours are
    stored and alerted on, and the feed is no failure."""
    matcher = Matcher(load_watchlist(DEFAULT_WATCHLIST))
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Strike", "https://wire.example/s", "s", STRIKE),
                                                    *floods(matcher, 3), ("Rates", "https://wire.example/r", "r", CALM)))
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/feed.xml")}], settings={"schedule": {"parse_timeout": 1.0}})
    pipeline = build_pipeline(load_settings(config))
    with caplog.at_level("INFO", logger="monitor"):
        pipeline.poll_all_feeds()
    assert count(pipeline, ArticleRow) == 2 and count(pipeline, AlertRow) == 1
    said = [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]
    assert said == ["source 1 (wire): entry 'https://wire.example/flood/0' left out: preparing it took over 0.2 s of CPU (a fifth of [schedule] "
                    "parse_timeout) (3 entries left out so)"]
    assert "1 error" not in caplog.text and not [r for r in caplog.records if r.levelname == "ERROR"]


def test_a_feed_whose_new_entries_take_too_long_to_prepare_is_cut_where_its_time_ends(matcher: Matcher) -> None:
    """A feed's new entries are prepared in `parse_timeout` CPU seconds in all: those left when they are spent are left
    out, counted in one line naming the first of them."""
    with bounded_pool(matcher, 1.0) as pool:
        parsed = pool.submit(rss(("Strike", "https://wire.example/s", "s", STRIKE), *floods(matcher, 12)), "wire", {}, b"").result(60)
        assert isinstance(parsed, ParsedFeed)
        assert [doc.guid for doc in parsed.documents] == ["s"] and parsed.prepared[0] is not None
        said = re.fullmatch(r"entry 'https://wire.example/flood/0' left out: preparing it took over 0.2 s of CPU \(a fifth of \[schedule\] "
                            r"parse_timeout\) \(([2-5]) entries left out so\); ([0-9]+) new entries left out \(prepared again when the feed changes\), "
                            r"from 'https://wire.example/flood/([0-9]+)' on: preparing the feed's new entries took over 1 s of CPU "
                            r"\(\[schedule\] parse_timeout\)", parsed.warning or "")
        assert said is not None and int(said[1]) + int(said[2]) == 12 and said[3] == said[1]  # every flooding entry named or counted


def test_a_slow_entry_in_a_feed_prepared_within_parse_timeout_is_kept_and_prepared_with_the_others(matcher: Matcher) -> None:
    """Nothing is lost to the bound while a feed's new entries together take less than `parse_timeout`: an entry slower
    than a fifth of it (0.45 s against 0.3) is kept, and the feed's entries are prepared in one call (their sketches in
    one numpy call, issue 21), not one at a time."""
    with bounded_pool(matcher, 1.5) as pool:
        body = rss(("Strike", "https://wire.example/s", "s", STRIKE), *floods(matcher, 1), ("Rates", "https://wire.example/r", "r", CALM))
        parsed = pool.submit(body, "wire", {}, b"").result(60)
        assert isinstance(parsed, ParsedFeed)
        assert [doc.guid for doc in parsed.documents] == ["s", "f0", "r"]
        assert all(one is not None for one in parsed.prepared) and parsed.warning is None
