"""Where the peak PSS of the daemon and its parsing processes goes (issue 21's memory goal), per process and allocator.

    .venv/bin/python bench/memory_split.py [--feeds 2000]

As `bench/polling.py --parsers-first` (so as `monitor run`): the default watchlist compiled, the two parsing
processes forked, then the pipeline imported and built on SQLite in a temp dir; then its first cycle against
bench/feed_server.py (every entry of --feeds feeds of 50 new). One JSON line after the build, one at the
cycle's peak of summed PSS (sampled every 0.5 s), one at its end. Each gives, per process (this one, the
daemon, first; then the parsing processes), Rss, Pss, Shared_Dirty and Private_Dirty from smaps_rollup (MB);
for the daemon, glibc's heap (mallinfo2: bytes in use and free inside its arenas, and mmapped blocks, MB),
and at the build and the end CPython's small-object arenas (sys._debugmallocstats) and the bytes of the story
index's arrays. Compare allocator settings by running it under them (e.g. MALLOC_ARENA_MAX=1).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.argv.append("--parsers-first")  # polling forks the parsing processes at import, as `monitor run` does
sys.path.insert(0, str(Path(__file__).resolve().parent))
import polling  # noqa: E402

from monitor.pipeline import Pipeline, build_pipeline  # noqa: E402
from monitor.settings import load_settings  # noqa: E402

FIELDS = ("Rss", "Pss", "Shared_Dirty", "Private_Dirty")


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]


def heap() -> dict[str, float]:
    """glibc's heap of this process (MB): in use, free inside its arenas, mmapped blocks; {} elsewhere."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MallInfo2
    except (OSError, AttributeError):
        return {}
    info = libc.mallinfo2()
    return {"in_use": round(info.uordblks / 2**20, 1), "free_in_arenas": round(info.fordblks / 2**20, 1), "mmapped": round(info.hblkhd / 2**20, 1)}


def pymalloc() -> dict[str, float]:
    """CPython's small-object allocator (MB): its arenas, and the bytes of the blocks in use."""
    read, write = os.pipe()
    saved = os.dup(2)
    os.dup2(write, 2)
    try:
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(write)
        os.close(saved)
    with os.fdopen(read, encoding="utf-8") as stats:
        lines = stats.read().splitlines()
    figures = {line.split("=")[0].strip("# ").strip(): int(line.split("=")[1].replace(",", "")) for line in lines if line.startswith("# ") and "=" in line}
    return {"arenas": figures.get("arenas allocated current", 0), "blocks_in_use": round(figures.get("bytes in allocated blocks", 0) / 2**20, 1)}


def processes() -> list[dict[str, int]]:
    """smaps_rollup's fields (MB) for this process, then each parsing process."""
    found = []
    for pid in ["self", *polling.pipeline_children()]:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                fields = {line.split()[0].rstrip(":"): int(line.split()[1]) for line in rollup if line.split()[-1:] == ["kB"]}
        except (OSError, IndexError, ValueError):
            continue
        found.append({name: fields.get(name, 0) // 1024 for name in FIELDS})
    return found


def story_index_mb(pipeline: Pipeline) -> float:
    index = pipeline.ingest.story_index
    arrays = (index._keys, index._ids, index._stories, index._lengths, index._times, index._tail)
    return round(sum(a.nbytes for a in arrays) / 2**20, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    args, _ = parser.parse_known_args()
    server = polling.FeedServer(args.feeds)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
            pipeline = build_pipeline(load_settings(polling.write_config(Path(tmp), server, args.feeds, 10)), polling.EARLY, polling.EARLY_MATCHER)
            emit("built", pipeline, full=True)
            peak: dict[str, Any] = {"Pss": 0}
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.5):
                    now = processes()
                    if sum(p["Pss"] for p in now) > peak["Pss"]:
                        peak.update(Pss=sum(p["Pss"] for p in now), processes=now, daemon_heap=heap())

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            started = time.perf_counter()
            new = pipeline.poll_all_feeds()
            done.set()
            sampler.join()
            print(json.dumps({"at": "peak", "summed_pss_mb": peak["Pss"], "processes": peak.get("processes"), "daemon_heap_mb": peak.get("daemon_heap")}), flush=True)
            emit("end", pipeline, full=True, new_entries=new, wall_s=round(time.perf_counter() - started, 1))
            pipeline.db.close()
    finally:
        server.stop()


def emit(at: str, pipeline: Pipeline, full: bool, **extra: Any) -> None:
    now = processes()
    row: dict[str, Any] = {"at": at, "summed_pss_mb": sum(p["Pss"] for p in now), "processes": now, "daemon_heap_mb": heap()}
    if full:
        row |= {"daemon_pymalloc": pymalloc(), "story_index_mb": story_index_mb(pipeline)}
    print(json.dumps(row | extra | {"malloc_arena_max": os.environ.get("MALLOC_ARENA_MAX", "default"), "loadavg": os.getloadavg()[0]}), flush=True)


if __name__ == "__main__":
    main()
