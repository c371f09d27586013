"""Times each page of the web view over a SQLite store of 100,000 articles (issue 20: goal <= 200 ms a page).

Seeds the store in bulk (Core executemany through monitor.store.tables: a bench's shortcut, not the
ingest path), serves the site with uvicorn on 127.0.0.1 and times GETs: each page's first (cold: a fresh
process and connections, nothing of the page's data read yet) and `--repeat` more (warm), median and p95, with the machine's load (`uptime`).
The schema has an index on matches(name, kind, article_id) (revision 0005) for the actor page's day
counts; `--without-index` drops it first, to measure what it gains (with the article id in it the alerts'
actor and event filters stay point lookups even without ANALYZE statistics; on matches(name, kind) alone
SQLite picks it for their correlated EXISTS and /alerts?actor= took > 60 s).

    .venv/bin/python bench/web.py --articles 100000 [--without-index]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import insert, text

from monitor.model import Actor, Event, Watchlist
from monitor.store.db import Database
from monitor.store.tables import AlertRow, ArticleRow, DeliveryRow, MatchRow, SourceRow, StoryRow
from monitor.web.app import create_app
from monitor.web.auth import Access
from monitor.web.serve import Background, bind

ACTORS = [f"Actor {i}" for i in range(40)]
EVENTS = ["rocket attack", "drone strike", "kidnapping", "bombing", "assassination", "protest"]


def seed(db: Database, articles: int, rng: random.Random) -> None:
    now = datetime.now(UTC)
    with db.session() as s:
        run = s.connection().execute
        run(insert(SourceRow), [{"id": i + 1, "name": f"feed {i}", "kind": "feed", "location": f"https://feed{i}.example/rss", "every": 600.0,
                                 "last_success_at": now, "next_check_at": now + timedelta(minutes=10)} for i in range(200)])
        for start in range(0, articles, 10_000):
            ids = range(start + 1, min(articles, start + 10_000) + 1)
            run(insert(StoryRow), [{"id": i, "created_at": now - timedelta(minutes=articles - i)} for i in ids])
            run(insert(ArticleRow), [{
                "id": i, "source_id": rng.randrange(200) + 1, "title": f"Article {i} about {ACTORS[i % 40]}",
                "text": f"{ACTORS[i % 40]} was named in a report of a {EVENTS[i % 6]} near the border today, officials said. " * 3,
                "url": f"https://news.example/{i}", "canonical_url": f"https://news.example/{i}", "guid": f"g{i}", "content_hash": f"{i:064x}",
                "published_at": now - timedelta(minutes=(articles - i) * 90 * 1440 // articles), "fetched_at": now - timedelta(minutes=(articles - i) * 90 * 1440 // articles),
                "story_id": i, "shingles": 0} for i in ids])
            run(insert(MatchRow), [row for i in ids for row in (
                {"article_id": i, "kind": "actor", "name": ACTORS[i % 40], "alias": ACTORS[i % 40], "found": ACTORS[i % 40], "start": 0, "end": 8, "score": 100.0, "severity": 0},
                {"article_id": i, "kind": "event", "name": EVENTS[i % 6], "alias": EVENTS[i % 6], "found": EVENTS[i % 6], "start": 40, "end": 50, "score": 100.0, "severity": 2})])
            alerted = [i for i in ids if i % 10 == 0]
            run(insert(AlertRow), [{"id": i // 10, "uid": f"{i:032x}", "article_id": i, "severity": i % 4, "tags": "news iraq", "title": f"[high] alert {i}",
                                    "body": "body", "context": "{}", "created_at": now - timedelta(minutes=articles - i)} for i in alerted])
            run(insert(DeliveryRow), [{"alert_id": i // 10, "channel": channel, "status": "sent" if i % 70 else "failed", "attempts": 1,
                                       "next_attempt_at": now, "last_error": None if i % 70 else "connection refused"}
                                      for i in alerted for channel in ("mail", "slack")])


def timed(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as answer:
        answer.read()
        assert answer.status == 200, url
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--without-index", action="store_true", help="drop the index on matches(name, kind, article_id) before timing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = Database(url)
        started = time.perf_counter()
        seed(db, args.articles, random.Random(20))
        print(f"seeded {args.articles} articles in {time.perf_counter() - started:.1f} s")
        if args.without_index:
            with db.session() as s:
                s.execute(text("DROP INDEX ix_matches_name_kind_article"))
            print("without the index on matches(name, kind, article_id)")
        db.engine.dispose()
        db = Database(url)  # fresh connections: the first requests are cold
        watchlist = Watchlist(actors=tuple(Actor(a, "group", (a,)) for a in ACTORS), events=tuple(Event(e, 2, (e,)) for e in EVENTS))
        # (each page asked for again at once: more than an address's BURST, at more than its RATE)
        served = Background(create_app(db, lambda: watchlist, Access()), bind(("127.0.0.1", 0), str), burst=10**9)
        base = f"http://127.0.0.1:{served.port}"
        pages = ["/alerts", "/alerts?actor=" + quote(ACTORS[10]), "/alerts?state=failed", "/alerts?severity=2&event=kidnapping",
                 f"/alerts/{args.articles // 20}", "/stories", f"/stories/{args.articles // 2}", "/actors", "/actor?name=" + quote(ACTORS[10]), "/sources"]
        timed(base + "/site.css")  # the server's own first request (its thread pool) is not a page's
        print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
        print(f"{'page':45} {'cold ms':>8} {'median':>8} {'p95':>8}")
        for page in pages:
            cold = timed(base + page)
            warm = sorted(timed(base + page) for _ in range(args.repeat))
            print(f"{page:45} {cold:8.1f} {statistics.median(warm):8.1f} {warm[int(0.95 * (len(warm) - 1))]:8.1f}")
        print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
        served.close()


if __name__ == "__main__":
    main()
