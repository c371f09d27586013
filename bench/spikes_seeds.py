"""bench/spikes.py over many seeds: found and false alerts a week per seed, and each miss's oracle p.

For each seed: bench/spikes.py's month (its generation with that seed) counted into a fresh SQLite store
and the daemon's check (escalation.check_spikes, every hour of the month) replayed with the calibrated
entry (`per_week`, 1 by default); found of 10 within 24 h of the spike's start and false alerts a week,
as bench/spikes.py counts them. For each planted spike missed, bench/spikes_limit.py's oracle (a test
knowing every hour's true mean) gives its best p within the 24 h: a miss whose best p is far above the
threshold (about 1e-4 over 500 actors, where the oracle itself pays about 5 false alerts a week) is
beyond any test. Seeds run `--jobs` at a time (each its own process and store); a table, then JSON.

    .venv/bin/python bench/spikes_seeds.py --seeds 1-10 [--per-week 1] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import spikes as bench
import spikes_limit as limit


def seeds(text: str) -> list[int]:
    """'1-5,7,19' -> [1, 2, 3, 4, 5, 7, 19]."""
    out: list[int] = []
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("-")
        out += range(int(first), int(last or first) + 1)
    return out


def one(seed: int, per_week: float) -> dict[str, Any]:
    """The store replay of one seed's month, and the oracle's best p of each planted spike it missed."""
    result = bench.run(seed, levels=(), per_week=(per_week,))
    entry = result[f"per_week {per_week:g}"]
    missed = [int(a) for a, hours in entry["hours_to_alert"].items() if hours is None]
    oracle: dict[int, float] = {}
    if missed:
        per_day, planted, counts, means = limit.month(seed)
        first = bench.WEEKS_BEFORE * 7 * 24
        p = limit.oracle(counts, means, first)
        oracle = {a: float(f"{p[planted[a] - first: planted[a] - first + 25, a].min():.3g}") for a in missed}
    rates = dict(zip(entry["hours_to_alert"], result["planted_rates_per_day"], strict=True))
    return {"seed": seed, "found": entry["found"], "false_alerts": entry["false_alerts"], "false_per_week": entry["false_per_week"],
            "hours_to_alert": sorted(h for h in entry["hours_to_alert"].values() if h is not None),
            "missed": [{"actor": a, "per_day": rates[a], "oracle_best_p": oracle[a]} for a in missed],
            "thresholds": entry.get("thresholds_of_the_alerts", []), "false": entry["false"], "seconds_per_check": result["seconds_per_check"]}


def table(rows: list[dict[str, Any]]) -> str:
    """A markdown table, a row a seed and one for all of them."""
    lines = ["| seed | found of 10 | false alerts | false a week | missed (rate a day: the oracle's best p) |", "|---|---|---|---|---|"]
    for r in rows:
        missed = "; ".join(f"actor {m['actor']} ({m['per_day']} a day: {m['oracle_best_p']:.2g})" for m in r["missed"]) or "-"
        lines.append(f"| {r['seed']} | {r['found']} | {r['false_alerts']} | {r['false_per_week']} | {missed} |")
    weeks = bench.DAYS / 7 * len(rows)
    false = sum(r["false_alerts"] for r in rows)
    met = [r["seed"] for r in rows if r["found"] == bench.PLANTED and r["false_per_week"] <= 1]
    lines.append(f"| all {len(rows)} | {sum(r['found'] for r in rows)} of {bench.PLANTED * len(rows)} | {false} | {false / weeks:.2f} | "
                 f"10 of 10 and ≤ 1 a week on seeds {', '.join(map(str, met)) or 'none'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-10", help="seeds, e.g. 1-5,7,19")
    parser.add_argument("--per-week", type=float, default=1.0, help="the calibrated entry's chance alerts a week")
    parser.add_argument("--jobs", type=int, default=1, help="seeds replayed at once")
    args = parser.parse_args()
    chosen = seeds(args.seeds)
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(one, seed, args.per_week) for seed in chosen]
        for done in as_completed(futures):
            r = done.result()
            print(f"seed {r['seed']}: {r['found']} of 10, {r['false_per_week']} false a week", file=sys.stderr, flush=True)
        rows = [f.result() for f in futures]
    print(table(rows))
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
