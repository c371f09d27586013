"""Whether a matcher change keeps results byte-identical: the matches and rule hits of the default
watchlist and of the bench's 10,000-alias watchlist over every eval set (tests/data/eval_*.jsonl), the story corpus and the
shared-corpus feed texts that bench/matching.py reads, each text matched twice by one matcher (once
through, then again: the cached second pass must give the same results).

    .venv/bin/python bench/match_equal.py --write before.jsonl     # on the code before
    .venv/bin/python bench/match_equal.py --against before.jsonl   # on the code after: exit 1 on a difference

One line per (watchlist, text): the repr of `match_text`'s result.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from matching import REPO, build_watchlist, feed_texts, story_texts  # noqa: E402
from tests.conftest import CORPUS  # noqa: E402  (bench/matching.py put the repository on sys.path)

from monitor.matching.matcher import Matcher  # noqa: E402
from monitor.matching.rules import match_text  # noqa: E402
from monitor.watchlist import load_watchlist  # noqa: E402

EVAL_SETS = sorted((REPO / "tests" / "data").glob("eval_*.jsonl"))


def texts() -> list[str]:
    """The eval sets' texts, the stories, the shared corpus's feed entries (if there)."""
    cases = [json.loads(line)["text"] for path in EVAL_SETS for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return cases + story_texts() + (feed_texts(CORPUS) if CORPUS.is_dir() else [])


def results() -> list[str]:
    """Per watchlist and text, the result's repr; raises if a second pass differs from the first."""
    default = load_watchlist(REPO / "config" / "watchlist.yaml")
    out, all_texts = [], texts()
    for label, watchlist in (("default", default), ("10000", build_watchlist(default, 10_000))):
        matcher = Matcher(watchlist)
        first = [repr(match_text(matcher, t)) for t in all_texts]
        second = [repr(match_text(matcher, t)) for t in all_texts]
        if first != second:
            bad = next(i for i, (a, b) in enumerate(zip(first, second)) if a != b)
            raise SystemExit(f"{label}: text {bad}: the second pass differs from the first")
        out += [json.dumps([label, i, r]) for i, r in enumerate(first)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write the results here")
    group.add_argument("--against", type=Path, help="compare with results written before")
    args = parser.parse_args()
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
