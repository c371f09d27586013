"""Time from a file landing in a watched inbox to its alert being delivered, through the real daemon.

Starts `monitor run` on a temporary config (SQLite, one inbox, the offline console channel writing
JSON lines), drops N matching articles one at a time, and measures for each the time until its
alert line appears. Prints the median, the 90th percentile and the worst.

    .venv/bin/python bench/inbox_latency.py [N]
"""

from __future__ import annotations

import json
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ACTORS = ["Kataeb Hezbollah", "Qasem Soleimani", "Abu Mahdi al-Muhandis", "the IRGC", "Tehran"]
VOCABULARY = ("officials convoy border ministry statement province talks village bridge market commander embassy "
              "residents troops highway council protest election budget harbour airport river mountain").split()


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inbox, alerts = root / "inbox", root / "alerts.jsonl"
        inbox.mkdir()
        config = root / "monitor.toml"
        config.write_text(
            f'watchlist = "{REPO / "config" / "watchlist.yaml"}"\n[store]\npath = "{root / "monitor.db"}"\n'
            f'[[folders]]\npath = "{inbox}"\nsettle_seconds = 0.3\n'
            f'[[channels]]\nname = "console"\nurl = "console://local?file={alerts}"\n'
        )
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(3)  # start-up
            latencies = []
            rng = random.Random(20200103)
            for i in range(n):
                started = time.monotonic()
                words = " ".join(rng.choice(VOCABULARY) for _ in range(40))  # distinct stories: copies of one would not alert again
                (inbox / f"a{i}.txt").write_text(f"{ACTORS[i % len(ACTORS)]} was blamed for a drone strike on a base near Erbil. {words}.\n")
                while len(alerts.read_text().splitlines() if alerts.exists() else []) <= i:
                    if time.monotonic() - started > 30:
                        raise SystemExit(f"article {i}: no alert after 30 s")
                    time.sleep(0.01)
                latencies.append(time.monotonic() - started)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
    latencies.sort()
    print(json.dumps({
        "articles": n,
        "median_s": round(statistics.median(latencies), 3),
        "p90_s": round(latencies[int(0.9 * (n - 1))], 3),
        "max_s": round(latencies[-1], 3),
    }))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
