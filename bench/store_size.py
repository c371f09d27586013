"""Database size per 100,000 articles, and the time `monitor prune` takes on it.

N articles (default 20,000: the figure per 100,000 is extrapolated linearly, which holds for a B-tree
file) are stored the way the pipeline stores them: made from a Document (`dedup.to_article`), matched
by the default watchlist (`match_text`), sketched (`stories.sketch_normalised`) and saved with
`store.articles.save_article` (an alert and one delivery for those that alert), fetched times spread
evenly over the last 60 days. Texts are the story corpus (tests/data/stories/corpus.jsonl) varied:
each article is 3 to 6 paragraphs drawn from different corpus texts, shuffled, with a line of its own,
so that no two are the same (the content hash is unique) and lengths vary as news does.
Then `prune` with keep_days 30 removes about half; its time and the file size before and after are
printed. Sizes are of the SQLite file after a WAL checkpoint.

    .venv/bin/python bench/store_size.py [N]
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.dedup import to_article
from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.model import Document
from monitor.store import articles
from monitor.store.db import Database
from monitor.store.retention import prune
from monitor.store.sources import ensure_source
from monitor.stories import sketch_normalised
from monitor.watchlist import load_watchlist

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "data" / "stories" / "corpus.jsonl"


def file_size(db: Database, path: Path) -> int:
    with db.engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return path.stat().st_size + (path.with_name(path.name + "-wal").stat().st_size if path.with_name(path.name + "-wal").exists() else 0)


def main(n: int) -> None:
    rng = random.Random(17)
    corpus = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    paragraphs = [p for c in corpus for p in c["text"].split("\n\n") if p.strip()]
    titles = [c["title"] for c in corpus]
    matcher = Matcher(load_watchlist(REPO / "config" / "watchlist.yaml"))
    path = Path(tempfile.mkdtemp(prefix="store-size-")) / "monitor.db"
    db = Database(f"sqlite:///{path}")
    source_id = ensure_source(db, "bench", "feed", "http://bench.example/feed.xml")
    now = datetime.now(UTC)
    matches = alerts = 0
    started = time.perf_counter()
    for i in range(n):
        body = rng.sample(paragraphs, rng.randint(3, 6))
        body.insert(rng.randrange(len(body) + 1), f"Dispatch {i} filed at {rng.randrange(24):02d}:{rng.randrange(60):02d} by desk {rng.randrange(40)}.")
        doc = Document("bench", f"{rng.choice(titles)} ({i})", "\n\n".join(body), url=f"https://news.example/{i}", guid=f"bench-{i}")
        article = to_article(doc)
        result = match_text(matcher, article.body)
        signature, size = sketch_normalised(article.normalised)
        alert = None
        if result.alert:
            alert = articles.NewAlert(uuid.uuid4().hex, result.severity, ("default",), article.title, article.text[:600], ("desk",))
            alerts += 1
        matches += len(result.matches)
        fetched = now - timedelta(days=60) + timedelta(days=60) * (i / n)
        articles.save_article(db, source_id, article, result, alert, fetched, articles.StoryLink(None, signature, size))
    stored = time.perf_counter() - started
    before = file_size(db, path)
    started = time.perf_counter()
    pruned = prune(db, now - timedelta(days=30))
    prune_seconds = time.perf_counter() - started
    after = file_size(db, path)
    per_100k = before * 100_000 / n
    print(f"stored {n} articles ({matches} matches, {alerts} alerts with one delivery each) in {stored:.1f} s")
    print(f"database: {before / 1e6:.1f} MB = {before / n / 1024:.1f} KiB per article; per 100,000 articles (extrapolated): {per_100k / 1e6:.0f} MB")
    print(f"prune keep_days=30: {pruned.describe()} in {prune_seconds:.2f} s ({pruned.articles / max(prune_seconds, 1e-9):.0f} articles/s)")
    print(f"database after prune: {after / 1e6:.1f} MB")
    db.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
