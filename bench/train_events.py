"""Train the learned layer's three models and write the weights monitor ships (issue 15).

    .venv/bin/python bench/train_events.py            # writes monitor/matching/learned_events.json
    .venv/bin/python bench/train_events.py --out F    # elsewhere (tests/test_learned.py compares)

The designs, features and thresholds are bench/learned_events.py's (gate, propose, veto; thresholds its
leave-one-set-out chose, CHOSEN), fitted once on every in-sample set (eval_cases, eval_unseen,
eval_unseen2 ... eval_unseen14) as the default watchlist's rule matcher leaves them, with the layer off.
Needs scikit-learn (the `test` extra); monitor/matching/learned.py applies the weights in plain Python.
Weights are rounded to 4 decimals (those that round to 0 are left out) and the keys sorted, so a retrain
writes the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

import learned_events as le  # noqa: E402

OUT = REPO / "monitor" / "matching" / "learned_events.json"
DIGITS = 4


def train(watchlist: Path = REPO / "config" / "watchlist.yaml") -> dict[str, Any]:
    """The weights file's content: per design its weights, intercept and threshold."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from monitor.watchlist import load_watchlist

    items = le.load(watchlist, ("gate", "propose", "veto"))
    models: dict[str, Any] = {}
    for design in ("gate", "propose", "veto"):
        rows = [(feats, name in item.case.events) for s in le.SETS for item in items[s] for d, name, feats, _ in item.candidates if d == design]
        vectoriser = DictVectorizer()
        x = le.int32(vectoriser.fit_transform([dict.fromkeys(f, 1) for f, _ in rows]))
        model = LogisticRegression(C=le.C, solver="liblinear", random_state=0, max_iter=1000).fit(x, [label for _, label in rows])
        weights = {f: round(float(w), DIGITS) for f, w in zip(vectoriser.get_feature_names_out(), model.coef_[0])}
        models[design] = {
            "weights": {f: w for f, w in sorted(weights.items()) if w != 0.0},
            "intercept": round(float(model.intercept_[0]), DIGITS),
            # gate, propose: add an event at or above; veto: drop a found event below
            "threshold": round(1 - le.CHOSEN[design], DIGITS) if design == "veto" else le.CHOSEN[design],
            "candidates": len(rows),
            "positives": sum(label for _, label in rows),
        }
    events = sorted({e.name for e in load_watchlist(watchlist).events})
    return {"about": "monitor/matching/learned.py; written by bench/train_events.py", "window": le.WINDOW, "events": events, "models": models}


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    text = dumps(train())
    args.out.write_text(text, encoding="utf-8")
    data = json.loads(text)
    sizes = ", ".join(f"{d} {len(m['weights'])} weights ({m['candidates']} candidates, {m['positives']} right)" for d, m in data["models"].items())
    print(f"{args.out}: {len(text.encode()):,} bytes; {sizes}")


if __name__ == "__main__":
    main()
