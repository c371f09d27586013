"""Serving an ASGI app with uvicorn on a socket bound here (so that an address in use is a one-line
ConfigError before anything starts): in the foreground (`monitor web`) or on a thread (`monitor run`)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from threading import Thread

import uvicorn
from starlette.types import ASGIApp

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


def _server(app: ASGIApp) -> uvicorn.Server:
    # log_config=None: the monitor's logging stays as configured; no access log (a line per page is noise)
    return uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", server_header=False, timeout_graceful_shutdown=2))


def serve(app: ASGIApp, sock: socket.socket) -> None:
    """Serve until SIGINT or SIGTERM (uvicorn's handlers, on the main thread)."""
    _server(app).run(sockets=[sock])


class Background:
    """Serving on a thread of its own (connections queue on the bound socket meanwhile); `close()` stops it."""

    def __init__(self, app: ASGIApp, sock: socket.socket, name: str = "monitor-server") -> None:
        self.sock, self.server = sock, _server(app)
        self.thread = Thread(target=self.server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
