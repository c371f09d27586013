"""The `monitor` command's entry point, kept light: a spawned parsing process re-imports the entry
script (multiprocessing's 'spawn'), and this module imports nothing until `main()` runs."""

from __future__ import annotations


def main() -> None:
    """`monitor ARGS...`."""
    from monitor.cli import main as cli_main

    cli_main()
