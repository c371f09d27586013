"""Peak memory and CPU of reading one hostile file of a watched folder (xfolder5, stop 45).

Writes a file (`paragraphs`: a 5 MB `.html` of short paragraphs; `breaks`: 5 MB of 'x<br>'), reads it as the folder
source does (`folders.read_document`) in a child process with each PYTHONPATH given (a frozen base, the change) in
turn, ROUNDS times, and prints each run's peak resident memory and CPU seconds (the child's own, from wait4) and the
medians. `--empty` reads a one-paragraph page instead: the child's own peak, imports and all.

    python bench/folder_file_peak.py /tmp/base /work/wt/xfolder5 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

READ = "import sys; from pathlib import Path; from monitor.sources.folders import read_document; read_document(Path(sys.argv[1]), 'bench')"
SHAPES = {"paragraphs": "<p>word {i}</p>", "breaks": "x<br>"}


def page(shape: str, size: int) -> str:
    parts, length, i = ["<html><head><title>Big</title></head><body>"], 0, 0
    while length < size:
        piece = SHAPES[shape].format(i=i)
        parts.append(piece)
        length += len(piece)
        i += 1
    return "".join(parts) + "</body></html>"


def run(tree: str, path: Path) -> tuple[float, float]:
    """(peak MB, CPU seconds) of reading `path` with the monitor of `tree`."""
    child = subprocess.Popen([sys.executable, "-c", READ, str(path)], cwd=tree, env={**os.environ, "PYTHONPATH": tree},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if status:
        print(f"{tree}: exit status {status}", file=sys.stderr)
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", help="PYTHONPATHs to compare (a frozen base first)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="paragraphs")
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument("--empty", action="store_true", help="a one-paragraph page: the child's own peak")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "page.html"
        path.write_text(page(args.shape, 10 if args.empty else int(args.megabytes * 1_000_000)), encoding="utf-8")
        print(f"{path.stat().st_size:,} bytes ({'one paragraph' if args.empty else args.shape})")
        runs: dict[str, list[tuple[float, float]]] = {tree: [] for tree in args.trees}
        for _ in range(args.rounds):
            for tree in args.trees:  # alternated: the machine's load falls on each alike
                runs[tree].append(run(tree, path))
                print(f"{tree}: {runs[tree][-1][0]:.0f} MB, {runs[tree][-1][1]:.2f} s")
    for tree, results in runs.items():
        print(f"{tree}: median {statistics.median(r[0] for r in results):.0f} MB, {statistics.median(r[1] for r in results):.2f} s CPU")


if __name__ == "__main__":
    main()
