"""The parsing processes: feeds parsed off the daemon's process, and no process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from monitor.model import ParsedFeed
from monitor.sources.parsing import ParserPool
from tests.test_pipeline import STRIKE, rss

STARTER = """
import sys, time
from monitor.sources.parsing import ParserPool
pool = ParserPool(2)
pool.submit(b"<rss/>", "wire", {}).result(30)
print(flush=True)
time.sleep(60)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited


def parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def command(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ").decode()


def tree(root: int) -> list[int]:
    """The processes under `root` (its children, theirs, ...)."""
    parents = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            parents[int(entry)] = parent(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = list[int](), {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier and pid not in found}
        found += sorted(frontier)
    return found


@pytest.fixture(scope="module")
def pool() -> Iterator[ParserPool]:
    parsers = ParserPool(2)
    yield parsers
    parsers.shutdown()


def test_a_feed_is_parsed_in_a_worker_with_its_markup_kept_for_later(pool: ParserPool) -> None:
    parsed = pool.submit(rss(("Strike", "https://wire.example/s", "s", STRIKE)), "wire", {}).result(30)
    assert isinstance(parsed, ParsedFeed) and parsed.documents[0].title == "Strike"
    assert parsed.documents[0].text == "" and "<p>" in parsed.documents[0].html and "Suleimani" in parsed.documents[0].html


def test_a_feed_that_is_not_one_comes_back_as_its_one_line_error(pool: ParserPool) -> None:
    error = pool.submit(b"\x00\x01 not a feed", "http://e.example/x", {}).result(30)
    assert isinstance(error, str) and "http://e.example/x" in error and "\n" not in error


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_no_process_is_left_when_the_daemon_is_killed(how: signal.Signals) -> None:
    """The zygote and its workers (and multiprocessing's resource tracker) end when the daemon dies without
    stopping them: a worker's parent is the zygote, so it watches a pipe only the daemon writes, not its parent."""
    daemon = subprocess.Popen([sys.executable, "-c", STARTER], stdout=subprocess.PIPE, text=True)
    assert daemon.stdout is not None
    daemon.stdout.readline()
    started = tree(daemon.pid)
    assert len(started) >= 3 and all(alive(p) for p in started)  # the zygote, its two workers (and the tracker)
    daemon.send_signal(how)
    daemon.wait(10)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [command(p) for p in started if alive(p)]


ZYGOTE = """
import os, sys, threading, time
from monitor.sources.parsing import ParserPool
threading.Thread(target=time.sleep, args=(30,), daemon=True).start()  # a thread runs: a fork of the daemon would be unsafe
pool = ParserPool({workers})
pool.start()
first = set(pool._executor._processes)
def parent(pid):
    with open(f"/proc/{{pid}}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])
zygotes = {{parent(p) for p in first}}
with open(f"/proc/{{next(iter(zygotes))}}/cmdline", "rb") as f:
    print(pool.method, len(first), len(zygotes), os.getpid() not in zygotes, b"multiprocessing.forkserver" in f.read(), "feedparser" in sys.modules)
{body}
"""


def run_zygote(body: str, workers: int = 2) -> list[str]:
    out = subprocess.run([sys.executable, "-c", ZYGOTE.format(body=body, workers=workers)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_the_workers_are_forked_by_the_zygote_not_by_the_daemon_which_never_loads_feedparser() -> None:
    """Issue 21: the workers were forks of the daemon, and every page the daemon wrote afterwards (its imports, its
    reference counts) was copied, the old page kept by the workers for nothing. They are children of the zygote now,
    one process running multiprocessing's fork server, started at once whatever threads run; the daemon imports no
    feedparser."""
    seen = run_zygote("""
from tests.test_pipeline import STRIKE, rss
print(pool.submit(rss(("Strike", "https://wire.example/s", "s", STRIKE)), "wire", {}).result(30).documents[0].title)
print(set(pool._executor._processes) == first)
""", workers=3)
    assert seen == ["forkserver", "3", "1", "True", "True", "False", "Strike", "True"]


def test_a_killed_worker_is_replaced_by_a_new_fork_of_the_zygote() -> None:
    seen = run_zygote("""
import signal
from concurrent.futures.process import BrokenProcessPool
from tests.test_pipeline import STRIKE, rss
os.kill(next(iter(first)), signal.SIGKILL)
deadline = time.monotonic() + 30
while time.monotonic() < deadline:  # the executor sees the death asynchronously: the other worker may still answer
    try:
        pool.submit(b"<rss/>", "wire", {}).result(30)
    except BrokenProcessPool:
        break
    time.sleep(0.02)
print(pool.submit(rss(("Strike", "https://wire.example/s", "s", STRIKE)), "wire", {}).result(30).documents[0].title)
now = set(pool._executor._processes)
print(len(now), bool(now & first), {parent(p) for p in now} == zygotes)
""")
    assert seen == ["forkserver", "2", "1", "True", "True", "False", "Strike", "2", "False", "True"]


SLOW = b"<rss><channel><item><title>a</title>" + b"<x/>" * 150_000 + b"</item></channel></rss>"  # 600 kB: some 4 s of feedparser


def test_a_feed_that_parses_slowly_is_its_one_line_error_past_parse_timeout_and_the_worker_takes_the_next() -> None:
    """Issue (left by the last stop): a parse had no time limit, and a body within max_body_bytes that feedparser takes
    seconds or minutes on (150,000 empty elements in one entry here, each some 20 microseconds to feedparser) held its
    parsing process as long, and every changed feed queued behind it. Past `parse_timeout` CPU seconds the parse stops in
    its worker: the feed's error names it, and the same worker parses the next feed at once."""
    pool = ParserPool(1, parse_timeout=0.3)
    try:
        pool.submit(b"<rss/>", "warm-up", {}).result(60)
        worker = list(pool._executor._processes) if pool._executor else []
        began = time.monotonic()
        slow = pool.submit(SLOW, "https://slow.example/feed", {})
        good = pool.submit(rss(("Strike", "https://wire.example/s", "s", STRIKE)), "wire", {})
        error, parsed = slow.result(60), good.result(60)
        assert error == "https://slow.example/feed: not parsed: its parse took over 0.3 s of CPU ([schedule] parse_timeout)"
        assert isinstance(parsed, ParsedFeed) and parsed.documents[0].title == "Strike"
        assert time.monotonic() - began < 3  # the whole parse takes some 4 s on a quiet machine, more on a loaded one
        assert pool._executor is not None and list(pool._executor._processes) == worker  # no worker was lost
    finally:
        pool.shutdown()
