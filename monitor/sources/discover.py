"""Find the feed behind a URL: the URL itself when it is a feed, else an HTML page's <link rel="alternate">."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from monitor.errors import FeedParseError, UnparsableFeedError
from monitor.limits import HttpLimits
from monitor.redact import redact
from monitor.sources.feeds import read_feed
from monitor.sources.http import fetch

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")  # (not JSON Feed: feedparser reads no JSON)


def alternate_links(html: bytes, base_url: str) -> list[str]:
    """Absolute http(s) URLs of the feeds a page advertises, in page order."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    links = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = link.get("href")
        if "alternate" in rel and (link.get("type") or "").lower().split(";")[0].strip() in FEED_TYPES and href:
            try:
                url = urljoin(base_url, href.strip())
            except ValueError:  # '//[oops/feed': a host no URL has (it ended `monitor sources add` with a traceback)
                continue
            if url.lower().startswith(("http://", "https://")):
                links.append(url)
    return links


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.hostname, parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())


def with_credentials(found: str, given: str) -> str:
    """`found` (where a fetch of `given` ended: aiohttp gives it without `user:password@`) with the
    credentials `given` carries, when both are on one origin: a feed behind basic auth stays reachable."""
    userinfo, at, _ = urlsplit(given).netloc.rpartition("@")
    parts = urlsplit(found)
    if not at or "@" in parts.netloc or _origin(found) != _origin(given):
        return found
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))


def discover_feed(url: str, http: HttpLimits) -> tuple[str, str]:
    """(feed URL, title) for a feed URL or a page that links to one; FetchError/FeedParseError otherwise.
    A feed without a title is named by its URL, secrets masked (the name is shown and labels metrics). The feed is
    parsed here, bounded as the daemon's parsing processes are (`read_feed`), its entries' text left unmade."""
    result = fetch(url, http)
    base = with_credentials(result.url, url)
    try:
        return base, read_feed(result.body, url, result.headers, defer_text=True).title or redact(url)
    except UnparsableFeedError:
        raise
    except FeedParseError:
        candidates = alternate_links(result.body, base)
        if not candidates:
            raise FeedParseError(f"{url}: not a feed, and the page links to no feed (<link rel=\"alternate\">)", source=url) from None
    feed = fetch(candidates[0], http)
    return with_credentials(feed.url, candidates[0]), read_feed(feed.body, candidates[0], feed.headers, defer_text=True).title or redact(candidates[0])
