"""Where each millisecond of a new article goes: the storing thread's stages, timed per article, on real text.

Real text: every entry of the shared feed corpus (tests/conftest.py CORPUS: MONITOR_CORPUS or
../shared/corpora/feeds; each feed file parsed once, untimed, by the daemon's `read_feed` with its
markup deferred as the parsing processes leave it), one source per feed file, then the articles of
tests/data/stories/corpus.jsonl as one more feed (title and text; their GUID is their id). Each
article goes ONCE through the steps the storing thread runs for a new entry, in the order the
pipeline runs them, into a fresh SQLite file (the first cycle: every entry is new), with the default
watchlist compiled once (its word cache starts cold) and a story index holding `--index` unrelated
signatures (the default window is 5,000 articles):

    known GUIDs (SQL, one query per feed) - text extraction (`with_text`: lxml for markup) -
    normalisation (`dedup.normalised`: title and text through `normalise`) - content hash (SHA-256) -
    other keys (the rest of `to_article`: canonical URL, GUID) - known URLs and hashes (SQL, one
    query per feed) - matching (`match_text`) - sketch (`stories.sketch_normalised`, or with `--batch`
    `stories.sketches` of the feed's new articles at once, its time shared among them) - story lookup
    (`StoryIndex.find`) - story state (SQL) - alert (for alerting articles: active mutes (SQL) and the
    rendered title, body and context; not the pipeline's corroboration and mute filters) - save
    (SQL: the article, its matches, story, alert and a delivery in one transaction) - index add.

Each stage is timed by the thread's CPU clock (`time.thread_time`: what the article costs the
storing thread, whatever else runs on the machine) and by the wall clock (which includes SQLite's
file writes and the machine's contention). What runs once per feed (the two queries, a batch
sketch) counts in the mean per article as it does in a cycle: its total over the articles. The table gives the mean per article, for feed
entries, story articles and all. Works against an older `monitor` too (PYTHONPATH): the batch
sketch is then reported as absent.

With --one-transaction a feed's articles are saved in one transaction (`articles.batch`, as ingest
does since issue 21; the commit counts in "save"), one `Batch.save` call per article (ingest saves the
feed's articles with one `save_many`: only --whole measures that). With --whole, no stages: the real `Ingest` per feed,
its CPU and wall time per new article (run it against an older checkout with PYTHONPATH to compare).

    .venv/bin/python bench/ingest_profile.py [--index 5000] [--batch] [--one-transaction] [--whole [--passes N]] [--cprofile 30] [--limit N]

(--whole --cprofile N: a second, profiled pass of the real Ingest.)

Stdout: one JSON line. Stderr: the table (Markdown), and with --cprofile the N costliest functions
(cProfile, by own time) of a second, profiled pass into a new file.
"""

from __future__ import annotations

import argparse
import inspect
import cProfile
import hashlib
import json
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from monitor import dedup, stories
from monitor.alerts.render import alert_context, render_body, render_title
from monitor.errors import FeedParseError
from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.model import Article, Document
from monitor.sources.feeds import read_feed
from monitor.sources.text import with_text
from monitor.store import articles, mutes, sources
from monitor.store import stories as story_store
from monitor.store.db import Database
from monitor.watchlist import load_watchlist

try:
    from monitor.ingest import _first_of_each, _joined  # a feed's repeats dropped; a story as the next article of the transaction sees it
except ImportError:  # an older monitor: no one-transaction batch
    _first_of_each = _joined = None  # type: ignore[assignment]

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.conftest import CORPUS  # noqa: E402  (the shared feed corpus: MONITOR_CORPUS or ../shared/corpora/feeds)

STORIES = REPO / "tests" / "data" / "stories" / "corpus.jsonl"
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf"}
STAGES = ["known GUIDs (SQL)", "text extraction", "normalisation", "content hash", "other keys", "known URLs and hashes (SQL)",
          "matching", "sketch", "story lookup", "story state (SQL)", "alert (mutes SQL + render)", "save (SQL)", "index add"]
WITHIN = timedelta(hours=72)
Feed = tuple[str, str, list[Document]]  # (group, name, documents)


def feeds(limit: int | None) -> list[Feed]:
    """The feed corpus's files (path order) and the stories corpus as one feed."""
    found: list[Feed] = []
    if CORPUS.is_dir():
        for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() in FEED_SUFFIXES):
            try:
                docs = read_feed(path.read_bytes(), str(path), defer_text=True).documents
            except (FeedParseError, OSError, ValueError):
                continue
            if docs:
                found.append(("feeds", str(path.relative_to(CORPUS)), list(docs)))
    else:
        print(f"feed corpus absent: {CORPUS} (set MONITOR_CORPUS); the stories corpus only", file=sys.stderr)
    rows = [json.loads(line) for line in STORIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    found.append(("stories", "stories", [Document("stories", r.get("title", ""), r["text"], guid=str(r["id"])) for r in rows]))
    return found[-limit:] if limit else found


class Laps:
    """CPU and wall time per (group, stage), taken lap by lap."""

    def __init__(self) -> None:
        self.cpu: dict[tuple[str, str], float] = defaultdict(float)
        self.wall: dict[tuple[str, str], float] = defaultdict(float)
        self.start()

    def start(self) -> None:
        self._cpu, self._wall = time.thread_time(), time.perf_counter()

    def lap(self, group: str, stage: str) -> None:
        cpu, wall = time.thread_time(), time.perf_counter()
        self.cpu[group, stage] += cpu - self._cpu
        self.wall[group, stage] += wall - self._wall
        self._cpu, self._wall = time.thread_time(), time.perf_counter()


def run(all_feeds: list[Feed], folder: Path, index_size: int, batch: bool, one_transaction: bool = False) -> tuple[Laps, dict[str, int]]:
    db = Database(f"sqlite:///{folder / 'profile.db'}")
    matcher = Matcher(load_watchlist(REPO / "config" / "watchlist.yaml"), time.monotonic)
    index = stories.StoryIndex()
    rng = np.random.default_rng(0)
    for i in range(index_size):  # unrelated articles of the window (random signatures: no slot in common to speak of)
        index.add(-index_size + i, -index_size + i, rng.integers(0, 2**32, stories.NUM_PERM, dtype="<u4").tobytes(), 200)
    source_ids = {name: sources.ensure_source(db, name, "feed", f"https://feeds.example/{k}") for k, (_, name, _) in enumerate(all_feeds)}
    laps, counts = Laps(), defaultdict[str, int](int)
    batched = batch and hasattr(stories, "sketches")
    one_transaction = one_transaction and hasattr(articles, "batch")
    for group, name, docs in all_feeds:
        source_id = source_ids[name]
        laps.start()
        guids = [(doc.guid or "").strip() for doc in docs]
        known = articles.known_guids(db, source_id, [g for g in guids if g])
        new_docs = [doc for doc, guid in zip(docs, guids) if guid not in known]
        laps.lap(group, STAGES[0])
        fresh = []
        for doc in new_docs:
            doc = with_text(doc)
            laps.lap(group, "text extraction")
            title, text = " ".join(doc.title.split()), doc.text.strip()
            both = dedup.normalised(title, text)
            laps.lap(group, "normalisation")
            digest = hashlib.sha256(both.encode()).hexdigest()
            laps.lap(group, "content hash")
            article = Article(doc.source, title, text, doc.url, dedup.canonical_url(doc.url), (doc.guid or "").strip() or None, doc.published, digest, both)
            laps.lap(group, "other keys")
            fresh.append(article)
        known_urls, known_content = articles.known_urls_and_hashes(db, [a.canonical_url for a in fresh if a.canonical_url], [a.content_hash for a in fresh])
        new = [a for a in fresh if (a.title or a.text) and a.canonical_url not in known_urls and a.content_hash not in known_content]
        if one_transaction:
            new = _first_of_each(new)  # (one at a time, the unique keys refuse a feed's repeats; in one transaction they would refuse the feed)
        laps.lap(group, STAGES[5])
        if batched:
            sketched = stories.sketches([a.normalised for a in new])
            laps.lap(group, "sketch")
        with ExitStack() as transaction:
            rows = transaction.enter_context(articles.batch(db)) if one_transaction else None
            states: dict[int, Any] = {}
            store_feed(group, name, source_id, new, sketched if batched else None, rows, states, db, matcher, index, laps, counts)
        laps.lap(group, "save (SQL)")  # the commit
    return laps, counts


def store_feed(group: str, name: str, source_id: int, new: list[Article], sketched: list[tuple[bytes, int]] | None, rows: Any,
               states: dict[int, Any], db: Database, matcher: Matcher, index: stories.StoryIndex, laps: Laps, counts: dict[str, int]) -> None:
    """The per-article stages of one feed's new articles; `rows`: one transaction for the feed (articles.batch), or None."""
    for k, article in enumerate(new):
        result = match_text(matcher, article.body)
        laps.lap(group, "matching")
        signature, size = sketched[k] if sketched is not None else stories.sketch_normalised(article.normalised)
        if sketched is None:
            laps.lap(group, "sketch")
        fetched = datetime.now(UTC)
        at = stories.article_time(article.published, fetched)
        found = index.find(signature, size, at, WITHIN)
        laps.lap(group, "story lookup")
        if found in states:
            story = states[found]
        elif "connection" in inspect.signature(story_store.state).parameters:  # since issue 21's storing-thread work: on the feed's connection
            with ExitStack() as reading:
                connection = rows.connection if rows else reading.enter_context(db.transaction())
                story = story_store.state(connection, found, source_id)
        else:
            story = story_store.state(db, found, source_id)
        laps.lap(group, "story state (SQL)")
        alert = None
        if result.alert:
            mutes.active(db, fetched)
            uid = f"{counts['alerts']:016x}"
            alert = articles.NewAlert(uid, result.severity, result.tags, render_title(article, result), render_body(article, result, name, uid, seen=fetched),
                                      ("console://",), json.dumps(alert_context(article, result, name, uid), ensure_ascii=False))
            counts["alerts"] += 1
        laps.lap(group, "alert (mutes SQL + render)")
        link = articles.StoryLink(story.id if story else None, signature, size, frozenset(m.name for m in result.matches) if alert else frozenset())
        saved = rows.save(source_id, article, result, alert, fetched, link) if rows else articles.save_article(db, source_id, article, result, alert, fetched, link)
        laps.lap(group, "save (SQL)")
        if saved is not None:
            if rows:
                states[saved[1]] = _joined(story, saved[1], alert, link.reported, fetched)
            index.add(saved[0], saved[1], signature, size, at)
            index.remove_before(saved[0] - 5000)
            counts[group] += 1
            counts[group + "_bytes"] += len(article.body.encode())
        laps.lap(group, "index add")


def whole_ingest(all_feeds: list[Feed], folder: Path, index_size: int, prepared: bool = False) -> dict[str, float]:
    """The real `Ingest.__call__` per feed (whatever this checkout's ingest does): the storing thread's CPU
    and the wall time per new article, over the whole first cycle (one route: every alert has a delivery).
    With `prepared`, each feed's entries come prepared as a parsing process prepares them (untimed, with a
    matcher of its own: `monitor.prepare.Preparer`), as they reach the storing thread since issue 21."""
    from monitor.alerts.decide import ChannelPolicy, Route
    from monitor.ingest import Ingest, StoryLimits
    db = Database(f"sqlite:///{folder / 'whole.db'}")
    daemon = {"text_cache_chars": 0} if "text_cache_chars" in inspect.signature(Matcher).parameters else {}  # as prepare.daemon_matcher, where the code has it
    matcher = Matcher(load_watchlist(REPO / "config" / "watchlist.yaml"), time.monotonic, **daemon)
    ingest = Ingest(db, matcher, ChannelPolicy((Route("hook", frozenset(), True),)), StoryLimits())
    rng = np.random.default_rng(0)
    for i in range(index_size):
        ingest.story_index.add(-index_size + i, -index_size + i, rng.integers(0, 2**32, stories.NUM_PERM, dtype="<u4").tobytes(), 200)
    ids = {name: sources.ensure_source(db, name, "feed", f"https://feeds.example/{k}") for k, (_, name, _) in enumerate(all_feeds)}
    cpu = wall = 0.0
    new = 0
    worker = None
    if prepared:
        from monitor.prepare import Preparer
        worker = Preparer(Matcher(load_watchlist(REPO / "config" / "watchlist.yaml"), time.monotonic, **daemon))
    for _, name, docs in all_feeds:
        ready: tuple[Any, ...] = ()
        if worker is not None:  # as sources/parsing.py leaves a feed nothing of which was stored
            ready, docs = tuple(worker(docs)), [replace(d, html="") for d in docs]
        c, w = time.thread_time(), time.perf_counter()
        new += ingest(ids[name], name, docs, None, ready) if ready else ingest(ids[name], name, docs)
        cpu, wall = cpu + time.thread_time() - c, wall + time.perf_counter() - w
    return {"articles": new, "cpu_ms_per_article": round(cpu / new * 1e3, 3), "wall_ms_per_article": round(wall / new * 1e3, 3)}


def table(laps: Laps, counts: dict[str, int], batched: bool) -> tuple[str, dict[str, dict[str, float]]]:
    groups = [g for g in ("feeds", "stories") if counts.get(g)]
    total = sum(counts[g] for g in groups)
    per: dict[str, dict[str, float]] = {}
    for g in groups:
        per[g] = {s: laps.cpu[g, s] / counts[g] * 1e6 for s in STAGES}
    per["all"] = {s: sum(laps.cpu[g, s] for g in groups) / total * 1e6 for s in STAGES}
    per["all wall"] = {s: sum(laps.wall[g, s] for g in groups) / total * 1e6 for s in STAGES}
    heads = [f"{g} ({counts[g]}, {counts[g + '_bytes'] / counts[g]:.0f} B)" for g in groups] + [f"all ({total})", "share", "all, wall"]
    lines = ["| stage (µs per new article, CPU of the storing thread) | " + " | ".join(heads) + " |", "|---" * (len(heads) + 1) + "|"]
    whole = sum(per["all"].values())
    for s in STAGES:
        label = s + (" (batch per feed)" if s == "sketch" and batched else "")
        cells = [f"{per[g][s]:.0f}" for g in groups] + [f"{per['all'][s]:.0f}", f"{per['all'][s] / whole:.0%}", f"{per['all wall'][s]:.0f}"]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    sums = [f"**{sum(per[g].values()):.0f}**" for g in groups] + [f"**{whole:.0f}**", "100%", f"**{sum(per['all wall'].values()):.0f}**"]
    lines.append("| total | " + " | ".join(sums) + " |")
    return "\n".join(lines), per


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=int, default=5000, help="unrelated signatures in the story index at the start")
    parser.add_argument("--batch", action="store_true", help="sketch a feed's new articles at once (stories.sketches)")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N", help="then a profiled pass: its N costliest functions")
    parser.add_argument("--one-transaction", action="store_true", help="save a feed's new articles in one transaction (articles.batch)")
    parser.add_argument("--whole", action="store_true", help="instead: time the real Ingest per feed (storing-thread CPU per new article)")
    parser.add_argument("--limit", type=int, default=0, help="only the last N feeds (the stories corpus is the last)")
    parser.add_argument("--prepared", action="store_true", help="with --whole: entries come prepared, as the parsing processes send them (issue 21)")
    parser.add_argument("--passes", type=int, default=1, help="with --whole: this many passes, each into a new file (the CPU per article of each)")
    args = parser.parse_args()
    loads = [load()]
    all_feeds = feeds(args.limit or None)
    if args.whole:
        with tempfile.TemporaryDirectory() as folder:
            passes = []
            for k in range(max(1, args.passes)):
                (Path(folder) / f"pass{k}").mkdir()
                passes.append(whole_ingest(all_feeds, Path(folder) / f"pass{k}", args.index, args.prepared))
            print(json.dumps({"whole_ingest": passes[0] if len(passes) == 1 else passes, "loadavg": [*loads, load()]}))
            if args.cprofile:
                profile = cProfile.Profile()
                (Path(folder) / "again").mkdir()
                profile.runcall(whole_ingest, all_feeds, Path(folder) / "again", args.index)
                pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(args.cprofile)
        return
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        laps, counts = run(all_feeds, Path(folder), args.index, args.batch, args.one_transaction)
        elapsed = time.perf_counter() - started
        batched = args.batch and hasattr(stories, "sketches")
        text, per = table(laps, counts, batched)
        loads.append(load())
        print(json.dumps({"articles": {g: counts[g] for g in ("feeds", "stories")}, "alerts": counts["alerts"], "batch": batched,
                          "one_transaction": args.one_transaction and hasattr(articles, "batch"),
                          "index": args.index, "elapsed_s": round(elapsed, 1), "loadavg": loads,
                          "us_per_article": {g: {s: round(v, 1) for s, v in row.items()} for g, row in per.items()}}))
        print(text + f"\n\nload average before, after: {' | '.join(loads)}; {elapsed:.1f} s in all", file=sys.stderr)
        if args.cprofile:
            profile = cProfile.Profile()
            (Path(folder) / "again").mkdir()
            profile.runcall(run, all_feeds, Path(folder) / "again", args.index, args.batch)
            pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
