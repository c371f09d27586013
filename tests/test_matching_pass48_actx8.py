"""Issue 15, stop 48 (helper actx8): a watched actor found beside an ambiguous alias serves as its context word
(`context_actors`): another watched state, armed group or person beside "IS", "the Guards" or "iraní" makes them the
domain's. Places do not serve, and no event phrase of the default list takes an actor (each sentence written for these
tests; the figures are in docs/benchmarks.md, helper actx8). Every test of a match found fails on main."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.matching.evaluation import evaluate, parse_cases
from monitor.matching.matcher import Matcher
from monitor.matching.report import result_json
from monitor.matching.rules import match_text
from monitor.watchlist import WatchlistError, load_watchlist
from tests.matching_fixtures import actors, events


@pytest.mark.parametrize(("text", "actor", "by"), [
    ("US jets pounded IS hideouts in the desert west of Mosul.", "Islamic State", "United States"),
    ("Hezbollah and the Guards were both named in the indictment unsealed on Tuesday.", "Islamic Revolutionary Guard Corps", "Hezbollah"),
    ("La Guardia Revolucionaria iraní inauguró un museo en Isfahán.", "Iran", "Islamic Revolutionary Guard Corps"),
])
def test_a_watched_party_beside_an_ambiguous_alias_is_its_context(matcher: Matcher, text: str, actor: str, by: str) -> None:
    found = [m for m in match_text(matcher, text).matches if m.name == actor]
    assert found and found[0].context_actor == by


def test_the_match_says_which_actor_served_as_its_context(matcher: Matcher) -> None:
    text = "US jets pounded IS hideouts in the desert west of Mosul."
    result = match_text(matcher, text)
    data = result_json(result, text)
    group = next(a for a in data["actors"] if a["name"] == "Islamic State")
    assert (group["context"], group["context_actor"]) == ("US", "United States")
    assert next(a for a in data["actors"] if a["name"] == "United States")["context_actor"] is None
    hit = next(h for h in data["rules"] if h["actor"] == "Islamic State")
    assert "near \u201cUS\u201d, watched actor United States" in hit["explanation"]


def test_eval_says_an_actor_served_as_the_context_of_a_false_positive_and_names_them_for_a_miss(matcher: Matcher) -> None:
    cases = parse_cases([
        '{"id": "a", "text": "US jets pounded IS hideouts in the desert west of Mosul.", "actors": ["United States"], "events": ["air strike"], "alert": true}',
        '{"id": "b", "text": "An Iranian-born chef opened a restaurant in Washington.", "actors": ["Iran"], "alert": false}',
    ], "cases")
    why = {e.case: e.why for e in evaluate(matcher, cases).errors if e.label in ("Islamic State", "Iran")}
    assert "near 'US' (watched actor 'United States' as its context)" in why["a"]
    assert "nor a watched actor of state, group, person" in why["b"]


@pytest.mark.parametrize(("text", "actor"), [
    ("An American tourist was robbed in Baghdad last week.", "United States"),  # a place names where, not who
    ("An Iranian-born chef opened a restaurant in Washington.", "Iran"),
])
def test_a_place_is_no_context(matcher: Matcher, text: str, actor: str) -> None:
    assert actor not in actors(matcher, text)


@pytest.mark.parametrize(("text", "event"), [
    ("The US embassy hosted a reception for Iraqi students.", "embassy attack"),
    ("Iraqi officials welcomed the American response to the flood appeal.", "retaliation"),
])
def test_no_event_phrase_of_the_default_list_takes_an_actor(matcher: Matcher, text: str, event: str) -> None:
    assert event not in events(matcher, text)


WATCHLIST = """
actors:
  - name: Kataib Hezbollah
    kind: group
    aliases: [Kataib Hezbollah]
  - name: Tehran
    kind: place
  - name: Katiba Macina
    kind: group
    context_actors: [group]
    aliases:
      - {alias: Macina, context: [fighters]}
      - {alias: KM, context: [fighters], context_actors: []}
events:
  - name: embassy attack
    severity: 3
    phrases:
      - {phrase: embassy, context: [stormed], within: 8, context_actors: [group, Tehran]}
"""


def _matcher(tmp_path: Path, text: str = WATCHLIST) -> Matcher:
    path = tmp_path / "watchlist.yaml"
    path.write_text(text)
    return Matcher(load_watchlist(path))


def test_an_event_phrase_may_take_the_actors_its_author_names(tmp_path: Path) -> None:
    m = _matcher(tmp_path)
    found = [x for x in match_text(m, "Supporters of Kataib Hezbollah gathered at the embassy on Tuesday.").matches if x.kind == "event"]
    assert [(x.name, x.context, x.context_actor) for x in found] == [("embassy attack", "Kataib Hezbollah", "Kataib Hezbollah")]
    assert "embassy attack" in {x.name for x in match_text(m, "Crowds in Tehran gathered at the embassy on Tuesday.").matches}
    assert not [x for x in match_text(m, "Supporters of Kataib Hezbollah gathered on Tuesday; far away, in another city, people queued at the embassy.").matches
                if x.kind == "event"]  # beyond its window of 8 words


def test_an_alias_takes_its_actors_list_unless_it_writes_its_own(tmp_path: Path) -> None:
    m = _matcher(tmp_path)
    assert {x.name for x in match_text(m, "Kataib Hezbollah and Macina sent envoys.").matches} == {"Kataib Hezbollah", "Katiba Macina"}
    assert {x.name for x in match_text(m, "Kataib Hezbollah and KM sent envoys.").matches} == {"Kataib Hezbollah"}  # `context_actors: []`


def test_an_actor_is_no_context_of_its_own_alias(tmp_path: Path) -> None:
    m = _matcher(tmp_path, WATCHLIST.replace("context_actors: [group]", "context_actors: [group, Katiba Macina]").replace("aliases:\n      - {alias: Macina",
                                                                                                                          "aliases:\n      - Katiba\n      - {alias: Macina"))
    assert [x.found for x in match_text(m, "Katiba said Macina would talk.").matches] == ["Katiba"]


def test_context_actors_must_name_an_actor_kind_or_tag(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match=r"watchlist.yaml:\d+: actors\[2\] 'Katiba Macina': context_actors: no actor, tag or kind named 'groups'"):
        _matcher(tmp_path, WATCHLIST.replace("context_actors: [group]", "context_actors: [groups]"))
