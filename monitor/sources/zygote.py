"""The parsing processes' zygote: multiprocessing's fork server imports this module once, as its preload, and then
only forks the workers (`sources.parsing`). Importing it makes the zygote what they share: feedparser, the preparer
named by the MONITOR_PREPARER environment variable loaded and run once on its sample feed, the workers' loop
imported, large blocks mapped apart, the collector's objects frozen. It ignores SIGHUP (a reload is the daemon's; a
hang-up to the process group would end it); SIGINT the fork server ignores itself. Nothing here raises: a preparer
that fails to load is loaded by each worker, where its failure is reported."""

from __future__ import annotations

import concurrent.futures.process  # noqa: F401  (the workers' loop: imported once, here)
import contextlib
import gc
import os
import signal

from monitor.memory import map_large_blocks
from monitor.sources import feeds  # noqa: F401  (feedparser)
from monitor.sources.parsing import PREPARER, warm_up

signal.signal(signal.SIGHUP, signal.SIG_IGN)
map_large_blocks()
with contextlib.suppress(Exception):
    warm_up(os.environ.get(PREPARER, ""))
gc.freeze()  # the workers' collections then leave the shared objects (and their pages) alone
