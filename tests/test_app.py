"""The application façade (monitor/app/) on its own, without the CLI: one Database per App, verbs that
return data, mute's logic, check's problems as data, and the source list that writes nothing."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.app import App
from monitor.errors import MonitorError
from tests.conftest import ON_POSTGRES, write_config


def test_an_app_opens_its_store_once_and_closes_it(tmp_path: Path) -> None:
    app = App(write_config(tmp_path))
    assert app.db is app.db
    app.close()
    assert "db" not in vars(app)


def test_once_stops_its_parsing_processes(tmp_path: Path) -> None:
    """They were left to the interpreter's exit, whose hook (Python 3.11) raced the pool's own thread closing
    its pipe: `monitor once` ended, now and then, on 'Exception ignored in: <module 'threading'> ...
    OSError: [Errno 9] Bad file descriptor' (seen beside daemons on one PostgreSQL)."""
    others = set(multiprocessing.active_children())  # an earlier test's pool, still ending, is not this one's
    App(write_config(tmp_path)).once()
    assert [p for p in multiprocessing.active_children() if p not in others] == []


def test_mute_takes_the_watchlist_spelling_and_lists_it_until_lifted(tmp_path: Path) -> None:
    app = App(write_config(tmp_path))
    name, until, _ = app.mute("qasem soleimani", for_="2h")
    assert name == "Qasem Soleimani"
    assert timedelta(minutes=119) < until - datetime.now(UTC) <= timedelta(hours=2)
    assert app.mutes() == [(name, until)]
    with pytest.raises(MonitorError, match="no actor, rule or spike named 'Nobody'"):
        app.mute("Nobody")
    assert app.unmute(name) == (name, True) and app.unmute(name) == (name, False)
    assert app.mutes() == []


def test_check_returns_its_findings_and_a_bad_template_as_a_problem(tmp_path: Path) -> None:
    report = App(write_config(tmp_path)).check()
    assert report.problems == []
    assert any(line.startswith("config ") and line.endswith("ok (0 feeds, 0 folders)") for line in report.lines)
    bad = write_config(tmp_path, channels=[{"name": "c", "url": "console://local", "title_template": "{{ nope.title }}"}])
    assert App(bad).check().problems


def test_check_counts_one_feed_and_one_folder_in_the_singular(tmp_path: Path) -> None:
    """Regression: `monitor check` said `ok (1 feeds, 1 folders)`."""
    (tmp_path / "inbox").mkdir()
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": "https://wire.example/rss"}], folders=[tmp_path / "inbox"])
    assert any(line.startswith("config ") and line.endswith("ok (1 feed, 1 folder)") for line in App(config).check().lines)


def test_the_source_list_of_a_config_never_run_makes_no_database(tmp_path: Path) -> None:
    feed = {"name": "wire", "url": "https://wire.example/rss"}
    listed = App(write_config(tmp_path, feeds=[feed])).sources()
    assert [(h.id, h.name, h.kind, h.status) for h in listed] == [(0, "wire", "feed", "new")]
    if not ON_POSTGRES:
        assert not (tmp_path / "monitor.db").exists()


def test_retrying_an_alert_whose_delivery_waits_for_a_retry_sends_it_at_the_next_dispatch(tmp_path: Path) -> None:
    """Regression: `monitor alerts retry ID` re-queued failed (given up) deliveries only: an alert whose delivery waited
    for its retry an hour away (a channel back from an outage, the operator wanting it now) said 'no failed delivery to
    re-queue' and stayed waiting. Now a delivery waiting for a retry is made due at once (its attempts kept), and said."""
    from sqlalchemy import select

    from monitor.store.tables import DeliveryRow
    from tests.conftest import SEED, free_port

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_text(SEED.read_text())
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": f"json://127.0.0.1:{free_port()}/alerts"}],
                          settings={"delivery": {"backoff_seconds": 3600, "backoff_max_seconds": 3600}})
    app = App(config)
    app.once()  # (the hook is down: its delivery waits 30 to 60 minutes for a retry)
    with app.db.session() as s:
        row = s.scalars(select(DeliveryRow)).one()
        assert (row.status, row.attempts) == ("pending", 1) and row.next_attempt_at > datetime.now(UTC) + timedelta(minutes=20)
    alert_id, requeued, left, waiting = app.retry_alert("1")
    assert (alert_id, requeued, left, waiting) == (1, 0, [], 1)
    with app.db.session() as s:
        row = s.scalars(select(DeliveryRow)).one()
        assert (row.status, row.attempts) == ("pending", 1) and row.next_attempt_at <= datetime.now(UTC)
