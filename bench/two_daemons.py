"""Two daemons on one PostgreSQL against one daemon, on the same latency-injected feeds (issue 18).

    .venv/bin/python bench/two_daemons.py [--feeds 2000] [--hosts 1000] [--workers 25] [--per-host 2]
        [--cycles 2] [--latency-scale 1] [--changed 0.1] [--seed 1] [--order one,two]

A PostgreSQL cluster of its own (tests/conftest.py's start_postgres: initdb + pg_ctl on a free port in a temp
dir; fsync, full_page_writes and synchronous_commit off, as there) and bench/latency_server.py (its own
process: N feeds on H loopback hosts, seeded latency 50-2,000 ms with long tails, slow first bytes on 2 % of
hosts, HTTPS on 20 %, 5 % errors, 10 % of feeds changed per cycle; see its docstring). For each setup, on a
database of its own and the same feeds (the server's feeds restarted at version 0 and the same seeds):

- one: one daemon process polls every feed;
- two: two daemon processes, started together, each poll half of the feeds: those of the even hosts or
  of the odd ones (feed i is on host i % H; H even), so that each host has one daemon, and per-host
  politeness is what one daemon gives it. The halves stand in for `FOR UPDATE SKIP LOCKED` claims
  (issue 18, built on another branch): each daemon polls its half through `FeedPolling._poll`, the
  private method `every` (`monitor once --all`) calls with every feed; the one daemon goes through the
  same method with all of them.

A daemon process (`--daemon`, this file run by the controller) builds the pipeline as the daemon does
(`build_pipeline(load_settings(config))`) and, on each command from the controller, polls: first a warm-up
with no injected latency and no errors (every feed new: 5 articles each, the store-bound phase, where the
story lock is contended), then --cycles cycles at the injected latency (10 % changed: the latency-bound
phase). The phases start together in both processes; the wall time of a phase is the controller's, from
the command to the last answer. Feeds per minute: requests the server answered / wall time.

Each daemon reports its CPU (process and parsing processes), the time in `Ingest` per feed batch, and the
cost of sharing the store: the `pg_advisory_xact_lock` of the story step (count, seconds waiting), the
refresh query of the story index (count, seconds, rows), timed by an engine event listener around those
statements, and how long the lock was held (from the lock statement's end to the commit or rollback). The controller reads pg_stat_database before and after each phase (commits, rows returned,
fetched, inserted, updated; backends) and the load average. One JSON line per (setup, phase); a summary
line with the ratios two/one at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from configs import write_monitor_toml  # noqa: E402
from latency_poll import WATCHLIST, LatencyServer, Statements, answered, cpu_seconds, emit, sources_in_error  # noqa: E402

from tests.conftest import PostgresServer, start_postgres, stop_postgres  # noqa: E402

STATS_FLUSH_S = 11  # PostgreSQL 15+: an idle backend's pending statistics are flushed within 10 s
_FEED = re.compile(r"/feed/(\d+)\.xml$")


# --- the PostgreSQL cluster -------------------------------------------------------------------------

def stats(pg: PostgresServer, database: str) -> dict[str, int]:
    """pg_stat_database's counters of a database. A backend flushes its counts at most once a second, and an idle
    one within STATS_FLUSH_S: the controller waits that long after a phase before reading them."""
    columns = ("xact_commit", "xact_rollback", "tup_returned", "tup_fetched", "tup_inserted", "tup_updated", "tup_deleted", "numbackends")
    [row] = pg.sql(f"SELECT {', '.join(columns)} FROM pg_stat_database WHERE datname = '{database}'")
    return dict(zip(columns, (int(v) for v in row), strict=True))


# --- a daemon process --------------------------------------------------------------------------------

class Sharing:
    """The story step's cost of sharing the store, timed around its two statements, and the ingest's time."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.seconds: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self._started: dict[int, tuple[str, float]] = {}
        self._held: dict[int, float] = {}  # connection -> when it got the story lock
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "commit", self._released)
        event.listen(engine, "rollback", self._released)

    @staticmethod
    def _kind(statement: str) -> str | None:
        if "pg_advisory_xact_lock" in statement:
            return "lock"
        if "articles.id >" in statement:
            return "refresh"
        return None

    def _before(self, _conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if kind := self._kind(statement):
            self._started[id(cursor)] = (kind, time.perf_counter())

    def _after(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if (started := self._started.pop(id(cursor), None)) is not None:
            kind, at = started
            now = time.perf_counter()
            self.seconds[kind] += now - at
            self.counts[kind] += 1
            if kind == "lock":
                self._held[id(conn)] = now
            if kind == "refresh":
                self.counts["refresh_rows"] += max(cursor.rowcount, 0)

    def _released(self, conn: Any) -> None:
        """The transaction that held the story lock ended (the lock with it): how long it was held."""
        if (at := self._held.pop(id(conn), None)) is not None:
            self.seconds["held"] += time.perf_counter() - at

    def timed(self, ingest: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> int:
            at = time.perf_counter()
            try:
                return int(ingest(*args, **kwargs))
            finally:
                self.seconds["ingest"] += time.perf_counter() - at
                self.counts["ingest"] += 1
        return call

    def snapshot(self) -> dict[str, Any]:
        return {"seconds": dict(self.seconds), "counts": dict(self.counts)}


def daemon(args: argparse.Namespace) -> None:
    """A daemon process: polls its part of the feeds on each command read from stdin; one JSON line each."""
    from monitor.pipeline import build_pipeline
    from monitor.polling import FOREVER
    from monitor.settings import load_settings
    from monitor.store import sources
    from monitor.store.db import utcnow

    pipeline = build_pipeline(load_settings(args.config))
    statements, sharing = Statements(pipeline.db.engine), Sharing(pipeline.db.engine)
    pipeline.feeds.ingest = sharing.timed(pipeline.feeds.ingest)  # type: ignore[method-assign]
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        now = utcnow()
        mine = [j for j in sources.due_feeds(pipeline.db, now + FOREVER) if _number(j.url) % args.parts == args.part]
        sql, share, cpu = statements.snapshot(), sharing.snapshot(), cpu_seconds(args.server_pid)
        started = time.perf_counter()
        new = pipeline.feeds._poll(mine, now, now + FOREVER)  # `every` on this daemon's part (see the module)
        wall = time.perf_counter() - started
        after = sharing.snapshot()
        print(json.dumps({
            "part": args.part, "feeds": len(mine), "new_articles": new, "wall_s": round(wall, 2),
            "cpu_s": round(cpu_seconds(args.server_pid) - cpu, 2), "sources_in_error": sources_in_error(pipeline),
            "sharing": {f"{k}_s": round(v - share["seconds"].get(k, 0), 3) for k, v in after["seconds"].items()}
            | {k: v - share["counts"].get(k, 0) for k, v in after["counts"].items()},
            "sql": Statements.delta(sql, statements.snapshot()),
        }), flush=True)
    pipeline.close()
    pipeline.db.close()


def _number(url: str) -> int:
    match = _FEED.search(url)
    if match is None:
        raise SystemExit(f"not a bench feed: {url}")
    return int(match.group(1))


# --- the controller ------------------------------------------------------------------------------------

def write_config(root: Path, url: str, feeds: list[str], args: argparse.Namespace, ca_file: str) -> Path:
    lines = [
        f"watchlist = {json.dumps(str(WATCHLIST))}",
        "[store]", f"url = {json.dumps(url)}",
        "[http]", 'allow_networks = ["127.0.0.0/8"]', f"ca_file = {json.dumps(ca_file)}", f"max_in_flight = {args.workers}",
        "[schedule]", f"per_host = {args.per_host}",
        "[server]", 'listen = ""',
    ]
    return write_monitor_toml(root, lines, feeds)


def run_setup(name: str, parts: int, pg: PostgresServer, args: argparse.Namespace, tmp: Path) -> list[dict[str, Any]]:
    """One setup (one daemon, or two) on a database of its own and a latency server of its own (the same
    feeds, versions and seeds as the other setup's): the warm-up, then the cycles."""
    server = LatencyServer(args)
    try:
        return _run_setup(name, parts, pg, server, args, tmp)
    finally:
        server.stop()


def _run_setup(name: str, parts: int, pg: PostgresServer, server: LatencyServer, args: argparse.Namespace, tmp: Path) -> list[dict[str, Any]]:
    from monitor.pipeline import register_sources
    from monitor.settings import load_settings
    from monitor.store.db import Database

    database = f"bench_{name}"
    pg.sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    pg.sql(f"CREATE DATABASE {database}")
    root = tmp / name
    root.mkdir()
    config = write_config(root, pg.url(database), server.control("/_feeds"), args, server.ca)
    db = Database(pg.url(database))  # the schema and the sources made once, before the daemons start
    register_sources(db, load_settings(config))
    db.close()
    daemons = [subprocess.Popen([sys.executable, __file__, "--daemon", "--config", str(config), "--part", str(k), "--parts", str(parts),
                                 "--server-pid", str(server.proc.pid)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for k in range(parts)]
    rows = []
    try:
        for d in daemons:
            _answer(d)
        for phase in ["warmup", *(str(c) for c in range(1, args.cycles + 1))]:
            if phase == "warmup":
                server.control("/_control?latency_scale=0&error_share=0")
            else:
                server.control(f"/_control?latency_scale={args.latency_scale}&error_share={args.error_share}")
                server.control(f"/_next_cycle?fraction={args.changed}&seed={phase}")
            server.control("/_stats?reset=1")
            before = stats(pg, database)
            started = time.perf_counter()
            for d in daemons:
                assert d.stdin is not None
                d.stdin.write("go\n")
                d.stdin.flush()
            answers = [_answer(d) for d in daemons]
            wall = time.perf_counter() - started
            served = server.control("/_stats")
            time.sleep(STATS_FLUSH_S)
            after = stats(pg, database)
            polled = answered(served)
            row = {
                "setup": name, "daemons": parts, "phase": phase, "feeds": args.feeds, "hosts": args.hosts, "max_in_flight": args.workers,
                "per_host": args.per_host, "latency_scale": served["latency_scale"], "wall_s": round(wall, 2), "requests": polled,
                "feeds_per_min": round(polled / wall * 60) if wall else None,
                "cpu_s": round(sum(a["cpu_s"] for a in answers), 2), "server_cpu_s": round(served["cpu_s"], 2),
                "new_articles": sum(a["new_articles"] for a in answers),
                "sharing": _summed([a["sharing"] for a in answers]),
                "statements": sum(a["sql"]["statement_total"] for a in answers), "commits": sum(a["sql"]["commits"] for a in answers),
                "pg": {k: after[k] - before[k] for k in after if k != "numbackends"} | {"backends_at_end": after["numbackends"]},
                "daemons_detail": [{k: a[k] for k in ("part", "feeds", "wall_s", "cpu_s", "new_articles")} for a in answers],
                "loadavg": [round(x, 2) for x in os.getloadavg()],
            }
            emit(row)
            rows.append(row)
    finally:
        for d in daemons:
            if d.stdin is not None and d.poll() is None:
                d.stdin.write("quit\n")
                d.stdin.close()
        for d in daemons:
            try:
                d.wait(timeout=120)
            except subprocess.TimeoutExpired:
                d.kill()
    return rows


def _answer(daemon_proc: subprocess.Popen[str]) -> dict[str, Any]:
    assert daemon_proc.stdout is not None
    line = daemon_proc.stdout.readline()
    if not line:
        raise SystemExit(f"daemon {daemon_proc.pid} ended (exit {daemon_proc.wait()})")
    answer: dict[str, Any] = json.loads(line)
    return answer


def _summed(parts: list[dict[str, Any]]) -> dict[str, Any]:
    out: Counter[str] = Counter()
    for part in parts:
        out.update(part)
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in sorted(out.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=1000, help="even: a daemon takes the even hosts, the other the odd")
    parser.add_argument("--workers", type=int, default=25, help="[http] max_in_flight of each daemon")
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument("--latency-scale", type=float, default=1.0)
    parser.add_argument("--tls-share", type=float, default=0.2)
    parser.add_argument("--slow-share", type=float, default=0.02)
    parser.add_argument("--error-share", type=float, default=0.05)
    parser.add_argument("--changed", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--order", default="one,two", help="the setups, in the order they run")
    parser.add_argument("--daemon", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--part", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--parts", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.daemon:
        daemon(args)
        return
    if args.hosts % 2:
        raise SystemExit("--hosts must be even (each daemon of two takes the even or the odd hosts)")
    began = time.perf_counter()
    pg = start_postgres()
    results: dict[str, list[dict[str, Any]]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-two-") as tmp:
            for name in args.order.split(","):
                results[name] = run_setup(name, {"one": 1, "two": 2}[name], pg, args, Path(tmp))
    finally:
        stop_postgres(pg)
    if {"one", "two"} <= results.keys():
        emit({"ratio_two_over_one_feeds_per_min": {
            one["phase"]: round(two["feeds_per_min"] / one["feeds_per_min"], 2) for one, two in zip(results["one"], results["two"], strict=True)}})
    emit({"runtime_s": round(time.perf_counter() - began, 1)})


if __name__ == "__main__":
    main()
