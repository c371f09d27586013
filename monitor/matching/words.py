"""A text's words and their keys: what the phrase index (`automaton`) and the matcher read.

A word's normal form is `fold` of it as written on one line. Its key is its normal form for short
words, its transliteration skeleton for words of 5+ letters (Qasem = Qassem = Qasim = Ghasem), or —
when that skeleton is one edit away from exactly one alias word's — that alias word's key (small
misspellings); a word no alias word agrees with has none. Its stem is the first of its Snowball stems
(in the watchlist's languages) that some event, context or not_when phrase has, with the other languages'
stems that are not shorter cuts of it and that a phrase has. Its atoms are what the phrase index looks up: its
key and `=` + each stem: a word alike an alias word keeps its stems (eased, alike Asad, is ease's; Khomeini,
alike Khamenei, meets the not_when phrase "Khomeini").

Words are learnt many at once (`WordKeys.learn`): folding, skeletons and stems run over all the new
words of a text in a few C-level calls, and only the few words that a cheap test leaves (an exact
key, a one-edit neighbour, a joined Arabic prefix or a Russian case ending) run the per-word fuzzy
comparison in Python. A word of more than LONG_WORD characters, or with digits but no designator's part (`_designator_part`), never matches. The
cache holds CACHE_LIMIT words; when full it drops its older half (insertion order), keeping the recent.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import accumulate, compress, islice, repeat
from operator import is_, not_
from typing import Any, cast

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from monitor.matching import stems
from monitor.text_norm import _APOSTROPHES, _W, ELIDED_WORDS, RUN, WORD, WRAPPED_WORD, blank_non_prose, fold, fold_many, is_wrapped, skeleton, skeleton_many, unwrap_word

LONG_WORD = 1000  # characters: a longer word never matches (aliases and phrases have at most 200)
FUZZY_MIN_LEN = 5  # shorter words must be spelt exactly
SKELETON_FLOOR = 60.0  # ratio a same-skeleton word needs (transliterations differ in vowels)
MISSPELLING_MIN_LEN = 6  # alias words this long accept one edit (Soleimanni, Hezbolah)
NEVER = "#"  # the normal form of a word that must never match (long numbers, URLs), and "no key", "no stem"
DIGITS_WORD = 4  # characters: a longer word with digits never matches; a shorter one is a designator's part (the 16s of F-16s, the 52 of B-52), not a year
CACHE_LIMIT = 50_000  # words (≈ 20 MB with the fold caches); a full cache drops its older half
CACHE_KEY_MAX = 100  # characters: longer words are worked out each time, never cached

Atoms = tuple[str, ...]
_SPLIT = re.compile(f"({WORD.pattern})")  # words and the gaps between them, in one C call
_WRAPPED_SPLIT = re.compile(f"({WRAPPED_WORD.pattern})")
_RUN_SPLIT = re.compile(f"({RUN})")  # WORD's second branch only: it opens with a character class, which `re` skips to in C
_ELIDED_HEAD = re.compile(ELIDED_WORDS)
_APOSTROPHE = re.compile(f"[{_APOSTROPHES}]")
_CUT = re.compile(f"[{_APOSTROPHES}](?={_W})")  # where an elided word before it ends
_ARABIC_PREFIXES = ("و", "ف", "ب", "ل", "ك")  # and, so, with, for, like: written joined to the next word
_RUSSIAN_ENDINGS = ("ами", "ями", "ого", "его", "ому", "ему", "ом", "ем", "ой", "ей", "ов", "ев", "ах", "ях", "а", "я", "у", "ю", "е", "ы", "и")
_OTHER_FORMS = re.compile(r"^[وفبلك].{3}|[\u0400-\u04ff]$", re.S)  # a word `forms` gives more than itself
_OTHER_LETTERS = re.compile(r"[وفبلك\u0400-\u04ff]")  # in every word `_OTHER_FORMS` finds


def forms(norm: str) -> list[str]:
    """The word, then the same word without a joined Arabic prefix or a Russian case ending."""
    out = [norm]
    if norm[:1] in _ARABIC_PREFIXES and len(norm) > 3:
        out.append(norm[1:])
    if "\u0400" <= norm[-1:] <= "\u04ff":
        out += [norm[: -len(e)] for e in _RUSSIAN_ENDINGS if norm.endswith(e) and len(norm) - len(e) >= 3]
    return out


def shape(norm: str) -> str:
    """A word's key before fuzzy matching: its skeleton from FUZZY_MIN_LEN letters, else itself."""
    return skeleton(norm) if len(norm) >= FUZZY_MIN_LEN else norm


def deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


def word_agrees(found: str, alias: str) -> bool:
    """Same word; or, for words of 5+ letters, a transliteration; or, for 6+, a one-edit misspelling.

    A word that only adds or drops letters at the end is another word (Baghdadi is not Baghdad,
    Suleiman is not Suleimani), and so is one that only adds or drops letters at the start (Jesper is
    not Esper); a one-edit rule keeps Slimani apart from Soleimani.
    """
    if found == alias:
        return True
    if len(alias) < FUZZY_MIN_LEN or len(found) < FUZZY_MIN_LEN:
        return False
    if found.endswith(alias) or alias.endswith(found):  # letters added at the start: another word, even of one skeleton
        return False
    if skeleton(found) == skeleton(alias):
        return fuzz.ratio(found, alias) >= SKELETON_FLOOR
    prefix = found.startswith(alias) or alias.startswith(found)
    return len(alias) >= MISSPELLING_MIN_LEN and not prefix and Levenshtein.distance(found, alias) <= 1


def _designator_part(word: str) -> bool:
    """Whether a word with digits may be a type designator's part (16s, 15E, 52): at most DIGITS_WORD characters,
    and a number of at most three digits (a year, 2020, never matches)."""
    return len(word) <= DIGITS_WORD and (len(word) < DIGITS_WORD or not word.isdigit())


def norm_of(word: str) -> str:
    """A word's normal form (`fold` of it as written on one line), or NEVER: a long word, one with digits."""
    if len(word) > LONG_WORD or (not word.isalpha() and not _designator_part(word) and any(c.isdigit() for c in word)):
        return NEVER
    return fold(unwrap_word(word)).replace(" ", "_") or NEVER


def split_words(text: str) -> list[str]:
    """`_SPLIT.split(text)` (gaps and WORD's words, alternately), faster: split by RUN, then an elided
    word (l', d', qu') that starts a run with an apostrophe and stands after no word character or ' ’
    made a word of its own (again after an apostrophe other than ' ’, as WORD's lookbehind would)."""
    parts = _RUN_SPLIT.split(text)
    if not _ELISION_GATE.search(text):  # most texts, even with apostrophes (Iran's, don't)
        return parts
    runs = range(1, len(parts), 2)
    maybe = runs if _LETTER_APOSTROPHE.search(text) else compress(runs, map(not_, map(str.isalnum, islice(parts, 1, None, 2))))  # ʼ ʻ are alphanumeric
    odd = [k for k in maybe if _APOSTROPHE.search(parts[k])]
    for k in reversed(odd):
        if not ((cut := _CUT.search(parts[k])) and _ELIDED_HEAD.fullmatch(parts[k], 0, cut.start())):
            continue  # most: Iran's, don't
        pieces = [parts[k]]
        at = sum(map(len, parts[:k]))
        before = text[at - 1 : at]  # "" at the start of the text
        while (cut := _CUT.search(pieces[-1])) and not _NO_ELISION_AFTER.match(before) and _ELIDED_HEAD.fullmatch(pieces[-1], 0, cut.start()):
            run, i = pieces.pop(), cut.start()
            if _WORD_CHAR.match(run, i):  # ʼ ʻ are letters: the next word starts with it (no elision after a letter)
                pieces += [run[:i], "", run[i:]]
                break
            pieces += [run[:i], run[i], run[i + 1 :]]
            before = run[i]
        parts[k : k + 1] = pieces
    return parts


_WORD_CHAR = re.compile(r"\w")
_LETTER_APOSTROPHE = re.compile(f"[{''.join(c for c in _APOSTROPHES if c.isalnum())}]")
_NO_ELISION_AFTER = re.compile(r"[\w'’]")  # what an elided word may not stand after (WORD's lookbehind)
_ELISION_AT_RUN_START = re.compile(f"(?<!{_W}){ELIDED_WORDS}[{_APOSTROPHES}]{_W}")  # found where every elided word cut starts (and elsewhere)


def _elision_gate() -> re.Pattern[str]:
    """`_ELISION_AT_RUN_START` written to open with the apostrophe (a character class `re` skips to in C;
    the other opens with a lookbehind tried at every position): the elided word before it is checked by
    one fixed-width lookbehind per length of elided word."""
    heads: dict[int, list[str]] = {}
    for head in ELIDED_WORDS.removeprefix("(?i:").removesuffix(")").split("|"):
        heads.setdefault(1 if head.startswith("[") else len(head), []).append(head)
    behind = "|".join(f"(?<=(?<!{_W})(?i:{'|'.join(h)})[{_APOSTROPHES}])" for h in heads.values())
    return re.compile(f"[{_APOSTROPHES}](?={_W})(?:{behind})")


_ELISION_GATE = _elision_gate()  # finds a text iff `_ELISION_AT_RUN_START` does (tests/test_matching_speedparts.py; the other stays as the readable statement of it)


class TextWords:
    """The words of one text in order: where each starts and ends, as written, and its atoms; normal
    forms on demand. Blanked spans (links, e-mail addresses, file names, model numbers) have no words."""

    __slots__ = ("starts", "ends", "raws", "atoms", "_norms")

    def __init__(self, starts: list[int], ends: list[int], raws: list[str], atoms: list[Atoms], norms: dict[str, str]) -> None:
        self.starts, self.ends, self.raws, self.atoms, self._norms = starts, ends, raws, atoms, norms

    def before(self, pos: int) -> int:
        """How many words start before a position."""
        return bisect_left(self.starts, pos)

    def norms(self, first: int, last: int) -> tuple[str, ...]:
        """The normal forms of the words `first` to `last`."""
        return tuple(self._norms.get(w) or norm_of(w) for w in self.raws[first : last + 1])


class WordKeys:
    """Normal forms and atoms per word as written, learnt for many words at once and cached."""

    def __init__(self, alias_words: dict[str, set[str]] | dict[str, tuple[str, ...]], phrase_stems: set[str], languages: tuple[str, ...] = ("english",)) -> None:
        self.alias_words = {key: tuple(sorted(ws)) for key, ws in alias_words.items()}  # actor key -> the alias words (normal forms) that have it
        self.phrase_stems = phrase_stems  # of event phrases and context and not_when phrases: other stems never match
        self.languages = languages  # whose stemmers the phrases used: a word's stems are tried in this order
        neighbours: dict[str, set[str]] = {}  # a key or one deletion of it -> the alias keys
        self.longest_key = max(map(len, alias_words), default=0)  # a longer key has no deletion in `neighbours`
        self.longest_word = max((len(w) for ws in alias_words.values() for w in ws), default=0)
        for key in alias_words:
            if len(key) >= FUZZY_MIN_LEN - 1:
                for d in deletions(key) | {key}:
                    neighbours.setdefault(d, set()).add(key)
        # as tuples (sorted): the collector stops tracking tuples of strings, never sets, and its full passes
        # would otherwise walk some 40,000 of them at 10,000 aliases
        self.neighbours = {d: tuple(sorted(keys)) for d, keys in neighbours.items()}
        self.misspellable = {d for ws in alias_words.values() for w in ws if len(w) >= MISSPELLING_MIN_LEN for d in deletions(w) | {w}}
        misspellable_words = [w for ws in alias_words.values() for w in ws if len(w) >= MISSPELLING_MIN_LEN]
        self.fronts = {w[: len(w) // 2] for w in misspellable_words}  # one edit leaves a word's first half or its second half as it was
        self.backs = {w[len(w) // 2 :] for w in misspellable_words}
        self.norms: dict[str, str] = {}  # the cache: word as written -> normal form, and -> atoms
        self.atoms: dict[str, Atoms] = {}
        self.by_norm: dict[str, Atoms] = {}  # normal form -> atoms
        self.limit = CACHE_LIMIT

    def word_stems(self, norm: str) -> tuple[str, ...]:
        """The word's stems that a phrase has: the first (in `languages`' order), then the other languages' that
        are not shorter cuts of it (a stem cut short, or cut otherwise, in one language hides no phrase of another:
        envoyer is English envoy, a context word's, and French envoi, a deployment's); none: empty."""
        out: tuple[str, ...] = ()
        for language in self.languages:
            if (s := stems.stem(norm, language)) in self.phrase_stems and s not in out and (not out or not out[0].startswith(s)):
                out = (*out, s)
        return out

    def text_words(self, text: str) -> TextWords:
        """The words of a text, their normal forms and atoms (unseen words learnt first)."""
        prose = blank_non_prose(text)
        parts = _WRAPPED_SPLIT.split(prose) if is_wrapped(prose) else split_words(prose)
        offsets = list(accumulate(map(len, parts)))
        raws = parts[1::2]
        atoms = list(map(self.atoms.get, raws))
        if None in atoms:  # unseen words (or dropped meanwhile by another thread)
            new_norms, new_atoms = self.learn(set(compress(raws, map(is_, atoms, repeat(None)))))
            atoms = list(map(new_atoms.get, raws, atoms))
        return TextWords(offsets[0:-1:2], offsets[1::2], raws, atoms, self.norms)  # type: ignore[arg-type]  # none is None now

    def learn(self, words: Iterable[str]) -> tuple[dict[str, str], dict[str, Atoms]]:
        """Normal forms and atoms of words as written; stored in the cache (not those over CACHE_KEY_MAX)."""
        words = list(words)
        if all(map(str.isalpha, words)) and max(map(len, words), default=0) <= LONG_WORD:  # most batches: no per-word test
            matchable = words
        else:
            matchable = [w for w in words if len(w) <= LONG_WORD and (w.isalpha() or _designator_part(w) or not any(c.isdigit() for c in w))]
        folded = fold_many([unwrap_word(w) for w in matchable] if is_wrapped("\0".join(matchable)) else matchable)
        lines = "\n".join(folded).replace(" ", "_").split("\n") if folded else ()  # a folded word has no line break
        if matchable is words:
            norms = dict(zip(words, lines))
        else:
            norms = dict.fromkeys(words, NEVER)
            norms.update(zip(matchable, lines))
        for w in compress(matchable, map(not_, folded)):
            norms[w] = NEVER
        candidates = list(compress(matchable, map(NEVER.__ne__, map(norms.__getitem__, matchable))))
        found = list(map(norms.__getitem__, candidates))
        known = list(map(self.by_norm.get, found))  # a new spelling of a known word (Attack, attack)
        new = list(dict.fromkeys(compress(found, map(is_, known, repeat(None)))))
        keys, stems_ = self._keys(new), self._stems(new)
        learnt: dict[str, Atoms] = dict.fromkeys(new, ())
        some = set(compress(range(len(keys)), map(NEVER.__ne__, keys))) | set(compress(range(len(stems_)), stems_))
        for norm, key, stems_of in ((new[i], keys[i], stems_[i]) for i in sorted(some)):
            if not stems_of:
                learnt[norm] = (key,)
            elif key == NEVER:
                learnt[norm] = tuple("=" + s for s in stems_of)
            else:
                learnt[norm] = (key, *("=" + s for s in stems_of))  # both: eased is ease's (and alike Asad)
        learnt_or_known = cast("Iterator[Atoms]", map(learnt.get, found, known))  # a new normal form is in `learnt`, a known one is not
        atoms: dict[str, Atoms]
        if len(candidates) == len(words):
            atoms = dict(zip(candidates, learnt_or_known))
        else:
            atoms = dict.fromkeys(words, ())
            atoms.update(zip(candidates, learnt_or_known))
        make_room(self.by_norm, len(learnt), self.limit)
        self.by_norm.update(learnt)
        self._store(norms, atoms)
        return norms, atoms

    def _stems(self, norms: list[str]) -> list[tuple[str, ...]]:
        """Per normal form `word_stems`, each language in one call. Not the first language's stem only: a word
        whose stem in one language is cut short to another phrase's (colpirà: colp, the stem of colpi in a
        context phrase "colpi di mortaio") keeps its longer stem of another language too (colpir: colpire), so a
        context phrase sharing a stem with an event phrase no longer hides the event; nor a stem cut otherwise
        (envoyer: English envoy, a context word's; French envoi, a deployment's). (Not the shorter ones: an
        English stem left long that another language cuts short meets that language's other words too often.)"""
        out: list[tuple[str, ...]] = [()] * len(norms)
        function = set(compress(range(len(norms)), map(stems.FUNCTION_WORDS.__contains__, norms)))
        for i in function:  # its own stem, marked, in every language
            if (s := stems.FUNCTION_STEM + norms[i]) in self.phrase_stems:
                out[i] = (s,)
        for language in self.languages:
            stemmed = stems.snowball_many(norms, language)
            for i in compress(range(len(norms)), map(self.phrase_stems.__contains__, stemmed)):
                if i not in function and (not out[i] or (stemmed[i] not in out[i] and not out[i][0].startswith(stemmed[i]))):
                    out[i] = (*out[i], stemmed[i])
        return out

    def _keys(self, norms: list[str]) -> list[str]:
        """Per normal form its actor key, or NEVER (`actor_key`, with its lookups done for all at once)."""
        bound = (7 * self.longest_word + 9) / 3
        lens = list(map(len, norms))
        shapes = [s if n >= FUZZY_MIN_LEN else w for w, s, n in zip(norms, skeleton_many(norms), lens)]
        other = set(compress(range(len(norms)), map(bool, map(_OTHER_FORMS.search, norms)))) if _OTHER_LETTERS.search("".join(norms)) else set()
        longest, alias_words = self.longest_key + 1, self.alias_words
        fuzzy = [i for i in compress(range(len(norms)), map(FUZZY_MIN_LEN.__le__, lens)) if len(shapes[i]) <= longest and shapes[i] not in alias_words and i not in other]
        near = self._near_some(fuzzy, norms, shapes)
        out = [NEVER] * len(norms)
        for i in sorted(other):
            out[i] = self.actor_key(norms[i])
        for i in set(compress(range(len(norms)), map(self.alias_words.__contains__, shapes))).union(near).difference(other):
            key = shapes[i]
            if i in near:
                key = next(iter(near[i])) if len(near[i]) == 1 else key
            if len(norms[i]) <= bound and any(word_agrees(norms[i], alias) for alias in self.alias_words.get(key, ())):
                out[i] = key
        return out

    def _near_some(self, indices: list[int], norms: list[str], shapes: list[str]) -> dict[int, set[str]]:
        """Per index whose normal form is one edit from an alias word that accepts a misspelling (the
        only words a word of another key agrees with: `word_agrees`), the alias keys near its shape.
        One edit apart, two words have a deletion (or the word itself) in common: tested per position
        over all the words at once, for the words that begin with such an alias word's first half or end
        with its second half (one edit leaves one of them as it was)."""
        fronts, backs = self.fronts, self.backs  # per alias word length L = n - 1, n, n + 1: its first half, its second half
        indices = [  # for a word of n letters, the halves of all three L are cut at c = (n - 1) // 2 or c + 1
            i for i in indices if (w := norms[i]) and (c := (len(w) - 1) // 2) >= 0 and (w[:c] in fronts or w[: c + 1] in fronts or w[c:] in backs or w[c + 1 :] in backs)
        ]
        hit = set(compress(indices, map(self.misspellable.__contains__, (norms[i] for i in indices))))
        longest = max((len(norms[i]) for i in indices), default=0)
        for position in range(longest):
            indices = [i for i in indices if len(norms[i]) > position]
            hit.update(compress(indices, map(self.misspellable.__contains__, [norms[i][:position] + norms[i][position + 1 :] for i in indices])))
        return {i: set().union(*(self.neighbours.get(d, ()) for d in deletions(shapes[i]) | {shapes[i]})) for i in hit}

    def actor_key(self, norm: str) -> str:
        """The alias key this word (or the word without an Arabic prefix or Russian case ending) agrees with."""
        if 3 * len(norm) > 7 * self.longest_word + 9:
            return NEVER
        for form in forms(norm):
            key = shape(form)
            if FUZZY_MIN_LEN <= len(form) and len(key) <= self.longest_key + 1 and key not in self.alias_words:
                near = set().union(*(self.neighbours.get(d, ()) for d in deletions(key) | {key}))
                key = near.pop() if len(near) == 1 else key
            if any(word_agrees(form, alias) for alias in self.alias_words.get(key, ())):
                return key
        return NEVER

    def _store(self, norms: dict[str, str], atoms: dict[str, Atoms]) -> None:
        kept = list(norms) if max(map(len, norms), default=0) <= CACHE_KEY_MAX else [w for w in norms if len(w) <= CACHE_KEY_MAX]
        kept = kept[-(self.limit // 2 or 1) :]
        if len(self.norms) + len(kept) > self.limit:
            evict(self.norms, self.atoms)
            if len(self.norms) + len(kept) > self.limit:
                evict(self.norms, self.atoms, count=len(self.norms))
        self.norms.update(zip(kept, map(norms.__getitem__, kept)))
        self.atoms.update(zip(kept, map(atoms.__getitem__, kept)))


def make_room(table: dict[Any, Any], adding: int, limit: int) -> None:
    """Before `adding` entries go into a cache of `limit`: if they would not fit, drop its older half, or
    more, as many as they need."""
    if len(table) + adding > limit:
        evict(table, count=max(len(table) // 2, len(table) + adding - limit))


def evict(*tables: dict[Any, Any], count: int | None = None) -> None:
    """Drop the older half (or `count`) of each cache (dicts keep insertion order): recent words stay."""
    for table in tables:
        for key in list(islice(table, len(table) // 2 if count is None else count)):
            table.pop(key, None)
