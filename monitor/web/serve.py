"""Serving an ASGI app with uvicorn on a socket bound here (so that an address in use is a one-line
ConfigError before anything starts): in the foreground (`monitor web`) or on a thread (`monitor run`).

uvicorn bounds a request's head (h11: 16 KiB) but not the time it takes to come, nor the connections open:
its keep-alive timer runs only between requests and stops at the first byte received, so a client sending a
byte now and then (or connecting and saying nothing) held one of the daemon's file descriptors for ever.
`_guarded` adds both bounds to uvicorn's HTTP/1.1 protocol (the class `uvicorn.Config(http=...)` takes)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from threading import Thread

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from monitor.errors import ConfigError


def bind(address: tuple[str, int], refused: Callable[[str], str]) -> socket.socket:
    """A listening socket on `address`; ConfigError(refused(reason)) when the address cannot be had."""
    sock = socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(refused(str(exc.strerror or exc)), key="server.listen") from None
    sock.set_inheritable(True)
    return sock


HEAD_SECONDS = 10.0  # a request must arrive whole within this of its connection, or of the last answer on it
CONNECTIONS = 100  # open at once; one more is answered 503 and closed
BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 21\r\nConnection: close\r\n\r\ntoo many connections\n"


def _guarded(head_seconds: float, connections: int) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request has not come whole within `head_seconds`
    (of the connection, or of the last answer on it), dropping one whose answer the client has read nothing of for
    a whole period (the same bytes unsent at two checks `head_seconds` apart), and turning away, with a 503, a
    connection past `connections` open at once."""

    class Guarded(H11Protocol):
        deadline: asyncio.TimerHandle | None = None
        unsent = -1  # bytes of the answer not yet taken by the client at the last check

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > connections:
                transport.write(BUSY)
                transport.close()
                return
            self._arm()

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


def _server(app: ASGIApp, head_seconds: float = HEAD_SECONDS, connections: int = CONNECTIONS) -> uvicorn.Server:
    # log_config=None: the monitor's logging stays as configured; no access log (a line per page is noise)
    return uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", server_header=False, timeout_graceful_shutdown=2,
                                         http=_guarded(head_seconds, connections)))


def serve(app: ASGIApp, sock: socket.socket) -> None:
    """Serve until SIGINT or SIGTERM (uvicorn's handlers, on the main thread)."""
    _server(app).run(sockets=[sock])


class Background:
    """Serving on a thread of its own (connections queue on the bound socket meanwhile); `close()` stops it."""

    def __init__(self, app: ASGIApp, sock: socket.socket, name: str = "monitor-server",
                 head_seconds: float = HEAD_SECONDS, connections: int = CONNECTIONS) -> None:
        self.sock, self.server = sock, _server(app, head_seconds, connections)
        self.thread = Thread(target=self.server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
