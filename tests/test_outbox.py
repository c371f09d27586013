"""The delivery outbox: a delivery is claimed by one dispatcher at a time and sent once."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from sqlalchemy import select

from monitor.alerts.channels import Notifier
from monitor.alerts.dispatch import dispatch_due
from monitor.dedup import to_article
from monitor.model import Document, MatchResult
from monitor.settings import Channel, DeliverySettings
from monitor.store import outbox
from monitor.store.articles import NewAlert, save_article
from monitor.store.db import Database, utcnow
from monitor.store.sources import ensure_source
from monitor.store.tables import DeliveryRow
from tests.conftest import ON_POSTGRES, JsonReceiver, serve_http, store_url


@pytest.fixture
def down() -> Iterator[JsonReceiver]:
    """A second JSON receiver, on a server of its own, that refuses every message (500) until a test sets `fail = False`."""
    with serve_http() as other:
        receiver = JsonReceiver(other)
        receiver.fail = True
        yield receiver


def outbox_with(tmp_path: Path, alerts: int, channel: str = "hook", first: int = 0) -> Database:
    """A real store (SQLite file or PostgreSQL database) holding `alerts` more alerts, each with one pending delivery to `channel`."""
    db = Database(store_url(tmp_path))
    source_id = ensure_source(db, "inbox", "folder", str(tmp_path))
    for i in range(first, first + alerts):
        article = to_article(Document(source="inbox", title=f"story {i}", text=f"text of story {i}"))
        alert = NewAlert(f"uid{i:05d}", 3, ("default",), f"alert {i}", f"body {i}", (channel,))
        assert save_article(db, source_id, article, MatchResult(), alert, utcnow()) is not None
    return db


def test_a_delivery_sent_meanwhile_is_not_claimed_again(tmp_path: Path) -> None:
    """Regression (issue 14, 2): a dispatcher that listed a delivery before another sent it must not take it."""
    db = outbox_with(tmp_path, 1)
    now = utcnow()
    listed = outbox.due_ids(db, now)  # a second dispatcher lists the due deliveries...
    [first] = outbox.claim(db, listed, now, lease_seconds=60)  # ...while the first claims,
    outbox.record_sent(db, first.id, now)  # sends and records it (which clears the lease)
    assert outbox.claim(db, listed, now, lease_seconds=60) == []
    assert outbox.claim(db, listed, now + timedelta(hours=1), lease_seconds=60) == []
    assert outbox.claim_due(db, now + timedelta(hours=1), lease_seconds=60) == []


def test_a_failed_delivery_waits_for_its_next_attempt_even_if_listed_before(tmp_path: Path) -> None:
    db = outbox_with(tmp_path, 1)
    now = utcnow()
    listed = outbox.due_ids(db, now)
    [first] = outbox.claim(db, listed, now, lease_seconds=60)
    outbox.record_failure(db, first.id, "refused", now + timedelta(minutes=5), final=False)
    assert outbox.claim(db, listed, now, lease_seconds=60) == []
    assert [d.id for d in outbox.claim(db, listed, now + timedelta(minutes=5), lease_seconds=60)] == [first.id]


@pytest.mark.skipif(ON_POSTGRES, reason="on a shared store, another daemon's config may have the channel (the test below)")
def test_a_delivery_to_a_channel_taken_out_of_the_config_fails_at_once(tmp_path: Path) -> None:
    """It was retried max_attempts times (hours of backoff, a warning each, /healthz 'delivery overdue'
    throughout) for a channel no retry could bring back."""
    db = outbox_with(tmp_path, 1, channel="gone")
    notifier = Notifier([Channel(name="hook", url=f"console://local?file={tmp_path / 'alerts.jsonl'}")])
    assert dispatch_due(db, notifier, DeliverySettings(max_attempts=8), utcnow()) == 0
    with db.session() as s:
        row = s.scalars(select(DeliveryRow)).one()
        assert (row.status, row.attempts) == ("failed", 1)
        assert row.last_error == "channel 'gone' is no longer configured (put it back in the config, then `monitor alerts retry` the alert)"
    assert outbox.oldest_pending(db) is None  # not overdue: `monitor alerts --failed` lists it


@pytest.mark.skipif(not ON_POSTGRES, reason="several daemons share a PostgreSQL store only")
def test_a_daemon_leaves_the_deliveries_to_a_channel_it_lacks_to_the_daemon_that_has_it(tmp_path: Path) -> None:
    """A channel added to one daemon's config, not yet to the other's: the other claimed its deliveries and
    gave them up at once as 'no longer configured' (24 of 40 alerts to it lost, two daemons on one PostgreSQL)."""
    db = outbox_with(tmp_path, 1, channel="new")
    old = Notifier([Channel(name="hook", url=f"console://local?file={tmp_path / 'old.jsonl'}")])
    assert dispatch_due(db, old, DeliverySettings(max_attempts=8), utcnow()) == 0
    with db.session() as s:
        row = s.scalars(select(DeliveryRow)).one()
        assert (row.status, row.attempts, row.lease_until) == ("pending", 0, None)
    new = Notifier([Channel(name="new", url=f"console://local?file={tmp_path / 'new.jsonl'}")])
    assert dispatch_due(db, new, DeliverySettings(max_attempts=8), utcnow()) == 1
    assert len((tmp_path / "new.jsonl").read_text().splitlines()) == 1


def test_dispatchers_racing_on_one_outbox_send_every_delivery_exactly_once(tmp_path: Path) -> None:
    """Regression (issue 14, 2): the `dispatch` and `dispatch-now` jobs overlapping sent deliveries twice."""
    rounds, per_round, dispatchers = 4, 30, 3
    sent_file = tmp_path / "alerts.jsonl"
    notifier = Notifier([Channel(name="hook", url=f"console://local?file={sent_file}", max_per_hour=0)])
    cfg = DeliverySettings()
    errors: list[BaseException] = []

    def dispatcher(db: Database, start: threading.Barrier) -> None:
        try:
            start.wait()
            while outbox.due_ids(db, utcnow(), limit=1):
                dispatch_due(db, notifier, cfg, utcnow())
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    for round_ in range(rounds):  # each round, all of them list the same due deliveries at once
        db = outbox_with(tmp_path, per_round, first=round_ * per_round)
        start = threading.Barrier(dispatchers)
        threads = [threading.Thread(target=dispatcher, args=(db, start)) for _ in range(dispatchers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        db.close()
    assert not errors
    received = Counter(json.loads(line)["title"] for line in sent_file.read_text().splitlines())
    assert [title for title, n in received.items() if n > 1] == []
    assert len(received) == rounds * per_round
    with Database(store_url(tmp_path)).session() as s:
        assert {(d.status, d.attempts) for d in s.scalars(select(DeliveryRow))} == {("sent", 1)}


def test_a_digest_of_one_alert_says_one_alert(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The log said 'digest of 1 alerts sent to dig' (seen with two daemons on one PostgreSQL)."""
    db = outbox_with(tmp_path, 1, channel="dig")
    notifier = Notifier([Channel(name="dig", url=f"console://local?file={tmp_path / 'alerts.jsonl'}", digest_below=4, digest_every=60)])
    now = utcnow()
    with caplog.at_level(logging.INFO, logger="monitor"):
        dispatch_due(db, notifier, DeliverySettings(), now)
        assert dispatch_due(db, notifier, DeliverySettings(), now + timedelta(minutes=2)) == 1
    assert "digest of 1 alert sent to dig" in caplog.messages


def test_a_channel_back_gets_the_alerts_waiting_for_their_retry_at_once(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: alerts that failed while a channel was down waited for their next retry, up to
    backoff_max_seconds (an hour by default) after the channel was back, while newer alerts went out at
    once before them. Now a send that gets through brings that channel's waiting retries forward."""
    db = outbox_with(tmp_path, 3)
    notifier = Notifier([Channel(name="hook", url=json_receiver.url)])
    cfg = DeliverySettings(backoff_seconds=1800, backoff_max_seconds=3600)
    now = utcnow()
    json_receiver.fail = True
    assert dispatch_due(db, notifier, cfg, now) == 0  # down: the three wait 15-30 minutes for their retry
    json_receiver.fail = False
    save_article(db, 1, to_article(Document(source="inbox", title="later", text="a later story")), MatchResult(),
                 NewAlert("uid-later", 3, ("default",), "later alert", "body", ("hook",)), now)
    later = now + timedelta(minutes=2)  # back: the next alert goes out at once
    assert dispatch_due(db, notifier, cfg, later) == 1
    assert dispatch_due(db, notifier, cfg, later + timedelta(seconds=5)) == 3  # and the three at the next dispatch
    assert [m["title"] for m in json_receiver.messages] == ["later alert", "alert 0", "alert 1", "alert 2"]



def test_a_channel_that_never_failed_says_no_alert_waits_for_a_retry_when_an_alert_is_stored_during_its_dispatch(
        tmp_path: Path, json_receiver: JsonReceiver, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by the soak): an alert stored while a dispatch ran (a poll stores as the dispatch sends) has its
    delivery due after the dispatch's `now`; the first send that went through took it for a retry waiting since the channel
    was down, and the log said `channel hook answers again: 1 alert waiting for a retry go now` of a channel that had
    never failed, a few times a minute."""
    db = outbox_with(tmp_path, 1)
    notifier = Notifier([Channel(name="hook", url=json_receiver.url)])
    now = utcnow()
    save_article(db, 1, to_article(Document(source="inbox", title="during", text="stored while the dispatch runs")), MatchResult(),
                 NewAlert("uid-during", 3, ("default",), "during", "body", ("hook",)), now + timedelta(seconds=1))
    with caplog.at_level(logging.INFO, logger="monitor"):
        assert dispatch_due(db, notifier, DeliverySettings(), now) == 1
    assert "answers again" not in caplog.text
    assert dispatch_due(db, notifier, DeliverySettings(), now + timedelta(seconds=1)) == 1  # it goes at the next dispatch, as it would have
    assert [m["title"] for m in json_receiver.messages] == ["alert 0", "during"]

def test_a_failed_delivery_is_logged_and_kept_as_one_short_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (xdeliver4): a receiver behind a proxy answering its HTML error page had ~500 characters of Apprise's
    words (the page's bytes as a Python literal) in the delivery's warning, its stored error and `monitor alerts show`."""
    from monitor.errors import REASON_MAX

    page = b"<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<h1>502 Bad Gateway</h1>\n" + b"<p>upstream timed out</p>\n" * 100 + b"</body></html>"

    def proxy(handler: Any, body: bytes) -> None:
        handler.send_response(502)
        handler.send_header("Content-Length", str(len(page)))
        handler.end_headers()
        handler.wfile.write(page)

    db = outbox_with(tmp_path, 1)
    with serve_http() as http:
        http.routes["/alerts"] = proxy
        notifier = Notifier([Channel(name="hook", url=f"json://127.0.0.1:{http.port}/alerts")])
        with caplog.at_level(logging.INFO, logger="monitor"):
            assert dispatch_due(db, notifier, DeliverySettings(), utcnow()) == 0
    with db.session() as s:
        stored = s.scalars(select(DeliveryRow)).one().last_error
    assert stored is not None and "\n" not in stored and len(stored) <= REASON_MAX
    assert stored.startswith("channel 'hook': Failed to send JSON POST notification: error=502.; Response Details: 502 Bad Gateway upstream timed out")
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == "monitor"]
    assert warning == f"alert uid00000 to hook failed (attempt 1, retry in {warning.split('retry in ')[1].split(')')[0]}): {stored}"


def test_a_clock_step_back_moves_feed_checks_and_delivery_retries_back_as_much_never_before_now(tmp_path: Path) -> None:
    """The two moves share one helper (store/db.py): set later than now, moved back by the step, never before
    now; what is due already, and deliveries no longer pending, stay."""
    from monitor.store import sources
    from monitor.store.tables import SourceRow

    db = outbox_with(tmp_path, 4)
    now = utcnow().replace(microsecond=0)
    ahead = {1: now + timedelta(hours=3), 2: now + timedelta(minutes=30), 3: now - timedelta(minutes=5), 4: now + timedelta(hours=2)}
    feeds = [sources.ensure_source(db, f"feed {i}", "feed", f"https://wire.example/{i}") for i in range(3)]
    with db.session() as s:
        for i, row in enumerate(s.scalars(select(DeliveryRow).order_by(DeliveryRow.id)), start=1):
            row.next_attempt_at = ahead[i]
            row.status = "failed" if i == 4 else "pending"
        for source_id, due in zip(feeds, (ahead[1], ahead[2], ahead[3]), strict=True):
            s.get_one(SourceRow, source_id).next_check_at = due
    step = timedelta(hours=1)
    assert outbox.clock_stepped_back(db, now, step) == 2
    assert sources.clock_stepped_back(db, now, step) == 2
    with db.session() as s:
        retries = [r.next_attempt_at for r in s.scalars(select(DeliveryRow).order_by(DeliveryRow.id))]
        checks = [s.get_one(SourceRow, i).next_check_at for i in feeds]
    assert retries == [now + timedelta(hours=2), now, now - timedelta(minutes=5), now + timedelta(hours=2)]
    assert checks == [now + timedelta(hours=2), now, now - timedelta(minutes=5)]


def test_deliveries_to_a_channel_in_no_config_give_up_after_an_hour_unclaimed_and_show_in_alerts_failed(tmp_path: Path) -> None:
    """Regression (found by helper xpg): on PostgreSQL a channel taken out of every daemon's config left its
    deliveries pending for ever (/healthz 'delivery overdue' for ever, `monitor alerts` saying pending), where
    SQLite gives them up at once as failed, listed by `monitor alerts --failed` and re-queued by `alerts retry`.
    Now a daemon that has watched them an hour unclaimed by any other gives them up too."""
    db = outbox_with(tmp_path, 2, channel="gone")
    now = utcnow()
    with db.session() as s:
        old = s.scalars(select(DeliveryRow).order_by(DeliveryRow.id)).first()
        assert old is not None
        old.next_attempt_at = now - timedelta(hours=2)  # due two hours ago, and nobody took it
    notifier = Notifier([Channel(name="hook", url=f"console://local?file={tmp_path / 'alerts.jsonl'}")])
    cfg = DeliverySettings(max_attempts=8)
    assert dispatch_due(db, notifier, cfg, now, watching_since=now - timedelta(minutes=30)) == 0  # not watched an hour yet
    with db.session() as s:
        assert [r.status for r in s.scalars(select(DeliveryRow).order_by(DeliveryRow.id))] == (["failed"] * 2 if db.sqlite else ["pending"] * 2)
    assert dispatch_due(db, notifier, cfg, now, watching_since=now - timedelta(hours=1)) == 0
    with db.session() as s:
        rows = list(s.scalars(select(DeliveryRow).order_by(DeliveryRow.id)))
        assert [r.status for r in rows] == ["failed", "failed" if db.sqlite else "pending"]  # the fresh one: maybe a channel being rolled out
        assert rows[0].attempts == 1 and rows[0].last_error is not None and "'gone'" in rows[0].last_error
        assert "monitor alerts retry" in rows[0].last_error
    assert any(a.deliveries == "gone:failed(1)" and a.last_error == rows[0].last_error for a in outbox.latest_alerts(db, 10, failed_only=True))
    assert outbox.requeue_failed(db, now, "gone") >= 1  # `monitor alerts retry --failed --channel gone` brings it back


@pytest.mark.skipif(ON_POSTGRES, reason="on a shared store, another daemon's config may have the channel and send its digest")
def test_held_deliveries_of_a_channel_taken_out_of_the_config_fail_at_once_as_pending_ones_do(tmp_path: Path) -> None:
    """Regression (found by helper xpg): alerts held for a digest of a channel then taken out of the config
    stayed 'held' for ever: never sent, never failed, not in `monitor alerts --failed`, not retried."""
    db = outbox_with(tmp_path, 2, channel="gone")
    with db.session() as s:
        ids = list(s.scalars(select(DeliveryRow.id).order_by(DeliveryRow.id)))
    outbox.hold(db, ids, "low severity")
    notifier = Notifier([Channel(name="hook", url=f"console://local?file={tmp_path / 'alerts.jsonl'}")])
    assert dispatch_due(db, notifier, DeliverySettings(max_attempts=8), utcnow()) == 0
    with db.session() as s:
        rows = list(s.scalars(select(DeliveryRow).order_by(DeliveryRow.id)))
        assert [(r.status, r.attempts) for r in rows] == [("failed", 1), ("failed", 1)]
        assert rows[0].last_error == "channel 'gone' is no longer configured (put it back in the config, then `monitor alerts retry` the alert)"
    assert [a.deliveries for a in outbox.latest_alerts(db, 10, failed_only=True)] == ["gone:failed(1)"] * 2
    assert outbox.requeue_failed(db, utcnow(), "gone") == 2


def test_a_config_file_channel_with_one_service_down_sends_each_service_the_alert_once(tmp_path: Path, json_receiver: JsonReceiver, down: JsonReceiver) -> None:
    """Regression: an Apprise config file's channel with two services, one down, sent the alert again to the one
    that took it at each retry (Apprise notifies every service of the file). Now each service is sent to on its own
    and the delivery keeps which took it: a retry goes to those that did not, even after a restart."""
    apprise_file = tmp_path / "channels.txt"
    apprise_file.write_text(f"default={json_receiver.url}\ndefault={down.url}\n")
    db = outbox_with(tmp_path, 1, channel="desk")
    cfg = DeliverySettings(backoff_seconds=60, backoff_max_seconds=60)
    now = utcnow()
    assert dispatch_due(db, Notifier([Channel(name="desk", config=apprise_file)]), cfg, now) == 0
    with db.session() as s:
        error = s.scalars(select(DeliveryRow.last_error)).one()
        assert error and "500" in error and error.endswith("(1 of 2 services took it: a retry goes to the other only)")
    assert dispatch_due(db, Notifier([Channel(name="desk", config=apprise_file)]), cfg, now + timedelta(minutes=2)) == 0
    assert (len(json_receiver.messages), down.rejected) == (1, 2)
    down.fail = False
    assert dispatch_due(db, Notifier([Channel(name="desk", config=apprise_file)]), cfg, now + timedelta(minutes=4)) == 1
    assert (len(json_receiver.messages), len(down.messages)) == (1, 1)
    with db.session() as s:
        row = s.scalars(select(DeliveryRow)).one()
        assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


def test_the_services_a_delivery_reached_are_kept_by_nothing_computed_from_their_secrets(tmp_path: Path, json_receiver: JsonReceiver, down: JsonReceiver) -> None:
    """Regression: `deliveries.sent_to` kept a 16-hex SHA-256 of each service's whole URL, password included: with
    the store alone (a backup, a dump) a weak password could be guessed offline, hashing candidates. Now a service is
    named by its URL with its secrets masked (and its rank among services alike): a password changed in the file
    between two tries is still the service that took it, and gets the alert once."""
    import hashlib

    import apprise

    apprise_file = tmp_path / "channels.txt"
    took_url = json_receiver.url.replace("json://", "json://desk:Wq7secretpw@")
    apprise_file.write_text(f"default={took_url}\ndefault={down.url}\n")
    db = outbox_with(tmp_path, 1, channel="desk")
    cfg = DeliverySettings(backoff_seconds=60, backoff_max_seconds=60)
    now = utcnow()
    notifier = Notifier([Channel(name="desk", config=apprise_file)])
    assert dispatch_due(db, notifier, cfg, now) == 0
    with db.session() as s:
        sent_to = s.scalars(select(DeliveryRow.sent_to)).one()
    guessed = apprise.Apprise.instantiate(took_url)  # what an attacker with the store hashes, candidate after candidate
    assert sent_to and hashlib.sha256(str(guessed.url(privacy=False)).encode()).hexdigest()[:16] not in sent_to
    apprise_file.write_text(apprise_file.read_text().replace("Wq7secretpw", "Wq8rotatedpw"))
    down.fail = False
    assert dispatch_due(db, Notifier([Channel(name="desk", config=apprise_file)]), cfg, now + timedelta(minutes=2)) == 1
    assert (len(json_receiver.messages), len(down.messages)) == (1, 1)


def outbox_to(tmp_path: Path, alerts: int, channels: tuple[str, ...]) -> Database:
    """A real store holding `alerts` alerts, each with one pending delivery to each of `channels`."""
    db = Database(store_url(tmp_path))
    source_id = ensure_source(db, "inbox", "folder", str(tmp_path))
    for i in range(alerts):
        article = to_article(Document(source="inbox", title=f"story {i}", text=f"text of story {i}"))
        assert save_article(db, source_id, article, MatchResult(), NewAlert(f"uid{i:05d}", 3, ("default",), f"alert {i}", f"body {i}", channels),
                            utcnow()) is not None
    return db


def test_a_hanging_channel_holds_back_neither_the_other_channels_nor_its_own_alerts_past_two_failures(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: dispatch sent one delivery after another, so each alert's delivery to a channel that hangs (Apprise
    gives up after its timeouts: 1 s here, 4 s by default) held back the next alert's on the healthy channel, and 50
    of them outlasted the claim's lease. Now each channel is sent to on its own thread, and a channel that failed
    twice in a row in a dispatch is not asked for the rest: they wait `backoff_seconds` for it, no attempt counted."""
    with serve_http() as other:
        hanging = JsonReceiver(other)
        hanging.hang = True
        db = outbox_to(tmp_path, 4, ("hook", "slow"))
        notifier = Notifier([Channel(name="hook", url=json_receiver.url), Channel(name="slow", url=hanging.url + "?cto=1&rto=1")])
        now = utcnow()
        done: list[int] = []
        started = time.monotonic()
        worker = threading.Thread(target=lambda: done.append(dispatch_due(db, notifier, DeliverySettings(backoff_seconds=60), now)))
        worker.start()
        while len(json_receiver.messages) < 4 and time.monotonic() - started < 20:
            time.sleep(0.02)
        healthy_after = time.monotonic() - started
        worker.join(30)
        hanging.release.set()
    assert done == [4] and healthy_after < 1.0  # sequential: about 1 s a delivery to the hanging channel before each
    assert hanging.hung == 2
    with db.session() as s:
        slow = s.scalars(select(DeliveryRow).where(DeliveryRow.channel == "slow").order_by(DeliveryRow.id)).all()
        assert [(d.status, d.attempts, d.lease_until) for d in slow] == [("pending", 1, None)] * 2 + [("pending", 0, None)] * 2
        assert all(d.next_attempt_at >= now + timedelta(seconds=59) for d in slow[2:])
        assert all(d.last_error and d.last_error.startswith("not tried yet: channel 'slow' failed 2 times in a row: ") and "timed out" in d.last_error
                   for d in slow[2:])  # `monitor alerts show` says why they wait


def test_a_dispatch_stops_sending_a_channel_before_its_claims_lease_ends(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: a channel slow to answer took its claimed deliveries one after another past their lease, when
    another daemon (PostgreSQL) may claim and send them again. Now a channel's deliveries not begun by half the
    lease are given back, claimable at once, no attempt counted."""
    with serve_http() as other:
        hanging = JsonReceiver(other)
        hanging.hang = True
        db = outbox_with(tmp_path, 3, channel="slow")
        notifier = Notifier([Channel(name="slow", url=hanging.url + "?cto=1&rto=1")])
        now = utcnow()
        assert dispatch_due(db, notifier, DeliverySettings(lease_seconds=1.5), now) == 0
        hanging.release.set()
    assert hanging.hung == 1
    with db.session() as s:
        rows = s.scalars(select(DeliveryRow).order_by(DeliveryRow.id)).all()
        assert [(d.attempts, d.lease_until) for d in rows] == [(1, None), (0, None), (0, None)]
    assert len(outbox.claim_due(db, now, lease_seconds=60)) == 2


def test_a_digest_reaches_each_service_of_a_config_file_its_alerts_are_routed_to_once_even_with_one_down(tmp_path: Path, json_receiver: JsonReceiver, down: JsonReceiver) -> None:
    """Regression: a digest was sent with no tags, which in an Apprise config file whose services are tagged (how it
    routes: `default=json://...`) matches none: the held alerts were never sent, the digest failing for ever with
    'Apprise reported failure'. And a digest with one service down was sent again to the others at each try. Now a
    digest goes with its alerts' tags, and the services that took it are kept, as for one alert."""
    apprise_file = tmp_path / "channels.txt"
    apprise_file.write_text(f"default={json_receiver.url}\ndefault={down.url}\noncall=json://127.0.0.1:9/oncall\n")
    db = outbox_with(tmp_path, 2, channel="desk")
    notifier = Notifier([Channel(name="desk", config=apprise_file, digest_below=4, digest_every=60)])
    cfg = DeliverySettings(backoff_seconds=60, backoff_max_seconds=60)
    now = utcnow()
    assert dispatch_due(db, notifier, cfg, now) == 0  # held for the digest
    assert dispatch_due(db, notifier, cfg, now + timedelta(minutes=2)) == 0  # one service down: the digest waits
    assert dispatch_due(db, notifier, cfg, now + timedelta(minutes=5)) == 0
    assert (len(json_receiver.messages), down.rejected) == (1, 2)
    down.fail = False
    assert dispatch_due(db, notifier, cfg, now + timedelta(minutes=8)) == 2
    assert (len(json_receiver.messages), len(down.messages)) == (1, 1)
    assert json_receiver.messages[0]["title"] == down.messages[0]["title"] == "[digest] 2 alerts"
    with db.session() as s:
        assert [(d.status, d.via_digest) for d in s.scalars(select(DeliveryRow))] == [("sent", True)] * 2


def test_an_alert_whose_tags_no_service_of_a_config_file_has_gets_no_delivery_there(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: every alert went to every Apprise config file channel ('it routes inside'), so an alert whose tags
    none of its services has (a source-health alert's `ops`, a rule's `oncall`) failed there at each try ('Apprise
    reported failure') and ended 'failed' in `monitor alerts --failed` and `monitor status`. Now a config file's
    channel takes the alerts whose tags one of its services has (or all, with a service tagged `always`)."""
    from monitor.alerts.channels import route
    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from tests.conftest import write_config

    apprise_file = tmp_path / "channels.txt"
    apprise_file.write_text(f"default, desk={json_receiver.url}\n")
    desk = Channel(name="desk", config=apprise_file)
    assert route([desk], ("ops",)) == ()
    assert route([desk], ("oncall", "desk")) == ("desk",)
    pipeline = build_pipeline(load_settings(write_config(tmp_path, channels=[{"name": "desk", "config": str(apprise_file)}])))
    try:
        assert pipeline.ingest.policy.channels_for(("ops",)) == () and pipeline.ingest.policy.channels_for(("default",)) == ("desk",)
    finally:
        pipeline.close()
    apprise_file.write_text(f"always={json_receiver.url}\n")
    assert route([Channel(name="desk", config=apprise_file)], ("ops",)) == ("desk",)


def test_a_digest_failing_on_one_service_holds_back_no_later_digest_to_the_others(tmp_path: Path, json_receiver: JsonReceiver, down: JsonReceiver) -> None:
    """Regression: once a channel's digest failed (one service of its config file down), every held alert of the
    channel waited for that digest's retry (up to backoff_max_seconds, an hour), so the services that work got the
    later alerts that much later. Now each digest (its alerts, tags and the services that took them) waits for its own."""
    apprise_file = tmp_path / "channels.txt"
    apprise_file.write_text(f"default={json_receiver.url}\ndefault={down.url}\n")
    db = outbox_with(tmp_path, 1, channel="desk")
    notifier = Notifier([Channel(name="desk", config=apprise_file, digest_below=4, digest_every=60)])
    cfg = DeliverySettings(backoff_seconds=3600, backoff_max_seconds=3600)
    now = utcnow()
    dispatch_due(db, notifier, cfg, now)
    dispatch_due(db, notifier, cfg, now + timedelta(minutes=2))  # the first digest: taken by one, the other down
    save_article(db, 1, to_article(Document(source="inbox", title="later", text="a later story")), MatchResult(),
                 NewAlert("uid-later", 3, ("default",), "later alert", "body", ("desk",)), now + timedelta(minutes=3))
    dispatch_due(db, notifier, cfg, now + timedelta(minutes=3))  # held
    dispatch_due(db, notifier, cfg, now + timedelta(minutes=5))  # its digest goes (the other still down)
    assert [m["title"] for m in json_receiver.messages] == ["[digest] 1 alert", "[digest] 1 alert"]
    assert down.rejected == 2


def test_listing_the_latest_alerts_takes_a_bounded_number_of_queries_and_no_article_text(tmp_path: Path) -> None:
    """Regression (found by helper xnewuser): `monitor alerts -n N` loaded each alert's deliveries with a query of
    its own (N + 1 queries: 1,000,000 at the largest -n) and read every listed article's whole row, text included."""
    from sqlalchemy import event

    db = outbox_with(tmp_path, 30)
    with db.session() as s:
        first = s.scalars(select(DeliveryRow).order_by(DeliveryRow.id)).first()
        assert first is not None
        first.status, first.attempts, first.last_error = "failed", 3, "refused"
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda conn, cursor, sql, *rest: statements.append(sql))
    listed = outbox.latest_alerts(db, 25)
    selects = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 2, selects
    assert not any("articles.text" in sql for sql in selects)
    assert [a.title for a in listed] == [f"alert {i}" for i in range(29, 4, -1)]
    assert {a.deliveries for a in listed} == {"hook:pending"} and {a.source for a in listed} == {"inbox"}
    statements.clear()
    [failed] = outbox.latest_alerts(db, 10, failed_only=True)
    assert (failed.title, failed.deliveries, failed.last_error) == ("alert 0", "hook:failed(3)", "refused")
    assert len([sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]) <= 2


class Trickling:
    """A raw TCP service on 127.0.0.1 that answers, but never whole: after `greeting` (and, for HTTP, once the request
    came) its `reply`, then one more line every 0.2 s, for `for_seconds` (then it hangs up), each within any read timeout. With
    `whole` set it answers a JSON POST at once (200) and counts it in `taken`."""

    def __init__(self, greeting: bytes, reply: bytes, line: bytes, for_seconds: float = 15) -> None:
        import socket

        self.greeting, self.reply, self.line, self.for_seconds = greeting, reply, line, for_seconds
        self.whole = False
        self.taken = 0
        self.connections = 0
        self.heard = b""
        self.stop = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: Any) -> None:
        with conn:
            try:
                conn.sendall(self.greeting)
                request = conn.recv(65536)
                self.heard += request
                if self.whole:
                    while b"\r\n\r\n" not in request:
                        request += conn.recv(65536)
                    head, _, body = request.partition(b"\r\n\r\n")
                    length = int(next(v for k, _, v in (h.partition(b":") for h in head.split(b"\r\n")) if k.lower() == b"content-length"))
                    while len(body) < length:
                        body += conn.recv(65536)
                    self.taken += 1
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    return
                conn.sendall(self.reply)
                started = time.monotonic()
                while not self.stop.is_set() and time.monotonic() - started < self.for_seconds:
                    conn.sendall(self.line)
                    self.stop.wait(0.2)
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.server.close()


def test_a_send_to_a_json_service_that_never_answers_whole_is_cut_off_and_retried_later_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression: a send had no overall bound. Apprise's `notify()` has none (its `timeout` only stops waiting: the
    service's thread goes on sending) and a plugin's socket timeouts (`rto`, 4 s) bound each read, so a service that
    answers a header line every few seconds held the channel's dispatch thread (and a stopping daemon) for as long as it
    liked (here: `100 Continue` after `100 Continue`). Now a send is cut off (its connections shut down) after half the lease: one line names the channel, the
    delivery waits for its retry, and goes once."""
    service = Trickling(b"", b"", b"HTTP/1.1 100 Continue\r\n\r\n")  # (HTTP: the client speaks first; a final answer never comes)
    try:
        db = outbox_with(tmp_path, 1, channel="slow")
        notifier = Notifier([Channel(name="slow", url=f"json://desk:Wq7secretpw@127.0.0.1:{service.port}/alerts")])
        cfg = DeliverySettings(lease_seconds=2, backoff_seconds=60, backoff_max_seconds=60)
        now = utcnow()
        started = time.monotonic()
        with caplog.at_level(logging.INFO, logger="monitor"):
            assert dispatch_due(db, notifier, cfg, now) == 0
        took = time.monotonic() - started
        assert took < 10, f"the send held the dispatch for {took:.0f} s"
        with db.session() as s:
            row = s.scalars(select(DeliveryRow)).one()
            assert (row.status, row.attempts, row.lease_until) == ("pending", 1, None)
            assert row.next_attempt_at >= now + timedelta(seconds=29)  # (backoff_seconds, jittered)
            assert row.last_error and row.last_error.startswith("channel 'slow': no whole answer within 1 s: monitor cut the connection (Apprise then said: ")
        [line] = [m for m in caplog.messages if "to slow failed" in m]
        assert line.startswith("alert uid00000 to slow failed (attempt 1, retry in ") and "monitor cut the connection" in line
        assert "Wq7secretpw" not in "\n".join(caplog.messages) + row.last_error
        service.whole = True
        assert dispatch_due(db, notifier, cfg, now + timedelta(minutes=2)) == 1
        assert service.taken == 1
        assert dispatch_due(db, notifier, cfg, now + timedelta(hours=2)) == 0
        assert service.taken == 1
    finally:
        service.close()


def test_a_send_to_a_mail_server_that_stalls_after_ehlo_is_cut_off(tmp_path: Path) -> None:
    """Regression: Apprise's mail plugin bounds each socket read (15 s), not the whole: a server answering EHLO one
    continuation line at a time (`250-...`) held the send for as long as it went on. Now the send is cut off after half
    the lease, and the delivery waits for its retry."""
    service = Trickling(b"220 mail.example.org ESMTP\r\n", b"250-mail.example.org\r\n", b"250-still thinking\r\n")
    try:
        db = outbox_with(tmp_path, 1, channel="mail")
        url = f"mailto://127.0.0.1:{service.port}?to=desk@example.org&from=monitor@example.org&secure=no"
        cfg = DeliverySettings(lease_seconds=2, backoff_seconds=60, backoff_max_seconds=60)
        started = time.monotonic()
        assert dispatch_due(db, Notifier([Channel(name="mail", url=url)]), cfg, utcnow()) == 0
        took = time.monotonic() - started
        assert took < 10, f"the send held the dispatch for {took:.0f} s"
        assert service.heard.startswith(b"ehlo ") and b"DATA" not in service.heard.upper()
        with db.session() as s:
            row = s.scalars(select(DeliveryRow)).one()
            assert (row.status, row.attempts) == ("pending", 1)
            assert row.last_error and row.last_error.startswith("channel 'mail': no whole answer within 1 s: monitor cut the connection (Apprise then said: ")
    finally:
        service.close()


@pytest.fixture
def greylisting() -> Iterator[tuple[int, list[list[str]], list[str]]]:
    """A real aiosmtpd server on 127.0.0.1 that greylists `late@example.org`: its first RCPT is answered 450 (try again
    later), the next ones are taken. Yields (port, the recipients of each message taken, the RCPTs it was asked)."""
    from tests.conftest import smtp_answering

    asked: list[str] = []

    def answer(address: str, server: Any) -> str | None:
        asked.append(address)
        if address == "late@example.org" and asked.count(address) == 1:
            return "450 4.2.0 <late@example.org>: Recipient address rejected: Greylisted, try again later"
        return None

    with smtp_answering(answer) as (port, taken):
        yield port, taken, asked


def test_a_greylisted_recipient_gets_the_mail_at_the_retry_and_the_others_do_not_get_it_again(
        tmp_path: Path, greylisting: tuple[int, list[list[str]], list[str]]) -> None:
    """Regression: a mail to `to=desk,late` that the server took for desk and greylisted for late (450: try again later)
    failed as a whole, and its retry mailed both again: desk got the alert twice (and once more at each further retry
    while late stayed greylisted). Now the delivery keeps which recipients took it, and a retry mails the others only."""
    port, taken, asked = greylisting
    db = outbox_with(tmp_path, 1, channel="mail")
    url = f"mailto://127.0.0.1:{port}?to=desk@example.org,late@example.org&from=monitor@example.org&secure=no"
    notifier = Notifier([Channel(name="mail", url=url)])
    cfg = DeliverySettings(backoff_seconds=60, backoff_max_seconds=60)
    now = utcnow()
    assert dispatch_due(db, notifier, cfg, now) == 0
    assert taken == [["desk@example.org"]]
    with db.session() as s:
        row = s.scalars(select(DeliveryRow)).one()
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.last_error and "450" in row.last_error and "a retry goes to the other recipients only" in row.last_error
    assert dispatch_due(db, Notifier([Channel(name="mail", url=url)]), cfg, now + timedelta(minutes=2)) == 1  # (a restart: a new notifier)
    assert taken == [["desk@example.org"], ["late@example.org"]]
    assert asked == ["desk@example.org", "late@example.org", "late@example.org"]
    with db.session() as s:
        assert s.scalars(select(DeliveryRow.status)).one() == "sent"


def test_an_article_alert_is_routed_by_an_apprise_config_file_as_it_is_now_not_as_it_was_at_start(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: the routes of article alerts were computed at start (and at a reload): a service added to a channel's
    Apprise config file while the daemon ran, with the tag of the rules that fire, got none of their alerts until a
    `kill -HUP` (the alerts were stored with no delivery there), while spike and source-health alerts saw the file as it
    was; a tag taken out of the file still routed alerts there, each failing at every try ('no service of its Apprise
    config has the alert's tags'). Now the file's tags are read again once it changed, for every kind of alert."""
    import os

    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from tests.conftest import DISTINCT_STORIES, inbox_with, write_config

    apprise_file = tmp_path / "channels.txt"
    apprise_file.write_text(f"oncall={json_receiver.url}\n")  # the default rules' tag is `default`
    inbox = inbox_with(tmp_path, [])
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox], channels=[{"name": "desk", "config": str(apprise_file)}])))
    try:
        apprise_file.write_text(f"default, oncall={json_receiver.url}\n")
        os.utime(apprise_file, (time.time() + 5, time.time() + 5))  # (a later modification time, however coarse the file system's)
        (inbox / "a.txt").write_text(DISTINCT_STORIES[0])
        os.utime(inbox / "a.txt", (time.time() - 60, time.time() - 60))
        pipeline.run_once()
        assert len(json_receiver.messages) == 1
        apprise_file.write_text(f"oncall={json_receiver.url}\n")
        os.utime(apprise_file, (time.time() + 10, time.time() + 10))
        (inbox / "b.txt").write_text(DISTINCT_STORIES[1])
        os.utime(inbox / "b.txt", (time.time() - 60, time.time() - 60))
        pipeline.run_once()
        assert len(json_receiver.messages) == 1
        with pipeline.db.session() as s:
            assert s.scalars(select(DeliveryRow.status)).all() == ["sent"]  # none made for the second alert: no service takes it
    finally:
        pipeline.close()


@pytest.mark.parametrize("edit", ["", "half a line of a serv", None])
def test_an_apprise_config_file_emptied_or_removed_while_the_daemon_runs_fails_its_deliveries_and_they_go_once_it_is_back(
        tmp_path: Path, json_receiver: JsonReceiver, edit: str | None) -> None:
    """Regression: a channel's Apprise config file found empty, half-written or gone at a send (an edit, a deploy
    writing it anew) raised ConfigError out of the dispatch: the job failed at each run (a bug's one line, every few
    seconds), the digests never ran, and the channel's deliveries stayed claimed, 0 attempts and no error, until
    their lease ended, then again. Now the send fails with the reason (the file named), the delivery waits for its
    retry, and goes once the file is back; a digest likewise waits."""
    apprise_file = tmp_path / "channels.txt"
    good = f"default={json_receiver.url}\n"
    apprise_file.write_text(good)
    db = outbox_with(tmp_path, 1, channel="desk")
    outbox_with(tmp_path, 1, channel="digest", first=1)  # (the same store)
    notifier = Notifier([Channel(name="desk", config=apprise_file), Channel(name="digest", config=apprise_file, digest_below=4, digest_every=60)])
    cfg = DeliverySettings(backoff_seconds=60, backoff_max_seconds=60)
    now = utcnow()
    if edit is None:
        apprise_file.unlink()
    else:
        apprise_file.write_text(edit)
    assert dispatch_due(db, notifier, cfg, now) == 0  # (the digest's alert held)
    with db.session() as s:
        desk = s.scalars(select(DeliveryRow).where(DeliveryRow.channel == "desk")).one()
        assert (desk.status, desk.attempts, desk.lease_until) == ("pending", 1, None)
        assert desk.last_error and str(apprise_file) in desk.last_error
    assert dispatch_due(db, notifier, cfg, now + timedelta(minutes=2)) == 0  # the digest is due: it fails too
    with db.session() as s:
        digest = s.scalars(select(DeliveryRow).where(DeliveryRow.channel == "digest")).one()
        assert digest.status == "held" and digest.last_error and str(apprise_file) in digest.last_error
    apprise_file.write_text(good)
    assert dispatch_due(db, notifier, cfg, now + timedelta(minutes=6)) == 2
    assert sorted(m["title"] for m in json_receiver.messages) == ["[digest] 1 alert", "alert 0"]


def test_a_greylisted_mails_retry_after_a_recipient_was_added_to_the_url_mails_none_that_took_it(
        tmp_path: Path, greylisting: tuple[int, list[list[str]], list[str]]) -> None:
    """A recipient that took an alert is kept by its address, not by the channel's URL as it was: a URL edited between
    two tries (a recipient added, `kill -HUP`) sends the retry to the new and the greylisted recipients, not again to
    the one that took it."""
    port, taken, _ = greylisting
    db = outbox_with(tmp_path, 1, channel="mail")
    url = f"mailto://127.0.0.1:{port}?to=desk@example.org,late@example.org&from=monitor@example.org&secure=no"
    cfg = DeliverySettings(backoff_seconds=60, backoff_max_seconds=60)
    now = utcnow()
    assert dispatch_due(db, Notifier([Channel(name="mail", url=url)]), cfg, now) == 0
    edited = url.replace("late@example.org", "late@example.org,new@example.org")
    assert dispatch_due(db, Notifier([Channel(name="mail", url=edited)]), cfg, now + timedelta(minutes=2)) == 1
    assert taken == [["desk@example.org"], ["late@example.org"], ["new@example.org"]]


def test_a_mail_whose_cc_is_greylisted_reaches_the_cc_at_the_retry_and_not_the_recipient_again(
        tmp_path: Path, greylisting: tuple[int, list[list[str]], list[str]]) -> None:
    """Regression: Apprise sends the message to `to=` with its `cc=` in one SMTP transaction; when the server took it for
    desk and greylisted the cc, the send failed ('Sending email to "desk@example.org" failed.', which desk had taken)
    and the retry mailed desk again. Now the refused cc is said, the addresses that took it are kept, and the retry
    mails the cc alone."""
    port, taken, _ = greylisting
    db = outbox_with(tmp_path, 1, channel="mail")
    url = f"mailto://127.0.0.1:{port}?to=desk@example.org&cc=late@example.org&from=monitor@example.org&secure=no"
    cfg = DeliverySettings(backoff_seconds=60, backoff_max_seconds=60)
    now = utcnow()
    assert dispatch_due(db, Notifier([Channel(name="mail", url=url)]), cfg, now) == 0
    with db.session() as s:
        error = s.scalars(select(DeliveryRow.last_error)).one()
        assert error and "late@example.org was refused: 450" in error and "a retry goes to the other recipients only" in error
    assert dispatch_due(db, Notifier([Channel(name="mail", url=url)]), cfg, now + timedelta(minutes=2)) == 1
    assert taken == [["desk@example.org"], ["late@example.org"]]


def test_a_mail_whose_cc_is_refused_for_good_is_sent_to_the_recipient_once_and_not_tried_again(tmp_path: Path) -> None:
    """As for a recipient of `to=` refused for good (5xx): a cc the server refuses for good (550, an old address) while
    the recipient took the message leaves the delivery sent, the refusal kept as its error; it was tried again
    `max_attempts` times, mailing the recipient at each try."""
    from tests.conftest import smtp_answering

    def answer(address: str, server: Any) -> str | None:
        return "550 5.1.1 <gone@example.org>: no such user" if address.startswith("gone@") else None

    with smtp_answering(answer) as (port, taken):
        db = outbox_with(tmp_path, 1, channel="mail")
        url = f"mailto://127.0.0.1:{port}?to=desk@example.org&cc=gone@example.org&from=monitor@example.org&secure=no"
        notifier = Notifier([Channel(name="mail", url=url)])
        now = utcnow()
        assert dispatch_due(db, notifier, DeliverySettings(max_attempts=3, backoff_seconds=1, backoff_max_seconds=1), now) == 1
        for minutes in (1, 2, 3):
            dispatch_due(db, notifier, DeliverySettings(max_attempts=3, backoff_seconds=1, backoff_max_seconds=1), now + timedelta(minutes=minutes))
    assert taken == [["desk@example.org"]]
    with db.session() as s:
        row = s.scalars(select(DeliveryRow)).one()
        assert (row.status, row.attempts) == ("sent", 1)
        assert row.last_error and "gone@example.org" in row.last_error and "550" in row.last_error


def test_a_mail_refused_for_good_to_one_recipient_and_cut_short_before_another_is_tried_again_for_that_one(tmp_path: Path) -> None:
    """Regression: a mail to `to=desk,gone,late` that desk took, that the server refused for gone for good (550) and
    whose connection dropped before late's turn was recorded sent ('sent to desk; refused: ... 550'): any 5xx in the
    send's log counted as the refusal of every recipient not reached, so late never got the alert. Now a mail is sent
    with refusals only when every message that failed was refused for good; else the others are tried again."""
    from tests.conftest import smtp_answering

    dropped: list[str] = []

    def answer(address: str, server: Any) -> str | None:
        if address.startswith("gone@"):
            return "550 5.1.1 <gone@example.org>: no such user"
        if address.startswith("late@") and not dropped:
            dropped.append(address)
            server.transport.close()  # the connection drops
            return "250 OK"
        return None

    with smtp_answering(answer) as (port, taken):
        db = outbox_with(tmp_path, 1, channel="mail")
        url = f"mailto://127.0.0.1:{port}?to=desk@example.org,gone@example.org,late@example.org&from=monitor@example.org&secure=no"
        notifier = Notifier([Channel(name="mail", url=url)])
        cfg = DeliverySettings(max_attempts=3, backoff_seconds=1, backoff_max_seconds=1)
        now = utcnow()
        assert dispatch_due(db, notifier, cfg, now) == 0
        assert dispatch_due(db, notifier, cfg, now + timedelta(minutes=1)) == 1
    assert taken == [["desk@example.org"], ["late@example.org"]]
    with db.session() as s:
        row = s.scalars(select(DeliveryRow)).one()
        assert (row.status, row.attempts) == ("sent", 2)
        assert row.last_error and "gone@example.org" in row.last_error and "550" in row.last_error


def test_a_send_whose_name_lookup_outlasts_its_time_fails_in_time_and_never_reaches_the_service_after(
        tmp_path: Path, json_receiver: JsonReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: a send was bounded in network time only. A name lookup that took long (a resolver that does not
    answer: glibc waits 5 s a try, a server, a search domain) held the channel's thread past the send's time (Apprise
    waits 60 s for a service), and once it ended the send connected and delivered, after it was cut off: recorded as
    failed, retried, the alert went twice. Now the send fails at its time (and a second), and nothing of it reaches the
    network after (what Apprise stopped waiting for is refused a connection): the retry delivers it once. (The send's
    lookup runs on a thread of monitor's own, given up at the send's time: the system's resolver is the stand-in.)"""
    from monitor.alerts import cutoff

    real_getaddrinfo = cutoff._system_getaddrinfo

    def slow_getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:  # (a stand-in for a resolver that is slow)
        if host == "hooks.example":
            time.sleep(6)
            host = "127.0.0.1"
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(cutoff, "_system_getaddrinfo", slow_getaddrinfo)
    db = outbox_with(tmp_path, 1, channel="hook")
    notifier = Notifier([Channel(name="hook", url=json_receiver.url.replace("127.0.0.1", "hooks.example"))])
    cfg = DeliverySettings(lease_seconds=2, backoff_seconds=60, backoff_max_seconds=60)
    now = utcnow()
    started = time.monotonic()
    assert dispatch_due(db, notifier, cfg, now) == 0
    assert time.monotonic() - started < 4
    with db.session() as s:
        row = s.scalars(select(DeliveryRow)).one()
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.last_error and row.last_error.startswith("channel 'hook': ") and "name lookup of hooks.example took more than 1 s" in row.last_error
    time.sleep(7)  # (the lookup Apprise stopped waiting for ends: its connection is refused)
    assert json_receiver.messages == []
    monkeypatch.setattr(cutoff, "_system_getaddrinfo", real_getaddrinfo)
    notifier = Notifier([Channel(name="hook", url=json_receiver.url)])
    assert dispatch_due(db, notifier, cfg, now + timedelta(minutes=2)) == 1
    assert len(json_receiver.messages) == 1


def test_healthz_answers_for_the_deliveries_of_its_own_configs_channels(tmp_path: Path) -> None:
    """Regression (found by helper xmulti): on a store shared by daemons with channels of their own, a delivery overdue
    to a channel of one daemon's config turned every daemon's /healthz 503 at once, though only that daemon sends it
    (a daemon claims the deliveries of its config's channels only): an orchestrator restarting the unhealthy daemons
    restarted those that could not help. /healthz says 'delivery overdue' for its config's channels; the store-wide
    age stays in /metrics."""
    import urllib.error
    import urllib.request

    from monitor.server import Endpoint, Health

    db = outbox_with(tmp_path, 1, channel="theirs")
    other = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), Health(db, 0.01, 60, channels=lambda: ["hook"]))
    sender = Endpoint("127.0.0.1:0", ("127.0.0.1", 0), Health(db, 0.01, 60, channels=lambda: ["hook", "theirs"]))
    wide = Endpoint("0.0.0.0:0", ("0.0.0.0", 0), Health(db, 0.01, 60, channels=lambda: ["hook", "theirs"]))

    def healthz(endpoint: Endpoint) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{endpoint.port}/healthz", timeout=10) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read().decode()

    try:
        time.sleep(0.05)  # the delivery overdue (over 0.01 s)
        assert healthz(other) == (200, "ok\n")
        status, body = healthz(sender)
        assert status == 503 and body.startswith("delivery overdue: alert uid00000 to theirs pending for "), body
        status, body = healthz(wide)  # off loopback: in brief, naming no alert and no channel (xweb4, session 44)
        assert status == 503 and body.startswith("delivery overdue: pending for ") and "theirs" not in body and "uid0" not in body, body
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{other.port}/metrics", timeout=10).read().decode()
        assert 'monitor_deliveries{channel="theirs",state="pending"} 1.0' in metrics
    finally:
        other.close()
        sender.close()
        wide.close()
        db.close()


def test_a_channel_back_after_an_outage_says_which_of_its_alerts_gave_up_meanwhile(tmp_path: Path, json_receiver: JsonReceiver,
                                                                                   caplog: pytest.LogCaptureFixture) -> None:
    """Regression: a channel down for an hour (the retries of the default [delivery] last 32 to 64 minutes) has alerts
    that gave up; when it answered again, the log said only that those waiting for a retry go now: the ones that gave
    up stayed `failed`, said nowhere at the moment the operator looks (the channel is back). Now the same line says how
    many gave up and the command that sends them."""
    db = outbox_with(tmp_path, 3)
    now = utcnow()
    first, second, _ = outbox.claim_due(db, now, lease_seconds=60)
    outbox.record_failure(db, first.id, "connection refused", now, final=True)
    outbox.record_failure(db, second.id, "connection refused", now + timedelta(hours=1), final=False)
    outbox.release(db, [_.id])
    notifier = Notifier([Channel(name="hook", url=json_receiver.url)])
    caplog.set_level(logging.INFO, logger="monitor")
    assert dispatch_due(db, notifier, DeliverySettings(), now) == 1
    [said] = [r.getMessage() for r in caplog.records if "answers again" in r.getMessage()]
    assert said == ("channel hook answers again: 1 alert waiting for a retry goes now; 1 alert to it gave up earlier "
                    "(`monitor alerts --failed`): `monitor alerts retry --failed --channel hook` sends it again"), said


def test_a_send_begun_just_before_half_the_lease_is_recorded_before_the_lease_ends(tmp_path: Path) -> None:
    """Regression (xdeliver4): a send begun just before half the lease was given half the lease, so it was cut off, and
    recorded, only as the lease ended or a moment after: on a shared store another daemon could claim the delivery
    meanwhile and send it again. A send now ends (cut off) RECORD_SECONDS before the claim's lease does, whenever it
    began, so its outcome is recorded while the delivery is still this dispatcher's. A real receiver: the first
    alert answered just before half the lease, the second never."""
    from monitor.alerts.dispatch import record_margin

    lease = 8.0
    started = time.monotonic()
    release = threading.Event()
    seen: list[float] = []

    def receiver(handler: Any, body: bytes) -> None:
        seen.append(time.monotonic() - started)
        if len(seen) == 1:
            time.sleep(max(lease / 2 - 0.8 - (time.monotonic() - started), 0))  # answered shortly before half the lease
            handler.send_response(200)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        else:
            release.wait(30)  # the second: no answer
            handler.close_connection = True

    db = outbox_with(tmp_path, 2)
    with serve_http() as http:
        http.routes["/alerts"] = receiver
        notifier = Notifier([Channel(name="hook", url=f"json://127.0.0.1:{http.port}/alerts")])
        started, now = time.monotonic(), utcnow()
        try:
            assert dispatch_due(db, notifier, DeliverySettings(lease_seconds=lease), now) == 1
        finally:
            release.set()
        ended = time.monotonic() - started
    assert len(seen) == 2 and seen[1] < lease / 2  # the second send began in time
    assert ended <= lease - record_margin(lease) + 0.5, ended  # and was over, recorded, well before the lease's end
    with db.session() as s:
        rows = s.scalars(select(DeliveryRow).order_by(DeliveryRow.id)).all()
        assert [(r.status, r.attempts, r.lease_until) for r in rows] == [("sent", 1, None), ("pending", 1, None)]
        assert rows[1].last_error is not None and "no whole answer within" in rows[1].last_error
