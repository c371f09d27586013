"""The poller: its fetching thread never outlives a poll, whatever the consumer raises; a feed's own
unexpected failure is recorded against it (issue 16)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from monitor.errors import SourceError, StoreError
from monitor.model import FetchResult
from monitor.pipeline import build_pipeline
from monitor.settings import HttpSettings, load_settings
from monitor.sources.parsing import ParserPool
from monitor.sources.poller import Poller, PollLimits
from monitor.store import sources
from monitor.store.sources import FeedJob
from monitor.store.db import utcnow
from tests.conftest import LocalHTTP, sqlite_only, write_config
from tests.test_cli import monitor
from tests.test_pipeline import rss

pytestmark = sqlite_only  # the store is made to fail with SQLite triggers


def fetching_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "monitor-fetch" and t.is_alive()]


def feeds(http_server: LocalHTTP, count: int) -> list[dict[str, str]]:
    for i in range(count):
        http_server.routes[f"/f{i}.xml"] = (200, {}, rss((f"Item {i}", f"https://wire.example/{i}", f"g{i}", f"Story number {i} of the day.")))
    return [{"name": f"f{i}", "url": http_server.url(f"/f{i}.xml")} for i in range(count)]


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
