"""Does a learned component on top of the rule matcher generalise where rule passes no longer do? (issue 15)

    .venv/bin/python bench/learned_events.py [--design gate|propose|veto]          # leave one in-sample set out
    .venv/bin/python bench/learned_events.py --code DIR --hold eval_unseen14       # prospective (below)
    .venv/bin/python bench/learned_events.py --curve                                # learning curve (below)

Needs scikit-learn, which monitor does not depend on (`.venv/bin/pip install scikit-learn==1.9.1`, the version
these figures were made with). Each design is a logistic regression over general features: Snowball stems
(PyStemmer, as matching/stems.py) of the words near a phrase or in a sentence, the phrase listed and how it
was found, whether a watched actor stands in the sentence, the events the rules found there; each feature
also keyed by the event it weighs (`strike|near=troop`). The designs, by the decision they take:
- gate: an event phrase the matcher found but set aside for lack of a context word (found again with the
  events' `context` lists emptied, where no event was found, and kept by the senses): add its event or not;
- propose: each event the rules did not find, in each sentence with a watched actor: add it or not;
- veto: each event the rules found: keep it or not.
Leave one set out: trained on the other in-sample sets, scored on the held-out one, against the rule
matcher alone on it (events tp/fp/fn; the alert decided by the watchlist's rules over the changed events).
The threshold reported per set is the grid's best on the pooled held-out figures.

Prospective (`--code DIR --hold SET`): DIR holds an older commit (`git archive COMMIT | tar -x -C DIR`) whose
code and watchlist were frozen before SET was written: trained on the sets before SET with that matcher,
scored on SET, where that matcher's misses were still out-of-sample ones. Sets 15-18 were read out of sample
(on the rules, then on the layer trained without them) before they joined SETS.

Learning curve (`--curve`): does more labelled data help? The three designs at CHOSEN, trained on a random share
(CURVE; three seeds below the whole) of the cases of SETS, scored on LATER pooled: the sets read after the shipped
layer was trained (never trained on; read once each, out of sample, before this was run).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SETS = ("eval_cases", "eval_unseen", *(f"eval_unseen{i}" for i in range(2, 24)))  # in-sample only, oldest first (never set 24: frozen blind)
TRAINED_ON = SETS[: SETS.index("eval_unseen18") + 1]  # the shipped layer's: sets 19-23 left out one at a time taught it nothing (docs/benchmarks.md, ev15)
GRID = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
WINDOW = 3  # words either side of a phrase whose stems are features
C = 1.0  # inverse L2 strength
CHOSEN = {"gate": 0.4, "propose": 0.2, "veto": 0.3}  # each design's pooled best threshold, leave one set out on HEAD's matcher
LATER = tuple(f"eval_unseen{i}" for i in range(19, 24))  # read after the shipped layer was trained: the curve's held-out cases
CURVE = (0.1, 0.25, 0.5, 0.75, 1.0)  # shares of SETS' cases the curve trains on


@dataclass
class Item:
    """One case as the rules left it: what they kept, the text's words, and the candidates of the design."""

    case: Any
    kept: list[Any]
    words: Any
    candidates: list[tuple[str, str, list[str], Any]]  # design, event, features, the Match it would add (veto: the one found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--design", choices=("gate", "propose", "veto", "all"), default="gate", help="all: the three, each at its CHOSEN threshold")
    parser.add_argument("--code", type=Path, help="a tree of an older commit to take the matcher and watchlist from")
    parser.add_argument("--watchlist", type=Path, help="default: config/watchlist.yaml of the code")
    parser.add_argument("--hold", choices=SETS, help="score only this set, trained on the sets before it")
    parser.add_argument("--curve", action="store_true", help="the learning curve: shares of SETS' cases, scored on LATER")
    parser.add_argument("--out-of", nargs="+", choices=SETS, metavar="SET", help="leave only these sets out, one at a time (each trained on every other set)")
    args = parser.parse_args()
    code = args.code.resolve() if args.code else REPO
    sys.path.insert(0, str(code))
    designs = ("gate", "propose", "veto") if args.design == "all" else (args.design,)
    watchlist = args.watchlist or code / "config" / "watchlist.yaml"
    if args.curve:
        return learning_curve(load(watchlist, ("gate", "propose", "veto"), tuple(dict.fromkeys(SETS + LATER))))
    items = load(watchlist, designs)
    held_out = [args.hold] if args.hold else list(args.out_of or SETS)
    probabilities = {held: cross_fit(items, held, SETS[: SETS.index(held)] if args.hold else [s for s in SETS if s != held]) for held in held_out}
    rules = {held: figures(items[held], {}, {}) for held in held_out}
    print(f"design {args.design}, code {code.name if args.code else 'HEAD'}, watchlist {watchlist}")
    print("\n| threshold | events F1 (pooled) | events fp | events fn | sets better | sets worse | alert accuracy | alerts missed | alerts not expected |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(pooled_row("rules alone", rules, rules))
    grid = {t: dict.fromkeys(designs, t) for t in GRID} if args.design != "all" else {"chosen": CHOSEN}
    by_threshold = {}
    for label, thresholds in grid.items():
        by_threshold[label] = {held: figures(items[held], probabilities[held], thresholds) for held in held_out}
        print(pooled_row(str(label) if args.design != "all" else ", ".join(f"{d} {t}" for d, t in CHOSEN.items()), rules, by_threshold[label]))
    pooled_best = max(by_threshold, key=lambda t: (round(f1(*total(by_threshold[t])[:3]), 4), -total(by_threshold[t])[1]))
    best = CHOSEN.get(args.design, "chosen") if args.code else pooled_best  # prospective: never chosen on the set read
    why = "the threshold chosen by leave-one-set-out on HEAD (CHOSEN)" if args.code else "the pooled best threshold"
    print(f"\nAt {why}, {best}, per held-out set (rules alone -> rules + model trained without it):\n")
    print("| held out | cases | events F1 | events fp | events fn | alert accuracy | alerts missed | alerts not expected |\n|---|---|---|---|---|---|---|---|")
    for held in held_out:
        print(row(held, rules[held], by_threshold[best][held]))
    print(row("all (pooled)", total(rules), total(by_threshold[best])))
    deltas = np.array([f1(*by_threshold[best][s][:3]) - f1(*rules[s][:3]) for s in held_out])
    spread = np.array([f1(*rules[s][:3]) for s in held_out])
    if len(held_out) > 1:
        print(f"\nPer-set change of events F1: mean {deltas.mean():+.4f}, sd {deltas.std(ddof=1):.4f}, paired t {deltas.mean() / deltas.std(ddof=1) * len(deltas) ** 0.5:.2f}"
              f" ({len(deltas)} sets); the rules' events F1 across the held-out sets: {spread.min():.3f}-{spread.max():.3f}, sd {spread.std(ddof=1):.4f}")


def learning_curve(items: dict[str, list[Item]]) -> None:
    """Print LATER's pooled figures, the rules alone and the layer trained on each share of SETS' cases."""
    import random

    later = {"later": [item for s in LATER for item in items[s]]}
    pool = [item for s in TRAINED_ON for item in items[s]]
    rules = figures(later["later"], {}, {})
    print(f"trained on shares of {len(pool)} cases ({SETS[0]} ... eval_unseen18), scored on {len(later['later'])} ({LATER[0]} ... {LATER[-1]}) at {CHOSEN}")
    print("\n| trained on | seed | cases | events F1 | events fp | events fn | alert accuracy | alerts missed |\n|---|---|---|---|---|---|---|---|")
    print(f"| rules alone | - | 0 | {f1(*rules[:3]):.4f} | {rules[1]} | {rules[2]} | {rules[3] / rules[6]:.4f} | {rules[4]} |")
    for share in CURVE:
        for seed in (0, 1, 2) if share < 1 else (0,):
            train = random.Random(seed).sample(pool, round(len(pool) * share))
            got = figures(later["later"], cross_fit({"train": train, **later}, "later", ["train"]), CHOSEN)
            print(f"| {share:.0%} | {seed} | {len(train)} | {f1(*got[:3]):.4f} | {got[1]} | {got[2]} | {got[3] / got[6]:.4f} | {got[4]} |", flush=True)


def load(path: Path, designs: tuple[str, ...], names: tuple[str, ...] = SETS) -> dict[str, list[Item]]:
    """Every case of the sets `names` matched by the rules of the watchlist at `path`, with its candidates for the designs."""
    from monitor.matching.evaluation import parse_cases
    from monitor.matching.matcher import Matcher
    from monitor.matching.rules import set_aside
    from monitor.matching.senses import settle
    from monitor.watchlist import load_watchlist

    watchlist = replace(load_watchlist(path), learned=True)
    matcher = Matcher(watchlist)  # with the layer on, its scan keeps the phrases set aside (the layer itself is not applied here)
    _MATCHER[:] = [matcher]
    events = {e.name: e for e in watchlist.events}
    items: dict[str, list[Item]] = {}
    for name in names:
        cases = REPO / "tests" / "data" / f"{name}.jsonl"
        items[name] = []
        for case in parse_cases(cases.read_text(encoding="utf-8").splitlines(), str(cases)):
            scan = matcher.scan(case.text)
            kept = settle(watchlist, scan.matches, case.text)
            candidates: list[tuple[str, str, list[str], Any]] = []
            if "gate" in designs:
                have = {m.name for m in kept if m.kind == "event"}
                candidates += [("gate", m.name, gate_features(m, kept, case.text), m) for m in set_aside(matcher, scan.matches, scan.set_aside, case.text) if m.name not in have]
            if "propose" in designs:
                candidates += [("propose", *c) for c in propose_candidates(kept, case.text, events)]
            if "veto" in designs:  # only the events found beside a watched actor
                vetoed = [(m, gate_features(m, kept, case.text)) for m in kept if m.kind == "event"]
                candidates += [("veto", m.name, feats, m) for m, feats in vetoed if "actor=True" in feats]
            items[name].append(Item(case, kept, scan.words, candidates))
    return items


def stems_of(text: str) -> list[tuple[int, str]]:
    """(start, stem) of the content words of a text (no function word, no number): the layer's own."""
    from monitor.matching.learned import stems_of as layer_stems

    return layer_stems(text)


def gate_features(m: Any, kept: list[Any], text: str) -> list[str]:
    """A phrase's features: the phrase, its form, a watched actor in its sentence, the stems near it, the
    events the rules found in its sentence; each also keyed by its event (the layer's own, at WINDOW)."""
    from monitor.matching.learned import phrase_features

    return phrase_features(m, kept, text, WINDOW)


def propose_candidates(kept: list[Any], text: str, events: dict[str, Any]) -> list[tuple[str, list[str], Any]]:
    """Per sentence with a watched actor, each event the rules did not find in the text: the sentence's stems
    and events, keyed by the event; the Match it would add stands on the sentence's first actor."""
    from monitor.matching.normalise import sentence_bounds
    from monitor.model import Match

    have = {m.name for m in kept if m.kind == "event"}
    out = []
    for lo, hi in sentence_bounds(text) or [(0, len(text))]:
        inside = [k for k in kept if lo <= k.start < hi]
        actors = [k for k in inside if k.kind == "actor"]
        if not actors:
            continue
        own = ["bias", *sorted({f"word={s}" for _, s in stems_of(text[lo:hi])}), *(sorted({f"event={k.name}" for k in inside if k.kind == "event"}) or ["event=none"])]
        for name, event in sorted(events.items()):
            if name not in have:
                at = actors[0]
                added = Match("event", name, "(learned)", at.found, at.start, at.end, 0.0, severity=event.severity, cameo=event.cameo)
                out.append((name, [f"{name}|{f}" for f in own], added))
    return out


def cross_fit(items: dict[str, list[Item]], held: str, train: list[str] | tuple[str, ...]) -> dict[tuple[int, int], float]:
    """The held-out set's candidates' probabilities, by (case, candidate), from a model per design fitted on `train`."""
    from sklearn.linear_model import LogisticRegression

    out: dict[tuple[int, int], float] = {}
    for design in sorted({c[0] for s in items for item in items[s] for c in item.candidates}):
        rows = [(feats, name in item.case.events) for s in train for item in items[s] for d, name, feats, _ in item.candidates if d == design]
        model = LogisticRegression(C=C, solver="liblinear", random_state=0, max_iter=1000).fit(hashed([f for f, _ in rows]), [label for _, label in rows])
        keys = [(i, j) for i, item in enumerate(items[held]) for j, c in enumerate(item.candidates) if c[0] == design]
        if keys:
            held_x = hashed([items[held][i].candidates[j][2] for i, j in keys])
            out.update(zip(keys, model.predict_proba(held_x)[:, 1].tolist()))
    return out


def hashed(rows: list[list[str]]) -> Any:
    """The candidates' features as a sparse 0/1 matrix of 2**HASH_BITS columns, each feature in its hashed
    bucket (monitor/matching/learned.py's `bucket`, as at runtime; features that collide add up), 32-bit indices (liblinear's)."""
    from scipy.sparse import csr_matrix

    from monitor.matching.learned import HASH_BITS, bucket

    indptr, indices = [0], []
    for feats in rows:
        indices += [bucket(f) for f in dict.fromkeys(feats)]
        indptr.append(len(indices))
    x = csr_matrix((np.ones(len(indices)), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int32)), shape=(len(rows), 1 << HASH_BITS))
    x.sum_duplicates()
    x.indices, x.indptr = x.indices.astype(np.int32), x.indptr.astype(np.int32)
    return x


def figures(items: list[Item], probabilities: dict[tuple[int, int], float], thresholds: dict[str, float]) -> tuple[int, ...]:
    """Events tp, fp, fn, alerts right, alert-worthy missed, alerts not expected, cases, once the models'
    changes are made (veto: an event found drops below 1 - its threshold; the others: an event added at or
    above it) and the watchlist's rules applied to what is left."""
    from monitor.matching.rules import apply_rules
    from monitor.model import MatchResult

    tp = fp = fn = right = missed = wrong = 0
    for i, item in enumerate(items):
        matches = list(item.kept)
        best: dict[str, tuple[float, Any]] = {}
        for j, (design, name, _, m) in enumerate(item.candidates):
            p = probabilities.get((i, j))
            if p is None or design not in thresholds:
                continue
            if design == "veto":
                if p < 1 - thresholds[design]:
                    matches = [k for k in matches if k is not m]
            elif p >= thresholds[design] and (name not in best or p > best[name][0]):
                best[name] = (p, m)
        matches = sorted(matches + [m for _, m in best.values()], key=lambda m: (m.start, m.kind))
        events = {m.name for m in matches if m.kind == "event"}
        alert = MatchResult(tuple(matches), tuple(apply_rules(_MATCHER[0], matches, item.case.text, item.words))).alert
        tp, fp, fn = tp + len(events & item.case.events), fp + len(events - item.case.events), fn + len(item.case.events - events)
        right, missed, wrong = right + (alert == item.case.alert), missed + (item.case.alert and not alert), wrong + (alert and not item.case.alert)
    return tp, fp, fn, right, missed, wrong, len(items)


_MATCHER: list[Any] = []  # the rules' matcher, for apply_rules (set by load)


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def total(by_set: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
    return tuple(int(sum(v)) for v in zip(*by_set.values()))


def pooled_row(label: str, rules: dict[str, tuple[int, ...]], model: dict[str, tuple[int, ...]]) -> str:
    tp, fp, fn, right, missed, wrong, cases = total(model)
    deltas = Counter((f1(*model[s][:3]) > f1(*rules[s][:3])) - (f1(*model[s][:3]) < f1(*rules[s][:3])) for s in model)
    return f"| {label} | {f1(tp, fp, fn):.4f} | {fp} | {fn} | {deltas[1]} | {deltas[-1]} | {right / cases:.4f} | {missed} | {wrong} |"


def row(label: str, before: tuple[int, ...], after: tuple[int, ...]) -> str:
    return (f"| {label} | {before[6]} | {f1(*before[:3]):.4f} -> {f1(*after[:3]):.4f} | {before[1]} -> {after[1]} | {before[2]} -> {after[2]}"
            f" | {before[3] / before[6]:.4f} -> {after[3] / after[6]:.4f} | {before[4]} -> {after[4]} | {before[5]} -> {after[5]} |")


if __name__ == "__main__":
    main()
