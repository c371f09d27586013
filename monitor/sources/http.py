"""One HTTP GET with hard limits: conditional headers, a total deadline, a cap on the decoded body.

The body is read raw and inflated here with a bounded decompressor, so a compression bomb cannot
grow past the cap in memory; the deadline holds against servers that drip bytes slowly.

Private, loopback, link-local, unspecified, multicast and reserved addresses are refused unless
`[http] allow_networks` lists them. The check is made in the network backend on each address a
host name resolves to, and the connection is made to the very address checked, so every redirect
hop is checked and DNS rebinding (a name that resolves differently on a second look) gets nowhere.
Proxies from the environment (HTTP_PROXY, ...) are not used: through a proxy the address checked
would be the proxy's, not the feed's.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import threading
import time
import typing
import zlib

import httpcore
import httpx

from monitor import __version__
from monitor.errors import FetchError
from monitor.model import FetchResult, FetchState
from monitor.settings import HttpSettings

USER_AGENT = f"monitor/{__version__} (media-monitoring alert daemon)"


class _Inflater:
    """Decode a Content-Encoding without ever holding more than `cap` decoded bytes."""

    def __init__(self, encoding: str) -> None:
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._z = None
        elif encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise ValueError(f"unsupported Content-Encoding {encoding!r}")

    def feed(self, data: bytes, room: int) -> bytes:
        """Decoded bytes of `data`, at most room+1 of them (one more than fits signals the cap)."""
        if self._z is None:
            return data[: room + 1]
        return self._z.decompress(self._z.unconsumed_tail + data, room + 1)

    @property
    def complete(self) -> bool:
        """False when a compressed body stopped before its end (a truncated download)."""
        return self._z is None or self._z.eof


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
ALLOW_HINT = "allow it with [http] allow_networks"


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
    """Raised inside the transport when a host resolves only to refused addresses; fetch words it."""

    def __init__(self, host: str, address: IPAddress, rule: str) -> None:
        super().__init__(f"refused {address}{'' if host == str(address) else f' ({host})'}: {rule}")
        self.host, self.address, self.rule = host, address, rule


_fetch = threading.local()  # the deadline of the fetch running on this thread (httpcore reads on it)


def _remaining() -> float | None:
    deadline = getattr(_fetch, "deadline", None)
    return None if deadline is None else deadline - time.monotonic()


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write stops at the running fetch's total deadline.

    httpx's timeouts are per operation: a server that drips its headers one byte at a time would
    never trip them. Here each operation gets at most the time left of the whole fetch.
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def _timeout(self, timeout: float | None) -> float | None:
        left = _remaining()
        if left is None:
            return timeout
        if left <= 0:
            raise httpcore.ReadTimeout("total deadline exceeded")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self._timeout(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self._timeout(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None) -> httpcore.NetworkStream:
        return DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, self._timeout(timeout)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self.inner.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's blocking backend, resolving host names itself and connecting only to allowed addresses."""

    def __init__(self, allow: typing.Sequence[IPNetwork] = ()) -> None:
        self.allow = tuple(allow)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:  # as httpcore's own backend maps it
            raise httpcore.ConnectError(str(exc)) from exc
        refused: AddressRefused | None = None
        failed: Exception | None = None
        for _family, _type, _proto, _name, sockaddr in infos:
            address = ipaddress.ip_address(sockaddr[0])
            rule = refusal(address, self.allow)
            if rule is not None:
                refused = refused or AddressRefused(host, address, rule)
                continue
            try:  # an address literal: connected to as it is, without resolving again
                return DeadlineStream(super().connect_tcp(str(address), port, timeout, local_address, socket_options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failed = exc
        raise failed or refused or httpcore.ConnectError(f"{host}: no address")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool whose network backend is a GuardedBackend.

    httpx 0.28 takes no network backend, so the pool HTTPTransport builds is replaced by one with the
    same TLS context and our backend (`_pool` is what HTTPTransport sends every request through;
    the refusal tests fail if a later httpx stops doing so).
    """

    def __init__(self, allow: typing.Sequence[IPNetwork] = ()) -> None:
        ssl_context = _ssl_context()
        super().__init__(verify=ssl_context)
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=GuardedBackend(allow))


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every client: loading the CA bundle costs ~30 ms, far more than a fetch."""
    return httpx.create_ssl_context()


def make_client(settings: HttpSettings) -> httpx.Client:
    """A guarded client for many fetches (thread-safe; one TLS context, one pool of connections)."""
    return httpx.Client(
        timeout=httpx.Timeout(min(settings.timeout, settings.deadline)),
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        transport=GuardedTransport([ipaddress.ip_network(n) for n in settings.allow_networks]),
    )


def fetch(url: str, settings: HttpSettings, state: FetchState = FetchState(), client: httpx.Client | None = None) -> FetchResult:
    """GET a URL within the limits; 304 comes back as a result, every other failure as FetchError.

    The address guard is in `make_client`'s clients; a `client` passed in is used as it is.
    A 429 or 503 FetchError carries the raw Retry-After header as `.retry_after`.
    """
    # Connection: close, so no leftover of a lying server (more bytes than its Content-Length) can be
    # read as the answer to the next feed's request on a reused connection.
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", "Connection": "close"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    owned = client is None
    client = client or make_client(settings)
    deadline = time.monotonic() + settings.deadline
    _fetch.deadline = deadline
    try:
        with client.stream("GET", url, headers=headers) as response:
            moved = str(response.url) if any(r.status_code in (301, 308) for r in response.history) else None
            if response.status_code == 304:  # a 304 may bring fresher validators
                kept = FetchState(response.headers.get("ETag") or state.etag, response.headers.get("Last-Modified") or state.last_modified)
                return FetchResult(url, 304, b"", dict(response.headers), kept, moved)
            if response.status_code >= 400:
                retry_after = response.headers.get("Retry-After") if response.status_code in (429, 503) else None
                raise FetchError(f"{url}: HTTP {response.status_code} {response.reason_phrase}", source=url, retry_after=retry_after)
            body = _read_capped(response, settings.max_body_bytes, deadline, url)
            new_state = FetchState(response.headers.get("ETag"), response.headers.get("Last-Modified"))
            return FetchResult(str(response.url), response.status_code, body, dict(response.headers), new_state, moved)
    except AddressRefused as exc:
        raise FetchError(f"{url}: {exc} ({ALLOW_HINT})", source=url) from None
    except httpx.TooManyRedirects:
        raise FetchError(f"{url}: more than {settings.max_redirects} redirects", source=url) from None
    except httpx.UnsupportedProtocol as exc:
        raise FetchError(f"{url}: unsupported URL scheme ({_one_line(exc)})", source=url) from None
    except httpx.TimeoutException as exc:
        if time.monotonic() >= deadline - 0.05:
            raise FetchError(f"{url}: total deadline of {settings.deadline:g}s exceeded", source=url) from None
        raise FetchError(f"{url}: timed out ({exc.__class__.__name__})", source=url) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(f"{url}: {exc.__class__.__name__}: {_one_line(exc)}", source=url) from None
    finally:
        _fetch.deadline = None
        if owned:
            client.close()


def _read_capped(response: httpx.Response, cap: int, deadline: float, url: str) -> bytes:
    try:
        inflater = _Inflater(response.headers.get("Content-Encoding", ""))
    except ValueError as exc:
        raise FetchError(f"{url}: {exc}", source=url) from None
    parts: list[bytes] = []
    size = 0
    try:
        for raw in response.iter_raw():  # each network read as it arrives, so a drip meets the deadline
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: deadline exceeded while reading the body", source=url)
            data = inflater.feed(raw, cap - size)
            size += len(data)
            if size > cap:
                raise FetchError(f"{url}: body larger than {cap} bytes", source=url)
            parts.append(data)
    except zlib.error as exc:
        raise FetchError(f"{url}: corrupt compressed body ({exc})", source=url) from None
    if not inflater.complete:
        raise FetchError(f"{url}: truncated compressed body", source=url)
    return b"".join(parts)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or exc.__class__.__name__
