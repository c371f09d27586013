"""Feeds served from many loopback hosts at internet latency, for bench/latency_poll.py (issue 18).

Standard library only, one asyncio event loop, its own process (remote sites cost the daemon no CPU):

    .venv/bin/python bench/latency_server.py [--hosts 500] [--feeds 10000] [--entries 5] [--new 2]
        [--seed 1] [--latency-scale 1] [--tls-share 0.2] [--slow-share 0.02] [--error-share 0.05]

Host h listens on its own loopback address, 127.20.<h // 250>.<h % 250 + 1> (all of 127.0.0.0/8 is
loopback on Linux), every host on the same port: the daemon's per-host politeness keys on the host
name of the URL, so these are distinct hosts to it, as distinct ports on 127.0.0.1 would not be. Feed i
is served by host i % hosts at /feed/<i>.xml. A --tls-share of the hosts speak HTTPS with a leaf
certificate (an IP subject-alternative name per TLS host) signed by a CA made at start with the
`openssl` CLI; the CA is written to a temp file. It prints one line `READY <port> <ca-file>` on
stdout once listening; stopping it (SIGTERM/SIGINT) deletes the temp files.

Injected behaviour, seeded (--seed) per host and per (cycle, feed, request number), so that a run is
reproducible whatever order the requests come in:
- latency before the first byte of a response: each host draws a median from a log-normal (median
  180 ms, sigma 0.8), each request multiplies it by a log-normal (sigma 0.6), clipped to 50-2,000 ms,
  times --latency-scale; a new connection adds one round trip (two with TLS), a round trip being a
  third of the host's median (10-300 ms);
- slow first bytes: a --slow-share of hosts wait 2-5 s more before answering (under the daemon's
  default 10 s read timeout);
- errors: an --error-share of requests end, after the latency, in a 500 (half) or a reset connection
  (RST, the other half);
- conditional GET: ETag `"<i>-<version>"`, 304 when If-None-Match matches; gzip when accepted.

Control routes (http://127.0.0.1:<port>/..., or any host; no injected latency or errors): GET /_next_cycle?fraction=0.1&seed=S[&cycle=C] (a
fraction of the feeds changes: --new entries prepended; JSON {"cycle", "changed"}); GET
/_control?latency_scale=X&error_share=Y (e.g. 0 and 0 for a quick warm-up); GET /_feeds (JSON list of
every feed's URL); GET /_stats[?reset=1] (CPU seconds, peak RSS, response counts, the injected delays'
percentiles, the most feed requests answered at once to one host, and to one slow host, since the last reset).

Over 300 lines on purpose: a script run as a process of its own, kept in one file (HTTP, injection,
certificates) so that it can be copied next to a daemon on another machine and run there.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import math
import os
import random
import resource
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from feed_server import feed_response, feed_xml, peak_rss_kb, request_head, reset_peak_rss  # noqa: E402

CONTROL_ADDRESS = "127.0.0.1"
MIN_MS, MAX_MS = 50.0, 2000.0
HOST_MEDIAN_MS, HOST_SIGMA, REQUEST_SIGMA = 180.0, 0.8, 0.6
SLOW_EXTRA_S = (2.0, 5.0)
REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
           500: "Internal Server Error"}


def host_address(h: int) -> str:
    """Host h's loopback address (up to 64,000 hosts)."""
    return f"127.20.{h // 250}.{h % 250 + 1}"


class Host:
    """One host's fixed traits, drawn from the seed."""

    def __init__(self, index: int, seed: int, tls_share: float, slow_share: float) -> None:
        rng = random.Random(f"{seed}:host:{index}")
        self.index, self.address = index, host_address(index)
        self.median_ms = min(max(rng.lognormvariate(math.log(HOST_MEDIAN_MS), HOST_SIGMA), MIN_MS), MAX_MS)
        self.rtt_ms = min(max(self.median_ms / 3, 10.0), 300.0)
        self.tls = rng.random() < tls_share
        self.slow = rng.random() < slow_share


class Feeds:
    """Every feed's version and gzipped body, the hosts, the injection settings and the counts."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.count, self.entries, self.new, self.seed = args.feeds, args.entries, args.new, args.seed
        self.hosts = [Host(h, args.seed, args.tls_share, args.slow_share) for h in range(args.hosts)]
        self.latency_scale, self.error_share = args.latency_scale, args.error_share
        self.versions = [0] * self.count
        self.bodies = [gzip.compress(feed_xml(i, 0, self.entries, self.new), 6, mtime=0) for i in range(self.count)]
        self.cycle, self.port = 0, 0
        self.requests_seen: dict[int, int] = {}  # feed -> requests this cycle (the per-request seed)
        self.reset_counts()

    def reset_counts(self) -> None:
        self.counts = {"200": 0, "304": 0, "500": 0, "reset": 0, "404": 0, "bytes": 0, "connections": 0, "tls_connections": 0}
        self.delays_ms: list[float] = []
        self.at_once: dict[int, int] = {}  # host -> feed requests being answered now
        self.most_at_once: dict[int, int] = {}  # host -> the most at once since the last reset

    def host_of(self, i: int) -> Host:
        return self.hosts[i % len(self.hosts)]

    def url(self, i: int) -> str:
        host = self.host_of(i)
        return f"{'https' if host.tls else 'http'}://{host.address}:{self.port}/feed/{i}.xml"

    def etag(self, i: int) -> str:
        return f'"{i}-{self.versions[i]}"'

    def next_cycle(self, fraction: float, seed: int, cycle: int | None = None) -> list[int]:
        """Change `fraction` of the feeds (drawn by `seed`); the delays of the cycle that begins are seeded
        by its number, `cycle` when given (the same delays again), else the next."""
        changed = sorted(random.Random(seed).sample(range(self.count), round(self.count * fraction)))
        for i in changed:
            self.versions[i] += 1
            self.bodies[i] = gzip.compress(feed_xml(i, self.versions[i], self.entries, self.new), 6, mtime=0)
        self.cycle = self.cycle + 1 if cycle is None else cycle
        self.requests_seen = {}
        return changed

    def fate(self, i: int, new_connection: bool) -> tuple[float, str]:
        """The delay (seconds) before answering feed i's request, and its outcome: "ok", "500" or "reset"."""
        n = self.requests_seen.get(i, 0)
        self.requests_seen[i] = n + 1
        rng = random.Random(f"{self.seed}:{self.cycle}:{i}:{n}")
        host = self.host_of(i)
        ms = min(max(host.median_ms * rng.lognormvariate(0, REQUEST_SIGMA), MIN_MS), MAX_MS)
        if new_connection:
            ms += host.rtt_ms * (2 if host.tls else 1)
        delay = ms / 1000 * self.latency_scale
        if host.slow:
            delay += rng.uniform(*SLOW_EXTRA_S) * self.latency_scale
        roll = rng.random()
        outcome = "ok" if roll >= self.error_share else ("500" if roll < self.error_share / 2 else "reset")
        return delay, outcome

    def stats(self, reset: bool) -> dict[str, object]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        delays = sorted(self.delays_ms)

        def pct(p: float) -> float | None:
            return round(delays[min(len(delays) - 1, int(p / 100 * len(delays)))], 1) if delays else None

        stats: dict[str, object] = {
            "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_kb": peak_rss_kb(), "cycle": self.cycle,
            "requests": dict(self.counts), "latency_scale": self.latency_scale, "error_share": self.error_share,
            "injected_delay_ms": {"n": len(delays), "mean": round(sum(delays) / len(delays), 1) if delays else None,
                                  **{f"p{p:g}": pct(p) for p in (10, 50, 90, 99, 100)}},
            "most_at_once_to_a_host": max(self.most_at_once.values(), default=0),
            "most_at_once_to_a_slow_host": max((n for h, n in self.most_at_once.items() if self.hosts[h].slow), default=0),
        }
        if reset:
            stats["peak_reset"] = reset_peak_rss()
            self.reset_counts()
        return stats


def control(feeds: Feeds, path: str, query: dict[str, str]) -> tuple[int, bytes, dict[str, str]] | None:
    """The answer to a control route, or None when the path is not one."""
    if path == "/_next_cycle":
        cycle = int(query["cycle"]) if "cycle" in query else None
        changed = feeds.next_cycle(float(query.get("fraction", 0.1)), int(query.get("seed", feeds.cycle + 1)), cycle)
        reply: object = {"cycle": feeds.cycle, "changed": changed}
    elif path == "/_control":
        feeds.latency_scale = float(query.get("latency_scale", feeds.latency_scale))
        feeds.error_share = float(query.get("error_share", feeds.error_share))
        reply = {"latency_scale": feeds.latency_scale, "error_share": feeds.error_share}
    elif path == "/_feeds":
        reply = [feeds.url(i) for i in range(feeds.count)]
    elif path == "/_stats":
        reply = feeds.stats(bool(query.get("reset")))
    else:
        return None
    return 200, json.dumps(reply).encode(), {"Content-Type": "application/json"}


def feed_index(feeds: Feeds, path: str, local_address: str) -> int | None:
    """Feed i of /feed/<i>.xml when it exists and this host serves it."""
    if not (path.startswith("/feed/") and path.endswith(".xml")):
        return None
    with contextlib.suppress(ValueError):
        i = int(path[6:-4])
        if 0 <= i < feeds.count and feeds.host_of(i).address == local_address:
            return i
    return None


class Connection(asyncio.Protocol):
    """HTTP/1.1 on one connection: requests without bodies, answered in order after their delay."""

    def __init__(self, feeds: Feeds, tls: bool) -> None:
        self.feeds, self.tls = feeds, tls
        self.buffer = b""
        self.requests: asyncio.Queue[tuple[str, str, dict[str, str]] | None] = asyncio.Queue()
        self.answered = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.local = transport.get_extra_info("sockname")[0]
        self.feeds.counts["connections"] += 1
        self.feeds.counts["tls_connections"] += self.tls
        self.worker = asyncio.get_running_loop().create_task(self.answer())

    def connection_lost(self, exc: Exception | None) -> None:
        self.worker.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            request_line, headers = request_head(self.buffer[:end])
            self.buffer = self.buffer[end + 4:]
            method, _, rest = request_line.partition(" ")
            self.requests.put_nowait((method, rest.rpartition(" ")[0], headers))

    async def answer(self) -> None:
        while (request := await self.requests.get()) is not None:
            method, target, headers = request
            url = urlsplit(target)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            response = control(self.feeds, url.path, query) if method == "GET" else (405, b"", {})
            if response is None:
                i = feed_index(self.feeds, url.path, self.local)
                if i is None:
                    self.feeds.counts["404"] += 1
                    response = (404, b"", {})
                else:
                    delay, outcome = self.feeds.fate(i, new_connection=self.answered == 0)
                    self.feeds.delays_ms.append(delay * 1000)
                    host, feeds = self.feeds.host_of(i).index, self.feeds
                    feeds.at_once[host] = feeds.at_once.get(host, 0) + 1
                    feeds.most_at_once[host] = max(feeds.most_at_once.get(host, 0), feeds.at_once[host])
                    try:
                        await asyncio.sleep(delay)
                    finally:
                        feeds.at_once[host] = feeds.at_once.get(host, 1) - 1  # (a reset meanwhile started the count again)
                    if outcome == "reset":
                        self.feeds.counts["reset"] += 1
                        self.reset()
                        return
                    if outcome == "500":
                        self.feeds.counts["500"] += 1
                        response = (500, b"", {})
                    else:
                        response = feed_response(self.feeds, i, headers)
            self.answered += 1
            status, body, response_headers = response
            close = headers.get("connection", "").lower() == "close"
            lines = [f"HTTP/1.1 {status} {REASONS[status]}", *(f"{k}: {v}" for k, v in response_headers.items()),
                     f"Content-Length: {len(body)}", *(["Connection: close"] if close else []), "", ""]
            self.transport.write("\r\n".join(lines).encode("latin-1") + body)
            if close:
                self.transport.close()
                return

    def reset(self) -> None:
        """Drop the connection with a TCP RST (SO_LINGER 0), as a crashed or overloaded server does."""
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()


def make_certificates(folder: Path, addresses: list[str]) -> tuple[Path, Path, Path]:
    """A CA and a leaf certificate for the addresses (IP SANs), signed by it: (ca.pem, leaf.pem, leaf.key)."""
    ca_key, ca, key, csr, leaf, ext = (folder / n for n in ("ca.key", "ca.pem", "leaf.key", "leaf.csr", "leaf.pem", "leaf.ext"))

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(ca_key),
            "-out", str(ca), "-days", "2", "-subj", "/CN=monitor bench CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key),
            "-out", str(csr), "-subj", "/CN=monitor bench hosts")
    sans = ",".join(f"IP:{a}" for a in addresses) or "IP:127.0.0.1"
    ext.write_text(f"basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                   f"subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName={sans}\n")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
            "-out", str(leaf), "-days", "2", "-extfile", str(ext))
    return ca, leaf, key


async def listen(feeds: Feeds, context: ssl.SSLContext | None) -> list[asyncio.Server]:
    """One listener per host, all on one port (the first free one found for all of them), and the
    control listener on 127.0.0.1 at that port (plain HTTP; every host answers the control routes too)."""
    loop = asyncio.get_running_loop()
    for _attempt in range(20):
        servers: list[asyncio.Server] = []
        port = 0
        try:
            for host in feeds.hosts:
                tls = context if host.tls else None
                server = await loop.create_server(lambda t=bool(tls): Connection(feeds, t), host.address, port, ssl=tls, backlog=256)
                servers.append(server)
                port = port or server.sockets[0].getsockname()[1]
            servers.append(await loop.create_server(lambda: Connection(feeds, False), CONTROL_ADDRESS, port, backlog=64))
            feeds.port = port
            return servers
        except OSError:  # the port is taken on one of the addresses: try another
            for server in servers:
                server.close()
    raise SystemExit("latency_server: no port free on every host address after 20 tries")


async def serve(feeds: Feeds, ca: Path, context: ssl.SSLContext | None) -> None:
    servers = await listen(feeds, context)
    print(f"READY {feeds.port} {ca}", flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await stop.wait()
    for server in servers:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--hosts", type=int, default=500)
    parser.add_argument("--feeds", type=int, default=10000)
    parser.add_argument("--entries", type=int, default=5, help="entries per feed")
    parser.add_argument("--new", type=int, default=2, help="entries prepended when a feed changes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency-scale", type=float, default=1.0, help="times every injected delay (0: none)")
    parser.add_argument("--tls-share", type=float, default=0.2, help="share of hosts speaking HTTPS")
    parser.add_argument("--slow-share", type=float, default=0.02, help="share of hosts with 2-5 s more before the first byte")
    parser.add_argument("--error-share", type=float, default=0.05, help="share of requests ending in a 500 or a reset")
    args = parser.parse_args()
    if not 1 <= args.hosts <= 64000 or args.feeds < 1:
        parser.error("--hosts must be 1-64000 and --feeds at least 1")
    feeds = Feeds(args)
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        context = None
        tls_addresses = [h.address for h in feeds.hosts if h.tls]
        ca, leaf, key = make_certificates(Path(tmp), tls_addresses)
        if tls_addresses:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(leaf, key)
        asyncio.run(serve(feeds, ca, context))
    os._exit(0)  # skip tearing down thousands of bodies


if __name__ == "__main__":
    main()
