"""Memory and CPU of a parsing process's parse of a feed made of many tags (helper left7, stop 47).

Builds feed bodies of the shapes below (at most 10 MB: `[http] max_body_bytes`), and for each PYTHONPATH given (a frozen
base, the change) runs a child process, under `prlimit --as=AS`, that parses each body as a parsing process does
(`parsing.parse_in_worker`, `parse_timeout` 10 s) and prints its peak resident memory over its start (ru_maxrss), the
parse's CPU seconds and its outcome (entries read, or the feed's one-line error).

    python bench/feed_tags_peak.py /tmp/base /work/wt/left7 --rounds 2 --as 2000000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

HEAD = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><link>https://w.example/</link>'
        b"<description>d</description>")
TAIL = b"</channel></rss>"


def item(i: int, categories: int) -> bytes:
    cats = b"".join(b"<category>c%d</category>" % j for j in range(categories))
    return b"<item><title>T%d</title><link>https://w.example/%d</link><guid>g%d</guid><description>x</description>%s</item>" % (i, i, i, cats)


SHAPES = {  # name: (entries, categories per entry)
    "50,000 categories in one entry": (1, 50_000),
    "1,000 entries of 45 categories (50,000 tags)": (1_000, 45),
    "10,000 entries of 5 tags (50,000 tags)": (10_000, 0),
    "8,000 entries of 45 categories (400,000 tags)": (8_000, 45),
}

CHILD = """
import json, resource, sys, time
from monitor.sources.parsing import parse_in_worker
import monitor
assert monitor.__file__.startswith(sys.argv[4]), monitor.__file__
entries, categories = int(sys.argv[1]), int(sys.argv[2])
sys.path.insert(0, sys.argv[3])
from feed_tags_peak import HEAD, TAIL, item
body = HEAD + b"".join(item(i, categories) for i in range(entries)) + TAIL
parse_in_worker(HEAD + item(0, 1) + TAIL, "warm-up", {}, None, b"", 10.0)
start, began = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.process_time()
parsed = parse_in_worker(body, "bench", {}, None, b"", 10.0)
took = time.process_time() - began
outcome = parsed if isinstance(parsed, str) else f"{len(parsed.documents):,} entries"
print(json.dumps({"bytes": len(body), "peak_mb": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start) / 1024, 1),
                  "cpu_s": round(took, 2), "outcome": outcome}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", help="PYTHONPATHs to compare (a frozen base, the change), alternated")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--as", dest="address_space", type=int, default=2_000_000_000, help="prlimit --as for each child")
    args = ap.parse_args()
    here = sys.path[0]
    for _ in range(args.rounds):
        for name, (entries, categories) in SHAPES.items():
            for path in args.paths:
                run = subprocess.run(["prlimit", f"--as={args.address_space}", sys.executable, "-c", CHILD, str(entries), str(categories), here, path],
                                     env={"PYTHONPATH": path, "PATH": "/usr/bin:/bin"}, cwd=path, capture_output=True, text=True, check=False)
                said = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else json.dumps({"failed": run.stderr.strip().splitlines()[-1:]})
                print(f"{name} | {path} | {said}", flush=True)


if __name__ == "__main__":
    main()
