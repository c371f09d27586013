"""Whether the rules alone read every in-sample text as another commit's code does (issue 15): a digest per source.

    PYTHONPATH=COPY python bench/rules_equal.py > digests.txt    # once per frozen copy (git archive), then diff

Reads only the in-sample labelled sets (eval_cases, eval_unseen, eval_unseen2 ... eval_unseen14), the shared
feed corpus and tests/data/stories/corpus.jsonl (the texts bench/matching.py reads), with the default and the
plain watchlists. Where `match_text` takes `learned`, the matcher is compiled with the layer ON and the rules
read with `learned=False`: the scan that keeps the phrases set aside must find the same matches as the rules
alone. Per match its kind, name, alias, text, span, score, severity and form; per hit its rule, severity,
actor and event spans, tags, snippet, distance; the alert; the regexes timed out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import sys
from pathlib import Path

from monitor.matching.evaluation import parse_cases
from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.model import MatchResult
from monitor.watchlist import load_watchlist

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from matching import CORPUS, feed_texts, story_texts  # noqa: E402

SETS = ("eval_cases", "eval_unseen", *(f"eval_unseen{i}" for i in range(2, 15)))  # in-sample only: never 15 or later


def reading(result: MatchResult) -> list[object]:
    matches = [(m.kind, m.name, m.alias, m.found, m.start, m.end, m.score, m.severity, m.form) for m in result.matches]
    hits = [(h.rule, h.severity, h.actor.start, h.event.start, h.event.name, h.tags, h.snippet, h.distance) for h in result.hits]
    return [matches, hits, result.alert, list(result.regex_timeouts)]


def main() -> None:
    import monitor

    print(f"# monitor from {monitor.__file__}", file=sys.stderr)
    sources = {name: [c.text for c in parse_cases((REPO / "tests" / "data" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines(), name)] for name in SETS}
    sources["feeds"] = feed_texts(CORPUS)
    sources["stories"] = story_texts()
    takes_learned = "learned" in inspect.signature(match_text).parameters
    for list_path in (REPO / "config" / "watchlist.yaml", REPO / "bench" / "plain_watchlist.yaml"):
        watchlist = load_watchlist(list_path)
        if takes_learned:
            watchlist = dataclasses.replace(watchlist, learned=True)
        matcher = Matcher(watchlist)
        for name, texts in sources.items():
            digest = hashlib.sha256()
            for text in texts:
                result = match_text(matcher, text, learned=False) if takes_learned else match_text(matcher, text)
                digest.update(json.dumps(reading(result), ensure_ascii=False).encode() + b"\n")
            print(f"{list_path.name} {name} {len(texts)} {digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
