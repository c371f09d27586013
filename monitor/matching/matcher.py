"""Find watched actors and events in a text.

Candidates come from an index keyed on the transliteration skeleton of each alias's first word, so
an article is not compared with every alias. A window of words agrees with an alias when every word
agrees: the same normal form, or (for words of 5+ letters) the same transliteration skeleton or a
rapidfuzz ratio above a cutoff. Short all-caps aliases (KH, IS, US) match case-sensitively.
Events match on light stems (strike/strikes/striking) and never fuzzily.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import regex
from rapidfuzz import fuzz

from monitor.matching.normalise import Token, skeleton, tokenize
from monitor.model import Actor, Event, Match, Watchlist

REGEX_TIMEOUT = 0.25  # seconds per pattern per text
TOKEN_CUTOFF = 84.0  # rapidfuzz ratio for a word of 5+ letters to agree with an alias word
FUZZY_MIN_LEN = 5
NOT_WHEN_WINDOW = 6  # words either side in which a not_when phrase cancels a match


def stem(norm: str) -> str:
    """A light English stem, enough for plural and -ed/-ing inflections of event phrases."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if norm.endswith(suffix) and len(norm) - len(suffix) >= 3:
            norm = norm[: -len(suffix)] + repl
            break
    return norm[:-1] if norm.endswith("e") and len(norm) > 3 else norm


@dataclass(frozen=True)
class _Alias:
    kind: str  # "actor" | "event"
    index: int  # position in watchlist.actors / .events
    text: str
    words: tuple[str, ...]  # normal forms, or raw words when case-sensitive
    case_sensitive: bool
    skeletons: tuple[str, ...] = ()  # transliteration skeleton of each word (fuzzy actor aliases)
    joined: str = ""  # the normal form of the whole alias, for scoring


def _is_acronym(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and len(letters) <= 5 and all(c.isupper() for c in letters)


def _key(skel: str) -> str:
    """Index key of a word: the start of its skeleton (a misspelling there is not found)."""
    return skel[:3]


def _phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokenize(phrase))


class Matcher:
    """A compiled watchlist; `find()` is pure and thread-safe."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        self._index: dict[str, list[_Alias]] = defaultdict(list)
        self._exact: dict[str, list[_Alias]] = defaultdict(list)
        self._patterns: list[tuple[str, int, regex.Pattern[str]]] = []
        self._not_when: dict[tuple[str, int], tuple[tuple[str, ...], ...]] = {}
        for i, actor in enumerate(watchlist.actors):
            self._add("actor", i, actor.aliases, actor.patterns, actor.not_when)
        for i, event in enumerate(watchlist.events):
            self._add("event", i, event.phrases, event.patterns, event.not_when)

    def _add(self, kind: str, i: int, aliases: tuple[str, ...], patterns: tuple[str, ...], not_when: tuple[str, ...]) -> None:
        for text in aliases:
            if kind == "actor" and _is_acronym(text):
                alias = _Alias(kind, i, text, tuple(t.text for t in tokenize(text)), True)
                self._exact[alias.words[0]].append(alias)
                continue
            words = _phrase_words(text)
            if kind == "event":
                words = tuple(stem(w) for w in words)
            if not words:
                continue
            if kind == "event":
                self._exact[words[0]].append(_Alias(kind, i, text, words, False, joined=" ".join(words)))
            else:
                skeletons = tuple(skeleton(w) for w in words)
                self._index[_key(skeletons[0])].append(_Alias(kind, i, text, words, False, skeletons, " ".join(words)))
        for pattern in patterns:
            self._patterns.append((kind, i, regex.compile(pattern, regex.IGNORECASE | regex.V1)))
        self._not_when[(kind, i)] = tuple(_phrase_words(p) for p in not_when)

    def find(self, text: str, tokens: list[Token] | None = None) -> list[Match]:
        """All non-overlapping actor and event matches in a text, in text order (tokens: `tokenize(text)`)."""
        tokens = tokenize(text) if tokens is None else tokens
        skeletons = [skeleton(t.norm) for t in tokens]
        found: list[Match] = []
        for pos, token in enumerate(tokens):
            if not token.matchable:
                continue
            for alias in self._candidates(token, skeletons[pos]):
                match = self._compare(alias, tokens, skeletons, pos, text)
                if match and not self._cancelled(alias.kind, alias.index, tokens, pos, len(alias.words)):
                    found.append(match)
        found.extend(self._regex_matches(text))
        return _without_overlaps(found)

    def _candidates(self, token: Token, skel: str) -> list[_Alias]:
        out = list(self._exact.get(token.text, ())) + list(self._exact.get(token.norm, ()))
        if token.norm != stem(token.norm):
            out += self._exact.get(stem(token.norm), [])
        return out + list(self._index.get(_key(skel), ()))

    def _compare(self, alias: _Alias, tokens: list[Token], skeletons: list[str], pos: int, text: str) -> Match | None:
        window = tokens[pos : pos + len(alias.words)]
        if len(window) < len(alias.words) or not all(t.matchable for t in window):
            return None
        if alias.case_sensitive:
            agree = all(_strip_possessive(t.text) == w for t, w in zip(window, alias.words))
        elif alias.kind == "event":
            agree = all(stem(t.norm) == w for t, w in zip(window, alias.words))
        else:
            agree = all(
                _word_agrees(t.norm, skel, w, w_skel)
                for t, skel, w, w_skel in zip(window, skeletons[pos : pos + len(window)], alias.words, alias.skeletons)
            )
        if not agree:
            return None
        start, end = window[0].start, window[-1].end
        found = text[start:end]
        score = 100.0 if alias.case_sensitive else round(fuzz.ratio(" ".join(t.norm for t in window), alias.joined), 1)
        return self._match(alias.kind, alias.index, alias.text, found, start, end, score)

    def _match(self, kind: str, i: int, alias: str, found: str, start: int, end: int, score: float) -> Match:
        if kind == "actor":
            actor: Actor = self.watchlist.actors[i]
            return Match("actor", actor.name, alias, found, start, end, score, category=actor.kind)
        event: Event = self.watchlist.events[i]
        return Match("event", event.name, alias, found, start, end, score, severity=event.severity)

    def _cancelled(self, kind: str, i: int, tokens: list[Token], pos: int, length: int) -> bool:
        phrases = self._not_when.get((kind, i), ())
        if not phrases:
            return False
        lo, hi = max(0, pos - NOT_WHEN_WINDOW), min(len(tokens), pos + length + NOT_WHEN_WINDOW)
        near = [stem(t.norm) for t in tokens[lo:hi]]
        for phrase in phrases:
            words = [stem(w) for w in phrase]
            if any(near[j : j + len(words)] == words for j in range(len(near) - len(words) + 1)):
                return True
        return False

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


def _strip_possessive(word: str) -> str:
    return word[:-2] if len(word) > 2 and word[-1] in "sS" and not word[-2].isalnum() else word


def _word_agrees(found: str, found_skel: str, alias: str, alias_skel: str) -> bool:
    if found == alias:
        return True
    if len(alias) < FUZZY_MIN_LEN or len(found) < FUZZY_MIN_LEN:
        return False
    return found_skel == alias_skel or fuzz.ratio(found, alias) >= TOKEN_CUTOFF


def _without_overlaps(matches: list[Match]) -> list[Match]:
    """Keep the longest, then best-scoring, match where matches of the same kind overlap."""
    kept: list[Match] = []
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), -m.score, m.start)):
        if not any(k.kind == m.kind and k.start < m.end and m.start < k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: (m.start, m.kind))
