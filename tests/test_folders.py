"""Folder sources: which names are articles, reading each suffix into a Document, errors, watching."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import struct
import threading
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import SEED, query, write_config

from monitor.errors import DocumentError
from monitor.pipeline import Pipeline, build_pipeline
from monitor.settings import FolderSource, load_settings
from monitor.sources import folders
from monitor.sources.folders import Entry, article_files, is_article_name, is_settled, read_document, read_folder_file, stable_since, watch
from monitor.store.tables import ArticleRow, SeenFileRow


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


@pytest.mark.parametrize(("url", "kept"), [
    ("https://example.org/a/1?x=1#p", True),
    ("HTTP://example.org/a", True),
    ("https://a.example/x\n=== ALERT [high] forged", False),  # a line forged in the alert's body
    ("https://a.example/x\x1b[2J", False),  # a terminal escape in it
    ("https://a.example/\u202egnp.exe", False),  # a bidi override
    ("https://a.example/a b", False),
    ("javascript:alert(document.cookie)", False),  # as a feed entry's link to another scheme
    ("/world/1", False),
])
def test_a_json_articles_url_is_an_http_link_or_none(tmp_path: Path, url: str, kept: bool) -> None:
    """Regression: a JSON article's `url` was taken as written: a newline in it forged a line of the alert the console
    channel printed (`=== ALERT [high] forged`), and a `javascript:` one was stored as the article's link."""
    obj = {"title": "Strike", "text": "Iran fired ballistic missiles at Ain al-Asad.", "url": url}
    doc = read_document(write(tmp_path / "e.json", json.dumps(obj)), "wire")
    assert doc.url == (url if kept else None)


@pytest.mark.parametrize(("published", "expected"), [
    ("2020-01-03T00:30:00Z", datetime(2020, 1, 3, 0, 30, tzinfo=UTC)),
    ("2020-01-03T00:30:00", datetime(2020, 1, 3, 0, 30, tzinfo=UTC)),  # naive is taken as UTC
    ("not a date", None),
    (1578011400, None),
    ("9999-12-31T23:59:59-05:00", None),  # past datetime's last year in UTC: an OverflowError was `monitor once`'s traceback
    ("0001-01-01T00:00:00+05:00", None),  # before its first
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


def test_a_utf8_file_or_page_with_a_stray_byte_keeps_its_letters(tmp_path: Path) -> None:
    """Regression (found by helper xhostile2): one byte that is not UTF-8 (a Latin-1 'ñ' pasted into a UTF-8 text, a
    character cut) made the whole file or full-text page read as windows-1252: every accent and every Cyrillic letter
    garbled ('ErdoÄŸan'), so no name with one was matched. A text whose UTF-8 sequences outnumber its bytes that are no
    UTF-8 is UTF-8, those bytes alone read as windows-1252."""
    from monitor.sources.text import decode_page

    raw = "Erdoğan met Sánchez in España; Президент said so.".encode().replace("España".encode(), "España".encode("latin-1"))
    assert read_document(write(tmp_path / "mixed.txt", raw), "inbox").text == "Erdoğan met Sánchez in España; Президент said so."
    for headers in ({}, {"Content-Type": "text/html; charset=utf-8"}):
        assert decode_page(b"<p>" + raw + b"</p>", headers) == "<p>Erdoğan met Sánchez in España; Президент said so.</p>"


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path / "bom.md", "\ufeff# Title\n\nBody text."), "inbox")
    assert doc.title == "Title"
    assert doc.text == "Body text."


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_bom_are_decoded_not_refused_as_binary(tmp_path: Path, encoding: str) -> None:
    """Regression: a file saved as "Unicode" (UTF-16 with a byte order mark, as Windows Notepad and Word do) was refused
    as "binary file, not an article" for its NUL bytes, and its article lost."""
    bom = {"utf-16-le": "\ufeff", "utf-16-be": "\ufeff"}.get(encoding, "")  # utf-16 and utf-32 write their own
    raw = (bom + "Drone strike near Baghdad\n\nA drone strike killed Qasem Soleimani na\u00efvely \u201cat once\u201d.\n").encode(encoding)
    assert b"\x00" in raw
    doc = read_document(write(tmp_path / "unicode.txt", raw), "inbox")
    assert doc.title == "Drone strike near Baghdad"
    assert doc.text == "A drone strike killed Qasem Soleimani na\u00efvely \u201cat once\u201d."


def test_utf16_without_a_bom_is_still_refused_as_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "nobom.txt", "Drone strike near Baghdad airport".encode("utf-16-le"))
    with pytest.raises(DocumentError) as exc:
        read_document(path, "inbox")
    assert "binary" in one_line_naming(exc, path)


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
    ('{"title": "x", "text": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),  # was a RecursionError: a traceback, the scan ended
    ('{"title": "x", "text": "y", "n": ' + "1" * 5000 + "}", "a number of over 4,300 digits"),  # a ValueError: `monitor once`'s traceback
])
def test_bad_json_is_rejected_naming_the_file(tmp_path: Path, content: str, problem: str) -> None:
    path = write(tmp_path / "bad.json", content)
    with pytest.raises(DocumentError) as exc:
        read_document(path, "wire")
    assert problem in one_line_naming(exc, path)


@pytest.mark.parametrize(("name", "content"), [
    ("late.txt", b"Rockets hit the base\n\n" + b"Kataeb Hezbollah fired rockets at the embassy. " * 200 + b"\x00 and on."),
    ("escaped.json", b'{"title": "Strike\\u0000", "text": "Rockets\\u0000 hit the base.", "id": "g\\u00001", "url": "https://example.org/\\u0000a"}'),
])
def test_nul_characters_are_dropped_from_an_article_file(tmp_path: Path, name: str, content: bytes) -> None:
    """Regression: a NUL past the binary check's first 8 KB, or JSON's \\u0000, reached the store, which PostgreSQL refuses."""
    doc = read_document(write(tmp_path / name, content), "wire")
    assert "\x00" not in f"{doc.title}{doc.text}{doc.url}{doc.guid}" and "Rockets" in doc.title + doc.text


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


def test_a_folder_nested_too_deep_to_watch_is_left_to_the_rescans_in_one_line_and_the_others_are_watched(tmp_path: Path,
                                                                                                         caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by helper xhostile2): watchdog walks a recursive folder's subfolders with os.walk, which recurses
    once per level: subfolders nested 1,500 deep raised RecursionError out of `monitor run`'s start ("stopped by an
    uncaught error"), and no folder was read."""
    deep, other = tmp_path / "deep", tmp_path / "other"
    other.mkdir()
    deep.mkdir()
    nested = os.open(deep, os.O_RDONLY)
    for _ in range(1500):
        os.mkdir("a", dir_fd=nested)
        inner = os.open("a", os.O_RDONLY, dir_fd=nested)
        os.close(nested)
        nested = inner
    os.close(nested)
    changed = threading.Event()
    caplog.set_level(logging.INFO)
    observer = watch([(deep, True), (other, True)], changed.set)
    try:
        write(other / "a.md", "# t\n\nbody")
        assert changed.wait(timeout=10)
    finally:
        observer.stop()
        observer.join(timeout=5)
        while (deep / "a" / "a").is_dir():  # unnested a level at a time: pytest's rmtree recurses once per level too
            (deep / "a" / "a").rename(deep / "b")
            (deep / "a").rmdir()
            (deep / "b").rename(deep / "a")
    said = [r.getMessage() for r in caplog.records if str(deep) in r.getMessage()]
    assert said == [f"{deep}: not watched (subfolders nested too deep to watch): its new files are read at each rescan ([schedule] folders_every)"]


def test_watch_sees_a_file_in_a_subfolder_when_recursive(tmp_path: Path) -> None:
    """Issue 14 item 23: the observer watches subfolders of a recursive folder."""
    (tmp_path / "wire" / "afp").mkdir(parents=True)
    changed = threading.Event()
    observer = watch([(tmp_path, True)], changed.set)
    try:
        write(tmp_path / "wire" / "afp" / "new.txt", "Drone strike\n\nnear the airport.")
        assert changed.wait(timeout=10), "on_change was not called for an article in a subfolder"
    finally:
        observer.stop()
        observer.join(timeout=5)


# --- what a folder scan reads and refuses (issue 14 items 3, 7, 23) -------------------------------

SECRET = "Qasem Soleimani SECRETCANARY was killed in a drone strike near Baghdad airport."


def folder_pipeline(tmp_path: Path, inbox: Path, **folder: object) -> Pipeline:
    """A pipeline over one inbox whose [[folders]] settings are overridden by `folder`."""
    settings = load_settings(write_config(tmp_path, folders=[inbox]))
    folders_ = [f.model_copy(update=folder) for f in settings.folders]
    return build_pipeline(settings.model_copy(update={"folders": folders_}))


def stored_texts(pipeline: Pipeline) -> list[str]:
    with pipeline.db.session() as s:
        return [f"{title}\n{text}" for title, text in s.execute(select(ArticleRow.title, ArticleRow.text).order_by(ArticleRow.id))]


def lines_about(caplog: pytest.LogCaptureFixture, path: Path) -> list[str]:
    return [r.getMessage() for r in caplog.records if str(path) in r.getMessage()]


def old_file(path: Path, content: str | bytes) -> Path:
    write(path, content)
    os.utime(path, (time.time() - 60, time.time() - 60))
    return path


def test_symlink_to_a_file_outside_is_refused_in_one_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 14 item 3: a link in the folder to a file outside stored that file and alerted its text."""
    outside = old_file(tmp_path / "secret.txt", SECRET)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old_file(inbox / "good.txt", "Rockets hit the Green Zone\n\nKataeb Hezbollah fired rockets at the embassy.")
    (inbox / "passwd.txt").symlink_to(outside)
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    for _ in range(3):
        pipeline.scan_folders()
    texts = stored_texts(pipeline)
    assert len(texts) == 1 and "Green Zone" in texts[0]
    assert not any("SECRETCANARY" in t for t in texts)
    said = lines_about(caplog, inbox / "passwd.txt")
    assert len(said) == 1 and "symbolic link, not followed" in said[0]  # once, not every scan


def test_symlink_to_a_file_inside_is_refused_and_its_target_read_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Links are never followed, even inside: the target is read as itself, so nothing is lost."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    target = old_file(inbox / "story.txt", SECRET)
    (inbox / "alias.txt").symlink_to(target)
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    pipeline.scan_folders()
    assert len(stored_texts(pipeline)) == 1
    assert "symbolic link" in lines_about(caplog, inbox / "alias.txt")[0]


def test_fifo_is_refused_in_one_line_without_blocking(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.mkfifo(inbox / "pipe.txt")
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    pipeline.scan_folders()
    pipeline.scan_folders()
    said = lines_about(caplog, inbox / "pipe.txt")
    assert len(said) == 1 and "a FIFO, not a regular file" in said[0]
    assert stored_texts(pipeline) == []


def test_a_name_that_is_not_utf8_is_refused_in_one_line_and_its_neighbours_read(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression: a file named with bytes that are not UTF-8 (b"bad\\xff.txt") reached the store as surrogates, and the
    UnicodeEncodeError ended the scan: a traceback from `monitor once`, no file of the folder read."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old_file(inbox / "good.txt", "Rockets hit the Green Zone\n\nKataeb Hezbollah fired rockets at the embassy.")
    bad = os.fsencode(inbox) + b"/bad\xff\xfe.txt"
    with open(bad, "wb") as fh:
        fh.write(SECRET.encode())
    os.mkdir(os.fsencode(inbox) + b"/sub\xff")
    with open(os.fsencode(inbox) + b"/sub\xff/inner.txt", "wb") as fh:
        fh.write(SECRET.encode())
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    pipeline.scan_folders()
    pipeline.scan_folders()
    texts = stored_texts(pipeline)
    assert len(texts) == 1 and "Green Zone" in texts[0]
    refused = [r.getMessage() for r in caplog.records if "not UTF-8" in r.getMessage()]
    assert len(refused) == 2  # the file and the subfolder, once each


def test_a_file_whose_path_is_longer_than_the_system_takes_is_refused_in_one_line_and_its_neighbours_read(tmp_path: Path,
                                                                                                        caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by helper xhostile2): subfolders nested until a file's path passed PATH_MAX (4,096 bytes) made
    listing it raise ENAMETOOLONG: a traceback from `monitor once` ("stopped by an uncaught error"), no file of the folder
    read."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old_file(inbox / "good.txt", "Rockets hit the Green Zone\n\nKataeb Hezbollah fired rockets at the embassy.")
    folder = os.open(inbox, os.O_RDONLY)
    for _ in range(4096 // 200 + 1):  # made relative to each folder: the path itself is too long to name
        os.mkdir("d" * 200, dir_fd=folder)
        inner = os.open("d" * 200, os.O_RDONLY, dir_fd=folder)
        os.close(folder)
        folder = inner
    os.close(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=folder))
    os.close(folder)
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    pipeline.scan_folders()
    pipeline.scan_folders()
    texts = stored_texts(pipeline)
    assert len(texts) == 1 and "Green Zone" in texts[0]
    refused = [r.getMessage() for r in caplog.records if "longer than the system takes" in r.getMessage()]
    assert len(refused) == 1 and "\n" not in refused[0] and str(inbox / ("d" * 200)) in refused[0], refused


def test_symlinked_subfolder_pointing_outside_is_not_entered(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    old_file(elsewhere / "secret.txt", SECRET)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "wire").symlink_to(elsewhere, target_is_directory=True)
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    pipeline.scan_folders()
    pipeline.scan_folders()
    assert stored_texts(pipeline) == []
    said = lines_about(caplog, inbox / "wire")
    assert len(said) == 1 and "symbolic link, not followed" in said[0]


def listed(folder: Path, name: str) -> Entry:
    return next(e for e in article_files(folder).files if e.path.name == name)


def test_a_file_swapped_for_a_link_after_listing_is_refused(tmp_path: Path) -> None:
    """The check and the open cannot be raced: the file itself is opened with O_NOFOLLOW and fstat'ed."""
    outside = old_file(tmp_path / "secret.txt", SECRET)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    entry = listed(inbox, old_file(inbox / "a.txt", "harmless").name)
    (inbox / "a.txt").unlink()
    (inbox / "a.txt").symlink_to(outside)
    with pytest.raises(DocumentError, match="symbolic link") as exc:
        read_folder_file(inbox, entry, "inbox")
    one_line_naming(exc, inbox / "a.txt")


def test_a_subfolder_swapped_for_a_link_after_listing_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    old_file(elsewhere / "a.txt", SECRET)
    inbox = tmp_path / "inbox"
    (inbox / "wire").mkdir(parents=True)
    old_file(inbox / "wire" / "a.txt", "harmless")
    entry = listed(inbox, "a.txt")
    (inbox / "wire" / "a.txt").unlink()
    (inbox / "wire").rmdir()
    (inbox / "wire").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(DocumentError, match="not followed"):
        read_folder_file(inbox, entry, "inbox")


def test_a_file_swapped_for_a_fifo_after_listing_is_refused_without_blocking(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    entry = listed(inbox, old_file(inbox / "a.txt", "harmless").name)
    (inbox / "a.txt").unlink()
    os.mkfifo(inbox / "a.txt")
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            read_folder_file(inbox, entry, "inbox")
        except DocumentError as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=30)  # a guard only: a blocking open would hang here until a writer came
    assert not reader.is_alive(), "opening a FIFO blocked"
    assert "a FIFO, not a regular file" in str(outcome[0])


def test_default_settle_outlasts_a_two_second_pause() -> None:
    """Issue 14 item 7: a file written with a 2 s pause was read at 39 characters (settle was 0.3 s)."""
    settle = FolderSource(path=Path("inbox")).settle_seconds
    part1 = stable_since(None, 39, 1000 * 10**9, now=1000.05)  # the writer wrote 39 characters at t=1000
    assert not is_settled(part1[2], now=1002.0, settle_seconds=settle)  # 2 s of pause: still not read
    part2 = stable_since(part1, 4000, 1002 * 10**9, now=1002.1)  # the rest arrives
    assert part2[2] == 1002.1
    assert not is_settled(part2[2], now=1006.0, settle_seconds=settle)
    assert is_settled(part2[2], now=1002.1 + settle, settle_seconds=settle)


def test_the_settle_clock_restarts_on_a_change_whatever_the_mtime_says() -> None:
    """Size or mtime changed since the previous scan: unchanged only from now (mtimes are coarse, skewed, or set back)."""
    first = stable_since(None, 10, 500 * 10**9, now=1000.0)
    assert first == (10, 500 * 10**9, 500.0)  # first seen: since its mtime (an old file is read at once)
    assert stable_since(first, 10, 500 * 10**9, now=1001.0) == first
    assert stable_since(first, 20, 500 * 10**9, now=1001.0) == (20, 500 * 10**9, 1001.0)  # grew, same mtime
    assert stable_since(first, 10, 400 * 10**9, now=1001.0) == (10, 400 * 10**9, 1001.0)  # mtime set back
    assert stable_since(None, 10, 2000 * 10**9, now=1000.0)[2] == 1000.0  # a clock ahead of ours


def test_a_file_written_in_two_parts_is_read_whole(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = write(inbox / "wire.txt", "Strike near Baghdad airport\n\nA drone strike killed")
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=30)
    assert pipeline.scan_folders() is True  # being written
    with path.open("a") as fh:
        fh.write(" Qasem Soleimani near Baghdad airport, officials said.\n")
    os.utime(path, (time.time() - 60, time.time() - 60))  # an mtime that looks long settled
    assert pipeline.scan_folders() is True  # it changed since the last scan: the clock starts again
    assert stored_texts(pipeline) == []
    pipeline.settings = pipeline.settings.model_copy(update={"folders": [f.model_copy(update={"settle_seconds": 0.3}) for f in pipeline.settings.folders]})
    pipeline.run_once()  # rescans until it has been unchanged for 0.3 s
    texts = stored_texts(pipeline)
    assert len(texts) == 1 and "Qasem Soleimani near Baghdad airport, officials said." in texts[0]


def test_a_file_appended_repeatedly_is_stored_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 14 item 7: a file appended every second was stored as 7 articles."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = old_file(inbox / "live.txt", "Live: strike near Baghdad airport\n\nQasem Soleimani was killed in a drone strike.\n")
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    pipeline.scan_folders()
    for i in range(6):
        with path.open("a") as fh:
            fh.write(f"Update {i}: Kataeb Hezbollah fired rockets at a base in western Iraq, wave {i}.\n")
        os.utime(path, (time.time() - 60 + i, time.time() - 60 + i))
        pipeline.scan_folders()
    assert len(stored_texts(pipeline)) == 1
    said = lines_about(caplog, path)
    assert len(said) == 1 and "changed after it was read; not read again (write a new file name)" in said[0]
    build_pipeline(pipeline.settings).scan_folders()  # nor after a restart
    assert len(stored_texts(pipeline)) == 1


def test_subfolders_are_read_unless_recursive_is_off_and_hidden_ones_never(tmp_path: Path) -> None:
    """Issue 14 item 23."""
    inbox = tmp_path / "inbox"
    (inbox / "wire" / "afp").mkdir(parents=True)
    (inbox / ".git").mkdir()
    old_file(inbox / "wire" / "afp" / "deep.txt", "Strike near Baghdad airport\n\nQasem Soleimani was killed in a drone strike.")
    old_file(inbox / ".git" / "hidden.txt", SECRET)
    old_file(inbox / "wire" / ".draft.txt", SECRET)
    assert [str(e.relative) for e in article_files(inbox).files] == ["wire/afp/deep.txt"]
    assert article_files(inbox, recursive=False).files == []
    assert FolderSource(path=inbox).recursive is True
    flat = folder_pipeline(tmp_path, inbox, settle_seconds=0, recursive=False)
    flat.scan_folders()
    assert stored_texts(flat) == []
    deep = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    deep.scan_folders()
    texts = stored_texts(deep)
    assert len(texts) == 1 and "drone strike" in texts[0]
    with deep.db.session() as s:
        assert s.scalars(select(SeenFileRow.path)).all() == [str((inbox / "wire" / "afp" / "deep.txt").resolve())]


def test_max_file_bytes_is_a_folder_setting(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old_file(inbox / "small.txt", "Strike near Baghdad airport\n\nQasem Soleimani was killed.")
    big = old_file(inbox / "big.txt", "Rockets were fired at the base overnight, officials said.\n" * 4)
    assert FolderSource(path=inbox).max_file_bytes == 5 * 1024 * 1024
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0, max_file_bytes=100)
    caplog.set_level(logging.INFO)
    pipeline.scan_folders()
    pipeline.scan_folders()
    assert len(stored_texts(pipeline)) == 1
    said = lines_about(caplog, big)
    assert len(said) == 1 and "larger than 100 bytes (max_file_bytes)" in said[0]


def test_a_file_over_max_file_bytes_is_read_once_the_setting_is_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression: a file over `max_file_bytes` was marked read with its one line, so raising the setting (as the line
    suggests) and reloading or restarting never read it: its article was lost unless the file was renamed."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    big = old_file(inbox / "big.txt", "Rockets hit the base\n\n" + "Kataeb Hezbollah fired rockets at the base overnight. " * 4)
    caplog.set_level(logging.INFO)
    small = folder_pipeline(tmp_path, inbox, settle_seconds=0, max_file_bytes=100)
    small.scan_folders()
    small.scan_folders()
    assert stored_texts(small) == []
    said = lines_about(caplog, big)
    assert len(said) == 1 and "larger than 100 bytes (max_file_bytes), not read" in said[0]
    raised = folder_pipeline(tmp_path, inbox, settle_seconds=0, max_file_bytes=1000)  # the setting raised: a restart
    raised.scan_folders()
    raised.scan_folders()
    assert [t.split("\n")[0] for t in stored_texts(raised)] == ["Rockets hit the base"]


def test_empty_files_and_other_types_get_one_line_each(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    empty = old_file(inbox / "empty.txt", "")
    pdf = old_file(inbox / "report.pdf", "%PDF-1.4")
    old_file(inbox / "download.txt.part", "partial")  # a writer's partial name: silent
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    assert pipeline.scan_folders() is False
    assert pipeline.scan_folders() is False
    said_empty, said_pdf = lines_about(caplog, empty), lines_about(caplog, pdf)
    assert len(said_empty) == 1 and "empty file, not read" in said_empty[0]
    assert len(said_pdf) == 1 and "not an article file (" in said_pdf[0]
    assert lines_about(caplog, inbox / "download.txt.part") == []
    write(empty, "Strike near Baghdad airport\n\nQasem Soleimani was killed in a drone strike.")  # it gets text
    pipeline.scan_folders()
    assert len(stored_texts(pipeline)) == 1


def test_every_line_about_a_folders_file_names_its_source_in_the_json_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by helper xsoak's soak): the lines of an empty file, a file of another type and a file changed after
    it was read had no `source` field (docs/operations.md: each JSON line has `source` where the event has one): a log
    collector's view of a folder's lines missed them."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    empty, pdf = old_file(inbox / "empty.txt", ""), old_file(inbox / "report.pdf", "%PDF-1.4")
    live = old_file(inbox / "live.txt", "Live: strike near Baghdad airport\n\nQasem Soleimani was killed in a drone strike.\n")
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    pipeline.scan_folders()
    write(live, "Live: strike near Baghdad airport, an update.\n")
    os.utime(live, (time.time() - 30, time.time() - 30))
    pipeline.scan_folders()
    [label] = [f.label for f in pipeline.settings.folders]
    said = [r for r in caplog.records if any(str(p) in r.getMessage() for p in (empty, pdf, live))]
    assert len(said) == 3, [r.getMessage() for r in said]
    assert [getattr(r, "source", None) for r in said] == [label] * 3, [r.getMessage() for r in said]


def test_a_long_article_of_watched_names_is_matched_in_bounded_time_and_its_neighbour_still_alerts(tmp_path: Path) -> None:
    """Regression (found by helper xhostile): matching grows with the square of a text's matches, and a
    sentence that never ends makes each of them look through it: a 300 KB file of 'Iran drone strike '
    kept `monitor once` busy past 2 minutes (a 5 MB one, the folder's limit, for days), and the folder's
    other files waited behind it. An article's text is now kept to its first TEXT_CHARS characters."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old_file(inbox / "a-hostile.txt", "Iran " * 200_000)  # 1 MB, one sentence, 200,000 actor matches
    old_file(inbox / "b-wire.txt", f"Strike\n\n{SECRET}\n")
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    scan = threading.Thread(target=pipeline.scan_folders, daemon=True)
    began = time.monotonic()
    scan.start()
    scan.join(timeout=60)
    assert not scan.is_alive(), "the scan of a 1 MB file of watched names did not end within 60 s"
    assert time.monotonic() - began < 60
    texts = stored_texts(pipeline)
    assert len(texts) == 2 and any("SECRETCANARY" in t for t in texts)
    hostile = next(t for t in texts if "SECRETCANARY" not in t)
    from monitor.text_norm import TEXT_CHARS

    assert len(hostile) <= TEXT_CHARS + 1 and hostile.endswith("Iran …")  # cut after a whole word


def test_read_files_gone_from_their_folder_are_forgotten_past_keep_days_and_the_others_never_read_again(tmp_path: Path) -> None:
    """Regression (found by helper xpg): `seen_files` kept a row for every file ever read, for ever (an inbox
    fed and emptied daily grows it by its files every day, months on). A row is now forgotten by the daily
    prune once its file is gone from its folder and it was read before the cutoff; a folder that lists empty
    (an unmounted share looks so) or that cannot be listed whole forgets nothing."""
    from monitor.scanning import forget_gone
    from monitor.store.db import utcnow
    from tests.test_cli import monitor

    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    for name, text in (("a.txt", "Kataeb Hezbollah fired rockets."), ("b.txt", "A drone strike hit a convoy."), ("sub/c.txt", "Tehran launched missiles.")):
        old_file(inbox / name, text)
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    pipeline.scan_folders()
    assert len(stored_texts(pipeline)) == 3
    (inbox / "a.txt").unlink()
    (inbox / "sub" / "c.txt").unlink()
    folders_ = pipeline.folders.folders
    assert forget_gone(pipeline.db, folders_, utcnow() - timedelta(days=1)) == 0  # read after the cutoff: kept
    flat = tuple(f.__class__(f.label, f.path, False, f.settle_seconds, f.max_file_bytes) for f in folders_)
    assert forget_gone(pipeline.db, flat, utcnow() + timedelta(seconds=1)) == 1  # not recursive: sub/c.txt is none of its files
    with pipeline.db.session() as s:
        s.execute(SeenFileRow.__table__.update().values(seen_at=utcnow() - timedelta(days=3)))
    result = monitor("prune", "--days", "2", "--config", str(tmp_path / "monitor.toml"))
    assert result.returncode == 0 and "1 read file gone from its folder" in result.stdout, result.stdout + result.stderr
    with pipeline.db.session() as s:
        assert s.scalars(select(SeenFileRow.path)).all() == [str((inbox / "b.txt").resolve())]
    pipeline.scan_folders()
    assert len(stored_texts(pipeline)) == 3  # b.txt, still there, not read again
    (inbox / "b.txt").unlink()  # the folder lists empty now
    assert forget_gone(pipeline.db, folders_, utcnow() + timedelta(seconds=1)) == 0
    inbox.rename(tmp_path / "unmounted")
    assert forget_gone(pipeline.db, folders_, utcnow() + timedelta(seconds=1)) == 0


def test_a_rescan_asks_the_store_only_of_files_it_does_not_know_read_and_follows_the_folder(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by helper xops): every scan asked the store of every file its folder held, read long ago or not
    (at 20,000 files left in a folder, 0.38 s of each scan; bench/folder_scan.py). A scan now asks only of the files this
    process does not know to be read, as they are now (path, size, mtime): a changed file is still said to have changed
    (not read again), a new one is read, a removed one leaves the memory (and, once the prune forgets it, a new file of
    its name is read), and a restart reads nothing twice."""
    from sqlalchemy import event

    from monitor.scanning import forget_gone
    from monitor.store.db import utcnow
    from tests.conftest import DISTINCT_STORIES

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(3):
        old_file(inbox / f"a{i}.txt", DISTINCT_STORIES[i])
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    pipeline.scan_folders()
    assert len(stored_texts(pipeline)) == 3
    pipeline.scan_folders()  # (learns that they are read)
    asked: list[str] = []
    event.listen(pipeline.db.engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: asked.append(statement))
    pipeline.scan_folders()
    assert not [q for q in asked if "FROM seen_files" in q], asked
    with (inbox / "a0.txt").open("a") as fh:
        fh.write(" An update.")
    os.utime(inbox / "a0.txt", (time.time() - 30, time.time() - 30))
    old_file(inbox / "a3.txt", DISTINCT_STORIES[3])
    for _ in range(3):
        pipeline.scan_folders()
    assert len(stored_texts(pipeline)) == 4  # a3 read; a0 not read again
    said = lines_about(caplog, inbox / "a0.txt")
    assert len(said) == 1 and "changed after it was read; not read again" in said[0], said
    (inbox / "a1.txt").unlink()
    pipeline.scan_folders()
    assert len(next(iter(pipeline.folders.states.values())).read) == 3  # the files there: the memory follows the folder
    assert forget_gone(pipeline.db, pipeline.folders.folders, utcnow() + timedelta(seconds=1)) == 1
    old_file(inbox / "a1.txt", DISTINCT_STORIES[4])
    pipeline.scan_folders()
    assert len(stored_texts(pipeline)) == 5
    build_pipeline(pipeline.settings).scan_folders()  # a restart reads nothing twice
    assert len(stored_texts(pipeline)) == 5


def test_a_page_of_megabytes_is_made_text_from_its_first_page_chars_in_seconds(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression: trafilatura's extraction grows faster than a page (1 MB of short paragraphs took 3.3 s, 4 MB 53 s;
    4 MB of '<br>' lines 1 GB), and a full-text feed's pages (up to [http] max_body_bytes, 10 MB) and a folder's HTML
    files (max_file_bytes) were given to it whole, in the storing thread. A page is made text from its first
    PAGE_CHARS characters (an article's text is kept to 50,000 of them anyway), with one line saying so."""
    from monitor.sources.text import PAGE_CHARS, PAGE_TAGS, page_to_text

    page = "<html><head><title>Wire</title></head><body><article>" + "<p>Strike hit.</p>" * 220_000 + "</article></body></html>"
    path = tmp_path / "big.html"
    path.write_text(page)
    began = time.process_time()
    with caplog.at_level(logging.INFO, logger="monitor"):
        doc = folders.parse_document(path.read_bytes(), path, "inbox", max_bytes=len(page))
    assert time.process_time() - began < 20
    assert doc.title == "Wire" and doc.text.startswith("Strike hit.") and doc.text.count("Strike hit.") < PAGE_CHARS // 18
    said = [r.getMessage() for r in caplog.records if r.name == "monitor"]
    assert said == [f"{path}: a page of {len(page):,} characters: only its first {PAGE_CHARS:,} (and in them its first {PAGE_TAGS:,} tags) made text"]
    assert page_to_text("<p>Short.</p>", "x") == ("", "Short.") and len([r for r in caplog.records if r.name == "monitor"]) == 1


# A child making a page text and printing the line it logged, then how far its peak resident memory grew (MB).
_PAGE_PEAK = """
import logging, resource, sys
from monitor.sources.text import page_to_text
logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
page_to_text("<html><head><title>Warm</title></head><body><p>Warm-up.</p></body></html>", "warm-up")
page_to_text("<html><body><br><br>", "warm-up")  # trafilatura's fallback extractors load at their first use
page = "<html><head><title>Wire</title></head><body>" + sys.argv[1] * int(sys.argv[2]) + "</body></html>"
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
title, text = page_to_text(page, "http://hostile.example/page")
print(len(text), (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.mark.parametrize(("unit", "said"), [
    ("<br>", ""),
    ("x<br>", "http://hostile.example/page: a page of {tags:,} tags: only its first 50,000 made text"),
    ("<p>a</p>", "http://hostile.example/page: a page of {tags:,} tags: only its first 50,000 made text"),
])
def test_a_page_of_a_million_characters_of_elements_is_made_text_in_bounded_memory(unit: str, said: str) -> None:
    """Regression (found by helper xfeed2): a page (a full-text feed's, a folder's .html file) was bounded only by its
    characters (PAGE_CHARS), while lxml's tree and trafilatura's work cost by the element: 1,000,000 characters of
    '<br>' peaked 210 MB above the process's own, of 'x<br>' 330 MB, of '<p>a</p>' 210 MB. Runs of line breaks are
    made two (the same text) and a page is made text from its first PAGE_TAGS tags, with one line naming it."""
    count = 999_900 // len(unit)
    args = [sys.executable, "-c", _PAGE_PEAK, unit, str(count)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent, check=False)
    assert done.returncode == 0 and not done.stderr, done.stderr[-2000:]
    *lines, last = done.stdout.strip().splitlines()
    grown = int(last.split()[1])
    assert [line for line in lines if "hostile" in line] == ([said.format(tags=count * unit.count("<") + 8)] if said else [])
    assert grown < 100, f"peak grew {grown} MB"


# A child reading a folder's .html file and printing the lines it logged, then how far its peak resident memory grew (MB).
_FILE_PEAK = """
import logging, resource, sys
from pathlib import Path
from monitor.sources.folders import read_document
logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
warm, path = Path(sys.argv[1]), Path(sys.argv[2])
warm.write_text("<html><head><title>Warm</title></head><body><p>Warm-up.</p></body></html>")
read_document(warm, "inbox")
warm.write_text("<html><body><br><br>")  # trafilatura's fallback extractors load at their first use
read_document(warm, "inbox")
path.write_text("<html><head><title>Wire</title></head><body>" + "x<br>" * 999_000 + "</body></html>")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
doc = read_document(path, "inbox")
print(doc.title, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_a_folders_5_mb_html_file_of_elements_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """Regression (found by the attacker helper, stop 45): a folder's .html file was parsed whole by lxml (its
    navigation menus dropped) before the page's bounds applied: 5 MB of 'x<br>' peaked 256 MB above the reading
    process's own (273 MB in the daemon). The file's markup is bounded first (its first PAGE_CHARS characters, in
    them its first PAGE_TAGS tags), with one line naming the file: some 60 MB, as a 250 KB file of it."""
    page = tmp_path / "page.html"
    args = [sys.executable, "-c", _FILE_PEAK, str(tmp_path / "warm.html"), str(page)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent, check=False)
    assert done.returncode == 0 and not done.stderr, done.stderr[-2000:]
    *lines, last = done.stdout.strip().splitlines()
    title, grown = last.rsplit(" ", 1)
    assert int(grown) < 100, f"peak grew {grown} MB"
    assert title == "Wire"
    assert [line for line in lines if str(page) in line] == [f"{page}: a page of {page.stat().st_size:,} characters: only its first 1,000,000 (and in them its first 50,000 tags) made text"]


def test_a_json_article_with_lone_surrogate_escapes_is_stored_with_replacement_characters(tmp_path: Path) -> None:
    """Regression: '\\ud800' in a JSON file's text is a lone surrogate, which no UTF-8 store takes: `monitor once`
    ended with a traceback (UnicodeEncodeError from the database driver) and the folder's other files were not
    stored. A document's lone surrogates become U+FFFD, as its NUL characters are dropped."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "odd.json").write_text('{"title": "Rockets \\udfff", "text": "Kataeb Hezbollah fighters fired rockets \\ud800 at a base."}')
    (inbox / "fine.txt").write_text("Quiet day\n\nThe harvest was good this year in the north.\n")
    config = write_config(tmp_path, folders=[inbox])
    pipeline = build_pipeline(load_settings(config))
    try:
        pipeline.run_once(settle_wait=0)
        with pipeline.db.session() as session:
            stored = {row.title: row.text for row in session.scalars(select(ArticleRow))}
    finally:
        pipeline.parsers.shutdown()
    assert stored == {"Rockets \ufffd": "Kataeb Hezbollah fighters fired rockets \ufffd at a base.", "Quiet day": "The harvest was good this year in the north."}
    from monitor.sources.text import decode_page

    assert decode_page(b"Strike +2AA- near Erbil", {"Content-Type": "text/html; charset=utf-7"}) == "Strike \ufffd near Erbil"  # a full-text page


def test_forgetting_a_folders_gone_files_leaves_a_folder_whose_name_differs_only_in_case_alone(tmp_path: Path) -> None:
    """SQLite's LIKE ignores ASCII case: /data/Inbox/% matched the files of /data/inbox, a folder of its own on a
    case-sensitive file system, and forgot them (they would be read again)."""
    from monitor.store import files
    from monitor.store.db import Database, utcnow
    from tests.conftest import store_url

    db = Database(store_url(tmp_path))
    files.mark_seen(db, str(tmp_path / "inbox" / "a.txt"), 1, 1, utcnow() - timedelta(days=9))
    files.mark_seen(db, str(tmp_path / "Inbox" / "b.txt"), 1, 1, utcnow() - timedelta(days=9))
    assert files.forget_absent(db, str(tmp_path / "Inbox"), set(), utcnow()) == 1
    with db.session() as s:
        assert s.scalars(select(SeenFileRow.path)).all() == [str(tmp_path / "inbox" / "a.txt")]
    db.close()


def test_a_file_with_the_text_of_a_stored_article_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression: a file dropped in a folder with the text (or URL) of an article stored already was read and stored
    nothing, without a word, not even with --verbose: the user who dropped it saw nothing happen and no reason. One line
    names the file and the stored article it repeats (`monitor match --article N` shows it)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = "Strike near Baghdad airport\n\nQasem Soleimani was killed in a drone strike.\n"
    old_file(inbox / "first.txt", text)
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    pipeline.scan_folders()
    again = old_file(inbox / "again.txt", text)
    pipeline.scan_folders()
    assert len(stored_texts(pipeline)) == 1
    said = lines_about(caplog, again)
    assert len(said) == 1 and said[0].endswith(f"{again}: not stored: article 1 has its text or link already"), said


def without_file_permissions() -> list[str]:
    """A command prefix under which a file of mode 000 cannot be read: none for a user; for root, who reads it
    whatever its mode, setpriv without the capabilities that let it (or the test is skipped)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root reads a file of mode 000, and setpriv is not here to drop that power")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", "--bounding-set", caps, "--inh-caps", caps]


def test_a_file_unreadable_for_its_permissions_is_read_once_they_are_fixed(tmp_path: Path) -> None:
    """Regression: a file the daemon could not open (permission denied) was marked read with its one log line, so
    after `chmod o+r` it was never read: its article lost for good. It is read again at each scan now, said once,
    and stored once its permissions let it be; its neighbours are read meanwhile."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old_file(inbox / "good.txt", "Rockets hit the Green Zone\n\nKataeb Hezbollah fired rockets at the embassy.")
    locked = old_file(inbox / "locked.txt", "Missiles hit Ain al-Asad\n\nIran fired ballistic missiles at Ain al-Asad.")
    locked.chmod(0)
    config = write_config(tmp_path, folders=[inbox])
    once = [sys.executable, "-m", "monitor", "once", "--config", str(config)]
    try:
        denied = subprocess.run([*without_file_permissions(), *once], capture_output=True, text=True, timeout=120)
    finally:
        locked.chmod(0o644)
    assert denied.returncode == 0, denied.stderr
    said = [line for line in denied.stderr.splitlines() if str(locked) in line]
    assert len(said) == 1 and "Permission denied" in said[0], denied.stderr
    pipeline = build_pipeline(load_settings(config))
    assert [t.split("\n")[0] for t in stored_texts(pipeline)] == ["Rockets hit the Green Zone"]
    for _ in range(2):  # the permissions fixed: read at the next run, once
        again = subprocess.run(once, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
    assert sorted(t.split("\n")[0] for t in stored_texts(pipeline)) == ["Missiles hit Ain al-Asad", "Rockets hit the Green Zone"]


def test_a_file_removed_after_listing_is_no_error(tmp_path: Path) -> None:
    """A file gone between listing and opening is as one changed since listed (None), not a folder error."""
    old_file(tmp_path / "gone.txt", SECRET)
    entry = listed(tmp_path, "gone.txt")
    (tmp_path / "gone.txt").unlink()
    assert read_folder_file(tmp_path, entry, "inbox") is None


def test_a_json_article_dated_out_of_range_is_stored_and_its_neighbours_read(tmp_path: Path) -> None:
    """Regression: `"published": "9999-12-31T23:59:59-05:00"` raised OverflowError out of the scan: a traceback from
    `monitor once`, the files after it unread (and in the daemon a traceback at each claim's end, for ever)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old_file(inbox / "far.json", json.dumps({"title": "Missiles hit Ain al-Asad", "text": "Iran fired ballistic missiles.",
                                             "published": "9999-12-31T23:59:59-05:00"}))
    time.sleep(0.01)
    old_file(inbox / "next.txt", "Rockets hit the Green Zone\n\nKataeb Hezbollah fired rockets at the embassy.")
    os.utime(inbox / "next.txt", (time.time() - 30, time.time() - 30))  # listed after far.json
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    pipeline.scan_folders()
    assert sorted(t.split("\n")[0] for t in stored_texts(pipeline)) == ["Missiles hit Ain al-Asad", "Rockets hit the Green Zone"]


@pytest.mark.parametrize("page", ["<html></html>", "<html><head><title>Strike</title></head></html>", "<html><body></body><body></body></html>"])
def test_a_page_without_one_body_is_no_text_and_its_neighbours_read(tmp_path: Path, caplog: pytest.LogCaptureFixture, page: str) -> None:
    """Regression: lxml's fragment parser asserts a page has exactly one <body>; `<html></html>` in a folder's .html
    file raised AssertionError out of the scan: a traceback from `monitor once`, the files after it unread."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    empty = old_file(inbox / "empty.html", page)
    old_file(inbox / "next.txt", "Rockets hit the Green Zone\n\nKataeb Hezbollah fired rockets at the embassy.")
    os.utime(inbox / "next.txt", (time.time() - 30, time.time() - 30))  # listed after empty.html
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    pipeline.scan_folders()
    titles = [t.split("\n")[0] for t in stored_texts(pipeline)]
    if "<title>" in page:  # its title is all it has
        assert titles == ["Strike", "Rockets hit the Green Zone"]
    else:
        assert titles == ["Rockets hit the Green Zone"]
        assert any("not stored: no text" in line for line in lines_about(caplog, empty))


def test_an_unexpected_error_on_one_file_is_one_line_naming_it_and_the_scan_goes_on(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A library's bug met on one file's content (as lxml's AssertionError on `<html></html>` was, or json's ValueError
    on a long number) is recorded against the folder in one line naming the file, as a feed's is: it ended the scan, a
    traceback from `monitor once` and the files after it unread, at every run."""
    import trafilatura

    def broken(*args: object, **kwargs: object) -> str:
        raise KeyError("a library's bug")

    monkeypatch.setattr(trafilatura, "extract", broken)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    page = old_file(inbox / "page.html", "<html><body><p>Iran fired ballistic missiles at Ain al-Asad.</p></body></html>")
    old_file(inbox / "next.txt", "Rockets hit the Green Zone\n\nKataeb Hezbollah fired rockets at the embassy.")
    os.utime(inbox / "next.txt", (time.time() - 30, time.time() - 30))  # listed after page.html
    pipeline = folder_pipeline(tmp_path, inbox, settle_seconds=0)
    caplog.set_level(logging.INFO)
    for _ in range(2):
        pipeline.scan_folders()
    assert [t.split("\n")[0] for t in stored_texts(pipeline)] == ["Rockets hit the Green Zone"]
    said = [line for line in lines_about(caplog, page) if "\n" not in line]
    assert len(said) == 1 and "unexpected error while reading: KeyError" in said[0]


def test_monitor_once_says_each_refusal_once_across_runs_and_a_new_cause_again(tmp_path: Path) -> None:
    """Regression: the refusals of a folder (a link, a FIFO, an empty file, a file over max_file_bytes) were said again at
    every `monitor once`, as from cron every few minutes: the daemon remembered what it had said, but only in its own
    process. The store remembers it now: a second run says none of them, while a new refusal, and a new cause of an old
    file's, is said."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old_file(inbox / "good.txt", "Rockets hit the Green Zone\n\nKataeb Hezbollah fired rockets at the embassy.")
    (inbox / "link.txt").symlink_to(old_file(tmp_path / "outside.txt", SECRET))
    os.mkfifo(inbox / "pipe.txt")
    empty = old_file(inbox / "empty.txt", "")
    old_file(inbox / "large.txt", "war " * 600)
    config = write_config(tmp_path, folders=[inbox])
    config.write_text(config.read_text().replace("settle_seconds = 0.2", "settle_seconds = 0.2\nmax_file_bytes = 2000"))
    once = [sys.executable, "-m", "monitor", "once", "--config", str(config)]

    def said() -> list[str]:
        run = subprocess.run(once, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        return [line.split(f"{inbox}/", 1)[1] for line in run.stderr.splitlines() if f"{inbox}/" in line]

    first = said()
    assert sorted(line.split(":")[0] for line in first) == ["empty.txt", "large.txt", "link.txt", "pipe.txt"], first
    assert said() == []  # the next run, as from cron: nothing said again
    old_file(empty, "war " * 600)  # an old file's new cause: now too large
    (inbox / "other.txt").symlink_to(tmp_path / "outside.txt")  # a new refusal
    third = said()
    assert sorted(line.split(":")[0] for line in third) == ["empty.txt", "other.txt"], third
    assert "larger than 2000 bytes" in next(line for line in third if line.startswith("empty.txt")), third


def test_what_was_said_of_a_folder_taken_out_of_the_config_is_forgotten(tmp_path: Path) -> None:
    """Regression: the `notices` rows of a folder (what was said once of its files) were forgotten only as its files
    left it, at its scans: a folder taken out of the config is no longer scanned, and its rows stayed for good. They
    go when the config that lacks it is loaded (its source retired); a folder still listed keeps its own."""
    kept, dropped = tmp_path / "kept", tmp_path / "dropped"
    for folder in (kept, dropped):
        folder.mkdir()
        old_file(folder / "empty.txt", "")
    config = write_config(tmp_path, folders=[kept, dropped])
    once = [sys.executable, "-m", "monitor", "once", "--config", str(config)]
    assert subprocess.run(once, capture_output=True, text=True, timeout=120).returncode == 0
    by_folder = "select s.name, count(n.id) from sources s join notices n on n.source_id = s.id group by s.name order by s.name"
    assert query(tmp_path, by_folder) == [(str(dropped), 1), (str(kept), 1)]
    write_config(tmp_path, folders=[kept])
    run = subprocess.run(once, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert query(tmp_path, by_folder) == [(str(kept), 1)]
    assert query(tmp_path, "select count(*) from notices") == [(1,)]


SCANS_WRITING = """
import sys
from sqlalchemy import event
from monitor.pipeline import build_pipeline
from monitor.settings import load_settings
pipeline = build_pipeline(load_settings(sys.argv[1]))
writes = []
def seen(conn, cursor, statement, parameters, context, executemany):
    if "seen_files" in statement and not statement.lstrip().upper().startswith("SELECT"):
        writes.append(statement.split()[0])
event.listen(pipeline.db.engine, "before_cursor_execute", seen)
for _ in range(3):
    pipeline.scan_folders()
print(len(writes))
"""


def test_an_unreadable_file_is_not_claimed_and_released_at_each_scan(tmp_path: Path) -> None:
    """Regression: a file the daemon cannot open (permission denied) was claimed in the store (a row written) and
    released (deleted) at each scan, every `folders_every` and at each change watchdog saw in the folder, for as long
    as it stayed unreadable (and said at each `monitor once`). It is opened before it is claimed now: while it cannot
    be, the scans write nothing of it; it is said once, and read once its permissions let it be."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    locked = old_file(inbox / "locked.txt", "Missiles hit Ain al-Asad\n\nIran fired ballistic missiles at Ain al-Asad.")
    locked.chmod(0)
    config = write_config(tmp_path, folders=[inbox])
    try:
        scans = subprocess.run([*without_file_permissions(), sys.executable, "-c", SCANS_WRITING, str(config)],
                               capture_output=True, text=True, timeout=120)
    finally:
        locked.chmod(0o644)
    assert scans.returncode == 0, scans.stderr
    assert scans.stdout.split() == ["0"], scans.stdout  # three scans: no claim, no release
    assert len([line for line in scans.stderr.splitlines() if "Permission denied" in line]) == 1, scans.stderr
    pipeline = build_pipeline(load_settings(config))
    pipeline.scan_folders()  # readable now: read
    assert [t.split("\n")[0] for t in stored_texts(pipeline)] == ["Missiles hit Ain al-Asad"]


def test_a_pages_plane_15_private_use_character_is_not_read_as_a_control_character(tmp_path: Path) -> None:
    """Regression (xweb4, session 44): an HTML file's U+F001B (a private-use character, the stand-in of ESC while lxml
    has the page) came out as ESC in the document's title: a terminal escape the file never held."""
    page = tmp_path / "p.html"
    page.write_text("<html><head><title>Strike \U000f001b[31m report</title></head><body><nav>menu words</nav>\x1b"
                    "<p>Kataeb Hezbollah fired rockets at a base near Hit, officials said on Monday in a statement.</p></body></html>")
    doc = folders.read_document(page, "inbox")
    assert doc.title == "Strike \U000f001b[31m report" and "menu words" not in doc.text


def test_a_page_with_a_control_character_after_its_menu_is_read(tmp_path: Path) -> None:
    """Regression (xweb3, session 43): an HTML file holding a control character (an ANSI escape) right after a <nav>
    made lxml raise ValueError as the menu was dropped ("All strings must be XML compatible"): the file was refused
    with "unexpected error while reading" and its article never stored. It is read, the character kept."""
    page = tmp_path / "p.html"
    page.write_text("<html><body><nav>menu words</nav>\x1b[31m<p>Kataeb Hezbollah fired rockets at a base near Hit, officials said.</p></body></html>")
    doc = folders.read_document(page, "inbox")
    assert "Kataeb Hezbollah fired rockets at a base near Hit" in doc.text and "menu words" not in doc.text
