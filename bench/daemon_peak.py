"""The real daemon's peak memory over its first cycle (issue 21): `monitor run` on N local feeds of 50 new entries.

    .venv/bin/python bench/daemon_peak.py [--feeds 1000] [--in-flight N] [--listen ADDRESS] [--timeout 900]

bench/feed_server.py serves N feeds of 50 entries (bench/polling.py's FeedServer). `monitor run` runs on a config
written as bench/polling.py writes it (SQLite in a temp dir, loopback allowed, `per_host = 10000` since every feed
is on 127.0.0.1, the default watchlist, one console channel, the N feeds) and the daemon's own defaults otherwise:
`[http] max_in_flight` unless --in-flight, `[server] listen` as --listen ("" by default: nothing served; the shipped
config serves /healthz and the web view on loopback). The summed PSS of the daemon and every process under it (the
parsing processes) is sampled every 0.25 s from its start until every entry is stored (counted in the SQLite file).

One JSON line: the peak summed PSS, the daemon's share of it and its private dirty then, each child's share, the
first cycle (from the first feed request served to the last entry stored) and the start-up (launch to that first
request), the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from configs import write_monitor_toml  # noqa: E402
from polling import WATCHLIST, FeedServer  # noqa: E402

ENTRIES = 50  # bench/feed_server.py's default: every one new on the first cycle
MB = 1024.0


def descendants(root: int) -> list[int]:
    """The processes under `root` (its children, theirs, ...)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = list[int](), {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier and pid not in found}
        found += sorted(frontier)
    return found


def rollup(pid: int) -> dict[str, int]:
    """Pss and Private_Dirty of a process now (KB); empty once it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line and not line[0].isdigit())
    except OSError:
        return {}
    return {key: int(fields[key].split()[0]) for key in ("Pss", "Private_Dirty") if key in fields}


class Sampler:
    """The largest summed PSS of a process and those under it, sampled every 0.25 s, with each one's share then."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb, self.at = pid, 0, 0.0
        self.parts: list[tuple[int, dict[str, int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            parts = [(pid, rollup(pid)) for pid in [self.pid, *descendants(self.pid)]]
            total = sum(p.get("Pss", 0) for _, p in parts)
            if total > self.peak_kb:
                self.peak_kb, self.parts, self.at = total, parts, time.monotonic()

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def write_config(root: Path, server: FeedServer, feeds: int, in_flight: int | None, listen: str) -> Path:
    lines = [f"watchlist = {json.dumps(str(WATCHLIST))}",
             "[store]", f"path = {json.dumps(str(root / 'monitor.db'))}",
             "[http]", 'allow_networks = ["127.0.0.0/8"]', *([f"max_in_flight = {in_flight}"] if in_flight else []),
             "[schedule]", "per_host = 10000",
             "[server]", f"listen = {json.dumps(listen)}"]
    return write_monitor_toml(root, lines, (server.feed_url(i) for i in range(feeds)), prefix="peak")


def stored(db: Path) -> int:
    """Articles stored so far (0 before the daemon made the file)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not made yet
        return 0


def measure(feeds: int, in_flight: int | None, listen: str, timeout: float) -> dict[str, Any]:
    loads = [os.getloadavg()[0]]
    server = FeedServer(feeds)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-daemon-peak-") as tmp:
            root = Path(tmp)
            config = write_config(root, server, feeds, in_flight, listen)
            server.stats(reset=True)
            launched = time.monotonic()
            with open(root / "daemon.log", "w") as log:
                daemon = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=root,
                                          stdout=subprocess.DEVNULL, stderr=log)
            first_request, count = None, 0
            try:
                with Sampler(daemon.pid) as sampler:
                    while count < feeds * ENTRIES:
                        if daemon.poll() is not None:
                            raise SystemExit(f"monitor run ended ({daemon.returncode}): {(root / 'daemon.log').read_text()[-2000:]}")
                        if time.monotonic() - launched > timeout:
                            raise SystemExit(f"{count} of {feeds * ENTRIES} entries stored after {timeout:g} s")
                        if first_request is None and sum(server.stats()["requests"].values()):
                            first_request = time.monotonic()
                        time.sleep(0.25)
                        count = stored(root / "monitor.db")
                    done = time.monotonic()
            finally:
                daemon.send_signal(signal.SIGTERM)
                try:
                    daemon.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    daemon.wait()
            lapsed = (root / "daemon.log").read_text(errors="replace").count("the lease of the claim ended")  # feeds claimed too long before their fetch
    finally:
        server.stop()
    loads.append(os.getloadavg()[0])
    (_, own), children = sampler.parts[0], sampler.parts[1:]
    begun = first_request if first_request is not None else launched
    return {"feeds": feeds, "max_in_flight": in_flight or "default", "listen": listen, "entries_stored": count,
            "peak_pss_mb": round(sampler.peak_kb / MB, 1),
            "daemon_pss_mb": round(own.get("Pss", 0) / MB, 1), "daemon_private_dirty_mb": round(own.get("Private_Dirty", 0) / MB, 1),
            "children_pss_mb": [round(p.get("Pss", 0) / MB, 1) for _, p in children],
            "peak_after_first_request_s": round(sampler.at - begun, 1),
            "first_cycle_s": round(done - begun, 1), "startup_s": round(begun - launched, 1),
            "lapsed_warnings": lapsed, "loadavg_1min_before_after": [round(x, 2) for x in loads]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=None, help="[http] max_in_flight (default: the daemon's)")
    parser.add_argument("--listen", default="", help='[server] listen ("" : nothing served)')
    parser.add_argument("--timeout", type=float, default=900, help="seconds to give up after")
    args = parser.parse_args()
    print(json.dumps(measure(args.feeds, args.in_flight, args.listen, args.timeout)), flush=True)


if __name__ == "__main__":
    main()
