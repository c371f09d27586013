"""Crash safety: the daemon is killed with SIGKILL at random moments while articles keep arriving.

Afterwards every article is stored once with its matches and its alert, every alert reached the
local json:// receiver, at most one repeat per kill, and (on SQLite) the integrity check is ok.
"""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from tests.conftest import ON_POSTGRES, REPO, JsonReceiver, query, wait_for, write_config

KILLS = 20
ARTICLES = 60
ACTORS = ["Kataeb Hezbollah", "Qassem Suleimani", "the IRGC", "Abu Mahdi al-Muhandis", "Tehran"]
VOCABULARY = ("officials convoy border ministry statement province talks village bridge market commander embassy "
              "residents troops highway council protest election budget harbour airport river mountain").split()


def start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=REPO, stdout=out, stderr=out)


def test_sigkill_at_random_moments_loses_nothing_and_repeats_at_most_once_per_kill(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url, "max_per_hour": 0}], settings={"delivery": {"lease_seconds": 1.0}})
    log = tmp_path / "daemon.log"
    rng = random.Random(20200103)
    rng_text = random.Random(7)

    def feed() -> None:
        for i in range(ARTICLES):
            path = inbox / f"a{i:03d}.txt"
            words = " ".join(rng_text.choice(VOCABULARY) for _ in range(40))  # distinct stories, not copies of one
            path.with_suffix(".part").write_text(f"{ACTORS[i % len(ACTORS)]} was blamed for a drone strike near Erbil. {words}.\n")
            path.with_suffix(".part").rename(path)
            time.sleep(0.25)

    feeder = threading.Thread(target=feed)
    feeder.start()
    deadline = time.monotonic() + 150
    for _ in range(KILLS):
        proc = start(config, log)
        time.sleep(rng.uniform(0.5, 2.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert time.monotonic() < deadline
    feeder.join()

    runs_before = log.read_text().count("monitor running")
    proc = start(config, log)
    try:
        wait_for(lambda: log.read_text().count("monitor running") > runs_before, timeout=30)
        count = lambda sql: query(tmp_path, sql)[0][0]  # noqa: E731
        wait_for(lambda: count("select count(*) from articles") == ARTICLES, timeout=30)
        wait_for(lambda: count("select count(*) from deliveries where status = 'sent'") == ARTICLES, timeout=30)
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0

    assert ON_POSTGRES or query(tmp_path, "pragma integrity_check")[0][0] == "ok"
    assert count("select count(*) from alerts") == ARTICLES
    assert count("select count(*) from articles where id not in (select article_id from matches)") == 0
    assert count("select count(*) from articles where id not in (select article_id from alerts)") == 0
    uids = {row[0] for row in query(tmp_path, "select uid from alerts")}
    received = Counter(re.search(r"Alert id: (\w+)", m["message"]).group(1) for m in json_receiver.messages)  # type: ignore[union-attr]
    assert set(received) == uids  # every alert delivered
    repeats = sum(n - 1 for n in received.values())
    assert repeats <= KILLS, received
