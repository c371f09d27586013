"""Issue 19: spike alerts and silent sources on a real store (SQLite, or the PostgreSQL pass), through the outbox.

A synthetic history has a planted spike (a quiet militia and rocket attacks: 7 stories in 3 hours) and a
planted false alarm (a steady high-volume group, 8-12 stories every hour): the spike fires once with its
numbers, the steady group never; restarts do not fire again; a second rise fires again. A feed made
silent alerts once to the `ops` channels and once when it is back, across restarts.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert
from sqlalchemy.pool import NullPool

from monitor import escalation
from monitor.alerts.channels import Notifier
from monitor.alerts.dispatch import dispatch_due
from monitor.errors import WatchlistError
from monitor.model import Article, MatchResult
from monitor.pipeline import build_pipeline, register_sources
from monitor.settings import Settings, load_settings
from monitor.store import articles, counts, migrate, mutes, signals
from monitor.store.migrations.first import metadata as first
from monitor.store.db import Database
from monitor.trends import HOUR, PRIOR, Mention, hour_of
from monitor.watchlist import load_watchlist
from tests.conftest import DISTINCT_STORIES, JsonReceiver, inbox_with, query, store_url, write_config
from tests.test_cli import monitor
from tests.test_migrations import ROWS

T = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
WATCHLIST = """
actors:
  - {name: Kataeb Hezbollah, kind: group, aliases: [Kataib Hezbollah], tags: [militia]}
  - {name: Steady Front, kind: group, aliases: [Steady Front], tags: [militia]}
  - {name: Quiet Party, kind: group, aliases: [Quiet Party]}
events:
  - {name: rocket attack, severity: 3, phrases: [rocket attack], cameo: "19"}
spikes:
  - actor: militia
    event: rocket attack
    window: 24
    min_count: 3
    significance: 0.001
    tags: [desk]
"""
KH, STEADY, ROCKET = "Kataeb Hezbollah", "Steady Front", "rocket attack"


def setup(tmp_path: Path, watchlist: str = WATCHLIST, extra: str = "") -> Settings:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "watchlist.yaml").write_text(watchlist)
    config = write_config(tmp_path, watchlist=tmp_path / "watchlist.yaml", feeds=[{"name": "wire", "url": "http://127.0.0.1:9/feed.xml"}],
                          channels=[{"name": "desk", "url": f"console://local?file={tmp_path / 'desk.jsonl'}", "tags": ["desk"]},
                                    {"name": "ops", "url": f"console://local?file={tmp_path / 'ops.jsonl'}", "tags": ["ops"]}])
    if extra:
        config.write_text(config.read_text().replace("settle_seconds = 0.2", "settle_seconds = 0.2\n" + extra))
    return load_settings(config)


def story(actor: str, at: datetime) -> tuple[list[Mention], datetime]:
    return [Mention("actor", actor), Mention("event", ROCKET, 3, "19")], at


def history(seed: int = 7, T: datetime = T) -> list[tuple[list[Mention], datetime]]:  # noqa: N803
    """Five weeks before T: the militia's rare rocket attacks, the steady group's flood; the planted spike."""
    rng = random.Random(seed)
    out = [story(KH, T - timedelta(hours=h)) for h in (168 * 2 + 5, 168 * 4 + 5, 168 + 40, 168 * 3 + 60)]
    out += [story(STEADY, T - timedelta(hours=h, minutes=rng.randrange(60))) for h in range(1, 168 * 5) for _ in range(8 + rng.randrange(5))]
    out += [story(KH, T - timedelta(hours=h, minutes=10)) for h in (3, 3, 2, 2, 1, 1, 1)]  # the spike: 7 stories in 3 hours
    return out


def alerts(tmp_path: Path) -> list[tuple[str, str, str]]:
    return [(t, b, c) for t, b, c in query(tmp_path, "SELECT title, body, context FROM alerts ORDER BY id")]


def run_hours(db: Database, settings: Settings, first: datetime, hours: int) -> int:
    watchlist = load_watchlist(settings.watchlist)
    return sum(escalation.check(db, settings, watchlist, first + h * HOUR + timedelta(minutes=30)) for h in range(hours))


def test_the_planted_spike_fires_once_with_its_numbers_and_the_steady_group_never(tmp_path: Path) -> None:
    settings = setup(tmp_path)
    db = Database(store_url(tmp_path))
    counts.count_stories(db, history())
    assert run_hours(db, settings, T - 48 * HOUR, 48) == 1  # two days of hourly checks up to T
    [(title, body, context)] = alerts(tmp_path)
    # fires on the 3 h stretch as its fourth story comes in, not a day later: 4 of the 4 weeks' 4 stories in 3 h
    assert title == "Spike: Kataeb Hezbollah + rocket attack: 4 stories in 3 h, usual 0.0 ± 0.1; p < 0.0001"
    assert "the last 3 h against a rate from every hour of the 28 days before the day the last 24 h start" in body
    assert "significance 0.001 over 2 series" in body  # the militia tag's two actors x one event
    data = json.loads(context)
    assert (data["kind"], data["actor"], data["event"], data["count"], data["window_hours"]) == ("spike", KH, ROCKET, 4, 3)
    assert data["p"] < 0.0005 and data["usual"] == pytest.approx((4 + PRIOR) * 3 / (4 * 168 - 24), rel=0.5)
    assert query(tmp_path, "SELECT channel, status FROM deliveries") == [("desk", "pending")]
    assert run_hours(db, settings, T, 20) == 0  # still high: no second alert
    db.close()

    restarted = Database(store_url(tmp_path))  # a restart: the state is in the store
    assert run_hours(restarted, settings, T + 20 * HOUR, 3) == 0
    assert run_hours(restarted, settings, T + 23 * HOUR, 30) == 0  # fallen back: re-armed, quietly
    assert signals.firing(restarted, "militia + rocket attack") == set()
    again = T + 53 * HOUR
    counts.count_stories(restarted, [story(KH, again - timedelta(minutes=50)) for _ in range(6)])
    assert run_hours(restarted, settings, again - HOUR, 2) == 1  # a second rise: a second alert
    assert len(alerts(tmp_path)) == 2 and all(STEADY not in t for t, _, _ in alerts(tmp_path))
    restarted.close()


def test_a_daemon_whose_watchlist_lacks_a_spike_leaves_its_rise_alerted_once(tmp_path: Path) -> None:
    """Daemons sharing a store take turns at the trends job: one whose watchlist lacks a spike (a watchlist rolled out
    to one daemon first, another daemon's own) forgot the spike's firing states, and the next daemon with it alerted
    the same rise again, at each turn. Also a spike taken out and put back during a rise alerts it once."""
    settings = setup(tmp_path)
    db = Database(store_url(tmp_path))
    counts.count_stories(db, history())
    assert run_hours(db, settings, T - 3 * HOUR, 3) == 1
    without = load_watchlist(setup(tmp_path / "other", WATCHLIST.split("spikes:")[0]).watchlist)
    with_it = load_watchlist(settings.watchlist)
    for h in range(4):  # the two daemons' turns while the rise lasts
        now = T + h * HOUR + timedelta(minutes=30)
        assert escalation.check(db, settings, without, now) == 0
        assert escalation.check(db, settings, with_it, now + timedelta(minutes=10)) == 0
    assert len(alerts(tmp_path)) == 1
    db.close()


def test_a_spike_edited_during_the_day_is_tested_against_its_own_series_baselines(tmp_path: Path) -> None:
    """The day's baselines were kept in memory by the spike's name: after an edit that tagged the busy group into the
    spike (same name), its 8-12 stories an hour were tested against the baseline of a series with no story, and fired."""
    settings = setup(tmp_path, WATCHLIST.replace("aliases: [Steady Front], tags: [militia]", "aliases: [Steady Front]"))
    db = Database(store_url(tmp_path))
    counts.count_stories(db, history())
    assert run_hours(db, settings, T - 3 * HOUR, 3) == 1  # the militia's spike, Kataeb Hezbollah alone in the tag
    (tmp_path / "watchlist.yaml").write_text(WATCHLIST)  # the busy group joins the tag: the spike's name is the same
    assert run_hours(db, settings, T, 3) == 0
    assert [t for t, _, _ in alerts(tmp_path) if STEADY in t] == []
    db.close()


def test_the_days_threshold_line_says_one_chance_alert_a_week(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Every daemon's start said "(1 chance alerts a week over 1 series)" for the default per_week."""
    settings = setup(tmp_path, WATCHLIST.replace("significance: 0.001", "per_week: 1").replace("actor: militia", "actor: Kataeb Hezbollah"))
    db = Database(store_url(tmp_path))
    with caplog.at_level("INFO", logger="monitor"):
        run_hours(db, settings, T, 1)
    assert "(1 chance alert a week over 1 series)" in caplog.text, caplog.text
    db.close()


def test_spike_alerts_go_through_the_outbox_and_mutes(tmp_path: Path) -> None:
    settings = setup(tmp_path)
    db = Database(store_url(tmp_path))
    counts.count_stories(db, history())
    mutes.mute(db, KH, T + timedelta(days=1))
    assert run_hours(db, settings, T - 3 * HOUR, 3) == 0  # muted: the rise is recorded, nobody alerted
    assert signals.firing(db, "militia + rocket attack") == {(KH, ROCKET)} and alerts(tmp_path) == []
    mutes.unmute(db, KH)
    assert run_hours(db, settings, T, 2) == 0  # the same rise does not alert once the mute ends
    db.close()

    settings2 = setup(tmp_path / "second")
    db2 = Database(store_url(tmp_path / "second"))
    counts.count_stories(db2, history())
    run_hours(db2, settings2, T - HOUR, 1)
    assert dispatch_due(db2, Notifier(settings2.channels), settings2.delivery, T) == 1
    [sent] = (tmp_path / "second" / "desk.jsonl").read_text().splitlines()
    assert "7 stories in 6 h" in sent and not (tmp_path / "second" / "ops.jsonl").exists()
    listing = monitor("alerts", "--config", str(settings2.path))
    assert listing.returncode == 0 and "Spike" in listing.stdout, listing.stderr
    shown = monitor("alerts", "show", "1", "--config", str(settings2.path))
    assert shown.returncode == 0 and "7 stories" in shown.stdout, shown.stderr
    assert "no article: a spike or source-health alert" in shown.stdout and "article 0" not in shown.stdout
    db2.close()


def test_monitor_mute_takes_a_spike_by_its_name_and_says_an_event_is_not_muted(tmp_path: Path) -> None:
    """Regression: docs/trends.md says a muted spike name records the rise without an alert, and the trends job
    reads such mutes, but `monitor mute 'militia + rocket attack'` was refused ('no actor or rule named ...',
    pointing at `monitor match`): a noisy spike could not be silenced."""
    settings = setup(tmp_path)
    muted = monitor("mute", "Militia + Rocket Attack", "--for", "2d", "--config", str(settings.path))
    assert muted.returncode == 0 and muted.stdout.startswith("militia + rocket attack: muted until "), muted.stdout + muted.stderr
    db = Database(store_url(tmp_path))
    counts.count_stories(db, history())
    assert run_hours(db, settings, T - 3 * HOUR, 3) == 0 and alerts(tmp_path) == []  # the rise recorded, nobody alerted
    assert signals.firing(db, "militia + rocket attack") == {(KH, ROCKET)}
    db.close()
    event = monitor("mute", "rocket attack", "--config", str(settings.path))
    assert event.returncode == 1 and event.stderr.strip().endswith(
        "no actor, rule or spike named 'rocket attack': 'rocket attack' is an event: mute a rule or spike that takes it, or an actor"), event.stderr


def test_counting_at_ingest_counts_stories_not_copies(tmp_path: Path) -> None:
    inbox = inbox_with(tmp_path, DISTINCT_STORIES[:2])
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox])))
    pipeline.run_once()
    cells = counts.cells(pipeline.db, T - timedelta(days=3650))
    assert {c.actor for c in cells if not c.event} >= {"Kataeb Hezbollah"}
    before = sum(c.stories for c in cells)
    (inbox / "copy.txt").write_text(DISTINCT_STORIES[0] + " Reporting by a desk.")  # a copy of the first story
    inbox_with(tmp_path, [])
    pipeline.run_once()
    assert query(tmp_path, "SELECT count(*) FROM articles") == [(3,)]
    assert sum(c.stories for c in counts.cells(pipeline.db, T - timedelta(days=3650))) == before
    pipeline.db.close()


def test_a_spikes_stories_are_the_ones_it_counted_by_their_published_time(tmp_path: Path) -> None:
    """Regression: a story published two days ago and fetched now was listed under "7 stories in 3 h"
    (picked by fetched time) though counted two days ago; a spike's count and its list disagreed."""
    inbox = inbox_with(tmp_path, DISTINCT_STORIES[:1])
    old = {"title": "Militia statement", "text": "Kataeb Hezbollah said its fighters shelled a US base in Anbar with mortars.",
           "published": (datetime.now(UTC) - timedelta(days=2)).isoformat()}
    (inbox / "old.json").write_text(json.dumps(old))
    pipeline = build_pipeline(load_settings(write_config(tmp_path, folders=[inbox])))
    pipeline.run_once()
    cells = [c for c in counts.cells(pipeline.db, datetime.now(UTC) - timedelta(days=3)) if c.actor == "Kataeb Hezbollah" and not c.event]
    assert sorted(c.hour.date() for c in cells) == sorted({(datetime.now(UTC) - timedelta(days=2)).date(), datetime.now(UTC).date()})
    listed = signals.window_stories(pipeline.db, "Kataeb Hezbollah", "", datetime.now(UTC) - timedelta(hours=3))
    assert len(listed) == 1 and listed[0].title != "Militia statement", listed  # the old one was listed too
    assert len(signals.window_stories(pipeline.db, "Kataeb Hezbollah", "", datetime.now(UTC) - timedelta(days=3))) == 2
    pipeline.db.close()


def save(db: Database, source_id: int, at: datetime, n: int) -> None:
    key = hashlib.sha256(f"{source_id} {at} {n}".encode()).hexdigest()
    article = Article("wire", f"item {n}", f"text {n}", None, None, key, at, key)
    assert articles.save_article(db, source_id, article, MatchResult(), None, at) is not None


def test_a_silent_feed_alerts_once_and_once_when_back_across_restarts(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = setup(tmp_path)
    settings = load_settings(write_config(tmp_path, watchlist=tmp_path / "watchlist.yaml", feeds=[{"name": "wire", "url": "http://127.0.0.1:9/feed.xml"}],
                                          folders=[inbox], channels=[{"name": "ops", "url": f"console://local?file={tmp_path / 'ops.jsonl'}", "tags": ["ops"]}]))
    db = Database(store_url(tmp_path))
    ids = register_sources(db, settings)
    [(feed_id,)] = query(tmp_path, "SELECT id FROM sources WHERE kind = 'feed'")
    for n in range(60):  # every 2 hours for 5 days, up to T
        save(db, feed_id, T - timedelta(hours=2 * n), n)
    save(db, ids[str(inbox)], T, 0)  # the folder has no silent_hours: never judged
    assert run_hours(db, settings, T, 7) == 0  # 4 x 2 h = 8 h not yet passed
    assert run_hours(db, settings, T + 7 * HOUR, 3) == 1
    [(title, _, context)] = alerts(tmp_path)
    assert title == f"Silent source: wire: nothing new since {T:%Y-%m-%d %H:%M} UTC (usually every 2.0 h)"
    assert query(tmp_path, "SELECT channel FROM deliveries") == [("ops",)]
    listing = monitor("sources", "--config", str(settings.path), env={"COLUMNS": "250"})
    assert listing.returncode == 0 and f"silent since {T:%Y-%m-%d %H:%M}" in listing.stdout, listing.stdout + listing.stderr
    db.close()

    restarted = Database(store_url(tmp_path))
    assert run_hours(restarted, settings, T + 10 * HOUR, 10) == 0
    save(restarted, feed_id, T + 20 * HOUR, 99)
    assert run_hours(restarted, settings, T + 20 * HOUR, 1) == 1
    assert alerts(tmp_path)[-1][0] == f"Source back: wire: new articles again (silent since {T:%Y-%m-%d %H:%M} UTC)"
    assert run_hours(restarted, settings, T + 21 * HOUR, 3) == 0 and len(alerts(tmp_path)) == 2
    restarted.close()


def silent_folder_settings(tmp_path: Path) -> tuple[Path, Settings]:
    """A config with one folder, `inbox`, of `silent_hours = 3` and the `ops` channel; the folder and the settings."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "watchlist.yaml").write_text(WATCHLIST)
    config = write_config(tmp_path, watchlist=tmp_path / "watchlist.yaml", folders=[inbox],
                          channels=[{"name": "ops", "url": f"console://local?file={tmp_path / 'ops.jsonl'}", "tags": ["ops"]}])
    config.write_text(config.read_text().replace("settle_seconds = 0.2", "settle_seconds = 0.2\nsilent_hours = 3"))
    return inbox, load_settings(config)


def test_a_folder_with_silent_hours_alerts_when_it_receives_nothing(tmp_path: Path) -> None:
    inbox, settings = silent_folder_settings(tmp_path)
    db = Database(store_url(tmp_path))
    ids = register_sources(db, settings)
    save(db, ids[str(inbox)], T, 1)
    assert run_hours(db, settings, T, 2) == 0 and run_hours(db, settings, T + 2 * HOUR, 3) == 1
    assert "Silent source" in alerts(tmp_path)[0][0] and "silent_hours 3.0 h" in alerts(tmp_path)[0][0]
    db.close()


def test_a_folders_silence_is_alerted_once_while_a_daemon_without_the_folder_takes_turns_at_the_trends_job(tmp_path: Path) -> None:
    """On a shared store the trends job runs in one daemon at a time: one whose config lacks a folder (another
    machine's) took its silence as over, quietly, and the daemon with the folder alerted it silent again at each turn."""
    inbox, settings = silent_folder_settings(tmp_path)
    (tmp_path / "other").mkdir()
    other = load_settings(write_config(tmp_path / "other", watchlist=tmp_path / "watchlist.yaml",
                                       channels=[{"name": "ops", "url": f"console://local?file={tmp_path / 'ops.jsonl'}", "tags": ["ops"]}]))
    db = Database(store_url(tmp_path))
    ids = register_sources(db, settings)
    save(db, ids[str(inbox)], T, 1)
    assert run_hours(db, settings, T, 5) == 1
    for h in range(5, 9):  # the two daemons' turns
        now = T + h * HOUR + timedelta(minutes=30)
        assert escalation.check(db, other, load_watchlist(other.watchlist), now) == 0
        assert escalation.check(db, settings, load_watchlist(settings.watchlist), now + timedelta(minutes=10)) == 0
    assert [t for t, _, _ in alerts(tmp_path)] == [alerts(tmp_path)[0][0]] and "Silent source" in alerts(tmp_path)[0][0]
    db.close()


@pytest.mark.parametrize(("section", "line", "problem"), [
    ("spikes:\n  - {actor: nobody}\n", 6, "spikes[0]: no actor named or tagged 'nobody'"),
    ("spikes:\n  - {event: flood}\n", 6, "spikes[0]: no event named 'flood'"),
    ("spikes:\n  - {actor: QP}\n", 6, "spikes[0]: no actor named or tagged 'QP': 'QP' is an alias of the actor 'Quiet Party': write 'Quiet Party'"),
    ("spikes:\n  - {event: Rocket Attack}\n", 6, "spikes[0]: no event named 'Rocket Attack': did you mean 'rocket attack'?"),
    ("spikes:\n  - {window: 24}\n", 6, "spikes[0]: give an actor, an event, or both"),
    ("spikes:\n  - {actor: Quiet Party}\n  - {actor: Quiet Party, windw: 3}\n", 7, "spikes[1].windw: unknown key (typo?)"),
    ("spikes:\n  - {actor: Quiet Party, significance: 2}\n", 6, "spikes[0].significance: should be less than 0.5, not 2"),
    ("spikes:\n  - {actor: Quiet Party}\n  - {actor: Quiet Party}\n", 7, "spikes[1]: a spike named 'Quiet Party' is given twice"),
    ("spikes: 3\n", 5, "spikes: should be a list in brackets: write [3]"),
    ("spikes:\n  - {actor: Quiet Party, window: true}\n", 6, "spikes[0].window: should be a number, not true or false"),  # was a 1 h window
    ("spikes:\n  - {actor: Quiet Party, per_week: 1, significance: 0.001}\n", 6, "spikes[0]: give significance or per_week, not both"),
    ("spikes:\n  - {actor: Quiet Party, per_week: 0}\n", 6, "spikes[0].per_week: should be more than 0, not 0"),
])
def test_a_bad_spikes_section_is_one_error_naming_file_and_line(tmp_path: Path, section: str, line: int, problem: str) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("actors:\n  - {name: Quiet Party, kind: group, aliases: [QP]}\nevents:\n  - {name: rocket attack, severity: 3, phrases: [rocket attack]}\n" + section)
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path)
    assert str(caught.value).startswith(f"{path}:{line}: {problem}")


def test_the_spikes_section_resolves_tags_and_defaults(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(WATCHLIST)
    [spike] = load_watchlist(tmp_path / "w.yaml").spikes
    assert (spike.name, spike.actors, spike.events, spike.window, spike.min_count, spike.weeks, spike.tags) == (
        "militia + rocket attack", (KH, STEADY), (ROCKET,), 24, 3, 4, ("desk",))
    assert spike.series() == [(KH, ROCKET), (STEADY, ROCKET)]


def test_monitor_trends_prints_a_sparkline_per_series_with_the_spikes_marked(tmp_path: Path) -> None:
    settings = setup(tmp_path)
    db = Database(store_url(tmp_path))
    now = hour_of(datetime.now(UTC))
    counts.count_stories(db, history(T=now))
    assert run_hours(db, settings, now - HOUR, 1) == 1
    db.close()
    result = monitor("trends", "--days", "7", "--json", "--config", str(settings.path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    series = {(r["actor"], r["event"]): r for r in data["series"]}
    pair = series[(KH, ROCKET)]
    assert sum(pair["stories"][-2:]) == 7 and pair["spikes"] == [(now - timedelta(minutes=30)).date().isoformat()]
    assert pair["max_severity"] == 3 and sum(pair["score"]) == pytest.approx(4.0 * sum(pair["stories"]))
    assert series[(STEADY, "")]["spikes"] == [] and sum(series[(STEADY, "")]["stories"]) > 1000
    table = monitor("trends", KH, "--days", "7", "--config", str(settings.path), env={"COLUMNS": "200"})
    assert table.returncode == 0 and "Kataeb Hezbollah + rocket attack" in table.stdout and "^" in table.stdout and STEADY not in table.stdout
    assert "█" in table.stdout
    nothing = monitor("trends", "nobody", "--config", str(settings.path))
    assert nothing.returncode == 0 and "no story counted in that time for nobody" in nothing.stdout
    # an alias, or a name misspelt, is said to be one: it read "no story counted", as if the actor had none
    alias = monitor("trends", "Kataib Hezbollah", "--config", str(settings.path), env={"COLUMNS": "200"})
    assert alias.returncode == 0 and alias.stdout.splitlines()[-2:] == [
        "no story counted in that time for Kataib Hezbollah",
        "'Kataib Hezbollah' is an alias of the actor 'Kataeb Hezbollah': monitor trends 'Kataeb Hezbollah'"], alias.stdout
    quiet = monitor("trends", "Kataib Hezbollah", "--json", "--config", str(settings.path))  # JSON on stdout, the note on stderr
    assert quiet.returncode == 0 and json.loads(quiet.stdout)["series"] == []
    assert quiet.stderr == "monitor: 'Kataib Hezbollah' is an alias of the actor 'Kataeb Hezbollah': monitor trends 'Kataeb Hezbollah'\n"
    typo = monitor("trends", KH, "rocket attacks", "--days", "7", "--config", str(settings.path), env={"COLUMNS": "200"})
    assert typo.returncode == 0 and "Kataeb Hezbollah + rocket attack" in typo.stdout
    assert typo.stdout.splitlines()[-1] == "'rocket attacks' is no actor or event of the watchlist: did you mean 'rocket attack'?", typo.stdout
    lower = monitor("trends", KH.lower(), "--days", "7", "--config", str(settings.path), env={"COLUMNS": "200"})  # found as the watchlist spells it
    assert lower.returncode == 0 and "Kataeb Hezbollah + rocket attack" in lower.stdout, lower.stdout  # it said "no story counted"


def test_monitor_trends_on_an_80_column_terminal_shows_the_latest_days(tmp_path: Path) -> None:
    """30 days of sparkline did not fit beside the other columns: rich cut it with an ellipsis, hiding today's spike."""
    settings = setup(tmp_path)
    db = Database(store_url(tmp_path))
    counts.count_stories(db, history(T=hour_of(datetime.now(UTC))))
    db.close()
    table = monitor("trends", KH, "--config", str(settings.path), env={"COLUMNS": "80"})
    assert table.returncode == 0, table.stderr
    assert "…" not in table.stdout and "█" in table.stdout, table.stdout  # the last days' 7 stories are the tallest bar
    # and on one line, the labels wrapped first: it was folded over two lines of 24 and 6 days
    bars = [line.split("│")[-2].strip() for line in table.stdout.splitlines() if "▁" in line or "█" in line]
    assert bars and all(len(bar) == 30 for bar in bars), table.stdout


def test_revision_0004_lets_an_alert_have_no_article_and_keeps_every_row_and_key(tmp_path: Path) -> None:
    """On SQLite the NOT NULL is dropped in the stored schema (copying `alerts` would break the deliveries'
    foreign keys); on PostgreSQL by ALTER COLUMN. Either way, a 0003 store upgrades and takes article-less alerts."""
    url = store_url(tmp_path)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        migrate.upgrade(connection, "0003")
        if engine.dialect.name == "sqlite":
            for table in first.sorted_tables:
                connection.execute(insert(table), ROWS[table.name])  # type: ignore[call-overload]
    engine.dispose()
    db = Database(url)
    settings = setup(tmp_path)
    assert signals.went_silent(db, 1, T, escalation.health_alert(settings, 2, "Silent source: x", {}), T)
    assert not signals.went_silent(db, 1, T, escalation.health_alert(settings, 2, "Silent source: x", {}), T)  # once
    rows = query(tmp_path, "SELECT title, article_id FROM alerts ORDER BY id")
    assert rows[-1] == ("Silent source: x", None) and len(rows) == (3 if engine.dialect.name == "sqlite" else 1)
    assert query(tmp_path, "SELECT channel FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.article_id IS NULL") == [("ops",)]
    if engine.dialect.name == "sqlite":
        assert query(tmp_path, "PRAGMA foreign_key_check") == [] and query(tmp_path, "PRAGMA integrity_check") == [("ok",)]
        assert query(tmp_path, "SELECT count(*) FROM deliveries") == [(4,)]
        assert query(tmp_path, "PRAGMA foreign_key_list(deliveries)")[0][2] == "alerts"
    db.close()


def test_by_default_the_threshold_is_calibrated_to_one_chance_alert_a_week(tmp_path: Path) -> None:
    settings = setup(tmp_path, WATCHLIST.replace("    significance: 0.001\n", ""))
    [spike] = load_watchlist(settings.watchlist).spikes
    assert (spike.significance, spike.per_week) == (None, 1.0)
    db = Database(store_url(tmp_path))
    counts.count_stories(db, history())
    assert run_hours(db, settings, T - 48 * HOUR, 48) == 1  # the planted spike, once; the steady group never
    [(title, body, context)] = alerts(tmp_path)
    assert title.startswith("Spike: Kataeb Hezbollah + rocket attack: ")
    threshold = json.loads(context)["threshold"]
    assert 0 < json.loads(context)["p"] < threshold <= 0.01  # two series: a looser threshold than 0.001 / 2
    assert f"p below {threshold:.2g}: chance alone raises about 1 such alert a week over 2 series" in body
    db.close()


def test_a_spike_alert_gives_templates_and_json_receivers_the_fields_docs_templates_md_lists(tmp_path: Path) -> None:
    """A templated channel took a spike alert: its title and body rendered empty (`title`, `severity_word`,
    `actors` were not in its context), and JSON receivers got `severity: null` and type `info` for severity 3."""
    (tmp_path / "watchlist.yaml").write_text(WATCHLIST)
    desk = {"name": "desk", "url": f"console://local?file={tmp_path / 'desk.jsonl'}", "tags": ["desk"], "format": "html",
            "title_template": "{{ severity_word | upper }}: {{ actors | join(', ') }} / {{ events | join(', ') }}",
            "body_template": "<h1>{{ title }}</h1><p>{{ source }} {{ uid }}</p>{% for hit in hits %}<p>{{ hit.explanation }}</p>{% endfor %}"}
    settings = load_settings(write_config(tmp_path, watchlist=tmp_path / "watchlist.yaml", channels=[desk]))
    db = Database(store_url(tmp_path))
    counts.count_stories(db, history())
    run_hours(db, settings, T - HOUR, 1)
    assert dispatch_due(db, Notifier(settings.channels), settings.delivery, T) == 1
    [line] = (tmp_path / "desk.jsonl").read_text().splitlines()
    sent = json.loads(line)
    [(title, _, _)] = alerts(tmp_path)
    uid = json.loads(alerts(tmp_path)[0][2])["uid"]
    assert sent["title"] == f"HIGH: {KH} / {ROCKET}"
    assert sent["body"] == f"<h1>{html.escape(title)}</h1><p>(trends) {uid}</p>"  # "p < 0.0001" escaped in HTML
    assert (sent["severity"], sent["type"], sent["actors"], sent["events"], sent["uid"]) == (3, "failure", [KH], [ROCKET], uid)
    silent = json.loads(escalation.health_alert(settings, 2, "Silent source: wire: nothing new", {"kind": "silent", "source": "wire"}).context or "{}")
    assert (silent["severity"], silent["severity_word"], silent["title"], silent["source"], silent["hits"]) == (2, "medium", "Silent source: wire: nothing new", "wire", [])


def test_a_feed_is_judged_silent_once_the_running_daemon_has_watched_it_for_its_limit(tmp_path: Path) -> None:
    """A daemon started at T, the feed's last article (every 2 hours before) at T - 10 h: not silent at the
    start (nobody polled it meanwhile), silent 8 h (4 x 2 h) into the daemon's watch, once."""
    from monitor.store import daemons

    settings = setup(tmp_path)
    db = Database(store_url(tmp_path))
    register_sources(db, settings)
    [(feed_id,)] = query(tmp_path, "SELECT id FROM sources WHERE kind = 'feed'")
    for n in range(60):
        save(db, feed_id, T - timedelta(hours=10 + 2 * n), n)
    daemon = daemons.register(db, "monitor run", 120, T)
    assert run_hours(db, settings, T - timedelta(minutes=30), 1) == 0  # at the start
    for hour in range(1, 9):
        daemons.heartbeat(db, daemon, T + hour * HOUR, daemons.Holding(), 120)
        assert run_hours(db, settings, T + hour * HOUR - timedelta(minutes=30), 1) == (1 if hour == 8 else 0), hour
    assert [t for t, _, _ in alerts(tmp_path)] == [f"Silent source: wire: nothing new since {T - 10 * HOUR:%Y-%m-%d %H:%M} UTC (usually every 2.0 h)"]
    db.close()


def test_a_json_receiver_is_told_the_kind_of_each_alert_spike_and_source_health(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: json:// payloads carried no `kind`: a receiver could not tell a spike or a source-health alert
    from an article's alert but by parsing its title."""
    (tmp_path / "watchlist.yaml").write_text(WATCHLIST)
    hook = {"name": "hook", "url": json_receiver.url, "tags": ["desk", "ops"]}
    settings = load_settings(write_config(tmp_path, watchlist=tmp_path / "watchlist.yaml", channels=[hook],
                                          feeds=[{"name": "wire", "url": "http://127.0.0.1:9/feed.xml"}]))
    db = Database(store_url(tmp_path))
    counts.count_stories(db, history())
    run_hours(db, settings, T - HOUR, 1)
    register_sources(db, settings)
    signals.went_silent(db, 1, T - 10 * HOUR, escalation.health_alert(settings, 2, "Silent source: wire: nothing new", {"kind": "silent", "source": "wire"}), T)
    assert dispatch_due(db, Notifier(settings.channels), settings.delivery, T + HOUR) == 2
    spike, silent = json_receiver.messages
    assert (spike["kind"], spike["follow_up"], spike["actors"]) == ("spike", None, [KH])
    assert (silent["kind"], silent["source"], silent["title"]) == ("silent", "wire", "Silent source: wire: nothing new")
    db.close()


def test_monitor_trends_of_a_parent_names_its_units_counted_apart(tmp_path: Path) -> None:
    """Regression: `monitor trends al-Qaeda` said "no story counted in that time for al-Qaeda" while stories of its
    units (counted under their own names) filled the week: the analyst read the network as quiet."""
    settings = setup(tmp_path, "actors:\n  - {name: al-Qaeda, kind: group, aliases: [AQ]}\n"
                               "  - {name: JNIM, kind: group, part_of: al-Qaeda, aliases: [GSIM]}\n"
                               "  - {name: Katiba Macina, kind: group, part_of: JNIM, aliases: [Macina Front]}\n"
                               "events:\n  - {name: rocket attack, severity: 3, phrases: [rocket attack], cameo: \"19\"}\n")
    db = Database(store_url(tmp_path))
    now = hour_of(datetime.now(UTC))
    counts.count_stories(db, [story("Katiba Macina", now - timedelta(hours=h)) for h in (2, 5, 30)])
    db.close()
    result = monitor("trends", "al-Qaeda", "--days", "7", "--config", str(settings.path), env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [
        "no story counted in that time for al-Qaeda",
        "al-Qaeda's units are counted under their own names: monitor trends JNIM 'Katiba Macina'"], result.stdout
    quiet = monitor("trends", "al-Qaeda", "--json", "--config", str(settings.path))
    assert quiet.stderr == "monitor: al-Qaeda's units are counted under their own names: monitor trends JNIM 'Katiba Macina'\n"


def test_monitor_trends_of_a_pair_as_the_table_labels_it_says_how_to_ask_for_it(tmp_path: Path) -> None:
    """Regression: a pair copied from the table's first column, 'Kataeb Hezbollah + rocket attack', was "no actor or
    event of the watchlist: did you mean 'Kataeb Hezbollah' or 'rocket attack'?": not that both names, given
    together, show the pair."""
    settings = setup(tmp_path)
    result = monitor("trends", f"{KH} + {ROCKET}", "--config", str(settings.path), env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"'{KH} + {ROCKET}' is a pair: monitor trends '{KH}' '{ROCKET}' shows it beside each of the two"


def test_a_spike_actor_yaml_reads_as_false_says_to_quote_it(tmp_path: Path) -> None:
    """Regression: `actor: NO` (Norway's code, read by YAML as false) said "Input should be a valid string"."""
    path = tmp_path / "watchlist.yaml"
    path.write_text("actors:\n  - name: Norway\n    kind: state\n    aliases: ['NO']\nspikes:\n  - actor: NO\n    window: 24\n")
    with pytest.raises(WatchlistError) as exc:
        load_watchlist(path)
    assert str(exc.value) == f"{path}:6: spikes[0].actor: YAML reads NO as false, not a text: write it in quotes, 'NO'"
