"""Issue 18: feeds, folder files and deliveries claimed so that daemons sharing one store never take the
same one; revision 0006 (the daemons registry, file leases); `monitor status`.

The claims are raced by real processes on the test's store (a SQLite file, or a PostgreSQL database in
the PostgreSQL pass, where they use FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from monitor.store import daemons, files, hosts, migrate, outbox, sources
from monitor.store.db import Database, utcnow
from monitor.store.lock import single_daemon
from tests.conftest import ON_POSTGRES, REPO, JsonReceiver, LocalHTTP, query, store_url, wait_for, write_config
from tests.test_cli import monitor
from tests.test_migrations import ROWS
from tests.test_outbox import outbox_with

RACER = """
import json, sys, time
from datetime import timedelta
from monitor.store import hosts, outbox, sources
from monitor.store.db import Database, utcnow
url, what, ids = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
me, asked = __import__("os").getpid(), set()
db = Database(url)
taken = []
print("ready", flush=True)
sys.stdin.readline()  # every racer is ready: go
while True:
    now = utcnow()
    if what == "feeds":
        got = sorted(sources.claim(db, ids, now, now + timedelta(minutes=5), limit=5))
    elif what == "hosts":  # five at a time, each racer in its own order; a host another holds is not asked again
        left = [i for i in sorted(ids, reverse=me % 2 == 1) if i not in asked][:5]
        asked.update(left)
        got = sorted(hosts.claim(db, [f"h{i}.example" for i in left], me, now, now + timedelta(minutes=5)))
        if left and not got:
            continue
    else:
        got = [d.id for d in outbox.claim_due(db, now, 60, limit=5)]
        for i in got:
            outbox.record_sent(db, i, utcnow())
    if not got and (what in ("feeds", "hosts") or not outbox.due_ids(db, utcnow())):
        break  # (on SQLite the deliveries it listed may have been taken meanwhile: it lists again)
    taken += got
    time.sleep(0.01)  # as if polling or sending them
db.close()
print(json.dumps(taken))
"""


def race(url: str, what: str, ids: list[int], processes: int = 2) -> list[list[int]]:
    """What each of `processes` processes claimed, racing from one moment on (once all have opened the store)."""
    procs = [subprocess.Popen([sys.executable, "-c", RACER, url, what, json.dumps(ids)], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in range(processes)]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.close()
    outs = []
    for proc in procs:
        assert proc.wait(timeout=120) == 0
        assert proc.stdout is not None
        outs.append(json.loads(proc.stdout.read()))
    return outs


def test_two_processes_claiming_due_feeds_take_each_once(tmp_path: Path) -> None:
    db = Database(store_url(tmp_path))
    ids = [sources.ensure_source(db, f"feed {i}", "feed", f"http://example.org/{i}.xml") for i in range(300)]
    db.close()
    first_taken, second_taken = race(store_url(tmp_path), "feeds", ids)
    assert first_taken and second_taken  # both took part
    assert not set(first_taken) & set(second_taken) and sorted(first_taken + second_taken) == sorted(ids)


def test_a_claim_takes_at_most_its_limit_the_most_overdue_first_and_a_lease_that_ended_is_taken_again(tmp_path: Path) -> None:
    db = Database(store_url(tmp_path))
    ids = [sources.ensure_source(db, f"feed {i}", "feed", f"http://example.org/{i}.xml") for i in range(5)]
    now = utcnow()
    for i, source_id in enumerate(ids):  # feed 4 the most overdue, feed 0 not due yet
        sources.retry_now(db, source_id, now - timedelta(minutes=i) if i else now + timedelta(seconds=20))
    assert sources.claim(db, ids, now, now + timedelta(seconds=30), limit=2) == {ids[4], ids[3]}
    assert sources.claim(db, ids, now, now + timedelta(seconds=30)) == {ids[2], ids[1]}
    assert sources.claim(db, ids, now + timedelta(seconds=29), now + timedelta(minutes=5)) == {ids[0]}  # due by then; the leases not over
    assert sources.claim(db, ids, now + timedelta(seconds=31), now + timedelta(minutes=5)) == set(ids[1:])  # a killed daemon's leases ended
    db.close()


def test_two_processes_claiming_hosts_hold_each_once(tmp_path: Path) -> None:
    """Issue 18: a host is polled by one daemon at a time: of two daemons claiming the same hosts at
    once, each host goes to one."""
    Database(store_url(tmp_path)).close()
    first, second = race(store_url(tmp_path), "hosts", list(range(200)))
    assert first and second and not set(first) & set(second)  # type: ignore[arg-type]
    assert sorted(map(str, first + second)) == sorted(f"h{i}.example" for i in range(200))


def test_a_host_claim_is_renewed_by_its_holder_taken_over_after_its_lease_and_given_back(tmp_path: Path) -> None:
    db = Database(store_url(tmp_path))
    now, long_host = utcnow(), "x" * 300 + ".example"  # longer than the column: stored as fit_key makes it
    assert hosts.claim(db, ["a.example", long_host], 1, now, now + timedelta(seconds=30)) == {"a.example", long_host}
    assert hosts.claim(db, ["a.example", long_host, "b.example"], 2, now, now + timedelta(seconds=60)) == {"b.example"}
    assert hosts.claim(db, ["a.example"], 1, now + timedelta(seconds=20), now + timedelta(seconds=50)) == {"a.example"}  # renewed
    later = now + timedelta(seconds=40)  # daemon 1's long host lease ended (killed); a.example's was renewed
    assert hosts.claim(db, ["a.example", long_host], 2, later, later + timedelta(seconds=30)) == {long_host}
    hosts.release(db, ["a.example", "b.example"], 1, later)  # only its own: b.example stays daemon 2's
    assert hosts.claim(db, ["a.example", "b.example"], 3, later, later + timedelta(seconds=30)) == {"a.example"}
    hosts.release(db, ["a.example"], 3, later + timedelta(days=2))  # and the claims ended a day ago go
    assert hosts.claim(db, ["b.example", long_host], 4, later, later) == {"b.example", long_host}  # deleted: taken even within their old lease
    db.close()


def test_two_processes_dispatching_from_one_outbox_send_each_delivery_once(tmp_path: Path) -> None:
    db = outbox_with(tmp_path, 120)
    db.close()
    first_sent, second_sent = race(store_url(tmp_path), "deliveries", [])
    assert first_sent and second_sent
    assert not set(first_sent) & set(second_sent) and len(first_sent) + len(second_sent) == 120
    db = Database(store_url(tmp_path))
    assert outbox.delivery_states(db) == {("hook", "sent"): 120}
    db.close()


def test_a_folder_file_is_claimed_once_and_a_killed_readers_file_is_read_again_after_its_lease(tmp_path: Path) -> None:
    db = Database(store_url(tmp_path))
    now, path = utcnow(), str(tmp_path / "inbox" / "a.txt")
    assert files.claim(db, path, 10, 1, now, now + timedelta(seconds=30))
    assert not files.claim(db, path, 10, 1, now, now + timedelta(seconds=30))  # another daemon leaves it alone
    assert files.versions(db, [path], now) == {path: (10, 1, False)}  # being read: not for the others
    later = now + timedelta(seconds=31)  # the reader was killed: its lease ended
    assert files.versions(db, [path], later) == {}
    assert files.claim(db, path, 10, 1, later, later + timedelta(seconds=30))
    files.mark_seen(db, path, 10, 1, later)
    much_later = later + timedelta(days=1)
    assert not files.claim(db, path, 10, 1, much_later, much_later + timedelta(seconds=30))  # read: never again
    assert files.versions(db, [path], much_later) == {path: (10, 1, True)}
    other = str(tmp_path / "inbox" / "b.txt")
    assert files.claim(db, other, 5, 2, now, now + timedelta(seconds=30))
    files.release(db, other)  # changed while read: claimed again when it settles
    assert files.claim(db, other, 6, 3, now, now + timedelta(seconds=30))
    db.close()


def test_revision_0006_adds_the_daemons_registry_and_keeps_read_files_read(tmp_path: Path) -> None:
    url = store_url(tmp_path)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        migrate.upgrade(connection, "0005")
        connection.execute(text("INSERT INTO seen_files (id, path, size, mtime_ns, seen_at) VALUES (:id, :path, :size, :mtime_ns, :seen_at)"), ROWS["seen_files"])
    engine.dispose()
    db = Database(url)
    later = utcnow() + timedelta(days=1)
    assert files.versions(db, ["/data/in/a.txt"], later) == {"/data/in/a.txt": (123, 1_700_000_000_123_456_789, True)}
    assert not files.claim(db, "/data/in/a.txt", 123, 1_700_000_000_123_456_789, later, later + timedelta(seconds=30))
    daemon_id = daemons.register(db, "monitor run", 30.0, later)
    assert daemons.heartbeat(db, daemon_id, later + timedelta(seconds=5), daemons.Holding(3, 2, 1), 30.0)
    [row] = daemons.listing(db)
    assert (row.pid, row.holding, row.alive(later + timedelta(seconds=35)), row.alive(later + timedelta(seconds=36))) == (
        __import__("os").getpid(), daemons.Holding(3, 2, 1), True, False)
    daemons.deregister(db, daemon_id)
    assert daemons.listing(db) == [] and not daemons.heartbeat(db, daemon_id, later, daemons.Holding(), 30.0)
    db.close()


def test_monitor_status_lists_the_daemons_and_says_when_there_is_none(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    empty = monitor("status", "--config", str(config))
    assert empty.returncode == 0 and "no daemon is running on this store" in empty.stdout
    db = Database(store_url(tmp_path))
    now = utcnow()
    gone = daemons.register(db, "monitor run", 600.0, now - timedelta(hours=1))
    alive = daemons.register(db, "monitor run", 600.0, now)
    daemons.heartbeat(db, alive, now, daemons.Holding(7, 1, 0), 600.0)
    hosts.claim(db, ["a.example", "b.example"], alive, now, now + timedelta(minutes=10))  # being polled
    hosts.claim(db, ["c.example"], gone, now - timedelta(hours=1), now - timedelta(minutes=50))  # its lease ended: held no more
    db.close()
    with single_daemon(store_url(tmp_path), "monitor run"):  # the alive one holds a SQLite store's lock (nothing on PostgreSQL)
        data = json.loads(monitor("status", "--json", "--config", str(config)).stdout)
        table = monitor("status", "--config", str(config))
    assert [(d["id"], d["alive"], d["feeds"], d["deliveries"], d["hosts"]) for d in data["daemons"]] == [(gone, False, 0, 0, 0), (alive, True, 7, 1, 2)]
    assert data["shared"] is (not store_url(tmp_path).startswith("sqlite"))
    assert table.returncode == 0 and "gone" in table.stdout and "alive" in table.stdout
    helped = monitor("status", "--help")
    assert helped.returncode == 0 and "--json" in helped.stdout


def test_a_daemon_of_this_host_whose_process_is_gone_shows_exited_until_its_lease_ends(tmp_path: Path) -> None:
    """Regression (found by helper xops): a SIGKILLed daemon was listed `alive` for the rest of its lease (up to
    120 s by default) by `monitor status` on its own machine, where its process could be seen gone."""
    config = write_config(tmp_path)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    db = Database(store_url(tmp_path))
    now = utcnow()
    killed = daemons.register(db, "monitor run", 600.0, now)
    running = daemons.register(db, "monitor run", 600.0, now)  # this test's own pid: running
    with db.transaction() as connection:
        connection.exec_driver_sql(f"UPDATE daemons SET pid = {int(ended.stdout)} WHERE id = {killed}")
    db.close()
    with single_daemon(store_url(tmp_path), "monitor run"):  # the running one holds a SQLite store's lock (nothing on PostgreSQL)
        data = json.loads(monitor("status", "--json", "--config", str(config)).stdout)
        table = monitor("status", "--config", str(config)).stdout
    assert [(d["id"], d["alive"], d["exited"]) for d in data["daemons"]] == [(killed, True, True), (running, True, False)]
    assert "exited" in table and "alive" in table


HOLDER = """
import sys
from datetime import timedelta
from monitor.store import daemons
from monitor.store.db import Database, utcnow
from monitor.store.lock import single_daemon
url = sys.argv[1]
with single_daemon(url, "monitor run"):  # the store's lock, as a daemon holds it (nothing on PostgreSQL)
    db = Database(url)
    now = utcnow()
    beating = daemons.register(db, "monitor run", 5.0, now)
    daemons.heartbeat(db, beating, now - timedelta(minutes=1), daemons.Holding(), 5.0)  # beat last a minute ago
    daemons.register(db, "monitor run", 5.0, now - timedelta(hours=1))  # a row older than this process: its pid is another's now
    db.close()
    print("ready", flush=True)
    sys.stdin.readline()
"""


def test_status_says_a_daemon_whose_process_runs_or_is_stopped_is_not_gone(tmp_path: Path) -> None:
    """Regression (left by the last stop, fixed by helper xops5): a daemon SIGSTOPped (Ctrl-Z, a debugger) past its lease
    was listed `gone` by `monitor status` while its process held the store's lock (`monitor once` refused to start,
    naming it), and so was one running but not beating (its store hanging). Its process is read on this host: `stopped`,
    with the command that resumes it, or `stalled`; a row whose pid a later process has is still `gone`."""
    import signal

    config = write_config(tmp_path)
    Database(store_url(tmp_path)).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, store_url(tmp_path)], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"

        def states() -> list[tuple[int, bool, str]]:
            data = json.loads(monitor("status", "--json", "--config", str(config)).stdout)
            return [(d["pid"], d["alive"], d["state"]) for d in data["daemons"]]

        beating = query(tmp_path, "select id from daemons order by started_at desc")[0][0]
        assert states() == [(holder.pid, False, "gone"), (holder.pid, False, "stalled")]  # (the oldest row first)
        table = " ".join(monitor("status", "--config", str(config), env={"COLUMNS": "300"}).stdout.split())
        assert f"{beating} (pid {holder.pid}) runs but has not beaten for" in table and "what it held has been given back" in table, table
        holder.send_signal(signal.SIGSTOP)
        wait_for(lambda: Path(f"/proc/{holder.pid}/stat").read_text().rpartition(")")[2].split()[0] == "T")
        assert states() == [(holder.pid, False, "gone"), (holder.pid, False, "stopped")]
        table = " ".join(monitor("status", "--config", str(config), env={"COLUMNS": "300"}).stdout.split())
        assert f"{beating} (pid {holder.pid}) is stopped (SIGSTOP, Ctrl-Z): it has not beaten for" in table, table
        assert f"`kill -CONT {holder.pid}` resumes it, `kill {holder.pid}` ends it" in table, table
        assert ("it keeps the store's lock meanwhile" in table) is (not ON_POSTGRES), table
    finally:
        holder.send_signal(signal.SIGCONT)
        holder.kill()
        holder.wait()


def test_monitor_status_json_says_its_error_as_json_on_stdout_and_one_line_on_stderr(tmp_path: Path) -> None:
    """Regression (found by helper xpg): a --json caller (a script, a monitoring probe) got nothing on stdout
    and a text line on stderr when the config or the store failed: no JSON to parse."""
    unreachable = write_config(tmp_path, settings={"store": {"url": "postgresql+psycopg://monitor:pw@127.0.0.1:1/monitor"}})
    for config in (tmp_path / "missing.toml", unreachable):
        result = monitor("status", "--json", "--config", str(config))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        data = json.loads(result.stdout)
        line = result.stderr.strip()
        assert set(data) == {"error"} and line == f"monitor: error: {data['error']}" and "\n" not in line
        assert "pw@" not in result.stdout + result.stderr  # the password masked
    assert str(tmp_path / "missing.toml") in json.loads(monitor("status", "--json", "--config", str(tmp_path / "missing.toml")).stdout)["error"]


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one daemon per file (its lock): no other can be registering")
def test_a_daemon_starting_while_another_registers_leaves_the_others_claims_alone(tmp_path: Path) -> None:
    """Regression (found by helper xpg): two daemons starting at once on one PostgreSQL (machines booting after
    a power cut, `compose up --scale`): each saw no other alive and gave back every claim, the other's fresh
    ones too, so a delivery it had just claimed was sent by both. Registering is now serialised in the store:
    a daemon that finds another registering takes it as alive and gives back nothing."""
    from monitor.daemon import Daemon
    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from monitor.store import jobs

    db = outbox_with(tmp_path, 1)
    now = utcnow()
    [claimed] = outbox.claim_due(db, now, 120.0)  # the other daemon's, just taken
    daemon = Daemon(build_pipeline(load_settings(write_config(tmp_path))))
    try:
        with jobs.exclusive(db, "registry") as mine:  # the other daemon is registering at this moment
            assert mine
            daemons.deregister(db, daemon.register(now))
        assert outbox.claim_due(db, now, 120.0) == []  # still the other's: not sent twice
        daemon.register(now)  # alone now, and the other never registered (it died starting): its claim is given back
        assert [d.id for d in outbox.claim_due(db, now, 120.0)] == [claimed.id]
    finally:
        daemon.pipeline.close()
        db.close()


def test_monitor_status_says_which_channels_have_deliveries_given_up_or_left_to_no_channel_of_the_config(tmp_path: Path) -> None:
    """Regression (found by helper xpg): after a channel's outage outlasted its retries, or with a channel taken
    out of the config, `monitor status` said nothing of the alerts not delivered (and /healthz is ok once
    they gave up): the operator had to think of `monitor alerts --failed`."""
    db = outbox_with(tmp_path, 2, channel="file")
    outbox_with(tmp_path, 1, channel="old", first=2).close()
    [given_up] = outbox.claim(db, outbox.due_ids(db, utcnow(), limit=1), utcnow(), 120.0)  # the first alert's, to "file"
    outbox.record_failure(db, given_up.id, "refused", utcnow(), final=True)
    db.close()
    config = write_config(tmp_path)  # its one channel: "file"
    data = json.loads(monitor("status", "--json", "--config", str(config)).stdout)
    assert data["channels"] == ["file"]
    assert data["deliveries"] == {"file": {"failed": 1, "pending": 1}, "old": {"pending": 1}}
    table = monitor("status", "--config", str(config)).stdout
    assert "channel file: 1 delivery gave up: `monitor alerts --failed` lists it, `monitor alerts retry --failed --channel file` sends it again" in table
    assert "channel old: 1 delivery waiting, and this config has no channel 'old'" in table
    db = Database(store_url(tmp_path))
    [old] = [d for d in outbox.claim(db, outbox.due_ids(db, utcnow()), utcnow(), 120.0) if d.channel == "old"]
    outbox.record_failure(db, old.id, "channel 'old' is no longer configured", utcnow(), final=True)
    db.close()
    table = monitor("status", "--config", str(config)).stdout
    assert "channel old: 1 delivery gave up: `monitor alerts --failed` lists it, put 'old' back in the config, then `monitor alerts retry" in table


def test_every_json_verb_says_its_error_as_json(tmp_path: Path) -> None:
    """Regression (found by helper xpg): as `monitor status --json` did, `match --json`, `eval --json` and
    `trends --json` printed their error as text on stderr only: a script reading stdout got nothing to parse."""
    config = write_config(tmp_path, settings={"store": {"url": "postgresql+psycopg://monitor:pw@127.0.0.1:1/monitor"}})
    missing = str(tmp_path / "missing.txt")
    for argv in (["match", "--json", missing], ["eval", "--json", missing], ["trends", "--json"]):
        result = monitor(*argv, "--config", str(config))
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        data = json.loads(result.stdout)
        assert set(data) == {"error"} and result.stderr.strip() == f"monitor: error: {data['error']}", argv


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one daemon per file (its lock): no daemon starts beside `monitor once`")
def test_a_daemon_starting_beside_monitor_once_leaves_the_deliveries_once_is_sending_alone(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression (found by helper xops): on PostgreSQL `monitor once` did not enter the daemons' registry, so a
    `monitor run` starting while once was sending saw no daemon alive and gave back every delivery claim,
    once's too: the delivery once was sending was claimed and sent again by the daemon."""
    from monitor.daemon import Daemon
    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings

    json_receiver.hang = True  # once's send of the alert hangs, its claim held
    outbox_with(tmp_path, 1, channel="hook").close()
    config = write_config(tmp_path, channels=[{"name": "hook", "url": json_receiver.url}])
    daemon = Daemon(build_pipeline(load_settings(config)))
    once = subprocess.Popen([sys.executable, "-m", "monitor", "once", "--config", str(config)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: json_receiver.hung, timeout=60)
        db = daemon.pipeline.db
        assert [(d.verb, d.alive(utcnow())) for d in daemons.listing(db)] == [("monitor once", True)]
        daemons.deregister(db, daemon.register(utcnow()))  # a daemon starts (and stops) while once sends
        assert outbox.claim_due(db, utcnow(), 120.0) == []  # still once's: not sent twice
    finally:
        json_receiver.release.set()
        once.wait(timeout=60)
        daemon.pipeline.close()
    assert once.returncode == 0, once.stderr
    assert daemons.listing(Database(store_url(tmp_path))) == []  # once left the registry as it ended


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one daemon: held alerts of a channel its config lacks fail at once (test_outbox)")
def test_alerts_held_for_the_digest_of_a_channel_no_running_daemon_has_are_given_up_once_it_was_in_none_for_an_hour(tmp_path: Path) -> None:
    """Regression (found by helper xops): on PostgreSQL, alerts held for the digest of a channel taken out of
    every daemon's config stayed held for ever (never sent, not in `monitor alerts --failed`); a daemon could
    not tell a channel no daemon has from another daemon's (a daily digest waits a day, so the hour after
    which pending ones are given up could not serve). The registry now has each daemon's channels."""
    from sqlalchemy import select

    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from monitor.store.tables import DeliveryRow

    db = outbox_with(tmp_path, 2, channel="desk")
    outbox.hold(db, [due.id for due in outbox.claim_due(db, utcnow(), 120.0)], "below digest_below")
    (tmp_path / "a").mkdir()
    desk = [{"name": "desk", "url": f"console://local?file={tmp_path / 'desk.jsonl'}", "digest_at": "08:00"}]
    has_desk = build_pipeline(load_settings(write_config(tmp_path / "a", channels=desk, settings={"store": {"url": store_url(tmp_path)}})))
    lacks_desk = build_pipeline(load_settings(write_config(tmp_path)))  # its one channel: "file"

    def states() -> list[str]:
        with db.session() as s:
            return list(s.scalars(select(DeliveryRow.status).order_by(DeliveryRow.id)))

    try:
        start = utcnow()
        other = has_desk.enter_registry("monitor run", start)
        lacks_desk.dispatch(start)
        assert states() == ["held", "held"]  # the other daemon's digest, at 08:00
        daemons.heartbeat(db, other, start + timedelta(hours=5), daemons.Holding(), 120.0)  # it runs on
        lacks_desk.dispatch(start + timedelta(hours=5))
        assert states() == ["held", "held"]  # still in a running daemon's config
        daemons.deregister(db, other)  # it stops; nothing else has "desk"
        lacks_desk.dispatch(start + timedelta(hours=5, minutes=30))
        assert states() == ["held", "held"]  # in no running daemon's config for half an hour only (a restart, a rollout)
        lacks_desk.dispatch(start + timedelta(hours=6, minutes=1))
        assert states() == ["failed", "failed"]
        [alert, _] = outbox.latest_alerts(db, 10, failed_only=True)
        assert alert.last_error is not None and "channel 'desk' is in no running daemon's config" in alert.last_error
        assert "monitor alerts retry --failed --channel desk" in alert.last_error
    finally:
        has_desk.close()
        lacks_desk.close()


def test_monitor_status_names_what_each_registered_process_runs(tmp_path: Path) -> None:
    """Regression (found by helper xops): `monitor once` enters the registry too, and `monitor status` did not
    say which row was a daemon and which a `monitor once` (its JSON did: `verb`)."""
    config = write_config(tmp_path)
    db = Database(store_url(tmp_path))
    daemons.register(db, "monitor run", 600.0, utcnow())
    daemons.register(db, "monitor once", 600.0, utcnow())
    db.close()
    with single_daemon(store_url(tmp_path), "monitor run"):  # a running one holds a SQLite store's lock (nothing on PostgreSQL)
        table = monitor("status", "--config", str(config)).stdout
    assert len([line for line in table.splitlines() if "alive" in line]) == 2, table
    assert "2 is a `monitor once`, not a daemon: it leaves the list as it ends" in table and "1 is a" not in table


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one daemon: a channel its config lacks is in no config")
def test_deliveries_to_a_channel_a_running_daemon_has_are_not_given_up_as_in_no_config(tmp_path: Path) -> None:
    """Regression (found by helper xops): on PostgreSQL a daemon gave up the deliveries to a channel its config
    lacks once they were due an hour untaken, saying the channel was 'in no running daemon's config', even
    while another daemon had it and was only slow to send (a channel that hangs, thousands of alerts): those
    alerts were marked failed and not sent. The registry's channels are read first now: given up only once
    the channel has been in no running daemon's config for an hour."""
    from sqlalchemy import select

    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from monitor.store.tables import DeliveryRow

    db = outbox_with(tmp_path, 1, channel="hook")
    (tmp_path / "a").mkdir()
    hook = [{"name": "hook", "url": f"console://local?file={tmp_path / 'hook.jsonl'}"}]
    has_hook = build_pipeline(load_settings(write_config(tmp_path / "a", channels=hook, settings={"store": {"url": store_url(tmp_path)}})))
    lacks_hook = build_pipeline(load_settings(write_config(tmp_path)))  # its one channel: "file"

    def states() -> list[str]:
        with db.session() as s:
            return list(s.scalars(select(DeliveryRow.status).order_by(DeliveryRow.id)))

    try:
        start = utcnow()
        other = has_hook.enter_registry("monitor run", start)
        lacks_hook.dispatch(start)
        daemons.heartbeat(db, other, start + timedelta(hours=2), daemons.Holding(), 120.0)  # it runs on, its dispatch slow
        lacks_hook.dispatch(start + timedelta(hours=2))
        assert states() == ["pending"]  # due two hours ago, untaken, but "hook" is in a running daemon's config
        daemons.deregister(db, other)
        lacks_hook.dispatch(start + timedelta(hours=2, minutes=30))
        assert states() == ["pending"]
        lacks_hook.dispatch(start + timedelta(hours=3, minutes=1))
        assert states() == ["failed"]  # in none for an hour
    finally:
        has_hook.close()
        lacks_hook.close()


def test_the_registry_keeps_each_daemons_channel_names_whole(tmp_path: Path) -> None:
    """Regression (found by helper xops): the registry's channels were kept one name a line, and a channel's
    name may hold a newline (TOML "desk\\nwire"): read back as two other channels, its held alerts would be
    given up as in no daemon's config."""
    db = Database(store_url(tmp_path))
    now = utcnow()
    daemons.register(db, "monitor run", 600.0, now, channels=("desk\nwire", "ops"))
    assert daemons.channels_in_use(db, now) == frozenset({"desk\nwire", "ops"})
    db.close()


INNER = """
import os, sys
from datetime import timedelta
from monitor.store import daemons
from monitor.store.db import Database, utcnow
url, target = sys.argv[1], int(sys.argv[2])
while True:  # fork until a process of this pid namespace has the pid asked for (one no process has outside it)
    child = os.fork()
    if child == 0:
        if os.getpid() != target:
            os._exit(0)
        if sys.argv[3:] == ["older"]:  # a store of an older revision: its daemon's row as a monitor before 0010 wrote it
            from sqlalchemy import create_engine, text
            with create_engine(url).begin() as connection:
                connection.execute(text("INSERT INTO daemons (host, pid, verb, started_at, heartbeat_at, lease_seconds, feeds, deliveries, files) "
                                        "VALUES (:host, :pid, 'monitor run', now() at time zone 'utc', now() at time zone 'utc', 600, 0, 0, 0)"),
                                   {"host": __import__("socket").gethostname(), "pid": target})
        else:
            daemons.register(Database(url), "monitor run", 600.0, utcnow())
        print("registered", flush=True)
        sys.stdin.readline()
        os._exit(0)
    os.waitpid(child, 0)
    if child >= target:
        break
"""


@pytest.mark.skipif(not ON_POSTGRES, reason="daemons share a PostgreSQL store only")
def test_a_daemon_in_another_pid_namespace_of_the_same_host_name_is_not_taken_for_a_dead_one(tmp_path: Path) -> None:
    """Regression (found by helper xops): a daemon starting forgot the registry rows of its host whose pid it
    could not see running, and then, seeing no daemon alive, gave back every claim. Containers sharing the
    host's name (`network_mode: host`, a fixed `hostname:`) each have their own pids: a daemon in one forgot a
    live daemon of the other and sent the deliveries it had claimed again. A row is this host's only in the
    same pid namespace (and boot) now."""
    import os
    import shutil

    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs unshare and root to make a pid namespace")
    from monitor.daemon import Daemon
    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings

    target = next(pid for pid in range(3, 1000) if not daemons.pid_running(pid))  # a pid no process has here
    db = outbox_with(tmp_path, 1)
    url = store_url(tmp_path)
    inner = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", INNER, url, str(target)], cwd=REPO,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    daemon = Daemon(build_pipeline(load_settings(write_config(tmp_path))))
    try:
        assert inner.stdout is not None and inner.stdout.readline() == "registered\n"
        [other] = daemons.listing(db)
        assert (other.pid, other.host) == (target, __import__("socket").gethostname())  # its pid, seen from here: no process
        now = utcnow()
        [claimed] = outbox.claim_due(db, now, 120.0)  # the other daemon's, being sent
        daemons.deregister(db, daemon.register(now))  # a daemon starts here
        assert [d.id for d in daemons.listing(db)] == [other.id]  # the other's row kept: it runs
        assert outbox.claim_due(db, now, 120.0) == []  # still the other's: not sent twice
    finally:
        assert inner.stdin is not None
        inner.stdin.write("\n")
        inner.stdin.close()
        inner.wait(timeout=30)
        daemon.pipeline.close()
        db.close()


@pytest.mark.skipif(not ON_POSTGRES, reason="daemons share a PostgreSQL store only (SQLite: its lock)")
def test_db_upgrade_is_refused_beside_a_daemon_in_another_pid_namespace_of_the_same_host_name(tmp_path: Path) -> None:
    """Regression (found by helper xops): `monitor db upgrade` took a live daemon of its host name whose pid it
    could not see running (another container sharing the host's name) for a SIGKILLed one, and upgraded the
    tables under it. A row is read as this host's only in the same pid namespace (a row written before revision
    0010 says none: taken as running until its heartbeat is older than its lease)."""
    import os
    import shutil

    from sqlalchemy import create_engine

    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs unshare and root to make a pid namespace")
    config = write_config(tmp_path, settings={"store": {"upgrade": "manual"}})
    url = store_url(tmp_path)
    engine = create_engine(url)
    with engine.begin() as connection:
        migrate.upgrade(connection, "0009")
    engine.dispose()
    target = next(pid for pid in range(3, 1000) if not daemons.pid_running(pid))
    inner = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", INNER, url, str(target), "older"], cwd=REPO,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert inner.stdout is not None and inner.stdout.readline() == "registered\n"
        result = monitor("db", "upgrade", "--config", str(config))
        assert result.returncode == 1 and f"pid {target}" in result.stderr and "stop every daemon" in result.stderr, result.stdout + result.stderr
    finally:
        assert inner.stdin is not None
        inner.stdin.write("\n")
        inner.stdin.close()
        inner.wait(timeout=30)


@pytest.mark.parametrize("to_group", [False, True], ids=["its-process", "its-process-group"])
def test_monitor_once_stopped_with_sigterm_gives_back_its_claims_leaves_the_registry_and_prints_no_traceback(
        tmp_path: Path, http_server: LocalHTTP, to_group: bool) -> None:
    """Regression (found by helper xops): `monitor once` from cron under `timeout` (or `systemctl stop` of a
    oneshot) gets SIGTERM, which ended it on the spot: the feed it was fetching stayed claimed until the
    lease ended (its next run skipped it; on PostgreSQL every daemon did), and its registry row stayed,
    alive, until then (`monitor status`, `db upgrade` refused). SIGTERM now stops it as Ctrl-C does.

    Regression (found by helper xops2): `systemctl stop` sends SIGTERM to every process of the unit, the parsing
    processes too (KillMode=control-group), as `kill -TERM -- -PGID` does. They had inherited `once`'s SIGTERM handler
    (stop as Ctrl-C does), so each printed a Python traceback (`KeyboardInterrupt` in `_process_worker`). They end
    quietly now, as those of `monitor run` do."""
    import signal
    import threading

    release = threading.Event()

    def hang(handler: Any, _body: bytes) -> None:
        release.wait(30)
        handler.close_connection = True

    http_server.routes["/slow.xml"] = hang
    config = write_config(tmp_path, feeds=[{"name": "slow", "url": http_server.url("/slow.xml")}])
    once = subprocess.Popen([sys.executable, "-m", "monitor", "once", "--config", str(config)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        wait_for(lambda: any(r[1] == "/slow.xml" for r in list(http_server.requests)), timeout=60)
        if to_group:
            os.killpg(once.pid, signal.SIGTERM)  # its session's group: once and its parsing processes
        else:
            once.send_signal(signal.SIGTERM)
        _, err = once.communicate(timeout=30)
    finally:
        release.set()
        if once.poll() is None:
            once.kill()
    assert once.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    db = Database(store_url(tmp_path))
    try:
        assert daemons.listing(db) == []
        assert [job.name for job in sources.due_feeds(db, utcnow())] == ["slow"]  # polled at the next run, not after the lease
    finally:
        db.close()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite only: its lock says no other daemon runs (on PostgreSQL a row's pid namespace or heartbeat must)")
@pytest.mark.parametrize("pid_space", [None, "another-boot/4026531836"])
def test_on_sqlite_a_killed_daemons_row_from_before_a_reboot_or_an_upgrade_holds_nothing_at_the_next_start(tmp_path: Path, pid_space: str | None) -> None:
    """Regression: a daemon killed on this host whose registry row is of another boot (the machine crashed or rebooted:
    systemd starts the daemon again within a minute) or says no pid namespace (a monitor before revision 0010, then
    upgraded) was taken as alive until its lease ended: the next start on the SQLite store did not forget it, so the
    folder files and deliveries it had claimed waited for their lease, and `monitor status` listed it alive. On SQLite
    the store's lock says no other daemon runs: every row is a dead one's, forgotten, and its claims given back at once."""
    import socket

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    claimed = inbox / "claimed.txt"
    claimed.write_text("Rockets hit the Green Zone\n\nKataeb Hezbollah fired rockets at the embassy.")
    config = write_config(tmp_path, folders=[inbox])
    assert monitor("db", "upgrade", "--create", "--config", str(config)).returncode == 0  # the store, empty
    engine = create_engine(store_url(tmp_path), poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO daemons (host, pid, verb, started_at, heartbeat_at, lease_seconds, feeds, deliveries, files, pid_space) "
                          "VALUES (:host, 1, 'monitor run', datetime('now'), datetime('now'), 600, 0, 0, 1, :space)"),
                     {"host": socket.gethostname(), "space": pid_space})
        stat = claimed.stat()
        conn.execute(text("INSERT INTO seen_files (path, size, mtime_ns, seen_at, lease_until) VALUES (:p, :s, :m, datetime('now'), datetime('now', '+10 minutes'))"),
                     {"p": str(claimed.resolve()), "s": stat.st_size, "m": stat.st_mtime_ns})
    engine.dispose()
    time.sleep(0.3)  # the file settled
    once = monitor("once", "--config", str(config))
    assert once.returncode == 0, once.stderr
    assert "1 folder file claimed by a daemon that is gone is read again" in once.stderr, once.stderr
    assert query(tmp_path, "select count(*) from articles") == [(1,)]
    assert query(tmp_path, "select count(*) from daemons") == [(0,)]


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite only: its lock says whether a daemon runs")
def test_status_on_sqlite_shows_a_killed_daemons_row_of_another_boot_exited_when_no_one_holds_the_lock(tmp_path: Path) -> None:
    """Regression: after a crash or a reboot, before the daemon started again, `monitor status` listed the killed daemon
    (its row of another boot: its pid tells nothing here) as alive until its lease ended. On SQLite the store's lock
    says whether a daemon runs: no one holds it, so the row is shown exited."""
    import socket

    config = write_config(tmp_path)
    assert monitor("db", "upgrade", "--create", "--config", str(config)).returncode == 0
    engine = create_engine(store_url(tmp_path), poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO daemons (host, pid, verb, started_at, heartbeat_at, lease_seconds, feeds, deliveries, files, pid_space) "
                          "VALUES (:host, 1, 'monitor run', datetime('now'), datetime('now'), 600, 0, 0, 0, 'another-boot/4026531836')"),
                     {"host": socket.gethostname()})
    engine.dispose()
    status = monitor("status", "--json", "--config", str(config))
    assert status.returncode == 0, status.stderr
    (daemon,) = json.loads(status.stdout)["daemons"]
    assert daemon["alive"] and daemon["exited"], daemon


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only: on SQLite the store's lock says whether a daemon runs (rows shown exited)")
def test_status_on_postgresql_does_not_show_a_killed_older_monitors_daemon_of_this_host_alive(tmp_path: Path) -> None:
    """Regression (found by helper xmulti): a daemon of a monitor before revision 0010 (its row says no pid namespace)
    SIGKILLed on this host was listed `alive` by `monitor status` until its lease ended, though no process of this
    host ran under its pid. Its pid may be another container's (same host name), so it is not certainly exited: it is
    shown `exited?` (`"exited": null`), with a line saying what is known and until when it holds its claims."""
    import signal
    import socket

    config = write_config(tmp_path)
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    db = Database(store_url(tmp_path))
    now = utcnow()
    older = daemons.register(db, "monitor run", 600.0, now)
    running = daemons.register(db, "monitor run", 600.0, now)  # this test's own pid: running
    db.close()
    engine = create_engine(store_url(tmp_path), poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("UPDATE daemons SET pid = :pid, pid_space = NULL WHERE id = :id"), {"pid": killed.pid, "id": older})
        conn.execute(text("UPDATE daemons SET pid_space = NULL WHERE id = :id"), {"id": running})  # an older monitor's too, its pid running here
    engine.dispose()
    data = json.loads(monitor("status", "--json", "--config", str(config)).stdout)
    table = monitor("status", "--config", str(config), env={"COLUMNS": "200"}).stdout
    assert [(d["id"], d["alive"], d["exited"]) for d in data["daemons"]] == [(older, True, None), (running, True, False)]
    assert "exited?" in table, table
    line = " ".join(table.split())
    assert (f"{older} is of an older monitor (its row says no pid namespace) and no process of {socket.gethostname()} runs as pid {killed.pid}: "
            "killed, unless it runs in another container of the same host name; what it holds is taken as its own until its lease ends at ") in line, line



def test_a_feed_taken_out_of_the_config_while_its_poll_is_under_way_is_polled_and_counted_again_once_put_back(tmp_path: Path) -> None:
    """A reload racing a poll: the reload retired feeds the poll had claimed, then the poll recorded their outcomes over
    the retirement's mark, so putting them back in the config (and `kill -HUP`) left them disabled for good, neither
    polled nor counted by the reload line ('1 feed (1 from the config, 0 added)' for a config of three)."""
    db = Database(store_url(tmp_path))
    names = ("kept", "ok", "broken")
    specs = [sources.SourceSpec(name, "feed", f"http://127.0.0.1:9/{name}.xml") for name in names]
    try:
        ids = [sources.ensure_sources(db, specs)[name] for name in names]
        now = utcnow()
        lease = now + timedelta(minutes=5)
        assert sources.claim(db, ids, now, lease) == set(ids)  # the poll has them
        sources.retire_config_sources(db, "feed", {"kept"})  # the reload: the config lists "kept" only now
        sources.record_successes(db, now, [sources.Success(i, now + timedelta(hours=1), claim=lease) for i in ids[:2]])  # the poll ends
        sources.record_failure(db, ids[2], now, now + timedelta(hours=1), "connection refused", claim=lease)
        assert sources.feed_counts(db, ["kept"]) == (1, 0, 0)
        sources.ensure_sources(db, specs)  # put back in the config, and reloaded
        assert sources.feed_counts(db, list(names)) == (3, 0, 0)  # (1, 0, 0) before: "ok" and "broken" disabled for good
        assert [(name, bool(enabled)) for name, enabled in query(tmp_path, "SELECT name, enabled FROM sources ORDER BY id")] == [
            ("kept", True), ("ok", True), ("broken", True)]
    finally:
        db.close()
