"""Issue 15, the events sets 19-25 missed, by kind, told in sentences written for these tests (none from an
evaluation set): a killing said as murder, elimination or bodies found; the labelling guide's "boots on the
ground"; a reprisal said with an enclitic or separable verb (vengarse, zurückschlagen) or as Hezbollah's "just
punishment"; a warning given in French or German (a prévenu, gewarnt)."""

from __future__ import annotations

import pytest

from monitor.matching.matcher import Matcher
from tests.matching_fixtures import events


@pytest.mark.parametrize("text", [
    "Prosecutors say a Quds Force officer ordered the murder of a dissident in Istanbul.",
    "Militiamen murdered two shopkeepers at a checkpoint outside Basra.",
    "The army said it had eliminated a senior Islamic State commander in Anbar.",
    "Police said the bodies of three shepherds were found in the desert near Rutba.",
])
def test_a_killing_said_as_murder_elimination_or_bodies_found_is_a_killing(matcher: Matcher, text: str) -> None:
    assert "killing" in events(matcher, text)


def test_a_death_of_old_age_is_still_no_killing_with_the_new_words(matcher: Matcher) -> None:
    assert "killing" not in events(matcher, "The bodies of the two climbers were found after the avalanche.")


def test_boots_on_the_ground_is_a_troop_deployment_as_the_labelling_guide_says(matcher: Matcher) -> None:
    assert "troop deployment" in events(matcher, "The spokesman ruled out American boots on the ground in Lebanon.")


@pytest.mark.parametrize("text", [
    "Los milicianos juraron vengarse de Estados Unidos por la muerte de su jefe.",
    "I miliziani hanno giurato di vendicarsi degli americani.",
    "Die Miliz könnte über ihre Verbündeten in Syrien zurückschlagen.",
    "Nasrallah said the just punishment for the killing would fall on American bases.",
])
def test_a_reprisal_in_an_enclitic_or_separable_verb_or_a_formula_is_retaliation(matcher: Matcher, text: str) -> None:
    assert "retaliation" in events(matcher, text)


@pytest.mark.parametrize("text", [
    "Le commandant des Gardiens a prévenu qu'une attaque contre l'Iran mènerait à la guerre.",
    "Der Hisbollah-Chef hat Israel vor einem Angriff auf den Libanon gewarnt.",
])
def test_a_warning_given_in_french_or_german_is_a_threat(matcher: Matcher, text: str) -> None:
    assert "threat" in events(matcher, text)


def test_a_warning_of_a_danger_in_german_is_still_no_threat(matcher: Matcher) -> None:
    assert "threat" not in events(matcher, "Die Bundesregierung warnte vor einer weiteren Eskalation in der Region.")
