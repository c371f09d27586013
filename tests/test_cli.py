"""The `monitor` command as a user runs it: exit codes, one-line errors, no secrets, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, SEED, free_port, sqlite_only, write_config

VERBS = ["run", "once", "match", "check", "alerts"]


def monitor(*args: str, cwd: Path = REPO, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60,
        env={**os.environ, **(env or {})},
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help(verb: str) -> None:
    result = monitor(verb, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout and "--config" in result.stdout


def test_check_accepts_the_example_config() -> None:
    result = monitor("check")
    assert result.returncode == 0, result.stderr
    assert "watchlist config/watchlist.yaml: ok" in result.stdout
    assert "channel console: console://" in result.stdout


def test_check_names_file_and_key_of_a_typo(tmp_path: Path) -> None:
    config = write_config(tmp_path, settings={"http": {"timout": 3}})
    line = one_line_error(monitor("check", "--config", str(config)))
    assert str(config) in line and "http.timout" in line and "unknown key" in line


def test_check_names_file_and_line_of_a_bad_regex(tmp_path: Path) -> None:
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - name: X\n    kind: group\n    aliases: [Xgroup]\n    patterns: ['(unclosed']\n")
    line = one_line_error(monitor("check", "--config", str(write_config(tmp_path, watchlist=watchlist))))
    assert f"{watchlist}:5" in line and "bad regex" in line


def test_check_names_an_empty_alias(tmp_path: Path) -> None:
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text("actors:\n  - name: X\n    kind: group\n    aliases:\n      - Xgroup\n      - ''\n")
    line = one_line_error(monitor("check", "--config", str(write_config(tmp_path, watchlist=watchlist))))
    assert f"{watchlist}:" in line and "empty" in line


def test_check_rejects_an_unknown_channel_url_without_printing_its_secret(tmp_path: Path) -> None:
    config = write_config(tmp_path, channels=[{"name": "bad", "url": "nosuchscheme://user:topsecret99@host/"}])
    line = one_line_error(monitor("check", "--config", str(config)))
    assert "'bad'" in line and "topsecret99" not in line


def test_check_never_prints_secrets_of_channels(tmp_path: Path) -> None:
    slack = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
    config = write_config(tmp_path, channels=[
        {"name": "slack", "url": slack},
        {"name": "mail", "url": "mailto://desk:${SMTP_PASSWORD}@smtp.example.org?to=a@example.org"},
    ])
    result = monitor("check", "--config", str(config), env={"SMTP_PASSWORD": "pa55-w0rd-xyz"})
    assert result.returncode == 0, result.stderr
    assert "channel slack:" in result.stdout and "channel mail:" in result.stdout
    for secret in ("pa55-w0rd-xyz", "TIiajkdnlazkcOXrIdevi7FQ"):
        assert secret not in result.stdout + result.stderr


def test_check_warns_of_a_rule_whose_alerts_no_channel_takes(tmp_path: Path) -> None:
    config = write_config(tmp_path, channels=[{"name": "oncall", "url": "json://127.0.0.1:9/x", "tags": ["oncall"]}])
    result = monitor("check", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "warning: rule 'watched actor in a violent event' routes to tags default but no channel has them" in result.stdout


def test_check_fails_naming_an_example_that_does_not_hold(tmp_path: Path) -> None:
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text(
        "actors:\n  - name: Qasem Soleimani\n    kind: person\n    aliases: [Soleimani]\n"
        "    examples:\n      must_match:\n        - Qasem Soleimani spoke.\n        - Nobody of that name spoke.\n"
    )
    result = monitor("check", "--config", str(write_config(tmp_path, watchlist=watchlist)))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"monitor: example failed: {watchlist}:8: actor 'Qasem Soleimani' must match: 'Nobody of that name spoke.'"


def test_check_warns_of_a_regex_that_times_out_on_an_example(tmp_path: Path) -> None:
    """Issue 14.10: a catastrophic user regex was silent."""
    watchlist = tmp_path / "wl.yaml"
    watchlist.write_text(
        "events:\n  - name: slow\n    severity: 1\n    patterns: ['(a|aa)+$', 'b+c']\n"
        "    examples:\n      must_not_match:\n        - " + "a" * 40 + "!\n        - " + "a" * 41 + "!\n"
    )
    result = monitor("check", "--config", str(write_config(tmp_path, watchlist=watchlist)))
    assert result.returncode == 0, result.stderr
    (warning,) = [line for line in result.stdout.splitlines() if "timed out" in line]
    assert warning.startswith(f"warning: event 'slow' pattern '(a|aa)+$' timed out on example {watchlist}:7 (over 0.25 s)")


def test_check_renders_every_channel_template_against_a_sample_alert(tmp_path: Path) -> None:
    """Regression (issue 14, 19): a template naming no alert field passed `check`, then failed at every send."""
    config = write_config(tmp_path, channels=[
        {"name": "desk", "url": "json://127.0.0.1:9/x", "title_template": "{{ actorz[0] }}: {{ title }}"},
        {"name": "mail", "url": "json://127.0.0.1:9/y", "body_template": "{{ severity + title }}"},
        {"name": "good", "url": "json://127.0.0.1:9/z", "format": "html", "title_template": "{{ severity_word | upper }}: {{ actors | join(', ') }}",
         "body_template": "{% for hit in hits %}<p>{{ hit.explanation }}</p>{% endfor %}{{ hits[0].sentence | upper }} {{ url }} {{ published[:10] }}"},
    ])
    result = monitor("check", "--config", str(config))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("monitor: channels[desk].title_template: 'actorz' is undefined (an alert has actors, events, ")
    assert lines[1] == "monitor: channels[mail].body_template: unsupported operand type(s) for +: 'int' and 'str'"


def test_check_refuses_a_folder_path_that_is_a_file(tmp_path: Path) -> None:
    """Regression: `[[folders]] path = "README.md"` passed `monitor check` with "folder README.md does not
    exist yet" (it exists: it is a file), and the daemon then logged "Not a directory" at every scan."""
    article = tmp_path / "article.txt"
    article.write_text("Iran fired ballistic missiles at Iraq.")
    config = write_config(tmp_path, folders=[article])
    line = one_line_error(monitor("check", "--config", str(config)))
    assert line == f"monitor: {config}: folders[{article}].path: {article} is not a folder (a [[folders]] path names a folder of article files)"
    missing = write_config(tmp_path, folders=[tmp_path / "inbox"])
    result = monitor("check", "--config", str(missing))
    assert result.returncode == 0 and f"warning: folder {tmp_path / 'inbox'} does not exist yet" in result.stdout, result.stderr


def test_check_warns_of_a_watchlist_with_nothing_to_alert_on(tmp_path: Path) -> None:
    """Regression: an empty watchlist (or one without rules) passed as "ok (0 actors, 0 events, 0 rules)"
    without a word: the daemon then stores everything and alerts nobody."""
    empty = tmp_path / "watchlist.yaml"
    empty.write_text("actors:\n  - name: Iran\n    kind: state\n")
    result = monitor("check", "--config", str(write_config(tmp_path, watchlist=empty)))
    assert result.returncode == 0 and f"warning: {empty}: no rules and no spikes: nothing will alert (docs/watchlist.md)" in result.stdout, result.stderr
    assert "nothing will alert" not in monitor("check", "--config", str(write_config(tmp_path))).stdout


def test_missing_config_is_one_line(tmp_path: Path) -> None:
    line = one_line_error(monitor("check", "--config", str(tmp_path / "nope.toml")))
    assert "nope.toml" in line and "not found" in line


def test_match_prints_what_matched_and_the_decision() -> None:
    result = monitor("match", str(SEED))
    assert result.returncode == 0, result.stderr
    for expected in ("Qasem Soleimani", "drone strike", "ballistic missiles", "decision: ALERT, severity 3"):
        assert expected in result.stdout


def test_match_reads_stdin_and_prints_json() -> None:
    result = monitor("match", "--json", "-", stdin="Workers went on strike over pay, Tehran said.")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == "monitor.match/1" and data["alert"] is False and data["rules"] == []
    assert [m["name"] for m in data["actors"]] == ["Iran"]
    assert data["actors"][0] | {"snippet": ""} == {
        "name": "Iran", "kind": "state", "alias": "Tehran", "found": "Tehran", "start": 33, "end": 39, "score": 100.0, "snippet": "", "part_of": None,
    }
    assert data["events"] == []  # a labour strike is cancelled by its context


def test_match_json_explains_the_rule_that_fired() -> None:
    result = monitor("match", "--json", "-", stdin="Qassem Suleimani was killed in a US drone strike near Baghdad airport.")
    data = json.loads(result.stdout)
    assert data["alert"] is True and data["severity"] == 3
    rule = next(r for r in data["rules"] if r["actor"] == "Qasem Soleimani")
    assert rule["event"] == "drone strike" and rule["distance_words"] == 5
    assert rule["explanation"] == "Qasem Soleimani (found \u201cQassem Suleimani\u201d, 100) + drone strike (severity 3) within 5 words"
    assert rule["snippet"] == "Qassem Suleimani was killed in a US drone strike near Baghdad airport."


def test_match_on_a_binary_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(bytes(range(256)))
    line = one_line_error(monitor("match", str(path)))
    assert str(path) in line and "binary" in line


def test_match_refuses_an_empty_file_and_binary_or_empty_stdin_in_one_line(tmp_path: Path) -> None:
    """Regression: an empty (or blank) file and empty standard input printed an empty table and "no alert",
    exit 0; binary standard input was matched as text. Now each is one line, exit 1, as a binary file is."""
    for name, content in (("empty.txt", ""), ("blank.md", " \n\n\t\n"), ("menu.html", "<html><body><nav>Home</nav></body></html>")):
        (tmp_path / name).write_text(content)
        assert one_line_error(monitor("match", str(tmp_path / name))) == f"monitor: error: {tmp_path / name}: empty: no text to match"
    for data, says in ((b"", "standard input: empty: no text to match"), (bytes(range(256)) * 4, "standard input: binary file, not an article")):
        result = subprocess.run([sys.executable, "-m", "monitor", "match", "-"], cwd=REPO, input=data, capture_output=True, timeout=60)
        assert result.returncode == 1 and result.stderr.decode().strip() == f"monitor: error: {says}", result.stderr
    latin1 = subprocess.run([sys.executable, "-m", "monitor", "match", "-"], cwd=REPO, input="Iran fired ballistic missiles at Iraq, said l'agence à Paris.".encode("latin-1"),
                            capture_output=True, timeout=60)
    assert latin1.returncode == 0 and b"decision: ALERT" in latin1.stdout  # not UTF-8: read as cp1252, as the folder sources do


def test_once_processes_and_alerts_then_alerts_lists_it(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_text(SEED.read_text())
    os.utime(inbox / "seed.txt", (time.time() - 60, time.time() - 60))
    config = write_config(tmp_path, folders=[inbox])
    result = monitor("once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert len(lines) == 1 and "Qasem Soleimani" in json.loads(lines[0])["title"]
    assert "=== ALERT" in result.stdout
    listing = monitor("alerts", "--config", str(config), "--limit", "5")
    assert listing.returncode == 0
    assert "file:sent" in listing.stdout and "Qasem" in listing.stdout
    assert monitor("once", "--config", str(config)).returncode == 0
    assert len((tmp_path / "alerts.jsonl").read_text().splitlines()) == 1  # nothing twice


def test_replay_lists_what_a_watchlist_change_would_alert_differently(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_text(SEED.read_text())
    (inbox / "wagner.txt").write_text("PMC Wagner fighters were hit by a drone strike near Bakhmut.\n")
    for path in inbox.iterdir():
        os.utime(path, (time.time() - 60, time.time() - 60))
    config = write_config(tmp_path, folders=[inbox])
    assert monitor("once", "--config", str(config)).returncode == 0

    same = monitor("match", "--config", str(config), "--replay", "1d")
    assert same.returncode == 0, same.stderr
    assert "re-matched 2 stored articles" in same.stdout
    assert "would alert now, did not before: none" in same.stdout and "alerted before, would not now: none" in same.stdout

    changed = tmp_path / "changed.yaml"
    changed.write_text(
        "actors:\n  - name: Wagner Group\n    kind: group\n    aliases: [PMC Wagner]\n"
        "events:\n  - name: drone strike\n    severity: 3\n    phrases: [drone strike]\n"
        "rules:\n  - name: Wagner hit\n    actors: [Wagner Group]\n    min_severity: 2\n"
    )
    diff = monitor("match", "--config", str(config), "--watchlist", str(changed), "--replay", "2d", env={"COLUMNS": "200"})  # a line each
    assert diff.returncode == 0, diff.stderr
    assert "would alert now, did not before: 1" in diff.stdout and "rule 'Wagner hit': Wagner Group" in diff.stdout
    assert "alerted before, would not now: 1" in diff.stdout


def test_eval_prints_precision_recall_and_the_worst_misses(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c) for c in [
        {"id": "hit", "text": "Qassem Suleimani was killed in a drone strike.", "actors": ["Qasem Soleimani"], "events": ["drone strike", "killing"], "alert": True},
        {"id": "labour", "text": "Workers went on strike over pay.", "actors": [], "events": [], "alert": False},
        {"id": "unknown", "text": "Wagner fighters were killed.", "actors": ["Wagner Group"], "events": ["killing"], "alert": True},
    ]) + "\n")
    result = monitor("eval", str(cases))
    assert result.returncode == 0, result.stderr
    assert "actors │ 1.000     │ 0.500" in result.stdout  # precision 1, recall 1/2
    assert "alert accuracy: 0.667 (2/3)" in result.stdout
    assert "unknown: miss Wagner Group: 'Wagner Group' is no actor or event of the watchlist" in result.stdout
    assert "unknown: alert missed: rule " in result.stdout and "alert-worthy texts missed: 1 of 2" in result.stdout


def test_eval_refuses_a_file_of_no_cases_or_not_utf8_naming_it(tmp_path: Path) -> None:
    """Regression: an empty cases file printed figures of 0 cases, exit 0; a Latin-1 one said only
    "'utf-8' codec can't decode byte ..." without naming the file."""
    (tmp_path / "empty.jsonl").write_text("\n\n")
    assert one_line_error(monitor("eval", str(tmp_path / "empty.jsonl"))) == f"monitor: error: {tmp_path / 'empty.jsonl'}: no cases: one JSON object per line (id, text, actors, events, alert)"
    (tmp_path / "latin.jsonl").write_bytes(json.dumps({"id": "x", "text": "é"}, ensure_ascii=False).encode("latin-1"))
    assert one_line_error(monitor("eval", str(tmp_path / "latin.jsonl"))) == f"monitor: error: {tmp_path / 'latin.jsonl'}: not UTF-8 text (byte 21): labelled cases are JSON lines"


def test_failed_deliveries_are_listed_and_can_be_requeued(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Kataeb Hezbollah fired rockets at the US embassy in Baghdad.\n")
    os.utime(inbox / "a.txt", (time.time() - 60, time.time() - 60))
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "down", "url": f"json://127.0.0.1:{free_port()}/x"}], settings={"delivery": {"backoff_seconds": 0.01}})
    for _ in range(3):  # max_attempts = 3
        assert monitor("once", "--config", str(config)).returncode == 0
        time.sleep(0.05)
    failed = monitor("alerts", "--config", str(config), "--failed")
    assert "down:failed(3)" in failed.stdout and "Connection" in failed.stdout
    retried = monitor("alerts", "retry", "1", "--config", str(config))
    assert retried.returncode == 0 and "alert 1: 1 failed delivery re-queued" in retried.stdout
    assert "down:pending" in monitor("alerts", "--config", str(config)).stdout
    assert "down:failed" not in monitor("alerts", "--config", str(config), "--failed").stdout


@sqlite_only
@pytest.mark.parametrize("verb", ["check", "once", "run", "sources"])
def test_an_older_database_is_one_line_saying_what_to_do(tmp_path: Path, verb: str) -> None:
    """Regression (issue 14, item 16): a database missing a column passed `check`, then every job raised."""
    from tests.test_store_ops import older_database

    config = write_config(tmp_path, folders=[tmp_path])
    older_database(tmp_path / "monitor.db")
    line = one_line_error(monitor(verb, "--config", str(config)))
    assert f"{tmp_path / 'monitor.db'}: table seen_files lacks column mtime_ns: this database is from an older monitor" in line


@sqlite_only
def test_check_says_the_database_is_fine_or_not_created_yet(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = monitor("check", "--config", str(config))
    assert result.returncode == 0 and f"database {tmp_path / 'monitor.db'}: not created yet" in result.stdout
    assert not (tmp_path / "monitor.db").exists()
    monitor("once", "--config", str(config))
    result = monitor("check", "--config", str(config))
    assert result.returncode == 0 and f"database {tmp_path / 'monitor.db'}: ok" in result.stdout


@sqlite_only
@pytest.mark.parametrize(("verb", "says"), [
    (["status"], "Daemons on"), (["alerts"], "Latest alerts"), (["alerts", "--failed"], "Alerts with failed deliveries"), (["stories"], "Latest stories"),
    (["trends"], "Trends, last 30 days"), (["mute"], "nothing is muted"), (["sources"], "Sources"), (["sources", "export"], "<opml"),
    (["match", "--replay", "7d"], "re-matched 0 stored articles"), (["alerts", "show", "1"], "no alert '1'"),
])
def test_a_verb_that_only_reads_creates_no_database(tmp_path: Path, verb: list[str], says: str) -> None:
    """Regression: `monitor status` (alerts, stories, trends, mute, match --replay) on a store not yet
    made, or a mistyped [store] path, made a new empty database there and listed nothing from it."""
    config = write_config(tmp_path)
    result = monitor(*verb, "--config", str(config))
    assert says in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert result.returncode == (1 if verb[:2] == ["alerts", "show"] else 0)
    assert not (tmp_path / "monitor.db").exists()


def test_match_on_a_long_file_of_watched_names_ends_and_matches_what_the_daemon_would(tmp_path: Path) -> None:
    """Regression (found by helper xhostile): `monitor match` on a 1 MB file of 'Iran ' (one sentence, 200,000
    matches) ran for hours; it matches an article's text as the daemon keeps it (its first TEXT_CHARS characters)."""
    from monitor.text_norm import TEXT_CHARS

    path = tmp_path / "long.txt"
    path.write_text("Iran " * 200_000)
    for args, stdin in ((["match", "--json", str(path)], None), (["match", "--json", "-"], "Iran " * 200_000)):
        result = monitor(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        assert max(m["end"] for m in json.loads(result.stdout)["actors"]) <= TEXT_CHARS
