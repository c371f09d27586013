"""Issue 17: the schema has revisions (Alembic); an older database is upgraded, or refused in one line."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, insert, make_url, select
from sqlalchemy.exc import OperationalError

from monitor.errors import StoreError
from monitor.store import migrate
from monitor.store.db import Database, schema_revision
from monitor.store.migrations.first import metadata as first
from monitor.store.tables import AlertRow, ArticleRow, Base, DeliveryRow, SeenFileRow, SourceRow
from tests.conftest import ON_POSTGRES, query, sqlite_only, store_url, write_config
from tests.test_cli import monitor, one_line_error

T0 = datetime(2026, 1, 2, 3, 4, 5)
ROWS = {  # a few rows in every table of the first revision, as its columns were
    "sources": [dict(id=i, name=f"feed {i}", kind="feed", location=f"http://example.org/{i}.xml", origin="config", enabled=True, suspended=False,
                     every=None, full_text=False, error_count=i, last_new_items=0, etag=f'"e{i}"') for i in (1, 2)],
    "outlines": [dict(source_id=1, folder="News", html_url="http://example.org/")],
    "stories": [dict(id=i, created_at=T0, severity=i, reported="Qasem Soleimani", last_alert_uid=None) for i in (1, 2)],
    "articles": [dict(id=i, source_id=1 + i % 2, title=f"title {i}", text=f"text of article {i} " * 20, url=f"http://example.org/a/{i}",
                      canonical_url=f"http://example.org/a/{i}", guid=f"g{i}", content_hash=f"{i:064x}", published_at=T0, fetched_at=T0,
                      story_id=1 + i % 2, signature=bytes([i]) * 512, shingles=40) for i in range(1, 6)],
    "matches": [dict(id=i, article_id=1 + i % 5, kind="actor", name="Qasem Soleimani", alias="Soleimani", found="Soleimani", start=i, end=i + 9,
                     score=1.0, severity=0) for i in range(1, 9)],
    "alerts": [dict(id=i, uid=f"{i:032x}", article_id=i, severity=3, tags="ops", title=f"alert {i}", body="body", context="{}", created_at=T0) for i in (1, 2)],
    "deliveries": [dict(id=i, alert_id=1 + i % 2, channel=f"c{i}", status="sent", held_reason=None, via_digest=False, attempts=1,
                        next_attempt_at=T0, lease_until=None, last_error=None, sent_at=T0) for i in (1, 2, 3)],
    "mutes": [dict(id=1, name="Qasem Soleimani", until=T0)],
    "seen_files": [dict(id=1, path="/data/in/a.txt", size=123, mtime_ns=1_700_000_000_123_456_789, seen_at=T0)],
}


def first_revision_database(path: Path, *, stamped: bool = True) -> str:
    """A SQLite file at revision 0001 (made by its migration, or by create_all before migrations) with ROWS."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as connection:
        if stamped:
            migrate.upgrade(connection, migrate.FIRST)
        else:
            first.create_all(connection)
        for table in first.sorted_tables:
            connection.execute(insert(table), ROWS[table.name])
    engine.dispose()
    return url


def counts(url: str) -> dict[str, int]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return {name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in ROWS}


LATER_TABLES = {"trend_counts", "spike_states", "source_silences", "daemons", "host_claims", "notices"}  # revisions 0004, 0006, 0007 and 0012


def store_at(url: str, revision: str) -> None:
    """A new store made at an older `revision` (nothing in it)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection, revision)
    engine.dispose()


def older_store_with_a_daemon(url: str, revision: str, host: str = "app-2", pid: int | None = None) -> None:
    """A store at an older `revision` whose registry has a running daemon's row (`host`, `pid`: this process's by default),
    as a daemon of the older monitor leaves it on PostgreSQL."""
    import os

    from sqlalchemy import text

    engine = create_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection, revision)
        connection.execute(text("INSERT INTO daemons (host, pid, verb, started_at, heartbeat_at, lease_seconds, feeds, deliveries, files) "
                                "VALUES (:host, :pid, 'monitor run', now() at time zone 'utc', now() at time zone 'utc', 600, 0, 0, 0)"),
                           {"host": host, "pid": os.getpid() if pid is None else pid})
    engine.dispose()


def its_lease_over(url: str) -> None:
    """The daemon's row of `older_store_with_a_daemon` an hour old: gone (SIGKILLed), its lease over."""
    from sqlalchemy import text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE daemons SET heartbeat_at = heartbeat_at - interval '1 hour'"))
    engine.dispose()


def older_store(url: str) -> None:
    """A store at revision 0009 with, on PostgreSQL, a running daemon's row (on SQLite, the test holds the store's lock)."""
    if ON_POSTGRES:
        older_store_with_a_daemon(url, "0009")
    else:
        store_at(url, "0009")


def test_every_table_of_the_first_revision_has_rows_here() -> None:
    assert set(ROWS) == set(first.tables) == set(Base.metadata.tables) - LATER_TABLES


def test_a_first_revision_database_with_rows_in_every_table_is_upgraded_to_head_losing_nothing(tmp_path: Path) -> None:
    url = first_revision_database(tmp_path / "monitor.db")
    assert schema_revision(url) == ((migrate.FIRST,), True) and migrate.head() != migrate.FIRST
    db = Database(url)  # upgrade = "auto"
    assert schema_revision(url) == ((migrate.head(),), True)
    assert counts(url) == {name: len(rows) for name, rows in ROWS.items()}
    with db.session() as s:
        article = s.get(ArticleRow, 3)
        assert article is not None and article.text == "text of article 3 " * 20 and article.signature == bytes([3]) * 512
        assert article.fetched_at.tzinfo is not None and article.fetched_at.replace(tzinfo=None) == T0 and article.story_id == 2
        assert [m.start for m in article.matches] == [2, 7]
        assert s.get(SourceRow, 2).etag == '"e2"'  # type: ignore[union-attr]
        assert s.get(AlertRow, 2).uid == f"{2:032x}" and s.scalar(select(func.count()).select_from(DeliveryRow).where(DeliveryRow.status == "sent")) == 3  # type: ignore[union-attr]
        assert s.scalars(select(SeenFileRow.mtime_ns)).one() == 1_700_000_000_123_456_789
    db.close()


def test_the_migrations_make_the_schema_the_tables_describe(tmp_path: Path) -> None:
    """Every later schema change comes with its revision: `upgrade head` on an empty database gives what
    tables.py says, and so does a new database (create_all, then stamped at the head)."""
    migrated = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    with migrated.begin() as connection:
        migrate.upgrade(connection)
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    migrated.dispose()
    Database(f"sqlite:///{tmp_path / 'new.db'}").close()
    with sqlite3.connect(tmp_path / "new.db") as new, sqlite3.connect(tmp_path / "migrated.db") as old:
        schema = "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        assert new.execute(schema).fetchall() == old.execute(schema).fetchall()
        assert new.execute("SELECT version_num FROM alembic_version").fetchall() == [(migrate.head(),)]
        assert new.execute("PRAGMA auto_vacuum").fetchone() == (2,)  # INCREMENTAL: prune gives pages back


def test_a_database_made_before_migrations_is_stamped_at_the_first_revision_then_upgraded(tmp_path: Path) -> None:
    url = first_revision_database(tmp_path / "monitor.db", stamped=False)
    assert schema_revision(url) == ((), True)
    Database(url).close()
    assert schema_revision(url) == ((migrate.head(),), True)
    assert counts(url) == {name: len(rows) for name, rows in ROWS.items()}


def test_a_database_made_before_the_outlines_table_gains_it(tmp_path: Path) -> None:
    url = first_revision_database(tmp_path / "monitor.db", stamped=False)
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        conn.execute("DROP TABLE outlines")
    Database(url).close()
    assert counts(url)["outlines"] == 0 and counts(url)["articles"] == 5


def test_with_upgrade_manual_an_older_revision_is_refused_in_one_line_naming_the_command(tmp_path: Path) -> None:
    url = first_revision_database(tmp_path / "monitor.db")
    with pytest.raises(StoreError) as caught:
        Database(url, upgrade="manual", config=tmp_path / "monitor.toml")
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{tmp_path / 'monitor.db'}: schema revision 0001 is older than this monitor's {migrate.head()}")
    assert f"run `monitor db upgrade --config {tmp_path / 'monitor.toml'}`" in message
    assert schema_revision(url) == ((migrate.FIRST,), True)  # refused, untouched


def test_with_upgrade_manual_a_database_made_before_migrations_is_stamped_then_refused(tmp_path: Path) -> None:
    url = first_revision_database(tmp_path / "monitor.db", stamped=False)
    with pytest.raises(StoreError, match="schema revision 0001 is older"):
        Database(url, upgrade="manual")
    with pytest.raises(StoreError, match="schema revision 0001 is older"):  # the stamp was rolled back with the refusal: same answer
        Database(url, upgrade="manual")


def test_a_revision_from_a_newer_monitor_is_refused_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    Database(url).close()
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError, match=r"schema revision 9999 is unknown to this monitor \(its newest is \d+\): a newer monitor upgraded it"):
        Database(url)


@sqlite_only  # edits the SQLite file itself
def test_monitor_db_current_on_a_newer_monitors_revision_does_not_say_to_run_db_upgrade(tmp_path: Path) -> None:
    """Regression (found by helper xupgrade): on a store a newer monitor had upgraded (the package rolled back
    after an upgrade), `monitor db current` said "revision 9999; this monitor's newest is 0011: back it up, then
    run `monitor db upgrade`", which is then refused (the revision is unknown): downgrades are not offered."""
    config = write_config(tmp_path)
    Database(f"sqlite:///{tmp_path / 'monitor.db'}").close()
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    said = monitor("db", "current", "--config", str(config))
    assert said.returncode == 0, said.stderr
    assert said.stdout.strip() == (f"database {tmp_path / 'monitor.db'}: revision 9999 is newer than this monitor's newest, {migrate.head()} "
                                   "(a newer monitor upgraded it; downgrades are not offered): run that monitor, or restore the backup taken before the upgrade")


@pytest.mark.parametrize("verb", ["check", "once", "run", "alerts", "sources"])
@sqlite_only  # builds or limits the SQLite file itself
def test_with_upgrade_manual_the_daemon_and_every_verb_refuse_an_older_revision_in_one_line(tmp_path: Path, verb: str) -> None:
    config = write_config(tmp_path, settings={"store": {"upgrade": "manual"}})
    first_revision_database(tmp_path / "monitor.db")
    line = one_line_error(monitor(verb, "--config", str(config)))
    assert line.startswith(f"monitor: error: {tmp_path / 'monitor.db'}: schema revision 0001 is older") and f"run `monitor db upgrade --config {config}`" in line


@sqlite_only  # builds or limits the SQLite file itself
def test_monitor_db_current_and_upgrade_say_the_revision_and_upgrade(tmp_path: Path) -> None:
    config = write_config(tmp_path, settings={"store": {"upgrade": "manual"}})
    head = migrate.head()
    assert one_line_error(monitor("db", "current", "--config", str(config))) == (
        f"monitor: error: no store at {tmp_path / 'monitor.db'} ([store] in {config}): no schema revision to show (this monitor's newest is {head}); "
        "the daemon makes it at its first run (`monitor run`, or `monitor once`): if one runs already, give the [store] path it uses")
    assert not (tmp_path / "monitor.db").exists()  # (regression, left by the last stop: it said 'not created yet' and exit 0, as for a store)
    url = first_revision_database(tmp_path / "monitor.db")
    assert f"revision 0001; this monitor's newest is {head}: back it up, then run `monitor db upgrade --config {config}`" in monitor("db", "current", "--config", str(config)).stdout
    upgraded = monitor("db", "upgrade", "--config", str(config))
    assert upgraded.returncode == 0 and f"upgraded from revision 0001 to {head}" in upgraded.stdout, upgraded.stderr
    assert f"revision {head} (head: up to date)" in monitor("db", "current", "--config", str(config)).stdout
    assert f"already at revision {head}" in monitor("db", "upgrade", "--config", str(config)).stdout
    assert monitor("once", "--config", str(config)).returncode == 0
    assert counts(url)["articles"] >= 5
    assert "give a command (current, upgrade)" in monitor("db").stderr


def test_processes_opening_one_new_database_at_once_make_it_once(tmp_path: Path) -> None:
    """Each opener has its own connection: without the write lock taken first, one saw the other's
    half-made tables as a database made before migrations and failed on an index already there."""
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    barrier, errors = threading.Barrier(6), []

    def open_it() -> None:
        barrier.wait()
        try:
            Database(url).close()
        except StoreError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sqlite3.connect(tmp_path / "monitor.db") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(migrate.head(),)]


def test_the_head_this_monitor_names_is_the_newest_revision_script() -> None:
    assert migrate.scripts().get_current_head() == migrate.HEAD  # a new revision: HEAD names it


def test_a_new_database_is_stamped_as_alembic_stamps_one_and_alembic_reads_it(tmp_path: Path) -> None:
    """migrate.stamp writes Alembic's version table without Alembic: the same table, read back by Alembic."""
    Database(f"sqlite:///{tmp_path / 'new.db'}").close()
    by_alembic = create_engine(f"sqlite:///{tmp_path / 'alembic.db'}")
    with by_alembic.begin() as connection:
        MigrationContext.configure(connection).stamp(migrate.scripts(), migrate.head())
    by_alembic.dispose()
    ours = create_engine(f"sqlite:///{tmp_path / 'new.db'}")
    with ours.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == (migrate.head(),)
    ours.dispose()
    with sqlite3.connect(tmp_path / "new.db") as new, sqlite3.connect(tmp_path / "alembic.db") as old:
        table = "SELECT sql FROM sqlite_master WHERE name = 'alembic_version'"
        assert new.execute(table).fetchall() == old.execute(table).fetchall()


def test_opening_a_database_at_the_head_does_not_import_alembic(tmp_path: Path) -> None:
    """Alembic (≈ 10 MB) is for upgrades: a daemon on a new database, or one at the head, never imports it."""
    import subprocess
    import sys

    code = ("import sys; from monitor.store.db import Database; "
            f"[Database('sqlite:///{tmp_path / 'monitor.db'}').close() for _ in range(2)]; print('alembic' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


@sqlite_only  # the SQLite daemon lock
def test_db_upgrade_beside_a_running_daemon_is_refused_in_one_line_saying_to_stop_it(tmp_path: Path) -> None:
    """The docs say to stop the daemon before upgrading; `db upgrade` altered the tables under it."""
    from monitor.store.lock import single_daemon

    config = write_config(tmp_path, settings={"store": {"upgrade": "manual"}})
    url = first_revision_database(tmp_path / "monitor.db")
    with single_daemon(url, "monitor run"):
        line = one_line_error(monitor("db", "upgrade", "--config", str(config)))
    assert line.startswith(f"monitor: error: {tmp_path / 'monitor.db'} is in use by `monitor run` (pid ")
    assert "stop the daemon, back the store up (`monitor backup`), then run `monitor db upgrade` again" in line
    assert schema_revision(url) == (("0001",), True)  # not upgraded
    assert "upgraded from revision 0001" in monitor("db", "upgrade", "--config", str(config)).stdout  # once it has stopped


@pytest.mark.skipif(not ON_POSTGRES, reason="daemons share a PostgreSQL store only (SQLite: its lock, the test above)")
def test_db_upgrade_on_postgresql_beside_running_daemons_is_refused_naming_them(tmp_path: Path) -> None:
    """On PostgreSQL `db upgrade` changed the tables under the daemons still running on the store (docs: stop them first)."""
    from tests.conftest import store_url

    config = write_config(tmp_path, settings={"store": {"upgrade": "manual"}})
    url = store_url(tmp_path)
    older_store_with_a_daemon(url, "0008")
    line = one_line_error(monitor("db", "upgrade", "--config", str(config)))
    assert "1 daemon runs on this store (app-2 pid " in line and "stop every daemon" in line and "then run `monitor db upgrade` again" in line
    assert schema_revision(url) == (("0008",), True)
    its_lease_over(url)
    assert f"upgraded from revision 0008 to {migrate.head()}" in monitor("db", "upgrade", "--config", str(config)).stdout


def test_a_verb_does_not_upgrade_the_store_under_a_running_daemon(tmp_path: Path) -> None:
    """Regression (found by helper xops): with `[store] upgrade = "auto"`, `monitor alerts` (or any verb of the
    façade) run by a newer monitor beside a running daemon upgraded the store's schema under it, which
    `monitor db upgrade` refuses to do (the listings were to never write). It is now refused in one line naming
    the daemon; with no daemon running the verb upgrades the store as before."""
    from monitor.store.lock import single_daemon
    from tests.conftest import store_url

    config = write_config(tmp_path)  # upgrade = "auto"
    url = store_url(tmp_path)
    older_store(url)
    with single_daemon(url, "monitor run"):  # (nothing on PostgreSQL: its daemon is the registry's row)
        for verb in (["alerts", "retry", "--failed"], ["sources", "retry", "1"], ["mute", "Qasem Soleimani"]):
            line = one_line_error(monitor(*verb, "--config", str(config)))
            assert "schema revision 0009 is older than this monitor's" in line and "runs on this store" in line, line
            assert "restart it with this monitor (it upgrades the store as it starts), then run this again" in line
    assert schema_revision(url) == (("0009",), True)  # not upgraded
    if ON_POSTGRES:
        its_lease_over(url)
    assert monitor("mute", "Qasem Soleimani", "--config", str(config)).returncode == 0  # no daemon: upgraded as [store] upgrade = "auto" says
    assert schema_revision(url) == ((migrate.head(),), True)


def test_a_refused_upgrade_beside_a_daemon_does_not_send_the_operator_to_a_verb_that_is_refused_too(tmp_path: Path) -> None:
    """Regression (found by helper xupgrade): beside a daemon of the older monitor, every verb of the newer one
    (`monitor status` too) was refused with "... runs on this store (`monitor status` lists it)", and `monitor db
    upgrade` on PostgreSQL with "`monitor status` lists them": the newer monitor's `monitor status` was refused
    with the same line. The line now names the older monitor's `monitor status`, which does list it."""
    from monitor.store.lock import single_daemon
    from tests.conftest import store_url

    config = write_config(tmp_path)  # upgrade = "auto"
    url = store_url(tmp_path)
    older_store(url)
    with single_daemon(url, "monitor run"):
        lines = [one_line_error(monitor("alerts", "retry", "--failed", "--config", str(config)))]
        if ON_POSTGRES:
            lines.append(one_line_error(monitor("db", "upgrade", "--config", str(config))))
    for line in lines:
        assert "runs on this store" in line, line
        assert "(`monitor status` lists" not in line and "; `monitor status` lists" not in line, line
        assert "the older monitor's `monitor status` lists" in line, line


@pytest.mark.skipif(not ON_POSTGRES, reason="daemons share a PostgreSQL store only (SQLite: its lock refuses a second daemon)")
@pytest.mark.parametrize("verb", ["once", "run"])
def test_a_daemon_starting_on_postgresql_does_not_upgrade_the_schema_under_a_running_older_daemon(tmp_path: Path, verb: str) -> None:
    """Regression (found by helper xupgrade): on a shared PostgreSQL store with `upgrade = "auto"`, `monitor run`
    or `monitor once` of a newer monitor upgraded the schema under a daemon of the older one still running (the
    docs: stop every daemon first; `monitor db upgrade` and the other verbs refuse it). Now refused in one line
    naming the daemon; once its heartbeat is over, the daemon starts and upgrades the store."""
    from tests.conftest import store_url

    config = write_config(tmp_path)  # upgrade = "auto"
    url = store_url(tmp_path)
    older_store_with_a_daemon(url, "0009")
    line = one_line_error(monitor(verb, "--config", str(config)))
    assert f"schema revision 0009 is older than this monitor's {migrate.head()}, and app-2 pid " in line and "stop every daemon" in line, line
    assert schema_revision(url) == (("0009",), True)  # not upgraded
    its_lease_over(url)
    if verb == "once":
        assert monitor("once", "--config", str(config)).returncode == 0
        assert schema_revision(url) == ((migrate.head(),), True)


def test_db_upgrade_of_a_store_at_the_head_beside_a_running_daemon_says_it_is_up_to_date(tmp_path: Path) -> None:
    """Regression (found by helper xupgrade): `monitor db upgrade` on a SQLite store already at the head, beside the
    daemon that upgraded it as it started, was refused with "stop the daemon, back the store up, then run `monitor
    db upgrade` again", though there was nothing to upgrade. It says the store is at the head, as without a daemon."""
    from monitor.store.lock import single_daemon
    from tests.conftest import store_url

    config = write_config(tmp_path)
    url = store_url(tmp_path)
    Database(url).close()
    with single_daemon(url, "monitor run"):
        said = monitor("db", "upgrade", "--config", str(config))
    assert said.returncode == 0, said.stderr
    assert f"already at revision {migrate.head()} (head)" in said.stdout


@pytest.mark.skipif(not ON_POSTGRES, reason="daemons share a PostgreSQL store only (SQLite: its lock, which the kernel drops at a SIGKILL)")
def test_db_upgrade_beside_a_killed_daemon_of_the_older_monitor_says_until_when_it_holds_the_store(tmp_path: Path) -> None:
    """Regression: a daemon of the older monitor (revision 0009: its row says no pid namespace) SIGKILLed on this host
    held `monitor db upgrade` until its lease ended, its pid running nothing, with "1 daemon runs on this store (host pid
    N; ...): stop every daemon": nothing to stop, no word of how long to wait. Its pid cannot be trusted (another
    container may share the host name), so it still holds the store; the line says it is taken as running by its
    heartbeat only, until when, and to run the upgrade again then."""
    import socket
    import subprocess
    import sys

    from sqlalchemy import text

    from tests.conftest import store_url

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    config = write_config(tmp_path, settings={"store": {"upgrade": "manual"}})
    url = store_url(tmp_path)
    older_store_with_a_daemon(url, "0009", host=socket.gethostname(), pid=int(gone.stdout))
    engine = create_engine(url)
    with engine.begin() as connection:
        beat = connection.execute(text("SELECT heartbeat_at FROM daemons")).scalar_one()
    engine.dispose()
    line = one_line_error(monitor("db", "upgrade", "--config", str(config)))
    until = (beat + timedelta(seconds=600)).strftime("%H:%M:%S")
    assert f"{socket.gethostname()} pid {int(gone.stdout)} of an older monitor" in line, line
    assert f"its lease ends at {until} UTC (in 10 min)" in line, line
    assert line.endswith("then run `monitor db upgrade` again (one killed: once its lease has ended)"), line
    assert schema_revision(url) == (("0009",), True)


@pytest.mark.skipif(not ON_POSTGRES, reason="the one-daemon advisory lock of monitors before revision 0006 was PostgreSQL's (SQLite: its flock, still taken)")
@pytest.mark.parametrize("verb", ["db upgrade", "once", "alerts retry --failed"])
def test_an_upgrade_beside_a_running_daemon_of_a_monitor_before_the_registry_is_refused_naming_it(tmp_path: Path, verb: str) -> None:
    """Regression (found by helper xupgrade): a daemon of a monitor of revisions 0003 to 0005 on PostgreSQL is in no
    registry (the `daemons` table came with 0006): it holds a session advisory lock (key "monitor") named by its
    connection's application name. `monitor db upgrade` (and a daemon or verb of the newer monitor, upgrade = "auto")
    upgraded the schema under it, then ran beside it (both read the same folder files and feeds). Now refused in one
    line naming it, as a registered daemon is; once it has stopped, the upgrade runs."""
    import psycopg

    from tests.conftest import store_url

    config = write_config(tmp_path)  # upgrade = "auto"
    url = store_url(tmp_path)
    store_at(url, "0005")
    parsed = make_url(url)
    old = psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password, dbname=parsed.database,
                          autocommit=True, application_name="monitor run|4242|app-9")  # as the older monitor took its lock
    try:
        assert old.execute("SELECT pg_try_advisory_lock(%s)", (0x6D6F6E69746F72,)).fetchone() == (True,)
        line = one_line_error(monitor(*verb.split(), "--config", str(config)))
        assert "`monitor run` (pid 4242 on app-9, since " in line and "of a monitor before revision 0006" in line and "runs on this store" in line, line
        assert "`monitor status` lists" not in line, line  # that monitor had no `monitor status`
        assert schema_revision(url) == (("0005",), True)  # not upgraded
    finally:
        old.close()  # the older daemon stopped: its lock goes with its connection
    said = monitor(*verb.split(), "--config", str(config))
    assert said.returncode == 0, said.stderr
    assert schema_revision(url) == ((migrate.head(),), True)


@pytest.mark.parametrize("revision", ["0012", None])
def test_a_verb_that_only_reads_leaves_an_older_store_as_it_is_and_says_what_upgrades_it(tmp_path: Path, revision: str | None) -> None:
    """Regression (left by the last stop, fixed by helper xops5): with `[store] upgrade = "auto"`, the verbs that only read
    (`alerts`, `sources`, `status`, `web`, ...) upgraded an older store (and stamped one made before migrations), with a
    note: a look at the store with a newer monitor, the daemon still the older one, left a store the older monitor then
    refused (downgrades are not offered). They refuse it now in one line naming what upgrades it, and write nothing;
    `match` says it did not read the store and decides as if it held nothing."""
    config = write_config(tmp_path)  # upgrade = "auto"
    url = store_url(tmp_path)
    if revision is None:
        if ON_POSTGRES:
            pytest.skip("a store made before migrations is built as a SQLite file")
        first_revision_database(tmp_path / "monitor.db", stamped=False)  # (taken as revision 0001)
    else:
        store_at(url, revision)
    before = schema_revision(url)
    said = revision or migrate.FIRST
    for verb in (["alerts"], ["sources"], ["status"], ["stories"], ["trends"], ["mute"], ["alerts", "show", "1"], ["match", "--article", "1"],
                 ["sources", "export"], ["web", "--listen", "127.0.0.1:1"]):
        line = one_line_error(monitor(*verb, "--config", str(config)))
        assert f"schema revision {said} is older than this monitor's {migrate.head()}, and a verb that only reads leaves it as it is" in line, (verb, line)
        assert f"or back the store up and run `monitor db upgrade --config {config}`" in line, line
    matched = monitor("match", "-", "--config", str(config), stdin="Hezbollah fighters fired rockets at northern Israel, killing two soldiers.")
    assert matched.returncode == 0 and "monitor: warning: the store was not read" in matched.stderr, matched.stderr
    assert schema_revision(url) == before
    assert monitor("db", "upgrade", "--config", str(config)).returncode == 0
    assert monitor("alerts", "--config", str(config)).returncode == 0


@sqlite_only  # builds the SQLite file itself
@pytest.mark.parametrize("verb", [["alerts", "retry", "--failed"], ["sources", "retry", "1"], ["mute", "Qasem Soleimani"]])
def test_a_verb_that_upgrades_the_store_says_so_in_one_line(tmp_path: Path, verb: list[str]) -> None:
    """Regression (found by helper xupgrade): with `[store] upgrade = "auto"`, a verb of the newer monitor (`monitor
    check` run to try the new version's config, `monitor alerts`, ...) upgraded an older store without a word (the
    daemon's log says it; the verbs log nothing): `check` said "database ...: ok", and the older monitor, rolled back
    to, then refused the store (downgrades are not offered). The verb now says it in one line on stderr."""
    config = write_config(tmp_path)  # upgrade = "auto"
    url = first_revision_database(tmp_path / "monitor.db")
    (tmp_path / "monitor.db").chmod(0o600)  # private already: no line of its mode (the test below)
    said = monitor(*verb, "--config", str(config))
    assert said.returncode == 0, said.stderr
    assert said.stderr.splitlines() == [f"monitor: note: {tmp_path / 'monitor.db'}: schema upgraded from revision 0001 to {migrate.head()} "
                                        "([store] upgrade = \"auto\"): downgrades are not offered; to go back to the older monitor, restore a backup taken before"]
    assert schema_revision(url) == ((migrate.head(),), True)
    again = monitor(*verb, "--config", str(config))
    assert again.returncode == 0 and "upgraded" not in again.stderr, again.stderr


@sqlite_only  # a file-size limit on the SQLite file
def test_an_upgrade_cut_by_a_file_size_limit_leaves_the_older_store_and_says_what_to_do(tmp_path: Path) -> None:
    """Regression (found by helper xupgrade): `monitor db upgrade` (or any verb) under a file-size limit (`ulimit -f`,
    systemd's LimitFSIZE=) the upgrade's writes go over said "cannot open database PATH: disk I/O error", SQLite's
    words alone, where a running store's line says what to check. The store stays at its revision, and the line
    names the cause to check; without the limit the upgrade runs."""
    import subprocess
    import sys

    config = write_config(tmp_path)
    url = first_revision_database(tmp_path / "monitor.db")
    size = (tmp_path / "monitor.db").stat().st_size
    cut = subprocess.run(["prlimit", f"--fsize={size // 4}", sys.executable, "-m", "monitor", "db", "upgrade", "--config", str(config)],
                         capture_output=True, text=True, timeout=60)
    line = one_line_error(cut)
    assert line == (f"monitor: error: cannot open database {tmp_path / 'monitor.db'}: disk I/O error: check its file system "
                    "(a read-only mount, an immutable file, a file-size limit, a failing disk)"), line
    assert schema_revision(url) == ((migrate.FIRST,), True)
    assert f"upgraded from revision 0001 to {migrate.head()}" in monitor("db", "upgrade", "--config", str(config)).stdout


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump and pg_restore: the PostgreSQL backup the docs give (SQLite: monitor backup)")
def test_the_docs_postgresql_backup_restored_after_an_upgrade_upgrades_again(tmp_path: Path) -> None:
    """Regression (found by helper xupgrade): docs/operations.md's restore of a pg_dump taken before an upgrade,
    `pg_restore --clean --dbname=...DATABASE`, drops only what the dump holds: the tables the upgrade had made
    (daemons, host_claims, notices) stayed beside a store saying its older revision, and the next upgrade failed with
    'relation "daemons" already exists'. The docs' commands, run as written, give back the store as it was, which
    upgrades again."""
    import os
    import subprocess

    from tests.conftest import postgres, postgres_bin, store_url

    config = write_config(tmp_path, settings={"store": {"upgrade": "manual"}})
    url = store_url(tmp_path)
    engine = create_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection, "0005")
        connection.execute(insert(first.tables["mutes"]), [dict(id=1, name="Qasem Soleimani", until=T0)])
    engine.dispose()
    docs = (Path(__file__).parents[1] / "docs" / "operations.md").read_text()
    dump, restore = (next(line.split("#")[0].strip() for line in docs.splitlines() if line.startswith(tool)) for tool in ("pg_dump ", "pg_restore "))
    parsed, server = make_url(url), postgres()
    at = f"postgresql://{parsed.username}@{parsed.host}:{parsed.port}"
    env = {**os.environ, "PGPASSWORD": str(parsed.password), "PATH": f"{postgres_bin()}:{os.environ['PATH']}"}

    def run(command: str) -> None:
        command = command.replace("postgresql://USER@HOST/DATABASE", f"{at}/{parsed.database}").replace("postgresql://USER@HOST/postgres", f"{at}/postgres")
        done = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (command, done.stderr)

    run(dump)
    assert f"upgraded from revision 0005 to {migrate.head()}" in monitor("db", "upgrade", "--config", str(config)).stdout
    run(restore)  # the upgrade rolled back: the backup taken before it
    assert schema_revision(url) == (("0005",), True)
    assert server.sql("SELECT name FROM mutes", parsed.database or "") == [("Qasem Soleimani",)]
    upgraded = monitor("db", "upgrade", "--config", str(config))
    assert upgraded.returncode == 0 and f"upgraded from revision 0005 to {migrate.head()}" in upgraded.stdout, upgraded.stderr


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_restore --clean into the database as it stands (a SQLite backup is put back whole)")
def test_an_upgrade_over_tables_of_a_later_revision_says_what_happened_and_what_to_do(tmp_path: Path) -> None:
    """Regression (found by helper xupgrade): a store restored with `pg_restore --clean` into its upgraded database (the
    restore the docs gave before) keeps the tables the upgrade had made; every verb and daemon then failed with "cannot
    open database URL: relation "daemons" already exists", saying neither why nor what to do. The line says that the
    store holds tables of a revision later than its own and to restore it into a new database; nothing is changed."""
    import os
    import subprocess

    from tests.conftest import postgres_bin, store_url

    config = write_config(tmp_path)  # upgrade = "auto": the daemon upgrades too
    url = store_url(tmp_path)
    store_at(url, "0005")
    parsed = make_url(url)
    target = f"postgresql://{parsed.username}@{parsed.host}:{parsed.port}/{parsed.database}"
    env = {**os.environ, "PGPASSWORD": str(parsed.password), "PATH": f"{postgres_bin()}:{os.environ['PATH']}"}
    subprocess.run(["pg_dump", "--format=custom", f"--file={tmp_path / 'monitor.dump'}", target], env=env, check=True, capture_output=True, timeout=120)
    assert monitor("db", "upgrade", "--config", str(config)).returncode == 0
    subprocess.run(["pg_restore", "--clean", f"--dbname={target}", str(tmp_path / "monitor.dump")], env=env, check=True, capture_output=True, timeout=120)
    for verb in (["db", "upgrade"], ["once"]):
        line = one_line_error(monitor(*verb, "--config", str(config)))
        assert "schema revision 0005 cannot be upgraded to" in line and 'relation "daemons" already exists' in line, line
        assert "tables of a later revision" in line and "restore the backup into a new database" in line, line
    assert schema_revision(url) == (("0005",), True)


def test_db_upgrade_of_a_newer_monitors_store_beside_its_daemon_says_it_is_newer_not_to_stop_it(tmp_path: Path) -> None:
    """Regression (found by helper xupgrade): `monitor db upgrade` of an older monitor on a store that a newer monitor
    had upgraded, its daemon running, said "... stop the daemon, back the store up (`monitor backup`), then run `monitor
    db upgrade` again" (SQLite) or "1 daemon runs on this store (...): stop every daemon, ..." (PostgreSQL): stopping
    it only led to "schema revision 9999 is unknown to this monitor". It says at once that the store is a newer
    monitor's, and nothing is stopped."""
    from sqlalchemy import text

    from monitor.store.lock import single_daemon
    from tests.conftest import store_url

    config = write_config(tmp_path, settings={"store": {"upgrade": "manual"}})
    url = store_url(tmp_path)
    if ON_POSTGRES:
        older_store_with_a_daemon(url, migrate.head())  # a newer monitor's daemon runs on it (its registry row)
    else:
        Database(url).close()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with single_daemon(url, "monitor run"):  # (nothing on PostgreSQL: its daemon is the registry's row)
        line = one_line_error(monitor("db", "upgrade", "--config", str(config)))
    assert "schema revision 9999 is unknown to this monitor" in line and "stop" not in line, line


@sqlite_only  # the SQLite file's mode
def test_an_upgrade_makes_an_older_store_readable_by_its_owner_only_as_new_stores_are_and_says_so(tmp_path: Path) -> None:
    """Regression (found by helper xupgrade2): a store made by an older monitor (mode 0644 under the usual umask: anyone
    on the machine could read the feeds' URLs with their tokens) kept its mode through every upgrade, while a store
    monitor makes now is 0600. The upgrade now makes it (and its -wal and -shm) 0600, and says so in one line."""
    config = write_config(tmp_path)  # upgrade = "auto"
    path = tmp_path / "monitor.db"
    first_revision_database(path)
    reader = sqlite3.connect(path)  # open meanwhile: its -wal and -shm stay beside the store
    reader.execute("PRAGMA journal_mode=WAL").fetchall()
    reader.execute("SELECT count(*) FROM sources").fetchall()
    files = [path, path.with_name("monitor.db-wal"), path.with_name("monitor.db-shm")]
    for made in files:
        made.chmod(0o644)
    said = monitor("alerts", "retry", "--failed", "--config", str(config))  # (a verb that writes: one that only reads upgrades nothing)
    modes = {p.name: f"{p.stat().st_mode & 0o777:04o}" for p in files}
    reader.close()
    assert said.returncode == 0, said.stderr
    assert f"monitor: note: {path}: made readable by its owner only (mode 0644 to 0600), as monitor makes new stores: it holds the feeds' URLs with their tokens" in said.stderr.splitlines()
    assert modes == {"monitor.db": "0600", "monitor.db-wal": "0600", "monitor.db-shm": "0600"}
    again = monitor("alerts", "--config", str(config))
    assert again.returncode == 0 and "readable" not in again.stderr, again.stderr
    store_at(url := f"sqlite:///{tmp_path / 'manual.db'}", "0012")  # `monitor db upgrade` says it too
    (tmp_path / "manual.db").chmod(0o640)
    (tmp_path / "m").mkdir()
    manual = write_config(tmp_path / "m", settings={"store": {"path": str(tmp_path / "manual.db"), "upgrade": "manual"}})
    upgraded = monitor("db", "upgrade", "--config", str(manual))
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.splitlines()[1:] == [f"database {tmp_path / 'manual.db'}: made readable by its owner only (mode 0640 to 0600), as monitor "
                                                "makes new stores: it holds the feeds' URLs with their tokens"]
    assert schema_revision(url) == ((migrate.head(),), True) and (tmp_path / "manual.db").stat().st_mode & 0o777 == 0o600


@sqlite_only  # the SQLite file's mode
def test_a_store_at_the_head_readable_by_others_is_made_owner_only_where_an_upgrade_would_be(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by helper xops): a store already at the head revision but readable by others (mode 0644: made
    by a monitor at this revision before new stores were made 0600, or copied in with another tool) kept its mode: only
    an upgrade made it readable by its owner only. Opening it now does, for a verb that writes, `db upgrade` and the daemon, said
    in one line; a verb that only reads changes no file's mode (`monitor alerts` made it 0600): it says what does."""
    path = tmp_path / "monitor.db"
    Database(f"sqlite:///{path}").close()
    config = write_config(tmp_path)
    path.chmod(0o644)
    for verb in (("alerts",), ("sources",), ("stories",)):
        looked = monitor(*verb, "--config", str(config))
        assert looked.returncode == 0, looked.stderr
        assert looked.stderr.splitlines() == [f"monitor: note: {path}: readable by others than its owner (mode 0644), though it holds the feeds' "
                                              "URLs with their tokens: `monitor db upgrade` (or the daemon's next start) makes it readable by its "
                                              "owner only, as monitor makes new stores"]
        assert path.stat().st_mode & 0o777 == 0o644
    said = monitor("alerts", "retry", "--failed", "--config", str(config))
    assert said.returncode == 0, said.stderr
    assert f"monitor: note: {path}: made readable by its owner only (mode 0644 to 0600), as monitor makes new stores: it holds the feeds' URLs with their tokens" in said.stderr.splitlines()
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o640)
    upgraded = monitor("db", "upgrade", "--config", str(config))
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.splitlines() == [f"database {path}: already at revision {migrate.head()} (head)",
                                            f"database {path}: made readable by its owner only (mode 0640 to 0600), as monitor makes new stores: "
                                            "it holds the feeds' URLs with their tokens"]
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o604)
    with caplog.at_level("INFO", logger="monitor"):
        Database(f"sqlite:///{path}").close()  # as the daemon opens it: its log says it
    assert f"{path}: made readable by its owner only (mode 0604 to 0600), as monitor makes new stores: it holds the feeds' URLs with their tokens" in caplog.messages
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_store_from_before_trend_counts_has_its_stories_counted_by_the_upgrade(tmp_path: Path) -> None:
    """Regression (found by helper xupgrade2): revision 0004 made `trend_counts` empty, so `monitor trends` on a store
    upgraded from before it showed nothing of the stories stored until then (the daemon counts a story only as it
    stores its first article). The upgrade now counts them from the stored articles and matches, as ingest counted
    them: each story once, at its first article's hour, with its highest severity."""
    from alembic import command

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_text((Path(__file__).parents[1] / "seeds" / "soleimani-strike-2020-01.txt").read_text())
    (folder / "b.txt").write_text("Hezbollah fighters fired rockets at northern Israel on Tuesday, killing two soldiers, officials said.\n")
    config = write_config(tmp_path, folders=[folder])
    assert monitor("once", "--config", str(config)).returncode == 0
    rows = "SELECT actor, event, hour, stories, severity FROM trend_counts ORDER BY 1, 2, 3"
    counted = query(tmp_path, rows)
    assert ("Hezbollah", "", counted[0][2], 1, 2) in counted and len({r[2] for r in counted}) == 1
    engine = create_engine(store_url(tmp_path))  # the store as a monitor before 0004 left it
    with engine.begin() as connection:
        command.downgrade(migrate.alembic_config(connection), "0003")
    engine.dispose()
    upgraded = monitor("db", "upgrade", "--config", str(config))
    assert upgraded.returncode == 0 and "upgraded from revision 0003" in upgraded.stdout, upgraded.stderr
    shown = monitor("trends", "--json", "--days", "2", "--config", str(config))
    assert query(tmp_path, rows) == counted
    series = {(s["actor"], s["event"]): sum(s["stories"]) for s in json.loads(shown.stdout)["series"]}
    assert series == {(actor, event): n for actor, event, _, n, _ in counted} and series[("Hezbollah", "")] == 1


@pytest.mark.parametrize("revision", ["0099", "0012"])
def test_a_daemon_whose_store_a_newer_monitor_upgraded_while_it_was_stalled_stops_writing_saying_what_to_do(tmp_path: Path, revision: str) -> None:
    """Regression (found by helper xupgrade2): a daemon read the store's schema revision only as it started. One
    stalled past its lease (stopped, suspended, cut off from the store) is taken as gone, and a newer monitor may then
    upgrade the store; the daemon, resumed, went on writing with the older monitor's idea of the tables. It now
    reads the revision again before it writes (at most every few seconds, and always after a stall), writes
    nothing more once it changed, and stops in one line saying what to do."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from sqlalchemy import text

    from tests.conftest import REPO, inbox_with, wait_for

    inbox = inbox_with(tmp_path, ["Hezbollah fighters fired rockets at northern Israel on Tuesday, killing two soldiers, officials said."])
    config = write_config(tmp_path, folders=[inbox])
    stored = "SELECT count(*) FROM articles"

    def one_stored() -> bool:
        try:
            return query(tmp_path, stored) == [(1,)]
        except Exception:  # not made yet
            return False

    daemon = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(one_stored, timeout=30)
        engine = create_engine(store_url(tmp_path), connect_args={"timeout": 1} if not ON_POSTGRES else {})
        for attempt in range(20):  # stalled past its lease: a newer monitor upgrades the store meanwhile
            os.kill(daemon.pid, signal.SIGSTOP)
            try:
                with engine.begin() as connection:
                    connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
                break
            except OperationalError:  # stopped inside a write of its own (SQLite's lock held): let it finish, stop it again
                os.kill(daemon.pid, signal.SIGCONT)
                time.sleep(0.2)
        else:
            raise AssertionError("the daemon held the store's lock at each of 20 stops")
        engine.dispose()
        (inbox / "later.txt").write_text("Kataeb Hezbollah claimed a drone strike on Erbil airport on Wednesday, officials said.")
        os.utime(inbox / "later.txt", (time.time() - 60, time.time() - 60))
        time.sleep(6)
        os.kill(daemon.pid, signal.SIGCONT)
        _, err = daemon.communicate(timeout=60)
    finally:
        if daemon.poll() is None:
            os.kill(daemon.pid, signal.SIGCONT)
            daemon.kill()
            daemon.wait()
    assert daemon.returncode == 1, err
    name = tmp_path / "monitor.db" if not ON_POSTGRES else "postgresql"
    said = [line for line in err.splitlines() if f"revision {revision}" in line]
    assert len(said) == 1 and said == [err.strip().splitlines()[-1]], err
    assert said[0].startswith(f"monitor: error: {name}") and said[0].endswith(
        f"schema revision 0099 is not this monitor's {migrate.head()}: a newer monitor upgraded the store while this one had it open "
        "(this daemon was stalled or cut off from the store longer than its lease): this monitor writes nothing more to it; "
        "run the newer monitor instead" if revision == "0099" else
        f"schema revision 0012 is not this monitor's {migrate.head()}: the store was changed while this monitor had it open (an older "
        "backup restored into it?): this monitor writes nothing more to it; restart it (it upgrades the store as it starts)"), err
    assert query(tmp_path, stored) == [(1,)] and "Traceback" not in err


@pytest.mark.parametrize("core", [True, False], ids=["transaction", "session"])
def test_work_begun_on_a_fresh_schema_read_and_stalled_past_an_upgrade_is_rolled_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, core: bool) -> None:
    """Regression (left by stop 43): the revision was read only as a transaction began, and not when it had been read
    less than SCHEMA_LOOK_EVERY before. A daemon stalled inside that transaction (stopped, suspended) past its lease,
    while a newer monitor upgraded the store, committed its work on the older monitor's idea of the tables once
    resumed. The revision is now read again before the commit when the block took that long, and the work is rolled
    back."""
    from sqlalchemy import text

    from monitor.errors import SchemaChanged
    from monitor.store import db as store_db

    url = store_url(tmp_path)
    db = Database(url)
    monkeypatch.setattr(store_db, "SCHEMA_LOOK_EVERY", 0.5)
    newer = create_engine(url)
    block = db.transaction() if core else db.session()
    with pytest.raises(SchemaChanged, match="a newer monitor upgraded the store while this one had it open"):
        with block as opened:  # the revision was read just now (the open): not read again here
            with newer.begin() as connection:  # meanwhile, the stall: a newer monitor upgrades the store
                connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
            time.sleep(0.6)
            connection_of = opened if core else opened.connection()  # type: ignore[union-attr]
            connection_of.execute(insert(SourceRow).values(name="stalled", kind="feed", location="https://example.org/rss"))
    newer.dispose()
    db.close()
    assert query(tmp_path, "SELECT count(*) FROM sources WHERE name = 'stalled'") == [(0,)]


@sqlite_only  # builds the SQLite file itself
def test_check_does_not_upgrade_an_older_store_and_says_an_upgrade_is_due(tmp_path: Path) -> None:
    """Regression (found by helper xupgrade2): with `[store] upgrade = "auto"`, `monitor check` (run to try the new
    version's config before switching to it) upgraded an older store: the older monitor, rolled back to, then refused
    it (downgrades are not offered). A check writes nothing now: it says the revision, that the daemon upgrades it as it
    starts, and what to do first."""
    config = write_config(tmp_path)  # upgrade = "auto"
    url = first_revision_database(tmp_path / "monitor.db")
    before = (tmp_path / "monitor.db").read_bytes()
    said = monitor("check", "--config", str(config))
    assert said.returncode == 0, said.stderr
    assert "upgraded" not in said.stderr and "Traceback" not in said.stderr, said.stderr
    assert said.stdout.splitlines()[-1] == (f"database {tmp_path / 'monitor.db'}: revision 0001, older than this monitor's {migrate.head()}: not upgraded by "
                                            f"check; the daemon upgrades it as it starts ([store] upgrade = \"auto\"; downgrades are not offered): back it "
                                            f"up first (monitor backup), or upgrade it now: monitor db upgrade --config {config}")
    assert schema_revision(url) == ((migrate.FIRST,), True) and (tmp_path / "monitor.db").read_bytes() == before
    with sqlite3.connect(tmp_path / "monitor.db") as conn:  # a newer monitor's store: a problem, as the daemon refuses it
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    newer = monitor("check", "--config", str(config))
    assert newer.returncode == 1 and "schema revision 0099 is unknown to this monitor" in newer.stderr, newer.stdout + newer.stderr
