"""Print what each `not_when` phrase of a watchlist costs in true hits and buys in false hits prevented,
over labelled cases (in-sample: the cases the watchlist was tuned on).

    .venv/bin/python bench/not_when_cost.py [config/watchlist.yaml] [tests/data/eval_cases.jsonl]
"""

from __future__ import annotations

import sys
from pathlib import Path

from monitor.matching.costs import cost_table, not_when_costs
from monitor.matching.evaluation import parse_cases
from monitor.watchlist import load_watchlist


def main(argv: list[str]) -> None:
    watchlist_path = Path(argv[0]) if argv else Path("config/watchlist.yaml")
    cases_path = Path(argv[1]) if len(argv) > 1 else Path("tests/data/eval_cases.jsonl")
    cases = parse_cases(cases_path.read_text(encoding="utf-8").splitlines(), str(cases_path))
    costs = not_when_costs(load_watchlist(watchlist_path), ((c.id, c.text, c.actors | c.events) for c in cases))
    print(f"not_when phrases of {watchlist_path} over {len(cases)} cases of {cases_path}\n")
    print(cost_table(costs))


if __name__ == "__main__":
    main(sys.argv[1:])
