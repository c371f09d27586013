"""One alert per story: syndicated copies join the story quietly, an escalation sends a follow-up
that says what is new, a different story alerts on its own, and the index survives a restart."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.pipeline import Pipeline, build_pipeline
from monitor.settings import load_settings
from monitor.store import stories
from tests.conftest import SEED, JsonReceiver, sqlite_only, write_config
from tests.test_cli import monitor
from tests.test_stories import AGAIN, FIRST, REPOSTED

WIRE = SEED.read_text()
COPY = "Esper says deterrence restored after Soleimani strike\n\n" + WIRE[: int(len(WIRE) * 0.6)] + "\n(Reporting by Staff; Editing by Desk)\n"
ESCALATED = WIRE + "\nIran called the killing an assassination and said Tehran would retaliate against US forces.\n"
OTHER = ("Two rockets hit the Ain al-Asad air base on Tuesday, a week after the Iranian missile barrage, "
         "Iraqi security officials said. Kataeb Hezbollah denied firing the rockets. No one was hurt, they said.")


def drop(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text)
    os.utime(folder / name, (time.time() - 60, time.time() - 60))


def _wire_story_stored(tmp_path: Path, json_receiver: JsonReceiver) -> tuple[Path, Path, Path, Pipeline]:
    """Two watched folders (a wire, another outlet) alerting a JSON receiver; the wire's story stored and alerted."""
    wire, other_outlet = tmp_path / "wire", tmp_path / "outlet"
    wire.mkdir()
    other_outlet.mkdir()
    config = write_config(tmp_path, folders=[wire, other_outlet], channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    drop(wire, "seed.txt", WIRE)
    pipeline.run_once()
    return wire, other_outlet, config, pipeline


def test_copies_join_the_story_and_only_an_escalation_alerts_again(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    wire, other_outlet, config, pipeline = _wire_story_stored(tmp_path, json_receiver)
    assert len(json_receiver.messages) == 1
    assert "Story: 1 article from 1 source so far" in json_receiver.messages[0]["message"]

    drop(other_outlet, "copy.txt", COPY)  # retitled, trimmed to 60 %, a byline added
    pipeline.run_once()
    assert len(json_receiver.messages) == 1  # a copy: no new alert
    [story] = stories.recent_stories(pipeline.db, 5)
    assert (story.articles, story.sources, story.severity) == (2, 2, 3)

    drop(other_outlet, "escalated.txt", ESCALATED)
    pipeline.run_once()
    assert len(json_receiver.messages) == 2
    follow_up = json_receiver.messages[1]
    first_uid = json_receiver.messages[0]["message"].split("Alert id: ")[1].strip()
    assert follow_up["title"].startswith("[follow-up]")
    assert f"Follow-up to alert {first_uid}; new: assassination" in follow_up["message"]
    assert "Story: 3 articles from 2 sources so far" in follow_up["message"]

    drop(wire, "other.txt", OTHER)  # same base and actors, another attack: another story
    pipeline.run_once()
    assert len(json_receiver.messages) == 3 and not json_receiver.messages[2]["title"].startswith("[follow-up]")
    pipeline.db.close()

    restarted = build_pipeline(load_settings(config))  # the index is rebuilt from stored signatures
    drop(other_outlet, "copy-again.txt", COPY.replace("(Reporting by Staff; Editing by Desk)", "(c) Another Outlet 2020"))
    restarted.run_once()
    assert len(json_receiver.messages) == 3
    listing = monitor("stories", "--config", str(config))
    assert listing.returncode == 0 and "Latest stories" in listing.stdout
    assert [(s.articles, s.sources) for s in stories.recent_stories(restarted.db, 5)] == [(1, 1), (4, 2)]


def test_a_follow_up_shows_where_each_new_actor_or_event_was_found(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: a follow-up said 'new: assassination' and quoted only the sentences of its rules, the
    first alert's drone strike: the sentence that made it a follow-up was nowhere in the alert."""
    wire, other_outlet, config, pipeline = _wire_story_stored(tmp_path, json_receiver)
    drop(other_outlet, "escalated.txt", ESCALATED)
    pipeline.run_once()
    pipeline.db.close()
    first, follow_up = (m["message"] for m in json_receiver.messages)
    first_uid = first.split("Alert id: ")[1].strip()
    news = follow_up.split(f"Follow-up to alert {first_uid}; new: ")[1].split(".")[0].split(", ")
    assert "assassination" in news
    assert f"\nNew since alert {first_uid}:\n" in follow_up and "New since" not in first
    said = "“Iran called the killing an assassination and said Tehran would retaliate against US forces.”"
    assert f"\n+ assassination (found “assassination”): {said}\n" in follow_up
    assert all(f"\n+ {name} (found " in follow_up for name in news)
    shown = monitor("alerts", "show", "2", "--config", str(config))
    assert f"+ assassination (found “assassination”): {said}" in shown.stdout, shown.stderr


def test_a_muted_actor_alerts_nobody_until_the_mute_ends(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}])
    muted = monitor("mute", "Kataeb Hezbollah", "--for", "2h", "--config", str(config))
    assert muted.returncode == 0 and "Kataeb Hezbollah: muted until" in muted.stdout
    assert "Kataeb Hezbollah: muted until" in monitor("mute", "--config", str(config)).stdout
    assert "no actor, rule or spike named 'Kataib'" in monitor("mute", "Kataib", "--config", str(config)).stderr

    pipeline = build_pipeline(load_settings(config))
    drop(inbox, "kh.txt", "Kataeb Hezbollah fired rockets at a remote outpost on Sunday.")  # no other watched actor
    pipeline.run_once()
    assert json_receiver.messages == []
    assert stories.recent_stories(pipeline.db, 5)[0].articles == 1  # stored all the same

    assert "unmuted" in monitor("mute", "Kataeb Hezbollah", "--off", "--config", str(config)).stdout
    drop(inbox, "kh2.txt", "In a separate incident, Kataeb Hezbollah launched a drone attack on Erbil airport overnight, killing two.")
    pipeline.run_once()
    assert len(json_receiver.messages) == 1


def test_a_corroboration_rule_waits_for_a_second_source(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text(
        "actors:\n  - name: Kataeb Hezbollah\n    kind: group\n    aliases: [Kata'ib Hizballah]\n"
        "events:\n  - name: rocket attack\n    severity: 2\n    phrases: [rockets]\n"
        "rules:\n  - name: two sources\n    min_sources: 2\n    sources_within: 6\n"
    )
    wire, outlet = tmp_path / "wire", tmp_path / "outlet"
    wire.mkdir()
    outlet.mkdir()
    config = write_config(tmp_path, folders=[wire, outlet], channels=[{"name": "hook", "url": json_receiver.url}], watchlist=watchlist)
    pipeline = build_pipeline(load_settings(config))
    story = ("Kataeb Hezbollah fired rockets at a remote outpost near the border on Sunday, officials said. "
             "Nobody was hurt, a spokesman added, and the group made no statement about the attack afterwards.")
    drop(wire, "a.txt", story)
    drop(wire, "b.txt", story + " Reporting by Staff.")  # the same source again does not corroborate
    pipeline.run_once()
    assert json_receiver.messages == []
    drop(outlet, "c.txt", "Rockets hit outpost. " + story)
    pipeline.run_once()
    assert len(json_receiver.messages) == 1
    assert "Story: 3 articles from 2 sources so far" in json_receiver.messages[0]["message"]


def drop_json(folder: Path, name: str, text: str, published: datetime) -> None:
    drop(folder, name, json.dumps({"title": "Rockets hit Ain al-Asad air base", "text": text, "published": published.isoformat()}))


@pytest.mark.parametrize(("apart", "alerts"), [(timedelta(days=12), 2), (timedelta(hours=2), 1)])
def test_a_recurring_incident_is_a_new_story_after_the_window(tmp_path: Path, json_receiver: JsonReceiver, apart: timedelta, alerts: int) -> None:
    """Regression (issue 14, item 24): a look-alike incident at the same place twelve days later joined
    the first one's story and never alerted. Two hours later it is the same story; a near-identical
    copy re-posted twelve days later still joins."""
    wire, outlet = tmp_path / "wire", tmp_path / "outlet"
    wire.mkdir()
    outlet.mkdir()
    config = write_config(tmp_path, folders=[wire, outlet], channels=[{"name": "hook", "url": json_receiver.url}])
    now = datetime.now(UTC)
    pipeline = build_pipeline(load_settings(config))
    drop_json(wire, "first.json", FIRST, now - apart)
    pipeline.run_once()
    assert len(json_receiver.messages) == 1
    pipeline.db.close()

    restarted = build_pipeline(load_settings(config))  # the index is rebuilt with the articles' times
    drop_json(outlet, "again.json", AGAIN, now)  # the same place and wording, other numbers and day
    restarted.run_once()
    assert len(json_receiver.messages) == alerts
    assert not json_receiver.messages[-1]["title"].startswith("[follow-up]")
    assert [s.articles for s in stories.recent_stories(restarted.db, 5)] == ([1, 1] if alerts == 2 else [2])

    drop_json(outlet, "reposted.json", REPOSTED, now)  # the first report again, with a byline, `apart` later
    restarted.run_once()
    assert len(json_receiver.messages) == alerts
    assert [s.articles for s in stories.recent_stories(restarted.db, 5)] == ([1, 2] if alerts == 2 else [3])


def test_an_alert_with_more_rule_hits_than_it_quotes_says_how_many_more_and_whose(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: an alert quotes five rule hits; a sixth and seventh (other actors in the same attack) were
    left out without a word, so the alert read as if they had fired no rule."""
    wire = tmp_path / "wire"
    wire.mkdir()
    text = ("Rockets hit the base\n\nKataeb Hezbollah, the Popular Mobilization Forces, the IRGC, Hezbollah, Qasem Soleimani, "
            "Abu Mahdi al-Muhandis and Iraq were named as a rocket attack hit the base.\n")
    drop(wire, "many.txt", text)
    config = write_config(tmp_path, folders=[wire], channels=[{"name": "hook", "url": json_receiver.url}])
    pipeline = build_pipeline(load_settings(config))
    pipeline.run_once()
    pipeline.db.close()
    [message] = (m["message"] for m in json_receiver.messages)
    quoted = [line for line in message.splitlines() if line.startswith("* ")]
    assert len(quoted) == 6, message  # five hits, then the line that says what was left out
    assert quoted[-1].startswith("* and ") and "more rule hits (monitor match on the article shows them all): " in quoted[-1], quoted[-1]


def test_a_json_receiver_is_told_an_articles_alert_from_its_follow_up(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: json:// payloads carried no `kind` and no `follow_up`: a receiver could tell a follow-up from a
    new story's alert only by the "[follow-up]" of its title."""
    wire, other_outlet, config, pipeline = _wire_story_stored(tmp_path, json_receiver)
    drop(other_outlet, "escalated.txt", ESCALATED)
    pipeline.run_once()
    first, follow_up = json_receiver.messages
    assert (first["kind"], first["follow_up"]) == ("article", None)
    assert (follow_up["kind"], follow_up["follow_up"]) == ("article", first["uid"])
    pipeline.db.close()


def test_the_log_says_why_an_article_whose_rules_fired_did_not_alert(tmp_path: Path, json_receiver: JsonReceiver, caplog: pytest.LogCaptureFixture) -> None:
    """Regression: an article whose rules fired but that raised no alert was logged "article 2 from outlet: no
    alert", at debug level, whatever kept it silent: a mute, a rule waiting for a second source, or a copy of a
    story already alerted. The analyst reading the log could not tell a miss of the watchlist from one of these."""
    wire, other_outlet, config, pipeline = _wire_story_stored(tmp_path, json_receiver)
    caplog.set_level("INFO", logger="monitor")
    drop(other_outlet, "copy.txt", COPY)
    pipeline.run_once()
    said = [r.getMessage() for r in caplog.records if "no alert" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith(f"article 2 from {other_outlet}: rules fired, no alert: a copy of a story already alerted (alert ")
    assert said[0].endswith("nothing new, no higher severity)")
    caplog.clear()
    assert monitor("mute", "Qasem Soleimani", "--for", "2h", "--config", str(config)).returncode == 0
    assert monitor("mute", "watched actor in a violent event", "--for", "2h", "--config", str(config)).returncode == 0
    drop(wire, "other.txt", OTHER)
    pipeline.run_once()
    said = [r.getMessage() for r in caplog.records if "no alert" in r.getMessage()]
    assert said == [f"article 3 from {wire}: rules fired, no alert: muted (watched actor in a violent event)"]
    pipeline.db.close()


@sqlite_only
def test_the_latest_stories_cost_the_same_however_many_articles_are_stored(tmp_path: Path) -> None:
    """Regression (xweb, session 40): `monitor stories -n 5` grouped the whole articles table (every story's count
    of copies and sources) to show 5 of them, at each call: its work grew with the store. It now takes the newest
    stories first and counts only their articles (the index on articles.story_id), as the web view's page does."""
    from sqlalchemy import event, insert

    from monitor.store.db import Database
    from monitor.store.tables import ArticleRow, SourceRow, StoryRow

    def steps_to_list(articles: int) -> int:
        db = Database(f"sqlite:///{tmp_path / f'{articles}.db'}")
        now = datetime.now(UTC)
        with db.engine.begin() as connection:
            connection.execute(insert(SourceRow), [{"id": 1, "name": "wire", "kind": "folder", "location": "/wire"}])
            connection.execute(insert(StoryRow), [{"id": n, "created_at": now} for n in range(1, articles // 2 + 1)])
            connection.execute(insert(ArticleRow), [{"source_id": 1, "title": f"story {n // 2}", "text": "text", "guid": str(n), "content_hash": str(n),
                                                     "fetched_at": now, "story_id": n // 2 + 1} for n in range(articles)])
        steps = [0]

        def count(dbapi_connection: object, *_: object) -> None:
            dbapi_connection.set_progress_handler(lambda: steps.__setitem__(0, steps[0] + 1), 100)  # type: ignore[attr-defined]

        event.listen(db.engine, "checkout", count)
        try:
            listed = stories.recent_stories(db, 5)
        finally:
            db.engine.dispose()
        assert [(s.id, s.articles, s.sources, s.title) for s in listed] == [(n, 2, 1, f"story {n - 1}") for n in range(articles // 2, articles // 2 - 5, -1)]
        return steps[0]

    small, large = steps_to_list(2_000), steps_to_list(40_000)
    assert large < 2 * small + 20, (small, large)


@sqlite_only
def test_the_latest_stories_are_listed_however_many_are_asked_for(tmp_path: Path) -> None:
    """Regression (xweb, session 40, of e3e29d6): the newest stories' ids were bound one parameter each in the query
    counting their articles, so `monitor stories -n 300000` on a store of more stories than SQLite takes variables
    (250,000 here; PostgreSQL's protocol takes 65,535) failed ('too many SQL variables'). The limit is SQLite's own,
    lowered to 50 for the test (sqlite3's setlimit) so as not to store 250,000 stories."""
    import sqlite3

    from sqlalchemy import event, insert

    from monitor.store.db import Database
    from monitor.store.tables import ArticleRow, SourceRow, StoryRow

    db = Database(f"sqlite:///{tmp_path / 'monitor.db'}")
    now = datetime.now(UTC)
    with db.engine.begin() as connection:
        connection.execute(insert(SourceRow), [{"id": 1, "name": "wire", "kind": "folder", "location": "/wire"}])
        connection.execute(insert(StoryRow), [{"id": n, "created_at": now} for n in range(1, 201)])
        connection.execute(insert(ArticleRow), [{"source_id": 1, "title": f"story {n}", "text": "text", "guid": str(n), "content_hash": str(n),
                                                 "fetched_at": now, "story_id": n} for n in range(1, 201)])
    event.listen(db.engine, "checkout", lambda dbapi_connection, *_: dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 50))
    try:
        listed = stories.recent_stories(db, 1_000)
    finally:
        db.engine.dispose()
    assert [s.id for s in listed] == list(range(200, 0, -1)) and listed[0].title == "story 200"
