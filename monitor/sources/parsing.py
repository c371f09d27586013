"""Feed parsing on worker processes: feedparser is CPU-bound, and threads share one core (the GIL).

One pool per process, started on first use with the 'spawn' method: a worker imports only
`monitor.sources.feeds` (about 26 MB once it has parsed), not the daemon's matcher, store and channels, and forking a
daemon that runs threads is unsafe. multiprocessing would import the parent's `__main__` script in
each worker (the `monitor` console script imports the whole command line); the workers are started
while `__main__` is hidden, so they do not.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
import types
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from monitor.errors import FeedParseError
from monitor.model import ParsedFeed

__all__ = ["BrokenProcessPool", "parse_in_worker", "parser_pool", "shutdown"]

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


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
    """Ignore Ctrl-C (it reaches the whole process group: the daemon decides when its workers stop),
    and exit when the daemon is gone (killed, it cannot stop them: they would wait for work forever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@contextmanager
def _main_hidden() -> Iterator[None]:
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def parser_pool(workers: int) -> ProcessPoolExecutor:
    """This process's pool of `workers` parsing processes (made on first call, or after it broke)."""
    global _pool
    with _lock:
        if _pool is None or getattr(_pool, "_broken", False):
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker, initargs=(os.getpid(),))
            with _main_hidden():  # workers start on submit: one task each starts them all here
                for future in [pool.submit(_ready) for _ in range(workers)]:
                    future.result()
            _pool = pool
        return _pool


def shutdown() -> None:
    """Stop the workers (the daemon on exit; tests)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None
