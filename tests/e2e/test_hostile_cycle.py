"""One polling cycle against a zoo of hostile local servers with one good feed beside them: every
hostile source ends in a one-line error (or a harmless parse) within its deadline, memory stays
bounded, and the good feed still alerts in the same cycle."""

from __future__ import annotations

import gzip
import resource
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from monitor.pipeline import build_pipeline
from monitor.settings import load_settings
from monitor.store import sources
from tests.conftest import JsonReceiver, LocalHTTP, write_config
from tests.test_feeds import BILLION_LAUGHS, quadratic_blowup, rss_item
from tests.test_pipeline import STRIKE, rss

DEADLINE = 2.0
CAP = 1_000_000


def test_hostile_servers_fail_alone_and_the_good_feed_alerts(tmp_path: Path, http_server: LocalHTTP, json_receiver: JsonReceiver) -> None:
    release = threading.Event()

    def drip(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        for _ in range(100):
            if release.wait(0.5):
                return
            handler.wfile.write(b"<")
            handler.wfile.flush()

    def silent(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        release.wait(10)  # headers never come

    def endless(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        handler.send_response(200)
        handler.end_headers()
        chunk = b"<item>" + b"x" * 65536 + b"</item>"
        while not release.is_set():
            try:
                handler.wfile.write(chunk)
            except OSError:
                return

    def liar(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "40")
        handler.end_headers()
        handler.wfile.write(rss(("Long", "https://e.example/l", "l", "x" * 5000)))

    routes = {
        "/bomb": (200, {"Content-Encoding": "gzip"}, gzip.compress(b"\0" * 30_000_000, 1)),
        "/endless": endless,
        "/liar": liar,
        "/drip": drip,
        "/silent": silent,
        "/loop": (302, {"Location": "/loop"}, b""),
        **{f"/hop{i}": (302, {"Location": f"/hop{i + 1}"}, b"") for i in range(15)},
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/500": (500, {}, b"oops"),
        "/429": (429, {"Retry-After": "120"}, b"slow down"),
        "/html": (200, {"Content-Type": "text/html"}, b"<html><body><p>Not a feed</p></body></html>"),
        "/binary": (200, {}, bytes(range(256)) * 100),
        "/billion": (200, {}, rss_item("<title>&lol9;</title>", prolog=BILLION_LAUGHS)),
        "/quadratic": (200, {}, quadratic_blowup(50_000, 20_000)),
        "/javascript": (200, {}, rss_item("<title>Click</title><link>javascript:alert(1)</link>")),
        "/good": (200, {}, rss(("Strike", "https://wire.example/s", "s", STRIKE))),
    }
    http_server.routes.update(routes)
    names = ["bomb", "endless", "liar", "drip", "silent", "loop", "hop0", "to-file", "404", "500", "429", "html", "binary", "billion", "quadratic", "javascript", "good"]
    config = write_config(
        tmp_path, feeds=[{"name": n, "url": http_server.url(f"/{n}")} for n in names], channels=[{"name": "hook", "url": json_receiver.url}],
        settings={"http": {"timeout": 1, "deadline": DEADLINE, "max_body_bytes": CAP}, "schedule": {"feed_workers": 4}},
    )
    pipeline = build_pipeline(load_settings(config))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        pipeline.run_once(settle_wait=0)
    finally:
        release.set()
    elapsed = time.monotonic() - started

    health = {h.name: h for h in sources.list_sources(pipeline.db)}
    expected_errors = {
        "bomb": "larger than", "endless": "larger than", "drip": "deadline", "silent": "timed out", "loop": "redirects",
        "hop0": "redirects", "to-file": "unsupported", "404": "HTTP 404", "500": "HTTP 500", "429": "HTTP 429",
        "html": "not a usable feed", "binary": "not a usable feed", "liar": ("invalid HTTP response", "not a usable feed"),  # the lie seen, or the body cut at its Content-Length
    }
    for name, words in expected_errors.items():
        error = health[name].last_error or ""
        assert any(w in error for w in ([words] if isinstance(words, str) else words)) and "\n" not in error and f"/{name}" in error, (name, error)
    for name in ("billion", "quadratic", "javascript", "good"):
        assert health[name].error_count == 0, (name, health[name].last_error)
    assert len(json_receiver.messages) == 1 and "Qasem Soleimani" in json_receiver.messages[0]["title"]
    assert elapsed < 17 * DEADLINE / 4 + 10  # 17 sources on 4 workers, each bounded by its deadline
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert grown_mb < 150, f"peak memory grew by {grown_mb:.0f} MB"
