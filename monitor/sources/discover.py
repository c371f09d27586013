"""Find the feed behind a URL: the URL itself when it is a feed, else an HTML page's <link rel="alternate">."""

from __future__ import annotations

from urllib.parse import urljoin

import lxml.html
from lxml import etree

from monitor.errors import FeedParseError
from monitor.limits import HttpLimits
from monitor.sources.feeds import read_feed
from monitor.sources.http import fetch

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/xml", "text/xml")


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
            url = urljoin(base_url, href.strip())
            if url.lower().startswith(("http://", "https://")):
                links.append(url)
    return links


def discover_feed(url: str, http: HttpLimits) -> tuple[str, str]:
    """(feed URL, title) for a feed URL or a page that links to one; FetchError/FeedParseError otherwise."""
    result = fetch(url, http)
    try:
        return result.url, read_feed(result.body, url, result.headers).title or url
    except FeedParseError:
        candidates = alternate_links(result.body, result.url)
        if not candidates:
            raise FeedParseError(f"{url}: not a feed, and the page links to no feed (<link rel=\"alternate\">)", source=url) from None
    feed = fetch(candidates[0], http)
    return feed.url, read_feed(feed.body, candidates[0], feed.headers).title or candidates[0]
