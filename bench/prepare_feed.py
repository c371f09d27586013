"""CPU of a parsing process's parse and preparing of a feed whose entries are all new (helper left7, stop 47).

For each PYTHONPATH given (a frozen base, the change), alternated, a child process builds the matcher from
config/watchlist.yaml, and parses and prepares (`parsing.parse_in_worker` with the preparer's file, nothing seen,
`parse_timeout` 10 s) a feed of ENTRIES entries made of the seed article's paragraphs (each entry two of them, a
different pair each), REPEAT times, and prints the CPU seconds per feed (the median of the repeats) and the entries
prepared. Run from the repository's root.

    python bench/prepare_feed.py /tmp/base /work/wt/left7 --entries 50 --repeat 20 --rounds 3
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

CHILD = """
import statistics, sys, time
from html import escape
from pathlib import Path
import monitor
assert monitor.__file__.startswith(sys.argv[1]), monitor.__file__
from monitor.prepare import Preparer
from monitor.matching.matcher import Matcher
from monitor.sources.parsing import ParserPool, parse_in_worker
from monitor.watchlist import load_watchlist
root, entries, repeat = Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
paragraphs = [p for p in (root / "seeds" / "soleimani-strike-2020-01.txt").read_text().split("\\n\\n") if p.strip()]
items = "".join(
    f"<item><title>Story {i}</title><link>https://w.example/{i}</link><guid>g{i}</guid><description>"
    f"{escape('<p>' + paragraphs[i % len(paragraphs)] + '</p><p>' + paragraphs[(i * 7 + 3) % len(paragraphs)] + '</p>')}</description></item>"
    for i in range(entries))
body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><link>https://w.example/</link>'
        f"<description>d</description>{items}</channel></rss>").encode()
pool = ParserPool(1)
pool.use(Preparer(Matcher(load_watchlist(root / "config" / "watchlist.yaml"), time.monotonic, text_cache_chars=0)))
path = pool._prepare
parse_in_worker(body, "warm-up", {}, path, b"", 10.0)
took = []
for _ in range(repeat):
    began = time.process_time()
    parsed = parse_in_worker(body, "bench", {}, path, b"", 10.0)
    took.append(time.process_time() - began)
print(f"{statistics.median(took) * 1000:.1f} ms a feed of {len(body):,} bytes, {sum(p is not None for p in parsed.prepared)} of {entries} entries prepared")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", help="PYTHONPATHs to compare (a frozen base, the change), alternated")
    ap.add_argument("--entries", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    root = Path(__file__).resolve().parent.parent
    for _ in range(args.rounds):
        for path in args.paths:
            run = subprocess.run([sys.executable, "-c", CHILD, path, str(root), str(args.entries), str(args.repeat)],
                                 env={"PYTHONPATH": path, "PATH": "/usr/bin:/bin"}, cwd=path, capture_output=True, text=True, check=False)
            print(f"{path}: {run.stdout.strip() or run.stderr.strip().splitlines()[-1]}", flush=True)


if __name__ == "__main__":
    main()
