"""monitor.sources.feeds.parse_feed: feed bytes in, Documents out; hostile XML never expands or reads files."""

from __future__ import annotations

import json
import random
import re
import time
import xml.sax
import xml.sax.handler
from datetime import UTC, datetime
from pathlib import Path

import feedparser.api
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import FeedParseError
from monitor.model import Document
from monitor.sources import feeds as feeds_module
from monitor.sources.feeds import _BufferedExpatParser, parse_feed, read_feed
from monitor.sources.text import with_text
from tests.conftest import CORPUS

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
  <title>Wire</title>
  <link>https://news.example.org/</link>
  <description>World news</description>
  <item>
    <title>Strike &amp; response</title>
    <link>https://news.example.org/a/1</link>
    <guid isPermaLink="false">wire-0001</guid>
    <pubDate>Fri, 03 Jan 2020 01:30:00 +0300</pubDate>
    <description>&lt;p&gt;First &lt;b&gt;paragraph&lt;/b&gt;.&lt;/p&gt;&lt;p&gt;Second one.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Talks resume</title>
    <link>https://news.example.org/a/2</link>
    <guid>https://news.example.org/a/2</guid>
    <pubDate>Sat, 04 Jan 2020 12:00:00 GMT</pubDate>
    <description>Plain text summary.</description>
  </item>
  <item>
    <title>Ceasefire holds</title>
    <link>https://news.example.org/a/3</link>
    <guid isPermaLink="false">wire-0003</guid>
    <description>Third story, quiet day.</description>
  </item>
</channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom wire</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2020-01-03T00:00:00Z</updated>
  <entry>
    <title type="html">Drone &lt;em&gt;strike&lt;/em&gt; reported</title>
    <link rel="alternate" type="text/html" href="https://atom.example.org/e/1"/>
    <id>tag:atom.example.org,2020:1</id>
    <published>2020-01-03T02:00:00+02:00</published>
    <updated>2020-01-03T05:00:00+02:00</updated>
    <summary>Short summary.</summary>
    <content type="html">&lt;div&gt;&lt;p&gt;Full story, first part.&lt;/p&gt;&lt;p&gt;Second part.&lt;/p&gt;&lt;/div&gt;</content>
  </entry>
</feed>
"""


def rss_item(item: str, *, prolog: str = "", encoding: str = "utf-8") -> bytes:
    """An RSS 2.0 document around one <item>, encoded as declared."""
    xml = f'<?xml version="1.0" encoding="{encoding}"?>\n{prolog}<rss version="2.0"><channel><title>t</title>' \
          f"<link>https://e.example.org/</link><description>d</description><item>{item}</item></channel></rss>\n"
    return xml.encode(encoding)


def fields(doc: Document) -> str:
    return "\n".join(str(v) for v in (doc.title, doc.text, doc.url, doc.guid))


def test_rss2_entries_have_title_link_text_guid_and_utc_date():
    docs, warning = parse_feed(RSS, "wire", {"Content-Type": "application/rss+xml; charset=utf-8"})
    assert warning is None
    assert [d.title for d in docs] == ["Strike & response", "Talks resume", "Ceasefire holds"]
    first = docs[0]
    assert first.source == "wire"
    assert first.url == "https://news.example.org/a/1"
    assert first.guid == "wire-0001"
    assert first.text == "First paragraph.\nSecond one."
    assert first.published == datetime(2020, 1, 2, 22, 30, tzinfo=UTC)
    assert first.published.utcoffset().total_seconds() == 0
    assert docs[1].published == datetime(2020, 1, 4, 12, 0, tzinfo=UTC)
    assert docs[1].text == "Plain text summary."
    assert docs[2].published is None


def test_deferred_text_is_the_same_text_once_made():
    deferred = read_feed(RSS, "wire", {"Content-Type": "application/rss+xml; charset=utf-8"}, defer_text=True).documents
    assert deferred[0].text == "" and "<p>" in deferred[0].html
    made = [with_text(d) for d in deferred]
    assert made == parse_feed(RSS, "wire", {"Content-Type": "application/rss+xml; charset=utf-8"})[0]
    assert with_text(made[0]) is made[0]  # nothing deferred: as it was


def test_atom1_entry_uses_content_over_summary_and_utc_date():
    docs, warning = parse_feed(ATOM, "atom", {"Content-Type": "application/atom+xml"})
    assert warning is None
    [doc] = docs
    assert doc.title == "Drone strike reported"
    assert doc.url == "https://atom.example.org/e/1"
    assert doc.guid == "tag:atom.example.org,2020:1"
    assert doc.text == "Full story, first part.\nSecond part."
    assert doc.published == datetime(2020, 1, 3, 0, 0, tzinfo=UTC)
    assert doc.published.tzinfo is not None


def test_feed_without_headers_parses():
    docs, _ = parse_feed(RSS, "wire", None)
    assert len(docs) == 3


@pytest.mark.parametrize("link", ["javascript:alert(document.cookie)", "JavaScript:alert(1)", "mailto:desk@example.org",
                                  "ftp://files.example.org/a", "data:text/html,<script>alert(1)</script>", "/relative/path"])
def test_non_http_link_is_dropped(link):
    item = f"<title>Bad link</title><link><![CDATA[{link}]]></link><description>body</description>"
    [doc] = parse_feed(rss_item(item), "s", None)[0]
    assert doc.url is None
    assert doc.title == "Bad link"
    assert link.split(":")[0] not in (doc.guid or "")


def test_entry_without_guid_or_link_gets_stable_distinct_guids():
    body = rss_item("<title>One</title><description>first body</description>").replace(
        b"</item>", b"</item><item><title>Two</title><description>second body</description></item>")
    docs_a, _ = parse_feed(body, "s", None)
    docs_b, _ = parse_feed(bytes(body), "s", None)
    guids = [d.guid for d in docs_a]
    assert all(isinstance(g, str) and g for g in guids)
    assert guids == [d.guid for d in docs_b]
    assert guids[0] != guids[1]


HTML_PAGE = b"""<!DOCTYPE html>
<html><head><title>Page not found</title></head>
<body><h1>Sorry</h1><p>This page has moved. <a href="/">Home</a></p></body></html>
"""


@pytest.mark.parametrize("headers", [{"Content-Type": "text/html; charset=utf-8"}, None])
def test_html_page_instead_of_feed_is_feed_parse_error(headers):
    with pytest.raises(FeedParseError) as info:
        parse_feed(HTML_PAGE, "https://news.example.org/rss", headers)
    assert "https://news.example.org/rss" in str(info.value)
    assert info.value.source == "https://news.example.org/rss"
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("body", [random.Random(0).randbytes(4096), b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(2048),
                                  b"\x00" * 100, b"", b"   \n"])
def test_binary_garbage_is_feed_parse_error_naming_source(body):
    with pytest.raises(FeedParseError) as info:
        parse_feed(body, "garbage-source", {"Content-Type": "application/octet-stream"})
    assert "garbage-source" in str(info.value)
    assert "\n" not in str(info.value)


def test_truncated_feed_yields_entries_and_a_warning():
    cut = RSS[: RSS.index(b"<title>Ceasefire")]
    docs, warning = parse_feed(cut, "wire", None)
    assert [d.title for d in docs][:2] == ["Strike & response", "Talks resume"]
    assert docs[0].url == "https://news.example.org/a/1"
    assert warning and "malformed" in warning
    assert "\n" not in warning


PASSWD = Path("/etc/passwd").read_text(errors="replace").splitlines()[0] if Path("/etc/passwd").exists() else "root:x:0:0"


@pytest.mark.parametrize("prolog", [
    '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
    '<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n',
    '<!DOCTYPE rss [\n<!ENTITY % remote SYSTEM "file:///etc/passwd">\n%remote;\n<!ENTITY xxe "x">\n]>\n',
    '<!DOCTYPE rss SYSTEM "file:///etc/passwd">\n',
])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_xml_external_entity_never_reads_local_files(prolog, encoding):
    item = "<title>&xxe;</title><link>https://e.example.org/1</link><description>&xxe; body</description><guid>g&xxe;</guid>"
    try:
        docs, _ = parse_feed(rss_item(item, prolog=prolog, encoding=encoding), "xxe", None)
    except FeedParseError:
        return
    for doc in docs:
        assert PASSWD not in fields(doc)
        assert "root:" not in fields(doc)


BILLION_LAUGHS = """<!DOCTYPE rss [
<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def parse_quickly(body: bytes) -> list[Document]:
    """Documents of a hostile feed (none if it is rejected), parsed in well under the 2 s allowed."""
    started = time.monotonic()
    try:
        docs, _ = parse_feed(body, "bomb", None)
    except FeedParseError:
        docs = []
    elapsed = time.monotonic() - started
    assert elapsed < 2, f"took {elapsed:.2f}s"
    return docs


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_is_not_expanded(encoding):
    docs = parse_quickly(rss_item("<title>&lol9;</title><description>&lol9;</description>", prolog=BILLION_LAUGHS,
                                  encoding=encoding))
    for doc in docs:
        assert len(doc.title) < 100 and len(doc.text) < 100
        assert "lollol" not in fields(doc)


def quadratic_blowup(entity_size: int, refs: int, *, encoding: str = "utf-8", comment: int = 0) -> bytes:
    """One big internal entity referenced `refs` times in a title; `comment` bytes of padding before the DOCTYPE."""
    pad = f"<!-- {'p' * comment} -->\n" if comment else ""
    prolog = f'{pad}<!DOCTYPE rss [\n<!ENTITY x "{"a" * entity_size}">\n]>\n'
    return rss_item(f"<title>{'&x;' * refs}</title><link>https://e.example.org/1</link>", prolog=prolog, encoding=encoding)


@pytest.mark.parametrize(("entity_size", "refs", "kw"), [
    pytest.param(50_000, 2_000, {}, id="50KB-entity-x2000"),
    pytest.param(70_000, 300, {}, id="doctype-longer-than-64KB"),
    pytest.param(1_000, 300, {"comment": 70_000}, id="doctype-after-70KB-comment"),
    pytest.param(5_000, 1_000, {"encoding": "utf-16"}, id="utf-16"),
    pytest.param(5_000, 1_000, {"encoding": "utf-32"}, id="utf-32"),
    pytest.param(5_000, 1_000, {"encoding": "cp037"}, id="ebcdic"),
])
def test_quadratic_blowup_is_not_expanded(entity_size, refs, kw):
    body = quadratic_blowup(entity_size, refs, **kw)
    for doc in parse_quickly(body):
        size = len(doc.title)
        assert size < 10_000, f"title of {size} chars: the entity was expanded"


BIG = "a" * 5000


@pytest.mark.parametrize("prolog", [
    pytest.param(f'<!DOCTYPE rss [\n<!ENTITY b "]>">\n<!ENTITY x "{BIG}">\n]>\n', id="bracket-in-entity-value"),
    pytest.param(f'<!DOCTYPE a>\n<!DOCTYPE rss [\n<!ENTITY x "{BIG}">\n]>\n', id="second-doctype"),
    pytest.param(f'<!DOCTYPE a [<!ENTITY b "]>">]>\n<!DOCTYPE rss [\n<!ENTITY x "{BIG}">\n]>\n', id="bracket-then-second-doctype"),
    pytest.param(f'<!doctype rss [\n<!ENTITY x "{BIG}">\n]>\n', id="lowercase"),
    pytest.param(f"<!DOCTYPE rss [\n<!ENTITY q \"it's\">\n<!ENTITY x '{BIG}'>\n]>\n", id="quotes"),
])
def test_doctype_tricks_do_not_smuggle_an_entity(prolog):
    for doc in parse_quickly(rss_item("<title>" + "&x;" * 1000 + "</title>", prolog=prolog)):
        size = len(doc.title)
        assert size < 10_000, f"title of {size} chars: the entity was expanded"


def test_rss091_netscape_doctype_feed_parses_cleanly():
    prolog = ('<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
              '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n')
    docs, warning = parse_feed(rss_item("<title>Old school</title><link>https://e.example.org/1</link>", prolog=prolog), "s", None)
    assert [d.title for d in docs] == ["Old school"]
    assert warning is None


def test_doctype_text_inside_cdata_content_is_kept():
    item = "<title>Markup tips</title><link>https://e.example.org/1</link>" \
           "<description><![CDATA[Start a page with <!DOCTYPE then ]]></description>"
    docs, warning = parse_feed(rss_item(item), "s", None)
    assert [d.title for d in docs] == ["Markup tips"]
    assert docs[0].text.startswith("Start a page with")
    assert warning is None


CP1252_TITLE = "Café in Zürich – “naïve” señor €5"


@pytest.mark.parametrize("headers", [None, {}, {"Content-Type": "application/rss+xml"}, {"Content-Type": "text/xml"}])
def test_windows_1252_declared_in_xml_decodes_accents(headers):
    body = rss_item(f"<title>{CP1252_TITLE}</title><description>Crème brûlée – déjà vu</description>",
                    encoding="windows-1252")
    assert "é".encode("utf-8") not in body  # really single-byte cp1252 on the wire
    [doc] = parse_feed(body, "s", headers)[0]
    assert doc.title == CP1252_TITLE
    assert doc.text == "Crème brûlée – déjà vu"


def test_http_charset_header_decodes_body():
    body = rss_item(f"<title>{CP1252_TITLE}</title>", encoding="windows-1252").replace(b' encoding="windows-1252"', b"")
    [doc] = parse_feed(body, "s", {"Content-Type": "application/rss+xml; charset=windows-1252"})[0]
    assert doc.title == CP1252_TITLE


@pytest.mark.parametrize("content_type", ["application/rss+xml; charset=windows-1252", "text/html; charset=windows-1252",
                                          "application/rss+xml; charset=ISO-8859-15", "application/rss+xml; charset=utf-16"])
def test_a_utf8_feed_served_under_another_charset_is_read_as_the_utf8_it_declares(content_type: str) -> None:
    """Regression (found by helper xfeed2): a feed in UTF-8 that says so in its XML declaration, served under another
    charset (a server's default, `charset=windows-1252`), was read in the server's charset: every accent garbled
    ('CafÃ©'), so names with one went unmatched, without a word; under `charset=utf-16` a feed of ASCII was read as
    UTF-16 and refused whole ('not a usable feed'). A body that is UTF-8, as its declaration says, is read as UTF-8,
    with a warning naming the charset the server gave."""
    label = content_type.partition("charset=")[2]
    for title in (CP1252_TITLE, "Plain ASCII title"):
        if title.isascii() and "utf-16" not in content_type:
            continue  # the same text in every charset of ASCII: nothing to say
        docs, warning = parse_feed(rss_item(f"<title>{title}</title><description>Crème brûlée – déjà vu</description>"), "s", {"Content-Type": content_type})
        assert [d.title for d in docs] == [title]
        assert warning == f"served as charset={label}, but it is UTF-8 as its XML declaration says: read as UTF-8"


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "UTF-16LE"])
def test_a_utf8_feed_without_a_declaration_served_as_utf16_or_utf32_is_read_as_utf8(charset: str) -> None:
    """Regression (found by helper xhostile2): a UTF-8 feed with no XML declaration served under `charset=utf-16` was read
    as UTF-16 and refused whole ("not a usable feed: <unknown>:2:6: not well-formed"). Text in UTF-16 or UTF-32 without a
    byte order mark has NUL bytes in its first characters (its markup is ASCII); a body without is not in them."""
    body = rss_item(f"<title>{CP1252_TITLE}</title>").split(b"?>", 1)[1].lstrip()
    docs, warning = parse_feed(body, "s", {"Content-Type": f"application/rss+xml; charset={charset}"})
    assert [d.title for d in docs] == [CP1252_TITLE]
    assert warning == f"served as charset={charset}, but it is UTF-8 (no {charset} text is without NUL bytes): read as UTF-8"


def test_a_feed_that_declares_utf8_but_is_not_is_read_in_the_servers_charset() -> None:
    """What the rule above leaves alone: a body that is not UTF-8, whatever its declaration, is read as the server says."""
    body = rss_item(f"<title>{CP1252_TITLE}</title>", encoding="windows-1252").replace(b'encoding="windows-1252"', b'encoding="utf-8"')
    [doc] = parse_feed(body, "s", {"Content-Type": "application/rss+xml; charset=windows-1252"})[0]
    assert doc.title == CP1252_TITLE


@pytest.mark.parametrize("headers", [{}, {"Content-Type": "application/rss+xml; charset=utf-8"}])
def test_a_utf8_feed_with_a_few_bytes_that_are_not_is_read_as_utf8_with_those_replaced(headers: dict[str, str]) -> None:
    """Regression (found by helper xhostile2): one title cut mid-character (a CMS's cut, or a byte a server spoiled) made
    feedparser read the whole feed as windows-1252: every accent and every Cyrillic or Arabic letter of every entry
    garbled ('ErdoÄŸan', 'ÐŸÑ€ÐµÐ·Ð¸Ð´ÐµÐ½Ñ‚'), so no name with one was matched. A body whose UTF-8 sequences outnumber its
    bytes that are no UTF-8 is UTF-8: those bytes alone are read as windows-1252 (a Latin-1 'ñ' pasted in), with a warning."""
    items = "".join(f"<item><title>Erdoğan meets Sánchez {i}</title><link>https://e.example/{i}</link><description>Президент {i}</description></item>"
                    for i in range(3))
    body = rss_item("</item>" + items + "<item><title>x</title>").replace("Sánchez 2</title>".encode(), b"S\xc3</title>")
    docs, warning = parse_feed(body, "s", headers)
    assert [(d.title, d.text) for d in docs[1:4]] == [("Erdoğan meets Sánchez 0", "Президент 0"), ("Erdoğan meets Sánchez 1", "Президент 1"),
                                                      ("Erdoğan meets SÃ", "Президент 2")]
    assert warning == "1 byte that is not UTF-8 in a UTF-8 feed read as windows-1252"
    pasted = rss_item("<title>Sánchez y Erdoğan en España</title>").replace("España".encode(), "España".encode("latin-1"))
    assert [d.title for d in parse_feed(pasted, "s", headers)[0]] == ["Sánchez y Erdoğan en España"]
    cp1252 = rss_item(f"<title>{CP1252_TITLE}</title>", encoding="windows-1252").replace(b'encoding="windows-1252"', b'encoding="utf-8"')
    assert [d.title for d in parse_feed(cp1252, "s", headers)[0]] == [CP1252_TITLE]  # no UTF-8 in it: another charset, as before


def test_corpus_parses_to_documents_or_feed_parse_error():
    if not CORPUS.is_dir():
        pytest.skip(f"feed corpus absent: {CORPUS} not found (set MONITOR_CORPUS to its folder)")
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() in {".xml", ".rss", ".atom", ".rdf"})
    assert len(files) > 2000, f"only {len(files)} feed files under {CORPUS}"
    problems: list[str] = []
    parsed = rejected = 0
    for path in files:
        name = str(path.relative_to(CORPUS))
        try:
            docs, warning = parse_feed(path.read_bytes(), name, None)
        except FeedParseError as exc:
            rejected += 1
            if name not in str(exc) or "\n" in str(exc):
                problems.append(f"{name}: bad error message {str(exc)!r}")
            continue
        except Exception as exc:  # noqa: BLE001 - the point is that nothing else escapes
            problems.append(f"{name}: {exc.__class__.__name__}: {exc}")
            continue
        parsed += 1
        if warning is not None and (not isinstance(warning, str) or "\n" in warning):
            problems.append(f"{name}: bad warning {warning!r}")
        for doc in docs:
            if not (isinstance(doc.title, str) and isinstance(doc.text, str)):
                problems.append(f"{name}: title/text not str")
            if doc.url is not None and not doc.url.lower().startswith(("http://", "https://")):
                problems.append(f"{name}: url {doc.url!r}")
            if doc.published is not None and doc.published.utcoffset() != UTC.utcoffset(None):
                problems.append(f"{name}: published {doc.published!r} not UTC")
            if not (isinstance(doc.guid, str) and doc.guid):
                problems.append(f"{name}: no guid")
    assert not problems, f"{len(problems)} problems, first ones:\n" + "\n".join(problems[:20])
    assert parsed > 1000 and rejected > 0


def read_with_drivers(body: bytes, drivers: list[str]) -> object:
    """read_feed's result (or its error) with feedparser trying these SAX drivers first."""
    saved = feedparser.api.PREFERRED_XML_PARSERS[:]
    feedparser.api.PREFERRED_XML_PARSERS[:] = drivers
    try:
        return read_feed(body, "http://wire.example/feed", {"content-type": "application/rss+xml"}, defer_text=True)
    except FeedParseError as exc:
        return str(exc)
    finally:
        feedparser.api.PREFERRED_XML_PARSERS[:] = saved


def test_feeds_are_parsed_with_text_runs_in_one_piece():
    """The buffered expat driver is the one feedparser uses, and an escaped description (an entity every
    few characters) reaches feedparser's character handler in one piece, not one per entity."""
    parser = xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS)
    assert isinstance(parser, _BufferedExpatParser)
    pieces: list[str] = []
    handler = xml.sax.handler.ContentHandler()
    handler.characters = pieces.append  # type: ignore[method-assign]
    parser.setContentHandler(handler)
    parser.feed(b"<d>&lt;p&gt;Drone &amp; missile&lt;/p&gt;</d>")
    parser.close()
    assert pieces == ["<p>Drone & missile</p>"]


def test_the_buffered_driver_reads_every_corpus_feed_as_the_standard_one_does():
    if not CORPUS.is_dir():
        pytest.skip(f"the feed corpus is not at {CORPUS} (../shared/corpora/feeds beside the repository, or set MONITOR_CORPUS)")
    files = [p for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in {".md", ".txt", ".py"}]
    assert len(files) > 2000
    for path in files:
        body = path.read_bytes()
        assert read_with_drivers(body, [feeds_module.__name__]) == read_with_drivers(body, []), path


def test_nul_characters_are_dropped_from_every_field_of_an_entry() -> None:
    """Regression: a feed's `&#0;` (or a raw NUL the loose parser took) reached the store; PostgreSQL refuses NUL in text
    ("PostgreSQL text fields cannot contain NUL (0x00) bytes"), which failed the feed's whole batch."""
    body = (b'<rss version="2.0"><channel><item><title>Strike&#0; near Erbil</title><guid>g&#0;1</guid>'
            b"<link>http://example.org/\x00a</link><description>Rockets\x00 hit the base.</description></item></channel></rss>")
    for defer_text in (False, True):
        (doc,) = read_feed(body, "wire", defer_text=defer_text).documents
        assert (doc.title, doc.guid, doc.url) == ("Strike near Erbil", "g1", "http://example.org/a")
        assert "\x00" not in doc.text + doc.html and "Rockets hit the base." in doc.text + doc.html


def test_a_huge_title_is_cut_at_a_word_to_a_thousand_characters() -> None:
    """Regression (found by helper xatk): a feed's 4 MB title was stored whole and made a 20 MB alert page, a 12 MB
    `monitor alerts show` and a 6 MB console alert. Entry titles and the feed's own title are now cut."""
    from monitor.dedup import to_article
    from monitor.text_norm import TITLE_CHARS

    huge = "Drone strike " * 400_000
    feed = f'<rss version="2.0"><channel><title>{huge}</title><item><title>{huge}</title><guid>g1</guid><description>x</description></item></channel></rss>'
    parsed = read_feed(feed.encode(), "hostile")
    article = to_article(parsed.documents[0])
    for title in (article.title, parsed.title or ""):
        assert len(title) <= TITLE_CHARS and title.startswith("Drone strike Drone") and title.endswith("…")
        assert title[:-1].split()[-1] in ("Drone", "strike")  # cut after a whole word
    assert to_article(Document("s", "  A short\n title ", "x")).title == "A short title"
    assert len(to_article(Document("s", "x" * 5000, "x")).title) == TITLE_CHARS  # no space to cut at


def test_an_element_with_very_many_attributes_parses_in_linear_time() -> None:
    """Regression (found by helper xhostile): the standard SAX driver looks each attribute up by walking
    every attribute of its element (AttributesNSImpl.getValueByQName), so an item of 300,000 attributes (3.6 MB)
    kept a parsing process busy for some ten minutes, and 10 MB of them for hours: `monitor once` hung on it.
    The driver hands feedparser attributes looked up in one step; what it reads is the same."""
    many = b" ".join(b'a%d="v%d"' % (i, i) for i in range(60_000))
    body = b'<rss version="2.0"><channel><item ' + many + b' xml:lang="fr"><title>Strike</title><guid>g1</guid></item></channel></rss>'
    began = time.process_time()
    (doc,) = read_feed(body, "hostile").documents
    assert time.process_time() - began < 5
    assert (doc.title, doc.guid) == ("Strike", "g1")
    parser = xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS)
    seen: list[dict[str, str]] = []
    handler = xml.sax.handler.ContentHandler()
    handler.startElementNS = lambda name, qname, attrs: seen.append({q: attrs.getValueByQName(q) for q in attrs.getQNames()})  # type: ignore[method-assign]
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setContentHandler(handler)
    parser.feed(b'<d xmlns:n="http://e/" a="1" n:b="2" xml:lang="fr"/>')
    parser.close()
    assert seen == [{"a": "1", "n:b": "2", "xml:lang": "fr"}]


def test_an_entry_link_of_megabytes_is_no_link() -> None:
    """Regression (found by helper xhostile): a feed entry's 4 MB link was kept whole: its alert's body and
    context were 4 MB each in the store, `monitor alerts show` printed 8 MB, every alert line of the console
    channel's file 4 MB. A link longer than URL_CHARS is no link (as a javascript: one is); shorter ones stay."""
    from monitor.dedup import URL_CHARS, to_article

    huge = "https://wire.example/" + "a" * 4_000_000
    feed = f'<rss version="2.0"><channel><item><title>Strike</title><link>{huge}</link><guid>g1</guid><description>x</description></item></channel></rss>'
    article = to_article(read_feed(feed.encode(), "hostile").documents[0])
    assert (article.url, article.canonical_url, article.title) == (None, None, "Strike")
    long_ok = "https://wire.example/story?" + "q=1&" * ((URL_CHARS - 40) // 4)
    assert to_article(Document("s", "t", "x", url=long_ok)).url == long_ok


def test_a_feed_of_more_entries_than_any_feed_has_is_read_to_its_first_max_entries() -> None:
    """Regression (found by helper xhostile): a 10 MB feed of 198,291 short entries was stored whole by one
    `monitor once` (72 s, 1 GB in the daemon, 176 MB of database), and up to `backlog` such feeds wait in the
    daemon's memory at once. A feed is read to its first MAX_ENTRIES entries (its newest, as feeds list
    them), and the poll's log line says so."""
    from monitor.sources.feeds import MAX_ENTRIES

    items = "".join(f"<item><title>t{i}</title><guid>g{i}</guid></item>" for i in range(MAX_ENTRIES + 5))
    parsed = read_feed(f'<rss version="2.0"><channel>{items}</channel></rss>'.encode(), "hostile")
    assert len(parsed.documents) == MAX_ENTRIES and parsed.documents[-1].guid == f"g{MAX_ENTRIES - 1}"
    assert parsed.warning == f"more than {MAX_ENTRIES:,} entries: only the first {MAX_ENTRIES:,} read"


# A child parsing one hostile feed under an address-space limit: it prints the documents read and the warning, or
# the error; a parse that grows past the limit or runs past the timeout fails the test, never the machine or CI.
_PARSE_BOUNDED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, resource.RLIM_INFINITY))
from monitor.errors import FeedParseError
from monitor.sources.feeds import read_feed
head, unit, tail = (bytes.fromhex(sys.argv[i]) for i in (1, 2, 4))
try:
    feed = read_feed(head + unit * int(sys.argv[3]) + tail, "http://hostile.example/feed.xml", {}, defer_text=True)
    print(len(feed.documents), feed.warning)
except FeedParseError as exc:
    print("error:", exc)
"""


def parse_bounded(head: bytes, unit: bytes, count: int, tail: bytes = b"") -> str:
    import subprocess
    import sys

    args = [sys.executable, "-c", _PARSE_BOUNDED, head.hex(), unit.hex(), str(count), tail.hex()]
    done = subprocess.run(args, capture_output=True, text=True, timeout=90, cwd=Path(__file__).parent.parent, check=False)
    assert done.returncode == 0 and not done.stderr, done.stderr[-2000:]
    return done.stdout.strip()


_CHANNEL = b'<rss version="2.0"><channel><title>t</title>'


@pytest.mark.parametrize("head", [_CHANNEL, _CHANNEL + b"<item><title>&bogus;</title></item>"], ids=["strict", "loose"])
def test_a_feed_nested_past_any_feed_is_one_line_too_large_to_parse(head: bytes) -> None:
    """Regression (found by helper xhostile, left open after the reverted RLIMIT_AS bound): 10 MB of '<item>' never
    closed made feedparser build 1.7 million nested entries, past 2 GB (once by its strict parser, then again by its
    loose one), and the MemoryError ended the poll with a traceback. The parse now stops by itself past MAX_DEPTH
    open elements, in both parsers (an undefined entity sends feedparser to its loose one), and says so in one line."""
    out = parse_bounded(head, b"<item>", 1_700_000)
    assert out.startswith("error: http://hostile.example/feed.xml: too large to parse: ") and "nested" in out and "\n" not in out


@pytest.mark.parametrize("head", [_CHANNEL, _CHANNEL + b"<item><title>&bogus;</title></item>"], ids=["strict", "loose"])
def test_a_feed_of_millions_of_elements_stops_parsing_past_max_elements(head: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """10 MB of '<x/>' in one entry are 2.5 million elements that feedparser takes some 20 microseconds each to read:
    near a minute of a parsing process. The parse stops past MAX_ELEMENTS (made smaller here, for a quick test),
    in both parsers, in one line."""
    monkeypatch.setattr(feeds_module, "MAX_ELEMENTS", 20_000)
    body = head + b"<item><title>t</title>" + b"<x/>" * 100_000 + b"</item></channel></rss>"
    with pytest.raises(FeedParseError) as caught:
        read_feed(body, "http://hostile.example/feed.xml", {})
    assert str(caught.value) == "http://hostile.example/feed.xml: too large to parse: over 20,000 elements"
    assert len(read_feed(body[: len(head) + 22 + 4 * 19_000] + b"</item></channel></rss>", "wire").documents) == 1 + (b"bogus" in head)


@pytest.mark.parametrize("head", [_CHANNEL, _CHANNEL + b"<item><title>&bogus;</title></item>"], ids=["strict", "loose"])
def test_a_feed_of_a_million_entries_stops_parsing_past_max_entries(head: bytes) -> None:
    """10 MB of '<item></item>' (770,000 entries) were all parsed, then cut to the first MAX_ENTRIES; the parse now
    stops at the entry after them, with the same documents and a warning."""
    from monitor.sources.feeds import MAX_ENTRIES

    began = time.monotonic()
    out = parse_bounded(head, b"<item><title>t</title></item>", 350_000, b"</channel></rss>")
    assert out == f"{MAX_ENTRIES} more than {MAX_ENTRIES:,} entries: only the first {MAX_ENTRIES:,} read" or \
        out == f"{MAX_ENTRIES} malformed feed, parsed anyway: not well-formed XML; more than {MAX_ENTRIES:,} entries: only the first {MAX_ENTRIES:,} read", out
    assert time.monotonic() - began < 20


def test_a_tag_of_millions_of_attributes_is_one_line_too_large_to_parse_in_the_loose_parser() -> None:
    """10 MB of '<a b b b ...' (5 million attributes) in a feed feedparser's loose parser reads (an undefined entity
    sends it there) took the regular expression that finds a tag's end past 1.6 GB: a MemoryError and a traceback.
    The loose parser refuses a start tag of over MAX_TAG characters, looking for its end in that many only."""
    out = parse_bounded(_CHANNEL + b"<item><title>&bogus;</title><a ", b"b ", 5_000_000)
    assert out == "error: http://hostile.example/feed.xml: too large to parse: a tag of over 100,000 characters"


@pytest.mark.parametrize(("bound", "unit", "said"), [
    ("MAX_ATTRIBUTES", b'<x a="1" b="2"/>', "over 20,000 attributes"),
    ("MAX_PIECES", b"&lt;!", "over 20,000 pieces of text"),
    ("MAX_PIECES", b"&a;", "over 20,000 pieces of text"),
    ("MAX_PIECES", b"&#65;", "over 20,000 pieces of text"),
])
def test_a_feed_of_millions_of_attributes_or_pieces_of_text_stops_parsing(bound: str, unit: bytes, said: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A million attributes of one element took 500 MB to parse; the loose parser made each of 10 MB of '<!' a piece
    of text of its own (5 million, 500 MB). The parse stops past MAX_ATTRIBUTES (both parsers) and MAX_PIECES (the
    loose one: the strict one gives a run of text in one piece), made smaller here for a quick test."""
    monkeypatch.setattr(feeds_module, bound, 20_000)
    for head in (_CHANNEL, _CHANNEL + b"<item><title>&bogus;</title></item>")[bound == "MAX_PIECES":]:
        body = head + b"<item><title>t</title><description>" + unit * 30_000 + b"</description></item></channel></rss>"
        with pytest.raises(FeedParseError) as caught:
            read_feed(body, "http://hostile.example/feed.xml", {})
        assert str(caught.value) == f"http://hostile.example/feed.xml: too large to parse: {said}"


def test_entities_of_a_title_or_summary_without_markup_are_text():
    """Regression (found by helper xdesk): a feed's HTML with no tag kept its entities, so a WordPress title in
    CDATA, `Iran&#8217;s reply &amp; more`, was stored, matched, alerted and mailed as `Iran&#8217;s reply &amp; more`
    (and the web view showed `&amp;amp;`); with a tag beside them lxml decoded them."""
    item = ("<title><![CDATA[Iran&#8217;s reply &amp; more]]></title><link>https://news.example.org/e</link>"
            "<description>Kataeb Hezbollah&amp;#39;s rockets &amp;amp; drones &amp;lt;b&amp;gt;</description>")
    [doc] = parse_feed(rss_item(item), "s", None)[0]
    assert doc.title == "Iran\u2019s reply & more"
    assert doc.text == "Kataeb Hezbollah's rockets & drones <b>"


def test_a_feeds_own_title_is_text_as_its_entries_titles_are():
    """Regression (found by helper xdesk): `monitor sources add` named a feed by its title as the feed wrote it, so a
    title in CDATA made a source called 'Al Jazeera &#8211; News &amp; <b>Views</b>' in every listing, log line and alert."""
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title><![CDATA[Al Jazeera &#8211; News &amp; <b>Views</b>]]></title>'
            b"<item><title>x</title><link>https://a.example/1</link></item></channel></rss>")
    assert read_feed(body, "s").title == "Al Jazeera \u2013 News & Views"


@pytest.mark.parametrize("ref", ["&#xD800;", "&#55296;", "&#x110000;", "&#99999999999999999999;", "&#" + "9" * 5000 + ";"])
def test_a_character_reference_to_no_character_is_a_replacement_character_not_a_crash(ref: str) -> None:
    """Regression: expat refuses a reference to a surrogate or past U+10FFFF, so feedparser's loose parser read the feed,
    and its chr(...).encode() raised UnicodeEncodeError (or ValueError, OverflowError): out of the parsing process,
    ending the whole poll with a traceback (`monitor once`, exit 1; the other feeds' entries unstored). Such a
    reference is read as U+FFFD."""
    body = f'<rss version="2.0"><channel><item><title>a {ref} b</title><guid>g{ref}</guid><description>x {ref} y</description></item></channel></rss>'
    (doc,) = read_feed(body.encode(), "hostile").documents
    assert (doc.title, doc.guid, doc.text) == ("a \ufffd b", "g\ufffd", "x \ufffd y")


@pytest.mark.parametrize(("ttl", "kept"), [("60", 60), ("²", None), ("9" * 5000, None), ("١٢٠", 120)])
def test_a_ttl_that_is_no_number_of_minutes_is_ignored(ttl: str, kept: int | None) -> None:
    """Regression: `<ttl>²</ttl>` passed str.isdigit() and int() raised ValueError, as did a ttl of 5,000 digits:
    the same traceback as above."""
    body = f'<rss version="2.0"><channel><ttl>{ttl}</ttl><item><title>t</title><guid>g</guid></item></channel></rss>'
    assert read_feed(body.encode(), "hostile").ttl_minutes == kept


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(["a", "é", "\x00", "\ud800", "\udfff", "\U0001f600", "’", " ", "<"]), max_size=30))
def test_a_text_is_unstorable_where_it_holds_a_nul_or_a_lone_surrogate(text: str) -> None:
    """`model.unstorable` tells in C what a search for NUL and the surrogates' range told."""
    from monitor.model import unstorable

    assert unstorable(text) == bool(re.search("[\x00\ud800-\udfff]", text))


# A child parsing one feed and printing what it read (or its error), then how far its peak resident memory grew.
_PARSE_PEAK = """
import resource, sys
from monitor.errors import FeedParseError
from monitor.sources.feeds import read_feed
body = bytes.fromhex(sys.argv[1]) + bytes.fromhex(sys.argv[2]) * int(sys.argv[3]) + bytes.fromhex(sys.argv[4])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    feed = read_feed(body, "http://hostile.example/feed.xml", {}, defer_text=True)
    print(len(feed.documents), feed.warning)
except FeedParseError as exc:
    print("error:", exc)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.mark.parametrize(("unit", "said"), [
    (b"<!", "over 1,000,000 pieces of text"),
    (b"ab<!", "over 1,000,000 pieces of text"),
    (b"<a/>", "over 500,000 elements"),
])
def test_a_malformed_feed_of_millions_of_tags_feedparser_rewrites_is_refused_before_the_rewrite(unit: bytes, said: str) -> None:
    """Regression (left open by stop 39, found by helper xhostile): feedparser's loose parser rewrites the whole feed
    with `re.sub` before it parses it (each '<!' that opens no comment, CDATA or DOCTYPE into '&lt;!', each '<x/>'
    into '<x></x>'), a piece of memory per match: 10 MB of '<!' peaked near 440 MB (of '<a/>', 260 MB) before the
    parse's own bounds could stop it. More of them than MAX_PIECES (a rewritten '<!' is a piece of text at least)
    or MAX_ELEMENTS (a rewritten '<x/>' an element) are refused before the rewrite, in one line naming the feed."""
    import subprocess
    import sys

    head = _CHANNEL + b"<item><title>&bogus;</title></item><item><title>t</title><description>"
    tail = b"</description></item></channel></rss>"
    args = [sys.executable, "-c", _PARSE_PEAK, head.hex(), unit.hex(), str(10_000_000 // len(unit)), tail.hex()]
    done = subprocess.run(args, capture_output=True, text=True, timeout=90, cwd=Path(__file__).parent.parent, check=False)
    assert done.returncode == 0 and not done.stderr, done.stderr[-2000:]
    out, grown = done.stdout.strip().rsplit("\n", 1)
    assert out == f"error: http://hostile.example/feed.xml: too large to parse: {said}"
    assert int(grown) < 120, f"peak grew {grown} MB"


def test_a_relative_entry_link_is_resolved_against_the_feeds_url_without_its_credentials() -> None:
    """Regression: an entry link relative to the feed ('/world/1', as Atom allows and GitHub's release feeds wrote) was
    dropped as no http(s) link, so its article had no link: none in its alert, no URL to deduplicate a copy by. It is
    resolved against the feed's URL (as a browser would, the feed's user name and password left out); an xml:base in
    the feed still comes first, and a link to another scheme is still dropped."""
    rss = (b'<rss version="2.0"><channel><item><title>a</title><link>/world/1</link><guid>g1</guid></item>'
           b"<item><title>b</title><link>javascript:alert(1)</link><guid>g2</guid></item></channel></rss>")
    docs = read_feed(rss, "https://reader:secret@news.example/feeds/rss.xml?token=abc", {}).documents
    assert [d.url for d in docs] == ["https://news.example/world/1", None]
    fragment = rss.replace(b"/world/1", b"#more")  # the feed's own query (its token) is no part of an entry's link
    assert read_feed(fragment, "https://news.example/feeds/rss.xml?token=abc", {}).documents[0].url == "https://news.example/feeds/rss.xml#more"
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://cdn.example/base/"><title>x</title>'
            b'<entry><title>t</title><id>i</id><link href="2"/></entry></feed>')
    assert [d.url for d in read_feed(atom, "https://news.example/atom.xml", {}).documents] == ["https://cdn.example/base/2"]
    assert [d.url for d in read_feed(rss, "wire", {}).documents] == [None, None]  # no feed URL to resolve against


def test_a_newline_or_bidi_override_in_an_entrys_link_is_written_out_not_a_line_of_the_alert() -> None:
    """Regression: a feed entry's link with `&#10;` kept its newline, and the console channel (like a mail's body) keeps
    a message's lines: '=== ALERT [high] forged' stood on a line of its own in the alert; a bidi override reversed the
    rest of it. The article's link now has them as %XX (the link still opens; spaces stay as the feed wrote them)."""
    from monitor.dedup import to_article
    from monitor.redact import printable

    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x</title>'
            b"<link>https://a.example/x y&#10;=== ALERT [high] forged&#9;x&#x202e;z</link><guid>1</guid>"
            b"<description>Iran drone strike</description></item></channel></rss>")
    url = to_article(read_feed(body, "http://feed.example/rss", {}).documents[0]).url
    assert url == "https://a.example/x y%0A=== ALERT [high] forged%09x%E2%80%AEz"
    assert len(printable(f"Link: {url}", lines=True).splitlines()) == 1


# A child parsing one feed and making its entries text (as the parsing processes do for new entries), printing the
# feed's warning, the length of each text, and how far its peak resident memory grew (MB).
_TEXT_PEAK = """
import json, resource, sys
from monitor.sources.feeds import read_feed
from monitor.sources.text import html_to_text, with_text
html_to_text("<p>Warm-up.</p>")
body = bytes.fromhex(sys.argv[1]) + bytes.fromhex(sys.argv[2]) * int(sys.argv[3]) + bytes.fromhex(sys.argv[4])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
feed = read_feed(body, "http://hostile.example/feed.xml", {"Content-Type": "application/rss+xml"}, defer_text=True)
print(feed.warning)
print(json.dumps([(len(doc.title), len(with_text(doc).text)) for doc in feed.documents]))
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.mark.parametrize(("field", "unit", "said"), [
    ("description", b"<br>", "an entry's markup of 10,000,000 characters: only its first 1,000,000 made text"),
    ("description", b"x<br>", "an entry's markup of 10,000,000 characters: only its first 1,000,000 (and in them its first 50,000 tags) made text"),
    ("description", b"<p>a</p>", "an entry's markup of 10,000,000 characters: only its first 1,000,000 (and in them its first 50,000 tags) made text"),
    ("title", b"x<br>", "an entry's title of 10,000,000 characters: only its first 1,000,000 (and in them its first 50,000 tags) made text"),
])
def test_an_entry_of_megabytes_of_markup_is_made_text_in_bounded_memory_with_one_line(field: str, unit: bytes, said: str) -> None:
    """Regression (found by helper xfeed2): an entry's markup (its description in CDATA, up to [http] max_body_bytes)
    was made text whole, by the element: 10 MB of '<br>' peaked 710 MB in a parsing process, of 'x<br>' 730 MB, and
    nothing said so. An entry's markup and title are made text as a page is (`text.bounded_markup`: their first
    PAGE_CHARS characters and PAGE_TAGS tags), the feed's warning line saying so."""
    import subprocess
    import sys

    head = _CHANNEL + f"<item><link>https://news.example/1</link>{'' if field == 'title' else '<title>t</title>'}<{field}><![CDATA[".encode()
    tail = f"]]></{field}></item></channel></rss>".encode()
    args = [sys.executable, "-c", _TEXT_PEAK, head.hex(), unit.hex(), str(10_000_000 // len(unit)), tail.hex()]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent, check=False)
    assert done.returncode == 0 and not done.stderr, done.stderr[-2000:]
    warning, lengths, grown = done.stdout.strip().splitlines()
    assert warning == said
    assert len(json.loads(lengths)) == 1 and all(title <= 1_000_000 and text <= 1_000_000 for title, text in json.loads(lengths))
    assert int(grown) < 150, f"peak grew {grown} MB"


@pytest.mark.parametrize("real", ["\U000f0000", "\U000f0001", "\U000f001b", "\U000f0020", "\U000f0021"])
def test_a_private_use_character_of_plane_15_in_markup_stays_itself_not_a_control_character(real: str) -> None:
    """Regression (xweb4, session 44): the controls lxml refuses stand in, while lxml has the markup, as plane-15
    private-use characters U+F0001-U+F0021 (`lxml_safe`), brought back after (`lxml_restored`); a feed holding one of
    those characters itself got the control character it stands for (U+F001B came out as ESC, an ANSI escape where
    the feed had sent none). A real one is itself again, beside real controls and after a dropped script."""
    from monitor.sources.text import html_to_text, lxml_restored, lxml_safe

    for markup in (f"<p>a{real}b</p>", f"<p>a{real}\x1b[31m{real}{real}\x01</p><script>x</script>{real}\x1b<b>c</b>",
                   f"<p>\U000f0000{real}\U000f0000\x01\U000f0000</p>"):
        text = markup.replace("<p>", "").replace("</p>", "\n").replace("<script>x</script>", "").replace("<b>", "").replace("</b>", "").strip()
        assert html_to_text(markup) == text, markup
        assert lxml_restored(lxml_safe(markup)) == markup


def test_a_control_character_after_a_dropped_script_or_a_paragraph_is_no_failure_of_the_whole_feed() -> None:
    """Regression (xweb3, session 43): an entry's summary (or the channel's title) holding a control character (an
    ANSI escape, ESC) after a `<script>` or a paragraph made lxml raise ValueError ("All strings must be XML compatible")
    as the script was dropped or the paragraph's line break added: `monitor sources add` ended in a traceback, and the
    daemon recorded the whole feed as failing at every poll, its other entries never stored. The text is read whole,
    the character kept as in a text without markup (written out where it is shown)."""
    entry = "<item><title>{}</title><guid>g{}</guid><description>{}</description></item>"
    hostile = "&lt;p&gt;Rockets hit the base.&lt;/p&gt;\x1b[31m &lt;script&gt;x&lt;/script&gt;\x1b[0m Officials said."
    body = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Wire &lt;script&gt;x&lt;/script&gt;\x1b[31m</title>"
            + entry.format("Rockets", 1, hostile) + entry.format("Talks", 2, "Talks resume.") + "</channel></rss>").encode()
    parsed = read_feed(body, "wire", {"Content-Type": "application/rss+xml"}, defer_text=True)
    texts = [with_text(d).text for d in parsed.documents]
    assert parsed.title == "Wire \x1b[31m"
    assert texts == ["Rockets hit the base.\n\x1b[31m \x1b[0m Officials said.", "Talks resume."]


def test_a_feed_of_many_categories_is_parsed_without_keeping_them() -> None:
    """feedparser kept each `<category>` and looked through the entry's list for each new one: 50,000 in one entry took
    over 10 s of CPU (the feed's error, `parse_timeout`), and 45 in each of 8,000 entries 148 MB (bench/feed_tags_peak.py).
    monitor reads no categories: none is kept, and the feed is read in a second."""
    cats = b"".join(b"<category>c%d</category>" % i for i in range(50_000))
    body = (b'<rss version="2.0"><channel><title>W</title><item><title>Strike</title><link>https://w.example/s</link>'
            b"<guid>s</guid><description>x</description>" + cats + b"</item></channel></rss>")
    feed = read_feed(body, "wire", cpu_seconds=4.0)
    assert [doc.guid for doc in feed.documents] == ["s"] and feed.warning is None
    parsed = feedparser.api.parse(b'<rss version="2.0"><channel><item><title>T</title><category domain="d">a</category></item></channel></rss>')
    assert parsed.entries[0].get("tags") == [] and parsed.entries[0].title == "T"  # feedparser's own `_end_category` still runs
