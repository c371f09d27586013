"""Logging set-up: one line per event, UTC ISO 8601 times, control characters escaped, secrets redacted.

Two formats: text (`2026-12-02T11:51:46Z INFO message`) and JSON (`--log-format json`, `[log] format`):
one object per line through python-json-logger, with `time`, `level`, `message` and the fields a log
call gives in `extra=` (source, article, alert, channel). Secrets are masked in every string of it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections import deque
from types import TracebackType
from datetime import UTC, datetime
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter

from monitor.redact import RedactingFilter, printable, redact

class OneLineFormatter(logging.Formatter):
    """`2026-12-02T11:51:46Z LEVEL message`: the time in UTC, the whole record (a traceback too) on one
    line, with newlines and terminal escapes from file names and titles made visible instead of obeyed."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


class JsonLineFormatter(JsonFormatter):
    """`{"time": "2026-12-02T11:51:46.123Z", "level": "INFO", "message": "...", "source": "wire", ...}`:
    JSON escapes every control character (and, ASCII only, every other non-ASCII one), so a hostile
    title cannot break the line; the `extra=` fields are masked as the message is."""

    def __init__(self) -> None:
        super().__init__("{asctime}{levelname}{message}", style="{", rename_fields={"asctime": "time", "levelname": "level"})

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # uvicorn gives its start and stop lines a `color_message` of terminal escapes: not a field of ours
        return {key: redact(value) if isinstance(value, str) else value for key, value in log_data.items() if key != "color_message"}


class ClientSaid(logging.Filter):
    """uvicorn's warnings of what a client sent, said at each request before any bound of the server's and naming no
    client: a request that is not HTTP (the client has its 400), an Upgrade header (the server speaks no WebSocket:
    the request is answered as a plain one). Any client would write the log at its will: dropped. The server's own
    failures (an exception in a page) stay."""

    SAID = ("Invalid HTTP request received.", "Unsupported upgrade request.", "No supported WebSocket library detected.")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(self.SAID))


CLIENT_SAID = ClientSaid()  # one, so that setting up the logging again adds no second


LOG_BEHIND = 4 << 20  # characters of lines waiting for standard error, at most (past them a line is dropped, and counted)
FLUSH_SECONDS = 5.0  # at exit, how long the lines waiting are given to be written


class WriteBehind(logging.Handler):
    """Standard error, written line by line by the thread that logs, then, from `write_behind()` (the daemon, once its
    parsing processes are forked: they are forked only while no other thread runs), by a thread of its own: a standard
    error that takes nothing (`monitor run 2>&1 | less`, paused; a log collector that hangs) holds that thread alone, not
    the polls, the dispatch and the jobs that log. Past LOG_BEHIND characters waiting, a line is dropped; once standard
    error takes lines again one line says how many were. At exit (`logging.shutdown`) the lines waiting are given
    FLUSH_SECONDS to be written."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self._changed = threading.Condition(threading.Lock())
        self._waiting: deque[str] = deque()
        self._size = 0  # characters waiting or being written
        self._dropped = 0
        self._thread: threading.Thread | None = None

    def write_behind(self) -> None:
        """From now on, lines are written by a thread of the handler's own."""
        with self._changed:
            if self._thread is None:
                self._thread = threading.Thread(target=self._write_waiting, name="log-writer", daemon=True)
                self._thread.start()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + "\n"
            with self._changed:
                if self._thread is not None:
                    if self._size + len(line) > LOG_BEHIND:
                        self._dropped += 1
                    else:
                        self._waiting.append(line)
                        self._size += len(line)
                        self._changed.notify_all()
                    return
            self.stream.write(line)  # (the handler's lock held: one line at a time)
            self.stream.flush()
        except Exception:  # (a closed standard error: logging's own report)
            self.handleError(record)

    def _write_waiting(self) -> None:
        while True:
            with self._changed:
                while not self._waiting:
                    self._changed.wait()
                lines, taken = "".join(self._waiting), self._size
                self._waiting.clear()
            with contextlib.suppress(OSError, ValueError):  # (a closed or broken standard error: nothing left to tell)
                self.stream.write(lines)
                self.stream.flush()
            with self._changed:
                self._size -= taken
                dropped, self._dropped = self._dropped, 0
                if dropped:  # (standard error took these lines: it takes lines again)
                    said = self.format(logging.getLogger("monitor").makeRecord(
                        "monitor", logging.WARNING, __file__, 0, "%s dropped: standard error took nothing while they came (a paused pager, "
                        "a log collector that hung)", (counted(dropped, "log line"),), None))
                    self._waiting.append(said + "\n")
                    self._size += len(said) + 1
                self._changed.notify_all()

    def flush(self) -> None:
        """Wait, FLUSH_SECONDS at most, for the lines waiting to be written."""
        with self._changed:
            if self._thread is not None:
                self._changed.wait_for(lambda: self._size == 0, FLUSH_SECONDS)

    def forked(self) -> None:
        """In a process forked from this one: no writer thread there; lines are written by the thread that logs them."""
        self._changed = threading.Condition(threading.Lock())
        self._waiting, self._size, self._dropped, self._thread = deque(), 0, 0, None


def write_behind() -> None:
    """Have the log's lines written by a thread of their own from now on (`monitor run`, once its parsing processes are forked)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, WriteBehind):
            handler.write_behind()


def _forked() -> None:
    for handler in logging.getLogger().handlers:
        if isinstance(handler, WriteBehind):
            handler.forked()


os.register_at_fork(after_in_child=_forked)


def setup_logging(verbose: bool = False, log_format: str = "text") -> None:
    """Log to standard error in `log_format` ("text" or "json"), secrets masked."""
    handler = WriteBehind(sys.stderr)
    handler.setFormatter(JsonLineFormatter() if log_format == "json" else OneLineFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # uvicorn (the endpoint of `monitor run`, `monitor web`): its "Started server process [N]" lines are noise,
    # and carry a `color_message` with terminal escapes into the JSON lines; its warnings and errors stay.
    for noisy in ("aiohttp", "watchdog", "htmldate", "charset_normalizer", "uvicorn"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("uvicorn.error").addFilter(CLIENT_SAID)
    # APScheduler's warnings (a run skipped or missed) are said by the daemon in its own words, and left out
    # where they are not news (a wake-up job while the same job runs): its errors stay.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    # trafilatura warns of what it drops from a page ("discarding data: None"), a line naming no source: pages it
    # cannot read come back empty and are said so by the folder scan.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    # Apprise's own failure lines are captured per delivery and logged once by the dispatcher.
    logging.getLogger("apprise").propagate = False
    # an error nothing caught (a bug) is logged as every line is: one line, its secrets masked, not a raw traceback
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    if not issubclass(kind, Exception):  # Ctrl-C, an exit: Python's own
        sys.__excepthook__(kind, error, trace)
        return
    logging.getLogger("monitor").critical("stopped by an uncaught error (a bug: please report it)", exc_info=(kind, error, trace))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if issubclass(args.exc_type, Exception):
        logging.getLogger("monitor").error("thread %s stopped by an uncaught error (a bug: please report it)", args.thread.name if args.thread else "?",
                                           exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback))


def counted(n: int, noun: str, plural: str = "") -> str:
    """`1 feed`, `2 feeds`, `0 feeds`: a count with its noun in a log line or the CLI's output (`plural` for a noun
    whose plural is not noun + s: `counted(1, "entry", "entries")`)."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"
