"""Issue 15, the pass that made set 11 in-sample: the kinds of text it missed or misread, told in sentences
written for these tests (none from an evaluation set): a word whose stem in one language is cut short to another
phrase's, a look-alike a not_when names, a short Western surname spelt otherwise, event words spread over a name or
holding another event's phrase; proposals shot down, attack ads, currencies under attack, quantities that hit a
mark, software deployments, labour strikes, weapons on show, workplace retaliation, forecasts and reports that
warn, scenarios asked about; firms, works and places named after actors; compounds cut at a line end; militias,
clerics and doctors under a nationality adjective; and the other languages' drones, passives and genitives."""

from __future__ import annotations

import pytest

from monitor.matching.matcher import Matcher
from monitor.model import Actor, Event, Watchlist
from tests.matching_fixtures import actors, events


def names(matcher: Matcher, text: str) -> set[str]:
    return {m.name for m in matcher.find(text)}


# Kind 1, the matcher: a word keeps every language's stem that lengthens its first, so a context phrase whose stem
# another language cuts the word to (colpi di mortaio: colp) no longer hides the event phrase (colpire: colpir).

def test_a_context_phrase_sharing_a_stem_hides_no_event_phrase() -> None:
    """With a French phrase listed, French is stemmed before Italian: colpirà is cut to colp, the stem of "colpi"."""
    listed = Watchlist(events=(Event("strike", 2, ("colpire", "frapper les forces"), context=(("colpire", ("colpi di mortaio", "forze", "basi")),)),))
    matcher = Matcher(listed)
    assert "strike" in names(matcher, "La vendetta colpirà presto le forze della coalizione.")
    assert "strike" in names(matcher, "Il drone colpirà le basi americane entro domani.")


def test_a_word_alike_an_alias_keeps_its_event_stems(matcher: Matcher, plain: Matcher) -> None:
    """"eased" is alike Asad (the air base) by its letters: it stays the verb of "ease tensions"."""
    text = "The prisoner swap between Washington and Tehran eased regional tensions for a while."
    for m in (matcher, plain):
        assert "de-escalation" in events(m, text)
    assert "escalation" not in events(matcher, text)


@pytest.mark.parametrize("text, calm", [
    ("Three weeks after the embassy siege, tensions between Baghdad and Washington had visibly eased.", True),
    ("Tensions between Tehran and Washington have not eased since the tanker was seized.", False),
])
def test_tensions_that_eased_later_in_their_clause_are_a_de_escalation(matcher: Matcher, text: str, calm: bool) -> None:
    found = events(matcher, text)
    assert ("de-escalation" in found) is calm
    assert ("escalation" in found) is not calm


def test_a_not_when_cancels_the_very_word_found_alike() -> None:
    listed = Watchlist(actors=(Actor("Ali Khamenei", "person", ("Ali Khamenei", "Khamenei"), not_when=("Khomeini",), bare_surname="always"),))
    matcher = Matcher(listed)
    assert names(matcher, "Pilgrims crowded around Khomeini's mausoleum south of the capital.") == set()
    assert names(matcher, "Khamenei addressed the crowd after Friday prayers.") == {"Ali Khamenei"}


# Kind 6: a short surname the watchlist writes one way forgives no spelling of the same letters (Miley is another
# person); a name written as transliterations (Qasem, Qassem) still does.

def test_a_short_western_surname_spelt_otherwise_is_another_person() -> None:
    listed = Watchlist(actors=(Actor("Mark Milley", "person", ("Mark Milley", "General Milley")), Actor("Mark Esper", "person", ("Mark Esper",))))
    matcher = Matcher(listed)
    assert names(matcher, "Mark Miley, a dentist from Toledo, won the county chess open.") == set()
    assert names(matcher, "Mark Espar opened a bakery in Leeds.") == set()
    assert names(matcher, "General Milley briefed the committee.") == {"Mark Milley"}


def test_a_transliterated_name_still_forgives_its_other_spellings(plain: Matcher) -> None:
    assert "Qasem Soleimani" in actors(plain, "Qasim Soleimani was buried in Kerman after the drone strike.")


# Kind 1, overlaps: an event phrase spread out takes no word of a watched name; another event's phrase side by side
# inside an act found spread out stays beside it.

def test_an_event_phrase_spread_out_takes_no_word_of_a_watched_name(matcher: Matcher) -> None:
    found = events(matcher, "Missiles struck close to the Ain al-Asad air base before dawn.")
    assert "air strike" not in found


@pytest.mark.parametrize("text", [
    "Las milicias lanzaron nuevos ataques con cohetes contra la embajada estadounidense.",
    "Le milizie hanno rivendicato un attacco con razzi contro l'ambasciata americana.",
])
def test_another_events_phrase_inside_an_act_spread_out_stays(matcher: Matcher, text: str) -> None:
    assert {"rocket attack", "embassy attack"} <= events(matcher, text)


# Kind 2, everyday senses of event words, for any list.

@pytest.mark.parametrize("text", [
    "Iraqi MPs shot down a proposal to cut the budget of the US-trained counter-terror units.",
    "Lawmakers in Baghdad shot down every amendment on militia salaries.",
])
def test_a_proposal_shot_down_is_no_strike(matcher: Matcher, text: str) -> None:
    assert "strike" not in events(matcher, text)


def test_an_aircraft_shot_down_stays_a_strike(matcher: Matcher) -> None:
    assert "strike" in events(matcher, "Iraqi air defences shot down an armed drone over the Green Zone.")


@pytest.mark.parametrize("text", [
    "The PAC ran attack ads accusing the senator of being soft on Iran.",
    "Hedge funds mounted an attack on the lira while Iran's rial slid.",
    "The Iranian rial came under attack from currency traders again.",
    "Short-sellers launched an attack on Iraqi bank shares after the sanctions report.",
])
def test_attacks_of_campaigns_and_markets_are_no_strike(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "strike" not in events(matcher, text)
    assert "strike" not in events(plain, text)


@pytest.mark.parametrize("text", [
    "Oil hit $95 a barrel after Iran seized a tanker and US warships moved closer.",
    "Inflation in Iran hit 45 percent as the rial weakened against the dollar.",
    "The pound fell as traders weighed the risk of war with Iran.",
])
def test_quantities_that_hit_a_mark_and_the_pound_are_no_strike(matcher: Matcher, text: str) -> None:
    assert "strike" not in events(matcher, text)


def test_a_blow_of_a_number_of_sites_stays_a_strike(matcher: Matcher) -> None:
    assert "strike" in events(matcher, "Trump said the US would hit 40 Iranian targets if attacked.")


def test_killing_it_and_a_revenge_win_are_figures_of_speech(matcher: Matcher) -> None:
    assert "killing" not in events(matcher, "The new kebab house near the Baghdad airport road is killing it this summer.")
    assert "retaliation" not in events(matcher, "Iran's wrestlers celebrated a revenge victory over the Americans in Tehran.")


@pytest.mark.parametrize("text", [
    "A Pentagon study warned that Iran's drone fleet could double by 2026.",
    "Hezbollah made good on its threat to hit the outpost, firing two missiles at dawn.",
])
def test_a_reports_warning_and_a_threat_made_good_on_are_no_threat(matcher: Matcher, text: str) -> None:
    assert "threat" not in events(matcher, text)


@pytest.mark.parametrize("text, deployed", [
    ("A US drone stayed on station over Anbar for twenty hours.", False),
    ("The Pentagon's cloud deployment for Central Command slipped into next year.", False),
    ("The Pentagon will station more troops in Kuwait this winter.", True),
])
def test_a_station_and_a_software_deployment_are_no_troop_deployment(matcher: Matcher, text: str, deployed: bool) -> None:
    assert ("troop deployment" in events(matcher, text)) is deployed


def test_a_trades_strike_is_a_stoppage_of_work(matcher: Matcher) -> None:
    found = events(matcher, "Drones hit a Kataib Hezbollah depot near al-Qaim, while in Najaf a bus drivers' strike dragged on.")
    assert "strike" not in found
    assert "drone strike" in found


@pytest.mark.parametrize("text, attack", [
    ("Hezbollah showed its rocket launchers to visiting reporters in the south.", False),
    ("Rocket launchers aimed at the airbase were found on a farm near Balad.", True),
])
def test_rocket_launchers_on_show_are_no_rocket_attack(matcher: Matcher, text: str, attack: bool) -> None:
    assert ("rocket attack" in events(matcher, text)) is attack


def test_retaliation_from_managers_is_a_workplaces(matcher: Matcher, plain: Matcher) -> None:
    text = "A contractor at the Pentagon says he faced retaliation from his supervisors after the audit."
    assert "retaliation" not in events(matcher, text)
    assert "retaliation" not in events(plain, text)


def test_deaths_of_illness_or_heat_are_no_killing(matcher: Matcher) -> None:
    assert "killing" not in events(matcher, "Two Iraqi pilgrims died of heat exhaustion on the road to Karbala, officials said.")


@pytest.mark.parametrize("text", [
    "Iraqi officials warned of strong winds and dust across Basra on Friday.",
    "As the hurricane neared Florida, officials warned the threat would last for days.",
])
def test_forecasts_warn_of_weather_not_war(matcher: Matcher, text: str) -> None:
    assert "threat" not in events(matcher, text)


def test_what_would_happen_if_is_a_scenario_asked_about_no_threat(matcher: Matcher) -> None:
    found = events(matcher, "Planners modelled what would happen if Iran fired missiles at tankers in the Strait.")
    assert "threat" not in found


# Kind 2 and 5: names of firms, works, clubs and places; sport and fiction told in their clause.

@pytest.mark.parametrize("text, actor", [
    ("A Washington think tank published a map of militia bases in Syria.", "United States"),
    ("A Baghdad consultancy won the contract to redesign the ministry's website.", "Iraq"),
    ("Tehran Ventures announced a new fund for start-ups.", "Iran"),
    ("She reread the novel Tehran Nights on the train home.", "Iran"),
])
def test_firms_works_and_city_institutions_are_no_state(matcher: Matcher, text: str, actor: str) -> None:
    assert actor not in actors(matcher, text)


def test_a_road_named_after_a_person_is_the_road(matcher: Matcher) -> None:
    assert "Qasem Soleimani" not in actors(matcher, "Traffic on the Qasem Soleimani Highway was diverted after the crash.")


def test_an_event_word_opening_a_text_with_an_apposition_is_the_thing(matcher: Matcher) -> None:
    assert "rocket attack" not in events(matcher, "Katyusha, the Kyiv bakery, sells poppy-seed pastries until noon.")


def test_a_states_body_stays_in_a_sports_sentence(matcher: Matcher) -> None:
    assert "United States" in actors(matcher, "The President welcomed the Stanley Cup champions at the White House.")


def test_iraqs_coach_after_a_cup_final_is_sport(matcher: Matcher) -> None:
    assert "Iraq" not in actors(matcher, "Iraq's head coach resigned after the cup final in Doha.")


def test_sport_or_fiction_is_told_in_its_clause(matcher: Matcher) -> None:
    text = "Kataib Hezbollah swore revenge for the slain commander; elsewhere, a war movie topped the box office."
    assert {"retaliation", "threat"} <= events(matcher, text)
    assert "retaliation" not in events(matcher, "In the video game, players can avenge their squad by storming the militia's base.")


# Kind 4: a hyphen at a line end before a word that ends compounds is the compound's own.

@pytest.mark.parametrize("text", [
    "Kataib Hezbollah, an Iran-\naligned militia, fired rockets at the base.",
    "The Tehran-\nbacked group claimed the drone attack.",
])
def test_a_compound_cut_at_its_hyphen_keeps_its_name(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "Iran" in actors(matcher, text)
    assert "Iran" in actors(plain, text)


def test_a_word_cut_at_a_line_end_is_still_joined(matcher: Matcher) -> None:
    assert "Iran" in actors(matcher, "Ira-\nnian missiles struck the base overnight.")


# Kind 5: nationality adjectives on militias and private persons; the state's police and negotiators.

@pytest.mark.parametrize("text, actor", [
    ("Iraqi armed factions fired rockets at the logistics base.", "Iraq"),
    ("A delegation of Iranian clerics visited the shrines of Najaf.", "Iran"),
    ("Two Iraqi doctors were kidnapped in Basra by unknown gunmen.", "Iraq"),
])
def test_a_nationality_adjective_on_factions_clerics_or_doctors_is_no_state(matcher: Matcher, text: str, actor: str) -> None:
    assert actor not in actors(matcher, text)


@pytest.mark.parametrize("text, actor", [
    ("Gunmen killed two Iraqi policemen at a checkpoint near Tikrit.", "Iraq"),
    ("Iranian negotiators left Vienna without a deal on Friday.", "Iran"),
])
def test_the_states_police_and_negotiators_are_the_state(matcher: Matcher, text: str, actor: str) -> None:
    assert actor in actors(matcher, text)


# Kinds 5 and 7: the other languages' drones, passives and genitives; coverage.

@pytest.mark.parametrize("text", [
    "Un dron mató a dos milicianos cerca de Bagdad.",
    "Un dron atacó un convoy de la milicia en Al Qaim.",
])
def test_a_spanish_drone_that_attacked_or_killed(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "drone strike" in events(matcher, text)
    assert "drone strike" in events(plain, text)


def test_a_romance_passive_names_its_embassy_far_before_the_act(matcher: Matcher) -> None:
    text = "L'ambassade de France à Téhéran a été prise d'assaut par des centaines d'étudiants."
    assert "embassy attack" in events(matcher, text)


def test_the_german_genitive_of_the_airport(matcher: Matcher) -> None:
    assert "Baghdad International Airport" in actors(matcher, "Am Rande des Flughafens von Bagdad explodierte eine Autobombe.")


def test_rockets_that_hit_are_a_rocket_attack_not_a_strike(matcher: Matcher) -> None:
    found = events(matcher, "Three rockets hit a US outpost near Deir ez-Zor overnight.")
    assert "rocket attack" in found
    assert "strike" not in found


@pytest.mark.parametrize("text, event", [
    ("Iran conducted a missile test over the Gulf of Oman on Tuesday.", "ballistic missiles"),
    ("France accused Iran of the killing of a dissident in a Paris suburb.", "killing"),
    ("Washington pressed Baghdad to rein in the militias firing at its bases.", "de-escalation"),
    ("The envoy urged the factions to pause their attacks on coalition convoys.", "de-escalation"),
])
def test_coverage_for_any_list(matcher: Matcher, plain: Matcher, text: str, event: str) -> None:
    assert event in events(matcher, text)
    assert event in events(plain, text)
