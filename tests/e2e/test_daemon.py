"""End to end: `monitor run` as a process, a real RSS feed over local HTTP, an inbox folder, alerts
through Apprise's json:// to a local endpoint and mailto:// to a local aiosmtpd server, a restart."""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from contextlib import contextmanager
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from monitor.settings import load_settings
from monitor.store import sources
from monitor.store.db import Database
from monitor.store.tables import DeliveryRow
from tests.conftest import DEFAULT_WATCHLIST, DISTINCT_STORIES, REPO, JsonReceiver, LocalHTTP, SmtpSink, inbox_with, sqlite_only, wait_for, write_config
from tests.test_pipeline import CALM, STRIKE, rss


@contextmanager
def daemon(config: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`monitor run` in the background; stopped with SIGINT (Ctrl-C) at the end of the block."""
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=REPO, stdout=out, stderr=out)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0, log.read_text()


def checks_of(config: Path, name: str) -> int:
    """How many times the daemon has finished checking a source (its last_checked_at moving)."""
    db = Database(load_settings(config).store.sqlalchemy_url)
    try:
        health = {s.name: s for s in sources.list_sources(db)}
        return int(health[name].last_checked_at.timestamp() * 1000) if name in health and health[name].last_checked_at else 0
    finally:
        db.close()


def subjects(smtp: SmtpSink) -> list[str]:
    return [str(make_header(decode_header(m["Subject"]))) for m in smtp.messages]


def test_daemon_feed_and_inbox_to_json_and_email_with_restart(tmp_path: Path, http_server: LocalHTTP, json_receiver: JsonReceiver, smtp_server: SmtpSink) -> None:
    http_server.routes["/wire.xml"] = (200, {"Content-Type": "application/rss+xml", "ETag": '"1"'}, rss(
        ("Drone strike kills commander", "https://wire.example/strike", "strike-1", STRIKE),
        ("Rates unchanged", "https://wire.example/rates", "rates-1", CALM),
    ))
    http_server.routes["/broken.xml"] = (200, {"Content-Type": "text/html"}, b"<html>down for maintenance</html>")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    mail = f"mailto://127.0.0.1:{smtp_server.port}?to=desk@example.org&from=monitor@example.org&secure=no"
    config = write_config(
        tmp_path,
        feeds=[{"name": "wire", "url": http_server.url("/wire.xml"), "every": 0.5}, {"name": "broken", "url": http_server.url("/broken.xml"), "every": 0.5}],
        folders=[inbox],
        channels=[{"name": "hook", "url": json_receiver.url}, {"name": "mail", "url": mail}],
    )
    log = tmp_path / "daemon.log"
    with daemon(config, log):
        wait_for(lambda: len(json_receiver.messages) == 1 and len(smtp_server.messages) == 1, timeout=20)
        assert "Qasem Soleimani" in json_receiver.messages[0]["title"]
        assert "drone strike" in subjects(smtp_server)[0]

        (inbox / "flash.md").write_text("# Flash\n\nTehran launched ballistic missiles at Ain al-Asad airbase in retaliation.\n")
        (inbox / "noise.txt").write_text("The weather in Basra was mild and dry.\n")
        (inbox / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(500))
        wait_for(lambda: len(json_receiver.messages) == 2, timeout=10)
        assert "ballistic missiles" in json_receiver.messages[1]["title"]
        wait_for(lambda: len(smtp_server.messages) == 2, timeout=10)

    text = log.read_text()
    assert "Traceback" not in text
    assert any("image.html" in line and "binary file" in line for line in text.splitlines())
    assert any("(broken)" in line and "not a usable feed" in line for line in text.splitlines())

    # Restart: the same feed, the same files: nothing is processed or sent twice.
    before = checks_of(config, "wire")
    with daemon(config, log):
        wait_for(lambda: checks_of(config, "wire") > before, timeout=20)
        wait_for(lambda: checks_of(config, "wire") > before, timeout=20)
        (inbox / "flash-copy.md").write_text("# Flash\n\nTehran launched ballistic missiles at Ain al-Asad airbase in retaliation.\n")
        time.sleep(1.5)  # nothing to await: we are checking that nothing happens
    assert len(json_receiver.messages) == 2
    assert len(smtp_server.messages) == 2


def test_a_channel_that_is_down_gets_the_alert_when_it_comes_back(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}])
    json_receiver.fail = True
    with daemon(config, tmp_path / "daemon.log"):
        (inbox / "a.txt").write_text("Kataeb Hezbollah fired rockets at the US embassy in Baghdad.\n")
        wait_for(lambda: json_receiver.rejected >= 1, timeout=10)
        json_receiver.fail = False
        wait_for(lambda: len(json_receiver.messages) == 1, timeout=15)
    assert len(json_receiver.messages) == 1
    assert "alert" in (tmp_path / "daemon.log").read_text() and "failed (attempt 1" in (tmp_path / "daemon.log").read_text()


def test_sigterm_stops_the_daemon_cleanly(tmp_path: Path) -> None:
    config = write_config(tmp_path, folders=[tmp_path])
    log = tmp_path / "daemon.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=REPO, stdout=out, stderr=out)
    wait_for(lambda: "monitor running" in log.read_text(), timeout=20)
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert "monitor stopped" in log.read_text()


def test_an_edited_watchlist_is_taken_live_and_a_broken_edit_keeps_the_old_one(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    watchlist = tmp_path / "watchlist.yaml"
    original = DEFAULT_WATCHLIST.read_text()
    watchlist.write_text(original)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}], watchlist=watchlist)
    log = tmp_path / "daemon.log"
    with daemon(config, log):
        wait_for(lambda: "monitor running" in log.read_text(), timeout=20)
        watchlist.write_text(original + "\n  - name: broken\n    kind: nonsense\n")
        wait_for(lambda: "watchlist not reloaded" in log.read_text(), timeout=10)
        (inbox / "old.txt").write_text("Kataeb Hezbollah claimed a drone strike near Erbil.\n")
        wait_for(lambda: len(json_receiver.messages) == 1, timeout=10)  # the old watchlist still works

        watchlist.write_text(original.replace("actors:\n", "actors:\n  - name: Wagner Group\n    kind: group\n    aliases: [Wagner, PMC Wagner]\n", 1))
        wait_for(lambda: "watchlist reloaded" in log.read_text(), timeout=10)
        (inbox / "new.txt").write_text("PMC Wagner fighters were hit by a drone strike near Bakhmut.\n")
        wait_for(lambda: len(json_receiver.messages) == 2, timeout=10)
    assert "Wagner Group" in json_receiver.messages[1]["title"]
    assert "Traceback" not in log.read_text()


def test_secrets_never_reach_the_daemon_log(tmp_path: Path, smtp_server: SmtpSink) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    url = f"mailto://desk:${{SMTP_PASSWORD}}@127.0.0.1:{smtp_server.port}?to=desk@example.org&from=monitor@example.org"
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "mail", "url": url}])
    log = tmp_path / "daemon.log"
    os.environ["SMTP_PASSWORD"] = "s3cret-Pa55word"
    try:
        with daemon(config, log):
            (inbox / "a.txt").write_text("Kataeb Hezbollah fired rockets at the US embassy in Baghdad.\n")
            wait_for(lambda: "failed (attempt 1" in log.read_text(), timeout=15)  # the server offers no AUTH
    finally:
        del os.environ["SMTP_PASSWORD"]
    text = log.read_text()
    assert "AUTH" in text and "s3cret-Pa55word" not in text


def children(pid: int) -> dict[int, bytes]:
    """The processes whose parent is `pid`, with their command lines."""
    found = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as stat, open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found[int(entry)] = cmdline.read()
        except (OSError, IndexError, ValueError):
            continue
    return found


def test_monitor_run_forks_the_configured_number_of_feed_parsers(tmp_path: Path, http_server: LocalHTTP, json_receiver: JsonReceiver) -> None:
    """The parsing processes are forks of the daemon (same command line), as many as [schedule] parse_workers
    says, made before any thread ran; there is no resource tracker (spawned pools need one); they parse feeds.
    They are forked once the watchlist is compiled (they prepare new entries with it: text, matches, sketch),
    before the daemon imports its store, HTTP client and channels: SQLAlchemy's and aiohttp's extension
    modules are not mapped in them."""
    http_server.routes["/wire.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Drone strike kills commander", "https://wire.example/s", "s-1", STRIKE)))
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/wire.xml"), "every": 0.5}], channels=[{"name": "hook", "url": json_receiver.url}],
                          settings={"schedule": {"parse_workers": 3}})
    with daemon(config, tmp_path / "daemon.log") as proc:
        wait_for(lambda: len(json_receiver.messages) == 1, timeout=20)
        with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
            own = f.read()
        kids = {pid: cmd for pid, cmd in children(proc.pid).items() if cmd}  # an empty command line: a short-lived helper process exiting (seen once under load), not a parser
        assert len(kids) == 3 and set(kids.values()) == {own}, kids
        for kid in kids:
            with open(f"/proc/{kid}/status") as f:
                threads = next(int(line.split()[1]) for line in f if line.startswith("Threads:"))
            assert threads == 2  # the worker's own, and the one that watches for the daemon's end
            with open(f"/proc/{kid}/maps") as f:
                mapped = f.read()
            assert "sqlalchemy" not in mapped and "aiohttp" not in mapped, kid
            assert "rapidfuzz" in mapped  # the matcher's library: they match


def test_ctrl_c_cancels_a_stalled_fetch_at_once_and_the_restart_polls_it(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Issue 14 item 12: Ctrl-C waited for fetches under way up to their deadline. Now they are cancelled,
    the stalled feed records nothing (its claim is given back) and the next start polls it."""
    release = threading.Event()

    def stalled(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        release.wait(60)

    http_server.routes["/stalled.xml"] = stalled
    config = write_config(tmp_path, feeds=[{"name": "stalled", "url": http_server.url("/stalled.xml")}], settings={"http": {"timeout": 60, "deadline": 60}})
    log = tmp_path / "daemon.log"
    try:
        with daemon(config, log) as proc:
            wait_for(lambda: any(p == "/stalled.xml" for _, p, _, _ in http_server.requests), timeout=20)
            proc.send_signal(signal.SIGINT)
            started = time.monotonic()
            assert proc.wait(timeout=20) == 0
            assert time.monotonic() - started < 5, log.read_text()
        assert checks_of(config, "stalled") == 0  # nothing recorded of the cancelled fetch
    finally:
        release.set()
    http_server.routes["/stalled.xml"] = (200, {}, rss(("Rates unchanged", "https://wire.example/rates", "rates-1", CALM)))
    with daemon(config, log):
        wait_for(lambda: checks_of(config, "stalled") > 0, timeout=20)
    assert "Traceback" not in log.read_text()


def monitor_run(config: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """`monitor run` with its log read from a pipe as it comes (a pipe: the test's file-size limit spares it)."""
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True).start()
    return proc, lines


@sqlite_only  # on PostgreSQL daemons share the store (issue 18): tests/test_postgres.py, tests/e2e/test_shared.py
def test_a_second_daemon_on_one_database_refuses_in_one_line_naming_the_first(tmp_path: Path) -> None:
    """Regression (issue 14, item 15): two daemons on one database sent 105 alerts for 100 stories."""
    config = write_config(tmp_path, folders=[tmp_path])
    first, log = monitor_run(config)
    wait_for(lambda: any("monitor running" in line for line in log), timeout=20)
    for verb in ("run", "once"):
        second = subprocess.run([sys.executable, "-m", "monitor", verb, "--config", str(config)], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and f" is in use by `monitor run` (pid {first.pid} on " in lines[0], second.stderr
    first.kill()  # SIGKILL: the lock goes with the process
    first.wait(timeout=20)
    with daemon(config, tmp_path / "after.log"):
        wait_for(lambda: "monitor running" in (tmp_path / "after.log").read_text(), timeout=20)


@sqlite_only  # the full disk is the daemon's file-size limit: PostgreSQL writes in its own process
def test_a_full_disk_is_one_line_per_job_and_the_daemon_goes_on_when_there_is_room(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression (issue 14, item 14): a full disk logged about 90 traceback lines a second.

    The disk is made full for the daemon alone by its file-size limit (RLIMIT_FSIZE = 0, set from
    outside with prlimit): every write to the database fails as on a full disk, until the limit is lifted.
    """
    http_server.routes["/wire.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Rates unchanged", "https://wire.example/rates", "rates-1", CALM)))
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/wire.xml"), "every": 0.5}])
    proc, log = monitor_run(config)
    try:
        wait_for(lambda: checks_of(config, "wire"), timeout=20)
        limits = resource.prlimit(proc.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (0, limits[1]))
        wait_for(lambda: any("store unavailable" in line for line in log), timeout=10)
        time.sleep(4)  # the disk stays full for a while: about 8 runs of the feeds job
        full = list(log)
        resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, limits)
        wait_for(lambda: any("store available again: feeds job" in line for line in log), timeout=20)
        checked = checks_of(config, "wire")
        wait_for(lambda: checks_of(config, "wire") > checked, timeout=10)  # polling and storing again
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0, "".join(log)
    warnings = [line for line in full if "store unavailable" in line]
    assert warnings and len(warnings) <= 2, full  # one line per cause (a write error, then maybe the disk-full one)
    assert "feeds job backs off 1 s, doubling up to 60 s" in warnings[0]
    assert not any("Traceback" in line or "raised an exception" in line for line in log), "".join(log)


def test_a_stop_while_a_channel_hangs_ends_after_the_send_under_way_and_the_restart_sends_the_rest(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: a stop waited for the dispatch to go through every delivery it had claimed (up to 50), each
    hanging to the channel's timeout: with a receiver that hangs, `systemctl stop` waited past its
    TimeoutStopSec (60 s in deploy/monitor.service) and SIGKILLed the daemon. Now the dispatch ends after the
    send under way, gives the others back, and the next start sends them at once: each once."""
    inbox = inbox_with(tmp_path, DISTINCT_STORIES)
    # attempts enough for the failing phase: a dispatch that meets two failures in a row puts the channel's other
    # deliveries off (no attempt counted), so the first ones can spend 3 attempts before the fifth is refused once
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}], settings={"delivery": {"max_attempts": 50}})
    json_receiver.fail = True  # first down: the five alerts wait for their retry, then one dispatch claims them all
    log = tmp_path / "daemon.log"
    with daemon(config, log) as proc:
        wait_for(lambda: json_receiver.rejected >= 5, timeout=20)
        json_receiver.hang, json_receiver.fail = True, False
        wait_for(lambda: json_receiver.hung >= 1, timeout=20)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text()
        took = time.monotonic() - started
    assert json_receiver.hung == 1 and took < 10, (json_receiver.hung, took)  # the send under way (Apprise's 4 s timeouts), not five
    json_receiver.hang = False
    json_receiver.release.set()
    with daemon(config, log):
        wait_for(lambda: len(json_receiver.messages) == 5, timeout=20)  # at once, not after the 120 s lease
        time.sleep(1)
    assert sorted(m["title"] for m in json_receiver.messages) == sorted({m["title"] for m in json_receiver.messages})


def test_a_restart_after_a_night_down_takes_no_feed_for_silent(tmp_path: Path, http_server: LocalHTTP) -> None:
    """Regression: the trends job runs at once at a start and judged each source by its last article: after
    the daemon had been down longer than a feed's silence limit (a night, for a feed that publishes every
    hour), every such feed got a 'Silent source' alert at the start, then a 'Source back' alert when its
    first poll brought the night's news: two false alerts per feed to the ops channels. Now a source is
    judged silent once the daemon has watched it for its limit."""
    from monitor.pipeline import register_sources
    from tests.conftest import query, store_url
    from tests.test_spikes import save

    http_server.routes["/wire.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Rates unchanged", "https://wire.example/r", "r-1", CALM)))
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/wire.xml")}],
                          channels=[{"name": "ops", "url": f"console://local?file={tmp_path / 'ops.jsonl'}", "tags": ["ops"]}],
                          settings={"trends": {"check_every": 1}})
    db = Database(store_url(tmp_path))
    register_sources(db, load_settings(config))
    stopped = datetime.now(UTC) - timedelta(hours=10)  # the daemon stopped ten hours ago
    for n in range(48):  # an article every hour for two days before
        save(db, 1, stopped - timedelta(hours=n), n)
    db.close()
    with daemon(config, tmp_path / "daemon.log"):
        wait_for(lambda: query(tmp_path, "SELECT count(*) FROM articles")[0][0] == 49, timeout=20)  # the night's news
        time.sleep(3)  # trends checks after the poll
    assert query(tmp_path, "SELECT title FROM alerts") == []


def test_a_stop_during_a_long_folder_backlog_ends_after_the_file_under_way_and_the_restart_reads_the_rest(tmp_path: Path) -> None:
    """Regression: a stop waited for the folder scan to read every settled file: 3,000 articles waiting in an
    inbox (alerting) made a SIGTERM take 58 s, near the unit's TimeoutStopSec (60 s) and its SIGKILL. Now the scan ends
    after the file under way; the next start reads the rest, each file once."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    words = ("the minister said on Tuesday that talks would continue despite a drone strike near Baghdad airport rockets fired militia "
             "Iran Iraq border officials economy market rain weather football").split()
    for n in range(400):  # distinct stories that alert (each some 20 ms to match, store and alert)
        pick = random.Random(n)
        (inbox / f"a{n:04d}.txt").write_text(f"Report {n}. " + " ".join(pick.choice(words) for _ in range(300)))
    config = write_config(tmp_path, folders=[inbox])
    log = tmp_path / "daemon.log"

    def stored() -> int:
        return int(query(tmp_path, "SELECT count(*) FROM articles")[0][0])

    from tests.conftest import query

    with daemon(config, log) as proc:
        wait_for(lambda: "monitor running" in log.read_text(), timeout=30)
        wait_for(lambda: stored() >= 5, timeout=30)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 0, log.read_text()
        took = time.monotonic() - started
    assert took < 3 and stored() < 400, (took, stored())
    with daemon(config, log):
        wait_for(lambda: stored() == 400, timeout=120)
    assert query(tmp_path, "SELECT count(*) FROM seen_files")[0][0] == 400


def test_a_restart_after_a_sigkill_mid_dispatch_sends_the_claimed_alerts_at_once(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: deliveries claimed by a daemon SIGKILLed before it sent them waited out their lease
    ([delivery] lease_seconds, 120 s) after the restart, though no other daemon was alive to hold them (the
    folder files of the dead are given back at a start; its deliveries were not)."""
    from monitor.store import outbox
    from monitor.store.db import utcnow

    inbox = inbox_with(tmp_path, DISTINCT_STORIES[:2])
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}])
    assert subprocess.run([sys.executable, "-m", "monitor", "once", "--config", str(config)], cwd=REPO, capture_output=True, timeout=60).returncode == 0
    json_receiver.messages.clear()
    db = Database(load_settings(config).store.sqlalchemy_url)
    with db.session() as s:  # two alerts pending again, as if never sent
        s.execute(DeliveryRow.__table__.update().values(status="pending", sent_at=None))
    assert len(outbox.claim_due(db, utcnow(), 120)) == 2  # claimed by a daemon killed then
    db.close()
    with daemon(config, tmp_path / "daemon.log"):
        wait_for(lambda: len(json_receiver.messages) == 2, timeout=20)


def test_a_standard_error_that_takes_nothing_holds_back_no_poll_and_no_delivery(tmp_path: Path, http_server: LocalHTTP, json_receiver: JsonReceiver) -> None:
    """Regression (xdeliver4): `monitor run 2>&1 | less`, paused: every thread that logged blocked on the full pipe, and
    the daemon polled and delivered nothing until the pager read on (14 fetches, then none for 20 s, with -v). The
    daemon's lines are now written by a thread of their own (past a bound they are dropped and counted: tests/test_logs.py).
    A pipe of 4 KiB the test does not read stands for the paused pager."""
    import fcntl
    import termios
    from array import array

    fetched: list[float] = []

    def feed(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        fetched.append(time.monotonic())
        n = len(fetched)  # a new entry at each poll: lines to log
        payload = rss((f"Rates unchanged {n}", f"https://wire.example/rates/{n}", f"rates-{n}", f"{CALM} Said at the meeting number {n}."))
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    http_server.routes["/wire.xml"] = feed
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/wire.xml"), "every": 0.5}], folders=[inbox],
                          channels=[{"name": "hook", "url": json_receiver.url}])
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, 1031, 4096)  # F_SETPIPE_SZ: one page, filled in seconds

    def waiting() -> int:
        queued = array("i", [0])
        fcntl.ioctl(read_end, termios.FIONREAD, queued)
        return queued[0]

    proc = subprocess.Popen([sys.executable, "-m", "monitor", "run", "-v", "--config", str(config)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=write_end)
    os.close(write_end)
    log: list[bytes] = []
    reader = threading.Thread(target=lambda: log.extend(iter(lambda: os.read(read_end, 65536), b"")), daemon=True)
    try:
        wait_for(lambda: waiting() >= 4096 - 512, timeout=30)  # the pager's pipe is full: a line more would block its writer
        time.sleep(1)
        polls = len(fetched)
        wait_for(lambda: len(fetched) >= polls + 5, timeout=15)  # polls go on...
        (inbox / "a.txt").write_text(DISTINCT_STORIES[0] + "\n")
        wait_for(lambda: len(json_receiver.messages) == 1, timeout=15)  # ...and so do deliveries
        reader.start()  # the pager reads on
    finally:
        if reader.ident is None:  # (the test failed first: its log read, so that the daemon can stop)
            reader.start()
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    reader.join(timeout=10)
    os.close(read_end)
    text = b"".join(log).decode()
    assert code == 0, text
    assert "monitor stopped" in text and "Traceback" not in text and "alert" in text  # (what waited was written once it was read)
