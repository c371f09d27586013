"""The phrase index: every actor alias, event phrase (or unit of one) and context or not_when phrase
as a path of word atoms (see `words`), found in a text's atoms in one pass.

A path's step is the set of atoms a word may have there: an actor alias word's key; an event word's
stems (`=` + stem, one per language of its phrase). The index is a trie over atoms (a word's atoms
lead to the children to follow), entered at every word that has atoms: a pass costs one dict lookup
per atom of a word with atoms and a path's length, and words without atoms (most) are skipped in C.
Patterns are numbered in the order given; a hit lists, in that order, the ids of every pattern found
over the same words, which is what the matcher ranks.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import chain, compress, product
from math import inf
from operator import attrgetter, itemgetter
from typing import NamedTuple, cast

from monitor.matching import stems
from monitor.matching.words import Atoms, TextWords, evict
from monitor.text_norm import WORD, Token, crosses_sentence, fold, tokenize


SAID_LIMIT = 50_000  # sets of patterns found together whose ids and phrases are kept (a full table drops its older half)


class Hit(NamedTuple):
    """Patterns found over the words `last - n + 1` .. `last`: their alias ids and phrase numbers, and
    which patterns they are (a key for caches)."""

    last: int
    n: int
    ids: tuple[int, ...]
    phrases: tuple[int, ...]
    patterns: tuple[int, ...]


class _Node:
    __slots__ = ("children", "patterns")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.patterns: tuple[int, ...] = ()  # a tuple: the collector stops tracking it


class _Entry(NamedTuple):
    """Where a word's atoms enter the index: the patterns of one word they complete (sorted), the nodes
    whose paths go on, and the atoms the next word needs to go on along one of them."""

    patterns: tuple[int, ...]
    deeper: tuple[_Node, ...]
    next_atoms: frozenset[str]


class _Entries(dict[Atoms, _Entry | None]):
    """Per atoms of a word, where they enter the index (None: nowhere), filled per atoms met.
    Its keys are atoms of alias keys and phrase stems: a watchlist's few, so it needs no bound."""

    def __init__(self, root: _Node) -> None:
        super().__init__()
        self.root = root.children

    def __missing__(self, atoms: Atoms) -> _Entry | None:
        nodes = [node for atom in atoms if (node := self.root.get(atom)) is not None]
        deeper = tuple(node for node in nodes if node.children)
        entry = _Entry(tuple(sorted({p for node in nodes for p in node.patterns})), deeper, frozenset(a for node in deeper for a in node.children)) if nodes else None
        self[atoms] = entry
        return entry


class PhraseIndex:
    """Patterns of word steps, each with the alias ids and phrase numbers it stands for."""

    def __init__(self) -> None:
        self._root = _Node()
        self._ids: list[tuple[int, ...]] = []
        self._phrases: list[tuple[int, ...]] = []
        self._entries = _Entries(self._root)  # filled as texts are scanned
        self._said: dict[tuple[int, ...], tuple[tuple[int, ...], tuple[int, ...]]] = {}  # patterns found together -> their ids, phrases

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, steps: list[set[str]], ids: Iterable[int] = (), phrases: Iterable[int] = ()) -> None:
        """A pattern: per word the atoms it may have; found as `ids` (aliases) and `phrases`."""
        number = len(self._ids)
        self._entries.clear()  # a new root atom may enter where none did
        self._said.clear()
        self._ids.append(tuple(ids))
        self._phrases.append(tuple(phrases))
        if not steps:
            return
        for path in product(*(sorted(s) for s in steps)):
            node = self._root
            for atom in path:
                node = node.children.setdefault(atom, _Node())
            if number not in node.patterns:
                node.patterns = (*node.patterns, number)

    def scan(self, atoms: list[Atoms]) -> list[Hit]:
        """Every pattern found in a text's atoms (one tuple per word), by last word, longest first."""
        entries = list(map(self._entries.__getitem__, atoms))  # in C but for atoms not met before; most words enter nowhere
        found: dict[tuple[int, int], set[int]] = {}  # patterns of more than one word: (last word, -words) -> pattern numbers
        singles = []  # the words that complete a pattern of one word
        end = len(atoms) - 1
        for first in compress(range(len(atoms)), entries):
            entry = cast(_Entry, entries[first])
            if entry.patterns:
                singles.append(first)
            if first < end and not entry.next_atoms.isdisjoint(atoms[first + 1]):  # a path goes on into the next word
                _follow(entry.deeper, atoms, first, found)
        said = self._said
        if found:  # rare: merged with the one-word patterns, in order
            found.update(((first, -1), set(cast(_Entry, entries[first]).patterns)) for first in singles)
            patterns_at = [(key, tuple(sorted(found[key]))) for key in sorted(found)]
        else:
            patterns_at = [((first, -1), cast(_Entry, entries[first]).patterns) for first in singles]
        hits = []
        for (last, minus_n), patterns in patterns_at:
            ids, phrases = said.get(patterns) or self._said_by(patterns)
            hits.append(Hit(last, -minus_n, ids, phrases, patterns))
        return hits

    def _said_by(self, patterns: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The alias ids and phrase numbers of patterns found over the same words, kept for the next time."""
        if len(patterns) == 1:
            ids, phrases = self._ids[patterns[0]], self._phrases[patterns[0]]
        else:  # an alias's pattern and context phrases on the same words: its (long) ids tuple kept as it is
            ids = _joined([self._ids[p] for p in patterns])
            phrases = _joined([self._phrases[p] for p in patterns])
        if len(self._said) >= SAID_LIMIT:
            evict(self._said)
        self._said[patterns] = (ids, phrases)
        return ids, phrases


def _joined(parts: list[tuple[int, ...]]) -> tuple[int, ...]:
    """The parts one after another; the one part that is not empty as it is."""
    some = [t for t in parts if t]
    return some[0] if len(some) == 1 else tuple(i for t in some for i in t)


def _follow(nodes: Sequence[_Node], atoms: list[Atoms], first: int, found: dict[tuple[int, int], set[int]]) -> None:
    """The patterns of more than one word that start at word `first` with one of `nodes`' atoms."""
    at = first + 1
    while nodes and at < len(atoms) and atoms[at]:
        nodes = [child for node in nodes for atom in atoms[at] if (child := node.children.get(atom)) is not None]
        for node in nodes:
            if node.patterns:
                found.setdefault((at, first - at - 1), set()).update(node.patterns)
        at += 1


@lru_cache(maxsize=10_000)
def norms_of(phrase: str) -> tuple[str, ...]:
    """The normal forms of a phrase's words: `tokenize`'s, without the spans and prose checks it also works out."""
    return tuple(map(fold, WORD.findall(unicodedata.normalize("NFC", phrase))))


@lru_cache(maxsize=4096)  # context lists are shared by many aliases (a YAML anchor)
def padded_stems(phrase: str) -> str:
    """A phrase for the index: per word its stems (in the phrase's languages) joined by `|`, space-separated."""
    tokens = tokenize(phrase)
    languages = stems.languages_of(t.text for t in tokens)
    return " " + " ".join("|".join(stems.stems_of(t.norm, languages)) for t in tokens) + " "


def stem_steps(padded: str) -> list[set[str]]:
    """The steps of a phrase of `padded_stems`: per word the atoms of its stems."""
    return [{"=" + s for s in word.split("|")} for word in padded.split()]


class Units(NamedTuple):
    """An event phrase's normal forms, its units (content words and hyphenated compounds: per unit its
    normal forms) and per unit its padded stems."""

    norms: tuple[str, ...]
    units: list[tuple[str, ...]]
    padded: list[str]


def units_of(phrase: str) -> Units:
    """An event phrase's units: its content words (stop words of its languages left out, unless it has
    nothing else) and its hyphenated compounds (de-escalation: `de`, then `escalation`, side by side)."""
    tokens = tokenize(phrase)
    languages = stems.languages_of(t.text for t in tokens)
    groups: list[list[Token]] = []
    for before, token in zip([None, *tokens], tokens):
        if before is not None and phrase[before.end : token.start] in ("-", "\u2010", "\u2011"):
            groups[-1].append(token)
        else:
            groups.append([token])
    content = [g for g in groups if len(g) > 1 or not stems.is_stop_word(g[0].norm, languages)] or groups
    units = [tuple(t.norm for t in g) for g in content]
    padded = [" " + " ".join("|".join(stems.stems_of(n, languages)) for n in unit) + " " for unit in units]
    return Units(tuple(t.norm for t in tokens), units, padded)


class Place(NamedTuple):
    """Where one unit of an event phrase stands: its first and last word, its words, its position in the phrase."""

    first: int
    last: int
    n: int
    unit: int


Seen = dict[int, list[tuple[int, int]]]  # per context, not_when or unit phrase: (last word, words) of each occurrence


def present(hits: list[Hit]) -> set[int]:
    """Which context, not_when or unit phrases a text has (in C: no loop over the hits here)."""
    return set(chain.from_iterable(map(_PHRASES, hits)))


_PHRASES = attrgetter("phrases")


def seen_in(hits: list[Hit]) -> Seen:
    """Where each context, not_when or unit phrase was seen, by last word (as `scan` gives the hits)."""
    seen: Seen = {}
    for hit in hits:
        for p in hit.phrases:
            seen.setdefault(p, []).append((hit.last, hit.n))
    return seen


def _within(phrases: frozenset[int], last: int, n: int, seen: Seen, window: int) -> Iterator[tuple[int, int]]:
    """The occurrences (first word, last word) of the phrases seen wholly within `window` words of the n words
    up to word `last`: starting at most `window` words before the first of them and ending at most `window`
    after the last. Only the places ending in that span are looked at (a hostile text names one phrase
    thousands of times), by bisection: `scan` gives each phrase's places by last word."""
    first = last - n + 1
    for p in phrases.intersection(seen):  # in C: a context list may hold hundreds of phrases, a text a few of them
        places = seen[p]
        for i in range(bisect_left(places, first - window, key=itemgetter(0)), len(places)):  # not islice: it steps over the first ones
            phrase_last, length = places[i]
            if phrase_last > last + window:
                break
            if phrase_last - length + 1 >= first - window:
                yield phrase_last - length + 1, phrase_last


def near(phrases: frozenset[int], last: int, n: int, seen: Seen, window: int) -> bool:
    """Whether one of the phrases was seen wholly within `window` words of the n words up to word `last`."""
    return any(_within(phrases, last, n, seen, window))


def nearest(phrases: frozenset[int], last: int, n: int, seen: Seen, window: int) -> tuple[int, int] | None:
    """Of the phrases seen wholly within `window` words of the n words up to word `last` (as `near` finds
    them), the occurrence closest to those words, the earlier of two as close: (its first word, its last word)."""
    first = last - n + 1
    return min(_within(phrases, last, n, seen, window), key=lambda place: (max(place[0] - last, first - place[1], 0), place[0]), default=None)


def windows(numbers: tuple[int, ...], seen: Seen, words: TextWords, text: str, window: int) -> list[list[Place]]:
    """Where all the units (by number) stand within `window` words of one sentence: per place, per unit
    in text order; each place starts at an occurrence of a unit and takes each other unit's next
    occurrence. Only the smallest places: none that holds another."""
    if len(numbers) == 1:
        return [[Place(last - n + 1, last, n, 0)] for last, n in seen[numbers[0]]]
    places = sorted(Place(last - n + 1, last, n, k) for k, u in enumerate(numbers) for last, n in seen[u])
    out: list[list[Place]] = []
    for i, anchor in enumerate(places):
        chosen = {anchor.unit: anchor}
        for j in range(i + 1, len(places)):
            p = places[j]
            if p.last - anchor.first >= window:
                break
            if p.unit not in chosen and p.first > max(c.last for c in chosen.values()):
                chosen[p.unit] = p
        if len(chosen) == len(numbers):
            ordered = sorted(chosen.values())
            if not crosses_sentence(text, words.starts[ordered[0].first], words.ends[ordered[-1].last]):
                out.append(ordered)
    smallest, reach = [], inf
    for w in reversed(out):
        if w[-1].last < reach:
            smallest.append(w)
        reach = min(reach, w[-1].last)
    return smallest[::-1]
