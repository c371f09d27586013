"""The host name a feed's politeness is keyed on, for the scheduler and the poller alike."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit


@lru_cache(maxsize=65_536)  # a poll asks it of each feed's URL several times (queue, gate, claims), urlsplit each time
def host_of(url: str) -> str:
    """The URL's host name, lower-case; "" when it has none."""
    return urlsplit(url).hostname or ""
