"""The host name a feed's politeness is keyed on, for the scheduler and the poller alike; what makes a feed's URL
one that has none (`url_problem`)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit


@lru_cache(maxsize=65_536)  # a poll asks it of each feed's URL several times (queue, gate, claims), urlsplit each time
def host_of(url: str) -> str:
    """The URL's host name, lower-case; "" when it has none."""
    return urlsplit(url).hostname or ""


def url_problem(url: str) -> str | None:
    """Why an http(s) URL names no host to fetch from, in words, or None: urlsplit's ValueError on a broken IPv6 host
    (`http://[oops/feed`) or port (`:99999`), met in every poll once such a feed was in the config or imported."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (read for its ValueError)
    except ValueError as exc:
        return "its port is not a number from 0 to 65535" if "port" in str(exc).lower() else "its host is a broken IPv6 address"
    return None if parts.hostname else "it has no host"
