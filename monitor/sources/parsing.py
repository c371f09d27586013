"""Feed parsing on worker processes: feedparser is CPU-bound, and threads share one core (the GIL).

One pool per process. `monitor run` forks it first thing (`prefork`, from `monitor.launch`), while
the process has imported only feedparser and runs no thread: the workers then share those pages with
the daemon, and a forked pool needs no resource tracker process (≈ 20 MB less in all than spawned
workers). Otherwise, and whenever a pool must be replaced (a worker died, or the config asks for
another number of workers), it is started with the 'spawn' method: a worker imports only
`monitor.sources.feeds` (about 26 MB once it has parsed), not the daemon's matcher, store and
channels, and forking a daemon that has imported them all and runs threads is unsafe (and every
page it writes later would stay pinned in the workers). multiprocessing would import the parent's
`__main__` script in each spawned worker (the `monitor` console script imports the whole command
line); they are started while `__main__` is hidden, so they do not.
"""

from __future__ import annotations

import gc
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

DEFAULT_WORKERS = 2  # [schedule] parse_workers when the config does not say
_pool: ProcessPoolExecutor | None = None
_size = 0  # _pool's workers
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
    """Ignore Ctrl-C and SIGHUP (they reach the whole process group: the daemon decides when its workers stop),
    and exit when the daemon is gone (killed, it cannot stop them: they would wait for work forever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a reload (`pkill -HUP -f 'monitor run'`) is the daemon's

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


def _start(method: str, workers: int) -> None:
    """Make this process's pool of `workers` processes started by `method`, and start them all now."""
    global _pool, _size
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), initializer=_start_worker, initargs=(os.getpid(),))
    for future in [pool.submit(_ready) for _ in range(workers)]:  # one task each starts them all now
        future.result()
    _pool, _size = pool, workers


def prefork(workers: int = DEFAULT_WORKERS) -> None:
    """Fork this process's pool now. Only while no thread runs and little is imported (the workers
    keep a copy of every page this process writes later): `monitor run` does it before anything else."""
    import monitor.sources.feeds  # noqa: F401  (imported once, here, and shared with the workers)

    with _lock:
        if _pool is None and threading.active_count() == 1:
            gc.freeze()  # the workers' collections then leave the shared objects (and their pages) alone
            _start("fork", workers)


def parser_pool(workers: int) -> ProcessPoolExecutor:
    """This process's pool of `workers` parsing processes: the forked one when it fits and works,
    else one spawned on first call (or after the last one broke)."""
    global _pool
    with _lock:
        if _pool is not None and (getattr(_pool, "_broken", False) or _size != workers):
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None
        if _pool is None:
            with _main_hidden():
                _start("spawn", workers)
        assert _pool is not None
        return _pool


def shutdown() -> None:
    """Stop the workers (the daemon on exit; tests)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None
