"""The domain's words in labour, courts, trade, computers and everyday speech: a strike over pay, a sanctioned
lawyer, a trade reprisal, a cyber attack, an attack on free speech, a figurative hostage; real captivity kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.matching.normalise import fold, sentence_keys, sentence_of
from monitor.matching.senses.marks import (
    FORCE_WORDS,
    NOT_SEEKING,
    Marks,
    hint_pattern,
    hinted,
    in_sentences_telling,
    metaphor_wars,
    sentence_at,
)
from monitor.matching.senses.tables import concept_event, tables_of
from monitor.model import Match, Watchlist

CAPTIVITY = Marks.of(  # a sentence that tells real captivity: a hostage held there is a person taken
    "gunmen|militants|militia|militias|fighters|pirates|captors|captivity|ransom|freed|released|release|seized|seizure|crew|"
    "kidnap*|abduct*|jihadist*|hostage-taker*|prisoner swap|prisoner exchange"
)


_OF_DATA = re.compile(r"[ \t]+(?:de|des|di|of|von)[ \t]+(?:datos|données|dati|data|Daten)\b", re.IGNORECASE)  # secuestro de datos: ransomware


def captivity(matches: Sequence[Match], text: str) -> list[Match]:
    """The kidnappings found only as "hostage" in the singular (held hostage, holding shareholders hostage) in a
    sentence that names no watched group and tells no captivity (CAPTIVITY): a figure of speech (the weather held
    the harvest hostage); and a kidnapping of data (secuestro de datos: ransomware)."""
    out = [m for m in matches if m.kind == "event" and m.cameo == "181" and _OF_DATA.match(text, m.end)]
    held = [m for m in matches if m.kind == "event" and m.cameo == "181" and fold(m.found) == "hostage"]
    if held:
        groups = {sentence_of(text, a.start) for a in matches if a.kind == "actor" and a.category == "group"}
        out += [m for m in held if sentence_of(text, m.start) not in groups and not CAPTIVITY.told(text[slice(*sentence_of(text, m.start))])]
    return out


LABOUR = Marks.of(  # a sentence that tells a labour dispute: its generic strike is a stoppage of work, not a fight
    "walked out|walkout|walk out|trade union|labour union|labor union|unions|union members|pay dispute|wages|wage|pay rise|pay raise|"
    "picket|picket line|picketing|industrial action|strikers|grève|grévistes|huelga|huelguistas|sciopero|scioperanti|Streik|Streiks|"
    "Gewerkschaft|syndicats|sindicatos|sindacati|conflit social|cheminots|acuerdo salarial|conflicto laboral|vertenza sindacale|Tarifstreit|Tarifkonflikt|"
    # a crew's rosters and working hours, a work-to-rule
    "rostering|rosters|roster|work-to-rule|overtime ban|working conditions|staffing levels|collective agreement|convention collective|convenio colectivo"
)


_LEFT_A_MEETING = re.compile(  # lawmakers walked out of the session, delegates walked out of the talks: they left, no stoppage of work;
    r"\b(?:walk|walks|walked|walking)[ \t]+out[ \t]+(?:of|from)[ \t]+(?:the[ \t]+|a[ \t]+)?(?:[\w-]+[ \t]+)?"
    r"(?:session|sessions|sitting|meeting|meetings|talks|negotiations|parliament|chamber|assembly|hall|summit|conference|hearing|vote|debate)\b"
    # a union of states, no trade union: the European Union's ministers, the African Union said
    r"|\b(?:European|African|Soviet|Eurasian|Arab|Postal)[ \t]+Union\b|\bUnion[ \t]+(?:européenne|africaine)|\bUnión[ \t]+(?:Europea|Africana)\b"
    r"|\bUnione[ \t]+(?:europea|africana)\b|\b(?:Europäische|Afrikanische)[ \t]+Union\b",
    re.IGNORECASE,
)


def _labour_told(text: str) -> str:
    """The text with what only looks like a labour dispute blanked (same length: sentences stay where they are):
    a walkout from a session or talks (they left), a union of states."""
    return _LEFT_A_MEETING.sub(lambda left: " " * len(left.group()), text)


def labour(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]] | None = None) -> list[Match]:
    """The generic fight events (CAMEO root 19 itself), threats (13) and escalations of a sentence that tells a
    labour dispute (LABOUR: "ground staff walked out on a 24-hour strike", "the union warned the walkout could be
    extended", "could escalate into an indefinite stoppage", "the management called for calm"): the guide's labour
    sense of "strike", a threat to strike for pay, a dispute escalating or calmed. Other events stay. Walking out
    of a session, a meeting or talks is leaving them (lawmakers walked out of the session), the European Union no
    trade union (`_labour_told`)."""
    tables = tables_of(watchlist)
    calm = tables.calm_name
    generic = [m for m in matches if m.kind == "event" and (m.cameo in ("19", "13") or (m.name and m.name in (tables.escalation, calm, tables.truce)))]
    if not generic:
        return []
    return in_sentences_telling(LABOUR, generic, _labour_told(text), {} if spans is None else spans)


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


_PRICES_BEFORE = re.compile(  # inflation has escalated, prices escalated, cost escalation, price-escalation clauses: a quantity rising
    r"\b(?:inflation|prices|costs|rents|debts?|unemployment|losses|bills|fares|premiums)(?:[ \t]+(?:has|have|had|is|are|was|were|been|further|sharply|rapidly))*[ \t]+$"
    r"|\b(?:price|cost|wage|rent|fee|budget)[ \t-]+$",
    re.IGNORECASE,
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
    tables = tables_of(watchlist)
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
        out += in_sentences_telling(SPACE, launched, text, {} if spans is None else spans)
    out += [m for m in events if m.cameo.startswith("186") and _POLITICAL.search(text, max(0, m.start - 12), min(len(text), m.end + 12)) and not _DEATHLY.search(text, *sentence_of(text, m.start))]
    rest = [m for m in events if m not in out]
    if not rest:
        return out
    wars = metaphor_wars(text) if any(hint in text for hint in _WAR_HINTS) else []  # most texts: none
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
        span = sentence_at(spans, text, m.start)
        if (
            any(span[0] <= w < span[1] for w in wars)
            or (civil and calming and _within(text, span, _CIVIL_HINTS) and CIVIL.told(text[span[0] : span[1]]))
            or (medical and acting and _within(text, span, _MEDICAL_HINTS) and MEDICAL.told(text[span[0] : span[1]]))
        ):
            told.append((m, span))
    if told:  # a watched state, group or person in the sentence makes it the domain's (a place alone does not)
        named = {sentence_at(spans, text, a.start) for a in matches if a.kind == "actor" and a.category != "place"}
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


_NOTICE_BEFORE = re.compile(  # two hours' warning, minutes of warning, early or advance warning: notice given of an act, no threat made
    r"(?:\b(?:hours?|minutes?|days?|weeks?|seconds?)['’]?[ \t]+(?:of[ \t]+)?|\b(?:advance|early|prior|ample|enough|little|short|sufficient)[ \t-]+)$", re.IGNORECASE
)
_SWORN_IN = re.compile(r"(?:[ \t]+|-)in\b(?![ \t]+(?:revenge|vengeance)\b)", re.IGNORECASE)  # sworn in, swore in the new chief, a swearing-in: an oath of office, no threat
_REPORT_BEFORE = re.compile(  # a UN report warned, the study warns: an assessment's warning of a risk, not a threat made
    r"\b(?:report|reports|study|studies|survey|analysis|assessment|review|audit|paper|poll|index|forecast|model|projections?)(?:[ \t]+(?:has|have|had|also|further))?[ \t]+$",
    re.IGNORECASE,
)


_POUND_BEFORE = re.compile(r"\b(?:the|a|per|one|strong|weak|British|Egyptian|Lebanese|Syrian)[ \t]+$", re.IGNORECASE)  # the pound, a strong pound: money, not pounding


_TRADE_BEFORE = re.compile(r"\b[\w-]+(?:ers|ors|ists|men|women|staff|workers|nurses|doctors|drivers|pilots|teachers)['’][ \t]+$", re.IGNORECASE)  # a teachers' strike: a stoppage of work


_STOPPAGE_BEFORE = re.compile(  # a three-day strike, a 24-hour strike, an open-ended, rent or wildcat strike: a stoppage of work, for a time or of a kind
    r"\b(?:\d+-(?:hour|day|week)|(?:one|two|three|four|five|six|seven|ten)-(?:hour|day|week)|day-long|week-long|month-long|indefinite|open-ended|"
    r"rent|wildcat|sit-down|token|sympathy)[ \t]+$",
    re.IGNORECASE,
)


_AIMED_AT = re.compile(r"[ \t]+(?:on|against|targeting)[ \t]+(?:the[ \t]+)?")  # 24-hour strikes on Kataib Hezbollah: a watched actor next


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
    r"company|firm|landlords?|school|university|HR|department|hospital|regulators?|watchdogs?)\b"
    # faced retaliation after flagging payments, fired in retaliation for reporting lapses: a whistleblower's
    r"|[ \t]+(?:after|for)[ \t]+(?:(?:her|his|their|its|having)[ \t]+)?(?:flagging|reporting|raising|complaining|exposing|disclosing|filing|testifying|"
    r"whistleblowing|blowing[ \t]+the[ \t]+whistle|speaking[ \t]+out|speaking[ \t]+up)\b"
    # retaliation against a nurse who reported lapses: against someone for what they told
    r"|[ \t]+against[ \t]+(?:[\w'’-]+[ \t]+){1,4}?who[ \t]+(?:had[ \t]+)?(?:reported|flagged|complained|raised|exposed|disclosed|testified|filed|spoke[ \t]+out|blew[ \t]+the[ \t]+whistle)\b",
    re.IGNORECASE,
)


_CONTEST_AFTER = re.compile(  # a truce with the board, a ceasefire in their social media feud, in the tariff war: a contest of business, trade or words (not "feud": a clan feud is fought)
    r"[ \t]+(?:with|in|between)[ \t]+(?:(?:the|their|its|his|her|a|an)[ \t]+)?(?:[\w-]+[ \t]+){0,3}?"
    r"(?:board|boardroom|shareholders?|investors|spat|tariffs?|trade|price|pricing|fare|proxy[ \t]+fight|social[ \t]+media|streaming|legal|lawsuits?)\b",
    re.IGNORECASE,
)


_STATION_NOUN = re.compile(r"stations?", re.IGNORECASE)  # to station troops is a deployment; a station (on station, the police station) is a place


_FORCE_AFTER = re.compile(r"(?:[ \t]+[\w,.-]+){0,3}?[ \t]+(?:troops|soldiers|forces|marines|paratroopers|brigades?|battalions?|warships?|jets|aircraft|units|personnel|fighters)\b", re.IGNORECASE)


def _aimed(m: Match, text: str, actor_starts: set[int]) -> bool:
    """An event word aimed at a watched actor named right after it: "24-hour strikes on Kataib Hezbollah depots", "a
    three-day strike against Iranian targets" (not "a one-day strike against rising fuel prices")."""
    at = _AIMED_AT.match(text, m.end)
    return at is not None and at.end() in actor_starts


def everyday_senses(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The event matches whose words the next words or the words before give an everyday sense, in any list: a
    proposal shot down (the council shot down the plan: voted down); an attack ad (a campaign's); an attack on a
    currency or from speculators or critics, or launched by short sellers (a market's, a debate's); the pound (money,
    not pounding); a hit of a
    quantity (temperatures hit 51C, the rial hit a record low); "killing it" (doing well); a revenge win or match
    (a rematch); a warning by a report or a study (an assessment of a risk, no threat made), or hours' or early warning of an act
    (notice given); swearing someone in (an
    oath of office, no vow of revenge); a threat or promise
    made good on, kept or carried out (the act done, no threat left); a software deployment; a teachers' strike (a
    stoppage of work), a three-day, 24-hour, open-ended or rent strike (a stoppage for a time or of a kind) unless aimed at a watched actor; rocket launchers or a rocket programme with no fire told after; retaliation from managers or
    an employer, for reporting or flagging something, or against someone who reported it (a workplace's, a whistleblower's); a truce or ceasefire
    with a board or in a social media feud, a tariff war or a lawsuit (a contest of business, trade or words); and a station (on
    station, the police station: a place) unless forces follow (station more troops)."""
    tables = tables_of(watchlist)
    threat = tables.threat_name
    actor_starts = {o.start for o in matches if o.kind == "actor"}
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
            or (m.name == threat and found.startswith(("swor", "swear")) and _SWORN_IN.match(text, m.end))
            or (m.name == threat and found == "warning" and _NOTICE_BEFORE.search(text, max(0, m.start - 20), m.start))
            or (m.cameo.startswith("15") and _STATION_NOUN.fullmatch(m.found) and not _FORCE_AFTER.match(text, m.end))
            or (m.cameo.startswith("15") and found.startswith("deploy") and _SOFTWARE_BEFORE.search(text, max(0, m.start - 20), m.start))
            or (acting and found in ("strike", "strikes") and (_TRADE_BEFORE.search(text, max(0, m.start - 30), m.start) or (_STOPPAGE_BEFORE.search(text, max(0, m.start - 20), m.start) and not _aimed(m, text, actor_starts))))
            or (m.cameo.startswith("190") and found.startswith("rocket") and _WEAPON_AFTER.match(text, m.end))
            or (m.name in tables.hostile and m.cameo[:2] not in ("18", "19", "20") and found.startswith(("retaliat", "reprisal")) and _WORKPLACE_AFTER.match(text, m.end))
            or (m.name == tables.truce and _CONTEST_AFTER.match(text, m.end) is not None)
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
    return any(s.start() <= m.start and m.end <= s.end() for s in NOT_SEEKING.finditer(text, max(0, m.start - 60), min(len(text), m.end + 5)))


def _within(text: str, span: tuple[int, int], hints: tuple[str, ...]) -> bool:
    """Whether one of `hints` stands inside `span` of the text."""
    return any(text.find(hint, span[0], span[1]) >= 0 for hint in hints)


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


LABOUR_MORE = Marks.of(  # more of a labour dispute: its union, and a strike over pay
    "the union|union said|union leaders|union's|nurses' union|teachers' union|over pay|pay claim|pay offer|better pay|higher pay|"
    "baggage handlers|le syndicat|el sindicato|il sindacato|die Gewerkschaft"
)


def acts_of_speech(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The generic attacks and threats on an abstract thing (an attack on free speech, a threat to the integrity of
    the court, un attacco alla democrazia: a figure of speech); a warning by onlookers (analysts, diplomats, a
    judge) or one that only tells how things stand ("warned that tensions were rising": no future, condition or
    reprisal in its sentence); and an escalation in a market (an escalation in valuations)."""
    tables = tables_of(watchlist)
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


_REGULATION_HINTS = hint_pattern(
    "regulat", "watchdog", "judge", "disciplin", "league", "federation", "fifa", "uefa", "referee", "bar association", "broadcast", "channel",
    "indecent", "doping", "match-fixing", "misconduct", "lawyer", "attorney", "régulateur", "juge", "regulador", "juez", "giudice", "richter", "aufsicht",
)


_WEATHER_HINTS = hint_pattern("forecast", "cyclone", "storm", "hurricane", "typhoon", "blizzard", "snowstorm", "heavy rain", "meteorolog", "met office", "weather service", "tempête", "tormenta", "tempesta", "unwetter", "sturm")


_LABOUR_MORE_HINTS = hint_pattern("union", "pay", "baggage handlers", "syndicat", "sindicato", "sindacato", "gewerkschaft")


def penalties(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The sanctions of a sentence that tells a regulator, a judge or a league (REGULATION: "Iraq sanctioned a TV
    channel", "a judge sanctioned two lawyers") naming no watched group or person; the threats of a forecast
    (WEATHER: a storm threatening power lines) naming none; and the generic strikes, threats and escalations of a
    labour dispute told by its union or its pay (LABOUR_MORE), as `labour` does."""
    tables = tables_of(watchlist)
    threat = tables.threat_name
    sanctions = [m for m in matches if m.kind == "event" and m.name == tables.sanctions and tables.sanctions]
    threats = [m for m in matches if m.kind == "event" and threat and m.name == threat]
    out = in_sentences_telling(REGULATION, sanctions, text, spans) if sanctions and hinted(folded, _REGULATION_HINTS) else []
    out += in_sentences_telling(WEATHER, threats, text, spans) if threats and hinted(folded, _WEATHER_HINTS) else []
    if out:
        named = {sentence_at(spans, text, a.start) for a in matches if a.kind == "actor" and a.category in ("group", "person")}
        out = [m for m in out if spans[m.start] not in named]
    calm = tables.calm_name
    generic = [m for m in matches if m.kind == "event" and (m.cameo in ("19", "13") or (m.name and m.name in (tables.escalation, calm, tables.truce)))]
    return out + (in_sentences_telling(LABOUR_MORE, generic, _labour_told(text), spans) if generic and hinted(folded, _LABOUR_MORE_HINTS) else [])


CAPTIVITY_MORE = Marks.of(  # more of real captivity: its releases and deals, captives and abductors (in four languages)
    "releases|hostage deal|hostage talks|captives|held captive|abductors|libération|liberación|liberazione|Freilassung"
)


_CAPTIVITY_MORE_HINTS = hint_pattern("releas", "hostage deal", "hostage talks", "captive", "abductor", "libération", "liberación", "liberazione", "freilassung")


def captives(watchlist: Watchlist, dropped: set[Match], text: str) -> list[Match]:
    """The dropped kidnappings of a sentence that tells real captivity by its releases or deals ("talks stalled over
    the sequencing of hostage releases"): a person taken, not a figure of speech; they are kept."""
    kidnapping = concept_event(watchlist, "kidnapping")
    taken = [m for m in dropped if m.kind == "event" and kidnapping and m.name == kidnapping]
    if not taken or not hinted(text.casefold(), _CAPTIVITY_MORE_HINTS):
        return []
    return in_sentences_telling(CAPTIVITY_MORE, taken, text, {})


CYBER = Marks.of(  # a sentence that tells an act on computers: its attacks, threats and hostages are no force (the thirteenth pass)
    "hacker|hackers|hacked|hacking|hack|cyber|cyberattack|cyberattacks|cyber-attack|cyber-attacks|cyber attack|cyber attacks|ransomware|malware|"
    "DDoS|phishing|cybersecurity|pirates informatiques|pirate informatique|cyberattaque|cyberattaques|piratas informáticos|pirata informático|"
    "ciberataque|ciberataques|pirati informatici|attacco informatico|attacchi informatici|Hackerangriff|Hackerangriffe|Cyberangriff|Cyberangriffe"
)


def cyber(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The generic fights, threats and kidnappings of a sentence that tells an act on computers (CYBER: "hackers
    claimed an attack on petrol stations", "ransomware held the records hostage", des pirates informatiques) with no
    other hostile act in it: the guide's events are of force, not of servers."""
    tables = tables_of(watchlist)
    threat = tables.threat_name
    kidnapping = concept_event(watchlist, "kidnapping")
    events = [m for m in matches if m.kind == "event"]
    soft = [m for m in events if m.cameo == "19" or (m.name and m.name in (threat, kidnapping))]
    if not soft:
        return []
    keys = sentence_keys(text, [m.start for m in events])
    acts = {k for m, k in zip(events, keys) if m.name in tables.hostile and m not in soft}
    return in_sentences_telling(CYBER, [m for m, k in zip(events, keys) if m in soft and k not in acts], text, spans)


TRADE = Marks.of(  # a sentence that tells a dispute over trade: tariffs, duties, levies; its reprisals and threats are a trade move's
    "tariff|tariffs|duties|levies|trade war|customs duties|anti-dumping|WTO|droits de douane|taxes douanières|aranceles|dazi|Zölle|Strafzölle|Zöllen"
)


_TRADE_HINTS = hint_pattern("tariff", "duties", "levies", "trade war", "anti-dumping", "wto", "douan", "arancel", "dazi", "zöll", "zölle")


def trade_moves(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The reprisals and threats of a sentence that tells a dispute over trade ("tariffs on steel drew retaliation
    from the EU", "Pekín anunció represalias contra los aranceles") with no force word in it: a trade move."""
    tables = tables_of(watchlist)
    threat = tables.threat_name
    reprisal = concept_event(watchlist, "retaliation")
    moves = [m for m in matches if m.kind == "event" and m.name and m.name in (reprisal, threat)]
    if not moves or not hinted(folded, _TRADE_HINTS):
        return []
    told = in_sentences_telling(TRADE, moves, text, spans)
    return [m for m in told if _only_trade_war(text, spans[m.start])]


def _only_trade_war(text: str, span: tuple[int, int]) -> bool:
    """Whether a sentence has no force word but the "war" of a trade war."""
    return all(text[max(span[0], w.start() - 6) : w.start()].casefold().endswith("trade ") for w in FORCE_WORDS.finditer(text, *span))
