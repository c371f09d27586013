"""An actor's alias that names another thing or another person: a restaurant, a street, a firm or a brand named
after it, an apposition that says what it is, a namesake, a double surname, an alias in small letters, an
acronym of a start-up, an event phrase inside a name (Rocket Lab).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.matching.matcher import is_acronym
from monitor.matching.normalise import WORD, fold, sentence_of
from monitor.matching.senses.marks import (
    BORN,
    FORCE_WORDS,
    NEXT_WORD,
    WAR_WORDS,
    WORDS_BEFORE,
    Marks,
    hint_pattern,
    hinted,
    in_sentences_telling,
)
from monitor.matching.senses.tables import tables_of
from monitor.model import Match, Watchlist

_FOLLOWING = re.compile(r"(?:[ \t]*\n?[ \t]*(?<=\s)\w+){1,3}")  # a line break inside a name is a space (Pasdaran⏎Avenue)


SKIPPED_BEFORE_HEAD = frozenset({"international"})  # Baghdad International Film Festival: the head comes after


_COMPOUND = re.compile(r"[-\u2010\u2011][A-Z\u00c0-\u00de]")  # Soleimani-Nia: a hyphen, then a capital


def compound_surnames(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The person matches that a hyphen and a capital continue: "Ghasem Soleimani-Nia" is another
    person's double surname, not the watched Soleimani; and those whose last word is written in small
    Latin letters: "known as al-muhandis, the engineer" is a word, not the name."""
    actors = tables_of(watchlist).actors
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
    heads = tables_of(watchlist).heads
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
            road = NEXT_WORD.match(text, m.end)
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
    actors = tables_of(watchlist).actors
    out = []
    for m in matches:
        if m.kind != "actor" or m.name not in actors:
            continue
        kind = actors[m.name].kind
        if _CURRENCY.match(text, m.end) and m.found.isupper():
            out.append(m)
        elif m.found[:1].isupper() and (_FIRM_AFTER.match(text, m.end) or _WORK_BEFORE.search(text, max(0, m.start - 20), m.start)):
            out.append(m)  # ISIS Equity Partners, Iraqi Airways: a firm; the film Green Zone: a work
        elif m.found == "US" and (before := WORDS_BEFORE.search(text, max(0, m.start - 20), m.start)) and before.group(1).isupper() and before.group(1).casefold() in PRONOUN_BEFORE and not NEXT_WORD.match(text, m.end):
            out.append(m)  # WRITE TO US, JOIN US: the pronoun in capitals, no noun after it (FOR US TROOPS stays)
        elif kind in ("place", "state") and (BORN.match(text, m.end) or _BY_AUTHOR.match(text, m.end)):
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


_OPERATION = re.compile(r"\b(?:Operation|Opération|Operación|Operazione)[ \t]+(?:[A-Z]\w*[ \t]+){0,3}$")


def operations(matches: Sequence[Match], text: str) -> list[Match]:
    """The event matches written with a capital inside the name of an operation ('Operation True Promise'): a name."""
    return [m for m in matches if m.kind == "event" and m.found[:1].isupper() and _OPERATION.search(text, max(0, m.start - 60), m.start)]


_INDEFINITE_BEFORE = re.compile(r"\b(?:a|an)[ \t]+$", re.IGNORECASE)


VERB_FORMS = frozenset({"irán"})  # the Spanish future of "ir" (irán a la huelga: they will go), in small letters; the country is Irán


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


_PLACE_BEFORE = re.compile(r"\b(?:in|near|from|outside|dans|en|nel|nella|im|bei)[ \t]+$")  # in Sulaimani: a place, not a person


_SENT_FROM = re.compile(  # a threat, orders, a letter from Soleimani: what a person sends or gives, not a place left
    r"\b(?:threats?|orders?|instructions?|directives?|messages?|letters?|calls?|warnings?|demands?|requests?|support|backing|"
    r"funding|money|help|pressure|praise|approval|permission|visits?)[ \t]+from[ \t]+$",
    re.IGNORECASE,
)


_AND_BEFORE = re.compile(r"[ \t]+(?:and|et|y|e|und)[ \t]+$")


def _a_place_here(text: str, m: Match, places: list[Match]) -> bool:
    """Whether a person's one-word alias stands where a place does: right after "in", "near", "from" (not a
    possessive: "in Soleimani's honour"; nor what the person sends: "the threat from Soleimani"), or coordinated after a watched place ("Erbil and Sulaimani": the city)."""
    if m.found[-2:] in ("'s", "’s") or text[m.end : m.end + 2] in ("'s", "’s"):
        return False
    if _PLACE_BEFORE.search(text, max(0, m.start - 12), m.start):
        return not _SENT_FROM.search(text, max(0, m.start - 20), m.start)
    return any(_AND_BEFORE.fullmatch(text, p.end, m.start) for p in places if p.end < m.start)


def _listed_as_other(watchlist: Watchlist, m: Match) -> bool:
    """Whether a name found only alike (under 100) has a word that its actor's not_when lists as another's (Khomeini
    for Khamenei: the look-alike its author named), the match's own words being that other name."""
    actor = tables_of(watchlist).actors.get(m.name)
    if actor is None or not actor.not_when:
        return False
    found = {fold(w) for w in m.found.split()}
    return any(fold(p) in found for p in actor.not_when)


_CAPITAL_AFTER = re.compile(r"[ \t]+[A-Z][a-z]")


def _first_of_a_name(text: str, m: Match) -> bool:
    """Whether a person's one-word alias, found only alike, is followed by a capitalised word: the first word of
    another person's name (Millie Bobby Brown for Milley), not the watched surname misspelt."""
    return m.category == "person" and " " not in m.alias and _CAPITAL_AFTER.match(text, m.end) is not None


def other_words_and_names(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The actor matches that are another word or another name: a state found as a Spanish verb form in small
    letters (VERB_FORMS); a name found only alike that its actor's not_when lists as another's, or that begins
    another person's name; a person's one-word alias where a place stands; a state ending a proper name (the
    Islamic Resistance in Iraq); a state or place inside a thing's name (the private airline Fly Baghdad)."""
    out = [m for m in matches if m.kind == "actor" and m.found in VERB_FORMS]
    out += [m for m in matches if m.kind == "actor" and m.score < 100 and (_listed_as_other(watchlist, m) or _first_of_a_name(text, m))]
    places = [p for p in matches if p.kind == "actor" and p.category == "place"]
    out += [m for m in matches if m.kind == "actor" and m.category == "person" and " " not in m.alias and _a_place_here(text, m, places)]
    out += [m for m in matches if m.kind == "actor" and m.category == "state" and _inside_a_name(text, m)]
    out += [m for m in matches if m.kind == "actor" and m.category in ("state", "place") and _THING_NAMED_BEFORE.search(text, max(0, m.start - 50), m.start)]
    return out


def common_nouns(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The group matches written in small letters where the alias has a capital, for an ambiguous one-word alias
    (one with context words: "Iranian border guards" are no Guards; "i pasdaran" still are) or after "a"/"an"
    ("an Islamic state"): a common noun."""
    actors = tables_of(watchlist).actors
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


_NAMESAKE = re.compile(  # what says a name is another's: a namesake, shares his name with, no relation to, unrelated to
    r"\bnamesakes?\b|\bshares?[ \t]+(?:his|her|its|their|a|the)[ \t]+name\b|\bsame[ \t]+name[ \t]+as\b|\bno[ \t]+relation[ \t]+to\b|\b(?:unrelated|not[ \t]+related)[ \t]+to\b"
    r"|\bhomonyme\b|\bhomónimo\b|\bomonimo\b|\bNamensvetter\b",
    re.IGNORECASE,
)


_NAMESAKE_HINTS = ("amesake", "s name", "r name", "a name", "e name", "elation to", "elated to", "omonym", "omonim", "omónim", "Namensvetter")  # one is in every _NAMESAKE form


def namesakes(matches: Sequence[Match], text: str) -> list[Match]:
    """The actor matches followed in their sentence by words that say the name is another's ("Mark Esper, a dentist
    who shares his name with the former defence secretary"; "Turkey's Hizbullah, unrelated to its Lebanese
    namesake"): the guide's another person, or another group, of the same name. A name after those words stays.
    A bare surname introduced by a name or a role, or naming a family ("the Esper family's bakery"), too."""
    actors = [m for m in matches if m.kind == "actor"]
    introduced = [m for m in actors if m.category == "person" and len(m.alias.split()) == 1 and (_NAMED_BEFORE.search(text, max(0, m.start - 60), m.start) or _family(text, m))]
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


_FAMILY_AFTER = re.compile(r"[ \t]+(?:family|families|clan|household)\b", re.IGNORECASE)  # the Esper family, the Esper family's bakery


_THE_BEFORE = re.compile(r"\bthe[ \t]+$", re.IGNORECASE)


_FAMILY_BEFORE = re.compile(r"\b(?:la[ \t]+famille|la[ \t]+familia|la[ \t]+famiglia|die[ \t]+Familie|der[ \t]+Familie)[ \t]+$", re.IGNORECASE)  # la famille Esper


def _family(text: str, m: Match) -> bool:
    """Whether a bare surname names a family, not the person: "the Esper family('s farm)", "la famille Esper" (not
    "Trump's family": his own)."""
    return bool((_THE_BEFORE.search(text, max(0, m.start - 5), m.start) and _FAMILY_AFTER.match(text, m.end)) or _FAMILY_BEFORE.search(text, max(0, m.start - 20), m.start))


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


_NAMESAKE_STATE_AFTER = re.compile(r"[ \t]+(?:coast|coastline|state|State|county|County|wine|apples|Huskies|Cougars)\b")  # the Washington coast: the state of Washington


def private_names(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The actor matches that name a firm after them (Iran Air, Al Asad Trading), a state's nationality adjective
    on a private firm or private persons (a US logistics firm, Iranian pilgrims, une entreprise américaine: the
    guide's biographical sense), and
    Washington before "coast" or "state" (the state of Washington)."""
    actors = tables_of(watchlist).actors
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


_TECHNOLOGY_HINTS = hint_pattern("startup", "start-up", "fintech", "chip", "semiconductor", "processor", "firmware", "software", "algorithm", " app", "saas",
                           "product-market", "funding round", "venture", "investor", "revenue", "billing", "cloud", "engineer", "developer", "smartphone",
                           "laptop", "batter", "power", "sorting", "protein", "dataset", "open-source", "logiciel", "algorithme", "puce", "algoritmo")


def technology_acronyms(matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """An armed group's all-caps acronym in a sentence that tells technology or a start-up's business with no war word
    ("the fintech startup reached PMF within a year", "the chipmaker's new PMU", "the ISIS sorting algorithm"):
    another thing's acronym (product-market fit, a power management unit, a method)."""
    groups = [m for m in matches if m.kind == "actor" and m.category == "group" and m.found.isupper() and is_acronym(m.found)]
    if not groups or not hinted(folded, _TECHNOLOGY_HINTS):
        return []
    told = in_sentences_telling(TECHNOLOGY, groups, text, spans)
    return [m for m in told if not any(p.search(text, *spans[m.start]) for p in (WAR_WORDS, FORCE_WORDS, _CYBER))]


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
