"""A local HTTP server of N synthetic RSS 2.0 feeds with conditional GET, for bench/polling.py.

Standard library only (one asyncio event loop: the harness should cost the machine little CPU,
as remote servers cost it none), run as its own process so that its CPU and memory are counted apart:

    .venv/bin/python bench/feed_server.py [--feeds 2000] [--entries 50] [--new 3] [--port 0]

It prints one line `READY <port>` on stdout once every feed is built. Routes:

- GET /feed/<i>.xml: feed i (0 <= i < N), ~100 KB of RSS 2.0 with 50 entries, newest first; ETag
  `"<i>-<version>"`, 304 when If-None-Match matches it; gzip when the client accepts it (as news
  sites do; the bodies are kept gzipped, which also keeps this process small).
- POST or GET /_next_cycle?fraction=0.1&seed=S: a fraction of the feeds changes (`--new` entries
  prepended, the oldest dropped, new ETag); answers JSON {"cycle", "changed": [i, ...]}.
- GET /_stats[?reset=1]: this process's CPU seconds, peak RSS (KB; since the last reset when
  /proc/self/clear_refs allows resetting it) and request counts (reset=1 zeroes counts and peak).

Entries are deterministic in (feed, entry number): a unique GUID and link each, a title and an
HTML description drawn from a neutral news word list, and in about 6 % of them a sentence naming
watched actors and events ("Kataeb Hezbollah fired rockets at the base ..."), so that matching
and alerting have work to do.
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import gzip
import json
import random
import resource
import sys
import time
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

WORDS = """
government minister officials said report week year city council plan public policy budget
economy market trade export growth inflation bank rates investors company companies industry
workers union leaders election campaign vote voters parliament president prime party coalition
opposition court judge ruling law legal case appeal police investigation inquiry hospital health
doctors patients care school students teachers university research scientists study data climate
weather rain flooding heat summer winter energy power electricity gas oil prices fuel transport
railway airport flights passengers road traffic bridge housing homes rent construction project
water supply farmers harvest food exports imports border customs tourism visitors festival music
film culture museum exhibition football league season match coach players team club fans
stadium tournament final award prize technology internet software startup digital phone network
service customers sales retail shops online platform social media users privacy security agency
ministry department spokesperson statement announced confirmed denied expected according sources
local regional national international foreign domestic meeting talks agreement deal summit visit
delegation embassy diplomats cooperation partnership development aid funding programme reform
committee hearing members senior former new major small large first second third last next
morning evening night monday tuesday wednesday thursday friday saturday sunday january february
march april may june july august september october november december north south east west
central capital province district village region area residents community families children
women men people population survey poll results analysis figures percent million billion
increase decrease rise fall drop record high low level levels target targets measures rules
changes update details response pressure concerns criticism support plans proposal decision
""".split()

WATCHED = [
    "Kataeb Hezbollah fired rockets at the base near Baghdad, officials said.",
    "A drone strike near Baghdad airport killed Qasem Soleimani and Abu Mahdi al-Muhandis.",
    "The IRGC launched ballistic missiles at Ain al-Asad air base in retaliation.",
    "Iraqi officials warned of escalation after the air strike on Kataib Hezbollah positions.",
]
WATCHED_SHARE = 0.06
START = time.time()


def entry_xml(feed: int, n: int) -> bytes:
    """Entry number n of a feed, always the same bytes (~2 KB)."""
    rng = random.Random(f"{feed}:{n}")
    title = " ".join(rng.choices(WORDS, k=rng.randint(6, 12))).capitalize()
    paragraphs = []
    for _ in range(rng.randint(4, 5)):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            sentences.append(" ".join(rng.choices(WORDS, k=rng.randint(8, 18))).capitalize() + ".")
        paragraphs.append(" ".join(sentences))
    if rng.random() < WATCHED_SHARE:
        paragraphs.insert(rng.randint(0, len(paragraphs)), rng.choice(WATCHED))
    link = f"https://news{feed % 40}.example.com/{feed}/{n}/{'-'.join(title.lower().split()[:5])}"
    html = (f'<p><img src="https://cdn.example.com/{feed}/{n}.jpg" alt="" width="640" height="360"/></p>'
            + "".join(f"<p>{p}</p>" for p in paragraphs)
            + f'<p><a href="{link}">Read more</a></p>')
    published = email.utils.formatdate(START - 86400 + n * 600 + feed % 600, usegmt=True)
    return (
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f'<guid isPermaLink="false">bench-{feed}-{n}</guid><pubDate>{published}</pubDate>'
        f"<category>{rng.choice(WORDS)}</category><description>{escape(html)}</description></item>\n"
    ).encode()


def feed_xml(feed: int, version: int, entries: int, new: int) -> bytes:
    """The feed at a version: entries version*new .. version*new+entries-1, newest first."""
    top = version * new + entries - 1
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Bench feed {feed}</title><link>https://news{feed % 40}.example.com/{feed}/</link>"
        f"<description>Synthetic news feed {feed}</description><language>en</language>\n"
    ).encode()
    return head + b"".join(entry_xml(feed, n) for n in range(top, top - entries, -1)) + b"</channel></rss>\n"


class Feeds:
    """Every feed's version and gzipped body; changed a fraction at a time."""

    def __init__(self, count: int, entries: int, new: int) -> None:
        self.count, self.entries, self.new = count, entries, new
        self.versions = [0] * count
        self.bodies = [gzip.compress(feed_xml(i, 0, entries, new), 6, mtime=0) for i in range(count)]
        self.cycle = 0
        self.counts = {"200": 0, "304": 0, "404": 0, "bytes": 0}

    def etag(self, i: int) -> str:
        return f'"{i}-{self.versions[i]}"'

    def next_cycle(self, fraction: float, seed: int) -> list[int]:
        changed = sorted(random.Random(seed).sample(range(self.count), round(self.count * fraction)))
        bodies = {i: gzip.compress(feed_xml(i, self.versions[i] + 1, self.entries, self.new), 6, mtime=0) for i in changed}
        for i, body in bodies.items():
            self.versions[i] += 1
            self.bodies[i] = body
        self.cycle += 1
        return changed


def peak_rss_kb(pid: int | str = "self") -> int:
    """VmHWM (since the last reset) of a process where /proc has it, else this process's ru_maxrss."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak_rss(pid: int | str = "self") -> bool:
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def feed_response(feeds: Feeds, i: int, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    """Feed i: 304 when If-None-Match is its ETag, else its body (gzipped when the client accepts it).
    Also used by bench/latency_server.py, whose feeds have the same `etag`, `bodies` and `counts`."""
    etag, body = feeds.etag(i), feeds.bodies[i]
    if headers.get("if-none-match") == etag:
        feeds.counts["304"] += 1
        return 304, b"", {"ETag": etag}
    response_headers = {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": etag}
    if "gzip" in headers.get("accept-encoding", ""):
        response_headers["Content-Encoding"] = "gzip"
    else:
        body = gzip.decompress(body)
    feeds.counts["200"] += 1
    feeds.counts["bytes"] += len(body)
    return 200, body, response_headers


def respond(feeds: Feeds, method: str, target: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    """The status, body and headers for one request."""
    url = urlsplit(target)
    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
    if method not in ("GET", "POST"):
        return 405, b"", {}
    if url.path.startswith("/feed/") and url.path.endswith(".xml"):
        try:
            i = int(url.path[6:-4])
            assert 0 <= i < feeds.count
        except (ValueError, AssertionError):
            feeds.counts["404"] += 1
            return 404, b"", {}
        return feed_response(feeds, i, headers)
    if url.path == "/_next_cycle":
        changed = feeds.next_cycle(float(query.get("fraction", 0.1)), int(query.get("seed", feeds.cycle + 1)))
        return 200, json.dumps({"cycle": feeds.cycle, "changed": changed}).encode(), {"Content-Type": "application/json"}
    if url.path == "/_stats":
        usage = resource.getrusage(resource.RUSAGE_SELF)
        stats = {"cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_kb": peak_rss_kb(),
                 "maxrss_kb": usage.ru_maxrss, "requests": dict(feeds.counts), "cycle": feeds.cycle}
        if query.get("reset"):
            stats["peak_reset"] = reset_peak_rss()
            feeds.counts = dict.fromkeys(feeds.counts, 0)
        return 200, json.dumps(stats).encode(), {"Content-Type": "application/json"}
    feeds.counts["404"] += 1
    return 404, b"", {}


REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}


def request_head(head: bytes) -> tuple[str, dict[str, str]]:
    """An HTTP/1.1 request's head (without its blank line): the request line, and the headers by lower-cased name."""
    request_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return request_line, headers


class Connection(asyncio.Protocol):
    """HTTP/1.1 on one connection: requests without bodies, answered in order, kept alive unless asked not to."""

    def __init__(self, feeds: Feeds) -> None:
        self.feeds = feeds
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            request_line, headers = request_head(self.buffer[:end])
            self.buffer = self.buffer[end + 4:]
            try:
                method, target, _version = request_line.split(" ")
                status, body, response_headers = respond(self.feeds, method, target, headers)
            except ValueError:
                status, body, response_headers = 400, b"", {}
            close = headers.get("connection", "").lower() == "close" or status == 400
            lines = [f"HTTP/1.1 {status} {REASONS[status]}", *(f"{k}: {v}" for k, v in response_headers.items()),
                     f"Content-Length: {len(body)}", *(["Connection: close"] if close else []), "", ""]
            self.transport.write("\r\n".join(lines).encode("latin-1") + body)
            if close:
                self.transport.close()
                return


async def serve(feeds: Feeds, port: int) -> None:
    server = await asyncio.get_running_loop().create_server(lambda: Connection(feeds), "127.0.0.1", port, backlog=1024)
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--new", type=int, default=3, help="entries prepended when a feed changes")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    feeds = Feeds(args.feeds, args.entries, args.new)
    try:
        asyncio.run(serve(feeds, args.port))
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
