"""Issue 15, the pass that made set 10 in-sample: the kinds of text it missed or misread, told in sentences
written for these tests (none from an evaluation set): nationality adjectives on militias, private persons
and the press; capitals as governments and as places; states inside other things' names; hostages, threats,
escalations and truces in their everyday senses; sport, music, medicine and weather; look-alike and introduced
surnames; drones as the means of a strike; the other languages' titles, genitives and words of war."""

from __future__ import annotations

import pytest

from monitor.matching.matcher import Matcher
from tests.matching_fixtures import actors, events




# Demonyms: a nationality adjective on a militia, a private person's trade or the press is no state acting.

@pytest.mark.parametrize("text", [
    "Iraqi militias paraded their new rocket launchers through Karbala on Friday.",
    "Die irakischen Milizen kündigten neue Angriffe auf Konvois an.",
])
def test_a_nationality_adjective_on_a_militia_is_no_state(matcher: Matcher, text: str) -> None:
    assert "Iraq" not in actors(matcher, text)


@pytest.mark.parametrize("text", [
    "An Iraqi political analyst told the conference that the budget would pass by spring.",
    "The Iranian rights activist was given an award in Oslo.",
])
def test_a_nationality_adjective_on_a_private_persons_trade_is_no_state_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert not {"Iraq", "Iran"} & actors(matcher, text)
    assert not {"Iraq", "Iran"} & actors(plain, text)


def test_a_body_of_the_state_before_a_trade_stays(matcher: Matcher) -> None:
    assert "United States" in actors(matcher, "A Pentagon analyst briefed the committee on the drone programme.")


@pytest.mark.parametrize("text", [
    "Several US media outlets reported the singer's wedding in Lisbon.",
    "Die Sängerin hat geheiratet, berichten US-Medien.",
])
def test_a_countrys_media_are_no_state(matcher: Matcher, text: str) -> None:
    assert "United States" not in actors(matcher, text)


def test_state_media_stay_the_state(matcher: Matcher) -> None:
    assert "Iran" in actors(matcher, "Iranian state media said the missiles had hit their targets.")


# Capitals: a government when it speaks or is a party of relations; a place when one passes through it.

@pytest.mark.parametrize("text", [
    "Baghdad calls the raid a violation of its sovereignty.",
    "Relations between Baghdad and Ankara soured over the water dispute.",
])
def test_a_capital_that_calls_or_is_a_party_of_relations_is_the_government(matcher: Matcher, text: str) -> None:
    found = actors(matcher, text)
    assert "Iraq" in found and "Baghdad" not in found


def test_a_capital_one_marches_through_is_the_city(matcher: Matcher) -> None:
    assert "Iran" not in actors(matcher, "Pilgrims walked through Tehran on their way to the shrine.")


@pytest.mark.parametrize("text", [
    "The Washington Nationals lost their third game in a row.",
    "The Tehran Times printed the minister's interview on its front page.",
])
def test_a_capital_before_a_capitalised_plural_names_a_club_or_a_paper(matcher: Matcher, text: str) -> None:
    assert not {"United States", "Iran"} & actors(matcher, text)


# Names that hold a state or a place: an organisation's, a firm's, an airline's.

@pytest.mark.parametrize("text", [
    "Volunteers from the Girl Scouts of America planted trees in the park.",
    "A statement from the Islamic Resistance in Iraq claimed the drone attack on the base.",
])
def test_a_state_ending_an_organisations_name_is_part_of_the_name_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert not {"United States", "Iraq"} & actors(matcher, text)
    assert not {"United States", "Iraq"} & actors(plain, text)


def test_a_states_own_bodies_stay_the_state(matcher: Matcher) -> None:
    assert "Iran" in actors(matcher, "The Ministry of Foreign Affairs of the Islamic Republic of Iran condemned the strike.")


def test_a_place_in_a_things_name_after_its_kind_is_the_things_name(matcher: Matcher) -> None:
    assert "Baghdad" not in actors(matcher, "Regulators grounded the budget airline Sky Baghdad after a safety audit.")


def test_a_firm_said_in_another_language_is_no_person(matcher: Matcher) -> None:
    assert "Mark Esper" not in actors(matcher, "Esper, une société allemande de logiciels, a été rachetée par un fonds.")


# Senses: hostages, escalations, threats, truces and calm in their everyday uses.

@pytest.mark.parametrize("text", [
    "Commuters said the strike held the whole city hostage for a week.",
    "The senator accused his rivals of holding the farm bill hostage.",
])
def test_a_hostage_as_a_figure_of_speech_is_no_kidnapping_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "kidnapping" not in events(matcher, text)
    assert "kidnapping" not in events(plain, text)


@pytest.mark.parametrize("text", [
    "Gunmen held the engineer hostage for three weeks before releasing him.",
    "Kataib Hezbollah is holding the researcher hostage, officials believe.",
])
def test_a_hostage_held_by_gunmen_or_a_group_stays_a_kidnapping(matcher: Matcher, text: str) -> None:
    assert "kidnapping" in events(matcher, text)


def test_a_kidnapping_of_data_is_ransomware(matcher: Matcher) -> None:
    assert "kidnapping" not in events(matcher, "Secuestro de datos en una universidad: un programa cifra todos sus archivos.")


@pytest.mark.parametrize("text", [
    "Her billing dispute was escalated to a senior manager after two weeks.",
    "Iran's food prices have escalated sharply since the spring, traders said.",
])
def test_an_escalation_of_service_or_prices_is_no_conflict(matcher: Matcher, text: str) -> None:
    assert "escalation" not in events(matcher, text)


def test_easing_tensions_in_a_market_is_no_de_escalation(matcher: Matcher) -> None:
    assert "de-escalation" not in events(matcher, "Iraq's central bank sold dollars to ease tensions in the foreign exchange market.")


def test_an_escalation_not_sought_is_no_escalation(matcher: Matcher) -> None:
    found = events(matcher, "Washington said it was not seeking a wider conflict with Iran.")
    assert "escalation" not in found and "de-escalation" in found


def test_a_crisis_that_threatens_to_is_a_risk_not_a_threat(matcher: Matcher) -> None:
    assert "threat" not in events(matcher, "La crisis entre Washington y Teherán amenaza con arrastrar a toda la región.")


def test_a_threat_of_storms_is_a_forecast(matcher: Matcher) -> None:
    assert "threat" not in events(matcher, "Forecasters see a threat of heavy thunderstorms over Baghdad on Sunday.")


@pytest.mark.parametrize("text", [
    "The nurses' union agreed to a ceasefire in the pay dispute with the hospital trust.",
    "Le ministre a appelé à la désescalade dans le conflit social chez les cheminots.",
])
def test_a_labour_dispute_takes_its_ceasefire_and_calm_in_any_language(matcher: Matcher, text: str) -> None:
    assert not {"ceasefire", "de-escalation"} & events(matcher, text)


def test_a_heart_attack_is_the_bodys(matcher: Matcher) -> None:
    assert "embassy attack" not in events(matcher, "The consul had a heart attack during the embassy's garden party.")


@pytest.mark.parametrize("text", [
    "Iraq's footballers got revenge on Jordan with a 3-1 win in Amman.",
    "England's seamers launched an attack on the top order after tea.",
    "Katyusha, the folk song, was sung by the choir at the end of the concert.",
])
def test_sport_and_music_take_their_events_and_states(matcher: Matcher, text: str) -> None:
    assert not {"retaliation", "strike", "rocket attack"} & events(matcher, text)
    assert "Iraq" not in actors(matcher, text)


# Look-alikes and introduced names.

@pytest.mark.parametrize("text", [
    "A carpenter named Soleimani won the village's woodworking prize.",
    "The Iranian goalkeeper Soleimani saved two penalties in the final.",
])
def test_a_surname_introduced_by_a_name_or_a_role_is_another_person(matcher: Matcher, text: str) -> None:
    assert "Qasem Soleimani" not in actors(matcher, text)


def test_a_look_alike_its_author_listed_is_the_other_name_after_a_title(matcher: Matcher) -> None:
    assert "Ali Khamenei" not in actors(matcher, "Pilgrims gathered at the tomb of Ayatollah Khomeini south of the capital.")


def test_a_look_alike_first_name_of_another_person_is_not_the_surname(matcher: Matcher) -> None:
    assert "Mark Milley" not in actors(matcher, "Millie Jane Harper opened the US tour in Denver.")


def test_a_variant_surname_where_a_place_stands_is_the_place(matcher: Matcher) -> None:
    assert "Qasem Soleimani" not in actors(matcher, "Nurses in Erbil and Sulaimani walked out over unpaid salaries.")


def test_a_group_before_a_road_word_is_the_road(matcher: Matcher) -> None:
    assert "Islamic Revolutionary Guard Corps" not in actors(matcher, "Roadworks will close the Pasdaran highway for two nights.")


def test_a_spanish_verb_form_is_no_state(matcher: Matcher) -> None:
    assert "Iran" not in actors(matcher, "Los conductores irán a la huelga el próximo martes.")


# Hierarchy of events: drones as the means of a strike.

@pytest.mark.parametrize("text", [
    "The militia said it hit the airfield with three drones overnight.",
    "The group bombed the depot with two drones before dawn.",
])
def test_a_strike_whose_means_are_drones_is_a_drone_strike(matcher: Matcher, text: str) -> None:
    found = events(matcher, text)
    assert "drone strike" in found and not {"strike", "bombing"} & found


def test_a_bomb_a_drone_carries_is_the_drone_strike(matcher: Matcher) -> None:
    found = events(matcher, "A bomb-laden drone hit the fuel depot in Erbil on Monday.")
    assert "drone strike" in found and "bombing" not in found


# Coverage and other languages.

@pytest.mark.parametrize("text", [
    "The downing of a US Global Hawk over the Gulf raised fears of war with Iran.",
    "Iran shot down an MQ-9 Reaper near the coast, the Pentagon said.",
])
def test_a_military_drone_by_its_type_can_be_downed(matcher: Matcher, text: str) -> None:
    assert "strike" in events(matcher, text)


def test_an_aircraft_designator_is_the_states_forces(matcher: Matcher) -> None:
    assert "United States" in actors(matcher, "American F-16s struck a weapons depot in eastern Syria.")


@pytest.mark.parametrize("text", [
    "Islamic State claimed responsibility for the attack on a checkpoint near Kirkuk.",
    "Der IS hat sich zu dem Anschlag auf einen Kontrollpunkt bekannt.",
])
def test_a_claimed_attack_is_a_strike(matcher: Matcher, text: str) -> None:
    assert "strike" in events(matcher, text)


def test_drones_that_fell_on_a_place_attacked_it(matcher: Matcher) -> None:
    assert "drone strike" in events(matcher, "Three drones fell on Erbil overnight, the regional government said.")


@pytest.mark.parametrize(("text", "name"), [
    ("Verteidigungsminister Esper kündigte neue Sanktionen an.", "Mark Esper"),
    ("La Guardia rivoluzionaria ha minacciato le navi americane.", "Islamic Revolutionary Guard Corps"),
    ("Irans Revolutionsgarden feuerten Raketen auf Stellungen in Syrien.", "Iran"),
    ("Die Journalistin wurde im Zentrum Bagdads entführt.", "Baghdad"),
])
def test_the_other_languages_titles_names_and_genitives(matcher: Matcher, text: str, name: str) -> None:
    assert name in actors(matcher, text)


def test_an_ambush_that_cost_lives_in_italian(matcher: Matcher) -> None:
    found = events(matcher, "L'agguato è costato la vita a tre soldati iracheni vicino a Kirkuk.")
    assert {"strike", "killing"} <= found
