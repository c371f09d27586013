"""What `monitor run` imports after its fork costs, library by library (issue 21): private dirty MB of each step.

    .venv/bin/python bench/fork_imports.py [--config config/monitor.toml] [--orm-first]

The state `monitor run` reaches before it forks the parsing processes (cli.run: large blocks mapped, the watchlist
compiled, the preparer warmed up on its examples), then the imports it makes after the fork, one group at a time,
with the private dirty memory each adds (smaps_rollup). Those pages are the daemon's own: the parsing processes never
share them. SQLAlchemy's Core and its ORM are apart, and the first revision's tables written as Core `Table`s
(migrations/first.py, the same tables but for the later revisions') stand for what tables.py would cost without the
ORM's declarative classes and mappers. `--orm-first` imports the ORM first (what it drags in of Core counted with it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

GROUPS = {
    "sqlalchemy Core + its SQLite dialect": "import sqlalchemy, sqlalchemy.engine, sqlalchemy.dialects.sqlite",
    "Core tables (migrations/first.py)": "import monitor.store.migrations.first",
    "sqlalchemy.orm": "import sqlalchemy.orm",
    "tables.py (declarative) + mappers": "import monitor.store.tables\nfrom sqlalchemy.orm import configure_mappers\nconfigure_mappers()",
    "aiohttp": "import aiohttp",
    "apprise": "import apprise",
    "prometheus_client": "import prometheus_client",
    "apscheduler": "import apscheduler.schedulers.background, apscheduler.executors.pool, apscheduler.triggers.interval",
    "monitor's own (app, daemon)": "import monitor.app, monitor.daemon",
}


def private_dirty_mb() -> float:
    with open("/proc/self/smaps_rollup") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line and not line[0].isdigit())
    return int(fields["Private_Dirty"].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("config/monitor.toml"))
    parser.add_argument("--orm-first", action="store_true", help="import sqlalchemy.orm and tables.py before Core")
    args = parser.parse_args()
    from monitor.memory import map_large_blocks
    from monitor.prepare import Preparer, _samples, daemon_matcher
    from monitor.settings import load_settings

    map_large_blocks()
    matcher = daemon_matcher(load_settings(args.config))
    Preparer(matcher)(_samples(matcher))  # as preparing_pool does before the fork
    order = list(GROUPS)
    if args.orm_first:
        order = order[2:4] + order[:2] + order[4:]
    start = private_dirty_mb()
    print(f"before the fork's imports: {start:.1f} MB private dirty")
    for label in order:
        before = private_dirty_mb()
        exec(GROUPS[label])  # noqa: S102 - a fixed import statement of this file
        print(f"{label:40s} +{private_dirty_mb() - before:5.1f} MB")
    print(f"{'in all':40s} +{private_dirty_mb() - start:5.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
