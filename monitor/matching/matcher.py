"""Find watched actors and events in a text, fast at 10,000 aliases.

Each distinct word of the text is folded once (and cached) into a key: its normal form for short
words, its transliteration skeleton for words of 5+ letters (Qasem = Qassem = Qasim = Ghasem), or —
when that skeleton is one edit away from exactly one alias word's — that alias word's key (small
misspellings). One Aho-Corasick scan over the space-joined keys finds every alias as whole words;
rapidfuzz then verifies only those few candidates, with a cutoff that depends on the word's length,
so a folding collision (Milley / Malay) is rejected. Short all-caps aliases (KH, IS, US) must match
case-sensitively. Events are scanned over light stems (strike = strikes = striking), never fuzzily.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ahocorasick
import regex
from rapidfuzz import fuzz

from monitor.matching.normalise import URL, WORD, fold, skeleton, tokenize
from monitor.model import Match, Watchlist

REGEX_TIMEOUT = 0.25  # seconds per pattern per text
FUZZY_MIN_LEN = 5  # shorter words must be spelt exactly
SKELETON_FLOOR = 60.0  # ratio a same-skeleton word needs (transliterations differ in vowels)
NOT_WHEN_WINDOW = 6  # words either side in which a not_when phrase cancels a match
CONTEXT_WINDOW = 20  # words either side in which an ambiguous alias needs a context word
_NEVER = "#"  # the key of a word that must never match (digits, URLs)
_CACHE_LIMIT = 500_000


def stem(norm: str) -> str:
    """A light English stem, enough for plural and -ed/-ing inflections of event phrases."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if norm.endswith(suffix) and len(norm) - len(suffix) >= 3:
            norm = norm[: -len(suffix)] + repl
            break
    return norm[:-1] if norm.endswith("e") and len(norm) > 3 else norm


def word_cutoff(length: int) -> float:
    """Ratio a misspelt word must reach: one edit in a 5-7 letter word, a little more in longer ones."""
    return 100.0 if length < FUZZY_MIN_LEN else 83.0 if length < 8 else 80.0


def is_acronym(alias: str) -> bool:
    """Short all-caps aliases match case-sensitively: `US` is not `us`."""
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and len(letters) <= 5 and all(c.isupper() for c in letters)


def _norms(phrase: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokenize(phrase))


def _padded_stems(phrase: str) -> str:
    return " " + " ".join(stem(n) for n in _norms(phrase)) + " "


def _shape(norm: str) -> str:
    return skeleton(norm) if len(norm) >= FUZZY_MIN_LEN else norm


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


@dataclass(frozen=True)
class _Alias:
    kind: str  # "actor" | "event"
    index: int  # position in watchlist.actors / .events
    text: str
    norms: tuple[str, ...]  # normal form of each word (stems for events)
    raw: tuple[str, ...] | None  # exact words for case-sensitive acronyms
    context: tuple[str, ...] = ()  # phrases (padded stems), one of which must be near


class _Words(dict[str, tuple[str, str, str]]):
    """raw word -> (normal form, actor key, event stem), computed once per distinct word."""

    def __init__(self, alias_keys: set[str]) -> None:
        super().__init__()
        self.alias_keys = alias_keys
        self.neighbours: dict[str, set[str]] = {}
        for key in alias_keys:
            if len(key) >= FUZZY_MIN_LEN:
                for d in _deletions(key) | {key}:
                    self.neighbours.setdefault(d, set()).add(key)

    def __missing__(self, word: str) -> tuple[str, str, str]:
        if len(self) > _CACHE_LIMIT:
            self.clear()
        if any(c.isdigit() for c in word):
            value = (_NEVER, _NEVER, _NEVER)
        else:
            norm = fold(word).replace(" ", "_") or _NEVER
            value = (norm, self._actor_key(norm), stem(norm))
        self[word] = value
        return value

    def _actor_key(self, norm: str) -> str:
        key = _shape(norm)
        if key in self.alias_keys or len(key) < FUZZY_MIN_LEN:
            return key
        near = set().union(*(self.neighbours.get(d, ()) for d in _deletions(key) | {key}))
        return near.pop() if len(near) == 1 else key


class Matcher:
    """A compiled watchlist; `find()` is pure and thread-safe (its word cache only grows)."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        self._aliases: list[_Alias] = []
        self._patterns: list[tuple[str, int, regex.Pattern[str]]] = []
        self._not_when: dict[tuple[str, int], tuple[str, ...]] = {}
        actor_patterns: dict[str, list[int]] = {}
        event_patterns: dict[str, list[int]] = {}
        for i, actor in enumerate(watchlist.actors):
            context = dict(actor.context)
            for text in actor.aliases:
                norms = _norms(text)
                if not norms:
                    continue
                raw = tuple(t.text for t in tokenize(text)) if is_acronym(text) else None
                needs = tuple(_padded_stems(c) for c in context.get(text, ()))
                actor_patterns.setdefault(" ".join(_shape(n) for n in norms), []).append(len(self._aliases))
                self._aliases.append(_Alias("actor", i, text, norms, raw, needs))
            self._compile_extras("actor", i, actor.patterns, actor.not_when)
        for i, event in enumerate(watchlist.events):
            for text in event.phrases:
                stems = tuple(stem(n) for n in _norms(text))
                if stems:
                    event_patterns.setdefault(" ".join(stems), []).append(len(self._aliases))
                    self._aliases.append(_Alias("event", i, text, stems, None))
            self._compile_extras("event", i, event.patterns, event.not_when)
        self._actor_scan = _automaton(actor_patterns)
        self._event_scan = _automaton(event_patterns)
        self._words = _Words({k for pattern in actor_patterns for k in pattern.split(" ")})
        self.actor_refs = {a.name: frozenset((a.name, a.kind, *a.tags)) for a in watchlist.actors}  # what rules select on

    def _compile_extras(self, kind: str, i: int, patterns: tuple[str, ...], not_when: tuple[str, ...]) -> None:
        for pattern in patterns:
            self._patterns.append((kind, i, regex.compile(pattern, regex.IGNORECASE | regex.V1)))
        self._not_when[(kind, i)] = tuple(_padded_stems(p) for p in not_when)

    def find(self, text: str) -> list[Match]:
        """All non-overlapping actor and event matches in a text, in text order."""
        scan_text = URL.sub(lambda m: " " * len(m.group()), text) if "://" in text or "www." in text else text
        raw = WORD.findall(scan_text)
        info = [self._words[w] for w in raw]
        keys = " " + " ".join(i[1] for i in info) + " "
        stems = [i[2] for i in info]
        stem_line = " " + " ".join(stems) + " "
        hits = [(start, ids, keys) for start, ids in _iter(self._actor_scan, keys)]
        hits += [(start, ids, stem_line) for start, ids in _iter(self._event_scan, stem_line)]
        found: list[Match] = []
        if hits:
            spans = [m.span() for m in WORD.finditer(scan_text)]
            for start, ids, line in hits:
                first = line.count(" ", 0, start) - 1  # the index of the hit's first word
                for alias_id in ids:
                    alias = self._aliases[alias_id]
                    match = self._verify(alias, first, raw, info, stems, spans, text)
                    if match is not None:
                        found.append(match)
        found.extend(self._regex_matches(text))
        return _without_overlaps(found)

    def _verify(self, alias: _Alias, first: int, raw: list[str], info: list[tuple[str, str, str]], stems: list[str], spans: list[tuple[int, int]], text: str) -> Match | None:
        n = len(alias.norms)
        last = first + n - 1
        if alias.kind == "actor":
            if alias.raw is not None:
                if tuple(_strip_possessive(w) for w in raw[first : last + 1]) != alias.raw:
                    return None
                score = 100.0
            else:
                norms = [i[0] for i in info[first : last + 1]]
                if not all(_word_agrees(f, w) for f, w in zip(norms, alias.norms)):
                    return None
                score = round(fuzz.ratio(" ".join(norms), " ".join(alias.norms)), 1)
            if alias.context and not _near(stems, first, n, alias.context, CONTEXT_WINDOW):
                return None
        else:
            score = 100.0
        if _near(stems, first, n, self._not_when.get((alias.kind, alias.index), ()), NOT_WHEN_WINDOW):
            return None
        start, end = spans[first][0], spans[last][1]
        return self._match(alias.kind, alias.index, alias.text, text[start:end], start, end, score)

    def _match(self, kind: str, i: int, alias: str, found: str, start: int, end: int, score: float) -> Match:
        if kind == "actor":
            actor = self.watchlist.actors[i]
            return Match("actor", actor.name, alias, found, start, end, score, category=actor.kind)
        event = self.watchlist.events[i]
        return Match("event", event.name, alias, found, start, end, score, severity=event.severity)

    def _regex_matches(self, text: str) -> list[Match]:
        out = []
        for kind, i, pattern in self._patterns:
            try:
                for m in pattern.finditer(text, timeout=REGEX_TIMEOUT):
                    if m.end() > m.start():
                        out.append(self._match(kind, i, pattern.pattern, m.group(), m.start(), m.end(), 100.0))
            except TimeoutError:
                continue  # a catastrophic pattern gives up on this text instead of stalling the daemon
        return out


def _automaton(patterns: dict[str, list[int]]) -> Any:
    scan = ahocorasick.Automaton()
    for pattern, ids in patterns.items():
        scan.add_word(f" {pattern} ", (len(pattern) + 2, tuple(ids)))
    if patterns:
        scan.make_automaton()
    return scan


def _iter(scan: Any, line: str) -> list[tuple[int, tuple[int, ...]]]:
    """(start of the pattern's first word in `line`, alias ids) for every whole-word hit."""
    if len(scan) == 0:
        return []
    return [(end - length + 2, ids) for end, (length, ids) in scan.iter(line)]


def _strip_possessive(word: str) -> str:
    return word[:-2] if len(word) > 2 and word[-1] in "sS" and not word[-2].isalnum() else word


def _word_agrees(found: str, alias: str) -> bool:
    """Same word; or, for words of 5+ letters, a transliteration or a small misspelling of it."""
    if found == alias:
        return True
    if len(alias) < FUZZY_MIN_LEN or len(found) < FUZZY_MIN_LEN:
        return False
    floor = SKELETON_FLOOR if skeleton(found) == skeleton(alias) else word_cutoff(len(alias))
    return fuzz.ratio(found, alias) >= floor


def _near(stems: list[str], first: int, length: int, phrases: tuple[str, ...], window: int) -> bool:
    """Whether one of the phrases (space-padded stems) occurs within `window` words of the span."""
    if not phrases:
        return False
    near = " " + " ".join(stems[max(0, first - window) : first + length + window]) + " "
    return any(p in near for p in phrases)


def _without_overlaps(matches: list[Match]) -> list[Match]:
    """Keep the longest, then best-scoring, match where matches of the same kind overlap."""
    kept: list[Match] = []
    for kind in ("actor", "event"):
        cluster: list[Match] = []
        reach = -1
        for m in sorted((m for m in matches if m.kind == kind), key=lambda m: m.start):
            if cluster and m.start >= reach:
                kept.extend(_best_of(cluster))
                cluster = []
            cluster.append(m)
            reach = max(reach, m.end) if len(cluster) > 1 else m.end
        kept.extend(_best_of(cluster))
    return sorted(kept, key=lambda m: (m.start, m.kind))


def _best_of(cluster: list[Match]) -> list[Match]:
    """Greedy choice inside a run of overlapping matches: longest first, then best score."""
    if len(cluster) <= 1:
        return cluster
    chosen: list[Match] = []
    for m in sorted(cluster, key=lambda m: (-(m.end - m.start), -m.score, m.start)):
        if not any(c.start < m.end and m.start < c.end for c in chosen):
            chosen.append(m)
    return chosen
