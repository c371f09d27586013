"""Issue 15, the pass that made set 7 in-sample: the kinds of text it missed, told in sentences written for
these tests (none from an evaluation set): threats said by readiness or a condition, calls to stop, a
capital addressed or acting through auxiliaries, appositions and quotes that name other things, specific
beats generic only within a clause, labour disputes, and what the thesaurus now carries to any list."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.matching.matcher import Matcher
from monitor.watchlist import load_watchlist
from tests.matching_fixtures import actors, events







@pytest.mark.parametrize(("text", "threat"), [
    ("The militia said it was ready to hit American bases across the region.", True),
    ("The Guards would burn the ports to the ground if Washington retaliated.", True),
    ("Tehran would not hesitate to use force if its oil terminals were attacked.", True),
    ("The group said it would not stand idle if its bases were attacked.", True),
    ("Dozens would have died if the missile had struck the school.", False),  # a past conditional
    ("The Houthis said they would halt their attacks on shipping.", False),  # an end of the act
    ("Officials insisted the US was not going to attack.", False),  # negated before the modal
])
def test_a_threat_said_by_readiness_or_a_condition(matcher: Matcher, text: str, threat: bool) -> None:
    assert ("threat" in events(matcher, text)) is threat


@pytest.mark.parametrize(("text", "calm"), [
    ("The UN envoy urged Iran not to retaliate against Israel.", True),
    ("Cairo asked both sides to refrain from striking militia positions.", True),
    ("Egypt called for an immediate ceasefire in southern Lebanon.", True),
    ("The president said he was not looking for war with Iran.", True),
    ("Iran's envoy said Tehran was not interested in a wider conflict.", True),
    ("The minister urged banks to stop charging overdraft fees.", False),
    ("Retailers called for a ceasefire in the supermarket price war.", False),
])
def test_a_call_to_stop_is_a_de_escalation(plain: Matcher, text: str, calm: bool) -> None:
    assert ("de-escalation" in events(plain, text)) is calm


@pytest.mark.parametrize(("text", "present"), [
    ("Esper, the Austin-based software firm, raised new funds on Monday.", False),
    ("Esper, a Lisbon start-up, opened an office in Berlin.", False),
    ("Esper told reporters the strikes had been lawful.", True),
])
def test_an_apposition_names_another_thing(matcher: Matcher, text: str, present: bool) -> None:
    assert ("Mark Esper" in actors(matcher, text)) is present


def test_an_apposition_names_another_thing_for_any_watchlist(tmp_path: Path) -> None:
    listed = tmp_path / "w.yaml"
    listed.write_text("actors:\n  - name: Jane Roe\n    kind: person\n    aliases: [Roe]\nevents: []\nrules: []\n", encoding="utf-8")
    roe = Matcher(load_watchlist(listed))
    assert "Jane Roe" not in actors(roe, "Roe, the Oslo design studio, won the contract.")
    assert "Jane Roe" in actors(roe, "Jane Roe, the senator, won the vote.")


def test_a_namesake_town_in_a_us_state_is_not_the_city(matcher: Matcher) -> None:
    assert "Baghdad" not in actors(matcher, "Baghdad, Florida, is a village of 300 people.")
    assert "Baghdad" in actors(matcher, "Baghdad, the capital, was quiet on Friday.")


@pytest.mark.parametrize(("text", "found", "not_found"), [
    ("Baghdad has repeatedly demanded the withdrawal of foreign troops.", "Iraq", "Baghdad"),
    ("Washington warned Baghdad against any deal with the militias.", "Iraq", "Baghdad"),
    ("The envoy calls on Baghdad to arrest the gunmen.", "Iraq", "Baghdad"),
    ("Der Streit zwischen der kurdischen Regionalregierung und Bagdad hält an.", "Iraq", "Baghdad"),
    ("The bombing in Baghdad was blamed on militants.", "Baghdad", "Iraq"),  # passive: the city
])
def test_a_capital_addressed_or_acting_through_auxiliaries_is_its_government(matcher: Matcher, text: str, found: str, not_found: str) -> None:
    names = actors(matcher, text)
    assert found in names and not_found not in names


@pytest.mark.parametrize(("text", "state"), [
    ("An American destroyer shadowed the speedboats.", "United States"),
    ("The Iranians will pay for this, the general said.", "Iran"),
    ("Les Américains paieront le prix, a dit le commandant.", "United States"),
    ("The Iraqi caretaker prime minister condemned the raid.", "Iraq"),
    ("Investigators traced the rockets to an Iranian plot.", "Iran"),
])
def test_a_nationality_beside_its_ships_plots_and_leaders_or_as_a_people_is_the_state(matcher: Matcher, text: str, state: str) -> None:
    assert state in actors(matcher, text)


def test_an_american_tourist_is_still_not_the_state(matcher: Matcher) -> None:
    assert "United States" not in actors(matcher, "An American tourist lost her passport in Rome.")


@pytest.mark.parametrize(("text", "strike"), [
    ("Militants fired rockets at the base, days after the US struck their depots.", True),
    ("The US struck the depots hours after rockets hit the embassy.", True),
    ("Rockets struck the base overnight.", False),
    ("Rockets later struck a base near the border.", False),  # an adverb, no clause
    ("Two rockets were fired at the base. One of them hit a hangar.", False),  # a pronoun refers back
])
def test_specific_beats_generic_only_within_a_clause(matcher: Matcher, text: str, strike: bool) -> None:
    assert ("strike" in events(matcher, text)) is strike


@pytest.mark.parametrize("text", [
    'The series "Tehran" was renewed for a fourth season.',
    "Shares of carmakers fell on the Tehran exchange on Sunday.",
    "The poet returned to Tehran in 1990.",
    "The bakery sits in the heart of Tehran.",
])
def test_quoted_titles_city_things_and_destinations_are_not_the_state(matcher: Matcher, text: str) -> None:
    assert "Iran" not in actors(matcher, text)


def test_a_capital_acting_is_still_the_state(matcher: Matcher) -> None:
    assert "Iran" in actors(matcher, "Tehran said it would respond to any aggression.")


@pytest.mark.parametrize(("text", "name"), [
    ("The Pentagon Federal Credit Union opened a new branch.", "United States"),
    ("Le café « Le Bagdad » a fermé ses portes.", "Baghdad"),
    ("The Baghdad Pact was signed in 1955.", "Baghdad"),
    ("Three border guards were wounded near the Iranian frontier.", "Islamic Revolutionary Guard Corps"),
    ("Some argued for an Islamic state in the region.", "Islamic State"),
    ("The Washington Commanders' quarterback was sacked twice.", "United States"),
])
def test_names_of_other_things_and_common_nouns(matcher: Matcher, text: str, name: str) -> None:
    assert name not in actors(matcher, text)


def test_a_possessive_place_before_a_square_is_still_the_city(matcher: Matcher) -> None:
    assert "Baghdad" in actors(matcher, "A car bomb exploded in Baghdad's Tahrir Square.")


def test_an_event_word_in_an_operations_name_is_a_name(matcher: Matcher) -> None:
    assert "retaliation" not in events(matcher, "The army called it Operation Swift Retaliation in its statement.")


def test_a_labour_dispute_drops_its_generic_strike(plain: Matcher) -> None:
    assert "strike" not in events(plain, "Airport ground crews walked out on a 24-hour strike, the unions said.")
    assert "strike" in events(plain, "US forces struck a militia base near the airport.")


@pytest.mark.parametrize(("text", "event"), [
    ("Tehran denied supplying the drones used against the tanker.", "drone strike"),
    ("The supreme leader vowed harsh revenge for the killing.", "killing"),
    ("The militias insist they have not targeted US interests this month.", "strike"),
    ("Israeli warplanes hit weapons depots in the Bekaa.", "air strike"),
])
def test_senses_of_the_default_events_in_more_words(matcher: Matcher, text: str, event: str) -> None:
    assert event in events(matcher, text)


@pytest.mark.parametrize(("text", "event"), [
    ("A shark attack killed a swimmer off the coast.", "killing"),
    ("The militia commander was sentenced to death on Tuesday.", "killing"),
    ("Gold hit a record as fears of war grew.", "strike"),
])
def test_fixed_expressions_are_no_events(matcher: Matcher, text: str, event: str) -> None:
    assert event not in events(matcher, text)


@pytest.mark.parametrize(("text", "event"), [
    ("Two rockets crashed near the port late on Tuesday.", "rocket attack"),
    ("Brussels added five IRGC commanders to its sanctions list.", "sanctions"),
    ("Analysts feared a wider war in the region.", "escalation"),
    ("Téhéran a démenti toute implication dans l'attaque contre l'ambassade américaine.", "embassy attack"),
])
def test_the_thesaurus_carries_more_senses_to_a_plain_list(plain: Matcher, text: str, event: str) -> None:
    assert event in events(plain, text)


def test_a_line_break_between_a_given_name_and_the_surname_is_a_space(matcher: Matcher) -> None:
    assert "Donald Trump" not in actors(matcher, "Lara\nTrump opened the new golf course on Sunday.")


def test_a_generic_attack_naming_its_means_right_after_is_the_same_act(matcher: Matcher) -> None:
    assert events(matcher, "Les miliciens ont revendiqué une attaque à la roquette contre la base.") == {"rocket attack"}


def test_a_place_of_another_city_is_not_the_watched_place(matcher: Matcher) -> None:
    assert "Green Zone" not in actors(matcher, "Rockets struck near the gates of Mogadishu's Green Zone, killing four.")
    assert "Green Zone" in actors(matcher, "Rockets landed in Baghdad's Green Zone overnight.")


@pytest.mark.parametrize("text", [
    "In Call of Duty, players call in an air strike after five kills.",
    "The Netflix drama shows a drone strike on a convoy.",
])
def test_games_and_series_tell_no_event(matcher: Matcher, text: str) -> None:
    assert not events(matcher, text) & {"air strike", "drone strike", "killing"}


def test_a_price_war_in_other_languages_has_no_truce(matcher: Matcher) -> None:
    assert "ceasefire" not in events(matcher, "Une trêve dans la guerre des prix entre supermarchés semble lointaine.")


def test_a_three_letter_acronym_counts_in_a_headline(matcher: Matcher) -> None:
    assert "Popular Mobilization Forces" in actors(matcher, "BAGHDAD: PMF VOWS TO RETALIATE FOR AIRSTRIKE")
    assert "United States" not in actors(matcher, "PLEASE HELP US FIND OUR DOG")


def test_a_specific_phrase_inside_a_generic_ones_spread_words_is_kept(matcher: Matcher) -> None:
    assert "rocket attack" in events(matcher, "The patrol came under rocket fire near the border.")


@pytest.mark.parametrize(("text", "name", "found"), [
    ("Missiles fired at Al Asad wounded dozens of troops.", "Ain al-Asad Air Base", True),
    ("Bashar al-Assad's forces fired missiles at rebel towns.", "Ain al-Asad Air Base", False),
    ("The Guards seized a tanker in the Strait of Hormuz.", "Islamic Revolutionary Guard Corps", True),
])
def test_short_names_of_the_base_and_the_guards_with_their_words(matcher: Matcher, text: str, name: str, found: bool) -> None:
    assert (name in actors(matcher, text)) is found
