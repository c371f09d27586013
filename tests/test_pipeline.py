"""The pipeline on a real SQLite file with real local channels: store once, alert once, never lose."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from datetime import timedelta
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from monitor.pipeline import Pipeline, build_pipeline
from monitor.settings import load_settings
from monitor.store import outbox, sources
from monitor.store.db import utcnow
from monitor.store.tables import AlertRow, ArticleRow, DeliveryRow, MatchRow
from tests.conftest import DEFAULT_WATCHLIST, DISTINCT_STORIES, SEED, JsonReceiver, LocalHTTP, SmtpSink, inbox_with, long_word, memory_ceiling, served_pages, write_config

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>
<description><![CDATA[<p>{text}</p>]]></description><pubDate>Fri, 03 Jan 2020 02:00:00 GMT</pubDate></item>"""
STRIKE = "Kata'ib Hizballah blamed Washington for the drone strike that killed Qassem Suleimani near Baghdad airport."
CALM = "The central bank kept interest rates unchanged on Tuesday."


def rss(*items: tuple[str, str, str, str]) -> bytes:
    return RSS.format(items="\n".join(ITEM.format(title=t, link=link, guid=g, text=x) for t, link, g, x in items)).encode()


def count(pipeline: Pipeline, table: type) -> int:
    with pipeline.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def inbox_with_seed(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEED, inbox / SEED.name)
    os.utime(inbox / SEED.name, (time.time() - 60, time.time() - 60))  # settled: not being written
    return inbox


def test_seed_is_stored_matched_alerted_and_delivered_once_across_restarts(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = inbox_with_seed(tmp_path)
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}])
    first = build_pipeline(load_settings(config))
    first.run_once()
    assert (count(first, ArticleRow), count(first, AlertRow), count(first, DeliveryRow)) == (1, 1, 1)
    assert count(first, MatchRow) > 10
    assert len(json_receiver.messages) == 1
    message = json_receiver.messages[0]
    assert "Qasem Soleimani" in message["title"] and "drone strike" in message["title"]
    assert "ballistic missiles (severity 3)" in message["message"]
    assert "Source: " in message["message"] and "“" in message["message"]  # the quoted sentence
    assert "Seen: " in message["message"] and "Story: 1 article from 1 source so far" in message["message"]
    first.db.close()

    again = build_pipeline(load_settings(config))  # a restart on the same database
    again.run_once()
    again.run_once()
    assert (count(again, ArticleRow), count(again, AlertRow)) == (1, 1)
    assert len(json_receiver.messages) == 1


def test_same_story_under_another_name_is_stored_once(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = inbox_with_seed(tmp_path)
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once()
    text = SEED.read_text()
    (inbox / "copy.txt").write_text("  " + text.upper().replace("\n", "\n\n"))  # same words, other case and spacing
    pipeline.run_once()
    assert count(pipeline, ArticleRow) == 1
    assert len(json_receiver.messages) == 1
    assert not pipeline.ingest.matcher._texts  # ingest matches each new text once: the daemon's matcher keeps none
    pipeline.reload_watchlist()
    assert pipeline.ingest.matcher.text_cache_chars == 0


def test_feed_entries_dedup_by_guid_and_canonical_url_and_use_conditional_get(tmp_path: Path, http_server: LocalHTTP, json_receiver: JsonReceiver) -> None:
    body = rss(
        ("Strike in Baghdad", "https://wire.example/a?utm_source=rss", "a", STRIKE),
        ("Rates", "https://wire.example/b", "b", CALM),
    )
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, body)
    http_server.routes["/mirror.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Strike (mirror)", "https://wire.example/a#comments", "other-guid", STRIKE + " Mirror.")))
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/feed.xml")}, {"name": "mirror", "url": http_server.url("/mirror.xml")}],
                          channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once()
    assert count(pipeline, ArticleRow) == 2  # the mirror's copy has the same canonical URL
    assert len(json_receiver.messages) == 1
    assert "https://wire.example/a" in json_receiver.messages[0]["message"]

    http_server.routes["/feed.xml"] = lambda handler, _: (handler.send_response(304), handler.send_header("Content-Length", "0"), handler.end_headers())
    pipeline.run_once()
    feed_requests = [h for m, p, h, _ in http_server.requests if p == "/feed.xml"]
    assert feed_requests[-1].get("If-None-Match") == '"v1"'
    health = {s.name: s for s in sources.list_sources(pipeline.db)}
    assert health["wire"].error_count == 0 and health["wire"].last_new_items == 0
    assert len(json_receiver.messages) == 1


def test_a_broken_feed_is_recorded_and_the_good_feed_still_alerts(tmp_path: Path, http_server: LocalHTTP, json_receiver: JsonReceiver) -> None:
    http_server.routes["/good.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Strike", "https://wire.example/s", "s", STRIKE)))
    http_server.routes["/html.xml"] = (200, {"Content-Type": "text/html"}, b"<html><body><p>Not a feed</p></body></html>")
    http_server.routes["/garbage.xml"] = (200, {}, bytes(range(256)) * 40)
    feeds = [{"name": "html", "url": http_server.url("/html.xml")}, {"name": "gone", "url": http_server.url("/missing.xml")},
             {"name": "garbage", "url": http_server.url("/garbage.xml")}, {"name": "good", "url": http_server.url("/good.xml")}]
    config = write_config(tmp_path, feeds=feeds, channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once()
    health = {s.name: s for s in sources.list_sources(pipeline.db)}
    assert "HTTP 404" in (health["gone"].last_error or "") and "/missing.xml" in (health["gone"].last_error or "")
    assert "not a usable feed" in (health["html"].last_error or "")
    assert health["garbage"].error_count == 1 and health["good"].error_count == 0
    assert all("\n" not in (s.last_error or "") for s in health.values())
    assert len(json_receiver.messages) == 1


def test_a_one_megabyte_word_in_a_feed_item_is_stored_and_the_good_item_alerts(tmp_path: Path, http_server: LocalHTTP, json_receiver: JsonReceiver) -> None:
    """Issue 14.1: one long word took len(word)² of memory: the poll died, the feed recorded no error, its good items were lost."""
    body = rss(("Noise", "https://wire.example/n", "n", long_word(1_000_000)), ("Strike", "https://wire.example/s", "s", STRIKE))
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, body)
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/feed.xml")}], channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    with memory_ceiling(1 << 30):  # was a MemoryError here (and the machine's memory without a ceiling)
        pipeline.run_once()
    assert count(pipeline, ArticleRow) == 2
    assert sources.list_sources(pipeline.db)[0].error_count == 0
    assert len(json_receiver.messages) == 1 and "https://wire.example/s" in json_receiver.messages[0]["message"]


def test_a_regex_that_times_out_is_logged_once_with_its_pattern(tmp_path: Path, json_receiver: JsonReceiver, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 14.10: a timed-out user regex was silent."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text(DEFAULT_WATCHLIST.read_text().replace("events:\n", "events:\n  - name: slow\n    severity: 1\n    patterns: ['(a|aa)+$']\n", 1))
    inbox = inbox_with(tmp_path, [DISTINCT_STORIES[0] + " " + "a" * 40 + "!", DISTINCT_STORIES[1] + " " + "a" * 40 + "!"])
    config = write_config(tmp_path, folders=[inbox], watchlist=watchlist, channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    with caplog.at_level(logging.WARNING, logger="monitor"):
        pipeline.run_once()
    assert count(pipeline, ArticleRow) == 2 and len(json_receiver.messages) == 2
    said = [r.getMessage() for r in caplog.records if "pattern" in r.getMessage()]
    assert said == [f"watchlist event 'slow' pattern '(a|aa)+$' timed out on an article from {inbox} and was given up there (said once; `monitor check` tries it on the examples)"]


def test_a_regex_matching_an_article_too_often_is_cut_to_its_first_matches_and_said_once(tmp_path: Path, json_receiver: JsonReceiver, caplog: pytest.LogCaptureFixture) -> None:
    """Regression: a user regex had no cap on its matches: `\\w` matched an article once per letter, every match stored.
    Now a pattern keeps its first 100 matches of an article, and one line, said once, names the watchlist entry."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text(DEFAULT_WATCHLIST.read_text().replace("events:\n", "events:\n  - name: letters\n    severity: 1\n    patterns: ['\\w']\n", 1))
    inbox = inbox_with(tmp_path, ["abcd " * 2000 + DISTINCT_STORIES[0], "abcd " * 2000 + DISTINCT_STORIES[1]])
    config = write_config(tmp_path, folders=[inbox], watchlist=watchlist, channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    with caplog.at_level(logging.WARNING, logger="monitor"):
        pipeline.run_once()
    assert count(pipeline, ArticleRow) == 2
    with pipeline.db.session() as s:
        assert s.scalar(select(func.count()).select_from(MatchRow).where(MatchRow.name == "letters")) == 200
    said = [r.getMessage() for r in caplog.records if "pattern" in r.getMessage()]
    assert said == [f"watchlist event 'letters' pattern '\\\\w' matched an article from {inbox} more than 100 times: its first 100 matches "
                    "are kept (said once; a pattern that matches so often matches too much)"]


def test_failed_delivery_is_kept_with_its_reason_and_retried_until_it_succeeds(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = inbox_with_seed(tmp_path)
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}], settings={"delivery": {"backoff_seconds": 30, "backoff_max_seconds": 60}})
    pipeline = build_pipeline(load_settings(config))
    json_receiver.fail = True
    pipeline.run_once()
    assert json_receiver.rejected == 1 and not json_receiver.messages
    with pipeline.db.session() as s:
        delivery = s.scalars(select(DeliveryRow)).one()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.last_error and "hook" in delivery.last_error
    assert pipeline.dispatch() == 0  # not due yet: backoff
    json_receiver.fail = False
    assert pipeline.dispatch(utcnow() + timedelta(seconds=31)) == 1
    assert pipeline.dispatch(utcnow() + timedelta(seconds=120)) == 0
    assert len(json_receiver.messages) == 1
    assert "hook:sent" in outbox.latest_alerts(pipeline.db, 5)[0].deliveries


def test_delivery_gives_up_after_max_attempts_and_stays_visible(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = inbox_with_seed(tmp_path)
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    json_receiver.fail = True
    pipeline.run_once()
    for minutes in (1, 2):
        pipeline.dispatch(utcnow() + timedelta(minutes=minutes))
    assert json_receiver.rejected == 3  # max_attempts = 3 in write_config
    assert pipeline.dispatch(utcnow() + timedelta(hours=2)) == 0
    assert "hook:failed(3)" in outbox.latest_alerts(pipeline.db, 5)[0].deliveries


def test_a_crashed_dispatchers_lease_expires_and_the_delivery_is_taken_back(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = inbox_with_seed(tmp_path)
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.scan_folders()
    now = utcnow()
    assert len(outbox.claim_due(pipeline.db, now, lease_seconds=60)) == 1  # claimed, then "crash"
    assert outbox.claim_due(pipeline.db, now, lease_seconds=60) == []
    assert pipeline.dispatch(now + timedelta(seconds=61)) == 1
    assert len(json_receiver.messages) == 1


def test_alert_reaches_a_local_smtp_server(tmp_path: Path, smtp_server: SmtpSink) -> None:
    inbox = inbox_with_seed(tmp_path)
    url = f"mailto://127.0.0.1:{smtp_server.port}?to=desk@example.org&from=monitor@example.org&secure=no"
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "mail", "url": url}])
    build_pipeline(load_settings(config)).run_once()
    assert len(smtp_server.messages) == 1
    subject = str(make_header(decode_header(smtp_server.messages[0]["Subject"])))
    assert "Qasem Soleimani" in subject and "drone strike" in subject


def test_smtp_password_never_appears_in_the_recorded_error(tmp_path: Path, smtp_server: SmtpSink, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SMTP_PASSWORD", "hunter2-very-secret")
    inbox = inbox_with_seed(tmp_path)
    url = f"mailto://desk:${{SMTP_PASSWORD}}@127.0.0.1:{smtp_server.port}?to=desk@example.org&from=monitor@example.org"
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "mail", "url": url}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once()  # aiosmtpd offers no AUTH: the delivery fails
    with pipeline.db.session() as s:
        error = s.scalars(select(DeliveryRow.last_error)).one()
    assert error and "AUTH" in error and "hunter2" not in error


def test_bad_files_are_recorded_against_the_folder_and_good_ones_still_alert(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = inbox_with_seed(tmp_path)
    (inbox / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (inbox / "broken.json").write_text('{"title": "x", "text": ')
    config = write_config(tmp_path, folders=[inbox, tmp_path / "no-such-folder"], channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once()
    assert len(json_receiver.messages) == 1
    health = {s.location: s for s in sources.list_sources(pipeline.db)}
    assert "does not exist" in (health[str(tmp_path / "no-such-folder")].last_error or "")
    assert health[str(inbox)].error_count == 2
    assert (inbox / "photo.txt").exists() and (inbox / "broken.json").exists()  # never deleted


def test_json_article_with_url_and_published_time(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.json").write_text(json.dumps({"title": "Rockets hit Green Zone", "body": "Kataeb Hezbollah fired rockets into the Green Zone.", "url": "https://news.example/r", "published": "2020-01-08T22:00:00Z"}))
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}])
    build_pipeline(load_settings(config)).run_once()
    body = json_receiver.messages[0]["message"]
    assert "https://news.example/r" in body and "2020-01-08T22:00:00+00:00" in body


def test_apprise_config_file_routes_by_the_rules_tags(tmp_path: Path, json_receiver: JsonReceiver, http_server: LocalHTTP) -> None:
    oncall: list[bytes] = []

    def record(handler, body: bytes) -> None:  # type: ignore[no-untyped-def]
        oncall.append(body)
        handler.send_response(200)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    http_server.routes["/oncall"] = record
    apprise_file = tmp_path / "channels.txt"
    apprise_file.write_text(f"default={json_receiver.url}\noncall=json://127.0.0.1:{http_server.port}/oncall\n")
    inbox = inbox_with_seed(tmp_path)
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "desk", "config": str(apprise_file)}])
    build_pipeline(load_settings(config)).run_once()
    assert len(json_receiver.messages) == 1  # the default rule's tag
    assert oncall == []  # no rule of the default watchlist routes to 'oncall'


def test_a_burst_of_alerts_by_email_does_not_stall_on_apprises_throttle(tmp_path: Path, smtp_server: SmtpSink) -> None:
    inbox = inbox_with(tmp_path, DISTINCT_STORIES)
    url = f"mailto://127.0.0.1:{smtp_server.port}?to=desk@example.org&from=monitor@example.org&secure=no"
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], channels=[{"name": "mail", "url": url}])))
    pipeline.scan_folders()
    started = time.monotonic()
    assert pipeline.dispatch() == 5
    assert time.monotonic() - started < 10  # a reused Apprise object would wait ~5.5 s between e-mails: >= 22 s
    assert len(smtp_server.messages) == 5


def test_a_hanging_channel_is_a_recorded_failure_and_the_alert_goes_out_when_it_recovers(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = inbox_with_seed(tmp_path)
    url = json_receiver.url + "?cto=1&rto=1"  # Apprise's own connect and read timeouts, seconds
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": url}])
    pipeline = build_pipeline(load_settings(config))
    json_receiver.hang = True
    try:
        started = time.monotonic()
        pipeline.run_once()
        assert time.monotonic() - started < 10 and json_receiver.hung == 1
    finally:
        json_receiver.release.set()
    with pipeline.db.session() as s:
        delivery = s.scalars(select(DeliveryRow)).one()
        assert (delivery.status, delivery.attempts) == ("pending", 1) and delivery.last_error
    json_receiver.hang = False
    assert pipeline.dispatch(utcnow() + timedelta(minutes=5)) == 1
    assert len(json_receiver.messages) == 1


def test_a_titles_bidi_override_and_escapes_are_written_out_in_the_mail_and_the_json_message(tmp_path: Path, smtp_server: SmtpSink,
                                                                                         json_receiver: JsonReceiver) -> None:
    """Regression (found by helper xdesk): a feed's bidi override (U+202E) and terminal escapes reached the mail's subject
    and body raw, so a mail reader showed the rest of the title reversed ('evil' as 'live'), where the CLI and the web
    view write them out (`\\u202e`)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    title = "Rockets \u202eevil\u202c \x1b[31mred\x1b[0m"
    (inbox / "a.json").write_text(json.dumps({"title": title, "text": "Kataeb Hezbollah fired rockets at the base \u202ereversed\u202c, officials said."}))
    os.utime(inbox / "a.json", (time.time() - 60, time.time() - 60))
    url = f"mailto://127.0.0.1:{smtp_server.port}?to=desk@example.org&from=monitor@example.org&secure=no"
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "mail", "url": url}, {"name": "hook", "url": json_receiver.url}])
    build_pipeline(load_settings(config)).run_once()
    [mail] = smtp_server.messages
    subject = str(make_header(decode_header(mail["Subject"])))
    body = mail.get_payload(decode=True).decode()
    [message] = json_receiver.messages
    for shown in (subject, body, message["title"], message["message"]):
        assert "\u202e" not in shown and "\x1b" not in shown, shown
        assert "\\u202eevil\\u202c \\x1b[31mred\\x1b[0m" in shown, shown
    assert "\\u202ereversed\\u202c, officials said." in body  # the sentence too
    assert "Kataeb Hezbollah" in message["actors"]  # the typed fields stay data


def test_a_config_secret_in_an_articles_link_is_masked_in_the_mail(tmp_path: Path, smtp_server: SmtpSink, http_server: LocalHTTP,
                                                                   json_receiver: JsonReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (found by helper xdesk): a private feed polled with `?token=${FEED_TOKEN}` links its items with the
    same token; the web view and the CLI mask it, but the mail sent the token whole in its body."""
    secret = "f33d-T0ken-9a8b7c"
    monkeypatch.setenv("XDESK_FEED_TOKEN", secret)
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"},
                                       rss(("Strike in Baghdad", f"https://private.example/item/1?token={secret}", "a", STRIKE)))
    url = f"mailto://127.0.0.1:{smtp_server.port}?to=desk@example.org&from=monitor@example.org&secure=no"
    config = write_config(tmp_path, feeds=[{"name": "private", "url": http_server.url("/feed.xml") + "?token=${XDESK_FEED_TOKEN}"}],
                          channels=[{"name": "mail", "url": url}, {"name": "hook", "url": json_receiver.url}])
    build_pipeline(load_settings(config)).run_once()
    [message] = json_receiver.messages
    assert secret not in json.dumps(message) and message["url"] == "https://private.example/item/1?token=****"
    [mail] = smtp_server.messages
    body = mail.get_payload(decode=True).decode()
    assert secret not in body and secret not in str(make_header(decode_header(mail["Subject"])))
    assert "https://private.example/item/1?token=****" in body


@pytest.mark.parametrize("refusal", ["550 5.1.1 no such user", "450 4.2.1 greylisted, try again later"])
def test_a_mail_one_recipient_refuses_reaches_the_others_once_and_says_who_refused(tmp_path: Path, refusal: str) -> None:
    """Regression (found by helper xdesk): Apprise mails each recipient of `to=` in turn; when the server refused one
    (550 no such user, an old address) the send failed as a whole and each retry mailed the others again: the desk
    got the alert 4 times with max_attempts = 4, and the delivery ended 'failed'. A refusal for now (4xx: greylisting)
    is tried again until it goes, to that recipient only (found by helper xdeliver: the others got it again at each try)."""
    from tests.conftest import smtp_answering

    asked: list[str] = []

    def answer(address: str, server: Any) -> str | None:
        if address.startswith("gone@"):
            asked.append(address)
            if refusal.startswith("5") or len(asked) < 3:
                return refusal
        return None

    with smtp_answering(answer) as (port, accepted):
        url = f"mailto://127.0.0.1:{port}?to=desk@example.org,gone@example.org&from=monitor@example.org&secure=no"
        config = write_config(tmp_path, folders=[inbox_with(tmp_path, DISTINCT_STORIES[:1])], channels=[{"name": "mail", "url": url}],
                              settings={"delivery": {"max_attempts": 4}})
        pipeline = build_pipeline(load_settings(config))
        pipeline.run_once()
        for minutes in (1, 2, 3, 4):
            pipeline.dispatch(utcnow() + timedelta(minutes=minutes))
    with pipeline.db.session() as s:
        [delivery] = s.scalars(select(DeliveryRow)).all()
    if refusal.startswith("4"):  # greylisted twice, then taken
        assert accepted == [["desk@example.org"], ["gone@example.org"]]
        assert delivery.status == "sent" and delivery.attempts == 3 and delivery.last_error is None
        return
    assert accepted == [["desk@example.org"]]
    assert delivery.status == "sent" and delivery.attempts == 1
    assert delivery.last_error and "gone@example.org" in delivery.last_error and "550" in delivery.last_error


def test_a_signed_article_link_opens_from_the_mail_and_the_web_view_its_feeds_token_still_masked(
        tmp_path: Path, smtp_server: SmtpSink, http_server: LocalHTTP, json_receiver: JsonReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (xweb, session 40): every `sig=`/`signature=` parameter was masked, in a feed's own article links
    too, so a signed link (a CDN's `Signature=`, Azure's `sig=`, S3's `X-Amz-Signature=`) in a mail, a JSON payload
    or the web view no longer opened. A signature opens that one link: kept in an article's link; a configured
    secret (the private feed's token) and `token=`-like parameters are still masked there."""
    secret = "f33d-T0ken-9a8b7c"
    monkeypatch.setenv("XWEB_FEED_TOKEN", secret)
    signed = "Expires=1767225600&Signature=Zm9vYmFy-c2ln~Kx&X-Amz-Signature=0a1b2c3d4e&sig=QUJD%2BREVG"
    link = f"https://private.example/item/1?token={secret}&{signed}"
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"},
                                       rss(("Strike in Baghdad", link.replace("&", "&amp;"), "a", STRIKE)))
    url = f"mailto://127.0.0.1:{smtp_server.port}?to=desk@example.org&from=monitor@example.org&secure=no"
    config = write_config(tmp_path, feeds=[{"name": "private", "url": http_server.url("/feed.xml") + "?token=${XWEB_FEED_TOKEN}"}],
                          channels=[{"name": "mail", "url": url}, {"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once()
    shown = f"https://private.example/item/1?token=****&{signed}"
    [message] = json_receiver.messages
    assert secret not in json.dumps(message), json.dumps(message)
    assert message["url"] == shown
    [mail] = smtp_server.messages
    body = mail.get_payload(decode=True).decode()
    assert secret not in body and shown in body
    pages = served_pages(pipeline, "/alerts/1", "/stories/1")
    for page in pages:
        assert secret not in page and f'<a href="{shown.replace("&", "&amp;")}"' in page
    assert shown.replace("&", "&amp;") in pages[0].split("<pre>")[1]  # the message as sent
    text_about = "Signature=" + "x" * 20  # elsewhere (a text, a source's URL, an error) a signature is masked as before
    from monitor.redact import redact
    assert redact(f"https://feeds.example/rss?{text_about}") == "https://feeds.example/rss?Signature=****"


def test_alerts_show_keeps_a_signed_article_links_signature_as_the_mail_and_the_web_view_do(
        tmp_path: Path, http_server: LocalHTTP, json_receiver: JsonReceiver) -> None:
    """Regression (session 41): `monitor alerts show` masked the signature of an article's own signed link
    (`Signature=****`) where the mail, the JSON payload and the web view keep it (README: it opens that one
    link), so the link it printed did not open. It keeps it now, in the article's line and its message; the feed's
    token (a feed added with `sources add`, written out in the store only) and `token=` values stay masked."""
    from tests.test_cli import monitor

    secret = "L1teral-F33dTok-cli"
    signed = "Expires=1767225600&Signature=Zm9vYmFy-c2ln~Kx&X-Amz-Signature=0a1b2c3d4e"
    link = f"https://private.example/item/1?sig={secret}&{signed}"
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"},
                                       rss(("Strike in Baghdad", link.replace("&", "&amp;"), "a", STRIKE)))
    config = write_config(tmp_path, channels=[{"name": "hook", "url": json_receiver.url}])
    added = monitor("sources", "add", http_server.url("/feed.xml") + f"?token={secret}", "--name", "private", "--config", str(config))
    assert added.returncode == 0, added.stderr
    assert monitor("once", "--config", str(config)).returncode == 0
    shown = f"https://private.example/item/1?sig=****&{signed}"
    [message] = json_receiver.messages
    assert message["url"] == shown
    result = monitor("alerts", "show", "1", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert secret not in result.stdout
    assert f"article 1 from private: {shown}" in result.stdout
    assert f"  {shown}" in result.stdout or f" {shown}" in result.stdout  # the message as sent


def test_monitor_web_masks_the_token_of_a_feed_added_after_it_started_in_the_signed_links_it_keeps(
        tmp_path: Path, http_server: LocalHTTP, json_receiver: JsonReceiver) -> None:
    """Regression (session 41): `monitor web` registered the feeds' tokens once, at its start, so a private feed added
    later (`sources add URL?token=...`) whose items' links carry that token as a signature (`sig=`, kept in an article's
    own link) had it shown whole on the alert and story pages until `monitor web` was restarted."""
    import subprocess
    import sys

    from monitor.store.db import Database
    from tests.conftest import REPO, free_port, store_url, wait_for
    from tests.test_cli import monitor
    from tests.test_web import get_or_none

    secret = "L1teral-F33dTok-web"
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"},
                                       rss(("Strike in Baghdad", f"https://private.example/item/1?sig={secret}", "a", STRIKE)))
    config = write_config(tmp_path, channels=[{"name": "hook", "url": json_receiver.url}])
    Database(store_url(tmp_path)).close()
    port = free_port()
    web = subprocess.Popen([sys.executable, "-m", "monitor", "web", "--config", str(config), "--listen", f"127.0.0.1:{port}"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: get_or_none(base + "/alerts"), timeout=60)[0] == 200
        added = monitor("sources", "add", http_server.url("/feed.xml") + f"?token={secret}", "--name", "private", "--config", str(config))
        assert added.returncode == 0, added.stderr
        assert monitor("once", "--config", str(config)).returncode == 0
        pages = [get_or_none(base + path) for path in ("/alerts/1", "/stories/1")]
    finally:
        web.terminate()
        web.wait(30)
    for page in pages:
        assert page is not None and page[0] == 200
        assert secret not in page[1] and 'href="https://private.example/item/1?sig=****"' in page[1]


def test_a_literal_feed_token_its_items_links_carry_as_a_signature_is_masked_in_the_payload_and_the_web_view(
        tmp_path: Path, http_server: LocalHTTP, json_receiver: JsonReceiver) -> None:
    """Regression (found by helper xsecrets): only `${ENV}` values and channel URLs' secrets were registered, so a feed
    URL written with its token (`?token=...`, as `sources add` takes it) did not make that token a secret: where its
    items' links carry it as a signature (`sig=`, kept in an article's own link) it went whole into the JSON payload,
    the mail and the web view."""
    secret = "L1teral-F33dTok-xs"
    link = f"https://private.example/item/1?sig={secret}"
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Strike in Baghdad", link, "a", STRIKE)))
    config = write_config(tmp_path, feeds=[{"name": "private", "url": http_server.url("/feed.xml") + f"?token={secret}"}],
                          channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once()
    [message] = json_receiver.messages
    assert secret not in json.dumps(message) and message["url"] == "https://private.example/item/1?sig=****"
    pages = served_pages(pipeline, "/alerts/1", "/stories/1")
    assert all(secret not in page for page in pages)


def test_the_story_index_holds_at_most_window_articles(tmp_path: Path) -> None:
    """Regression (found by helper xsoak's soak): the index kept `window + 1` articles (`monitor_story_index_size` read
    1501 with `[stories] window = 1500`; docs/operations.md: at most `[stories] window`), one more than a start loads."""
    inbox = inbox_with(tmp_path, DISTINCT_STORIES[:4])
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], settings={"stories": {"window": 2}})))
    try:
        pipeline.scan_folders()
        assert count(pipeline, ArticleRow) == 4
        assert len(pipeline.ingest.story_index) == 2
        started = build_pipeline(pipeline.settings)
        try:
            assert len(started.ingest.story_index) == 2  # as a start loads it
        finally:
            started.parsers.shutdown()
    finally:
        pipeline.parsers.shutdown()
