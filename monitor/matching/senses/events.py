"""One event read as another, or beside another: the generic event that yields to a specific one of its sentence,
an aircraft's or a drone's strike, an order to act, false friends; and what is added: a hostile act said as a
threat, a call for restraint or a halt, a unit's parent named inside its name.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from monitor.matching.matcher import is_acronym
from monitor.matching.normalise import LONG_TEXT, WORD, fold, sentence_keys, sentence_of
from monitor.matching.senses.marks import (
    A_WORD,
    NOT_SEEKING,
    PLACE_WORDS,
    WORDS_BEFORE,
    metaphor_wars,
    position_after,
)
from monitor.matching.senses.tables import concept_event, tables_of
from monitor.model import Match, Watchlist

_AIRCRAFT_TYPE = re.compile(r"\b(?:F|FA|F/A|A|AC|AV|EA|B|Su|MiG|Tu)-\d{1,3}[A-Z]{0,2}s?\b[^.;:!?]{0,40}$")  # F-15Es, AC-130, B-2, Su-34 (not MQ-9, Kh-101)


AIR_VERBS = frozenset("strike strikes struck striking hit hits bombed bombing bomb pounded pound pounding attacked attack attacks raided".split())


def aircraft_types(watchlist: Watchlist, matches: Sequence[Match], text: str) -> dict[Match, Match]:
    """A generic fight (CAMEO root 19 itself), or a bombing (183), told by a verb of striking after a military
    aircraft's type designator ("American F-15Es struck the depots", "an Iraqi F-16 hit the hideout", "F-16s
    bombed the camp": bombs dropped from aircraft), the air strike, when
    none was found in its sentence (a word with digits never matches a phrase, so the type is read here)."""
    air = tables_of(watchlist).air
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
    drone = concept_event(watchlist, "drone strike")  # looked up once per watchlist: finding it per text was a tenth of a cold pass
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
    actors = tables_of(watchlist).actors
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
                out.append(dataclasses.replace(m, name=parent.name, alias=alias, category=parent.kind, part_of=parent.part_of, ancestors=watchlist.ancestors(parent.name)))
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
    tables = tables_of(watchlist)
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


_WORD_PAIR = re.compile(r"\w\w")


def last_of(words: re.Pattern[str], text: str, lo: int, hi: int) -> re.Match[str] | None:
    """The last match of `words` in text[lo:hi], as `words.finditer(text, lo, hi)` finds it. `words`: whole words
    (`\b(?:...)\b`), none the start of another, so its matches cannot overlap. In a long text, from its matches in
    the whole text found once (thousands of matches in one sentence without end each searched it from its start):
    the same, but where `hi` stands inside a word (a match ending there ends a word only in the cut text)."""
    if len(text) <= LONG_TEXT or _WORD_PAIR.match(text, max(hi - 1, 0), hi + 1):
        last = None
        for last in words.finditer(text, lo, hi):
            pass
        return last
    ends, found = _matches_in(words, text)
    i = bisect_right(ends, hi) - 1
    return found[i] if i >= 0 and found[i].start() >= lo else None


@lru_cache(maxsize=4)
def _matches_in(words: re.Pattern[str], text: str) -> tuple[list[int], list[re.Match[str]]]:
    """Every match of `words` in the last long texts asked about, and where each ends."""
    found = list(words.finditer(text))
    return [f.end() for f in found], found


def _conditional(text: str, m: Match, key: int) -> tuple[tuple[int, int], str] | None:
    """A hostile act in a condition after a modal of the same sentence: "would set ablaze ... if Washington
    retaliated", "would not hesitate to use force if its sites were attacked" (a negated modal only with a
    litotes: would not stand idle, would not rule out)."""
    start, _ = sentence_of(text, m.start)
    condition = last_of(_IF, text, start, m.start)
    if condition is None:
        return None
    modal = last_of(_MODAL, text, start, condition.start())
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


DEFINITE = frozenset(  # determiners that make a generic event word refer back: "the attack", "this strike"
    "the this these those le la les l ce cet cette ces el los las lo il gli i quel quella questo questa der die das den dem des dieser diese dieses".split()
)


_REVERSED_WORDS = re.compile(r"[ \t\n'’]+(\w+)(?:[ \t\n'’]+(\w+))?(?:[ \t\n'’]+(\w+))?")  # up to three words and their separators, read backwards


@dataclasses.dataclass(frozen=True)
class WordsBefore:
    """Up to three words right before a position, farthest first, and where each starts (None, -1: none).
    Two words are the first and the last, none between: as the regular expression this replaced grouped them
    (`(?:(\\w+)SEP)?(?:(\\w+)SEP)?(\\w+)SEP$` searched; tests/test_matching_senses.py holds the two equal)."""

    words: tuple[str | None, str | None, str]
    starts: tuple[int, int, int]


def three_words_before(text: str, start: int, reach: int = 60) -> WordsBefore | None:
    """The words right before `start` (within `reach` characters), each followed by spaces or apostrophes
    only; found by one match on the window reversed (a search for them forwards tried every start in the
    window: 24 µs a call on real text, this 2.7)."""
    found = _REVERSED_WORDS.match(text[max(0, start - reach) : start][::-1])
    if found is None:
        return None
    spans = [(start - b, start - a) for a, b in (found.span(i) for i in (1, 2, 3)) if a >= 0]  # nearest word first
    words = [text[a:b] for a, b in spans]
    if len(spans) == 3:
        return WordsBefore((words[2], words[1], words[0]), (spans[2][0], spans[1][0], spans[0][0]))
    if len(spans) == 2:
        return WordsBefore((words[1], None, words[0]), (spans[1][0], -1, spans[0][0]))
    return WordsBefore((None, None, words[0]), (-1, -1, spans[0][0]))


def yielding(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The event matches whose event yields to another event found in the same sentence, or found earlier
    in the text when the generic word refers back to it ("the attack", "the latest strike": the guide's
    later generic word that adds nothing); and those whose opposite is found within OPPOSITE_NEAR words
    ("tensions eased", "Deeskalation; die Spannungen": not "warned of escalation and urged restraint")."""
    tables = tables_of(watchlist)
    yields, opposes = tables.yields, tables.opposes
    events = [m for m in matches if m.kind == "event"]
    if not any(m.name in yields or m.name in opposes for m in events):
        return []
    keys = sentence_keys(text, [m.start for m in events])
    by_name: dict[str, list[tuple[Match, int]]] = {}  # each event's matches and their sentences: a match weighs those it may yield to only
    for o, k in zip(events, keys):
        by_name.setdefault(o.name, []).append((o, k))

    threat = tables.threat_name

    def yields_to_one(m: Match, key: int) -> bool:
        another: bool | None = None  # whether m tells another act than its sentence's (`_another`): asked once, when needed
        for o, k in (pair for name in yields[m.name] for pair in by_name.get(name, ())):
            if _downing(m) and (o.start >= m.end or _target_named(text, m)):
                continue
            if k == key:
                another = _another(text, m, events) if another is None else another
                if _threatened_after(text, m, o, key, events, threat):
                    continue  # "fired ballistic missiles, and are ready to strike again": the act threatened is another than the one told
                if not another and not _apart(text, m, o):
                    return True
            if o.start < m.start and _refers_back(text, m.start) and not _past_verb(m) and not _CAUSED.search(text, o.end, m.start):
                return True
        return False

    return [
        m for m, key in zip(events, keys)
        if (m.name in yields and yields_to_one(m, key))
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


_OF_AFTER = re.compile(r"[ \t]+(?:of|de|du|des|del|della|dello|des)\b", re.IGNORECASE)


def _target_named(text: str, m: Match) -> bool:
    """Whether a shooting down names what it downed after it, as a noun with "of" ("Iran's missile retaliation and the
    downing of Flight 752"): its target, not the weapon before it."""
    return _OF_AFTER.match(text, m.end) is not None


_THREAT_BEFORE = re.compile(r"[ \t]+(?:[\w'’]+[ \t]+){0,2}")  # at most two words between a threat and the act it names: threatened to hit


_CLAUSE_BREAK = re.compile(r"[,;:]|\b(?:and|et|und|y|e)\b", re.IGNORECASE)


def _threatened_after(text: str, m: Match, o: Match, key: int, events: Sequence[Match], threat: str) -> bool:
    """Whether a generic act is threatened in a clause after a specific act of force told as done, not threatened:
    "a missile barrage had hit American targets, and the Guards threatened to hit Israel next" (two acts; not
    "warplanes would strike the airport", one act, nor "a drone over the embassy, and threatened to strike it", whose
    specific event names the target, not an act of force)."""
    return (
        o.end <= m.start and o.cameo.startswith("19") and _CLAUSE_BREAK.search(text, o.end, m.start) is not None
        and _menaced(text, m, key, events, threat) and not _menaced(text, o, key, events, threat)
    )


def _menaced(text: str, m: Match, key: int, events: Sequence[Match], threat: str) -> bool:
    """Whether an act is said as a threat: a modal or readiness before it ("ready to strike", "would hit"), a
    future form, or a threat found right before it ("threatened to hit Israel next")."""
    if any(t.name == threat and t.end <= m.start and _THREAT_BEFORE.fullmatch(text, t.end, m.start) for t in events):
        return True
    return _threat_said(text, m, key) is not None


def _past_verb(m: Match) -> bool:
    """Whether a generic event was found as a past verb (the US struck, the militia attacked): a verb, not a noun
    that a determiner makes refer back."""
    last = fold(m.found.split()[-1]) if m.found.split() else ""
    return last == "struck" or last.endswith("ed")


_CAUSE = (  # another act by cause: "in retaliation for the US strikes", "a strike could trigger missile attacks"; "en représailles à"
    r"(?:retaliation|revenge|reprisal|reprisals|payback|response)[ \t]+(?:for|to)|trigger(?:s|ed)?|provok(?:e|es|ed)|prompt(?:s|ed)?|"
    r"(?:représailles|riposte|réponse|vengeance)[ \t]+(?:à|a|aux|pour)|(?:represalias?|respuesta|venganza)[ \t]+(?:a|al|por)|"
    r"(?:rappresaglia|risposta|vendetta)[ \t]+(?:a|al|alla|per)|(?:Vergeltung|Rache|Antwort)[ \t]+(?:für|auf)"
)


_CLAUSE = re.compile(  # another clause: "days after the US struck", "though rogue cells fired rockets" (not "Rockets later struck"); a cause, an answer
    r"\b(?:after|before|though|although|whereas|but|since|until|separately|(?:days|hours|weeks|months)[ \t]+later|"
    r"respond(?:s|ed)?[ \t]+with|retaliat(?:es|ed)[ \t]+with|(?:hit|hits|struck)[ \t]+back|because|parce[ \t]+que|porque|perché|weil|" + _CAUSE + r")\b",
    re.IGNORECASE,
)


_BOTH = re.compile(r"\b(?:both|either|neither)[ \t]+(?:[\w'’-]+[ \t]+){0,3}$", re.IGNORECASE)  # "both the US strike", before the first of two acts


_AND = re.compile(r"\b(?:and|or|nor)\b")


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
    if _BOTH.search(text, max(0, first.start - 40), first.start) and _AND.search(text, first.end, max(first.end, last.start)):
        return True  # "condemned both the US strike at the airport and the Iranian missile attacks": two acts listed
    cause = _CAUSE_OF.search(text, max(0, m.start - 60), m.start)
    if cause is None:
        return False
    phrase_end = _PHRASE_END.search(text, m.end)  # the answered act's phrase runs to the next punctuation (the strike on its consulate)
    return not cause.start() <= o.start < (phrase_end.start() if phrase_end else len(text))


PRONOUNS = frozenset("it they them none".split())  # a subject that refers back to an act told before


_NEAR_AFTER = re.compile(r"[ \t]+(?:[\w'’]+[ \t]+){0,2}", re.IGNORECASE)  # at most two words between a generic word and the specific one after it


_NEAR_BEFORE = re.compile(r"[ \t]+(?:[\w'’-]+[ \t]+){1,4}")  # at most four words, no punctuation, between a specific act and a generic word after it


_JOINED = re.compile(r"[ \t\-\u2010\u2011]{1,2}")  # a space or a hyphen: one word modifying the next


INDEFINITE = frozenset(  # an act other than the one told: "another strike", "any attack", "weiteren Angriffen", "une nouvelle attaque"
    "a an un une una uno ein eine einen einem einer another other new further more "
    "weitere weiteren weiterer weiteres neue neuen neuer neues andere anderen anderer "
    "nouvelle nouvelles nouveau nouveaux nouvel autre autres nuevo nueva nuevos nuevas otro otra otros otras "
    "nuovo nuova nuovi nuove altro altra altri altre ulteriore ulteriori".split()
)


_COUNTER = re.compile(r"\b(?:counter|contre)[-\u2010\u2011 ]?$", re.IGNORECASE)  # a counter-attack answers the act told: another one


def _another(text: str, m: Match, events: Sequence[Match]) -> bool:
    """Whether a generic event word tells another event than the specific one of its sentence: after an
    indefinite article or "other", "new", "further", at most one word between ("after an Israeli strike
    killed two"; not "in an attack later claimed by ISIS", nor "..., an attack claimed by ISIS"), or as a
    plural noun with no determiner that refers back ("directing attacks on US troops", "hit back with strikes")."""
    if _COUNTER.search(text, max(0, m.start - 8), m.start):
        return True  # "any counter-attack would be met with a harsher response"
    if any(o is not m and o.start >= m.end and _NEAR_AFTER.fullmatch(text, m.end, o.start) for o in events):
        return False  # "une attaque à la roquette", "an attack with drones": the specific one names its means
    if any(o is not m and o.end <= m.start and _JOINED.fullmatch(text, o.end, m.start) for o in events):
        return False  # "Katyusha attacks", "drone-strikes": the specific word right before names its means
    if m.cameo == "183" and any(o is not m and o.end <= m.start and _NEAR_BEFORE.fullmatch(text, o.end, m.start) for o in events):
        return False  # "jets dropped dozens of bunker-busting bombs": the bombs of the air strike just told
    before = three_words_before(text, m.start)
    if before:
        _, second, last = before.words
        article = 3 if fold(last) in INDEFINITE else 2 if second and fold(second) in INDEFINITE else 0
        if article == 2 and any(o.start <= before.starts[2] < o.end for o in events):
            article = 0  # "a rocket hit": the article is the specific event's
        if article:
            start = before.starts[article - 1]
            if text[max(0, start - 3) : start].rstrip()[-1:] in (",", "—", "–", "("):
                return False  # in apposition: the same one
            preposition = WORDS_BEFORE.search(text, max(0, start - 30), start)
            return not (preposition and fold(preposition.group(1)) in PLACE_WORDS)  # "in an attack later claimed by ISIS": the same one
    word = fold(before.words[2]) if before else ""
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


def _words_apart(text: str, a: Match, b: Match) -> int:
    first, last = (a, b) if a.start <= b.start else (b, a)
    return len(A_WORD.findall(text, first.end, max(first.end, last.start)))


SUCH = frozenset("such either both".split())  # "such attacks", "either attack", "the first such strike": the acts told before


def _refers_back(text: str, start: int) -> bool:
    """Whether the words before `start` are a definite determiner, with at most one word between that is no
    superlative (or a date: "the April 1 attack"), and not after "of" ("some of the deadliest attacks" is attacks in
    general, not the one told); or "such", "either", "both"."""
    before = three_words_before(text, start)
    if before is None:
        return False
    third, second, last = (fold(w) if w else "" for w in before.words)
    if last in PRONOUNS or last in SUCH:  # "None of them hit the runway", "they struck": the act told before
        return True
    if last in DEFINITE:
        return second != "of"
    if not second:  # two words after a punctuation mark: `third` is the one before the last ("..., the third attack")
        return third in DEFINITE and not last.endswith("est")
    if third in DEFINITE and last.isdigit() and second not in DEFINITE:
        return True  # "in the April 1 attack", "the 3 January strike"
    return second in DEFINITE and third != "of" and not last.endswith("est")


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
    r"\b(?<!price )(?<!trade )(?<!turf )(?<!culture )(?<!bidding )(?<!tariff )(?:war|wars|conflict|battlefield|battleground|escalation|fighting|hostilities|violence|confrontation|guerre|guerra|Krieg|conflit|conflicto|conflitto|"
    r"provocations?|provocazion[ei]|provocaci[oó]n|provocaciones|Provokation(?:en)?)\b",
    re.IGNORECASE,
)  # `\b` before the lookbehinds (zero-width, so in any order): most positions, inside a word, fail at it, 1.4x faster over a text


APPEAL_REACH = 8  # words from the call to its "stop", and from the "stop" to the act or war it names


APPEAL_CHARS = 400  # characters that surely hold APPEAL_REACH words after a call (a quick look before counting them)


def appeals(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """A call to stop a hostile act or a war ("urged Iran not to retaliate", "asked Washington to refrain from
    striking", "called for an immediate ceasefire"), or a war said not to be sought ("not looking for war"),
    in a sentence where no de-escalation was found: a de-escalation (CAMEO 0256, the guide's "a call to stop
    attacks"), on the span from the call to the act."""
    tables = tables_of(watchlist)
    calm = tables.calm
    if calm is None:
        return []
    events = [m for m in matches if m.kind == "event"]
    keys = sentence_keys(text, [m.start for m in events]) if events else []
    told = {k for m, k in zip(events, keys) if m.name == calm.name}
    out: list[Match] = []
    for match in NOT_SEEKING.finditer(text):
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
        if key in told or metaphor_wars(text, *sentence_of(text, call.start())):
            continue
        end = position_after(text, call.end(), APPEAL_REACH)
        acts = [m for m, k in zip(events, keys) if k == key and call.end() <= m.start and (m.name in tables.hostile or m.name == tables.truce)]
        stop = _STOP.search(text, call.end(), end)
        target: tuple[int, int] | None = None
        truce = next((m for m in acts if m.name == tables.truce and m.start < end), None)
        if truce is not None:
            target = (call.start(), truce.end)
        elif stop is not None:
            after = position_after(text, stop.end(), APPEAL_REACH)
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
    tables = tables_of(watchlist)
    calm = tables.calm
    if calm is None or not tables.escalation:
        return {}
    out = {}
    for m in matches:
        if m.kind == "event" and m.name == tables.escalation and fold(m.found) in _TENSIONS and (eased := _EASED_AFTER.match(text, m.end)) and not _NEGATION.search(text, m.end, eased.end()):
            out[m] = Match("event", calm.name, "(tensions eased)", text[m.start : eased.end()], m.start, eased.end(), 90.0, calm.severity, "", calm.cameo, form="words")
    return out


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


def forms_and_moves(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The event matches found as a word of FALSE_FRIENDS (les forces ont repris la route: no reprisal); a force
    posture found as the noun "move" after a determiner (any such move would be met by force) or as one person
    moved (moved a new commander into Baghdad); a retaliation that is "retaliatory" prices, tariffs or a lawsuit."""
    retaliation = concept_event(watchlist, "retaliation")
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


_DIED_IN = re.compile(  # a death told in clashes: "were killed in clashes with rebels", "died in heavy clashes"
    r"\b(?:killed|died|slain|dead|death|deaths|shot[ \t]+dead)[ \t]+(?:in|during)[ \t]+(?:(?:the|heavy|fierce|renewed|armed|tribal|deadly)[ \t]+)?$", re.IGNORECASE
)


def deaths_in_clashes(matches: Sequence[Match], text: str) -> list[Match]:
    """A generic fight (CAMEO root 19) found as the clashes someone was killed in ("two fighters were killed in
    clashes with rebels", "died in clashes between rival tribes"): the death is the event told (the guide's
    killing), the clashes its circumstance; "X clashed with Y" and "clashes ... left two dead" stay fights."""
    return [
        m for m in matches
        if m.kind == "event" and m.cameo == "19" and fold(m.found).startswith("clash") and _DIED_IN.search(text, max(0, m.start - 40), m.start)
    ]


MATERIEL = frozenset(  # what is moved, not who: weapons, parts and money (launchers, batteries and units are forces)
    "weapons weaponry arms missiles rockets components parts money cash funds munitions ammunition explosives supplies goods equipment".split()
)


_MOVED_WHAT = re.compile(r"(?:[ \t]+(?!into\b|to\b|toward\b|towards\b|through\b|across\b|from\b|via\b|in\b|out\b|closer\b)[\w'’-]+){1,4}")  # its object, up to a preposition


def materiel_moves(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """A troop deployment found as a form of "move" whose object is weapons, parts or money ("moved short-range
    missiles into Iraq", "moving heavy weapons toward the border", "moves money and components"): a transfer, not
    forces sent (the guide's troops, forces, warships; "moved missile launchers" stays)."""
    deployment = concept_event(watchlist, "troop deployment")
    out = []
    for m in matches:
        if m.kind == "event" and m.name == deployment and fold(m.found) in ("move", "moves", "moved", "moving"):
            what = _MOVED_WHAT.match(text, m.end)
            if what is not None and fold(what.group().split()[-1]) in MATERIEL:
                out.append(m)
    return out


_FAILED_TO = re.compile(r"\b(?:fail\w*|struggl\w*|unable|inability|powerless|incapable|reluctant)[ \t]+(?:[\w'’-]+[ \t]+){0,2}?to[ \t]+$", re.IGNORECASE)


def failed_restraint(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """A de-escalation found as "rein in" after a failure or a struggle ("has struggled to rein in the armed
    factions", "its own failure to rein in armed groups"): a state's want of control told, no call for restraint."""
    calm = tables_of(watchlist).calm_name
    return [
        m for m in matches
        if m.kind == "event" and m.name == calm and fold(m.found).startswith("rein") and _FAILED_TO.search(text, max(0, m.start - 50), m.start)
    ]


_HALT = re.compile(  # an armed side's own stop of its acts: halt, suspend, pause, cease, freeze (not a call on another side)
    r"\b(?:halt(?:s|ed|ing)?|suspen(?:d|ds|ded|ding|sion)|paus(?:e|es|ed|ing)|ceas(?:e|es|ed|ing)|freez(?:e|es|ing)|froze|stopp(?:ed|ing)|"
    r"suspendre|suspendu|suspendent|suspender|suspendió|suspensión|sospend\w*|sospensione|arrêter|arrête|arrêté|"
    r"einzustellen|einstellen|eingestellt|stellt[ \t]+ein|Einstellung|auszusetzen|aussetzen|ausgesetzt)\b",
    re.IGNORECASE,
)


_HALT_HINTS = ("halt", "uspen", "paus", "ceas", "freez", "froze", "stopp", "ospen", "rrêt", "stell", "ussetz", "usgesetz")  # in the casefolded text: a quick look


_VERB_LAST = re.compile(r"einzustellen|einstellen|eingestellt|auszusetzen|aussetzen|ausgesetzt", re.IGNORECASE)  # German puts the verb after its object


_OBJECT_BETWEEN = re.compile(r"(?:[ \t]+(?!nach\b|wegen\b|während\b|weil\b)[\w-]+){0,5}[ \t]+")  # ihre Angriffe auf US-Truppen im Irak einzustellen: one clause, no cause


HALT_REACH = 5  # words from the stop to the act it stops ("halt its drone and rocket attacks")


_HALTED_BETWEEN = re.compile(  # what may stand between the stop and the act: its, all, further, of military and (not "after a drone attack")
    r"(?:[ \t]+(?:its|their|all|any|further|the|of|in|on|military|armed|and|ses|leurs|les|des|de|du|sus|los|las|del|i|gli|le|delle|dei|degli|di|"
    r"ihre|seine|die|der|alle|weiteren|militärischen))*[ \t]+",
    re.IGNORECASE,
)


def halts(watchlist: Watchlist, matches: Sequence[Match], text: str, folded: str) -> list[Match]:
    """An armed side's halt of its own hostile acts ("announced it would halt attacks on US forces", "the
    suspension of military operations", "ihre Angriffe einzustellen"), in a sentence with no ceasefire found and
    no call on another side: a ceasefire (CAMEO 0871); the acts stay (the guide keeps a halted act's label).
    `folded`: the text casefolded, for the quick look (SUSPEND, HALTS in a headline: the regex ignores case, so must it)."""
    tables = tables_of(watchlist)
    truce = next((e for e in watchlist.events if e.name == tables.truce), None)
    acts = [m for m in matches if m.kind == "event" and m.name in tables.hostile]
    if truce is None or not acts:
        return []
    if not any(h in folded for h in _HALT_HINTS) or not _HALT.search(text):
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
        after = position_after(text, stop.end(), HALT_REACH)
        act = next((m for m in acts if stop.end() <= m.start < after and _HALTED_BETWEEN.fullmatch(text, stop.end(), m.start)), None)
        span = (stop.start(), act.end) if act is not None else None
        if act is None and _VERB_LAST.fullmatch(stop.group()):
            act = next((m for m in acts if m.end <= stop.start() and _OBJECT_BETWEEN.fullmatch(text, m.end, stop.start())), None)
            span = (act.start, stop.end()) if act is not None else None
        if span is not None:
            told.add(key)
            out.append(Match("event", truce.name, "(a halt of attacks)", text[span[0] : span[1]], span[0], span[1], 90.0, truce.severity, "", truce.cameo, form="words"))
    return out
