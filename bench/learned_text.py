"""Do text-level features help the learned layer? (issue 15) Leave one set out, against the layer as it is.

    .venv/bin/python bench/learned_text.py [VARIANT ...]     # default: every variant, one at a time

The designs, sets, thresholds (CHOSEN) and the fit are bench/learned_events.py's (`--design all`); a variant
adds features to every candidate of the three designs, each keyed by the candidate's event as the layer's
own (gate, veto: also unkeyed, as phrase_features; propose: keyed only, as its sentence features):
- events: the events the rules kept anywhere in the text (`text_event=`), not the candidate itself;
- order: the same, said before or after the candidate (`before=`, `after=`; propose: as events);
- bag: the stems of the whole text (`text=`; keyed only);
- bagK: only the K stems in most in-sample texts (`bag2000`);
- topic: a text-level logistic regression over the text's stems, fitted on the training sets to say
  whether a text has any event labelled (out of fold on them: leave one of them out), its probability
  in tenths (`topic=`);
- bagu: bag, each stem also unkeyed;
- shape: whether a watched actor stands anywhere in the text, how many sentences hold a kept event
  (`actor_text=`, `event_sentences=`);
- evtopic: as topic, per event: a text model per event says whether that event is labelled (`evtopic=`),
  out of fold on the training sets by thirds;
- vetoall: no feature; the veto judges every event the rules kept, not only those beside a watched actor;
a `+` joins variants (`events+topic`). Printed per variant: the pooled figures, and per held-out set the
paired change of events F1 against the layer as it is (mean, sd, t over the 21 sets).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

import learned_events as le  # noqa: E402

VARIANTS = ("events", "order", "bag", "bag2000", "bagu", "topic", "evtopic", "shape", "vetoall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", default=list(VARIANTS))
    args = parser.parse_args()
    items = le.load(REPO / "config" / "watchlist.yaml", ("gate", "propose", "veto"))
    original = {s: [list(item.candidates) for item in items[s]] for s in le.SETS}
    vetoed = {id(m) for s in le.SETS for item in items[s] for d, _, _, m in item.candidates if d == "veto"}
    widened = {s: [[*original[s][i], *(("veto", m.name, le.gate_features(m, item.kept, item.case.text), m) for m in item.kept if m.kind == "event" and id(m) not in vetoed)] for i, item in enumerate(items[s])] for s in le.SETS}
    stems = {s: [sorted({stem for _, stem in le.stems_of(item.case.text)}) for item in items[s]] for s in le.SETS}
    base = run(items, original, stems, "")
    print("| variant | events F1 | fp | fn | alert accuracy | alerts missed | not expected | per-set change vs layer: mean, sd, t |")
    print("|---|---|---|---|---|---|---|---|")
    print(line("rules alone", {s: le.figures(items[s], {}, {}) for s in le.SETS}, base))
    print(line("layer as it is", base, base), flush=True)
    for variant in args.variants:
        print(line(variant, run(items, widened if "vetoall" in variant.split("+") else original, stems, variant), base), flush=True)


def run(items: dict[str, list[Any]], original: dict[str, list[list[Any]]], stems: dict[str, list[list[str]]], variant: str) -> dict[str, tuple[int, ...]]:
    """Per held-out set its figures at CHOSEN, each candidate of `original` with the variant's features added."""
    parts = set(variant.split("+")) - {""}
    common = top_stems(stems, int(next(p[3:] for p in parts if p.startswith("bag") and p != "bag"))) if any(p.startswith("bag") and p[3:].isdigit() for p in parts) else None
    if "topic" in parts and not _TOPICS:
        _TOPICS.append(topic_probabilities(items, stems))
    topics = _TOPICS[0] if "topic" in parts else None
    by_event = event_topics(items, stems) if "evtopic" in parts else None
    out = {}
    fixed = {s: [[(d, name, feats + extra(parts, d, name, m, item, stems[s][i], common), m) for d, name, feats, m in original[s][i]] for i, item in enumerate(items[s])] for s in le.SETS}
    for held in le.SETS:
        for s in le.SETS:
            for i, item in enumerate(items[s]):
                item.candidates = fixed[s][i]
                if topics is not None:
                    item.candidates = [(d, name, feats + topic_features(d, name, topics[held][s][i]), m) for d, name, feats, m in item.candidates]
                if by_event is not None:
                    item.candidates = [(d, name, feats + topic_features(d, name, by_event[held][s][i].get(name, 0.0), "evtopic"), m) for d, name, feats, m in item.candidates]
        probabilities = le.cross_fit(items, held, [s for s in le.SETS if s != held])
        out[held] = le.figures(items[held], probabilities, le.CHOSEN)
    return out


def extra(parts: set[str], design: str, name: str, m: Any, item: Any, text_stems: list[str], common: set[str] | None) -> list[str]:
    """The variant's features of one candidate, keyed by its event (gate, veto: and unkeyed)."""
    from monitor.matching.normalise import sentence_bounds

    own: list[str] = []
    others = [k for k in item.kept if k.kind == "event" and k is not m]
    if "events" in parts:
        own += sorted({f"text_event={k.name}" for k in others}) or ["text_event=none"]
    if "order" in parts:
        if design == "propose":
            own += sorted({f"text_event={k.name}" for k in others}) or ["text_event=none"]
        else:
            own += sorted({f"{'before' if k.start < m.start else 'after'}={k.name}" for k in others if k.name != name or k.start != m.start})
    if "shape" in parts:
        bounds = sentence_bounds(item.case.text) or [(0, len(item.case.text))]
        held = sum(any(lo <= k.start < hi for k in item.kept if k.kind == "event") for lo, hi in bounds)
        own += [f"actor_text={any(k.kind == 'actor' for k in item.kept)}", f"event_sentences={min(held, 4)}"]
    keyed = [f"{name}|{f}" for f in own]
    bag = []
    if "bag" in parts:
        bag = [f"{name}|text={s}" for s in text_stems]
    elif "bagu" in parts:
        bag = [f"{p}text={s}" for s in text_stems for p in ("", f"{name}|")]
    elif common is not None:
        bag = [f"{name}|text={s}" for s in text_stems if s in common]
    return (keyed if design == "propose" else own + keyed) + bag


def topic_features(design: str, name: str, topic: float, prefix: str = "topic") -> list[str]:
    own = [f"{prefix}={min(int(topic * 10), 9)}"]
    keyed = [f"{name}|{f}" for f in own]
    return keyed if design == "propose" else own + keyed


def top_stems(stems: dict[str, list[list[str]]], k: int) -> set[str]:
    """The k stems in most in-sample texts (no label read)."""
    df = Counter(s for by_set in stems.values() for text in by_set for s in text)
    return {s for s, _ in df.most_common(k)}


def topic_probabilities(items: dict[str, list[Any]], stems: dict[str, list[list[str]]]) -> dict[str, dict[str, list[float]]]:
    """Per held-out set, per set, per text: P(the text has an event labelled) from a text model that never
    saw the held-out set, and for a training set never that set either (fitted on the other training sets)."""
    from sklearn.linear_model import LogisticRegression

    x = {s: le.hashed([[f"t={w}" for w in text] for text in stems[s]]) for s in le.SETS}
    y = {s: [bool(item.case.events) for item in items[s]] for s in le.SETS}

    def fit(train: list[str]) -> Any:
        from scipy.sparse import vstack

        return LogisticRegression(C=le.C, solver="liblinear", random_state=0, max_iter=1000).fit(vstack([x[s] for s in train]), [v for s in train for v in y[s]])

    models = {(held, s): fit([t for t in le.SETS if t not in (held, s)]) for held in le.SETS for s in le.SETS}  # (held, held): all but held
    return {held: {s: models[held, s].predict_proba(x[s])[:, 1].tolist() for s in le.SETS} for held in le.SETS}


def event_topics(items: dict[str, list[Any]], stems: dict[str, list[list[str]]]) -> dict[str, dict[str, list[dict[str, float]]]]:
    """Per held-out set, per set, per text, per event: P(the event is labelled in the text) from a text model
    per event that never saw the held-out set; a training set's from a model fitted on the other two
    thirds of the training sets (the sets dealt into FOLDS by their order)."""
    from scipy.sparse import vstack
    from sklearn.linear_model import LogisticRegression

    names = sorted({e for s in le.SETS for item in items[s] for e in item.case.events})
    x = {s: le.hashed([[f"t={w}" for w in text] for text in stems[s]]) for s in le.SETS}
    out: dict[str, dict[str, list[dict[str, float]]]] = {}
    for held in le.SETS:
        train = [s for s in le.SETS if s != held]
        folds = [[s for j, s in enumerate(train) if j % FOLDS == k] for k in range(FOLDS)]
        out[held] = {s: [{} for _ in items[s]] for s in le.SETS}
        for fit_on, score in [([s for s in train if s not in fold], fold) for fold in folds] + [(train, [held])]:
            xs = vstack([x[s] for s in fit_on])
            for name in names:
                y = [name in item.case.events for s in fit_on for item in items[s]]
                if not any(y):
                    continue
                model = LogisticRegression(C=le.C, solver="liblinear", random_state=0, max_iter=1000).fit(xs, y)
                for s in score:
                    for i, p in enumerate(model.predict_proba(x[s])[:, 1].tolist()):
                        out[held][s][i][name] = p
    return out


FOLDS = 3
_TOPICS: list[dict[str, dict[str, list[float]]]] = []  # topic_probabilities, once


def line(label: str, model: dict[str, tuple[int, ...]], base: dict[str, tuple[int, ...]]) -> str:
    tp, fp, fn, right, missed, wrong, cases = le.total(model)
    deltas = np.array([le.f1(*model[s][:3]) - le.f1(*base[s][:3]) for s in le.SETS])
    sd = deltas.std(ddof=1)
    t = deltas.mean() / sd * len(deltas) ** 0.5 if sd else 0.0
    return f"| {label} | {le.f1(tp, fp, fn):.4f} | {fp} | {fn} | {right / cases:.4f} | {missed} | {wrong} | {deltas.mean():+.4f}, {sd:.4f}, {t:.2f} |"


if __name__ == "__main__":
    main()
