"""Whether a matcher change keeps results byte-identical: the matches and rule hits of the default
watchlist, of bench/plain_watchlist.yaml and of the bench's 10,000-alias watchlist over every eval set
(tests/data/eval_*.jsonl: the texts only, to compare two codes; no label is looked at to change the code), the story corpus and the
shared-corpus feed texts that bench/matching.py reads, each text matched twice by one matcher (once
through, then again: the cached second pass must give the same results).

    .venv/bin/python bench/match_equal.py --write before.jsonl     # on the code before
    .venv/bin/python bench/match_equal.py --against before.jsonl   # on the code after: exit 1 on a difference

The code before may be a frozen copy of another revision, run by this script with MATCH_EQUAL_CODE
pointing at it (its `monitor` package is imported instead of this checkout's; the texts and the
10,000-alias watchlist are this checkout's, so both sides read the same):

    git archive <rev> | tar -x -C /tmp/base
    MATCH_EQUAL_CODE=/tmp/base .venv/bin/python bench/match_equal.py --write before.jsonl

One line per (watchlist, text): the repr of `match_text`'s result (every match's kind, name, alias,
found, span, score, form...; every hit); then per eval set and the default and plain watchlists,
`monitor eval --json`'s report (the figures and every error with its cause).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

if os.environ.get("MATCH_EQUAL_CODE"):  # the code to run: a frozen copy of another revision
    sys.path.insert(0, os.environ["MATCH_EQUAL_CODE"])
sys.path.insert(0, str(Path(__file__).resolve().parent))
from matching import REPO, build_watchlist, feed_texts, story_texts  # noqa: E402
from tests.conftest import CORPUS  # noqa: E402  (bench/matching.py put the repository on sys.path)

from monitor.matching.evaluation import evaluate, parse_cases, report_json  # noqa: E402
from monitor.matching.matcher import Matcher  # noqa: E402
from monitor.matching.rules import match_text  # noqa: E402
from monitor.watchlist import load_watchlist  # noqa: E402

import monitor  # noqa: E402

FROZEN_BLIND = {"eval_unseen28.jsonl"}  # the frozen blind evaluation set (24 to 27 were read once, at stops 46-48: in-sample now): never read, not even to compare two codes
EVAL_SETS = sorted(path for path in (REPO / "tests" / "data").glob("eval_*.jsonl") if path.name not in FROZEN_BLIND)
PLAIN = REPO / "bench" / "plain_watchlist.yaml"


def texts() -> list[str]:
    """The eval sets' texts, the stories, the shared corpus's feed entries (if there)."""
    cases = [json.loads(line)["text"] for path in EVAL_SETS for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return cases + story_texts() + (feed_texts(CORPUS) if CORPUS.is_dir() else [])


def results() -> list[str]:
    """Per watchlist and text, the result's repr; raises if a second pass differs from the first."""
    default = load_watchlist(REPO / "config" / "watchlist.yaml")
    out, all_texts = [], texts()
    for label, watchlist in (("default", default), ("plain", load_watchlist(PLAIN)), ("10000", build_watchlist(default, 10_000))):
        matcher = Matcher(watchlist)
        first = [repr(match_text(matcher, t)) for t in all_texts]
        second = [repr(match_text(matcher, t)) for t in all_texts]
        if first != second:
            bad = next(i for i, (a, b) in enumerate(zip(first, second)) if a != b)
            raise SystemExit(f"{label}: text {bad}: the second pass differs from the first")
        out += [json.dumps([label, i, r]) for i, r in enumerate(first)]
    for label, path in (("default", REPO / "config" / "watchlist.yaml"), ("plain", PLAIN)):
        matcher = Matcher(load_watchlist(path))
        for cases in EVAL_SETS:
            report = report_json(evaluate(matcher, parse_cases(cases.read_text(encoding="utf-8").splitlines(), str(cases))))
            out.append(json.dumps(["eval", label, cases.name, report], ensure_ascii=False))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the results here")
    group.add_argument("--against", type=Path, help="compare with results written before")
    args = parser.parse_args()
    print(f"code: {Path(monitor.__file__).parent}", file=sys.stderr)
    lines = results()
    if args.write:
        args.write.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} results written to {args.write}")
        return
    before = args.against.read_text(encoding="utf-8").splitlines()
    differ = [(a, b) for a, b in zip(before, lines) if a != b]
    print(f"{len(lines)} results, {len(before)} before; {len(differ)} differ")
    for a, b in differ[:5]:
        print(f"before: {a[:400]}\nafter:  {b[:400]}")
    sys.exit(1 if differ or len(before) != len(lines) else 0)


if __name__ == "__main__":
    main()
