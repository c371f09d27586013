"""The latency benchmark's server (bench/latency_server.py) behaves as configured, over real HTTP and TLS:
distinct loopback hosts, at least the injected minimum delay, 500s and resets, HTTPS trusted only through
its CA, conditional GET."""

from __future__ import annotations

import http.client
import json
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

SERVER = Path(__file__).resolve().parent.parent / "bench" / "latency_server.py"
MIN_DELAY_S = 0.05  # the server's smallest injected latency, before any request multiplier


class Harness:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, str(SERVER), *args], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        assert line.startswith("READY "), line
        _, port, ca = line.split()
        self.port, self.ca = int(port), ca
        self.urls: list[str] = self.control("/_feeds")

    def control(self, path: str) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def plain() -> Iterator[Harness]:
    """Three HTTP hosts, six feeds, no errors."""
    harness = Harness("--hosts", "3", "--feeds", "6", "--entries", "3", "--tls-share", "0", "--error-share", "0", "--slow-share", "0")
    yield harness
    harness.stop()


def get(url: str, context: ssl.SSLContext | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10, context=context) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_feeds_are_spread_over_distinct_loopback_hosts_on_one_port(plain: Harness) -> None:
    hosts = [urlsplit(u).hostname for u in plain.urls]
    assert hosts == ["127.20.0.1", "127.20.0.2", "127.20.0.3"] * 2
    assert {urlsplit(u).port for u in plain.urls} == {plain.port}
    assert get(plain.urls[0].replace("127.20.0.1", "127.20.0.2"))[0] == 404  # feed 0 lives on host 0 only


def test_every_answer_comes_after_at_least_the_injected_minimum(plain: Harness) -> None:
    plain.control("/_stats?reset=1")
    for url in plain.urls:
        started = time.monotonic()
        status, _, body = get(url)
        assert status == 200 and body.count(b"<item>") == 3
        assert time.monotonic() - started >= MIN_DELAY_S
    delays = plain.control("/_stats")["injected_delay_ms"]
    assert delays["n"] == 6 and delays["p10"] >= MIN_DELAY_S * 1000


def test_conditional_get_and_changes(plain: Harness) -> None:
    status, headers, _ = get(plain.urls[1])
    etag = headers["ETag"]
    assert get(plain.urls[1], headers={"If-None-Match": etag})[0] == 304
    changed = plain.control("/_next_cycle?fraction=1&seed=3")["changed"]
    assert changed == list(range(6))
    status, headers, _ = get(plain.urls[1], headers={"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag


def test_errors_are_500s_and_connection_resets() -> None:
    harness = Harness("--hosts", "2", "--feeds", "4", "--tls-share", "0", "--error-share", "1", "--latency-scale", "0.1")
    try:
        outcomes: list[int | str] = []
        for n in range(12):
            url = urlsplit(harness.urls[n % 4])
            connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
            try:
                connection.request("GET", url.path)
                outcomes.append(connection.getresponse().status)
            except (ConnectionResetError, http.client.RemoteDisconnected):
                outcomes.append("reset")
            finally:
                connection.close()
        assert set(outcomes) == {500, "reset"}  # seeded: both kinds come in these twelve
        requests = harness.control("/_stats")["requests"]
        assert requests["500"] + requests["reset"] == 12 and requests["200"] == 0
    finally:
        harness.stop()


def test_tls_hosts_are_trusted_through_the_ca_file_only() -> None:
    harness = Harness("--hosts", "2", "--feeds", "2", "--tls-share", "1", "--error-share", "0", "--latency-scale", "0.1")
    try:
        assert all(u.startswith("https://") for u in harness.urls)
        trusting = ssl.create_default_context(cafile=harness.ca)
        for url in harness.urls:
            status, _, body = get(url, trusting)
            assert status == 200 and body.startswith(b"<?xml")
        with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
            get(harness.urls[0], ssl.create_default_context())
        assert harness.control("/_stats")["requests"]["tls_connections"] >= 2
    finally:
        harness.stop()
