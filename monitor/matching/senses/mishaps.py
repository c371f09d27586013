"""The domain's words in disasters, accidents, weather, pollution, disease and medicine: the killings, blasts and
strikes of a sentence that tells one, with no other hostile act.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.matching.normalise import fold, sentence_keys, sentence_of
from monitor.matching.senses.marks import (
    HAZARD_CYBER_FANS_HINTS,
    WAR_WORDS,
    Marks,
    hint_pattern,
    hinted,
    in_sentences_telling,
    position_after,
    sentence_at,
)
from monitor.matching.senses.tables import concept_event, tables_of
from monitor.model import Match, Watchlist

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
    tables = tables_of(watchlist)
    deaths = [m for m in matches if m.kind == "event" and m.name == tables.killing]
    threat = tables.threat_name
    warnings = [m for m in matches if m.kind == "event" and m.name == threat]
    if not deaths and not warnings:
        return []
    spans = {} if spans is None else spans
    out = []
    if warnings:  # a warning of a sentence that tells a storm or a flood and names no watched state, group or person: a forecast
        told = in_sentences_telling(DISASTERS, warnings, text, spans)
        if told:
            named = {sentence_at(spans, text, a.start) for a in matches if a.kind == "actor" and a.category != "place"}
            out += [m for m in told if spans[m.start] not in named]
    if not deaths:
        return out
    out += in_sentences_telling(DISASTERS, deaths, text, spans)
    rest = [m for m in deaths if m not in out]
    if rest and any(hint in text for hint in _CRASH_HINTS):
        keys = sentence_keys(text, [m.start for m in matches])
        acts = {k for m, k in zip(matches, keys) if m.kind == "event" and m.name != tables.killing and m.name in tables.hostile}
        crashed = in_sentences_telling(CRASHES, rest, text, spans)
        out += [m for m in crashed if keys[matches.index(m)] not in acts]
    return out


_CRASH_HINTS = ("rash", "verturn", "apsiz", "erail", "cras", "strell", "volcó", "chiant", "recipit", "bgestürzt", "erunglückt")  # what every CRASHES word holds


INDUSTRY = Marks.of(  # a sentence that tells an industrial accident: its deaths and blasts are no attack
    "fireworks|fireworks factory|factory|warehouse|refinery|chemical plant|gas explosion|gas leak|gas cylinder|boiler|coal mine|mine blast|"
    "industrial accident|workplace accident|usine|explosion de gaz|fábrica|explosión de gas|fabbrica|esplosione di gas|Fabrik|Gasexplosion"
)


_UNARMED_BEFORE = re.compile(  # surveillance drones, a spy drone, a delivery drone: no weapon of a strike
    r"\b(?:surveillance|reconnaissance|spy|observation|unarmed|civilian|delivery|hobby|camera|racing|survey|de[ \t]+surveillance|de[ \t]+reconocimiento|"
    r"di[ \t]+sorveglianza|Aufklärungs)[ \t]+(?:[\w-]+[ \t]+)?$",
    re.IGNORECASE,
)


_LAUNCHER_AFTER = re.compile(  # a rocket launcher, rocket depots: the weapon as a thing found or destroyed
    r"[ \t-]+(?:launchers?|depots?|workshops?|factory|factories|caches?|stockpiles?|storage|components|parts)\b", re.IGNORECASE
)


_FIRED = re.compile(r"\b(?:fired|fire|launched|lobbed|landed|rained|slammed|aimed|rigged|primed|pointed)\b", re.IGNORECASE)  # fired, or ready to be


_ARMED_CRASH = re.compile(  # a drone that crashed into a hangar, an explosive-laden drone: a drone strike, not an accident
    r"\b(?:crash\w*|s'est écrasé\w*|se estrelló|schiant\w*|stürzte)[ \t]+(?:into|onto|on|sur|contra|contro|in[ \t]+den|auf)\b|explosive|laden|attack|bomb|kamikaze|suicide|one-way",
    re.IGNORECASE,
)


_INDUSTRY_HINTS = hint_pattern("firework", "factory", "warehouse", "refiner", "chemical plant", "gas ", "gas-", "boiler", "mine", "industrial", "workplace", "usine", "fábrica", "fabbrica", "fabrik", "gasexplosion")


def accidents(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The deaths and blasts of a sentence that tells an industrial accident (INDUSTRY: "an explosion at a fireworks
    factory killed eleven workers") with no other hostile act in it; a drone that is no weapon (surveillance drones
    shot down: the target, not a drone strike) or that crashed with no hostile act in its sentence; a rocket word
    naming the weapon as a thing (a rocket launcher destroyed) in a sentence where nothing is fired."""
    tables = tables_of(watchlist)
    drone, rocket, bombing = (concept_event(watchlist, c) for c in ("drone strike", "rocket attack", "bombing"))
    quiet = {tables.killing, bombing} - {""}
    events = [m for m in matches if m.kind == "event"]
    deaths = [m for m in events if m.name in quiet]
    weapons = [m for m in events if m.name and m.name in (drone, rocket)]
    if not deaths and not weapons:
        return []
    out: list[Match] = []
    keys: list[int] = []
    if deaths and hinted(folded, _INDUSTRY_HINTS):
        keys = sentence_keys(text, [m.start for m in events])
        acts = {k for m, k in zip(events, keys) if m.name in tables.hostile and m.name not in quiet}
        out += in_sentences_telling(INDUSTRY, [m for m, k in zip(events, keys) if m.name in quiet and k not in acts], text, spans)
    crashed = any(h in text for h in _CRASH_HINTS)
    for m in weapons:
        if m.name == drone and _UNARMED_BEFORE.search(text, max(0, m.start - 40), m.start):
            out.append(m)
        elif m.name == drone and crashed:
            keys = keys or sentence_keys(text, [e.start for e in events])
            key = keys[events.index(m)]
            others = {k for e, k in zip(events, keys) if e is not m and e.name in tables.hostile}
            if key not in others and not _ARMED_CRASH.search(text, *sentence_of(text, m.start)):
                out += in_sentences_telling(CRASHES, [m], text, spans)
        elif m.name == rocket and _LAUNCHER_AFTER.match(text, m.end) and not _FIRED.search(text, *sentence_of(text, m.start)):
            out.append(m)
    return out


HAZARDS = Marks.of(  # a sentence that tells weather, pollution or disease: what it kills or hits is no act of the domain (the thirteenth pass)
    "pollution|air pollution|smog|heavy rain|heavy rains|torrential rain|torrential rains|rainfall|downpour|downpours|storm|storms|sandstorm|sandstorms|"
    "dust storm|dust storms|flooded|flash floods|flash flood|drought|heat|heatwave|cold snap|snow|snowfall|blizzard|hail|disease|epidemic|outbreak|malaria|"
    "measles|virus|pollution de l'air|pluies torrentielles|tempête|tempête de sable|sécheresse|épidémie|contaminación|lluvias torrenciales|tormenta|"
    "tormenta de arena|sequía|epidemia|inquinamento|piogge torrenziali|tempesta|tempesta di sabbia|siccità|Luftverschmutzung|Starkregen|Unwetter|"
    "Sandsturm|Dürre|Epidemie|Seuche"
)


HAZARD_VERBS = frozenset(  # heavy rain hit Iraq, a storm bombarded Brittany
    "hit hits struck strikes striking pounded pounding battered battering lashed lashing swept ravaged bombarded bombarding pummelled pummeled pummelling".split()
)


def hazards(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The killings, and the generic fights told by a verb of hitting (heavy rain hit Basra, a sandstorm struck
    Baghdad), of a sentence that tells weather, pollution or disease (HAZARDS: "air pollution killed 4,000", "la
    contaminación mató a cientos") with no other hostile act in it: no violence, as `disasters` reads earthquakes."""
    tables = tables_of(watchlist)
    events = [m for m in matches if m.kind == "event"]
    quiet = [m for m in events if m.name == tables.killing or (m.cameo == "19" and fold(m.found) in HAZARD_VERBS)]
    if not quiet:
        return []
    keys = sentence_keys(text, [m.start for m in events])
    acts = {k for m, k in zip(events, keys) if m.name in tables.hostile and m not in quiet}
    return in_sentences_telling(HAZARDS, [m for m, k in zip(events, keys) if m in quiet and k not in acts], text, spans)


def weather_talk(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The escalations and threats of a sentence that tells weather, pollution or disease (HAZARDS) and names no
    watched state, group or person ("tensions between two weather systems could escalate into a derecho", "the
    threat of a dust storm"): a forecast's words, as `disasters` reads a hurricane's threat (the thirteenth pass)."""
    tables = tables_of(watchlist)
    threat = tables.threat_name
    talk = [m for m in matches if m.kind == "event" and m.name in (threat, tables.escalation) and m.name]
    if not talk:
        return []
    told = in_sentences_telling(HAZARDS, talk, text, spans)
    named = {sentence_at(spans, text, a.start) for a in matches if a.kind == "actor" and a.category != "place"}
    return [m for m in told if spans[m.start] not in named or _caused_by_hazard(text, m)]


_CAUSE_AFTER = re.compile(  # consequences from the drought, menace due to the floods: what follows is the cause
    r"(?:[ \t]+[\w'’-]+){0,2}?[ \t]+(?:from|of|due[ \t]+to|because[ \t]+of|caused[ \t]+by|dues?[ \t]+(?:à|aux?)|por|wegen|durch)[ \t]+", re.IGNORECASE
)


def _caused_by_hazard(text: str, m: Match) -> bool:
    """Whether a threat's or an escalation's cause follows it as weather, pollution or disease ("Iraq's farmers will
    face serious consequences from the drought"): no party threatens, though a state is named (the merge of the
    thirteenth and fourteenth passes)."""
    cause = _CAUSE_AFTER.match(text, m.end)
    return cause is not None and any(hint.lastgroup == "hazard" for hint in HAZARD_CYBER_FANS_HINTS.finditer(text[cause.end() : cause.end() + 40].casefold()))


_DISASTER_BEFORE = re.compile(  # a natural disaster as the subject right before the verb: "Hurricane Ida struck", "the quake that hit"
    r"\b(?:earthquakes?|quakes?|tremors?|tsunamis?|hurricanes?|cyclones?|typhoons?|tornado(?:es|s)?|storms?|floods?|wildfires?|avalanches?|landslides?|"
    r"lightning|heatwaves?|blizzards?|séisme|tremblement[ \t]+de[ \t]+terre|ouragan|tempête|terremoto|sismo|huracán|tormenta|uragano|tempesta|"
    r"alluvione|Erdbeben|Sturm|Hurrikan|Taifun)\b(?:[ \t]+[A-Z][\w'’-]*)?(?:[ \t]+(?:that|which|has|had|have|ha|hanno|a|qui|que|che|hat))?[ \t]+$",
    re.IGNORECASE,
)


def disaster_strikes(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The hostile acts whose verb has a natural disaster as its subject ("Hurricane Ida struck Louisiana", "a
    magnitude 6 quake hit the province", "un séisme a frappé"): the storm's or the earthquake's, no attack."""
    events = [m for m in matches if m.kind == "event" and m.name in tables_of(watchlist).hostile]
    return [m for m in events if _DISASTER_BEFORE.search(text, max(0, m.start - 60), m.start)]


MEDICINE = Marks.of(  # a sentence that tells medicine: a dose, a trial, a patient, a ward, an outbreak; its escalations are a treatment's
    "patient|patients|dose|doses|dosage|dose-escalation|clinical|trial|trials|tumour|tumours|tumor|tumors|cancer|oncology|oncologist|intensive care|"
    "hospital|hospitals|nurses|clinicians|therapy|treatment|symptoms|outbreak|cholera|measles|vaccine|vaccination|infection|infections|chlorination|"
    "antibiotics|sepsis|WHO|health ministry|patient's|patients'|"
    "patiente|traitement|thérapeutique|médecins|paciente|pacientes|tratamiento|médicos|paziente|pazienti|terapia|medici|Patient|Patienten|Therapie|Ärzte|Dosis"
)


_MEDICINE_HINTS = hint_pattern("patient", "dose", "dosage", "clinical", "trial", "tumo", "cancer", "oncolog", "intensive care", "hospital", "nurses", "clinician",
                         "therap", "treatment", "symptom", "outbreak", "cholera", "measles", "vaccin", "infection", "chlorination", "antibiotic", "sepsis",
                         "health ministry", "traitement", "médecin", "paciente", "tratamiento", "médico", "paziente", "medici", "ärzte", "dosis")


def treatments(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The escalations and de-escalations of a sentence that tells medicine ("a dose-escalation trial", "the
    hospital's escalation protocol", "urged authorities to escalate chlorination") with no war word in it: a
    treatment's or a health service's, not a conflict's."""
    tables = tables_of(watchlist)
    calm = tables.calm_name
    steps = [m for m in matches if m.kind == "event" and m.name and m.name in (tables.escalation, calm)]
    if not steps or not (hinted(folded, _MEDICINE_HINTS) or "WHO" in text):
        return []
    told = in_sentences_telling(MEDICINE, steps, text, spans)
    return [m for m in told if not WAR_WORDS.search(text, *spans[m.start]) and MEDICINE_NEAR.told(_around(text, m, MEDICINE_REACH))]


MEDICINE_NEAR = MEDICINE.joined(Marks.of("protocol|protocols|testing|screening|care|phase|ward|wards|thérapeutique|terapéutica|terapeutica"))


MEDICINE_REACH = 3  # words each side of an escalation that must hold the medicine it is of (the escalation between Iran and the US stays)


_WORDS_LEFT = re.compile(r"(?:[\w'’-]+[^\w.;:!?]+){0,3}$")


def _around(text: str, m: Match, words: int) -> str:
    """The text from `words` words before a match to `words` words after it, in its sentence."""
    left = _WORDS_LEFT.search(text, max(0, m.start - 80), m.start)
    return text[left.start() if left else m.start : position_after(text, m.end, words)]
