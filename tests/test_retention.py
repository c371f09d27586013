"""Issue 17: `[store] keep_days` and `monitor prune` (with the daemon's housekeeping job), `monitor backup`."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.daemon import Daemon
from monitor.errors import StoreError
from monitor.pipeline import build_pipeline
from monitor.settings import load_settings
from monitor.store.backup import backup
from monitor.store.db import Database
from monitor.store.retention import prune
from monitor.store.tables import ArticleRow, MuteRow
from tests.conftest import sqlite_only, wait_for, write_config
from tests.test_cli import monitor, one_line_error
from tests.test_migrations import T0, counts, first_revision_database


pytestmark = sqlite_only  # the stores here are SQLite files built and read by hand (prune's SQL is the same Core on both)


def store_with_old_and_new_rows(path: Path) -> str:
    """ROWS of test_migrations (fetched and sent at T0, long ago; articles 1 and 2 have alerts), upgraded,
    and one article fetched now."""
    url = first_revision_database(path)
    with sqlite3.connect(path) as conn:  # made without monitor's pragmas: converted as docs/operations.md says
        conn.executescript("PRAGMA auto_vacuum=INCREMENTAL; VACUUM;")
    db = Database(url)
    with db.session() as s:
        s.add(ArticleRow(id=6, source_id=1, title="new", text="new text", content_hash="f" * 64, fetched_at=datetime.now(UTC), story_id=1, shingles=0))
    db.close()
    return url


def test_prune_deletes_old_articles_without_alerts_their_matches_and_sent_deliveries(tmp_path: Path) -> None:
    url = store_with_old_and_new_rows(tmp_path / "monitor.db")
    db = Database(url)
    pruned = prune(db, datetime.now(UTC) - timedelta(days=30), batch=2)  # batches of 2: three transactions of articles
    assert (pruned.articles, pruned.matches, pruned.deliveries, pruned.stories) == (3, 5, 3, 0)
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id")] == [1, 2, 6]  # alerted, alerted, new
        assert sorted(r[0] for r in conn.execute("SELECT DISTINCT article_id FROM matches")) == [1, 2]
        assert conn.execute("SELECT count(*) FROM alerts").fetchone() == (2,) and conn.execute("SELECT count(*) FROM stories").fetchone() == (2,)
        assert conn.execute("PRAGMA freelist_count").fetchone() == (0,)  # vacuumed incrementally
    assert prune(db, datetime.now(UTC) - timedelta(days=30)).articles == 0
    db.close()


def test_a_story_left_without_articles_goes_with_them(tmp_path: Path) -> None:
    url = store_with_old_and_new_rows(tmp_path / "monitor.db")
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        conn.execute("INSERT INTO stories (id, created_at, severity, reported) VALUES (3, ?, 0, '')", (str(T0),))
        conn.execute("UPDATE articles SET story_id = 3 WHERE id IN (4, 5)")
    db = Database(url)
    assert prune(db, datetime.now(UTC) - timedelta(days=30)).stories == 1
    db.close()


def test_monitor_prune_says_what_it_removed_and_needs_days(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    store_with_old_and_new_rows(tmp_path / "monitor.db")
    assert "keep_days is 0 (keep everything): give --days N" in one_line_error(monitor("prune", "--config", str(config)))
    result = monitor("prune", "--days", "30", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "3 articles, 5 matches, 3 sent deliveries, 0 stories left without articles" in result.stdout
    assert counts(f"sqlite:///{tmp_path / 'monitor.db'}")["articles"] == 3
    one = monitor("prune", "--days", "1", "--config", str(config))
    assert one.returncode == 0 and "older than 1 day (before" in one.stdout  # it said "1 days" (found by helper xpg)


def test_a_prune_says_counts_of_one_in_the_singular() -> None:
    """Regression (found by helper xops): `monitor prune` (and the daemon's housekeeping line) said "1 articles, 1 matches,
    1 sent deliveries, 1 stories left without articles, 1 read files gone from their folders; 1 bytes freed"."""
    from monitor.store.retention import Pruned

    assert Pruned(1, 1, 1, 1, 1, files=1).describe() == ("1 article, 1 match, 1 sent delivery, 1 story left without articles, "
                                                        "1 read file gone from its folder; 1 byte freed")
    assert Pruned(2, 0, 2, 2, 4096, files=2).describe() == ("2 articles, 0 matches, 2 sent deliveries, 2 stories left without articles, "
                                                           "2 read files gone from their folders; 4096 bytes freed")


def test_the_daemons_housekeeping_job_prunes_what_is_older_than_keep_days(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = write_config(tmp_path, settings={"store": {"keep_days": 30}})
    store_with_old_and_new_rows(tmp_path / "monitor.db")
    daemon = Daemon(build_pipeline(load_settings(config)))
    with caplog.at_level("INFO", logger="monitor"):
        daemon.start()
        try:
            assert daemon.scheduler.get_job("housekeeping") is not None
            wait_for(lambda: "housekeeping: pruned what is older than 30 days: 3 articles" in caplog.text)
        finally:
            daemon.shutdown()
    assert counts(f"sqlite:///{tmp_path / 'monitor.db'}")["articles"] == 3


def test_a_backup_taken_while_a_writer_writes_opens_and_has_the_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    db = Database(url)
    stop, written = threading.Event(), [0]

    def writer() -> None:
        while not stop.is_set():
            with db.session() as s:
                s.add(MuteRow(name=f"actor {written[0]}", until=datetime.now(UTC)))
            written[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_for(lambda: written[0] >= 200)
        before = written[0]
        (tmp_path / "backups").mkdir()
        copy = backup(url, tmp_path / "backups")  # a folder: monitor-<UTC time>.db in it
        assert thread.is_alive()  # the writer wrote on throughout
    finally:
        stop.set()
        thread.join()
    assert copy.parent == tmp_path / "backups" and copy.name.startswith("monitor-") and copy.suffix == ".db"
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert before <= conn.execute("SELECT count(*) FROM mutes").fetchone()[0] <= written[0]
    Database(f"sqlite:///{copy}").close()  # the copy is a store monitor opens
    with pytest.raises(StoreError, match="exists: give a new file or a folder"):
        backup(url, copy)
    with pytest.raises(StoreError, match=r"there is no folder .*nowhere: create it, or give another path$"):  # was SQLite's "unable to open database file"
        backup(url, tmp_path / "nowhere" / "copy.db")
    db.close()


def test_monitor_backup_writes_a_copy_and_says_pg_dump_for_postgresql(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    store_with_old_and_new_rows(tmp_path / "monitor.db")
    result = monitor("backup", str(tmp_path / "copy.db"), "--config", str(config))
    assert result.returncode == 0 and f"to {tmp_path / 'copy.db'}" in result.stdout, result.stderr
    assert counts(f"sqlite:///{tmp_path / 'copy.db'}") == counts(f"sqlite:///{tmp_path / 'monitor.db'}")
    missing = tmp_path / "no-such-folder" / "copy.db"  # it said "cannot back up ...: unable to open database file"
    assert one_line_error(monitor("backup", str(missing), "--config", str(config))) == (
        f"monitor: error: {missing}: there is no folder {missing.parent}: create it, or give another path")
    pg = write_config(tmp_path, settings={"store": {"url": "postgresql+psycopg://monitor:s3cret@db.example/monitor"}})
    line = one_line_error(monitor("backup", str(tmp_path / "pg.db"), "--config", str(pg)))
    assert "is not a SQLite file: back it up with pg_dump" in line and "s3cret" not in line


def test_monitor_backup_to_a_missing_folder_given_with_a_slash_makes_no_file_of_that_name(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    store_with_old_and_new_rows(tmp_path / "monitor.db")
    folder = tmp_path / "backups"  # `monitor backup /srv/backups/` wrote the copy to a file named /srv/backups
    assert one_line_error(monitor("backup", f"{folder}/", "--config", str(config))) == (
        f"monitor: error: {folder}/: there is no folder {folder}: create it, or give another path")
    assert not folder.exists()
    folder.mkdir()
    result = monitor("backup", f"{folder}/", "--config", str(config))
    assert result.returncode == 0 and [p.name.startswith("monitor-") for p in folder.iterdir()] == [True], result.stderr


def test_a_stop_during_a_long_prune_ends_after_the_batch_under_way(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression: the first prune of a store kept for a year (keep_days set later) runs at the start, some
    4,000 articles a second; a stop waited for all of it, past the unit's TimeoutStopSec (60 s) for a few
    hundred thousand articles, and was SIGKILLed. Now the prune ends after its batch under way, says so,
    and the next start's prune goes on."""
    config = write_config(tmp_path, settings={"store": {"keep_days": 30}})
    Database(f"sqlite:///{tmp_path / 'monitor.db'}").close()
    old = (datetime.now(UTC) - timedelta(days=400)).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        conn.execute("INSERT INTO sources (id, name, kind, location, origin, enabled, suspended, full_text, error_count, last_new_items) "
                     "VALUES (1, 'wire', 'feed', 'http://example.org/f.xml', 'added', 1, 0, 0, 0, 0)")
        conn.executemany("INSERT INTO articles (id, source_id, title, text, canonical_url, guid, content_hash, fetched_at, shingles) "
                         "VALUES (?, 1, 't', 'text of an old article', ?, ?, ?, ?, 0)",
                         ((i, f"http://example.org/{i}", f"g{i}", f"{i:064x}", old) for i in range(1, 150_001)))
        conn.executemany("INSERT INTO matches (article_id, kind, name, alias, found, start, \"end\", score, severity) "
                         "VALUES (?, 'actor', 'Iran', 'Iran', 'Iran', 0, 4, 1.0, 0)", ((i,) for i in range(1, 150_001)))
    daemon = Daemon(build_pipeline(load_settings(config)))
    with caplog.at_level("INFO", logger="monitor"):
        daemon.start()
        try:
            wait_for(lambda: counts(f"sqlite:///{tmp_path / 'monitor.db'}")["articles"] < 150_000, timeout=30)
        finally:
            started = time.monotonic()
            daemon.stopping.set()  # what SIGTERM does
            daemon.shutdown()
            took = time.monotonic() - started
    left = counts(f"sqlite:///{tmp_path / 'monitor.db'}")["articles"]
    assert took < 5 and left > 0, (took, left)
    assert "stopped with the daemon, the rest at the next prune" in caplog.text


def test_a_backup_over_the_partial_file_a_killed_backup_left_is_made_whole(tmp_path: Path) -> None:
    """Regression (found by helper xpg): a `monitor backup` killed (or its machine lost) leaves `PATH.partial`;
    the next `monitor backup PATH` failed with 'file is not a database' (SQLite opened the leftover)."""
    config = write_config(tmp_path)
    store_with_old_and_new_rows(tmp_path / "monitor.db")
    (tmp_path / "copy.db.partial").write_bytes(b"half a page of a copy cut short")
    result = monitor("backup", str(tmp_path / "copy.db"), "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert counts(f"sqlite:///{tmp_path / 'copy.db'}") == counts(f"sqlite:///{tmp_path / 'monitor.db'}")
    assert not (tmp_path / "copy.db.partial").exists()


@sqlite_only  # a SQLite file's companions
@pytest.mark.parametrize("suffix", ["-wal", "-journal", "-shm"])
def test_monitor_backup_refuses_the_stores_own_wal_journal_and_shm_files(tmp_path: Path, suffix: str) -> None:
    """Regression (found by helper xupgrade): `monitor backup var/monitor.db-wal` (or -journal) while no daemon ran
    said "backed up ... to var/monitor.db-wal", and the next verb to open the store took it for the store's own
    log, not a valid one, and deleted it: the backup taken before an upgrade was gone. Refused in one line now."""
    config = write_config(tmp_path)
    store_with_old_and_new_rows(tmp_path / "monitor.db")
    target = tmp_path / f"monitor.db{suffix}"
    target.unlink(missing_ok=True)
    line = one_line_error(monitor("backup", str(target), "--config", str(config)))
    assert line == (f"monitor: error: {target}: a file SQLite keeps beside the store {tmp_path / 'monitor.db'} (it would delete or "
                    "overwrite the copy): give another path"), line
    assert not target.exists()


def test_keep_days_0_keeps_every_article_but_forgets_files_gone_from_their_folder(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """With `keep_days = 0` (the default) the housekeeping job did nothing, so `seen_files` kept a row for every file
    ever read in a folder fed and emptied daily, for ever. Files read over a day ago and gone are now forgotten; the
    others stay (a restart reads nothing again), and every article is kept."""
    from monitor.store.db import utcnow
    from monitor.store.tables import SeenFileRow
    from tests.conftest import DISTINCT_STORIES, inbox_with, query

    inbox = inbox_with(tmp_path, DISTINCT_STORIES[:3])
    config = write_config(tmp_path, folders=[inbox])
    pipeline = build_pipeline(load_settings(config))
    pipeline.scan_folders()
    assert query(tmp_path, "SELECT count(*) FROM seen_files") == [(3,)]
    gone = sorted(inbox.iterdir())[:2]
    for path in gone:
        path.unlink()
    with pipeline.db.session() as s:
        s.execute(SeenFileRow.__table__.update().where(SeenFileRow.path == str(gone[0].resolve())).values(seen_at=utcnow() - timedelta(days=2)))
    pipeline.close()
    daemon = Daemon(build_pipeline(load_settings(config)))
    with caplog.at_level("INFO", logger="monitor"):
        daemon.start()
        try:
            wait_for(lambda: "housekeeping: forgot 1 read file gone from its folder (keep_days = 0: every article kept)" in caplog.text)
        finally:
            daemon.shutdown()
    assert sorted(p for (p,) in query(tmp_path, "SELECT path FROM seen_files")) == sorted(
        str(p.resolve()) for p in (gone[1], *inbox.iterdir()))  # read a day ago or less, or still there: kept
    assert query(tmp_path, "SELECT count(*) FROM articles") == [(3,)]
