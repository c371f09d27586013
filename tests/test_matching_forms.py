"""Issue 15 (in-sample cases written for these tests): event phrases in any order and form, bare
surnames, hard-wrapped copy, look-alike short surnames, and a word cache that keeps recent words."""

from __future__ import annotations

from pathlib import Path

import pytest

import monitor.matching.words as words_module
from monitor.matching.matcher import Matcher
from monitor.matching.report import explain, form_of, result_json
from monitor.matching.rules import match_text
from monitor.model import Actor, Event, Match, Rule, Watchlist
from monitor.watchlist import load_watchlist
from tests.conftest import DEFAULT_WATCHLIST

EVENTS = (
    Event("troop deployment", 1, ("troop deployment", "troops deployed", "forces deployed", "soldiers deployed")),
    Event("air strike", 3, ("air strike", "frappe aérienne", "ataque aéreo", "attacco aereo con i droni")),
    Event("retaliation", 2, ("vengeance", "revenge attack")),
    Event("ballistic missiles", 3, ("ballistic missile", "missile hit")),
    Event("strike", 2, ("strike",), not_when=("hunger strike",)),
    Event("escalation", 1, ("escalation",)),
    Event("de-escalation", 0, ("de-escalation",)),
)
ACTORS = (
    Actor("Qasem Soleimani", "person", ("Qasem Soleimani", "Soleimani")),
    Actor("Donald Trump", "person", ("Donald Trump", "President Trump", "Trump")),
    Actor("Kataeb Hezbollah", "group", ("Kataeb Hezbollah",)),
    Actor("Mark Milley", "person", ("Mark Milley", "Milley"), bare_surname="always"),
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Watchlist(actors=ACTORS, events=EVENTS, rules=(Rule("violent", min_severity=2),)))


def found(matcher: Matcher, text: str, kind: str = "event") -> list[tuple[str, str, float, str]]:
    return [(m.name, m.found, m.score, m.form) for m in match_text(matcher, text).matches if m.kind == kind]


# 1. Event phrases in any order and form


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Soldiers were deployed to the base.", ("troop deployment", "Soldiers were deployed", 90.0, "words")),
        ("It ordered a deployment of extra forces.", ("troop deployment", "deployment of extra forces", 90.0, "words, inflected")),
        ("Militias swore vengeance.", ("retaliation", "vengeance", 100.0, "")),
        ("Two missiles that hit the compound", ("ballistic missiles", "missiles that hit", 90.0, "words, inflected")),
        ("Revenge attacks followed.", ("retaliation", "Revenge attacks", 90.0, "inflected")),
        ("Troops were quickly deployed.", ("troop deployment", "Troops were quickly deployed", 90.0, "words")),
        ("The strikes began.", ("strike", "strikes", 90.0, "inflected")),
        ("Des frappes aériennes ont visé la base.", ("air strike", "frappes aériennes", 90.0, "inflected")),
        ("Los ataques aéreos continuaron.", ("air strike", "ataques aéreos", 90.0, "inflected")),
        ("Nuovi attacchi aerei con droni.", ("air strike", "attacchi aerei con droni", 90.0, "words, inflected")),
    ],
)
def test_event_phrase_found_inflected_derived_and_reordered(matcher: Matcher, text: str, expected: tuple[str, str, float, str]) -> None:
    assert found(matcher, text) == [expected]


def test_the_phrase_as_listed_is_the_strongest_evidence(matcher: Matcher) -> None:
    assert found(matcher, "A troop deployment was announced.") == [("troop deployment", "troop deployment", 100.0, "")]
    # the listed phrase wins over a spread-out match of another phrase that overlaps it
    assert found(matcher, "Ballistic missile hit")[0][:3] == ("ballistic missiles", "Ballistic missile", 100.0)


def test_words_too_far_apart_or_in_two_sentences_are_not_a_phrase(matcher: Matcher) -> None:
    assert found(matcher, "Forces loyal to the old government, long in exile, were deployed.") == []
    assert found(matcher, "The forces rested. They deployed at dawn.") == []


def test_not_when_cancels_an_inflected_match(matcher: Matcher) -> None:
    assert found(matcher, "Prisoners began hunger strikes.") == []


def test_a_hyphenated_compound_stays_whole(matcher: Matcher) -> None:
    # `de` is a French/Spanish stop word, but inside de-escalation it is needed, side by side
    assert found(matcher, "Calls to de-escalate grew.") == [("de-escalation", "de-escalate", 90.0, "inflected")]
    assert [f[0] for f in found(matcher, "Escalation de la crise")] == ["escalation"]


def test_how_an_event_was_found_is_shown(matcher: Matcher) -> None:
    text = "Kataeb Hezbollah said the attacks were revenge."
    result = match_text(matcher, text)
    event = next(m for m in result.matches if m.name == "retaliation")
    assert (event.found, event.form, form_of(event)) == ("attacks were revenge", "words, inflected", "as words of 'revenge attack', inflected")
    assert "found “attacks were revenge”, as words of 'revenge attack', inflected" in explain(result.hits[0])
    assert result_json(result, text)["events"][0]["form"] == "words, inflected"


# 2. Bare surnames


def test_bare_surname_counts_once_the_person_is_named(matcher: Matcher) -> None:
    assert found(matcher, "Trump Tower was sold to a fund.", "actor") == []
    assert [f[1] for f in found(matcher, "Donald Trump arrived. Later Trump said little.", "actor")] == ["Donald Trump", "Trump"]
    assert [f[1] for f in found(matcher, "Mr Trump arrived. Trump said little.", "actor")] == ["Trump", "Trump"]  # a title names him
    assert [f[1] for f in found(matcher, "Trump arrived. Donald Trump said little.", "actor")] == ["Trump", "Donald Trump"]  # his own surname counts at once
    assert [f[1] for f in found(matcher, "Suleymani arrived. Qasem Soleimani said little.", "actor")] == ["Qasem Soleimani"]  # a variant: named later, not yet
    assert found(matcher, "The players drew trumps. The trump suit was hearts.", "actor") == []  # in small letters: a word


def test_bare_surname_counts_in_a_text_of_the_domain(matcher: Matcher) -> None:
    assert [f[0] for f in found(matcher, "Soleimani was killed in a strike.", "actor")] == ["Qasem Soleimani"]


def test_bare_surname_always_per_actor(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("actors:\n  - name: Donald Trump\n    kind: person\n    bare_surname: always\n    aliases: [Trump]\n", encoding="utf-8")
    assert [m.found for m in match_text(Matcher(load_watchlist(path)), "Trump Tower was sold.").matches] == ["Trump"]


# 4. Layout


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("General Solei-\nmani was killed.", "Qasem Soleimani"),
        ("General Solei-\r\nmani was killed.", "Qasem Soleimani"),
        ("General Solei\u00admani was killed.", "Qasem Soleimani"),
        ("Fighters of Kataeb\nHezbollah were killed.", "Kataeb Hezbollah"),
        ("Fighters of Kataeb\r\n Hezbollah were killed.", "Kataeb Hezbollah"),
    ],
)
def test_hard_wrapped_names_are_found_with_spans_into_the_text(matcher: Matcher, text: str, name: str) -> None:
    matches = [m for m in match_text(matcher, text).matches if m.kind == "actor"]
    assert [m.name for m in matches] == [name]
    assert text[matches[0].start : matches[0].end] == matches[0].found


def test_hard_wrapped_event_words_and_kept_hyphens() -> None:
    m = Matcher(load_watchlist(DEFAULT_WATCHLIST))
    text = "Iran fired bal-\nlistic missiles at the base; Abu Mahdi al-\nMuhandis was there."
    result = match_text(m, text)
    assert ("ballistic missiles", "bal-\nlistic missiles") in [(x.name, x.found) for x in result.matches]
    assert "Abu Mahdi al-Muhandis" in {x.name for x in result.matches}


# 6. Look-alike short surnames


def test_a_misspelt_short_surname_needs_more_evidence(matcher: Matcher) -> None:
    assert found(matcher, "Miller spoke to reporters.", "actor") == []  # one edit from Milley: another surname
    assert [f[1] for f in found(matcher, "Mark Milley landed. Miller spoke to reporters.", "actor")] == ["Mark Milley", "Miller"]
    assert [f[1] for f in found(matcher, "Milley spoke to reporters.", "actor")] == ["Milley"]


def test_a_misspelt_short_surname_counts_with_a_context_word() -> None:
    actor = Actor("Mark Milley", "person", ("Milley",), context=(("Milley", ("Joint Chiefs",)),), bare_surname="always")
    m = Matcher(Watchlist(actors=(actor,)))
    assert [x.found for x in m.find("Miller spoke to reporters.")] == []
    assert [x.found for x in m.find("The Joint Chiefs chairman, Miller, spoke.")] == ["Miller"]


def test_a_misspelt_long_surname_still_counts(matcher: Matcher) -> None:
    assert [f[0] for f in found(matcher, "Qasem Soleimanni was killed.", "actor")] == ["Qasem Soleimani"]


# The word cache


def test_a_full_word_cache_keeps_its_recent_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """A full table drops its older half, never everything (it was cleared at _CACHE_LIMIT)."""
    monkeypatch.setattr(words_module, "CACHE_LIMIT", 100)
    m = Matcher(Watchlist(actors=ACTORS, events=EVENTS))
    table = m._words.atoms
    previous = ""
    for i in range(250):
        word = f"word{chr(0x61 + i % 26)}{chr(0x61 + i // 26)}"
        assert [x.name for x in m.find(f"{word} Qasem Soleimani")] == ["Qasem Soleimani"]
        assert len(table) <= 100
        assert not previous or previous in table  # the word before the last stays
        previous = word
    assert len(table) >= 50


def test_match_has_a_form_field() -> None:
    assert Match("event", "x", "x", "x", 0, 1, 100.0).form == ""
