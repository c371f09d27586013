"""Matching hostile texts: CPU time of `match_text` (default watchlist) on texts of 50,000 characters (the cap
ingest applies) built to crowd one sentence with matches, each once, in one process.

    .venv/bin/python bench/hostile_matching.py [--repeat 1]

Each text is matched by one warm matcher (its words met once before the timed call, so the figure is the matching,
not the learning of new words); one JSON line a text (name, characters, matches, hits, CPU seconds: the best of
--repeat), then a Markdown table on stderr. Compare two codes by running a frozen copy of the other with PYTHONPATH.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import monitor
from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.watchlist import load_watchlist

ROOT = Path(__file__).resolve().parent.parent
CAP = 50_000


def texts() -> dict[str, str]:
    """The hostile texts, by name: one sentence without end unless the name says otherwise."""
    watchlist = load_watchlist(ROOT / "config" / "watchlist.yaml")
    names = [a for actor in watchlist.actors for a in actor.aliases][:200]
    phrases = [p for event in watchlist.events for p in event.phrases][:200]
    rnd = random.Random(1)
    made = {
        "Iran drone strike": "Iran drone strike " * 3000,
        "Iran, lines": "Iran\n" * 10000,
        "would ... if": "Iran would strike if attacked, " * 2000,
        "rockets and revenge": "Hezbollah fired rockets at US troops and Iran vowed revenge after the drone strike, " * 700,
        "Iran did not strike": "Iran did not strike, " * 3000,
        "Iran attacks": "Iran attacks " * 4000,
        "the film about": "the film about Soleimani assassination " * 1300,
        "names and phrases": " ".join(rnd.choice(names + phrases) for _ in range(8000)),
        "names and phrases, sentences": ". ".join(rnd.choice(names + phrases) for _ in range(8000)),
    }
    return {name: text[:CAP] for name, text in made.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    matcher = Matcher(load_watchlist(ROOT / "config" / "watchlist.yaml"), time.monotonic, text_cache_chars=0)
    rows = []
    for name, text in texts().items():
        result = match_text(matcher, text)  # the words met: the timed calls match, not learn
        best = min(_cpu(lambda: match_text(matcher, text)) for _ in range(args.repeat))
        row = {"text": name, "chars": len(text), "matches": len(result.matches), "hits": len(result.hits), "cpu_s": round(best, 3), "code": str(Path(monitor.__file__).parent)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    print("| text | matches | CPU s |\n|---|---|---|", file=sys.stderr)
    for row in rows:
        print(f"| {row['text']} | {row['matches']:,} | {row['cpu_s']} |", file=sys.stderr)


def _cpu(call: object) -> float:
    started = time.process_time()
    call()  # type: ignore[operator]
    return time.process_time() - started


if __name__ == "__main__":
    main()
