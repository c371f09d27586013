"""Bearable alerting: digests for low severity, flood control, quiet hours that severity 3 breaks."""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from monitor.alerts.policy import digest_due, hold_reason, in_quiet_hours, render_digest
from monitor.alerts.templates import ChannelTemplates
from monitor.errors import ConfigError, DeliveryError
from monitor.model import Article, Held, MatchResult
from monitor.pipeline import build_pipeline
from monitor.settings import FLOOD_PER_HOUR, Channel, Settings, load_settings
from monitor.store import articles, outbox, sources
from monitor.store.articles import NewAlert
from monitor.store.db import Database, utcnow
from monitor.store.tables import DeliveryRow
from tests.conftest import DISTINCT_STORIES, JsonReceiver, inbox_with, query, write_config

NOON_UTC = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "zone", "now", "quiet"),
    [
        ("22:00-07:00", "UTC", NOON_UTC, False),
        ("22:00-07:00", "UTC", NOON_UTC.replace(hour=23), True),
        ("22:00-07:00", "UTC", NOON_UTC.replace(hour=3), True),
        ("22:00-07:00", "UTC", NOON_UTC.replace(hour=7), False),
        ("09:00-17:00", "UTC", NOON_UTC, True),
        ("22:00-07:00", "Asia/Tokyo", NOON_UTC.replace(hour=14), True),  # 23:00 in Tokyo
        ("", "UTC", NOON_UTC, False),
    ],
)
def test_quiet_hours_in_the_channels_time_zone(hours: str, zone: str, now: datetime, quiet: bool) -> None:
    assert in_quiet_hours(Channel(name="c", url="json://x", quiet_hours=hours, timezone=zone), now) is quiet


def test_what_is_held_and_why() -> None:
    channel = Channel(name="c", url="json://x", digest_below=2, max_per_hour=3, quiet_hours="22:00-07:00")
    assert hold_reason(channel, 1, NOON_UTC, 0) == "low severity"
    assert hold_reason(channel, 2, NOON_UTC, 0) is None
    assert hold_reason(channel, 2, NOON_UTC, 3) == "flood"
    assert hold_reason(channel, 2, NOON_UTC.replace(hour=23), 0) == "quiet hours"
    assert hold_reason(channel, 3, NOON_UTC.replace(hour=23), 0) is None  # severity 3 breaks through


def test_a_digest_is_due_once_its_oldest_alert_has_waited() -> None:
    channel = Channel(name="c", url="json://x", digest_every=3600, max_per_hour=2)
    held = [Held(1, "a1", "First", NOON_UTC, "flood"), Held(2, "a2", "Second", NOON_UTC + timedelta(minutes=30), "low severity")]
    assert not digest_due(channel, held, NOON_UTC + timedelta(minutes=59))
    assert digest_due(channel, held, NOON_UTC + timedelta(minutes=60))
    title, body = render_digest(channel, held)
    assert title == "[digest] 2 alerts"
    assert body.splitlines() == ["- First (alert a1)", "- Second (alert a2)",
                                 "1 of these was of a severity this channel sends in digests (below its digest_below) and waited for this digest.",
                                 "1 of these went over the limit of 2 alerts per hour and waited for this digest."]


def test_a_digest_of_thousands_of_alerts_lists_the_first_digest_lines_and_counts_the_rest() -> None:
    """Regression: a digest listed every held alert, a line each with its title (up to 1,000 characters): a feed of
    10,000 matching entries in a flood made a 10 MB message that a channel refuses (Slack takes 40,000 characters),
    tried again and again, the alerts never delivered. A digest lists its first DIGEST_LINES alerts, their titles cut
    to DIGEST_TITLE characters, and counts the others, naming where to read them."""
    from monitor.alerts.policy import DIGEST_LINES

    channel = Channel(name="desk", url="json://127.0.0.1/x", max_per_hour=2)
    held = [Held(i, f"a{i}", "Drone strike " * 70, NOON_UTC, "flood") for i in range(10_000)]
    title, body = render_digest(channel, held)
    lines = body.splitlines()
    assert title == "[digest] 10000 alerts" and len(body) < 40_000 and lines[0] == f"- {('Drone strike ' * 15).strip()}… (alert a0)"
    assert lines[DIGEST_LINES - 1].endswith(f"(alert a{DIGEST_LINES - 1})") and lines[DIGEST_LINES:] == [
        f"… and {10_000 - DIGEST_LINES} more alerts: `monitor alerts` and the web view list them all",
        "10000 of these went over the limit of 2 alerts per hour and waited for this digest."]


def test_bad_quiet_hours_and_time_zones_are_config_errors(tmp_path: Path) -> None:
    from monitor.errors import ConfigError

    for extra, words in (({"quiet_hours": "late"}, "22:00-07:00"), ({"timezone": "Mars/Olympus"}, "unknown time zone")):
        config = write_config(tmp_path, channels=[{"name": "c", "url": "json://127.0.0.1/x", **extra}])
        with pytest.raises(ConfigError, match=words):
            load_settings(config)


def test_flood_control_and_digest_through_the_dispatcher(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = inbox_with(tmp_path, DISTINCT_STORIES[:4])
    channel = {"name": "hook", "url": json_receiver.url, "max_per_hour": 2, "digest_every": 600}
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], channels=[channel])))
    pipeline.scan_folders()
    pipeline.dispatch()
    assert len(json_receiver.messages) == 2  # the limit; the other two wait
    pipeline.dispatch(utcnow() + timedelta(minutes=5))
    assert len(json_receiver.messages) == 2  # the digest is not due yet
    pipeline.dispatch(utcnow() + timedelta(minutes=11))
    assert len(json_receiver.messages) == 3
    digest = json_receiver.messages[2]
    assert digest["title"] == "[digest] 2 alerts"
    first_two = [m["uid"] for m in json_receiver.messages[:2]]
    assert (digest["kind"], digest["type"], len(digest["alerts"])) == ("digest", "info", 2)  # it had no kind: an alert's receiver read it as one
    assert not set(digest["alerts"]) & set(first_two) and digest["uid"] is None
    assert "2 of these went over the limit of 2 alerts per hour" in digest["message"]
    pipeline.dispatch(utcnow() + timedelta(hours=3))
    assert len(json_receiver.messages) == 3  # nothing twice


TEMPLATE_TITLE = "{{ severity_word | upper }}: {{ actors | join(', ') }}"
TEMPLATE_BODY = "<h1>{{ title }}</h1>{% for hit in hits %}<p>{{ hit.explanation }}</p><blockquote>{{ hit.sentence }}</blockquote>{% endfor %}<p>{{ story }}</p>"


def test_channel_templates_are_sandboxed_and_the_html_variant_escapes_feed_text(tmp_path: Path, smtp_server, json_receiver: JsonReceiver) -> None:  # type: ignore[no-untyped-def]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    hostile = "Kataeb Hezbollah fired rockets at the base {{ 7 * 7 }} <script>alert(1)</script> officials said."
    (inbox / "a.txt").write_text(hostile)
    os.utime(inbox / "a.txt", (time.time() - 60, time.time() - 60))
    mail = f"mailto://127.0.0.1:{smtp_server.port}?to=desk@example.org&from=monitor@example.org&secure=no"
    channels = [
        {"name": "mail", "url": mail, "format": "html", "title_template": TEMPLATE_TITLE, "body_template": TEMPLATE_BODY},
        {"name": "hook", "url": json_receiver.url, "title_template": TEMPLATE_TITLE},
    ]
    build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], channels=channels))).run_once()
    assert json_receiver.messages[0]["title"] == "MEDIUM: Kataeb Hezbollah"
    assert "Alert id:" in json_receiver.messages[0]["message"]  # no body template: the plain body
    [email] = smtp_server.messages
    html = next(part for part in email.walk() if part.get_content_type() == "text/html").get_payload(decode=True).decode()
    assert "{{ 7 * 7 }}" in html and "49" not in html  # feed text is data, never a template
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "Kataeb Hezbollah (found" in html and "Story: 1 article from 1 source so far" in html


def test_a_broken_template_is_a_config_error_naming_the_channel(tmp_path: Path) -> None:
    from tests.test_cli import monitor, one_line_error

    config = write_config(tmp_path, channels=[{"name": "desk", "url": "json://127.0.0.1:9/x", "body_template": "{{ title }}\n{% for x in %}"}])
    line = one_line_error(monitor("check", "--config", str(config)))
    assert "channel 'desk': bad template in body_template (line 2): " in line  # the key and line: it said "bad template" alone


@pytest.mark.parametrize("body", [
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",  # 10^10 turns, nothing written
    "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}",
    "{% for a in range(99999) %}{{ title }}{{ title }}{{ title }}{{ title }}{% endfor %}",
    '{{ "a" * 3000000000 }}',
    "{{ [title] * 2000000 }}",
    "{{ 10 ** 100000000 }}",
    "{% for a in body %}{% for b in body %}{% endfor %}{% endfor %}",  # 50,000 characters each: 2.5 10^9 turns, no range()
    "{% for a in body|batch(1) %}{% for b in body|list %}{% endfor %}{% endfor %}",
    '{{ "x"|center(300000000) }}',  # 1.1 GB before the output's bound saw it
    '{{ "x".ljust(300000000) }}',
    '{{ "x"|indent(300000000, true) }}',
    '{{ "%0300000000d" % 1 }}',  # a width in a format string: 300 MB at compile time (found by helper xanalyst)
    '{{ "%0300000000d" % severity }}',
    '{{ "%.300000000f" % 1.5 }}',
    '{{ "%*d" % (300000000, 1) }}',
    '{{ "%300000000s"|format(title) }}',
    '{{ "{:>300000000}".format(title) }}',
    '{{ "{0:.300000000f}".format(1.5) }}',
    '{{ "{:{w}}".format(title, w=300000000) }}',
    # a string doubled in a loop, by ~ or +, or a big list joined or replaced into (found by helper xanalyst)
    '{% set ns = namespace(s=body) %}{% for i in range(20) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}',
    '{% set ns = namespace(s=body) %}{% for i in range(20) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}',
    '{% set ns = namespace(l=[body]) %}{% for i in range(20) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l|join|length }}',
    '{{ ([body] * 1000)|join|length }}',
    '{{ body|replace(" ", body)|length }}',
    '{{ body|replace("", body)|length }}',
    # a value kept at each turn of a loop: by a method that changes a list, dict or set, or in a namespace (found by helper xhostile)
    '{% set d = {} %}{% for i in range(100000) %}{% set _ = d.update({i: "x" * 1000000}) %}{% endfor %}',
    '{% set l = [] %}{% for i in range(100000) %}{% set _ = l.append(title * 100000) %}{% endfor %}',
    '{% set l = [] %}{% for i in range(100000) %}{% set _ = l.extend(body) %}{% endfor %}',
    '{% set ns = namespace(l=[]) %}{% for i in range(100000) %}{% set ns.l = ns.l + ["x" * 1000000] %}{% endfor %}',
    '{% set ns = namespace(d={}) %}{% for a in body %}{% for b in body %}{% set _ = ns.d.setdefault(a ~ b ~ loop.index, body[:1000]) %}{% endfor %}{% endfor %}',
    # a string method or format making a multiple of its string and its arguments in one call, counted only once made:
    # gigabytes (found by helper xhostile2)
    '{{ body.replace(" ", "x" * 999999)|length }}',
    '{{ body.replace(" ", body)|length }}',
    '{{ body.join(body.split())|length }}',
    '{{ ("\t" * 1000).expandtabs(1000000)|length }}',
    '{{ body.translate({32: "x" * 999999})|length }}',
    '{{ ("{0}" * 300000).format(body)|length }}',
    '{{ ("{0:>999999}" * 1000).format(1)|length }}',
    '{{ ("{a}" * 300000).format_map({"a": body})|length }}',
    '{{ (("%(a)s" * 200000) % {"a": body})|length }}',
    '{{ ("%(a)s" * 200000)|format(a=body)|length }}',
    '{{ ("%999999s" * 1000)|format(*range(1000))|length }}',
    # a filter putting its argument at each line, break or link (found by helper xhostile2)
    '{{ ("x\n" * 1000)|indent(999999)|length }}',
    '{{ ("x\n" * 1000)|indent("y" * 999999)|length }}',
    '{{ ("x " * 100000)|wordwrap(1, wrapstring="y" * 999999)|length }}',
    '{{ ("http://a.com " * 1000)|urlize(rel="y" * 999999)|length }}',
    '{{ ("http://a.com " * 1000)|urlize(target="y" * 999999)|length }}',
    # filters chained on one line: the clock was read at the template's lines only, 20 s here past the 2 s bound
    "{{ (body|list)" + "|map('upper')" * 60 + "|join|length }}",
])
def test_a_template_that_would_run_for_hours_or_fill_memory_fails_at_once(body: str) -> None:
    """Regression: `monitor check` ran a channel's nested loops for 28 s to 3.4 GB (then MemoryError; unbounded without
    prlimit), and "a" * 3000000000 was a traceback: the dispatcher would have hung on the first alert. Loops over an
    alert's text rather than range() ran for hours (found by helper xbounds): a render has RENDER_SECONDS of CPU; and
    a width of millions (center, ljust, indent) took a gigabyte: a number past OUTPUT_MAX given to a call is refused."""
    import tracemalloc

    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises((DeliveryError, ConfigError)) as caught:
            ChannelTemplates("desk", "", body, html=False).render({"title": "Strike near Erbil", "body": "word " * 10_000, "severity": 2}, "t", "b")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 10 and str(caught.value).split(": ")[-1]  # a reason, not an empty MemoryError
    assert peak < 100_000_000
    fine = ChannelTemplates("desk", "", "{% for i in range(3) %}{{ title }}{{ i * 2 }} {% endfor %}{{ 2 ** 10 * 3000 }}"
                            ' {{ "%03d|%-5s|%.2f" % (7, "ab", 1.5) }} {{ "{:>4}|{:.1f}".format("a", 2.25) }} {{ "%5s"|format("b") }} {{ "50%" }}'
                            ' {{ title ~ "!" }} {{ title + "?" }} {{ ([title] + ["x"])|join("-") }} {{ title|replace("S", "s") }} {{ 2 + 3 }}', html=False)
    assert fine.render({"title": "S"}, "t", "b")[1] == "S0 S2 S4 3072000 007|ab   |1.50    a|2.2     b 50% S! S? S-x s 5"
    methods = ChannelTemplates("desk", "", '{{ title.replace("S", "s") }} {{ "-".join(title.split()) }} {{ "a\tb".expandtabs(2) }}'
                               ' {{ title.translate({83: "$$"}) }} {{ "{0}|{x!r}|{0:>3}".format(1, x="y") }} {{ "{a}".format_map({"a": 2}) }}'
                               ' {{ "%(a)s|%*d" % {"a": 3} if false else "%(a)s" % {"a": 3} }} {{ "%5.1f%%"|format(2.25) }} {{ body.replace(" ", "") }}'
                               ' {{ "a\nb"|indent(2) }} {{ "a b"|wordwrap(1, wrapstring="/") }} {{ "see https://x.example"|urlize(target="_blank") }}'
                               ' {{ body|wordwrap(72)|length }} {{ body|indent(4)|length }} {{ body|urlize|length }}',
                               html=False)
    assert methods.render({"title": "S S", "body": "word " * 10_000}, "t", "b")[1] == ("s s S-S a b $$ $$ 1|'y'|  1 2 3   2.2% " + "word" * 10_000
                                                                                 + ' a\n  b a/b see <a href="https://x.example" rel="noopener" target="_blank">'
                                                                                   'https://x.example</a> 49999 50000 50000')
    long_text = ChannelTemplates("desk", "", '{{ ("(" * 900000)|urlize|length }} {{ ("see https://x.example/ " * 2)|urlize|length }}', html=False)
    assert long_text.render({}, "t", "b")[1] == "900000 142"  # sized as it comes out: a text with no link once, not refused


@pytest.mark.parametrize("body", [
    "{{ ((((10**64)**64)**64)**64) > 0 }}",  # 29 s in one power, past the 2 s a render has (the clock is read between lines)
    "{% set ns = namespace(n=999999) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n > 0 }}",
    "{{ ([[1] * 1000000] * 1000)|sum(start=[])|length }}",  # a gigabyte of items, copied at each step: hours
    "{{ ([(1,) * 1000000] * 1000)|sum(start=())|length }}",
])
def test_a_number_or_a_sum_growing_past_any_alerts_need_fails_at_once(body: str) -> None:
    """Regression (found by helper xhostile2): an integer squared or raised to the 64th again and again, or a |sum of big
    lists, grew inside one operation, where the render's clock is not read: 7 s, 29 s, hours (the dispatcher's thread
    held meanwhile). An integer is kept to INT_BITS_MAX bits (Python prints 4,300 digits at most), a sum of lists,
    tuples or strings to OUTPUT_MAX items."""
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        ChannelTemplates("desk", "", body, html=False).render({"title": "t", "body": "word " * 10_000}, "t", "b")
    assert time.monotonic() - started < 2 and "too large for a template" in str(caught.value)
    fine = ChannelTemplates("desk", "", "{{ 2 ** 64 * 3 }} {{ 10 ** 64 * 10 ** 64 > 0 }} {{ [[1], [2]]|sum(start=[]) }} {{ [1, 2]|sum }}", html=False)
    assert fine.render({}, "t", "b")[1] == "55340232221128654848 True [1, 2] 3"


def test_a_daily_digest_goes_out_at_its_local_time() -> None:
    channel = Channel(name="c", url="json://x", digest_at="08:00", timezone="Asia/Tokyo")  # 08:00 JST = 23:00 UTC
    held = [Held(1, "a1", "First", NOON_UTC, "low severity")]
    assert not digest_due(channel, held, NOON_UTC.replace(hour=22, minute=59))
    assert digest_due(channel, held, NOON_UTC.replace(hour=23, minute=0))
    assert digest_due(channel, held, NOON_UTC + timedelta(days=1))


def test_severity_3_goes_to_on_call_at_once_while_severity_1_waits_for_the_desk_digest(tmp_path: Path, json_receiver: JsonReceiver, http_server) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import JsonReceiver as Receiver

    desk = Receiver(http_server)
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text(
        "actors:\n  - name: Kataeb Hezbollah\n    kind: group\n    aliases: [KH militia]\n"
        "events:\n  - name: drone strike\n    severity: 3\n    phrases: [drone strike]\n"
        "  - name: tensions\n    severity: 1\n    phrases: [tensions]\n"
        "rules:\n  - name: on call\n    min_severity: 3\n    tags: [oncall]\n"
        "  - name: desk\n    min_severity: 1\n    tags: [desk]\n"
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in (("a.txt", "Kataeb Hezbollah claimed the drone strike on the convoy."), ("b.txt", "Kataeb Hezbollah spoke of rising tensions with the government in a long statement.")):
        (inbox / name).write_text(text)
        os.utime(inbox / name, (time.time() - 60, time.time() - 60))
    channels = [{"name": "oncall", "url": json_receiver.url, "tags": ["oncall"]},
                {"name": "desk", "url": desk.url, "tags": ["desk"], "digest_below": 2, "digest_every": 3600}]
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], channels=channels, watchlist=watchlist)))
    pipeline.run_once()
    assert [m["title"].split(":")[0] for m in json_receiver.messages] == ["[high] Kataeb Hezbollah + drone strike"]
    assert len(desk.messages) == 1 and "drone strike" in desk.messages[0]["title"]  # severity 3 passes the desk's digest
    pipeline.dispatch(utcnow() + timedelta(hours=2))
    assert desk.messages[1]["title"] == "[digest] 1 alert" and "tensions" in desk.messages[1]["message"]
    assert len(json_receiver.messages) == 1


def test_mute_until_a_given_time(tmp_path: Path) -> None:
    from tests.test_cli import monitor

    config = write_config(tmp_path)
    result = monitor("mute", "Kataeb Hezbollah", "--until", "2099-01-01T08:00", "--config", str(config))
    assert result.stdout.strip() == "Kataeb Hezbollah: muted until 2099-01-01 08:00 UTC"


def test_a_digest_to_a_channel_that_is_down_is_retried_with_backoff_not_at_every_dispatch(tmp_path: Path, json_receiver: JsonReceiver, caplog: pytest.LogCaptureFixture) -> None:
    """A channel down for hours: its failed digest was sent again at every dispatch (every 5 s), each with a
    warning line: 720 requests and log lines an hour. Now it waits as a failed delivery does (backoff_seconds,
    doubling up to backoff_max_seconds), says its error and tries in `monitor alerts`, and goes out when due."""
    inbox = inbox_with(tmp_path, DISTINCT_STORIES[:2])
    channel = {"name": "hook", "url": json_receiver.url, "digest_below": 4, "digest_every": 60}
    backoff = {"delivery": {"backoff_seconds": 30, "backoff_max_seconds": 3600}}
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], channels=[channel], settings=backoff)))
    pipeline.scan_folders()
    pipeline.dispatch()
    json_receiver.fail = True
    start = utcnow() + timedelta(minutes=2)
    for second in range(0, 15, 5):  # a dispatch every 5 s, the channel down: one try, then 15-30 s of waiting
        pipeline.dispatch(start + timedelta(seconds=second))
    assert json_receiver.rejected == 1
    assert len([r for r in caplog.records if "digest of 2 alerts to hook failed" in r.getMessage()]) == 1
    assert all("hook:held(1)" in a.deliveries for a in outbox.latest_alerts(pipeline.db, 10))  # `monitor alerts` shows the tries
    for minute in range(1, 121):  # two hours down: tries at 15-30 s, 30-60 s, ... up to an hour apart
        pipeline.dispatch(start + timedelta(minutes=minute))
    assert 8 <= json_receiver.rejected <= 10  # delays 15-30 s, 30-60 s, ... capped at 30-60 min: 8 to 10 tries, not 120
    json_receiver.fail = False
    pipeline.dispatch(start + timedelta(hours=4))
    assert [m["title"] for m in json_receiver.messages] == ["[digest] 2 alerts"]


def test_a_digest_that_failed_while_its_channel_was_down_goes_once_the_channel_answers(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = inbox_with(tmp_path, DISTINCT_STORIES[:1])  # severity 2: held for the digest
    channel = {"name": "hook", "url": json_receiver.url, "digest_below": 3, "digest_every": 60}
    backoff = {"delivery": {"backoff_seconds": 1800, "backoff_max_seconds": 3600}}
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], channels=[channel], settings=backoff)))
    pipeline.scan_folders()
    pipeline.dispatch()
    json_receiver.fail = True
    start = utcnow() + timedelta(minutes=2)
    pipeline.dispatch(start)  # the digest fails: tried again in 15-30 minutes
    assert json_receiver.rejected == 1
    json_receiver.fail = False
    (inbox / "later.txt").write_text(DISTINCT_STORIES[1])  # severity 3: goes at once, and the channel answers
    os.utime(inbox / "later.txt", (time.time() - 60, time.time() - 60))
    pipeline.scan_folders()
    pipeline.dispatch(start + timedelta(minutes=1))
    assert [m["title"].startswith("[digest]") for m in json_receiver.messages] == [False, True]


def test_a_digest_too_long_for_its_channel_lists_whole_lines_and_counts_the_rest(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression (found by helper xdesk): a digest of 400 held alerts was cut to the channel's limit (32,768 characters
    for json://) in the middle of a line, and the alerts past it were sent as part of it without a word: nobody
    learnt of them (a Discord digest, 2,000 characters, showed some 15 of hundreds)."""
    import re

    from monitor.alerts.channels import Notifier
    from monitor.alerts.dispatch import send_digests
    from monitor.store.db import Database
    from monitor.store.tables import AlertRow, DeliveryRow
    from tests.conftest import store_url

    db = Database(store_url(tmp_path))
    now = utcnow()
    with db.session() as s:
        for i in range(400):
            alert = AlertRow(uid=f"{i:016x}", severity=1, tags="default", title=f"[low] Kataeb Hezbollah + rocket attack: report {i} " + "x" * 100,
                             body="b", context="{}", created_at=now - timedelta(hours=2))
            s.add(alert)
            s.flush()
            s.add(DeliveryRow(alert_id=alert.id, channel="digest", status="held", held_reason="low severity", next_attempt_at=now))
    assert send_digests(db, Notifier([Channel(name="digest", url=json_receiver.url, digest_every=3600)]), now) == 400
    [message] = json_receiver.messages
    lines = message["message"].splitlines()
    listed = [line for line in lines if re.fullmatch(r"- \[low\] .* \(alert [0-9a-f]{16}\)", line)]
    assert len(message["message"]) <= 32768 and lines[:len(listed)] == listed  # whole lines, none cut
    assert lines[len(listed):] == [f"… and {400 - len(listed)} more alerts: `monitor alerts` and the web view list them all",
                                   "400 of these were of a severity this channel sends in digests (below its digest_below) and waited for this digest."]
    db.close()


def test_a_digest_says_why_each_of_its_alerts_waited_for_it() -> None:
    """Regression: a digest explained only the alerts a flood held; those held for their low severity or for the
    channel's quiet hours came without a word of why they had not gone out at once."""
    channel = Channel(name="c", url="json://x", digest_below=2, max_per_hour=3, quiet_hours="22:00-07:00", timezone="Europe/Paris")
    held = [Held(1, "a1", "First", NOON_UTC, "low severity"), Held(2, "a2", "Second", NOON_UTC, "quiet hours"),
            Held(3, "a3", "Third", NOON_UTC, "quiet hours"), Held(4, "a4", "Fourth", NOON_UTC, "flood")]
    title, body = render_digest(channel, held)
    assert title == "[digest] 4 alerts"
    assert body.splitlines()[4:] == [
        "1 of these was of a severity this channel sends in digests (below its digest_below, 2) and waited for this digest.",
        "2 of these came in the channel's quiet hours (22:00-07:00, Europe/Paris) and waited for this digest.",
        "1 of these went over the limit of 3 alerts per hour and waited for this digest.",
    ]


def test_a_template_keeping_a_megabyte_at_each_turn_of_a_loop_is_refused_in_one_line_before_memory_runs_out(tmp_path: Path) -> None:
    """Regression: a template keeping a megabyte per turn of a loop (`d.update(...)`) ran `monitor check` out of memory
    (1.2 GB under prlimit; without it, the machine's), said as `channels[desk].body_template: out of memory`. Now what
    a render makes (characters, and a container's items) comes to MADE_MAX at most: one line names the template, and
    memory stays far from the bound (found by helper xhostile)."""
    import subprocess
    import sys

    body = '{% set d = {} %}{% for i in range(100000) %}{% set _ = d.update({i: "x" * 1000000}) %}{% endfor %}'
    config = write_config(tmp_path, channels=[{"name": "desk", "url": "json://127.0.0.1:9/x", "body_template": body}])
    result = subprocess.run(["prlimit", "--as=600000000", sys.executable, "-m", "monitor", "check", "--config", str(config)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith("channels[desk].body_template: the template's values come to more than 20,000,000 characters "
                                          "or items (a value kept at each turn of a loop?)"), result.stderr
    with pytest.raises(DeliveryError) as caught:
        ChannelTemplates("desk", "", body, html=False).render({"title": "Strike near Erbil"}, "t", "b")
    assert str(caught.value) == ("channel 'desk': body_template failed: the template's values come to more than 20,000,000 characters "
                                 "or items (a value kept at each turn of a loop?)")


@pytest.mark.parametrize("body", ['{% include "/etc/passwd" %}', '{% import "macros" as m %}', '{% extends "base" %}', '{% from "x" import y %}'])
def test_a_template_that_reads_another_file_is_refused_saying_so(body: str) -> None:
    """Regression: include, import and extends (a file read, refused: there is no loader) said "no loader for this
    environment specified", Jinja's words for its own set-up."""
    with pytest.raises(DeliveryError) as caught:
        ChannelTemplates("desk", "", body, html=False).render({"title": "t"}, "t", "b")
    assert str(caught.value) == ("channel 'desk': body_template failed: a template reads no other file (include, import, from and extends "
                                 "are not offered): write it whole in body_template or title_template")


@pytest.mark.parametrize("body", ["{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}", "{% if 1 %}" * 2000 + "x" + "{% endif %}" * 2000])
def test_a_template_nested_thousands_deep_is_a_config_error_not_a_traceback(body: str) -> None:
    """Regression: parentheses or `if` blocks nested 2,000 deep made Jinja's compiler raise RecursionError: a traceback
    from `monitor check`, and from the daemon's start or reload."""
    with pytest.raises(ConfigError) as caught:
        ChannelTemplates("desk", "", body, html=False)
    assert str(caught.value) == "channel 'desk': bad template in body_template: nested too deeply (thousands of levels)"


@pytest.mark.parametrize("body", ["<p>{{ body|safe }}</p>", "{% autoescape false %}<p>{{ body }}</p>{% endautoescape %}",
                                  '{% filter safe %}{{ body }}{% endfilter %}'])
def test_an_html_template_cannot_put_feed_text_into_the_mail_as_markup(body: str) -> None:
    """Regression: `{{ body|safe }}` or an `autoescape false` block in a `format = "html"` template put a feed's text into
    the mail unescaped (its <script>, its links), where docs/templates.md says every value is escaped."""
    with pytest.raises(ConfigError) as caught:
        ChannelTemplates("desk", "", body, html=True)
    assert str(caught.value) == ("channel 'desk': bad template in body_template: |safe and autoescape false would put the alert's text "
                                 "(a feed's) into the mail as markup: write markup in the template itself; every value is escaped")
    assert ChannelTemplates("desk", "", body, html=False).render({"body": "<b>x</b>"}, "t", "b")[1].count("<b>x</b>") == 1  # text: nothing to escape
    kept = ChannelTemplates("desk", "", "{% autoescape true %}<p>{{ body }}</p>{% endautoescape %}", html=True)
    assert kept.render({"body": "<b>x</b>"}, "t", "b")[1] == "<p>&lt;b&gt;x&lt;/b&gt;</p>"


def burst_of_alerts(tmp_path: Path, channel: dict[str, object], count: int) -> tuple[Settings, list[str]]:
    """A store where a folder brought `count` alerts at once (a burst), none sent yet; their uids."""
    settings = load_settings(write_config(tmp_path, channels=[channel]))
    db = Database(settings.store.sqlalchemy_url)
    now, uids = utcnow(), []
    try:
        source = sources.ensure_source(db, "burst", "folder", str(tmp_path / "burst"))
        for n in range(count):
            key = hashlib.sha256(f"burst {n}".encode()).hexdigest()
            alert = NewAlert(f"burst{n}", 2, ("default",), f"Burst {n}", f"Burst {n} body", (str(channel["name"]),), json.dumps({"uid": f"burst{n}"}))
            assert articles.save_article(db, source, Article("burst", f"Burst {n}", "text", None, None, key, now, key), MatchResult(), alert, now)
            uids.append(alert.uid)
    finally:
        db.close()
    return settings, uids


def test_a_burst_of_alerts_is_flood_controlled_by_default_each_alert_once_in_a_message_or_the_digest(
        tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """No default flood control: a feed bringing thousands of matching entries at once sent thousands of messages.
    By default a channel sends FLOOD_PER_HOUR an hour one by one; the rest of the burst waits for one digest."""
    settings, uids = burst_of_alerts(tmp_path, {"name": "hook", "url": json_receiver.url}, FLOOD_PER_HOUR + 40)
    pipeline = build_pipeline(settings)
    for _ in range(4):  # 50 claimed a dispatch
        pipeline.dispatch()
    assert len(json_receiver.messages) == FLOOD_PER_HOUR
    assert query(tmp_path, "SELECT status, held_reason, count(*) FROM deliveries GROUP BY 1, 2 ORDER BY 1") == [
        ("held", "flood", 40), ("sent", None, FLOOD_PER_HOUR)]
    pipeline.dispatch(utcnow() + timedelta(hours=1, minutes=1))
    assert len(json_receiver.messages) == FLOOD_PER_HOUR + 1
    digest = json_receiver.messages[-1]
    assert digest["title"] == "[digest] 40 alerts"
    assert f"40 of these went over the limit of {FLOOD_PER_HOUR} alerts per hour" in digest["message"]
    got = [m["uid"] for m in json_receiver.messages[:-1]] + digest["alerts"]
    assert sorted(got) == sorted(uids)  # each once, none lost
    pipeline.dispatch(utcnow() + timedelta(hours=3))
    assert len(json_receiver.messages) == FLOOD_PER_HOUR + 1
    pipeline.close()


def test_a_dispatch_reads_no_held_alert_while_no_digest_is_due(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: every dispatch read every held alert (an ORM row each) to see whether a digest was due, so after a
    flood the thousands held for the hour were read again at each dispatch of that hour. Now only the oldest held
    alert's time is read per channel, and the alerts only of a channel whose digest is due."""
    settings, _ = burst_of_alerts(tmp_path, {"name": "hook", "url": json_receiver.url}, FLOOD_PER_HOUR + 40)
    pipeline = build_pipeline(settings)
    for _ in range(4):
        pipeline.dispatch()
    loaded: list[object] = []

    def count(row: object, context: object) -> None:
        loaded.append(row)

    event.listen(DeliveryRow, "load", count)
    try:
        pipeline.dispatch()
        assert loaded == []  # 40 held, none due: none read
        pipeline.dispatch(utcnow() + timedelta(hours=1, minutes=1))
        assert len(loaded) >= 40 and json_receiver.messages[-1]["title"] == "[digest] 40 alerts"
    finally:
        event.remove(DeliveryRow, "load", count)
        pipeline.close()


def test_a_full_hour_holds_a_dispatchs_deliveries_in_one_transaction(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression (ingest 10 % slower with flood control on by default): each delivery past the hour's limit was held
    in its own transaction, 50 a dispatch while a burst was stored. Now a dispatch writes its holds together."""
    settings, _ = burst_of_alerts(tmp_path, {"name": "hook", "url": json_receiver.url}, FLOOD_PER_HOUR + 90)
    pipeline = build_pipeline(settings)
    for _ in range(2):  # the hour's FLOOD_PER_HOUR sent, the 40 after them held
        pipeline.dispatch()
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    event.listen(pipeline.db.engine, "commit", count)
    try:
        pipeline.dispatch()  # 50 more, the hour full
    finally:
        event.remove(pipeline.db.engine, "commit", count)
        pipeline.close()
    assert len(json_receiver.messages) == FLOOD_PER_HOUR
    assert query(tmp_path, "SELECT status, held_reason, count(*) FROM deliveries GROUP BY 1, 2 ORDER BY 1") == [
        ("held", "flood", 90), ("sent", None, FLOOD_PER_HOUR)]
    assert len(commits) <= 5  # the claim, the hour's count, the holds, the digests' look: not one for each of the 50


def test_max_per_hour_0_sends_a_burst_one_by_one(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    settings, uids = burst_of_alerts(tmp_path, {"name": "hook", "url": json_receiver.url, "max_per_hour": 0}, FLOOD_PER_HOUR + 5)
    pipeline = build_pipeline(settings)
    for _ in range(2):
        pipeline.dispatch()
    assert sorted(m["uid"] for m in json_receiver.messages) == sorted(uids)
    pipeline.close()
