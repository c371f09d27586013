"""Train the learned layer's three models and write the weights monitor ships (issue 15).

    .venv/bin/python bench/train_events.py            # writes monitor/matching/learned_events.json
    .venv/bin/python bench/train_events.py --out F    # elsewhere (tests/test_learned.py compares)

The designs, features and thresholds are bench/learned_events.py's (gate, propose, veto; thresholds its
leave-one-set-out chose, CHOSEN), fitted once on the sets TRAINED_ON (eval_cases, eval_unseen,
eval_unseen2 ... eval_unseen18: sets 19-23, left out one at a time, taught it nothing) as the default watchlist's
rule matcher leaves them, with the layer off.
Needs scikit-learn (the `test` extra); monitor/matching/learned.py applies the weights in plain Python.
The features are hashed (CRC-32 modulo 2**HASH_BITS, monitor/matching/learned.py's `bucket`) into one float32
array per model, shipped zlib-compressed as learned_events.bin; the .json keeps intercepts and thresholds.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

import learned_events as le  # noqa: E402

OUT = REPO / "monitor" / "matching" / "learned_events.json"
DIGITS = 4


def train(watchlist: Path = REPO / "config" / "watchlist.yaml") -> tuple[dict[str, Any], bytes]:
    """The weights file's content (per design its intercept and threshold) and the hashed weights
    (per design 2**HASH_BITS float32, little-endian, in DESIGNS order, zlib-compressed)."""
    from sklearn.linear_model import LogisticRegression

    from monitor.matching.learned import DESIGNS, HASH_BITS
    from monitor.watchlist import load_watchlist

    items = le.load(watchlist, DESIGNS, le.TRAINED_ON)
    models: dict[str, Any] = {}
    arrays = []
    for design in DESIGNS:
        rows = [(feats, name in item.case.events) for s in le.TRAINED_ON for item in items[s] for d, name, feats, _ in item.candidates if d == design]
        model = LogisticRegression(C=le.C, solver="liblinear", random_state=0, max_iter=1000).fit(le.hashed([f for f, _ in rows]), [label for _, label in rows])
        arrays.append(np.asarray(model.coef_[0], dtype="<f4").tobytes())
        models[design] = {
            "intercept": round(float(model.intercept_[0]), DIGITS),
            # gate, propose: add an event at or above; veto: drop a found event below
            "threshold": round(1 - le.CHOSEN[design], DIGITS) if design == "veto" else le.CHOSEN[design],
            "candidates": len(rows),
            "positives": sum(label for _, label in rows),
            "weights": int(np.count_nonzero(model.coef_[0])),
        }
    events = sorted({e.name for e in load_watchlist(watchlist).events})
    about = "monitor/matching/learned.py; written by bench/train_events.py; weights in learned_events.bin"
    return {"about": about, "window": le.WINDOW, "hash_bits": HASH_BITS, "events": events, "models": models}, zlib.compress(b"".join(arrays), 9)


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the .json; the weights go beside it, as .bin")
    args = parser.parse_args()
    data, weights = train()
    text = dumps(data)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".bin").write_bytes(weights)
    sizes = ", ".join(f"{d} {m['weights']} weights ({m['candidates']} candidates, {m['positives']} right)" for d, m in data["models"].items())
    print(f"{args.out}: {len(text.encode()):,} bytes, {args.out.with_suffix('.bin').name}: {len(weights):,} bytes; {sizes}")


if __name__ == "__main__":
    main()
