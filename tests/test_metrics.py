"""The daemon's Prometheus metrics as served."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, generate_latest

from monitor.metrics import BySource
from tests.conftest import LocalHTTP, free_port, wait_for, write_config


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


def test_a_source_label_has_its_control_and_invisible_characters_written_out_as_the_log_does() -> None:
    """Regression (xweb4, session 44): a feed added by `monitor sources add` is named by its title, the feed's own text;
    its bidi override or zero-width space went raw into the `source` label, where a dashboard's legend reordered or hid
    them ("Wire \\u202eevil" shown as "Wire live"), while the log, `monitor sources` and the web view wrote them out. The
    label is written as they write it."""
    registry = CollectorRegistry(auto_describe=True)
    by_source = BySource("monitor_polls", "Polls of a source", registry)
    by_source.inc("Wire \u202eevil\u200b\x1b[31m")
    served = generate_latest(registry).decode()
    assert "\u202e" not in served and "\u200b" not in served and "\x1b" not in served
    assert 'monitor_polls_total{source="Wire \\\\u202eevil\\\\u200b\\\\x1b[31m"} 1.0' in served, served


def test_the_metrics_mask_the_secrets_of_a_feed_named_by_its_url(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression: a `[[feeds]]` entry without a name is named by its URL, and /metrics served that name as its `source`
    label whole: its `token=` value and path token went to every Prometheus that scraped it (and its storage), while the
    log, `monitor sources` and the web view masked them. The labels are masked as they are."""
    path_token, query_token = "abcdef0123456789abcdef0123456789", "sekrit-123"
    port = free_port()
    config = write_config(tmp_path, feeds=[{"url": http_server.url(f"/feeds/{path_token}/rss?token={query_token}")}],
                          settings={"server": {"listen": f"127.0.0.1:{port}"}})
    daemon = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def polled() -> str | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                page = response.read().decode()
        except OSError:
            return None
        return page if "monitor_poll_errors_total{" in page else None

    try:
        page = wait_for(polled, timeout=60)
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
    assert path_token not in page and query_token not in page, page
    assert f'monitor_poll_errors_total{{source="http://127.0.0.1:{http_server.port}/feeds/****/rss?token=****"}} 1.0' in page, page
