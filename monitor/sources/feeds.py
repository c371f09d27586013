"""feedparser at one edge: feed bytes in, Documents out.

feedparser is handed bytes (never a URL) and the response headers, so the charset is right (a UTF-8 body with a few
bytes that are not is made UTF-8 first: `_damaged_utf8`). The
bytes are first decoded to UTF-8 by feedparser's own charset rules and the DOCTYPE is stripped from
that, so no encoding (UTF-16, EBCDIC, ...) or size hides it: entity declarations are how XML bombs
expand. `bozo` without entries is an error; a feed is read to its first MAX_ENTRIES entries; an entry link relative to the feed is resolved against its URL (credentials and query left out), other links than http/https are dropped; dates
become timezone-aware UTC. No entry's categories are kept (`_NoCategories`: monitor reads none; feedparser's list of them
cost quadratic time in one entry and 150 MB over a 10 MB feed).

A parse stops by itself past a bound (`_Bounds`, counted at each element's start by both of feedparser's
parsers: the SAX driver below, and its loose parser, replaced in `feedparser.api` by a subclass that
counts, its pieces of text too): past MAX_ENTRIES entries it stops and the feed is read to them; past
MAX_DEPTH open elements, MAX_ELEMENTS or MAX_ATTRIBUTES in all (or MAX_PIECES, or a MAX_TAG long start tag, in
the loose parser, or more '<!' or '/>' than its rewrite before the parse would make pieces or elements: counted first) it is the source's error, `too large to parse`. The stop is a BaseException
(`_Stop`), which feedparser's `except` clauses (Exception, SAXException, AttributeError) let through. So is a parse
given `cpu_seconds` (on the main thread: a parsing process's tasks run there) and still under way past them: `cputime`'s
timer raises its `OutOfTime`, a BaseException too.

feedparser's strict parser is the SAX driver this module provides (`create_parser`, put first in
feedparser's `PREFERRED_XML_PARSERS`): the standard expat driver with `buffer_text` on, so that a
run of text reaches feedparser in one piece rather than one piece per entity (an escaped HTML
description has hundreds): about a fifth of a bench feed's parsing time, for the same result.
`PREFERRED_XML_PARSERS` is feedparser's own knob for choosing SAX drivers (the list `xml.sax.make_parser`
is given); expat's `buffer_text` is reachable only through the driver's `_parser` (the SAX API has no
feature for it): `test_feeds_are_parsed_with_text_runs_in_one_piece` fails at once if either changes,
and pyproject.toml pins feedparser to 6.0.
"""

from __future__ import annotations

import calendar
import codecs
import hashlib
import re
import xml.sax.expatreader
import xml.sax.xmlreader
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import feedparser
import feedparser.api
import feedparser.sgml
from feedparser.encodings import convert_to_utf8

from monitor.errors import FeedParseError, UnparsableFeedError
from monitor.model import Document, ParsedFeed, has_surrogate, storable, storable_text
from monitor.sources.cputime import OutOfTime, cpu_bound
from monitor.sources.text import bounded_markup, html_to_text, mostly_utf8
from monitor.text_norm import one_line_title

# A whole DOCTYPE, quoted strings skipped so a "]>" or ">" inside an entity value does not end it early.
_QUOTED = rb'"[^"]*"|\'[^\']*\''
_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^>\[\"']|" + _QUOTED + rb")*(?:\[(?:[^\]\"']|" + _QUOTED + rb")*\]\s*)?>", re.I)
_DOCTYPE_KEYWORD = re.compile(rb"<!DOCTYPE", re.I)
# Entries of a feed read at most: its newest, as feeds list them (feeds carry tens, archives a few thousand); a 10 MB
# feed of 198,291 short entries was stored whole, and up to `backlog` such feeds wait in the daemon's memory at once.
MAX_ENTRIES = 10_000
# Past these a parse stops (`_Bounds`): the 2,152 feeds of the test corpus nest 10 deep at most (as feedparser counts)
# and have 30 elements per entry at most (50 here for MAX_ENTRIES entries), while 10 MB of '<item>' never closed
# nested 1.7 million deep (2 GB), and 10 MB of '<x/>' in one entry, 2.5 million elements at some 20 microseconds
# each, kept a parsing process busy for near a minute. A million attributes of one element took 500 MB; the loose
# parser made 10 MB of '<!' 5 million pieces of text (500 MB), and lists a tag's attributes before feedparser sees it.
MAX_DEPTH = 1_000
MAX_ELEMENTS = 500_000
MAX_ATTRIBUTES = 500_000
MAX_PIECES = 1_000_000  # of text, in the loose parser (the strict one gives a run of text in one piece)
MAX_TAG = 100_000  # characters of one start tag, in the loose parser
_HTTP = re.compile(r"^https?://", re.I)
_XML_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]{0,39})["']""")
_ELEMENT = re.compile(rb"<\w")  # where feedparser's prolog ends (its own entity handling looks only before it)


def parse_feed(body: bytes, source: str, headers: dict[str, str] | None = None) -> tuple[list[Document], str | None]:
    """Documents of a feed, and a warning when the feed was malformed but still had entries."""
    feed = read_feed(body, source, headers)
    return feed.documents, feed.warning


class _Stop(BaseException):  # noqa: N818  (not an error: how a parse is stopped from inside feedparser)
    """Raised from inside feedparser's parse to stop it: a BaseException, so its `except` clauses let it through.
    `reason` is None when the entries after the first MAX_ENTRIES were met (the feed is read to them)."""

    def __init__(self, handler: Any, reason: str | None) -> None:
        super().__init__(reason)
        self.handler, self.reason = handler, reason


class _Bounds:
    """What a parse has met; `start` and `text` raise `_Stop` past a bound. `handler` is feedparser's parser (its
    mixin keeps `entries` and `depth`, the elements open), or another SAX handler (only the counts are bounded)."""

    def __init__(self) -> None:
        self.elements = self.attributes = self.pieces = 0

    def start(self, handler: Any, attributes: int) -> None:
        self.elements += 1
        self.attributes += attributes
        if self.elements & 63 and self.attributes <= MAX_ATTRIBUTES:  # the rest every 64 elements: 2 % of a parse when at each
            return
        if len(getattr(handler, "entries", ())) > MAX_ENTRIES:
            raise _Stop(handler, None)
        if getattr(handler, "depth", 0) >= MAX_DEPTH:
            raise _Stop(handler, f"elements nested over {MAX_DEPTH:,} deep")
        if self.elements > MAX_ELEMENTS:
            raise _Stop(handler, f"over {MAX_ELEMENTS:,} elements")
        if self.attributes > MAX_ATTRIBUTES:
            raise _Stop(handler, f"over {MAX_ATTRIBUTES:,} attributes")

    def text(self, handler: Any) -> None:
        self.pieces += 1
        if self.pieces > MAX_PIECES:
            raise _Stop(handler, f"over {MAX_PIECES:,} pieces of text")


class _Attributes(xml.sax.xmlreader.AttributesNSImpl):
    """An element's attributes whose `getValueByQName` is one lookup: the standard one walks every attribute, and
    feedparser asks it for each of them (an item of 300,000 attributes took some ten minutes to parse)."""

    def __init__(self, attrs: dict[tuple[str | None, str], str], qnames: dict[tuple[str | None, str], str]) -> None:
        super().__init__(attrs, qnames)
        self._values = attrs
        self._names: dict[str, tuple[str | None, str]] = {}
        for name, qname in qnames.items():
            self._names.setdefault(qname, name)  # the first, as the standard walk finds it

    def getValueByQName(self, name: str) -> str:
        if name not in self._names:
            raise KeyError(name)
        return self._values[self._names[name]]


class _BufferedExpatParser(xml.sax.expatreader.ExpatParser):
    """The standard expat SAX driver, with adjacent character data delivered in one call, and attributes
    looked up by name in one step (`_Attributes`)."""

    def reset(self) -> None:
        super().reset()
        self._parser.buffer_text = True  # type: ignore[attr-defined]  # set by reset(); typeshed does not declare it
        self._bounds = _Bounds()

    def start_element_ns(self, name: str, attrs: Mapping[str, str]) -> None:
        """The standard driver's, with `_Attributes`: expat's names are "uri local prefix", "uri local" or "local"."""
        pair = name.split()
        element = (None, name) if len(pair) == 1 else (pair[0], pair[1])
        values: dict[tuple[str | None, str], str] = {}
        qnames: dict[tuple[str | None, str], str] = {}
        for aname, value in attrs.items():
            parts = aname.split()
            key: tuple[str | None, str] = (None, aname) if len(parts) == 1 else (parts[0], parts[1])
            values[key] = value
            qnames[key] = aname if len(parts) == 1 else f"{parts[2]}:{parts[1]}" if len(parts) == 3 else parts[1]
        handler = self.getContentHandler()
        self._bounds.start(handler, len(values))
        handler.startElementNS(element, None, _Attributes(values, qnames))


def create_parser() -> _BufferedExpatParser:
    """The SAX driver entry point (`xml.sax.make_parser` calls it by this module's name)."""
    return _BufferedExpatParser()


if __name__ not in feedparser.api.PREFERRED_XML_PARSERS:
    feedparser.api.PREFERRED_XML_PARSERS.insert(0, __name__)


class _NoCategories:
    """A feedparser parser that keeps no categories (`<category>`, `<dc:subject>`, iTunes and media keywords): monitor
    reads none, and feedparser looked through an entry's list of them for each new one (50,000 in one entry took over
    10 s of CPU; 450,000 in a feed's 10,000 entries, 150 MB)."""

    def _add_tag(self, term: str | None, scheme: str | None, label: str | None) -> None:
        self._get_context().setdefault("tags", [])  # type: ignore[attr-defined]  # feedparser's mixin's; read by its `_end_category`


class _StrictParser(_NoCategories, feedparser.api.StrictFeedParser):  # type: ignore[misc]  # feedparser is untyped
    """feedparser's strict parser (the SAX handler), keeping no categories."""


if not issubclass(feedparser.api.StrictFeedParser, _NoCategories):
    feedparser.api.StrictFeedParser = _StrictParser


class _BoundedLooseParser(_NoCategories, feedparser.api.LooseFeedParser):  # type: ignore[misc]  # feedparser is untyped
    """feedparser's loose parser (it parses what its strict one could not: a feed with an undefined entity, a stray
    byte), counting its elements as the SAX driver does, and keeping no categories."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bounds = _Bounds()

    def feed(self, data: str) -> Any:
        """feedparser's, refused before its rewrites: it runs `re.sub` over the whole feed first (each '<!' opening no
        comment, CDATA or DOCTYPE made '&lt;!', each '<x/>' made '<x></x>'), a piece of memory per match (10 MB of '<!'
        peaked past 400 MB). A rewritten '<!' is a piece of text at least and a rewritten '<x/>' an element, so a feed
        with more of them than MAX_PIECES or MAX_ELEMENTS would be stopped by the parse anyway: counted in C, it is now
        stopped before."""
        if data.count("<!") - data.count("<!--") - data.count("<![") > MAX_PIECES:
            raise _Stop(self, f"over {MAX_PIECES:,} pieces of text")
        if data.count("/>") > MAX_ELEMENTS:
            raise _Stop(self, f"over {MAX_ELEMENTS:,} elements")
        return super().feed(data)

    def parse_starttag(self, i: int) -> Any:
        """sgmllib's, refusing a tag longer than MAX_TAG characters: the regular expression that finds a tag's end
        (feedparser's, in `feedparser.sgml`) took past 1.6 GB on a 10 MB tag, '<a b b b ...'. Looked for in the
        first MAX_TAG characters only, the end is found there or the tag is too long (or, at the end, unfinished)."""
        if len(self.rawdata) - i > MAX_TAG and _TAG_END.match(self.rawdata, i + 1, i + 1 + MAX_TAG) is None:
            raise _Stop(self, f"a tag of over {MAX_TAG:,} characters")
        return super().parse_starttag(i)

    def unknown_starttag(self, tag: str, attrs: Any) -> Any:
        self._bounds.start(self, len(attrs))
        return super().unknown_starttag(tag, attrs)

    # feedparser's, counting the pieces of text: the loose parser gives each reference and stray '<' a piece of its own.
    def handle_data(self, text: str, escape: int = 1) -> Any:
        self._bounds.text(self)
        return super().handle_data(text, escape)

    def handle_entityref(self, ref: str) -> Any:
        self._bounds.text(self)
        return super().handle_entityref(ref)

    def handle_charref(self, ref: str) -> Any:
        """feedparser's, with a reference to no character (a surrogate, past U+10FFFF: expat refuses them, sending the
        feed here) read as U+FFFD: feedparser's chr(...).encode() raised out of the parse."""
        self._bounds.text(self)
        try:
            code = int(ref[1:], 16) if ref[:1] in "xX" and ref else int(ref)
        except ValueError:  # more digits than int() reads
            code = -1
        return super().handle_charref(ref if 0 <= code < 0x110000 and not 0xD800 <= code < 0xE000 else "xfffd")


_TAG_END = feedparser.sgml.sgmllib.endbracket.endbracket  # the pattern feedparser.sgml gives sgmllib, unwrapped
if not issubclass(feedparser.api.LooseFeedParser, _BoundedLooseParser):
    feedparser.api.LooseFeedParser = _BoundedLooseParser


def read_feed(body: bytes, source: str, headers: dict[str, str] | None = None, defer_text: bool = False,
              cpu_seconds: float | None = None, setting: str = "[schedule] parse_timeout") -> ParsedFeed:
    """The whole parsed feed; bozo without entries, a parse past a bound or one that feedparser fails raise
    FeedParseError naming the source, as does a parse that took more than `cpu_seconds` of CPU (`setting` names
    where they are set).

    With `defer_text`, entry bodies stay markup (`Document.html`) for `text.with_text` to convert
    when an entry turns out to be new.
    """
    try:
        with cpu_bound(cpu_seconds):
            return _read_feed(body, source, headers, defer_text)
    except OutOfTime:
        raise UnparsableFeedError(f"{source}: not parsed: its parse took over {cpu_seconds:g} s of CPU ({setting})", source=source) from None


def _read_feed(body: bytes, source: str, headers: dict[str, str] | None, defer_text: bool) -> ParsedFeed:
    try:
        parsed, sniffed, charset = _parse(body, headers, source)
    except FeedParseError:
        raise
    except Exception as exc:  # feedparser's own failure on this feed (a UTF-7 feed's lone surrogate): its error, not a crash
        raise UnparsableFeedError(f"{source}: not parsed: {type(exc).__name__}: {_first_line(exc)}", source=source) from None
    entries = parsed.get("entries") or []
    bozo = parsed.get("bozo") or sniffed.get("bozo")
    reason = parsed.get("bozo_exception") or sniffed.get("bozo_exception")
    if not entries and (json := _json_said(body)):  # a feed, not a page to look into for one
        raise UnparsableFeedError(f"{source}: not a usable feed: {json}", source=source)
    if not entries and (bozo or not parsed.get("version")):
        reason = reason or "no feed found in the response"
        raise FeedParseError(f"{source}: not a usable feed: {_first_line(reason)}", source=source)
    warnings = [f"malformed feed, parsed anyway: {_first_line(reason)}"] if bozo else []
    warnings += [charset] if charset else []
    if len(entries) > MAX_ENTRIES:  # the parse stopped at the entry after them
        warnings.append(f"more than {MAX_ENTRIES:,} entries: only the first {MAX_ENTRIES:,} read")
        entries = entries[:MAX_ENTRIES]
    channel = parsed.get("feed", {})
    title = one_line_title(html_to_text(str(channel.get("title") or ""))) or None  # markup and entities, as an entry's title
    ttl = str(channel.get("ttl") or "").strip()
    ids = Counter(str(entry.get("id") or "").strip() for entry in entries)
    shared = {guid for guid, count in ids.items() if guid and count > 1}  # one GUID on several entries identifies none of them
    made = [_document(entry, source, defer_text, str(entry.get("id") or "").strip() in shared) for entry in entries]
    if cuts := [cut for _, cut in made if cut]:
        warnings.append(cuts[0] + (f" ({len(cuts):,} entries cut so)" if len(cuts) > 1 else ""))
    documents = _live_updates([doc for doc, _ in made])
    return ParsedFeed(documents, "; ".join(warnings) or None, title, int(ttl) if ttl.isdecimal() and len(ttl) <= 9 else None)


def _json_said(body: bytes) -> str:
    """What a JSON body is, in words, where feedparser's error would be expat's ("<unknown>:2:0: not well-formed"); ""
    when it is not JSON."""
    head = body[:2000].lstrip(b" \t\r\n\xef\xbb\xbf")
    if not head.startswith((b"{", b"[")):
        return ""
    if b"jsonfeed.org" in head:
        return "a JSON Feed, which monitor does not read: add the site's RSS or Atom feed"
    return "JSON, not an RSS or Atom feed"


def _live_updates(documents: list[Document]) -> list[Document]:
    """The documents, those whose links differ from another's only by an anchor marked `fragment` (its fragment is part
    of its identity): a live blog's feed lists its updates so (`https://x/live#update-3`), and without it each update
    after the first was a copy of it. A fragment with '=' (`#xtor=RSS-3`) tracks a reader: no identity."""
    anchors: dict[str, set[str]] = {}
    for doc in documents:
        page, _, anchor = (doc.url or "").partition("#")
        if anchor and "=" not in anchor:
            anchors.setdefault(page, set()).add(anchor)
    live = {page for page, found in anchors.items() if len(found) > 1}
    if not live:
        return documents
    out = []
    for doc in documents:
        page, _, anchor = (doc.url or "").partition("#")
        out.append(replace(doc, fragment=True) if page in live and anchor and "=" not in anchor else doc)
    return out


def _parse(body: bytes, headers: dict[str, str] | None, source: str) -> tuple[Any, Any, str]:
    """feedparser's result on the body decoded to UTF-8 by its own rules (a UTF-8 body served under another charset
    read as UTF-8: `_utf8_served_as_other`), DOCTYPE stripped, with what its charset detection said, and a warning
    ("" when none); a parse stopped past MAX_ENTRIES gives what it had read, one stopped past another bound raises
    FeedParseError naming `source`."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    sniffed = feedparser.FeedParserDict(bozo=False)
    if said := _utf8_served_as_other(headers.get("content-type", ""), body):
        headers["content-type"] = "application/xml; charset=utf-8"
    elif (repaired := _damaged_utf8(headers.get("content-type", ""), body)) is not None:
        body, said = repaired
    try:
        data = convert_to_utf8(headers, body, sniffed)
    except UnicodeEncodeError:  # decoded to a lone surrogate (UTF-7's '+2AA-'), which has no UTF-8: feedparser's re-encoding failed
        text = _with_surrogates(headers.get("content-type", ""), body)
        if text is None:
            raise
        headers["content-type"], sniffed = "application/xml; charset=utf-8", feedparser.FeedParserDict(bozo=False)
        data = convert_to_utf8(headers, storable_text(text).encode("utf-8"), sniffed)
        said = "characters no text can hold (lone surrogates, as UTF-7 can give) read as U+FFFD"
    if sniffed.get("encoding"):  # now UTF-8 with a matching declaration; say so, or it is decoded twice
        headers["content-type"] = "application/xml; charset=utf-8"
    # No sanitising or URI resolving: entry HTML only ever becomes plain text (html_to_text), never
    # markup shown to anyone, and the two passes cost two thirds of the parse.
    try:
        parsed = feedparser.parse(_strip_doctype(data), response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    except _Stop as stop:
        if stop.reason is not None:
            raise UnparsableFeedError(f"{source}: too large to parse: {stop.reason}", source=source) from None
        parser = stop.handler  # what feedparser's parse returns, from the parser it stopped
        parsed = feedparser.FeedParserDict(entries=parser.entries, feed=parser.feeddata, version=parser.version)
        if isinstance(parser, _BoundedLooseParser):  # run only where the strict one failed (its error is lost)
            parsed.update(bozo=True, bozo_exception="not well-formed XML")
    return parsed, sniffed, said


def _damaged_utf8(content_type: str, body: bytes) -> tuple[bytes, str] | None:
    """A body read as UTF-8 (as its Content-Type, else its XML declaration, says, or as XML is when neither does) that
    is UTF-8 but for a few bytes (a title cut mid-character), made UTF-8 throughout, and a warning; None when it is
    not one (`text.mostly_utf8`). feedparser reads a body that is not UTF-8 throughout as windows-1252: one bad byte
    garbled every accent and every Cyrillic or Arabic letter of every entry."""
    declared = _XML_ENCODING.match(body, 0, 512)
    label = _charset(content_type) or (declared[1].decode("ascii") if declared else "utf-8")
    try:
        if codecs.lookup(label).name != "utf-8" or body.isascii():
            return None
        body.decode("utf-8")
        return None
    except LookupError:
        return None
    except UnicodeDecodeError:
        pass
    if (mixed := mostly_utf8(body)) is None:
        return None
    text, bad = mixed
    return text.encode("utf-8"), f"{bad:,} byte{'s' if bad > 1 else ''} that {'are' if bad > 1 else 'is'} not UTF-8 in a UTF-8 feed read as windows-1252"


def _with_surrogates(content_type: str, body: bytes) -> str | None:
    """The body decoded with the charset its Content-Type or its XML declaration names, where that gives lone surrogates
    (UTF-7 does; no other codec): None when neither does."""
    declared = _XML_ENCODING.match(body, 0, 512)
    for label in (_charset(content_type), declared[1].decode("ascii", "replace") if declared else ""):
        try:
            text = body.decode(label) if label else ""
        except (LookupError, UnicodeError):
            continue
        if has_surrogate(text):
            return text
    return None


def _charset(content_type: str) -> str:
    return content_type.partition("charset=")[2].split(";")[0].strip().strip("\"'")


def _utf8_served_as_other(content_type: str, body: bytes) -> str:
    """A warning naming the charset a Content-Type gives a body that declares UTF-8 (its XML declaration, or a UTF-8 byte
    order mark), or that cannot be in the UTF-16 or UTF-32 it names (no NUL byte), and is UTF-8, when that charset reads
    it otherwise ("" when it does not): a server's default (`charset=windows-1252`) garbled every accent of a UTF-8 feed,
    and `charset=utf-16` made a feed of ASCII unreadable. Two signs, the declaration or the NUL bytes and the bytes,
    against the header's one."""
    label = _charset(content_type)
    try:
        name = codecs.lookup(label).name if label else "utf-8"
    except LookupError:
        return ""  # feedparser's own fallbacks (UTF-8 first) read it
    if name == "utf-8" or (body.isascii() and not name.startswith(("utf-16", "utf-32"))):
        return ""  # UTF-8 already, or the same text in any charset that ASCII is a part of
    declared = _XML_ENCODING.match(body, 0, 512)
    if body.startswith(codecs.BOM_UTF8) or (declared and declared[1].lower().replace(b"_", b"-") in (b"utf-8", b"utf8")):
        why = "as its XML declaration says"
    elif name.startswith(("utf-16", "utf-32")) and b"\x00" not in body[:512]:  # its markup is ASCII: NUL bytes in these
        why = f"(no {label} text is without NUL bytes)"
    else:
        return ""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return f"served as charset={label}, but it is UTF-8 {why}: read as UTF-8"


def _strip_doctype(data: bytes) -> bytes:
    """`data` without its DOCTYPE; any further or unparseable DOCTYPE before the root element is defused."""
    first = _DOCTYPE_KEYWORD.search(data)
    root = _ELEMENT.search(data)
    if first is None or (root is not None and root.start() < first.start()):
        return data  # none, or only inside the content (an HTML page in CDATA): not a declaration
    whole = _DOCTYPE.match(data, first.start())
    if whole:
        data = data[: first.start()] + data[whole.end() :]
        root = _ELEMENT.search(data)
    end = root.start() if root else len(data)
    return _DOCTYPE_KEYWORD.sub(b"&lt;!DOCTYPE", data[:end]) + data[end:]  # inert, even inside a comment


def _first_line(reason: object) -> str:
    return (str(reason).strip().splitlines() or [type(reason).__name__])[0][:200]


def _document(entry: Any, source: str, defer_text: bool = False, shared_id: bool = False) -> tuple[Document, str]:
    """An entry as a Document, and what a bound cut of its markup or title (`text.bounded_markup`; "" when nothing);
    `shared_id`: its GUID is on other entries of the feed too, so its link (or its words) tells it apart, as for an
    entry without one."""
    raw, title_cut = bounded_markup(entry.get("title") or "", "an entry's title")
    title = html_to_text(raw)
    content = entry.get("content") or []
    html, cut = bounded_markup(max((c.get("value") or "" for c in content), key=len, default="") or entry.get("summary") or "", "an entry's markup")
    link = entry.get("link") or ""
    if link and not _HTTP.match(link) and _HTTP.match(source):  # relative to the feed (an xml:base was applied by feedparser)
        try:
            link = urljoin(_without_credentials(source), link)
        except ValueError:  # '//[oops': a host no URL has (it raised out of the parse, and ended the whole poll)
            link = ""
    if not _HTTP.match(link):
        link = ""
    guid = (None if shared_id else entry.get("id")) or link or hashlib.sha256(f"{title}\n{html}".encode()).hexdigest()
    text = "" if defer_text else html_to_text(html)
    document = storable(Document(source=source, title=title, text=text, url=link or None, guid=guid, published=_when(entry), html=html if defer_text else ""))
    return document, "; ".join(filter(None, (title_cut, cut)))


def _without_credentials(url: str) -> str:
    """The feed's URL without its user name, password and query (a private feed's token): a base for its entries'
    relative links."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = dict.get(entry, key)  # plain lookup: FeedParserDict maps updated->published with a warning
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None
