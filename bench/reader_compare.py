"""monitor beside `reader` (a Python feed-reader library on feedparser and SQLite), one run, one feed server.

    .venv/bin/python bench/reader_compare.py [--feeds 2000] [--cycles 3]

One bench/feed_server.py (N feeds of 50 entries; each steady cycle 10 % of them get 3 new entries, the
rest answer 304). First `monitor` as bench/polling.py measures it (its defaults, the default watchlist,
SQLite in a temp dir), its two parsing processes forked as `monitor run` forks them: once the watchlist is
compiled (they prepare new entries with it), before the store, HTTP and the channels are imported
(`--fork-after-imports`: by `build_pipeline`, after them, as `monitor once` does; they then share, and keep a
copy of, every page the daemon later writes): the first cycle (every entry new) and --cycles steady cycles, with the
daemon's default [http] max_in_flight (200; `--in-flight 10`, the default when issue 21 was filed, is what this bench
ran before session 44 while its row still said "defaults"). Then `reader`, each
in a process of its own (so its peak memory is its own), `update_feeds(workers=10, scheduled=False)` and then
`workers=1`, into a new SQLite file: the first update (every entry new) and --cycles steady ones, each
after the server's next cycle (the same fraction and seeds as monitor's). One JSON line per run and a
Markdown table on stderr: first cycle seconds and entries/s, steady cycle seconds, peak RSS (VmHWM,
summed over monitor's parsing processes) and peak PSS (sampled every 250 ms). `reader` is not a
dependency of monitor: install it into the .venv for this bench (`.venv/bin/pip install reader`), and
the `sgmllib3k` its vendored feedparser imports beside it, not into the .venv (monitor's feedparser
would then take its SGML path): `.venv/bin/pip install --target .venv/reader-extra sgmllib3k`.
Without reader the bench says so and measures monitor alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXTRA = HERE.parent / ".venv" / "reader-extra"
sys.path.insert(0, str(HERE))


def pss_kb() -> int:
    """This process's PSS now (KB)."""
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def reader_child(port: int, feeds: int, workers: int, cycles: int, fraction: float) -> None:
    """In its own process: reader's first update and steady updates against the server; one JSON line."""
    import urllib.request

    sys.path.insert(0, str(EXTRA))  # sgmllib for reader's own copy of feedparser, in reader's processes only
    from reader import make_reader

    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            peak[0] = max(peak[0], pss_kb())

    threading.Thread(target=sample, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="bench-reader-") as tmp:
        reader = make_reader(str(Path(tmp) / "reader.sqlite"))
        for i in range(feeds):
            reader.add_feed(f"http://127.0.0.1:{port}/feed/{i}.xml")
        rows = []
        for cycle in range(cycles + 1):
            if cycle:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_next_cycle?fraction={fraction}&seed={cycle}", timeout=120) as r:
                    r.read()
            before = reader.get_entry_counts().total or 0
            started = time.perf_counter()
            reader.update_feeds(workers=workers, scheduled=False)  # every feed, as monitor polls every feed
            wall = time.perf_counter() - started
            new = (reader.get_entry_counts().total or 0) - before
            rows.append({"cycle": "first" if not cycle else str(cycle), "wall_s": round(wall, 3), "new_entries": new,
                         "entries_per_s": round(new / wall, 1), "loadavg": [round(x, 2) for x in os.getloadavg()]})
        errors = sum(1 for feed in reader.get_feeds() if feed.last_exception)
        reader.close()
    done.set()
    peak[0] = max(peak[0], pss_kb())
    from feed_server import peak_rss_kb
    print(json.dumps({"who": f"reader, workers={workers}", "cycles": rows, "feeds_in_error": errors,
                      "peak_rss_mb": round(peak_rss_kb() / 1024, 1), "peak_pss_mb": round(peak[0] / 1024, 1)}))


def run_monitor(server: Any, feeds: int, cycles: int, parsers: Any, matcher: Any, in_flight: int) -> dict[str, Any]:
    """monitor's first and steady cycles, as bench/polling.py runs them (`parsers`: a started ParserPool and the
    matcher it prepares with, or None), `in_flight` fetches at once ([http] max_in_flight)."""
    import polling
    from monitor.defaults import MAX_IN_FLIGHT
    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        pipeline = build_pipeline(load_settings(polling.write_config(Path(tmp), server, feeds, in_flight)), parsers, matcher)
        fetching = polling.time_fetching(pipeline)
        rows = [polling.run_cycle(pipeline, server, "first", feeds, feeds, fetching)]
        for cycle in range(1, cycles + 1):
            changed = server.next_cycle(seed=cycle)
            rows.append(polling.run_cycle(pipeline, server, str(cycle), len(changed), feeds, fetching))
        pipeline.close() if hasattr(pipeline, "close") else pipeline.db.close()
    who = "monitor, defaults" if in_flight == MAX_IN_FLIGHT else f"monitor, defaults but max_in_flight = {in_flight}"
    return {"who": who + (", parsers forked after the imports" if parsers is None else ""), "code": polling.code_version(),
            "cycles": [{"cycle": r["cycle"], "wall_s": r["wall_s"], "new_entries": r["new_articles"],
                        "entries_per_s": round(r["new_articles"] / r["wall_s"], 1), "storing_thread_cpu_s": r["storing_thread_cpu_s"],
                        "loadavg": r["loadavg"]} for r in rows],
            "feeds_in_error": rows[-1]["sources_in_error"],
            "peak_rss_mb": max(r["bench_peak_rss_mb"] for r in rows), "peak_pss_mb": max(r["pipeline_peak_pss_mb"] for r in rows)}


def row(result: dict[str, Any]) -> str:
    first, steady = result["cycles"][0], [c["wall_s"] for c in result["cycles"][1:]]
    span = f"{min(steady):.2f}–{max(steady):.2f} s" if steady else "—"
    return (f"| {result['who']} | {first['wall_s']:.1f} s ({first['new_entries']:,}) | {first['entries_per_s']:,.0f} | {span} | "
            f"{result['peak_rss_mb']:.0f} / {result['peak_pss_mb']:.0f} MB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--cycles", type=int, default=3, help="steady cycles after the first")
    parser.add_argument("--fork-after-imports", action="store_true", help="monitor's parsing processes forked by build_pipeline, after the imports")
    parser.add_argument("--in-flight", type=int, default=None, help="monitor's [http] max_in_flight (default: the daemon's, "
                        "monitor.defaults.MAX_IN_FLIGHT; 10 is what this bench used before session 44, the default when issue 21 was filed)")
    parser.add_argument("--reader-child", nargs=2, type=int, metavar=("PORT", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_flight is None:
        from monitor.defaults import MAX_IN_FLIGHT

        args.in_flight = MAX_IN_FLIGHT
    if args.reader_child:
        reader_child(args.reader_child[0], args.feeds, args.reader_child[1], args.cycles, 0.1)
        return
    parsers = matcher = None
    if not args.fork_after_imports:  # as `monitor run` (cli.run): forked with the matcher, before the store and HTTP are imported
        from monitor.matching.matcher import Matcher
        from monitor.memory import map_large_blocks
        from monitor.prepare import preparing_pool
        from monitor.watchlist import load_watchlist

        map_large_blocks()  # as `monitor run`, before the watchlist is compiled
        matcher = Matcher(load_watchlist(HERE.parent / "config" / "watchlist.yaml"), time.monotonic, text_cache_chars=0)
        parsers = preparing_pool(matcher, 2)  # the default parse_workers
    import polling

    loads = [" ".join(Path("/proc/loadavg").read_text().split()[:3])]
    server = polling.FeedServer(args.feeds)
    results = []
    try:
        results.append(run_monitor(server, args.feeds, args.cycles, parsers, matcher, args.in_flight))
        print(json.dumps(results[-1]), flush=True)
        try:
            import reader  # noqa: F401
        except ImportError:
            print(json.dumps({"skipped": "reader is not installed (.venv/bin/pip install reader): monitor measured alone"}), flush=True)
        else:
            for workers in (10, 1):
                done = subprocess.run([sys.executable, __file__, "--feeds", str(args.feeds), "--cycles", str(args.cycles),
                                       "--reader-child", str(server.port), str(workers)], capture_output=True, text=True, check=False)
                if done.returncode:
                    print(json.dumps({"who": f"reader, workers={workers}", "failed": done.stderr.strip().splitlines()[-1:]}), flush=True)
                    continue
                results.append(json.loads(done.stdout.strip().splitlines()[-1]))
                print(json.dumps(results[-1]), flush=True)
    finally:
        server.stop()
    loads.append(" ".join(Path("/proc/loadavg").read_text().split()[:3]))
    lines = [f"| {args.feeds:,} feeds | first cycle (new entries) | entries/s | steady cycle | peak RSS / PSS |", "|---|---|---|---|---|"]
    print("\n".join(lines + [row(r) for r in results]) + f"\n\nload average before, after: {' | '.join(loads)}", file=sys.stderr)


if __name__ == "__main__":
    main()
