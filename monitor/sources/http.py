"""HTTP GETs with hard limits: conditional headers, a total deadline, a cap on the decoded body.

aiohttp on uvloop, chosen by measurement: a conditional GET costs it ≈ 0.35 ms of CPU, a new
connection included, against ≈ 0.86 ms with httpx (encode/httpx#3215), and a cycle of thousands of
feeds is CPU-bound. Many feeds are fetched at once on one event loop (`make_session`, `fetch_with`);
`fetch` is the one-off form for the command line and full text.

The body is read raw (aiohttp's own decompression is off) and inflated here with a bounded
decompressor, so a compression bomb cannot grow past the cap in memory; a total deadline per fetch
holds against servers that drip bytes slowly. Connections to a host are kept alive for the poll's
other feeds on it (≈ 0.09 ms of CPU per conditional GET on a reused connection against ≈ 0.24 ms
on a new one, and fewer TLS handshakes), but never reused once bytes came after a response:
aiohttp 3.14 pools a connection before it parses what followed the body (a server lying about its
Content-Length), and the next request would read that as its answer (`GuardedConnector._get`; a
test shows both). Only the host that sent the bytes is reached by them: connections are pooled per
host name and port. At most `connections` of them idle at once (`GuardedConnector._release`), so a
poll over thousands of hosts never holds a socket per host.

Private, loopback, link-local, unspecified, multicast and reserved addresses are refused unless
`[http] allow_networks` lists them, through aiohttp's public API only: the resolver
(`GuardedResolver`) keeps the allowed addresses of each host name and the connector connects to those,
so DNS rebinding (a name that resolves differently on a second look) gets nowhere; the socket factory
(`guarded_socket`) sees the address of every connection, so address literals (which aiohttp does not
resolve) and every redirect hop are checked too. Proxies from the environment are not used: through a
proxy the address checked would be the proxy's, not the feed's.

Two private hooks remain, because no public API can evict a pooled connection: `_get` (a pooled
connection that received bytes after its response is closed, not reused) and `_release` (reading
`_conns`: idle connections capped). `force_close=True` would spare both at the cost of a new connection
per GET. tests/test_http.py holds their shape (`test_the_two_private_aiohttp_hooks_...`) and
pyproject.toml pins aiohttp to the minor they were tested on.

(Over 300 lines by the plain-words table of aiohttp's errors at the end: one module, one edge.)
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import socket
import ssl
import typing
import zlib

import aiohttp
import aiohttp.abc
import uvloop

from monitor import __version__, defaults
from monitor.errors import FetchError
from monitor.model import FetchResult, FetchState
from monitor.limits import HttpLimits

USER_AGENT = f"monitor/{__version__} (media-monitoring alert daemon)"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
ALLOW_HINT = "allow it with [http] allow_networks"
_GZIP_MAGIC = b"\x1f\x8b"
READ_BUFFER = 64 * 1024  # aiohttp pauses a connection whose unread body passes twice this (its default, 256 KiB, let a
# fetch waiting for a `LargeBodies` slot hold ~770 KB unread)


class _Inflater:
    """Decode a Content-Encoding without ever holding more than `cap` decoded bytes.

    A gzip body may hold several members, decoded as one (RFC 1952; Python's gzip does so). What follows the end of the
    compressed stream otherwise (padding, garbage, an endless tail) is not decoded: `ended` says to read no more (zlib
    would keep all of it, copied at each read, and no cap counted it). A deflate body is the zlib format, or raw deflate
    when its first two bytes are no zlib header (some servers send it so; browsers and urllib3 read it)."""

    def __init__(self, encoding: str) -> None:
        encoding = encoding.strip().lower()
        self._gzip = encoding in ("gzip", "x-gzip")
        self.ended = False
        self._tail = b""  # a plain body's bytes read and not yet given out
        self._head: bytes | None = b"" if encoding == "deflate" else None  # a deflate body's first bytes, until two tell its format
        if encoding in ("", "identity"):
            self._z = None
        elif self._gzip:
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise ValueError(f"unsupported Content-Encoding {encoding!r}")

    def feed(self, data: bytes, room: int) -> bytes:
        """Decoded bytes of `data`, at most room+1 of them (one more than fits signals the cap); what did not fit comes
        first at the next call (`feed(b"", room)` reads it)."""
        if self._z is None:
            data, self._tail = self._tail + data, b""
            if len(data) > room + 1:
                data, self._tail = data[: room + 1], data[room + 1 :]
            return data
        if self.ended:
            return b""
        if self._head is not None:
            data, self._head = self._head + data, None
            if len(data) < 2:
                self._head = data
                return b""
            if data[0] & 0x0F != 8 or (data[0] << 8 | data[1]) % 31:  # no zlib header (RFC 1950): raw deflate
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        out = self._z.decompress(self._z.unconsumed_tail + data, room + 1)
        while self._z.eof and (rest := self._z.unused_data) and len(out) <= room:
            if not (self._gzip and rest.startswith(_GZIP_MAGIC)):
                self.ended = not (self._gzip and _GZIP_MAGIC.startswith(rest))  # one byte of it: the next read tells
                break
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)  # another member
            out += self._z.decompress(rest, room + 1 - len(out))
        return out

    @property
    def complete(self) -> bool:
        """False when a compressed body stopped before its end (a truncated download)."""
        return self._z is None or self._z.eof


class LargeBodies:
    """A poll's slots for bodies larger than `small` decoded bytes: a fetch reading past `small` waits for one of `slots`
    before it reads on, and keeps it until its caller is `done` with the body (parsed, or found unchanged). So the bodies
    of a poll's fetches in flight hold at most `max_in_flight` x `small` bytes, plus `slots` x `max_body_bytes`, whether
    they are being read, wait for the backlog or are being parsed. The wait for a slot is not counted in the fetch's
    deadline (the slot's holders are bounded by theirs), and while it waits the socket is not read (aiohttp pauses the
    connection, and its read timeout with it)."""

    def __init__(self, slots: int = defaults.LARGE_BODIES, small: int = defaults.LARGE_BODY_BYTES) -> None:
        self.small = small
        self._slots = asyncio.Semaphore(max(slots, 1))

    async def take(self, deadline: asyncio.Timeout) -> None:
        """Take a slot, the time waited added to `deadline`."""
        when, loop = deadline.when(), asyncio.get_running_loop()
        deadline.reschedule(None)
        began = loop.time()
        await self._slots.acquire()
        deadline.reschedule(None if when is None else when + loop.time() - began)

    def release(self) -> None:
        self._slots.release()

    def done(self, body: bytes) -> None:
        """The caller no longer holds `body`, which `fetch_with` returned: its slot, if it took one, is free."""
        if len(body) > self.small:
            self.release()


def refusal(address: IPAddress, allow: typing.Sequence[IPNetwork] = ()) -> str | None:
    """Why `address` may not be fetched ("loopback address", ...), or None when it may."""
    seen = [address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        seen.append(address.ipv4_mapped)  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(ip in network for ip in seen for network in allow if ip.version == network.version):
        return None
    ip = seen[-1]
    for rule, hit in (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                      ("multicast", ip.is_multicast), ("reserved", ip.is_reserved), ("private", ip.is_private),
                      ("non-global", not ip.is_global)):
        if hit:
            return f"{rule} address"
    return None


class AddressRefused(Exception):
    """Raised inside the connector when a host resolves only to refused addresses; fetch words it."""

    def __init__(self, host: str, address: IPAddress, rule: str) -> None:
        super().__init__(f"refused {address}{'' if host == str(address) else f' ({host})'}: {rule}")
        self.host, self.address, self.rule = host, address, rule


class GuardedResolver(aiohttp.abc.AbstractResolver):
    """Host names resolved by `socket.getaddrinfo` on a thread (as Python itself does; uvloop has its
    own), keeping only the addresses that may be fetched: the connector connects to those it is given,
    so a name is checked on the very address it connects to (a second lookup never happens)."""

    def __init__(self, allow: typing.Sequence[IPNetwork] = ()) -> None:
        self.allow = tuple(allow)

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[typing.Any]:
        infos = await asyncio.to_thread(socket.getaddrinfo, host, port, family, socket.SOCK_STREAM)
        numeric = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
        allowed, refused = [], None
        for family_, _, proto, _, address in infos:
            ip = ipaddress.ip_address(str(address[0]).split("%")[0])
            rule = refusal(ip, self.allow)
            if rule is None:
                allowed.append({"hostname": host, "host": address[0], "port": address[1], "family": family_, "proto": proto, "flags": numeric})
            else:
                refused = refused or AddressRefused(host, ip, rule)
        if not allowed:
            raise refused or OSError(f"{host}: no address")
        return allowed

    async def close(self) -> None:
        """Nothing to release."""


def guarded_socket(allow: typing.Sequence[IPNetwork]) -> typing.Callable[[tuple[typing.Any, ...]], socket.socket]:
    """A socket factory (aiohttp's public `socket_factory`) refusing to open a socket to a refused
    address: it sees the address of every connection made, address literals in URLs and redirects
    included (aiohttp does not ask the resolver about those)."""
    allow = tuple(allow)

    def make(addr_info: tuple[typing.Any, ...]) -> socket.socket:
        family, type_, proto, _, address = addr_info
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
        if (rule := refusal(ip, allow)) is not None:
            raise AddressRefused(str(ip), ip, rule)
        return socket.socket(family=family, type=type_, proto=proto)

    return make


class GuardedConnector(aiohttp.TCPConnector):
    """aiohttp's connector with a guarded resolver and socket factory (public API: the address check),
    and two pooling hooks no public API offers (`_get`, `_release`: see the module; their shape is held
    by test_http.py's compatibility tests, pinned to the aiohttp minor the tests cover)."""

    def __init__(self, allow: typing.Sequence[IPNetwork] = (), **kwargs: typing.Any) -> None:
        super().__init__(resolver=GuardedResolver(allow), socket_factory=guarded_socket(allow), **kwargs)
        self.allow = tuple(allow)

    async def _get(self, key: typing.Any, traces: typing.Any) -> typing.Any:
        """A pooled connection to reuse, never one that received bytes after its last response.

        aiohttp pools a connection as its response's body ends, before it parses what came after
        it in the same read: a server that sent more than its Content-Length said leaves a parsed
        message there, which the next request on the connection would take as its answer.
        """
        for proto, idle_since in list(self._conns.get(key, ())):
            if proto.should_close:  # a message or bytes waiting, or the server said it closes
                self._conns[key].remove((proto, idle_since))
                proto.close()
        return await super()._get(key, traces)

    def _release(self, key: typing.Any, protocol: typing.Any, *, should_close: bool = False) -> None:
        """Pool a connection as aiohttp does, then close the longest idle beyond `limit` of them: a
        poll over thousands of hosts keeps a few sockets open, not one per host it has visited."""
        super()._release(key, protocol, should_close=should_close)
        while sum(map(len, self._conns.values())) > max(self.limit, 1):
            oldest = min((k for k, idle in self._conns.items() if idle), key=lambda k: self._conns[k][0][1])
            proto, _ = self._conns[oldest].popleft()
            if not self._conns[oldest]:
                del self._conns[oldest]
            proto.close()


def tls_context(limits: HttpLimits) -> ssl.SSLContext | bool:
    """The system's trusted CAs, plus `[http] ca_file`'s when set (True: aiohttp's own default context)."""
    if limits.ca_file is None:
        return True
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=limits.ca_file)
    return context


def make_session(limits: HttpLimits, connections: int = 100, per_host: int = 0) -> aiohttp.ClientSession:
    """A guarded session for many fetches on the running event loop, at most `connections` at once
    (and `per_host` to one host, 0: no cap); as many idle connections are kept for reuse."""
    per_read = min(limits.timeout, limits.deadline)
    return aiohttp.ClientSession(
        connector=GuardedConnector(limits.allow_networks, limit=connections, limit_per_host=per_host, ssl=tls_context(limits)),
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=per_read, sock_read=per_read),
        auto_decompress=False,
        read_bufsize=READ_BUFFER,
        trust_env=False,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
    )


async def fetch_with(session: aiohttp.ClientSession, url: str, limits: HttpLimits, state: FetchState = FetchState(),
                     large: LargeBodies | None = None) -> FetchResult:
    """GET a URL within the limits on a `make_session` session; 304 comes back as a result, every other failure as FetchError.

    A 429 or 503 FetchError carries the raw Retry-After header as `.retry_after`. With `large`, a body past its `small`
    size waits for one of its slots, and the caller gives the slot back with `large.done(result.body)`.
    """
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        async with asyncio.timeout(limits.deadline) as deadline:
            return await _get(session, url, headers, limits, state, _Room(large, deadline) if large is not None else None)
    except AddressRefused as exc:
        raise FetchError(f"{url}: {exc} ({ALLOW_HINT})", source=url) from None
    except aiohttp.TooManyRedirects:
        raise FetchError(f"{url}: more than {limits.max_redirects} redirects", source=url) from None
    except (aiohttp.NonHttpUrlClientError, aiohttp.NonHttpUrlRedirectClientError) as exc:
        raise FetchError(f"{url}: unsupported URL scheme ({_one_line(exc)})", source=url) from None
    except aiohttp.ClientResponseError as exc:  # the parser's: e.g. more bytes than the Content-Length said
        raise FetchError(f"{url}: invalid HTTP response ({_one_line(exc.message)[:160]})", source=url) from None
    except aiohttp.ServerTimeoutError:
        raise FetchError(f"{url}: timed out: no answer within {limits.timeout:g}s (raise [http] timeout if the site is slow)", source=url) from None
    except TimeoutError:
        raise FetchError(f"{url}: total deadline of {limits.deadline:g}s exceeded ([http] deadline)", source=url) from None
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        raise FetchError(f"{url}: {plain_reason(exc)}", source=url) from None


async def _get(session: aiohttp.ClientSession, url: str, headers: dict[str, str], limits: HttpLimits, state: FetchState,
               room: _Room | None) -> FetchResult:
    # aiohttp counts the redirect responses it has seen, the last one included: max_redirects + 1
    async with session.get(url, headers=headers, max_redirects=limits.max_redirects + 1) as response:
        moved = str(response.url) if any(r.status in (301, 308) for r in response.history) else None
        if response.status == 304:  # a 304 may bring fresher validators
            kept = FetchState(response.headers.get("ETag") or state.etag, response.headers.get("Last-Modified") or state.last_modified)
            return FetchResult(url, 304, b"", _lower(response.headers), kept, moved)
        if response.status >= 400:
            retry_after = response.headers.get("Retry-After") if response.status in (429, 503) else None
            raise FetchError(f"{url}: HTTP {response.status} {response.reason or ''}".rstrip(), source=url, retry_after=retry_after)
        declared = response.content_length  # of the body as sent: compressed, when it is
        if declared is not None and declared > limits.max_body_bytes:  # refused before a byte of it is read
            raise FetchError(f"{url}: declared body of {declared} bytes is larger than the cap of {limits.max_body_bytes} bytes ([http] max_body_bytes)", source=url)
        body = await _read_capped(response, limits.max_body_bytes, url, room)
        new_state = FetchState(response.headers.get("ETag"), response.headers.get("Last-Modified"))
        return FetchResult(str(response.url), response.status, body, _lower(response.headers), new_state, moved)


class _Room(typing.NamedTuple):
    """A fetch's share of its poll's `LargeBodies`, and the deadline its wait for a slot is not counted in."""

    large: LargeBodies
    deadline: asyncio.Timeout


async def _read_capped(response: aiohttp.ClientResponse, cap: int, url: str, room: _Room | None = None) -> bytes:
    try:
        inflater = _Inflater(response.headers.get("Content-Encoding", ""))
    except ValueError as exc:
        raise FetchError(f"{url}: {exc}", source=url) from None
    parts: list[bytes] = []
    size, pending = 0, room  # pending: the slot to take before reading past `small` (None: none needed, or taken)
    slot = contextlib.ExitStack()  # a slot taken is given back here only if the body is not returned
    with slot:
        try:
            async for raw in response.content.iter_any():  # raw network reads: decoded here, within the cap
                data = inflater.feed(raw, (pending.large.small if pending else cap) - size)
                if pending and size + len(data) > pending.large.small:
                    await pending.large.take(pending.deadline)
                    slot.callback(pending.large.release)
                    pending = None
                    data += inflater.feed(b"", cap - size - len(data))  # the rest of this read
                size += len(data)
                if size > cap:
                    raise FetchError(f"{url}: body larger than {cap} bytes", source=url)
                parts.append(data)
                if inflater.ended:
                    break
        except zlib.error as exc:
            raise FetchError(f"{url}: corrupt compressed body ({exc})", source=url) from None
        if not inflater.complete:
            raise FetchError(f"{url}: truncated compressed body", source=url)
        body = b"".join(parts)
        slot.pop_all()  # returned: the caller's `done` gives the slot back
        return body


def fetch(url: str, limits: HttpLimits, state: FetchState = FetchState()) -> FetchResult:
    """One guarded GET from blocking code (the command line, full text): `fetch_with` on its own loop."""

    async def once() -> FetchResult:
        async with make_session(limits, connections=1) as session:
            return await fetch_with(session, url, limits, state)

    return run(once())


T = typing.TypeVar("T")


def run(coroutine: typing.Coroutine[typing.Any, typing.Any, T]) -> T:
    """Run a coroutine to its end on a new uvloop event loop (less CPU per connection than asyncio's own)."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


def _lower(headers: typing.Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


_PLAIN_REASONS: tuple[tuple[type[BaseException], str], ...] = (  # subclasses of ClientConnectorError first
    (aiohttp.ClientConnectorDNSError, "the host name does not resolve: check the URL's spelling and the network"),
    (aiohttp.ClientConnectorCertificateError, "the site's TLS certificate is not valid for it (expired, self-signed or for another name)"),
    (aiohttp.ClientSSLError, "the TLS handshake failed: the site may not speak HTTPS on that port"),
    (aiohttp.ServerDisconnectedError, "the server closed the connection before answering"),
    (aiohttp.ClientPayloadError, "the response body was cut off or malformed"),
    (aiohttp.InvalidUrlClientError, "not a valid URL"),
)


def plain_reason(exc: BaseException) -> str:
    """What went wrong in a user's words, not aiohttp's class names, with what to check."""
    reason = next((words for kind, words in _PLAIN_REASONS if isinstance(exc, kind)), None)
    if reason is not None:
        return reason
    if isinstance(exc, aiohttp.ClientConnectorError):
        errno = exc.os_error.errno if exc.os_error is not None else None
        return f"cannot connect to {exc.host}:{exc.port}{f' ({os.strerror(errno).lower()})' if errno else ''}: is the site up and the port right?"
    return _one_line(exc)


def _one_line(exc: BaseException | str) -> str:
    return " ".join(str(exc).split()) or exc.__class__.__name__
