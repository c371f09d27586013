"""The limit of spike detection on bench/spikes.py's month: what a test knowing each actor's true hourly rate finds.

The same generation (seed, rates, news cycle, planted spikes) as bench/spikes.py, counted into an hour x actor
matrix in memory. The oracle knows every hour's true Poisson mean (rate x day/night x weekend x that day's
news cycle) and tests the last 3, 6, 12 and 24 h (as the daemon does), the smallest p of the four (no
correction). For each planted spike: its best p within 24 h of its start. For thresholds: the false alerts
a week of the oracle over the 500 actors, one per rise (re-armed above p 0.1), counted as bench/spikes.py
counts them. A threshold on this p that finds a spike cannot cost fewer false alerts than the oracle's.

    .venv/bin/python bench/spikes_limit.py [--seed 19] [--thresholds 1e-4,3e-5,2e-5,1e-5,5e-6]
"""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from typing import Any

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

import spikes as bench
from monitor.trends import hour_of

STRETCHES = (3, 6, 12, 24)


def month(seed: int) -> tuple[np.ndarray, dict[int, int], np.ndarray, np.ndarray]:
    """Rates a day, planted actor -> its first hour, counts [hour, actor], true means [hour, actor]."""
    rng = np.random.default_rng(seed)
    per_day = bench.rates(rng)
    chosen = [int(i) for i in np.argsort(per_day)[np.linspace(0, bench.ACTORS - 1, bench.PLANTED).astype(int)]]
    planted = {a: bench.MONTH + timedelta(hours=int(rng.integers(24, bench.DAYS * 24 - 24))) for a in chosen}
    replay = np.random.default_rng()
    replay.bit_generator.state = rng.bit_generator.state  # stories() draws the news cycle first: draw it again
    history = bench.stories(rng, per_day, planted)
    hours = (bench.WEEKS_BEFORE * 7 + bench.DAYS) * 24
    cycle = replay.gamma(16.0, 1 / 16.0, (hours // 24 + 1, bench.ACTORS))
    counts = np.zeros((hours, bench.ACTORS), dtype=np.int64)
    for mentions, at in history:
        counts[int((hour_of(at) - bench.START) / bench.HOUR), int(mentions[0].name.split()[1])] += 1
    times = [bench.START + h * bench.HOUR for h in range(hours)]
    shape = np.array([(1.5 if 6 <= t.hour < 22 else 0.5) * (0.7 if t.weekday() >= 5 else 1.0) for t in times])
    means = per_day[None, :] / 24 * shape[:, None] * cycle[np.arange(hours) // 24]
    return per_day, {a: int((t - bench.START) / bench.HOUR) for a, t in planted.items()}, counts, means


def oracle(counts: np.ndarray, means: np.ndarray, first: int, min_count: int = 3) -> np.ndarray:
    """The smallest Poisson p of the stretches ending with each hour from `first` on: [check, actor]."""
    ends = np.arange(first, counts.shape[0]) + 1
    seen = np.vstack([np.zeros((1, counts.shape[1]), np.int64), np.cumsum(counts, axis=0)])
    expected = np.vstack([np.zeros((1, counts.shape[1])), np.cumsum(means, axis=0)])
    best = np.ones((len(ends), counts.shape[1]))
    for length in STRETCHES:
        observed = seen[ends] - seen[ends - length]
        p = np.where(observed >= min_count, stats.poisson.sf(observed - 1, expected[ends] - expected[ends - length]), 1.0)
        best = np.minimum(best, p)
    return best


def false_alerts(p: np.ndarray, planted: dict[int, int], first: int, threshold: float) -> int:
    """Alerts, one per rise, that are not a planted spike's first within 24 h of its start."""
    firing, found, false = np.zeros(p.shape[1], bool), set(), 0
    for t in range(p.shape[0]):
        for a in np.nonzero(~firing & (p[t] < threshold))[0]:
            begin = planted.get(int(a))
            if begin is not None and 0 <= t + first - begin <= 24 and a not in found:
                found.add(int(a))
            else:
                false += 1
        firing = np.where(firing, p[t] <= 0.1, p[t] < threshold)
    return false


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--thresholds", default="1e-4,3e-5,2e-5,1e-5,5e-6")
    args = parser.parse_args()
    per_day, planted, counts, means = month(args.seed)
    first = bench.WEEKS_BEFORE * 7 * 24
    p = oracle(counts, means, first)
    spikes: list[dict[str, Any]] = []
    for a, begin in sorted(planted.items(), key=lambda item: per_day[item[0]]):
        window = p[begin - first: begin - first + 25, a]
        spikes.append({"actor": a, "per_day": round(float(per_day[a]), 2), "best_p": float(f"{window.min():.3g}"), "hours_after_start": int(np.argmin(window))})
    weeks = bench.DAYS / 7
    rates = {t: round(false_alerts(p, planted, first, float(t)) / weeks, 2) for t in args.thresholds.split(",")}
    print(json.dumps({"seed": args.seed, "planted": spikes, "oracle_false_per_week": rates}, indent=1))


if __name__ == "__main__":
    main()
