"""Logging set-up: one line per event, secrets redacted on every handler."""

from __future__ import annotations

import logging
import sys

from monitor.redact import RedactingFilter


def setup_logging(verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("apscheduler", "aiohttp", "watchdog", "trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Apprise's own failure lines are captured per delivery and logged once by the dispatcher.
    logging.getLogger("apprise").propagate = False
