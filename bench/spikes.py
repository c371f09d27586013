"""Spike alerts on a month of synthetic stories: 500 actors, 10 planted spikes; and what counting costs at ingest.

History: 8 weeks (4 of baseline, then the month replayed). Each actor has a rate drawn log-uniformly
from 0.1 to 30 stories a day; every hour's stories are Poisson around rate x a day/night profile (x1.5
from 06 to 22 UTC, x0.5 at night) x weekends (x0.7) x a day's news cycle (gamma, coefficient of
variation 0.25: more variation than Poisson, as news has). Ten actors, spread over the rates, get a
planted spike in the month: max(6, 2 x their daily rate) extra stories over 6 hours.
Stories are counted in a real SQLite store through store/counts.py (the upsert ingest runs); the daemon's
check (escalation.check_spikes, the watchlist's `spikes: [{actor: watched}]`, window 24 h, min_count 3,
significance 0.001 and 0.0001, or --levels, and an entry calibrated to 1 chance alert a week, or --per-week) runs every hour of the month. Found: an alert for the actor within 24 h of the
spike's start. False: any other alert.

Counting cost: the same run ingests N articles through Pipeline.ingest (matching, story index, storing)
with counting on and off, alternating, on a fresh SQLite store each, and reports the time per article.

    .venv/bin/python bench/spikes.py [--articles N (0: no counting cost)] [--seed 19] [--levels 0.001,0.0001] [--per-week 1] [--factor 2 --least 6]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import Connection

from monitor import escalation
from monitor.model import Actor, Document, Spike, Watchlist
from monitor.settings import Settings
from monitor.store import counts
from monitor.store.db import Database
from monitor.trends import HOUR, Mention

ACTORS, PLANTED, WEEKS_BEFORE, DAYS = 500, 10, 4, 30
LEVELS = (0.001, 0.0001)  # significance of the two spike entries replayed together
PER_WEEK = (1.0,)  # and an entry calibrated to this many chance alerts a week (the default)
DISTINCT_STORIES = [  # matching sentences (tests/conftest.py's): each article names actors and events, so counting has work
    "Kataeb Hezbollah fired rockets at a remote outpost near the Syrian border on Sunday.",
    "A drone strike hit a convoy of the Popular Mobilization Forces outside Baghdad overnight.",
    "Tehran launched ballistic missiles at a base in western Iraq before dawn, officials said.",
    "Qassem Suleimani was killed in a US strike near the airport, the ministry confirmed.",
    "Abu Mahdi al-Muhandis was among those killed in the attack on the two-car convoy.",
]
START = datetime(2026, 9, 7, tzinfo=UTC)  # a Monday: baseline weeks, then the month replayed
MONTH = START + timedelta(weeks=WEEKS_BEFORE)


def rates(rng: np.random.Generator) -> np.ndarray:
    return np.exp(rng.uniform(np.log(0.1), np.log(30), ACTORS))


def stories(rng: np.random.Generator, per_day: np.ndarray, planted: dict[int, datetime], factor: float = 2, least: int = 6) -> list[tuple[list[Mention], datetime]]:
    out: list[tuple[list[Mention], datetime]] = []
    hours = (WEEKS_BEFORE * 7 + DAYS) * 24
    cycle = rng.gamma(16.0, 1 / 16.0, (hours // 24 + 1, ACTORS))  # CV 0.25
    for h in range(hours):
        at = START + h * HOUR
        shape = (1.5 if 6 <= at.hour < 22 else 0.5) * (0.7 if at.weekday() >= 5 else 1.0)
        n = rng.poisson(per_day / 24 * shape * cycle[h // 24])
        for busy in np.nonzero(n)[0]:
            out += [([Mention("actor", f"actor {busy}")], at + timedelta(minutes=int(rng.integers(60))))] * int(n[busy])
    for actor, begin in planted.items():
        extra = max(least, round(factor * per_day[actor]))
        out += [([Mention("actor", f"actor {actor}")], begin + timedelta(minutes=int(m))) for m in rng.integers(0, 360, extra)]
    return out


def replay(db: Database, planted: dict[int, datetime], levels: tuple[float, ...] = LEVELS, per_week: tuple[float, ...] = PER_WEEK) -> dict[str, Any]:
    watched = tuple(f"actor {i}" for i in range(ACTORS))
    entries = [Spike(f"p < {level:g}", watched, window=24, min_count=3, significance=level) for level in levels]
    entries += [Spike(f"{budget:g} a week", watched, window=24, min_count=3, per_week=budget) for budget in per_week]
    watchlist = Watchlist(actors=tuple(Actor(f"actor {i}", "group", (f"actor {i}",), ("watched",)) for i in range(ACTORS)), spikes=tuple(entries))
    settings = Settings.model_validate({})
    started, checks = time.perf_counter(), 0
    for h in range(DAYS * 24):
        escalation.check_spikes(db, settings, watchlist, MONTH + h * HOUR + timedelta(minutes=59))
        checks += 1
    per_check = (time.perf_counter() - started) / checks
    with db.session() as s:
        alerts = [(json.loads(c), at) for c, at in s.execute(select_alerts())]
    out: dict[str, Any] = {"checks": checks, "seconds_per_check": round(per_check, 3)}
    for entry in watchlist.spikes:
        found: dict[int, float] = {}
        false = []
        thresholds = sorted({c["threshold"] for c, _ in alerts if c["spike"] == entry.name and c.get("threshold")})
        for context, at in alerts:
            if context["spike"] != entry.name:
                continue
            actor = int(context["actor"].split()[1])
            begin = planted.get(actor)
            if begin is not None and begin <= at <= begin + timedelta(hours=24) and actor not in found:
                found[actor] = round((at - begin).total_seconds() / 3600, 1)
            else:
                false.append((context["actor"], f"{at:%m-%d %H:%M}", context["count"], context["usual"], context["p"]))
        label = f"significance {entry.significance:g}" if entry.significance is not None else f"per_week {entry.per_week:g}"
        out[label] = {
            "planted": PLANTED, "found": len(found), "hours_to_alert": {a: found.get(a) for a in planted},
            "false_alerts": len(false), "false_per_week": round(len(false) / (DAYS / 7), 2), "false": false[:20],
            **({"thresholds_of_the_alerts": [f"{t:.3g}" for t in thresholds]} if thresholds else {})}
    return out


def select_alerts() -> Any:
    from sqlalchemy import select

    from monitor.store.tables import AlertRow
    return select(AlertRow.context, AlertRow.created_at).order_by(AlertRow.id)


def counting_cost(articles: int, rounds: int = 5) -> dict[str, Any]:
    """Pipeline.ingest of `articles` new documents, with and without the counting hook, alternated."""
    from monitor.pipeline import build_pipeline
    from monitor.settings import load_settings
    from monitor.store import sources

    words = np.random.default_rng(5).integers(0, 50_000, (articles, 150))  # each text its own story

    def text(i: int, tag: str) -> str:
        return f"{DISTINCT_STORIES[i % len(DISTINCT_STORIES)]} " + " ".join(f"w{w}" for w in words[i]) + f" ({tag})"

    original: Callable[..., Any] = counts.count_many  # ingest counts a feed's new stories at once, in its transaction
    times: dict[str, list[float]] = {"with counting": [], "without counting": []}
    hook: list[float] = []  # seconds spent in the counting hook itself

    def timed(connection: Connection, stories: Any) -> None:
        started = time.perf_counter()
        original(connection, stories)
        hook.append(time.perf_counter() - started)

    for r in range(rounds):
        for mode in ("with counting", "without counting") if r % 2 == 0 else ("without counting", "with counting"):
            with tempfile.TemporaryDirectory() as tmp:
                config = Path(tmp) / "monitor.toml"
                config.write_text(f'watchlist = "{Path("config/watchlist.yaml").resolve()}"\n[store]\npath = "{tmp}/m.db"\n')
                pipeline = build_pipeline(load_settings(config))
                source_id = sources.ensure_source(pipeline.db, "bench", "folder", tmp)
                docs = [Document("bench", f"Report {r} {i}", text(i, f"{r} {mode}"), url=f"https://example.org/{r}/{i}/{mode.replace(' ', '-')}",
                                 guid=f"{r}-{i}-{mode}") for i in range(articles)]
                counts.count_many = (lambda connection, stories: None) if mode == "without counting" else timed
                try:
                    started = time.perf_counter()
                    new = pipeline.ingest(source_id, "bench", docs)
                    times[mode].append((time.perf_counter() - started) / max(1, new) * 1000)
                finally:
                    counts.count_many = original
                stories = len(counts.cells(pipeline.db, datetime(2000, 1, 1, tzinfo=UTC)))
                pipeline.db.close()
                assert new == articles, f"{new} of {articles} articles stored"
                assert (stories > 0) == (mode == "with counting"), f"{stories} count rows {mode}"
    best = {mode: min(values) for mode, values in times.items()}
    return {"articles": articles, "rounds": rounds, "ms_per_article": {m: round(v, 3) for m, v in best.items()},
            "hook_ms_per_article": round(sum(hook) / (articles * rounds) * 1000, 4),
            "hook_percent_of_ingest_without": round(sum(hook) / (articles * rounds) * 1000 / best["without counting"] * 100, 2),
            "all_ms": {m: [round(x, 3) for x in v] for m, v in times.items()},
            "added_percent": round((best["with counting"] / best["without counting"] - 1) * 100, 2)}


def month(seed: int, factor: float = 2, least: int = 6) -> tuple[np.ndarray, dict[int, datetime], list[tuple[list[Mention], datetime]]]:
    """The seed's month: rates a day, planted actor -> the spike's start (in rate order), the stories."""
    rng = np.random.default_rng(seed)
    per_day = rates(rng)
    chosen = [int(i) for i in np.argsort(per_day)[np.linspace(0, ACTORS - 1, PLANTED).astype(int)]]
    planted = {a: MONTH + timedelta(hours=int(rng.integers(24, DAYS * 24 - 24))) for a in chosen}
    return per_day, planted, stories(rng, per_day, planted, factor, least)


def run(seed: int, levels: tuple[float, ...] = LEVELS, per_week: tuple[float, ...] = PER_WEEK, factor: float = 2, least: int = 6) -> dict[str, Any]:
    """The seed's month counted into a fresh SQLite store, then the daemon's hourly check replayed over it."""
    per_day, planted, history = month(seed, factor, least)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        started = time.perf_counter()
        counts.count_stories(db, history)
        counted = time.perf_counter() - started
        result = replay(db, planted, levels, per_week)
        db.close()
    return {"seed": seed, "stories": len(history), "count_seconds": round(counted, 2),
            "planted_rates_per_day": [round(float(per_day[a]), 2) for a in planted], **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--factor", type=float, default=2, help="a planted spike adds max(LEAST, FACTOR x the daily rate) stories")
    parser.add_argument("--least", type=int, default=6)
    parser.add_argument("--levels", default=",".join(f"{x:g}" for x in LEVELS), help="significance of each spike entry replayed (comma-separated; '' for none)")
    parser.add_argument("--per-week", default=",".join(f"{x:g}" for x in PER_WEEK), help="chance alerts a week of each calibrated entry replayed (comma-separated; '' for none)")
    args = parser.parse_args()
    result = run(args.seed, tuple(float(x) for x in args.levels.split(",") if x), tuple(float(x) for x in args.per_week.split(",") if x),
                 args.factor, args.least)
    print(json.dumps({"spikes": result, "counting_cost": counting_cost(args.articles) if args.articles else None}, indent=1))


if __name__ == "__main__":
    main()
