"""Every file of the shared feed corpus served over local HTTP and polled through the pipeline:
nothing crashes, and each source either yields articles or records a one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.pipeline import build_pipeline
from monitor.settings import load_settings
from monitor.store import sources
from tests.conftest import CORPUS, LocalHTTP, write_config


def test_whole_corpus_polled_over_http(tmp_path: Path, http_server: LocalHTTP) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"feed corpus absent: {CORPUS} not found (set MONITOR_CORPUS to its folder)")
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in {".xml", ".rdf", ".rss", ".atom"})
    assert len(files) > 2000
    for i, path in enumerate(files):
        http_server.routes[f"/f{i}"] = (200, {}, path.read_bytes())
    config = write_config(tmp_path, channels=[], settings={"schedule": {"feed_workers": 4}})
    pipeline = build_pipeline(load_settings(config))
    try:
        for i, path in enumerate(files):
            sources.add_feed(pipeline.db, str(path.relative_to(CORPUS)), http_server.url(f"/f{i}"), None)
        pipeline.poll_all_feeds()
        health = sources.list_sources(pipeline.db)
    finally:
        pipeline.close()  # its parsing processes: not left running into the next tests
    assert len(health) == len(files)
    unchecked = [h.name for h in health if h.last_checked_at is None]
    assert unchecked == []
    for h in health:  # a usable feed (some are valid and empty), or a one-line error naming the URL
        assert (h.error_count == 0) == (h.last_error is None) == (h.last_success_at is not None), h
        assert h.last_error is None or ("\n" not in h.last_error and "/f" in h.last_error), h
    stored = sum(h.last_new_items for h in health)
    errors = sum(1 for h in health if h.error_count)
    assert stored > 1000 and errors < len(files) / 2, (stored, errors)
