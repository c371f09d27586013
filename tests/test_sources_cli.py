"""`monitor sources`: health as a table, retry/enable/disable, add with discovery, OPML in and out."""

from __future__ import annotations

import collections
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from sqlalchemy import create_engine, select

from monitor.pipeline import build_pipeline
from monitor.settings import load_settings
from monitor.store import sources
from monitor.sources.opml import Subscription, read_opml
from monitor.store.db import Database, database_file, utcnow
from monitor.store.tables import Base
from tests.conftest import ON_POSTGRES, REPO, LocalHTTP, write_config
from tests.test_cli import monitor, one_line_error
from tests.test_pipeline import STRIKE, rss

HTML = b'<html><head><title>Wire</title><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>Hi</body></html>'


def test_sources_table_shows_health_and_disable_stops_polling(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/ok.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    feeds = [{"name": "good", "url": http_server.url("/ok.xml")}, {"name": "gone", "url": http_server.url("/missing.xml")}]
    config = write_config(tmp_path, feeds=feeds)
    assert monitor("once", "--config", str(config)).returncode == 0
    table = monitor("sources", "--config", str(config), env={"COLUMNS": "200"}).stdout  # a row on one line
    assert "good" in table and "ok" in table
    good = next(line for line in table.splitlines() if "good" in line)
    assert re.search(r"\b\d+\.\d\d s\b", good), good  # its fetch time, measured by the poll
    assert "gone" in table and "error" in table and "HTTP 404" in table

    result = monitor("sources", "disable", "2", "--config", str(config))
    assert result.stdout.strip() == "source 2 (gone): disabled, status disabled"
    before = len([r for r in http_server.requests if r[1] == "/missing.xml"])
    assert monitor("once", "--config", str(config)).returncode == 0
    assert len([r for r in http_server.requests if r[1] == "/missing.xml"]) == before
    assert "enabled" in monitor("sources", "enable", "2", "--config", str(config)).stdout


def test_retry_makes_a_source_due_now(tmp_path: Path, http_server: LocalHTTP) -> None:
    config = write_config(tmp_path, feeds=[{"name": "gone", "url": http_server.url("/missing.xml")}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.poll_due_feeds()
    assert sources.due_feeds(pipeline.db, utcnow()) == []  # backing off
    assert "will be polled at the next tick" in monitor("sources", "retry", "1", "--config", str(config)).stdout
    assert [j.name for j in sources.due_feeds(pipeline.db, utcnow())] == ["gone"]
    assert "no source with id 42" in one_line_error(monitor("sources", "retry", "42", "--config", str(config)))


def test_add_discovers_the_feed_of_a_page_and_export_import_round_trip(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/"] = (200, {"Content-Type": "text/html"}, HTML)
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    config = write_config(tmp_path)
    added = monitor("sources", "add", http_server.url("/"), "--config", str(config))
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == f"source 1 (Wire): {http_server.url('/feed.xml')}"
    assert "already has that URL" in one_line_error(monitor("sources", "add", http_server.url("/feed.xml"), "--config", str(config)))

    opml = monitor("sources", "export", "--config", str(config)).stdout
    assert f'xmlUrl="{http_server.url("/feed.xml")}"' in opml
    other = tmp_path / "other"
    other.mkdir()
    (other / "feeds.opml").write_text(opml.replace("/feed.xml", "/feed2.xml"))
    imported = monitor("sources", "import", str(other / "feeds.opml"), "--config", str(write_config(other)))
    assert "1 of 1 feed added" in imported.stdout


def test_add_refuses_a_page_without_a_feed(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/plain"] = (200, {"Content-Type": "text/html"}, b"<html><body>No feed</body></html>")
    line = one_line_error(monitor("sources", "add", http_server.url("/plain"), "--config", str(write_config(tmp_path))))
    assert "links to no feed" in line


def test_add_skips_a_pages_feed_link_with_a_broken_host_and_takes_the_next(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression (found by helper xfeed2): a page whose <link rel="alternate"> was `//[oops/feed` (its host a broken
    IPv6 literal) made `monitor sources add` end with urljoin's ValueError traceback. Such a link is no feed link: the
    page's next one is taken, and a page with no other says it links to no feed."""
    broken = b'<link rel="alternate" type="application/rss+xml" href="//[oops/feed">'
    http_server.routes["/broken"] = (200, {"Content-Type": "text/html"}, b"<html><head>" + broken + b"</head><body>Hi</body></html>")
    http_server.routes["/both"] = (200, {"Content-Type": "text/html"}, HTML.replace(b"<link", broken + b"<link"))
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    config = write_config(tmp_path)
    assert "links to no feed" in one_line_error(monitor("sources", "add", http_server.url("/broken"), "--config", str(config)))
    added = monitor("sources", "add", http_server.url("/both"), "--config", str(config))
    assert added.returncode == 0 and added.stdout.strip() == f"source 1 (Wire): {http_server.url('/feed.xml')}", added.stderr


def test_add_takes_a_pages_rss_feed_over_a_json_feed_it_cannot_read(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression (found by helper xhostile2): discovery took a page's first <link rel="alternate">, a JSON Feed
    (application/feed+json) among them, which feedparser does not read: `sources add` said "not a usable feed: <unknown>:1:0:
    syntax error" of a page whose next link was its RSS feed. A JSON Feed is no feed link; a JSON body says what it is."""
    json_link = b'<link rel="alternate" type="application/feed+json" href="/feed.json">'
    http_server.routes["/both"] = (200, {"Content-Type": "text/html"}, HTML.replace(b"<link", json_link + b"<link"))
    http_server.routes["/feed.json"] = (200, {"Content-Type": "application/feed+json"}, b'{"version": "https://jsonfeed.org/version/1.1", "items": []}')
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    config = write_config(tmp_path)
    added = monitor("sources", "add", http_server.url("/both"), "--config", str(config))
    assert added.returncode == 0 and added.stdout.strip() == f"source 1 (Wire): {http_server.url('/feed.xml')}", added.stderr
    line = one_line_error(monitor("sources", "add", http_server.url("/feed.json"), "--config", str(config)))
    assert "a JSON Feed, which monitor does not read: add the site's RSS or Atom feed" in line, line


def _snapshot(config: Path) -> tuple[dict[str, list[tuple[object, ...]]], bytes | None]:
    """Every row of every table, and the SQLite file's bytes (None on PostgreSQL)."""
    settings = load_settings(config)
    url = settings.store.sqlalchemy_url
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = {t.name: sorted(map(tuple, connection.execute(select(t))), key=repr) for t in Base.metadata.sorted_tables}
    finally:
        engine.dispose()
    path = database_file(url)
    return rows, path.read_bytes() if path else None


def test_listing_sources_writes_nothing_and_shows_configured_sources_not_stored_yet(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/ok.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    config = write_config(tmp_path)
    assert monitor("sources", "--config", str(config)).returncode == 0
    assert database_file(load_settings(config).store.sqlalchemy_url) in (None, tmp_path / "monitor.db")
    if not ON_POSTGRES:
        assert not (tmp_path / "monitor.db").exists()  # no database made by a listing
    config = write_config(tmp_path, feeds=[{"name": "polled", "url": http_server.url("/ok.xml")}])
    assert monitor("once", "--config", str(config)).returncode == 0
    config = write_config(tmp_path, feeds=[{"name": "polled", "url": http_server.url("/ok.xml")},
                                           {"name": "fresh", "url": http_server.url("/fresh.xml")}], folders=[tmp_path / "in"])
    before = _snapshot(config)
    listing = monitor("sources", "--config", str(config), env={"COLUMNS": "250"})
    exported = monitor("sources", "export", "--config", str(config))
    assert listing.returncode == 0 and exported.returncode == 0, listing.stderr + exported.stderr
    assert _snapshot(config) == before  # rows and file unchanged
    assert "polled" in listing.stdout and "fresh" in listing.stdout and str(tmp_path / "in") in listing.stdout
    assert http_server.url("/fresh.xml") in exported.stdout  # the export lists the configured feed all the same
    assert [h.name for h in sources.list_sources(build_pipeline(load_settings(config)).db)] == ["polled", "fresh", str(tmp_path / "in")]


def test_add_keeps_the_credentials_of_a_feed_behind_basic_auth(tmp_path: Path, http_server: LocalHTTP) -> None:
    # aiohttp reports where a fetch ended without `user:password@`: the added feed was stored without them.
    http_server.routes["/"] = (200, {"Content-Type": "text/html"}, HTML)
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    config = write_config(tmp_path)
    given = http_server.url("/feed.xml").replace("http://", "http://reader:pw-4321@")
    added = monitor("sources", "add", given, "--name", "direct", "--config", str(config))
    assert added.returncode == 0, added.stderr
    assert "pw-4321" not in added.stdout
    page = http_server.url("/").replace("http://", "http://reader:pw-4321@")
    assert monitor("sources", "add", page, "--name", "via page", "--config", str(config)).returncode == 1  # the same feed, found by its page
    stored = [h.location for h in sources.list_sources(build_pipeline(load_settings(config)).db)]
    assert stored == [given]
    assert monitor("once", "--config", str(config)).returncode == 0
    polled = [headers for _, path, headers, _ in http_server.requests if path == "/feed.xml"][-1]
    assert polled.get("Authorization") == "Basic cmVhZGVyOnB3LTQzMjE="  # reader:pw-4321


def test_export_masks_a_token_and_stays_valid_opml(tmp_path: Path) -> None:
    # The mask ran over the written XML and took the attribute's closing quote with the token; an untitled
    # outline was named by its URL, token and all (shown in listings and as a metrics label).
    opml = tmp_path / "in.opml"
    opml.write_text('<opml version="2.0"><body><outline type="rss" text="" xmlUrl="https://w.example/f.xml?token=Tok-12345"/></body></opml>')
    config = write_config(tmp_path)
    assert "1 of 1 feed added" in monitor("sources", "import", str(opml), "--config", str(config)).stdout
    assert [h.name for h in sources.list_sources(build_pipeline(load_settings(config)).db)] == ["https://w.example/f.xml?token=****"]
    exported = monitor("sources", "export", "--config", str(config)).stdout
    outline = ET.fromstring(exported).find("body/outline")
    assert outline is not None and outline.get("xmlUrl") == "https://w.example/f.xml?token=****", exported
    assert "Tok-12345" not in exported


def test_an_exported_url_whose_secret_was_masked_is_not_added_back_with_the_mask(tmp_path: Path) -> None:
    """Regression: `sources export` masks a feed's secret as `****`; importing that file elsewhere (the round trip OPML
    is for) added `https://host/feeds/****/rss` and `?api_key=****` as feeds, polled and failing with 404 or 401 at
    every check, nothing saying that the URL had lost its secret; `sources add` of a masked URL copied from a listing
    tried it. Both now say what to do, and add nothing."""
    opml = tmp_path / "exported.opml"
    opml.write_text('<opml version="2.0"><body><outline type="rss" text="priv" xmlUrl="https://feeds.example/feeds/****/rss"/>'
                    '<outline type="rss" text="keyed" xmlUrl="https://feeds.example/rss?api_key=****"/>'
                    '<outline type="rss" text="plain" xmlUrl="https://w.example/c.xml"/></body></opml>')
    config = write_config(tmp_path)
    imported = monitor("sources", "import", str(opml), "--config", str(config))
    assert imported.returncode == 0, imported.stderr
    why = "its secret is masked as **** (as `monitor sources export` and the listings write it): give the feed's real URL"
    assert imported.stdout.splitlines() == [f"skipped https://feeds.example/feeds/****/rss: {why}", f"skipped https://feeds.example/rss?api_key=****: {why}",
                                            f"1 of 3 feeds added from {opml}"], imported.stdout
    assert one_line_error(monitor("sources", "add", "https://feeds.example/feeds/****/rss", "--config", str(config))) == (
        f"monitor: error: https://feeds.example/feeds/****/rss: {why}")


def test_import_says_which_outlines_it_skips_for_their_scheme(tmp_path: Path) -> None:
    # A feed:// or file:// outline was dropped unsaid: "0 of 1 feeds added" from a file of three.
    opml = tmp_path / "in.opml"
    opml.write_text('<opml version="2.0"><body><outline text="a" xmlUrl="feed://w.example/a.xml"/>'
                    '<outline text="b" xmlUrl="file:///etc/passwd"/><outline text="c" xmlUrl="https://w.example/c.xml"/></body></opml>')
    imported = monitor("sources", "import", str(opml), "--config", str(write_config(tmp_path)))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines() == [
        "skipped feed://w.example/a.xml: not an http(s) URL: write it as http:// or https:// (feed:// is http://)",
        "skipped file:///etc/passwd: not an http(s) URL: write it as http:// or https:// (feed:// is http://)",
        f"1 of 3 feeds added from {opml}",
    ]


def test_import_skips_an_outline_whose_url_does_not_parse_and_the_daemon_still_runs(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression (found by helper xfeed2): an OPML outline `http://[oops/feed` (a broken IPv6 host) or
    `http://w.example:99999/` (no such port) passed the import's http(s) check and was added; from then on every
    `monitor once` and `monitor run` stopped at its start with 'stopped by an uncaught error (a bug)' (urlsplit's
    ValueError), until the source was removed by hand. Such an outline is skipped, saying why."""
    http_server.routes["/good.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    opml = tmp_path / "in.opml"
    opml.write_text('<opml version="2.0"><body><outline text="a" xmlUrl="http://[oops/feed"/><outline xmlUrl="https://[::1/x"/>'
                    f'<outline text="p" xmlUrl="http://w.example:99999/"/><outline text="c" xmlUrl="{http_server.url("/good.xml")}"/></body></opml>')
    config = str(write_config(tmp_path))
    imported = monitor("sources", "import", str(opml), "--config", config)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines() == [
        "skipped http://[oops/feed: not a valid URL: its host is a broken IPv6 address",
        "skipped https://[::1/x: not a valid URL: its host is a broken IPv6 address",
        "skipped http://w.example:99999/: not a valid URL: its port is not a number from 0 to 65535",
        f"1 of 4 feeds added from {opml}",
    ]
    once = monitor("once", "--config", config)
    assert once.returncode == 0 and "uncaught" not in once.stderr, once.stderr


def test_add_says_a_url_needs_its_scheme(tmp_path: Path) -> None:
    # `sources add example.org/rss.xml` said "not a valid URL", `localhost:8080/rss` "unsupported URL scheme (localhost:8080/rss)"
    config = str(write_config(tmp_path))
    assert one_line_error(monitor("sources", "add", "example.org/rss.xml", "--config", config)) == (
        "monitor: error: example.org/rss.xml: no scheme: write it as https://example.org/rss.xml (or http://)")
    assert one_line_error(monitor("sources", "add", "localhost:8080/rss", "--config", config)) == (
        "monitor: error: localhost:8080/rss: no scheme: write it as https://localhost:8080/rss (or http://)")
    assert one_line_error(monitor("sources", "add", "ftp://w.example/rss", "--config", config)) == (
        "monitor: error: ftp://w.example/rss: not an http(s) URL: write it as http:// or https:// (feed:// is http://)")


def test_export_of_a_feed_titled_with_control_characters_is_opml_that_imports_and_drives_no_terminal(tmp_path: Path) -> None:
    # A feed's title with an ANSI escape went into the OPML as it was: the escape reached the terminal, and
    # the file was not XML (ESC has no place in XML 1.0), so importing it elsewhere failed: "not well-formed".
    config = write_config(tmp_path)
    db = build_pipeline(load_settings(config)).db
    sources.add_feed(db, "Wire \x1b[31mRED\x1b[0m \u202eevil", "https://w.example/f.xml", None, folder="news\x1b]0;x\x07")
    exported = monitor("sources", "export", "--config", str(config))
    assert exported.returncode == 0, exported.stderr
    assert "\x1b" not in exported.stdout and "\u202e" not in exported.stdout and "\x07" not in exported.stdout
    folder = ET.fromstring(exported.stdout).find("body/outline")
    assert folder is not None and folder.get("text") == "news\\x1b]0;x\\x07"
    outline = folder.find("outline")
    assert outline is not None and outline.get("title") == "Wire \\x1b[31mRED\\x1b[0m \\u202eevil"
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "feeds.opml").write_text(exported.stdout)
    imported = monitor("sources", "import", str(tmp_path / "other" / "feeds.opml"), "--config", str(write_config(tmp_path / "other")))
    assert imported.returncode == 0 and "1 of 1 feed added" in imported.stdout, imported.stderr


def test_two_feeds_with_the_same_title_are_both_added_the_second_named_by_its_host(tmp_path: Path, http_server: LocalHTTP) -> None:
    # Many feeds are titled alike ("World News", "RSS"): the second was refused, "source 1 (World News)
    # already has that name or URL" though its URL was new, and skipped by an OPML import.
    http_server.routes["/a.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)).replace(b"<title>", b"<title>World News</title><x>", 1))
    http_server.routes["/b.xml"] = http_server.routes["/a.xml"]
    config = str(write_config(tmp_path))
    assert monitor("sources", "add", http_server.url("/a.xml"), "--config", config).stdout.strip() == f"source 1 (World News): {http_server.url('/a.xml')}"
    host = http_server.url("/").split("/")[2].split(":")[0]
    added = monitor("sources", "add", http_server.url("/b.xml"), "--config", config)
    assert added.returncode == 0 and added.stdout.strip() == f"source 2 (World News ({host})): {http_server.url('/b.xml')}", added.stderr
    empty = monitor("sources", "add", http_server.url("/a.xml") + "?e", "--name", "", "--config", config)  # no name given: the title's
    assert empty.returncode == 0 and empty.stdout.startswith(f"source 3 (World News ({host}) 2): "), empty.stderr
    assert one_line_error(monitor("sources", "add", http_server.url("/b.xml"), "--config", config)) == (
        f"monitor: error: {http_server.url('/b.xml')}: source 2 (World News ({host})) already has that URL")
    assert one_line_error(monitor("sources", "add", http_server.url("/a.xml") + "?c", "--name", "World News", "--config", config)).endswith(
        "source 1 (World News) already has that name: give another --name")
    opml = tmp_path / "in.opml"
    opml.write_text('<opml version="2.0"><body><outline text="World News" xmlUrl="https://w.example/d.xml"/>'
                    '<outline text="World News" xmlUrl="https://w.example/e.xml"/></body></opml>')
    assert "2 of 2 feeds added" in monitor("sources", "import", str(opml), "--config", config).stdout
    names = [h.name for h in sources.list_sources(build_pipeline(load_settings(config)).db)]
    assert names == ["World News", f"World News ({host})", f"World News ({host}) 2", "World News (w.example)", "World News (w.example) 2"]


def test_a_config_feed_named_like_an_added_feed_is_refused_not_taken_over(tmp_path: Path, http_server: LocalHTTP) -> None:
    # `monitor sources add URL --name wire`, then a [[feeds]] entry named "wire" with another URL: the
    # daemon silently moved source "wire" to the config's URL, and the added feed was polled no more.
    http_server.routes["/a.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    config = write_config(tmp_path)
    assert monitor("sources", "add", http_server.url("/a.xml"), "--name", "wire", "--config", str(config)).returncode == 0
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/b.xml")}])
    said = (f"monitor: error: {config}: [[feeds]] name 'wire' is the name of source 1, added with `monitor sources add` or import "
            f"for {http_server.url('/a.xml')}: give the config's entry another name")
    assert one_line_error(monitor("check", "--config", str(config))) == said.replace("monitor: error: ", "monitor: ")
    assert one_line_error(monitor("once", "--config", str(config))) == said
    db = build_pipeline(load_settings(write_config(tmp_path))).db
    assert [(h.name, h.location) for h in sources.list_sources(db) if h.kind == "feed"] == [("wire", http_server.url("/a.xml"))]


def test_check_warns_of_a_config_feed_that_a_feed_added_here_already_polls(tmp_path: Path, http_server: LocalHTTP) -> None:
    # `monitor sources add URL`, then the same URL as a [[feeds]] entry: both were polled, twice the
    # requests to the host, and nothing said so.
    http_server.routes["/a.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    assert monitor("sources", "add", http_server.url("/a.xml"), "--name", "wire", "--config", str(write_config(tmp_path))).returncode == 0
    config = write_config(tmp_path, feeds=[{"name": "wire desk", "url": http_server.url("/a.xml")}])
    result = monitor("check", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert (f"warning: {config}: [[feeds]] 'wire desk' has the URL of source 1 (wire), added with `monitor sources add` or import: "
            "both are polled; `monitor sources remove 1` or delete the entry") in result.stdout


def _a_folder_taken_out(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A config of two folders, both scanned once; then the config without the second: (config, kept, dropped)."""
    kept, dropped = tmp_path / "kept", tmp_path / "dropped"
    kept.mkdir()
    dropped.mkdir()
    config = write_config(tmp_path, folders=[kept, dropped])
    assert monitor("once", "--config", str(config)).returncode == 0
    write_config(tmp_path, folders=[kept])
    return config, kept, dropped


def test_a_folder_taken_out_of_the_config_shows_disabled_and_no_longer_in_the_config_file(tmp_path: Path) -> None:
    """Regression: a [[folders]] entry deleted from the config stayed listed as 'ok' (or 'new') with no word,
    though no longer scanned, and `sources remove` said to delete its entry, already deleted; a feed
    deleted so shows 'disabled' and 'no longer in the config file'. Put back, it is scanned again."""
    config, kept, dropped = _a_folder_taken_out(tmp_path)
    for verb in ("sources", "once"):  # what the daemon will do, then what it did
        if verb == "once":
            assert monitor("once", "--config", str(config)).returncode == 0
        table = monitor("sources", "--config", str(config), env={"COLUMNS": "200"}).stdout
        row = next(line for line in table.splitlines() if "dropped" in line)
        assert "disabled" in row and "no longer in the config file" in row, table
    write_config(tmp_path, folders=[kept, dropped])
    assert monitor("once", "--config", str(config)).returncode == 0
    row = next(line for line in monitor("sources", "--config", str(config), env={"COLUMNS": "200"}).stdout.splitlines() if "dropped" in line)
    assert "disabled" not in row and "no longer" not in row, row


def test_removing_a_source_already_taken_out_of_the_config_says_so(tmp_path: Path) -> None:
    """Regression: `monitor sources remove` on a source already deleted from the config told to delete its
    entry from the config file, which the user had done."""
    config, kept, dropped = _a_folder_taken_out(tmp_path)
    assert monitor("once", "--config", str(config)).returncode == 0
    line = one_line_error(monitor("sources", "remove", "2", "--config", str(config)))
    assert line == (f"monitor: error: source 2 ({dropped}) is no longer in the config file: it is not scanned any more, and its "
                    "articles and alerts stay (put its entry back to scan it again)"), line
    assert "delete its [[folders]] entry there" in one_line_error(monitor("sources", "remove", "1", "--config", str(config)))


def test_adding_a_feed_too_large_to_parse_is_one_line_saying_so(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression: `monitor sources add URL` parses the fetched feed in its own process, with no bound: 10 MB of
    '<item>' never closed took feedparser past 2 GB there. The parse stops by itself as the daemon's does, and the
    error says the feed is too large to parse: it was read as a page, 'not a feed, and the page links to no feed'."""
    import resource
    import subprocess
    import sys

    http_server.routes["/items.xml"] = (200, {"Content-Type": "application/rss+xml"}, b'<rss version="2.0"><channel>' + b"<item>" * 1_700_000)
    config = write_config(tmp_path)

    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, resource.RLIM_INFINITY))

    args = [sys.executable, "-m", "monitor", "sources", "add", http_server.url("/items.xml"), "--config", str(config)]
    added = subprocess.run(args, capture_output=True, text=True, timeout=60, preexec_fn=bounded, check=False)  # noqa: PLW1509
    assert one_line_error(added) == f"monitor: error: {http_server.url('/items.xml')}: too large to parse: elements nested over 1,000 deep"


def test_a_utf7_feed_with_a_lone_surrogate_is_read_with_a_replacement_character(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression: a feed served as UTF-7 whose text decodes to a lone surrogate ('+2AA-') made feedparser's own
    re-encoding raise UnicodeEncodeError: `monitor sources add` ended with a traceback, then (stop 41) was refused whole
    in a line quoting the raw error (`not parsed: UnicodeEncodeError: 'utf-8' codec can't encode character '\\ud800'
    ...`), and the daemon never read the feed. It is read now, the surrogate as U+FFFD, with a warning line."""
    body = b'<rss version="2.0"><channel><title>Wire</title><item><title>a +2AA- b</title><guid>g</guid></item></channel></rss>'
    http_server.routes["/utf7.xml"] = (200, {"Content-Type": "application/rss+xml; charset=utf-7"}, body)
    config = write_config(tmp_path)
    added = monitor("sources", "add", http_server.url("/utf7.xml"), "--config", str(config))
    assert added.returncode == 0 and "Traceback" not in added.stderr and "Wire" in added.stdout, added.stdout + added.stderr
    once = monitor("once", "--config", str(config))
    assert once.returncode == 0, once.stderr
    assert "characters no text can hold (lone surrogates, as UTF-7 can give) read as U+FFFD" in once.stderr, once.stderr
    assert "1 entry, 1 new" in once.stderr, once.stderr  # not "1 entries" (found by helper xops)


def test_a_token_in_a_feed_urls_path_is_masked_in_the_log_sources_and_export_a_slug_is_not(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression: a private feed's token written in its URL's path (`https://host/feeds/<token>/rss`, as Feedbin,
    private podcasts and others give) was shown whole in the log, `monitor sources` (its last error quotes the URL) and
    `sources export`: only a password and `token=`-like parameters counted as a feed URL's secrets. A path segment with
    a run of 16 or more letters and digits mixed, or a UUID, is one now (README); a slug or a number is not."""
    config_token, added_token, uuid = "9f86d081884c7d659a2feaa0c55ad015", "Xq7RbT2mKp9LwZ4s", "123e4567-e89b-42d3-a456-426614174000"
    http_server.routes[f"/u/{added_token}/starred.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    feeds = [{"name": "private", "url": http_server.url(f"/feeds/{config_token}/rss")},
             {"name": "cast", "url": http_server.url(f"/episodes/{uuid}.rss")},
             {"name": "world", "url": http_server.url("/news/covid19-updates-2024/123456789012345678/rss.xml")}]
    config = write_config(tmp_path, feeds=feeds)
    added = monitor("sources", "add", http_server.url(f"/u/{added_token}/starred.xml"), "--name", "starred", "--config", str(config))
    assert added.returncode == 0 and added_token not in added.stdout + added.stderr, added.stdout + added.stderr
    del http_server.routes[f"/u/{added_token}/starred.xml"]  # each feed now fails, its error quoting its URL
    once = monitor("once", "--config", str(config))
    listing = monitor("sources", "--config", str(config), env={"COLUMNS": "400"}).stdout
    exported = monitor("sources", "export", "--config", str(config)).stdout
    for shown in (once.stderr, listing, exported):
        assert config_token not in shown and added_token not in shown and uuid not in shown, shown
    assert "/feeds/****/rss: HTTP 404" in once.stderr and "/u/****/starred.xml: HTTP 404" in listing, once.stderr + listing
    assert "/news/covid19-updates-2024/123456789012345678/rss.xml: HTTP 404" in once.stderr, once.stderr  # a slug, a number: shown
    assert sum(1 for _, path, _, _ in http_server.requests if path == f"/feeds/{config_token}/rss") == 1  # polled with its token


def test_a_listing_to_a_pipe_keeps_each_row_whole_and_an_80_column_one_folds_instead_of_cutting(tmp_path: Path) -> None:
    """Piped (`monitor sources | grep NAME`, no COLUMNS) a listing was 80 columns wide, its cells cut with an
    ellipsis: a long name read 'Reute…' and a last success '2026-… 11:15…'. Piped it is as wide as its rows; at
    80 columns a cell too wide is folded over lines, its characters all there."""
    name = "Reuters World News, the whole wire in one feed (feeds.reuters.example)"
    config = write_config(tmp_path, feeds=[{"name": name, "url": "http://127.0.0.1:9/feed.xml"}])
    piped = monitor("sources", "--config", str(config))
    assert piped.returncode == 0 and "…" not in piped.stdout, piped.stdout
    assert any(name in line for line in piped.stdout.splitlines()), piped.stdout  # one line holds it: grep finds it
    narrow = monitor("sources", "--config", str(config), env={"COLUMNS": "80"})
    assert narrow.returncode == 0 and "…" not in narrow.stdout, narrow.stdout
    cells = "".join(line.split("│")[2].strip() for line in narrow.stdout.splitlines() if line.startswith("│"))
    assert name.replace(" ", "") in cells.replace(" ", ""), narrow.stdout


def test_a_google_news_topic_is_exported_whole_a_private_feeds_token_masked(tmp_path: Path) -> None:
    """Regression: a Google News topic feed (`https://news.google.com/rss/topics/CAAqJggKIiBD...`: a public id, base64
    that looks like a generated token) was exported as `/rss/topics/****`, an OPML whose feeds no reader can poll, and
    listed so in every line naming it; Google News has no private feed. A path token of any other host stays masked."""
    topic = "CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx1YlY4U0FtVnVHZ0pWVXlnQVAB"
    token = "9f86d081884c7d659a2feaa0c55ad015"
    feeds = [{"name": "world", "url": f"https://news.google.com/rss/topics/{topic}?hl=en-US&gl=US&ceid=US:en"},
             {"name": "private", "url": f"https://news.google.com.example/feeds/{token}/rss"}]
    exported = monitor("sources", "export", "--config", str(write_config(tmp_path, feeds=feeds)))
    assert f'xmlUrl="https://news.google.com/rss/topics/{topic}?hl=en-US&amp;gl=US&amp;ceid=US:en"' in exported.stdout, exported.stdout
    assert 'xmlUrl="https://news.google.com.example/feeds/****/rss"' in exported.stdout, exported.stdout


def test_a_reddit_private_feeds_token_is_masked_a_wordpress_feed_parameter_shown(tmp_path: Path) -> None:
    """Regression: Reddit's private feeds (`https://www.reddit.com/message/inbox/.rss?feed=<40 hex>&user=NAME`, the
    inbox, saved posts) carry their token as `feed=`, a name no credential has: it was shown whole in the log,
    `monitor sources` and `sources export`. A `feed=` value that looks like a generated token is a secret now;
    WordPress's `?feed=rss2` is shown."""
    token = "3f2a9c0b1d4e5f6a7b8c9d0e1f2a3b4c5d6e7f80"
    feeds = [{"name": "inbox", "url": f"https://www.reddit.com/message/inbox/.rss?feed={token}&user=alice"},
             {"name": "blog", "url": "https://blog.example/?feed=rss2"}]
    exported = monitor("sources", "export", "--config", str(write_config(tmp_path, feeds=feeds)))
    assert token not in exported.stdout + exported.stderr, exported.stdout
    assert 'xmlUrl="https://www.reddit.com/message/inbox/.rss?feed=****&amp;user=alice"' in exported.stdout, exported.stdout
    assert 'xmlUrl="https://blog.example/?feed=rss2"' in exported.stdout, exported.stdout



def test_add_looks_into_a_page_of_300_000_paragraphs_without_a_tree_or_feedparser(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression (left by the last stop): `monitor sources add` of a hostile HTML page grew the process to 356 MB. A
    2.4 MB page of 300,000 paragraphs was handed to feedparser first (9 s of CPU to say it was no feed), then made an lxml
    tree (287 MB at its peak). A page that begins as HTML is now read as a stream for its feed links only."""
    head = b'<html><head><title>Wire</title><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>'
    http_server.routes["/"] = (200, {"Content-Type": "text/html"}, head + b"<p>a</p>" * 300_000)
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    config = write_config(tmp_path)
    # Run from a small Python in between: Linux gives a process started from this one (the whole suite's pytest, hundreds
    # of MB) a peak RSS of at least this one's at the fork, so the child's own figure is its parent's children's.
    between = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "use = resource.getrusage(resource.RUSAGE_CHILDREN); "
               "print(done.returncode, use.ru_maxrss, use.ru_utime + use.ru_stime); print(done.stdout.strip()); print(done.stderr.strip(), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", between, sys.executable, "-m", "monitor", "sources", "add", http_server.url("/"), "--config", str(config)],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    (code, peak, cpu), said = out.stdout.split("\n", 1)[0].split(), out.stdout.split("\n", 1)[1]
    assert code == "0" and said.strip() == f"source 1 (Wire): {http_server.url('/feed.xml')}", out.stderr
    assert int(peak) < 200 * 1024, peak  # KiB: some 115 MB now, 287 MB before
    assert float(cpu) < 6, cpu  # some 1.5 s now (imports), 11 s before


def _added_one_at_a_time(db: Database, subscriptions: list[Subscription]) -> list[tuple[str, str]]:
    """What `sources import` said it skipped when it added each feed in a transaction of its own (before batches)."""
    skipped = []
    for sub in subscriptions:
        try:
            sources.add_feed(db, sub.title, sub.url, None, folder=sub.folder, html_url=sub.html_url, rename=True)
        except ValueError as exc:
            skipped.append((sub.url, str(exc)))
    return skipped


def test_import_of_thousands_of_feeds_adds_them_in_batches_saying_what_one_at_a_time_said(tmp_path: Path) -> None:
    """Regression (found by the attacker helper, stop 45): `sources import` added each feed in a transaction of its own,
    three queries and a commit each (1.5 ms a feed: a file of 150,000 over 5 minutes). Now a thousand feeds a
    transaction, their URLs and names looked up in one query each: the same sources, names (renamed `name (host)`,
    `name (host) 2` when titles clash), folders and skipped lines as one at a time (a URL twice in the file, one
    already added, one removed and imported again), in some tens of statements instead of thousands."""
    from sqlalchemy import event

    from monitor.app import App
    from monitor.store.tables import OutlineRow, SourceRow

    outlines = [f'<outline text="Feed {i % 7}" xmlUrl="https://f{i % 977}.example/rss/{i}.xml" htmlUrl="https://f{i % 977}.example/"/>' for i in range(2100)]
    outlines[1500:1500] = ['<outline text="Wire" xmlUrl="https://w.example/rss/1.xml"/>', '<outline text="Wire" xmlUrl="https://w.example/rss/1.xml"/>']
    outlines[1000:1000] = [f'<outline text="Wire" xmlUrl="https://w.example/rss/{n}.xml"/>' for n in range(2, 7)]  # across a batch's end
    outlines += [f'<outline text="{"L" * 600}" xmlUrl="https://long.example/other.xml"/>']
    outlines += ['<outline text="Known" xmlUrl="https://known.example/rss"/>', '<outline text="Gone" xmlUrl="https://gone.example/rss"/>']
    opml = tmp_path / "in.opml"
    opml.write_text('<opml version="2.0"><body><outline text="News">' + "".join(outlines) + "</outline></body></opml>")
    stores = []
    for name in ("batched", "one-at-a-time"):
        (tmp_path / name).mkdir()
        app = App(write_config(tmp_path / name))
        app.made_store()
        sources.add_feed(app.db, "Known", "https://known.example/rss", None)
        sources.add_feed(app.db, "L" * 600, "https://long.example/rss", None)  # a name stored as fit_key makes it
        sources.remove_source(app.db, sources.add_feed(app.db, "Gone", "https://gone.example/rss", None))
        stores.append(app)
    batched, reference = stores
    statements: list[str] = []
    commits: list[object] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def committed(*args: object) -> None:
        commits.append(args)

    event.listen(batched.db.engine, "before_cursor_execute", count)
    event.listen(batched.db.engine, "commit", committed)
    imported = batched.import_opml(opml)
    event.remove(batched.db.engine, "before_cursor_execute", count)
    event.remove(batched.db.engine, "commit", committed)
    expected = _added_one_at_a_time(reference.db, read_opml(opml.read_bytes(), str(opml)))
    assert imported.skipped == expected and len(expected) == 2
    assert imported.added == 2110 - 2 and imported.total == 2110
    assert len(commits) <= 10, f"{len(commits)} transactions"  # three of a thousand feeds at most, and registering the configured sources
    # each new source's row is one INSERT (SQLAlchemy's, for its id, on SQLite: no ordered RETURNING of many rows there);
    # the rest, their URLs and names looked up and their folders inserted, a few statements a thousand feeds
    others = [s for s in statements if not s.startswith("INSERT INTO sources ")]
    assert len(others) < 100, collections.Counter(s[:60] for s in others).most_common(5)

    def stored(app: App) -> list[tuple[object, ...]]:
        with app.db.session() as s:
            rows = [(r.id, r.name, r.location, r.origin, r.enabled, r.next_check_at) for r in s.scalars(select(SourceRow).order_by(SourceRow.id))]
            return rows + [(o.source_id, o.folder, o.html_url) for o in s.scalars(select(OutlineRow).order_by(OutlineRow.source_id))]

    assert stored(batched) == stored(reference)
    names = [row[1] for row in stored(batched)[:2200]]
    assert {"Wire", "Wire (w.example)", "Wire (w.example) 2", "Wire (w.example) 5", "Gone", "Feed 3", "Feed 3 (f10.example)"} <= set(names)


def test_a_10_mib_opml_file_is_read_as_a_stream_without_its_whole_tree() -> None:
    """A 10 MiB OPML file (120,000 feeds in folders of 100) was parsed into a whole tree before its outlines were read:
    77 MB of Python objects at the peak (the import's peak 205 MB), 63 MB of them the tree. Read as a stream, each element
    dropped once read, the peak is the subscriptions themselves (31 MB), and they are the same, in the same folders."""
    import tracemalloc

    from monitor.sources.opml import read_opml

    lines = ['<?xml version="1.0"?>', '<opml version="2.0"><head><title>Big</title></head><body>']
    for folder in range(0, 120_000, 100):
        lines.append(f'<outline text="Folder {folder // 100}">')
        lines += [f'<outline type="rss" text="Feed {i}" xmlUrl="https://f{i % 977}.example/rss/{i}.xml"/>' for i in range(folder, folder + 100)]
        lines.append("</outline>")
    data = "\n".join([*lines, "</body></opml>"]).encode()
    del lines
    tracemalloc.start()
    try:
        subs = read_opml(data, "big.opml")
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(subs) == 120_000 and (subs[0].title, subs[0].folder, subs[-1].folder) == ("Feed 0", "Folder 0", "Folder 1199")
    assert peak < kept + 10_000_000, (peak, kept)  # 46 MB above what is kept before
