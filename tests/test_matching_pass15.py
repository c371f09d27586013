"""Issue 15's pass on the errors of sets 19-23, by kind (each sentence written for these tests): a later generic word
that refers back to an event already typed ("such attacks", "either attack", "..., the third attack", "the April 1
strike") adds nothing; a death in clashes is a killing, not a fight."""

from __future__ import annotations

import pytest

from monitor.matching.matcher import Matcher
from tests.matching_fixtures import events

# The guide: a later generic word that refers back to an event already typed in the text adds nothing.

@pytest.mark.parametrize("text", [
    "Three Katyusha rockets hit Ain al-Asad on Friday but caused no damage, the fourth attack on the base since May.",
    "A roadside bomb struck a supply convoy near Nasiriyah. No group has claimed either attack, officials in Baghdad said.",
    "A roadside bomb hit a convoy near Basra. Two US contractors died in such attacks last year.",
    "Rockets hit a base near Erbil airport. Iraq's government condemned the March 3 attack on Friday.",
])
def test_a_generic_word_that_refers_back_adds_nothing(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "strike" not in events(matcher, text)
    assert "strike" not in events(plain, text)


def test_a_new_attack_told_after_a_specific_one_stays(matcher: Matcher) -> None:
    assert "strike" in events(matcher, "Rockets hit the Green Zone on Monday. On Tuesday militiamen attacked a US convoy near Taji.")


# A death in clashes: the killing is told, the clashes are its circumstance.

@pytest.mark.parametrize("text", [
    "Three Basij members were killed in clashes with Baluch gunmen in Zahedan, Iranian media said.",
    "Two Iraqi policemen died in heavy clashes between rival clans in Basra.",
])
def test_a_death_in_clashes_is_a_killing_not_a_fight(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "killing" in events(matcher, text)
    assert "strike" not in events(matcher, text)
    assert "strike" not in events(plain, text)


def test_sides_that_clash_still_fight(matcher: Matcher) -> None:
    assert "strike" in events(matcher, "Kataib Hezbollah fighters clashed with Peshmerga near Makhmour, leaving two dead.")


# Two acts in one sentence: the generic one answered in reprisal (in French, Spanish, Italian, German too), or listed
# beside the specific one ("both ... and"), is another act, labelled as well.

@pytest.mark.parametrize("text", [
    "Le Hezbollah a tiré des roquettes sur une base israélienne en représailles à une frappe qui a tué trois combattants.",
    "Hezbolá disparó cohetes contra un cuartel israelí en represalia por un ataque que mató a dos milicianos.",
    "The UN condemned both the US strike on the convoy and the Iranian missile attacks on Erbil.",
])
def test_a_generic_act_answered_or_listed_beside_a_specific_one_is_another(matcher: Matcher, text: str) -> None:
    assert "strike" in events(matcher, text)


# A war said not to be wanted (the guide's "not seeking a wider war") in the press's other wordings.

@pytest.mark.parametrize("text", [
    "The Pentagon said it doesn't want a war with Iran.",
    "General Milley said Washington was not looking for a fight with Tehran.",
    "Diplomats say Khamenei has little appetite for a direct war with the United States.",
    "Tehran said it was not seeking tension with its Gulf neighbours.",
])
def test_a_war_not_wanted_is_a_de_escalation(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "de-escalation" in events(matcher, text)
    assert "de-escalation" in events(plain, text)


@pytest.mark.parametrize("text", [
    "Analysts fear the Gulf is edging toward open conflict after the tanker seizures by Iran.",
    "The downing of the drone brought Iran and the United States close to war.",
    "Der Anschlag hat die Region an den Rand eines Krieges gebracht, sagte ein Sprecher in Teheran.",
])
def test_a_slide_toward_war_is_an_escalation(matcher: Matcher, text: str) -> None:
    assert "escalation" in events(matcher, text)


def test_a_full_scale_war_to_avoid_is_no_escalation(matcher: Matcher) -> None:
    result = events(matcher, "Tehran still wanted to avoid a full-scale war with Israel, analysts said.")
    assert "de-escalation" in result and "escalation" not in result


# A warning of a response said as a formula is a threat.

@pytest.mark.parametrize("text", [
    "The Hashd said it reserved the right to respond to the explosions at its depots.",
    "Khamenei said Iran would firmly confront any aggressor.",
    "Foreign warships that enter the strait uninvited will be dealt with, the IRGC navy chief said.",
])
def test_a_warning_of_a_response_is_a_threat(matcher: Matcher, text: str) -> None:
    assert "threat" in events(matcher, text)


# Weapons, parts or money moved are no troops deployed; a failure to rein in armed groups is no call for restraint.

@pytest.mark.parametrize("text", [
    "Kataib Hezbollah was seen moving heavy weapons toward the Syrian border, sources said.",
    "The Quds Force moves money and drone components through Kurdish smuggling routes, officials said.",
])
def test_materiel_moved_is_no_troop_deployment(matcher: Matcher, text: str) -> None:
    assert "troop deployment" not in events(matcher, text)


def test_units_moved_are_still_deployed(matcher: Matcher) -> None:
    assert "troop deployment" in events(matcher, "The Hashd moved two brigades to the outskirts of Sinjar on Thursday.")


def test_a_failure_to_rein_in_is_no_de_escalation(matcher: Matcher) -> None:
    assert "de-escalation" not in events(matcher, "Iraq's government has struggled to rein in the armed factions loyal to Iran.")
    assert "de-escalation" in events(matcher, "The US envoy urged Iraq to rein in the armed factions loyal to Iran.")
