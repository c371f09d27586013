"""Capitals and states as places or as governments: a capital used as a place is no state acting ("born in
Tehran", "the streets of Baghdad"); one that acts or is addressed as a government is its state ("Baghdad
said", "warned Tehran"); a place's name inside a newspaper's, a work's title or another place's quarter.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from monitor.matching.normalise import fold
from monitor.matching.senses.marks import BORN, NEXT_WORD, PLACE_WORDS, WORDS_BEFORE
from monitor.matching.senses.tables import tables_of
from monitor.model import Match, Watchlist

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
    "warned warning warns urged urging urges threatened threatening threatens pressed pressing pushed pushing told asked accused blamed "
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


_BETWEEN_BEFORE = re.compile(r"\bbetween[ \t]+$", re.I)


_AND = re.compile(r"[ \t]+and[ \t]+")


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


_TWO_WORDS_BEFORE = re.compile(r"(\w+)[ \t\n]+(\w+)[ \t\n]+$")


_POSSESSIVE_NAME = re.compile(  # Tehran's Azadi Tower, Tehran's Grand Bazaar: a landmark of the city
    r"(?:['’]s)?[ \t]+(?:[A-Z]\w+[ \t]+){0,2}(?:Tower|Square|Bazaar|Prison|Stadium|University|Museum|Airport|Avenue|Street|Boulevard)\b"
)


def cities(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The state matches found under one of the state's `capitals` used as a place: right after a word of
    PLACE_WORDS (only DIRECTIONS between) and not before a verb of government ("officials in Tehran
    said" stays the state): "born in Tehran", "a cafe in north Tehran", "training in Washington, D.C."."""
    capitals = tables_of(watchlist).capitals
    out = []
    for m in matches:
        if m.kind != "actor" or fold(m.alias) not in capitals.get(m.name, ()):
            continue
        if BORN.match(text, m.end) or _POSSESSIVE_NAME.match(text, m.end) or _TEAM_AFTER.match(text, m.end):
            out.append(m)
            continue
        verb = NEXT_WORD.match(text, m.end)
        owned = _CITY_THING_OWNED.match(text, m.end) if m.found[-2:] not in ("'s", "’s") else NEXT_WORD.match(text, m.end)
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
            word = WORDS_BEFORE.search(text, max(0, end - 40), end)
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
    actors = tables_of(watchlist).actors
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
            out[m] = dataclasses.replace(m, name=state.name, category=state.kind, part_of=state.part_of, ancestors=watchlist.ancestors(state.name))
    return out


TENSE_AUXILIARIES = frozenset(fold(word) for word in  # a finite clause's first word after its subject, in the five languages: "Baghdad has promised",
    # "Bagdad a convoqué", "Bagdad ha condannato", "Bagdad hat ... gedroht", "If Baghdad cannot protect"
    "has have had will would shall could can cannot must may might does did "
    "a ont avait avaient va vont doit peut pourrait "
    "ha han había habían hubo va puede podría debe "
    "hanno aveva avevano può potrebbe deve "
    "hat haben hatte hatten wird werden kann könnte muss soll will".split()
)  # folded as the text's words are (accents stripped)


BE = frozenset("is are was were".split())  # a progressive's auxiliary: active only before a word in -ing


PASSIVE = frozenset(fold(word) for word in "been being été sido stato stata worden".split())  # "Baghdad has been rocked by blasts": the city, acted upon


_CLAUSE_START = re.compile(  # where a clause's subject begins: the text's or a sentence's start, after a comma, or after a word that opens a clause
    r"(?:\A|[.!?;:,][\"'”’»]?[ \t\n]+|[\"'“‘«„]|\b(?:said|says|that|which|whom|whereby|and|but|while|whereas|because|as|"
    r"que|qu|si|dass|wenn|ob|und|aber|che|se|pero|mais|et|y|e|ma)[ \t\n]+)$",
    re.IGNORECASE,
)


_CONDITION = re.compile(  # "if Baghdad forced", "unless Baghdad pays", "si Bagdad exigeait": the condition's subject
    r"\b(?:if|unless|until|once|si|se|wenn|falls|sofern|salvo|sauf)[ \t]+$", re.IGNORECASE
)


def _subject(text: str, m: Match) -> bool:
    """Whether a capital is the subject of a finite clause: at a clause's start with a tense's auxiliary after it,
    not a passive ("Baghdad has promised", "Bagdad a convoqué", "said Baghdad would not allow"; not "Baghdad has been
    rocked", nor "an attack in Baghdad has"), or a progressive ("Washington and Baghdad are discussing"; not "Baghdad
    was shaken"), or the subject of a condition ("if Baghdad forced US troops out",
    "unless Baghdad pays"): a place neither promises nor lays down conditions, its government does."""
    after = NEXT_WORD.match(text, m.end)
    if after is None or not after.group(1)[:1].islower():
        return False
    if _CONDITION.search(text, max(0, m.start - 12), m.start):
        return True
    if not _CLAUSE_START.search(text, max(0, m.start - 12), m.start):
        return False
    if fold(after.group(1)) in BE:  # "Washington and Baghdad are discussing", "Baghdad was working to": a progressive acts
        word = NEXT_WORD.match(text, after.end())
        if word is not None and fold(word.group(1)) in ("all", "also", "still", "now", "reportedly", "quietly"):
            word = NEXT_WORD.match(text, word.end())
        return word is not None and word.group(1).islower() and word.group(1).endswith("ing")
    if fold(after.group(1)) not in TENSE_AUXILIARIES:
        return False
    at = after.end()
    for _ in range(3):  # "has not yet been", "a été", "ha condannato"
        word = NEXT_WORD.match(text, at)
        if word is None:
            return True
        if fold(word.group(1)) in PASSIVE:
            return False
        if fold(word.group(1)) not in AUXILIARIES:
            return True
        at = word.end()
    return True


def _governs(text: str, m: Match) -> bool:
    """Whether a capital acts or is addressed as a government: before a verb of GOVERNMENT_VERBS, auxiliaries
    between ("Baghdad has not yet decided"), right after a verb of ADDRESSED ("warned Baghdad", "calls on Baghdad"), or
    as the other party of relations ("after consultations with Baghdad", "talks with Tehran")."""
    if _subject(text, m):
        return True
    at = m.end
    coordinated = _AND_NAME.match(text, at)
    if coordinated:
        at = coordinated.end()
    for _ in range(4):
        verb = NEXT_WORD.match(text, at)
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
    before = WORDS_BEFORE.search(text, max(0, m.start - 30), m.start)
    return before is not None and fold(before.group(1)) in ADDRESSED and (fold(before.group(1)) not in ("on", "upon") or bool(_CALLS_ON.search(text, max(0, m.start - 40), m.start)))


_CLOSING = re.compile(r"[ \t]?[\"'”’»“]")


def quoted(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The state matches, and one-word place matches, written alone in quotes: the title of a work or a thing's
    name ("Tehran", the spy series; Apple's 'Tehran'), not the place or its government («Zona verde» stays)."""
    actors = tables_of(watchlist).actors
    return [
        m for m in matches
        if m.kind == "actor" and m.name in actors and (actors[m.name].kind == "state" or (actors[m.name].kind == "place" and len(m.found.split()) == 1))
        and _QUOTED.search(text, max(0, m.start - 2), m.start) and _CLOSING.match(text, m.end)
    ]


MILITIAS = frozenset(  # armed groups outside the state: a nationality adjective on them is no state acting ("Iraqi militias", "les milices irakiennes")
    "militia militias militiaman militiamen milice milices milicia milicias milizia milizie miliz milizen "
    "factions paramilitaries paramilitary insurgents factions factions armées facciones fazioni Fraktionen".split()
)


def militias(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The state matches found under a nationality adjective (an alias with context words) right before or after
    a word of MILITIAS ("Iraqi militias were planning attacks", "die irakischen Milizen", "les milices
    irakiennes"), one word in small letters may qualify it ("Iraqi armed factions", "Iraqi Shiite militias" has a
    capital: no): the guide's demonym counts only for the state or its forces, and a militia is neither."""
    actors = tables_of(watchlist).actors
    out = []
    for m in matches:
        if m.kind != "actor" or m.name not in actors or actors[m.name].kind != "state" or m.alias not in dict(actors[m.name].context):
            continue
        after = _TWO_WORDS_AFTER.match(text, m.end)
        before = WORDS_BEFORE.search(text, max(0, m.start - 30), m.start)
        if (after and (fold(after.group(1)) in MILITIAS or (after.group(2) and after.group(1).islower() and fold(after.group(2)) in MILITIAS))) or (before and fold(before.group(1)) in MILITIAS):
            out.append(m)
    return out


_TWO_WORDS_AFTER = re.compile(r"[ \t]+([\w-]+)(?:[ \t]+(\w+))?")  # the word after, and the next (Iraqi armed factions)


_POSSESSOR = re.compile(r"\b([A-Z][\w-]+)['’]s[ \t]+$")


def elsewhere(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The place matches after another place's possessive that no watched actor names ("Kabul's Green Zone"): that
    place's quarter of the name, not the watched one ("Baghdad's Green Zone" stays)."""
    actors = tables_of(watchlist).actors
    out = []
    for m in matches:
        if m.kind != "actor" or m.name not in actors or actors[m.name].kind != "place":
            continue
        owner = _POSSESSOR.search(text, max(0, m.start - 40), m.start)
        if owner and not any(o.kind == "actor" and o.start <= owner.start(1) < o.end for o in matches) and owner.start(1) > 0 and text[owner.start(1) - 1] in " \t":
            out.append(m)
    return out


_NEWSPAPER_AFTER = re.compile(  # the Washington Post, the Baghdad Post, the Tehran Chronicle: a paper named after a place
    r"[ \t]+(?:Post|Herald|Journal|Tribune|Gazette|Examiner|Chronicle|Observer|Courier|Dispatch|Daily|Sentinel)\b(?!['’]s[ \t]+(?:Force|Army))"
)


def newspapers(matches: Sequence[Match], text: str) -> list[Match]:
    """A place's or a state's name that is the first word of a newspaper's ("The Washington Post reported", "Le
    Washington Post a révélé"): the paper, not the government."""
    return [m for m in matches if m.kind == "actor" and m.category in ("place", "state") and _NEWSPAPER_AFTER.match(text, m.end)]


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
    "response reply statement assurances refusal permission blessing".split()
)


_ADDRESSED_PASSIVE = re.compile(  # "Baghdad had been warned", "Tehran was urged to": a capital addressed, as the passive's subject
    r"[ \t]+(?:(?:has|have|had)[ \t]+been|was|were|is|are)[ \t]+(?:warned|urged|pressed|pushed|told|asked|accused|blamed|threatened|informed|notified|briefed|assured)\b",
    re.IGNORECASE,
)


_OWNED_WORD = re.compile(r"['’]s[ \t]+(\w+)")


def addressed_capitals(watchlist: Watchlist, matches: Sequence[Match], text: str) -> dict[Match, Match]:
    """A capital that `stands_for` a state, used for its government by more verbs (informed Baghdad, wants Baghdad to,
    a move Baghdad described as, Baghdad had been warned) or with a government's position ("Baghdad's pleading",
    "Tehran's objections", "without Baghdad's permission"):
    that state, as `metonyms` does for its verbs."""
    actors = tables_of(watchlist).actors
    out = {}
    for m in matches:
        state = actors.get(actors[m.name].stands_for) if m.kind == "actor" and m.name in actors else None
        if state is None:
            continue
        before = WORDS_BEFORE.search(text, max(0, m.start - 30), m.start)
        word = fold(before.group(1)) if before is not None else ""
        after = NEXT_WORD.match(text, m.end)
        owned = NEXT_WORD.match(text, m.end) if m.found.endswith(("'s", "’s")) else _OWNED_WORD.match(text, m.end)
        if (
            word in ADDRESSED_MORE
            or (word not in PLACE_WORDS and _ADDRESSED_PASSIVE.match(text, m.end))
            or (after is not None and word not in PLACE_WORDS and fold(after.group(1)) in GOVERNMENT_VERBS_MORE)
            or (owned is not None and fold(owned.group(1)) in POSITIONS)
        ):
            out[m] = dataclasses.replace(m, name=state.name, category=state.kind, part_of=state.part_of, ancestors=watchlist.ancestors(state.name))
    return out


_NAME_GOES_ON = re.compile(r"[ \t]+([A-Z][a-z][\w'’-]*)")  # Baghdad Nights, Erbil Rockets: a capitalised word on the same line


DATES = frozenset(  # wire copy's dates after a place: "in Baghdad Tuesday", "Erbil January 8"
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september "
    "october november december".split()
)


CITY_PARTS = frozenset(  # a longer name that is the city's own part or body names the city too: "Erbil International Airport"
    # (no watched airport of its own), "the Baghdad Provincial Council"
    "international airport province provincial governorate district municipality".split()
)


_ROUTE = re.compile(  # the Baghdad-Kirkuk highway, the Kirkuk–Baghdad road: a road named by its two ends
    r"[ \t]+(?:highway|road|motorway|expressway|railway|railroad|pipeline|route|corridor|freeway)s?\b", re.IGNORECASE
)


_OTHER_END = re.compile(r"[-–—][A-Z][\w'’]*")  # -Kirkuk, –Basra


_OTHER_END_BEFORE = re.compile(r"\b[A-Z][\w'’]*[-–—]$")  # Kirkuk-, Basra–


_WORD_BEFORE_ON_LINE = re.compile(r"([\w'’]+)[ \t]+$")


def names_led_by_places(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The one-word place matches that begin a longer proper name, a capitalised word after them on the same line
    that no watched actor's match begins, no date and no part of the city (CITY_PARTS) ("Baghdad Nights", the restaurant; "Baghdad Central", the
    series; "the Erbil Rockets"; "Baghdad Bob"), outside a headline's title case ("Rockets Hit Baghdad Embassy"
    keeps the city); and those that are one end of a road named by its two ends ("the Baghdad–Kirkuk highway"):
    the name of another thing, not the place (the guide's "names of other things")."""
    actors = tables_of(watchlist).actors
    starts = {o.start for o in matches if o.kind == "actor"}
    out = []
    for m in matches:
        if m.kind != "actor" or m.name not in actors or actors[m.name].kind != "place" or not m.found.isalpha():
            continue
        goes_on = _NAME_GOES_ON.match(text, m.end)
        if goes_on and goes_on.start(1) not in starts and fold(goes_on.group(1)) not in DATES | CITY_PARTS:
            before = _WORD_BEFORE_ON_LINE.search(text, max(0, m.start - 40), m.start)
            headline = before is not None and before.group(1)[:1].isupper() and not _CLAUSE_START.search(text, max(0, before.start() - 12), before.start())
            if not headline:
                out.append(m)
                continue
        other_end = _OTHER_END.match(text, m.end)
        if (other_end and _ROUTE.match(text, other_end.end())) or (_OTHER_END_BEFORE.search(text, max(0, m.start - 40), m.start) and _ROUTE.match(text, m.end)):
            out.append(m)
    return out
