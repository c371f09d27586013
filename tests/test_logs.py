"""The daemon's log lines: one record is one line, control characters escaped, times in UTC with their zone."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.logs import setup_logging
from monitor.redact import printable as escape_controls
from monitor.redact import register_secret, terminal_safe
from tests.conftest import DISTINCT_STORIES, REPO, SEED, JsonReceiver, inbox_with, write_config


def formatted(msg: str, *args: object, created: float | None = None, exc: bool = False, log_format: str = "text", extra: dict[str, object] | None = None) -> str:
    """`msg % args` logged through the handler `setup_logging` installs, as it is written."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    setup_logging(log_format=log_format)
    handler = root.handlers[0]
    root.handlers[:], root.level = saved, level
    record = logging.LogRecord("monitor", logging.WARNING, __file__, 1, msg, args, None)
    record.__dict__.update(extra or {})  # what `log.warning(..., extra=...)` does
    if exc:
        try:
            raise ValueError("bad\nvalue")
        except ValueError:
            record.exc_info = sys.exc_info()
    if created is not None:
        record.created = created
    assert handler.filter(record)
    return handler.format(record)


def test_a_name_with_a_newline_or_a_terminal_escape_cannot_forge_or_hide_a_line() -> None:
    """Regression (issue 14, item 6): a file name with a newline forged a log line; OSC 8 reached the terminal."""
    line = formatted("file %s in %s skipped", "a\nFAKE 2020 INFO forged", "\x1b]8;;http://x\x07title\x1b]8;;\x07")
    assert "\n" not in line and "\x1b" not in line and "\x07" not in line
    assert "a\\nFAKE 2020 INFO forged" in line
    assert "\\x1b]8;;http://x\\x07title" in line


@pytest.mark.parametrize("char, shown", [("\r", "\\r"), ("\t", "\\t"), ("\x00", "\\x00"), ("\x7f", "\\x7f"), ("\x9b", "\\x9b"), ("\u202e", "\\u202e"), ("\u061c", "\\u061c"), ("\u2028", "\\u2028")])
def test_every_control_character_is_escaped(char: str, shown: str) -> None:
    assert escape_controls(f"a{char}b") == f"a{shown}b"
    assert escape_controls("Tehran, Baghdad — Erbil «ok» 中文") == "Tehran, Baghdad — Erbil «ok» 中文"


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u2060", "\u2061", "\u2064", "\u206a", "\u206f", "\ufeff"])
def test_an_invisible_format_character_is_written_out(char: str) -> None:
    """Regression (xweb4, session 44): a zero-width space, joiner, word joiner, invisible operator or byte order mark
    in a feed's title was shown as it came: unseen, so that 'Kataeb\u200bHezbollah' read as the watched name on a page,
    in `monitor alerts` and in the log, and two titles that differ looked the same."""
    assert escape_controls(f"Kataeb{char}Hezbollah") == f"Kataeb\\u{ord(char):04x}Hezbollah"
    assert escape_controls(f"a{char}b", lines=True) == f"a\\u{ord(char):04x}b"


@pytest.mark.parametrize("text", ["خامنه\u200cای", "موشک\u200cهای بالستیک", "क्\u200dष", "👩\u200d⚕\ufe0f", "🏳\ufe0f\u200d🌈"])
def test_a_joiner_that_shapes_its_script_or_an_emoji_is_kept(text: str) -> None:
    """A zero-width non-joiner or joiner between two letters of a script it shapes (Persian's ZWNJ, in most of its words
    and in the watchlist's own aliases; Indic conjuncts) or two parts of an emoji is seen in what it does: kept, not
    written out all over a Persian article. Beside a Latin letter, where it shows nothing, it is written out."""
    assert escape_controls(text) == text and escape_controls(text, lines=True) == text
    assert escape_controls("Kataeb\u200cHezbollah\u200d") == "Kataeb\\u200cHezbollah\\u200d"
    assert escape_controls("خامنه\u200cای\u200c") == "خامنه\u200cای\\u200c"  # at the end it joins nothing
    printed = terminal_safe(json.dumps([text, "Kataeb\u200cHezbollah\u202e"], ensure_ascii=False))  # `--json`'s output
    assert printed == '["' + text + '", "Kataeb\\u200cHezbollah\\u202e"]' and json.loads(printed) == [text, "Kataeb\u200cHezbollah\u202e"]


HIDDEN = "Strike" + "".join(chr(0xE0000 + ord(c)) for c in "IGNORE")  # tag characters: 'IGNORE', unseen


@pytest.mark.parametrize("text, shown", [
    ("Hez\ufe0fbollah", "Hez\\ufe0fbollah"), ("Hezbollah\ufe00", "Hezbollah\\ufe00"), ("\u2764\ufe0f\ufe0f\ufe0e", "\u2764\ufe0f\\ufe0f\\ufe0e"),
    ("a \ufe0f", "a \\ufe0f"), ("\u845b\U000e0100\U000e0101", "\u845b\U000e0100\\U000e0101"),
    (HIDDEN, "Strike\\U000e0049\\U000e0047\\U000e004e\\U000e004f\\U000e0052\\U000e0045"), ("\U0001f3f4\U000e0067\U000e0062", "\U0001f3f4\\U000e0067\\U000e0062"),
    ("\xad\xadHezbollah\xad", "\\xad\\xadHezbollah\\xad"), ("Hez\u034fbollah", "Hez\\u034fbollah"), ("\u3164\uffa0", "\\u3164\\uffa0"),
    ("\u1820\u180b \u180b", "\u1820\u180b \\u180b"),
])
def test_a_selector_tag_or_soft_hyphen_that_does_no_work_is_written_out(text: str, shown: str) -> None:
    """Regression (xhostile5, stop 45): a variation selector, a tag character or a soft hyphen where it does no work showed
    nothing: 'Hez\ufe0fbollah' read as the watched name, which the matcher does not find in it, and tag characters after a
    title carried a message no one saw (ASCII smuggling) on a page, in `monitor alerts` and in the log."""
    assert escape_controls(text) == shown and escape_controls(text, lines=True) == shown
    printed = terminal_safe(json.dumps(text, ensure_ascii=False))  # `--json`'s output: JSON's own escapes, a pair past U+FFFF
    assert json.loads(printed) == text and escape_controls(printed) == printed  # nothing left unseen


@pytest.mark.parametrize("text", ["Bundes\xadregierung", "\u2764\ufe0f", "1\ufe0f\u20e3", "\u00a9\ufe0e", "\u845b\U000e0100", "\u845b\ufe00",
                                  "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f England", "\u1822\u180b"])
def test_a_selector_tag_or_soft_hyphen_at_work_is_kept(text: str) -> None:
    """A soft hyphen inside a word (German feeds' &shy;), a selector after the emoji, symbol or ideograph it varies, a
    keycap, England's flag (tag characters between U+1F3F4 and the cancel tag) are seen in what they do: kept."""
    assert escape_controls(text) == text and terminal_safe(text) == text


def test_a_traceback_stays_on_the_line_of_its_record() -> None:
    line = formatted("job failed", exc=True)
    assert "\n" not in line and "Traceback" in line and "ValueError: bad\\nvalue" in line


def test_log_times_are_utc_with_the_zone_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (issue 14, item 21): logs were in local time without an offset, the CLI and alerts in UTC."""
    monkeypatch.setenv("TZ", "Asia/Tehran")
    time.tzset()
    try:
        line = formatted("hello", created=1796212306.0)  # 2026-12-02 11:51:46 UTC, 15:21:46 in Tehran
    finally:
        monkeypatch.undo()
        time.tzset()
    assert line == "2026-12-02T11:51:46Z WARNING hello"


def test_a_process_in_another_zone_logs_utc() -> None:
    code = "import logging; from monitor.logs import setup_logging; setup_logging(); logging.getLogger('monitor').warning('x')"
    before = time.strftime("%Y-%m-%dT%H", time.gmtime())
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env={**os.environ, "TZ": "Asia/Tehran"}, timeout=60)
    after = time.strftime("%Y-%m-%dT%H", time.gmtime())
    stamp = result.stderr.split()[0]
    assert stamp.endswith("Z") and stamp[:13] in (before, after), result.stderr



def test_json_logs_are_one_object_per_line_with_the_event_fields_secrets_masked() -> None:
    """Issue 17: `--log-format json` / `[log] format = "json"`: time, level, message and the `extra=` fields."""
    register_secret("s3cr3t-token-value")
    line = formatted("alert %s to %s failed: %s", "ab12", "hook", "https://h.example/?token=s3cr3t-token-value", log_format="json", created=1796212306.25,
                     extra={"alert": "ab12", "channel": "hook", "source": "wire\n{\"level\": \"forged\"}\x1b[31m\u2028", "article": 7,
                            "url": "https://h.example/x?token=s3cr3t-token-value"})
    assert "\n" not in line and "\x1b" not in line and "\u2028" not in line and "s3cr3t" not in line
    event = json.loads(line)
    assert event == {"time": "2026-12-02T11:51:46.250Z", "level": "WARNING", "message": "alert ab12 to hook failed: https://h.example/?token=****",
                     "alert": "ab12", "channel": "hook", "source": "wire\n{\"level\": \"forged\"}\x1b[31m\u2028", "article": 7,
                     "url": "https://h.example/x?token=****"}


def test_a_json_line_has_no_uvicorn_color_message() -> None:
    """Regression: `monitor run --log-format json` wrote uvicorn's start and stop lines with a
    `color_message` field of terminal escapes ("Started server process [\u001b[36m%d\u001b[0m]")."""
    event = json.loads(formatted("Started server process [%d]", 42, log_format="json", extra={"color_message": "Started server process [\x1b[36m%d\x1b[0m]"}))
    assert event["message"] == "Started server process [42]" and "color_message" not in event


@pytest.mark.parametrize(("name", "shown_from"), [("uvicorn.error", logging.WARNING), ("apscheduler.scheduler", logging.ERROR), ("trafilatura", logging.ERROR)])
def test_the_libraries_noise_is_left_out_and_their_trouble_kept(name: str, shown_from: int) -> None:
    """Regressions: `monitor run --log-format json` wrote uvicorn's "Started server process [N]" with a
    `color_message` of terminal escapes; every start with alerts to send logged APScheduler's `Execution of job
    "Guarded (trigger: date[...])" skipped: maximum number of running instances reached (1)` (a wake-up the daemon
    leaves unsaid on purpose, and says in its own words for the other jobs); trafilatura logged "discarding data:
    None", naming no source. Their lines from `shown_from` up still come through."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    setup_logging(log_format="json")
    try:
        logger = logging.getLogger(name)
        assert not logger.isEnabledFor(shown_from - 10) and logger.isEnabledFor(shown_from)
    finally:
        root.handlers[:], root.level = saved, level


def test_a_json_traceback_stays_in_its_object() -> None:
    event = json.loads(formatted("job failed", exc=True, log_format="json"))
    assert event["message"] == "job failed" and "ValueError: bad\nvalue" in event["exc_info"]


def test_monitor_once_log_format_json_writes_json_lines_with_the_article_fields(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_text(SEED.read_text())
    config = write_config(tmp_path, folders=[inbox])
    result = subprocess.run([sys.executable, "-m", "monitor", "once", "--log-format", "json", "--config", str(config)],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines()]
    [stored] = [e for e in events if "article" in e]
    assert stored["source"] == str(inbox) and stored["article"] == 1 and len(stored["alert"]) == 16
    assert any(e.get("channel") == "file" and e["message"].endswith("sent to file") for e in events)
    config.write_text(config.read_text() + '[log]\nformat = "json"\n')
    result = subprocess.run([sys.executable, "-m", "monitor", "once", "--config", str(config)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and all(json.loads(line) for line in result.stderr.splitlines()), result.stderr
    text = subprocess.run([sys.executable, "-m", "monitor", "once", "--log-format", "text", "--config", str(config)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert text.returncode == 0 and not text.stderr.startswith("{"), text.stderr


def test_a_deeply_nested_page_logs_no_line_of_trafilatura(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: a dropped page of 100,000 nested <div>s logged trafilatura's "discarding data: None", a warning naming no source."""
    from monitor.sources.folders import read_document

    page = tmp_path / "deep.html"
    page.write_text("<html><body>" + "<div>" * 100_000 + "Rockets hit the base near Erbil." + "</div>" * 100_000 + "</body></html>")
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    setup_logging()  # its handler writes to the captured standard error
    try:
        read_document(page, "inbox")
    finally:
        root.handlers[:], root.level = saved, level
    assert "discarding data" not in capsys.readouterr().err


@pytest.mark.parametrize("content", ["<!-- only a comment -->", "   ", "<?xml version='1.0'?>"])
def test_a_page_with_no_document_logs_no_error_of_trafilatura(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str) -> None:
    """Regression (found by helper xfolder): a folder's .html file of a comment only logged trafilatura's three ERROR
    lines naming no file ("lxml parsing failed: Document is empty", "empty HTML tree: None") besides the scan's own
    `not stored: no text` naming it."""
    from monitor.sources.folders import read_document

    page = tmp_path / "empty.html"
    page.write_text(content)
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    setup_logging()  # its handler writes to the captured standard error
    try:
        doc = read_document(page, "inbox")
    finally:
        root.handlers[:], root.level = saved, level
    assert "ERROR" not in capsys.readouterr().err
    assert doc.text.strip() == "" or "<" not in doc.text


def test_an_uncaught_error_in_a_thread_or_the_main_thread_is_one_line_with_its_secrets_masked() -> None:
    """Regression: an error nothing caught (a bug) went to Python's own hooks: a traceback of many lines on standard
    error, a URL's password in it as written (found by helper xsecrets). It is now logged as every line is."""
    from tests.conftest import REPO

    code = ("import threading; from monitor.logs import setup_logging; setup_logging()\n"
            "def bug(): raise RuntimeError('fetching https://desk:hunter2pw@feeds.example/x failed')\n"
            "t = threading.Thread(target=bug, name='poller'); t.start(); t.join()\n"
            "bug()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    lines = done.stderr.splitlines()
    assert done.returncode == 1 and len(lines) == 2, done.stderr
    assert "ERROR thread poller stopped by an uncaught error (a bug: please report it)" in lines[0]
    assert "CRITICAL stopped by an uncaught error (a bug: please report it)" in lines[1]
    assert all("hunter2pw" not in line and "RuntimeError" in line for line in lines)


def test_the_secrets_of_a_feed_url_with_a_broken_host_are_still_found() -> None:
    """Regression (the merge of xfeed2's and xops2's work): `sources import` of an outline whose URL has a broken IPv6
    host (`http://[oops/feed`) registered its secrets before the URL was checked, and `urlsplit`'s ValueError ended the
    verb in a traceback. Its password, query and path tokens are found as in a URL that parses."""
    from monitor.redact import feed_url_secrets

    assert feed_url_secrets("http://u:pw123456@[oops/feeds/a1b2c3d4e5f6a7b8c9d0/rss?token=abc") == {"pw123456", "a1b2c3d4e5f6a7b8c9d0", "abc"}


def test_a_standard_error_that_takes_nothing_holds_no_thread_that_logs_and_the_lines_dropped_are_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (xdeliver4): `monitor run 2>&1 | less`, paused, blocked every thread that logged on the full pipe (the
    polls, the dispatch, the jobs). Once `write_behind()`, the lines wait for a thread of their own, up to LOG_BEHIND
    characters; past them they are dropped, and one line says how many once standard error takes lines again. At exit
    the lines waiting are given FLUSH_SECONDS, not for ever. A real pipe of 4 KiB, read only at the end."""
    import fcntl
    import threading

    from monitor import logs

    monkeypatch.setattr(logs, "LOG_BEHIND", 20_000)
    monkeypatch.setattr(logs, "FLUSH_SECONDS", 0.5)
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, 1031, 4096)  # F_SETPIPE_SZ
    handler = logs.WriteBehind(os.fdopen(write_end, "w"))
    handler.setFormatter(logs.OneLineFormatter())
    logger = logging.getLogger("monitor.test.write_behind")
    logger.propagate, logger.level = False, logging.INFO
    logger.addHandler(handler)
    try:
        handler.write_behind()
        logging_thread = threading.Thread(target=lambda: [logger.info("line %04d %s", n, "x" * 90) for n in range(1000)])
        logging_thread.start()
        logging_thread.join(timeout=10)
        assert not logging_thread.is_alive()  # 1,000 lines logged, none waited for the pipe
        started = time.monotonic()
        handler.flush()  # (what logging.shutdown does at exit)
        assert time.monotonic() - started < 2
        said = b""
        while b"dropped" not in said:
            said += os.read(read_end, 65536)
    finally:
        logger.removeHandler(handler)
    lines = said.decode().splitlines()
    kept = [line for line in lines if " INFO line " in line]
    [dropped] = [line for line in lines if "dropped" in line]
    assert kept == [line for line in kept if len(line.split()) == 5] and len(kept) < 1000
    assert [int(line.split()[3]) for line in kept] == list(range(len(kept)))  # the first ones, in order, whole
    assert dropped.endswith(f" WARNING {1000 - len(kept)} log lines dropped: standard error took nothing while they came "
                            "(a paused pager, a log collector that hung)"), dropped
    os.close(read_end)


def test_the_error_line_a_verb_ends_with_comes_after_the_log_lines_still_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (left by helper xdeliver4): once `monitor run` writes its log behind (a thread of its own), the one
    line a MonitorError ends it with was written straight to standard error, so it could come before log lines still
    waiting there: it is the last line as docs/operations.md and the tests read it (the stalled daemon's schema line).
    A standard error that takes each write slowly."""
    import io
    import threading

    from monitor import logs
    from monitor.cli import say_error

    class Slow(io.StringIO):  # the log's writer thread is slow to get its lines through
        def write(self, text: str) -> int:
            if threading.current_thread().name == "log-writer":
                time.sleep(0.3)
            return super().write(text)

    stream = Slow()
    handler = logs.WriteBehind(stream)
    handler.setFormatter(logs.OneLineFormatter())
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [handler])
    monkeypatch.setattr(sys, "stderr", stream)
    handler.write_behind()
    logging.getLogger("monitor").warning("stopping: the store changed")
    say_error("the store's schema revision is not this monitor's")
    handler.flush()
    assert stream.getvalue().splitlines()[-1] == "monitor: error: the store's schema revision is not this monitor's", stream.getvalue()
    assert "stopping: the store changed" in stream.getvalue().splitlines()[0]


def full_pipe() -> tuple[int, int]:
    """A pipe of 4 KiB that the test does not read: a paused pager, a log collector that hung."""
    import fcntl

    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, 1031, 4096)  # F_SETPIPE_SZ
    return read_end, write_end


def test_monitor_once_with_a_standard_error_that_takes_nothing_still_delivers_and_exits(tmp_path: Path, json_receiver: JsonReceiver) -> None:
    """`monitor once` (and `monitor web`) wrote its log lines from the thread that logged them, not through the write-behind
    `monitor run` has: a standard error that took nothing (cron's pipe stalled, `monitor once -v | less`, paused) held its
    poll and its deliveries for good. Its lines now wait for a thread of their own, dropped past a bound."""
    inbox = inbox_with(tmp_path, [f"{DISTINCT_STORIES[i % 5]} Report number {i}." for i in range(60)])  # 10 KB of log lines with -v
    config = write_config(tmp_path, folders=[inbox], channels=[{"name": "hook", "url": json_receiver.url}])
    read_end, write_end = full_pipe()
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "once", "-v", "--config", str(config)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=write_end)
    os.close(write_end)
    try:
        assert proc.wait(timeout=90) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(read_end)
    assert len(json_receiver.messages) == 5  # the five stories (their copies join them)
