"""The store as an operator meets it: a locked database, an older database, a second daemon on one database."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from monitor.daemon import BACKOFF_MAX, Guarded
from monitor.errors import StoreError
from monitor.store import sources
from monitor.store.db import SQLITE_CACHE_KIB, Database, unavailable_reason
from monitor.store.lock import single_daemon
from tests.conftest import sqlite_only, write_config
from tests.test_cli import monitor, one_line_error


def locked_by_another(path: Path) -> sqlite3.Connection:
    """A second connection holding the database's write lock (BEGIN EXCLUSIVE) until it rolls back."""
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    return blocker


@sqlite_only
def test_a_locked_database_is_a_store_error_with_the_driver_reason(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'monitor.db'}", busy_timeout=0.05)
    blocker = locked_by_another(tmp_path / "monitor.db")
    with pytest.raises(StoreError, match=r"monitor\.db: database is locked$"):
        sources.ensure_source(db, "wire", "feed", "https://wire.example/rss")
    blocker.rollback()
    assert sources.ensure_source(db, "wire", "feed", "https://wire.example/rss") == 1


def test_a_full_or_read_only_database_says_what_to_do(tmp_path: Path) -> None:
    """The store's line named the file and SQLite's words ("disk I/O error") but not what to do."""
    full = sqlite3.connect(tmp_path / "full.db")
    full.execute("PRAGMA max_page_count = 2")
    full.execute("CREATE TABLE t (x BLOB)")
    with pytest.raises(sqlite3.OperationalError) as raised:
        full.execute("INSERT INTO t VALUES (zeroblob(100000))")
    assert unavailable_reason(OperationalError("INSERT", None, raised.value)) == "database or disk is full: free space on its file system"
    read_only = sqlite3.connect(f"file:{tmp_path / 'full.db'}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raised:
        read_only.execute("INSERT INTO t VALUES (1)")
    assert unavailable_reason(OperationalError("INSERT", None, raised.value)) == (
        "attempt to write a readonly database: make the file, its -wal and -shm files and their folder writable by the daemon's user")
    assert unavailable_reason(OperationalError("SELECT", None, sqlite3.OperationalError("database is locked"))) == "database is locked"


@sqlite_only
def test_a_database_file_removed_or_replaced_under_the_daemon_is_a_store_error(tmp_path: Path) -> None:
    """The file removed (or a backup moved in its place) while a daemon ran: the daemon went on writing to
    the old file, unseen (healthz ok), and its next start began an empty store that alerted on everything again."""
    path = tmp_path / "monitor.db"
    db = Database(f"sqlite:///{path}")
    assert sources.ensure_source(db, "wire", "feed", "https://wire.example/rss") == 1
    path.rename(tmp_path / "aside.db")
    with pytest.raises(StoreError, match=r"monitor\.db: the database file was removed or replaced while monitor had it open: put it back"):
        sources.ensure_source(db, "wire", "feed", "https://wire.example/rss")
    with pytest.raises(StoreError, match="removed or replaced"), db.transaction():
        pass
    (tmp_path / "aside.db").rename(path)  # put back: the same file again
    assert sources.ensure_source(db, "wire", "feed", "https://wire.example/rss") == 1
    shutil.copy(path, tmp_path / "copy.db")
    (tmp_path / "copy.db").replace(path)  # a copy (a restored backup) in its place
    with pytest.raises(StoreError, match="removed or replaced"):
        sources.ensure_source(db, "wire", "feed", "https://wire.example/rss")
    db.close()


def test_a_run_begun_before_the_store_failed_does_not_say_it_is_back(caplog: pytest.LogCaptureFixture) -> None:
    """A feed poll that began before the store failed (polls overlap; one cancelled at a stop) ended without
    error and logged "store available again" while the store still failed: at every stop after a failure."""
    now = [0.0]
    runs: list[str] = []

    def job() -> None:
        runs.append("run")
        if len(runs) == 1:  # a long poll: meanwhile the next one meets the failed store
            now[0] = 1.0
            guarded()
        elif len(runs) == 2:
            raise StoreError("monitor.db: database or disk is full")

    guarded = Guarded("feeds", job, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="monitor"):
        guarded()
        assert guarded.cause.startswith("store unavailable")
        assert not any("available again" in r.getMessage() for r in caplog.records)
        now[0] = 3.0  # after the back-off, a run that works
        guarded()
    assert guarded.cause == "" and [r.getMessage() for r in caplog.records if "available again" in r.getMessage()] == [
        "store available again: feeds job runs as scheduled (it had failed: store unavailable (monitor.db: database or disk is full))"]


@sqlite_only
def test_the_heartbeat_on_a_locked_store_is_tried_at_each_run_not_backed_off(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by helper xpg2): the heartbeat backed off like the other jobs, up to BACKOFF_MAX (60 s), so after
    an outage of the store it renewed the daemon's row up to a minute late; with a lease under that, the other daemons
    took it as gone meanwhile (and retired the sources only its config lists). It is tried at each of its runs, saying
    the cause once."""
    db = Database(f"sqlite:///{tmp_path / 'monitor.db'}", busy_timeout=0.05)
    attempts: list[float] = []
    now = [0.0]

    def beat() -> None:
        attempts.append(now[0])
        sources.ensure_source(db, f"feed {len(attempts)}", "feed", f"https://wire.example/{len(attempts)}")

    guarded = Guarded("heartbeat", beat, clock=lambda: now[0], backs_off=False)
    blocker = locked_by_another(tmp_path / "monitor.db")
    with caplog.at_level(logging.INFO, logger="monitor"):
        for tick in range(6):  # scheduled every 10 s
            now[0] = tick * 10.0
            guarded()
        assert attempts == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert warnings == [f"store unavailable ({tmp_path / 'monitor.db'}: database is locked): heartbeat job fails at each of its runs until it works again"]
        blocker.rollback()
        now[0] = 60.0
        guarded()
        assert len(attempts) == 7 and "store available again: heartbeat job runs as scheduled" in caplog.records[-1].getMessage()
    db.close()


def test_a_job_on_a_locked_store_logs_one_line_backs_off_and_says_when_it_is_back(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (issue 14, item 14): a lock held over the busy timeout gave a traceback at every run."""
    db = Database(f"sqlite:///{tmp_path / 'monitor.db'}", busy_timeout=0.05)
    attempts: list[float] = []
    now = [0.0]

    def job() -> None:
        attempts.append(now[0])
        sources.ensure_source(db, f"feed {len(attempts)}", "feed", f"https://wire.example/{len(attempts)}")

    guarded = Guarded("feeds", job, clock=lambda: now[0])
    blocker = locked_by_another(tmp_path / "monitor.db")
    with caplog.at_level(logging.INFO, logger="monitor"):
        for tick in range(40):  # the job is scheduled every 0.5 s for 20 s
            now[0] = tick * 0.5
            guarded()
        assert attempts == [0.0, 1.0, 3.0, 7.0, 15.0]  # back-off 1, 2, 4, 8 s
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert warnings == [f"store unavailable ({tmp_path / 'monitor.db'}: database is locked): feeds job backs off 1 s, doubling up to {BACKOFF_MAX:g} s, until it works again"]
        assert not any(r.exc_info or r.exc_text for r in caplog.records)

        blocker.rollback()
        now[0] = 31.0  # the back-off from the run at 15 s has passed
        guarded()
        assert len(attempts) == 6
        assert "store available again: feeds job runs as scheduled" in caplog.records[-1].getMessage()
        now[0] = 31.5
        guarded()  # no back-off any more
        assert len(attempts) == 7
    assert len(sources.list_sources(db)) == 2


def test_a_bug_in_a_job_is_not_taken_for_a_store_failure() -> None:
    guarded = Guarded("feeds", lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        guarded()


def older_database(path: Path) -> None:
    """A database made before migrations (no alembic_version) whose seen_files table lacks a column, as an older monitor left it."""
    Database(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE seen_files DROP COLUMN mtime_ns")
        conn.execute("DROP TABLE alembic_version")


@sqlite_only
def test_an_older_database_is_refused_in_one_sentence_that_says_what_to_do(tmp_path: Path) -> None:
    """Regression (issue 14, item 16): an older database opened, then every job raised every 5 s."""
    older_database(tmp_path / "monitor.db")
    with pytest.raises(StoreError) as caught:
        Database(f"sqlite:///{tmp_path / 'monitor.db'}")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'monitor.db'}: table seen_files lacks column mtime_ns: this database is from an older monitor; back it up")
    assert "\n" not in message and "monitor db upgrade" in message


@sqlite_only
def test_a_second_daemon_on_one_database_is_refused_naming_the_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'monitor.db'}"
    with single_daemon(url, "monitor run"):
        with pytest.raises(StoreError, match=r"monitor\.db is in use by `monitor run` \(pid \d+ on .+, since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)"):
            with single_daemon(url, "monitor once"):
                pass
    with single_daemon(url, "monitor once"):  # released at the end of the block
        pass
    with single_daemon("sqlite://", "monitor run"), single_daemon("sqlite://", "monitor run"):  # in memory: nothing shared
        pass


def read_only(path: Path, on: bool) -> None:
    """Make a SQLite file (and its WAL) unwritable, or writable again: chmod, or for root, who ignores
    modes, the immutable attribute (the -shm file is left alone: SQLite maps it in memory)."""
    files = [path, path.with_name(path.name + "-wal")]
    if os.geteuid() != 0:
        for f in [*files, path.parent]:
            f.chmod((0o444 | (0o111 if f.is_dir() else 0)) if on else (0o755 if f.is_dir() else 0o644))
        return
    result = subprocess.run(["chattr", "+i" if on else "-i", *map(str, files)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot make a file immutable here: {result.stderr.strip()}")


@sqlite_only
def test_a_job_on_a_read_only_database_logs_one_line_and_recovers_when_it_is_writable(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (issue 14, item 14): an immutable database gave a traceback at every run."""
    path = tmp_path / "var" / "monitor.db"
    db = Database(f"sqlite:///{path}")
    sources.ensure_source(db, "feed 0", "feed", "https://wire.example/0")
    now = [0.0]
    runs: list[int] = []

    def job() -> None:
        runs.append(sources.ensure_source(db, f"feed {len(runs) + 1}", "feed", f"https://wire.example/{len(runs) + 1}"))

    guarded = Guarded("folders", job, clock=lambda: now[0])
    read_only(path, True)
    try:
        with caplog.at_level(logging.INFO, logger="monitor"):
            for tick in range(20):
                now[0] = tick * 0.5
                guarded()
    finally:
        read_only(path, False)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].startswith(f"store unavailable ({path}: ") and "folders job backs off 1 s" in warnings[0], warnings
    assert runs == [] and not any(r.exc_info or r.exc_text for r in caplog.records)
    now[0] = 100.0
    with caplog.at_level(logging.INFO, logger="monitor"):
        guarded()
    assert len(runs) == 1 and "store available again: folders job" in caplog.records[-1].getMessage()


def test_a_file_a_job_cannot_write_is_one_line_too(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    guarded = Guarded("dispatch", lambda: (tmp_path / "gone" / "alerts.jsonl").write_text("{}"), clock=lambda: 0.0)
    with caplog.at_level(logging.INFO, logger="monitor"):
        guarded()
        guarded()  # backing off: not run, not logged
        (tmp_path / "gone").mkdir()
        guarded.clock = lambda: 2.0
        guarded()
    assert [r.getMessage() for r in caplog.records] == [
        f"files unavailable (No such file or directory: {tmp_path / 'gone' / 'alerts.jsonl'}): dispatch job backs off 1 s, doubling up to 60 s, until it works again",
        f"files available again: dispatch job runs as scheduled (it had failed: files unavailable (No such file or directory: {tmp_path / 'gone' / 'alerts.jsonl'}))",
    ]


@sqlite_only
def test_each_sqlite_connection_keeps_a_small_page_cache(tmp_path: Path) -> None:
    """Issue 21's memory: SQLite's default page cache is 2,000 KiB per connection; the store's is SQLITE_CACHE_KIB."""
    db = Database(f"sqlite:///{tmp_path / 'monitor.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_CACHE_KIB
    assert SQLITE_CACHE_KIB < 2000


@pytest.fixture
def full_store(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A SQLite store on a file system of 512 KiB filled to its last byte, and a config on it: (the file system's
    folder, the config). Skips where no file system can be mounted."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.strip()}")
    try:
        config = write_config(tmp_path, settings={"store": {"path": str(disk / "monitor.db")}})
        Database(f"sqlite:///{disk / 'monitor.db'}").close()
        filler = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
        with contextlib.suppress(OSError):
            while True:
                os.write(filler, b"\0" * 4096)
        os.close(filler)
        yield disk, config
    finally:
        subprocess.run(["umount", str(disk)], check=False)


@sqlite_only
def test_a_store_on_a_full_file_system_is_refused_in_one_line_saying_so(full_store: tuple[Path, Path]) -> None:
    """Regression (found by helper xpg): every verb and `monitor run` on a SQLite store whose file system had
    filled said 'cannot open database ...: disk I/O error' (SQLite could not make its -wal and -shm files),
    naming no full disk and no remedy."""
    disk, config = full_store
    for verb in (["prune", "--days", "30"], ["mute", "Qasem Soleimani"]):  # verbs that write (those that only read still read: the test below)
        line = one_line_error(monitor(*verb, "--config", str(config)))
        assert line.startswith(f"monitor: error: cannot open database {disk / 'monitor.db'}: ") and "file system is full" in line, line
        assert "free space on it" in line


@sqlite_only
def test_verbs_that_only_read_still_read_a_store_whose_file_system_is_full(full_store: tuple[Path, Path]) -> None:
    """Regression (found by helper xops): on a full file system every verb failed on a SQLite store that no
    daemon had open, even those that only read (`alerts`, `status`, `stories`, ...): WAL mode needs its -shm
    file, which SQLite could not make. They now read the file as it stands (SQLite's `immutable` open: it
    holds every commit, its -wal being empty), with one line saying why; what writes is still refused."""
    from monitor.dedup import to_article
    from monitor.model import Document, MatchResult
    from monitor.store.articles import NewAlert, save_article
    from monitor.store.db import utcnow
    from monitor.store.sources import ensure_source

    disk, config = full_store
    filler = (disk / "filler").read_bytes()
    (disk / "filler").unlink()
    db = Database(f"sqlite:///{disk / 'monitor.db'}")
    source_id = ensure_source(db, "inbox", "folder", str(disk))
    article = to_article(Document(source="inbox", title="Airstrike", text="text of the story"))
    assert save_article(db, source_id, article, MatchResult(), NewAlert("uid00001", 3, ("default",), "Airstrike", "body", ("file",)), utcnow())
    db.close()
    assert not (disk / "monitor.db-wal").exists()  # no daemon has it open: SQLite must make its -wal and -shm to read it
    with contextlib.suppress(OSError), open(disk / "filler", "wb") as refill:
        refill.write(filler + b"\0" * (1 << 20))
    said = f"{disk / 'monitor.db'}: its file system is full: read as the file stands (nothing can be written to it): free space on it"
    for verb, shows in ((["alerts"], "Airstrike"), (["alerts", "show", "1"], "Airstrike"),
                        (["stories"], "Airstrike"), (["sources"], "inbox"), (["status"], str(disk / "monitor.db")),
                        (["mute"], "nothing is muted"), (["db", "current"], "0")):
        result = monitor(*verb, "--config", str(config))
        assert result.returncode == 0 and shows in result.stdout, (verb, result.stdout, result.stderr)
        assert result.stderr.strip() == said, verb
    for verb in (["prune", "--days", "30"], ["alerts", "retry", "--failed"]):  # what writes: refused, saying why
        result = monitor(*verb, "--config", str(config))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        line = result.stderr.strip().splitlines()[-1]
        assert line.startswith("monitor: error: ") and "file system is full" in line and "free space on it" in line and "writable" not in line, line


@sqlite_only
def test_run_and_once_on_a_full_file_system_say_so_in_one_line_not_a_traceback(full_store: tuple[Path, Path]) -> None:
    """Regression (found by helper xpg): the daemon lock beside the store writes its holder's line; on a full
    file system, into a new lock file, that write raised, and `monitor run` and `monitor once` ended in a traceback (OSError: No space
    left on device). The lock is held without the line; the store's own refusal then says what to do."""
    disk, config = full_store
    assert not (disk / "monitor.db.lock").exists()  # a store made by another program, or a lock file deleted
    for verb in ("once", "run"):
        line = one_line_error(monitor(verb, "--config", str(config)))
        assert line.startswith(f"monitor: error: cannot open database {disk / 'monitor.db'}: ") and "file system is full" in line, line


@sqlite_only
def test_a_backup_of_a_store_on_a_full_file_system_says_which_file_system_is_full(tmp_path: Path, full_store: tuple[Path, Path]) -> None:
    """Regression (found by helper xpg): `monitor backup` of a store whose file system had filled said
    'cannot back up ...: disk I/O error' (SQLite could not make the store's -shm file), naming no full disk."""
    disk, config = full_store
    line = one_line_error(monitor("backup", str(tmp_path / "copy.db"), "--config", str(config)))
    assert line.startswith(f"monitor: error: cannot back up {disk / 'monitor.db'} to {tmp_path / 'copy.db'}: ")
    assert f"the store's file system ({disk}) is full" in line and "free space on it" in line, line


@sqlite_only
def test_a_new_store_and_its_backup_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    """Regression (found by helper xsecrets): a new SQLite store was made with the umask's mode (0644 with the usual
    0022), readable by every local user, though it holds the feeds' URLs as polled (their passwords and tokens,
    `${ENV}` values written out); its -wal and -shm files take its mode, and `monitor backup` made copies so too."""
    from monitor.store.backup import backup

    old = os.umask(0o022)
    try:
        db = Database(f"sqlite:///{tmp_path / 'monitor.db'}")
        sources.add_feed(db, "private", "https://feeds.example/rss?token=Zq7secret", None)
        copy = backup(f"sqlite:///{tmp_path / 'monitor.db'}", tmp_path / "copy.db")
        db.engine.dispose()
    finally:
        os.umask(old)
    made = [tmp_path / "monitor.db", copy] + [p for p in tmp_path.iterdir() if p.name.endswith(("-wal", "-shm"))]
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in made} == {p.name: "0o600" for p in made}
