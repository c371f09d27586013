"""Matching throughput on the seed article with the default watchlist (pure code, no I/O).

    .venv/bin/python bench/match_speed.py [ROUNDS]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.watchlist import load_watchlist

REPO = Path(__file__).resolve().parent.parent


def main(rounds: int) -> None:
    watchlist = load_watchlist(REPO / "config" / "watchlist.yaml")
    text = (REPO / "seeds" / "soleimani-strike-2020-01.txt").read_text()
    started = time.perf_counter()
    matcher = Matcher(watchlist)
    compiled = time.perf_counter() - started
    match_text(matcher, text)  # warm-up
    started = time.perf_counter()
    for _ in range(rounds):
        match_text(matcher, text)
    elapsed = time.perf_counter() - started
    aliases = sum(len(a.aliases) for a in watchlist.actors) + sum(len(e.phrases) for e in watchlist.events)
    print(json.dumps({
        "aliases": aliases,
        "article_words": len(text.split()),
        "compile_ms": round(compiled * 1000, 2),
        "ms_per_article": round(elapsed / rounds * 1000, 3),
        "articles_per_s": round(rounds / elapsed, 1),
    }))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
