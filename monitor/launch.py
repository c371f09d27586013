"""The `monitor` command's entry point: for `monitor run`, the feed parsers are forked before anything else.

At this point the process has imported almost nothing and runs no thread, so forking is safe and the
parsing processes share its pages (see `monitor.sources.parsing`); the command line, with the
daemon's store, matcher and channels, is imported after.
"""

from __future__ import annotations

import sys


def main() -> None:
    """`monitor ARGS...`."""
    if sys.argv[1:2] == ["run"] and "--help" not in sys.argv:
        from monitor.sources.parsing import prefork

        prefork()
    from monitor.cli import main as cli_main

    cli_main()
