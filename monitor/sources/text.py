"""HTML to plain text: trafilatura for whole pages, lxml for feed fragments."""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import cache
from html import unescape
from typing import Any

from monitor.model import Document, storable_text

log = logging.getLogger("monitor")
# Characters of a page made text at most: trafilatura's extraction grows faster than the page (1 MB of short paragraphs
# took 3.3 s, 4 MB 53 s; 4 MB of '<br>' lines 1 GB), and an article's text is kept to 50,000 characters anyway.
PAGE_CHARS = 1_000_000
_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre", "section", "article", "header", "footer", "ul", "ol", "table", "figure", "figcaption", "dd", "dt"}


@cache
def _unwanted() -> Any:
    """The elements whose text is not the article's, as an XPath compiled once (compiled per call, it was a third
    of the fragment's time)."""
    from lxml import etree

    return etree.XPath("//script|//style|//noscript|//template")


def html_to_text(html: str) -> str:
    """Text of an HTML fragment, paragraphs kept apart by newlines; scripts and styles dropped; its entities
    decoded with or without markup (feedparser gives `Iran&#8217;s reply &amp; more` for a title in CDATA)."""
    if "<" not in html:
        return unescape(html).strip()
    import lxml.html  # here: a process that only parses needs it for the odd title with markup (a preparing pool loads it before its fork)
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return html.strip()
    except (AssertionError, IndexError):  # lxml asserts one <body> (IndexError under -O): `<html></html>` has no text
        return ""
    for bad in _unwanted()(root):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def with_text(doc: Document) -> Document:
    """The document with its deferred markup (`Document.html`) made text; as it is when there is none."""
    return replace(doc, text=html_to_text(doc.html), html="") if doc.html else doc


def decode_page(body: bytes, headers: dict[str, str]) -> str:
    """A fetched page as text: the charset its Content-Type names, else UTF-8, else cp1252; storable (a UTF-7 page's
    '+2AA-' is a lone surrogate, which no store takes)."""
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    charset = content_type.partition("charset=")[2].split(";")[0].strip().strip('"') or "utf-8"
    try:
        return storable_text(body.decode(charset))
    except (LookupError, UnicodeError):  # UnicodeError: a codec no text decodes with (charset=undefined, punycode)
        return body.decode("utf-8", errors="replace") if charset.lower() != "utf-8" else body.decode("cp1252", errors="replace")


def page_to_text(html: str, source: str) -> tuple[str, str]:
    """(title, main text) of a whole HTML page: trafilatura's extraction, falling back to all text; of its first
    PAGE_CHARS characters only, with a line naming `source` (the page's URL, the file's path) when it has more."""
    import lxml.html
    import trafilatura
    from lxml import etree

    if len(html) > PAGE_CHARS:
        log.info("%s: a page of %s characters: only its first %s made text", source, f"{len(html):,}", f"{PAGE_CHARS:,}")
        html = html[:PAGE_CHARS]

    title = ""
    try:
        doc = lxml.html.document_fromstring(html)
        title = " ".join((doc.findtext(".//title") or doc.findtext(".//h1") or "").split())
    except etree.ParserError:  # "Document is empty" (a comment only, blank): no text, and trafilatura's ERROR lines naming no page unsaid
        return "", ""
    except ValueError:
        pass
    text = trafilatura.extract(html, include_comments=False, include_tables=False) or html_to_text(html)
    return title, text
