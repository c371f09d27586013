"""A watchlist compiled for matching: its aliases and event phrases numbered, the checks each must
pass, the word keys (`words`) and the phrase index (`automaton`) built from them, the user regexes.

`Matcher` (matcher.py) is a CompiledWatchlist that scans texts; this module builds what it reads.
"""

from __future__ import annotations

import gc
import unicodedata
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple, cast

import regex

from monitor.matching import stems
from monitor.matching.automaton import PhraseIndex, norms_of, padded_stems, stem_steps, units_of
from monitor.matching.overlaps import Found, Said
from monitor.matching.words import MISSPELLING_MIN_LEN, WordKeys, shape, word_agrees
from monitor.model import Actor, Event, Watchlist
from monitor.text_norm import skeleton, tokenize

REGEX_TIMEOUT = 0.25  # seconds at most per pattern per text
REGEX_MATCHES_MAX = 100  # matches kept per pattern per text: `\\w` would match a 50,000-character text 40,000 times
CONTEXT_WINDOW = 20  # words either side in which an ambiguous alias needs a context word


def is_acronym(alias: str) -> bool:
    """Short all-caps aliases match case-sensitively: `US` is not `us`; so does a capitalised one-word
    alias of three letters or fewer (the Italian press's `Usa` is not the verb `usa`)."""
    letters = [c for c in alias if c.isalpha()]
    if not letters:
        return False
    return (len(letters) <= 5 and all(c.isupper() for c in letters)) or (len(letters) <= 3 and alias.isalpha() and alias[0].isupper())


@dataclass(frozen=True)
class Alias:
    kind: str  # "actor" | "event"
    index: int  # position in watchlist.actors / .events
    text: str
    norms: tuple[str, ...]  # normal form of each word (stems for events)
    raw: tuple[str, ...] | None  # exact words for case-sensitive acronyms
    context: tuple[str, ...] = ()  # phrases (padded stems), one of which must be near


class Checks(NamedTuple):
    """What an alias must pass where found: capitals (acronyms), a context phrase near (None: no
    context), no not_when phrase near."""

    acronym: bool
    context: frozenset[int] | None
    not_when: frozenset[int]


class CompiledWatchlist:
    """The watchlist's aliases (actor aliases and event phrases, numbered), their checks, the word
    keys and the phrase index; `clock` is what the user regexes' time budget is read by."""

    clock: Callable[[], float] | None = None

    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        self._aliases: list[Alias] = []
        self._patterns: list[tuple[Said, regex.Pattern[str], str]] = []  # what a match says, the regex, its label
        self._not_when: dict[tuple[str, int], tuple[str, ...]] = {}
        actor_patterns: dict[str, list[int]] = {}
        self._bare: set[int] = set()  # aliases that are a person's bare surname: they count once the person is named
        padded_of: dict[tuple[str, ...], tuple[str, ...]] = {}  # a context list's phrases for the index, once per distinct list

        def padded_context(context: tuple[str, ...]) -> tuple[str, ...]:
            found = padded_of.get(context)
            if found is None:
                found = padded_of[context] = tuple(padded_stems(c) for c in context)
            return found

        for i, actor in enumerate(watchlist.actors):
            context = dict(actor.context)
            all_norms = {n: norms_of(n) for n in (actor.name, *actor.aliases)} if actor.kind == "person" else {}
            surnames = {ns[-1] for ns in all_norms.values() if len(ns) > 1}
            for text in actor.aliases:
                norms = all_norms[text] if text in all_norms else norms_of(text)
                if not norms:
                    continue
                raw = tuple(t.text for t in tokenize(text)) if is_acronym(text) else None
                needs = padded_context(context.get(text, ()))
                if len(norms) == 1 and actor.bare_surname != "always" and any(word_agrees(norms[0], w) for w in surnames):
                    self._bare.add(len(self._aliases))
                actor_patterns.setdefault(" ".join(shape(n) for n in norms), []).append(len(self._aliases))
                self._aliases.append(Alias("actor", i, text, norms, raw, needs))
            self._compile_extras("actor", i, actor.patterns, actor.not_when)
        units: list[tuple[int, list[tuple[str, ...]], list[str]]] = []  # per event phrase of 2+ units: alias id, its units' normal forms, padded stems
        event_patterns: dict[str, list[int]] = {}  # phrases of one unit (a word, a compound): found like aliases
        self._unit_norms: dict[int, tuple[str, ...]] = {}  # the one unit's normal forms: its words as listed, without stop words
        phrases: list[str] = []
        for i, event in enumerate(watchlist.events):
            context = dict(event.context)  # an ambiguous phrase (strike) counts only near one of its context words
            for text in event.phrases:
                norms, unit_norms, padded = units_of(text)
                if norms:
                    if len(padded) == 1:
                        event_patterns.setdefault(padded[0].strip(), []).append(len(self._aliases))
                        self._unit_norms[len(self._aliases)] = unit_norms[0]
                    else:
                        units.append((len(self._aliases), unit_norms, padded))
                    phrases += padded
                    self._aliases.append(Alias("event", i, text, norms, None, padded_context(context.get(text, ()))))
            self._compile_extras("event", i, event.patterns, event.not_when)
        self._transliterated = transliterated_words(watchlist, self._aliases)
        alias_words: dict[str, set[str]] = {}
        for alias in self._aliases:
            if alias.kind == "actor":
                for norm in alias.norms:
                    alias_words.setdefault(shape(norm), set()).add(norm)
        near_phrases = [p for _, _, padded in units for p in padded]
        near_phrases += [p for listed in padded_of.values() for p in listed] + [p for ps in self._not_when.values() for p in ps]
        phrases += near_phrases
        owners: tuple[Actor | Event, ...] = (*watchlist.actors, *watchlist.events)
        texts = [a.text for a in self._aliases if a.kind == "event"] + [p for w in owners for _, ps in w.context for p in ps]
        texts += [p for w in owners for p in w.not_when]
        used = {lang for t in set(texts) for lang in stems.languages_of(t.split())}
        phrase_stems = {v for p in phrases for w in p.split() for v in w.split("|")}
        self._words = WordKeys(alias_words, phrase_stems, tuple(lang for lang in stems.LANGUAGES if lang in used))
        near_list = sorted(set(near_phrases))
        number = {p: k for k, p in enumerate(near_list)}
        shared: dict[object, object] = {}  # equal sets and checks made one object: the collector walks fewer
        numbered: dict[int, frozenset[int]] = {}  # by the identity of a context list's phrases (one tuple per distinct list)
        for listed in padded_of.values():
            listed_numbers = frozenset(number[p] for p in listed)
            numbered[id(listed)] = cast("frozenset[int]", shared.setdefault(listed_numbers, listed_numbers))
        self._context = [numbered[id(a.context)] for a in self._aliases]
        not_when_at = {at: frozenset(number[p] for p in ps) for at, ps in self._not_when.items()}
        # events: per phrase its units (by number in `near_list`); per unit the phrases that have it
        self._units = {alias_id: (tuple(number[p] for p in padded), tuple(unit_norms)) for alias_id, unit_norms, padded in units}
        self._phrases_of: dict[int, list[int]] = {}
        for alias_id, (numbers, _) in self._units.items():
            for u in dict.fromkeys(numbers):
                self._phrases_of.setdefault(u, []).append(alias_id)
        self._event_units = frozenset(self._phrases_of)  # a set: set operations with a dict walk the whole dict
        self._index = PhraseIndex()
        for pattern, ids in actor_patterns.items():
            self._index.add([{k} for k in pattern.split()], ids)
        for pattern, ids in event_patterns.items():
            self._index.add(stem_steps(pattern), ids)
        for k, phrase in enumerate(near_list):
            self._index.add(stem_steps(phrase), phrases=[k])
        self._said = [self._template(a.kind, a.index, a.text) for a in self._aliases]
        windows_ = {(a.kind, a.index): dict((watchlist.actors[a.index] if a.kind == "actor" else watchlist.events[a.index]).within) for a in self._aliases}
        self._window = [windows_[(a.kind, a.index)].get(a.text, CONTEXT_WINDOW) for a in self._aliases]  # words in which its context must be
        self._checks = [cast(Checks, shared.setdefault(k, k)) for k in (Checks(a.raw is not None, c if a.context else None, not_when_at[(a.kind, a.index)]) for a, c in zip(self._aliases, self._context))]
        self._plain = {i for i, c in enumerate(self._checks) if not c.acronym and c.context is None and not c.not_when and i not in self._bare}
        actor_context: dict[int, set[int]] = {}
        for a, c in zip(self._aliases, self._context):
            if a.kind == "actor":
                actor_context.setdefault(a.index, set()).update(c)
        self._actor_context = {i: frozenset(c) for i, c in actor_context.items()}  # all an actor's context phrases: evidence for a misspelt short name
        self._context_actors = context_actors(watchlist, self._aliases, self._checks)

    def _compile_extras(self, kind: str, i: int, patterns: tuple[str, ...], not_when: tuple[str, ...]) -> None:
        for pattern in patterns:
            said = self._template(kind, i, pattern)
            label = f"{kind} {said.fields['name']!r} pattern {pattern!r}"
            self._patterns.append((said, regex.compile(pattern, regex.IGNORECASE | regex.V1), label))
        self._not_when[(kind, i)] = tuple(padded_stems(p) for p in not_when)

    def _template(self, kind: str, i: int, alias: str) -> Said:
        """What a match says besides where and how well: its kind, and its fields in order (name, alias,
        severity, category; found, start, end and score are filled per match)."""
        if kind == "actor":
            actor = self.watchlist.actors[i]
            name, severity, category, cameo, part_of, added = actor.name, 0, actor.kind, "", actor.part_of, False
        else:
            event = self.watchlist.events[i]
            name, severity, category, cameo, part_of, added = event.name, event.severity, "", event.cameo, "", alias in event.thesaurus
        fields = {"kind": kind, "name": name, "alias": alias, "found": "", "start": 0, "end": 0, "score": 0.0, "severity": severity, "category": category, "cameo": cameo, "part_of": part_of,
                  "ancestors": self.watchlist.ancestors(name) if part_of else (), "form": "", "thesaurus": added}
        return Said(kind, fields)


    def _regex_matches(self, text: str, budget: float, skip: Container[str] = ()) -> RegexFound:
        """The user regexes' matches, each pattern given at most REGEX_TIMEOUT and all together `budget`
        seconds, and keeping its first REGEX_MATCHES_MAX matches; and the labels of those that timed out, of those
        skipped once the budget was spent, and of those that matched more often."""
        out: list[Found] = []
        timed_out: list[str] = []
        skipped: list[str] = []
        capped: list[str] = []
        clock = self.clock or _no_clock
        deadline = clock() + budget
        for said, pattern, label in self._patterns:
            left = deadline - clock()
            if left <= 0 or label in skip:
                skipped.append(label)
                continue
            kept = 0
            try:
                for m in pattern.finditer(text, timeout=min(REGEX_TIMEOUT, left)):
                    if m.end() > m.start():
                        if kept == REGEX_MATCHES_MAX:
                            capped.append(label)
                            break
                        out.append(Found(m.start(), m.end(), 100.0, said))
                        kept += 1
            except TimeoutError:
                timed_out.append(label)  # a catastrophic pattern gives up on this text instead of stalling the daemon
        return RegexFound(out, timed_out, skipped, capped)


class RegexFound(NamedTuple):
    """What the user regexes found in a text, and the labels of those that ran out of time, were not tried or were cut
    to their first REGEX_MATCHES_MAX matches."""

    found: list[Found]
    timed_out: list[str]
    skipped: list[str]
    capped: list[str]


def transliterated_words(watchlist: Watchlist, aliases: list[Alias]) -> frozenset[str]:
    """The actor alias words (normal forms) that forgive a spelling of the same skeleton not one edit away:
    every word of a group's, a state's or a place's (Teheran, Hizbullah); every word of a person whose name the
    watchlist writes as a transliteration, with an alias in another script (Сулеймани) or two spellings of one
    skeleton among the person's aliases (Qasem, Qassem: then Mehdi for Mahdi too); of another person, the words
    longer than MISSPELLING_MIN_LEN letters (Khameini). A short surname written one way (Milley, Esper) has
    real look-alikes of its skeleton (Miley): another person's."""
    words: dict[int, set[str]] = {}
    for a in aliases:
        if a.kind == "actor":
            words.setdefault(a.index, set()).update(a.norms)
    out: set[str] = set()
    for index, ws in words.items():
        actor = watchlist.actors[index]
        skeletons = [skeleton(w) for w in ws]
        if actor.kind != "person" or len(set(skeletons)) < len(ws) or any(c.isalpha() and not unicodedata.name(c, "").startswith("LATIN") for n in actor.aliases for c in n):
            out |= ws
        else:
            out |= {w for w in ws if len(w) > MISSPELLING_MIN_LEN}
    return frozenset(out)


def _no_clock() -> float:
    """The time for a Matcher given no clock: none passes, so no pattern uses another's time."""
    return 0.0


COLLECT_AFTER = 50_000  # objects made while compiling: from so many, one full collection at the end


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a watchlist compiles (then on again, if it was), and one
    full collection at the end when the compile made more than COLLECT_AFTER objects: compiling 10,000
    aliases makes some 10^5 objects, none of them garbage, and the collector's three full passes over
    them took a third of the compile time; without the pass at the end, the first texts matched would
    pay for it. Reference counting still frees what is dropped meanwhile."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
            if gc.get_count()[0] > COLLECT_AFTER:
                gc.collect()


def context_actors(watchlist: Watchlist, aliases: list[Alias], checks: list[Checks]) -> dict[int, frozenset[str]]:
    """Per alias (by number) with a context list and `context_actors`, the watched actors (names) whose match near it
    counts as one of its context words: those named, or of a kind or tag named, or units of one named (as a rule selects them);
    never an actor alias's own actor."""
    out: dict[int, frozenset[str]] = {}
    if not any(a.context_actors for a in watchlist.actors) and not any(e.context_actors for e in watchlist.events):
        return out
    selected: dict[tuple[str, ...], frozenset[str]] = {}  # by references: many aliases share theirs
    for k, (alias, check) in enumerate(zip(aliases, checks)):
        owner = watchlist.actors[alias.index] if alias.kind == "actor" else watchlist.events[alias.index]
        refs = dict(owner.context_actors).get(alias.text, ()) if owner.context_actors else ()
        if refs and check.context is not None:
            if refs not in selected:
                selected[refs] = watchlist.selected_actors(refs)
            names = selected[refs]
            out[k] = names - {owner.name} if alias.kind == "actor" else names  # another party than itself
    return out
