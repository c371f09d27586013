"""Sense decisions taken over a text's matches once they are found (pure): what the labelling guide
calls "specific beats generic" (an event that `yields_to` a more specific one found in the same
sentence is not reported: "rockets struck the base" is a rocket attack, not also a strike) and names
of other things (an actor alias followed by a head noun of `not_before`: "Erbil SC", "Baghdad
Grill", "Pasdaran Avenue" name a club, a restaurant and a street, not the actor).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import NamedTuple

from monitor.matching.matcher import is_acronym
from monitor.matching.normalise import WORD, fold, sentence_keys, sentence_of
from monitor.matching import thesaurus
from monitor.model import Actor, Event, Match, Watchlist

_FOLLOWING = re.compile(r"(?:[ \t]*\n?[ \t]*(?<=\s)\w+){1,3}")  # a line break inside a name is a space (Pasdaran⏎Avenue)
GOVERNMENT_VERBS = frozenset(  # what a government does, not a city: "Baghdad said", "Baghdad demanded"
    "said says blamed accused demanded denied announced rejected warned condemned insisted urged summoned protested "
    "responded threatened vowed expelled recalled ordered approved agreed signed accepted refused welcomed "
    "asked asks decided requested told wants wanted sought pressed declined complained objected stressed "
    "calls insists balances balanced considers".split()  # Baghdad calls it an assassination, Baghdad balances its ties
)
AUXILIARIES = frozenset(  # may stand between a capital and its verb of government: "Baghdad has not yet decided"
    "has have had will would could should may might also still not yet now already reportedly officially repeatedly then".split()  # not is/was: "Baghdad was blamed" is passive
)
ADDRESSED = frozenset(  # a capital right after one of these is addressed as a government: "warned Baghdad", "calls on Baghdad"
    "warned warning warns urged urging urges threatened threatening threatens pressed pressing told asked accused blamed "
    "sanctioned on upon".split()
)
_BETWEEN_WORDS = re.compile(r"\b(?:between|zwischen|entre|tra|fra)\b(?:[ \t]+[\w'’-]+){0,5}?[ \t]+(?:and|und|et|y|e)[ \t]+$", re.IGNORECASE)
_DEALS_WITH = re.compile(  # talks with Baghdad, consultations with Tehran: a party to relations, the government
    r"\b(?:talks|consultations|consulting|negotiations|negotiating|coordination|coordinating|agreement|deal|ties|relations|dialogue|contacts)[ \t]+with[ \t]+$",
    re.IGNORECASE,
)
_RELATIONS_BETWEEN = re.compile(  # tensions between Baghdad and Erbil: the parties of relations are governments
    r"\b(?:tensions?|relations|ties|talks|disputes?|rift|row|standoff|negotiations|feud|rapprochement)[ \t]+between[ \t]+$", re.IGNORECASE
)
_CALLS_ON = re.compile(r"\b(?:calls?|called|calling|blames?|blamed|blaming)[ \t]+(?:on|upon)[ \t]+$", re.IGNORECASE)  # calls on Baghdad, blame on Baghdad
_AGENT = re.compile(r"\b\w+(?:ed|en|é|és|ée|ées|ado|ados|ada|adas|ato|ati|ata|ate)[ \t]+(?:by|par|por)[ \t]+$", re.IGNORECASE)  # paid by Baghdad, versés par Bagdad: the agent of a passive
_AND_NAME = re.compile(r"[ \t]+(?:and|et|y|e|und)[ \t]+(?:[A-Z][\w'’-]*[ \t]+){0,2}?[A-Z][\w'’-]*")  # Baghdad and Washington said: a party among others
_NEXT_WORD = re.compile(r"[ \t]+(\w+)")
_BETWEEN_BEFORE = re.compile(r"\bbetween[ \t]+$", re.I)
_AND = re.compile(r"[ \t]+and[ \t]+")
SKIPPED_BEFORE_HEAD = frozenset({"international"})  # Baghdad International Film Festival: the head comes after


def settle(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The matches with generic events that yield to a specific one, and names of other things, taken
    out; a parent named inside its unit's name (IRGC-QF) added."""
    if not matches:  # most texts: every decision below starts from a match
        return []
    dropped = set(yielding(watchlist, matches, text)) | set(names_of_things(watchlist, matches, text)) | set(cities(watchlist, matches, text))
    spans: dict[int, tuple[int, int]] = {}  # a match's sentence, found once for both fiction and sports
    dropped |= set(fiction_or_sports(watchlist, matches, text, spans))
    dropped |= set(compound_surnames(watchlist, matches, text)) | set(appositions(matches, text)) | set(quoted(watchlist, matches, text))
    dropped |= set(operations(matches, text)) | set(common_nouns(watchlist, matches, text)) | set(labour(watchlist, matches, text, spans))
    dropped |= set(elsewhere(watchlist, matches, text)) | set(disasters(watchlist, matches, text, spans)) | set(other_senses(watchlist, matches, text))
    dropped |= set(orders_to_act(matches, text)) | set(figures_of_speech(watchlist, matches, text, spans)) | set(namesakes(matches, text))
    dropped |= set(names_with_event_words(watchlist, matches, text)) | set(militias(watchlist, matches, text)) | set(captivity(watchlist, matches, text))
    dropped |= set(everyday_senses(watchlist, matches, text))
    dropped |= set(more_senses(watchlist, matches, text, spans)) | set(forms_and_moves(watchlist, matches, text))
    dropped |= set(pass13_senses(watchlist, matches, text, spans))
    dropped |= set(fourteenth_senses(watchlist, matches, text, spans))
    dropped -= set(real_subjects(watchlist, matches, text, dropped)) | set(captives(watchlist, dropped, text))
    kept = [m for m in matches if m not in dropped]
    governments = metonyms(watchlist, kept, text) | aircraft_types(watchlist, kept, text) | drone_means(watchlist, kept, text) | eased_tensions(watchlist, kept, text)
    governments |= {m: g for m, g in addressed_capitals(watchlist, kept, text).items() if m not in governments}
    kept = [governments.get(m, m) for m in kept]
    added = named_parents(watchlist, kept) + threatened(watchlist, kept, text) + appeals(watchlist, kept, text)
    added += halts(watchlist, kept, text)
    return sorted(dict.fromkeys(kept + added), key=lambda m: (m.start, m.kind))


PLACE_WORDS = frozenset(  # a capital right after one of these is the city: "born in Tehran", "a cafe in north Tehran", "the streets of Tehran"
    "in near outside around across through throughout inside dans pres en cerca dentro nel nella im bei nach streets rues calles strade strassen".split()
)
DIRECTIONS = frozenset(  # may stand between the place word and the capital: "in the south of Tehran", "in north Tehran", "nel nord di Teheran"
    "the of north south east west northern southern eastern western central downtown greater nord sud norte sur di de del du des der "
    "heart centre center outskirts suburbs middle northeast northwest southeast southwest northeastern northwestern southeastern southwestern".split()
)
COMPASS = frozenset("north south east west northeast northwest southeast southwest".split())  # "a tomb south of Tehran": the city
MOTIONS = frozenset(  # a capital after one of these and "to" is a destination, the city: "returned to Tehran", "flew back to Baghdad"
    "returned return returns returning flew fly flies flying travelled traveled travel moved came went arrived fled headed drove back".split()
)
CITY_THINGS = frozenset(  # a capital before one of these, in small letters, is the city: "the Tehran exchange", "a Tehran derby"
    "exchange bourse derby traffic smog metro subway municipality mayor residents marathon skyline suburbs neighbourhood neighborhood "
    "streets cafe cafes restaurant restaurants stock "
    # a city's firms, clubs and institutions: a Washington think tank, a Washington consultancy, the Tehran giants (a club)
    "think consultancy consultancies lobbyist lobbyists lobbying firm firms giants club clubs hotel hotels hospital hospitals university bureau correspondent".split()
)
_CITY_THING_OWNED = re.compile(r"['’]s[ \t]+(\w+)")  # Tehran's stock exchange, Baghdad's mayor: the city's
_TEAM_AFTER = re.compile(r"[ \t]+[A-Z][a-z]+[a-rt-z]s\b(?!['’]s\b)")  # the Washington Commanders, the Tehran Times: a club or a paper named after the city
_QUOTED = re.compile(r"[\"'“‘«„‚][ \t]?$")  # a name in quotes: "Tehran", the spy series
_BORN = re.compile(r"-(?:born|style)\b", re.IGNORECASE)  # Tehran-born, Tehran-style: the city (where one was born, a city's manner)
_WORDS_BEFORE = re.compile(r"(\w+)[ \t\n]+$")
_TWO_WORDS_BEFORE = re.compile(r"(\w+)[ \t\n]+(\w+)[ \t\n]+$")
_POSSESSIVE_NAME = re.compile(  # Tehran's Azadi Tower, Tehran's Grand Bazaar: a landmark of the city
    r"(?:['’]s)?[ \t]+(?:[A-Z]\w+[ \t]+){0,2}(?:Tower|Square|Bazaar|Prison|Stadium|University|Museum|Airport|Avenue|Street|Boulevard)\b"
)


@dataclasses.dataclass(frozen=True)
class _Tables:
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
    concepts: dict[str, str] = dataclasses.field(default_factory=dict)  # more thesaurus concepts' events, found on first use (`_concept`)

    @property
    def threat_name(self) -> str:
        """The name of the event that stands for threats, or ""."""
        return self.threat.name if self.threat is not None else ""

    @property
    def calm_name(self) -> str:
        """The name of the event that stands for de-escalation, or ""."""
        return self.calm.name if self.calm is not None else ""


_LATEST: list[_Tables] = []  # the tables of the watchlist in use (a reloaded one replaces them)


def _tables(watchlist: Watchlist) -> _Tables:
    """The tables of `watchlist`, found by identity (hashing a large frozen watchlist per text costs more)."""
    if _LATEST and _LATEST[0].watchlist is watchlist:
        return _LATEST[0]
    threat = thesaurus.event_of("threat", watchlist.events)
    calm = thesaurus.event_of("de-escalation", watchlist.events)
    tables = _Tables(
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


def cities(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The state matches found under one of the state's `capitals` used as a place: right after a word of
    PLACE_WORDS (only DIRECTIONS between) and not before a verb of government ("officials in Tehran
    said" stays the state): "born in Tehran", "a cafe in north Tehran", "training in Washington, D.C."."""
    capitals = _tables(watchlist).capitals
    out = []
    for m in matches:
        if m.kind != "actor" or fold(m.alias) not in capitals.get(m.name, ()):
            continue
        if _BORN.match(text, m.end) or _POSSESSIVE_NAME.match(text, m.end) or _TEAM_AFTER.match(text, m.end):
            out.append(m)
            continue
        verb = _NEXT_WORD.match(text, m.end)
        owned = _CITY_THING_OWNED.match(text, m.end) if m.found[-2:] not in ("'s", "’s") else _NEXT_WORD.match(text, m.end)
        if (verb and verb.group(1).islower() and fold(verb.group(1)) in CITY_THINGS) or (owned and owned.group(1).islower() and fold(owned.group(1)) in CITY_THINGS):
            out.append(m)
            continue
        two = _TWO_WORDS_BEFORE.search(text, max(0, m.start - 40), m.start)
        if two and ((fold(two.group(2)) == "to" and fold(two.group(1)) in MOTIONS) or (fold(two.group(2)) == "of" and fold(two.group(1)) in COMPASS)):
            out.append(m)  # returned to Tehran, south of Tehran: the city
            continue
        if verb and fold(verb.group(1)) in GOVERNMENT_VERBS:
            continue
        end = m.start
        for _ in range(5):
            word = _WORDS_BEFORE.search(text, max(0, end - 40), end)
            if word is None:
                break
            folded = fold(word.group(1))
            if folded in PLACE_WORDS:
                out.append(m)
                break
            if folded not in DIRECTIONS:
                break
            end = word.start()
    return out


def metonyms(watchlist: Watchlist, matches: Sequence[Match], text: str) -> dict[Match, Match]:
    """A capital that `stands_for` a state, used for its government, becomes that state (the guide's
    "Baghdad said ..." is Iraq): right before a verb of GOVERNMENT_VERBS, or as a party to relations
    ("between Baghdad and Washington", "between Washington and Baghdad")."""
    actors = _tables(watchlist).actors
    states = [m for m in matches if m.kind == "actor" and m.name in actors and actors[m.name].kind == "state"]
    out = {}
    for m in matches:
        state = actors.get(actors[m.name].stands_for) if m.kind == "actor" and m.name in actors else None
        if state is None:
            continue
        before = text[max(0, m.start - 80) : m.start]
        party = bool(_BETWEEN_BEFORE.search(before)) and any(_AND.fullmatch(text, m.end, s.start) for s in states if s.start > m.end)
        party = party or any(_AND.fullmatch(text, s.end, m.start) and _BETWEEN_BEFORE.search(text, 0, s.start) for s in states if s.end < m.start)
        party = party or bool(_BETWEEN_WORDS.search(before))  # zwischen der kurdischen Regionalregierung und Bagdad
        party = party or (bool(_RELATIONS_BETWEEN.search(before)) and _AND_NAME.match(text, m.end) is not None)
        if _governs(text, m) or party:
            out[m] = dataclasses.replace(m, name=state.name, category=state.kind, part_of=state.part_of)
    return out


def _governs(text: str, m: Match) -> bool:
    """Whether a capital acts or is addressed as a government: before a verb of GOVERNMENT_VERBS, auxiliaries
    between ("Baghdad has not yet decided"), right after a verb of ADDRESSED ("warned Baghdad", "calls on Baghdad"), or
    as the other party of relations ("after consultations with Baghdad", "talks with Tehran")."""
    at = m.end
    coordinated = _AND_NAME.match(text, at)
    if coordinated:
        at = coordinated.end()
    for _ in range(4):
        verb = _NEXT_WORD.match(text, at)
        if verb is None:
            break
        word = fold(verb.group(1))
        if word in GOVERNMENT_VERBS:
            return True
        if word not in AUXILIARIES:
            break
        at = verb.end()
    if _AGENT.search(text, max(0, m.start - 40), m.start) or _DEALS_WITH.search(text, max(0, m.start - 40), m.start):
        return True
    before = _WORDS_BEFORE.search(text, max(0, m.start - 30), m.start)
    return before is not None and fold(before.group(1)) in ADDRESSED and (fold(before.group(1)) not in ("on", "upon") or bool(_CALLS_ON.search(text, max(0, m.start - 40), m.start)))


_AIRCRAFT_TYPE = re.compile(r"\b(?:F|FA|F/A|A|AC|AV|EA|B|Su|MiG|Tu)-\d{1,3}[A-Z]{0,2}s?\b[^.;:!?]{0,40}$")  # F-15Es, AC-130, B-2, Su-34 (not MQ-9, Kh-101)
AIR_VERBS = frozenset("strike strikes struck striking hit hits bombed bombing bomb pounded pound pounding attacked attack attacks raided".split())


def aircraft_types(watchlist: Watchlist, matches: Sequence[Match], text: str) -> dict[Match, Match]:
    """A generic fight (CAMEO root 19 itself), or a bombing (183), told by a verb of striking after a military
    aircraft's type designator ("American F-15Es struck the depots", "an Iraqi F-16 hit the hideout", "F-16s
    bombed the camp": bombs dropped from aircraft), the air strike, when
    none was found in its sentence (a word with digits never matches a phrase, so the type is read here)."""
    air = _tables(watchlist).air
    generic = [m for m in matches if m.kind == "event" and m.cameo in ("19", "183") and fold(m.found) in AIR_VERBS]
    if air is None or not generic:
        return {}
    told = {k for m, k in zip(matches, sentence_keys(text, [m.start for m in matches])) if m.kind == "event" and m.name == air.name}
    out = {}
    for m, key in zip(generic, sentence_keys(text, [m.start for m in generic])):
        if key not in told and _AIRCRAFT_TYPE.search(text, max(0, m.start - 60), m.start):
            out[m] = dataclasses.replace(m, name=air.name, severity=air.severity, cameo=air.cameo, alias="(aircraft type)")
    return out


_WITH_DRONES = re.compile(r"[^.;:!?]{0,60}?\bwith[ \t]+['‘\"“]?(?:[\w-]+[ \t]+){0,3}?drones?\b", re.IGNORECASE)  # hit the base with two drones


_LADEN_DRONE = re.compile(r"-(?:laden|carrying|packed|rigged|armed)[ \t]+(?:[\w-]+[ \t]+)?drones?\b", re.IGNORECASE)  # a bomb-laden drone: the drone's charge


def drone_means(watchlist: Watchlist, matches: Sequence[Match], text: str) -> dict[Match, Match]:
    """A generic fight (CAMEO root 19 itself), or a bombing (183), told by a verb of striking whose means
    follows as drones ("hit a US base with drones", "bombed the base with two drones", "targeted it with a swarm
    of drones"): the drone strike, when none was found in its sentence; a bomb that a drone carries ("a bomb-laden
    drone exploded"): the drone strike, always (the drone's charge is no bombing of its own)."""
    generic = [m for m in matches if m.kind == "event" and m.cameo in ("19", "183") and fold(m.found) in AIR_VERBS]
    if not generic or "drone" not in text.casefold():
        return {}
    drone = _concept(watchlist, "drone strike")  # looked up once per watchlist: finding it per text was a tenth of a cold pass
    if not drone:
        return {}
    event = next(e for e in watchlist.events if e.name == drone)
    told = {k for m, k in zip(matches, sentence_keys(text, [m.start for m in matches])) if m.kind == "event" and m.name == drone}
    out = {}
    for m, key in zip(generic, sentence_keys(text, [m.start for m in generic])):
        if (key not in told and _WITH_DRONES.match(text, m.end)) or _LADEN_DRONE.match(text, m.end):
            out[m] = dataclasses.replace(m, name=drone, severity=event.severity, cameo=event.cameo, alias="(with drones)")
    return out


def named_parents(watchlist: Watchlist, matches: Sequence[Match]) -> list[Match]:
    """For a unit found under a name that holds one of its parent's aliases as whole words (IRGC-QF holds
    IRGC: the guide's "the IRGC is itself named"), the parent too, on the same span; once per parent."""
    actors = _tables(watchlist).actors
    found = {m.name for m in matches if m.kind == "actor"}
    out: list[Match] = []
    for m in matches:
        parent = actors.get(actors[m.name].part_of) if m.kind == "actor" and m.name in actors else None
        if parent is None or parent.name in found:
            continue
        words = [w.group() for w in WORD.finditer(m.found)]
        for alias in parent.aliases:
            said = [w.group() for w in WORD.finditer(alias)]
            exact = is_acronym(alias)
            same = (lambda a, b: a == b) if exact else (lambda a, b: fold(a) == fold(b))
            if said and len(said) < len(words) and any(all(same(w, x) for w, x in zip(words[i:], said)) for i in range(len(words) - len(said) + 1)):
                out.append(dataclasses.replace(m, name=parent.name, alias=alias, category=parent.kind, part_of=parent.part_of))
                found.add(parent.name)
                break
    return out


_FUTURE_BEFORE = re.compile(  # at most two words before the act: a modal, or readiness (ready to hit US bases)
    r"(?:\b(?:will|would|shall|going[ \t]+to|(?:ready|prepared|poised)[ \t]+to|pr[eê]ts?[ \t]+[aà]|listos[ \t]+para|pronti[ \t]+a)\b|['’]ll\b)(?=(?:\W+\w+){0,2}\W*$)",
    re.IGNORECASE,
)
_NOT_DONE = re.compile(  # between the modal and the act: a past conditional (would have died) or an end of the act (would halt attacks)
    r"\b(?:have|halt|stop|suspend|end|cease|pause|resume[ \t]+talks)\b", re.IGNORECASE
)
_IF = re.compile(r"\b(?:if|should|unless|in[ \t]+case|si|wenn|falls)\b", re.IGNORECASE)  # a condition: "... if Washington retaliated"
_MODAL = re.compile(r"\b(?:will|would|'ll|’ll)\b", re.IGNORECASE)
_LITOTES = re.compile(r"\b(?:hesitate|idle|rule[ \t]+out|ruled[ \t]+out|tolerate|silent|sit[ \t]+back)\b", re.IGNORECASE)  # would not hesitate: a threat
_NEGATION = re.compile(r"\b(?:not|never|no)\b|n['’]t\b", re.IGNORECASE)
_WHETHER = re.compile(r"\b(?:whether|(?:asked|asking|wondered|wondering)[ \t]+if|ob|what[ \t]+(?:would|will|could|might)[ \t]+happen[ \t]+if|what[ \t]+happens[ \t]+if|what[ \t]+if)\b", re.IGNORECASE)  # an indirect question: "asked whether the US would strike"
FUTURE_REACH = 40  # characters before a hostile act searched for "will", "would" or "'ll" (at most two words before it)


def threatened(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """A hostile act said in the future or the conditional ("Iran would be hit very hard", "the US will
    respond", "we'll make them pay"), not negated, in a sentence with no threat found: also a threat (CAMEO 13,
    the guide's "vowed revenge" is retaliation + threat), on the span from the modal to the act."""
    tables = _tables(watchlist)
    threat = tables.threat
    events = [m for m in matches if m.kind == "event"]
    if threat is None or not any(m.name in tables.hostile for m in events):
        return []
    keys = sentence_keys(text, [m.start for m in events])
    told = {k for m, k in zip(events, keys) if m.name == threat.name}
    out: list[Match] = []
    for m, key in zip(events, keys):
        if m.name not in tables.hostile or key in told:
            continue
        if text[slice(*sentence_of(text, m.start))].rstrip(" \t\n\"'”’»").endswith("?"):
            continue  # a question ("Would Washington really retaliate?") threatens nothing
        said = _threat_said(text, m, key)
        if said is None:
            continue
        told.add(key)
        (start, end), how = said
        out.append(Match("event", threat.name, f"(threatened: {how} ...)", text[start:end], start, end, 90.0, threat.severity, "", threat.cameo, form="words"))
    return out


_FUTURE_WORD = re.compile(r"\w{3,}(?:rá|rán|ría|rían|rà|ranno|rebbe|rebbero|rait|raient|ront|era|ira)$", re.IGNORECASE)  # responderá, colpirà, ripostera
_FUTURE_AFTER = re.compile(r"\W+(?:\w+\W+)?(?:will|would|sarà|sarebbe|será|sería|sera|serait)\b", re.IGNORECASE)  # the response will be swift, la risposta sarà
RESPONSES = frozenset("response risposta respuesta reponse riposte antwort".split())  # what a modal after makes a threat: the response will be swift
DECLARED = re.compile(r"(?:legitimate|fair)[ \t]+targets?|fair game|cibles légitimes|objetivos legítimos|obiettivi legittimi|legitime Ziele", re.IGNORECASE)  # targets declared


def _threat_said(text: str, m: Match, key: int) -> tuple[tuple[int, int], str] | None:
    """How a hostile act is said as a threat, not negated, in its sentence: a modal at most two words before it
    (will, would, 'll), a future or conditional form of its verb in French, Spanish or Italian, a modal right
    after a response (the response will be swift, la risposta sarà), or targets declared (legitimate targets)."""
    if DECLARED.fullmatch(m.found):
        return (m.start, m.end), "declared"
    modal = None
    for modal in _FUTURE_BEFORE.finditer(text, max(0, m.start - FUTURE_REACH), m.start):
        pass
    negated = modal is not None and (_NEGATION.search(text, modal.start(), m.start) or _NEGATION.search(text, max(0, modal.start() - 8), modal.start())
                                     or _WHETHER.search(text, max(0, modal.start() - FUTURE_REACH), modal.start()))  # asked whether it would: no threat said
    if modal is not None and sentence_keys(text, [modal.start()])[0] == key and not negated:
        if not _NOT_DONE.search(text, modal.start(), m.start):
            return (modal.start(), m.end), modal.group().lower()
    conditional = _conditional(text, m, key)
    if conditional is not None:
        return conditional
    last = m.found.split()[-1] if m.found.split() else ""
    if _FUTURE_WORD.fullmatch(last) and not _NEGATION.search(text, max(0, m.start - 12), m.start):
        return (m.start, m.end), "future"
    after = _FUTURE_AFTER.match(text, m.end) if fold(last) in RESPONSES else None
    if after and not _NEGATION.search(text, after.end(), after.end() + 8):
        return (m.start, after.end()), after.group().split()[-1].lower()
    return None


def _conditional(text: str, m: Match, key: int) -> tuple[tuple[int, int], str] | None:
    """A hostile act in a condition after a modal of the same sentence: "would set ablaze ... if Washington
    retaliated", "would not hesitate to use force if its sites were attacked" (a negated modal only with a
    litotes: would not stand idle, would not rule out)."""
    start, _ = sentence_of(text, m.start)
    condition = None
    for condition in _IF.finditer(text, start, m.start):
        pass
    if condition is None:
        return None
    modal = None
    for modal in _MODAL.finditer(text, start, condition.start()):
        pass
    if modal is None or sentence_keys(text, [modal.start()])[0] != key:
        return None
    main = text[modal.start() : condition.start()]
    if _NEGATION.search(main) and not _LITOTES.search(main):
        return None
    if _WHETHER.search(text, max(start, modal.start() - FUTURE_REACH), condition.end()):  # what would happen if ...: a scenario asked about, no threat
        return None
    if _NOT_DONE.search(text, modal.start(), min(condition.start(), modal.end() + 12)):
        return None
    return (modal.start(), m.end), f"{modal.group().lower()} ... {condition.group().lower()}"


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


DEFINITE = frozenset(  # determiners that make a generic event word refer back: "the attack", "this strike"
    "the this these those le la les l ce cet cette ces el los las lo il gli i quel quella questo questa der die das den dem des dieser diese dieses".split()
)
_THREE_WORDS_BEFORE = re.compile(r"(?:(\w+)[ \t\n'’]+)?(?:(\w+)[ \t\n'’]+)?(\w+)[ \t\n'’]+$")


def yielding(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The event matches whose event yields to another event found in the same sentence, or found earlier
    in the text when the generic word refers back to it ("the attack", "the latest strike": the guide's
    later generic word that adds nothing); and those whose opposite is found within OPPOSITE_NEAR words
    ("tensions eased", "Deeskalation; die Spannungen": not "warned of escalation and urged restraint")."""
    tables = _tables(watchlist)
    yields, opposes = tables.yields, tables.opposes
    events = [m for m in matches if m.kind == "event"]
    if not any(m.name in yields or m.name in opposes for m in events):
        return []
    keys = sentence_keys(text, [m.start for m in events])
    return [
        m for m, key in zip(events, keys)
        if (m.name in yields and any(o.name in yields[m.name] and not (o.start >= m.end and _downing(m)) and ((k == key and not _another(text, m, events) and not _apart(text, m, o)) or (o.start < m.start and _refers_back(text, m.start) and not _past_verb(m) and not _CAUSED.search(text, o.end, m.start))) for o, k in zip(events, keys)))
        or (m.name in opposes and _easable(text, m) and any(o.name in opposes[m.name] and k == key and _words_apart(text, m, o) <= OPPOSITE_NEAR for o, k in zip(events, keys)))
    ]


DOWNING = frozenset(  # shooting down: an act on the weapon (the guide: a drone shot down is the target of a strike), another act than its own
    "shot down|shooting down|shoot down|shoots down|downed|downing|abattu|abattus|abattue|abattre|derribó|derribado|derribados|derribo|derribar|"
    "abbattuto|abbattuti|abbattimento|abgeschossen|Abschuss|intercepted|intercept|interception".casefold().split("|")
)


def _downing(m: Match) -> bool:
    """Whether a generic event was found as a shooting down ("shot down three drones", "the downing of"): it does not
    yield to the weapon named after it, the one it downed ("the missiles that downed the airliner" yield)."""
    return fold(m.found) in DOWNING


def _past_verb(m: Match) -> bool:
    """Whether a generic event was found as a past verb (the US struck, the militia attacked): a verb, not a noun
    that a determiner makes refer back."""
    last = fold(m.found.split()[-1]) if m.found.split() else ""
    return last == "struck" or last.endswith("ed")


_CAUSE = (  # another act by cause: "in retaliation for the US strikes", "a strike could trigger missile attacks"
    r"(?:retaliation|revenge|reprisal|reprisals|payback|response)[ \t]+(?:for|to)|trigger(?:s|ed)?|provok(?:e|es|ed)|prompt(?:s|ed)?"
)
_CLAUSE = re.compile(  # another clause: "days after the US struck", "though rogue cells fired rockets" (not "Rockets later struck"); or a cause
    r"\b(?:after|before|though|although|whereas|but|since|until|(?:days|hours|weeks|months)[ \t]+later|" + _CAUSE + r")\b",
    re.IGNORECASE,
)
_CAUSED = re.compile(r"\b(?:" + _CAUSE + r")\b", re.IGNORECASE)


_CAUSE_OF = re.compile(  # a generic act as what a reprisal answers: "in reprisal for the strike", "revenge for the US attacks"
    r"\b(?:" + _CAUSE + r")[ \t]+(?:(?:the|a|an|this|that|these|those|its|their|his|her|last|latest|recent|[\w-]+['’]s)[ \t]+){0,2}(?:[\w-]+[ \t]+)?$",
    re.IGNORECASE,
)


_PHRASE_END = re.compile(r"[,;:.!?()\"“”«»]")


def _apart(text: str, m: Match, o: Match) -> bool:
    """Whether a generic event `m` tells another act than the specific one `o` of its sentence: a clause connector
    stands between them ("fired missiles ..., days after the United States struck", "The strikes were approved hours
    after rockets hit"), or `m` is what a reprisal answers, `o` outside that phrase ("in reprisal for the strike,
    rockets were fired")."""
    first, last = (m, o) if m.start < o.start else (o, m)
    if _CLAUSE.search(text, first.end, max(first.end, last.start)) is not None:
        return True
    cause = _CAUSE_OF.search(text, max(0, m.start - 60), m.start)
    if cause is None:
        return False
    phrase_end = _PHRASE_END.search(text, m.end)  # the answered act's phrase runs to the next punctuation (the strike on its consulate)
    return not cause.start() <= o.start < (phrase_end.start() if phrase_end else len(text))


PRONOUNS = frozenset("it they them none".split())  # a subject that refers back to an act told before
_NEAR_AFTER = re.compile(r"[ \t]+(?:[\w'’]+[ \t]+){0,2}", re.IGNORECASE)  # at most two words between a generic word and the specific one after it
_NEAR_BEFORE = re.compile(r"[ \t]+(?:[\w'’-]+[ \t]+){1,4}")  # at most four words, no punctuation, between a specific act and a generic word after it
_JOINED = re.compile(r"[ \t\-\u2010\u2011]{1,2}")  # a space or a hyphen: one word modifying the next
INDEFINITE = frozenset("a an un une una uno ein eine einen einem einer another other new further more".split())


def _another(text: str, m: Match, events: Sequence[Match]) -> bool:
    """Whether a generic event word tells another event than the specific one of its sentence: after an
    indefinite article or "other", "new", "further", at most one word between ("after an Israeli strike
    killed two"; not "in an attack later claimed by ISIS", nor "..., an attack claimed by ISIS"), or as a
    plural noun with no determiner that refers back ("directing attacks on US troops", "hit back with strikes")."""
    if any(o is not m and o.start >= m.end and _NEAR_AFTER.fullmatch(text, m.end, o.start) for o in events):
        return False  # "une attaque à la roquette", "an attack with drones": the specific one names its means
    if any(o is not m and o.end <= m.start and _JOINED.fullmatch(text, o.end, m.start) for o in events):
        return False  # "Katyusha attacks", "drone-strikes": the specific word right before names its means
    if m.cameo == "183" and any(o is not m and o.end <= m.start and _NEAR_BEFORE.fullmatch(text, o.end, m.start) for o in events):
        return False  # "jets dropped dozens of bunker-busting bombs": the bombs of the air strike just told
    before = _THREE_WORDS_BEFORE.search(text, max(0, m.start - 60), m.start)
    if before:
        article = 3 if fold(before.group(3)) in INDEFINITE else 2 if before.group(2) and fold(before.group(2)) in INDEFINITE else 0
        if article == 2 and any(o.start <= before.start(3) < o.end for o in events):
            article = 0  # "a rocket hit": the article is the specific event's
        if article:
            start = before.start(article)
            if text[max(0, start - 3) : start].rstrip()[-1:] in (",", "—", "–", "("):
                return False  # in apposition: the same one
            preposition = _WORDS_BEFORE.search(text, max(0, start - 30), start)
            return not (preposition and fold(preposition.group(1)) in PLACE_WORDS)  # "in an attack later claimed by ISIS": the same one
    word = fold(before.group(3)) if before else ""
    found = m.found.split()[-1] if m.found.split() else ""
    return len(found) > 4 and found[-1:] in "sS" and found[-2:-1] not in "sS" and word not in DEFINITE and not _refers_back(text, m.start)


OPPOSITE_NEAR = 8  # words between an event and its opposite for the opposite to take it out
_ESCALATING = re.compile(r"(?:escal|eskal)\w*|fl(?:a|ae|ä)chenbrand\w*|conflagration\w*|embrasement\w*")  # an escalation said as such (folded)
_NEGATED_BEFORE = re.compile(r"\b(?:not|no|never|without|nicht|kein\w*|pas|sans|ni|non|senza)\b(?:[ \t\"“”'’]+[\w'’-]+){0,3}[ \t\"“”'’]+$", re.IGNORECASE)


def _easable(text: str, m: Match) -> bool:
    """Whether an escalation match is what its opposite near it talks of (tensions eased, un alivio de las
    tensiones, no desire for a wider conflict), not an escalation said as such and not negated (warned of a
    conflagration and called for restraint, ready for war if Israel escalated: a mention of its own)."""
    return not _ESCALATING.fullmatch(fold(m.found)) or _NEGATED_BEFORE.search(text, max(0, m.start - 60), m.start) is not None
_A_WORD = re.compile(r"\w+")


def _words_apart(text: str, a: Match, b: Match) -> int:
    first, last = (a, b) if a.start <= b.start else (b, a)
    return len(_A_WORD.findall(text, first.end, max(first.end, last.start)))


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


class Marks(NamedTuple):
    """Words and phrases that tell what a sentence is about, looked up among its words (faster than one
    regex of many alternatives): single words, phrases by their first word, and word beginnings."""

    singles: frozenset[str]
    phrases: dict[str, frozenset[tuple[str, ...]]]  # by first word
    prefixes: re.Pattern[str] | None

    @classmethod
    def of(cls, phrases: str) -> "Marks":
        listed = [p.strip() for p in phrases.split("|") if p.strip()]
        grams = [tuple(_A_WORD.findall(p.casefold())) for p in listed if not p.endswith("*")]
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
        words = _A_WORD.findall(folded)
        if not self.singles.isdisjoint(words):
            return True
        phrases = self.phrases
        for i, w in enumerate(words):
            if w in phrases and any(tuple(words[i : i + len(g)]) == g for g in phrases[w]):
                return True
        return self.prefixes is not None and self.prefixes.search(folded) is not None


FICTION = Marks.of(  # a sentence that tells a game, a film or a novel: its events and states are not the domain's
    "fictional|fictitious|video game|video games|videogame|videogames|board game|board games|in the game|the game's|thriller|novel|sitcom|"
    "screenplay|trailer|movie|film|films|cinema|cinemas|box office|fictif|fictive|jeu vidéo|cinéma|ficticio|ficticia|videojuego|película|"
    "fittizio|fittizia|videogioco|fiktiv|Videospiel|Spielfilm|Kino|Kinos|Call of Duty|multiplayer|gamers|killstreak|kill streak|esports|"
    "TV series|spy series|drama series|miniseries|Netflix|Apple TV|HBO|season finale|"
    # a series' season or episode, a sequel, where a story is set, what a game lets its players do
    "new season|final season|latest season|episode|episodes|sequel|prequel|is set in|gameplay|playable|lets players|speedrun*|card game|board-game|"
    "players can|players must|on the map|game mode|game modes|PlayStation|Xbox|Nintendo|DLC|"
    # a song, a choir, an album: music (Katyusha, the wartime song)
    "song|songs|wartime song|folk song|choir|album|lyrics|chanson|canción|canzone|Lied|Volkslied"
)


def fiction(matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]] | None = None, watchlist: Watchlist | None = None) -> list[Match]:
    """The event matches, and with the watchlist its states, in a sentence that tells a game, a film or a novel
    (FICTION): "players launch air strikes", "gunmen storming a fictional embassy", "US Marines fight a fictional
    militia" (the guide: games and fiction are not labelled)."""
    actors = _tables(watchlist).actors if watchlist is not None else {}
    told_of = [m for m in matches if m.kind == "event" or (m.name in actors and actors[m.name].kind == "state")]
    return _in_sentences_telling(FICTION, told_of, text, {} if spans is None else spans)


def fiction_or_sports(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]]) -> list[Match]:
    """`fiction` and `sports` at once (they drop the same kinds of match): each sentence searched once. An event
    in a sentence that names a watched armed group and tells no fiction stays ("the qualifier went ahead despite a
    drone strike on a Kataeb Hezbollah depot": no side of a match is an armed group)."""
    actors = _tables(watchlist).actors
    told_of = [m for m in matches if m.kind == "event" or (m.name in actors and actors[m.name].kind == "state" and not _INSTITUTION.search(m.found))]
    if not told_of:
        return []
    events = [m for m in told_of if m.kind == "event"] if any(hint in text for hint in _PASTIME_HINTS) else []  # most texts name no pastime: no second scan
    dropped = _in_sentences_telling(_FICTION_OR_SPORTS, told_of, text, spans, clauses=True)
    armed = [m for m in matches if m.kind == "actor" and m.name in actors and actors[m.name].kind == "group"]
    if dropped and armed:
        held = {spans.get(g.start) or spans.setdefault(g.start, sentence_of(text, g.start)) for g in armed}
        held = {span for span in held if not FICTION.told(text[span[0] : span[1]])}
        dropped = [m for m in dropped if m.kind != "event" or spans[m.start] not in held]
    return dropped + (_in_sentences_telling(PASTIMES, events, text, spans) if events else [])


_INSTITUTION = re.compile(  # a state's body, which no side of a match is: the champions at the White House
    r"\b(?:House|Pentagon|Department|Ministry|Treasury|Office|Command|Congress|Senate|Administration|Government|Embassy|Kremlin|Élysée|Palace)\b"
)


def _in_sentences_telling(marks: Marks, matches: list[Match], text: str, spans: dict[int, tuple[int, int]], clauses: bool = False) -> list[Match]:
    """The matches whose sentence holds one of `marks` (each sentence searched once, only those of the matches;
    `spans` keeps each match start's sentence for the next caller); with `clauses`, of a sentence of clauses joined
    by semicolons the match's clause (a game or a match is told in its clause; a labour dispute runs over both)."""
    told: dict[tuple[int, int], bool] = {}
    out = []
    for m in matches:
        span = spans.get(m.start) or spans.setdefault(m.start, sentence_of(text, m.start))
        if clauses and ";" in text[span[0] : span[1]]:  # two clauses joined by a semicolon: each tells its own (vowed revenge; in Hollywood, a thriller)
            before, after = text.rfind(";", span[0], m.start), text.find(";", m.end, span[1])
            span = (before + 1 if before >= 0 else span[0], after if after >= 0 else span[1])
        if span not in told:
            told[span] = marks.told(text[span[0] : span[1]])
        if told[span]:
            out.append(m)
    return out


SPORTS = Marks.of(  # a sentence that tells a match: its events, and its states (the national sides), are not the domain's
    "World Cup|national team|stoppage time|stoppage-time|half-time|goalless|goalkeeper|midfielder|striker|scored|penalty|red card|"
    "three-pointers|threes|rebounds|innings|wicket|wickets|qualifier|qualifiers|quarter-final|quarter-finals|semi-final|semi-finals|Olympic|Olympics|"
    "equaliser|equalizer|Premier League|Champions League|baseline|tennis|Coupe du monde|carton rouge|buteur|attaquant|gardien de but|"
    "Copa del Mundo|tarjeta roja|delantero|goleador|portero|Mondiali|cartellino rosso|attaccante|portiere|Weltmeisterschaft|rote Karte|"
    "Stürmer|Torwart|Torhüter|Nationalmannschaft|locker room|dressing room|chess|kingside|queenside|checkmate|grandmaster|rugby|drop goal|scrum|Asian Cup|"
    "Coppa d'Asia|Coupe d'Asie|Copa Asiática|hat-trick|doppietta|andata|Hinspiel*|Rückspiel*|volleyball|basketball|derby|sent off|"
    "Nations League|straight sets|quarterback|touchdown|NFL|NBA|playoff|playoffs|Super Bowl|"
    # futsal, a league table, a shoot-out won; the other languages' football (a long shot, the top corner, a penalty)
    "futsal|on penalties|points clear|point guard|free throw|free throws|rookie|from deep|three-point|three-pointer|"
    "footballers|footballer|seamers|seamer|top order|batsmen|batters|Team Melli|"  # a side's players, cricket's attack, Iran's national side
    "Fernschuss|Elfmeter|Freistoß|Kopfball|incrocio dei pali|calcio di rigore|rigore|penalti|tiro libre|coup franc|tir au but|tirs au but|"
    # a cup's final, a side's coach and run of results, a league's trades and positions
    "Gulf Cup|Cup final|cup final|cup semi-final|head coach|straight defeat|straight defeats|straight wins|winless|unbeaten run|relegation|title race|"
    "league leaders|trade deadline|frontcourt|backcourt|free agent|free agency|draft pick|sélectionneur|entraîneur|entrenador|allenatore"
)
_FICTION_OR_SPORTS = FICTION.joined(SPORTS)
_PASTIME_HINTS = tuple(f(w) for w in ("bowl", "tenpin", "skittle", "dart", "snooker", "billiard") for f in (str.lower, str.capitalize, str.upper))  # what every PASTIMES word starts with, as written
PASTIMES = Marks.of("bowling|bowling alley|tenpin|skittles|darts|snooker|billiards")  # a game whose strikes and shots are its own: its events only (the US embassy's staff at the alley stay)


def sports(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]] | None = None) -> list[Match]:
    """The event matches, and the states, of a sentence that tells a match ("Iran stunned Wales with two
    stoppage-time goals", "the referee showed him a red card"): the guide's sports sense of conflict words."""
    actors = _tables(watchlist).actors
    told_of = [m for m in matches if m.kind == "event" or (m.name in actors and actors[m.name].kind == "state")]
    return _in_sentences_telling(SPORTS, told_of, text, {} if spans is None else spans)


def _refers_back(text: str, start: int) -> bool:
    """Whether the words before `start` are a definite determiner, with at most one word between that is no
    superlative, and not after "of" ("some of the deadliest attacks" is attacks in general, not the one told)."""
    before = _THREE_WORDS_BEFORE.search(text, max(0, start - 60), start)
    if before is None:
        return False
    third, second, last = (fold(w) if w else "" for w in before.groups())
    if last in PRONOUNS:  # "None of them hit the runway", "they struck": the act told before
        return True
    if last in DEFINITE:
        return second != "of"
    return second in DEFINITE and third != "of" and not last.endswith("est")


_COMPOUND = re.compile(r"[-\u2010\u2011][A-Z\u00c0-\u00de]")  # Soleimani-Nia: a hyphen, then a capital


def compound_surnames(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The person matches that a hyphen and a capital continue: "Ghasem Soleimani-Nia" is another
    person's double surname, not the watched Soleimani; and those whose last word is written in small
    Latin letters: "known as al-muhandis, the engineer" is a word, not the name."""
    actors = _tables(watchlist).actors
    return [
        m for m in matches
        if m.kind == "actor" and m.name in actors and actors[m.name].kind == "person" and (_COMPOUND.match(text, m.end) or _small(m.found))
    ]


_WRAPPED = re.compile(r"-[ \t]*\r?\n[ \t]*(?=[^\W\d_A-Z])")  # a hyphen at a line end before a small letter joins the word


def _small(found: str) -> bool:
    """Whether the last word of a name as found starts with a small Latin letter."""
    words: list[str] = WORD.findall(_WRAPPED.sub("", found.replace("\u00ad", "")))  # Solei-⏎mani is one word
    first = words[-1][:1] if words else ""
    return first.isascii() and first.islower()


def names_of_things(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The actor matches followed by one of the actor's `not_before` head nouns, capitalised as part of
    a proper name (one word of SKIPPED_BEFORE_HEAD may stand between): "Baghdad Grill", not "the old
    Baghdad café"; or right after one, capitalised ("Bank Sepah", "Restaurant „Bagdad“"), or after a
    word of STREETS ("viale Pasdaran"); or before a road word: a group's in small letters (the Pasdaran
    interchange), anyone's capitalised (the Abu Mahdi al-Muhandis Expressway, Soleimani Street)."""
    heads = _tables(watchlist).heads
    out = []
    for m in matches:
        if m.kind == "actor" and m.name in heads:
            run = _FOLLOWING.match(text, m.end)  # words right after, with only spaces between (no comma)
            following = run.group().split() if run else []
            while following and fold(following[0]) in SKIPPED_BEFORE_HEAD:
                following.pop(0)
            capitals: list[str] = []  # the capitalised words right after: the rest of a longer name (Pentagon Federal Credit Union)
            for word in following if m.found[-2:] not in ("'s", "’s") else following[:1]:  # Baghdad's Tayaran Square: the city's
                if not word[0].isupper():
                    break
                capitals.append(fold(word))
            if heads[m.name] & {*capitals, *(" ".join(capitals[i : i + 2]) for i in range(len(capitals)))}:
                out.append(m)
                continue
            road = _NEXT_WORD.match(text, m.end)
            if road and road.group(1).casefold() in ROADS_AFTER and ((road.group(1).islower() and m.category == "group") or road.group(1)[0].isupper()):
                out.append(m)
                continue
            before = _HEAD_BEFORE.search(text, max(0, m.start - 40), m.start)
            if before and (((before.group(1)[0].isupper() or before.group(2)) and fold(before.group(1)) in heads[m.name]) or fold(before.group(1)) in STREETS):
                out.append(m)
    return out


STREETS = frozenset("viale corso piazza rue avenue boulevard calle avenida plaza strasse platz".split())
ROADS_AFTER = frozenset("interchange highway expressway motorway overpass flyover roundabout junction tunnel bridge street avenue road square".split())  # the Pasdaran interchange: a road named after the group  # viale Pasdaran, rue de Téhéran: a street
_HEAD_BEFORE = re.compile(  # the word right before a name (Bank Sepah, Restaurant „Bagdad“; in quotes also in small letters: le restaurant « Le Bagdad »)
    r"(\w+)[ \t]+(?:([„“\"«‚‘'][ \t]*(?:(?:Le|La|Les|The|El|Il|Der|Die|Das)[ \t]+)?)|)$"
)


THING_HEADS = frozenset(  # what an apposition says a name is when it is no watched actor: "Esper, the Seattle startup"
    "company firm startup start-up maker brand band restaurant club app platform chain retailer label developer "
    "manufacturer studio publisher hotel cafe café bakery town village county suburb airline carrier shop store "
    "software fund bank "
    "éditeur société entreprise fabricant marque enseigne empresa compañía fabricante marca società azienda marchio Firma Unternehmen Hersteller Marke".casefold().split()
)
US_STATES = frozenset(  # "Baghdad, Arizona": a namesake place
    "Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho Illinois Indiana Iowa "
    "Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio "
    "Oklahoma Oregon Pennsylvania Tennessee Texas Utah Vermont Virginia Wisconsin Wyoming".split()
)
_APPOSITION = re.compile(  # "Esper, the Seattle startup", "Esper, l'éditeur américain", "Esper, una empresa"
    r",[ \t]+(?:(?:the|a|an|le|la|un|une|el|una|il|lo|uno|der|die|das|ein|eine)[ \t]+|l['’])((?:[\w'’-]+[ \t]*){1,5})", re.IGNORECASE
)
_STATE_AFTER = re.compile(r",[ \t]+([A-Z][a-z]+)\b")


def appositions(matches: Sequence[Match], text: str) -> list[Match]:
    """The actor matches that an apposition says are another thing: a name followed by a comma and "the" or "a"
    with, within five words, a noun of THING_HEADS ("Esper, the Seattle device-management startup", "Esper, a
    Berlin software firm"), or by a comma and a US state ("Baghdad, Arizona"); and so an event word that opens a
    text or a line capitalised ("Katyusha, a Brooklyn restaurant")."""
    out = []
    for m in matches:
        if m.kind != "actor" and not (m.found[:1].isupper() and (m.start == 0 or text[m.start - 1] in "\n\"'“‘«")):
            continue
        after = _APPOSITION.match(text, m.end)
        if after and any(w.casefold() in THING_HEADS for w in after.group(1).split()):
            out.append(m)
            continue
        state = _STATE_AFTER.match(text, m.end)
        if state and state.group(1) in US_STATES:
            out.append(m)
    return out


_APPEAL = re.compile(  # a call on someone: urged, called on, asked, pressed, appealed to, or an order (told, ordered, instructed), and their French, Spanish, Italian, German forms
    r"\b(?:urg(?:e|es|ed|ing)|call(?:s|ed|ing)?[ \t]+(?:on|upon|for)|ask(?:s|ed|ing)?|press(?:es|ed|ing)?|appeal(?:s|ed|ing)?|implor\w*|plead\w*|"
    r"exhort\w*|appel\w*|exhort\w*|pidi\w*|inst[oó]\w*|esort\w*|invit\w*|chiede\w*|forder\w*|rief\w*|ruft|"
    r"told|tell(?:s|ing)?|order(?:s|ed|ing)?|instruct(?:s|ed|ing)?|ordonn\w*|orden[oó]|ordenaron|ordin(?:ato|ò|ano|a)|befahl|befiehlt|angewiesen)\b",
    re.IGNORECASE,
)
_STOP = re.compile(  # ... to stop: refrain from, halt, stop, avoid, cease, end, not to
    r"\b(?:refrain\w*|halt\w*|stop\w*|avoid\w*|ceas(?:e|es|ed|ing)|end|ending|not[ \t]+to|restrain\w*|abstenir|cesser|arr[eê]ter|evitar|detener|"
    r"pause|pausing|paused|rein[ \t]+in|curb|curbing|freiner|contener|frenare|zügeln|"
    r"evitare|fermare|cessare|vermeiden|einzustellen|beenden|suspend\w*|sospend\w*|suspendre|suspender|aussetzen|einstellen)\b",
    re.IGNORECASE,
)
_WAR = re.compile(  # what a call to stop may name instead of an act: war, conflict, a battlefield (not a price or trade war)
    r"(?<!price )(?<!trade )(?<!turf )(?<!culture )(?<!bidding )(?<!tariff )\b(?:war|wars|conflict|battlefield|battleground|escalation|fighting|hostilities|violence|confrontation|guerre|guerra|Krieg|conflit|conflicto|conflitto|"
    r"provocations?|provocazion[ei]|provocaci[oó]n|provocaciones|Provokation(?:en)?)\b",
    re.IGNORECASE,
)
_NOT_SEEKING = re.compile(  # not seeking / not looking for / not interested in (a wider) war: the guide's "not seeking a wider war"
    r"\b(?:not|no|never)[ \t'’\"]+(?:\w+[ \t'’\"]+){0,2}?(?:seek\w*|looking[ \t]+for|look[ \t]+for|want\w*|interest(?:ed)?[ \t'’\"]+in)[ \t'’\"]+"
    r"(?:an?[ \t]+|any[ \t]+)?(?:\w+[ \t]+)?(?:war|conflict|confrontation|escalation)\b",
    re.IGNORECASE,
)
METAPHOR_WARS = frozenset(  # the word before "war" that makes it one of commerce, law or budgets: a call for a ceasefire in a price war
    "price pricing fare trade turf culture bidding tariff patent format streaming console ratings subsidy takeover talent browser legal budget "
    "funding spending tax currency ad advertising sales subscription fee discount pr media".split()
)
_WAR_WORD = re.compile(r"\b(?:[Ww]ars?|WARS?|[Gg]uerr[ae]s?)\b|(?:Preis|Handels|Patent)kriegs?\b")
_OF_WORDS = re.compile(r"[ \t]+of[ \t]+words\b", re.IGNORECASE)  # a war of words
_OF_PRICES = re.compile(r"[ \t]+(?:des[ \t]+prix|de[ \t]+precios|dei[ \t]+prezzi)\b", re.IGNORECASE)  # guerre des prix, guerra de precios, guerra dei prezzi


def _metaphor_wars(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Where a war of commerce, law, budgets or words is named between `start` and `end`: a price war, a war of
    words, la guerre des prix, la guerra de precios, la guerra dei prezzi, der Preiskrieg (found from the word
    "war" in the five languages, then the word before or after it)."""
    out = []
    for w in _WAR_WORD.finditer(text, start, len(text) if end is None else end):
        word = w.group().casefold()
        if word.startswith("war"):
            before = _WORDS_BEFORE.search(text, max(0, w.start() - 30), w.start())
            if (before is not None and before.group(1).casefold() in METAPHOR_WARS) or _OF_WORDS.match(text, w.end()):
                out.append(w.start())
        elif word.startswith("guerr"):
            if _OF_PRICES.match(text, w.end()):
                out.append(w.start())
        else:  # Preiskrieg, Handelskrieg, Patentkrieg
            out.append(w.start())
    return out
APPEAL_REACH = 8  # words from the call to its "stop", and from the "stop" to the act or war it names
APPEAL_CHARS = 400  # characters that surely hold APPEAL_REACH words after a call (a quick look before counting them)


def appeals(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """A call to stop a hostile act or a war ("urged Iran not to retaliate", "asked Washington to refrain from
    striking", "called for an immediate ceasefire"), or a war said not to be sought ("not looking for war"),
    in a sentence where no de-escalation was found: a de-escalation (CAMEO 0256, the guide's "a call to stop
    attacks"), on the span from the call to the act."""
    tables = _tables(watchlist)
    calm = tables.calm
    if calm is None:
        return []
    events = [m for m in matches if m.kind == "event"]
    keys = sentence_keys(text, [m.start for m in events]) if events else []
    told = {k for m, k in zip(events, keys) if m.name == calm.name}
    out: list[Match] = []
    for match in _NOT_SEEKING.finditer(text):
        key = sentence_keys(text, [match.start()])[0]
        if key not in told:
            told.add(key)
            out.append(Match("event", calm.name, "(not seeking war)", match.group(), match.start(), match.end(), 90.0, calm.severity, "", calm.cameo, form="words"))
    truces = [m.start for m in events if m.name == tables.truce]
    if not any(m.name in tables.hostile for m in events) and not truces and not _WAR.search(text):
        return out  # a call to stop names an act found or a war: none here
    for call in _APPEAL.finditer(text):
        near = call.end() + APPEAL_CHARS
        if not _STOP.search(text, call.end(), near) and not any(call.end() <= t < near for t in truces):
            continue  # no stop and no truce near the call (most calls: told reporters, ordered an inquiry): nothing to look at
        key = sentence_keys(text, [call.start()])[0]
        if key in told or _metaphor_wars(text, *sentence_of(text, call.start())):
            continue
        end = _reach(text, call.end(), APPEAL_REACH)
        acts = [m for m, k in zip(events, keys) if k == key and call.end() <= m.start and (m.name in tables.hostile or m.name == tables.truce)]
        stop = _STOP.search(text, call.end(), end)
        target: tuple[int, int] | None = None
        truce = next((m for m in acts if m.name == tables.truce and m.start < end), None)
        if truce is not None:
            target = (call.start(), truce.end)
        elif stop is not None:
            after = _reach(text, stop.end(), APPEAL_REACH)
            act = next((m for m in acts if m.name != tables.truce and stop.start() <= m.start < after), None)
            war = _WAR.search(text, stop.end(), after)
            if act is not None:
                target = (call.start(), act.end)
            elif war is not None and sentence_keys(text, [war.start()])[0] == key:
                target = (call.start(), war.end())
        if target is not None:
            told.add(key)
            start, stop_at = target
            out.append(Match("event", calm.name, "(a call to stop)", text[start:stop_at], start, stop_at, 90.0, calm.severity, "", calm.cameo, form="words"))
    return out


_TENSIONS = frozenset("tensions tension tensiones tension tensioni tensione spannungen spannung".split())
_EASED_AFTER = re.compile(  # tensions between Washington and Tehran had eased: the subject, then its verb of easing, in one clause
    r"(?:[ \t]+[\w'’-]+){0,8}?[ \t]+(?:(?:had|have|has|have[ \t]+since|had[ \t]+since|had[ \t]+visibly|began[ \t]+to|started[ \t]+to)[ \t]+)?"
    r"(?:eased|easing|eases|subsided|subsiding|cooled|cooling|calmed|receded|abated|diminished|defused|lessened|"
    r"baissé|apaisées|apaisé|disminuido|disminuyeron|calmaron|allentate|diminuite|nachgelassen|entspannt)\b",
    re.IGNORECASE,
)


def eased_tensions(watchlist: Watchlist, matches: Sequence[Match], text: str) -> dict[Match, Match]:
    """The escalations found as "tensions" whose clause goes on with a verb of easing of which they are the subject
    ("tensions between Washington and Tehran had eased", "les tensions ... se sont apaisées"): the easing told, a
    de-escalation in the event's place (the words spread past an event phrase's window); not when negated (tensions
    that have not eased)."""
    tables = _tables(watchlist)
    calm = tables.calm
    if calm is None or not tables.escalation:
        return {}
    out = {}
    for m in matches:
        if m.kind == "event" and m.name == tables.escalation and fold(m.found) in _TENSIONS and (eased := _EASED_AFTER.match(text, m.end)) and not _NEGATION.search(text, m.end, eased.end()):
            out[m] = Match("event", calm.name, "(tensions eased)", text[m.start : eased.end()], m.start, eased.end(), 90.0, calm.severity, "", calm.cameo, form="words")
    return out


def _reach(text: str, start: int, words: int) -> int:
    """The position `words` words after `start` (or the text's end)."""
    found = None
    for n, found in enumerate(_A_WORD.finditer(text, start)):
        if n + 1 >= words:
            return found.end()
    return found.end() if found is not None else len(text)


_CLOSING = re.compile(r"[ \t]?[\"'”’»“]")
_CURRENCY = re.compile(r"\$|€|£")  # US$25, A$: a currency, not the state
PRONOUN_BEFORE = frozenset(  # a verb or preposition before "US" in a text written in capitals: the pronoun (WRITE TO US)
    "to with for join contact follow email call tell help about let give send support visit from".split()
)
_CULTURE_OWNED = re.compile(  # a country's orchestra, ballet, cuisine, cinema: its culture (the guide's cultural sense)
    r"(?:['’]s)?[ \t]+(?:(?:national|state|own|oldest|best-known|leading|top|biggest)[ \t]+)?(?:symphony[ \t]+)?"
    r"(?:orchestra|orchestras|ballet|opera|choir|cuisine|cinema|film[ \t]+industry|poets?|novelists?|painters?|musicians?|singers?|pop[ \t]+stars?)\b",
    re.IGNORECASE,
)
_TRADE_AFTER = re.compile(  # a private person by trade after a nationality adjective, one word may qualify it (an Iraqi security analyst): biographical
    r"[ \t]+(?:[\w-]+[ \t]+)?(?:analysts?|activists?|journalists?|writers?|academics?|scholars?|chefs?|artists?|students?|businessm[ae]n|"
    r"businesswom[ae]n|filmmakers?|film-makers?|actors?|actress(?:es)?|photographers?|bloggers?|dissidents?|architects?|"
    r"clerics?|clergy(?:men)?|pilgrims?|poets?|novelists?|athletes?|footballers?|doctors?|nurses?|engineers?|lawyers?|traders?|farmers?|refugees?|migrants?|expats?|tourists?)\b",
    re.IGNORECASE,
)
_MEDIA_AFTER = re.compile(r"[ \t-]+(?:media|Medien|médias|medios|newspapers?|networks?|broadcasters?|outlets?|Zeitungen)\b", re.IGNORECASE)
_MEDIA_BEFORE = re.compile(r"\b(?:médias|medios|media|Medien|journaux|periódicos|giornali)[ \t]+$", re.IGNORECASE)  # les médias iraniens
DEMONYM_ENDINGS = ("i", "an", "ien", "ienne", "iens", "iennes", "ano", "ana", "ani", "ane", "í", "ische", "ischen", "ischer", "ese")  # Iraqi, American, iranien, iraní, irakische


_BY_AUTHOR = re.compile(r",[ \t]+by[ \t]+[A-Z]")  # "Baghdad, by Linda Dangoor": a work's title and its author
_DEFINED = re.compile(r"((?:[\w-]+[ \t]+){1,9})\($")  # the words before an acronym in brackets: "Pulsed magnetic field (PMF)"


_FIRM_AFTER = re.compile(  # ISIS Equity Partners, Iraqi Airways, Hezbollah Records: a firm's name holding the actor's
    r"(?:[ \t]+[A-Z][\w&'’-]*){0,2}?[ \t]+(?:Partners|Capital|Holdings|Airways|Airlines|Group|Inc|Ltd|LLC|plc|PLC|GmbH|Equity|Ventures|Insurance|"
    r"Motors|Telecom|Pharma|Pharmaceuticals|Entertainment|Records|Studios|Technologies|Labs|Consulting|Investments|Properties|Realty)\b"
)
_WORK_BEFORE = re.compile(  # the film Green Zone, the novel „Bagdad“: a work's title
    r"\b(?:film|movie|novel|book|documentary|series|sitcom|song|album|musical|thriller|opera|podcast|painting|video[ \t]+game|Film|Roman|roman|película|novela|romanzo)[ \t]+[\"'“‘«„]?$",
)


def other_senses(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The actor matches that name another thing by their form: a currency sign right after (US$25), a place
    before "-born" (the Baghdad-born architect: where a person was born, the guide's biographical sense), a
    name followed by ", by" and an author (a book's title), a name that goes on as a firm's (ISIS Equity Partners,
    Iraqi Airways) or follows a work's kind (the film Green Zone), and an acronym in brackets whose words right
    before spell it and are none of the actor's aliases ("pulsed magnetic field (PMF)": defined as another thing)."""
    actors = _tables(watchlist).actors
    out = []
    for m in matches:
        if m.kind != "actor" or m.name not in actors:
            continue
        kind = actors[m.name].kind
        if _CURRENCY.match(text, m.end) and m.found.isupper():
            out.append(m)
        elif m.found[:1].isupper() and (_FIRM_AFTER.match(text, m.end) or _WORK_BEFORE.search(text, max(0, m.start - 20), m.start)):
            out.append(m)  # ISIS Equity Partners, Iraqi Airways: a firm; the film Green Zone: a work
        elif m.found == "US" and (before := _WORDS_BEFORE.search(text, max(0, m.start - 20), m.start)) and before.group(1).isupper() and before.group(1).casefold() in PRONOUN_BEFORE and not _NEXT_WORD.match(text, m.end):
            out.append(m)  # WRITE TO US, JOIN US: the pronoun in capitals, no noun after it (FOR US TROOPS stays)
        elif kind in ("place", "state") and (_BORN.match(text, m.end) or _BY_AUTHOR.match(text, m.end)):
            out.append(m)
        elif kind == "state" and _CULTURE_OWNED.match(text, m.end):
            out.append(m)  # Iraq's national orchestra: the country's culture, not the state acting
        elif kind == "state" and m.found[-2:] not in ("'s", "’s") and (_MEDIA_AFTER.match(text, m.end) or (_MEDIA_BEFORE.search(text, max(0, m.start - 12), m.start) and fold(m.found).endswith(DEMONYM_ENDINGS))):
            out.append(m)  # US media, Iranian newspapers, US-Medien: the press of a country, not its state ("state media", "Iran's Press TV" stay)
        elif kind == "state" and fold(m.found).endswith(DEMONYM_ENDINGS) and _TRADE_AFTER.match(text, m.end):
            out.append(m)  # an Iraqi activist: a person's nationality (a "Pentagon analyst" stays: a body of the state)
        elif m.found.isupper() and 2 <= len(m.found) <= 5 and text[m.end : m.end + 1] == ")":
            defined = _DEFINED.search(text, max(0, m.start - 80), m.start)
            words = defined.group(1).split() if defined else []
            aliases = {fold(a) for a in actors[m.name].aliases}
            if any("".join(w[0] for w in spelt).casefold() == m.found.casefold() and fold(" ".join(spelt)) not in aliases for spelt in _spellings(words, len(m.found))):
                out.append(m)
    return out


FUNCTION_WORDS = frozenset("of for and the on in de des du la le et y e del della di und für der die das".split())  # left out of an acronym


def _spellings(words: list[str], letters: int) -> list[list[str]]:
    """The last words that may spell an acronym of `letters` letters: as many words, and as many words that are
    not FUNCTION_WORDS ("Institute for Science and International Security (ISIS)")."""
    content = [w for w in words if fold(w) not in FUNCTION_WORDS]
    return [w[-letters:] for w in (words, content) if len(w) >= letters]


def quoted(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The state matches, and one-word place matches, written alone in quotes: the title of a work or a thing's
    name ("Tehran", the spy series; Apple's 'Tehran'), not the place or its government («Zona verde» stays)."""
    actors = _tables(watchlist).actors
    return [
        m for m in matches
        if m.kind == "actor" and m.name in actors and (actors[m.name].kind == "state" or (actors[m.name].kind == "place" and len(m.found.split()) == 1))
        and _QUOTED.search(text, max(0, m.start - 2), m.start) and _CLOSING.match(text, m.end)
    ]


_OPERATION = re.compile(r"\b(?:Operation|Opération|Operación|Operazione)[ \t]+(?:[A-Z]\w*[ \t]+){0,3}$")


def operations(matches: Sequence[Match], text: str) -> list[Match]:
    """The event matches written with a capital inside the name of an operation ('Operation True Promise'): a name."""
    return [m for m in matches if m.kind == "event" and m.found[:1].isupper() and _OPERATION.search(text, max(0, m.start - 60), m.start)]


_INDEFINITE_BEFORE = re.compile(r"\b(?:a|an)[ \t]+$", re.IGNORECASE)


MILITIAS = frozenset(  # armed groups outside the state: a nationality adjective on them is no state acting ("Iraqi militias", "les milices irakiennes")
    "militia militias militiaman militiamen milice milices milicia milicias milizia milizie miliz milizen "
    "factions paramilitaries paramilitary insurgents factions factions armées facciones fazioni Fraktionen".split()
)


def militias(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The state matches found under a nationality adjective (an alias with context words) right before or after
    a word of MILITIAS ("Iraqi militias were planning attacks", "die irakischen Milizen", "les milices
    irakiennes"), one word in small letters may qualify it ("Iraqi armed factions", "Iraqi Shiite militias" has a
    capital: no): the guide's demonym counts only for the state or its forces, and a militia is neither."""
    actors = _tables(watchlist).actors
    out = []
    for m in matches:
        if m.kind != "actor" or m.name not in actors or actors[m.name].kind != "state" or m.alias not in dict(actors[m.name].context):
            continue
        after = _TWO_WORDS_AFTER.match(text, m.end)
        before = _WORDS_BEFORE.search(text, max(0, m.start - 30), m.start)
        if (after and (fold(after.group(1)) in MILITIAS or (after.group(2) and after.group(1).islower() and fold(after.group(2)) in MILITIAS))) or (before and fold(before.group(1)) in MILITIAS):
            out.append(m)
    return out


_TWO_WORDS_AFTER = re.compile(r"[ \t]+([\w-]+)(?:[ \t]+(\w+))?")  # the word after, and the next (Iraqi armed factions)


VERB_FORMS = frozenset({"irán"})  # the Spanish future of "ir" (irán a la huelga: they will go), in small letters; the country is Irán


CAPTIVITY = Marks.of(  # a sentence that tells real captivity: a hostage held there is a person taken
    "gunmen|militants|militia|militias|fighters|pirates|captors|captivity|ransom|freed|released|release|seized|seizure|crew|"
    "kidnap*|abduct*|jihadist*|hostage-taker*|prisoner swap|prisoner exchange"
)


_NAME_BEFORE = re.compile(r"\b(?:the|The)[ \t]+((?:[A-Z][\w'’-]+[ \t]+){2,4})(?:in|of)[ \t]+$")  # the Islamic Resistance in Iraq, the Boy Scouts of America
STATE_HEADS = frozenset(  # the last word of a name that makes "of"/"in" the state's own: the Islamic Republic of Iran, the Ministry of Defence of Iraq
    "republic kingdom ministry government embassy consulate president presidency parliament army forces force navy guard guards police bank "
    "minister ministers ambassador council court commission office department secretary command staff representative assembly congress senate "
    "states affairs defence defense interior justice treasury".split()
)


_THING_NAMED_BEFORE = re.compile(  # the private airline Fly Baghdad, the restaurant Little Tehran: a thing's name holding the place
    r"\b(?:airline|carrier|company|firm|restaurant|brand|band|hotel|shop|store|startup|start-up|label|café|cafe|bakery)[ \t]+(?:[A-Z][\w'’-]*[ \t]+){1,2}$"
)


def _inside_a_name(text: str, m: Match) -> bool:
    """Whether a state ends a proper name of two to four capitalised words after "the" and before "in" or "of"
    ("the Islamic Resistance in Iraq", "the Boy Scouts of America"), whose last word is no state body (STATE_HEADS)."""
    if m.found[-2:] in ("'s", "’s"):
        return False
    name = _NAME_BEFORE.search(text, max(0, m.start - 80), m.start)
    return name is not None and fold(name.group(1).split()[-1]) not in STATE_HEADS


_OF_DATA = re.compile(r"[ \t]+(?:de|des|di|of|von)[ \t]+(?:datos|données|dati|data|Daten)\b", re.IGNORECASE)  # secuestro de datos: ransomware


_PLACE_BEFORE = re.compile(r"\b(?:in|near|from|outside|dans|en|nel|nella|im|bei)[ \t]+$")  # in Sulaimani: a place, not a person
_AND_BEFORE = re.compile(r"[ \t]+(?:and|et|y|e|und)[ \t]+$")


def _a_place_here(text: str, m: Match, places: list[Match]) -> bool:
    """Whether a person's one-word alias stands where a place does: right after "in", "near", "from" (not a
    possessive: "in Soleimani's honour"), or coordinated after a watched place ("Erbil and Sulaimani": the city)."""
    if m.found[-2:] in ("'s", "’s") or text[m.end : m.end + 2] in ("'s", "’s"):
        return False
    if _PLACE_BEFORE.search(text, max(0, m.start - 12), m.start):
        return True
    return any(_AND_BEFORE.fullmatch(text, p.end, m.start) for p in places if p.end < m.start)


def _listed_as_other(watchlist: Watchlist, m: Match) -> bool:
    """Whether a name found only alike (under 100) has a word that its actor's not_when lists as another's (Khomeini
    for Khamenei: the look-alike its author named), the match's own words being that other name."""
    actor = _tables(watchlist).actors.get(m.name)
    if actor is None or not actor.not_when:
        return False
    found = {fold(w) for w in m.found.split()}
    return any(fold(p) in found for p in actor.not_when)


_CAPITAL_AFTER = re.compile(r"[ \t]+[A-Z][a-z]")


def _first_of_a_name(text: str, m: Match) -> bool:
    """Whether a person's one-word alias, found only alike, is followed by a capitalised word: the first word of
    another person's name (Millie Bobby Brown for Milley), not the watched surname misspelt."""
    return m.category == "person" and " " not in m.alias and _CAPITAL_AFTER.match(text, m.end) is not None


def captivity(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The kidnappings found only as "hostage" in the singular (held hostage, holding shareholders hostage) in a
    sentence that names no watched group and tells no captivity (CAPTIVITY): a figure of speech (the weather held
    the harvest hostage); and a state found as a Spanish verb form in small letters (VERB_FORMS)."""
    out = [m for m in matches if m.kind == "actor" and m.found in VERB_FORMS]
    out += [m for m in matches if m.kind == "actor" and m.score < 100 and (_listed_as_other(watchlist, m) or _first_of_a_name(text, m))]
    places = [p for p in matches if p.kind == "actor" and p.category == "place"]
    out += [m for m in matches if m.kind == "actor" and m.category == "person" and " " not in m.alias and _a_place_here(text, m, places)]
    out += [m for m in matches if m.kind == "actor" and m.category == "state" and _inside_a_name(text, m)]
    out += [m for m in matches if m.kind == "actor" and m.category in ("state", "place") and _THING_NAMED_BEFORE.search(text, max(0, m.start - 50), m.start)]
    out += [m for m in matches if m.kind == "event" and m.cameo == "181" and _OF_DATA.match(text, m.end)]
    held = [m for m in matches if m.kind == "event" and m.cameo == "181" and fold(m.found) == "hostage"]
    if held:
        groups = {sentence_of(text, a.start) for a in matches if a.kind == "actor" and a.category == "group"}
        out += [m for m in held if sentence_of(text, m.start) not in groups and not CAPTIVITY.told(text[slice(*sentence_of(text, m.start))])]
    return out


def common_nouns(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The group matches written in small letters where the alias has a capital, for an ambiguous one-word alias
    (one with context words: "Iranian border guards" are no Guards; "i pasdaran" still are) or after "a"/"an"
    ("an Islamic state"): a common noun."""
    actors = _tables(watchlist).actors
    out = []
    for m in matches:
        if m.kind != "actor" or m.name not in actors or actors[m.name].kind != "group":
            continue
        said, found = m.alias.split(), m.found.split()
        if len(said) != len(found) or not any(a[:1].isupper() and f[:1].islower() for a, f in zip(said, found)):
            continue
        ambiguous = m.alias in dict(actors[m.name].context)  # its author gave it context words: a common word too
        if (len(said) == 1 and ambiguous) or _INDEFINITE_BEFORE.search(text, max(0, m.start - 6), m.start):
            out.append(m)
    return out


LABOUR = Marks.of(  # a sentence that tells a labour dispute: its generic strike is a stoppage of work, not a fight
    "walked out|walkout|walk out|trade union|labour union|labor union|unions|union members|pay dispute|wages|wage|pay rise|pay raise|"
    "picket|picket line|picketing|industrial action|strikers|grève|grévistes|huelga|huelguistas|sciopero|scioperanti|Streik|Streiks|"
    "Gewerkschaft|syndicats|sindicatos|sindacati|conflit social|cheminots|acuerdo salarial|conflicto laboral|vertenza sindacale|Tarifstreit|Tarifkonflikt|"
    # a crew's rosters and working hours, a work-to-rule
    "rostering|rosters|roster|work-to-rule|overtime ban|working conditions|staffing levels|collective agreement|convention collective|convenio colectivo"
)


def labour(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]] | None = None) -> list[Match]:
    """The generic fight events (CAMEO root 19 itself), threats (13) and escalations of a sentence that tells a
    labour dispute (LABOUR: "ground staff walked out on a 24-hour strike", "the union warned the walkout could be
    extended", "could escalate into an indefinite stoppage", "the management called for calm"): the guide's labour
    sense of "strike", a threat to strike for pay, a dispute escalating or calmed. Other events stay."""
    tables = _tables(watchlist)
    calm = tables.calm_name
    generic = [m for m in matches if m.kind == "event" and (m.cameo in ("19", "13") or (m.name and m.name in (tables.escalation, calm, tables.truce)))]
    return _in_sentences_telling(LABOUR, generic, text, {} if spans is None else spans) if generic else []


ORDERS = frozenset("order orders ordered ordering".split())
_TO_ACT = re.compile(  # an order's first "to" within six words, and a verb after it: "ordered its brigades to stay", "order the Navy to shoot down"
    r"(?:[ \t]+(?!to\b)[\w'’.,-]+){0,6}?[ \t]+to[ \t]+(?!(?:the|a|an|its|their|his|her|our|this|that|these|those|north|south|east|west|"
    r"northern|southern|eastern|western|central|northeastern|northwestern|southeastern|southwestern)\b)[a-z]"
)


def orders_to_act(matches: Sequence[Match], text: str) -> list[Match]:
    """The force postures (CAMEO 15) found as an order whose "to" is followed by a verb ("ordered his fighters to
    stand down", "to hit back"): an order to act, not forces sent somewhere ("ordered 750 paratroopers to Kuwait",
    "to the Gulf" stay)."""
    return [m for m in matches if m.kind == "event" and m.cameo.startswith("15") and fold(m.found) in ORDERS and _TO_ACT.match(text, m.end)]


DISASTERS = Marks.of(  # a sentence that tells a natural disaster or an accident: its deaths are not a killing of the domain
    "earthquake|earthquakes|quake|tsunami|landslide|landslides|avalanche|floods|flooding|hurricane|cyclone|typhoon|tornado|wildfire|wildfires|"
    "stampede|overcrowding|heatwave|lightning|car crash|road accident|traffic accident|helicopter crash|natural causes|a crush|the crush|"
    # a death by illness, heat or cold: no violence (died of heatstroke, of a long illness)
    "heatstroke|heat stroke|heat exhaustion|hypothermia|old age|long illness|short illness|cardiac arrest|heart failure|cholera|pneumonia|dehydration|"
    "COVID-19|covid|coronavirus|overdose|coup de chaleur|golpe de calor|colpo di calore|Hitzschlag|"
    "séisme|tremblement de terre|inondations|bousculade|terremoto|sismo|inundaciones|estampida|alluvione|alluvioni|Erdbeben|Überschwemmung*|Massenpanik"
)


CRASHES = Marks.of(  # a sentence that tells a vehicle crashing: an accident unless it tells a hostile act too (shot down, then crashed)
    "crashed|crash|crashes|overturned|overturning|capsized|derailed|s'est écrasé|s'est écrasée|se estrelló|volcó|precipitato|si è schiantato|abgestürzt|verunglückt"
)


def disasters(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]] | None = None) -> list[Match]:
    """The killings of a sentence that tells a natural disaster or an accident (DISASTERS: "the earthquake that
    killed 50,000", "56 mourners died in the stampede"), or a crash with no other hostile act in it (CRASHES:
    "pilots were killed when their jet crashed"; "shot down the airliner, which crashed, killing 176" stays): the
    guide's killing is by violence. And the threats of a DISASTERS sentence that names no watched state, group or
    person (officials warned the threat from the hurricane was not over): a forecast. Other events stay."""
    tables = _tables(watchlist)
    deaths = [m for m in matches if m.kind == "event" and m.name == tables.killing]
    threat = tables.threat_name
    warnings = [m for m in matches if m.kind == "event" and m.name == threat]
    if not deaths and not warnings:
        return []
    spans = {} if spans is None else spans
    out = []
    if warnings:  # a warning of a sentence that tells a storm or a flood and names no watched state, group or person: a forecast
        told = _in_sentences_telling(DISASTERS, warnings, text, spans)
        if told:
            named = {spans.get(a.start) or spans.setdefault(a.start, sentence_of(text, a.start)) for a in matches if a.kind == "actor" and a.category != "place"}
            out += [m for m in told if spans[m.start] not in named]
    if not deaths:
        return out
    out += _in_sentences_telling(DISASTERS, deaths, text, spans)
    rest = [m for m in deaths if m not in out]
    if rest and any(hint in text for hint in _CRASH_HINTS):
        keys = sentence_keys(text, [m.start for m in matches])
        acts = {k for m, k in zip(matches, keys) if m.kind == "event" and m.name != tables.killing and m.name in tables.hostile}
        crashed = _in_sentences_telling(CRASHES, rest, text, spans)
        out += [m for m in crashed if keys[matches.index(m)] not in acts]
    return out


_CRASH_HINTS = ("rash", "verturn", "apsiz", "erail", "cras", "strell", "volcó", "chiant", "recipit", "bgestürzt", "erunglückt")  # what every CRASHES word holds


_POSSESSOR = re.compile(r"\b([A-Z][\w-]+)['’]s[ \t]+$")


def elsewhere(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The place matches after another place's possessive that no watched actor names ("Kabul's Green Zone"): that
    place's quarter of the name, not the watched one ("Baghdad's Green Zone" stays)."""
    actors = _tables(watchlist).actors
    out = []
    for m in matches:
        if m.kind != "actor" or m.name not in actors or actors[m.name].kind != "place":
            continue
        owner = _POSSESSOR.search(text, max(0, m.start - 40), m.start)
        if owner and not any(o.kind == "actor" and o.start <= owner.start(1) < o.end for o in matches) and owner.start(1) > 0 and text[owner.start(1) - 1] in " \t":
            out.append(m)
    return out


_PRESS_EMBARGO = re.compile(  # embargoed until a clock time, noon, midnight or a weekday: a news embargo (the guide), not a sanction
    r"(?:ed)?[ \t]+(?:until|till)[ \t]+[^.;!?\n]{0,30}?(?:\b\d{1,2}[:.h]\d{2}\b|\bnoon\b|\bmidnight\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)",
    re.IGNORECASE,
)
_FIGURATIVE_OBJECT = re.compile(  # the assassination of his reputation: an act on a name, not a person
    r"[ \t]+of[ \t]+(?:[\w'’-]+[ \t]+){0,3}?(?:reputation|character|good[ \t]+name|legacy|career|image|credibility)\b",
    re.IGNORECASE,
)
_POLITICAL = re.compile(r"\bpolitical[ \t]+assassinations?\b|\bassassinats?[ \t]+politiques?\b|\basesinatos?[ \t]+pol[ií]ticos?\b|\bassassini[oi][ \t]+politic[oi]\b", re.IGNORECASE)  # a political assassination: a figure of speech for an attack on a career, unless someone died
_DEATHLY = re.compile(r"\b(?:killed|shot|dead|death|died|gunmen|gunman|bomb|murdered|slain|tué|mort|muerto|asesinado|ucciso|getötet)\b", re.IGNORECASE)
_ARMY_OF = re.compile(r"\b(?:an|a|whole|small|veritable|entire)[ \t]+army[ \t]+of\b", re.IGNORECASE)  # an army of volunteers: a crowd
_FORCE_WORD = re.compile(
    r"\b(?:troops|soldiers|forces|marines|paratroopers|brigades?|battalions?|warships?|jets|aircraft|military|armed|navy|carrier|destroyers?|"
    r"troupes|soldats|tropas|soldados|truppe|soldati|Truppen|Soldaten)\b",
    re.IGNORECASE,
)


def _only_an_army_of(text: str, m: Match) -> bool:
    """Whether the sentence of `m` has "an army of" and no other word of armed force."""
    start, end = sentence_of(text, m.start)
    return _ARMY_OF.search(text, start, end) is not None and _FORCE_WORD.search(text, start, end) is None


_BODILY_BEFORE = re.compile(r"\b(?:heart|panic|asthma|anxiety|seizure)[ \t]+$", re.IGNORECASE)  # a heart attack, a panic attack: the body's
_WEATHER_OBJECT = re.compile(  # a threat of storms, the threat of flash floods: a forecast
    r"[ \t]+of[ \t]+(?:[\w-]+[ \t]+){0,2}?(?:thunderstorms?|storms?|floods?|flooding|rain|showers|snow|snowfall|frost|fog|hail|heat|heatwaves?|drought|tornado(?:es)?|gales?|sandstorms?|dust[ \t]+storms?|"
    r"currents|tides|winds|gusts|waves|swells?|ice|icy[ \t]+roads|avalanches?|landslides?|mudslides?|wildfires?|bushfires?|smog|pollution|pollen|power[ \t]+cuts|blackouts?)\b",
    re.IGNORECASE,
)
_TO_STAFF = re.compile(  # a complaint escalated to a manager: passed up a firm's ranks
    r"[ \t]+to[ \t]+(?:(?:a|the|his|her|their|its)[ \t]+)?(?:[\w-]+[ \t]+)?(?:manager|managers|management|supervisor|supervisors|head[ \t]+office|customer[ \t]+service)\b", re.IGNORECASE
)
_PRICES_BEFORE = re.compile(  # inflation has escalated, prices escalated: a quantity rising
    r"\b(?:inflation|prices|costs|rents|debts?|unemployment|losses|bills|fares|premiums)(?:[ \t]+(?:has|have|had|is|are|was|were|been|further|sharply|rapidly))*[ \t]+$", re.IGNORECASE
)
_MARKET_AFTER = re.compile(r"[ \t]+(?:in|on)[ \t]+the[ \t]+(?:[\w-]+[ \t]+){0,2}?markets?\b", re.IGNORECASE)  # eased tensions in the currency market
_ALARM_AFTER = re.compile(  # air-raid sirens, a rocket alarm, an air raid shelter: the warning of an act, or a shelter from it
    r"[ \t-]+(?:sirens?|shelters?|alarms?|drills?|warning[ \t]+system|sirènes?|sirenas?|sirene|Sirenen|Alarm)\b", re.IGNORECASE
)
CIVIL = Marks.of(  # a sentence that tells policing or medicine: its de-escalation is a technique, not a call to end a conflict
    "police|policing|policemen|policewomen|sheriff|sheriff's|deputies|patrol officers|police officers|crisis intervention|mental health|"
    "policiers|policière|gendarmes|gendarmerie|policía|policías|Mossos|Guardia Civil|polizia|poliziotti|carabinieri|Polizei|Polizisten|"
    "antibiotic|antibiotics|antimicrobial|intensive care|patients|patient|clinicians|therapy|dosing|dose"
)
_CIVIL_HINTS = (  # one is in every CIVIL word
    "olice", "olicing", "olicemen", "olicewomen", "olicier", "olicière", "olicía", "olizi", "olizei", "olizist", "heriff", "eputies", "fficers",
    "risis intervention", "ental health", "endarm", "Mossos", "Guardia Civil", "arabinieri", "ntibiot", "ntimicrob", "ntensive care", "atient",
    "linicians", "herapy", "dosing", "dose",
)
_WAR_HINTS = (" war ", " war,", " war.", " wars", "War ", "guerr", "Guerr", "krieg", "Krieg")  # in every _METAPHOR_WAR form (as a text writes it)
MEDICAL = Marks.of(  # a sentence that tells medicine: what strikes or kills there is a drug's or a disease's
    "antibiotic|antibiotics|antibody|antibodies|bacteria|bacterial|infection|infections|tumour|tumours|tumor|tumors|cancer cells|virus|viruses|"
    "pathogen|pathogens|immune system|white blood cells|chemotherapy|vaccine|vaccines"
)
_MEDICAL_HINTS = ("ntibio", "ntibod", "acteri", "nfection", "umo", "ancer", "irus", "athogen", "mmune", "hemotherap", "accine")  # one is in every MEDICAL word


SPACE = Marks.of(  # a sentence that tells space flight: its rockets and explosions are a launcher's, not an attack
    "SpaceX|Starship|Starlink|Falcon 9|NASA|Blue Origin|Ariane|Arianespace|Roscosmos|spaceport|space agency|space station|launch pad|launchpad|"
    "lift-off|lifted off|liftoff|orbit|orbital|astronaut|astronauts|cosmonauts|rocket engine|rocket engines|"
    "Rocket Lab|satellites|payload|payloads|launch vehicle|Electron"
)
_SPACE_HINTS = ("Space", "Star", "Falcon", "NASA", "Origin", "Arian", "Roscosmos", "port", "agency", "station", "pad", "lift", "rbit", "naut", "engine", "Rocket Lab", "atellites", "ayload", "aunch vehicle", "Electron")


def figures_of_speech(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]] | None = None) -> list[Match]:
    """The event matches the guide rules out by a sense that news language marks itself: forces deployed in a
    sentence whose only army is "an army of" something (an army of seasonal staff); an embargo "until 00:01
    GMT" (a news embargo, not a sanction); a hostile act on a reputation or a character (the assassination of his
    reputation), or a "political assassination" where nobody died (a ruling, a leak: an attack on a career); an event
    phrase before sirens, shelters, alarms or drills (air-raid sirens: the warning); rockets and explosions of a
    sentence that tells space flight (SPACE: a Starship rocket exploded after launch); and, in a sentence that
    names no watched state, group or person, the events of a war of commerce, law, budgets or words (a truce in
    their fare war, a war of words escalated, Democrats vowed to retaliate in the budget war), a de-escalation of
    policing or medicine (police de-escalation training, antibiotic de-escalation), and what strikes or kills in
    medicine (MEDICAL: the drug kills resistant bacteria)."""
    tables = _tables(watchlist)
    events = [m for m in matches if m.kind == "event"]
    if not events:
        return []
    sanctions = tables.sanctions
    calm = tables.calm_name
    crowd = "army" in text or "Army" in text  # most texts have no army: no search
    out = [
        m for m in events
        if (crowd and m.cameo.startswith("15") and _only_an_army_of(text, m))
        or (m.name == sanctions and fold(m.found).startswith("embargo") and _PRESS_EMBARGO.match(text, m.end))
        or (m.name in tables.hostile and _FIGURATIVE_OBJECT.match(text, m.end))
        or _ALARM_AFTER.match(text, m.end)
        or (m.cameo[:2] in ("18", "19") and _BODILY_BEFORE.search(text, max(0, m.start - 12), m.start) is not None)
        or (tables.threat is not None and m.name == tables.threat.name and (_WEATHER_OBJECT.match(text, m.end) is not None or _risked(text, m)))
        or (m.name == tables.escalation and (_TO_STAFF.match(text, m.end) is not None or _PRICES_BEFORE.search(text, max(0, m.start - 40), m.start) is not None or _not_sought(text, m)))
        or (m.name == calm and _MARKET_AFTER.match(text, m.end) is not None)
    ]
    launched = [m for m in events if m.cameo in ("190", "183") and m not in out]
    if launched and any(hint in text for hint in _SPACE_HINTS):
        out += _in_sentences_telling(SPACE, launched, text, {} if spans is None else spans)
    out += [m for m in events if m.cameo.startswith("186") and _POLITICAL.search(text, max(0, m.start - 12), min(len(text), m.end + 12)) and not _DEATHLY.search(text, *sentence_of(text, m.start))]
    rest = [m for m in events if m not in out]
    if not rest:
        return out
    wars = _metaphor_wars(text) if any(hint in text for hint in _WAR_HINTS) else []  # most texts: none
    civil = any(m.name == calm for m in rest) and any(hint in text for hint in _CIVIL_HINTS)
    medical = any(m.cameo[:2] in ("18", "19") for m in rest) and any(hint in text for hint in _MEDICAL_HINTS)
    if not (wars or civil or medical):
        return out
    spans = {} if spans is None else spans
    told: list[tuple[Match, tuple[int, int]]] = []
    for m in rest:
        calming, acting = m.name == calm, m.cameo[:2] in ("18", "19")
        if not (wars or (civil and calming) or (medical and acting)):
            continue
        span = spans.get(m.start) or spans.setdefault(m.start, sentence_of(text, m.start))
        if (
            any(span[0] <= w < span[1] for w in wars)
            or (civil and calming and _within(text, span, _CIVIL_HINTS) and CIVIL.told(text[span[0] : span[1]]))
            or (medical and acting and _within(text, span, _MEDICAL_HINTS) and MEDICAL.told(text[span[0] : span[1]]))
        ):
            told.append((m, span))
    if told:  # a watched state, group or person in the sentence makes it the domain's (a place alone does not)
        named = {spans.get(a.start) or spans.setdefault(a.start, sentence_of(text, a.start)) for a in matches if a.kind == "actor" and a.category != "place"}
        out += [m for m, span in told if span not in named]
    return out


_DECISION_AFTER = re.compile(  # shot down the bill, shoots down every idea: a proposal voted or argued down, not an aircraft
    r"[ \t]+(?:(?:a|an|the|his|her|their|its|this|that|our|my|every|any|each)[ \t]+)?(?:[\w-]+[ \t]+){0,2}?(?:bills?|proposals?|plans?|motions?|amendments?|ideas?|"
    r"suggestions?|requests?|bids?|offers?|measures?|resolutions?|applications?|rumou?rs?|claims?|theor(?:y|ies)|budgets?|reforms?|laws?|legislation|petitions?|"
    r"projects?|schemes?|notions?|hopes?|appeals?|nominations?|nominees?|candidac(?:y|ies)|referendums?)\b",
    re.IGNORECASE,
)
_ADVERT_AFTER = re.compile(r"[ \t-]+(?:ads?|adverts?|advertisements?|advertising|spots?|mailers?|campaigns?[ \t]+ads?)\b", re.IGNORECASE)  # an attack ad: a campaign's
_MONEY_AFTER = re.compile(  # an attack on the pound, under attack from speculators or critics: a market's or a debate's, not a fight
    r"[ \t]+(?:(?:on|against)[ \t]+(?:(?:the|its|their|a)[ \t]+)?(?:[\w-]+[ \t]+)?(?:pound|sterling|dollar|euro|yen|yuan|rial|riyal|dinar|lira|rouble|ruble|rupee|peso|"
    r"franc|currency|currencies|peg|bonds?|shares|stocks?|prices?|valuation)|from[ \t]+(?:[\w-]+[ \t]+){0,2}?(?:speculators|short[ -]sellers|hedge[ \t]+funds|traders|"
    r"investors|bears|critics|opponents|rivals|commentators|pundits|reviewers|fans))\b",
    re.IGNORECASE,
)
_MARKET_SUBJECT = re.compile(r"\b(?:speculators|short[ -]sellers|hedge[ \t]+funds|currency[ \t]+traders|bears)\b[^.;:!?]{0,40}$", re.IGNORECASE)  # short sellers launched an attack
_QUANTITY_AFTER = re.compile(  # hit 51C, hit a record low, hits a new high, hit $100: a quantity reaching a mark, not a blow
    r"[ \t]+(?:(?:a|an|the|its|their)[ \t]+)?(?:(?:new|fresh|record|all-time|multi-year|[\w]+-(?:year|month|week|day)|historic|seasonal)[ \t-]+)*"
    r"(?:record|records|highs?|lows?|peak|peaks|bottom|milestone|mark|ceiling|plateau|[$€£¥]|"
    r"[\d.,]*\d[ \t]?(?:°|C\b|F\b|degrees|%|percent|per[ \t]+cent|million|billion|trillion|bn\b|m\b|k\b|points|mph|km|[.,;:]|$))",
    re.IGNORECASE,
)
_RESTING = re.compile(r"[ \t]+it\b[ \t]*(?:[.,;:!?)\"”]|$|all\b|this\b|every\b|lately\b|again\b|these\b|out\b)")  # killing it all week: doing very well
_REMATCH_AFTER = re.compile(  # a revenge win, a revenge match: a rematch won, sport
    r"[ \t-]+(?:win|wins|victory|victories|match|matches|game|games|bout|bouts|fixture|fixtures|rematch|tour|clash|triumph)\b", re.IGNORECASE
)
_KEPT_BEFORE = re.compile(  # made good on its promise, kept its pledge: the act done, no threat left
    r"\b(?:made[ \t]+good[ \t]+on|kept|fulfilled|delivered[ \t]+on|carried[ \t]+out|followed[ \t]+through[ \t]+on)[ \t]+(?:its|his|her|their|the|a)[ \t]+(?:[\w-]+[ \t]+)?$",
    re.IGNORECASE,
)
_REPORT_BEFORE = re.compile(  # a UN report warned, the study warns: an assessment's warning of a risk, not a threat made
    r"\b(?:report|reports|study|studies|survey|analysis|assessment|review|audit|paper|poll|index|forecast|model|projections?)(?:[ \t]+(?:has|have|had|also|further))?[ \t]+$",
    re.IGNORECASE,
)
_POUND_BEFORE = re.compile(r"\b(?:the|a|per|one|strong|weak|British|Egyptian|Lebanese|Syrian)[ \t]+$", re.IGNORECASE)  # the pound, a strong pound: money, not pounding
_TRADE_BEFORE = re.compile(r"\b[\w-]+(?:ers|ors|ists|men|women|staff|workers|nurses|doctors|drivers|pilots|teachers)['’][ \t]+$", re.IGNORECASE)  # a teachers' strike: a stoppage of work
_WEAPON_AFTER = re.compile(  # rocket launchers, a rocket programme: the weapon or its making named, no fire (unless a verb of fire follows)
    r"[ \t-]+(?:launchers?|systems?|programmes?|programs?|engines?|scientists?|science|factory|factories|plants?|arsenals?|stockpiles?|pads?|artillery[ \t]+systems?)\b"
    r"(?![^.;:!?]{0,60}\b(?:fired|fire|firing|launched|struck|hit|hits|targeted|shelled|pounded|aimed|rigged|primed|pointed)\b)",
    re.IGNORECASE,
)
_SOFTWARE_BEFORE = re.compile(  # a software deployment, a cloud deployment: code put into use, not forces
    r"\b(?:software|code|app|application|cloud|server|system|systems|update|patch|product|network|fibre|fiber|cable|broadband|5G|AI|model|IT|database|payroll)[ \t-]+$", re.IGNORECASE
)
_WORKPLACE_AFTER = re.compile(  # retaliation from managers, by her employer: a workplace's reprisal against a complaint
    r"[ \t]+(?:from|by)[ \t]+(?:(?:her|his|their|the|its|a|an)[ \t]+)?(?:[\w-]+[ \t]+)?(?:managers?|management|employers?|bosses|boss|supervisors?|colleagues|co-workers|"
    r"company|firm|landlords?|school|university|HR|department|hospital)\b",
    re.IGNORECASE,
)
_STATION_NOUN = re.compile(r"stations?", re.IGNORECASE)  # to station troops is a deployment; a station (on station, the police station) is a place
_FORCE_AFTER = re.compile(r"(?:[ \t]+[\w,.-]+){0,3}?[ \t]+(?:troops|soldiers|forces|marines|paratroopers|brigades?|battalions?|warships?|jets|aircraft|units|personnel|fighters)\b", re.IGNORECASE)


def everyday_senses(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The event matches whose words the next words or the words before give an everyday sense, in any list: a
    proposal shot down (the council shot down the plan: voted down); an attack ad (a campaign's); an attack on a
    currency or from speculators or critics, or launched by short sellers (a market's, a debate's); the pound (money,
    not pounding); a hit of a
    quantity (temperatures hit 51C, the rial hit a record low); "killing it" (doing well); a revenge win or match
    (a rematch); a warning by a report or a study (an assessment of a risk, no threat made); a threat or promise
    made good on, kept or carried out (the act done, no threat left); a software deployment; a teachers' strike (a
    stoppage of work); rocket launchers or a rocket programme with no fire told after; retaliation from managers or
    an employer (a workplace's); and a station (on
    station, the police station: a place) unless forces follow (station more troops)."""
    tables = _tables(watchlist)
    threat = tables.threat_name
    out = []
    for m in matches:
        if m.kind != "event":
            continue
        found = m.found.casefold()
        acting = m.cameo[:2] in ("18", "19", "20") or m.name in tables.hostile
        if (
            (acting and "down" in found and _DECISION_AFTER.match(text, m.end))
            or (acting and found.startswith("attack") and (_ADVERT_AFTER.match(text, m.end) or _MONEY_AFTER.match(text, m.end) or _MARKET_SUBJECT.search(text, max(0, m.start - 60), m.start)))
            or (acting and found in ("hit", "hits", "hitting") and _QUANTITY_AFTER.match(text, m.end))
            or (acting and found in ("pound", "pounds") and (_POUND_BEFORE.search(text, max(0, m.start - 20), m.start) or m.found[:1].isupper()))
            or (m.name == tables.killing and found == "killing" and _RESTING.match(text, m.end))
            or (acting and found.startswith("revenge") and _REMATCH_AFTER.match(text, m.end))
            or (m.name == threat and found.startswith("warn") and _REPORT_BEFORE.search(text, max(0, m.start - 40), m.start))
            or (m.name == threat and _KEPT_BEFORE.search(text, max(0, m.start - 50), m.start))
            or (m.cameo.startswith("15") and _STATION_NOUN.fullmatch(m.found) and not _FORCE_AFTER.match(text, m.end))
            or (m.cameo.startswith("15") and found.startswith("deploy") and _SOFTWARE_BEFORE.search(text, max(0, m.start - 20), m.start))
            or (acting and found in ("strike", "strikes") and _TRADE_BEFORE.search(text, max(0, m.start - 30), m.start))
            or (m.cameo.startswith("190") and found.startswith("rocket") and _WEAPON_AFTER.match(text, m.end))
            or (m.name in tables.hostile and m.cameo[:2] not in ("18", "19", "20") and found.startswith(("retaliat", "reprisal")) and _WORKPLACE_AFTER.match(text, m.end))
        ):
            out.append(m)
    return out


THREAT_VERBS = frozenset("threatens threatened threaten amenaza amenazan amenazó menace menacent minaccia minacciano droht drohen".split())
_ABSTRACT_SUBJECT = re.compile(  # the escalation (between A and B) threatens to, la crisis amenaza con: a risk, said of a thing, not a threat made
    r"^[\W]*(?:(?:the|this|la|el|esta|le|la|cette|il|lo|questa|die|der|das|diese)[ \t]+|l['’])?(?:[\w-]+[ \t]+)?"
    r"(?:escalation|crisis|conflict|war|violence|fighting|tensions|standoff|escalada|crisis|conflicto|guerra|violencia|tensiones|escalade|crise|conflit|guerre|"
    r"tensions|escalation|crisi|conflitto|tensioni|Eskalation|Krise|Konflikt|Krieg|Spannungen)"
    r"(?:[ \t]+(?:between|entre|tra|fra|zwischen|in|en|of|de|del|di|der)[ \t]+[^,;:]{1,60}?)?[ \t]+$",
    re.IGNORECASE,
)


def _risked(text: str, m: Match) -> bool:
    """Whether a threat is a verb of threatening whose subject, opening its sentence, is a conflict or a crisis
    itself ("the escalation between Washington and Tehran threatens to drag Iraq into a war"): a risk, not a threat."""
    if fold(m.found) not in THREAT_VERBS:
        return False
    start = sentence_of(text, m.start)[0]
    return _ABSTRACT_SUBJECT.match(text[start : m.start]) is not None


def _not_sought(text: str, m: Match) -> bool:
    """Whether an escalation is the war said not to be sought ("not seeking a wider conflict": the guide's
    de-escalation, which `appeals` adds), its words inside that phrase."""
    return any(s.start() <= m.start and m.end <= s.end() for s in _NOT_SEEKING.finditer(text, max(0, m.start - 60), min(len(text), m.end + 5)))


def _within(text: str, span: tuple[int, int], hints: tuple[str, ...]) -> bool:
    """Whether one of `hints` stands inside `span` of the text."""
    return any(text.find(hint, span[0], span[1]) >= 0 for hint in hints)


_NAMESAKE = re.compile(  # what says a name is another's: a namesake, shares his name with, no relation to, unrelated to
    r"\bnamesakes?\b|\bshares?[ \t]+(?:his|her|its|their|a|the)[ \t]+name\b|\bsame[ \t]+name[ \t]+as\b|\bno[ \t]+relation[ \t]+to\b|\b(?:unrelated|not[ \t]+related)[ \t]+to\b"
    r"|\bhomonyme\b|\bhomónimo\b|\bomonimo\b|\bNamensvetter\b",
    re.IGNORECASE,
)


_NAMESAKE_HINTS = ("amesake", "s name", "r name", "a name", "e name", "elation to", "elated to", "omonym", "omonim", "omónim", "Namensvetter")  # one is in every _NAMESAKE form


def namesakes(matches: Sequence[Match], text: str) -> list[Match]:
    """The actor matches followed in their sentence by words that say the name is another's ("Mark Esper, a dentist
    who shares his name with the former defence secretary"; "Turkey's Hizbullah, unrelated to its Lebanese
    namesake"): the guide's another person, or another group, of the same name. A name after those words stays."""
    actors = [m for m in matches if m.kind == "actor"]
    introduced = [m for m in actors if m.category == "person" and len(m.alias.split()) == 1 and _NAMED_BEFORE.search(text, max(0, m.start - 60), m.start)]
    if not actors or not any(hint in text for hint in _NAMESAKE_HINTS):
        return introduced
    saids = [s.start() for s in _NAMESAKE.finditer(text)]
    out = []
    for m in actors:
        after = [p for p in saids if p >= m.end]
        if not after or after[0] >= sentence_of(text, m.start)[1]:
            continue
        if not any(o.name == m.name and m.end <= o.start < after[0] for o in actors):
            out.append(m)
    return out + [m for m in introduced if m not in out]


_NAMED_BEFORE = re.compile(  # a man named Soleimani, a chess prodigy called Esper: someone introduced by a bare surname, not the known one
    r"\b(?:a|an|one)[ \t]+(?:[\w'’-]+[ \t]+){0,3}?(?:named|called)[ \t]+$"
    # or by a player's role (the Iranian goalkeeper Soleimani, il portiere iraniano Soleimani): a sportsman of that name
    r"|\b(?:goalkeeper|keeper|striker|midfielder|defender|winger|forward|portiere|attaccante|centrocampista|difensore|gardien|attaquant|milieu|"
    r"portero|delantero|centrocampista|defensa|Torwart|Torhüter|Stürmer|Mittelfeldspieler|Verteidiger)[ \t]+(?:[\w'’-]+[ \t]+)?$",
    re.IGNORECASE,
)


_ACRONYMS: list[tuple[Watchlist, frozenset[str]]] = []  # the actors' all-capital aliases, folded, of the watchlist in use


def _acronyms(watchlist: Watchlist) -> frozenset[str]:
    """The actors' aliases written in capitals (USA), folded: found as a capitalised word (Usa) they match no actor,
    as they match case-sensitively; other aliases written so are actor matches already."""
    if not _ACRONYMS or _ACRONYMS[0][0] is not watchlist:
        _ACRONYMS[:] = [(watchlist, frozenset(fold(a) for actor in watchlist.actors for a in actor.aliases if a.isupper()))]
    return _ACRONYMS[0][1]


_NAME_GOES_ON = re.compile(r"[\w'’]*[ \t]+([A-Z][\w'’-]*)")  # the capitalised word right after a capitalised one: Rocket Lab, Air France
_LONG_SMALL_WORD = re.compile(r"(?<![\w'’-])[a-z]{4,}\b")
UNIT_WORDS = frozenset("force forces corps command brigade brigades division regiment squadron wing".split())  # Air Force: a unit, not a name


def names_with_event_words(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The event matches of a phrase the watchlist writes in small letters, found with a capital and followed by
    another capitalised word that no actor match starts (Rocket Lab, an Air France pilots' strike, Assassin's
    Creed): the name of a firm, an airline or a game, in a sentence that is not written in title case (it has
    small words of four letters or more). A unit (Air Force) is no such name, nor an actor's alias however written
    (Sanzioni Usa: the sanctions of the USA)."""
    out = []
    for m in matches:
        if m.kind != "event" or not m.found[:1].isupper() or not m.alias[:1].islower():
            continue
        after = _NAME_GOES_ON.match(text, m.start + 1)
        if after is None or fold(after.group(1)) in UNIT_WORDS or fold(after.group(1)) in _acronyms(watchlist) or any(o.start == after.start(1) and o.kind == "actor" for o in matches):
            continue
        start, end = sentence_of(text, m.start)
        if len(_LONG_SMALL_WORD.findall(text, start, end)) >= 2:
            out.append(m)
    return out


# The twelfth pass's senses (set 12), written beside the older rules: each a kind of language, for any watchlist.

_ABSTRACT_OBJECT = re.compile(  # an attack on free speech, a threat to democracy, un attacco alla libertà: a figure of speech, no act of force
    r"[ \t]+(?:on|upon|to|against|contre|à|contra|a|contro|alla|al|gegen|auf)[ \t]+(?:[\w'’-]+[ \t]+){0,3}?"
    r"(?:free[ \t]+speech|freedoms?|liberty|liberties|democracy|sovereignty|constitution|rule[ \t]+of[ \t]+law|integrity|independence|"
    r"values|dignity|privacy|press[ \t]+freedom|justice|truth|science|common[ \t]+sense|liberté|démocratie|souveraineté|libertad|democracia|"
    r"soberanía|libertà|democrazia|sovranità|Pressefreiheit|Meinungsfreiheit|Demokratie|Souveränität|Freiheit|Rechtsstaat)\b",
    re.IGNORECASE,
)
_BY_COMMENTATORS = re.compile(  # analysts warned, the judge warned, European diplomats warned: a warning told by onlookers, no threat of force
    r"\b(?:analysts?|experts?|diplomats?|economists?|forecasters?|observers?|scientists?|doctors?|judges?|magistrates?|meteorologists?|"
    r"regulators?|investors?|commentators?|researchers?|critics|campaigners?|referees?|coach|teachers?|Analysten|Experten|Diplomaten|"
    r"analystes|diplomates|analistas|expertos|diplomáticos|analisti|esperti|diplomatici)[ \t]+(?:(?:have|has|had|also|again|long|repeatedly)[ \t]+)*$",
    re.IGNORECASE,
)
_TOLD_AFTER = re.compile(r"(?:[ \t]+(?!that\b)[\w'’.-]+){0,2}?[ \t]+that\b", re.IGNORECASE)  # warned (lawmakers) that: what follows is told
_PROMISED = re.compile(  # what makes a warning a threat: a future or a condition, a response or consequences
    r"\b(?:will|would|could|shall|may|might|must|going[ \t]+to|if|unless|or[ \t]+else|or[ \t]+face|response|respond|retaliat\w*|consequences?|revenge|"
    r"price|pay|force|options?|ready|prepared|within[ \t]+(?:the[ \t]+)?(?:range|reach)|in[ \t]+range|in[ \t]+(?:the|our|its)[ \t]+sights)\b|['’]ll\b",
    re.IGNORECASE,
)


def _only_told(text: str, m: Match) -> bool:
    """Whether a warning only tells how things stand: "warned (lawmakers) that tensions were rising", or said at a
    sentence's end ("... the brink of war, diplomats warned."), with no future, condition or reprisal in its sentence."""
    start, end = sentence_of(text, m.start)
    told = _TOLD_AFTER.match(text, m.end) is not None or not text[m.end : end].strip(" \t\n.!?\"'”’")
    return told and _PROMISED.search(text, start, end) is None


INDUSTRY = Marks.of(  # a sentence that tells an industrial accident: its deaths and blasts are no attack
    "fireworks|fireworks factory|factory|warehouse|refinery|chemical plant|gas explosion|gas leak|gas cylinder|boiler|coal mine|mine blast|"
    "industrial accident|workplace accident|usine|explosion de gaz|fábrica|explosión de gas|fabbrica|esplosione di gas|Fabrik|Gasexplosion"
)
_UNARMED_BEFORE = re.compile(  # surveillance drones, a spy drone, a delivery drone: no weapon of a strike
    r"\b(?:surveillance|reconnaissance|spy|observation|unarmed|civilian|delivery|hobby|camera|racing|survey|de[ \t]+surveillance|de[ \t]+reconocimiento|"
    r"di[ \t]+sorveglianza|Aufklärungs)[ \t]+(?:[\w-]+[ \t]+)?$",
    re.IGNORECASE,
)
SPORTS_MORE = Marks.of(  # more of a sentence that tells a match or a meet: the medal table, a swimming final, the visitors' goal
    "medal table|medal tally|gold medal|silver medal|bronze medal|swimming|swimmers|athletics|marathon|relay|podium|the visitors|the hosts|"
    "home side|away side|clean sheet|first half|second half|added time|kick-off|kickoff|from 30 yards|yards out|rook|sacrifice|top seed|"
    "tableau des médailles|medallero|medagliere|Medaillenspiegel|natation|natación|nuoto|Schwimmen"
)
_FIXTURE = re.compile(r"\b[A-Z][\w'’-]+[ \t]+(?:v|vs\.?)[ \t]+[A-Z]")  # Iraq v Jordan, Iran vs. USA: a fixture
_AGED = re.compile(r",[ \t]+(?:(?:a|an)[ \t]+)?\d{1,2}(?:-year-old\b|,|[ \t]+years?[ \t]+old\b)|[ \t]+\(\d{1,2}\)")  # Soleimani, a 15-year-old; Esper, 34,: a private person
_FIRM_NAME_AFTER = re.compile(  # Iran Air, Al Asad Trading, Baghdad Holdings: a firm named after the actor (Iran Air Force, Al Asad Air Base stay)
    r"[ \t]+(?:Air|Airways|Airlines|Trading|Holdings|Group|Telecom|Motors|Foods|Logistics|Ventures|Capital|Partners|Industries|Enterprises|"
    r"Inc|Ltd|LLC|Corp|Corporation|Co|GmbH|SA|SpA)\b(?![ \t]+(?:Force|Forces|Defen[cs]e|Command|Base|Wing|Station|Corps)\b)"
)
_SANCTIONED_BEFORE = re.compile(  # sanctions on Iranian steel exporters: a state's firms sanctioned are the state sanctioned
    r"\b(?:(?:sanctions?|embargo(?:es)?)[ \t]+(?:on|against|targeting)|sanctioned|sanctioning|blacklist(?:ed|s|ing)?|embargoed)[ \t]+(?:[\w-]+[ \t]+){0,3}?$",
    re.IGNORECASE,
)
_PRIVATE_AFTER = re.compile(  # a US logistics firm, Iranian pilgrims, une entreprise: a private firm or private persons of that nationality
    r"[ \t]+(?:(?!state\b|state-owned\b|national\b|government\b)[\w-]+[ \t]+){0,2}?(?:firms?|company|companies|corporations?|startups?|retailers?|"
    r"brands?|manufacturers?|importers?|exporters?|insurers?|carmakers?|automakers?|conglomerates?|pilgrims?|tourists?|holidaymakers?|"
    r"fans|passengers?|fishermen|backpackers?|mountaineers?|climbers?)\b",
    re.IGNORECASE,
)
_PRIVATE_BEFORE = re.compile(  # une entreprise américaine, una empresa estadounidense, turisti iraniani: the noun before the adjective
    r"\b(?:entreprises?|sociétés?|firmes?|compagnies?|pèlerins|touristes|empresas?|compañías?|firmas?|peregrinos|turistas|aziende|azienda|società|ditta|"
    r"pellegrini|turisti)[ \t]+$",
    re.IGNORECASE,
)
REGULATION = Marks.of(  # a sentence that tells a regulator, a judge or a league disciplining: its sanctions are penalties, not a state's
    "regulator|media regulator|watchdog|judge|disciplinary|league|federation|FIFA|UEFA|referee|bar association|broadcasting|TV channel|"
    "indecent|doping|match-fixing|misconduct|lawyers|attorneys|régulateur|juge|regulador|juez|giudice|Richter|Aufsichtsbehörde"
)
_MARKETS_AFTER = re.compile(  # an escalation in valuations, of the bond sell-off: a market moving
    r"[ \t]+(?:in|of)[ \t]+(?:[\w-]+[ \t]+){0,3}?(?:valuations?|bonds?|sell-?offs?|yields|stocks|shares|equities|prices|costs|rents|premiums)\b",
    re.IGNORECASE,
)
WEATHER = Marks.of(  # a sentence that tells a forecast: what threatens there is the weather
    "forecasters|forecast|cyclone|storm|storms|hurricane|typhoon|blizzard|snowstorm|heavy rain|meteorologists|Met Office|National Weather Service|"
    "tempête|tormenta|tempesta|Unwetter|Sturm"
)
_NAMESAKE_STATE_AFTER = re.compile(r"[ \t]+(?:coast|coastline|state|State|county|County|wine|apples|Huskies|Cougars)\b")  # the Washington coast: the state of Washington
_LAUNCHER_AFTER = re.compile(  # a rocket launcher, rocket depots: the weapon as a thing found or destroyed
    r"[ \t-]+(?:launchers?|depots?|workshops?|factory|factories|caches?|stockpiles?|storage|components|parts)\b", re.IGNORECASE
)
_FIRED = re.compile(r"\b(?:fired|fire|launched|lobbed|landed|rained|slammed|aimed|rigged|primed|pointed)\b", re.IGNORECASE)  # fired, or ready to be
_ARMED_CRASH = re.compile(  # a drone that crashed into a hangar, an explosive-laden drone: a drone strike, not an accident
    r"\b(?:crash\w*|s'est écrasé\w*|se estrelló|schiant\w*|stürzte)[ \t]+(?:into|onto|on|sur|contra|contro|in[ \t]+den|auf)\b|explosive|laden|attack|bomb|kamikaze|suicide|one-way",
    re.IGNORECASE,
)
LABOUR_MORE = Marks.of(  # more of a labour dispute: its union, and a strike over pay
    "the union|union said|union leaders|union's|nurses' union|teachers' union|over pay|pay claim|pay offer|better pay|higher pay|"
    "baggage handlers|le syndicat|el sindicato|il sindacato|die Gewerkschaft"
)


def _concept(watchlist: Watchlist, concept: str) -> str:
    """The event that stands for a thesaurus concept in `watchlist` (thesaurus.event_of), kept with its tables."""
    known = _tables(watchlist).concepts
    if concept not in known:
        known[concept] = thesaurus.event_of(concept, watchlist.events)
    return known[concept]


def more_senses(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]] | None = None) -> list[Match]:
    """The twelfth pass's senses: `acts_of_speech`, `accidents`, `pastimes_more`, `private_names`, `penalties`."""
    if not matches:
        return []
    spans = {} if spans is None else spans
    folded = text.casefold()  # for the quick looks of the rules below
    return (
        acts_of_speech(watchlist, matches, text) + accidents(watchlist, matches, text, spans, folded) + pastimes_more(watchlist, matches, text, spans, folded)
        + private_names(watchlist, matches, text) + penalties(watchlist, matches, text, spans, folded)
    )


def acts_of_speech(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The generic attacks and threats on an abstract thing (an attack on free speech, a threat to the integrity of
    the court, un attacco alla democrazia: a figure of speech); a warning by onlookers (analysts, diplomats, a
    judge) or one that only tells how things stand ("warned that tensions were rising": no future, condition or
    reprisal in its sentence); and an escalation in a market (an escalation in valuations)."""
    tables = _tables(watchlist)
    threat = tables.threat_name
    out = []
    for m in matches:
        if m.kind != "event":
            continue
        generic = m.cameo in ("18", "19", "13") or (threat != "" and m.name == threat)
        if generic and _ABSTRACT_OBJECT.match(text, m.end):
            out.append(m)
        elif threat and m.name == threat and fold(m.found).startswith("warn") and (_BY_COMMENTATORS.search(text, max(0, m.start - 40), m.start) or _only_told(text, m)):
            out.append(m)
        elif m.name == tables.escalation and _MARKETS_AFTER.match(text, m.end):
            out.append(m)
    return out


def _hinted(folded: str, hints: re.Pattern[str]) -> bool:
    """Whether one of `hints` (casefolded substrings of a Marks' words, one pattern) stands in the casefolded text: a
    quick look before splitting sentences into words."""
    return hints.search(folded) is not None


def _hints(*words: str) -> re.Pattern[str]:
    """One pattern of casefolded substrings."""
    return re.compile("|".join(re.escape(w) for w in words))


_INDUSTRY_HINTS = _hints("firework", "factory", "warehouse", "refiner", "chemical plant", "gas ", "gas-", "boiler", "mine", "industrial", "workplace", "usine", "fábrica", "fabbrica", "fabrik", "gasexplosion")
_SPORTS_MORE_HINTS = _hints(
    "medal", "swimm", "athletics", "marathon", "relay", "podium", "visitors", "hosts", "home side", "away side", "clean sheet", "first half",
    "second half", "added time", "kick", "yards", "rook", "sacrifice", "top seed", "médailles", "medall", "medag", "medaill", "natation",
    "natación", "nuoto", "schwimm",
)
_FIXTURE_HINTS = _hints(" v ", " vs ", " vs. ")
_REGULATION_HINTS = _hints(
    "regulat", "watchdog", "judge", "disciplin", "league", "federation", "fifa", "uefa", "referee", "bar association", "broadcast", "channel",
    "indecent", "doping", "match-fixing", "misconduct", "lawyer", "attorney", "régulateur", "juge", "regulador", "juez", "giudice", "richter", "aufsicht",
)
_WEATHER_HINTS = _hints("forecast", "cyclone", "storm", "hurricane", "typhoon", "blizzard", "snowstorm", "heavy rain", "meteorolog", "met office", "weather service", "tempête", "tormenta", "tempesta", "unwetter", "sturm")
_LABOUR_MORE_HINTS = _hints("union", "pay", "baggage handlers", "syndicat", "sindicato", "sindacato", "gewerkschaft")


def accidents(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The deaths and blasts of a sentence that tells an industrial accident (INDUSTRY: "an explosion at a fireworks
    factory killed eleven workers") with no other hostile act in it; a drone that is no weapon (surveillance drones
    shot down: the target, not a drone strike) or that crashed with no hostile act in its sentence; a rocket word
    naming the weapon as a thing (a rocket launcher destroyed) in a sentence where nothing is fired."""
    tables = _tables(watchlist)
    drone, rocket, bombing = (_concept(watchlist, c) for c in ("drone strike", "rocket attack", "bombing"))
    quiet = {tables.killing, bombing} - {""}
    events = [m for m in matches if m.kind == "event"]
    deaths = [m for m in events if m.name in quiet]
    weapons = [m for m in events if m.name and m.name in (drone, rocket)]
    if not deaths and not weapons:
        return []
    out: list[Match] = []
    keys: list[int] = []
    if deaths and _hinted(folded, _INDUSTRY_HINTS):
        keys = sentence_keys(text, [m.start for m in events])
        acts = {k for m, k in zip(events, keys) if m.name in tables.hostile and m.name not in quiet}
        out += _in_sentences_telling(INDUSTRY, [m for m, k in zip(events, keys) if m.name in quiet and k not in acts], text, spans)
    crashed = any(h in text for h in _CRASH_HINTS)
    for m in weapons:
        if m.name == drone and _UNARMED_BEFORE.search(text, max(0, m.start - 40), m.start):
            out.append(m)
        elif m.name == drone and crashed:
            keys = keys or sentence_keys(text, [e.start for e in events])
            key = keys[events.index(m)]
            others = {k for e, k in zip(events, keys) if e is not m and e.name in tables.hostile}
            if key not in others and not _ARMED_CRASH.search(text, *sentence_of(text, m.start)):
                out += _in_sentences_telling(CRASHES, [m], text, spans)
        elif m.name == rocket and _LAUNCHER_AFTER.match(text, m.end) and not _FIRED.search(text, *sentence_of(text, m.start)):
            out.append(m)
    return out


def pastimes_more(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The events and states, and a group's one-word alias (the Guards defence cracked), of a sentence that tells a
    match or a meet (SPORTS_MORE, or a fixture: Iraq v Jordan); a person's one-word alias followed by an age (Soleimani,
    a 15-year-old: a private person, as news writes one)."""
    actors = _tables(watchlist).actors
    out = [m for m in matches if m.kind == "actor" and m.category == "person" and len(m.alias.split()) == 1 and _AGED.match(text, m.end)]
    fixture, meet = _hinted(folded, _FIXTURE_HINTS), _hinted(folded, _SPORTS_MORE_HINTS)
    if not (fixture or meet):
        return out
    told_of = [
        m for m in matches
        if m.kind == "event" or (m.name in actors and (actors[m.name].kind == "state" or (actors[m.name].kind == "group" and len(m.alias.split()) == 1)))
    ]
    fixtures = [m for m in told_of if _FIXTURE.search(text, *sentence_of(text, m.start))] if fixture else []
    return out + fixtures + (_in_sentences_telling(SPORTS_MORE, [m for m in told_of if m not in fixtures], text, spans) if meet else [])


def private_names(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The actor matches that name a firm after them (Iran Air, Al Asad Trading), a state's nationality adjective
    on a private firm or private persons (a US logistics firm, Iranian pilgrims, une entreprise américaine: the
    guide's biographical sense), and
    Washington before "coast" or "state" (the state of Washington)."""
    actors = _tables(watchlist).actors
    out = []
    for m in matches:
        if m.kind != "actor" or m.name not in actors:
            continue
        kind = actors[m.name].kind
        if _FIRM_NAME_AFTER.match(text, m.end) and m.found[-2:] not in ("'s", "’s"):
            out.append(m)
        elif (kind == "state" and m.found[-2:] not in ("'s", "’s") and (fold(m.found).endswith(DEMONYM_ENDINGS) or m.found in ("US", "U.S."))
              and _PRIVATE_AFTER.match(text, m.end) and not _SANCTIONED_BEFORE.search(text, max(0, m.start - 60), m.start)):
            out.append(m)
        elif kind == "state" and m.found[:1].islower() and _PRIVATE_BEFORE.search(text, max(0, m.start - 20), m.start):
            out.append(m)
        elif m.found == "Washington" and _NAMESAKE_STATE_AFTER.match(text, m.end):
            out.append(m)
    return out


def penalties(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The sanctions of a sentence that tells a regulator, a judge or a league (REGULATION: "Iraq sanctioned a TV
    channel", "a judge sanctioned two lawyers") naming no watched group or person; the threats of a forecast
    (WEATHER: a storm threatening power lines) naming none; and the generic strikes, threats and escalations of a
    labour dispute told by its union or its pay (LABOUR_MORE), as `labour` does."""
    tables = _tables(watchlist)
    threat = tables.threat_name
    sanctions = [m for m in matches if m.kind == "event" and m.name == tables.sanctions and tables.sanctions]
    threats = [m for m in matches if m.kind == "event" and threat and m.name == threat]
    out = _in_sentences_telling(REGULATION, sanctions, text, spans) if sanctions and _hinted(folded, _REGULATION_HINTS) else []
    out += _in_sentences_telling(WEATHER, threats, text, spans) if threats and _hinted(folded, _WEATHER_HINTS) else []
    if out:
        named = {spans.get(a.start) or spans.setdefault(a.start, sentence_of(text, a.start)) for a in matches if a.kind == "actor" and a.category in ("group", "person")}
        out = [m for m in out if spans[m.start] not in named]
    calm = tables.calm_name
    generic = [m for m in matches if m.kind == "event" and (m.cameo in ("19", "13") or (m.name and m.name in (tables.escalation, calm, tables.truce)))]
    return out + (_in_sentences_telling(LABOUR_MORE, generic, text, spans) if generic and _hinted(folded, _LABOUR_MORE_HINTS) else [])


FALSE_FRIENDS = frozenset(  # words whose stem is an event phrase's in another language or sense: French "repris" (retaken) is no reprisal,
    fold(w) for w in "repris reprise reprises reprend reprennent several racheté rachète racheter rachetée rachetés rachat".split()  # "several" no "severe", "racheté" (bought) no "Rache"
)
_MOVE_NOUN = re.compile(r"\b(?:such|this|that|the|a|an|any|every|its|their|his|her|latest|first|bold|surprise)[ \t]+(?:[\w-]+[ \t]+)?$", re.IGNORECASE)  # any such move
_ONE_MOVED = re.compile(  # moved a new commander, moved its spokesman: one person posted, no force sent
    r"[ \t]+(?:(?:a|an|the|its|his|her|their)[ \t]+)?(?:[\w-]+[ \t]+)?(?:commander|envoy|ambassador|chief|officer|general|spokesman|spokeswoman|official|aide|adviser|advisor|headquarters|office|offices)\b",
    re.IGNORECASE,
)
_RETALIATORY_TRADE = re.compile(  # a retaliatory price cut, retaliatory tariffs: a move of trade
    r"[ \t]+(?:[\w-]+[ \t]+)?(?:price|prices|pricing|tariffs?|duties|levies|fare|fares|discounts?|lawsuits?|suits?|firing|dismissal)\b", re.IGNORECASE
)
_ABOUT = re.compile(r"\b(?:about|on|over|sur|sobre|su|über)[ \t]+(?:the[ \t]+|l['’]|la[ \t]+|el[ \t]+|il[ \t]+|die[ \t]+|den[ \t]+)?$", re.IGNORECASE)  # a film about the ...


def forms_and_moves(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The event matches found as a word of FALSE_FRIENDS (les forces ont repris la route: no reprisal); a force
    posture found as the noun "move" after a determiner (any such move would be met by force) or as one person
    moved (moved a new commander into Baghdad); a retaliation that is "retaliatory" prices, tariffs or a lawsuit."""
    retaliation = _concept(watchlist, "retaliation")
    out = []
    for m in matches:
        if m.kind != "event":
            continue
        found = fold(m.found)
        if found in FALSE_FRIENDS:
            out.append(m)
        elif m.cameo.startswith("15") and found.startswith("move") and (
            (found == "move" and _MOVE_NOUN.search(text, max(0, m.start - 30), m.start)) or (found == "moved" and _ONE_MOVED.match(text, m.end))
        ):
            out.append(m)
        elif retaliation and m.name == retaliation and found.startswith("retaliatory") and _RETALIATORY_TRADE.match(text, m.end):
            out.append(m)
    return out


def real_subjects(watchlist: Watchlist, matches: Sequence[Match], text: str, dropped: set[Match]) -> list[Match]:
    """The dropped event matches that a film, a book or a game is about, told with a watched person or group right
    before or after them ("the film about the Soleimani killing", "a documentary on the assassination of Soleimani"):
    a real act the work tells of, not the work's fiction; they are kept."""
    actors = [m for m in matches if m.kind == "actor" and m.category in ("person", "group")]
    if not actors:
        return []
    out = []
    for m in dropped:
        if m.kind != "event":
            continue
        before = [a for a in actors if a.end <= m.start and not text[a.end : m.start].strip(" \t") and _ABOUT.search(text, max(0, a.start - 12), a.start)]
        after = [a for a in actors if a.start >= m.end and re.fullmatch(r"[ \t]+(?:of|de|di|von|des)[ \t]+(?:[\w-]+[ \t]+)?", text[m.end : a.start])]
        if before or (after and _ABOUT.search(text, max(0, m.start - 12), m.start)):
            out.append(m)
    return out


CAPTIVITY_MORE = Marks.of(  # more of real captivity: its releases and deals, captives and abductors (in four languages)
    "releases|hostage deal|hostage talks|captives|held captive|abductors|libération|liberación|liberazione|Freilassung"
)
_CAPTIVITY_MORE_HINTS = _hints("releas", "hostage deal", "hostage talks", "captive", "abductor", "libération", "liberación", "liberazione", "freilassung")


def captives(watchlist: Watchlist, dropped: set[Match], text: str) -> list[Match]:
    """The dropped kidnappings of a sentence that tells real captivity by its releases or deals ("talks stalled over
    the sequencing of hostage releases"): a person taken, not a figure of speech; they are kept."""
    kidnapping = _concept(watchlist, "kidnapping")
    taken = [m for m in dropped if m.kind == "event" and kidnapping and m.name == kidnapping]
    if not taken or not _hinted(text.casefold(), _CAPTIVITY_MORE_HINTS):
        return []
    return _in_sentences_telling(CAPTIVITY_MORE, taken, text, {})


def pass13_senses(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]]) -> list[Match]:
    """The thirteenth pass's senses, for texts with an event: `hazards`, `penalties_hit`, `weather_talk`, `cyber`,
    `fans` (the text casefolded once for their quick looks)."""
    if not any(m.kind == "event" for m in matches):
        return []
    folded = text.casefold()
    told = {hint.lastgroup for hint in _PASS13_HINTS.finditer(folded)}  # one scan for the three quick looks
    out = penalties_hit(matches, text)
    if "hazard" in told:
        out += hazards(watchlist, matches, text, spans, folded) + weather_talk(watchlist, matches, text, spans, folded)
    if "cyber" in told:
        out += cyber(watchlist, matches, text, spans, folded)
    if "fans" in told:
        out += fans(watchlist, matches, text, spans, folded)
    return out


HAZARDS = Marks.of(  # a sentence that tells weather, pollution or disease: what it kills or hits is no act of the domain (the thirteenth pass)
    "pollution|air pollution|smog|heavy rain|heavy rains|torrential rain|torrential rains|rainfall|downpour|downpours|storm|storms|sandstorm|sandstorms|"
    "dust storm|dust storms|flooded|flash floods|flash flood|drought|heat|heatwave|cold snap|snow|snowfall|blizzard|hail|disease|epidemic|outbreak|malaria|"
    "measles|virus|pollution de l'air|pluies torrentielles|tempête|tempête de sable|sécheresse|épidémie|contaminación|lluvias torrenciales|tormenta|"
    "tormenta de arena|sequía|epidemia|inquinamento|piogge torrenziali|tempesta|tempesta di sabbia|siccità|Luftverschmutzung|Starkregen|Unwetter|"
    "Sandsturm|Dürre|Epidemie|Seuche"
)
_PASS13_HINTS = re.compile(  # word beginnings of HAZARDS, CYBER and FANS, casefolded: one quick look before splitting sentences
    r"\b(?:(?P<hazard>pollution|smog|rain|sandstorm|dust\ storm|downpour|storm|flood|drought|heat|cold\ snap|snow|blizzard|hail|disease|epidemic|outbreak|malaria|measles|virus|pluies|tempête|sécheresse|épidémie|contaminación|lluvias|tormenta|sequía|inquinamento|piogge|tempesta|siccità|luftverschmutzung|starkregen|unwetter|sandsturm|dürre|seuche)"
    r"|(?P<cyber>hack|cyber|ransomware|malware|ddos|phishing|pirates\ informatiques|pirate\ informatique|piratas\ informáticos|pirata\ informático|ciberata|pirati\ informatici|attacco\ informatico|attacchi\ informatici)"
    r"|(?P<fans>hooligan|rival\ fans|away\ fans|home\ fans|ultras|team\ bus|team's\ bus|supporters\ rivaux|bus\ de\ l'équipe|hinchas|autobús\ del\ equipo|tifosi|pullman\ della\ squadra|mannschaftsbus))"
)
HAZARD_VERBS = frozenset(  # heavy rain hit Iraq, a storm bombarded Brittany
    "hit hits struck strikes striking pounded pounding battered battering lashed lashing swept ravaged bombarded bombarding pummelled pummeled pummelling".split()
)


def hazards(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The killings, and the generic fights told by a verb of hitting (heavy rain hit Basra, a sandstorm struck
    Baghdad), of a sentence that tells weather, pollution or disease (HAZARDS: "air pollution killed 4,000", "la
    contaminación mató a cientos") with no other hostile act in it: no violence, as `disasters` reads earthquakes."""
    tables = _tables(watchlist)
    events = [m for m in matches if m.kind == "event"]
    quiet = [m for m in events if m.name == tables.killing or (m.cameo == "19" and fold(m.found) in HAZARD_VERBS)]
    if not quiet:
        return []
    keys = sentence_keys(text, [m.start for m in events])
    acts = {k for m, k in zip(events, keys) if m.name in tables.hostile and m not in quiet}
    return _in_sentences_telling(HAZARDS, [m for m, k in zip(events, keys) if m in quiet and k not in acts], text, spans)


PENALTY_VERBS = frozenset(  # hit with sanctions, frappé de sanctions, colpito dalle sanzioni
    "hit hits struck slapped frappe frappee frappes frappees golpeado golpeada golpeados golpeadas colpito colpita colpiti colpite getroffen".split()
)
_PENALTY_AFTER = re.compile(  # by or with a penalty, in its clause: sanctions, tariffs, a fine, charges, a lawsuit, a ban
    r"(?:[ \t]+[^\s.;:!?,]+){0,4}?[ \t]+(?:with|by|par|de|des|d'|por|con|da|dal|dalla|dalle|dai|von|durch|mit)[ \t]+(?:[^\s.;:!?]+[ \t]+){0,4}?"
    r"(?:sanctions?|tariffs?|fines?|penalt(?:y|ies)|charges|lawsuits?|bans?|levies|taxes|indictments?|sanciones|aranceles|multas?|sanzioni|dazi|multe?|"
    r"amendes?|droits[ \t]+de[ \t]+douane|Sanktionen|Strafzöllen|Zöllen|Strafen?|Geldstrafen?)\b",
    re.IGNORECASE,
)


def penalties_hit(matches: Sequence[Match], text: str) -> list[Match]:
    """A generic fight (CAMEO root 19) told by a verb of hitting whose clause names the penalty it hit with ("was
    hit with US Treasury sanctions", "hit Iran with new tariffs", "colpito dalle sanzioni", "frappé de sanctions"):
    a penalty, not force (the thirteenth pass)."""
    return [
        m for m in matches
        if m.kind == "event" and m.cameo == "19" and fold(m.found) in PENALTY_VERBS and _PENALTY_AFTER.match(text, m.end)
    ]


def weather_talk(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The escalations and threats of a sentence that tells weather, pollution or disease (HAZARDS) and names no
    watched state, group or person ("tensions between two weather systems could escalate into a derecho", "the
    threat of a dust storm"): a forecast's words, as `disasters` reads a hurricane's threat (the thirteenth pass)."""
    tables = _tables(watchlist)
    threat = tables.threat_name
    talk = [m for m in matches if m.kind == "event" and m.name in (threat, tables.escalation) and m.name]
    if not talk:
        return []
    told = _in_sentences_telling(HAZARDS, talk, text, spans)
    named = {spans.get(a.start) or spans.setdefault(a.start, sentence_of(text, a.start)) for a in matches if a.kind == "actor" and a.category != "place"}
    return [m for m in told if spans[m.start] not in named or _caused_by_hazard(text, m)]


_CAUSE_AFTER = re.compile(  # consequences from the drought, menace due to the floods: what follows is the cause
    r"(?:[ \t]+[\w'’-]+){0,2}?[ \t]+(?:from|of|due[ \t]+to|because[ \t]+of|caused[ \t]+by|dues?[ \t]+(?:à|aux?)|por|wegen|durch)[ \t]+", re.IGNORECASE
)


def _caused_by_hazard(text: str, m: Match) -> bool:
    """Whether a threat's or an escalation's cause follows it as weather, pollution or disease ("Iraq's farmers will
    face serious consequences from the drought"): no party threatens, though a state is named (the merge of the
    thirteenth and fourteenth passes)."""
    cause = _CAUSE_AFTER.match(text, m.end)
    return cause is not None and any(hint.lastgroup == "hazard" for hint in _PASS13_HINTS.finditer(text[cause.end() : cause.end() + 40].casefold()))


CYBER = Marks.of(  # a sentence that tells an act on computers: its attacks, threats and hostages are no force (the thirteenth pass)
    "hacker|hackers|hacked|hacking|hack|cyber|cyberattack|cyberattacks|cyber-attack|cyber-attacks|cyber attack|cyber attacks|ransomware|malware|"
    "DDoS|phishing|cybersecurity|pirates informatiques|pirate informatique|cyberattaque|cyberattaques|piratas informáticos|pirata informático|"
    "ciberataque|ciberataques|pirati informatici|attacco informatico|attacchi informatici|Hackerangriff|Hackerangriffe|Cyberangriff|Cyberangriffe"
)


def cyber(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The generic fights, threats and kidnappings of a sentence that tells an act on computers (CYBER: "hackers
    claimed an attack on petrol stations", "ransomware held the records hostage", des pirates informatiques) with no
    other hostile act in it: the guide's events are of force, not of servers."""
    tables = _tables(watchlist)
    threat = tables.threat_name
    kidnapping = _concept(watchlist, "kidnapping")
    events = [m for m in matches if m.kind == "event"]
    soft = [m for m in events if m.cameo == "19" or (m.name and m.name in (threat, kidnapping))]
    if not soft:
        return []
    keys = sentence_keys(text, [m.start for m in events])
    acts = {k for m, k in zip(events, keys) if m.name in tables.hostile and m not in soft}
    return _in_sentences_telling(CYBER, [m for m, k in zip(events, keys) if m in soft and k not in acts], text, spans)


FANS = Marks.of(  # a sentence that tells sports fans and a team's bus: its attacks are a brawl of supporters (the thirteenth pass)
    "hooligans|hooligan|rival fans|away fans|home fans|ultras|team bus|team's bus|supporters rivaux|bus de l'équipe|hinchas|autobús del equipo|"
    "tifosi|pullman della squadra|Mannschaftsbus"
)


def fans(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The events of a sentence that tells sports fans or a team's bus ("hooligans attacked the team bus after the
    match", "rival fans' prank on the embassy's football team bus", los hinchas), with no watched armed group named
    in it: supporters' violence, as `fiction_or_sports` reads a match."""
    actors = _tables(watchlist).actors
    events = [m for m in matches if m.kind == "event"]
    armed = {spans.get(g.start) or spans.setdefault(g.start, sentence_of(text, g.start)) for g in matches if g.kind == "actor" and g.name in actors and actors[g.name].kind == "group"}
    return [m for m in _in_sentences_telling(FANS, events, text, spans) if spans[m.start] not in armed]


_DISASTER_BEFORE = re.compile(  # a natural disaster as the subject right before the verb: "Hurricane Ida struck", "the quake that hit"
    r"\b(?:earthquakes?|quakes?|tremors?|tsunamis?|hurricanes?|cyclones?|typhoons?|tornado(?:es|s)?|storms?|floods?|wildfires?|avalanches?|landslides?|"
    r"lightning|heatwaves?|blizzards?|séisme|tremblement[ \t]+de[ \t]+terre|ouragan|tempête|terremoto|sismo|huracán|tormenta|uragano|tempesta|"
    r"alluvione|Erdbeben|Sturm|Hurrikan|Taifun)\b(?:[ \t]+[A-Z][\w'’-]*)?(?:[ \t]+(?:that|which|has|had|have|ha|hanno|a|qui|que|che|hat))?[ \t]+$",
    re.IGNORECASE,
)


def disaster_strikes(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The hostile acts whose verb has a natural disaster as its subject ("Hurricane Ida struck Louisiana", "a
    magnitude 6 quake hit the province", "un séisme a frappé"): the storm's or the earthquake's, no attack."""
    events = [m for m in matches if m.kind == "event" and m.name in _tables(watchlist).hostile]
    return [m for m in events if _DISASTER_BEFORE.search(text, max(0, m.start - 60), m.start)]


_NEWSPAPER_AFTER = re.compile(  # the Washington Post, the Baghdad Post, the Tehran Chronicle: a paper named after a place
    r"[ \t]+(?:Post|Herald|Journal|Tribune|Gazette|Examiner|Chronicle|Observer|Courier|Dispatch|Daily|Sentinel)\b(?!['’]s[ \t]+(?:Force|Army))"
)


def newspapers(matches: Sequence[Match], text: str) -> list[Match]:
    """A place's or a state's name that is the first word of a newspaper's ("The Washington Post reported", "Le
    Washington Post a révélé"): the paper, not the government."""
    return [m for m in matches if m.kind == "actor" and m.category in ("place", "state") and _NEWSPAPER_AFTER.match(text, m.end)]


_HALT = re.compile(  # an armed side's own stop of its acts: halt, suspend, pause, cease, freeze (not a call on another side)
    r"\b(?:halt(?:s|ed|ing)?|suspen(?:d|ds|ded|ding|sion)|paus(?:e|es|ed|ing)|ceas(?:e|es|ed|ing)|freez(?:e|es|ing)|froze|stopp(?:ed|ing)|"
    r"suspendre|suspendu|suspendent|suspender|suspendió|suspensión|sospend\w*|sospensione|arrêter|arrête|arrêté|"
    r"einzustellen|einstellen|eingestellt|stellt[ \t]+ein|Einstellung|auszusetzen|aussetzen|ausgesetzt)\b",
    re.IGNORECASE,
)
_HALT_HINTS = ("halt", "uspen", "paus", "ceas", "freez", "froze", "stopp", "ospen", "rrêt", "stell", "ussetz", "usgesetz", "Halt", "HALT")  # as written: a quick look
_VERB_LAST = re.compile(r"einzustellen|einstellen|eingestellt|auszusetzen|aussetzen|ausgesetzt", re.IGNORECASE)  # German puts the verb after its object
_OBJECT_BETWEEN = re.compile(r"(?:[ \t]+(?!nach\b|wegen\b|während\b|weil\b)[\w-]+){0,5}[ \t]+")  # ihre Angriffe auf US-Truppen im Irak einzustellen: one clause, no cause
HALT_REACH = 5  # words from the stop to the act it stops ("halt its drone and rocket attacks")
_HALTED_BETWEEN = re.compile(  # what may stand between the stop and the act: its, all, further, of military and (not "after a drone attack")
    r"(?:[ \t]+(?:its|their|all|any|further|the|of|in|on|military|armed|and|ses|leurs|les|des|de|du|sus|los|las|del|i|gli|le|delle|dei|degli|di|"
    r"ihre|seine|die|der|alle|weiteren|militärischen))*[ \t]+",
    re.IGNORECASE,
)


def halts(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """An armed side's halt of its own hostile acts ("announced it would halt attacks on US forces", "the
    suspension of military operations", "ihre Angriffe einzustellen"), in a sentence with no ceasefire found and
    no call on another side: a ceasefire (CAMEO 0871); the acts stay (the guide keeps a halted act's label)."""
    tables = _tables(watchlist)
    truce = next((e for e in watchlist.events if e.name == tables.truce), None)
    acts = [m for m in matches if m.kind == "event" and m.name in tables.hostile]
    if truce is None or not acts or not any(h in text for h in _HALT_HINTS) or not _HALT.search(text):
        return []
    events = [m for m in matches if m.kind == "event"]
    keys = sentence_keys(text, [m.start for m in events])
    told = {k for m, k in zip(events, keys) if m.name == truce.name}
    out: list[Match] = []
    for stop in _HALT.finditer(text):
        key = sentence_keys(text, [stop.start()])[0]
        if key in told:
            continue
        begin = sentence_of(text, stop.start())[0]
        if _APPEAL.search(text, begin, stop.start()):
            continue  # urged the militia to halt attacks: a call, the appeals' de-escalation
        after = _reach(text, stop.end(), HALT_REACH)
        act = next((m for m in acts if stop.end() <= m.start < after and _HALTED_BETWEEN.fullmatch(text, stop.end(), m.start)), None)
        span = (stop.start(), act.end) if act is not None else None
        if act is None and _VERB_LAST.fullmatch(stop.group()):
            act = next((m for m in acts if m.end <= stop.start() and _OBJECT_BETWEEN.fullmatch(text, m.end, stop.start())), None)
            span = (act.start, stop.end()) if act is not None else None
        if span is not None:
            told.add(key)
            out.append(Match("event", truce.name, "(a halt of attacks)", text[span[0] : span[1]], span[0], span[1], 90.0, truce.severity, "", truce.cameo, form="words"))
    return out



MEDICINE = Marks.of(  # a sentence that tells medicine: a dose, a trial, a patient, a ward, an outbreak; its escalations are a treatment's
    "patient|patients|dose|doses|dosage|dose-escalation|clinical|trial|trials|tumour|tumours|tumor|tumors|cancer|oncology|oncologist|intensive care|"
    "hospital|hospitals|nurses|clinicians|therapy|treatment|symptoms|outbreak|cholera|measles|vaccine|vaccination|infection|infections|chlorination|"
    "antibiotics|sepsis|WHO|health ministry|patient's|patients'|"
    "patiente|traitement|thérapeutique|médecins|paciente|pacientes|tratamiento|médicos|paziente|pazienti|terapia|medici|Patient|Patienten|Therapie|Ärzte|Dosis"
)
_MEDICINE_HINTS = _hints("patient", "dose", "dosage", "clinical", "trial", "tumo", "cancer", "oncolog", "intensive care", "hospital", "nurses", "clinician",
                         "therap", "treatment", "symptom", "outbreak", "cholera", "measles", "vaccin", "infection", "chlorination", "antibiotic", "sepsis",
                         "health ministry", "traitement", "médecin", "paciente", "tratamiento", "médico", "paziente", "medici", "ärzte", "dosis")
_WAR_WORDS = re.compile(  # what makes a medical sentence's escalation a war's after all: the fighting that fills the wards
    r"\b(?:war|wars|fighting|clashes|troops|soldiers|militias?|militants|forces|missiles?|rockets?|shelling|bombing|air[ \t]?strikes?|wounded|"
    r"guerre|combats|guerra|combates|combattimenti|Krieg|Kämpfe)\b",
    re.IGNORECASE,
)


def treatments(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The escalations and de-escalations of a sentence that tells medicine ("a dose-escalation trial", "the
    hospital's escalation protocol", "urged authorities to escalate chlorination") with no war word in it: a
    treatment's or a health service's, not a conflict's."""
    tables = _tables(watchlist)
    calm = tables.calm_name
    steps = [m for m in matches if m.kind == "event" and m.name and m.name in (tables.escalation, calm)]
    if not steps or not (_hinted(folded, _MEDICINE_HINTS) or "WHO" in text):
        return []
    told = _in_sentences_telling(MEDICINE, steps, text, spans)
    return [m for m in told if not _WAR_WORDS.search(text, *spans[m.start]) and MEDICINE_NEAR.told(_around(text, m, MEDICINE_REACH))]


MEDICINE_NEAR = MEDICINE.joined(Marks.of("protocol|protocols|testing|screening|care|phase|ward|wards|thérapeutique|terapéutica|terapeutica"))
MEDICINE_REACH = 3  # words each side of an escalation that must hold the medicine it is of (the escalation between Iran and the US stays)
_WORDS_LEFT = re.compile(r"(?:[\w'’-]+[^\w.;:!?]+){0,3}$")


def _around(text: str, m: Match, words: int) -> str:
    """The text from `words` words before a match to `words` words after it, in its sentence."""
    left = _WORDS_LEFT.search(text, max(0, m.start - 80), m.start)
    return text[left.start() if left else m.start : _reach(text, m.end, words)]


TRADE = Marks.of(  # a sentence that tells a dispute over trade: tariffs, duties, levies; its reprisals and threats are a trade move's
    "tariff|tariffs|duties|levies|trade war|customs duties|anti-dumping|WTO|droits de douane|taxes douanières|aranceles|dazi|Zölle|Strafzölle|Zöllen"
)
_TRADE_HINTS = _hints("tariff", "duties", "levies", "trade war", "anti-dumping", "wto", "douan", "arancel", "dazi", "zöll", "zölle")
_FORCE_WORDS = re.compile(  # what makes a trade sentence's reprisal a war's after all
    r"\b(?:military|militar\w*|militaire\w*|force|forces|troops|strikes?|attacks?|missiles?|rockets?|drones?|war(?![ \t]+of[ \t]+words)|armed|"
    r"bases?|guerre|guerra|Krieg|Truppen|Angriff\w*)\b",
    re.IGNORECASE,
)


def trade_moves(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The reprisals and threats of a sentence that tells a dispute over trade ("tariffs on steel drew retaliation
    from the EU", "Pekín anunció represalias contra los aranceles") with no force word in it: a trade move."""
    tables = _tables(watchlist)
    threat = tables.threat_name
    reprisal = _concept(watchlist, "retaliation")
    moves = [m for m in matches if m.kind == "event" and m.name and m.name in (reprisal, threat)]
    if not moves or not _hinted(folded, _TRADE_HINTS):
        return []
    told = _in_sentences_telling(TRADE, moves, text, spans)
    return [m for m in told if _only_trade_war(text, spans[m.start])]


def _only_trade_war(text: str, span: tuple[int, int]) -> bool:
    """Whether a sentence has no force word but the "war" of a trade war."""
    return all(text[max(span[0], w.start() - 6) : w.start()].casefold().endswith("trade ") for w in _FORCE_WORDS.finditer(text, *span))


GOVERNMENT_VERBS_MORE = frozenset(  # more of what a government does: "a move Baghdad described as", "Tehran informed the IAEA"
    "described describes informed informs notified notifies confirmed confirms argued argues claimed claims pleaded pleads hailed hails "
    "criticised criticized criticises criticizes dismissed dismisses".split()
)
ADDRESSED_MORE = frozenset(  # more of a capital addressed as a government: "informed Baghdad in advance", "wants Baghdad to rein in"
    "informed informing informs notified notifying notifies briefed briefing assured assuring reassured reassuring wants wanted persuaded "
    "persuade convinced convince lobbied lobbying reassure inform notify".split()
)
POSITIONS = frozenset(  # what a government holds after its capital's possessive: "Baghdad's pleading", "Tehran's objections"
    "pleading pleas plea objections objection position protest protests request requests demand demands consent approval decision "
    "response reply statement assurances refusal".split()
)
_OWNED_WORD = re.compile(r"['’]s[ \t]+(\w+)")


def addressed_capitals(watchlist: Watchlist, matches: Sequence[Match], text: str) -> dict[Match, Match]:
    """A capital that `stands_for` a state, used for its government by more verbs (informed Baghdad, wants Baghdad to,
    a move Baghdad described as) or with a government's position ("Baghdad's pleading", "Tehran's objections"):
    that state, as `metonyms` does for its verbs."""
    actors = _tables(watchlist).actors
    out = {}
    for m in matches:
        state = actors.get(actors[m.name].stands_for) if m.kind == "actor" and m.name in actors else None
        if state is None:
            continue
        before = _WORDS_BEFORE.search(text, max(0, m.start - 30), m.start)
        word = fold(before.group(1)) if before is not None else ""
        after = _NEXT_WORD.match(text, m.end)
        owned = _NEXT_WORD.match(text, m.end) if m.found.endswith(("'s", "’s")) else _OWNED_WORD.match(text, m.end)
        if (
            word in ADDRESSED_MORE
            or (after is not None and word not in PLACE_WORDS and fold(after.group(1)) in GOVERNMENT_VERBS_MORE)
            or (owned is not None and fold(owned.group(1)) in POSITIONS)
        ):
            out[m] = dataclasses.replace(m, name=state.name, category=state.kind, part_of=state.part_of)
    return out


FICTION_MORE = Marks.of(  # more of a sentence that tells a story: a series' parts, its cast and its roles
    "series finale|series premiere|season premiere|plot point|plot twist|plot points|villain|villains|protagonist|protagonists|showrunner|showrunners|"
    "cast as|stars as|starring|title role|leading role|lead role|demanding role|role of her career|role of his career|"
    "graphic novel|comic book|soap opera|telenovela|série télévisée|serie televisiva|Fernsehserie|Hörspiel|feuilleton"
)
_FICTION_OR_SPORTS = _FICTION_OR_SPORTS.joined(FICTION_MORE)  # told in fiction_or_sports' one look at each sentence


THING_HEADS_MORE = frozenset(  # more of what an apposition says a name is: a troupe, a goddess, an algorithm; a private person by trade
    "troupe theatre theater ensemble choir orchestra goddess god deity algorithm method protein gene molecule dentist plumber "
    "teacher nurse farmer student accountant chef baker cook carpenter electrician mechanic pharmacist physiotherapist hairdresser "
    "dentiste plombier enseignant infirmière agriculteur étudiant boulanger troupe déesse dentista fontanero maestro enfermera agricultor "
    "estudiante panadero diosa idraulico insegnante infermiera contadino studente fornaio dea Zahnarzt Klempner Lehrer Bäcker Göttin".casefold().split()
)


def appositions_more(matches: Sequence[Match], text: str) -> list[Match]:
    """The actor matches that an apposition says are a troupe, a goddess, an algorithm or a private person by trade
    ("Mark Esper, a retired plumber from Leeds", "ISIS, the Egyptian goddess"), as `appositions` does for THING_HEADS."""
    out = []
    for m in matches:
        if m.kind != "actor":
            continue
        after = _APPOSITION.match(text, m.end)
        if after and any(w.casefold() in THING_HEADS_MORE for w in after.group(1).split()):
            out.append(m)
    return out


TECHNOLOGY = Marks.of(  # a sentence that tells technology or a start-up's business: an armed group's acronym there is another thing's
    "startup|start-up|fintech|chipmaker|chipmakers|chip|chips|semiconductor|processor|firmware|software|algorithm|algorithms|app|SaaS|"
    "product-market fit|funding round|venture capital|investors|revenue|billing|cloud|engineers|developers|smartphone|laptop|battery|"
    "idle power|power management|sorting|protein|dataset|open-source|logiciel|algorithme|puce|software|algoritmo|chip|Algorithmus|Software|Chiphersteller"
)
_TECHNOLOGY_HINTS = _hints("startup", "start-up", "fintech", "chip", "semiconductor", "processor", "firmware", "software", "algorithm", " app", "saas",
                           "product-market", "funding round", "venture", "investor", "revenue", "billing", "cloud", "engineer", "developer", "smartphone",
                           "laptop", "batter", "power", "sorting", "protein", "dataset", "open-source", "logiciel", "algorithme", "puce", "algoritmo")


def technology_acronyms(matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """An armed group's all-caps acronym in a sentence that tells technology or a start-up's business with no war word
    ("the fintech startup reached PMF within a year", "the chipmaker's new PMU", "the ISIS sorting algorithm"):
    another thing's acronym (product-market fit, a power management unit, a method)."""
    groups = [m for m in matches if m.kind == "actor" and m.category == "group" and m.found.isupper() and is_acronym(m.found)]
    if not groups or not _hinted(folded, _TECHNOLOGY_HINTS):
        return []
    told = _in_sentences_telling(TECHNOLOGY, groups, text, spans)
    return [m for m in told if not any(p.search(text, *spans[m.start]) for p in (_WAR_WORDS, _FORCE_WORDS, _CYBER))]


_CYBER = re.compile(r"\b(?:hack\w*|cyber\w*|spy\w*|espionage|malware|ransomware|phishing|sanction\w*|designated)\b", re.IGNORECASE)  # an armed group's hackers: the group


_BRAND_BEFORE = re.compile(  # the energy drink brand Hezbolla Cola, the cafe chain Baghdad Nights: a brand named after the actor
    r"\b(?:brand|brands|chain|label|franchise|carmaker|automaker|retailer|marque|enseigne|marca|cadena|catena|Marke|Kette)[ \t]+[\"'“‘«„]?[ \t]?$", re.IGNORECASE
)
_BRAND_AFTER = re.compile(r"[\"'”’»“]?[ \t]+(?:brand|label|franchise)\b", re.IGNORECASE)  # the 'Esper' brand of office chairs
_SHARES_IN = re.compile(r"\b(?:shares|stake|stakes|stock|shareholders|acciones|azioni|actions|Aktien)[ \t]+(?:in|of|de|di|von)[ \t]+$", re.IGNORECASE)
_CAPITALISED_NEXT = re.compile(r"[ \t]+[A-Z][\w-]*")


def brands(matches: Sequence[Match], text: str) -> list[Match]:
    """The actor matches that name a brand or a listed firm: right after "brand", "chain" or "label" (the energy drink
    brand Hezbolla Cola, the cafe chain Baghdad Nights), right before "brand" (the 'Esper' brand of chairs), or after
    "shares in" with another capitalised word of the name after it (shares in Iran Khodro)."""
    out = []
    for m in matches:
        if m.kind != "actor":
            continue
        before = text[max(0, m.start - 30) : m.start]
        if _BRAND_BEFORE.search(before) or (_BRAND_AFTER.match(text, m.end) and not m.found.endswith(("'s", "’s"))):  # Iran's brand of diplomacy: its own
            out.append(m)
        elif _SHARES_IN.search(before) and _CAPITALISED_NEXT.match(text, m.end):
            out.append(m)
    return out


def fourteenth_senses(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]]) -> list[Match]:
    """The fourteenth pass's senses, the text casefolded once for their quick looks: `disaster_strikes`, `newspapers`,
    `treatments`, `trade_moves`, `appositions_more`, `technology_acronyms`, `brands`."""
    out = disaster_strikes(watchlist, matches, text) + newspapers(matches, text) + appositions_more(matches, text) + brands(matches, text)
    tables = _tables(watchlist)
    told = {tables.escalation, tables.calm_name, tables.threat_name, _concept(watchlist, "retaliation")} - {""}
    if any(m.name in told or (m.kind == "actor" and m.found.isupper()) for m in matches):  # most texts: none of these, no casefolding
        folded = text.casefold()
        out += treatments(watchlist, matches, text, spans, folded) + trade_moves(watchlist, matches, text, spans, folded) + technology_acronyms(matches, text, spans, folded)
    return out
