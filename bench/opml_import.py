"""Time and peak memory of `monitor sources import` of a big OPML file (xfolder5, stop 45).

Writes an OPML file of FEEDS feeds in folders of 100 (`--wide`: one outline of ATTRIBUTES attributes instead), runs
`python -m monitor sources import` on it, on a new SQLite store, with each PYTHONPATH given (a frozen base, the
change) in turn, ROUNDS times, and prints each run's wall seconds, peak resident memory (the child's own, from wait4)
and the medians.

    python bench/opml_import.py /tmp/base /work/wt/xfolder5 --feeds 10000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def opml(feeds: int) -> str:
    lines = ['<?xml version="1.0"?>', '<opml version="2.0"><head><title>Big</title></head><body>']
    for folder in range(0, feeds, 100):
        lines.append(f'<outline text="Folder {folder // 100}">')
        lines += [f'<outline type="rss" text="Feed {i}" xmlUrl="https://f{i % 977}.example/rss/{i}.xml"/>' for i in range(folder, min(feeds, folder + 100))]
        lines.append("</outline>")
    return "\n".join([*lines, "</body></opml>"])


def wide(attributes: int) -> str:
    names = " ".join(f'a{i}="x"' for i in range(attributes))
    return f'<opml version="2.0"><body><outline text="Wide" xmlUrl="https://w.example/rss" {names}/></body></opml>'


def run(tree: str, path: Path, scratch: Path) -> tuple[float, float, int]:
    """(wall seconds, peak MB, exit status) of one import with the monitor of `tree`, on a new store."""
    store = scratch / "store.db"
    for leftover in scratch.glob("store.db*"):
        leftover.unlink()
    config = scratch / "monitor.toml"
    config.write_text(f'watchlist = "{Path(tree) / "config/watchlist.yaml"}"\n[store]\npath = "{store}"\n')
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "monitor", "sources", "import", str(path), "--config", str(config)], cwd=tree,
                             env={**os.environ, "PYTHONPATH": tree}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    said = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        print(f"{tree}: exit status {status}: {said[-300:]!r}", file=sys.stderr)
    return time.perf_counter() - began, usage.ru_maxrss / 1024, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", help="PYTHONPATHs to compare (a frozen base first)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--wide", type=int, metavar="ATTRIBUTES", help="one outline of this many attributes instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        path = scratch / "feeds.opml"
        path.write_text(wide(args.wide) if args.wide else opml(args.feeds), encoding="utf-8")
        print(f"{path.stat().st_size:,} bytes ({f'one outline of {args.wide:,} attributes' if args.wide else f'{args.feeds:,} feeds'})")
        runs: dict[str, list[tuple[float, float, int]]] = {tree: [] for tree in args.trees}
        for _ in range(args.rounds):
            for tree in args.trees:  # alternated: the machine's load falls on each alike
                runs[tree].append(run(tree, path, scratch))
                print(f"{tree}: {runs[tree][-1][0]:.2f} s, {runs[tree][-1][1]:.0f} MB")
    for tree, results in runs.items():
        print(f"{tree}: median {statistics.median(r[0] for r in results):.2f} s, {statistics.median(r[1] for r in results):.0f} MB")


if __name__ == "__main__":
    main()
