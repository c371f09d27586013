"""The learned layer over the rules (issue 15): three small logistic regressions that add or drop events.

Trained by `bench/train_events.py` (scikit-learn, a test dependency only) on the in-sample labelled sets
with the default watchlist, and shipped as hashed weights: each feature string's CRC-32 modulo 2**HASH_BITS
is its place in one float32 array per model (`learned_events.bin`, zlib-compressed; intercepts and
thresholds in `learned_events.json`), read when a Matcher is compiled (processes forked after share the
pages). Applied here in plain Python: per candidate a few features, a hash and a lookup each, a sum and
a logistic (the propose model keys a sentence's features by every wanted event at once: one hash per feature,
the lookups in numpy, each event's sum in order in Python). Each model decides one thing, at the threshold the leave-one-set-out check of
bench/learned_events.py chose:
- gate: an event phrase the matcher's one scan set aside because no context word stood near it (its
  `Scan.set_aside`, where no event was found, and kept by the senses): add its event, at p >= 0.4;
- propose: in a sentence with a watched actor, an event the rules did not find in the text: add it,
  standing on the sentence's first actor, at p >= 0.2;
- veto: an event the rules found in a sentence with a watched actor (never elsewhere): drop it below p 0.7.
Per event at most one addition (its most probable). The watchlist's rules then fire on what is left.

The features (bench/learned_events.py says more), each also keyed by the event it weighs
(`attack|near=troop`): the phrase listed (`alias=`) and how it was found (`form=`), the stems of the
words within `window` words of it (`near=`; propose: of its sentence, `word=`; a word after a reversing prefix
and a hyphen is the prefix's: `de-escal`), whether a watched actor
stands in the sentence (`actor=`), and the events the rules found there (`event=`, or `event=none`).
The models know events by name: they act only on the events of a watchlist named as the default
watchlist's (`events` in the weights file); a watchlist's other events are left to the rules, and
`learned: false` in a watchlist turns the layer off.
"""

from __future__ import annotations

import dataclasses
import json
import math
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import compress
from operator import itemgetter
from importlib.resources import files

import numpy as np
import numpy.typing as npt

from monitor.matching.normalise import sentence_bounds, sentence_of
from monitor.matching.stems import FUNCTION_WORDS, stem_many
from monitor.matching.words import CACHE_KEY_MAX, make_room
from monitor.model import Event, Learned, Match, Watchlist
from monitor.text_norm import WORD, fold_many

WEIGHTS = files("monitor.matching") / "learned_events.json"  # package data: read with the package, wherever installed
ARRAYS = files("monitor.matching") / "learned_events.bin"  # the weights: per model 2**HASH_BITS float32 (little-endian), zlib-compressed
HASH_BITS = 18
MASK = (1 << HASH_BITS) - 1
TOP = 4  # features named in an explanation
STEMS_KEPT = 10_000  # words whose stems the layer keeps (≈ 1.5 MB); when full it drops the older half


def bucket(feature: str, prefix: int = 0) -> int:
    """A feature's place in a model's weights: its string hashed (CRC-32 of UTF-8, as bench/train_events.py);
    `prefix`: the CRC of the text before it (`keyed`), as if the two were one string."""
    return zlib.crc32(feature.encode(), prefix) & MASK


def keyed(event: str) -> int:
    """The CRC of an event's key (`strike|`): `bucket(f, keyed(e))` is `bucket(e + "|" + f)`."""
    return zlib.crc32(f"{event}|".encode())


KEYED_LENGTHS = 256  # bytes: features shorter than this are keyed by an event through `_keying`


@cache
def _keying(event: str) -> npt.NDArray[np.uint32]:
    """Per length n < KEYED_LENGTHS, what keying by `event` does to the CRC of n bytes: CRC-32 is affine in its
    starting value, so `zlib.crc32(f, keyed(event)) == zlib.crc32(f) ^ _keying(event)[len(f)]`."""
    prefix = keyed(event)
    return np.array([zlib.crc32(bytes(n), prefix) ^ zlib.crc32(bytes(n)) for n in range(KEYED_LENGTHS)], np.uint32)


@dataclass(frozen=True)
class Model:
    """One design's hashed weights, and the probability it adds at (gate, propose) or drops below (veto)."""

    name: str
    weights: array[float]
    intercept: float
    threshold: float

    def probability(self, features: Sequence[str]) -> float:
        w = self.weights
        return _logistic(self.intercept + sum(w[bucket(f)] for f in features))

    def keyed_probabilities(self, events: Sequence[str], own: Sequence[str]) -> list[float]:
        """Per event, the probability of the features `own` keyed by it (as `probability` of `event|f` for each f):
        each feature hashed once, and keyed by all the events at once (`_keying`)."""
        encoded = [f.encode() for f in own]
        lengths = np.fromiter(map(len, encoded), np.intp, len(encoded))
        if not events or not encoded or lengths.max() >= KEYED_LENGTHS:  # a very long feature (a hostile text's word): one event at a time
            w, crc = self.weights, zlib.crc32
            return [_logistic(self.intercept + sum(w[crc(f, keyed(e)) & MASK] for f in encoded)) for e in events]
        crcs = np.fromiter(map(zlib.crc32, encoded), np.uint32, len(encoded))
        buckets = (np.stack([_keying(e) for e in events])[:, lengths] ^ crcs) & MASK
        weighed: list[list[float]] = np.frombuffer(self.weights, np.float32)[buckets].tolist()
        return [_logistic(self.intercept + sum(row)) for row in weighed]  # summed in order, as `probability` sums

    def learned(self, p: float, features: Sequence[str]) -> Learned:
        """The decision as a match carries it: the features that weighed most towards it (their hashed weights)."""
        sign = -1.0 if self.name == "veto" else 1.0
        weighed = {f: self.weights[bucket(f)] for f in set(features)}
        pushes = sorted(((sign * w, f) for f, w in weighed.items() if w), reverse=True)[:TOP]
        return Learned(self.name, round(p, 4), self.threshold, tuple((f, round(weighed[f], 4)) for _, f in pushes))


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0


@dataclass(frozen=True)
class Layer:
    """The three models, the window of the phrases' features, and the events the layer acts on (names)."""

    gate: Model
    propose: Model
    veto: Model
    window: int
    events: frozenset[str]


DESIGNS = ("gate", "propose", "veto")  # the order of the models' weights in ARRAYS


@cache
def shipped() -> Layer:
    """The layer whose weights ship with monitor (learned_events.json, learned_events.bin), read once."""
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    if data["hash_bits"] != HASH_BITS:
        raise ValueError(f"learned_events.json: hash_bits {data['hash_bits']}, expected {HASH_BITS}")
    raw = zlib.decompress(ARRAYS.read_bytes())
    size = 4 << HASH_BITS
    models = {}
    for i, name in enumerate(DESIGNS):
        weights = array("f")
        weights.frombytes(raw[i * size : (i + 1) * size])  # little-endian, as every platform monitor runs on
        m = data["models"][name]
        models[name] = Model(name, weights, float(m["intercept"]), float(m["threshold"]))
    return Layer(models["gate"], models["propose"], models["veto"], int(data["window"]), frozenset(data["events"]))


def for_watchlist(watchlist: Watchlist) -> Layer | None:
    """The shipped layer narrowed to the watchlist's events it knows; None when off or it knows none."""
    if not watchlist.learned:
        return None
    layer = shipped()
    names = frozenset(e.name for e in watchlist.events) & layer.events
    return dataclasses.replace(layer, events=names) if names else None


def decide(
    layer: Layer, events: Sequence[Event], kept: Sequence[Match], set_aside: Sequence[Match], text: str, senses_keep: Callable[[list[Match]], Collection[Match]]
) -> tuple[list[Match], list[Match]]:
    """The matches once the three models have decided, in text order, and those the veto dropped.

    `kept`: the rules' matches (after the senses); `set_aside`: the phrases the gate may take back, of
    which it takes those `senses_keep` keeps (asked only of those it would take: the senses cost)."""
    if not kept and not set_aside:  # most texts: no model has anything to weigh
        return [], []
    have = {m.name for m in kept if m.kind == "event"}
    best: dict[str, tuple[float, Match]] = {}
    stems: dict[tuple[int, int], list[tuple[int, str]]] = {}  # per sentence (span), its stems: found once
    by_sentence = KeptBySentence(kept)
    gated = []
    for m in set_aside:
        if m.kind == "event" and m.name in layer.events and m.name not in have:
            feats = phrase_features(m, kept, text, layer.window, stems, by_sentence=by_sentence)
            if (p := layer.gate.probability(feats)) >= layer.gate.threshold:
                gated.append((p, m, feats))
    if gated:
        settled = set(senses_keep([m for _, m, _ in gated]))  # looked up once for each: a hostile text gates thousands
        for p, m, feats in gated:
            if m in settled and (m.name not in best or p > best[m.name][0]):
                best[m.name] = (p, dataclasses.replace(m, form="learned", learned=layer.gate.learned(p, feats)))
    wanted, sentences = proposals(layer, events, kept, have, text, stems, by_sentence)
    for at, own in sentences:
        for e, p in zip(wanted, layer.propose.keyed_probabilities([e.name for e in wanted], own)):
            if p >= layer.propose.threshold and (e.name not in best or p > best[e.name][0]):
                learned = layer.propose.learned(p, [f"{e.name}|{f}" for f in own])
                best[e.name] = (p, Match("event", e.name, "(learned)", at.found, at.start, at.end, 0.0, severity=e.severity, cameo=e.cameo, form="learned", learned=learned))
    out, dropped = [], []
    actors = any(k.kind == "actor" for k in kept)
    for m in kept:
        if m.kind == "event" and m.name in layer.events and actors:  # the veto judges only beside a watched actor
            lo, hi = sentence_of(text, m.start)
            if by_sentence.said(lo, hi).actors:
                feats = phrase_features(m, kept, text, layer.window, stems, (lo, hi), by_sentence)
                if (p := layer.veto.probability(feats)) < layer.veto.threshold:
                    dropped.append(dataclasses.replace(m, learned=layer.veto.learned(p, feats)))
                    continue
        out.append(m)
    if best:
        out = sorted(out + [m for _, m in best.values()], key=lambda m: (m.start, m.kind))
    return out, dropped


def stems_of(text: str) -> list[tuple[int, str]]:
    """(start, stem) of the content words of a text (no function word, no number), each start a position in
    `text` as given (the matches' spans are): its words as written (accents decomposed or not: `fold` composes them),
    without `tokenize`'s other fields (prose or not), which cost more than the words."""
    words = [(m.start(), m.group()) for m in WORD.finditer(text)]
    stem_of = {word: _STEMS.get(word, _UNKNOWN) for _, word in words}
    if unknown := [word for word, stem in stem_of.items() if stem is _UNKNOWN]:
        stem_of.update(_learn(unknown))
    out = [(start, stem) for start, word in words if (stem := stem_of[word]) is not None]
    if "-" in text:
        out = _reversed(text, words, out)
    return out


REVERSING = frozenset({"de", "non"})  # a prefix joined by a hyphen that turns a word into its opposite


def _reversed(text: str, words: list[tuple[int, str]], stems: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The stems, each of a word written after a reversing prefix and a hyphen (de-escalation, non-aggression)
    marked as the prefix's (`de-escal`): the word's opposite is not the word."""
    prefix = {start + len(word) + 1: word.casefold() for start, word in words if word.casefold() in REVERSING}
    return [(start, f"{prefix[start]}-{stem}") if start in prefix and text[start - 1] == "-" else (start, stem) for start, stem in stems]


_STEMS: dict[str, str | None] = {}  # a word as written -> its stem, None if not a content word; STEMS_KEPT at most
_UNKNOWN = str(object())  # what `_STEMS.get` gives for a word not in it: a string told by identity, never a stem


def _learn(words: list[str]) -> dict[str, str | None]:
    """The stems of words not met before (None: not a content word), kept in _STEMS (the older half
    dropped when full; a word of more than CACHE_KEY_MAX characters is not kept)."""
    norms = fold_many(words)  # `fold` of each (a word of WORD holds no line break), all at once
    content = [norm not in FUNCTION_WORDS and not norm.isdigit() for norm in norms]
    stemmed = iter(stem_many(list(compress(norms, content))))
    learnt = {word: next(stemmed) if is_content else None for word, is_content in zip(words, content, strict=True)}
    kept = [(word, stem) for word, stem in learnt.items() if len(word) <= CACHE_KEY_MAX][-(STEMS_KEPT // 2) :]
    make_room(_STEMS, len(kept), STEMS_KEPT)
    _STEMS.update(kept)
    return learnt


def sentence_stems(text: str, lo: int, hi: int, stems: dict[tuple[int, int], list[tuple[int, str]]]) -> list[tuple[int, str]]:
    """The stems of the sentence text[lo:hi], kept in `stems` for the text's other candidates."""
    if (lo, hi) not in stems:
        stems[lo, hi] = stems_of(text[lo:hi])
    return stems[lo, hi]


@dataclass
class _Said:
    """What the rules kept in one sentence: its matches in the order kept, and how many of each (by identity), of
    actors and of each event."""

    matches: list[Match]
    each: Counter[int]
    actors: int
    events: Counter[str]


class KeptBySentence:
    """The rules' matches of one text, looked up by a sentence's span in the time of the sentence's own
    matches, each sentence counted once (a hostile text holds thousands of matches in one sentence)."""

    def __init__(self, kept: Sequence[Match]) -> None:
        self._order = sorted(range(len(kept)), key=lambda i: kept[i].start)
        self._starts = [kept[i].start for i in self._order]
        self._kept = kept
        self._said: dict[tuple[int, int], _Said] = {}

    def said(self, lo: int, hi: int) -> _Said:
        """The matches starting in text[lo:hi], in the order kept."""
        if (lo, hi) not in self._said:
            found = [self._kept[i] for i in sorted(self._order[bisect_left(self._starts, lo) : bisect_left(self._starts, hi)])]
            each = Counter(map(id, found))
            self._said[lo, hi] = _Said(found, each, sum(k.kind == "actor" for k in found), Counter(k.name for k in found if k.kind == "event"))
        return self._said[lo, hi]


def phrase_features(
    m: Match, kept: Sequence[Match], text: str, window: int, known: dict[tuple[int, int], list[tuple[int, str]]] | None = None, span: tuple[int, int] | None = None,
    by_sentence: KeptBySentence | None = None,
) -> list[str]:
    """An event phrase's features (gate, veto), given what the rules kept in the text (`span`: its sentence's, if found;
    `by_sentence`: `kept` indexed, made once for all of a text's phrases)."""
    lo, hi = span or sentence_of(text, m.start)
    stems = sentence_stems(text, lo, hi, {} if known is None else known)
    at = bisect_left(stems, m.start - lo, key=itemgetter(0))  # the first stem at or after the phrase
    said = (by_sentence or KeptBySentence(kept)).said(lo, hi)
    itself = said.each[id(m)]  # the phrase among them (the veto's): not beside itself
    actors = said.actors - (itself if m.kind == "actor" else 0)
    events = said.events - Counter({m.name: itself}) if m.kind == "event" else said.events
    own = ["bias", f"alias={m.alias}", f"form={m.form}", f"actor={actors > 0}"]
    own += sorted({f"near={s}" for _, s in stems[max(0, at - window) : at + window + 1]})
    own += sorted(f"event={name}" for name in events) or ["event=none"]
    return own + [f"{m.name}|{f}" for f in own]


def proposals(
    layer: Layer, events: Sequence[Event], kept: Sequence[Match], have: set[str], text: str, known: dict[tuple[int, int], list[tuple[int, str]]],
    by_sentence: KeptBySentence | None = None,
) -> tuple[list[Event], list[tuple[Match, list[str]]]]:
    """The events of the layer the rules did not find in the text (by name), and per sentence with a
    watched actor its first actor, on which an added event stands, and the sentence's features (its
    stems and events), to be keyed by each event (`keyed_probabilities`)."""
    wanted = sorted((e for e in events if e.name in layer.events and e.name not in have), key=lambda e: e.name)
    if not wanted or not any(k.kind == "actor" for k in kept):
        return wanted, []
    by_sentence = by_sentence or KeptBySentence(kept)
    out = []
    for lo, hi in sentence_bounds(text) or [(0, len(text))]:
        said = by_sentence.said(lo, hi)
        if not said.actors:
            continue
        at = next(k for k in said.matches if k.kind == "actor")
        own = ["bias", *sorted({f"word={s}" for _, s in sentence_stems(text, lo, hi, known)}), *(sorted(f"event={name}" for name in said.events) or ["event=none"])]
        out.append((at, own))
    return wanted, out

