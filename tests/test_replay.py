"""`monitor match --replay`: with the watchlist unchanged, nothing would alert differently, copies of
a story that story dedup kept silent included."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.settings import load_settings
from monitor.store import stories
from monitor.store.articles import stored_between
from monitor.store.db import Database
from tests.conftest import write_config
from tests.test_cli import monitor
from tests.test_story_alerts import COPY, WIRE


def test_replay_with_the_same_watchlist_lists_no_copy_that_story_dedup_kept_silent(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a-wire.txt").write_text(WIRE)
    (inbox / "b-copy.txt").write_text(COPY)  # retitled, trimmed: another article, the same story
    for age, name in ((120, "a-wire.txt"), (60, "b-copy.txt")):  # the whole story first, then the copy
        os.utime(inbox / name, (time.time() - age, time.time() - age))
    config = write_config(tmp_path, folders=[inbox])
    assert monitor("once", "--config", str(config)).returncode == 0
    db = Database(load_settings(config).store.sqlalchemy_url)
    [story] = stories.recent_stories(db, 5)
    stored = stored_between(db, datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(days=1))
    assert story.articles == 2 and [a.alerted for a in stored] == [True, False]  # one alert: the copy was kept silent

    same = monitor("match", "--config", str(config), "--replay", "1d")
    assert same.returncode == 0, same.stderr
    assert "re-matched 2 stored articles" in same.stdout
    assert "would alert now, did not before: none" in same.stdout, same.stdout
    assert "alerted before, would not now: none" in same.stdout, same.stdout


MUTED = "Rockets fired overnight\n\nKataeb Hezbollah fighters fired rockets at a militia base overnight, killing two guards.\n"


def test_replay_with_the_same_watchlist_lists_no_article_a_mute_kept_silent(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "rockets.txt").write_text(MUTED)
    config = write_config(tmp_path, folders=[inbox])
    assert monitor("mute", "Kataeb Hezbollah", "--for", "1d", "--config", str(config)).returncode == 0
    assert monitor("once", "--config", str(config)).returncode == 0
    db = Database(load_settings(config).store.sqlalchemy_url)
    [stored] = stored_between(db, datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(days=1))
    assert not stored.alerted  # the mute kept it silent

    same = monitor("match", "--config", str(config), "--replay", "1d")
    assert same.returncode == 0, same.stderr
    assert "would alert now, did not before: none" in same.stdout, same.stdout  # it was listed, though only the mute had changed nothing
    assert "alerted before, would not now: none" in same.stdout, same.stdout

    unmuted = monitor("mute", "Kataeb Hezbollah", "--off", "--config", str(config))
    assert unmuted.returncode == 0, unmuted.stderr
    lifted = monitor("match", "--config", str(config), "--replay", "1d", env={"COLUMNS": "300"})  # the mute lifted: it would alert now, by its rule
    assert "would alert now, did not before: 1" in lifted.stdout and "rule 'watched actor in a violent event'" in lifted.stdout, lifted.stdout


CORROBORATED = """actors:
  - {name: Qasem Soleimani, kind: person, aliases: [Soleimani]}
events:
  - {name: drone strike, severity: 3, phrases: [drone strike]}
rules:
  - {name: corroborated, min_sources: 2}
"""


def test_replay_with_the_same_watchlist_lists_no_first_article_whose_alert_waited_for_a_second_source(tmp_path: Path) -> None:
    """Regression: the first article of a story alerted by its copy from a second source (min_sources: 2) was listed."""
    wire, other = tmp_path / "wire", tmp_path / "other"
    wire.mkdir()
    other.mkdir()
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(CORROBORATED)
    config = write_config(tmp_path, folders=[wire, other], watchlist=watchlist)
    (wire / "a-wire.txt").write_text(WIRE)
    assert monitor("once", "--config", str(config)).returncode == 0
    (other / "b-copy.txt").write_text(COPY)
    assert monitor("once", "--config", str(config)).returncode == 0
    db = Database(load_settings(config).store.sqlalchemy_url)
    stored = stored_between(db, datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) + timedelta(days=1))
    assert [a.alerted for a in stored] == [False, True]  # the copy from a second source raised the story's alert

    same = monitor("match", "--config", str(config), "--replay", "1d")
    assert same.returncode == 0, same.stderr
    assert "would alert now, did not before: none" in same.stdout, same.stdout
    assert "alerted before, would not now: none" in same.stdout, same.stdout


def test_replay_says_why_an_article_that_alerted_would_not_now(tmp_path: Path) -> None:
    """Regression: 'alerted before, would not now' gave every article the why 'no rule fires': not which
    rule came nearest nor what it lacked, as `monitor eval` says of an alert missed."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a-wire.txt").write_text(WIRE)
    os.utime(inbox / "a-wire.txt", (time.time() - 60, time.time() - 60))
    config = write_config(tmp_path, folders=[inbox])
    assert monitor("once", "--config", str(config)).returncode == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text("actors:\n  - {name: Wagner Group, kind: group, aliases: [PMC Wagner]}\n"
                       "events:\n  - {name: drone strike, severity: 3, phrases: [drone strike]}\n"
                       "rules:\n  - {name: Wagner hit, actors: [Wagner Group], min_severity: 2}\n")
    diff = monitor("match", "--config", str(config), "--watchlist", str(changed), "--replay", "1d", env={"COLUMNS": "400"})
    assert diff.returncode == 0, diff.stderr
    assert "alerted before, would not now: 1" in diff.stdout, diff.stdout
    assert "rule 'Wagner hit': drone strike found, but no actor it takes (no actor found)" in diff.stdout, diff.stdout
    assert "no rule fires" not in diff.stdout


def test_replay_refuses_a_file_or_json_it_would_ignore(tmp_path: Path) -> None:
    """Regression: `monitor match FILE --replay 7d` replayed and ignored FILE, and `--replay 7d --json` printed
    the table, not JSON, both with exit 0: a script reading JSON, or an analyst trying FILE, was misled."""
    config = write_config(tmp_path)
    article = tmp_path / "a.txt"
    article.write_text("Qassem Suleimani was killed in a drone strike.")
    for args, problem in ((["match", str(article), "--replay", "7d"], "give an article FILE or --replay SPAN, not both"),
                          (["match", "--replay", "7d", "--json"], "--json is for one article: --replay prints a table")):
        result = monitor(*args, "--config", str(config))
        assert result.returncode == 2 and "Traceback" not in result.stderr and result.stdout == "", result.stdout
        [line] = result.stderr.strip().splitlines()
        assert problem in line and "match --help`" in line, line


def test_replay_matches_an_article_stored_before_the_text_cap_to_the_cap_as_it_was_matched(tmp_path: Path) -> None:
    """Regression: an article stored before texts were cut to TEXT_CHARS (or by another tool) was re-matched whole by
    `monitor match --replay`: an alert was listed that the daemon, matching the first TEXT_CHARS, would never send,
    and a hostile megabyte of watched names cost what the cap is there to spare. Replay cuts title and text as
    ingest does."""
    from sqlalchemy import update

    from monitor.store.tables import ArticleRow
    from monitor.text_norm import TEXT_CHARS

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "quiet.txt").write_text("Harvest report\n\nThe wheat harvest was good this year in the north.\n")
    config = write_config(tmp_path, folders=[inbox])
    assert monitor("once", "--config", str(config)).returncode == 0
    long_text = "The wheat harvest was good this year. " * (TEXT_CHARS // 30) + MUTED.split("\n\n")[1]
    with Database(load_settings(config).store.sqlalchemy_url).session() as session:
        session.execute(update(ArticleRow).values(text=long_text))
    same = monitor("match", "--config", str(config), "--replay", "1d")
    assert same.returncode == 0, same.stderr
    assert "would alert now, did not before: none" in same.stdout, same.stdout
