"""One story, one alert, across daemons (issue 18): two daemons on one PostgreSQL that store copies of one story
at the same moment start it once and alert once; each daemon's story index learns, by article id, the
sketches the other stored. Two pipelines (each its own engine, ingest and index) racing in threads, and two
real processes."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from monitor.matching.rules import match_text
from monitor.model import Document
from monitor.pipeline import Pipeline, build_pipeline
from monitor.settings import load_settings
from monitor.store import sources
from tests.conftest import ON_POSTGRES, REPO, JsonReceiver, query, run_at_once, write_config

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason=(
    "several daemons share a store only on PostgreSQL: SQLite keeps one daemon per database (store/lock.py), "
    "so no other daemon stores stories beside it and the story lock is not taken there"))

CORPUS = REPO / "tests" / "data" / "stories" / "corpus.jsonl"


def originals(n: int) -> list[dict[str, Any]]:
    """The first n original stories of the story corpus (distinct stories: none a copy of another)."""
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines()]
    return [r for r in rows if r["kind"] == "original"][:n]


def alerting(pipeline: Pipeline, stories: list[dict[str, Any]]) -> set[str]:
    """The stories (by corpus id) whose text alerts with the test's watchlist."""
    return {str(s["id"]) for s in stories if match_text(pipeline.ingest.matcher, f"{s['title']}\n\n{s['text']}").alert}


def copy(story: dict[str, Any], outlet: str) -> Document:
    """An outlet's copy of a story: the wire text under the outlet's URL, its headline with an update tag (a
    different content hash, nothing new to report: a copy that joins the story quietly)."""
    tag = "" if outlet == "a" else "UPDATE 1-"
    return Document(f"feed-{outlet}", tag + story["title"], story["text"], url=f"https://{outlet}.example.org/{story['id']}", guid=f"{outlet}{story['id']}")


def two_pipelines(tmp_path: Path, receiver: JsonReceiver) -> tuple[list[Pipeline], list[int]]:
    """Two daemons' pipelines on the test's one PostgreSQL database, each with its own feed."""
    config = write_config(tmp_path, channels=[{"name": "hook", "url": receiver.url}])
    pipelines = [build_pipeline(load_settings(config)) for _ in range(2)]
    ids = [sources.ensure_source(p.db, f"feed-{o}", "feed", f"https://{o}.example.org/feed") for p, o in zip(pipelines, "ab")]
    return pipelines, ids


def stories_and_alerts(tmp_path: Path) -> tuple[dict[str, set[int]], dict[str, int]]:
    """Each corpus story's story ids (by the article URL's last part), and its alerts."""
    stories: dict[str, set[int]] = {}
    alerts: dict[str, int] = {}
    for url, story_id, alerted in query(tmp_path, "SELECT a.url, a.story_id, COUNT(al.id) FROM articles a "
                                                  "LEFT JOIN alerts al ON al.article_id = a.id GROUP BY a.id"):
        stories.setdefault(url.rsplit("/", 1)[1], set()).add(story_id)
        alerts[url.rsplit("/", 1)[1]] = alerts.get(url.rsplit("/", 1)[1], 0) + alerted
    return stories, alerts


def race(pipelines: list[Pipeline], source_ids: list[int], rounds: list[list[Document]]) -> None:
    """Each round, both pipelines ingest their document at once (a barrier lets them go together)."""
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def run(k: int) -> None:
        try:
            for docs in rounds:
                barrier.wait(timeout=60)
                pipelines[k].ingest(source_ids[k], f"feed-{'ab'[k]}", [docs[k]])
        except BaseException as exc:  # noqa: BLE001 (reported by the test below)
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not failures, failures


def test_two_daemons_storing_copies_at_once_start_each_story_once_and_alert_once(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    corpus = originals(20)
    pipelines, ids = two_pipelines(tmp_path, json_receiver)
    try:
        race(pipelines, ids, [[copy(s, "a"), copy(s, "b")] for s in corpus])
    finally:
        for p in pipelines:
            p.close()
    stories, alerts = stories_and_alerts(tmp_path)
    assert len(query(tmp_path, "SELECT id FROM articles")) == 2 * len(corpus)  # both copies stored
    assert {k: len(v) for k, v in stories.items()} == {str(s["id"]): 1 for s in corpus}  # each story started once
    assert alerts == {str(s["id"]): int(str(s["id"]) in alerting(pipelines[0], corpus)) for s in corpus}  # one alert each that alerts
    assert len(alerting(pipelines[0], corpus)) >= 5


def test_a_daemon_learns_the_sketches_the_other_stored_by_id(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    first, second, third = originals(3)
    (a, b), (source_a, source_b) = two_pipelines(tmp_path, json_receiver)
    asked: list[int] = []

    def after_of(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if "articles.id >" in statement:
            asked.append(params["after"] if isinstance(params, dict) else params[0])

    event.listen(b.db.engine, "before_cursor_execute", after_of)
    try:
        a.ingest(source_a, "feed-a", [copy(first, "a")])
        b.ingest(source_b, "feed-b", [copy(second, "b")])  # b learns a's first article before storing its own
        [[a_first]] = query(tmp_path, "SELECT id FROM articles WHERE url LIKE 'https://a.%'")
        [[b_second]] = query(tmp_path, "SELECT id FROM articles WHERE url LIKE 'https://b.%'")
        assert a_first in b.ingest.story_index and a_first < b_second
        a.ingest(source_a, "feed-a", [copy(third, "a")])  # a learns b's, then stores a third story
        a.ingest(source_a, "feed-a", [copy(second, "a")])  # a's copy of b's story joins it: a knew it by id
        b.ingest(source_b, "feed-b", [copy(third, "b")])  # b asks only for what came after its own article
        assert asked == [0, b_second]  # nothing stored when b started; then only what came after its own article
        stored = [i for i, in query(tmp_path, "SELECT id FROM articles ORDER BY id")]
        assert len(stored) == 5 and all(i in b.ingest.story_index for i in stored)
        assert all(i in a.ingest.story_index for i in stored[:-1])  # a has not stored since b's last
    finally:
        for p in (a, b):
            p.close()
    stories, alerts = stories_and_alerts(tmp_path)
    assert {k: len(v) for k, v in stories.items()} == {str(s["id"]): 1 for s in (first, second, third)}
    assert alerts == {str(s["id"]): int(str(s["id"]) in alerting(a, [first, second, third])) for s in (first, second, third)}


DAEMON = """
import json, sys, time
from pathlib import Path
from monitor.pipeline import build_pipeline
from monitor.settings import load_settings
from monitor.store import sources
from tests.test_shared_stories import copy, originals
config, outlet, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
pipeline = build_pipeline(load_settings(config))
source_id = sources.ensure_source(pipeline.db, f"feed-{outlet}", "feed", f"https://{outlet}.example.org/feed")
(go.parent / f"ready-{outlet}").touch()
while not go.exists():
    time.sleep(0.01)
for story in originals(int(sys.argv[4])):  # one feed batch per story, as two daemons polling at once would
    pipeline.ingest(source_id, f"feed-{outlet}", [copy(story, outlet)])
pipeline.close()
"""


def test_two_daemon_processes_storing_copies_at_once_start_each_story_once(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    n = 30
    config = write_config(tmp_path, channels=[{"name": "hook", "url": json_receiver.url}])
    build_pipeline(load_settings(config)).close()  # the schema made once, before the two start
    go = tmp_path / "go"
    run_at_once(tmp_path, {outlet: ["-c", DAEMON, str(config), outlet, str(go), str(n)] for outlet in "ab"}, go)
    stories, alerts = stories_and_alerts(tmp_path)
    assert {k: len(v) for k, v in stories.items()} == {str(s["id"]): 1 for s in originals(n)}
    assert len(query(tmp_path, "SELECT id FROM articles")) == 2 * n
    pipeline = build_pipeline(load_settings(config))
    try:
        assert alerts == {str(s["id"]): int(str(s["id"]) in alerting(pipeline, originals(n))) for s in originals(n)}
    finally:
        pipeline.close()
