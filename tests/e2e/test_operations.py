"""Issue 17 (c): what an operator watches a running `monitor run` with — /healthz, /metrics, SIGHUP."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import resource
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import JsonReceiver, LocalHTTP, REPO, SEED, sqlite_only, wait_for, write_config
from tests.e2e.test_daemon import monitor_run
from tests.test_pipeline import CALM, STRIKE, rss


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str) -> tuple[int, str]:
    """The same request as `curl -s http://127.0.0.1:PORT/PATH` (docs/operations.md)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""  # not listening yet


def metric(text: str, name: str, labels: str = "") -> float:
    found = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", text, re.M)
    return float(found[1]) if found else 0.0


def doc_curls() -> list[str]:
    """The distinct `curl` commands of the operations doc's shell blocks."""
    doc = (REPO / "docs" / "operations.md").read_text()
    commands = {line.split("#")[0].strip() for block in re.findall(r"```sh\n(.*?)```", doc, re.S) for line in block.splitlines() if line.startswith("curl ")}
    assert len(commands) == 2, commands  # /healthz and /metrics
    return sorted(commands)


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def stop(proc: subprocess.Popen[str], log: list[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 0, "".join(log)
    assert not any("Traceback" in line for line in log), "".join(log)


def test_healthz_and_metrics_answer_from_a_running_daemon(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/wire.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Rates unchanged", "https://wire.example/rates", "rates-1", CALM)))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    port = free_port()
    config = write_config(tmp_path, folders=[inbox], feeds=[{"name": "wire", "url": http_server.url("/wire.xml"), "every": 0.5}],
                          settings={"server": {"listen": f"127.0.0.1:{port}"}})
    proc, log = monitor_run(config)
    try:
        assert wait_for(lambda: get(port, "/healthz")[0], timeout=20) == 200
        assert get(port, "/healthz") == (200, "ok\n")
        (inbox / "seed.txt").write_text(SEED.read_text())
        text = wait_for(lambda: (t := get(port, "/metrics")[1]) and metric(t, "monitor_articles_stored_total", f'{{source="{inbox}"}}') >= 1 and t, timeout=20)
        wait_for(lambda: metric(get(port, "/metrics")[1], "monitor_fetch_seconds_count") >= 1, timeout=20)
        text = get(port, "/metrics")[1]
        for name in ("monitor_polls_total", "monitor_poll_errors_total", "monitor_fetch_seconds_bucket", "monitor_parse_seconds_bucket",
                     "monitor_articles_stored_total", "monitor_matches_total", "monitor_alerts_total", "monitor_delivery_outcomes_total",
                     "monitor_deliveries", "monitor_oldest_pending_delivery_seconds", "monitor_story_index_size", "monitor_scheduler_lag_seconds"):
            assert f"# TYPE {name.removesuffix('_bucket')} " in text, name
        assert metric(text, "monitor_polls_total", '{source="wire"}') >= 1
        assert metric(text, "monitor_alerts_total", '{severity="3"}') == 1
        assert metric(text, "monitor_story_index_size") >= 2
        assert get(port, "/nothing")[0] == 404
        for command in doc_curls() if shutil.which("curl") else []:  # the operator's commands of docs/operations.md, as written but for the port
            run = subprocess.run(shlex.split(command.replace("9464", str(port))), capture_output=True, text=True, timeout=30)
            assert run.returncode == 0 and (run.stdout == "ok\n" or "monitor_articles_stored_total{" in run.stdout), (command, run)
        assert any(f"health and metrics on http://127.0.0.1:{port}/healthz" in line for line in log)
    finally:
        stop(proc, log)


@sqlite_only  # builds or limits the SQLite file itself
def test_healthz_is_503_with_the_reason_while_the_store_fails_and_200_after(tmp_path: Path, http_server: LocalHTTP) -> None:
    """The store made unwritable for the daemon alone (RLIMIT_FSIZE = 0, as test_daemon's full disk)."""
    http_server.routes["/wire.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Rates unchanged", "https://wire.example/rates", "rates-1", CALM)))
    port = free_port()
    config = write_config(tmp_path, feeds=[{"name": "wire", "url": http_server.url("/wire.xml"), "every": 0.5}],
                          settings={"server": {"listen": f"127.0.0.1:{port}"}})
    proc, log = monitor_run(config)
    try:
        assert wait_for(lambda: get(port, "/healthz")[0], timeout=20) == 200
        limits = resource.prlimit(proc.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (0, limits[1]))
        status, body = wait_for(lambda: (answer := get(port, "/healthz"))[0] == 503 and answer, timeout=20)
        assert re.match(r"(feeds|folders|dispatch) job failing: store unavailable \(", body) and body.count("\n") == 1, body  # whichever job wrote first
        resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, limits)
        wait_for(lambda: get(port, "/healthz") == (200, "ok\n"), timeout=20)
    finally:
        stop(proc, log)


def test_healthz_is_503_when_a_delivery_is_overdue(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    port = free_port()
    json_receiver.fail = True
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}],
                          settings={"server": {"listen": f"127.0.0.1:{port}", "overdue_after": 1}, "delivery": {"max_attempts": 100}})
    proc, log = monitor_run(config)
    try:
        assert wait_for(lambda: get(port, "/healthz")[0], timeout=20) == 200
        (inbox / "a.txt").write_text(STRIKE + "\n")
        status, body = wait_for(lambda: (answer := get(port, "/healthz"))[0] == 503 and answer, timeout=20)
        assert not shutil.which("curl") or subprocess.run(["curl", "-fsS", f"http://127.0.0.1:{port}/healthz"], capture_output=True, timeout=30).returncode == 22  # -f: non-zero on 503
        assert re.fullmatch(r"delivery overdue: alert [0-9a-f]{16} to hook pending for \d+ s \(over \[server\] overdue_after = 1\); see `monitor alerts`\n", body), body
        assert metric(get(port, "/metrics")[1], "monitor_deliveries", '{channel="hook",state="pending"}') == 1
        json_receiver.fail = False
        wait_for(lambda: get(port, "/healthz") == (200, "ok\n"), timeout=20)
    finally:
        stop(proc, log)


def test_a_port_in_use_refuses_the_start_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = write_config(tmp_path, folders=[tmp_path], settings={"server": {"listen": f"127.0.0.1:{port}"}})
        run = subprocess.run([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == (f'monitor: error: [server] listen = "127.0.0.1:{port}": cannot listen there (Address already in use: '
                                                   'stop what uses it or pick another port), or set listen = "" to run without health and metrics')
    assert "Traceback" not in run.stderr


def test_the_documented_reload_command_reloads_the_daemon(tmp_path: Path) -> None:
    """Regression: the doc said `kill -HUP "$(pgrep -f 'monitor run')"`, which gets the parsing processes'
    pids with the daemon's, one per line, and kill refuses them all: no reload."""
    doc = (REPO / "docs" / "operations.md").read_text()
    [command] = [line.split("#")[0].strip() for block in re.findall(r"```sh\n(.*?)```", doc, re.S) for line in block.splitlines() if "HUP" in line
                 and not line.startswith("systemctl")]
    config = write_config(tmp_path, folders=[tmp_path])
    proc, log = monitor_run(config)
    try:
        wait_for(lambda: any("monitor running" in line for line in log), timeout=20)
        assert children_of(proc.pid)  # the parsing processes, `monitor run --config ...` too
        done = subprocess.run(shlex.split(command.replace("config/monitor.toml", str(config))), capture_output=True, text=True, timeout=20)
        assert done.returncode == 0, done.stderr
        wait_for(lambda: any("config reloaded from" in line for line in log), timeout=20)
    finally:
        stop(proc, log)


def test_sighup_reloads_the_config_and_a_broken_edit_keeps_the_running_one(tmp_path: Path, http_server: LocalHTTP) -> None:
    for name in ("a", "b"):
        http_server.routes[f"/{name}.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Rates unchanged", f"https://wire.example/{name}", f"{name}-1", CALM)))
    feed_a = {"name": "a", "url": http_server.url("/a.xml"), "every": 0.5}
    config = write_config(tmp_path, feeds=[feed_a])
    proc, log = monitor_run(config)

    def fetched(path: str) -> int:
        return sum(1 for request in list(http_server.requests) if request[1] == path)

    try:
        wait_for(lambda: fetched("/a.xml"), timeout=20)
        assert fetched("/b.xml") == 0
        good = config.read_text()
        write_config(tmp_path, feeds=[feed_a, {"name": "b", "url": http_server.url("/b.xml"), "every": 0.5}])
        children = children_of(proc.pid)
        assert children  # the parsing processes
        for pid in [proc.pid, *children]:  # as `pkill -HUP -f 'monitor run'` does: the parsers ignore it
            os.kill(pid, signal.SIGHUP)
        wait_for(lambda: any("(b): 1 entry, " in line for line in log), timeout=20)  # fetched and parsed
        assert any("config reloaded from" in line and "2 feeds" in line for line in log), "".join(log)
        assert set(children) <= set(children_of(proc.pid)), "".join(log)  # none died of the SIGHUP
        assert not any("parsing process stopped" in line for line in log), "".join(log)

        config.write_text(good + "\n[[feeds]\nname = \n")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: any("config not reloaded" in line for line in log), timeout=20)
        [line] = [line for line in log if "config not reloaded" in line]
        assert f"config not reloaded, the running one stays in use: {config}: not valid TOML" in line
        polled = fetched("/b.xml")
        wait_for(lambda: fetched("/b.xml") > polled, timeout=20)  # still running, with the config it had
        assert proc.poll() is None
    finally:
        stop(proc, log)


def test_a_reload_counts_the_feeds_added_with_sources_add_as_the_start_line_does(tmp_path: Path, http_server: LocalHTTP) -> None:
    # The start line said "2 feeds (1 from the config, 1 added)", a reload after it "1 feeds": the
    # operator read that the feed added with `monitor sources add` was dropped.
    for name in ("a", "b"):
        http_server.routes[f"/{name}.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("Rates unchanged", f"https://wire.example/{name}", f"{name}-1", CALM)))
    config = write_config(tmp_path, feeds=[{"name": "a", "url": http_server.url("/a.xml")}])
    added = subprocess.run([sys.executable, "-m", "monitor", "sources", "add", http_server.url("/b.xml"), "--name", "b", "--config", str(config)],
                           cwd=REPO, capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    proc, log = monitor_run(config)
    try:
        wait_for(lambda: any("monitor running: 2 feeds (1 from the config, 1 added)" in line for line in log), timeout=20)
        os.kill(proc.pid, signal.SIGHUP)
        wait_for(lambda: any("config reloaded from" in line for line in log), timeout=20)
        assert any(f"config reloaded from {config}: 2 feeds (1 from the config, 1 added), 0 folders, 1 channel" in line for line in log), "".join(log)
    finally:
        stop(proc, log)


def test_a_sighup_to_a_config_naming_a_missing_watchlist_says_the_running_watchlist_stays(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """Regression: a reload whose config named a watchlist that is not there said only 'config reloaded':
    the daemon went on matching with the old watchlist without a word, and its next start was refused."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}])
    proc, log = monitor_run(config)
    try:
        wait_for(lambda: any("monitor running" in line for line in log), timeout=20)
        missing = tmp_path / "watchlist-renamed.yaml"
        config.write_text(config.read_text().replace(str(REPO / "config" / "watchlist.yaml"), str(missing)))
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: any("watchlist not reloaded" in line for line in log), timeout=20)
        [line] = [line for line in log if "watchlist not reloaded" in line]
        assert "the previous one stays in use" in line and str(missing) in line, line
        (inbox / "strike.txt").write_text(STRIKE)  # still matched with the running watchlist
        wait_for(lambda: json_receiver.messages, timeout=20)
        proc.send_signal(signal.SIGHUP)  # and said again at the next reload, not only once
        wait_for(lambda: sum("watchlist not reloaded" in line for line in log) == 2, timeout=20)
    finally:
        stop(proc, log)


@sqlite_only  # the start is held up by a writer holding the SQLite file
def test_a_sighup_while_the_daemon_starts_is_a_reload_once_it_runs_not_its_death(tmp_path: Path) -> None:
    """Regression: until the daemon's jobs were scheduled (seconds: the watchlist compiled, the parsing
    processes forked, the store opened), SIGHUP had its default action: `systemctl reload monitor` just
    after a start killed the daemon without a line, and systemd counted a failure."""
    import sqlite3

    config = write_config(tmp_path, folders=[tmp_path])
    assert subprocess.run([sys.executable, "-m", "monitor", "once", "--config", str(config)], cwd=REPO, capture_output=True, timeout=60).returncode == 0
    writer = sqlite3.connect(tmp_path / "monitor.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the daemon's start waits for it to register its sources
    proc, log = monitor_run(config)
    try:
        wait_for(lambda: children_of(proc.pid), timeout=20)  # the parsing processes: the watchlist is compiled
        proc.send_signal(signal.SIGHUP)
        writer.execute("ROLLBACK")
        wait_for(lambda: any("config reloaded from" in line for line in log) or proc.poll() is not None, timeout=40)
        assert proc.poll() is None, f"exit {proc.returncode}: {''.join(log)}"
        assert any("monitor running" in line for line in log)
    finally:
        writer.close()
        stop(proc, log)
