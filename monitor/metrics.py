"""The daemon's Prometheus metrics: counters and histograms the pipeline and the dispatcher bump.

Only this module imports prometheus_client's metric types (`monitor/server.py` serves them). Labels
are bounded: `source` is a configured or added source's name (its secrets masked: a feed's name may be its URL; written out as
the log writes it: an added feed's name is its title), `channel` a configured channel's name,
`severity` 0-4, `outcome`/`state` a handful of words. What is read from the store (deliveries by state,
the oldest pending delivery) is computed at scrape time by the server's collector.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from monitor.redact import printable, redact


class BySource(Collector):
    """A counter by source, served as a labelled Counter is (`<name>_total{source="..."}`), its values in
    one dict: a Counter keeps a child per label value (its value, lock and labels: ~0.5 KB), 2 MB for the
    two counters of 2,000 feeds."""

    def __init__(self, name: str, documentation: str, registry: CollectorRegistry) -> None:
        self.name, self.documentation = name, documentation
        self._counts: dict[str, float] = {}
        self._lock = threading.Lock()
        registry.register(self)

    def inc(self, source: str) -> None:
        with self._lock:
            self._counts[source] = self._counts.get(source, 0.0) + 1.0

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(self.name, self.documentation, labels=["source"])
        with self._lock:
            counts = list(self._counts.items())
        for source, count in counts:
            family.add_metric([_label(source)], count)
        yield family


@functools.cache
def _label(source: str) -> str:
    """A source's name as a label as the log writes it: its secrets masked (a feed named by its URL: `?token=****`), its
    control and invisible characters written out (a feed's title names it: a bidi override would reorder a dashboard's
    legend); once per name (a source's secrets are registered before it is polled, so before its name is counted)."""
    return printable(redact(source))


disable_created_metrics()  # type: ignore[no-untyped-call]  # no `_created` series beside each counter: half the lines, nothing an alert uses
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)  # memory, CPU, open files of the daemon

POLLS = BySource("monitor_polls", "Polls of a source (feed fetched or folder file read)", REGISTRY)
POLL_ERRORS = BySource("monitor_poll_errors", "Failed polls of a source (fetch, parse or read error)", REGISTRY)
FETCH_SECONDS = Histogram("monitor_fetch_seconds", "Time to fetch one feed", registry=REGISTRY,
                          buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
PARSE_SECONDS = Histogram("monitor_parse_seconds", "Time to parse one changed feed (in a parsing process, waiting included)", registry=REGISTRY,
                          buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
ARTICLES = BySource("monitor_articles_stored", "New articles stored", REGISTRY)
PREPARED_HERE = Counter("monitor_articles_prepared_by_daemon", "New articles matched and sketched on the storing thread, not by a parsing "
                        "process (folders, full-text feeds, a worker that could not prepare a feed)", registry=REGISTRY)
MATCHES = Counter("monitor_matches", "Watched actors and events found in new articles", registry=REGISTRY)
ALERTS = Counter("monitor_alerts", "Alerts raised", ["severity"], registry=REGISTRY)
DELIVERIES = Counter("monitor_delivery_outcomes", "Delivery attempts by channel and outcome (sent, failed, gave_up, held, digest_sent)",
                     ["channel", "outcome"], registry=REGISTRY)
CONSOLE_UNPRINTED = Counter("monitor_console_unprinted", "Alerts a console:// channel did not print: its terminal took nothing "
                            "(they are in the store and in the channel's file)", registry=REGISTRY)
STORY_INDEX = Gauge("monitor_story_index_size", "Articles in the near-duplicate story index", registry=REGISTRY)
SCHEDULER_LAG = Gauge("monitor_scheduler_lag_seconds", "How late the last scheduled job started after its due time", registry=REGISTRY)


@contextmanager
def timed(histogram: Histogram) -> Iterator[None]:
    """Observe the block's wall time (monotonic) in `histogram`."""
    start = time.monotonic()
    try:
        yield
    finally:
        histogram.observe(time.monotonic() - start)
