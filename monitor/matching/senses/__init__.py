"""Sense decisions taken over a text's matches once they are found (pure), by kind:

- `places`: a capital or a state named as a place, not the government acting ("born in Tehran"), and a
  capital that stands for its government ("Baghdad said" is Iraq);
- `names`: an actor's alias that names another thing or person (Baghdad Grill, Iran Air, Esper the
  startup, another Soleimani);
- `events`: one event read as another or beside another: the generic that yields to a specific one
  ("rockets struck the base" is a rocket attack, not also a strike), threats said as a future, calls for
  restraint, halts, a unit's parent named inside its name (IRGC-QF);
- `pastimes`, `mishaps`, `figures`: the domain's words in other walks of life: games, films and sports;
  disasters, accidents, weather and medicine; labour, courts, trade, computers and figures of speech.

`tables` holds what the decisions look up in a watchlist, `marks` the words a sentence is told by.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.matching.senses.events import (
    aircraft_types,
    appeals,
    drone_means,
    eased_tensions,
    failed_restraint,
    forms_and_moves,
    halts,
    materiel_moves,
    named_parents,
    orders_to_act,
    penalties_hit,
    deaths_in_clashes,
    threatened,
    yielding,
)
from monitor.matching.senses.figures import (
    acts_of_speech,
    captives,
    captivity,
    cyber,
    everyday_senses,
    figures_of_speech,
    labour,
    penalties,
    trade_moves,
)
from monitor.matching.senses.marks import HAZARD_CYBER_FANS_HINTS
from monitor.matching.senses.mishaps import (
    accidents,
    disaster_strikes,
    disasters,
    hazards,
    treatments,
    weather_talk,
)
from monitor.matching.senses.names import (
    appositions,
    appositions_more,
    brands,
    common_nouns,
    compound_surnames,
    names_of_things,
    names_with_event_words,
    namesakes,
    operations,
    other_senses,
    other_words_and_names,
    private_names,
    technology_acronyms,
)
from monitor.matching.senses.pastimes import (
    fans,
    fiction_or_sports,
    pastimes_more,
    real_subjects,
)
from monitor.matching.senses.places import (
    addressed_capitals,
    cities,
    elsewhere,
    metonyms,
    militias,
    names_led_by_places,
    newspapers,
    quoted,
)
from monitor.matching.senses.tables import concept_event, tables_of
from monitor.model import Match, Watchlist


def settle(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The matches with generic events that yield to a specific one, and names of other things, taken
    out; a capital acting as its government made the state; threats, calls and halts told, and a parent
    named inside its unit's name (IRGC-QF), added."""
    if not matches:  # most texts: every decision below starts from a match
        return []
    spans: dict[int, tuple[int, int]] = {}  # a match's sentence, found once for every decision that reads it
    folded = text.casefold()  # for the decisions' quick looks before splitting sentences
    dropped = set(cities(watchlist, matches, text)) | set(quoted(watchlist, matches, text)) | set(elsewhere(watchlist, matches, text))
    dropped |= set(militias(watchlist, matches, text)) | set(newspapers(matches, text)) | set(names_led_by_places(watchlist, matches, text))
    dropped |= set(names_of_things(watchlist, matches, text)) | set(compound_surnames(watchlist, matches, text)) | set(appositions(matches, text))
    dropped |= set(appositions_more(matches, text)) | set(operations(matches, text)) | set(common_nouns(watchlist, matches, text))
    dropped |= set(namesakes(matches, text)) | set(names_with_event_words(watchlist, matches, text)) | set(other_senses(watchlist, matches, text))
    dropped |= set(other_words_and_names(watchlist, matches, text)) | set(private_names(watchlist, matches, text)) | set(brands(matches, text))
    dropped |= set(yielding(watchlist, matches, text)) | set(orders_to_act(matches, text)) | set(forms_and_moves(watchlist, matches, text))
    dropped |= set(fiction_or_sports(watchlist, matches, text, spans)) | set(pastimes_more(watchlist, matches, text, spans, folded))
    dropped |= set(disasters(watchlist, matches, text, spans)) | set(accidents(watchlist, matches, text, spans, folded)) | set(disaster_strikes(watchlist, matches, text))
    dropped |= set(labour(watchlist, matches, text, spans)) | set(penalties(watchlist, matches, text, spans, folded)) | set(captivity(matches, text))
    dropped |= set(figures_of_speech(watchlist, matches, text, spans)) | set(everyday_senses(watchlist, matches, text)) | set(acts_of_speech(watchlist, matches, text))
    if any(m.kind == "event" for m in matches):
        dropped |= set(penalties_hit(matches, text)) | set(deaths_in_clashes(matches, text))
        dropped |= set(materiel_moves(watchlist, matches, text)) | set(failed_restraint(watchlist, matches, text))
        told = {hint.lastgroup for hint in HAZARD_CYBER_FANS_HINTS.finditer(folded)}  # one scan for three quick looks
        if "hazard" in told:
            dropped |= set(hazards(watchlist, matches, text, spans, folded)) | set(weather_talk(watchlist, matches, text, spans, folded))
        if "cyber" in told:
            dropped |= set(cyber(watchlist, matches, text, spans, folded))
        if "fans" in told:
            dropped |= set(fans(watchlist, matches, text, spans, folded))
    tables = tables_of(watchlist)
    rarer = {tables.escalation, tables.calm_name, tables.threat_name, concept_event(watchlist, "retaliation")} - {""}
    if any(m.name in rarer or (m.kind == "actor" and m.found.isupper()) for m in matches):  # most texts: none of these
        dropped |= set(treatments(watchlist, matches, text, spans, folded)) | set(trade_moves(watchlist, matches, text, spans, folded))
        dropped |= set(technology_acronyms(matches, text, spans, folded))
    dropped -= set(real_subjects(watchlist, matches, text, dropped)) | set(captives(watchlist, dropped, text))
    kept = [m for m in matches if m not in dropped]
    governments = metonyms(watchlist, kept, text) | aircraft_types(watchlist, kept, text) | drone_means(watchlist, kept, text) | eased_tensions(watchlist, kept, text)
    governments |= {m: g for m, g in addressed_capitals(watchlist, kept, text).items() if m not in governments}
    kept = [governments.get(m, m) for m in kept]
    added = named_parents(watchlist, kept) + threatened(watchlist, kept, text) + appeals(watchlist, kept, text)
    added += halts(watchlist, kept, text, folded)
    return sorted(dict.fromkeys(kept + added), key=lambda m: (m.start, m.kind))
