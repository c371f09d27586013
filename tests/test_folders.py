"""Folder sources: which names are articles, reading each suffix into a Document, errors, watching."""

from __future__ import annotations

import json
import os
import struct
import threading
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import SEED

from monitor.errors import DocumentError
from monitor.sources import folders
from monitor.sources.folders import Entry, article_files, is_article_name, is_settled, read_document, read_folder_file, stable_since, watch


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def one_line_naming(exc: pytest.ExceptionInfo[DocumentError], path: Path) -> str:
    message = str(exc.value)
    assert str(path) in message
    assert "\n" not in message
    return message


# --- reading each suffix ---------------------------------------------------------------------------

def test_txt_with_short_first_line_takes_it_as_title(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Drone strike kills general\n\nThe strike hit a convoy near the airport.\nOfficials confirmed it.\n")
    doc = read_document(path, "inbox")
    assert doc.source == "inbox"
    assert doc.title == "Drone strike kills general"
    assert doc.text == "The strike hit a convoy near the airport.\nOfficials confirmed it."
    assert doc.url is None and doc.published is None


def test_txt_whose_first_line_is_a_paragraph_has_empty_title(tmp_path: Path) -> None:
    first = "The strike hit a convoy near the airport, officials said on Friday."
    path = write(tmp_path / "b.txt", f"{first}\nA second paragraph follows.\n")
    doc = read_document(path, "inbox")
    assert doc.title == ""
    assert doc.text == f"{first}\nA second paragraph follows."


def test_seed_article_reads_with_empty_title() -> None:
    doc = read_document(SEED, "seeds")
    assert doc.title == ""
    assert doc.text.startswith("US Defence Secretary Mark Esper")
    assert "Qasem Soleimani" in doc.text


def test_markdown_heading_is_title(tmp_path: Path) -> None:
    path = write(tmp_path / "c.md", "# Missiles hit Ain al-Asad\n\nIran launched ballistic missiles at the base.\n")
    doc = read_document(path, "inbox")
    assert doc.title == "Missiles hit Ain al-Asad"
    assert doc.text == "Iran launched ballistic missiles at the base."


HTML_PAGE = """<!DOCTYPE html>
<html><head><title>Strike near Baghdad airport | Example News</title>
<script>var trackingSecret = "SCRIPTMARKER"; document.write("SCRIPTMARKER");</script>
<style>body { color: red; } .STYLEMARKER {}</style></head>
<body>
<nav><ul><li><a href="/">NAVMARKER Home</a></li><li><a href="/world">NAVMARKER World</a></li></ul></nav>
<article>
<h1>Strike near Baghdad airport</h1>
<p>A drone strike near Baghdad International Airport killed the commander of the Quds Force early on
Friday, the Pentagon said in a statement issued hours after the attack on the convoy.</p>
<p>Officials in Baghdad said the convoy had left the airport shortly after midnight and was struck on
the access road. Several vehicles were destroyed and the bodies were recovered at dawn by civil defence.</p>
<p>Iran vowed retaliation, and oil prices rose sharply as traders weighed the risk of a wider regional
conflict that could disrupt shipping through the Strait of Hormuz in the weeks to come.</p>
</article>
<footer>FOOTERMARKER Copyright Example News</footer>
</body></html>
"""


def test_html_page_title_and_main_text_without_scripts_or_nav(tmp_path: Path) -> None:
    path = write(tmp_path / "d.html", HTML_PAGE)
    doc = read_document(path, "inbox")
    assert doc.title == "Strike near Baghdad airport | Example News"
    assert "A drone strike near Baghdad International Airport killed" in doc.text
    assert "Iran vowed retaliation" in doc.text
    for marker in ("SCRIPTMARKER", "STYLEMARKER", "NAVMARKER", "<p>", "trackingSecret"):
        assert marker not in doc.text


def test_short_html_page_without_nav_or_scripts(tmp_path: Path) -> None:
    """A page too short for main-text extraction still gives its text, never its scripts or menus."""
    page = ("<html><head><title>Brief</title><script>SCRIPTMARKER()</script></head><body>"
            "<nav>NAVMARKER Home</nav><p>Rockets hit the Green Zone.</p><footer>FOOTERMARKER</footer></body></html>")
    doc = read_document(write(tmp_path / "short.htm", page), "inbox")
    assert doc.title == "Brief"
    assert "Rockets hit the Green Zone." in doc.text
    for marker in ("SCRIPTMARKER", "NAVMARKER"):
        assert marker not in doc.text


def test_xhtml_page_with_xml_declaration_keeps_its_title(tmp_path: Path) -> None:
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Green Zone'
            '</title></head><body><div role="navigation">NAVMARKER Home</div><p>Rockets hit the Green Zone overnight.</p></body></html>')
    doc = read_document(write(tmp_path / "x.html", page), "inbox")
    assert doc.title == "Green Zone"
    assert "Rockets hit the Green Zone overnight." in doc.text
    assert "NAVMARKER" not in doc.text


def test_json_article_with_url_and_offset_time_becomes_utc(tmp_path: Path) -> None:
    obj = {"title": "Soleimani killed", "text": "A US drone strike killed Qasem Soleimani.",
           "url": "https://example.org/a/1", "id": "wire-1", "published": "2020-01-03T03:30:00+03:00"}
    doc = read_document(write(tmp_path / "e.json", json.dumps(obj)), "wire")
    assert doc.title == "Soleimani killed"
    assert doc.text == "A US drone strike killed Qasem Soleimani."
    assert doc.url == "https://example.org/a/1"
    assert doc.guid == "wire-1"
    assert doc.published == datetime(2020, 1, 3, 0, 30, tzinfo=UTC)
    assert doc.published.utcoffset() == timedelta(0)


@pytest.mark.parametrize(("published", "expected"), [
    ("2020-01-03T00:30:00Z", datetime(2020, 1, 3, 0, 30, tzinfo=UTC)),
    ("2020-01-03T00:30:00", datetime(2020, 1, 3, 0, 30, tzinfo=UTC)),  # naive is taken as UTC
    ("not a date", None),
    (1578011400, None),
])
def test_json_published_forms(tmp_path: Path, published: object, expected: datetime | None) -> None:
    path = write(tmp_path / "t.json", json.dumps({"title": "t", "text": "body", "published": published}))
    doc = read_document(path, "wire")
    assert doc.published == expected
    if doc.published is not None:
        assert doc.published.tzinfo is not None


def test_json_with_body_and_no_title_uses_file_stem(tmp_path: Path) -> None:
    path = write(tmp_path / "wire-report.json", json.dumps({"body": "Rockets were fired at the embassy."}))
    doc = read_document(path, "wire")
    assert doc.text == "Rockets were fired at the embassy."
    assert doc.title == "wire-report"
    assert doc.url is None and doc.guid is None and doc.published is None


def test_cp1252_text_is_decoded(tmp_path: Path) -> None:
    raw = "Caf\u00e9 owners said \u201cthe strike\u201d shook the city \u2013 na\u00efve hopes faded.".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    doc = read_document(write(tmp_path / "legacy.txt", raw), "inbox")
    assert doc.text == "Caf\u00e9 owners said \u201cthe strike\u201d shook the city \u2013 na\u00efve hopes faded."


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path / "bom.md", "\ufeff# Title\n\nBody text."), "inbox")
    assert doc.title == "Title"
    assert doc.text == "Body text."


# --- files that are not articles ------------------------------------------------------------------

def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("name", "content"), [
    ("nul.txt", b"Drone strike\x00\x00\x00 near the airport"),
    ("image.txt", tiny_png()),
    ("image.html", tiny_png()),
    ("controls.md", bytes(range(1, 9)) * 200),
])
def test_binary_file_is_rejected_naming_it(tmp_path: Path, name: str, content: bytes) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(DocumentError) as exc:
        read_document(path, "inbox")
    assert "binary" in one_line_naming(exc, path)
    assert exc.value.source == "inbox"


@pytest.mark.parametrize(("content", "problem"), [
    ('{"title": "x", "text": "unterminated', "not valid JSON"),
    ("", "not valid JSON"),
    ('[{"title": "x", "text": "y"}]', "must be an object"),
    ('"just a string"', "must be an object"),
    ('{"title": "no text here", "url": "https://example.org"}', "no 'text' or 'body'"),
    ('{"title": "x", "text": "   "}', "no 'text' or 'body'"),
    ('{"title": "x", "text": ["a", "list"]}', "no 'text' or 'body'"),
])
def test_bad_json_is_rejected_naming_the_file(tmp_path: Path, content: str, problem: str) -> None:
    path = write(tmp_path / "bad.json", content)
    with pytest.raises(DocumentError) as exc:
        read_document(path, "wire")
    assert problem in one_line_naming(exc, path)


def test_oversize_file_is_rejected_and_limit_itself_is_read(tmp_path: Path) -> None:
    line = b"Rockets were fired at the base overnight, officials said.\n"
    exact = line * (folders.MAX_FILE_BYTES // len(line)) + b"x" * (folders.MAX_FILE_BYTES % len(line))
    assert len(exact) == folders.MAX_FILE_BYTES
    assert read_document(write(tmp_path / "limit.txt", exact), "inbox").text.startswith("Rockets were fired")
    big = write(tmp_path / "big.txt", exact + b"y")
    with pytest.raises(DocumentError) as exc:
        read_document(big, "inbox")
    assert "larger than" in one_line_naming(exc, big)


def test_unreadable_path_is_document_error(tmp_path: Path) -> None:
    missing = tmp_path / "gone.txt"
    with pytest.raises(DocumentError) as exc:
        read_document(missing, "inbox")
    one_line_naming(exc, missing)


def test_reading_never_changes_or_deletes_the_file(tmp_path: Path) -> None:
    files = [
        write(tmp_path / "a.txt", "Title\n\nBody."),
        write(tmp_path / "b.html", HTML_PAGE),
        write(tmp_path / "c.json", json.dumps({"title": "t", "text": "x"})),
        write(tmp_path / "d.json", "{broken"),
        write(tmp_path / "e.txt", tiny_png()),
    ]
    past = 1_600_000_000
    for path in files:
        os.utime(path, (past, past))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    for path in files:
        try:
            read_document(path, "inbox")
        except DocumentError:
            pass
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before
    assert sorted(tmp_path.iterdir()) == sorted(files)


# --- names, listing, settling ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a.txt", "a.TXT", "b.md", "b.markdown", "c.html", "c.htm", "d.json", "e.text", "report.2020.txt"])
def test_article_names(name: str) -> None:
    assert is_article_name(name)


@pytest.mark.parametrize("name", [
    ".hidden.txt", ".DS_Store", "a.txt.part", "a.txt.tmp", "a.html.crdownload", "a.txt~", "a.json.partial",
    "a.pdf", "a.png", "noext", "a.md.swp", "a.txt.download",
])
def test_not_article_names(name: str) -> None:
    assert not is_article_name(name)


def test_article_files_lists_articles_oldest_first(tmp_path: Path) -> None:
    for i, name in enumerate(["new.txt", "old.md", "mid.json", ".hidden.txt", "x.txt.part", "y.tmp", "z.crdownload", "w.txt~", "pic.png"]):
        write(tmp_path / name, "text")
    (tmp_path / "sub.txt").mkdir()
    os.utime(tmp_path / "old.md", (1_000_000_000, 1_000_000_000))
    os.utime(tmp_path / "mid.json", (1_100_000_000, 1_100_000_000))
    os.utime(tmp_path / "new.txt", (1_200_000_000, 1_200_000_000))
    assert [e.path.name for e in article_files(tmp_path).files] == ["old.md", "mid.json", "new.txt"]


def test_article_files_skips_a_file_removed_while_listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "stays.txt", "text")
    write(tmp_path / "goes.txt", "text")
    real_scandir = os.scandir

    def scandir_then_remove(path: Path) -> object:
        entries = list(real_scandir(path))
        (tmp_path / "goes.txt").unlink()  # a user moves the file away just after the listing
        return iter(entries)

    monkeypatch.setattr(folders.os, "scandir", scandir_then_remove)
    assert [e.path.name for e in article_files(tmp_path).files] == ["stays.txt"]


def test_missing_folder_is_document_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-inbox"
    with pytest.raises(DocumentError) as exc:
        article_files(missing)
    assert "does not exist" in one_line_naming(exc, missing)
    assert exc.value.source == str(missing)


def test_is_settled_since_the_last_change() -> None:
    assert not is_settled(1000.0, now=1000.1, settle_seconds=0.3)
    assert not is_settled(1000.0, now=1000.29, settle_seconds=0.3)
    assert is_settled(1000.0, now=1000.31, settle_seconds=0.3)
    assert is_settled(1000.0, now=5000.0, settle_seconds=0.3)
    assert is_settled(1000.0, now=1000.0, settle_seconds=0)


# --- watching -------------------------------------------------------------------------------------

def test_watch_calls_on_change_when_an_article_is_created(tmp_path: Path) -> None:
    changed = threading.Event()
    observer = watch([(tmp_path, True)], changed.set)
    try:
        assert observer.is_alive()
        write(tmp_path / "new.txt", "Drone strike\n\nnear the airport.")
        assert changed.wait(timeout=10), "on_change was not called for a new article file"
    finally:
        observer.stop()
        observer.join(timeout=5)


def test_watch_ignores_partial_and_hidden_names(tmp_path: Path) -> None:
    calls: list[str] = []
    article = threading.Event()

    def on_change() -> None:
        calls.append("change")
        article.set()

    observer = watch([(tmp_path, True)], on_change)
    try:
        write(tmp_path / "download.txt.part", "partial")
        write(tmp_path / ".hidden.txt", "hidden")
        write(tmp_path / "picture.png", "png")
        # The article written last: once its event has arrived, the earlier ones have been seen too.
        (tmp_path / "download.txt.part").rename(tmp_path / "download.txt")
        assert article.wait(timeout=10)
        observer.stop()
        observer.join(timeout=5)
        # Only the rename onto an article name counted.
        assert len(calls) == 1
    finally:
        observer.stop()
        observer.join(timeout=5)


def test_watch_skips_missing_folders(tmp_path: Path) -> None:
    changed = threading.Event()
    observer = watch([(tmp_path / "missing", True), (tmp_path, False)], changed.set)
    try:
        write(tmp_path / "a.md", "# t\n\nbody")
        assert changed.wait(timeout=10)
    finally:
        observer.stop()
        observer.join(timeout=5)
