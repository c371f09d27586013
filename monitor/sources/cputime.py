"""A block of work bounded in the process's CPU time: an interval timer (ITIMER_PROF) rings on SIGPROF, whose handler
raises `OutOfTime` while the block runs, every half second after the first ring (one raised where Python swallows it,
a `__del__`, is followed by another). A parsing process's tasks run on its main thread, where the handler can be set:
its feed parses (`feeds.read_feed`) and the preparing of their new entries (`parsing`) are bounded so."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["OutOfTime", "cpu_bound"]

_RING_AGAIN = 0.5  # CPU seconds between the timer's rings after its first
_timed = False  # a bounded block runs (the handler raises only then: a late ring does nothing)


class OutOfTime(BaseException):  # noqa: N818  (not an error: how a block is stopped; a BaseException, so that `except Exception` lets it through)
    """Raised in a block given `cpu_bound(seconds)` that is still under way past them."""


def _ring(signum: int, frame: FrameType | None) -> None:
    if _timed:
        raise OutOfTime


@contextlib.contextmanager
def cpu_bound(seconds: float | None) -> Iterator[None]:
    """Raise `OutOfTime` in the block once the process has spent `seconds` of CPU in it (None, or off the main thread,
    where no handler can be set: no bound). The handler stays installed: it does nothing outside a bound block."""
    global _timed
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    if signal.getsignal(signal.SIGPROF) is not _ring:
        signal.signal(signal.SIGPROF, _ring)
    _timed = True
    signal.setitimer(signal.ITIMER_PROF, seconds, _RING_AGAIN)
    try:
        yield
    finally:
        _timed = False
        signal.setitimer(signal.ITIMER_PROF, 0)
