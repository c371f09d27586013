"""Find watched actors and events in a text, fast at 10,000 aliases.

Each distinct word of the text is folded once (and cached) into a key: its normal form for short
words, its transliteration skeleton for words of 5+ letters (Qasem = Qassem = Qasim = Ghasem), or —
when that skeleton is one edit away from exactly one alias word's — that alias word's key (small
misspellings). Events use light stems of words (strike = strikes = striking), never fuzzily. A word's
token holds its key, its stem (`=stem`) or both (`key=stem`), so one Aho-Corasick scan over the
space-joined tokens finds every alias and phrase as whole words. The text is cut at its spaces and
each chunk's tokens are cached too, so a text costs one C-level lookup per chunk. rapidfuzz then
verifies only those few candidates (a transliteration needs a ratio of 60, a misspelling one edit in
a word of 6+ letters), so a folding collision (Milley / Malay) is rejected; bare surnames that collide
anyway (Milla, Milei) are the watchlist's ambiguous aliases, with context words. Short all-caps
aliases (KH, IS, US) must match case-sensitively.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, product
from typing import Any

import ahocorasick
import regex
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from monitor.matching.normalise import WORD, blank_links, blank_names, fold, skeleton, tokenize
from monitor.model import Match, Watchlist

REGEX_TIMEOUT = 0.25  # seconds per pattern per text
FUZZY_MIN_LEN = 5  # shorter words must be spelt exactly
SKELETON_FLOOR = 60.0  # ratio a same-skeleton word needs (transliterations differ in vowels)
MISSPELLING_MIN_LEN = 6  # alias words this long accept one edit (Soleimanni, Hezbolah)
NOT_WHEN_WINDOW = 6  # words either side in which a not_when phrase cancels a match
CONTEXT_WINDOW = 20  # words either side in which an ambiguous alias needs a context word
_NEVER = "#"  # the key of a word that must never match (digits, URLs)
_CACHE_LIMIT = 500_000  # entries per table; a full table starts again empty
_SHIFT = 32  # a chunk's code: (its length + 1) << _SHIFT | its number of words
_WORDS_MASK = (1 << _SHIFT) - 1


def stem(norm: str) -> str:
    """A light English stem, enough for plural and -ed/-ing inflections of event phrases."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if norm.endswith(suffix) and len(norm) - len(suffix) >= 3:
            norm = norm[: -len(suffix)] + repl
            break
    return norm[:-1] if norm.endswith("e") and len(norm) > 3 else norm


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


_ARABIC_PREFIXES = ("و", "ف", "ب", "ل", "ك")  # and, so, with, for, like: written joined to the next word
_RUSSIAN_ENDINGS = ("ами", "ями", "ого", "его", "ому", "ему", "ом", "ем", "ой", "ей", "ов", "ев", "ах", "ях", "а", "я", "у", "ю", "е", "ы", "и")


def _forms(norm: str) -> list[str]:
    """The word, then the same word without a joined Arabic prefix or a Russian case ending."""
    forms = [norm]
    if norm[:1] in _ARABIC_PREFIXES and len(norm) > 3:
        forms.append(norm[1:])
    if "\u0400" <= norm[-1:] <= "\u04ff":
        forms += [norm[: -len(e)] for e in _RUSSIAN_ENDINGS if norm.endswith(e) and len(norm) - len(e) >= 3]
    return forms


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


class _Table(dict[str, Any]):
    """A cache whose missing entries `learn` computes (storing them, and their sibling tables')."""

    def __init__(self, learn: Callable[[str], tuple[Any, ...]], field: int) -> None:
        super().__init__()
        self.learn, self.field = learn, field

    def __missing__(self, key: str) -> Any:
        return self.learn(key)[self.field]


class _Words:
    """Cached per distinct word (normal form, actor key, stem: `#` unless a phrase has it, token) and per
    space-separated chunk of text (its words' tokens, each followed by a space; its words' spans; its
    code: its length and number of words).

    A word's token is its actor key, `=` and its stem, both (`key=stem`, for the few words that are an
    alias word and a phrase word), or `#`: one line holds actors and events. A text costs C-level
    lookups of its chunks; only unseen chunks and words run Python.
    """

    def __init__(self, alias_words: dict[str, set[str]], phrase_stems: set[str]) -> None:
        self.norm, self.key, self.stem, self.token = (_Table(self._learn_word, i) for i in range(4))
        self.tokens, self.spans, self.code = (_Table(self._learn_chunk, i) for i in range(3))
        self.alias_words = alias_words  # actor key -> the alias words (normal forms) that have it
        self.phrase_stems = phrase_stems  # of event phrases and context and not_when phrases: other stems never match
        self.neighbours: dict[str, set[str]] = {}
        for key in alias_words:
            if len(key) >= FUZZY_MIN_LEN - 1:
                for d in _deletions(key) | {key}:
                    self.neighbours.setdefault(d, set()).add(key)

    def pairs(self) -> set[tuple[str, str]]:
        """Every (actor key, stem) that one word can have: the words whose stem a phrase has, enumerated."""
        found = set()
        for s in self.phrase_stems:
            for base in (s, s + "e"):
                for norm in [base + end for end in ("", "s", "es", "ed", "ing")] + [s[:-1] + "ies"] * s.endswith("y"):
                    if stem(norm) == s and (key := self._actor_key(norm)) != _NEVER:
                        found.add((key, s))
        return found

    def _learn_word(self, word: str) -> tuple[str, str, str, str]:
        if any(c.isdigit() for c in word):
            norm = key = stem_ = _NEVER
        else:
            norm = fold(word).replace(" ", "_") or _NEVER
            key, stem_ = self._actor_key(norm), stem(norm)
            stem_ = stem_ if stem_ in self.phrase_stems else _NEVER  # a shorter line to scan
        token = _token(key, stem_)
        _store((self.norm, self.key, self.stem, self.token), word, (norm, key, stem_, token))
        return norm, key, stem_, token

    def _learn_chunk(self, chunk: str) -> tuple[str, tuple[tuple[str, int, int], ...], int]:
        spans = tuple((m.group(), m.start(), m.end()) for m in WORD.finditer(blank_names(chunk)))
        tokens = "".join(self.token[w] + " " for w, _, _ in spans)
        code = (len(chunk) + 1) << _SHIFT | len(spans)
        _store((self.tokens, self.spans, self.code), chunk, (tokens, spans, code))
        return tokens, spans, code

    def _actor_key(self, norm: str) -> str:
        """The alias key this word (or the word without an Arabic prefix or Russian case ending) agrees with."""
        for form in _forms(norm):
            key = _shape(form)
            if len(form) >= FUZZY_MIN_LEN and key not in self.alias_words:
                near = set().union(*(self.neighbours.get(d, ()) for d in _deletions(key) | {key}))
                key = near.pop() if len(near) == 1 else key
            if any(_word_agrees(form, alias) for alias in self.alias_words.get(key, ())):
                return key
        return _NEVER


def _token(key: str, stem_: str) -> str:
    """A word's token in the line: its actor key, `=stem`, `key=stem`, or `#`."""
    if stem_ == _NEVER:
        return key
    return f"={stem_}" if key == _NEVER else f"{key}={stem_}"


def _store(tables: tuple[_Table, ...], key: str, values: tuple[Any, ...]) -> None:
    if len(tables[0]) >= _CACHE_LIMIT:
        for table in tables:
            table.clear()
    for table, value in zip(tables, values):
        table[key] = value


class TextWords:
    """The words of one text, cut at its spaces: the line of tokens to scan, and word i's text and
    span, found (only when there are hits) through the cached chunk tables."""

    def __init__(self, words: _Words, text: str) -> None:
        self.parts = blank_links(text).split(" ")  # links blanked: same offsets (file names too, chunk by chunk)
        self._words = words
        self.line = " " + "".join(map(words.tokens.__getitem__, self.parts))
        self._ends: list[int] | None = None
        self._tokens: list[str] | None = None

    def _part_ends(self) -> list[int]:
        """Per chunk, the codes summed up to it: where the next chunk starts, and its first word's index."""
        if self._ends is None:
            self._ends = list(accumulate(map(self._words.code.__getitem__, self.parts)))
        return self._ends

    def _part(self, j: int) -> tuple[int, int, tuple[tuple[str, int, int], ...]]:
        """Where chunk j starts, its first word's index, and its words' spans."""
        before = self._part_ends()[j - 1] if j else 0
        return before >> _SHIFT, before & _WORDS_MASK, self._words.spans[self.parts[j]]

    def __len__(self) -> int:
        return self.line.count(" ") - 1

    def word(self, i: int) -> tuple[str, int, int]:
        """Word i as written, and its start and end in the text."""
        ends = self._ends or self._part_ends()
        j = bisect_right(ends, i, key=_WORDS_MASK.__and__)
        before = ends[j - 1] if j else 0
        word, a, b = self._words.spans[self.parts[j]][i - (before & _WORDS_MASK)]
        return word, (before >> _SHIFT) + a, (before >> _SHIFT) + b

    def before(self, pos: int) -> int:
        """How many words start before a character position."""
        start, first, spans = self._part(bisect_right(self._part_ends(), pos, key=_SHIFT.__rrshift__))
        return first + sum(1 for _, a, _ in spans if start + a < pos)

    def near(self, first: int, length: int, phrases: regex.Pattern[str], window: int) -> bool:
        """Whether one of the phrases (a pattern over tokens) occurs within `window` words of the span."""
        if self._tokens is None:
            self._tokens = self.line.split()
        return phrases.search(" " + " ".join(self._tokens[max(0, first - window) : first + length + window]) + " ") is not None


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
        alias_words: dict[str, set[str]] = {}
        for alias in self._aliases:
            if alias.kind == "actor":
                for norm in alias.norms:
                    alias_words.setdefault(_shape(norm), set()).add(norm)
        phrases = [" ".join(a.norms) for a in self._aliases if a.kind == "event"]
        phrases += [p for a in self._aliases for p in a.context] + [p for ps in self._not_when.values() for p in ps]
        self._words = _Words(alias_words, {w for p in phrases for w in p.split()})
        self._scan = _automaton(actor_patterns, event_patterns, self._words.pairs())
        self._context = [_phrase_pattern(a.context) for a in self._aliases]
        self._not_when_at = {at: _phrase_pattern(ps) for at, ps in self._not_when.items()}
        self.actor_refs = {a.name: frozenset((a.name, a.kind, *a.tags)) for a in watchlist.actors}  # what rules select on

    def _compile_extras(self, kind: str, i: int, patterns: tuple[str, ...], not_when: tuple[str, ...]) -> None:
        for pattern in patterns:
            self._patterns.append((kind, i, regex.compile(pattern, regex.IGNORECASE | regex.V1)))
        self._not_when[(kind, i)] = tuple(_padded_stems(p) for p in not_when)

    def find(self, text: str) -> list[Match]:
        """All non-overlapping actor and event matches in a text, in text order."""
        return self.scan(text)[0]

    def scan(self, text: str) -> tuple[list[Match], TextWords]:
        """The matches, and the text's words (for word distances)."""
        words = TextWords(self._words, text)
        line, found = words.line, []
        seen = spaces = 0  # spaces in line[:seen]: a hit's first word is the spaces before it, less one
        for end, (length, n, ids) in self._scan.iter(line) if len(self._scan) else ():
            start = end - length + 2
            if start < seen:
                seen = spaces = 0
            spaces, seen = spaces + line.count(" ", seen, start), start
            found += self._hit(ids, spaces - 1, n, words, text)
        found.extend(self._regex_matches(text))
        return _without_overlaps(found), words

    def _hit(self, ids: tuple[int, ...], first: int, n: int, words: TextWords, text: str) -> list[Match]:
        """The matches of the aliases found at words `first` to `first + n`: per kind only the
        best-scoring (the first of equals), as overlap removal would keep no other."""
        spans = [words.word(i) for i in range(first, first + n)]
        best: dict[str, tuple[float, _Alias]] = {}
        for alias_id in ids:
            alias = self._aliases[alias_id]
            got = best.get(alias.kind)
            if got is not None and got[0] == 100.0:
                continue
            score = self._verify(alias_id, first, spans, words)
            if score is not None and (got is None or score > got[0]):
                best[alias.kind] = score, alias
        start, end = spans[0][1], spans[-1][2]
        return [self._match(a.kind, a.index, a.text, text[start:end], start, end, score) for score, a in best.values()]

    def _verify(self, alias_id: int, first: int, spans: list[tuple[str, int, int]], words: TextWords) -> float | None:
        """The alias's score at word `first` (the words there as written, with their spans), or None."""
        alias, n = self._aliases[alias_id], len(spans)
        if alias.kind == "actor":
            raw = [w for w, _, _ in spans]
            if alias.raw is not None:
                if tuple(_strip_possessive(w) for w in raw) != alias.raw or _in_capitals(words, first, first + n - 1):
                    return None
                score = 100.0
            else:
                score = _agreement(tuple(map(self._words.norm.__getitem__, raw)), alias.norms)
                if score is None:
                    return None
            context = self._context[alias_id]
            if context is not None and not words.near(first, n, context, CONTEXT_WINDOW):
                return None
        else:
            score = 100.0
        not_when = self._not_when_at[(alias.kind, alias.index)]
        if not_when is not None and words.near(first, n, not_when, NOT_WHEN_WINDOW):
            return None
        return score

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


def _automaton(actors: dict[str, list[int]], events: dict[str, list[int]], pairs: set[tuple[str, str]]) -> Any:
    """One automaton over the line of tokens: each alias pattern in every form its words' tokens can
    take (a key or stem alone, or with the stem or key that the same word also has)."""
    by_key: dict[str, list[str]] = {}
    by_stem: dict[str, list[str]] = {}
    for key, stem_ in sorted(pairs):
        by_key.setdefault(key, []).append(f"{key}={stem_}")
        by_stem.setdefault(stem_, []).append(f"{key}={stem_}")
    forms: dict[str, tuple[int, list[int]]] = {}
    for pattern, ids in actors.items():
        for tokens in product(*([k, *by_key.get(k, ())] for k in pattern.split())):
            forms.setdefault(" ".join(tokens), (len(tokens), []))[1].extend(ids)
    for pattern, ids in events.items():
        for tokens in product(*([f"={s}", *by_stem.get(s, ())] for s in pattern.split())):
            forms.setdefault(" ".join(tokens), (len(tokens), []))[1].extend(ids)
    scan = ahocorasick.Automaton()
    for form, (n, ids) in forms.items():
        scan.add_word(f" {form} ", (len(form) + 2, n, tuple(ids)))
    if forms:
        scan.make_automaton()
    return scan


def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """A pattern that finds one of the phrases (space-padded stems) in space-padded tokens, or None
    for no phrases; it matches nothing if the phrases have no words."""
    if not phrases:
        return None
    forms = ["".join(f" [^ =]*={re.escape(s)}" for s in p.split()) + " " for p in phrases if p.split()]
    return re.compile("|".join(forms) or "(?!)")


def _in_capitals(words: TextWords, first: int, last: int) -> bool:
    """Whether a word stands in an all-capitals run (a headline: PLEASE HELP US FIND OUR DOG)."""
    around = [words.word(i)[0] for i in (first - 1, last + 1) if 0 <= i < len(words)]
    return any(len(w) >= 4 and w.isalpha() and w.isupper() for w in around)


def _strip_possessive(word: str) -> str:
    return word[:-2] if len(word) > 2 and word[-1] in "sS" and not word[-2].isalnum() else word


@lru_cache(maxsize=100_000)
def _agreement(found: tuple[str, ...], alias: tuple[str, ...]) -> float | None:
    """The score of the words found (normal forms) for an alias's words, or None if one does not agree."""
    if not all(any(_word_agrees(form, w) for form in _forms(f)) for f, w in zip(found, alias)):
        return None
    return round(fuzz.ratio(" ".join(found), " ".join(alias)), 1)


def _word_agrees(found: str, alias: str) -> bool:
    """Same word; or, for words of 5+ letters, a transliteration; or, for 6+, a one-edit misspelling.

    A word that only adds or drops letters at the end is another word (Baghdadi is not Baghdad,
    Suleiman is not Suleimani); a one-edit rule keeps Slimani apart from Soleimani.
    """
    if found == alias:
        return True
    if len(alias) < FUZZY_MIN_LEN or len(found) < FUZZY_MIN_LEN:
        return False
    if skeleton(found) == skeleton(alias):
        return fuzz.ratio(found, alias) >= SKELETON_FLOOR
    prefix = found.startswith(alias) or alias.startswith(found)
    return len(alias) >= MISSPELLING_MIN_LEN and not prefix and Levenshtein.distance(found, alias) <= 1


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
