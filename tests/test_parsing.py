"""The parsing processes: feeds parsed off the daemon's process, and no process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from monitor.model import ParsedFeed
from monitor.sources.parsing import parse_in_worker, parser_pool
from tests.test_pipeline import STRIKE, rss

STARTER = """
import sys, time
from monitor.sources.parsing import parser_pool
print(*parser_pool(2)._processes, flush=True)
time.sleep(60)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited


def test_a_feed_is_parsed_in_a_worker_with_its_markup_kept_for_later() -> None:
    parsed = parser_pool(2).submit(parse_in_worker, rss(("Strike", "https://wire.example/s", "s", STRIKE)), "wire", {}).result(30)
    assert isinstance(parsed, ParsedFeed) and parsed.documents[0].title == "Strike"
    assert parsed.documents[0].text == "" and "<p>" in parsed.documents[0].html and "Suleimani" in parsed.documents[0].html


def test_a_feed_that_is_not_one_comes_back_as_its_one_line_error() -> None:
    error = parser_pool(2).submit(parse_in_worker, b"\x00\x01 not a feed", "http://e.example/x", {}).result(30)
    assert isinstance(error, str) and "http://e.example/x" in error and "\n" not in error


@pytest.mark.parametrize("start", ["", "from monitor.sources.parsing import prefork\nprefork()\n"], ids=["spawned", "forked"])
def test_workers_exit_when_the_daemon_is_killed(start: str) -> None:
    daemon = subprocess.Popen([sys.executable, "-c", start + STARTER], stdout=subprocess.PIPE, text=True)
    assert daemon.stdout is not None
    workers = [int(p) for p in daemon.stdout.readline().split()]
    assert len(workers) == 2 and all(alive(p) for p in workers)
    daemon.send_signal(signal.SIGKILL)
    daemon.wait(10)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in workers)


FORKED = """
import os, sys
from monitor.sources import parsing
parsing.prefork()
forked = set(parsing.parser_pool(2)._processes)
{body}
"""


def run_forked(body: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", FORKED.format(body=body)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_a_preforked_pool_is_used_when_its_size_fits_and_replaced_by_a_spawned_one_when_not() -> None:
    seen = run_forked("""
from tests.test_pipeline import STRIKE, rss
from monitor.sources.parsing import parse_in_worker, parser_pool
print(parser_pool(2).submit(parse_in_worker, rss(("Strike", "https://wire.example/s", "s", STRIKE)), "wire", {}).result(30).documents[0].title)
print(set(parser_pool(2)._processes) == forked)
three = parser_pool(3)
print(len(three._processes), bool(set(three._processes) & forked))
print(three.submit(parse_in_worker, rss(("Calm", "https://wire.example/c", "c", "Calm.")), "wire", {}).result(30).documents[0].title)
""")
    assert seen == ["Strike", "True", "3", "False", "Calm"]


def test_a_broken_preforked_pool_is_replaced_by_a_spawned_one() -> None:
    seen = run_forked("""
import signal, time
from concurrent.futures.process import BrokenProcessPool
from tests.test_pipeline import STRIKE, rss
from monitor.sources.parsing import parse_in_worker, parser_pool
os.kill(next(iter(forked)), signal.SIGKILL)
time.sleep(0.5)
try:
    parser_pool(2).submit(parse_in_worker, b"<rss/>", "wire", {}).result(30)
except BrokenProcessPool:
    pass
pool = parser_pool(2)
print(bool(set(pool._processes) & forked), all(p._popen.__class__.__name__ == "Popen" and p._popen.method == "spawn" for p in pool._processes.values()))
print(pool.submit(parse_in_worker, rss(("Strike", "https://wire.example/s", "s", STRIKE)), "wire", {}).result(30).documents[0].title)
""")
    assert seen == ["False", "True", "Strike"]


def test_prefork_does_nothing_once_a_thread_runs() -> None:
    out = subprocess.run([sys.executable, "-c", """
import threading, time
from monitor.sources import parsing
threading.Thread(target=time.sleep, args=(2,), daemon=True).start()
parsing.prefork()
print(parsing._pool is None)
"""], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["True"], out.stderr
