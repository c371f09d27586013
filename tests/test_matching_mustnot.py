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


# Event words outside the domain, by kind (helper senses7): a quantity's escalation, a whistleblower's retaliation,
# a truce in a contest of business or words, a match's result.

@pytest.mark.parametrize("text", [
    "Cost escalation on Baghdad's new metro line has alarmed Iraqi lawmakers.",
    "Price escalation in Baghdad's housing market has delayed two projects.",
])
def test_a_quantitys_escalation_is_not_an_escalation(matcher: Matcher, text: str) -> None:
    assert "escalation" not in events(matcher, text)


def test_an_escalation_between_states_stays(matcher: Matcher) -> None:
    assert "escalation" in events(matcher, "The escalation between Iran and the United States alarmed Gulf states.")
    assert "escalation" in events(matcher, "Officials warned of a further escalation after the rocket attack on the US base.")


@pytest.mark.parametrize("text", [
    "A former State Department clerk says she faced retaliation after flagging irregular invoices.",
    "An army nurse says he was demoted in retaliation for reporting abuse at the clinic.",
    "The merger would invite retaliation from competition regulators in Brussels, lawyers said.",
])
def test_a_whistleblowers_retaliation_is_not_the_domains(matcher: Matcher, text: str) -> None:
    assert "retaliation" not in events(matcher, text)


def test_a_states_retaliation_stays(matcher: Matcher) -> None:
    assert "retaliation" in events(matcher, "Iran vowed retaliation for the killing of Soleimani.")
    assert "retaliation" in events(matcher, "Kataeb Hezbollah promised retaliation after the US strikes on its bases.")


@pytest.mark.parametrize("text", [
    "Activist funds agreed a truce with the board of a Baghdad bank after a proxy fight.",
    "The two rappers declared a ceasefire in their long-running social media feud.",
    "Markets rallied on reports of a truce in the US-EU tariff dispute.",
])
def test_a_truce_in_a_contest_of_business_or_words_is_not_a_ceasefire(matcher: Matcher, text: str) -> None:
    assert "ceasefire" not in events(matcher, text)


def test_a_ceasefire_between_fighters_stays(matcher: Matcher) -> None:
    assert "ceasefire" in events(matcher, "Kataeb Hezbollah announced a truce with US forces in Iraq.")
    assert "ceasefire" in events(matcher, "A ceasefire in Gaza took effect on Sunday morning.")
    assert "ceasefire" in events(matcher, "Elders brokered a ceasefire in the tribal feud near Basra after three days of gunfire.")  # a clan feud is fought


@pytest.mark.parametrize("text", [
    "Iraq's attack looked sharp as they beat Jordan 3-0 in Amman.",
    "The Washington Commanders' attack ran riot in a 41-7 rout of the Giants.",
    "Die Rache des Aufsteigers: Freiburg schlägt Mainz mit 4:1.",
])
def test_the_events_of_a_matchs_result_are_a_games(matcher: Matcher, text: str) -> None:
    assert not events(matcher, text) & {"strike", "retaliation", "killing"}


def test_a_casualty_range_is_no_score(matcher: Matcher) -> None:
    assert "strike" in events(matcher, "The attack on the convoy killed 3-4 soldiers and wounded 10-12 more, police said.")
    assert "rocket attack" in events(matcher, "Iraq beat Iran 2-1 in Basra. Hours later a rocket attack struck Balad air base.")


@pytest.mark.parametrize("text", [
    "Air-traffic controllers in Italy began a 48-hour strike, cancelling flights to Rome.",
    "Air crews at the national carrier began an open-ended strike over pensions.",
])
def test_a_strike_for_a_time_or_of_a_kind_is_a_stoppage_of_work(matcher: Matcher, text: str) -> None:
    assert "strike" not in events(matcher, text)


def test_a_strike_of_force_stays_beside_a_time(matcher: Matcher) -> None:
    assert "strike" in events(matcher, "A US strike killed three Kataeb Hezbollah fighters after a three-day standoff.")


def test_retaliation_against_someone_who_reported_is_a_workplaces(matcher: Matcher) -> None:
    assert "retaliation" not in events(matcher, "A Pentagon panel found unlawful retaliation against an auditor who flagged overbilling.")
    assert "retaliation" in events(matcher, "Iran promised retaliation against the United States, which it said had killed Soleimani.")


# A vote's or an election's count is not a match's score (found after helper senses7's rule: real hits were dropped).

@pytest.mark.parametrize(("text", "event"), [
    ("House Democrats won a 224-194 vote to limit Trump's power to strike Iran without Congress.", "strike"),
    ("Trump won the 2016 election 304-227 and ordered the drone strike that killed Soleimani.", "drone strike"),
])
def test_a_vote_or_an_election_count_keeps_its_events(matcher: Matcher, text: str, event: str) -> None:
    assert event in events(matcher, text)


# A strike for a time aimed at a target is an attack, not a stoppage of work (found after helper senses7's rule).

@pytest.mark.parametrize("text", [
    "The Pentagon said 24-hour strikes on Kataib Hezbollah depots would continue.",
    "US jets began a three-day strike against Kataib Hezbollah positions in Iraq.",
])
def test_a_strike_for_a_time_on_a_target_is_an_attack(matcher: Matcher, text: str) -> None:
    assert "strike" in events(matcher, text)


def test_a_stoppage_for_a_time_on_a_weekday_stays_a_stoppage(matcher: Matcher) -> None:
    assert "strike" not in events(matcher, "Dockworkers in Basra began a 24-hour strike on Monday over unpaid wages.")


def test_a_stoppage_for_a_time_against_a_price_stays_a_stoppage(matcher: Matcher) -> None:
    assert "strike" not in events(matcher, "Taxi drivers in Sulaymaniyah held a one-day strike against rising fuel prices.")
