"""Feed polling through the real pipeline: N local feeds, conditional GET, 10 % changed per cycle.

    .venv/bin/python bench/polling.py [--feeds 2000] [--cycles 3] [--in-flight 200] [--profile] [--parsers-first]

A local server (bench/feed_server.py, its own process, standard library only) serves N RSS 2.0
feeds of 50 entries (~100 KB each, gzipped on the wire; a few entries per feed name watched actors
and events) and answers 304 when If-None-Match matches a feed's ETag. The pipeline is built from a
temporary config (SQLite in a temp dir, loopback allowed, a console:// channel, `--in-flight`
fetches at once ([http] max_in_flight: the daemon's default, 200, unless given; the readings before session 45 ran 10), the default 2 parsing processes, per_host 10000, the N feeds as [[feeds]]) with
`build_pipeline(load_settings(path))`, and each cycle is one `pipeline.poll_all_feeds()`.

Cycle "warmup" finds every feed new (N x 50 articles stored); then --cycles steady cycles in each
of which 10 % of the feeds have 3 new entries prepended and the rest answer 304. One JSON line per
cycle: wall time, CPU seconds of this process (and of its storing and fetching threads) and of the
server, peak RSS during the cycle
(VmHWM, reset at the start of the cycle where /proc allows it) of this process plus its parsing
processes and multiprocessing's resource tracker ("bench_peak_rss_mb": the pipeline; shared pages count in each), the same processes' peak
summed PSS sampled every 250 ms ("pipeline_peak_pss_mb": shared pages split between them; "peak_pss_by_process_mb":
this process's share of that peak, then each other's), and of the
server, feeds changed, new articles,
alerts, sources in error, responses. Then, in a fresh process on one core (so that this one, the
pipeline's, imports no more than the daemon does), bare `feedparser.parse`
over the bytes of the last cycle's changed feeds, and a summary line with the ratio of pipeline
throughput on changed feeds (changed feeds / cycle wall time) to bare feedparser throughput
(feeds / s), beside the targets of the issue (printed, not asserted): a cycle of 2,000 feeds in
<= 4 s on 2 cores, peak memory <= 150 MB across processes, pipeline throughput on changed feeds
>= 1.5 x bare one-core feedparser.

Steady cycles stop early once --budget seconds (default 300) have passed since the start, after at
least one; the summary says so. At 2,000 feeds the warm-up alone (100,000 new articles) takes
minutes: use --budget 0 for every cycle asked for.

--profile adds one more steady cycle, not in the figures, under cProfile (CPU time of the storing
thread and of the fetching event loop's thread, merged), printing to stderr the top --top (20)
functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from monitor.matching.matcher import Matcher
from monitor.memory import map_large_blocks
from monitor.prepare import preparing_pool  # the matcher and the parsing processes, not the store
from monitor.sources.parsing import ParserPool
from monitor.watchlist import load_watchlist

EARLY: ParserPool | None = None
EARLY_MATCHER: Matcher | None = None
if "--parsers-first" in sys.argv:  # as `monitor run`: the watchlist compiled and the parsing processes forked before the imports
    map_large_blocks()  # as `monitor run`, before the watchlist is compiled
    EARLY_MATCHER = Matcher(load_watchlist(Path(__file__).resolve().parent.parent / "config" / "watchlist.yaml"), time.monotonic, text_cache_chars=0)
    EARLY = preparing_pool(EARLY_MATCHER, 2)  # below (the config's parse_workers: the default 2)

from sqlalchemy import func, select  # noqa: E402

from monitor.pipeline import Pipeline, build_pipeline  # noqa: E402  (else it forks the parsers once the watchlist is compiled, as `monitor run` does: no thread runs yet)
from monitor.settings import load_settings  # noqa: E402
from monitor.sources.poller import Poller  # noqa: E402
from monitor.store.tables import AlertRow, ArticleRow, SourceRow  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SERVER = Path(__file__).resolve().parent / "feed_server.py"
WATCHLIST = REPO / "config" / "watchlist.yaml"
CHANGED_FRACTION = 0.1
NEW_PER_CHANGE = 3
TARGET_CYCLE_S_AT_2000 = 4.0
TARGET_PEAK_MB = 150.0
TARGET_RATIO = 1.5
MB = 1024.0  # ru_maxrss and VmHWM are in KB on Linux


# -- this process's peak memory: the same readings as the server's --------------------------------
sys.path.insert(0, str(Path(__file__).resolve().parent))
from configs import write_monitor_toml  # noqa: E402
from feed_server import peak_rss_kb, reset_peak_rss  # noqa: E402


def pipeline_children() -> list[int]:
    """The processes this one started, and theirs, but the feed server: the parsing processes (and a
    fork server, if they come from one) and multiprocessing's resource tracker (which active_children()
    does not list)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    is_server = str(SERVER).encode() in f.read()
            except (OSError, IndexError, ValueError):
                continue
            if not is_server:
                parents[int(entry)] = ppid
    found, frontier = set[int](), {os.getpid()}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return sorted(found)


class PssSampler:
    """The largest sum of PSS (proportional set size: shared pages split between the processes sharing
    them) over this process and its parsing processes, sampled every 250 ms while running; `peak_parts_kb`:
    each process's share of that peak (this one first)."""

    def __init__(self) -> None:
        self.peak_kb, self.peak_parts_kb, self._stop = 0, list[int](), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def parts_kb() -> list[int]:
        parts = []
        for pid in ["self", *pipeline_children()]:
            try:
                with open(f"/proc/{pid}/smaps_rollup") as f:
                    parts.append(next(int(line.split()[1]) for line in f if line.startswith("Pss:")))
            except (OSError, StopIteration):
                pass
        return parts

    def _sample(self) -> None:
        parts = self.parts_kb()
        if sum(parts) > self.peak_kb:
            self.peak_kb, self.peak_parts_kb = sum(parts), parts

    def _run(self) -> None:
        while not self._stop.wait(0.25):  # reading smaps costs the kernel ~1 ms per 100 MB: not too often
            self._sample()

    def __enter__(self) -> PssSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the feed server ------------------------------------------------------------------------------
class FeedServer:
    """bench/feed_server.py in a subprocess, and its control routes."""

    def __init__(self, feeds: int) -> None:
        self.proc = subprocess.Popen([sys.executable, str(SERVER), "--feeds", str(feeds), "--new", str(NEW_PER_CHANGE)],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("READY "):
            self.proc.kill()
            raise SystemExit(f"feed server did not start: {line!r}")
        self.port = int(line.split()[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def feed_url(self, i: int) -> str:
        return self.url(f"/feed/{i}.xml")

    def control(self, path: str) -> Any:
        with urllib.request.urlopen(self.url(path), timeout=120) as response:
            return json.loads(response.read())

    def next_cycle(self, seed: int) -> list[int]:
        return self.control(f"/_next_cycle?fraction={CHANGED_FRACTION}&seed={seed}")["changed"]

    def stats(self, reset: bool = False) -> dict[str, Any]:
        return self.control("/_stats?reset=1" if reset else "/_stats")

    def body(self, i: int) -> tuple[bytes, dict[str, str]]:
        """The feed's current bytes as served without compression, and the response headers."""
        with urllib.request.urlopen(self.feed_url(i), timeout=30) as response:
            return response.read(), dict(response.headers)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


# -- the pipeline ---------------------------------------------------------------------------------
def write_config(root: Path, server: FeedServer, feeds: int, workers: int) -> Path:
    """A monitor.toml in root: SQLite there, loopback allowed, `workers` fetches in flight, one console channel, the N feeds."""
    lines = [
        f"watchlist = {json.dumps(str(WATCHLIST))}",
        "[store]", f"path = {json.dumps(str(root / 'monitor.db'))}",
        "[http]", 'allow_networks = ["127.0.0.0/8"]', f"max_in_flight = {workers}",
        "[schedule]", "per_host = 10000",
    ]
    return write_monitor_toml(root, lines, (server.feed_url(i) for i in range(feeds)), prefix="bench")


def code_version() -> str:
    """The commit measured, and whether monitor/ had uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "monitor"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes in monitor/" if dirty else "")


def counts(pipeline: Pipeline) -> dict[str, Any]:
    with pipeline.db.session() as s:
        errors = s.execute(select(SourceRow.name, SourceRow.last_error).where(SourceRow.error_count > 0)).all()
        return {
            "articles": s.scalar(select(func.count()).select_from(ArticleRow)),
            "alerts": s.scalar(select(func.count()).select_from(AlertRow)),
            "errors": len(errors),
            "first_error": errors[0][1] if errors else None,
        }


def time_fetching(pipeline: Pipeline) -> list[float]:
    """The CPU seconds of each poll's fetching thread (where the fetching event loop runs), as polls end."""
    spent: list[float] = []
    run = Poller._run

    def timed(self: Poller[Any]) -> None:
        started = time.thread_time()
        try:
            run(self)
        finally:
            spent.append(time.thread_time() - started)

    Poller._run = timed  # type: ignore[method-assign]
    return spent


def run_cycle(pipeline: Pipeline, server: FeedServer, label: str, changed: int, feeds: int, fetching: list[float]) -> dict[str, Any]:
    gc.collect()
    before = counts(pipeline)
    reset_reply = server.stats(reset=True)
    server_cpu = reset_reply["cpu_s"]
    workers = pipeline_children()  # the parsing processes and the resource tracker (none before the first parse)
    reset = all(reset_peak_rss(pid) for pid in ["self", *workers]) and bool(reset_reply.get("peak_reset"))
    cpu, started, storing, polls = cpu_seconds(), time.perf_counter(), time.thread_time(), len(fetching)
    with PssSampler() as pss:
        new = pipeline.poll_all_feeds()
    wall = time.perf_counter() - started
    cpu, storing = cpu_seconds() - cpu, time.thread_time() - storing
    workers = pipeline_children()
    worker_peaks = [peak_rss_kb(pid) for pid in workers]
    bench_peak = peak_rss_kb() + sum(worker_peaks)
    served = server.stats()
    after = counts(pipeline)
    return {
        "cycle": label,
        "feeds": feeds,
        "changed": changed,
        "wall_s": round(wall, 3),
        "feeds_per_s": round(feeds / wall, 1),
        "changed_feeds_per_s": round(changed / wall, 2),
        "bench_cpu_s": round(cpu, 3),
        "storing_thread_cpu_s": round(storing, 3),  # this thread: poll_all_feeds stores what the others fetch and parse
        "fetching_thread_cpu_s": round(sum(fetching[polls:]), 3),
        "server_cpu_s": round(served["cpu_s"] - server_cpu, 3),
        "bench_peak_rss_mb": round(bench_peak / MB, 1),  # this process, its parsing processes and the resource tracker
        "child_peak_rss_mb": [round(k / MB, 1) for k in worker_peaks],
        "pipeline_peak_pss_mb": round(pss.peak_kb / MB, 1),  # the same processes, shared pages counted once
        "peak_pss_by_process_mb": [round(k / MB, 1) for k in pss.peak_parts_kb],  # this process, then the others
        "server_peak_rss_mb": round(served["peak_rss_kb"] / MB, 1),
        "peak_rss_all_mb": round((bench_peak + served["peak_rss_kb"]) / MB, 1),
        "peak_since": "cycle start" if reset else "process start",
        "new_articles": new,
        "expected_new": changed * (50 if label == "warmup" else NEW_PER_CHANGE),
        "stored_articles": after["articles"] - before["articles"],
        "new_alerts": after["alerts"] - before["alerts"],
        "sources_in_error": after["errors"],
        "first_error": after["first_error"],
        "responses": {"200": served["requests"]["200"], "304": served["requests"]["304"], "404": served["requests"]["404"]},
        "loadavg": [round(x, 2) for x in os.getloadavg()],  # other work on the machine skews wall times
        "target_wall_s": round(TARGET_CYCLE_S_AT_2000 * feeds / 2000, 3),
        "target_peak_mb": TARGET_PEAK_MB,
    }


# -- bare feedparser ------------------------------------------------------------------------------
def bare_parse_elsewhere(bodies: list[tuple[bytes, dict[str, str]]]) -> dict[str, Any]:
    """`bare_parse` in a fresh process (`--bare FILE`): feedparser is not imported into the pipeline's."""
    with tempfile.NamedTemporaryFile(suffix=".pickle") as f:
        pickle.dump(bodies, f)
        f.flush()
        done = subprocess.run([sys.executable, __file__, "--bare", f.name], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def bare_parse(bodies: list[tuple[bytes, dict[str, str]]]) -> dict[str, Any]:
    """feedparser.parse, then monitor's read_feed, over the same bytes, one after another on one core.
    read_feed is imported after: its module makes feedparser use a faster SAX driver (`monitor.sources.feeds`)."""
    import feedparser

    feedparser.parse(bodies[0][0])  # warm-up
    gc.collect()
    started = time.perf_counter()
    entries = sum(len(feedparser.parse(body).entries) for body, _ in bodies)
    bare = time.perf_counter() - started
    from monitor.sources.feeds import read_feed

    read_feed(bodies[0][0], "bench", bodies[0][1])  # warm-up
    gc.collect()
    started = time.perf_counter()
    docs = sum(len(read_feed(body, "bench", headers).documents) for body, headers in bodies)
    wrapped = time.perf_counter() - started
    return {
        "feeds": len(bodies),
        "mean_kb": round(sum(len(b) for b, _ in bodies) / len(bodies) / 1024, 1),
        "entries": entries,
        "bare_feedparser_s": round(bare, 3),
        "bare_feeds_per_s": round(len(bodies) / bare, 2),
        "ms_per_feed": round(bare / len(bodies) * 1000, 2),
        "read_feed_s": round(wrapped, 3),
        "read_feed_ms_per_feed": round(wrapped / len(bodies) * 1000, 2),
        "read_feed_documents": docs,
    }


# -- profile --------------------------------------------------------------------------------------
def profiled_cycle(pipeline: Pipeline, server: FeedServer, changed: int, feeds: int, top: int) -> dict[str, Any]:
    """One steady cycle under cProfile (CPU time) in this process: the storing thread and the fetching
    event loop's thread, merged; the parsing processes are not in it. Prints the tables to stderr."""
    import cProfile
    import pstats

    fetch_profile = cProfile.Profile(time.thread_time)
    run = Poller._run

    def profiled(self: Poller[Any]) -> None:
        fetch_profile.enable()
        try:
            run(self)
        finally:
            fetch_profile.disable()

    Poller._run = profiled  # type: ignore[method-assign]
    main = cProfile.Profile(time.thread_time)
    cpu0 = server.stats()["cpu_s"]
    gc.collect()
    cpu, started = cpu_seconds(), time.perf_counter()
    main.enable()
    new = pipeline.poll_all_feeds()
    main.disable()
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    server_cpu = server.stats()["cpu_s"] - cpu0
    Poller._run = run  # type: ignore[method-assign]  # what it replaced (time_fetching's wrapper)
    stats = pstats.Stats(main)
    stats.add(fetch_profile)
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats.stream = out  # type: ignore[attr-defined]
        stats.sort_stats(order).print_stats(top)
        print(f"\n===== cProfile of one steady cycle ({feeds} feeds, {changed} changed), CPU time of the storing and fetching threads, top {top} by {order} =====", file=sys.stderr)
        print(out.getvalue(), file=sys.stderr)
    return {"profile": "steady cycle under cProfile (tables on stderr)", "feeds": feeds, "changed": changed, "new_articles": new,
            "wall_s_under_profiler": round(wall, 3), "bench_cpu_s_under_profiler": round(cpu, 3), "server_cpu_s": round(server_cpu, 3),
            "total_profiled_cpu_s": round(stats.total_tt, 3)}  # type: ignore[attr-defined]


# -- main -----------------------------------------------------------------------------------------
def emit(row: dict[str, Any]) -> None:
    print(json.dumps(row), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--cycles", type=int, default=3, help="steady cycles after the warm-up")
    parser.add_argument("--in-flight", "--workers", dest="workers", type=int, default=None, help="[http] max_in_flight (default: the daemon's, "
                        "monitor.defaults.MAX_IN_FLIGHT; 10, the default before session 45, is what the earlier readings ran)")
    parser.add_argument("--budget", type=float, default=300, help="seconds after which no further steady cycle starts (0: none)")
    parser.add_argument("--profile", action="store_true", help="one extra steady cycle, not in the figures, under cProfile (tables on stderr)")
    parser.add_argument("--top", type=int, default=20, help="rows of each profile table")
    parser.add_argument("--parsers-first", action="store_true", help="as monitor run: the watchlist compiled and the parsing processes forked before the pipeline is imported")
    parser.add_argument("--bare", type=Path, help=argparse.SUPPRESS)  # internal: bare_parse on a pickled list of (body, headers)
    args = parser.parse_args()
    if args.workers is None:
        from monitor.defaults import MAX_IN_FLIGHT

        args.workers = MAX_IN_FLIGHT
    if args.bare:
        print(json.dumps(bare_parse(pickle.loads(args.bare.read_bytes()))))
        return
    began = time.perf_counter()
    server = FeedServer(args.feeds)
    rows: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-polling-") as tmp:
            config = write_config(Path(tmp), server, args.feeds, args.workers)
            started = time.perf_counter()
            pipeline = build_pipeline(load_settings(config), EARLY, EARLY_MATCHER)
            emit({"setup": "pipeline built", "code": code_version(), "feeds_registered": len(pipeline.settings.feeds), "workers": args.workers, "max_in_flight": pipeline.settings.http.max_in_flight, "parsers_started_by": pipeline.parsers.method or "not yet",
                  "setup_s": round(time.perf_counter() - started, 2), "server_ready_s": round(started - began, 2),
                  "bench_peak_rss_after_setup_mb": round(peak_rss_kb() / MB, 1),  # mostly the imports
                  "server_startup_peak_rss_mb": round(server.stats()["peak_rss_kb"] / MB, 1), "loadavg": [round(x, 2) for x in os.getloadavg()]})
            fetching = time_fetching(pipeline)
            rows.append(run_cycle(pipeline, server, "warmup", args.feeds, args.feeds, fetching))
            emit(rows[-1])
            changed: list[int] = []
            for cycle in range(1, args.cycles + 1):
                if cycle > 1 and args.budget and time.perf_counter() - began > args.budget:
                    emit({"note": f"stopping after {cycle - 1} of {args.cycles} steady cycles: over the {args.budget:g} s budget (--budget 0 runs all)"})
                    break
                changed = server.next_cycle(seed=cycle)
                rows.append(run_cycle(pipeline, server, str(cycle), len(changed), args.feeds, fetching))
                emit(rows[-1])
            bare = bare_parse_elsewhere([server.body(i) for i in changed]) if changed else None
            if bare:
                emit({"bare": "feedparser.parse, one core, bytes of the last cycle's changed feeds", **bare})
            if args.profile:
                profile_changed = server.next_cycle(seed=args.cycles + 1)
                emit(profiled_cycle(pipeline, server, len(profile_changed), args.feeds, args.top))
            pipeline.db.close()
    finally:
        server.stop()
    steady = rows[1:]
    summary: dict[str, Any] = {"summary": True, "feeds": args.feeds, "workers": args.workers, "steady_cycles": len(steady), "steady_cycles_asked": args.cycles,
                               "warmup_wall_s": rows[0]["wall_s"], "warmup_new_articles": rows[0]["new_articles"]}
    if steady:
        last = steady[-1]
        ratio = last["changed_feeds_per_s"] / bare["bare_feeds_per_s"] if bare else None
        summary.update({
            "steady_wall_s_mean": round(statistics.mean(r["wall_s"] for r in steady), 3),
            "steady_wall_s_max": max(r["wall_s"] for r in steady),
            "steady_bench_cpu_s_mean": round(statistics.mean(r["bench_cpu_s"] for r in steady), 3),
            "steady_storing_thread_cpu_s_mean": round(statistics.mean(r["storing_thread_cpu_s"] for r in steady), 3),
            "steady_fetching_thread_cpu_s_mean": round(statistics.mean(r["fetching_thread_cpu_s"] for r in steady), 3),
            "steady_server_cpu_s_mean": round(statistics.mean(r["server_cpu_s"] for r in steady), 3),
            "steady_changed_feeds_per_s_mean": round(statistics.mean(r["changed_feeds_per_s"] for r in steady), 2),
            "peak_rss_all_mb_max": max(r["peak_rss_all_mb"] for r in rows),
            "bench_peak_rss_mb_max": max(r["bench_peak_rss_mb"] for r in rows),
            "pipeline_peak_pss_mb_max": max(r["pipeline_peak_pss_mb"] for r in rows),
            "steady_bench_peak_rss_mb_max": max(r["bench_peak_rss_mb"] for r in steady),
            "steady_pipeline_peak_pss_mb_max": max(r["pipeline_peak_pss_mb"] for r in steady),
            "server_peak_rss_mb_max": max(r["server_peak_rss_mb"] for r in rows),
            "bare_feeds_per_s": bare["bare_feeds_per_s"] if bare else None,
            "ratio_pipeline_to_bare": round(ratio, 3) if ratio is not None else None,
            "ratio_pipeline_to_bare_mean": round(statistics.mean(r["changed_feeds_per_s"] for r in steady) / bare["bare_feeds_per_s"], 3) if bare else None,
            "warmup_ratio_to_bare": round(rows[0]["changed_feeds_per_s"] / bare["bare_feeds_per_s"], 3) if bare else None,
        })
        target_wall = TARGET_CYCLE_S_AT_2000 * args.feeds / 2000
        summary["targets"] = {
            "cycle_wall_s": {"target": f"<= {TARGET_CYCLE_S_AT_2000} s at 2000 feeds (<= {target_wall:g} s at {args.feeds})",
                             "value": summary["steady_wall_s_max"], "met": summary["steady_wall_s_max"] <= target_wall},
            "peak_memory_mb": {"target": f"<= {TARGET_PEAK_MB:g} MB across processes", "value": summary["pipeline_peak_pss_mb_max"],
                               "met": summary["pipeline_peak_pss_mb_max"] <= TARGET_PEAK_MB,
                               "reading": "the pipeline's processes (this one and its parsing processes): PSS summed, shared pages split between them, sampled every 250 ms",
                               "rss_summed_mb": summary["bench_peak_rss_mb_max"], "rss_summed_with_harness_server_mb": summary["peak_rss_all_mb_max"],
                               "note": "RSS summed counts every shared page once per process (VmHWM); the server is the test harness (all feeds held gzipped), standing in for remote sites"},
            "ratio_pipeline_to_bare": {"target": f">= {TARGET_RATIO} x bare one-core feedparser", "value": summary["ratio_pipeline_to_bare"],
                                       "met": ratio is not None and ratio >= TARGET_RATIO},
        }
    summary["bench_lifetime_maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB, 1)  # with the bare-parse step
    summary["runtime_s"] = round(time.perf_counter() - began, 1)
    emit(summary)


if __name__ == "__main__":
    main()
