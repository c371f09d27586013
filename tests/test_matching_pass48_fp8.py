"""Issue 15, stop 48 (helper fp8): events reported that are not there. Two kinds, each a word read as
another: "responsible"/"responsibility" stemmed as "response" (a word of retaliation), and "de-escalation"
read by the learned layer as "escalation" (its hyphen split the prefix off). The sentences are new, none
from an evaluation set; each side is checked: what must not be found, and what must still be."""

from __future__ import annotations

import pytest

from monitor.matching.learned import stems_of
from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.matching.stems import stem
from monitor.watchlist import load_watchlist


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_watchlist("config/watchlist.yaml"))  # the default watchlist, with the shipped learned layer


def events(matcher: Matcher, text: str) -> set[str]:
    return {m.name for m in match_text(matcher, text).matches if m.kind == "event"}


def test_the_one_responsible_is_not_a_response() -> None:
    assert stem("responsible") == stem("responsibility") == stem("responsibilities") != stem("response")
    assert stem("response") == stem("responses")
    assert [s for _, s in stems_of("those responsible")] != [s for _, s in stems_of("the response")]


@pytest.mark.parametrize(
    "text",
    [
        "The Guards accepted responsibility for the downing of the passenger jet, Iran's state media said.",
        "Washington will hold Tehran responsible for any harm to American personnel in Iraq, the State Department said.",
    ],
)
def test_responsibility_adds_no_retaliation(matcher: Matcher, text: str) -> None:
    assert "retaliation" not in events(matcher, text)


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("Kataib Hezbollah claimed responsibility for the rocket attack on the US base.", "rocket attack"),
        ("Kataib Hezbollah threatened a harsh response to the American air strikes.", "retaliation"),
        pytest.param("Iran's military response to the killing came within days.", "retaliation", marks=pytest.mark.xfail(
            strict=True, reason="a known miss: the learned veto, refitted on miss8's and fp8's rules together, drops it at p 0.6997 < 0.70")),
    ],
)
def test_a_response_and_a_claim_of_responsibility_still_count(matcher: Matcher, text: str, event: str) -> None:
    assert event in events(matcher, text)


def test_a_reversing_prefix_makes_another_word_for_the_learned_layer() -> None:
    assert [s for _, s in stems_of("a call for de-escalation")] == ["call", "de-escal"]
    assert "non-aggress" in [s for _, s in stems_of("a non-aggression pact")]
    assert [s for _, s in stems_of("the US-led coalition")] == ["us", "led", "coalit"]  # other compounds as before
    assert "escal" in [s for _, s in stems_of("fears of escalation")]


def test_a_call_for_de_escalation_adds_no_escalation(matcher: Matcher) -> None:
    found = events(matcher, "Qatar's foreign minister travelled to Tehran to urge de-escalation between Iran and the United States.")
    assert "de-escalation" in found
    assert "escalation" not in found


@pytest.mark.parametrize(
    "text",
    ["Iran warned of a dangerous escalation after the US strike.", "Tehran accused Washington of escalating tensions in the Gulf."],
)
def test_an_escalation_still_counts(matcher: Matcher, text: str) -> None:
    assert "escalation" in events(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "Esper swore in the new commander of US Central Command at MacDill Air Force Base.",
        "The IRGC's new commander was sworn in by Khamenei on Sunday.",
        "The Guards held a swearing-in ceremony for the new Quds Force commander in Tehran.",
    ],
)
def test_swearing_someone_in_is_no_threat(matcher: Matcher, text: str) -> None:
    assert "threat" not in events(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "The militia swore revenge for the killing of its commander in Baghdad.",
        "Kataib Hezbollah has sworn to avenge the deaths of its fighters.",
        "Kataib Hezbollah's leader swore in revenge that the Americans would leave Iraq.",
    ],
)
def test_a_vow_of_revenge_is_still_a_threat(matcher: Matcher, text: str) -> None:
    assert "threat" in events(matcher, text)


@pytest.mark.parametrize(
    "text",
    ["Troops had two hours warning before the missiles hit.", "The soldiers got several hours' warning before the first missiles struck the base."],
)
def test_notice_of_an_attack_is_no_threat(matcher: Matcher, text: str) -> None:
    assert events(matcher, text) == {"ballistic missiles"}


@pytest.mark.parametrize(
    "text",
    [
        "Iran issued a stark warning to the United States after the killing of Soleimani.",
        "Kataib Hezbollah repeated its warning that US troops must leave Iraq.",
        "A US destroyer fired warning shots at Iranian fast boats in the Gulf.",
    ],
)
def test_a_warning_given_is_still_a_threat(matcher: Matcher, text: str) -> None:
    assert "threat" in events(matcher, text)


def actors(matcher: Matcher, text: str) -> set[str]:
    return {m.name for m in match_text(matcher, text).matches if m.kind == "actor"}


@pytest.mark.parametrize(
    "text",
    [
        "For two decades the Quds Force has armed Shiite militias from Lebanon to Yemen.",
        "Shia militias fought US troops in Basra and Sadr City in 2004 and 2008.",
    ],
)
def test_shiite_militias_are_not_the_pmf_by_name(matcher: Matcher, text: str) -> None:
    assert "Popular Mobilization Forces" not in actors(matcher, text)


def test_the_pmf_named_is_still_found(matcher: Matcher) -> None:
    text = "The Hashd al-Shaabi, an umbrella of Shiite militias, was folded into Iraq's security forces in 2016."
    assert "Popular Mobilization Forces" in actors(matcher, text)


@pytest.mark.parametrize(
    "text",
    ["An escalator collapsed at a Tehran metro station, injuring a dozen commuters.", "Iraqi engineers repaired the escalators at Baghdad airport's new terminal."],
)
def test_an_escalator_is_no_escalation(matcher: Matcher, text: str) -> None:
    assert "escalation" not in events(matcher, text)


def test_escalatory_is_still_an_escalation(matcher: Matcher) -> None:
    assert "escalation" in events(matcher, "Washington called Tehran's decision to enrich uranium to 60% deeply escalatory.")


@pytest.mark.parametrize(
    "text",
    [
        "The Pentagon did not seek Baghdad's permission before the raid on the Kataib Hezbollah depot.",
        "Washington pushed Baghdad to expel the Iranian-backed militias from the border.",
        "Baghdad had been warned that further attacks on the embassy would bring a US response.",
    ],
)
def test_a_capital_addressed_as_a_government_is_its_state(matcher: Matcher, text: str) -> None:
    found = actors(matcher, text)
    assert "Iraq" in found
    assert "Baghdad" not in found


@pytest.mark.parametrize(
    "text",
    [
        "Two rockets landed in Baghdad, police said.",
        "The kidnapping of the researcher in Baghdad was blamed on Kataib Hezbollah.",
        "Baghdad was hit by a dust storm on Monday that closed the airport.",
    ],
)
def test_the_city_is_still_the_city(matcher: Matcher, text: str) -> None:
    assert "Baghdad" in actors(matcher, text)
