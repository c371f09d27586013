"""Pure dedup keys: canonical URL, content hash, and the article built from a document."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from monitor.text_norm import cut_text, normalise, one_line_title
from monitor.model import Article, Document

URL_CHARS = 8_192  # a link longer is no link: a hostile 4 MB one made 4 MB alert bodies (browsers and servers refuse far shorter)
# control characters and bidi marks in a link, written out as %XX: a newline in a feed entry's link (`&#10;`) made a line
# of its own in the alert the console channel prints and a mail's body ('=== ALERT [high] forged'), a bidi override
# reversed the rest of it
_UNSAFE_IN_LINK = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "hsa_", "_hs")
_TRACKING_KEYS = {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "ref", "ref_src", "cmpid", "ocid", "smid", "mbid", "_ga", "icid", "wt.mc_id", "at_medium", "at_campaign", "guccounter"}


def canonical_url(url: str | None, fragment: bool = False) -> str | None:
    """Lower-case scheme and host, no fragment (unless `fragment`: a live blog's update), no tracking parameters,
    sorted query, no default port."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip() or None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url.strip() or None
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_KEYS
    )
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), parts.fragment if fragment else ""))


def normalised(title: str, text: str) -> str:
    """Title and text through `normalise`, a line each: the content hash's input and the story sketch's
    (whose shingles are the same as those of `normalise` of the whole body)."""
    return f"{normalise(title)}\n{normalise(text)}"


def content_hash(title: str, text: str) -> str:
    """SHA-256 of the normalised title and text: case, accents, punctuation and spacing do not count."""
    return _sha256(normalised(title, text))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def to_article(doc: Document) -> Article:
    """Normalise a source's document into an article with its dedup keys (its link's fragment among them when
    `doc.fragment`)."""
    title = one_line_title(doc.title)
    text = cut_text(doc.text.strip())
    both = normalised(title, text)
    url = _UNSAFE_IN_LINK.sub(lambda m: quote(m.group(), safe=""), doc.url) if doc.url and len(doc.url) <= URL_CHARS else None
    return Article(
        source=doc.source,
        title=title,
        text=text,
        url=url,
        canonical_url=canonical_url(url, doc.fragment),
        guid=(doc.guid or "").strip() or None,
        published=doc.published,
        content_hash=_sha256(both),
        normalised=both,
    )
