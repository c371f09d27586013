"""The parsing processes: feeds parsed off the daemon's process, and no process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

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


def test_workers_exit_when_the_daemon_is_killed() -> None:
    daemon = subprocess.Popen([sys.executable, "-c", STARTER], stdout=subprocess.PIPE, text=True)
    assert daemon.stdout is not None
    workers = [int(p) for p in daemon.stdout.readline().split()]
    assert len(workers) == 2 and all(alive(p) for p in workers)
    daemon.send_signal(signal.SIGKILL)
    daemon.wait(10)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in workers)
