"""Logging set-up: one line per event, UTC ISO 8601 times, control characters escaped, secrets redacted."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

from monitor.redact import RedactingFilter, printable

class OneLineFormatter(logging.Formatter):
    """`2026-12-02T11:51:46Z LEVEL message`: the time in UTC, the whole record (a traceback too) on one
    line, with newlines and terminal escapes from file names and titles made visible instead of obeyed."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def setup_logging(verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("apscheduler", "aiohttp", "watchdog", "trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Apprise's own failure lines are captured per delivery and logged once by the dispatcher.
    logging.getLogger("apprise").propagate = False
