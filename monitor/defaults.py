"""Defaults that more than one layer needs (settings, the parsing pool, the poller): plain constants, no imports."""

PARSE_WORKERS = 2  # [schedule] parse_workers: processes parsing changed feeds
BACKLOG_PER_WORKER = 4  # changed feeds parsed or waiting to be stored, per parsing process
SUCCESS_FLUSH_SECONDS = 1.0  # a poll's good checks are recorded together, at most this late
