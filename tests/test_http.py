"""monitor.sources.http.fetch against a real server on 127.0.0.1: limits hold, every failure is one FetchError line,
and private addresses are refused (at connection time, on every hop) unless [http] allow_networks lists them."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gzip
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import aiohappyeyeballs
import pytest

from monitor.errors import ConfigError, FetchError
from monitor.model import FetchState
from monitor.limits import HttpLimits
from monitor.settings import HttpSettings, load_settings
from monitor.sources.http import LargeBodies, fetch, fetch_with, make_session, run
from tests.conftest import free_port, serve_http

LOOPBACK = ["127.0.0.0/8"]  # every test server is on 127.0.0.1, refused unless allowed


def allowing(*networks: str, **limits: float) -> HttpLimits:
    """HttpLimits whose allow_networks are these CIDRs, through the config's own validation."""
    return HttpSettings(allow_networks=list(networks), **limits).limits()  # type: ignore[arg-type]


def local(**limits: float) -> HttpLimits:
    """HttpLimits that let fetch reach the local test servers."""
    return allowing(*LOOPBACK, **limits)


FAST = local(timeout=1, deadline=2, max_body_bytes=100_000)
MB = 1_000_000


@pytest.fixture
def release(http_server) -> Iterator[threading.Event]:
    """Set at teardown (before the server stops) so slow handlers stop writing and their threads end."""
    event = threading.Event()
    yield event
    event.set()


def fetch_error(url: str, settings: HttpLimits = FAST) -> FetchError:
    """The FetchError fetch raises (anything else fails the test); its message is one line naming the URL."""
    with pytest.raises(FetchError) as info:
        fetch(url, settings, FetchState())
    message = str(info.value)
    assert "\n" not in message and "\r" not in message, message
    assert url in message, message
    return info.value


def headers_of(request: tuple[str, str, dict[str, str], bytes]) -> dict[str, str]:
    return {k.lower(): v for k, v in request[2].items()}


def test_200_returns_body_and_keeps_etag_and_last_modified(http_server):
    http_server.routes["/feed"] = (200, {"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2020 00:00:00 GMT"}, b"<rss/>")
    result = fetch(http_server.url("/feed"), FAST, FetchState())
    assert result.status == 200
    assert result.body == b"<rss/>"
    assert not result.not_modified
    assert result.state == FetchState('"v1"', "Wed, 01 Jan 2020 00:00:00 GMT")


def test_second_fetch_is_conditional_and_304_is_not_modified(http_server):
    etag, stamp = '"v1"', "Wed, 01 Jan 2020 00:00:00 GMT"

    def conditional(handler: BaseHTTPRequestHandler, _body: bytes) -> None:
        fresh = handler.headers.get("If-None-Match") == etag and handler.headers.get("If-Modified-Since") == stamp
        payload = b"" if fresh else b"<rss/>"
        handler.send_response(304 if fresh else 200)
        handler.send_header("ETag", etag)
        handler.send_header("Last-Modified", stamp)
        if not fresh:
            handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    http_server.routes["/feed"] = conditional
    first = fetch(http_server.url("/feed"), FAST, FetchState())
    assert first.status == 200 and first.body == b"<rss/>"
    assert "if-none-match" not in headers_of(http_server.requests[0])

    second = fetch(http_server.url("/feed"), FAST, first.state)
    sent = headers_of(http_server.requests[1])
    assert sent["if-none-match"] == etag
    assert sent["if-modified-since"] == stamp
    assert second.not_modified and second.status == 304
    assert second.body == b""
    assert second.state == first.state


def test_user_agent_names_monitor(http_server):
    http_server.routes["/feed"] = (200, {}, b"ok")
    fetch(http_server.url("/feed"), FAST, FetchState())
    assert headers_of(http_server.requests[0])["user-agent"].startswith("monitor/")


@pytest.mark.parametrize("status", [404, 500])
def test_http_error_status_is_fetch_error_naming_url_and_status(http_server, status):
    http_server.routes["/feed"] = (status, {"Connection": "close"}, b"nope")
    err = fetch_error(http_server.url("/feed"))
    assert str(status) in str(err)
    assert err.source == http_server.url("/feed")


def test_gzip_body_is_decoded(http_server):
    text = b"<rss>" + b"news " * 2000 + b"</rss>"
    http_server.routes["/feed"] = (200, {"Content-Encoding": "gzip"}, gzip.compress(text))
    assert fetch(http_server.url("/feed"), FAST, FetchState()).body == text


def test_deflate_body_is_decoded(http_server):
    text = b"<rss>" + b"news " * 2000 + b"</rss>"
    http_server.routes["/feed"] = (200, {"Content-Encoding": "deflate"}, zlib.compress(text))
    assert fetch(http_server.url("/feed"), FAST, FetchState()).body == text


def test_a_raw_deflate_body_is_decoded(http_server):
    """Content-Encoding: deflate is the zlib format, but some servers send raw deflate without its header, which browsers
    and urllib3 read: it was 'corrupt compressed body (incorrect header check)', the feed never read (found by helper
    xhostile2)."""
    text = b"<rss>" + b"news " * 2000 + b"</rss>"
    z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    http_server.routes["/raw"] = (200, {"Content-Encoding": "deflate"}, z.compress(text) + z.flush())
    assert fetch(http_server.url("/raw"), FAST, FetchState()).body == text
    http_server.routes["/junk"] = unread(b"neither zlib nor raw deflate", {"Content-Encoding": "deflate"})
    assert "compressed" in str(fetch_error(http_server.url("/junk")))


def unread(payload: bytes, headers: dict[str, str] | None = None) -> Callable[[BaseHTTPRequestHandler, bytes], None]:
    """A route for a body the client stops reading: the hang-up is expected, not a server error."""

    def route(handler: BaseHTTPRequestHandler, _body: bytes) -> None:
        handler.send_response(200)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        try:
            handler.wfile.write(payload)
        except OSError:
            pass

    return route


def gzip_of_zeros(size: int) -> bytes:
    """gzip of `size` zero bytes, built a megabyte at a time so the test itself never holds them all."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(MB)
    return b"".join([z.compress(block) for _ in range(size // MB)] + [z.flush()])


def test_gzip_bomb_hits_size_cap_without_inflating_it_all(http_server):
    bomb = gzip_of_zeros(50 * MB)
    assert len(bomb) < MB
    http_server.routes["/bomb"] = unread(bomb, {"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        err = fetch_error(http_server.url("/bomb"), local(timeout=2, deadline=5, max_body_bytes=MB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "larger than" in str(err) and str(MB) in str(err)
    assert peak < 10 * MB, f"peak {peak} bytes while reading a 50 MB bomb with a 1 MB cap"


def test_endless_bytes_after_a_gzip_body_are_neither_kept_nor_waited_for(http_server, release):
    """Regression: zlib keeps what follows a compressed stream's end (`unused_data`), one copy of all of it per read,
    and no cap counted it: a server sending zeros after a 20-byte gzip body grew a fetch by 300 MB, its loop busy
    copying, until the 30 s deadline. The body is what the stream holds; what follows is not read (as browsers do)."""
    text = b"<rss>" + b"news " * 200 + b"</rss>"

    def tail(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Encoding", "gzip")
        handler.end_headers()
        try:
            handler.wfile.write(gzip.compress(text))
            while not release.is_set():
                handler.wfile.write(bytes(MB))
        except OSError:
            pass  # the client hung up, as it should

    http_server.routes["/tail"] = tail
    tracemalloc.start()
    started = time.monotonic()
    try:
        body = fetch(http_server.url("/tail"), local(timeout=2, deadline=10, max_body_bytes=MB)).body
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert body == text
    assert time.monotonic() - started < 3
    assert peak < 10 * MB, f"peak {peak} bytes"


def test_a_gzip_body_of_several_members_is_read_whole(http_server):
    """RFC 1952 lets a gzip file hold several members, read as one (Python's gzip does): only the first was read, the
    entries of the others lost in silence."""
    head, items = b"<rss><channel>" + b"x" * 5000, b"<item>later</item></channel></rss>"
    http_server.routes["/two.gz"] = (200, {"Content-Encoding": "gzip"}, gzip.compress(head) + gzip.compress(items))
    assert fetch(http_server.url("/two.gz"), FAST).body == head + items
    http_server.routes["/big.gz"] = unread(gzip.compress(head) + gzip_of_zeros(50 * MB), {"Content-Encoding": "gzip"})
    assert "larger than" in str(fetch_error(http_server.url("/big.gz"), local(timeout=2, deadline=5, max_body_bytes=MB)))


def test_a_body_longer_than_its_content_length_never_leaks_into_the_result(http_server):
    def liar(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "40")
        handler.end_headers()
        handler.wfile.write(b"a" * 40 + b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * 5000)

    http_server.routes["/liar"] = liar
    http_server.routes["/next"] = (200, {}, b"<rss>the real answer</rss>")

    async def liar_then_next() -> list[bytes | str]:  # on one session: the next request may reuse the connection
        async with make_session(FAST, connections=1) as session:
            answers: list[bytes | str] = []
            for path in ("/liar", "/next"):
                try:
                    answers.append((await fetch_with(session, http_server.url(path), FAST)).body)
                except FetchError as err:
                    answers.append(str(err))
            return answers

    for _ in range(5):  # the extra bytes come in the same read as the body or after it: either way
        first, second = run(liar_then_next())
        assert first == b"a" * 40 or ("invalid HTTP response" in first and "\n" not in first)
        assert second == b"<rss>the real answer</rss>"


def test_feeds_on_one_host_share_a_kept_alive_connection_within_a_session(http_server):
    clients: list[int] = []

    def feed(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        clients.append(handler.client_address[1])  # the client's port: one per connection
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.send_header("ETag", '"v1"')
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Length", "5")
        handler.end_headers()
        handler.wfile.write(b"<rss>")

    http_server.routes["/a"] = http_server.routes["/b"] = feed

    async def three_fetches() -> list[int]:
        async with make_session(FAST, connections=1) as session:
            return [(await fetch_with(session, http_server.url(path), FAST, state)).status
                    for path, state in (("/a", FetchState()), ("/b", FetchState('"v1"')), ("/a", FetchState()))]

    assert run(three_fetches()) == [200, 304, 200]
    assert len(clients) == 3 and len(set(clients)) == 1, clients


def established_to(ports: set[int]) -> int:
    """Established TCP connections (client side) to these loopback ports, from /proc/net/tcp."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[2].split(":")[1], 16) in ports:
            count += 1
    return count


def test_idle_connections_are_kept_only_up_to_the_session_limit() -> None:
    """One poll over many hosts: each kept-alive connection is closed once `connections` others idle."""
    hosts = [f"127.0.0.{i}" for i in range(2, 14)]
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(serve_http(host)) for host in hosts]
        for server in servers:
            server.routes["/feed"] = (200, {}, b"<rss>")
        ports = {server.port for server in servers}

        async def poll() -> tuple[list[int], int]:
            async with make_session(FAST, connections=2) as session:
                statuses = [(await fetch_with(session, server.url("/feed"), FAST)).status for server in servers]
                await asyncio.sleep(0.05)
                return statuses, established_to(ports)

        statuses, open_after = run(poll())
    assert statuses == [200] * len(hosts)
    assert open_after <= 2, f"{open_after} connections still open to {len(hosts)} hosts"


def test_plain_body_over_cap_is_fetch_error(http_server):
    http_server.routes["/big"] = unread(b"a" * (2 * MB))
    err = fetch_error(http_server.url("/big"), local(timeout=2, deadline=5, max_body_bytes=MB))
    assert "larger than" in str(err)


def test_body_exactly_at_cap_is_returned(http_server):
    http_server.routes["/edge"] = (200, {"Content-Encoding": "gzip"}, gzip.compress(b"x" * 1000))
    assert len(fetch(http_server.url("/edge"), local(max_body_bytes=1000), FetchState()).body) == 1000


def drip(release: threading.Event, length: int, every: float) -> Callable[[BaseHTTPRequestHandler, bytes], None]:
    """A route that sends headers at once, then one body byte every `every` seconds."""

    def route(handler: BaseHTTPRequestHandler, _body: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(length))
        handler.end_headers()
        handler.wfile.flush()
        try:
            for _ in range(length):
                if release.wait(every):
                    return
                handler.wfile.write(b"x")
                handler.wfile.flush()
        except OSError:
            pass  # the client hung up, as it should

    return route


def test_dripping_server_is_cut_by_total_deadline(http_server, release):
    # 50 bytes at 0.2 s each would take 10 s; every single read is well inside the 1 s timeout.
    http_server.routes["/slow"] = drip(release, 50, 0.2)
    started = time.monotonic()
    err = fetch_error(http_server.url("/slow"), local(timeout=1, deadline=1, max_body_bytes=MB))
    elapsed = time.monotonic() - started
    assert "deadline" in str(err)
    assert elapsed < 3, f"took {elapsed:.1f}s with a 1 s deadline"


def test_headers_that_never_come_trip_the_timeout(http_server, release):
    http_server.routes["/silent"] = lambda handler, body: release.wait(10) and None
    started = time.monotonic()
    err = fetch_error(http_server.url("/silent"), local(timeout=0.5, deadline=5, max_body_bytes=MB))
    elapsed = time.monotonic() - started
    assert "timed out" in str(err)
    assert elapsed < 2.5, f"took {elapsed:.1f}s with a 0.5 s timeout"


def redirect(location: str) -> tuple[int, dict[str, str], bytes]:
    return 302, {"Location": location}, b""


def test_redirect_loop_is_redirects_error(http_server):
    http_server.routes["/loop"] = redirect("/loop")
    err = fetch_error(http_server.url("/loop"))
    assert "redirects" in str(err)
    assert len(http_server.requests) == FAST.max_redirects + 1


def test_fifteen_hop_redirect_chain_is_redirects_error(http_server):
    for hop in range(15):
        http_server.routes[f"/hop/{hop}"] = redirect(f"/hop/{hop + 1}")
    http_server.routes["/hop/15"] = (200, {}, b"<rss/>")
    err = fetch_error(http_server.url("/hop/0"))
    assert "redirects" in str(err)
    assert "/hop/15" not in [path for _, path, _, _ in http_server.requests]


def test_short_redirect_chain_is_followed(http_server):
    http_server.routes["/old"] = redirect("/new")
    http_server.routes["/new"] = (200, {}, b"<rss/>")
    result = fetch(http_server.url("/old"), FAST, FetchState())
    assert result.body == b"<rss/>"
    assert result.url == http_server.url("/new")


def test_redirect_to_file_url_is_unsupported_scheme_error(http_server):
    http_server.routes["/evil"] = redirect("file:///etc/passwd")
    err = fetch_error(http_server.url("/evil"))
    assert "scheme" in str(err)
    assert "root:" not in str(err)


def test_server_closing_mid_body_is_fetch_error(http_server):
    def hang_up(handler: BaseHTTPRequestHandler, _body: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.write(b"<rss>" + b"x" * 10)
        handler.wfile.flush()
        handler.close_connection = True

    http_server.routes["/cut"] = hang_up
    err = fetch_error(http_server.url("/cut"))
    assert err.__cause__ is None and err.__suppress_context__


def test_corrupt_gzip_is_fetch_error(http_server):
    http_server.routes["/bad"] = unread(b"this is not gzip at all", {"Content-Encoding": "gzip"})
    assert "compressed" in str(fetch_error(http_server.url("/bad")))


def test_unknown_content_encoding_is_fetch_error(http_server):
    http_server.routes["/br"] = unread(b"\x0b\x02\x80hello", {"Content-Encoding": "br"})
    assert "Content-Encoding" in str(fetch_error(http_server.url("/br")))


def test_malformed_url_is_fetch_error_not_a_client_exception():
    # Passes the config check (starts with http://) but is not a URL the HTTP client accepts.
    fetch_error("http://[::1")


def test_connection_refused_is_fetch_error():
    fetch_error(f"http://127.0.0.1:{free_port()}/feed")


def test_truncated_gzip_body_is_fetch_error(http_server) -> None:
    whole = gzip.compress(b"<rss>" + b"x" * 5000 + b"</rss>")
    http_server.routes["/cut.gz"] = (200, {"Content-Encoding": "gzip"}, whole[: len(whole) // 2])
    assert "truncated compressed body" in str(fetch_error(http_server.url("/cut.gz")))


def test_304_with_a_new_etag_keeps_the_new_one(http_server) -> None:
    http_server.routes["/feed"] = (304, {"ETag": '"v2"'}, b"")
    result = fetch(http_server.url("/feed"), FAST, FetchState('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT"))
    assert result.not_modified
    assert result.state == FetchState('"v2"', "Mon, 01 Jan 2024 00:00:00 GMT")


# -- refused addresses -----------------------------------------------------------------------------

DEFAULT = HttpLimits(timeout=1, deadline=2)  # nothing allowed


def test_loopback_is_refused_by_default_naming_the_rule(http_server):
    http_server.routes["/feed"] = (200, {}, b"<rss/>")
    url = http_server.url("/feed")
    err = fetch_error(url, DEFAULT)
    assert str(err) == f"{url}: refused 127.0.0.1: loopback address (allow it with [http] allow_networks)"
    assert err.source == url
    assert http_server.requests == []  # refused before connecting


def test_loopback_is_fetched_when_allow_networks_lists_it(http_server):
    http_server.routes["/feed"] = (200, {"Cache-Control": "max-age=600"}, b"<rss/>")
    result = fetch(http_server.url("/feed"), allowing("127.0.0.1/32", timeout=1, deadline=2))
    assert result.body == b"<rss/>"
    assert result.headers["cache-control"] == "max-age=600"  # headers are kept for the scheduler


def test_redirect_to_a_refused_address_is_refused_on_the_hop(http_server):
    with serve_http("127.0.0.2") as inside:
        inside.routes["/secret"] = (200, {}, b"internal")
        http_server.routes["/feed"] = redirect(f"http://127.0.0.2:{inside.port}/secret")
        url = http_server.url("/feed")
        # with all of 127/8 allowed the redirect is followed to the second server ...
        assert fetch(url, local(timeout=1, deadline=2)).body == b"internal"
        assert len(inside.requests) == 1
        # ... with only 127.0.0.1 allowed, the hop to 127.0.0.2 is refused and never reaches it
        err = fetch_error(url, allowing("127.0.0.1/32", timeout=1, deadline=2))
        assert "refused 127.0.0.2: loopback address" in str(err)
        assert len(inside.requests) == 1
        assert len(http_server.requests) == 2


@pytest.mark.parametrize("settings", [DEFAULT, FAST], ids=["nothing-allowed", "ipv4-loopback-allowed"])
def test_ipv6_loopback_is_refused(settings):
    err = fetch_error(f"http://[::1]:{free_port()}/feed", settings)
    assert "refused ::1: loopback address" in str(err)


@pytest.mark.parametrize(("address", "rule"), [
    ("0.0.0.0", "unspecified address"),
    ("10.1.2.3", "private address"),
    ("169.254.169.254", "link-local address"),
    ("[fe80::1]", "link-local address"),
    ("[fd00::1]", "private address"),
    ("[::ffff:127.0.0.1]", "loopback address"),
    ("224.0.0.1", "multicast address"),
    ("240.0.0.1", "reserved address"),
    ("100.64.0.1", "non-global address"),
], ids=["unspecified", "private-v4", "link-local-v4", "link-local-v6", "unique-local-v6", "v4-mapped-loopback",
        "multicast", "reserved", "shared-cgnat"])
def test_non_public_addresses_are_refused_naming_the_rule(address, rule):
    assert f": {rule} (allow it with [http] allow_networks)" in str(fetch_error(f"http://{address}:9/feed", DEFAULT))


class Resolver:
    """A stand-in for DNS: answers named hosts from a script and records every connection attempted."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[list[str]]]) -> None:
        self.answers, self.asked, self.connected = answers, [], []
        real_getaddrinfo, real_connect = socket.getaddrinfo, aiohappyeyeballs.start_connection

        def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
            if host not in self.answers:
                return real_getaddrinfo(host, port, *args, **kwargs)
            self.asked.append(host)
            script = self.answers[host]
            addresses = script[min(len(self.asked) - 1, len(script) - 1)]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

        async def start_connection(addr_infos: Any, *args: Any, **kwargs: Any) -> socket.socket:
            addresses = [info[4][0] for info in addr_infos]
            self.connected += addresses
            if not all(a.startswith("127.") for a in addresses):
                raise ConnectionRefusedError(111, "Connection refused (test: no real network)")
            return await real_connect(addr_infos, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(aiohappyeyeballs, "start_connection", start_connection)  # where aiohttp connects


def test_a_name_is_checked_on_the_address_it_resolves_to(http_server, monkeypatch):
    http_server.routes["/feed"] = (200, {}, b"<rss/>")
    dns = Resolver(monkeypatch, {"feeds.example": [["127.0.0.1"]]})
    url = f"http://feeds.example:{http_server.port}/feed"
    assert "refused 127.0.0.1 (feeds.example): loopback address" in str(fetch_error(url, DEFAULT))
    assert dns.connected == []
    assert fetch(url, FAST).body == b"<rss/>"  # connected to the address checked, not to the name
    assert dns.connected == ["127.0.0.1"]


def test_a_name_resolving_to_refused_and_allowed_addresses_connects_only_to_allowed_ones(http_server, monkeypatch):
    http_server.routes["/feed"] = (200, {}, b"<rss/>")
    dns = Resolver(monkeypatch, {"mixed.example": [["10.0.0.1", "127.0.0.1"]]})
    assert fetch(f"http://mixed.example:{http_server.port}/feed", FAST).body == b"<rss/>"
    assert dns.connected == ["127.0.0.1"]


def test_dns_rebinding_cannot_swap_in_a_refused_address_after_the_check(http_server, monkeypatch):
    # The name looks public the first time it is resolved and loopback ever after: a check that
    # resolved separately from the connection would pass and then connect to 127.0.0.1.
    http_server.routes["/feed"] = (200, {}, b"<rss/>")
    dns = Resolver(monkeypatch, {"rebind.example": [["93.184.216.34"], ["127.0.0.1"]]})
    fetch_error(f"http://rebind.example:{http_server.port}/feed", DEFAULT)
    assert dns.asked == ["rebind.example"]
    assert dns.connected == ["93.184.216.34"]
    assert http_server.requests == []


@pytest.mark.parametrize(("value", "problem"), [
    ('["127.0.0.1/8"]', "http.allow_networks[0]: '127.0.0.1/8' has host bits set (did you mean 127.0.0.0/8?)"),
    ('["10.0.0.0/8", "intranet"]', "http.allow_networks[1]: 'intranet' is not a network (a CIDR such as 10.0.0.0/8 or fd00::/8)"),
], ids=["host-bits", "not-a-network"])
def test_allow_networks_must_be_networks(tmp_path: Path, value: str, problem: str) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text(f"[http]\nallow_networks = {value}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == f"{path}: {problem}"


def test_allow_networks_are_kept_in_normal_form() -> None:
    assert HttpSettings(allow_networks=["10.0.0.0/8", "::1", "192.168.1.7"]).allow_networks == ["10.0.0.0/8", "::1/128", "192.168.1.7/32"]


def test_the_fetching_stages_get_the_http_settings_as_frozen_limits() -> None:
    limits = HttpSettings(timeout=3, deadline=7, max_body_bytes=99, max_redirects=2, allow_networks=["10.0.0.0/8"]).limits()  # type: ignore[arg-type]
    assert limits == HttpLimits(3, 7, 99, 2, (ipaddress.ip_network("10.0.0.0/8"),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        limits.timeout = 1  # type: ignore[misc]
    assert HttpSettings().limits() == HttpLimits()  # one set of defaults


# -- Retry-After -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "headers", "retry_after"), [
    (429, {"Retry-After": "120"}, "120"),
    (503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, "Wed, 21 Oct 2015 07:28:00 GMT"),
    (429, {}, None),
    (500, {"Retry-After": "120"}, None),
], ids=["429-delta-seconds", "503-http-date", "429-without-header", "500-ignores-header"])
def test_retry_after_is_kept_on_the_fetch_error(http_server, status, headers, retry_after):
    http_server.routes["/feed"] = (status, {**headers, "Connection": "close"}, b"")
    err = fetch_error(http_server.url("/feed"))
    assert f"HTTP {status}" in str(err)
    assert err.retry_after == retry_after


def test_headers_dripped_byte_by_byte_are_cut_by_the_total_deadline(http_server, release):
    def drip_headers(handler, _):
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
            if release.wait(0.1):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    http_server.routes["/slow-headers"] = drip_headers
    started = time.monotonic()
    error = fetch_error(http_server.url("/slow-headers"), allowing("127.0.0.0/8", timeout=1, deadline=1))
    assert time.monotonic() - started < 2.5
    assert "total deadline of 1s exceeded" in str(error)


def test_a_declared_length_above_the_cap_is_refused_before_the_body(http_server):
    """Issue 14 item 9: a 2 GiB Content-Length held the fetch to its deadline; it is refused at once.
    The server sends the headers and then nothing until the test is over: a fetch that waited for the
    body would end with a timeout, not with this message."""
    over = threading.Event()

    def huge(handler: BaseHTTPRequestHandler, _body: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(2 * 1024**3))
        handler.send_header("Content-Encoding", "gzip")  # the declared length is the compressed one: still refused
        handler.end_headers()
        handler.wfile.flush()
        over.wait(30)

    http_server.routes["/huge.xml"] = huge
    try:
        err = fetch_error(http_server.url("/huge.xml"), local(timeout=20, deadline=30, max_body_bytes=MB))
    finally:
        over.set()
    assert f"declared body of {2 * 1024**3} bytes is larger than the cap of {MB} bytes ([http] max_body_bytes)" in str(err)


def test_the_two_private_aiohttp_hooks_still_have_the_shape_they_override() -> None:
    """GuardedConnector overrides `_get` and `_release` and reads `_conns` (no public API evicts a pooled
    connection): a later aiohttp that renames or reshapes them fails here by name, not in production."""
    import inspect

    import aiohttp
    from aiohttp.client_proto import ResponseHandler

    assert aiohttp.__version__.startswith("3.14."), f"aiohttp {aiohttp.__version__}: pyproject pins the minor the hooks were tested on"
    assert list(inspect.signature(aiohttp.TCPConnector._get).parameters) == ["self", "key", "traces"], "aiohttp changed BaseConnector._get"
    release = inspect.signature(aiohttp.TCPConnector._release).parameters
    assert list(release)[:3] == ["self", "key", "protocol"] and release["should_close"].kind is inspect.Parameter.KEYWORD_ONLY, "aiohttp changed _release"
    assert isinstance(ResponseHandler.should_close, property), "aiohttp changed ResponseHandler.should_close"

    async def pool_shape() -> None:
        connector = aiohttp.TCPConnector()
        assert isinstance(connector._conns, dict), "aiohttp changed the pool (BaseConnector._conns)"
        await connector.close()

    run(pool_shape())


def test_the_address_check_uses_only_public_aiohttp_api() -> None:
    import inspect

    import aiohttp

    from monitor.sources.http import GuardedConnector

    assert "socket_factory" in inspect.signature(aiohttp.TCPConnector).parameters
    assert "_resolve_host" not in vars(GuardedConnector)  # names: the resolver; every connection: the socket factory


# -- [http] ca_file: a self-hosted feed's own CA (issue 18) ------------------------------------------

def make_ca_and_leaf(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a certificate for 127.0.0.1 signed by it, made with openssl: (ca.pem, leaf.pem, leaf.key)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: the self-signed CA of this test cannot be made")
    ca_key, ca, key, csr, leaf, ext = (folder / n for n in ("ca.key", "ca.pem", "leaf.key", "leaf.csr", "leaf.pem", "leaf.ext"))

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(ca_key), "-out", str(ca),
            "-days", "2", "-subj", "/CN=monitor test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=monitor test feed")
    ext.write_text("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                   "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial", "-out", str(leaf), "-days", "2", "-extfile", str(ext))
    return ca, leaf, key


def test_a_feed_signed_by_the_ca_file_is_trusted_and_refused_without_it(tmp_path: Path) -> None:
    ca, leaf, key = make_ca_and_leaf(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(leaf, key)
    with serve_http(tls=context) as server:
        server.routes["/feed"] = (200, {}, b"<rss>own CA</rss>")
        url = f"https://127.0.0.1:{server.port}/feed"
        error = fetch_error(url, FAST)
        assert "TLS certificate is not valid" in str(error)
        result = fetch(url, local(timeout=1, deadline=2, ca_file=str(ca)), FetchState())  # type: ignore[arg-type]
        assert result.status == 200 and result.body == b"<rss>own CA</rss>"


def test_a_ca_file_that_is_not_a_ca_bundle_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a certificate\n")
    for value, problem in ((tmp_path / "missing.pem", "No such file or directory"), (tmp_path / "notes.txt", "not a readable PEM bundle")):
        path = tmp_path / "monitor.toml"
        path.write_text(f"[http]\nca_file = {str(value)!r}\n")
        with pytest.raises(ConfigError) as info:
            load_settings(path)
        assert str(info.value).startswith(f"{path}: http.ca_file: {value}: not a readable PEM bundle"), str(info.value)
        assert problem in str(info.value) and "\n" not in str(info.value)


# -- issue 21: a poll's large bodies take turns ---------------------------------------------------------

def test_a_body_past_the_small_size_waits_for_a_large_body_slot_and_the_wait_is_not_counted_in_its_deadline(http_server):
    """With one slot held by a body its caller has not yet given back, another large body (plain or gzip) stops reading
    past `small` until the slot is free, longer than its own 1 s deadline, and is then read whole; a small body does not
    wait."""
    plain, packed = bytes(range(256)) * 4000, b"z" * 2_000_000  # 1 MB of every byte value; 2 MB of gzip
    http_server.routes["/a"] = (200, {}, plain)
    http_server.routes["/b"] = (200, {"Content-Encoding": "gzip"}, gzip.compress(packed))
    http_server.routes["/c"] = (200, {}, plain)
    http_server.routes["/small"] = (200, {}, b"s" * 10_000)
    limits = local(timeout=1, deadline=1, max_body_bytes=10 * MB)

    async def scenario() -> list[str]:
        large = LargeBodies(slots=1, small=64 * 1024)
        order: list[str] = []
        async with make_session(limits) as session:
            first = await fetch_with(session, http_server.url("/a"), limits, large=large)  # holds the one slot
            assert first.body == plain

            async def one(path: str) -> bytes:
                body = (await fetch_with(session, http_server.url(path), limits, large=large)).body
                order.append(path)
                return body

            waiting = [asyncio.create_task(one("/b")), asyncio.create_task(one("/c"))]
            assert await one("/small") == b"s" * 10_000  # not held back
            await asyncio.sleep(1.5)  # past the waiting fetches' deadline
            assert not any(task.done() for task in waiting)
            order.append("given back")
            large.done(first.body)
            for task in asyncio.as_completed(waiting):  # one at a time: each gives its slot back as it is done
                body = await task
                assert body in (packed, plain)
                large.done(body)
        return order

    order = run(scenario())
    assert order[:2] == ["/small", "given back"] and sorted(order[2:]) == ["/b", "/c"], order


def test_a_fetch_that_fails_after_taking_a_large_body_slot_gives_it_back(http_server):
    """A body over the cap (or any failure) after its slot was taken frees the slot: the next large body is read."""
    http_server.routes["/huge"] = (200, {}, b"h" * 300_000)
    http_server.routes["/next"] = (200, {}, b"n" * 200_000)
    limits = local(timeout=1, deadline=2, max_body_bytes=250_000)

    async def scenario() -> bytes:
        large = LargeBodies(slots=1, small=64 * 1024)
        async with make_session(limits) as session:
            with pytest.raises(FetchError, match="larger than"):
                await fetch_with(session, http_server.url("/huge"), limits, large=large)
            return (await fetch_with(session, http_server.url("/next"), limits, large=large)).body

    assert run(scenario()) == b"n" * 200_000
