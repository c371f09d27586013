"""The daemon's Prometheus metrics as served."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, generate_latest

from monitor.metrics import BySource


def test_a_counter_by_source_is_served_as_a_labelled_counter() -> None:
    """`BySource` (one dict of values) writes what prometheus_client's Counter with a `source` label wrote."""
    ours, theirs = CollectorRegistry(auto_describe=True), CollectorRegistry(auto_describe=True)
    by_source = BySource("monitor_polls", "Polls of a source", ours)
    counter = Counter("monitor_polls", "Polls of a source", ["source"], registry=theirs)
    assert generate_latest(ours) == generate_latest(theirs)  # no source yet: the help and the type
    for source in ["wire", 'a "quoted" \\ name', "wire", "ünï"]:
        by_source.inc(source)
        counter.labels(source).inc()
    assert generate_latest(ours) == generate_latest(theirs)  # (monitor.metrics turns `_created` off for both)
    assert b'monitor_polls_total{source="wire"} 2.0' in generate_latest(ours)
