"""What the sense decisions look for in a text: `Marks` (the words and phrases that tell what a sentence is
about), the quick looks before splitting sentences into words, and the words around a match that several kinds read.
"""

from __future__ import annotations

import re
from itertools import compress
from typing import NamedTuple

from monitor.matching.normalise import sentence_of
from monitor.model import Match

NEXT_WORD = re.compile(r"[ \t]+(\w+)")


PLACE_WORDS = frozenset(  # a capital right after one of these is the city: "born in Tehran", "a cafe in north Tehran", "the streets of Tehran"
    "in near outside around across through throughout inside dans pres en cerca dentro nel nella im bei nach streets rues calles strade strassen".split()
)


BORN = re.compile(r"-(?:born|style|themed|inspired)\b", re.IGNORECASE)  # Tehran-born, Tehran-style, a Baghdad-themed pop-up: the city (where one was born, a city's manner)


WORDS_BEFORE = re.compile(r"(\w+)[ \t\n]+$")


A_WORD = re.compile(r"\w+")


class Marks(NamedTuple):
    """Words and phrases that tell what a sentence is about, looked up among its words (faster than one
    regex of many alternatives): single words, phrases by their first word, and word beginnings."""

    singles: frozenset[str]
    phrases: dict[str, frozenset[tuple[str, ...]]]  # by first word
    prefixes: re.Pattern[str] | None

    @classmethod
    def of(cls, phrases: str) -> "Marks":
        listed = [p.strip() for p in phrases.split("|") if p.strip()]
        grams = [tuple(A_WORD.findall(p.casefold())) for p in listed if not p.endswith("*")]
        starts = [re.escape(p[:-1].casefold()) for p in listed if p.endswith("*")]
        by_first: dict[str, set[tuple[str, ...]]] = {}
        for g in grams:
            if len(g) > 1:
                by_first.setdefault(g[0], set()).add(g)
        prefixes = re.compile(r"\b(?:" + "|".join(starts) + ")") if starts else None
        return cls(frozenset(g[0] for g in grams if len(g) == 1), {k: frozenset(v) for k, v in by_first.items()}, prefixes)

    def joined(self, other: "Marks") -> "Marks":
        phrases = {k: self.phrases.get(k, frozenset()) | other.phrases.get(k, frozenset()) for k in self.phrases.keys() | other.phrases.keys()}
        starts = "|".join(p.pattern for p in (self.prefixes, other.prefixes) if p is not None)
        return Marks(self.singles | other.singles, phrases, re.compile(starts) if starts else None)

    def told(self, text: str) -> bool:
        folded = text.casefold()
        words = A_WORD.findall(folded)
        if not self.singles.isdisjoint(words):
            return True
        phrases = self.phrases
        for i in compress(range(len(words)), map(phrases.__contains__, words)):  # the words that open a phrase, found in C
            if any(tuple(words[i : i + len(g)]) == g for g in phrases[words[i]]):
                return True
        return self.prefixes is not None and self.prefixes.search(folded) is not None


def sentence_at(spans: dict[int, tuple[int, int]], text: str, start: int) -> tuple[int, int]:
    """The sentence of the match starting at `start`, found once for all the decisions that read it (`spans` keeps it)."""
    return spans.get(start) or spans.setdefault(start, sentence_of(text, start))


def in_sentences_telling(marks: Marks, matches: list[Match], text: str, spans: dict[int, tuple[int, int]], clauses: bool = False) -> list[Match]:
    """The matches whose sentence holds one of `marks` (each sentence searched once, only those of the matches;
    `spans` keeps each match start's sentence for the next caller); with `clauses`, of a sentence of clauses joined
    by semicolons the match's clause (a game or a match is told in its clause; a labour dispute runs over both)."""
    told: dict[tuple[int, int], bool] = {}
    out = []
    for m in matches:
        span = sentence_at(spans, text, m.start)
        if clauses and ";" in text[span[0] : span[1]]:  # two clauses joined by a semicolon: each tells its own (vowed revenge; in Hollywood, a thriller)
            before, after = text.rfind(";", span[0], m.start), text.find(";", m.end, span[1])
            span = (before + 1 if before >= 0 else span[0], after if after >= 0 else span[1])
        if span not in told:
            told[span] = marks.told(text[span[0] : span[1]])
        if told[span]:
            out.append(m)
    return out


NOT_SEEKING = re.compile(  # not seeking / not looking for / doesn't want / little appetite for (a wider) war: the guide's "not seeking a wider war"
    r"(?:\b(?:not|no|never|nobody|little)|n['’]t)[ \t'’\"]+(?:\w+[ \t'’\"]+){0,2}?"
    r"(?:seek\w*|looking[ \t]+(?:for|to[ \t]+start)|look[ \t]+for|want\w*|interest(?:ed)?[ \t'’\"]+in|appetite[ \t]+for)[ \t'’\"]+"
    r"(?:an?[ \t]+|any[ \t]+)?(?:\w+[ \t]+)?(?:war|conflict|confrontation|escalation|fight|tension|tensions)\b",
    re.IGNORECASE,
)


METAPHOR_WARS = frozenset(  # the word before "war" that makes it one of commerce, law or budgets: a call for a ceasefire in a price war
    "price pricing fare trade turf culture bidding tariff patent format streaming console ratings subsidy takeover talent browser legal budget "
    "funding spending tax currency ad advertising sales subscription fee discount pr media".split()
)


_WAR_WORD = re.compile(r"\b(?:[Ww]ars?|WARS?|[Gg]uerr[ae]s?)\b|(?:Preis|Handels|Patent)kriegs?\b")


_OF_WORDS = re.compile(r"[ \t]+of[ \t]+words\b", re.IGNORECASE)  # a war of words


_OF_PRICES = re.compile(r"[ \t]+(?:des[ \t]+prix|de[ \t]+precios|dei[ \t]+prezzi)\b", re.IGNORECASE)  # guerre des prix, guerra de precios, guerra dei prezzi


def metaphor_wars(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Where a war of commerce, law, budgets or words is named between `start` and `end`: a price war, a war of
    words, la guerre des prix, la guerra de precios, la guerra dei prezzi, der Preiskrieg (found from the word
    "war" in the five languages, then the word before or after it)."""
    out = []
    for w in _WAR_WORD.finditer(text, start, len(text) if end is None else end):
        word = w.group().casefold()
        if word.startswith("war"):
            before = WORDS_BEFORE.search(text, max(0, w.start() - 30), w.start())
            if (before is not None and before.group(1).casefold() in METAPHOR_WARS) or _OF_WORDS.match(text, w.end()):
                out.append(w.start())
        elif word.startswith("guerr"):
            if _OF_PRICES.match(text, w.end()):
                out.append(w.start())
        else:  # Preiskrieg, Handelskrieg, Patentkrieg
            out.append(w.start())
    return out


def position_after(text: str, start: int, words: int) -> int:
    """The position `words` words after `start` (or the text's end)."""
    found = None
    for n, found in enumerate(A_WORD.finditer(text, start)):
        if n + 1 >= words:
            return found.end()
    return found.end() if found is not None else len(text)


def hinted(folded: str, hints: re.Pattern[str]) -> bool:
    """Whether one of `hints` (casefolded substrings of a Marks' words, one pattern) stands in the casefolded text: a
    quick look before splitting sentences into words."""
    return hints.search(folded) is not None


def hint_pattern(*words: str) -> re.Pattern[str]:
    """One pattern of casefolded substrings."""
    return re.compile("|".join(re.escape(w) for w in words))


HAZARD_CYBER_FANS_HINTS = re.compile(  # word beginnings of HAZARDS, CYBER and FANS, casefolded: one quick look before splitting sentences
    r"\b(?:(?P<hazard>pollution|smog|rain|sandstorm|dust\ storm|downpour|storm|flood|drought|heat|cold\ snap|snow|blizzard|hail|disease|epidemic|outbreak|malaria|measles|virus|pluies|tempête|sécheresse|épidémie|contaminación|lluvias|tormenta|sequía|inquinamento|piogge|tempesta|siccità|luftverschmutzung|starkregen|unwetter|sandsturm|dürre|seuche)"
    r"|(?P<cyber>hack|cyber|ransomware|malware|ddos|phishing|pirates\ informatiques|pirate\ informatique|piratas\ informáticos|pirata\ informático|ciberata|pirati\ informatici|attacco\ informatico|attacchi\ informatici)"
    r"|(?P<fans>hooligan|rival\ fans|away\ fans|home\ fans|ultras|team\ bus|team's\ bus|supporters\ rivaux|bus\ de\ l'équipe|hinchas|autobús\ del\ equipo|tifosi|pullman\ della\ squadra|mannschaftsbus))"
)


WAR_WORDS = re.compile(  # what makes a medical sentence's escalation a war's after all: the fighting that fills the wards
    r"\b(?:war|wars|fighting|clashes|troops|soldiers|militias?|militants|forces|missiles?|rockets?|shelling|bombing|air[ \t]?strikes?|wounded|"
    r"guerre|combats|guerra|combates|combattimenti|Krieg|Kämpfe)\b",
    re.IGNORECASE,
)


FORCE_WORDS = re.compile(  # what makes a trade sentence's reprisal a war's after all
    r"\b(?:military|militar\w*|militaire\w*|force|forces|troops|strikes?|attacks?|missiles?|rockets?|drones?|war(?![ \t]+of[ \t]+words)|armed|"
    r"bases?|guerre|guerra|Krieg|Truppen|Angriff\w*)\b",
    re.IGNORECASE,
)
