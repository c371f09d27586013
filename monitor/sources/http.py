"""One HTTP GET with hard limits: conditional headers, a total deadline, a cap on the decoded body.

The body is read raw and inflated here with a bounded decompressor, so a compression bomb cannot
grow past the cap in memory; the deadline holds against servers that drip bytes slowly.
"""

from __future__ import annotations

import time
import zlib

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


def fetch(url: str, settings: HttpSettings, state: FetchState = FetchState(), client: httpx.Client | None = None) -> FetchResult:
    """GET a URL within the limits; 304 comes back as a result, every other failure as FetchError."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    owned = client is None
    client = client or httpx.Client(
        timeout=httpx.Timeout(min(settings.timeout, settings.deadline)),
        follow_redirects=True,
        max_redirects=settings.max_redirects,
    )
    deadline = time.monotonic() + settings.deadline
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:  # a 304 may bring fresher validators
                kept = FetchState(response.headers.get("ETag") or state.etag, response.headers.get("Last-Modified") or state.last_modified)
                return FetchResult(url, 304, b"", dict(response.headers), kept)
            if response.status_code >= 400:
                raise FetchError(f"{url}: HTTP {response.status_code} {response.reason_phrase}", source=url)
            body = _read_capped(response, settings.max_body_bytes, deadline, url)
            new_state = FetchState(response.headers.get("ETag"), response.headers.get("Last-Modified"))
            return FetchResult(str(response.url), response.status_code, body, dict(response.headers), new_state)
    except httpx.TooManyRedirects:
        raise FetchError(f"{url}: more than {settings.max_redirects} redirects", source=url) from None
    except httpx.UnsupportedProtocol as exc:
        raise FetchError(f"{url}: unsupported URL scheme ({_one_line(exc)})", source=url) from None
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: timed out ({exc.__class__.__name__})", source=url) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(f"{url}: {exc.__class__.__name__}: {_one_line(exc)}", source=url) from None
    finally:
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
