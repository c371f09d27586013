"""One feed's new articles in one transaction: each article still has its matches, alert and deliveries;
a crash mid-batch stores none of the feed, and the next poll stores each once; a copy within one feed
joins the story its earlier entry started; a unique key refusing one article costs only that article."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event

from monitor.model import Document
from monitor.pipeline import Pipeline, build_pipeline
from monitor.settings import load_settings
from monitor.store import articles, sources, stories
from monitor.store.db import utcnow
from monitor.model import MatchResult
from monitor.dedup import to_article
from tests.conftest import REPO, JsonReceiver, query, write_config
from tests.test_story_alerts import COPY, OTHER, WIRE

N = 40
ACTORS = ["Kataeb Hezbollah", "Qassem Suleimani", "the IRGC", "Abu Mahdi al-Muhandis"]
WORDS = "officials convoy border ministry statement province talks village bridge market commander embassy residents".split()


def entries(n: int = N) -> list[Document]:
    """n distinct alerting entries of one feed (distinct stories: each its own words)."""
    return [Document("feed", f"Strike {i}", f"{ACTORS[i % 4]} was blamed for a drone strike near Erbil. "
                     + " ".join(WORDS[(i * 7 + k * k) % len(WORDS)] + str(i) for k in range(40)) + ".",
                     url=f"https://example.org/a/{i}", guid=f"g{i}") for i in range(n)]


def pipeline_for(tmp_path: Path, receiver: JsonReceiver) -> tuple[Pipeline, int]:
    config = write_config(tmp_path, channels=[{"name": "hook", "url": receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    return pipeline, sources.ensure_source(pipeline.db, "feed", "feed", "https://example.org/feed")


CRASH = """
import os, signal, sys
from sqlalchemy import event
from monitor.pipeline import build_pipeline
from monitor.settings import load_settings
from monitor.store import sources
from tests.test_ingest_batch import entries
pipeline = build_pipeline(load_settings(sys.argv[1]))
source_id = sources.ensure_source(pipeline.db, "feed", "feed", "https://example.org/feed")
inserted = 0
def after(conn, cursor, statement, params, context, many):
    global inserted
    if statement.lstrip().upper().startswith("INSERT INTO DELIVERIES"):
        inserted += 1
        if inserted == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)  # mid-batch: articles, matches, alerts and deliveries written, not committed
event.listen(pipeline.db.engine, "after_cursor_execute", after)
pipeline.ingest(source_id, "feed", entries())
"""


def test_a_crash_mid_batch_stores_none_of_the_feed_and_the_next_poll_stores_each_once(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    config = write_config(tmp_path, channels=[{"name": "hook", "url": json_receiver.url}])
    killed = subprocess.run([sys.executable, "-c", CRASH, str(config), "1"], cwd=REPO, capture_output=True, timeout=120)
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    assert query(tmp_path, "select count(*) from articles")[0][0] == 0  # the whole batch rolled back
    assert query(tmp_path, "select count(*) from alerts")[0][0] == 0

    pipeline = build_pipeline(load_settings(config))
    source_id = sources.ensure_source(pipeline.db, "feed", "feed", "https://example.org/feed")
    assert pipeline.ingest(source_id, "feed", entries()) == N
    assert pipeline.ingest(source_id, "feed", entries()) == 0  # polled again: nothing twice

    def count(sql: str) -> int:
        return int(query(tmp_path, sql)[0][0])
    assert count("select count(*) from articles") == N
    assert count("select count(*) from alerts") == N
    assert count("select count(*) from deliveries where status = 'pending'") == N
    assert count("select count(*) from articles where id not in (select article_id from matches)") == 0
    assert count("select count(distinct story_id) from articles") == N


def test_a_copy_within_one_feed_joins_the_story_its_earlier_entry_started(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    pipeline, source_id = pipeline_for(tmp_path, json_receiver)
    feed = [Document("feed", "", WIRE, guid="wire"), Document("feed", "", COPY, guid="copy"), Document("feed", "", OTHER, guid="other")]
    assert pipeline.ingest(source_id, "feed", feed) == 3
    by_size = sorted((s.articles, s.sources) for s in stories.recent_stories(pipeline.db, 5))
    assert by_size == [(1, 1), (2, 1)]  # the copy joined the wire's story, the other attack is its own
    assert query(tmp_path, "select count(*) from alerts")[0][0] == 2  # the copy stayed quiet
    assert len(pipeline.ingest.story_index) == 3


def test_repeats_within_one_feed_are_stored_once(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    pipeline, source_id = pipeline_for(tmp_path, json_receiver)
    [a, b] = entries(2)
    same_text = Document("feed", a.title, a.text, url="https://example.org/elsewhere", guid="other-guid")
    same_guid = Document("feed", "Another title", "Other words entirely about a market.", guid=a.guid)
    assert pipeline.ingest(source_id, "feed", [a, same_text, b, same_guid]) == 2
    assert query(tmp_path, "select guid from articles order by id") == [("g0",), ("g1",)]


def test_an_article_a_concurrent_writer_stored_first_is_skipped_and_the_rest_of_the_feed_stored(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    pipeline, source_id = pipeline_for(tmp_path, json_receiver)
    feed = entries(5)

    def other_daemon_stores_g2(docs: list[Document]) -> list[Document]:
        """Runs after the known-GUID query: another writer stores entry g2 (other words, another URL) meanwhile."""
        rival = to_article(Document("feed", "Rival", "A rival copy with other words.", url="https://example.org/rival", guid="g2"))
        assert articles.save_article(pipeline.db, source_id, rival, MatchResult(), None, utcnow()) is not None
        return docs

    before = len(pipeline.ingest.story_index)
    assert pipeline.ingest(source_id, "feed", feed, enrich=other_daemon_stores_g2) == 4  # the batch refused, then one at a time
    assert query(tmp_path, "select title from articles order by id") == [("Rival",)] + [(f"Strike {i}",) for i in (0, 1, 3, 4)]
    assert query(tmp_path, "select count(*) from alerts")[0][0] == 4
    assert len(pipeline.ingest.story_index) == before + 4  # the refused batch's entries were forgotten, the saved ones kept


def test_a_refused_batch_leaves_nothing(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    pipeline, source_id = pipeline_for(tmp_path, json_receiver)
    [a, b] = [to_article(doc) for doc in entries(2)]
    try:
        with articles.batch(pipeline.db) as rows:
            rows.save(source_id, a, MatchResult(), None, utcnow())
            rows.save(source_id, b, MatchResult(), None, utcnow())
            rows.save(source_id, a, MatchResult(), None, utcnow())  # the same GUID, URL and hash again
    except articles.Duplicate:
        pass
    else:
        raise AssertionError("a repeated article was not refused")
    assert query(tmp_path, "select count(*) from articles")[0][0] == 0
    assert query(tmp_path, "select count(*) from stories")[0][0] == 0


def test_articles_saved_at_once_get_their_own_ids_stories_and_alerts(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """`save_many` returns each article's id and story id in the order given, the ids the rows have (on SQLite
    the run of rowids its one INSERT took, even past a gap below the largest id), and each alert is its own
    article's."""
    pipeline, source_id = pipeline_for(tmp_path, json_receiver)
    first, *rest = [to_article(doc) for doc in entries(7)]
    with articles.batch(pipeline.db) as rows:
        rows.save_many(source_id, [(first, MatchResult(), None, articles.StoryLink(None)), (rest[0], MatchResult(), None, articles.StoryLink(None))], utcnow())
    with pipeline.db.transaction() as connection:  # a gap: the first article's id is free again, below the largest
        connection.exec_driver_sql("DELETE FROM articles WHERE guid = 'g0'")
    alert = {k: articles.NewAlert(f"uid{k}", 3, (), f"t{k}", f"b{k}", ("hook",)) for k in (1, 3)}
    items = [(a, MatchResult(), alert.get(k), articles.StoryLink(None)) for k, a in enumerate(rest[1:])]
    with articles.batch(pipeline.db) as rows:
        ids = rows.save_many(source_id, items, utcnow())
    stored = {guid: (article_id, story_id) for article_id, guid, story_id in query(tmp_path, "select id, guid, story_id from articles")}
    assert ids == [stored[a.guid or ""] for a in rest[1:]] and len(set(ids)) == 5
    assert {uid: article_id for uid, article_id in query(tmp_path, "select uid, article_id from alerts")} == {
        "uid1": ids[1][0], "uid3": ids[3][0]}
    assert query(tmp_path, "select count(*) from deliveries")[0][0] == 2


def test_a_feeds_known_guids_urls_and_hashes_are_read_in_one_statement(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    pipeline, source_id = pipeline_for(tmp_path, json_receiver)
    long_url = "https://example.org/" + "x" * 3000  # longer than the column: stored as fit_key made it
    stored = [Document("feed", "One", "First text.", url="https://example.org/1", guid="g1"), Document("feed", "Two", "Second text.", url=long_url, guid="g2")]
    pipeline.ingest(source_id, "feed", stored)
    other = sources.ensure_source(pipeline.db, "other", "feed", "https://example.org/other")
    hashes = [to_article(d).content_hash for d in stored]
    statements: list[str] = []
    event.listen(pipeline.db.engine, "before_cursor_execute", lambda conn, cursor, sql, *rest: statements.append(sql))
    assert articles.known_keys(pipeline.db, source_id, ["g1", "g3"], [long_url, "https://example.org/9"], [hashes[0], "f" * 64]) == (
        {"g1"}, {long_url}, {hashes[0]})
    assert articles.known_keys(pipeline.db, other, ["g1"], [], []) == (set(), set(), set())  # a GUID is known per source
    assert sum(s.lstrip().upper().startswith("SELECT") for s in statements) == 2  # one a call


def test_a_feed_of_more_entries_than_a_statement_takes_parameters_is_asked_in_parts(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: a hostile feed of 190,000 entries made the GUID lookup one statement of 570,001 parameters,
    "too many SQL variables" (SQLite takes 32,766, PostgreSQL 65,535): a store error that ended every poll."""
    pipeline, source_id = pipeline_for(tmp_path, json_receiver)
    stored = [Document("feed", "One", "First text.", url="https://example.org/1", guid="g1")]
    pipeline.ingest(source_id, "feed", stored)
    limit = sqlite3.connect(":memory:").getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # 250,000 as Debian builds it
    n = max(limit, 65_535) // 3 + 1  # the three kinds of key together, past either engine's limit
    guids, urls, hashes = [f"g{i}" for i in range(n)], [f"https://example.org/{i}" for i in range(n)], [f"{i:064x}" for i in range(n)]
    hashes[-1] = to_article(stored[0]).content_hash
    assert articles.known_keys(pipeline.db, source_id, guids, urls, hashes) == ({"g1"}, {"https://example.org/1"}, {hashes[-1]})


def test_the_stories_of_a_feeds_alerts_are_read_in_parts_as_its_keys_are(tmp_path: Path, json_receiver: JsonReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stories' state of a batch's alerts is read KEYS_PER_STATEMENT ids a statement (found by helper xatk: one
    statement of every id would pass PostgreSQL's 65,535 parameters at that many alerting stories in one feed)."""
    monkeypatch.setattr(articles, "KEYS_PER_STATEMENT", 2)
    pipeline, source_id = pipeline_for(tmp_path, json_receiver)
    statements: list[str] = []
    event.listen(pipeline.db.engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: statements.append(statement))
    pipeline.ingest(source_id, "feed", entries(5))
    assert sum(s.lstrip().upper().startswith("SELECT STORIES.ID, STORIES.SEVERITY, STORIES.REPORTED") for s in statements) == 3  # 2 + 2 + 1
    alerted = dict(query(tmp_path, "select articles.story_id, alerts.uid from alerts join articles on articles.id = alerts.article_id"))
    assert len(alerted) == 5  # five stories, each with its alert
    assert dict(query(tmp_path, "select id, last_alert_uid from stories where severity > 0 and reported != ''")) == alerted
