"""Polling at internet latency through the real pipeline: N feeds on H loopback hosts (issue 18 groundwork).

    .venv/bin/python bench/latency_poll.py [--feeds 10000] [--hosts 500] [--workers N] [--per-host N]
        [--host-gap S] [--cycles 1] [--latency-scale 1] [--budget 600] [--mode all|due] [--seed 1]

bench/latency_server.py (its own process) serves the feeds from H loopback addresses with injected,
seeded latency (50-2,000 ms, long-tailed), slow first bytes on 2 % of hosts, HTTPS on 20 % of them
(a CA made at start, trusted through the config's `[http] ca_file`), 5 % of requests failing (500 or reset) and 10 % of feeds changed per
cycle. The pipeline is built as the daemon builds it, `build_pipeline(load_settings(config))`, from a
temporary config: SQLite in a temp dir, loopback allowed, the N feeds, today's defaults except
`max_in_flight` (--workers), `per_host` (--per-host) and `host_gap` (--host-gap), when given.

A warm-up poll with no latency and no errors stores every feed once (their ETags); then each cycle
changes --changed (10 %) of the feeds and polls:
- --mode all (default): one `pipeline.poll_all_feeds()`, what `monitor once --all` does: every feed,
  `max_in_flight` at once, at most `per_host` of one host at once (before issue 18: no per-host limit);
- --mode due: `pipeline.poll_due_feeds(now)` ticks, back to back, with a clock moved 10 days per cycle
  so that every feed is due, until every feed was requested: what the daemon's ticks do, at most
  `per_host` of a host per tick; the daemon starts a tick every `feeds_every` seconds (30), so its cycle
  takes at least (ticks - 1) x 30 s however fast each tick is.

One JSON line per cycle: wall time, CPU seconds (this process and its parsing processes) per feed,
requests by outcome as the server saw them, sources in error, new articles, the fetch times the daemon
observed (its `monitor_fetch_seconds` histogram: counts per bucket and quantiles interpolated in
them), the delays the server injected (percentiles), SQL statements by kind, rows sent and the most
run statements (an engine event listener), `os.getloadavg()`. A cycle still running after --budget seconds is cut
(`cancel_fetches`, as the daemon stops), and its wall time is extrapolated from the feeds polled by
then, said so in the line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from configs import write_monitor_toml

REPO = Path(__file__).resolve().parent.parent
SERVER = Path(__file__).resolve().parent / "latency_server.py"
WATCHLIST = REPO / "config" / "watchlist.yaml"
CHANGED_FRACTION = 0.1
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)  # monitor.metrics.FETCH_SECONDS's


class LatencyServer:
    """bench/latency_server.py in a subprocess, and its control routes on 127.0.0.1."""

    def __init__(self, args: argparse.Namespace) -> None:
        command = [sys.executable, str(SERVER), "--feeds", str(args.feeds), "--hosts", str(args.hosts), "--seed", str(args.seed),
                   "--latency-scale", str(args.latency_scale), "--tls-share", str(args.tls_share),
                   "--error-share", str(args.error_share), "--slow-share", str(args.slow_share)]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("READY "):
            self.proc.kill()
            raise SystemExit(f"latency server did not start: {line!r}")
        _, port, ca = line.split()
        self.port, self.ca = int(port), ca

    def control(self, path: str) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=300) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def write_config(root: Path, urls: list[str], args: argparse.Namespace, ca_file: str) -> Path:
    lines = [
        f"watchlist = {json.dumps(str(WATCHLIST))}",
        "[store]", f"path = {json.dumps(str(root / 'monitor.db'))}",
        "[http]", 'allow_networks = ["127.0.0.0/8"]', f"ca_file = {json.dumps(ca_file)}",
        *([f"max_in_flight = {args.workers}"] if args.workers else []), *([f"host_gap = {args.host_gap}"] if args.host_gap is not None else []),
        "[schedule]", *([f"per_host = {args.per_host}"] if args.per_host else []),
    ]
    return write_monitor_toml(root, lines, urls)


def cpu_seconds(server_pid: int) -> float:
    """CPU seconds of this process and of every live descendant but the server (the parsing processes)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set[int](), {os.getpid()}
    while frontier:
        frontier = {pid for pid, (ppid, _) in parents.items() if ppid in frontier and pid != server_pid} - found
        found |= frontier
    return total + sum(parents[pid][1] for pid in found)


class Statements:
    """SQL statements run by the pipeline's engine, by kind, and rows sent in them (executemany counts each)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.kinds: Counter[str] = Counter()
        self.rows: Counter[str] = Counter()
        self.texts: Counter[str] = Counter()
        self.commits = self.checkouts = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine.pool, "checkout", self._checkout)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool) -> None:
        kind = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
        self.kinds[kind] += 1
        self.rows[kind] += len(parameters) if executemany else 1
        self.texts[" ".join(statement.split())[:90]] += 1

    def _commit(self, _conn: Any) -> None:
        self.commits += 1

    def _checkout(self, *_: Any) -> None:
        self.checkouts += 1

    def snapshot(self) -> dict[str, Any]:
        return {"kinds": dict(self.kinds), "rows": dict(self.rows), "texts": dict(self.texts), "commits": self.commits, "checkouts": self.checkouts}

    @staticmethod
    def delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
        def sub(key: str) -> dict[str, int]:
            return {k: v - before[key].get(k, 0) for k, v in sorted(after[key].items()) if v - before[key].get(k, 0)}

        texts = sorted(sub("texts").items(), key=lambda kv: -kv[1])
        return {"statements": sub("kinds"), "by_statement": dict(texts[:12]), "statement_total": sum(sub("kinds").values()), "param_rows": sub("rows"),
                "commits": after["commits"] - before["commits"], "pool_checkouts": after["checkouts"] - before["checkouts"]}


def fetch_histogram() -> list[float]:
    """The daemon's cumulative fetch-time bucket counts (le = BUCKETS, then +Inf)."""
    from monitor import metrics

    return [metrics.REGISTRY.get_sample_value("monitor_fetch_seconds_bucket", {"le": le}) or 0.0
            for le in [*(str(float(b)) for b in BUCKETS), "+Inf"]]


def quantiles(before: list[float], after: list[float]) -> dict[str, Any]:
    """Counts per bucket of the fetches between the two readings, and p50/p90/p99 interpolated linearly in them."""
    cumulative = [a - b for a, b in zip(after, before, strict=True)]
    total = cumulative[-1]
    bounds = [0.0, *BUCKETS]
    out: dict[str, Any] = {"fetches": int(total), "le_s": {str(b): int(c) for b, c in zip([*BUCKETS, "inf"], cumulative, strict=True)}}
    for q in (0.5, 0.9, 0.99):
        rank, value = q * total, None
        for k, count in enumerate(cumulative[:-1]):
            if count >= rank and total:
                below = cumulative[k - 1] if k else 0.0
                share = (rank - below) / (count - below) if count > below else 1.0
                value = round(bounds[k] + share * (bounds[k + 1] - bounds[k]), 3)
                break
        out[f"p{q * 100:g}_s"] = value if value is not None else f"> {BUCKETS[-1]}"
    return out


def sources_in_error(pipeline: Any) -> int:
    from sqlalchemy import func, select

    from monitor.store.tables import SourceRow

    with pipeline.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(SourceRow).where(SourceRow.error_count > 0)) or 0)


def answered(stats: dict[str, Any]) -> int:
    r = stats["requests"]
    return int(r["200"] + r["304"] + r["500"] + r["reset"])


def poll(pipeline: Any, server: LatencyServer, mode: str, cycle: int, feeds: int) -> int:
    """One cycle's polling; returns how many ticks it took (1 in mode all)."""
    if mode == "all":
        pipeline.poll_all_feeds()
        return 1
    from datetime import UTC, datetime

    now = datetime.now(UTC) + timedelta(days=10 * cycle)  # every feed due: next checks are at most max_interval away
    ticks = 0
    while not pipeline.feeds.stopping.is_set():
        before = answered(server.control("/_stats"))
        pipeline.poll_due_feeds(now)
        ticks += 1
        seen = answered(server.control("/_stats"))
        if seen >= feeds or seen == before:
            break
    return ticks


def run_cycle(pipeline: Any, server: LatencyServer, statements: Statements, args: argparse.Namespace, label: str) -> dict[str, Any]:
    server.control("/_stats?reset=1")
    hist, sql, cpu = fetch_histogram(), statements.snapshot(), cpu_seconds(server.proc.pid)
    cut = threading.Timer(args.budget, pipeline.cancel_fetches) if args.budget else None
    if cut:
        cut.start()
    started = time.perf_counter()
    ticks = poll(pipeline, server, args.mode, int(label) if label.isdigit() else 0, args.feeds)
    wall = time.perf_counter() - started
    if cut:
        cut.cancel()
    cpu = cpu_seconds(server.proc.pid) - cpu
    sql = Statements.delta(sql, statements.snapshot())  # before the bench's own queries below
    served = server.control("/_stats")
    polled = answered(served)
    row: dict[str, Any] = {
        "cycle": label, "mode": args.mode, "feeds": args.feeds, "hosts": args.hosts, "max_in_flight": args.workers or "default",
        "per_host": args.per_host or "default", "host_gap": "default" if args.host_gap is None else args.host_gap, "latency_scale": served["latency_scale"], "error_share": served["error_share"],
        "wall_s": round(wall, 2), "ticks": ticks, "requests": polled, "responses": served["requests"],
        "feeds_per_s": round(polled / wall, 1) if wall else None,
        "cpu_s": round(cpu, 2), "cpu_ms_per_feed": round(cpu / polled * 1000, 3) if polled else None,
        "server_cpu_s": round(served["cpu_s"], 2), "sources_in_error": sources_in_error(pipeline),
        "fetch_seconds_seen_by_daemon": quantiles(hist, fetch_histogram()),
        "injected_delay_ms": served["injected_delay_ms"],
        "sql": sql,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
    if pipeline.feeds.stopping.is_set():
        row["cut_at_budget_s"] = args.budget
        row["extrapolated_wall_s"] = round(wall * args.feeds / polled, 1) if polled else None
        row["note"] = f"cut after {args.budget:g} s with {polled} of {args.feeds} feeds polled; extrapolated linearly"
    return row


def emit(row: dict[str, Any]) -> None:
    print(json.dumps(row), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--feeds", type=int, default=10000)
    parser.add_argument("--hosts", type=int, default=500)
    parser.add_argument("--workers", type=int, default=None, help="[http] max_in_flight, formerly [schedule] feed_workers (default: 200; 10 before issue 18)")
    parser.add_argument("--host-gap", type=float, default=None, help="[http] host_gap (default: the config default, 0)")
    parser.add_argument("--per-host", type=int, default=None, help="[schedule] per_host (default: the config default, 2)")
    parser.add_argument("--cycles", type=int, default=1, help="measured cycles after the warm-up")
    parser.add_argument("--mode", choices=("all", "due"), default="all")
    parser.add_argument("--latency-scale", type=float, default=1.0)
    parser.add_argument("--tls-share", type=float, default=0.2)
    parser.add_argument("--slow-share", type=float, default=0.02)
    parser.add_argument("--error-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--changed", type=float, default=CHANGED_FRACTION, help="share of feeds changed per cycle")
    parser.add_argument("--budget", type=float, default=600, help="seconds after which a cycle is cut and extrapolated (0: none)")
    args = parser.parse_args()
    began = time.perf_counter()
    server = LatencyServer(args)
    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings

    try:
        with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
            urls = server.control("/_feeds")
            pipeline = build_pipeline(load_settings(write_config(Path(tmp), urls, args, server.ca)))
            statements = Statements(pipeline.db.engine)
            emit({"setup": "pipeline built", "feeds": len(urls), "hosts": args.hosts, "tls_feeds": sum(u.startswith("https") for u in urls),
                  "server_ready_s": round(time.perf_counter() - began, 1), "loadavg": [round(x, 2) for x in os.getloadavg()]})
            server.control("/_control?latency_scale=0&error_share=0")
            emit(run_cycle(pipeline, server, statements, argparse.Namespace(**{**vars(args), "mode": "all", "budget": 0}), "warmup"))
            server.control(f"/_control?latency_scale={args.latency_scale}&error_share={args.error_share}")
            for cycle in range(1, args.cycles + 1):
                server.control(f"/_next_cycle?fraction={args.changed}&seed={cycle}")
                emit(run_cycle(pipeline, server, statements, args, str(cycle)))
                if pipeline.feeds.stopping.is_set():
                    break
            pipeline.db.close()
    finally:
        server.stop()
    emit({"runtime_s": round(time.perf_counter() - began, 1)})


if __name__ == "__main__":
    main()
