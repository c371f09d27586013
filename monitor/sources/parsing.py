"""Feed parsing on worker processes: feedparser is CPU-bound, and threads share one core (the GIL).

`ParserPool` is the daemon's pool, built from its settings (`parse_workers`). `start()` forks the
workers when the process runs no other thread (`monitor run` and `monitor once` build it right after
reading the config, before the store, the matcher and the story index exist, and after `gc.freeze()`):
they share the daemon's pages and need no resource tracker. Otherwise (a process running threads, a
pool that broke) the workers are started with the 'spawn' method, which is safe whatever runs: a
spawned worker imports only `monitor.sources.feeds` and the entry script (`monitor.launch`, which
imports nothing). A broken pool is found by the public API: `submit` raises `BrokenProcessPool`.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from monitor.errors import FeedParseError
from monitor.model import ParsedFeed

__all__ = ["BrokenProcessPool", "ParserPool", "parse_in_worker"]


def parse_in_worker(body: bytes, url: str, headers: dict[str, str]) -> ParsedFeed | str:
    """`read_feed` in a worker: the parsed feed, or its one-line error (exceptions with fields do not pickle).
    feedparser is imported here, in the workers: the daemon itself never parses a feed."""
    from monitor.sources.feeds import read_feed

    try:
        return read_feed(body, url, headers, defer_text=True)  # text only for new entries, in the daemon
    except FeedParseError as exc:
        return str(exc)


def _ready() -> None:
    """A no-op task: submitting one per worker starts them all now."""


def _start_worker(parent: int) -> None:
    """Ignore Ctrl-C and SIGHUP (they reach the whole process group: the daemon decides when its workers stop),
    and exit when the daemon is gone (killed, it cannot stop them: they would wait for work forever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a reload (`pkill -HUP -f 'monitor run'`) is the daemon's

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class ParserPool:
    """`workers` parsing processes, forked by `start()` when that is safe, else spawned when first needed."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"parse_workers must be >= 1, not {workers}")
        self.workers = workers
        self.method = ""  # "fork" or "spawn" once started
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Fork the workers now if this process runs no other thread (else they are spawned at first use)."""
        import monitor.sources.feeds  # noqa: F401  (imported once, here, and shared with the workers)

        with self._lock:
            if self._executor is None and threading.active_count() == 1:
                gc.freeze()  # the workers' collections then leave the shared objects (and their pages) alone
                self._start("fork")

    def submit(self, body: bytes, url: str, headers: dict[str, str]) -> Future[ParsedFeed | str]:
        """Parse a feed on a worker; a pool found broken is replaced by a spawned one (once per call)."""
        with self._lock:
            if self._executor is None:
                self._start("spawn")
            assert self._executor is not None
            try:
                return self._executor.submit(parse_in_worker, body, url, headers)
            except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._start("spawn")
                return self._executor.submit(parse_in_worker, body, url, headers)

    def shutdown(self) -> None:
        """Stop the workers (the daemon on exit); a later `submit` spawns new ones."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None

    def _start(self, method: str) -> None:
        context = multiprocessing.get_context(method)
        pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),))
        for future in [pool.submit(_ready) for _ in range(self.workers)]:  # one task each starts them all now
            future.result()
        self._executor, self.method = pool, method
