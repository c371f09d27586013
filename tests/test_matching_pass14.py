"""Issue 15, the pass that made set 14 in-sample: the kinds of text it missed or misread, told in sentences
written for these tests (none from an evaluation set): a natural disaster that strikes; a newspaper named
after a place; an armed side's halt of its own attacks told as such."""

from __future__ import annotations

import pytest

from monitor.matching.matcher import Matcher
from tests.matching_fixtures import actors, events


# Senses: a natural disaster as the subject of "struck" or "hit" is no attack, for any list.

@pytest.mark.parametrize("text", [
    "A magnitude 7.1 earthquake struck off the coast of Sumatra near the Iraqi-funded port on Friday.",
    "Typhoon Haiyan hit the central Philippines, where US Marines later delivered aid.",
    "Un séisme a frappé le sud de l'Iran mardi, selon les autorités iraniennes.",
    "The cyclone that hit Oman last week flooded roads near the US naval base.",
    "Un terremoto ha colpito il nord dell'Iraq nella notte.",
])
def test_a_disaster_that_strikes_is_no_attack_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "strike" not in events(matcher, text)
    assert "strike" not in events(plain, text)


def test_an_attack_after_a_disaster_stays(matcher: Matcher) -> None:
    assert "rocket attack" in events(matcher, "A rocket struck the US base in Iraq hours after the earthquake hit the region.")


# Look-alikes: a newspaper named after a place is no government.

@pytest.mark.parametrize("text", [
    "The Baghdad Post reported that the minister had resigned over the contract.",
    "Le Washington Post a révélé que le contrat avait été signé sans appel d'offres.",
    "A columnist for the Washington Examiner said the contract was overpriced.",
    "The Tehran Chronicle, a weekly, ran the interview on its front page.",
])
def test_a_newspaper_named_after_a_place_is_no_actor(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert not actors(matcher, text) & {"United States", "Iraq", "Iran", "Baghdad"}
    assert not actors(plain, text) & {"United States", "Iraq", "Iran", "Baghdad"}


def test_the_government_named_by_its_capital_stays(matcher: Matcher) -> None:
    assert "United States" in actors(matcher, "Washington said it would post more troops to the Gulf.")


# Coverage: an armed side's halt of its own attacks is a ceasefire, and the attacks keep their label.

@pytest.mark.parametrize("text", [
    "Hamas said it would suspend its rocket attacks on Israel for 48 hours.",
    "The Houthis announced they were halting drone strikes on shipping in the Red Sea.",
    "Kataib Hezbollah said it would pause its attacks on American forces in Iraq.",
    "Die Miliz kündigte an, ihre Angriffe auf US-Truppen im Irak einzustellen.",
    "Le Hezbollah a annoncé la suspension de ses attaques contre les forces israéliennes.",
])
def test_a_halt_of_ones_own_attacks_is_a_ceasefire_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "ceasefire" in events(matcher, text)
    assert "ceasefire" in events(plain, text)


@pytest.mark.parametrize("text", [
    "Kataib Hezbollah says it will PAUSE its attacks on American forces in Iraq.",
    "Houthis CEASE drone strikes on shipping in the Red Sea",
])
def test_a_halt_in_capitals_is_a_ceasefire_too(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "ceasefire" in events(matcher, text)  # the quick look before the regex was case-sensitive: PAUSE, CEASE never read
    assert "ceasefire" in events(plain, text)


def test_the_halted_attacks_keep_their_label(matcher: Matcher) -> None:
    assert "strike" in events(matcher, "Kataib Hezbollah said it would pause its attacks on American forces in Iraq.")


@pytest.mark.parametrize("text", [
    "Flights at Erbil airport were suspended after a drone attack on Tuesday.",
    "Qatar urged Kataib Hezbollah to halt its attacks on US forces.",
    "Schools were closed and trading halted following the rocket attack on the Green Zone.",
])
def test_a_halt_for_another_reason_or_a_call_is_no_ceasefire(matcher: Matcher, text: str) -> None:
    assert "ceasefire" not in events(matcher, text)


# Senses: an escalation of a treatment or a health service (a dose, a protocol, testing) is no conflict's.

@pytest.mark.parametrize("text", [
    "The oncologist said the dose escalation phase would enrol 40 patients in Baghdad.",
    "Nurses follow an escalation protocol when a patient's oxygen falls, the Iraqi health ministry said.",
    "Health officials urged hospitals in Iraq to escalate testing after measles cases rose.",
    "Les médecins de Téhéran ont décidé une escalade thérapeutique pour le patient.",
])
def test_a_treatments_escalation_is_no_escalation_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "escalation" not in events(matcher, text)
    assert "escalation" not in events(plain, text)


@pytest.mark.parametrize("text", [
    "Doctors at a hospital in Erbil said the escalation of fighting had filled their wards with wounded.",
    "The escalation between Iran and the United States has left hospitals in Baghdad short of blood.",
])
def test_a_wars_escalation_told_by_doctors_stays(matcher: Matcher, text: str) -> None:
    assert "escalation" in events(matcher, text)


# Senses: reprisals and threats over tariffs and duties are trade moves, for any list.

@pytest.mark.parametrize("text", [
    "China's tariffs on soybeans drew swift retaliation from Washington.",
    "The EU promised retaliation against new US duties on steel and aluminium.",
    "Canada vowed to retaliate against the American lumber tariffs, escalating the trade war.",
    "Bruxelles prépare des représailles contre les droits de douane américains.",
    "Pekín anunció represalias contra los aranceles de Washington.",
])
def test_a_reprisal_over_tariffs_is_a_trade_move_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert not events(matcher, text) & {"retaliation", "threat"}
    assert not events(plain, text) & {"retaliation", "threat"}


def test_a_reprisal_against_troops_beside_tariffs_stays(matcher: Matcher) -> None:
    assert "retaliation" in events(matcher, "Tehran threatened retaliation against US troops over the new tariffs on its steel.")


# Coverage: force held ready and consequences promised to an armed side are threats; a captive put to death is a killing.

@pytest.mark.parametrize("text", [
    "The Saudi defence minister said the kingdom was ready to use force to protect its oil fields if necessary.",
    "Le ministre a affirmé que la France était prête à recourir à la force si nécessaire.",
    "El ministro dijo que Turquía estaba dispuesta a usar la fuerza si no se retiraban las milicias.",
    "The militia said US forces would face the consequences unless they left by the deadline.",
])
def test_force_held_ready_is_a_threat_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "threat" in events(matcher, text)
    assert "threat" in events(plain, text)


@pytest.mark.parametrize("text", [
    "The team will face the consequences of a poor season, the coach said.",
    "The judge told the witness she would face serious consequences if she lied again.",
])
def test_consequences_outside_conflict_are_no_threat(matcher: Matcher, text: str) -> None:
    assert "threat" not in events(matcher, text)


@pytest.mark.parametrize("text", [
    "Gunmen of the Islamic State executed six prisoners in Raqqa, a monitoring group said.",
    "Die Gefangenen wurden von IS-Kämpfern in Mossul hingerichtet.",
    "Los milicianos fusilaron a los rehenes; los cuerpos de los ejecutados fueron hallados en Tikrit.",
])
def test_a_captive_put_to_death_is_a_killing_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "killing" in events(plain, text)


def test_a_plan_executed_is_no_killing(matcher: Matcher) -> None:
    assert "killing" not in events(matcher, "The Pentagon said the plan was executed flawlessly by US forces in Iraq.")


# Metonyms: a capital informed, wanted to act, describing, or holding a position is its government.

@pytest.mark.parametrize(("text", "state"), [
    ("Washington informed Tehran of the strike through Swiss channels.", "Iran"),
    ("Ankara notified Baghdad before its jets crossed the border.", "Iraq"),
    ("The United States wants Baghdad to expel the militias.", "Iraq"),
    ("The plan, which Tehran described as a provocation, was shelved.", "Iran"),
    ("Baghdad's objections were ignored by the coalition.", "Iraq"),
])
def test_a_capital_as_a_government_is_its_state(matcher: Matcher, text: str, state: str) -> None:
    assert state in actors(matcher, text)
    assert "Baghdad" not in actors(matcher, text)


@pytest.mark.parametrize("text", [
    "Baghdad's streets were quiet on Friday.",
    "Protesters in Baghdad described the scene as chaotic.",
])
def test_the_city_stays_the_city(matcher: Matcher, text: str) -> None:
    assert "Baghdad" in actors(matcher, text)
    assert "Iraq" not in actors(matcher, text)


# Senses: a sentence that tells a story by its parts, cast or roles takes its events and states.

@pytest.mark.parametrize("text", [
    "In the series finale, the heroine is kidnapped by militiamen in Baghdad.",
    "She was cast as a hostage of militiamen in Baghdad in a Turkish drama, the most demanding role of her career.",
    "The villain, an Iranian general, orders a drone strike on the US embassy in the final act.",
])
def test_a_storys_events_are_no_events_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert not events(matcher, text)
    assert not events(plain, text)


@pytest.mark.parametrize("text", [
    "The actress was kidnapped by gunmen in Baghdad on Tuesday, police said.",
    "The plot to bomb the US embassy in Baghdad was foiled, officials said.",
])
def test_real_acts_stay(matcher: Matcher, text: str) -> None:
    assert events(matcher, text)


# Look-alikes: an apposition that says a name is a troupe, a goddess, an algorithm or a private person by trade.

@pytest.mark.parametrize("text", [
    "Mark Esper, a retired plumber from Leeds, won the village pie contest.",
    "Hezbollah, the Brazilian samba troupe, opened the carnival parade.",
    "ISIS, the Egyptian goddess of motherhood, features in the new British Museum show.",
    "Soleimani, un boulanger de Lyon, a ouvert sa troisième boutique.",
])
def test_an_apposition_of_another_thing_takes_the_actor_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert not actors(matcher, text)
    assert not actors(plain, text)


def test_an_apposition_of_office_keeps_the_actor(matcher: Matcher) -> None:
    assert "Qasem Soleimani" in actors(matcher, "Qasem Soleimani, the commander of the Quds Force, was killed in a US drone strike.")


# Look-alikes: an armed group's acronym in a sentence about technology or a start-up is another thing's.

@pytest.mark.parametrize("text", [
    "The SaaS startup hit PMF after pivoting to payroll software.",
    "Engineers said the PMU firmware update fixed the battery drain on the new laptops.",
    "The ISIS imaging software is used by radiologists in three countries.",
])
def test_an_acronym_in_technology_is_no_armed_group_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert not actors(matcher, text)
    assert not actors(plain, text)


@pytest.mark.parametrize("text", [
    "PMF fighters clashed with ISIS militants near the Syrian border.",
    "IRGC hackers targeted the billing software of a US water utility, investigators said.",
])
def test_an_armed_groups_acronym_in_war_or_hacking_stays(matcher: Matcher, text: str) -> None:
    assert actors(matcher, text) & {"Popular Mobilization Forces", "Islamic State", "Islamic Revolutionary Guard Corps"}


# Look-alikes: a brand, a chain or a listed firm named after an actor.

@pytest.mark.parametrize("text", [
    "The fashion label 'Baghdad' opened its first store in Paris.",
    "The burger chain Tehran Nights closed three branches in Toronto.",
    "Shares in Iraq Telecom fell four percent on Monday.",
    "The 'Soleimani' brand of saffron is sold in Dubai supermarkets.",
])
def test_a_brand_named_after_an_actor_is_no_actor_for_any_list(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert not actors(matcher, text)
    assert not actors(plain, text)


@pytest.mark.parametrize("text", [
    "Iran's brand of diplomacy relies on proxies, an analyst said.",
    "Iran said shares in its oil exports to China had risen.",
])
def test_an_actors_own_brand_or_shares_keep_it(matcher: Matcher, text: str) -> None:
    assert "Iran" in actors(matcher, text)


# Other languages (default list): a death told beside the other languages' rockets, missiles, drones and bombs, or the
# Guards by their names there, is a killing.

@pytest.mark.parametrize("text", [
    "Un cohete disparado desde el Líbano mató a dos agricultores en Metula.",
    "Bei dem Einschlag einer Rakete in Haifa wurden drei Menschen getötet.",
    "Un razzo lanciato da Gaza ha ucciso due civili a Sderot.",
    "Les Gardiens de la révolution ont annoncé la mort de trois conseillers en Syrie.",
])
def test_a_death_beside_a_weapon_in_another_language_is_a_killing(matcher: Matcher, text: str) -> None:
    assert "killing" in events(matcher, text)


# Where the thirteenth and fourteenth passes met (session 32's merge): consequences a state will face from weather,
# pollution or disease are no threat, though "will face consequences" toward an armed side is one.

@pytest.mark.parametrize("text", [
    "Iraq will face severe consequences because of the drought, the UN agency said.",
    "Officials said Iran would face grave consequences from the spreading epidemic.",
])
def test_consequences_caused_by_a_hazard_are_no_threat(matcher: Matcher, text: str) -> None:
    assert "threat" not in events(matcher, text)
