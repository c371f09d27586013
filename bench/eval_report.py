"""In-sample and out-of-sample figures side by side, as the table of issue 15 has them.

    .venv/bin/python bench/eval_report.py IN_SAMPLE.jsonl OUT_OF_SAMPLE.jsonl [--watchlist W.yaml ...] [--json]

Each case file is evaluated like `monitor eval` (monitor.matching.evaluation) with each watchlist
(default: config/watchlist.yaml), the first file labelled "in-sample", the second "out-of-sample".
Prints a Markdown table: cases, actors F1, events F1, alert accuracy, alert-worthy texts missed,
labels that must not be reported, reported (a case's `not` list); with --json, one JSON object per
row instead. Quality figures from it are in-sample or out-of-sample as labelled: never tune on the second.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.matching.evaluation import evaluate, parse_cases, report_json  # noqa: E402
from monitor.matching.matcher import Matcher  # noqa: E402
from monitor.watchlist import load_watchlist  # noqa: E402

COLUMNS = ("", "cases", "actors F1", "events F1", "alert accuracy", "alert-worthy texts missed", "labels that must not be reported, reported")


def row(label: str, cases: Path, watchlist: Path) -> dict[str, Any]:
    """One labelled row: the figures of `monitor eval --json` for a case file and a watchlist."""
    report = evaluate(Matcher(load_watchlist(watchlist)), parse_cases(cases.read_text(encoding="utf-8").splitlines(), str(cases)))
    figures = report_json(report)
    del figures["errors"]
    return {"label": label, "cases_file": _shown(cases), "watchlist": _shown(watchlist)} | figures


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
        lines.append(
            f"| {r['label']} (`{r['cases_file']}`, watchlist `{r['watchlist']}`) | {r['cases']} | {r['actors']['f1']:.3f} | {r['events']['f1']:.3f}"
            f" | {r['alert_accuracy']:.3f} | {missed} | {r['forbidden_reported']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("in_sample", type=Path, help="the cases tuned on (tests/data/eval_cases.jsonl)")
    parser.add_argument("out_of_sample", type=Path, help="cases nobody tuned on")
    parser.add_argument("--watchlist", type=Path, action="append", help="a watchlist file or folder (repeatable; default config/watchlist.yaml)")
    parser.add_argument("--json", action="store_true", help="one JSON object per row")
    args = parser.parse_args()
    rows = []
    for watchlist in args.watchlist or [REPO / "config" / "watchlist.yaml"]:
        for label, cases in (("in-sample", args.in_sample), ("out-of-sample", args.out_of_sample)):
            try:
                rows.append(row(label, cases, watchlist))
            except (OSError, ValueError) as exc:
                sys.exit(f"eval_report: {cases}: {exc}")
    print("\n".join(json.dumps(r) for r in rows) if args.json else markdown(rows))


if __name__ == "__main__":
    main()
