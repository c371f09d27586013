"""A poll's memory when many feeds with validators change at once into large bodies (issue 21's bodies, hostile input).

    prlimit --as=4000000000 .venv/bin/python bench/large_bodies.py [--feeds 100] [--mb 9] [--in-flight 200]

A local server (its own process) serves N feeds, each a one-entry RSS feed padded with whitespace to the given size
(under `[http] max_body_bytes`, 10 MB) and a new ETag; each job carries an old ETag, as a steady cycle's feeds do, so
no fetch holds a turn of the byte budget while it reads. One `Poller` with the daemon's limits (`max_in_flight` 200,
the backlog of two parsing processes, the large-body slots of the code under test) polls them while the store is
behind (50 ms an outcome). One JSON line: the poll's wall time, this process's peak RSS (VmHWM; the parsing processes
not counted) and the outcomes stored.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from monitor.model import FetchState
from monitor.settings import HttpSettings
from monitor.sources.parsing import ParserPool
from monitor.sources.poller import Poller, PollLimits
from monitor.store.sources import FeedJob

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Item</title><link>https://wire.example/1</link><guid>g1</guid><description>Story.</description></item></channel></rss>'


def serve(port: multiprocessing.Queue, size: int) -> None:  # type: ignore[type-arg]
    body = FEED + b" " * (size - len(FEED))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("ETag", '"new"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        request_queue_size = 1024  # every fetch connects at once

    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port.put(httpd.server_address[1])
    httpd.serve_forever()


def peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--mb", type=float, default=9.0)
    parser.add_argument("--in-flight", type=int, default=200)
    args = parser.parse_args()
    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.Process(target=serve, args=(ports, int(args.mb * 1_000_000)), daemon=True)
    server.start()
    port = ports.get(timeout=10)
    jobs = [FeedJob(i, f"f{i}", f"http://127.0.0.1:{port}/f{i}.xml", None, 0, state=FetchState('"old"')) for i in range(args.feeds)]
    limits = HttpSettings(allow_networks=["127.0.0.0/8"]).limits()
    parsers = ParserPool(2)
    stored = errors = 0
    before, began = peak_rss_mb(), time.perf_counter()
    try:
        with Poller(jobs, limits, PollLimits(max_in_flight=args.in_flight, backlog=8, per_host=10_000), parsers) as poller:
            for item in poller.outcomes(1.0):
                if item is not None:
                    stored += item.parsed is not None
                    errors += item.error is not None
                    if item.error is not None and errors == 1:
                        print(str(item.error)[:300])
                    time.sleep(0.05)
                    item.done()
    finally:
        parsers.shutdown()
        server.terminate()
    print(json.dumps({"feeds": args.feeds, "mb_each": args.mb, "in_flight": args.in_flight, "seconds": round(time.perf_counter() - began, 1),
                      "peak_rss_mb_before": round(before, 1), "peak_rss_mb": round(peak_rss_mb(), 1), "stored": stored, "errors": errors,
                      "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
