"""Issue 14: what the CLI shows of hostile data (markup, escapes, secrets), usage mistakes in one line,
alerts found by either id, sources removed, OPML folders kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import REPO, LocalHTTP, query, store_url, write_config
from tests.test_cli import monitor, one_line_error
from tests.test_pipeline import STRIKE, rss

HOSTILE_TITLE = "[/x] [link=https://evil.example]click[/link] [bold]x\x1b[2J\x1b]8;;https://evil.example\x07 \u202eKataeb Hezbollah drone strike"


WIDE = {"COLUMNS": "1000"}  # table cells unwrapped


def hostile_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "hostile.json"
    path.write_text(json.dumps({"title": HOSTILE_TITLE, "text": "Kataeb Hezbollah claimed a drone strike near Erbil airport on Sunday."}))
    os.utime(path, (time.time() - 60, time.time() - 60))
    return inbox


def assert_shown_as_text(result_stdout: str) -> None:
    assert "\x1b" not in result_stdout and "\u202e" not in result_stdout and "\x07" not in result_stdout
    assert "\\x1b" in result_stdout  # the escape is visible, written out
    assert "[/x]" in result_stdout and "[link=https://evil.example]click[/link]" in result_stdout


def test_hostile_titles_show_as_text_in_alerts_stories_and_show(tmp_path: Path) -> None:
    config = write_config(tmp_path, folders=[hostile_inbox(tmp_path)])
    assert monitor("once", "--config", str(config)).returncode == 0
    for verb in (["alerts"], ["stories"], ["alerts", "show", "1"]):
        result = monitor(*verb, "--config", str(config), env=WIDE)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        assert_shown_as_text(result.stdout)
    assert "[high]" in monitor("alerts", "--config", str(config), env=WIDE).stdout  # the severity prefix is no longer eaten as markup


def test_a_feed_titled_with_markup_does_not_break_sources(tmp_path: Path, http_server: LocalHTTP) -> None:
    title = "[/x]Wire\x1b]8;;https://evil.example\x07"
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)).replace(b"<title>", f"<title>{title.replace(chr(27), '&#27;').replace(chr(7), '')}</title><x>".encode(), 1))
    config = write_config(tmp_path)
    added = monitor("sources", "add", http_server.url("/feed.xml"), "--name", title, "--config", str(config))
    assert added.returncode == 0, added.stderr
    listing = monitor("sources", "--config", str(config), env=WIDE)
    assert listing.returncode == 0, listing.stderr
    assert "[/x]Wire" in listing.stdout and "\x1b" not in listing.stdout and "\\x1b" in listing.stdout


def test_a_secret_in_a_feed_url_is_masked_in_the_sources_table_and_the_database(tmp_path: Path, http_server: LocalHTTP) -> None:
    token = "feedtok-7c1e9a2b"  # a canary: must appear nowhere a user reads, nor in stored errors
    config = write_config(tmp_path, feeds=[{"name": "private", "url": http_server.url("/private/${FEED_TOKEN}/missing.xml") + "?key=${FEED_TOKEN}"}])
    env = {"FEED_TOKEN": token}
    ran = monitor("once", "--config", str(config), env=env)
    assert ran.returncode == 0, ran.stderr
    listing = monitor("sources", "--config", str(config), env=env | WIDE)
    assert "HTTP 404" in listing.stdout
    exported = monitor("sources", "export", "--config", str(config), env=env)
    for output in (ran.stdout + ran.stderr, listing.stdout + listing.stderr, exported.stdout + exported.stderr):
        assert token not in output
    ((error,),) = query(tmp_path, "select last_error from sources where name = 'private'")
    assert token not in error and "****" in error


def test_a_hand_added_feed_url_with_a_token_parameter_is_masked(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    config = write_config(tmp_path)
    added = monitor("sources", "add", http_server.url("/feed.xml") + "?api_key=handtok-55aa", "--config", str(config))
    assert added.returncode == 0, added.stderr
    assert "handtok-55aa" not in added.stdout and "api_key=****" in added.stdout


@pytest.mark.parametrize("args, says", [
    ([], "give a command (alerts, backup, check"),
    (["frobnicate"], "No such command 'frobnicate'"),
    (["match", "--bogus"], "No such option: --bogus"),
    (["alerts", "-n", "0"], "'--limit' / '-n'"),
    (["stories", "-n", "0"], "'--limit' / '-n'"),
    (["alerts", "retry"], "give an alert's ID or --failed"),
    (["alerts", "show"], "Missing argument"),
    # named 'source_id', the code's name, where the usage line, README and --help say ID (found by helper xnewuser)
    (["sources", "retry", "abc"], "Invalid value for 'ID'"),
    (["sources", "enable"], "Missing argument 'ID'"),
    (["sources", "disable", "x"], "Invalid value for 'ID'"),
    (["sources", "remove", "1.5"], "Invalid value for 'ID'"),
    (["sources", "add", "https://x.example/f", "--every", "abc"], "Invalid value for '--every'"),
    (["sources", "import"], "Missing argument"),
    (["sources", "nope"], "No such command 'nope'"),
    (["eval"], "Missing argument"),
    (["mute", "X", "--for"], "requires an argument"),
    (["run", "extra"], "unexpected extra argument"),
    (["once", "--verbose=maybe"], "--verbose"),
    (["check", "--config"], "requires an argument"),
    (["sources", "export", "extra"], "unexpected extra argument"),
    (["alerts", "show", "1", "2"], "unexpected extra argument"),
    (["stories", "--limit", "many"], "'--limit' / '-n'"),
    (["match", "--json", "--watchlist"], "requires an argument"),
    (["match"], "give an article FILE"),
    (["match", "--replay", "7x"], "--replay '7x': expected a span like 7d"),
    (["match", "--replay", "99999999d"], "--replay '99999999d': longer than 100 years"),  # was an OverflowError traceback
    (["match", "--replay", "9" * 5000 + "d"], "longer than 100 years"),  # more digits than int() reads
    (["match", "--replay", "2020-02-01..2020-01-31"], "the range ends before it starts"),  # was a silent empty range
    (["mute", "Iran", "--for", "6x"], "--for '6x': give a duration like 30m"),
    (["mute", "Iran", "--for", "99999999w"], "--for '99999999w': longer than 100 years"),  # was an OverflowError traceback
    (["mute", "Nobody", "--for", "6x"], "--for '6x'"),  # the usage mistake first
    (["web", "--listen", "nonsense"], '--listen "nonsense": must look like 127.0.0.1:8080'),
    # "must look like 127.0.0.1:8080", which 127.0.0.1:0 does (found by helper xweb3)
    (["web", "--listen", "127.0.0.1:0"], '--listen "127.0.0.1:0": port 0 is not one of 1 to 65535'),
    (["web", "--listen", "127.0.0.1:70000"], '--listen "127.0.0.1:70000": port 70000 is not one of 1 to 65535'),
    (["eval", "tests/data/eval_cases.jsonl", "--worst", "-1"], "'--worst'"),  # was the errors of all cases but one
    # stored, 0, -5 or nan made every later `monitor once` end in a traceback ("interval must be > 0")
    (["sources", "add", "https://x.example/f", "--every", "0"], "--every 0: give seconds above 0 between polls"),
    (["sources", "add", "https://x.example/f", "--every", "-5"], "--every -5: give seconds above 0"),
    (["sources", "add", "https://x.example/f", "--every", "nan"], "--every nan: give seconds above 0"),
    (["sources", "import", "x.opml", "--every", "0"], "--every 0: give seconds above 0"),
    # numbers past what SQLite takes were OverflowError tracebacks
    (["stories", "-n", "99999999999999999999"], "'--limit' / '-n': Input should be less than or equal to 1000000"),
    (["alerts", "--limit", "99999999999999999999"], "'--limit' / '-n'"),
    (["sources", "retry", "99999999999999999999"], "Invalid value for 'ID'"),
    (["prune", "--days", "99999999999999"], "Invalid value for '--days'"),
    # `monitor backup "$DIR"` with DIR unset copied the store into the working folder (found by helper xnewuser)
    (["backup", ""], "Invalid value for PATH: empty: give a new file for the copy, or a folder"),
    (["backup", "  "], "Invalid value for PATH: empty"),
    # `monitor match ''` said "-: cannot read: No such file or directory", naming a file it was not given (found by helper xnewuser)
    (["match", ""], "Invalid value for FILE: empty: give an article FILE, or - for standard input"),
    # an empty path was the working folder: ".: cannot read config file: [Errno 21] Is a directory: '.'" (found by helper xnewuser)
    (["check", "--config", ""], "Invalid value for '--config' / '-c': empty: give a path"),
    (["sources", "--config", " ", "export"], "Invalid value for '--config' / '-c': empty"),
    (["watchlist", "--watchlist", ""], "Invalid value for '--watchlist': empty: give a path"),
    (["eval", ""], "Invalid value for 'CASES.jsonl': empty: give a path"),
    (["sources", "import", ""], "Invalid value for 'FILE.opml': empty: give a path"),
    (["sources", "add", ""], "Invalid value for URL: empty: give a feed URL"),  # was "monitor: error: : no scheme: write it as https://"
])
def test_every_usage_mistake_is_one_line_and_exit_2(args: list[str], says: str) -> None:
    result = monitor(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("monitor: ") and says in lines[0], result.stderr
    assert "--help" in lines[0]


def test_alerts_retry_and_show_take_either_id_and_refuse_unknown_ones(tmp_path: Path) -> None:
    config = write_config(tmp_path, folders=[hostile_inbox(tmp_path)])
    assert monitor("once", "--config", str(config)).returncode == 0
    ((uid,),) = query(tmp_path, "select uid from alerts")
    shown = monitor("alerts", "show", uid, "--config", str(config))
    assert shown.returncode == 0, shown.stderr
    assert f"alert 1 (Alert id {uid})" in shown.stdout and "deliveries" in shown.stdout and "file" in shown.stdout and "sent" in shown.stdout
    assert "story 1: 1 article" in shown.stdout
    assert monitor("alerts", "show", "1", "--config", str(config)).stdout == shown.stdout
    assert "alert 1: no failed delivery to re-queue" in monitor("alerts", "retry", uid, "--config", str(config)).stdout
    for unknown in ("99", "0123456789abcdef"):
        for verb in ("retry", "show"):
            line = one_line_error(monitor("alerts", verb, unknown, "--config", str(config)))
            assert f"no alert '{unknown}'" in line and "monitor alerts" in line


def test_sources_remove_hides_an_added_feed_and_refuses_a_configured_one(tmp_path: Path, http_server: LocalHTTP) -> None:
    http_server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, rss(("S", "https://w.example/s", "s", STRIKE)))
    config = write_config(tmp_path, feeds=[{"name": "configured", "url": http_server.url("/other.xml")}])
    assert monitor("sources", "--config", str(config)).returncode == 0  # the configured feed is source 1
    assert monitor("sources", "add", http_server.url("/feed.xml"), "--name", "added", "--config", str(config)).returncode == 0
    listing = monitor("sources", "--config", str(config), env=WIDE).stdout
    assert "configured" in listing and "added" in listing
    removed = monitor("sources", "remove", "2", "--config", str(config))
    # it said `removed, status disabled`: no longer listed, and `sources enable 2` says there is no source 2
    assert removed.stdout.strip() == "source 2 (added): removed (its articles and alerts stay; `monitor sources add URL` brings it back)"
    assert "added" not in monitor("sources", "--config", str(config), env=WIDE).stdout
    assert "feed.xml" not in monitor("sources", "export", "--config", str(config)).stdout
    assert "no source with id 2" in one_line_error(monitor("sources", "enable", "2", "--config", str(config)))
    line = one_line_error(monitor("sources", "remove", "1", "--config", str(config)))
    assert "comes from the config file: delete its [[feeds]] entry there" in line
    again = monitor("sources", "add", http_server.url("/feed.xml"), "--name", "back", "--config", str(config))
    assert again.returncode == 0 and "source 2 (back)" in again.stdout  # the same row, with its history


def test_opml_folders_and_site_pages_survive_import_and_export(tmp_path: Path) -> None:
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        '<outline text="Middle East"><outline text="Iraq">'
        '<outline type="rss" text="Wire" xmlUrl="https://wire.example/feed.xml" htmlUrl="https://wire.example/"/>'
        '</outline></outline><outline type="rss" text="Loose" xmlUrl="https://loose.example/rss"/></body></opml>'
    )
    config = write_config(tmp_path)
    imported = monitor("sources", "import", str(opml), "--config", str(config))
    assert "2 of 2 feeds added" in imported.stdout, imported.stderr
    exported = monitor("sources", "export", "--config", str(config)).stdout
    from monitor.sources.opml import read_opml

    subs = {s.title: s for s in read_opml(exported.encode(), "export")}
    assert subs["Wire"].folder == "Middle East/Iraq" and subs["Wire"].html_url == "https://wire.example/"
    assert subs["Loose"].folder == "" and subs["Loose"].html_url is None


def test_mute_says_what_to_do_for_each_mistake(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    cases = {
        ("Soleimani",): "'Soleimani' is an alias of the actor 'Qasem Soleimani': mute 'Qasem Soleimani'",
        ("Qasem Solemani",): "did you mean 'Qasem Soleimani'?",
    }
    for args, says in cases.items():
        line = one_line_error(monitor("mute", *args, "--config", str(config)))
        assert says in line and "--replay" not in line, line
    usage = {  # a malformed --for or --until is a usage mistake (README): exit 2, naming the --help to read
        ("Qasem Soleimani", "--for", "5"): "--for '5': give a duration like 30m, 6h, 2d or 1w",
        ("Qasem Soleimani", "--until", "2020-01-01T08:00"): "--until '2020-01-01T08:00': that time has passed",
        ("Qasem Soleimani", "--until", "tomorrow"): "--until 'tomorrow': give a time like 2026-11-26T08:00",
    }
    for args, says in usage.items():
        result = monitor("mute", *args, "--config", str(config))
        assert result.returncode == 2 and says in result.stderr and "monitor mute --help`" in result.stderr, result.stderr
    muted = monitor("mute", "qasem soleimani", "--for", "2h", "--config", str(config))
    assert muted.returncode == 0 and muted.stdout.startswith("Qasem Soleimani: muted until"), muted.stderr


def test_config_and_channel_mistakes_name_the_fix(tmp_path: Path) -> None:
    typo = write_config(tmp_path, settings={"schedule": {"feeds_evry": 3}})
    assert "schedule.feeds_evry: unknown key: did you mean 'feeds_every'?" in one_line_error(monitor("check", "--config", str(typo)))
    scheme = write_config(tmp_path, channels=[{"name": "team", "url": "slak://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"}])
    line = one_line_error(monitor("check", "--config", str(scheme)))
    assert "no Apprise service is called slak://; did you mean slack://" in line and "TIiajkdnlazkcOXrIdevi7FQ" not in line


def test_fetch_errors_are_in_plain_words_and_keep_their_config_section(tmp_path: Path, http_server: LocalHTTP) -> None:
    from tests.conftest import free_port

    port = free_port()
    config = write_config(tmp_path, feeds=[{"name": "down", "url": f"http://127.0.0.1:{port}/feed.xml"}])
    line = one_line_error(monitor("sources", "add", f"http://127.0.0.1:{port}/feed.xml", "--config", str(config)))
    assert f"cannot connect to 127.0.0.1:{port} (connection refused): is the site up and the port right?" in line
    assert "Client" not in line and "Error" not in line  # no aiohttp class names
    closed = tmp_path / "closed"
    closed.mkdir()
    refused = write_config(closed, feeds=[{"name": "local", "url": http_server.url("/feed.xml")}], settings={"http": {"allow_networks": []}})
    assert monitor("once", "--config", str(refused)).returncode == 0
    assert "allow it with [http] allow_networks" in monitor("sources", "--config", str(refused), env=WIDE).stdout


def test_once_prints_hostile_titles_and_names_with_their_escapes_written_out(tmp_path: Path) -> None:
    """Issue 14.6: ANSI/OSC escapes from titles reached the terminal raw through the console channel and
    the log; a file name with a newline forged a log line."""
    inbox = hostile_inbox(tmp_path)
    forged = inbox / "x\n2026-01-01T00:00:00Z WARNING forged.txt"
    forged.write_bytes(b"\x00\x01binary")
    os.utime(forged, (time.time() - 60, time.time() - 60))
    result = monitor("once", "--config", str(write_config(tmp_path, folders=[inbox])))
    assert result.returncode == 0, result.stderr
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\x07" not in stream and "\u202e" not in stream
    assert "=== ALERT" in result.stdout and "\\x1b" in result.stdout
    assert not any(line.startswith("2026-01-01T00:00:00Z WARNING forged") for line in result.stderr.splitlines())
    assert "x\\n2026-01-01T00:00:00Z WARNING forged.txt" in result.stderr


def test_a_groups_config_is_its_subcommands_default(tmp_path: Path) -> None:
    """Regression: `monitor sources --config X retry 1` (and `alerts --config X show 1`) ignored X and
    read or changed the store of the default config/monitor.toml in the current folder."""
    config = write_config(tmp_path, folders=[hostile_inbox(tmp_path)])
    assert monitor("once", "--config", str(config)).returncode == 0
    shown = monitor("alerts", "--config", str(config), "show", "1", cwd=tmp_path)  # no config/monitor.toml here
    assert shown.returncode == 0 and "alert 1 (Alert id" in shown.stdout, shown.stderr
    disabled = monitor("sources", "--config", str(config), "disable", "1", cwd=tmp_path)
    assert disabled.returncode == 0 and "disabled" in disabled.stdout, disabled.stderr
    own = monitor("sources", "--config", str(config), "enable", "1", "--config", str(tmp_path / "other.toml"), cwd=tmp_path)
    assert own.returncode == 1 and "other.toml: config file not found" in own.stderr  # the subcommand's own --config wins


def test_mute_options_that_would_be_ignored_are_usage_mistakes(tmp_path: Path) -> None:
    # `monitor mute --off` (no NAME) listed the mutes and lifted nothing, `--for 2d --until ...` took the
    # --until and dropped --for, `--off --for 2d` lifted: each option the verb would ignore is said instead.
    config = str(write_config(tmp_path))
    usage = {
        ("--off",): "give the NAME of the actor, rule or spike",
        ("--for", "2d"): "give the NAME of the actor, rule or spike",
        ("Iran", "--for", "2d", "--until", "2099-01-01T08:00"): "--for or --until, not both",
        ("Iran", "--off", "--for", "2d"): "--off lifts a mute: give no --for or --until with it",
    }
    for args, says in usage.items():
        result = monitor("mute", *args, "--config", config)
        assert result.returncode == 2 and says in result.stderr and "monitor mute --help`" in result.stderr, (args, result.stderr)
    assert monitor("mute", "--config", config).stdout.startswith("nothing is muted")
    assert monitor("mute", "Iran", "--config", config).stdout.startswith("Iran: muted until")  # --for's default, 6h


def test_match_refuses_options_that_replay_would_ignore(tmp_path: Path) -> None:
    # `monitor match --replay 7d --json` printed the text listing (a script got no JSON), and
    # `monitor match article.txt --replay 7d` replayed without a word about the article.
    config = str(write_config(tmp_path))
    for args, says in ((["--replay", "7d", "--json"], "--json is for one article"), (["x.txt", "--replay", "7d"], "give an article FILE, --article ID or --replay SPAN: one of them")):
        result = monitor("match", *args, "--config", config)
        assert result.returncode == 2 and says in result.stderr and "monitor match --help`" in result.stderr, (args, result.stderr)


def test_config_given_before_the_verb_says_to_give_it_after() -> None:
    # `monitor --config x.toml alerts` said only "No such option: --config; see `monitor --help`", whose
    # root page has no --config: the newcomer could not tell that each verb takes it.
    for option in ("--config", "-c"):
        result = monitor(option, "config/monitor.toml", "alerts")
        assert result.returncode == 2 and result.stderr.startswith(
            f"monitor: error: No such option: {option}: give it after the verb, e.g. `monitor alerts --config PATH`; see `"), result.stderr


def test_alerts_retry_failed_requeues_every_delivery_that_gave_up_after_a_long_outage(tmp_path: Path) -> None:
    """A channel down longer than the retries last: its deliveries give up. `monitor alerts retry --failed`
    re-queues all of them (or one channel's) at once, where only one alert at a time could be."""
    from tests.conftest import free_port

    down = f"json://127.0.0.1:{free_port()}/hook"  # nothing listens there
    channels = [{"name": "desk", "url": down}, {"name": "file", "url": f"console://local?file={tmp_path / 'alerts.jsonl'}"}]
    config = str(write_config(tmp_path, folders=[hostile_inbox(tmp_path)], channels=channels, settings={"delivery": {"max_attempts": 1}}))
    assert monitor("once", "--config", config).returncode == 0
    assert query(tmp_path, "select channel, status from deliveries order by channel") == [("desk", "failed"), ("file", "sent")]
    assert monitor("alerts", "retry", "--failed", "--channel", "file", "--config", config).stdout.strip() == "no failed delivery to file to re-queue"
    assert monitor("alerts", "retry", "--failed", "--config", config).stdout.strip() == "1 failed delivery re-queued"
    assert query(tmp_path, "select channel, status, attempts from deliveries order by channel") == [("desk", "pending", 0), ("file", "sent", 1)]
    for args, says in (((), "give an alert's ID or --failed"), (("1", "--failed"), "give an alert's ID or --failed"), (("1", "--channel", "desk"), "--channel goes with --failed")):
        result = monitor("alerts", "retry", *args, "--config", config)
        assert result.returncode == 2 and says in result.stderr, (args, result.stderr)


def test_an_opml_file_nested_past_any_reader_or_too_large_is_one_line(tmp_path: Path) -> None:
    """Regression: `monitor sources import` walked an OPML file's folders by recursion, and 100,000 nested outlines
    were a RecursionError traceback (3,000 of them made every feed's folder a 33 KB path); and it read a file of
    any size whole. Folders nest at most MAX_DEPTH deep, and a file is at most MAX_BYTES: past either, one line."""
    from monitor.sources.opml import MAX_BYTES, MAX_DEPTH

    config = write_config(tmp_path)
    deep = tmp_path / "deep.opml"
    deep.write_text('<opml version="2.0"><body>' + '<outline text="f">' * 100_000 + '<outline text="x" xmlUrl="https://wire.example/x.xml"/>'
                    + "</outline>" * 100_000 + "</body></opml>")
    line = one_line_error(monitor("sources", "import", str(deep), "--config", str(config)))
    assert line == f"monitor: error: {deep}: not a usable OPML file (folders nested over {MAX_DEPTH} deep)"
    big = tmp_path / "big.opml"
    with big.open("wb") as file:
        file.truncate(MAX_BYTES + 1)
    line = one_line_error(monitor("sources", "import", str(big), "--config", str(config)))
    assert line == f"monitor: error: {big}: larger than {MAX_BYTES:,} bytes: not an OPML file of subscriptions"
    fine = tmp_path / "fine.opml"
    fine.write_text('<opml version="2.0"><body>' + '<outline text="f">' * MAX_DEPTH + '<outline text="x" xmlUrl="https://wire.example/x.xml"/>'
                    + "</outline>" * MAX_DEPTH + "</body></opml>")
    assert "1 of 1 feed added" in monitor("sources", "import", str(fine), "--config", str(config)).stdout


def test_an_opml_outline_of_700000_attributes_is_one_line_in_bounded_memory(tmp_path: Path) -> None:
    """Regression (found by the attacker helper, stop 45): one outline of 700,000 attributes (8 MB, under MAX_BYTES)
    peaked 365 MB in `monitor sources import` as the XML parser made them a dict, before any bound looked at it. A
    tag or text of over MAX_RUN bytes is refused before the file is parsed, in one line; an outline of a long title
    still imports."""
    from monitor.sources.opml import MAX_RUN

    config = str(write_config(tmp_path))
    wide = tmp_path / "wide.opml"
    attributes = " ".join(f'a{i}="x"' for i in range(700_000))
    wide.write_text(f'<opml version="2.0"><body><outline text="Wide" xmlUrl="https://w.example/rss" {attributes}/></body></opml>')
    # a child running the import and printing its exit status, what it said, and its peak resident memory (MB)
    run = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
           "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024); print(done.stderr.strip())")
    done = subprocess.run([sys.executable, "-c", run, sys.executable, "-m", "monitor", "sources", "import", str(wide), "--config", config],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=True)
    status, peak, said = *done.stdout.split("\n", 1)[0].split(), done.stdout.split("\n", 1)[1].strip()
    assert int(peak) < 200, f"peak {peak} MB"
    assert status == "1" and said == (f"monitor: error: {wide}: not a usable OPML file (a tag or text of over {MAX_RUN:,} bytes at byte 26: "
                                      "an outline holds a title and a few URLs)"), said
    long = tmp_path / "long.opml"
    long.write_text(f'<opml version="2.0"><body><outline text="{"Wire " * 2000}" xmlUrl="https://w.example/rss"/></body></opml>')
    assert "1 of 1 feed added" in monitor("sources", "import", str(long), "--config", config).stdout


def test_alerts_retry_failed_of_a_channel_not_in_the_config_is_refused_in_one_line(tmp_path: Path) -> None:
    """Regression (found by helper xpg): `monitor alerts retry --failed --channel desk` with desk taken out of
    the config said '1 failed delivery to desk re-queued', and the next dispatch gave it up again at once
    (a mistyped channel name said 'no failed delivery to re-queue', as if none had failed)."""
    channels = [{"name": "desk", "url": f"console://local?file={tmp_path / 'desk.jsonl'}"}, {"name": "file", "url": f"console://local?file={tmp_path / 'alerts.jsonl'}"}]
    inbox = hostile_inbox(tmp_path)
    config = str(write_config(tmp_path, folders=[inbox], channels=channels))
    assert monitor("once", "--config", config).returncode == 0
    write_config(tmp_path, folders=[inbox], channels=channels[1:])  # desk taken out
    line = one_line_error(monitor("alerts", "retry", "--failed", "--channel", "deks", "--config", config))
    assert line == f"monitor: error: {config}: no channel 'deks' in the config (its channels: file): put it back in the config first, or name one of them"


def test_alerts_dismiss_clears_failed_deliveries_and_keeps_why_and_retry_brings_one_back(tmp_path: Path) -> None:
    """Regression: a delivery that gave up stayed in `monitor alerts --failed` and `monitor status` until `alerts
    retry` sent it again: an operator who had dealt with it (sent it by hand, or the channel is gone for good) could
    not clear it. `alerts dismiss` marks it 'dismissed' (no longer failed, never sent again by `retry --failed`),
    and the delivery says when it was dismissed and why it had failed."""
    channels = [{"name": "hook", "url": "json://127.0.0.1:9/alerts"}, {"name": "file", "url": f"console://local?file={tmp_path / 'alerts.jsonl'}"}]
    config = str(write_config(tmp_path, folders=[hostile_inbox(tmp_path)], channels=channels, settings={"delivery": {"max_attempts": 1}}))
    assert monitor("once", "--config", config).returncode == 0
    assert "hook:failed(1)" in monitor("alerts", "--failed", "--config", config, env=WIDE).stdout
    assert "gave up" in monitor("status", "--config", config).stdout
    assert "--failed" in monitor("alerts", "dismiss", "--help").stdout
    neither = monitor("alerts", "dismiss", "--config", config)
    assert neither.returncode == 2 and "give an alert's ID or --failed" in neither.stderr and "Traceback" not in neither.stderr
    dismissed = monitor("alerts", "dismiss", "1", "--config", config)
    assert dismissed.stdout.strip() == "alert 1: 1 failed delivery dismissed (`monitor alerts retry 1` re-queues it)", dismissed.stderr
    assert "hook" not in monitor("alerts", "--failed", "--config", config, env=WIDE).stdout
    assert "gave up" not in monitor("status", "--config", config).stdout
    shown = monitor("alerts", "show", "1", "--config", config, env=WIDE).stdout
    assert "dismissed" in shown and "`monitor alerts dismiss`" in shown and "127.0.0.1" in shown  # when, by what, and the failure it ended
    assert monitor("alerts", "retry", "--failed", "--config", config).stdout.strip() == "no failed delivery to re-queue"
    assert monitor("alerts", "dismiss", "1", "--config", config).stdout.strip() == "alert 1: no failed delivery to dismiss"
    assert monitor("alerts", "retry", "1", "--config", config).stdout.strip() == "alert 1: 1 failed delivery re-queued"
    [(status, error)] = query(tmp_path, "select status, last_error from deliveries where channel = 'hook'")
    assert status == "pending" and "127.0.0.1" in error and "dismissed" not in error  # re-queued: no longer said to be dismissed
    assert monitor("once", "--config", config).returncode == 0  # fails again, gives up again
    assert monitor("alerts", "dismiss", "--failed", "--channel", "hook", "--config", config).stdout.strip() == "1 failed delivery to hook dismissed"
    assert query(tmp_path, "select status from deliveries order by channel") == [("sent",), ("dismissed",)]


def test_alerts_retry_of_one_alert_leaves_its_deliveries_to_a_channel_not_in_the_config_and_says_so(tmp_path: Path) -> None:
    """Regression: `monitor alerts retry ID` re-queued an alert's failed delivery to a channel taken out of the config
    ('1 failed delivery re-queued'), and the next dispatch gave it up again at once (`retry --failed --channel`
    refuses such a channel in one line). Now it re-queues those to the config's channels and names the others."""
    channels = [{"name": "desk", "url": "json://127.0.0.1:9/alerts"}, {"name": "hook", "url": "json://127.0.0.1:9/hook"}]
    inbox = hostile_inbox(tmp_path)
    config = str(write_config(tmp_path, folders=[inbox], channels=channels, settings={"delivery": {"max_attempts": 1}}))
    assert monitor("once", "--config", config).returncode == 0
    write_config(tmp_path, folders=[inbox], channels=channels[1:], settings={"delivery": {"max_attempts": 1}})  # desk taken out
    said = monitor("alerts", "retry", "1", "--config", config).stdout.strip()
    assert said == ("alert 1: 1 failed delivery re-queued; 1 to desk left failed: no channel 'desk' in the config "
                    "(put it back in the config first)"), said
    assert query(tmp_path, "select channel, status from deliveries order by channel") == [("desk", "failed"), ("hook", "pending")]


def test_errors_stored_unmasked_by_an_older_monitor_are_shown_masked_by_the_verbs_that_read_them(tmp_path: Path) -> None:
    """Regression: an error stored before its secret was masked there (a delivery's error quoting a channel's webhook token or
    an Apprise config file's service, from before that masking; a feed's error quoting its URL's path token) was shown whole
    by `alerts show`, `alerts --failed` and `sources`: those verbs build no channel, so only `${ENV}` values and the
    patterns were masked. The config's channel URLs, its config files' services and the feeds' URLs are registered by
    every verb now."""
    hook, service, feed = "abcdef0123456789XYZ", "Zq81Zq81Zq81Zq81ab", "9f86d081884c7d659a2feaa0c55ad015"
    (tmp_path / "apprise.txt").write_text(f"ops=json://127.0.0.1:9/cfghook/{service}\n")
    channels = [{"name": "hook", "url": f"json://127.0.0.1:9/hooks/{hook}"}, {"name": "cfg", "config": str(tmp_path / "apprise.txt")}]
    config = write_config(tmp_path, folders=[hostile_inbox(tmp_path)], channels=channels,
                          feeds=[{"name": "private", "url": f"http://127.0.0.1:9/feeds/{feed}/rss"}], settings={"delivery": {"max_attempts": 1}})
    assert monitor("once", "--config", str(config)).returncode == 0
    old = f"error sending to json://127.0.0.1:9/hooks/{hook} and to json://127.0.0.1:9/cfghook/{service}"  # as stored by an older monitor
    engine = create_engine(store_url(tmp_path), poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("update deliveries set last_error = :e"), {"e": old})
        conn.execute(text("update sources set last_error = :e where name = 'private'"), {"e": f"http://127.0.0.1:9/feeds/{feed}/rss: refused"})
    engine.dispose()
    shown = [monitor(*verb, "--config", str(config), env=WIDE) for verb in (["alerts", "show", "1"], ["alerts", "--failed"], ["sources"])]
    for result in shown:
        assert result.returncode == 0, result.stderr
        assert hook not in result.stdout and service not in result.stdout and feed not in result.stdout, result.stdout
    assert "/hooks/**** and to json://127.0.0.1:9/cfghook/****" in shown[0].stdout and "/feeds/****/rss: refused" in shown[2].stdout
