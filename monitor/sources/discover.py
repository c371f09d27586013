"""Find the feed behind a URL: the URL itself when it is a feed, else an HTML page's <link rel="alternate">.

A page is read to its first MAX_PAGE bytes, as a stream (lxml's parser calling a target, no tree built: a 2.4 MB page
of 300,000 paragraphs grew `monitor sources add` to 287 MB as a tree, and 10 MB of one tag's attributes to 275 MB in
parse errors kept), and one that begins as HTML is not handed to feedparser first (that page kept it busy 9 s to say
it was no feed); a body that might be a feed is parsed within `parse_timeout` CPU seconds.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree

from monitor import defaults
from monitor.errors import FeedParseError, UnparsableFeedError
from monitor.limits import HttpLimits
from monitor.redact import redact
from monitor.sources.feeds import read_feed
from monitor.sources.http import fetch

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")  # (not JSON Feed: feedparser reads no JSON)
MAX_LINKS = 100  # feed links of a page kept (the first that works is taken)
MAX_PAGE = 2 * 1024 * 1024  # bytes of a page looked into: its feed links are in its head, at its beginning
# A page's beginning: a byte order mark, blanks, comments and processing instructions, then an HTML doctype or element.
_HTML_START = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s+|<!--.*?-->|<\?[^>]*>)*<(?:!doctype\s+html|html|head|body)[\s>]", re.I | re.S)


class _FeedLinks:
    """An lxml parser target keeping the page's first MAX_LINKS feed links, absolute, as the parse meets them."""

    def __init__(self, base_url: str) -> None:
        self.base_url, self.links = base_url, list[str]()

    def start(self, tag: str | bytes, attrib: dict[Any, Any]) -> None:
        if tag != "link" or len(self.links) >= MAX_LINKS:
            return
        rel = (attrib.get("rel") or "").lower().split()
        href = attrib.get("href")
        if "alternate" in rel and (attrib.get("type") or "").lower().split(";")[0].strip() in FEED_TYPES and href:
            try:
                url = urljoin(self.base_url, href.strip())
            except ValueError:  # '//[oops/feed': a host no URL has (it ended `monitor sources add` with a traceback)
                return
            if url.lower().startswith(("http://", "https://")):
                self.links.append(url)

    def end(self, tag: str | bytes) -> None:
        """(a parser target's, not needed here)"""

    def data(self, data: str | bytes) -> None:
        """(a parser target's, not needed here)"""

    def comment(self, text: str | bytes) -> None:
        """(a parser target's, not needed here)"""

    def close(self) -> list[str]:
        return self.links


def alternate_links(html: bytes, base_url: str) -> list[str]:
    """Absolute http(s) URLs of the feeds a page advertises in its first MAX_PAGE bytes, in page order (its first
    MAX_LINKS)."""
    target = _FeedLinks(base_url)
    try:
        etree.fromstring(html[:MAX_PAGE], etree.HTMLParser(target=target))
    except (etree.LxmlError, ValueError):  # an empty or undecodable page: the links met before it stopped
        pass
    return target.links


def looks_like_html(body: bytes) -> bool:
    """Whether a body begins as an HTML page does (a doctype or an html, head or body element first)."""
    return _HTML_START.match(body, 0, 64 * 1024) is not None


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


def discover_feed(url: str, http: HttpLimits, parse_timeout: float = defaults.PARSE_TIMEOUT) -> tuple[str, str]:
    """(feed URL, title) for a feed URL or a page that links to one; FetchError/FeedParseError otherwise.
    A feed without a title is named by its URL, secrets masked (the name is shown and labels metrics). The feed is
    parsed here, bounded as the daemon's parsing processes are (`read_feed`, `parse_timeout` CPU seconds), its
    entries' text left unmade; a page that begins as HTML is only looked into for its feed links."""
    result = fetch(url, http)
    base = with_credentials(result.url, url)
    try:
        if not looks_like_html(result.body):
            return base, read_feed(result.body, url, result.headers, defer_text=True, cpu_seconds=parse_timeout).title or redact(url)
    except UnparsableFeedError:
        raise
    except FeedParseError:
        pass
    candidates = alternate_links(result.body, base)
    if not candidates:
        raise FeedParseError(f"{url}: not a feed, and the page links to no feed (<link rel=\"alternate\">)", source=url) from None
    feed = fetch(candidates[0], http)
    title = read_feed(feed.body, candidates[0], feed.headers, defer_text=True, cpu_seconds=parse_timeout).title
    return with_credentials(feed.url, candidates[0]), title or redact(candidates[0])
