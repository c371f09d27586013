"""Issue 15, what must not be reported, by kind (helper mustnot7): sentences written for these tests (none from
an evaluation set), each kind with the default list and, where the rule is the matcher's, the plain list."""

from __future__ import annotations

import pytest

from monitor.matching.matcher import Matcher
from tests.matching_fixtures import actors, events


# A bare surname that names a family is not the person.

@pytest.mark.parametrize("text", [
    "The Esper family's hardware store in Duluth is closing after 80 years.",
    "The Esper family farm hosts a pumpkin festival this weekend.",
    "La famille Esper a ouvert une boulangerie à Lyon.",
])
def test_a_surname_naming_a_family_is_not_the_person(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert "Mark Esper" not in actors(matcher, text)
    assert "Mark Esper" not in actors(plain, text)


def test_the_persons_own_family_stays_the_person(matcher: Matcher) -> None:
    assert "Mark Esper" in actors(matcher, "Defense Secretary Mark Esper said the Esper family had received threats.")
    assert "Donald Trump" in actors(matcher, "President Trump said Trump's family would not be intimidated.")


# A capital for its government, and a place's name inside another thing's name, with the shipped list.

@pytest.mark.parametrize("text", [
    "Bagdad a convoqué l'ambassadeur américain après les frappes.",
    "Iraq's foreign minister said Baghdad would not allow its soil to be used for attacks.",
    "Trump threatened sanctions on Iraq if Baghdad moved to expel US forces.",
])
def test_a_capital_acting_is_its_state_with_the_shipped_list(matcher: Matcher, text: str) -> None:
    assert "Baghdad" not in actors(matcher, text) and "Iraq" in actors(matcher, text)


@pytest.mark.parametrize("text", [
    "The owners of Baghdad Nights, a restaurant in Dearborn, said the fire was an accident.",
    "The Erbil Rockets, a local basketball club, opened their season with a win.",
    "A collision on the Baghdad–Kirkuk highway killed four people on Monday.",
])
def test_a_place_inside_another_things_name_is_not_the_place_with_the_shipped_list(matcher: Matcher, text: str) -> None:
    assert not {"Baghdad", "Erbil"} & actors(matcher, text)


def test_a_place_as_a_place_stays_with_the_shipped_list(matcher: Matcher) -> None:
    assert "Baghdad" in actors(matcher, "Three rockets struck Baghdad Tuesday, police said.")
    assert "Baghdad" in actors(matcher, "A car bomb in Baghdad has killed ten people.")


# The guide's "targeted killing" is an assassination, not also a killing, in the other languages too.

@pytest.mark.parametrize("text", [
    "Die gezielte Tötung Soleimanis war nach Ansicht von UN-Experten völkerrechtswidrig.",
    "Secondo la relatrice Onu, l'uccisione mirata di Soleimani ha violato il diritto internazionale.",
    "Les juristes jugent illégale l'élimination ciblée du général iranien.",
    "Los juristas consideran ilegal la eliminación selectiva del general iraní.",
])
def test_a_targeted_killing_in_another_language_is_an_assassination_not_a_killing(matcher: Matcher, plain: Matcher, text: str) -> None:
    assert events(matcher, text) == {"assassination"}
    assert "killing" not in events(plain, text) and "assassination" in events(plain, text)


def test_a_killing_word_beside_a_targeted_killing_stays_a_killing(matcher: Matcher) -> None:
    assert events(matcher, "Die gezielte Tötung Soleimanis: zwei Begleiter wurden getötet.") == {"assassination", "killing"}
