"""Peak memory and CPU of `monitor sources add` given a hostile HTML page (xhostile5, stop 45).

Serves a page (a feed link in its head, then PARAGRAPHS paragraphs) and its feed on a local port, runs
`python -m monitor sources add` on it with each PYTHONPATH given (a frozen base, the change) in turn, ROUNDS times,
and prints each run's peak resident memory and CPU seconds (the child's own, from wait4) and the medians.

    python bench/discover_peak.py /tmp/base /work/wt/xhostile5 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HEAD = b'<html><head><title>Wire</title><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>'
FEED = b'<rss version="2.0"><channel><title>Wire</title><item><title>S</title><link>https://w.example/s</link></item></channel></rss>'


def serve(page: bytes) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (the standard library's name)
            body, kind = (FEED, "application/rss+xml") if self.path == "/feed.xml" else (page, "text/html")
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(tree: str, url: str, folder: Path) -> tuple[float, float]:
    """(peak MB, CPU seconds) of one `sources add` with the monitor of `tree`, on a new store."""
    store = folder / f"{os.getpid()}-{threading.get_ident()}.db"
    store.unlink(missing_ok=True)
    config = folder / "monitor.toml"
    config.write_text(f'watchlist = "{Path(tree) / "config/watchlist.yaml"}"\n[store]\npath = "{store}"\n[http]\nallow_networks = ["127.0.0.0/8"]\n')
    with open(os.devnull, "w") as quiet:
        child = subprocess.Popen([sys.executable, "-m", "monitor", "sources", "add", url, "--config", str(config)], cwd=tree,
                                 env={**os.environ, "PYTHONPATH": tree}, stdout=quiet, stderr=quiet)
        _, _, usage = os.wait4(child.pid, 0)
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", help="PYTHONPATHs to compare (a frozen base first)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--paragraphs", type=int, default=300_000)
    args = parser.parse_args()
    server = serve(HEAD + b"<p>a</p>" * args.paragraphs)
    url = f"http://127.0.0.1:{server.server_port}/"
    results: dict[str, list[tuple[float, float]]] = {tree: [] for tree in args.trees}
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(args.rounds):
            for tree in args.trees:  # alternated: the machine's load falls on each alike
                results[tree].append(run(tree, url, Path(scratch)))
                print(f"{tree}: {results[tree][-1][0]:.0f} MB, {results[tree][-1][1]:.2f} s CPU", flush=True)
    for tree, runs in results.items():
        print(f"median {tree}: {statistics.median(r[0] for r in runs):.0f} MB peak, {statistics.median(r[1] for r in runs):.2f} s CPU")
    server.shutdown()


if __name__ == "__main__":
    main()
