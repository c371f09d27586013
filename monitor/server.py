"""The daemon's HTTP endpoint ([server] listen): `/healthz` and `/metrics`, on a thread of its own.

`/healthz` answers 200 "ok", or 503 with the reason in one line (what `Health.problem` says);
`/metrics` is Prometheus' text format: the counters of `monitor.metrics`, plus what is read from the
store at scrape time (deliveries by channel and state, the age of the oldest pending delivery).
Any other path is a 404. The server is the standard library's threading HTTP server: one small
thread per request, nothing shared but the registry (thread-safe) and short store reads.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from monitor import metrics
from monitor.errors import ConfigError, StoreError
from monitor.store import outbox
from monitor.store.db import Database, utcnow

log = logging.getLogger("monitor")


class StoreCollector(Collector):
    """Deliveries by channel and state, and the oldest pending delivery's age, read at each scrape."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        try:
            states = outbox.delivery_states(self.db)
            oldest = outbox.oldest_pending(self.db)
        except StoreError:
            return  # /healthz says why; the counters are still served
        by_state = GaugeMetricFamily("monitor_deliveries", "Deliveries in the store by channel and state", labels=["channel", "state"])
        for (channel, state), count in sorted(states.items()):
            by_state.add_metric([channel, state], count)
        yield by_state
        age = (utcnow() - oldest.since).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily("monitor_oldest_pending_delivery_seconds", "Age of the oldest pending delivery's alert (0 when none)", value=max(age, 0.0))


@dataclass
class Health:
    """What `/healthz` checks: the scheduler ran a job lately, every job works, the store answers,
    and no delivery has waited beyond `overdue_after` seconds."""

    db: Database
    overdue_after: float
    stale_after: float  # seconds without a finished job that make the scheduler stale
    job_causes: Callable[[], Iterable[tuple[str, str]]] = lambda: ()  # (job, failure) of jobs backing off
    last_tick: float = field(default_factory=time.monotonic)

    def tick(self) -> None:
        self.last_tick = time.monotonic()

    def problem(self) -> str | None:
        """None when healthy, else the first reason in one line."""
        idle = time.monotonic() - self.last_tick
        if idle > self.stale_after:
            return f"scheduler stalled: no job has finished for {idle:.0f} s (expected within {self.stale_after:g} s)"
        for job, cause in self.job_causes():
            return f"{job} job failing: {cause}"
        try:
            oldest = outbox.oldest_pending(self.db)
        except StoreError as exc:
            return f"store unavailable: {exc}"
        if oldest is not None:
            waited = (utcnow() - oldest.since).total_seconds()
            if waited > self.overdue_after:
                return (f"delivery overdue: alert {oldest.alert_uid} to {oldest.channel} pending for {waited:.0f} s "
                        f"(over [server] overdue_after = {self.overdue_after:g}); see `monitor alerts`")
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], health: Health, store: CollectorRegistry) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.health, self.store_registry = health, store
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: Any) -> None:  # scrapes every few seconds: not worth a log line each
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            problem = self.server.health.problem()
            self._answer(503 if problem else 200, "text/plain; charset=utf-8", ((problem or "ok") + "\n").encode())
        elif path == "/metrics":
            body = generate_latest(metrics.REGISTRY) + generate_latest(self.server.store_registry)
            self._answer(200, CONTENT_TYPE_LATEST, body)
        else:
            self._answer(404, "text/plain; charset=utf-8", b"not found: try /healthz or /metrics\n")

    def _answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Endpoint:
    """The running server; `close()` stops it."""

    def __init__(self, listen: str, address: tuple[str, int], health: Health) -> None:
        store = CollectorRegistry(auto_describe=False)
        store.register(StoreCollector(health.db))
        try:
            self.httpd = _Server(address, health, store)
        except OSError as exc:
            raise ConfigError(
                f'[server] listen = "{listen}": cannot listen there ({exc.strerror or exc}); stop what uses it, '
                'pick another address, or set listen = "" to run without health and metrics', key="server.listen",
            ) from None
        self.thread = Thread(target=self.httpd.serve_forever, name="monitor-server", daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
