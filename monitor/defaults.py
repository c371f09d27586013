"""Defaults that more than one layer needs (settings, the parsing pool, the poller): plain constants, no imports."""

PARSE_WORKERS = 2  # [schedule] parse_workers: processes parsing changed feeds
PARSE_TIMEOUT = 10.0  # [schedule] parse_timeout: CPU seconds one feed's parse may take (a 10 MB feed takes some 3)
BACKLOG_PER_WORKER = 4  # changed feeds parsed or waiting to be stored, per parsing process
BODY_BYTES = 32 * 1024 * 1024  # bytes of changed bodies a poll holds fetched and not yet parsed before it starts another fetch
LARGE_BODY_BYTES = 256 * 1024  # a body read past this many decoded bytes waits for one of LARGE_BODIES slots of its poll
LARGE_BODIES = 8  # a poll's bodies past LARGE_BODY_BYTES, read, waiting or being parsed at once
SUCCESS_FLUSH_SECONDS = 1.0  # a poll's good checks are recorded together, at most this late

# [schedule]'s polling policy, as the settings default it and schedule.Policy/PollPolicy default it (seconds)
MIN_INTERVAL = 300  # adaptive polling never asks a feed more often
MAX_INTERVAL = 86400  # nor less often than this
BACKOFF_CAP = 6 * 3600  # the longest wait after consecutive failures
SUSPEND_AFTER = 10  # consecutive failures that suspend a feed
SUSPENDED_EVERY = 86400  # a suspended feed is retried this often
PER_HOST = 2  # feeds of one host in flight at most
MAX_IN_FLIGHT = 200  # [http] max_in_flight (formerly [schedule] feed_workers): fetches in flight at once
