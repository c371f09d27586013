"""What loading a big watchlist costs, and how much of it is YAML's parse.

Writes the default watchlist with N more group actors (two aliases each; realistic names are not needed: the
parse and the checks read every key alike) to a temporary file, then times `load_watchlist` (the daemon's start
and every reload, `monitor check`, the web view) and the YAML tree alone with libyaml's parser (what
`load_watchlist` uses) and with PyYAML's pure-Python one (what it used before), CPU seconds, best of REPEAT.

    .venv/bin/python bench/watchlist_load.py [N] [REPEAT]
"""

from __future__ import annotations

import random
import string
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.watchlist import load_watchlist  # noqa: E402


def big_watchlist(path: Path, extra: int) -> None:
    data = yaml.safe_load((REPO / "config" / "watchlist.yaml").read_text(encoding="utf-8"))
    rng = random.Random(1)
    for i in range(extra):
        name = "".join(rng.choice(string.ascii_lowercase) for _ in range(8)).title()
        data["actors"].append({"name": f"{name} Group {i}", "kind": "group", "aliases": [f"{name} Brigade {i}", f"{name} Front {i}"]})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.process_time()
        run()
        times.append(time.process_time() - began)
    return min(times)


def main() -> None:
    extra = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "watchlist.yaml"
        big_watchlist(path, extra)
        text = path.read_text(encoding="utf-8")
        actors = len(load_watchlist(path).actors)
        print(f"{actors:,} actors, {len(text) / 1e6:.2f} MB of YAML; CPU seconds, best of {repeat}")
        print(f"  load_watchlist              {best(lambda: load_watchlist(path), repeat):.3f}")
        print(f"  YAML tree, libyaml          {best(lambda: yaml.compose(text, Loader=yaml.CSafeLoader), repeat):.3f}")
        print(f"  YAML tree, pure Python      {best(lambda: yaml.compose(text, Loader=yaml.SafeLoader), repeat):.3f}")


if __name__ == "__main__":
    main()
