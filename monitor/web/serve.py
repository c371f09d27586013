"""Serving an ASGI app with uvicorn on a socket bound here (so that an address in use is a one-line
ConfigError before anything starts): in the foreground (`monitor web`) or on a thread (`monitor run`).

uvicorn bounds a request's head (h11: 16 KiB) but not the time it takes to come, nor the connections open:
its keep-alive timer runs only between requests and stops at the first byte received, so a client sending a
byte now and then (or connecting and saying nothing) held one of the daemon's file descriptors for ever.
`_guarded` adds both bounds to uvicorn's HTTP/1.1 protocol (the class `uvicorn.Config(http=...)` takes), and a bound
per client address: uvicorn's own (`limit_concurrency`) is the server's alone, so one client holding every connection
kept the site, /healthz and /metrics from everyone else; and a few addresses together hold at most four fifths of the
connections, and one address makes at most `BURST` requests at once and `RATE` a second (`Throttled`: 429 past them)."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import sys
import time
from collections.abc import Callable
from threading import Thread

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from monitor.errors import ConfigError


def bind(address: tuple[str, int], refused: Callable[[str], str]) -> socket.socket:
    """A listening socket on `address`; ConfigError(refused(why)) when the address cannot be had (`why`: the cause and
    its remedy)."""
    sock = socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(refused(_why(exc)), key="server.listen") from None
    sock.set_inheritable(True)
    return sock


def _why(exc: OSError) -> str:
    """Why an address could not be had, and what to do: only a port in use has something to stop."""
    reason = str(exc.strerror or exc)
    if exc.errno == errno.EADDRINUSE:
        return f"{reason}: stop what uses it or pick another port"
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return f"{reason}: not an address of this machine; listen on one it has, 127.0.0.1 or 0.0.0.0 for all"
    if exc.errno == errno.EACCES:
        return f"{reason}: a port under 1024 needs privileges; pick a higher one"
    return reason


HEAD_BYTES = 16 * 1024  # h11's bound on a request head still coming (uvicorn's h11_max_incomplete_event_size, its default)
HEAD_SECONDS = 10.0  # a request must arrive whole within this of its connection, or of the last answer on it
CONNECTIONS = 100  # open at once; one more is answered 503 and closed
PER_ADDRESS = 20  # open at once from one client address (an IPv6 client's /64); one more is answered 503 and closed
FEW = 2  # what an address may hold of the last fifth of the connections: a few addresses cannot take them all
RATE, BURST = 20.0, 40  # requests a second from one client address, and at once (a page and what it loads, a few tabs); one more: 429
CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
# on every answer of the server: the site's pages, a 405 of Starlette's routing, /healthz, /metrics, and those written
# here (429, 503) or by uvicorn itself (400, 500): uvicorn's `headers`, and `_guarded`'s own answers
HEADERS = (("content-security-policy", CSP), ("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"), ("cache-control", "no-store"))
RAW_HEADERS = [(name.encode(), value.encode()) for name, value in HEADERS]


def _refusal(status: bytes, text: str, extra: bytes = b"") -> bytes:
    """An answer written on the connection before it is closed, with HEADERS."""
    body = text.encode() + b"\n"
    secured = b"".join(b"%s: %s\r\n" % header for header in RAW_HEADERS)
    return (b"HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n%s%sConnection: close\r\n\r\n%s"
            % (status, len(body), extra, secured, body))


BUSY = _refusal(b"503 Service Unavailable", "too many connections", b"Retry-After: 10\r\n")
BUSY_HERE = _refusal(b"503 Service Unavailable", "too many connections from your address", b"Retry-After: 10\r\n")
NOT_HTTP = _refusal(b"400 Bad Request", "bad request: not a valid HTTP/1.1 request")
HEAD_TOO_LARGE = _refusal(b"431 Request Header Fields Too Large", f"request head too large: its line and headers must come within {HEAD_BYTES // 1024} KiB (cookies?)")
TOO_FAST = b"too many requests from your address\n"


def client_key(client: tuple[str, int] | None) -> str:
    """Whose connection it is, for PER_ADDRESS: the peer's IPv4 address (an IPv4-mapped IPv6 one as IPv4), or the /64
    of its IPv6 address (one machine's usual share); "" when unknown."""
    if client is None:
        return ""
    try:
        address = ipaddress.ip_address(client[0].split("%")[0])
    except ValueError:
        return client[0]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _guarded(head_seconds: float, connections: int, per_address: int) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request has not come whole within `head_seconds`
    (of the connection, or of the last answer on it), dropping one whose answer the client has read nothing of for
    a whole period (the same bytes unsent at two checks `head_seconds` apart), and turning away, with a 503, a
    connection past `connections` open at once, past `per_address` open at once from its client's address, or in the
    last fifth of `connections` from an address holding FEW already."""
    reserved = connections // 5

    class Guarded(H11Protocol):
        deadline: asyncio.TimerHandle | None = None
        unsent = -1  # bytes of the answer not yet taken by the client at the last check

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            here = self._from_here()
            crowded = len(self.connections) > connections - reserved and here > FEW
            busy = BUSY if len(self.connections) > connections else BUSY_HERE if here > per_address or crowded else None
            if busy is not None:
                transport.write(busy)
                transport.close()
                return
            self._arm()

        def send_400_response(self, msg: str) -> None:
            """uvicorn's answer to a request that is not HTTP, with HEADERS (uvicorn's own has none); a 431 saying so to
            one whose head grew past h11's bound before it ended (called in uvicorn's `except`: h11's error at hand)."""
            error = sys.exc_info()[1]
            too_large = getattr(error, "error_status_hint", None) == 431  # h11's RemoteProtocolError of a head too long
            self.transport.write(HEAD_TOO_LARGE if too_large else NOT_HTTP)
            self.transport.close()

        def _from_here(self) -> int:
            """The connections open from this one's client address (this one included; those turned away are closing)."""
            key = client_key(self.client)
            return sum(1 for c in self.connections if client_key(getattr(c, "client", None)) == key and not getattr(c, "transport").is_closing())

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self.deadline is not None:
                self.deadline.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self.deadline is not None:
                self.deadline.cancel()
            self.unsent = -1
            if not self.transport.is_closing():
                self.deadline = self.loop.call_later(head_seconds, self._late)

        def _late(self) -> None:
            unsent = self.transport.get_write_buffer_size()
            if unsent and unsent == self.unsent:  # the client reads nothing of its answer
                self.transport.abort()  # close() would wait for the answer to be read
            elif unsent or not (self.cycle is None or self.cycle.response_complete):  # an answer being made or taken
                self.unsent = unsent
                self.deadline = self.loop.call_later(head_seconds, self._late)
            else:  # no request came whole since the connection or the last answer: the client is too slow
                self.transport.close()

    return Guarded


class Throttled:
    """The app, answering 429 (and closing the connection) to a request past `burst` at once from one client address,
    refilled at `rate` a second: a client asking again as soon as it is answered, over its connections, keeps the
    server's threads and the store busy no more. The event loop's alone: no lock."""

    def __init__(self, app: ASGIApp, rate: float = RATE, burst: int = BURST) -> None:
        self.app, self.rate, self.burst = app, rate, burst
        self.left: dict[str, tuple[float, float]] = {}  # client key -> (requests it may make, when that was counted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._allows(client_key(scope.get("client")), time.monotonic()):
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"%d" % len(TOO_FAST)), (b"retry-after", b"1"), (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": TOO_FAST})
            return
        await self.app(scope, receive, send)

    def _allows(self, key: str, now: float) -> bool:
        left, then = self.left.get(key, (self.burst, now))
        left = min(self.burst, left + (now - then) * self.rate)
        if len(self.left) >= 4096 and key not in self.left:  # (the addresses whose room is whole again are forgotten)
            self.left = {k: (n, t) for k, (n, t) in self.left.items() if n + (now - t) * self.rate < self.burst}
        self.left[key] = (left - 1 if left >= 1 else left, now)
        return left >= 1


def _server(app: ASGIApp, head_seconds: float = HEAD_SECONDS, connections: int = CONNECTIONS, per_address: int = PER_ADDRESS,
            rate: float = RATE, burst: int = BURST) -> uvicorn.Server:
    # log_config=None: the monitor's logging stays as configured; no access log (a line per page is noise); no WebSocket
    # (ws="none": nothing is served over one; an upgrade is the plain GET it also is, not a bare 403 of uvicorn's)
    return uvicorn.Server(uvicorn.Config(Throttled(app, rate, burst), log_config=None, access_log=False, lifespan="off", server_header=False,
                                         headers=list(HEADERS), ws="none", timeout_graceful_shutdown=2, h11_max_incomplete_event_size=HEAD_BYTES,
                                         http=_guarded(head_seconds, connections, per_address)))


def serve(app: ASGIApp, sock: socket.socket) -> None:
    """Serve until SIGINT or SIGTERM (uvicorn's handlers, on the main thread)."""
    _server(app).run(sockets=[sock])


class Background:
    """Serving on a thread of its own (connections queue on the bound socket meanwhile); `close()` stops it."""

    def __init__(self, app: ASGIApp, sock: socket.socket, name: str = "monitor-server",
                 head_seconds: float = HEAD_SECONDS, connections: int = CONNECTIONS, per_address: int = PER_ADDRESS,
                 rate: float = RATE, burst: int = BURST) -> None:
        self.sock, self.server = sock, _server(app, head_seconds, connections, per_address, rate, burst)
        self.thread = Thread(target=self.server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
