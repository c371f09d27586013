"""What the sense decisions look up in a watchlist (its actors, yields, head nouns, capitals and the events that
stand for thesaurus concepts), built once per watchlist; and the yields and opposites implied by event names.
"""

from __future__ import annotations

import dataclasses

from monitor.matching import thesaurus
from monitor.matching.normalise import WORD, fold
from monitor.model import Actor, Event, Watchlist


@dataclasses.dataclass(frozen=True)
class Tables:
    """What the sense decisions look up in a watchlist, built once per watchlist (not per text)."""

    watchlist: Watchlist
    actors: dict[str, Actor]
    yields: dict[str, frozenset[str]]  # events' yields_to, said or implied
    heads: dict[str, frozenset[str]]  # actors' not_before head nouns, folded
    capitals: dict[str, frozenset[str]]  # states' capitals, folded
    threat: Event | None  # the event that stands for threats (thesaurus concept "threat"), if any
    calm: Event | None  # the event that stands for de-escalation (thesaurus concept "de-escalation"), if any
    truce: str  # the name of the event that stands for a ceasefire, or ""
    killing: str  # the name of the event that stands for a killing, or ""
    air: Event | None  # the event that stands for an air strike (thesaurus concept "air strike"), if any
    hostile: frozenset[str]  # the events a threat can be of: CAMEO 18, 19, 20 and retaliation
    opposes: dict[str, frozenset[str]]  # events whose opposite (de-escalation of escalation) found near them takes them out
    sanctions: str  # the name of the event that stands for sanctions, or ""
    escalation: str  # the name of the event that stands for escalation, or ""
    concepts: dict[str, str] = dataclasses.field(default_factory=dict)  # more thesaurus concepts' events, found on first use (`concept_event`)

    @property
    def threat_name(self) -> str:
        """The name of the event that stands for threats, or ""."""
        return self.threat.name if self.threat is not None else ""

    @property
    def calm_name(self) -> str:
        """The name of the event that stands for de-escalation, or ""."""
        return self.calm.name if self.calm is not None else ""


_LATEST: list[Tables] = []  # the tables of the watchlist in use (a reloaded one replaces them)


def tables_of(watchlist: Watchlist) -> Tables:
    """The tables of `watchlist`, found by identity (hashing a large frozen watchlist per text costs more)."""
    if _LATEST and _LATEST[0].watchlist is watchlist:
        return _LATEST[0]
    threat = thesaurus.event_of("threat", watchlist.events)
    calm = thesaurus.event_of("de-escalation", watchlist.events)
    tables = Tables(
        watchlist,
        {a.name: a for a in watchlist.actors},
        {e.name: frozenset(e.yields_to) for e in watchlist.events if e.yields_to} | implied_yields(watchlist),
        {a.name: frozenset(fold(h) for h in a.not_before) for a in watchlist.actors if a.not_before},
        {a.name: frozenset(fold(c) for c in a.capitals) for a in watchlist.actors if a.capitals},
        next((e for e in watchlist.events if e.name == threat), None),
        next((e for e in watchlist.events if e.name == calm), None),
        thesaurus.event_of("ceasefire", watchlist.events),
        thesaurus.event_of("killing", watchlist.events),
        next((e for e in watchlist.events if e.name == thesaurus.event_of("air strike", watchlist.events)), None),
        frozenset(e.name for e in watchlist.events if e.cameo[:2] in ("18", "19", "20")) | {thesaurus.event_of("retaliation", watchlist.events)} - {""},
        opposites(watchlist),
        thesaurus.event_of("sanctions", watchlist.events),
        thesaurus.event_of("escalation", watchlist.events),
    )
    _LATEST[:] = [tables]
    return tables


OPPOSITES = frozenset({"de", "anti", "counter", "non"})  # de-escalation holds "escalation" but is its opposite, not a kind of it


CONCEPT_YIELDS = {"bombing": ("air strike",)}  # thesaurus concepts: bombs dropped from aircraft are the air strike (the guide, and the default list's yields_to)


GENERIC_ROOTS = {"19": ("19", "183", "20")}  # a generic CAMEO root: the codes of its specific means (fight: 19x, bombing 183, mass violence 20x; not 18: a killing in a bombing is still one)


def implied_yields(watchlist: Watchlist) -> dict[str, frozenset[str]]:
    """For each event without `yields_to`, the events whose name holds one of its phrases as whole words
    (`drone strike` holds "strike", `rocket attack` holds "attack", `de-escalation` holds "escalation"):
    the more specific ones, as the labelling guide's "specific beats generic" reads them, also when the
    watchlist does not say so. Phrases of the specific event do not count (a `targeted killing` is an
    assassination, yet a killing in the same sentence is still one). An event coded with a CAMEO root of
    GENERIC_ROOTS (19 fight) also yields to the events coded with a specific means of it (194 artillery,
    195 aerial weapons, 183 bombing, 20x): the root is the generic act, the sub-code its means."""
    def words(phrase: str) -> tuple[str, ...]:
        return tuple(fold(w.group()) for w in WORD.finditer(phrase))

    phrases = {e.name: [words(p) for p in (e.name, *e.phrases)] for e in watchlist.events}
    by_concept = {generic: frozenset(thesaurus.event_of(c, watchlist.events) for c in specifics) - {""} for generic, specifics in CONCEPT_YIELDS.items()}
    concepts = {thesaurus.event_of(generic, watchlist.events): specific for generic, specific in by_concept.items()}
    out = {}
    for e in watchlist.events:
        if e.yields_to:
            continue
        mine = {p for p in phrases[e.name] if p}
        specific = frozenset(
            o.name for o in watchlist.events if o.name != e.name
            and any(len(q) > len(p) and any(q[i : i + len(p)] == p and not (i and q[i - 1] in OPPOSITES) for i in range(len(q) - len(p) + 1)) for q in [words(o.name)] for p in mine)
        )
        if e.cameo in GENERIC_ROOTS:
            specific |= frozenset(o.name for o in watchlist.events if len(o.cameo) > len(e.cameo) and o.cameo.startswith(GENERIC_ROOTS[e.cameo]))
        specific |= concepts.get(e.name, frozenset()) - {e.name}
        if specific:
            out[e.name] = specific
    return out


def opposites(watchlist: Watchlist) -> dict[str, frozenset[str]]:
    """For each event, the events named as its opposite (a prefix of OPPOSITES before its name: de-escalation)."""
    names = {e.name for e in watchlist.events}
    out: dict[str, set[str]] = {}
    for e in watchlist.events:
        words = [fold(w.group()) for w in WORD.finditer(e.name)]
        if len(words) > 1 and words[0] in OPPOSITES:
            for other in names:
                if [fold(w.group()) for w in WORD.finditer(other)] == words[1:]:
                    out.setdefault(other, set()).add(e.name)
    return {k: frozenset(v) for k, v in out.items()}


def concept_event(watchlist: Watchlist, concept: str) -> str:
    """The event that stands for a thesaurus concept in `watchlist` (thesaurus.event_of), kept with its tables."""
    known = tables_of(watchlist).concepts
    if concept not in known:
        known[concept] = thesaurus.event_of(concept, watchlist.events)
    return known[concept]
