"""The polling benchmark's feed server answers as a news site does: feeds, gzip, 304, changes."""

from __future__ import annotations

import gzip
import http.client
import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parent.parent / "bench" / "feed_server.py"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, str(SERVER), "--feeds", "3", "--entries", "4"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("READY "), line
        yield f"http://127.0.0.1:{line.split()[1]}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_feed_gzip_and_conditional_get(base: str) -> None:
    status, headers, body = get(f"{base}/feed/1.xml")
    assert status == 200 and body.startswith(b'<?xml') and body.count(b"<item>") == 4
    assert headers["ETag"] == '"1-0"' and int(headers["Content-Length"]) == len(body)
    status, headers, zipped = get(f"{base}/feed/1.xml", **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped) == body
    status, headers, empty = get(f"{base}/feed/1.xml", **{"If-None-Match": '"1-0"'})
    assert (status, headers["ETag"], empty) == (304, '"1-0"', b"")
    assert get(f"{base}/feed/3.xml")[0] == 404 and get(f"{base}/nothing")[0] == 404


def test_next_cycle_changes_feeds_and_stats_count_requests(base: str) -> None:
    get(f"{base}/_stats?reset=1")
    changed = json.loads(get(f"{base}/_next_cycle?fraction=0.67&seed=5")[2])["changed"]
    assert len(changed) == 2
    for i in range(3):
        status, headers, body = get(f"{base}/feed/{i}.xml", **{"If-None-Match": f'"{i}-0"'})
        assert status == (200 if i in changed else 304)
        if i in changed:
            assert headers["ETag"] == f'"{i}-1"' and body.count(b"<item>") == 4
    requests = json.loads(get(f"{base}/_stats")[2])["requests"]
    assert (requests["200"], requests["304"]) == (2, 1)


def test_requests_on_one_kept_alive_connection(base: str) -> None:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        for i in (0, 2, 0):
            connection.request("GET", f"/feed/{i}.xml")
            response = connection.getresponse()
            assert (response.status, response.read().count(b"<item>")) == (200, 4)
    finally:
        connection.close()


def test_the_polling_bench_runs_the_daemons_fetches_in_flight_by_default(tmp_path: Path) -> None:
    """Regression (left by the last stop, fixed by helper xops5): bench/polling.py ran 10 fetches in flight unless told
    (`--workers`, written as the deprecated [schedule] feed_workers) while the daemon's default is 200 ([http]
    max_in_flight): its readings were of a daemon no one runs. It runs the daemon's default now; `--in-flight N` (or
    `--workers N`) another."""
    bench = SERVER.parent / "polling.py"
    for given, expected in (([], 200), (["--workers", "10"], 10)):
        ran = subprocess.run([sys.executable, str(bench), "--feeds", "2", "--cycles", "0", "--budget", "0", *given], cwd=SERVER.parent.parent,
                             capture_output=True, text=True, timeout=300)
        assert ran.returncode == 0, ran.stderr[-2000:]
        setup = json.loads(ran.stdout.splitlines()[0])
        assert (setup["workers"], setup["max_in_flight"]) == (expected, expected), setup
