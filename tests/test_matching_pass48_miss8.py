"""Stop 48's pass on the misses of sets 25-26, by kind (each sentence written for these tests): a word of the
watchlist's event phrases before a surname is the act done to the person, not another person's given name
("Killing Soleimani was legal"); a generic act that tells another act than the specific one of its sentence does
not yield to it: a further one in German, Spanish or Italian ("mit weiteren Angriffen", "otro ataque"), a
counter-attack, an act answered ("and Turkey responded with shelling") or its cause ("because rockets had hit"), an act threatened in a clause after one
done ("..., and the group said it would hit more bases"), the downing of something named after it; lawmakers who
walk out of a session, and the European Union, tell no labour dispute; the other persons of listed French futures
("L'Amérique paiera le prix", "Nous ne cherchons pas la guerre"); what a person sends is no place ("the threat from
Soleimani")."""

from __future__ import annotations

import pytest

from monitor.matching.matcher import Matcher
from tests.matching_fixtures import actors, events

# An event word before a surname: the act, not a given name.

@pytest.mark.parametrize(("text", "person"), [
    ("Killing Muhandis was a mistake, an Iraqi MP told parliament.", "Abu Mahdi al-Muhandis"),
    ("Opinion | Killing Soleimani was legal, but the White House has yet to say why.", "Qasem Soleimani"),
    ("Killing Soleimani: the inside story of the night at the airport.", "Qasem Soleimani"),
])
def test_an_event_word_before_a_surname_is_no_given_name(matcher: Matcher, text: str, person: str) -> None:
    assert person in actors(matcher, text)
    assert "killing" in events(matcher, text)


@pytest.mark.parametrize("text", [
    "Amin Soleimani won the Tehran chess open on Sunday.",
    "Teenage striker Sara Soleimani scored twice in the cup final.",
])
def test_another_given_name_before_the_surname_stays_another_person(matcher: Matcher, text: str) -> None:
    assert "Qasem Soleimani" not in actors(matcher, text)


# A generic act that tells another act than the specific one of its sentence.

@pytest.mark.parametrize("text", [
    "Die Miliz feuerte Raketen auf den Stützpunkt Taji und drohte mit weiteren Angriffen.",
    "Milicianos lanzaron cohetes contra la base de Taji y prometieron otro ataque.",
    "Miliziani hanno lanciato razzi contro la base di Taji e minacciano ulteriori attacchi.",
    "Militiamen fired rockets at Camp Taji, and the Pentagon said a counter-attack was being prepared.",
    "Gunmen fired rockets at a Turkish base in northern Iraq, and Turkey responded with shelling of the hills.",
    "Militia drones struck a base near Erbil overnight, and the group said it would hit more bases next week.",
    "The missile barrage on Ain al-Asad and the downing of the Ukrainian airliner came in the same night.",
    "US forces struck a militia depot near Qaim because rockets had hit Ain al-Asad the day before.",
])
def test_a_generic_act_that_tells_another_act_stays(matcher: Matcher, text: str) -> None:
    assert "strike" in events(matcher, text)


@pytest.mark.parametrize("text", [
    "Officials said warplanes would strike the depots near Qaim by nightfall.",  # one act threatened: the air strike
    "A drone circled over the embassy compound, and the militia threatened to strike it.",  # the embassy is the target
    "Rockets hit the base, and a second rocket attack followed an hour later.",
    "Rockets struck the base because the militia wanted revenge for the killing of its commander.",
])
def test_a_generic_act_that_is_the_specific_one_still_yields(matcher: Matcher, text: str) -> None:
    assert "strike" not in events(matcher, text)


# What only looks like a labour dispute: a walkout from a session or talks, a union of states.

@pytest.mark.parametrize(("text", "event"), [
    ("Sunni lawmakers walked out of the session after a Shiite deputy threatened to attack US forces in Anbar.", "threat"),
    ("Opposition MPs walked out of parliament as militia leaders vowed to escalate attacks on US bases.", "escalation"),
    ("The European Union's foreign ministers met in Brussels and called on all sides to exercise maximum restraint.", "de-escalation"),
    ("The African Union said both sides must exercise restraint after the clashes on the border.", "de-escalation"),
])
def test_a_walkout_from_a_session_or_a_union_of_states_is_no_labour_dispute(matcher: Matcher, text: str, event: str) -> None:
    assert event in events(matcher, text)


@pytest.mark.parametrize("text", [
    "Dockers walked out of the port on a 24-hour strike over wages.",
    "The nurses' union called for calm after the walkout escalated.",
])
def test_a_labour_dispute_stays_one(matcher: Matcher, text: str) -> None:
    assert not events(matcher, text) & {"strike", "escalation", "de-escalation"}


# The other persons of listed phrases (French verbs that Snowball leaves apart).

@pytest.mark.parametrize(("text", "event"), [
    ("« Washington paiera le prix de ce crime », a déclaré le commandant des Gardiens de la révolution.", "retaliation"),
    ("« Estados Unidos pagará el precio », dijo el comandante iraní tras el ataque.", "retaliation"),
    ("« Nous ne cherchons pas la guerre », a dit le ministre iranien des Affaires étrangères.", "de-escalation"),
])
def test_the_other_persons_of_a_listed_phrase(matcher: Matcher, text: str, event: str) -> None:
    assert event in events(matcher, text)


# What a person sends is no place: "the threat from Soleimani" (travelling from Soleimani, the city, stays a place).

@pytest.mark.parametrize("text", [
    "Trump's aides described the threat from Soleimani as imminent, but senators were not convinced.",
    "Iraqi militia leaders received orders from Soleimani in the weeks before the embassy siege.",
])
def test_what_a_person_sends_is_no_place(matcher: Matcher, text: str) -> None:
    assert "Qasem Soleimani" in actors(matcher, text)


def test_travelling_from_the_city_stays_a_place(matcher: Matcher) -> None:
    assert "Qasem Soleimani" not in actors(matcher, "Two traders travelling from Soleimani to Kirkuk were stopped at a checkpoint.")
