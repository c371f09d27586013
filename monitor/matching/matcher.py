"""Find watched actors and events in a text, fast at 10,000 aliases.

Each distinct word of the text is folded once (and cached) into a key: its normal form for short
words, its transliteration skeleton for words of 5+ letters (Qasem = Qassem = Qasim = Ghasem), or —
when that skeleton is one edit away from exactly one alias word's — that alias word's key (small
misspellings). Events use Snowball stems of words (`stems`: deploy = deployed = deployment), never
fuzzily: a phrase of one word (or hyphenated compound) is found like an alias; a longer one when its
content words all stand within EVENT_WINDOW words of one sentence, in any order (`_windows`). A word's
token is its key, its stem or both (for the few words that are an alias word and a phrase word), and
each token that some alias or phrase has gets a code of two characters (other words get `##`).

The text is cut at its spaces; each chunk is cached with its segment of the line, as long as the
chunk and the space after it: per word its code's first character on the word's first character,
tabs over the rest of the word, the code's second character just after the word; spaces elsewhere
(links, e-mail addresses, file names and model numbers too). So the line is the text's length (plus one), one
Aho-Corasick scan that skips whitespace finds every alias, event phrase and context or not_when
phrase as whole words where they end in the text, and counting cells counts words (two cells each).

rapidfuzz then verifies only the actor candidates, once per spelling (a transliteration needs a
ratio of 60, a misspelling one edit in a word of 6+ letters), so a folding collision (Milley / Malay)
is rejected; bare surnames that collide anyway (Milla, Milei) are the watchlist's ambiguous aliases,
with context words. A person's bare surname, and a misspelt short name, need more evidence in the
text (`_confirmed`). Short all-caps aliases (KH, IS, US) must match case-sensitively.

The work per text is bounded: a word of more than LONG_WORD characters never matches (it is not even
folded), a word much longer than every alias word is never compared, words and chunks longer than
_CACHE_KEY_MAX are not cached, and user regexes share REGEX_BUDGET seconds per text by the clock
the caller gives (none is read here; without one each pattern has its own REGEX_TIMEOUT); what did
not run in time is returned, by label.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Container
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, islice, product
from math import ceil, inf, sqrt
from operator import itemgetter
from typing import Any, NamedTuple

import ahocorasick
import regex
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from monitor.matching import stems
from monitor.matching.layout import close_indented_cuts
from monitor.matching.normalise import WORD, WRAPPED_WORD, blank_non_prose, crosses_sentence, fold, is_wrapped, skeleton, tokenize, unwrap_word
from monitor.model import Match, Watchlist

REGEX_TIMEOUT = 0.25  # seconds at most per pattern per text
REGEX_BUDGET = 0.5  # seconds for all patterns together per text: once spent, the other patterns are skipped
LONG_WORD = 1000  # characters: a longer word never matches (aliases and phrases have at most 200)
FUZZY_MIN_LEN = 5  # shorter words must be spelt exactly
SKELETON_FLOOR = 60.0  # ratio a same-skeleton word needs (transliterations differ in vowels)
MISSPELLING_MIN_LEN = 6  # alias words this long accept one edit (Soleimanni, Hezbolah)
NOT_WHEN_WINDOW = 6  # words either side in which a not_when phrase cancels a match
CONTEXT_WINDOW = 20  # words either side in which an ambiguous alias needs a context word
EVENT_WINDOW = 6  # words (same sentence) within which an event phrase's words count in any order and form
WORDS_SCORE = 90.0  # an event phrase found inflected or as its words (the phrase as listed scores 100)
SHORT_NAME = 8  # letters: a misspelt alias word this short counts only with more evidence
TITLES = frozenset(  # folded words before a surname that name the person (General Soleimani, Mr Trump)
    "gen general secretary president mr mrs ms miss dr minister commander lt col colonel maj major sgt capt captain "
    "brig adm admiral sen senator rep gov governor ayatollah sheikh chairman chief leader prime premier mayor judge "
    "prince king queen emir sultan imam lieutenant sir lord lady m mme monsieur madame herr frau senor sr sra signor "
    "اللواء الجنرال العميد الرئيس القائد الشيخ السيد الفريق سردار ژنرال генерал президент министр".split()
)
_NEVER = "#"  # the key of a word that must never match (digits, URLs)
_CACHE_LIMIT = 50_000  # entries per table (≈ 20 MB with the fold caches; ≈ 150 MB at 500,000); a full table drops its older half
_CACHE_KEY_MAX = 100  # characters: longer words and chunks are worked out each time, never cached
_CELL_BEFORE = regex.compile(r"[^ \t]", regex.REVERSE)  # the last code cell before a position
_CELL_AFTER = regex.compile(r"[^ \t]")
_NOT_TAB_BEFORE = regex.compile(r"[^\t]", regex.REVERSE)  # a word's first cell, from its end
_NOT_TAB_AFTER = regex.compile(r"[^\t]")

_Said = tuple[str, dict[str, Any]]  # what a Match says besides where and how well: its kind, and all its fields (found, start, end, score to fill)
_Found = tuple[int, int, float, _Said, str]  # a candidate match: start, end, score, the rest, how an event phrase was found
_Hit = tuple[int, tuple[int, tuple[int, ...], tuple[int, ...], int, str]]  # the scan's output: a form's end and its value (see _automaton)
_Ranked = tuple[tuple[tuple[float, _Said, str], ...] | None, tuple[list[tuple[float, int, _Said, int, str]], ...]]  # see Matcher._rank


def is_acronym(alias: str) -> bool:
    """Short all-caps aliases match case-sensitively: `US` is not `us`."""
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and len(letters) <= 5 and all(c.isupper() for c in letters)


def _norms(phrase: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokenize(phrase))


@lru_cache(maxsize=10_000)
def _phrase_words(phrase: str) -> int:
    return len(_norms(phrase))


@lru_cache(maxsize=4096)  # context lists are shared by many aliases (a YAML anchor)
def _padded_stems(phrase: str) -> str:
    """A phrase for the automaton: per word its stems (in the phrase's languages) joined by `|`, space-separated."""
    tokens = tokenize(phrase)
    languages = stems.languages_of(t.text for t in tokens)
    return " " + " ".join("|".join(stems.stems_of(t.norm, languages)) for t in tokens) + " "


def _units(phrase: str) -> tuple[tuple[str, ...], list[tuple[str, ...]], list[str]]:
    """An event phrase's normal forms, and its units: its content words (stop words of its languages
    left out, unless it has nothing else) and its hyphenated compounds (de-escalation: `de`, then
    `escalation`, side by side); per unit its normal forms and its padded stems."""
    tokens = tokenize(phrase)
    languages = stems.languages_of(t.text for t in tokens)
    groups: list[list[Any]] = []
    for before, token in zip([None, *tokens], tokens):
        if before is not None and phrase[before.end : token.start] in ("-", "\u2010", "\u2011"):
            groups[-1].append(token)
        else:
            groups.append([token])
    content = [g for g in groups if len(g) > 1 or not stems.is_stop_word(g[0].norm, languages)] or groups
    units = [tuple(t.norm for t in g) for g in content]
    padded = [" " + " ".join("|".join(stems.stems_of(n, languages)) for n in unit) + " " for unit in units]
    return tuple(t.norm for t in tokens), units, padded


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


def _codes(count: int) -> list[str]:
    """`count` codes of two characters from disjoint sets (neither whitespace nor `#`), so a run of
    codes can only be matched code by code; the sets stay small, as the automaton's nodes search
    their children one by one."""
    chars = (chr(c) for c in range(0x21, 0x110000) if not 0xD800 <= c < 0xE000 and not chr(c).isspace() and c != ord(_NEVER))
    size = max(1, ceil(sqrt(count)))
    firsts, seconds = [next(chars) for _ in range(size)], [next(chars) for _ in range(size)]
    return [f + s for f in firsts for s in seconds][:count]


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
    """Cached per distinct word (normal form, actor key, stem: `#` unless a phrase has it, code) and per
    space-separated chunk of text (its line segment). Only unseen chunks and words run Python.

    A word's token is its actor key, `=` and its stem, or both (`key=stem`, for the few words that are
    an alias word and a phrase word: every such pair is enumerated here); each token has a code of two
    characters, other words have `##`.
    """

    def __init__(self, alias_words: dict[str, set[str]], phrase_stems: set[str], languages: tuple[str, ...] = ("english",)) -> None:
        self.norm, self.key, self.stem, self.code = (_Table(self._learn_word, i) for i in range(4))
        self.segment = _Table(self._learn_chunk, 0)
        self.alias_words = alias_words  # actor key -> the alias words (normal forms) that have it
        self.phrase_stems = phrase_stems  # of event phrases and context and not_when phrases: other stems never match
        self.languages = languages  # whose stemmers the phrases used: a word's stems are tried in this order
        self.neighbours: dict[str, set[str]] = {}
        self.longest_key = max(map(len, alias_words), default=0)  # a longer key has no deletion in `neighbours`
        self.longest_word = max((len(w) for ws in alias_words.values() for w in ws), default=0)
        for key in alias_words:
            if len(key) >= FUZZY_MIN_LEN - 1:
                for d in _deletions(key) | {key}:
                    self.neighbours.setdefault(d, set()).add(key)
        self.pairs = self._pairs()
        # stems first: phrase words are common words, and the automaton finds the first codes soonest
        tokens = [*(f"={s}" for s in sorted(phrase_stems)), *(f"{k}={s}" for k, s in sorted(self.pairs)), *sorted(alias_words)]
        self.codes = dict(zip(tokens, _codes(len(tokens))))  # token -> its two characters

    def _pairs(self) -> set[tuple[str, str]]:
        """The (actor key, stem) of the alias words whose stem a phrase has (a word that is both; a
        variant of such a word with another stem keeps its key alone: `_learn_word`)."""
        return {(key, s) for key, ws in self.alias_words.items() for w in ws if (s := self._stem(w)) != _NEVER}

    def _stem(self, norm: str) -> str:
        """The word's first stem (in `languages`' order) that a phrase has, or `#`."""
        for language in self.languages:
            if (s := stems.stem(norm, language)) in self.phrase_stems:
                return s
        return _NEVER

    def _learn_word(self, word: str) -> tuple[str, str, str, str]:
        if len(word) > LONG_WORD or any(c.isdigit() for c in word):
            norm = key = stem_ = _NEVER
        else:
            norm = fold(unwrap_word(word)).replace(" ", "_") or _NEVER
            key, stem_ = self._actor_key(norm), self._stem(norm)  # fewer codes: `#` unless a phrase has it
        code = self.codes.get(_token(key, stem_)) or self.codes.get(key, _NEVER * 2)  # a variant of an alias word with another stem: its key
        _store((self.norm, self.key, self.stem, self.code), word, (norm, key, stem_, code))
        return norm, key, stem_, code

    def _learn_chunk(self, chunk: str) -> tuple[str]:
        cells = [" "] * (len(chunk) + 1)
        for m in (WRAPPED_WORD if is_wrapped(chunk) else WORD).finditer(blank_non_prose(chunk)):
            a, b = m.span()
            code = self.code[m.group()]
            cells[a : b + 1] = code[0] + "\t" * (b - a - 1) + code[1]
        segment = "".join(cells)
        _store((self.segment,), chunk, (segment,))
        return (segment,)

    def _actor_key(self, norm: str) -> str:
        """The alias key this word (or the word without an Arabic prefix or Russian case ending) agrees with.

        A word over 7/3 of the longest alias word's length (plus an ending) agrees with none (`_word_agrees`)."""
        if 3 * len(norm) > 7 * self.longest_word + 9:
            return _NEVER
        for form in _forms(norm):
            key = _shape(form)
            if FUZZY_MIN_LEN <= len(form) and len(key) <= self.longest_key + 1 and key not in self.alias_words:
                near = set().union(*(self.neighbours.get(d, ()) for d in _deletions(key) | {key}))
                key = near.pop() if len(near) == 1 else key
            if any(_word_agrees(form, alias) for alias in self.alias_words.get(key, ())):
                return key
        return _NEVER


def _token(key: str, stem_: str) -> str:
    """A word's token: its actor key, `=stem`, `key=stem`, or `#`."""
    if stem_ == _NEVER:
        return key
    return f"={stem_}" if key == _NEVER else f"{key}={stem_}"


def _store(tables: tuple[_Table, ...], key: str, values: tuple[Any, ...]) -> None:
    if len(key) > _CACHE_KEY_MAX:
        return
    if len(tables[0]) >= _CACHE_LIMIT:
        for table in tables:
            _evict(table)
    for table, value in zip(tables, values):
        table[key] = value


def _evict(table: dict[Any, Any]) -> None:
    """Drop the older half of a full cache (dicts keep insertion order): recent words stay, and the
    cost per word stored stays constant."""
    for key in list(islice(table, len(table) // 2)):  # one C call: no other thread runs meanwhile
        table.pop(key, None)


@lru_cache(maxsize=None)
def _words_back(n: int) -> Any:
    """A pattern that finds n words of a line backwards from the end of the last: per word a group for
    its first cell and one for the cell after it."""
    return regex.compile(" *".join([r"([^ \t])\t*([^ \t])"] * n), regex.REVERSE)


class TextWords:
    """The line of one text, as long as the text and one more cell: for each word, its code's first
    character on the word's first character, tabs over the rest of the word, its code's second
    character just after the word (on a space, a dash, or the line's last cell); spaces elsewhere. So
    positions are text positions, and as each word has two cells, counting cells counts words."""

    def __init__(self, words: _Words, text: str) -> None:
        # links, e-mail addresses, file names and model numbers never hold a space: blanked chunk by chunk, cached
        self.line = "".join(map(words.segment.__getitem__, text.split(" ")))

    def before(self, pos: int) -> int:
        """How many words start before a position (its cells before it: two per word, one for a word it cuts)."""
        return (pos - self.line.count(" ", 0, pos) - self.line.count("\t", 0, pos) + 1) // 2

    def between(self, end: int, later_end: int) -> int:
        """How many words end after `end` and by `later_end` (both the end of a word)."""
        return (later_end - end - self.line.count(" ", end, later_end) - self.line.count("\t", end, later_end)) // 2

    def start(self, end: int) -> int:
        """Where the word ending at `end` starts."""
        return _NOT_TAB_BEFORE.search(self.line, 0, end).start()

    def end(self, start: int) -> int:
        """Where the word starting at `start` ends."""
        return _NOT_TAB_AFTER.search(self.line, start + 1).start()

    def spans(self, end: int, n: int) -> list[tuple[int, int]]:
        """Where the n words up to the one ending at `end` start and end."""
        cells = _words_back(n).search(self.line, 0, end + 1).regs
        return [(cells[i][0], cells[i + 1][0]) for i in range(1, 2 * n, 2)]

    def neighbours(self, start: int, end: int) -> list[int]:
        """Where the words just before `start` and just after `end` start (those that exist)."""
        before, after = _CELL_BEFORE.search(self.line, 0, start), _CELL_AFTER.search(self.line, end + 1)
        return ([self.start(before.start())] if before else []) + ([after.start()] if after else [])


class Scan(NamedTuple):
    """What `Matcher.scan` finds in a text: the matches, the text's words (for word distances), and the
    user regexes (by label) that timed out on it or were skipped once the text's budget was spent."""

    matches: list[Match]
    words: TextWords
    timed_out: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


class Matcher:
    """A compiled watchlist; `find()` is pure and thread-safe (its word cache only grows).

    `clock` (seconds, e.g. time.monotonic) lets the user regexes share REGEX_BUDGET per text; without
    one, each has REGEX_TIMEOUT of its own."""

    def __init__(self, watchlist: Watchlist, clock: Callable[[], float] | None = None) -> None:
        self.watchlist, self.clock = watchlist, clock
        self._aliases: list[_Alias] = []
        self._patterns: list[tuple[_Said, regex.Pattern[str], str]] = []  # what a match says, the regex, its label
        self._not_when: dict[tuple[str, int], tuple[str, ...]] = {}
        actor_patterns: dict[str, list[int]] = {}
        self._bare: set[int] = set()  # aliases that are a person's bare surname: they count once the person is named
        for i, actor in enumerate(watchlist.actors):
            context = dict(actor.context)
            all_norms = {n: _norms(n) for n in (actor.name, *actor.aliases)} if actor.kind == "person" else {}
            surnames = {ns[-1] for ns in all_norms.values() if len(ns) > 1}
            for text in actor.aliases:
                norms = all_norms[text] if text in all_norms else _norms(text)
                if not norms:
                    continue
                raw = tuple(t.text for t in tokenize(text)) if is_acronym(text) else None
                needs = tuple(_padded_stems(c) for c in context.get(text, ()))
                if len(norms) == 1 and actor.bare_surname != "always" and any(_word_agrees(norms[0], w) for w in surnames):
                    self._bare.add(len(self._aliases))
                actor_patterns.setdefault(" ".join(_shape(n) for n in norms), []).append(len(self._aliases))
                self._aliases.append(_Alias("actor", i, text, norms, raw, needs))
            self._compile_extras("actor", i, actor.patterns, actor.not_when)
        units: list[tuple[int, list[tuple[str, ...]], list[str]]] = []  # per event phrase of 2+ units: alias id, its units' normal forms, padded stems
        event_patterns: dict[str, list[int]] = {}  # phrases of one unit (a word, a compound): found like aliases
        self._unit_norms: dict[int, tuple[str, ...]] = {}  # the one unit's normal forms: its words as listed, without stop words
        phrases: list[str] = []
        for i, event in enumerate(watchlist.events):
            context = dict(event.context)  # an ambiguous phrase (strike) counts only near one of its context words
            for text in event.phrases:
                norms, unit_norms, padded = _units(text)
                if norms:
                    if len(padded) == 1:
                        event_patterns.setdefault(padded[0].strip(), []).append(len(self._aliases))
                        self._unit_norms[len(self._aliases)] = unit_norms[0]
                    else:
                        units.append((len(self._aliases), unit_norms, padded))
                    phrases += padded
                    self._aliases.append(_Alias("event", i, text, norms, None, tuple(_padded_stems(c) for c in context.get(text, ()))))
            self._compile_extras("event", i, event.patterns, event.not_when)
        alias_words: dict[str, set[str]] = {}
        for alias in self._aliases:
            if alias.kind == "actor":
                for norm in alias.norms:
                    alias_words.setdefault(_shape(norm), set()).add(norm)
        near_phrases = [p for _, _, padded in units for p in padded]
        near_phrases += [p for a in self._aliases for p in a.context] + [p for ps in self._not_when.values() for p in ps]
        phrases += near_phrases
        texts = [a.text for a in self._aliases if a.kind == "event"] + [p for w in (*watchlist.actors, *watchlist.events) for _, ps in w.context for p in ps]
        texts += [p for w in (*watchlist.actors, *watchlist.events) for p in w.not_when]
        used = {lang for t in texts for lang in stems.languages_of(t.split())}
        self._words = _Words(alias_words, {v for p in phrases for w in p.split() for v in w.split("|")}, tuple(lang for lang in stems.LANGUAGES if lang in used))
        near = sorted(set(near_phrases))
        number = {p: k for k, p in enumerate(near)}
        self._context = [frozenset(number[p] for p in a.context) for a in self._aliases]
        self._not_when_at = {at: frozenset(number[p] for p in ps) for at, ps in self._not_when.items()}
        # events: per phrase its units (by number in `near`); per unit the phrases that have it
        self._units = {alias_id: (tuple(number[p] for p in padded), tuple(unit_norms)) for alias_id, unit_norms, padded in units}
        self._phrases_of: dict[int, list[int]] = {}
        for alias_id, (numbers, _) in self._units.items():
            for u in dict.fromkeys(numbers):
                self._phrases_of.setdefault(u, []).append(alias_id)
        self._scan = _automaton(self._words, actor_patterns, event_patterns, near)
        self._said = [self._template(a.kind, a.index, a.text) for a in self._aliases]
        windows = {(kind, i): dict(w.within) for kind, ws in (("actor", watchlist.actors), ("event", watchlist.events)) for i, w in enumerate(ws)}
        self._window = [windows[(a.kind, a.index)].get(a.text, CONTEXT_WINDOW) for a in self._aliases]  # words in which its context must be
        self._checks = [(a.raw is not None, c if a.context else None, self._not_when_at[(a.kind, a.index)]) for a, c in zip(self._aliases, self._context)]
        self._plain = {i for i, (acronym, context, not_when) in enumerate(self._checks) if not acronym and context is None and not not_when and i not in self._bare}
        actor_context: dict[int, set[int]] = {}
        for a, c in zip(self._aliases, self._context):
            if a.kind == "actor":
                actor_context.setdefault(a.index, set()).update(c)
        self._actor_context = {i: frozenset(c) for i, c in actor_context.items()}  # all an actor's context phrases: evidence for a misspelt short name
        self._ranked: dict[tuple[int, tuple[str, ...]], _Ranked] = {}  # cached _rank
        self.rule_selectors = [(rule, *watchlist.rule_scope(rule)) for rule in watchlist.rules]  # per rule, the actors and events (names) it can pair

    def _compile_extras(self, kind: str, i: int, patterns: tuple[str, ...], not_when: tuple[str, ...]) -> None:
        for pattern in patterns:
            said = self._template(kind, i, pattern)
            label = f"{kind} {said[1]['name']!r} pattern {pattern!r}"
            self._patterns.append((said, regex.compile(pattern, regex.IGNORECASE | regex.V1), label))
        self._not_when[(kind, i)] = tuple(_padded_stems(p) for p in not_when)

    def _template(self, kind: str, i: int, alias: str) -> _Said:
        """What a match says besides where and how well: its kind, and its fields in order (name, alias,
        severity, category; found, start, end and score are filled per match)."""
        if kind == "actor":
            actor = self.watchlist.actors[i]
            name, severity, category, cameo, part_of = actor.name, 0, actor.kind, "", actor.part_of
        else:
            event = self.watchlist.events[i]
            name, severity, category, cameo, part_of = event.name, event.severity, "", event.cameo, ""
        fields = {"kind": kind, "name": name, "alias": alias, "found": "", "start": 0, "end": 0, "score": 0.0, "severity": severity, "category": category, "cameo": cameo, "part_of": part_of, "form": ""}
        return kind, fields

    def find(self, text: str) -> list[Match]:
        """All non-overlapping actor and event matches in a text, in text order."""
        return self.scan(text).matches

    def slow_patterns(self, text: str, skip: Container[str] = ()) -> list[str]:
        """The user regexes (labels) that time out on a text, each given REGEX_TIMEOUT (no shared budget)."""
        return self._regex_matches(text, inf, skip)[1]

    def scan(self, text: str) -> Scan:
        """The matches, the text's words (for word distances), and the user regexes that ran out of time."""
        text = close_indented_cuts(text)  # same length: spans stay the original's
        words = TextWords(self._words, text)
        line, plain, ranks = words.line, self._plain, self._ranked
        hits = list(self._scan.iter(line, ignore_white_space=True)) if len(self._scan) else []
        seen: dict[int, list[tuple[int, int]]] | None = None  # where each context or not_when phrase was seen, once needed
        present: set[int] | None = None  # which were seen at all (enough for most not_when phrases: none of them is there)
        found, timed_out, skipped = self._regex_matches(text, REGEX_BUDGET)
        doubtful: dict[tuple[int, int], tuple[int, int]] = {}  # actor matches that need more evidence: span -> (alias id, why)
        for end, (n, ids, _, form, first) in compress(hits, map(_IDS, map(_VALUE, hits))):  # hits of aliases (most are of context phrases only)
            if n == 1:
                start = line.rfind(first, 0, end)  # only tabs lie between a word's two cells
                raw: tuple[str, ...] = (text[start:end],)
            else:
                spans = words.spans(end, n)
                start, raw = spans[0][0], tuple(text[a:b] for a, b in spans)
            picks, ranked = ranks.get((form, raw)) or self._rank(form, ids, raw)
            if picks is not None:  # each kind's best alias has no checks
                found += [(start, end, score, said, how) for score, said, how in picks]
                continue
            for candidates in ranked:  # per kind, the first allowed
                for score, alias_id, said, doubt, how in candidates:
                    if alias_id not in plain:
                        acronym, context, not_when = self._checks[alias_id]
                        checked = acronym or context is not None
                        if not checked:  # only not_when: nothing to check when none of its phrases is there
                            present = _present(hits) if present is None else present
                            checked = not not_when.isdisjoint(present)
                        if checked:
                            seen = _seen(hits) if seen is None else seen
                            if not self._allowed(alias_id, start, end, n, words, text, seen):
                                continue
                    if doubt:
                        doubtful[(start, end)] = (alias_id, doubt)
                    found.append((start, end, score, said, how))
                    break
        if self._phrases_of and hits:
            present = _present(hits) if present is None else present
            if not present.isdisjoint(self._phrases_of):
                seen = _seen(hits) if seen is None else seen
                found += self._events(text, words, present, seen)
        kept = _without_overlaps(found)
        if doubtful:
            kept = self._confirmed(kept, doubtful, text, words, hits)
        return Scan([_match(said[1], text[a:b], a, b, score, how) for a, b, score, said, how in kept], words, tuple(timed_out), tuple(skipped))

    def _events(self, text: str, words: TextWords, present: set[int], seen: dict[int, list[tuple[int, int]]]) -> list[_Found]:
        """The event phrases found: each of their units (content words, compounds) in any form, all
        within EVENT_WINDOW words of one sentence, in any order; not near a not_when phrase."""
        out: list[_Found] = []
        candidates = sorted({a for u in present.intersection(self._phrases_of) for a in self._phrases_of[u]})
        for alias_id in candidates:
            numbers, unit_norms = self._units[alias_id]
            if not present.issuperset(numbers):
                continue
            for chosen in _windows(numbers, seen, words, text):  # per unit: (first word, last word, end, words)
                start, end = words.spans(chosen[0][2], chosen[0][3])[0][0], max(c[2] for c in chosen)
                total = max(c[1] for c in chosen) - chosen[0][0] + 1
                if alias_id not in self._plain and not self._allowed(alias_id, start, end, total, words, text, seen):
                    continue
                alias = self._aliases[alias_id]
                in_order = all(c[0] <= d[0] for c, d in zip(chosen, chosen[1:])) and [c[4] for c in chosen] == list(range(len(chosen)))
                spans = words.spans(end, total)
                as_written = tuple(self._words.norm[text[a:b]] for a, b in spans)
                if as_written == alias.norms:
                    out.append((start, end, 100.0, self._said[alias_id], ""))
                    continue
                inflected = any(tuple(self._words.norm[text[a:b]] for a, b in words.spans(c[2], c[3])) != unit_norms[c[4]] for c in chosen)
                adjacent = in_order and total == len(alias.norms)
                how = "inflected" if adjacent else ("words, inflected" if inflected else "words")
                out.append((start, end, WORDS_SCORE, self._said[alias_id], how))
        return out

    def _confirmed(self, kept: list[_Found], doubtful: dict[tuple[int, int], tuple[int, int]], text: str, words: TextWords, hits: list[_Hit]) -> list[_Found]:
        """The matches without the doubtful actor matches that lack evidence: a bare surname counts once
        the person was named (by another alias, or a title before the surname) earlier in the text, with a
        title before it, or in a text that names a watched event or another watched actor; a misspelt
        short name counts with the person named elsewhere in the text or a context word near."""
        named = {m[3][1]["name"] for m in kept if m[3][0] == "actor" and (m[0], m[1]) not in doubtful}  # by a sure alias, anywhere
        introduced: set[str] = set()
        in_domain: dict[str, bool] = {}
        seen: dict[int, list[tuple[int, int]]] | None = None
        out: list[_Found] = []
        for m in kept:
            start, end, _, said, _ = m
            name = said[1]["name"]
            if said[0] == "actor" and (start, end) in doubtful:
                alias_id, doubt = doubtful[(start, end)]
                if doubt & _BARE:
                    before = [a for a in words.neighbours(start, end) if a < start]
                    titled = bool(before) and self._words.norm[text[before[0] : words.end(before[0])]] in TITLES
                    if not titled and name not in introduced:
                        if name not in in_domain:
                            in_domain[name] = _in_domain(name, kept)
                        if not in_domain[name]:
                            continue
                if doubt & _MISSPELT and name not in named:
                    context = self._actor_context.get(self._aliases[alias_id].index, frozenset())
                    n = len(self._aliases[alias_id].norms)
                    seen = _seen(hits) if seen is None else seen
                    if not context or not _near(context, end, n, words, seen, CONTEXT_WINDOW):
                        continue
            if said[0] == "actor":
                introduced.add(name)
            out.append(m)
        return out

    def _rank(self, form: int, ids: tuple[int, ...], raw: tuple[str, ...]) -> _Ranked:
        """Per kind, the aliases found (`ids`) that agree with the words as written, best score first (then
        in order), each with why it needs more evidence (`_BARE`, `_MISSPELT` or 0) and how an event
        phrase was found: the first that its context, not_when and capitals allow is the kind's match,
        as overlap removal would keep no other. First, when each kind's best has no such checks, just
        (score, said, how) per kind; else None."""
        actors, events = [], []
        norms = tuple(map(self._words.norm.__getitem__, raw))
        for i in ids:
            alias = self._aliases[i]
            if alias.kind == "event":
                how = "" if norms == alias.norms else "words" if norms == self._unit_norms[i] else "inflected"
                events.append((100.0 if not how else WORDS_SCORE, i, self._said[i], 0, how))
            elif (score := self._agreement(alias, raw)) is not None:
                doubt = _BARE * (i in self._bare) | _MISSPELT * (alias.raw is None and _misspelt_short(norms, alias.norms))
                actors.append((score, i, self._said[i], doubt, ""))
        actors.sort(key=lambda c: -c[0])
        events.sort(key=lambda c: -c[0])
        ranked = tuple(c for c in (actors, events) if c)
        picks = tuple((c[0][0], c[0][2], c[0][4]) for c in ranked) if all(c[0][1] in self._plain and not c[0][3] for c in ranked) else None
        if len(self._ranked) >= _CACHE_LIMIT:
            _evict(self._ranked)
        self._ranked[(form, raw)] = (picks, ranked)
        return picks, ranked

    def _agreement(self, alias: _Alias, raw: tuple[str, ...]) -> float | None:
        """The actor alias's score for the words as written, or None."""
        if alias.raw is None:
            return _agreement(tuple(map(self._words.norm.__getitem__, raw)), alias.norms)
        return 100.0 if tuple(_strip_possessive(w) for w in raw) == alias.raw else None

    def _allowed(self, alias_id: int, start: int, end: int, n: int, words: TextWords, text: str, seen: dict[int, list[tuple[int, int]]]) -> bool:
        """Whether an alias found from `start` to `end` (n words) stands outside capitals (acronyms),
        near one of its context phrases (if it has some) and not near a not_when phrase."""
        acronym, context, not_when = self._checks[alias_id]
        if acronym:
            around = [text[a : words.end(a)] for a in words.neighbours(start, end)]
            if any(len(w) >= 4 and w.isalpha() and w.isupper() for w in around):  # a headline: PLEASE HELP US FIND OUR DOG
                return False
        if context is not None and (context.isdisjoint(seen) or not _near(context, end, n, words, seen, self._window[alias_id])):
            return False
        return not_when.isdisjoint(seen) or not _near(not_when, end, n, words, seen, NOT_WHEN_WINDOW)

    def _regex_matches(self, text: str, budget: float, skip: Container[str] = ()) -> tuple[list[_Found], list[str], list[str]]:
        """The user regexes' matches, each pattern given at most REGEX_TIMEOUT and all together `budget`
        seconds; and the labels of those that timed out and of those skipped once the budget was spent."""
        out: list[_Found] = []
        timed_out: list[str] = []
        skipped: list[str] = []
        clock = self.clock or _no_clock
        deadline = clock() + budget
        for said, pattern, label in self._patterns:
            left = deadline - clock()
            if left <= 0 or label in skip:
                skipped.append(label)
                continue
            try:
                for m in pattern.finditer(text, timeout=min(REGEX_TIMEOUT, left)):
                    if m.end() > m.start():
                        out.append((m.start(), m.end(), 100.0, said, ""))
            except TimeoutError:
                timed_out.append(label)  # a catastrophic pattern gives up on this text instead of stalling the daemon
        return out, timed_out, skipped


def _no_clock() -> float:
    """The time for a Matcher given no clock: none passes, so no pattern uses another's time."""
    return 0.0


def _automaton(words: _Words, actors: dict[str, list[int]], events: dict[str, list[int]], near: list[str]) -> Any:
    """One automaton over the codes of a line: each alias, event phrase of one unit, and unit of a
    longer event phrase and context or not_when phrase (by number in `near`) (event words: their stems,
    `|`-separated), in every form its words' tokens can take (a key or stem alone, or with the stem or
    key that the same word also has). A value is (words, alias ids, phrase numbers, its own
    number, its first character: a one-word form's first cell, found back from its end with `rfind`)."""
    by_key: dict[str, list[str]] = {}
    by_stem: dict[str, list[str]] = {}
    for key, stem_ in sorted(words.pairs):
        by_key.setdefault(key, []).append(f"{key}={stem_}")
        by_stem.setdefault(stem_, []).append(f"{key}={stem_}")
    forms: dict[str, tuple[int, list[int], list[int]]] = {}

    def add(variants: list[list[str]], ids: list[int], phrases: list[int]) -> None:
        for tokens in product(*variants):
            if all(t in words.codes for t in tokens):  # else no word can have it (an alias word with digits)
                value = forms.setdefault("".join(words.codes[t] for t in tokens), (len(tokens), [], []))
                value[1].extend(ids)
                value[2].extend(phrases)

    for pattern, ids in actors.items():
        add([[k, *by_key.get(k, ())] for k in pattern.split()], ids, [])
    def variants(phrase: str) -> list[list[str]]:
        return [[t for s in word.split("|") for t in (f"={s}", *by_stem.get(s, ()))] for word in phrase.split()]

    for pattern, ids in events.items():
        add(variants(pattern), ids, [])
    for number, phrase in enumerate(near):
        if phrase.split():
            add(variants(phrase), [], [number])
    scan = ahocorasick.Automaton()
    if forms:  # first, so that `#` is the first character the root looks for: a key that never occurs (`#` then a second character)
        scan.add_word(_NEVER + next(iter(forms))[1], (0, (), (), -1, ""))
    for number, (form, (n, ids, phrases)) in enumerate(sorted(forms.items())):  # a node searches its children in the order added: first codes first
        scan.add_word(form, (n, tuple(ids), tuple(phrases), number, form[0]))
    if forms:
        scan.make_automaton()
    return scan


def _present(hits: list[_Hit]) -> set[int]:
    """Which context or not_when phrases a text has (in C: no loop over the hits here)."""
    return set().union(*map(_PHRASES, map(_VALUE, hits)))


_VALUE = itemgetter(1)  # of a hit: (end, value)
_IDS, _PHRASES = itemgetter(1), itemgetter(2)  # of a value: (words, alias ids, phrase numbers, number, first character)


def _seen(hits: list[_Hit]) -> dict[int, list[tuple[int, int]]]:
    """Where each context or not_when phrase was seen: its end and its number of words."""
    seen: dict[int, list[tuple[int, int]]] = {}
    for end, (n, _, phrases, _, _) in hits:
        for p in phrases:
            seen.setdefault(p, []).append((end, n))
    return seen


def _near(phrases: frozenset[int], end: int, n: int, words: TextWords, seen: dict[int, list[tuple[int, int]]], window: int) -> bool:
    """Whether one of the phrases was seen wholly within `window` words of the n words up to `end`."""
    for p in phrases:
        for phrase_end, length in seen.get(p, ()):
            after = words.between(end, phrase_end) if phrase_end >= end else -words.between(phrase_end, end)  # last word to last word
            if after - length + 1 >= 1 - n - window and after <= window:
                return True
    return False


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


def _match(fields: dict[str, Any], found: str, start: int, end: int, score: float, form: str = "") -> Match:
    """The same Match as `Match(**fields, ...)`, its fields set straight into its `__dict__` (a frozen
    dataclass's `__init__` sets each through `object.__setattr__`: three times slower)."""
    match: Match = object.__new__(Match)
    values = match.__dict__
    values.update(fields)
    values["found"], values["start"], values["end"], values["score"], values["form"] = found, start, end, score, form
    return match


_BARE, _MISSPELT = 1, 2  # why an actor match needs more evidence


def _in_domain(name: str, kept: list[_Found]) -> bool:
    """Whether a text names a watched event, or a watched actor other than `name`."""
    return any(k[3][0] == "event" or k[3][1]["name"] != name for k in kept)


def _misspelt_short(found: tuple[str, ...], alias: tuple[str, ...]) -> bool:
    """Whether a word of SHORT_NAME letters or fewer agrees with its alias word only as a one-edit
    misspelling (not as written, nor as a transliteration)."""
    return any(f != w and len(w) <= SHORT_NAME and not any(g == w or (skeleton(g) == skeleton(w) and fuzz.ratio(g, w) >= SKELETON_FLOOR) for g in _forms(f)) for f, w in zip(found, alias))


def _windows(numbers: tuple[int, ...], seen: dict[int, list[tuple[int, int]]], words: TextWords, text: str) -> list[list[tuple[int, int, int, int, int]]]:
    """Where all the units (by number) stand within EVENT_WINDOW words of one sentence: per place, per
    unit in text order (first word, last word, end, its words, the unit's position in the phrase);
    each place starts at an occurrence of a unit and takes each other unit's next occurrence."""
    if len(numbers) == 1:
        return [[(0, n - 1, end, n, 0)] for end, n in seen[numbers[0]]]
    last_word: dict[int, int] = {}  # per end of an occurrence, its last word's number: counted from one end to the next
    previous = -1
    for end in sorted({end for u in numbers for end, _ in seen[u]}):
        last_word[end] = words.before(end) - 1 if previous < 0 else last_word[previous] + words.between(previous, end)
        previous = end
    places: list[tuple[int, int, int, int, int]] = []  # every occurrence of every unit
    for k, u in enumerate(numbers):
        for end, n in seen[u]:
            last = last_word[end]
            places.append((last - n + 1, last, end, n, k))
    places.sort()
    out: list[list[tuple[int, int, int, int, int]]] = []
    for i, anchor in enumerate(places):
        chosen = {anchor[4]: anchor}
        for j in range(i + 1, len(places)):
            p = places[j]
            if p[1] - anchor[0] >= EVENT_WINDOW:
                break
            if p[4] not in chosen and p[0] > max(c[1] for c in chosen.values()):
                chosen[p[4]] = p
        if len(chosen) == len(numbers):
            ordered = sorted(chosen.values())
            if not crosses_sentence(text, words.spans(ordered[0][2], ordered[0][3])[0][0], ordered[-1][2]):
                out.append(ordered)
    # the smallest places: none that holds another (one that starts later and ends no later)
    smallest, reach = [], inf
    for w in reversed(out):
        if w[-1][1] < reach:
            smallest.append(w)
        reach = min(reach, w[-1][1])
    return smallest[::-1]


def _by_start_and_kind(m: _Found) -> tuple[int, str]:
    return m[0], m[3][0]


def _without_overlaps(found: list[_Found]) -> list[_Found]:
    """Keep the longest, then best-scoring, match where matches of the same kind overlap; in text order
    (an actor before an event at the same start)."""
    found.sort(key=_by_start_and_kind)
    actors_reach = events_reach = -1
    for m in found:  # the common case: no overlaps at all
        if m[3][0] == "actor":
            if m[0] < actors_reach:
                break
            actors_reach = m[1]
        elif m[0] < events_reach:
            break
        else:
            events_reach = m[1]
    else:
        return found
    kept: list[_Found] = []
    for kind in ("actor", "event"):
        cluster: list[_Found] = []
        reach = -1
        for m in found:
            if m[3][0] != kind:
                continue
            if m[0] >= reach:  # a new run of overlapping matches
                kept += _best_of(cluster)
                cluster, reach = [m], m[1]
            else:
                cluster.append(m)
                reach = max(reach, m[1])
        kept += _best_of(cluster)
    return sorted(kept, key=_by_start_and_kind)


def _best_of(cluster: list[_Found]) -> list[_Found]:
    """Greedy choice inside a run of overlapping matches: longest first, then best score; for events,
    the phrase of most words first, then best score (the phrase as listed before its words spread
    out), its words as listed before inflected ones, then longest."""
    if len(cluster) <= 1:
        return cluster
    chosen: list[_Found] = []
    if cluster[0][3][0] == "event":
        order = sorted(cluster, key=lambda m: (-_phrase_words(m[3][1]["alias"]), -m[2], m[4].endswith("inflected"), m[0] - m[1], m[0]))
    else:
        order = sorted(cluster, key=lambda m: (m[0] - m[1], -m[2], m[0]))
    starts: list[int] = []  # of the chosen, which never overlap: sorted, so only the one before a match's end can reach into it
    ends: list[int] = []
    for m in order:
        i = bisect_left(starts, m[1])
        if i == 0 or ends[i - 1] <= m[0]:
            starts.insert(i, m[0])
            ends.insert(i, m[1])
            chosen.append(m)
    return chosen
