"""feedparser at one edge: feed bytes in, Documents out.

feedparser is handed bytes (never a URL) and the response headers, so the charset is right. A
DOCTYPE is stripped first: entity declarations are how XML bombs expand. `bozo` without entries is
an error; entry links other than http/https are dropped; dates become timezone-aware UTC.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import feedparser

from monitor.errors import FeedParseError
from monitor.model import Document
from monitor.sources.text import html_to_text

_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[.*?\]\s*)?>", re.I | re.S)


def parse_feed(body: bytes, source: str, headers: dict[str, str] | None = None) -> tuple[list[Document], str | None]:
    """Documents of a feed, and a warning when the feed was malformed but still had entries."""
    body = _DOCTYPE.sub(b"", body[:65536], count=1) + body[65536:]
    parsed = feedparser.parse(body, response_headers={k.lower(): v for k, v in (headers or {}).items()})
    entries = parsed.get("entries") or []
    bozo = parsed.get("bozo")
    if not entries and (bozo or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no feed found in the response"
        raise FeedParseError(f"{source}: not a usable feed: {str(reason).splitlines()[0][:200]}", source=source)
    warning = f"malformed feed, parsed anyway: {str(parsed.get('bozo_exception')).splitlines()[0][:200]}" if bozo else None
    return [_document(entry, source) for entry in entries], warning


def _document(entry: Any, source: str) -> Document:
    title = html_to_text(entry.get("title") or "")
    content = entry.get("content") or []
    html = max((c.get("value") or "" for c in content), key=len, default="") or entry.get("summary") or ""
    link = entry.get("link") or ""
    if not re.match(r"^https?://", link, re.I):
        link = ""
    guid = entry.get("id") or link or hashlib.sha256(f"{title}\n{html}".encode()).hexdigest()
    return Document(source=source, title=title, text=html_to_text(html), url=link or None, guid=guid, published=_when(entry))


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None
