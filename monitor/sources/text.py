"""HTML to plain text: trafilatura for whole pages, lxml for feed fragments."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from functools import cache
from html import unescape
from typing import Any

from monitor.model import Document, storable_text

log = logging.getLogger("monitor")
# Characters of a page made text at most: trafilatura's extraction grows faster than the page (1 MB of short paragraphs
# took 3.3 s, 4 MB 53 s; 4 MB of '<br>' lines 1 GB), and an article's text is kept to 50,000 characters anyway.
PAGE_CHARS = 1_000_000
# Tags ('<') of a page made text at most: lxml's tree and trafilatura's copies of it cost by the element, not by the
# character (1,000,000 characters of 'x<br>' peaked 330 MB above the daemon's own, of '<p>a</p>' 210 MB; 84 and 42 MB
# now). None of the 2,427 HTML pages of 50 KB or more on the machine this was written on (documentation and highlighted
# source, dense: 23 to 33 characters a tag) has that many in its first PAGE_CHARS characters.
PAGE_TAGS = 50_000
_BREAKS = re.compile(r"(?:<br\s*/?>\s*){3,}+", re.I)  # a run of line breaks: one paragraph's end (possessive: a backtracking stack of 55 MB for 250,000 of them)
# what lxml refuses in an element's text (XML 1.0's C0 controls but tab and line ends, U+FFFE, U+FFFF; a NUL its parser
# reads as U+FFFD itself): it parses them, but dropping a <script> or a <nav> joins its tail to the text before it, and a
# paragraph's line break is added to its tail, and either raised ValueError for a feed's or a file's ANSI escape, failing
# the whole feed or the file. Each stands in as a character of the private use plane 15, U+F0001-U+F0021, while lxml has
# the markup (`lxml_safe`), and is itself again in the text (`lxml_restored`): written out where it is shown, as any
# other. A real character of U+F0000-U+F0021 in the markup comes through as itself, after U+F0000 (`_ESCAPE`): else
# U+F001B in a feed came out as ESC.
_NOT_XML = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\U000f0000-\U000f0021]")
_STAND_IN = _ESCAPE = 0xF0000
_STOOD_IN = re.compile("\U000f0000([\U000f0000-\U000f0021])|[\U000f0001-\U000f0021]")


def _stand_in(char: str) -> str:
    code = ord(char)
    if code >= _ESCAPE:  # a real one: escaped
        return chr(_ESCAPE) + char
    return chr(_STAND_IN + (code if code < 0x20 else 0x20 + code - 0xFFFE))


def _stood_for(found: re.Match[str]) -> str:
    if found[1]:  # a real one, escaped
        return found[1]
    code = ord(found[0]) - _STAND_IN
    return chr(code if code < 0x20 else 0xFFFE + code - 0x20)


def lxml_safe(markup: str) -> str:
    """The markup with what lxml refuses in an element's text stood in for (`lxml_restored` brings it back)."""
    return _NOT_XML.sub(lambda m: _stand_in(m[0]), markup)


def lxml_restored(text: str) -> str:
    """The text with the characters `lxml_safe` stood in for back."""
    return _STOOD_IN.sub(_stood_for, text)


_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre", "section", "article", "header", "footer", "ul", "ol", "table", "figure", "figcaption", "dd", "dt"}


@cache
def _unwanted() -> Any:
    """The elements whose text is not the article's, as an XPath compiled once (compiled per call, it was a third
    of the fragment's time)."""
    from lxml import etree

    return etree.XPath("//script|//style|//noscript|//template")


def html_to_text(html: str) -> str:
    """Text of an HTML fragment, paragraphs kept apart by newlines; scripts and styles dropped; its entities
    decoded with or without markup (feedparser gives `Iran&#8217;s reply &amp; more` for a title in CDATA); of what
    `bounded_markup` leaves of it."""
    if "<" not in html:
        return unescape(html).strip()
    html = lxml_safe(bounded_markup(html)[0])  # the callers that name a source say where it was cut (a page's, an entry's)
    import lxml.html  # here: a process that only parses needs it for the odd title with markup (a preparing pool loads it before its fork)
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return lxml_restored(html).strip()
    except (AssertionError, IndexError):  # lxml asserts one <body> (IndexError under -O): `<html></html>` has no text
        return ""
    for bad in _unwanted()(root):
        bad.drop_tree()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in lxml_restored(root.text_content()).splitlines())
    return "\n".join(line for line in lines if line)


def with_text(doc: Document) -> Document:
    """The document with its deferred markup (`Document.html`) made text; as it is when there is none."""
    return replace(doc, text=html_to_text(doc.html), html="") if doc.html else doc


_ESCAPED = re.compile("[\udc80-\udcff]")  # a byte that is no UTF-8, decoded with surrogateescape


def mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """`data` that is not UTF-8 throughout as UTF-8 with its stray bytes read as windows-1252 (U+FFFD for the five it has
    no character for), and how many there were; None when it is no such text. Read whole as windows-1252, one stray byte
    (a Latin-1 'ñ' pasted in, a character cut) garbled every accent and every Cyrillic or Arabic letter of the text.
    UTF-8's sequences of several bytes are seldom met by chance in another charset: more of them than stray bytes say
    UTF-8."""
    text = data.decode("utf-8", errors="surrogateescape")
    stray = len(_ESCAPED.findall(text))
    if len(text) - len(text.encode("ascii", errors="ignore")) - stray <= stray:  # characters of several bytes
        return None
    return _ESCAPED.sub(lambda m: bytes([ord(m[0]) - 0xDC00]).decode("cp1252", errors="replace"), text), stray


def decode_page(body: bytes, headers: dict[str, str]) -> str:
    """A fetched page as text: the charset its Content-Type names, else UTF-8 (stray bytes read as cp1252: `mostly_utf8`),
    else cp1252; storable (a UTF-7 page's '+2AA-' is a lone surrogate, which no store takes)."""
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    charset = content_type.partition("charset=")[2].split(";")[0].strip().strip('"') or "utf-8"
    try:
        return storable_text(body.decode(charset))
    except (LookupError, UnicodeError):  # UnicodeError: a codec no text decodes with (charset=undefined, punycode)
        if charset.lower() != "utf-8":
            return body.decode("utf-8", errors="replace")
        return mixed[0] if (mixed := mostly_utf8(body)) else body.decode("cp1252", errors="replace")


def page_to_text(html: str, source: str) -> tuple[str, str]:
    """(title, main text) of a whole HTML page: trafilatura's extraction, falling back to all text; of the page
    `bounded_markup` leaves, with a line naming `source` (the page's URL, the file's path) when it was cut."""
    import lxml.html
    import trafilatura
    from lxml import etree

    html, cut = bounded_markup(html)
    if cut:
        log.info("%s: %s", source, cut)
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


def bounded_markup(html: str, what: str = "a page") -> tuple[str, str]:
    """`html` as it is made text: its first PAGE_CHARS characters, runs of three line breaks or more made two (the same
    text), cut before its PAGE_TAGS-th tag after that; and, when a bound cut it, what was made text in words, `what`
    naming it ("" when nothing was cut)."""
    if len(html) <= PAGE_TAGS:  # too short for either bound: most entries of a feed
        return html, ""
    chars = len(html)
    html = _BREAKS.sub("<br><br>", html[:PAGE_CHARS])
    tags = html.count("<")
    if tags > PAGE_TAGS:
        end = -1
        for _ in range(PAGE_TAGS + 1):
            end = html.find("<", end + 1)
        html = html[:end]
    if chars > PAGE_CHARS:
        return html, f"{what} of {chars:,} characters: only its first {PAGE_CHARS:,}{f' (and in them its first {PAGE_TAGS:,} tags)' if tags > PAGE_TAGS else ''} made text"
    return html, f"{what} of {tags:,} tags: only its first {PAGE_TAGS:,} made text" if tags > PAGE_TAGS else ""
