"""PostgreSQL as a store (issue 17): types that fit, one-line connection errors; several daemons on one database (issue 18).

These run against the session's real PostgreSQL server (tests/conftest.py starts it) in both passes of
`make test`; the rest of the suite runs on PostgreSQL in the second pass (MONITOR_TEST_STORE=postgresql).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from monitor.dedup import to_article
from monitor.errors import StoreError
from monitor.model import Document, MatchResult
from monitor.store import files
from monitor.store.articles import known_guids, known_urls_and_hashes, save_article
from monitor.store.db import Database, utcnow
from monitor.store.lock import single_daemon
from monitor.store.sources import ensure_source
from tests.conftest import ON_POSTGRES, PG_PASSWORD, REPO, SEED, PostgresServer, wait_for, write_config
from tests.test_cli import monitor, one_line_error

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="these start PostgreSQL themselves: they ran in the SQLite pass")


def another_daemon_running(db: Database, server: PostgresServer, url: str, feeds: dict[str, str]) -> None:
    """A row of the daemon registry as another daemon of this host leaves it, running (pid 1 runs), with `feeds` in its config."""
    from monitor.store import daemons

    member = daemons.register(db, "monitor run", 120, utcnow(), (), feeds)
    server.sql(f"UPDATE daemons SET pid = 1 WHERE id = {member}", database=url.rsplit("/", 1)[1])


def pg_config(tmp_path: Path, server: PostgresServer, url: str | None = None, settings_extra: dict[str, dict[str, Any]] | None = None,
              **kwargs: object) -> Path:
    """A config whose store is a fresh database of the test server (or `url`)."""
    settings = {"store": {"url": url or server.new_database(tmp_path)}, **(settings_extra or {})}
    return write_config(tmp_path, settings=settings, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'monitor.db'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.new_database(tmp_path)


def test_the_first_once_on_postgresql_stores_the_seed_and_a_folder_file(tmp_path: Path, pg_server: PostgresServer) -> None:
    """Regression (issue 17): seen_files.mtime_ns was a 32-bit INTEGER; a nanosecond mtime raised NumericValueOutOfRange."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_text(SEED.read_text())
    config = pg_config(tmp_path, pg_server, folders=[inbox])
    ran = monitor("once", "--config", str(config))
    assert ran.returncode == 0 and "Traceback" not in ran.stderr, ran.stderr
    ((mtime_ns, size),) = query_db(pg_server, tmp_path, "select mtime_ns, size from seen_files")
    assert mtime_ns == (inbox / "seed.txt").stat().st_mtime_ns > 2**31 and size == (inbox / "seed.txt").stat().st_size
    assert query_db(pg_server, tmp_path, "select count(*) from alerts")[0][0] == 1
    assert monitor("once", "--config", str(config)).returncode == 0  # nothing read twice
    assert query_db(pg_server, tmp_path, "select count(*) from articles")[0][0] == 1


def query_db(server: PostgresServer, tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(server.url(server.databases[tmp_path]))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_check_connects_to_postgresql_and_masks_the_password(tmp_path: Path, pg_server: PostgresServer) -> None:
    url = pg_server.new_database(tmp_path).replace(f":{PG_PASSWORD}@", ":${PGPASSWORD}@")  # the password from the environment
    result = monitor("check", "--config", str(pg_config(tmp_path, pg_server, url)), env={"PGPASSWORD": PG_PASSWORD})
    assert result.returncode == 0, result.stderr
    assert f"database postgresql+psycopg://postgres:****@127.0.0.1:{pg_server.port}/" in result.stdout and ": ok" in result.stdout
    assert PG_PASSWORD not in result.stdout + result.stderr


def test_check_says_a_wrong_password_in_one_line_without_it(tmp_path: Path, pg_server: PostgresServer) -> None:
    line = one_line_error(monitor("check", "--config", str(pg_config(tmp_path, pg_server, pg_server.url(password="Wr0ng-pass")))))
    assert f"cannot open database postgresql+psycopg://postgres:****@127.0.0.1:{pg_server.port}/postgres" in line
    assert 'password authentication failed for user "postgres"' in line and "Wr0ng-pass" not in line


def test_a_database_not_made_yet_is_one_line_saying_to_create_it(tmp_path: Path, pg_server: PostgresServer) -> None:
    """`monitor run` (and every verb) at a database the server lacks said PostgreSQL's 'database "nodb" does not exist'
    alone: the README says to point the store at an existing database, and the line now says how to make it."""
    config = pg_config(tmp_path, pg_server, pg_server.url("nodb"))
    for verb in (["run"], ["status"]):
        line = one_line_error(monitor(*verb, "--config", str(config)))
        assert line.endswith(f'database "nodb" does not exist: create it (createdb -h 127.0.0.1 -p {pg_server.port} -U postgres nodb, '
                             "or CREATE DATABASE nodb), or give [store] url an existing one"), line


def test_check_says_a_refused_connection_in_one_line(tmp_path: Path, pg_server: PostgresServer) -> None:
    from tests.conftest import free_port

    port = free_port()  # nothing listens there
    line = one_line_error(monitor("check", "--config", str(pg_config(tmp_path, pg_server, pg_server.url(port=port)))))
    assert f"127.0.0.1:{port}/postgres" in line and "Connection refused" in line and PG_PASSWORD not in line


def test_check_names_a_missing_or_unknown_driver_in_one_line(tmp_path: Path) -> None:
    """Regression (issue 17): without psycopg, `check` passed and `once` raised ModuleNotFoundError."""
    config = write_config(tmp_path, settings={"store": {"url": "postgresql+psycopg://monitor:s3cret-pw@127.0.0.1:1/monitor"}})
    without_psycopg = subprocess.run(  # psycopg made unimportable, as where it is not installed
        [sys.executable, "-c", "import sys; sys.modules['psycopg'] = None; sys.argv[0] = 'monitor'; from monitor.launch import main; main()",
         "check", "--config", str(config)], cwd=REPO, capture_output=True, text=True, timeout=60)
    line = one_line_error(without_psycopg)
    assert line.endswith("psycopg is not installed: pip install 'monitor[postgres]'") and "s3cret-pw" not in line
    unknown = write_config(tmp_path, settings={"store": {"url": "postgresql+nosuchdriver://monitor:s3cret-pw@127.0.0.1:1/monitor"}})
    line = one_line_error(monitor("check", "--config", str(unknown)))
    assert "no driver 'postgresql+nosuchdriver'" in line and "s3cret-pw" not in line
    absent = write_config(tmp_path, settings={"store": {"url": "mysql+mysqldb://monitor:s3cret-pw@127.0.0.1:1/monitor"}})
    line = one_line_error(monitor("check", "--config", str(absent)))
    assert "MySQLdb is not installed (the driver of mysql+mysqldb)" in line and "s3cret-pw" not in line


def test_daemons_share_a_postgresql_database_where_a_sqlite_file_has_one(tmp_path: Path, pg_server: PostgresServer) -> None:
    """Issue 18: the advisory lock of issue 17 gave way to claims and the daemons registry on PostgreSQL."""
    url = pg_server.new_database(tmp_path)
    with single_daemon(url, "monitor run"), single_daemon(url, "monitor once"):  # nothing held: claims share the work
        pass
    sqlite = f"sqlite:///{tmp_path / 'monitor.db'}"
    with single_daemon(sqlite, "monitor run"):
        with pytest.raises(StoreError, match="is in use by `monitor run`"):
            with single_daemon(sqlite, "monitor once"):
                pass


def status_of(config: Path) -> dict[str, Any]:
    result = monitor("status", "--json", "--config", str(config))
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_two_daemons_on_postgresql_are_listed_a_killed_one_goes_and_a_stopped_one_leaves(tmp_path: Path, pg_server: PostgresServer) -> None:
    """`monitor status` lists both daemons with their heartbeats; SIGKILL: gone once its lease is over;
    SIGTERM: its row is deleted."""
    config = pg_config(tmp_path, pg_server, folders=[tmp_path / "inbox"], settings_extra={"http": {"deadline": 1}, "delivery": {"lease_seconds": 2}})
    (tmp_path / "inbox").mkdir()
    procs = []
    try:
        for name in ("first", "second"):
            log = tmp_path / f"{name}.log"
            with log.open("w") as out:
                procs.append(subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=REPO, stdout=out, stderr=subprocess.STDOUT))
        for name in ("first", "second"):
            wait_for(lambda name=name: "monitor running" in (tmp_path / f"{name}.log").read_text(), timeout=30)  # type: ignore[misc]
        status = status_of(config)
        assert status["shared"] is True and sorted(d["pid"] for d in status["daemons"]) == sorted(p.pid for p in procs)
        assert all(d["alive"] and d["lease_seconds"] == 4 and d["verb"] == "monitor run" for d in status["daemons"])
        beat = {d["pid"]: d["heartbeat_at"] for d in status["daemons"]}
        wait_for(lambda: all(d["heartbeat_at"] > beat[d["pid"]] for d in status_of(config)["daemons"]), timeout=10)  # the heartbeat job
        first, second = procs
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
        wait_for(lambda: [d["alive"] for d in sorted(status_of(config)["daemons"], key=lambda d: d["pid"] != first.pid)] == [False, True], timeout=15)
        table = monitor("status", "--config", str(config))
        assert table.returncode == 0 and "gone" in table.stdout and "alive" in table.stdout and PG_PASSWORD not in table.stdout
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
        assert [d["pid"] for d in status_of(config)["daemons"]] == [first.pid]  # the stopped one left; the killed one ages out
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=20)


def test_keys_longer_than_a_column_are_stored_and_found_again(any_store: str) -> None:
    """A GUID, URL or path past its column (PostgreSQL refuses it; an index refuses past ~2.7 kB) must not fail a poll."""
    db = Database(any_store)
    try:
        source_id = ensure_source(db, "wire " + "é" * 600, "feed", "https://wire.example/rss")  # a name past 500 characters
        guid, url = "urn:" + "g" * 5000, "https://wire.example/" + "p" * 5000
        doc = Document(source="wire", title="A long story", text="Some text of a long story.", url=url, guid=guid)
        assert save_article(db, source_id, to_article(doc), MatchResult(), None, utcnow()) is not None
        assert known_guids(db, source_id, [guid, "urn:other"]) == {guid}
        urls, _ = known_urls_and_hashes(db, [to_article(doc).canonical_url or "", "https://wire.example/x"], [])
        assert urls == {to_article(doc).canonical_url}
        twin = Document(source="wire", title="Another", text="Other text.", url="https://wire.example/y", guid=guid + "-")  # same prefix
        assert save_article(db, source_id, to_article(twin), MatchResult(), None, utcnow()) is not None
        path = "/inbox/" + "d" * 300 + "/" + "ø" * 4000 + ".txt"
        files.mark_seen(db, path, 5 * 2**30, 1_767_225_600_123_456_789, utcnow())  # a 5 GiB file: sizes need 64 bits too
        assert files.versions(db, [path, "/inbox/other.txt"]) == {path: (5 * 2**30, 1_767_225_600_123_456_789, True)}
    finally:
        db.close()


def test_a_daemons_config_feeds_are_kept_while_it_runs_when_another_config_lacks_them(tmp_path: Path, pg_server: PostgresServer) -> None:
    """Daemons with configs of their own feeds on one store: a verb (or daemon) with another config retired the running
    daemon's feeds as 'no longer in the config file', and nobody polled them. They are kept while a daemon whose config
    lists them runs, and retired once none does."""
    url = pg_server.new_database(tmp_path)
    feed = lambda name: {"name": name, "url": f"http://127.0.0.1:1/{name}.xml", "every": 3600}  # noqa: E731
    first = pg_config(tmp_path, pg_server, url=url, feeds=[feed("shared"), feed("first only")], settings_extra={"http": {"deadline": 1}})
    (tmp_path / "b").mkdir()
    second = pg_config(tmp_path / "b", pg_server, url=url, feeds=[feed("shared"), feed("second only")], settings_extra={"http": {"deadline": 1}})
    log = tmp_path / "first.log"
    with log.open("w") as out:
        daemon = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(first)], cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "monitor running" in log.read_text(), timeout=30)

        def enabled() -> dict[str, bool]:
            return {name: on for name, on in pg_server.sql("select name, enabled from sources", database=url.rsplit("/", 1)[1])}

        shared = pg_server.sql("select id from sources where name = 'shared'", database=url.rsplit("/", 1)[1])[0][0]
        assert monitor("sources", "retry", str(shared), "--config", str(second)).returncode == 0  # a verb that stores the config's sources
        assert enabled() == {"shared": True, "first only": True, "second only": True}
        listing = monitor("sources", "--config", str(second), env={"COLUMNS": "250"})  # shows the sources as they will be: the same
        assert listing.returncode == 0 and "first only" in listing.stdout and "disabled" not in listing.stdout, listing.stdout
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
        assert monitor("sources", "retry", str(shared), "--config", str(second)).returncode == 0
        assert enabled() == {"shared": True, "first only": False, "second only": True}
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait(timeout=20)


def test_a_feed_named_alike_with_another_url_in_a_running_daemons_config_is_one_warning_line(
        tmp_path: Path, pg_server: PostgresServer, caplog: pytest.LogCaptureFixture) -> None:
    """Two daemons' configs giving one feed name two URLs took turns at the stored feed's URL, at each start and reload,
    unsaid: one of the URLs was not polled."""
    from monitor.pipeline import register_sources
    from monitor.settings import load_settings
    from monitor.store import daemons

    url = pg_server.new_database(tmp_path)
    first = load_settings(pg_config(tmp_path, pg_server, url=url, feeds=[{"name": "news", "url": "http://127.0.0.1:1/a.xml"}]))
    (tmp_path / "b").mkdir()
    second = load_settings(pg_config(tmp_path / "b", pg_server, url=url, feeds=[{"name": "news", "url": "http://127.0.0.1:1/b.xml"}]))
    db = Database(url)
    try:
        register_sources(db, first)
        another_daemon_running(db, pg_server, url, {"news": "http://127.0.0.1:1/a.xml"})
        with caplog.at_level("WARNING", logger="monitor"):
            register_sources(db, second)
        [line] = [r.getMessage() for r in caplog.records]
        assert line == (f"{second.path}: [[feeds]] 'news' has the URL http://127.0.0.1:1/b.xml here and http://127.0.0.1:1/a.xml in the config of "
                        f"the daemon on {daemons.socket.gethostname()} pid 1: the feed is polled at the URL of the daemon started or reloaded last; "
                        "give the feed the same URL in every config, or another name in one")
    finally:
        db.close()


def test_a_reloaded_configs_sources_reach_the_registry_at_the_next_heartbeat(tmp_path: Path, pg_server: PostgresServer) -> None:
    """What the other daemons keep for this one (`daemons.sources`) follows a reload (SIGHUP), not only a start."""
    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings

    url = pg_server.new_database(tmp_path)
    config = pg_config(tmp_path, pg_server, url=url, feeds=[{"name": "news", "url": "http://127.0.0.1:1/a.xml"}])
    pipeline = build_pipeline(load_settings(config))
    try:
        member = pipeline.heartbeat(None, "monitor run")
        stored = lambda: json.loads(pg_server.sql(f"SELECT sources FROM daemons WHERE id = {member}", database=url.rsplit("/", 1)[1])[0][0])  # noqa: E731
        assert stored() == {"news": "http://127.0.0.1:1/a.xml"}
        config.write_text(config.read_text() + '[[feeds]]\nname = "more"\nurl = "http://127.0.0.1:1/b.xml"\n')
        pipeline.settings = load_settings(config)
        assert pipeline.heartbeat(member, "monitor run") == member
        assert stored() == {"more": "http://127.0.0.1:1/b.xml", "news": "http://127.0.0.1:1/a.xml"}
        assert pipeline.heartbeat(member, "monitor run") == member and stored() == {"more": "http://127.0.0.1:1/b.xml", "news": "http://127.0.0.1:1/a.xml"}
    finally:
        pipeline.db.close()
        pipeline.close()


def test_a_feed_only_in_a_stopped_daemons_config_is_retired_by_the_running_daemons_heartbeat(tmp_path: Path, pg_server: PostgresServer) -> None:
    """Regression (found by helper xmulti): a feed in one daemon's config only stayed polled by the other daemons after that
    daemon stopped for good, alerting from it, until one of them restarted or reloaded (then it was retired 'no longer in
    the config file'): when it stopped depended on when another daemon next restarted. A running daemon's heartbeat now
    retires a configured source once no running daemon's config has listed it for a lease, and puts back its own config's
    sources that were retired meanwhile (another daemon's look racing its start or reload)."""
    from monitor.pipeline import register_sources
    from monitor.settings import load_settings
    from monitor.store import daemons

    url = pg_server.new_database(tmp_path)
    name = url.rsplit("/", 1)[1]
    feed = lambda name: {"name": name, "url": f"http://127.0.0.1:1/{name}.xml", "every": 3600}  # noqa: E731
    fast = {"http": {"deadline": 1}, "delivery": {"lease_seconds": 2}}  # a lease of 4 s: a heartbeat each second
    first = load_settings(pg_config(tmp_path, pg_server, url=url, feeds=[feed("shared"), feed("first only")], settings_extra=fast))
    (tmp_path / "b").mkdir()
    second = pg_config(tmp_path / "b", pg_server, url=url, feeds=[feed("shared"), feed("second only")], settings_extra=fast)
    db = Database(url)
    register_sources(db, first)
    member = daemons.register(db, "monitor run", 600, utcnow(), (), {"shared": feed("shared")["url"], "first only": feed("first only")["url"]})
    pg_server.sql(f"UPDATE daemons SET pid = 1 WHERE id = {member}", database=name)  # the first daemon, running (pid 1 runs)

    def enabled() -> dict[str, bool]:
        return {source: on for source, on in pg_server.sql("select name, enabled from sources", database=name)}

    log = tmp_path / "second.log"
    with log.open("w") as out:
        daemon = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(second)], cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "monitor running" in log.read_text(), timeout=30)
        started = pg_server.sql("select now()", database=name)[0][0]
        wait_for(lambda: pg_server.sql(f"select count(*) from daemons where id != {member} and heartbeat_at > "
                                 f"'{started}'::timestamptz + interval '6 seconds'", database=name)[0][0], timeout=20)  # beyond a lease
        assert enabled() == {"shared": True, "first only": True, "second only": True}  # listed by the first daemon: kept
        pg_server.sql("update sources set enabled = false, last_error = 'no longer in the config file' where name = 'second only'", database=name)
        wait_for(lambda: enabled()["second only"], timeout=10)  # in the running daemon's config: put back at its heartbeat
        daemons.deregister(db, member)  # the first daemon stops for good
        wait_for(lambda: not enabled()["first only"], timeout=20)
        assert enabled() == {"shared": True, "first only": False, "second only": True}
        assert pg_server.sql("select last_error from sources where name = 'first only'", database=name) == [("no longer in the config file",)]
        assert "1 configured source retired (no longer in the config file): no running daemon's config lists it: first only" in log.read_text()
    finally:
        db.close()
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)


def test_a_daemon_starting_beside_another_starting_has_its_own_feeds_when_it_enters_the_registry(
        tmp_path: Path, pg_server: PostgresServer, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by helper xmulti): two daemons with feeds of their own started at once: the second stored its
    config's sources while the first had stored its own but not yet entered the registry, and retired the first's own
    feeds as 'no longer in the config file' (no running daemon's config listed them). The first said 'monitor running:
    2 feeds (1 from the config, ...)' and polled its own feed only once another daemon restarted, or, since the
    heartbeat puts them back, one heartbeat later. Entering the registry puts back the config's sources retired."""
    from monitor.pipeline import build_pipeline, register_sources
    from monitor.settings import load_settings

    url = pg_server.new_database(tmp_path)
    feed = lambda name: {"name": name, "url": f"http://127.0.0.1:1/{name}.xml", "every": 3600}  # noqa: E731
    first = load_settings(pg_config(tmp_path, pg_server, url=url, feeds=[feed("shared"), feed("first only")]))
    (tmp_path / "b").mkdir()
    second = load_settings(pg_config(tmp_path / "b", pg_server, url=url, feeds=[feed("shared"), feed("second only")]))
    pipeline = build_pipeline(first)  # its config's sources stored
    try:
        register_sources(pipeline.db, second)  # the second daemon starting meanwhile: the first is not in the registry yet
        enabled = lambda: dict(pg_server.sql("select name, enabled from sources", database=url.rsplit("/", 1)[1]))  # noqa: E731
        assert enabled()["first only"] is False
        with caplog.at_level("INFO", logger="monitor"):
            pipeline.enter_registry("monitor run", utcnow())
        assert enabled() == {"shared": True, "first only": True, "second only": True}
        assert ("1 source of this config, retired by another daemon whose config lacks it (it had not seen this one's yet), is polled or "
                "scanned again: first only") in [r.getMessage() for r in caplog.records]
    finally:
        pipeline.db.close()
        pipeline.close()


def test_a_daemon_whose_channels_differ_from_a_running_daemons_says_so_at_start_in_one_line(
        tmp_path: Path, pg_server: PostgresServer, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by helper xmulti): daemons on one store with different channels: an alert goes to the channels
    of the config of the daemon that stores it (whichever polled its feed), so a channel of one daemon's config got
    some of the alerts and missed the others, unsaid. A daemon starting (or reloaded) says so in one line, naming the
    channels and the other daemon."""
    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from monitor.store import daemons

    url = pg_server.new_database(tmp_path)
    desk = {"name": "desk", "url": f"console://local?file={tmp_path / 'desk.jsonl'}"}
    settings = load_settings(pg_config(tmp_path, pg_server, url=url, channels=[desk]))
    pipeline = build_pipeline(settings)
    try:
        other = daemons.register(pipeline.db, "monitor run", 600, utcnow(), ("desk", "ops"), {})
        pg_server.sql(f"UPDATE daemons SET pid = 1 WHERE id = {other}", database=url.rsplit("/", 1)[1])  # another daemon, running
        with caplog.at_level("WARNING", logger="monitor"):
            pipeline.enter_registry("monitor run", utcnow())
        [line] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        assert line == (f"{settings.path}: the daemon on {daemons.socket.gethostname()} pid 1 has the channels desk, ops and this config desk: "
                        "an alert goes to the channels of the daemon that stores it (whichever polled its feed or read its file), so 'ops' "
                        "gets only the alerts of the daemons whose config has it; give every daemon the same [[channels]]")
    finally:
        pipeline.db.close()
        pipeline.close()


def test_a_daemon_whose_clock_is_off_the_database_servers_says_so_once(tmp_path: Path, pg_server: PostgresServer, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by helper xmulti): the daemons of a shared store compare each other's heartbeats and leases
    (written with the writer's clock) with their own clocks: a machine whose clock was minutes behind was taken as
    gone by the others (its claims taken again, its files read and its deliveries sent again by a daemon starting),
    unsaid. A daemon compares its clock with the database server's as it starts and at each heartbeat, and says once
    when they differ by more than a quarter of its lease, and when they agree again."""
    from datetime import timedelta

    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings

    pipeline = build_pipeline(load_settings(pg_config(tmp_path, pg_server)))  # a lease of 120 s: 30 s off at most
    try:
        with caplog.at_level("INFO", logger="monitor"):
            pipeline.check_clock(utcnow() + timedelta(seconds=10))  # within
            pipeline.check_clock(utcnow() - timedelta(minutes=5))
            pipeline.check_clock(utcnow() - timedelta(minutes=5))  # said once
            pipeline.check_clock(utcnow())
        said = [(r.levelname, r.getMessage()) for r in caplog.records if "clock" in r.getMessage()]
        assert [level for level, _ in said] == ["WARNING", "INFO"], said
        assert said[0][1].startswith("this machine's clock is 300 s behind the database server's: the daemons of a shared store compare "
                                     "each other's heartbeats and leases with their own clocks"), said
        assert said[0][1].endswith("keep every machine's clock in step (NTP)"), said
        assert said[1][1] == "this machine's clock agrees with the database server's again"
    finally:
        pipeline.db.close()
        pipeline.close()


def test_a_feed_with_another_name_for_a_running_daemons_feed_url_is_one_warning_line(
        tmp_path: Path, pg_server: PostgresServer, caplog: pytest.LogCaptureFixture) -> None:
    """Regression (found by helper xmulti): two daemons' configs naming one feed URL differently made two stored feeds
    of one URL, both polled: twice the requests to the host for the same entries, unsaid (`monitor check` says so of a
    feed added with `sources add`). A daemon (or verb) storing its config's sources says so in one line."""
    from monitor.pipeline import register_sources
    from monitor.settings import load_settings
    from monitor.store import daemons

    url = pg_server.new_database(tmp_path)
    settings = load_settings(pg_config(tmp_path, pg_server, url=url, feeds=[{"name": "news", "url": "http://127.0.0.1:1/a.xml"}]))
    db = Database(url)
    try:
        another_daemon_running(db, pg_server, url, {"wire": "http://127.0.0.1:1/a.xml"})
        with caplog.at_level("WARNING", logger="monitor"):
            register_sources(db, settings)
        [line] = [r.getMessage() for r in caplog.records]
        assert line == (f"{settings.path}: [[feeds]] 'news' has the URL of 'wire' in the config of the daemon on {daemons.socket.gethostname()} "
                        "pid 1: both are polled, twice the requests to its host for the same entries; give the feed one name in every config")
    finally:
        db.close()
