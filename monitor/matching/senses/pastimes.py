"""The domain's words in games, films, novels, music and sports: the events, and the states (national sides), of a
sentence that tells one, and real events a film or a book is about (kept).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from operator import attrgetter

from monitor.matching.normalise import sentence_of
from monitor.matching.senses.marks import (
    Marks,
    hint_pattern,
    hinted,
    in_sentences_telling,
    sentence_at,
)
from monitor.matching.senses.tables import tables_of
from monitor.model import Match, Watchlist

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
    actors = tables_of(watchlist).actors if watchlist is not None else {}
    told_of = [m for m in matches if m.kind == "event" or (m.name in actors and actors[m.name].kind == "state")]
    return in_sentences_telling(FICTION, told_of, text, {} if spans is None else spans)


def fiction_or_sports(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]]) -> list[Match]:
    """`fiction` and `sports` at once (they drop the same kinds of match): each sentence searched once. An event
    in a sentence that names a watched armed group and tells no fiction stays ("the qualifier went ahead despite a
    drone strike on a Kataeb Hezbollah depot": no side of a match is an armed group)."""
    actors = tables_of(watchlist).actors
    told_of = [m for m in matches if m.kind == "event" or (m.name in actors and actors[m.name].kind == "state" and not _INSTITUTION.search(m.found))]
    if not told_of:
        return []
    events = [m for m in told_of if m.kind == "event"] if any(hint in text for hint in _PASTIME_HINTS) else []  # most texts name no pastime: no second scan
    dropped = in_sentences_telling(_FICTION_OR_SPORTS, told_of, text, spans, clauses=True)
    armed = [m for m in matches if m.kind == "actor" and m.name in actors and actors[m.name].kind == "group"]
    if dropped and armed:
        held = {sentence_at(spans, text, g.start) for g in armed}
        held = {span for span in held if not FICTION.told(text[span[0] : span[1]])}
        dropped = [m for m in dropped if m.kind != "event" or spans[m.start] not in held]
    return dropped + (in_sentences_telling(PASTIMES, events, text, spans) if events else [])


_INSTITUTION = re.compile(  # a state's body, which no side of a match is: the champions at the White House
    r"\b(?:House|Pentagon|Department|Ministry|Treasury|Office|Command|Congress|Senate|Administration|Government|Embassy|Kremlin|Élysée|Palace)\b"
)


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


_PASTIME_HINTS = tuple(f(w) for w in ("bowl", "tenpin", "skittle", "dart", "snooker", "billiard") for f in (str.lower, str.capitalize, str.upper))  # what every PASTIMES word starts with, as written


PASTIMES = Marks.of("bowling|bowling alley|tenpin|skittles|darts|snooker|billiards")  # a game whose strikes and shots are its own: its events only (the US embassy's staff at the alley stay)


def sports(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]] | None = None) -> list[Match]:
    """The event matches, and the states, of a sentence that tells a match ("Iran stunned Wales with two
    stoppage-time goals", "the referee showed him a red card"): the guide's sports sense of conflict words."""
    actors = tables_of(watchlist).actors
    told_of = [m for m in matches if m.kind == "event" or (m.name in actors and actors[m.name].kind == "state")]
    return in_sentences_telling(SPORTS, told_of, text, {} if spans is None else spans)


SPORTS_MORE = Marks.of(  # more of a sentence that tells a match or a meet: the medal table, a swimming final, the visitors' goal
    "medal table|medal tally|gold medal|silver medal|bronze medal|swimming|swimmers|athletics|marathon|relay|podium|the visitors|the hosts|"
    "home side|away side|clean sheet|first half|second half|added time|kick-off|kickoff|from 30 yards|yards out|rook|sacrifice|top seed|"
    "tableau des médailles|medallero|medagliere|Medaillenspiegel|natation|natación|nuoto|Schwimmen"
)


_FIXTURE = re.compile(r"\b[A-Z][\w'’-]+[ \t]+(?:v|vs\.?)[ \t]+[A-Z]")  # Iraq v Jordan, Iran vs. USA: a fixture


_AGED = re.compile(r",[ \t]+(?:(?:a|an)[ \t]+)?\d{1,2}(?:-year-old\b|,|[ \t]+years?[ \t]+old\b)|[ \t]+\(\d{1,2}\)")  # Soleimani, a 15-year-old; Esper, 34,: a private person


_SPORTS_MORE_HINTS = hint_pattern(
    "medal", "swimm", "athletics", "marathon", "relay", "podium", "visitors", "hosts", "home side", "away side", "clean sheet", "first half",
    "second half", "added time", "kick", "yards", "rook", "sacrifice", "top seed", "médailles", "medall", "medag", "medaill", "natation",
    "natación", "nuoto", "schwimm",
)


_FIXTURE_HINTS = hint_pattern(" v ", " vs ", " vs. ")


_SCORE = re.compile(r"\d[-–:]\d")  # what every match result holds: 2-0, 3:0


_RESULT = re.compile(  # a match's result: beat Zakho 2-0, pulled away 118-102, schlägt Schalke mit 3:0, a 2-0 win, a 38-10 rout
    r"\b(?:beat|beats|beating|won|wins|routed|thrashed|defeated|edged|drew|pulled[ \t]+away|schlägt|schlug|gewinnt|gewann|besiegt|bat|battu|"
    r"vence|venció|ganó|batte|battuto)(?:[ \t]+[\w'’.-]+){0,3}?[ \t]+(?:mit[ \t]+)?\d{1,3}[-–:]\d{1,3}\b"
    r"|\b\d{1,3}[-–:]\d{1,3}[ \t]+(?:win|victory|defeat|loss|rout|draw|Sieg|Niederlage|victoire|défaite|victoria|derrota|vittoria|sconfitta)\b",
    re.IGNORECASE,
)


_TALLY = re.compile(  # a vote's or an election's count is no game's score: "won a 224-194 vote", "won the election 304-227"
    r"\b(?:vot(?:e|es|ed|ing)|ballots?|elect(?:ion|ions|oral)|seats|referendum|resolution|Abstimmung|Wahl|scrutin|[ée]lection|"
    r"votaci[óo]n|elecci[óo]n|voto|elezion[ei])\b",
    re.IGNORECASE,
)


def _armed_sentences(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]]) -> set[tuple[int, int]]:
    """The sentences that name a watched armed group (no side of a match, nor its fans, is one)."""
    actors = tables_of(watchlist).actors
    return {sentence_at(spans, text, g.start) for g in matches if g.kind == "actor" and g.name in actors and actors[g.name].kind == "group"}


def results(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]]) -> list[Match]:
    """The events of a sentence that tells a match's result ("Erbil SC beat Zakho 2-0 ... from counter-attacks", "the
    Wizards' attack stalled as Boston pulled away 118-102", "Die Rache des Ex-Trainers: Bochum schlägt Schalke mit
    3:0"), with no watched armed group named in it and no vote or election (`_TALLY`: "won a 224-194 vote to limit
    Trump's power to strike Iran" keeps its strike): a score is a game's, whatever the team's name."""
    if _SCORE.search(text) is None:  # most texts: no score
        return []
    armed = _armed_sentences(watchlist, matches, text, spans)
    told: dict[tuple[int, int], bool] = {}  # each sentence searched once
    out = []
    for m in matches:
        if m.kind == "event":
            span = sentence_at(spans, text, m.start)
            if span not in told:
                told[span] = span not in armed and _RESULT.search(text, *span) is not None and _TALLY.search(text, *span) is None
            if told[span]:
                out.append(m)
    return out


def pastimes_more(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The events and states, and a group's one-word alias (the Guards defence cracked), of a sentence that tells a
    match or a meet (SPORTS_MORE, or a fixture: Iraq v Jordan), and the events of a sentence that tells a match's
    result (`results`); a person's one-word alias followed by an age (Soleimani, a 15-year-old: a private person, as
    news writes one)."""
    actors = tables_of(watchlist).actors
    out = [m for m in matches if m.kind == "actor" and m.category == "person" and len(m.alias.split()) == 1 and _AGED.match(text, m.end)]
    out += results(watchlist, matches, text, spans)
    fixture, meet = hinted(folded, _FIXTURE_HINTS), hinted(folded, _SPORTS_MORE_HINTS)
    if not (fixture or meet):
        return out
    told_of = [
        m for m in matches
        if m.kind == "event" or (m.name in actors and (actors[m.name].kind == "state" or (actors[m.name].kind == "group" and len(m.alias.split()) == 1)))
    ]
    fixtures = [m for m in told_of if _FIXTURE.search(text, *sentence_of(text, m.start))] if fixture else []
    return out + fixtures + (in_sentences_telling(SPORTS_MORE, [m for m in told_of if m not in fixtures], text, spans) if meet else [])


_ABOUT = re.compile(r"\b(?:about|on|over|sur|sobre|su|über)[ \t]+(?:the[ \t]+|l['’]|la[ \t]+|el[ \t]+|il[ \t]+|die[ \t]+|den[ \t]+)?$", re.IGNORECASE)  # a film about the ...


def real_subjects(watchlist: Watchlist, matches: Sequence[Match], text: str, dropped: set[Match]) -> list[Match]:
    """The dropped event matches that a film, a book or a game is about, told with a watched person or group right
    before or after them ("the film about the Soleimani killing", "a documentary on the assassination of Soleimani"):
    a real act the work tells of, not the work's fiction; they are kept."""
    actors = [m for m in matches if m.kind == "actor" and m.category in ("person", "group")]
    if not actors:
        return []
    by_end, by_start = sorted(actors, key=attrgetter("end")), sorted(actors, key=attrgetter("start"))
    ends, starts = [a.end for a in by_end], [a.start for a in by_start]
    out = []
    for m in dropped:
        if m.kind != "event":
            continue
        blank = m.start  # the actors right before: those ending in the blanks before the act (a text may hold thousands)
        while blank > 0 and text[blank - 1] in " \t":
            blank -= 1
        near_before = by_end[bisect_left(ends, blank) : bisect_right(ends, m.start)]
        before = [a for a in near_before if not text[a.end : m.start].strip(" \t") and _ABOUT.search(text, max(0, a.start - 12), a.start)]
        reach = _OF_REACH.match(text, m.end)  # the actors right after: none starts past "of" and a word
        near_after = by_start[bisect_left(starts, m.end) : bisect_right(starts, reach.end())] if reach else []
        after = [a for a in near_after if _OF.fullmatch(text[m.end : a.start])]
        if before or (after and _ABOUT.search(text, max(0, m.start - 12), m.start)):
            out.append(m)
    return out


_OF = re.compile(r"[ \t]+(?:of|de|di|von|des)[ \t]+(?:[\w-]+[ \t]+)?")  # between an act and a watched name: "the killing of (General) Soleimani"
_OF_REACH = re.compile(r"[ \t]+\w+[ \t]+(?:[\w-]+[ \t]+)?")  # as _OF, any word for "of", at its longest: where what _OF can hold ends


FANS = Marks.of(  # a sentence that tells sports fans and a team's bus: its attacks are a brawl of supporters (the thirteenth pass)
    "hooligans|hooligan|rival fans|away fans|home fans|ultras|team bus|team's bus|supporters rivaux|bus de l'équipe|hinchas|autobús del equipo|"
    "tifosi|pullman della squadra|Mannschaftsbus"
)


def fans(watchlist: Watchlist, matches: Sequence[Match], text: str, spans: dict[int, tuple[int, int]], folded: str) -> list[Match]:
    """The events of a sentence that tells sports fans or a team's bus ("hooligans attacked the team bus after the
    match", "rival fans' prank on the embassy's football team bus", los hinchas), with no watched armed group named
    in it: supporters' violence, as `fiction_or_sports` reads a match."""
    events = [m for m in matches if m.kind == "event"]
    armed = _armed_sentences(watchlist, matches, text, spans)
    return [m for m in in_sentences_telling(FANS, events, text, spans) if spans[m.start] not in armed]


FICTION_MORE = Marks.of(  # more of a sentence that tells a story: a series' parts, its cast and its roles
    "series finale|series premiere|season premiere|plot point|plot twist|plot points|villain|villains|protagonist|protagonists|showrunner|showrunners|"
    "cast as|stars as|starring|title role|leading role|lead role|demanding role|role of her career|role of his career|"
    "graphic novel|comic book|soap opera|telenovela|série télévisée|serie televisiva|Fernsehserie|Hörspiel|feuilleton"
)


_FICTION_OR_SPORTS = FICTION.joined(SPORTS).joined(FICTION_MORE)  # told in fiction_or_sports' one look at each sentence
