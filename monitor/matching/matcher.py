"""Find watched actors and events in a text, fast at 10,000 aliases.

The text's words come from `words` (normal form, and atoms: actor key and event stem), one pass of
the phrase index (`automaton`) finds every alias, event phrase (or unit of one) and context or
not_when phrase as whole words, and this module verifies the candidates. Events use Snowball stems
of words (deploy = deployed = deployment), never fuzzily: a phrase of one word (or hyphenated
compound) is found like an alias; a longer one when its content words all stand within EVENT_WINDOW
words of one sentence, in any order (`automaton.windows`).

rapidfuzz verifies only the actor candidates, once per spelling (a transliteration needs a ratio of
60, a misspelling one edit in a word of 6+ letters), so a folding collision (Milley / Malay) is
rejected; bare surnames that collide anyway (Milla, Milei) are the watchlist's ambiguous aliases,
with context words. A person's bare surname, and a misspelt short name, need more evidence in the
text (`_confirmed`). Short all-caps aliases (KH, IS, US) must match case-sensitively.

The work per text is bounded: a word of more than LONG_WORD characters never matches (it is not even
folded), a word much longer than every alias word is never compared, words longer than
CACHE_KEY_MAX are not cached, and user regexes share REGEX_BUDGET seconds per text by the clock the
caller gives (none is read here; without one each pattern has its own REGEX_TIMEOUT); what did not
run in time is returned, by label. The recent texts' words and index hits are kept (TEXT_CACHE_CHARS):
a text met again costs lookups and verification.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Container
from functools import lru_cache
from math import inf
from operator import itemgetter
from typing import NamedTuple

from rapidfuzz import fuzz

from monitor.matching.automaton import Hit, Seen, near, nearest, norms_of, present, seen_in, windows
from monitor.matching.layout import close_indented_cuts
from monitor.matching.learned import Layer, for_watchlist
from monitor.matching.compiled import CONTEXT_WINDOW, REGEX_TIMEOUT, Alias, CompiledWatchlist, collector_paused, is_acronym
from monitor.matching.overlaps import Found, Said, without_overlaps
from monitor.matching.stems import FUNCTION_WORDS
from monitor.matching.words import CACHE_LIMIT, LONG_WORD, SKELETON_FLOOR, TextWords, evict, forms, word_agrees
from monitor.model import Match, Watchlist
from monitor.text_norm import skeleton, unwrap_word

__all__ = ["CONTEXT_WINDOW", "EVENT_WINDOW", "LONG_WORD", "NOT_WHEN_WINDOW", "REGEX_BUDGET", "REGEX_TIMEOUT", "Matcher", "Scan", "TextWords", "is_acronym"]

REGEX_BUDGET = 0.5  # seconds for all patterns together per text: once spent, the other patterns are skipped
NOT_WHEN_WINDOW = 6  # words either side in which a not_when phrase cancels a match
EVENT_WINDOW = 6  # words (same sentence) within which an event phrase's words count in any order and form (a longer phrase's: its length)
WORDS_SCORE = 90.0  # an event phrase found inflected or as its words (the phrase as listed scores 100)
# Words that, between a phrase's words found apart, part them: a comparison's quantity (more than 100 troops is a
# count, not "more troops") or another clause (vowed more until American troops leave). Not when the phrase has one.
APART = frozenset("than until unless because although though whereas".split())
APART_MORE = frozenset("after following amid despite".split())  # a clause of time or cause: "suspended flights after a drone attack" halts no attack
_PARTINGS = tuple(  # each group of clause words, and its pattern: it parts a phrase's words unless the phrase holds one of the group
    (clause_words, re.compile(r"\b(?:" + "|".join(sorted(clause_words)) + r")\b", re.IGNORECASE)) for clause_words in (APART, APART_MORE)
)
SHORT_NAME = 8  # letters: a misspelt alias word this short counts only with more evidence
TITLES = frozenset(  # folded words before a surname that name the person (General Soleimani, Mr Trump)
    "gen general secretary president mr mrs ms miss dr minister commander lt col colonel maj major sgt capt captain "
    "brig adm admiral sen senator rep gov governor ayatollah sheikh chairman chief leader prime premier mayor judge "
    "prince king queen emir sultan imam lieutenant sir lord lady m mme monsieur madame herr frau senor sr sra signor "
    "ministre ministro secretario segretario verteidigungsminister aussenminister aussenministerin präsident prasident "  # the other languages' ministers
    "اللواء الجنرال العميد الرئيس القائد الشيخ السيد الفريق سردار ژنرال генерал президент министр".split()
)
OPENERS = frozenset(  # words that open a sentence before a surname without being a given name ("When Soleimani ...")
    "when as but then after before while if since though although because once until unless yesterday today later earlier "
    "meanwhile now still so yet also only even both neither either not like unlike under without against among "
    # question words, and the other languages' openers ("Why Khamenei ...", "Ohne Soleimani ...")
    "why how what where who whom whose whether which does did is was can could should will would "
    "ohne mit nach für gegen wenn als seit trotz warum wie sans avec après pour contre quand depuis malgré pourquoi comment "
    "sin con tras para contra cuando desde por porqué cómo senza dopo per contro quando da perché come".split()
)
CAPS_HEADS = frozenset(  # in an all-capitals headline an acronym before one of these is the actor: MISSILES AT US BASES
    "bases base troops forces soldiers personnel embassy officials military army navy airstrike airstrikes strike strikes drone drones "
    "warship warships sanctions envoy government president militants fighters".split()
)
TEXT_CACHE_CHARS = 1_000_000  # characters of recent texts whose words and hits are kept (≈ 25 MB with their words)
TEXT_CACHE_MAX = 100_000  # characters: a longer text is worked out each time, never kept
_BARE, _MISSPELT = 1, 2  # why an actor match needs more evidence
_OTHER, _SAME = 1, 2  # whose given name stands before a bare surname


class _Candidate(NamedTuple):
    score: float
    alias_id: int
    said: Said
    doubt: int  # why it needs more evidence: _BARE, _MISSPELT or 0
    how: str


class _Ranked(NamedTuple):
    """Per kind, the aliases found over some words, best first; `picks`, when each kind's best has no
    checks: just (score, said, how) per kind."""

    picks: tuple[tuple[float, Said, str], ...] | None
    ranked: tuple[list[_Candidate], ...]


class _Lacking(NamedTuple):
    """A candidate that lacks only a context word: a watched actor's match near it may stand for one
    (`context_actors`), else an event phrase goes to the learned gate."""

    found: Found
    alias_id: int
    first: int  # word
    last: int


class _Doubt(NamedTuple):
    alias_id: int
    why: int
    first: int  # word
    last: int


class Scan(NamedTuple):
    """What `Matcher.scan` finds in a text: the matches, the text's words (for word distances), and the
    user regexes (by label) that timed out on it, were skipped once the text's budget was spent, or were cut to their
    first matches."""

    matches: list[Match]
    words: TextWords
    timed_out: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    set_aside: tuple[Match, ...] = ()  # event phrases set aside only for lack of a context word, where no event was found (the learned gate's)
    capped: tuple[str, ...] = ()  # user regexes (labels) that matched the text more than REGEX_MATCHES_MAX times: their first kept


class Matcher(CompiledWatchlist):
    """A compiled watchlist; `find()` is pure and thread-safe (its word cache keeps the recent words).

    `clock` (seconds, e.g. time.monotonic) lets the user regexes share REGEX_BUDGET per text; without
    one, each has REGEX_TIMEOUT of its own. `text_cache_chars`: how many characters of recent texts keep
    their words and hits (0: none, for a caller that never matches a text twice, as the daemon's ingest)."""

    def __init__(self, watchlist: Watchlist, clock: Callable[[], float] | None = None, text_cache_chars: int = TEXT_CACHE_CHARS) -> None:
        with collector_paused():
            super().__init__(watchlist)
        self.clock = clock
        self._ranked: dict[tuple[tuple[int, ...], tuple[str, ...]], _Ranked] = {}  # cached _rank
        self._texts: dict[str, tuple[TextWords, list[Hit]]] = {}  # the recent texts' words and index hits
        self._texts_chars = 0  # characters of the texts in `_texts` (about: threads may race)
        self.text_cache_chars = text_cache_chars
        self.rule_selectors = [(rule, *watchlist.rule_scope(rule)) for rule in watchlist.rules]  # per rule, the actors and events (names) it can pair
        # the learned layer over the rules (matching/learned.py), its weights read now: processes forked later share them
        self.learned: Layer | None = for_watchlist(watchlist)
        self._event_words = frozenset(  # the one-word event phrases written in small letters: no given name ("Killing Soleimani")
            n[0] for a in self._aliases if a.kind == "event" and a.text[:1].islower() and len(n := norms_of(a.text)) == 1 and len(n[0]) > 4
        )

    def find(self, text: str) -> list[Match]:
        """All non-overlapping actor and event matches in a text, in text order."""
        return self.scan(text).matches

    def slow_patterns(self, text: str, skip: Container[str] = ()) -> list[str]:
        """The user regexes (labels) that time out on a text, each given REGEX_TIMEOUT (no shared budget)."""
        return self._regex_matches(text, inf, skip).timed_out

    def scan(self, text: str) -> Scan:
        """The matches, the text's words (for word distances), and the user regexes that ran out of time."""
        text = close_indented_cuts(text)  # same length: spans stay the original's
        words, hits = self._texts.get(text) or self._words_and_hits(text)
        seen: Seen | None = None  # where each context or not_when phrase was seen, once needed
        there: set[int] | None = None  # which were seen at all (enough for most not_when phrases: none of them is there)
        found, timed_out, skipped, capped = self._regex_matches(text, REGEX_BUDGET)
        aside: list[Found] | None = [] if self.learned is not None else None  # event phrases lacking only a context word
        lacking: list[_Lacking] = []  # candidates lacking only a context word, for `context_actors` and then `aside`
        doubtful: dict[tuple[int, int], _Doubt] = {}  # actor matches that need more evidence, by span
        for hit in hits:
            if not hit.ids:  # a context or not_when phrase only
                continue
            first = hit.last - hit.n + 1
            start, end = words.starts[first], words.ends[hit.last]
            raw = tuple(words.raws[first : hit.last + 1])
            rank = self._ranked.get((hit.patterns, raw)) or self._rank(hit, raw, words.norms(first, hit.last))
            if rank.picks is not None:  # each kind's best alias has no checks
                found += [Found(start, end, score, said, how) for score, said, how in rank.picks]
                continue
            for candidates in rank.ranked:  # per kind, the first allowed
                for c in candidates:
                    if c.alias_id not in self._plain:
                        checks = self._checks[c.alias_id]
                        checked = checks.acronym or checks.context is not None
                        if not checked:  # only not_when: nothing to check when none of its phrases is there
                            there = present(hits) if there is None else there
                            checked = not checks.not_when.isdisjoint(there)
                        if checked:
                            seen = seen_in(hits) if seen is None else seen
                            if not self._allowed(c.alias_id, first, hit.last, words, seen):
                                if self._may_lack(c.alias_id, aside is not None, c.doubt) and self._allowed(c.alias_id, first, hit.last, words, seen, context=False):
                                    lacking.append(_Lacking(Found(start, end, c.score, c.said, c.how), c.alias_id, first, hit.last))
                                continue
                    licence = ""  # the context word that let it count, for an alias with a context list
                    if c.alias_id not in self._plain and self._checks[c.alias_id].context is not None:
                        seen = seen_in(hits) if seen is None else seen
                        licence = self._licence(c.alias_id, first, hit.last, words, seen, text)
                    if c.doubt:
                        doubtful[(start, end)] = _Doubt(c.alias_id, c.doubt, first, hit.last)
                    found.append(Found(start, end, c.score, c.said, c.how, licence))
                    break
        if self._phrases_of and hits:
            there = present(hits) if there is None else there
            if not there.isdisjoint(self._event_units):
                seen = seen_in(hits) if seen is None else seen
                found += self._events(text, words, there, seen, lacking, aside is not None)
        if lacking:
            found += self._near_actors(lacking, found, doubtful, words, text, aside)
        kept = without_overlaps(_outside_names(found) if self._phrases_of else found)
        if doubtful:
            kept = self._confirmed(kept, doubtful, words, hits, text)
        matches = [_match(m, text) for m in kept]
        if aside:  # those where the rules found no event
            events = [(m.start, m.end) for m in kept if m.said.kind == "event"]
            aside = [m for m in without_overlaps(aside) if not any(start < m.end and m.start < end for start, end in events)]
        return Scan(matches, words, tuple(timed_out), tuple(skipped), tuple(_match(m, text) for m in aside or ()), tuple(capped))

    def _words_and_hits(self, text: str) -> tuple[TextWords, list[Hit]]:
        """A text's words and the phrase index's hits in them, kept for the recent texts (up to
        TEXT_CACHE_CHARS characters in all; when full, the older half goes): a text met again costs lookups."""
        words = self._words.text_words(text)
        hits = self._index.scan(words.atoms) if len(self._index) else []
        if len(text) <= min(TEXT_CACHE_MAX, self.text_cache_chars):
            if self._texts_chars + len(text) > self.text_cache_chars:
                evict(self._texts)
                self._texts_chars = sum(map(len, list(self._texts)))
            self._texts[text] = (words, hits)
            self._texts_chars += len(text)
        return words, hits

    def _events(self, text: str, words: TextWords, there: set[int], seen: Seen, lacking: list[_Lacking] | None = None, gate: bool = False) -> list[Found]:
        """The event phrases found: each of their units (content words, compounds) in any form, all
        within EVENT_WINDOW words of one sentence, in any order; not near a not_when phrase. Those that
        lack only a context word go to `lacking` (when given; for the learned gate too when `gate`)."""
        out: list[Found] = []
        for alias_id in sorted({a for u in there.intersection(self._event_units) for a in self._phrases_of[u]}):
            numbers, unit_norms = self._units[alias_id]
            if not there.issuperset(numbers):
                continue
            for chosen in windows(numbers, seen, words, text, max(EVENT_WINDOW, len(self._aliases[alias_id].norms))):  # a longer phrase is found at least as written
                last = max(c.last for c in chosen)
                first = chosen[0].first
                start, end = words.starts[first], words.ends[last]
                into, licence = out, ""
                short: list[Found] = []
                if alias_id not in self._plain and not self._allowed(alias_id, first, last, words, seen):
                    if lacking is None or not self._may_lack(alias_id, gate) or not self._allowed(alias_id, first, last, words, seen, context=False):
                        continue
                    into = short  # lacks only a context word
                elif self._checks[alias_id].context is not None:
                    licence = self._licence(alias_id, first, last, words, seen, text)
                alias = self._aliases[alias_id]
                in_order = all(c.first <= d.first for c, d in zip(chosen, chosen[1:])) and [c.unit for c in chosen] == list(range(len(chosen)))
                if words.norms(first, last) == alias.norms:
                    into.append(Found(start, end, 100.0, self._said[alias_id], "", licence))
                else:
                    inflected = any(words.norms(c.first, c.last) != unit_norms[c.unit] for c in chosen)
                    adjacent = in_order and last - first + 1 == len(alias.norms)
                    if not adjacent and any(clause_words.isdisjoint(alias.norms) and parting.search(text, start, end) for clause_words, parting in _PARTINGS):
                        continue
                    how = "inflected" if adjacent else ("words, inflected" if inflected else "words")
                    into.append(Found(start, end, WORDS_SCORE, self._said[alias_id], how, licence))
                if short and lacking is not None:
                    lacking.append(_Lacking(short[0], alias_id, first, last))
        return out

    def _may_lack(self, alias_id: int, gate: bool, doubt: int = 0) -> bool:
        """Whether a candidate with a context list that lacks only a context word is kept for later: for a
        watched actor's match near it (`context_actors`; not a doubtful actor alias), or, an event phrase, for the learned gate."""
        if self._checks[alias_id].context is None:
            return False
        return (alias_id in self._context_actors and not doubt) or (gate and self._aliases[alias_id].kind == "event")

    def _near_actors(self, lacking: list[_Lacking], found: list[Found], doubtful: dict[tuple[int, int], _Doubt], words: TextWords, text: str,
                     aside: list[Found] | None) -> list[Found]:
        """The candidates lacking only a context word that a match of one of their `context_actors` licenses: wholly
        within the alias's window, as a context word must be (the nearest, the earlier of two as close; not a doubtful
        match, nor one that lacked its own context); the others' event phrases go to `aside` (when given)."""
        actors = sorted(((words.before(f.start), words.before(f.end) - 1, f) for f in found if f.said.kind == "actor" and (f.start, f.end) not in doubtful),
                        key=itemgetter(0))
        firsts = [a[0] for a in actors]  # by first word: only those starting within a window are looked at (a hostile text names thousands)
        out: list[Found] = []
        for short in lacking:
            names, window = self._context_actors.get(short.alias_id, frozenset()), self._window[short.alias_id]
            span = actors[bisect_left(firsts, short.first - window) : bisect_right(firsts, short.last + window)]
            near_ = [(max(a_first - short.last, short.first - a_last, 0), a_first, a) for a_first, a_last, a in span
                     if a.said.fields["name"] in names and a_last <= short.last + window and (a.end <= short.found.start or a.start >= short.found.end)]
            if near_:
                actor = min(near_, key=lambda n: (n[0], n[1]))[2]
                out.append(short.found._replace(context=_as_written(text, actor.start, actor.end), context_actor=actor.said.fields["name"]))
            elif aside is not None and short.found.said.kind == "event":
                aside.append(short.found)
        return out

    def _confirmed(self, kept: list[Found], doubtful: dict[tuple[int, int], _Doubt], words: TextWords, hits: list[Hit], text: str) -> list[Found]:
        """The matches without the doubtful actor matches that lack evidence. A bare surname never counts
        after another given name (Amin Soleimani, Mary L. Trump: `_given_name`), nor written in small
        letters (drew trumps), nor once another person of that surname was named earlier in the text
        (Ali Soleimani ... Soleimani said) unless the person was; else it counts after the person's own
        given name or a title, once the person was named (by another alias) earlier, when written as the
        person's own surname (Trump, Milley), and, as a variant spelling (Sulaimani), in a text that names a
        watched event or another watched actor. A misspelt short name counts with the person named
        elsewhere in the text or a context word near."""
        named = {m.said.fields["name"] for m in kept if m.said.kind == "actor" and (m.start, m.end) not in doubtful}  # by a sure alias, anywhere
        introduced: set[str] = set()
        strangers: set[str] = set()  # persons another bearer of whose surname was named
        in_domain: dict[str, bool] = {}
        seen: Seen | None = None
        out: list[Found] = []
        for m in kept:
            name = m.said.fields["name"]
            if m.said.kind == "actor" and (m.start, m.end) in doubtful:
                doubt = doubtful[(m.start, m.end)]
                if doubt.why & _BARE:
                    given = self._given_name(doubt, words, text)
                    if given == _OTHER:
                        strangers.add(name)
                        continue
                    if words.raws[doubt.first][:1].islower():
                        continue
                    titled = given == _SAME or (doubt.first > 0 and words.norms(doubt.first - 1, doubt.first - 1)[0] in TITLES)
                    if not titled and name not in introduced:
                        if name in strangers:
                            continue
                        if not self._own_surname(doubt, words, text):
                            if name not in in_domain:
                                in_domain[name] = any(k.said.kind == "event" or k.said.fields["name"] != name for k in kept)
                            if not in_domain[name]:
                                continue
                if doubt.why & _MISSPELT and name not in named:
                    context = self._actor_context.get(self._aliases[doubt.alias_id].index, frozenset())
                    seen = seen_in(hits) if seen is None else seen
                    if not context or not near(context, doubt.last, len(self._aliases[doubt.alias_id].norms), seen, CONTEXT_WINDOW):
                        continue
            if m.said.kind == "actor":
                introduced.add(name)
            out.append(m)
        return out

    def _own_surname(self, doubt: _Doubt, words: TextWords, text: str) -> bool:
        """Whether a bare surname is written as the last word of the person's own name (Trump, not a variant),
        and not as the first word of a longer name (Trump Tower: a capitalised word right after it)."""
        actor = self.watchlist.actors[self._aliases[doubt.alias_id].index]
        after = doubt.last + 1
        if after < len(words.raws) and not text[words.ends[doubt.last] : words.starts[after]].strip(" \t") and words.raws[after][:1].isupper():
            return False
        return words.norms(doubt.first, doubt.last)[-1:] == norms_of(actor.name)[-1:]

    def _given_name(self, doubt: _Doubt, words: TextWords, text: str) -> int:
        """Whether a bare surname follows a given name: _OTHER when it is not the watched person's (a
        capitalised word, not all capitals, not a title, not a sentence's opening function word, right
        before it with only spaces, or an initial, between, unlike the first word of every alias of the
        person, nor a word of the watchlist's event phrases: a transliteration, 60% alike and of the same first sound, is alike), _SAME when it is the person's, else 0."""
        before = doubt.first - 1
        if before < 0:
            return 0
        between = text[words.ends[before] : words.starts[doubt.first]].strip(" \t")
        if between == "\n":  # a line break inside a name is a space (Eric⏎Trump)
            between = ""
        if between == "." and len(words.raws[before]) == 1 and words.raws[before].isupper() and before > 0:  # Mary L. Trump
            before -= 1
            between = text[words.ends[before] : words.starts[before + 1]].strip(" \t")
        if between:
            return 0
        word = words.raws[before]
        if not word[:1].isupper() or word.isupper() or word[-2:] in ("'s", "’s") or words.norms(before, before)[0] in TITLES:
            return 0
        given = words.norms(before, before)[0]
        if given in self._event_words:
            return 0  # "Killing Soleimani was legal": an act done to the person, not another person's given name
        opening = text[: words.starts[before]].rstrip()
        if (not opening or opening[-1] in ".!?:;\"'“”«»([—–-|") and (given in FUNCTION_WORDS or given in OPENERS):
            return 0  # "When Soleimani ...": a sentence's first word, not a name
        actor = self.watchlist.actors[self._aliases[doubt.alias_id].index]
        firsts = {norms_of(n)[0] for n in (actor.name, *actor.aliases) if len(norms_of(n)) > 1}
        first = skeleton(given)[:1]  # a transliteration keeps its first sound (Qasem, Ghassem, Kassem: k); Nasim is another name
        return _SAME if any(fuzz.ratio(given, f) >= 60 and skeleton(f)[:1] == first for f in firsts) else _OTHER

    def _rank(self, hit: Hit, raw: tuple[str, ...], norms: tuple[str, ...]) -> _Ranked:
        """Per kind, the aliases found that agree with the words as written, best score first (then
        in order), each with why it needs more evidence and how an event phrase was found: the first
        that its context, not_when and capitals allow is the kind's match, as overlap removal would keep no other."""
        actors, events = [], []
        for i in hit.ids:
            alias = self._aliases[i]
            if alias.kind == "event":
                how = "" if norms == alias.norms else "words" if norms == self._unit_norms[i] else "inflected"
                events.append(_Candidate(100.0 if not how else WORDS_SCORE, i, self._said[i], 0, how))
            elif (score := self._agreement(alias, raw, norms)) is not None:
                doubt = _BARE * (i in self._bare) | _MISSPELT * (alias.raw is None and _misspelt_short(norms, alias.norms, self._transliterated))
                actors.append(_Candidate(score, i, self._said[i], doubt, ""))
        actors.sort(key=lambda c: -c.score)
        events.sort(key=lambda c: -c.score)
        ranked = tuple(c for c in (actors, events) if c)
        picks = tuple((c[0].score, c[0].said, c[0].how) for c in ranked) if all(c[0].alias_id in self._plain and not c[0].doubt for c in ranked) else None
        if len(self._ranked) >= CACHE_LIMIT:
            evict(self._ranked)
        self._ranked[(hit.patterns, raw)] = result = _Ranked(picks, ranked)
        return result

    def _agreement(self, alias: Alias, raw: tuple[str, ...], norms: tuple[str, ...]) -> float | None:
        """The actor alias's score for the words as written, or None."""
        if alias.raw is None:
            return _agreement(norms, alias.norms)
        return 100.0 if tuple(_strip_possessive(w) for w in raw) == alias.raw else None

    def _allowed(self, alias_id: int, first: int, last: int, words: TextWords, seen: Seen, context: bool = True) -> bool:
        """Whether an alias found over words `first`..`last` stands outside capitals (acronyms), near one
        of its context phrases (if it has some; `context=False`: whatever its context) and not near a not_when phrase."""
        checks, n = self._checks[alias_id], last - first + 1
        if checks.acronym and n == 1 and len(words.raws[first]) <= 2:  # a headline's US, IS (words too); PMF, IRGC are no words
            around = [words.raws[k] for k in (first - 1, last + 1) if 0 <= k < len(words.raws)]
            head = words.raws[last + 1].casefold() if last + 1 < len(words.raws) else ""
            if head not in CAPS_HEADS and any(len(w) >= 4 and w.isalpha() and w.isupper() for w in around):  # a headline: PLEASE HELP US FIND OUR DOG
                return False
        if context and checks.context is not None and (checks.context.isdisjoint(seen) or not near(checks.context, last, n, seen, self._window[alias_id])):
            window = self._window[alias_id]  # a close context (a nationality adjective's) reaches past a coordinated one: American and British warplanes
            if checks.context.isdisjoint(seen) or window > 3 or last + 2 >= len(words.raws) or self._aliases[alias_id].kind != "actor":
                return False
            if words.starts[last + 1] - words.ends[last] != 1 or words.norms(last + 1, last + 1)[0] not in COORDINATORS:  # one space: no comma between
                return False
            if not near(checks.context, last, n, seen, window + 2):
                return False
        return checks.not_when.isdisjoint(seen) or not near(checks.not_when, last, n, seen, NOT_WHEN_WINDOW)

    def _licence(self, alias_id: int, first: int, last: int, words: TextWords, seen: Seen, text: str) -> str:
        """The context word or phrase, as written, nearest to an alias found over words `first`..`last` that
        `_allowed` let count: within the alias's window, or (a coordinated adjective's) two words further."""
        context, n, window = self._checks[alias_id].context or frozenset(), last - first + 1, self._window[alias_id]
        place = nearest(context, last, n, seen, window) or nearest(context, last, n, seen, window + 2)
        if place is None:
            return ""
        return _as_written(text, words.starts[place[0]], words.ends[place[1]])


def _as_written(text: str, start: int, end: int) -> str:
    """A context word or phrase as written, on one line: it goes into explanations."""
    return " ".join(_LINE_END_HYPHEN.sub("-", unwrap_word(text[start:end])).split())


def _match(m: Found, text: str) -> Match:
    """The Match of a verified candidate, with the text it was found as (and the context word that let it count)."""
    return Match(**(m.said.fields | {"found": text[m.start : m.end], "start": m.start, "end": m.end, "score": m.score, "form": m.how, "context": m.context,
                                     "context_actor": m.context_actor}))


def _outside_names(found: list[Found]) -> list[Found]:
    """The candidates without the event phrases found with their words spread out whose first or last word is
    inside a watched name of several words reaching beyond the phrase: "Rockets struck near Ain al-Asad air base"
    holds no air strike, its "air" being the base's name's."""
    spread = [f for f in found if f.how.startswith("words")]
    if not spread:
        return found
    names = [(f.start, f.end) for f in found if f.said.kind == "actor" and " " in f.said.fields["alias"].strip()]
    if not names:
        return found
    cut = {id(f) for f in spread if any((start < f.end <= end and start > f.start) or (start <= f.start < end and end < f.end) for start, end in names)}
    return [f for f in found if id(f) not in cut] if cut else found


_LINE_END_HYPHEN = re.compile(r"-[ \t\xad]*\r?\n[ \t\xad]*")  # a hyphen at a line end that stays one (al-⏎Muhandis: al-Muhandis)
COORDINATORS = frozenset("and or et ou y o e und oder".split())  # words that join two adjectives before one noun


def _strip_possessive(word: str) -> str:
    return word[:-2] if len(word) > 2 and word[-1] in "sS" and not word[-2].isalnum() else word


@lru_cache(maxsize=100_000)
def _agreement(found: tuple[str, ...], alias: tuple[str, ...]) -> float | None:
    """The score of the words found (normal forms) for an alias's words, or None if one does not agree."""
    if not all(any(word_agrees(form, w) for form in forms(f)) for f, w in zip(found, alias)):
        return None
    return round(fuzz.ratio(" ".join(found), " ".join(alias)), 1)


def _misspelt_short(found: tuple[str, ...], alias: tuple[str, ...], transliterated: Container[str]) -> bool:
    """Whether a word of SHORT_NAME letters or fewer agrees with its alias word only as a one-edit
    misspelling (not as written, nor as a transliteration of a word the watchlist writes transliterated:
    Miley agrees with Milley by its letters, but Milley is written one way, and Miley is another surname)."""
    return any(
        f != w and len(w) <= SHORT_NAME and not any(g == w or (w in transliterated and skeleton(g) == skeleton(w) and fuzz.ratio(g, w) >= SKELETON_FLOOR) for g in forms(f))
        for f, w in zip(found, alias)
    )
