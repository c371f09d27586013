"""A send that ends in bounded time and memory whatever the service does: the connections it opened are shut down at
its deadline, or once they have taken more than a service's answer needs.

Apprise bounds each read of a service (its plugins' `cto`/`rto`, the mail plugin's 15 s), not a whole send: a server
that answers a line every few seconds (HTTP headers, SMTP `250-` continuations) holds the send for as long as it goes
on. Apprise's own `notify(timeout=...)` only stops waiting: the service's thread goes on, and may deliver after the
delivery was given up for a retry (sent twice). Nor does it bound what is read: its webhook plugins (json://, form://,
xml://) read a whole answer into memory (`requests` without `stream`), and an endless one filled it at network speed
(1.6 GB in 2 s on loopback), or a compressed one a thousand times faster (`_plain_answers`). So the sockets a send makes (in its thread, and in the threads Apprise runs its services
on, which carry its context) are noted through Python's audit event `socket.__new__` and looked at every 10 ms: one
that took more than `ANSWER_BYTES` (the bytes the kernel took on it, Linux's TCP_INFO) is read no further, and all are
shut down once the send's time is up, and again every 0.1 s until it returns: the plugin's own code then meets a
dropped connection (or the end of its answer), does as it does on one, and returns. What holds a service's thread and
is no socket is left behind (for a channel of several services, on Apprise's pool, Apprise is told to stop waiting a
second after the cut; a channel of one service is sent to on the dispatcher's own thread), and once the send is cut off or
has returned, its context may make no socket, look no name up, connect or send (the audit hook refuses them): nothing
of it reaches the service after its failure was recorded.

A send's name lookups (`socket.getaddrinfo`, which requests and smtplib call) do not run on the send's thread, one of
Apprise's few shared workers (six on two cores): a resolver that does not answer (glibc waits 5 s a try, a server, a
search domain) would hold it long after the send, and once all were held, every channel's sends waited in vain. They
run on threads of monitor's own (`LOOKUPS_AT_ONCE` at most; daemon threads, which the process does not wait for at its
exit), waited for until the send's time is up (the send then fails, naming
the lookup); a lookup of a name already under way is waited for, not asked again, so a name that does not resolve
holds one of them, and with all of them held a lookup fails at once (Apprise's own `utils.http.HTTPPolicy.resolve`
bounds its lookups so: a pool and slots). Lookups outside a send (the feeds' fetching) are the system's, untouched.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

ANSWER_BYTES = 8 << 20  # what one connection of a send may take: a service's answer is a few KB (Apprise logs 2,000 bytes of it)
LOOK_SECONDS = 0.01  # how often a send's connections are looked at: at 1 GB/s a send reads 10 MB more before it is cut
_BYTES_RECEIVED = 128  # offset of `tcpi_bytes_received` (a u64, Linux 4.1) in Linux's struct tcp_info
# what a send that is over may not do: a worker Apprise stopped waiting for (a name lookup that outlasted the send) would
# connect and deliver after the delivery was recorded as failed
_REFUSED_WHEN_OVER = frozenset({"socket.__new__", "socket.getaddrinfo", "socket.connect", "socket.sendto", "socket.sendmsg"})


LOOKUPS_AT_ONCE = 8  # sends' name lookups running at once (one that does not end holds its thread until the resolver gives up)


@dataclass(eq=False)
class _Send:
    made: list[socket.socket] = field(default_factory=list)  # the sockets it made (in its thread and Apprise's, which carry its context)
    over: bool = False  # cut off, or returned: whatever of it still runs reaches the network no more
    deadline: float = float("inf")  # (time.monotonic) when its time is up
    seconds: float = 0.0  # its time
    most_bytes: int = ANSWER_BYTES  # what one of its connections may take
    why: list[str] = field(default_factory=list)  # why it was cut off, if it was
    read_out: set[int] = field(default_factory=set)  # the positions in `made` of the connections read no further
    cut_at: float | None = None  # (time.monotonic) when its connections were last shut down, its time up


_SEND: ContextVar[_Send | None] = ContextVar("monitor_send", default=None)


def _note(event: str, args: tuple[Any, ...]) -> None:
    """Keep the sockets made while a send runs, and refuse a send that is over the network (the hook runs at every
    audited event of the process: one prefix test)."""
    if event.startswith("socket.") and (send := _SEND.get()) is not None:
        if send.over and event in _REFUSED_WHEN_OVER:
            raise ConnectionAbortedError(errno.ECONNABORTED, "monitor cut this send off: its time is up")
        if event == "socket.__new__":
            send.made.append(args[0])


sys.addaudithook(_note)

_system_getaddrinfo = socket.getaddrinfo
_under_way: dict[tuple[Any, ...], Future[Any]] = {}  # the sends' lookups running, by their arguments
_under_way_lock = threading.Lock()


def _getaddrinfo(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> Any:
    """`socket.getaddrinfo`; in a send, run on `_lookups` and waited for until the send's time is up."""
    send = _SEND.get()
    if send is None or _numeric(host):
        return _system_getaddrinfo(host, port, family, type, proto, flags)
    if send.over:
        raise ConnectionAbortedError(errno.ECONNABORTED, "monitor cut this send off: its time is up")
    key = (host, port, family, type, proto, flags)
    with _under_way_lock:
        lookup = _under_way.get(key)
        if lookup is None:
            if len(_under_way) >= LOOKUPS_AT_ONCE:
                raise socket.gaierror(socket.EAI_AGAIN, f"name lookup of {host}: {len(_under_way)} lookups of sends still wait for the resolver")
            lookup = _under_way[key] = _look_up(key)
    try:
        return lookup.result(timeout=max(send.deadline - time.monotonic(), 0.0))
    except FutureTimeout:
        raise socket.gaierror(socket.EAI_AGAIN, f"name lookup of {host} took more than {send.seconds:g} s (the resolver did not answer)") from None


def _look_up(key: tuple[Any, ...]) -> Future[Any]:
    """The system's lookup on a thread of its own, a daemon thread: one the resolver never answers does not hold the
    process at its exit (a thread pool's workers are joined then)."""
    lookup: Future[Any] = Future()

    def run() -> None:
        try:
            lookup.set_result(_system_getaddrinfo(*key))
        except BaseException as exc:  # (handed to the send that waits for it)
            lookup.set_exception(exc)
        finally:
            with _under_way_lock:
                _under_way.pop(key, None)

    threading.Thread(target=run, name="send-lookup", daemon=True).start()
    return lookup


def _numeric(host: Any) -> bool:
    """An address (or no host): nothing for a resolver to do."""
    if host is None:
        return True
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in str(host) else socket.AF_INET, host.decode() if isinstance(host, bytes) else str(host))
    except (OSError, UnicodeDecodeError):
        return False
    return True


socket.getaddrinfo = _getaddrinfo  # (requests, through urllib3, and smtplib, through socket.create_connection, call it so)


def _plain_answers() -> None:
    """Apprise's HTTP services (requests over urllib3, which nothing else of the daemon uses) asked for answers as they are
    (`Accept-Encoding: identity`) and read so, a compressed one not inflated (urllib3's CONTENT_DECODERS emptied): the
    bytes the bound above counts are then the bytes read, where 8 MiB of gzip were 8 GB once inflated. Set before each
    send, once the services' plugins imported them (a channel of console:// alone never loads them)."""
    utils: Any = sys.modules.get("requests.utils")
    response: Any = sys.modules.get("urllib3.response")
    if utils is not None:
        utils.DEFAULT_ACCEPT_ENCODING = "identity"  # (read by requests' default headers at each session)
    if response is not None:
        response.HTTPResponse.CONTENT_DECODERS = []


def received(sock: socket.socket) -> int:
    """The bytes the kernel took on a TCP connection so far (0 where that is not known: not Linux, not TCP, closed)."""
    if sys.platform != "linux":
        return 0
    try:
        info = socket.socket.getsockopt(sock, socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    except OSError:
        return 0
    return int(struct.unpack_from("Q", info, _BYTES_RECEIVED)[0]) if len(info) >= _BYTES_RECEIVED + 8 else 0


class _Watcher:
    """One thread for every send under way (started at the first send, again after a fork), asleep while there is none:
    every LOOK_SECONDS it looks at each send's connections, reads no further one that took more than the send's bound,
    and shuts down those of a send whose time is up (and again every 0.1 s until it returns). One thread, not one a
    send: 50 sends at once cost 10 % of a core with a thread each, 1 % with one (bench/send_watchers.py)."""

    def __init__(self) -> None:
        self.sends: set[_Send] = set()
        self.lock = threading.Lock()
        self.woken = threading.Event()
        self.thread: threading.Thread | None = None

    def add(self, send: _Send) -> None:
        with self.lock:
            self.sends.add(send)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._watch, name="send-deadline", daemon=True)
                self.thread.start()
        self.woken.set()

    def remove(self, send: _Send) -> None:
        with self.lock:
            self.sends.discard(send)

    def _watch(self) -> None:
        while True:
            with self.lock:
                sends = list(self.sends)
                if not sends:
                    self.woken.clear()
            if not sends:
                self.woken.wait()
                continue
            now = time.monotonic()
            for send in sends:
                _look(send, now)
            time.sleep(LOOK_SECONDS)


def _look(send: _Send, now: float) -> None:
    if send.cut_at is None and now >= send.deadline:
        send.why.append(f"no whole answer within {send.seconds:g} s")
        send.over = True
        send.cut_at = float("-inf")
    if send.cut_at is not None:
        if now - send.cut_at >= 0.1:
            _shut_down(send.made)
            send.cut_at = now
        return
    for n, sock in enumerate(list(send.made)):
        if n not in send.read_out and received(sock) > send.most_bytes:
            send.read_out.add(n)
            send.why.append(f"an answer of more than {send.most_bytes >> 20} MiB")
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RD)


_WATCHER = _Watcher()


@contextlib.contextmanager
def cut_off_after(seconds: float, most_bytes: int = ANSWER_BYTES) -> Iterator[Callable[[], str | None]]:
    """Run the block's network I/O for at most `seconds` (and LOOK_SECONDS): then the sockets it made are shut down, and
    it may make no other connection. A connection that took more than `most_bytes` (and what it takes in 10 ms more) is
    read no further: its reading side is shut down, and the answer ends there (a 200 whose body ran on is still a 200).
    Once the block returns, what of it still runs (a service Apprise stopped waiting for) is cut off likewise. Yields
    why it was cut off, if it was."""
    _plain_answers()
    send = _Send(deadline=time.monotonic() + seconds, seconds=seconds, most_bytes=most_bytes)
    token = _SEND.set(send)
    _WATCHER.add(send)
    try:
        yield lambda: send.why[0] if send.why else None
    finally:
        send.over = True
        _WATCHER.remove(send)
        _SEND.reset(token)
        _shut_down(send.made)  # (a service's thread that still runs: it reads and writes no more)


def _shut_down(made: list[socket.socket]) -> None:
    for sock in list(made):
        with contextlib.suppress(OSError):  # (closed already: nothing to cut)
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
