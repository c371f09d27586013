"""The overhead of sharing one PostgreSQL between daemons (issue 18): claim queries and lock waits per cycle.

    .venv/bin/python bench/shared_claims.py [--feeds 2000] [--hosts 100] [--daemons 1,2] [--seeds 1,2] [--no-host-claims] [--latency-scale 1]

A throwaway PostgreSQL (tests/conftest.py's start_postgres: fsync off) and bench/latency_server.py (N
feeds on H loopback hosts, injected long-tailed latency, 5 % errors) are started; a warm-up poll stores
every feed once. Then, for each daemon count D of --daemons, 10 % of the feeds change and D worker
processes (this script with --worker, each a pipeline built as `monitor run` builds it, on the same
database, registered in its registry as `monitor run` registers: a host is polled by one daemon at a
time, or, with --no-host-claims, by any of them at once, as before host claims) poll the due feeds in back-to-back `poll_due_feeds` ticks
from one moment on, until none is due. Cycle n's changes and injected delays are seeded by the n-th of
--seeds (default 1, 2, ...): `--daemons 1,2,2,1 --seeds 1,1,2,2` gives one and two daemons the same
latency, cycle for cycle. Each worker counts, through an engine event listener, its statements and their time by kind:
the claim (`WITH picked AS (SELECT ... FOR UPDATE SKIP LOCKED) UPDATE ...`), the due listing, the
release, and all the others; meanwhile the main process samples pg_stat_activity every 20 ms for
sessions waiting on a lock (wait_event_type 'Lock'). One JSON line per worker (with its CPU seconds:
the storing and fetching threads, not the parsing process) and per cycle, with the
load average and the most feed requests the latency server answered at once to one host (and to one
slow host: per_host adds up across daemons): the claim's share of the cycle's wall time is the overhead of sharing.
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
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from configs import write_monitor_toml  # noqa: E402
from latency_poll import WATCHLIST, LatencyServer, answered  # noqa: E402


def kind_of(statement: str) -> str:
    text = " ".join(statement.split())
    if text.startswith("WITH picked AS") and "UPDATE sources" in text:
        return "claim"
    if text.startswith("SELECT sources.id, sources.name, sources.location"):
        return "due_list"
    if text.startswith("UPDATE sources SET next_check_at=%(due)s"):
        return "release"
    if text.startswith("INSERT INTO host_claims"):
        return "host_claim"
    if text.startswith("DELETE FROM host_claims"):
        return "host_release"
    return "other"


def worker(url: str, config: str, cycle: int, host_claims: bool) -> None:
    """One daemon's polling of a cycle: ticks back to back until no feed is due; one JSON line."""
    from sqlalchemy import event

    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from monitor.store import daemons, sources

    pipeline = build_pipeline(load_settings(config))
    member = daemons.register(pipeline.db, "monitor run", pipeline.feeds.policy.lease_seconds, datetime.now(UTC))
    pipeline.feeds.member = member if host_claims else None
    counts: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    started: dict[int, float] = {}

    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        kind = kind_of(statement)
        counts[kind] += 1
        seconds[kind] += time.perf_counter() - started.pop(id(cursor), time.perf_counter())
        if kind == "claim":
            rows[kind] += max(cursor.rowcount, 0)

    event.listen(pipeline.db.engine, "before_cursor_execute", before)
    event.listen(pipeline.db.engine, "after_cursor_execute", after)
    now = datetime.now(UTC) + timedelta(days=10 * cycle)  # every feed due (next checks are at most max_interval away)
    print("ready", flush=True)
    sys.stdin.readline()
    began, cpu, ticks = time.perf_counter(), time.process_time(), 0
    while sources.due_feeds(pipeline.db, now):
        pipeline.poll_due_feeds(now)
        ticks += 1
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    daemons.deregister(pipeline.db, member)
    pipeline.close()
    pipeline.db.close()
    print(json.dumps({"pid": os.getpid(), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "ticks": ticks, "feeds_claimed": rows["claim"],
                      "statements": dict(counts), "statement_s": {k: round(v, 3) for k, v in seconds.items()},
                      "claim_share_of_wall": round(seconds["claim"] / wall, 4) if wall else None,
                      "claim_ms_per_feed": round(seconds["claim"] * 1000 / rows["claim"], 3) if rows["claim"] else None}), flush=True)


def write_config(root: Path, url: str, urls: list[str], ca_file: str, args: argparse.Namespace) -> Path:
    lines = [f"watchlist = {json.dumps(str(WATCHLIST))}", "[store]", f"url = {json.dumps(url)}",
             "[http]", 'allow_networks = ["127.0.0.0/8"]', f"ca_file = {json.dumps(ca_file)}", f"max_in_flight = {args.workers}",
             "[schedule]", f"per_host = {args.per_host}", "parse_workers = 1"]
    return write_monitor_toml(root, lines, urls)


def lock_waits(dsn: dict[str, Any], stop: threading.Event, out: Counter[str]) -> None:
    """Sample the sessions waiting on a lock (and all active ones) every 20 ms until `stop`."""
    import psycopg

    with psycopg.connect(**dsn, autocommit=True) as conn:
        while not stop.wait(0.02):
            waiting, active = conn.execute(
                "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*) FILTER (WHERE state = 'active') "
                "FROM pg_stat_activity WHERE datname = 'bench' AND pid <> pg_backend_pid()").fetchone() or (0, 0)
            out["samples"] += 1
            out["lock_wait_sessions"] += waiting
            out["samples_with_a_lock_wait"] += bool(waiting)
            out["active_sessions"] += active


def run_cycle(url: str, config: Path, daemons: int, cycle: int, seed: int, server: LatencyServer, dsn: dict[str, Any], args: argparse.Namespace) -> None:
    server.control(f"/_next_cycle?fraction={args.changed}&seed={seed}&cycle={seed}")
    server.control("/_stats?reset=1")
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", url, str(config), str(cycle), "0" if args.no_host_claims else "1"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in range(daemons)]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    samples: Counter[str] = Counter()
    stop = threading.Event()
    sampler = threading.Thread(target=lock_waits, args=(dsn, stop, samples))
    sampler.start()
    began = time.perf_counter()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.close()
    rows = []
    for proc in procs:
        assert proc.stdout is not None
        rows.append(json.loads(proc.stdout.read().strip().splitlines()[-1]))
        proc.wait(timeout=60)
    wall = time.perf_counter() - began
    stop.set()
    sampler.join()
    stats = server.control("/_stats")
    polled = answered(stats)
    for row in rows:
        print(json.dumps({"cycle": cycle, "daemons": daemons, **row}), flush=True)
    claim_s = sum(r["statement_s"].get("claim", 0) for r in rows)
    print(json.dumps({"cycle": cycle, "seed": seed, "daemons": daemons, "host_claims": not args.no_host_claims, "wall_s": round(wall, 2), "requests": polled, "feeds_per_s": round(polled / wall, 1),
                      "claims": sum(r["statements"].get("claim", 0) for r in rows), "feeds_claimed": sum(r["feeds_claimed"] for r in rows),
                      "claim_s": round(claim_s, 3), "claim_s_per_daemon_wall": round(claim_s / daemons / wall, 4),
                      "lock_wait_samples": f"{samples['samples_with_a_lock_wait']} of {samples['samples']}",
                      "mean_active_sessions": round(samples["active_sessions"] / max(samples["samples"], 1), 2),
                      "most_at_once_to_a_host": stats.get("most_at_once_to_a_host"), "to_a_slow_host": stats.get("most_at_once_to_a_slow_host"),
                      "loadavg": [round(x, 2) for x in os.getloadavg()]}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--workers", type=int, default=200, help="[http] max_in_flight of each daemon")
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--daemons", default="1,2", help="daemon counts, one cycle each, in this order")
    parser.add_argument("--latency-scale", type=float, default=1.0)
    parser.add_argument("--changed", type=float, default=0.1)
    parser.add_argument("--seeds", default="", help="cycle n's seed of changes and delays (default: n)")
    parser.add_argument("--no-host-claims", action="store_true", help="daemons poll a host at once (per_host per daemon), as before host claims")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]), args.worker[3] == "1")
        return
    from tests.conftest import PG_PASSWORD, start_postgres, stop_postgres

    args.tls_share, args.error_share, args.slow_share = 0.2, 0.05, 0.02
    pg = start_postgres()
    server = LatencyServer(args)
    try:
        pg.sql("CREATE DATABASE bench")
        url = pg.url("bench")
        dsn = {"host": "127.0.0.1", "port": pg.port, "user": "postgres", "password": PG_PASSWORD, "dbname": "bench"}
        with tempfile.TemporaryDirectory(prefix="bench-shared-") as tmp:
            config = write_config(Path(tmp), url, server.control("/_feeds"), server.ca, args)
            server.control("/_control?latency_scale=0&error_share=0")
            from monitor.pipeline import build_pipeline
            from monitor.settings import load_settings

            pipeline = build_pipeline(load_settings(config))
            began = time.perf_counter()
            pipeline.poll_all_feeds()
            print(json.dumps({"warmup_s": round(time.perf_counter() - began, 1), "feeds": args.feeds, "hosts": args.hosts}), flush=True)
            pipeline.close()
            pipeline.db.close()
            server.control(f"/_control?latency_scale={args.latency_scale}&error_share=0.05")
            counts = [int(d) for d in args.daemons.split(",")]
            seeds = [int(n) for n in args.seeds.split(",")] if args.seeds else list(range(1, len(counts) + 1))
            for cycle, (daemons, seed) in enumerate(zip(counts, seeds, strict=True), start=1):
                run_cycle(url, config, daemons, cycle, seed, server, dsn, args)
    finally:
        server.stop()
        stop_postgres(pg)


if __name__ == "__main__":
    main()
