"""A send that ends in bounded time whatever the service does: the connections it opened are shut down at its deadline.

Apprise bounds each read of a service (its plugins' `cto`/`rto`, the mail plugin's 15 s), not a whole send: a server
that answers a line every few seconds (HTTP headers, SMTP `250-` continuations) holds the send for as long as it goes
on. Apprise's own `notify(timeout=...)` only stops waiting: the service's thread goes on, and may deliver after the
delivery was given up for a retry (sent twice). So the sockets a send makes (in its thread, and in the threads Apprise
runs its services on, which carry its context) are noted through Python's audit event `socket.__new__`, and shut
down once its time is up, and again every 0.1 s until it returns: the plugin's own code then meets a dropped
connection, fails as it does on one, and returns.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

_MADE: ContextVar[list[socket.socket] | None] = ContextVar("monitor_send_sockets", default=None)


def _note(event: str, args: tuple[Any, ...]) -> None:
    """Keep the sockets made while a send runs (the hook runs at every audited event of the process: one comparison)."""
    if event == "socket.__new__" and (made := _MADE.get()) is not None:
        made.append(args[0])


sys.addaudithook(_note)


@contextlib.contextmanager
def cut_off_after(seconds: float) -> Iterator[Callable[[], bool]]:
    """Run the block's network I/O for at most `seconds`: then the sockets it made are shut down (and those it makes
    after, within 0.1 s). Yields whether it was cut off."""
    made: list[socket.socket] = []
    token = _MADE.set(made)
    ended, cut = threading.Event(), threading.Event()

    def watch() -> None:
        if ended.wait(seconds):
            return
        cut.set()
        while True:
            for sock in list(made):
                with contextlib.suppress(OSError):  # (closed already: nothing to cut)
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
            if ended.wait(0.1):
                return

    watcher = threading.Thread(target=watch, name="send-deadline", daemon=True)
    watcher.start()
    try:
        yield cut.is_set
    finally:
        ended.set()
        _MADE.reset(token)
        watcher.join()
