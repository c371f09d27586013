"""In-sample and out-of-sample figures side by side, as the table of issue 15 has them.

    .venv/bin/python bench/eval_report.py IN_SAMPLE.jsonl OUT_OF_SAMPLE.jsonl [--watchlist W.yaml ...] [--json]

Each case file is evaluated like `monitor eval` (monitor.matching.evaluation) with each watchlist
(default: config/watchlist.yaml), the first file labelled "in-sample", the second "out-of-sample".
Prints a Markdown table: cases, actors F1, events F1, alert accuracy, alert-worthy texts missed,
labels that must not be reported, reported (a case's `not` list); with --json, one JSON object per
row instead. Quality figures from it are in-sample or out-of-sample as labelled: never tune on the second.

With --ci N, each F1 and the alert accuracy also get a 95 % interval from N bootstrap resamples of the
cases (percentiles; seed fixed): how much the figure would move on another set of as many cases like these.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.matching.evaluation import Case, Report, evaluate, parse_cases, report_json  # noqa: E402
from monitor.matching.matcher import Matcher  # noqa: E402
from monitor.watchlist import load_watchlist  # noqa: E402

COLUMNS = ("", "cases", "actors F1", "events F1", "alert accuracy", "alert-worthy texts missed", "labels that must not be reported, reported")


def row(label: str, cases: Path, watchlist: Path, resamples: int = 0) -> dict[str, Any]:
    """One labelled row: the figures of `monitor eval --json` for a case file and a watchlist (and their
    bootstrap intervals when `resamples`)."""
    matcher = Matcher(load_watchlist(watchlist))
    parsed = parse_cases(cases.read_text(encoding="utf-8").splitlines(), str(cases))
    figures = report_json(evaluate(matcher, parsed))
    del figures["errors"]
    if resamples:
        figures["ci95"] = intervals(matcher, parsed, resamples)
    return {"label": label, "cases_file": _shown(cases), "watchlist": _shown(watchlist)} | figures


def intervals(matcher: Matcher, cases: list[Case], resamples: int) -> dict[str, list[float]]:
    """95 % percentile intervals of actors F1, events F1 and alert accuracy over `resamples` bootstrap
    resamples of the cases (each case's counts from `evaluate` on it alone)."""
    counts = np.array([_counts(evaluate(matcher, [case])) for case in cases], dtype=np.int64)
    drawn = counts[np.random.default_rng(15).integers(0, len(cases), (resamples, len(cases)))].sum(axis=1)
    figures = {"actors_f1": _f1(*drawn[:, 0:3].T), "events_f1": _f1(*drawn[:, 3:6].T), "alert_accuracy": drawn[:, 6] / len(cases)}
    return {name: [round(float(v), 3) for v in np.percentile(values, [2.5, 97.5])] for name, values in figures.items()}


def _f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """F1 of each resample's summed counts (2 tp / (2 tp + fp + fn); 0 where it has no label)."""
    out: np.ndarray = np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros(len(tp)), where=2 * tp + fp + fn > 0)
    return out


def _counts(report: Report) -> tuple[int, ...]:
    """A one-case report's counts: actors' and events' tp, fp, fn, and 1 if its alert was right."""
    return (report.actors.tp, report.actors.fp, report.actors.fn, report.events.tp, report.events.fp, report.events.fn, report.alerts_right)


def _shown(path: Path) -> str:
    """A path relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        missed = f"{r['alert_worthy_missed']} of {r['alert_worthy']}"
        ci = r.get("ci95", {})
        actors, events, accuracy = (f"{value:.3f}" + (" ({:.3f}-{:.3f})".format(*ci[name]) if name in ci else "")
                                    for name, value in (("actors_f1", r["actors"]["f1"]), ("events_f1", r["events"]["f1"]), ("alert_accuracy", r["alert_accuracy"])))
        lines.append(
            f"| {r['label']} (`{r['cases_file']}`, watchlist `{r['watchlist']}`) | {r['cases']} | {actors} | {events}"
            f" | {accuracy} | {missed} | {r['forbidden_reported']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("in_sample", type=Path, help="the cases tuned on (tests/data/eval_cases.jsonl)")
    parser.add_argument("out_of_sample", type=Path, help="cases nobody tuned on")
    parser.add_argument("--watchlist", type=Path, action="append", help="a watchlist file or folder (repeatable; default config/watchlist.yaml)")
    parser.add_argument("--json", action="store_true", help="one JSON object per row")
    parser.add_argument("--ci", type=int, default=0, metavar="N", help="95 %% intervals from N bootstrap resamples of the cases (0: none)")
    args = parser.parse_args()
    rows = []
    for watchlist in args.watchlist or [REPO / "config" / "watchlist.yaml"]:
        for label, cases in (("in-sample", args.in_sample), ("out-of-sample", args.out_of_sample)):
            try:
                rows.append(row(label, cases, watchlist, args.ci))
            except (OSError, ValueError) as exc:
                sys.exit(f"eval_report: {cases}: {exc}")
    print("\n".join(json.dumps(r) for r in rows) if args.json else markdown(rows))


if __name__ == "__main__":
    main()
