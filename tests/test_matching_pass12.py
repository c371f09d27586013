"""Issue 15, the pass that made set 12 in-sample: the kinds of text it missed or misread, told in sentences
written for these tests (none from an evaluation set): attacks and threats on abstract things, warnings that
only tell, markets and labour; accidents, unarmed and crashed drones, launchers as things; sport and ages;
firms named after actors, nationality adjectives on firms and private persons; regulators' sanctions and
forecasts; false friends of a stem, moves that send no force; films about real acts; sentence openers before a
surname; phrases apart across a clause; rockets that hit, threats of readiness and regret, diplomats expelled,
troops reinforced, warnings about Hormuz; a state's cabinet and air defences."""

from __future__ import annotations

import pytest

from monitor.matching.matcher import Matcher
from tests.matching_fixtures import actors, events


# Senses: an attack or a threat on an abstract thing is a figure of speech, for any list.

@pytest.mark.parametrize("text", [
    "Senator Graham called the ruling an attack on democracy and vowed to appeal.",
    "Der Minister nannte das Urteil einen Angriff auf die Pressefreiheit.",
    "Trump said the indictment was an attack on the constitution.",
    "Le député a dénoncé une attaque contre la démocratie.",
])
def test_an_attack_on_an_abstract_thing_is_no_strike_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "strike" not in events(matcher, text)
    assert "strike" not in events(plain, text)


def test_a_threat_to_an_abstract_thing_is_no_threat(matcher: Matcher) -> None:
    assert "threat" not in events(matcher, "The minister called the leaked memo a threat to press freedom in Iraq.")


def test_an_attack_on_a_base_stays(matcher: Matcher) -> None:
    assert "strike" in events(matcher, "Kataeb Hezbollah carried out an attack on a base used by US troops.")


# Senses: a warning by onlookers, or one that only tells how things stand, threatens nothing.

@pytest.mark.parametrize("text", [
    "Economists warned that Iran's currency was losing value against the dollar.",
    "Tensions between Tehran and Washington are at their highest in years, analysts warned.",
    "The magistrate warned the Iraqi witness that he could be held in contempt.",
    "US officials warned that Kataeb Hezbollah was moving fighters toward the border.",
])
def test_an_onlookers_warning_or_a_told_one_is_no_threat(matcher: Matcher, text: str) -> None:
    assert "threat" not in events(matcher, text)


@pytest.mark.parametrize("text", [
    "Iran warned that any attack on its soil would be met with a crushing response.",
    "The IRGC warned the US Navy to keep its warships out of the Gulf or face consequences.",
])
def test_a_warning_of_a_reprisal_stays_a_threat(matcher: Matcher, text: str) -> None:
    assert "threat" in events(matcher, text)


@pytest.mark.parametrize("text", [
    "Brokers fear an escalation in valuations across the tech sector after the rally.",
    "Traders warned of a further escalation of the sell-off in Gulf equities.",
])
def test_an_escalation_in_a_market_is_none(matcher: Matcher, text: str) -> None:
    assert "escalation" not in events(matcher, text)


@pytest.mark.parametrize("text", [
    "The teachers' union said the strike would escalate if talks failed.",
    "Dock workers announced a strike over pay, threatening chaos at the ports.",
])
def test_a_unions_strike_and_its_threats_are_labour(matcher: Matcher, text: str) -> None:
    assert not {"strike", "threat", "escalation"} & events(matcher, text)


def test_a_retaliatory_tariff_or_price_cut_is_trade(matcher: Matcher) -> None:
    assert "retaliation" not in events(matcher, "Beijing announced retaliatory tariffs on soybeans, and airlines matched with a retaliatory fare cut.")


# Senses: accidents, unarmed and crashed drones, a rocket launcher as a thing.

@pytest.mark.parametrize("text", [
    "A gas explosion at a warehouse in Basra killed six workers on Sunday.",
    "Nine people were killed when a boiler exploded at a textile factory near Tehran.",
])
def test_an_industrial_accident_is_no_killing(matcher: Matcher, text: str) -> None:
    assert not {"killing", "bombing"} & events(matcher, text)


def test_a_rocket_that_hit_a_factory_still_kills(matcher: Matcher) -> None:
    assert "killing" in events(matcher, "A rocket fired by the militia hit a factory in Erbil, killing two workers.")


@pytest.mark.parametrize("text", [
    "Iranian air defences downed a reconnaissance drone over the Gulf, state media said.",
    "A US spy drone went missing and crashed in the desert during a training flight.",
])
def test_an_unarmed_or_crashed_drone_is_no_drone_strike(matcher: Matcher, text: str) -> None:
    assert "drone strike" not in events(matcher, text)


def test_an_explosive_drone_that_crashed_into_a_base_stays_a_drone_strike(matcher: Matcher) -> None:
    assert "drone strike" in events(matcher, "An explosives-laden drone crashed into a hangar at the US base in Erbil.")


def test_a_rocket_launcher_seized_is_no_rocket_attack(matcher: Matcher) -> None:
    assert "rocket attack" not in events(matcher, "Iraqi police seized two rocket launchers hidden in an orchard near Baghdad.")


# Senses: sport, a fixture, and a bare surname with an age.

@pytest.mark.parametrize("text", [
    "Iran topped the medal table after two more golds in freestyle wrestling.",
    "Iraq v Qatar, 71 minutes: what a rocket into the top corner!",
    "The US swimmers took relay gold in a world-record time.",
])
def test_a_meet_or_a_fixture_is_no_state_acting_nor_an_attack(matcher: Matcher, text: str) -> None:
    assert not {"Iran", "Iraq", "United States"} & actors(matcher, text)
    assert "rocket attack" not in events(matcher, text)


@pytest.mark.parametrize("text", [
    "Esper, 34, a software engineer from Leeds, won the regional quiz.",
    "Soleimani, a 12-year-old from Isfahan, reached the final of the spelling bee.",
])
def test_a_bare_surname_with_an_age_is_a_private_person(matcher: Matcher, text: str) -> None:
    assert not {"Mark Esper", "Qasem Soleimani"} & actors(matcher, text)


# Names: firms named after an actor, and nationality adjectives on firms and private persons.

@pytest.mark.parametrize("text", [
    "Iraq Airways resumed flights to Beirut after a two-week pause.",
    "Baghdad Holdings reported higher profits for the quarter.",
])
def test_a_firm_named_after_an_actor_is_no_actor(matcher: Matcher, text: str) -> None:
    assert not {"Iraq", "Baghdad"} & actors(matcher, text)


def test_a_states_air_force_stays(matcher: Matcher) -> None:
    assert "Iran" in actors(matcher, "The Iran Air Force flew its ageing F-14s over Tehran.")


@pytest.mark.parametrize("text", [
    "Three engineers of an American construction company were abducted near Kirkuk.",
    "A bus carrying Iraqi pilgrims overturned on the road to Mashhad.",
    "Une entreprise américaine a racheté la chaîne de cafés.",
])
def test_a_nationality_adjective_on_a_firm_or_private_persons_is_no_state(matcher: Matcher, text: str) -> None:
    assert not {"United States", "Iraq"} & actors(matcher, text)


# Senses: penalties of regulators and judges, forecasts.

@pytest.mark.parametrize("text", [
    "The media regulator sanctioned an Iranian satellite channel for broadcasting adverts for gambling.",
    "The football federation sanctioned the Baghdad club after its fans invaded the pitch.",
])
def test_a_regulators_or_a_leagues_sanction_is_no_sanctions(matcher: Matcher, text: str) -> None:
    assert "sanctions" not in events(matcher, text)


def test_a_states_sanctions_stay(matcher: Matcher) -> None:
    assert "sanctions" in events(matcher, "The US Treasury sanctioned three Iraqi banks for moving money for Kataeb Hezbollah.")


def test_a_storm_threatening_the_coast_is_no_threat_nor_the_state(matcher: Matcher) -> None:
    text = "Meteorologists said the storm would batter the Washington coastline on Sunday, threatening ferries."
    assert "threat" not in events(matcher, text)
    assert "United States" not in actors(matcher, text)


# Forms: a false friend of a stem, a move that sends no force, a film about a real act.

@pytest.mark.parametrize("text", [
    "Les soldats irakiens ont repris la ville après trois jours de combats.",
    "Un groupe américain a racheté la raffinerie de Bassora.",
])
def test_french_words_that_share_a_stem_are_no_retaliation_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "retaliation" not in events(matcher, text)
    assert "retaliation" not in events(plain, text)


@pytest.mark.parametrize("text", [
    "The ministry moved its spokesman to Basra last week.",
    "Iran said such a move would be a grave mistake, but offered talks.",
])
def test_a_move_that_sends_no_force_is_no_deployment(matcher: Matcher, text: str) -> None:
    assert "troop deployment" not in events(matcher, text)


def test_a_real_killing_a_film_is_about_stays(matcher: Matcher) -> None:
    assert "killing" in events(matcher, "A documentary about the Soleimani killing opens in Tehran cinemas next week.")


def test_a_films_invented_killing_stays_fiction(matcher: Matcher) -> None:
    assert "killing" not in events(matcher, "In the new thriller film, a rogue agent plots the killing of a fictional general.")


# Look-alikes: a question word or another language's opener before a bare surname is no given name.

@pytest.mark.parametrize(("text", "name"), [
    ("Why Soleimani still matters to Iraq's militias, four years on.", "Qasem Soleimani"),
    ("Sans Soleimani, le réseau des milices s'est fragmenté en Irak.", "Qasem Soleimani"),
    ("Explainer | How Khamenei picks his generals", "Ali Khamenei"),
])
def test_an_opener_before_a_bare_surname_is_no_given_name(matcher: Matcher, text: str, name: str) -> None:
    assert name in actors(matcher, text)


# Phrases: words found apart across a clause of time or cause are two clauses.

@pytest.mark.parametrize("text", [
    "The airport suspended all flights after a drone attack on the cargo terminal.",
    "Schools suspended classes following rocket attacks on the Green Zone.",
])
def test_a_suspension_after_an_attack_is_no_ceasefire_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "ceasefire" not in events(matcher, text)
    assert "ceasefire" not in events(plain, text)


# Coverage and other languages: rockets that hit, readiness and regret, diplomats expelled, troops reinforced,
# warnings about Hormuz, a state's cabinet and air defences.

@pytest.mark.parametrize("text", [
    "Three rockets hit a logistics base near Baghdad airport overnight.",
    "Two rockets hit the Green Zone on Sunday, police said.",
])
def test_rockets_that_hit_are_a_rocket_attack(matcher: Matcher, text: str) -> None:
    assert "rocket attack" in events(matcher, text)


@pytest.mark.parametrize("text", [
    "Kataeb Hezbollah said its fighters were ready for war if US troops stayed.",
    "Los Guardianes dijeron que estaban listos para la guerra contra Estados Unidos.",
    "The Americans will regret this attack, the IRGC commander said.",
    "Khamenei promised the killers a harsh punishment for the attack.",
])
def test_readiness_for_war_regret_and_harsh_punishment_are_threats(matcher: Matcher, text: str) -> None:
    assert "threat" in events(matcher, text)


@pytest.mark.parametrize("text", [
    "Iraq expelled the Iranian military attaché over the strikes on Erbil.",
    "Berlin hat zwei iranische Diplomaten ausgewiesen.",
])
def test_a_diplomat_expelled_is_sanctions(matcher: Matcher, text: str) -> None:
    assert "sanctions" in events(matcher, text)


@pytest.mark.parametrize("text", [
    "Die USA wollen ihre Truppen im Irak weiter verstärken.",
    "Washington reinforced its troops in eastern Syria after the attack.",
])
def test_troops_reinforced_are_a_deployment(matcher: Matcher, text: str) -> None:
    assert "troop deployment" in events(matcher, text)


@pytest.mark.parametrize("text", [
    "Tehran warned it could shut the Strait of Hormuz to tankers.",
    "Iran warned of a blockade of Gulf shipping if the sanctions stayed.",
])
def test_a_warning_about_hormuz_or_a_blockade_is_a_threat(matcher: Matcher, text: str) -> None:
    assert "threat" in events(matcher, text)


@pytest.mark.parametrize("text", [
    "The Iraqi cabinet met on Sunday to discuss the budget.",
    "Die irakische Luftabwehr meldete einen Zwischenfall.",
])
def test_a_states_cabinet_and_air_defences_are_the_state(matcher: Matcher, text: str) -> None:
    assert "Iraq" in actors(matcher, text)


@pytest.mark.parametrize("text", [
    "Negotiators said talks on hostage releases had resumed in Doha.",
    "The mediators hope a hostage deal can be signed before the holiday.",
])
def test_a_hostage_whose_release_or_deal_is_told_is_a_kidnapping(matcher: Matcher, text: str) -> None:
    assert "kidnapping" in events(matcher, text)


def test_a_harvest_held_hostage_stays_a_figure_of_speech(matcher: Matcher) -> None:
    assert "kidnapping" not in events(matcher, "The drought held the harvest hostage for a second year, releasing prices upward.")


# Where the eleventh and twelfth passes met (session 32's merge): a warning that the other side is within range of
# one's weapons promises force, so it is a threat even when it only tells how things stand; sanctions on a state's
# firms sanction the state, though a nationality adjective on a private firm is no state.

@pytest.mark.parametrize("text", [
    "A senior aide to Khamenei warned that American warships in the Gulf were within range of Iran's missiles.",
    "Hezbollah's deputy leader warned that every city in the north was within reach of its fighters.",
])
def test_a_warning_that_the_other_side_is_within_range_is_a_threat(matcher: Matcher, text: str) -> None:
    assert "threat" in events(matcher, text)


def test_onlookers_warning_of_range_still_make_no_threat(matcher: Matcher) -> None:
    assert "threat" not in events(matcher, "Analysts warned that US bases were within range of Iranian missiles.")


@pytest.mark.parametrize("text", [
    "The Treasury imposed new sanctions on Iranian shipping companies on Tuesday.",
    "Washington sanctioned two Iranian petrochemical firms.",
])
def test_sanctions_on_a_states_firms_name_the_state(matcher: Matcher, text: str) -> None:
    assert "Iran" in actors(matcher, text)


def test_a_private_firm_of_a_nationality_outside_sanctions_stays_no_state(matcher: Matcher) -> None:
    assert "Iran" not in actors(matcher, "An Iranian logistics firm won the tender for the port.")
