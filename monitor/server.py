"""The daemon's HTTP endpoint ([server] listen): `/healthz` and `/metrics`, on a thread of its own.

`/healthz` answers 200 "ok", or 503 with the reason in one line (what `Health.problem` says: in full on a loopback
address to a request naming a loopback host, else its kind only, naming no file, database or channel; logged in full);
`/metrics` is Prometheus' text format: the counters of `monitor.metrics`, plus what is read from the
store at scrape time (deliveries by channel and state, the age of the oldest pending delivery).
Any other path is the web view (monitor/web), or a 404 when it is not served. The server is uvicorn
on a thread of its own (monitor/web/serve.py); the handlers run on its thread pool, sharing nothing but
the registry (thread-safe) and short store reads. Starlette, uvicorn and the web view are imported by
`Endpoint` only: a daemon with `listen = ""` does not load them (≈ 4 MB; the daemon needs `Health` alone).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from monitor import metrics
from monitor.errors import StoreError
from monitor.model import Watchlist
from monitor.store import outbox
from monitor.store.db import Database, utcnow

if TYPE_CHECKING:
    from starlette.routing import Route
    from starlette.types import Receive, Scope, Send

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
    and no delivery to its `channels` (the daemon's config's: those it sends; None: every channel) has waited
    beyond `overdue_after` seconds."""

    db: Database
    overdue_after: float
    stale_after: float  # seconds without a finished job that make the scheduler stale
    job_causes: Callable[[], Iterable[tuple[str, str]]] = lambda: ()  # (job, failure) of jobs backing off
    last_tick: float = field(default_factory=time.monotonic)
    channels: Callable[[], Collection[str]] | None = None

    def tick(self) -> None:
        self.last_tick = time.monotonic()

    def problem(self) -> tuple[str, str] | None:
        """None when healthy, else the first reason in one line, twice: in brief, naming no file, database, job
        cause or channel (what a probe off loopback is told), and in full."""
        idle = time.monotonic() - self.last_tick
        if idle > self.stale_after:
            brief = f"scheduler stalled: no job has finished for {idle:.0f} s (expected within {self.stale_after:g} s)"
            return brief, brief
        for job, cause in self.job_causes():
            return f"{job} job failing: {cause.partition(' (')[0]}", f"{job} job failing: {cause}"  # "store unavailable (<why>)"
        try:
            oldest = outbox.oldest_pending(self.db, None if self.channels is None else self.channels())
        except StoreError as exc:
            return "store unavailable", f"store unavailable: {exc}"
        if oldest is not None:
            waited = (utcnow() - oldest.since).total_seconds()
            if waited > self.overdue_after:
                return (f"delivery overdue: pending for {waited:.0f} s (over [server] overdue_after = {self.overdue_after:g})",
                        f"delivery overdue: alert {oldest.alert_uid} to {oldest.channel} pending for {waited:.0f} s "
                        f"(over [server] overdue_after = {self.overdue_after:g}); see `monitor alerts`")
        return None


METRICS_ELSEWHERE = ("/metrics on a loopback address answers a request naming a loopback host only (http://127.0.0.1:PORT/metrics): "
                     "set [server] listen to another address to serve it to that network\n")


def _routes(health: Health, store: CollectorRegistry, loopback: bool) -> list[Route]:
    """/healthz, for any probe (its reason in full on a `loopback` address to a request naming a loopback host only, else
    in brief: a file's path, a database's name or a channel's is no business of the network's); /metrics, on a `loopback`
    address for a request naming a loopback host only (DNS rebinding)."""
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    from monitor.web.auth import names_loopback

    said = [""]  # the kind of problem last logged: each is logged once, in full, as /healthz first answers it

    def healthz(request: Request) -> Response:
        problem = health.problem()
        if problem is None:
            said[0] = ""
            return PlainTextResponse("ok\n")
        brief, full = problem
        if brief.partition(":")[0] != said[0]:  # not again for each probe, as the seconds waited grow
            said[0] = brief.partition(":")[0]
            log.warning("/healthz answers 503: %s", full)
        if loopback and names_loopback(request.scope):
            return PlainTextResponse(full + "\n", 503)
        return PlainTextResponse(f"{brief} (in full: the daemon's log, or /healthz on a loopback address as http://127.0.0.1:PORT/healthz)\n", 503)

    def scrape(request: Request) -> Response:
        if loopback and not names_loopback(request.scope):
            return PlainTextResponse(METRICS_ELSEWHERE, 403)
        return Response(generate_latest(metrics.REGISTRY) + generate_latest(store), media_type=CONTENT_TYPE_LATEST)

    return [Route("/healthz", healthz), Route("/metrics", scrape)]


async def _elsewhere(scope: Scope, receive: Receive, send: Send) -> None:
    from starlette.responses import PlainTextResponse

    await PlainTextResponse("not found: try /healthz or /metrics\n", 404)(scope, receive, send)


class Endpoint:
    """The running server; `close()` stops it. With `watchlist`, the web view (monitor/web) is served
    beside /healthz and /metrics, unless the address is not loopback and no credentials are set."""

    def __init__(self, listen: str, address: tuple[str, int], health: Health, watchlist: Callable[[], Watchlist] | None = None) -> None:
        from monitor.web.app import beside, create_app, daemon_access  # the site's templates (jinja2) are loaded by create_app
        from monitor.web.auth import is_loopback
        from monitor.web.serve import Background, bind

        store = CollectorRegistry(auto_describe=False)
        store.register(StoreCollector(health.db))
        sock = bind(address, lambda why: f'[server] listen = "{listen}": cannot listen there ({why}), '
                                         'or set listen = "" to run without health and metrics')
        access = daemon_access(address[0]) if watchlist is not None else None
        routes = _routes(health, store, is_loopback(address[0]))
        self.site = watchlist is not None and access is not None
        app = (create_app(health.db, watchlist, access, extra=routes) if watchlist is not None and access is not None
               else beside(routes, _elsewhere))
        self.served = Background(app, sock)

    @property
    def port(self) -> int:
        return self.served.port

    def close(self) -> None:
        self.served.close()
