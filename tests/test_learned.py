"""The learned layer over the rules (monitor/matching/learned.py): each of its three models changes what a
text gets through the public match path, `learned: false` gives the rules' results exactly, the shipped
weights are what bench/train_events.py trains, and every decision says why (match, match --json, eval).

The sentences are written for these tests (none comes from an evaluation set). They pin what the shipped
models do, not that each decision is right.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import subprocess
import sys
import unicodedata
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.matching import learned
from monitor.matching.evaluation import Case, evaluate
from monitor.matching.learned import ARRAYS, WEIGHTS, bucket, for_watchlist, shipped
from monitor.matching.matcher import Matcher
from monitor.matching.rules import apply_rules, match_text
from monitor.matching.senses import settle
from monitor.matching.stems import FUNCTION_WORDS, stem
from monitor.model import Event, MatchResult, Watchlist
from monitor.text_norm import WORD, fold
from monitor.watchlist import load_watchlist
from tests.matching_fixtures import DEFAULT, REPO

GATE = "The Pentagon said drones from the Islamic Resistance in Iraq were heading for al-Tanf."  # "drones" lacks a context word
PROPOSE = "The Revolutionary Guards said their response to the proposal would come next week."  # no event phrase at all
VETO = "An air traffic controllers' strike closed Baghdad International Airport to flights on Friday."  # "air strike" found, then dropped
TEXTS = (GATE, PROPOSE, VETO, "Qassem Suleimani was killed in a US drone strike near Baghdad airport.", "Workers went on strike over pay, Tehran said.")


@pytest.fixture(scope="module")
def rules_only(matcher: Matcher) -> Matcher:
    return Matcher(dataclasses.replace(matcher.watchlist, learned=False))


def rules_alone(matcher: Matcher, text: str) -> MatchResult:
    """What the rule matcher gives, without the layer: the scan, the senses, the rules."""
    scan = matcher.scan(text)
    matches = settle(matcher.watchlist, scan.matches, text)
    return MatchResult(tuple(matches), tuple(apply_rules(matcher, matches, text, scan.words)), scan.timed_out, scan.skipped)


def events(result: MatchResult) -> set[str]:
    return {m.name for m in result.matches if m.kind == "event"}


def test_the_gate_takes_back_a_phrase_set_aside_for_lack_of_a_context_word(matcher: Matcher, rules_only: Matcher) -> None:
    assert "drone strike" not in events(match_text(rules_only, GATE)) and not match_text(rules_only, GATE).alert
    result = match_text(matcher, GATE)
    added = next(m for m in result.matches if m.name == "drone strike")
    assert added.form == "learned" and added.found == "drones"
    assert added.learned is not None and added.learned.model == "gate" and added.learned.score >= added.learned.threshold == 0.4
    assert result.alert and result.hits[0].event == added  # the rules fire on a learned event as on any other


def test_propose_adds_an_event_in_a_sentence_with_an_actor(matcher: Matcher, rules_only: Matcher) -> None:
    assert events(match_text(rules_only, PROPOSE)) == set() and not match_text(rules_only, PROPOSE).alert
    result = match_text(matcher, PROPOSE)
    added = next(m for m in result.matches if m.kind == "event")
    assert (added.name, added.alias, added.form, added.found) == ("retaliation", "(learned)", "learned", "Revolutionary Guards")  # stands on the actor
    assert added.learned is not None and added.learned.model == "propose" and added.learned.score >= 0.2
    assert result.alert


def test_the_veto_drops_an_event_the_rules_found(matcher: Matcher, rules_only: Matcher) -> None:
    assert events(match_text(rules_only, VETO)) == {"air strike"} and match_text(rules_only, VETO).alert
    result = match_text(matcher, VETO)
    assert events(result) == set() and not result.alert
    [dropped] = result.dropped
    assert dropped.name == "air strike" and dropped.found == "air traffic controllers' strike"
    assert dropped.learned is not None and dropped.learned.model == "veto" and dropped.learned.score < dropped.learned.threshold == 0.7


def test_the_scan_keeps_the_phrases_set_aside_for_lack_of_a_context_word(matcher: Matcher, rules_only: Matcher) -> None:
    scan = matcher.scan(GATE)
    assert [(m.name, m.found) for m in scan.set_aside] == [("drone strike", "drones")]
    assert scan.matches == rules_only.scan(GATE).matches and rules_only.scan(GATE).set_aside == ()  # kept aside only: the rules' matches unchanged


def test_the_weights_are_read_when_the_matcher_is_compiled(matcher: Matcher) -> None:
    layer = Matcher(matcher.watchlist).learned
    assert layer is not None and layer.gate.weights is shipped().gate.weights  # read once, shared by every matcher
    assert {len(m.weights) for m in (layer.gate, layer.propose, layer.veto)} == {2**18}


@pytest.mark.parametrize("text", ["The base was struck overnight.", "Gunmen opened fire on a patrol near the frontier village."])
def test_the_veto_leaves_alone_an_event_in_a_sentence_without_a_watched_actor(matcher: Matcher, rules_only: Matcher, text: str) -> None:
    result = match_text(matcher, text)
    assert result.dropped == () and events(result) == events(match_text(rules_only, text)) != set()


def test_learned_false_gives_the_rules_results_exactly(tmp_path: Path, rules_only: Matcher) -> None:
    path = tmp_path / "watchlist.yaml"
    path.write_text(DEFAULT.read_text(encoding="utf-8") + "\nlearned: false\n", encoding="utf-8")
    off = Matcher(load_watchlist(path))
    assert off.watchlist.learned is False and off.learned is None
    for text in TEXTS:
        assert match_text(off, text) == rules_alone(off, text) == rules_alone(rules_only, text)


def test_one_file_of_a_folder_turns_the_layer_off(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(DEFAULT.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text("learned: false\n", encoding="utf-8")
    assert load_watchlist(tmp_path).learned is False
    assert load_watchlist(DEFAULT).learned is True


def test_events_named_unlike_the_default_lists_are_left_to_the_rules() -> None:
    own = Watchlist(events=(Event("sabotage", 2, ("sabotage",), context=(("sabotage", ("pipeline",)),)),))
    assert for_watchlist(own) is None  # the models know events by name: none of these
    mixed = Watchlist(events=(*own.events, Event("strike", 2, ("strike",))))
    layer = for_watchlist(mixed)
    assert layer is not None and layer.events == {"strike"}


def test_the_explanation_names_the_model_its_score_and_its_features(matcher: Matcher) -> None:
    cases = [
        Case("veto", VETO, frozenset({"Baghdad International Airport"}), frozenset({"air strike"}), True),
        Case("gate", GATE, frozenset(), frozenset(), False),
    ]
    report = evaluate(matcher, cases)
    why = {(e.case, e.kind): e.why for e in report.errors}
    assert "dropped by the learned veto: p 0." in why["veto", "miss"] and "< 0.70; " in why["veto", "miss"]
    assert "dropped by the learned veto" in why["veto", "alert missed"]
    assert "added by the learned gate: p 0." in why["gate", "false positive"] and ">= 0.40; " in why["gate", "false positive"]
    assert "added by the learned gate" in why["gate", "alert not expected"]
    weights = shipped().gate.weights
    named = why["gate", "false positive"].split("; ", 1)[1]
    assert all(f"{f} {weights[bucket(f)]:+.2f}" in named for f, _ in next(m for m in match_text(matcher, GATE).matches if m.learned).learned.features)  # type: ignore[union-attr]


def test_match_and_match_json_show_the_learned_decisions() -> None:
    run = [sys.executable, "-m", "monitor", "match"]
    wide = {**os.environ, "COLUMNS": "200"}  # the table's cells unwrapped
    text = subprocess.run([*run, "-"], cwd=REPO, input=GATE + " " + VETO, capture_output=True, text=True, timeout=60, check=True, env=wide).stdout
    assert "drones (learned: gate)" in text and "added by the learned gate: p " in text and "dropped by the learned veto: p " in text
    data = json.loads(subprocess.run([*run, "--json", "-"], cwd=REPO, input=GATE + " " + VETO, capture_output=True, text=True, timeout=60, check=True).stdout)
    [added] = [e for e in data["events"] if e["learned"]]
    assert added["name"] == "drone strike" and added["form"] == "learned" and added["learned"]["model"] == "gate"
    assert added["learned"]["threshold"] == 0.4 and added["learned"]["features"] and set(added["learned"]["features"][0]) == {"feature", "weight"}
    [dropped] = data["dropped"]
    assert dropped["name"] == "air strike" and dropped["learned"]["model"] == "veto" and dropped["learned"]["score"] < 0.7


@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="scikit-learn (the test extra) is not installed: the shipped weights are not retrained")
def test_retraining_reproduces_the_shipped_weights() -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import train_events
    finally:
        sys.path.remove(str(REPO / "bench"))
    data, weights = train_events.train()
    assert train_events.dumps(data) == WEIGHTS.read_text(encoding="utf-8")  # intercepts, counts and thresholds as shipped
    import numpy as np

    retrained = np.frombuffer(zlib.decompress(weights), dtype="<f4")
    shipped_weights = np.frombuffer(zlib.decompress(ARRAYS.read_bytes()), dtype="<f4")
    # The same features and the same weights. Not byte for byte: the solver's floating-point sums round differently
    # on another CPU (an AMD EPYC retrains weights up to 6.4e-6 away from those made on the machine that trained them).
    assert np.array_equal(retrained != 0, shipped_weights != 0)
    assert np.allclose(retrained, shipped_weights, rtol=0, atol=WEIGHT_TOLERANCE)


WEIGHT_TOLERANCE = 1e-4  # far below the 4 decimals an explanation shows, far above a CPU's rounding (6.4e-6 seen)


def _stems_uncached(text: str) -> list[tuple[int, str]]:
    """What `learned.stems_of` gives, worked out word by word without its memo."""
    words = [(m.start(), norm) for m in WORD.finditer(text) if (norm := fold(m.group())) not in FUNCTION_WORDS and not norm.isdigit()]
    return [(start, stem(norm)) for start, norm in words]


@given(st.lists(st.sampled_from(["The", "strikes", "killed", "Soleimani's", "l'Irak", "2020", "é", "x" * 120, "ﬁre", "Straße"]) | st.text(max_size=8), max_size=40))
@settings(max_examples=200)
def test_the_stems_a_sentence_gets_are_those_of_each_word_whether_met_before_or_not(words: list[str]) -> None:
    text = " ".join(words)
    assert learned.stems_of(text) == _stems_uncached(text)  # first meeting (or not: earlier examples)
    assert learned.stems_of(text) == _stems_uncached(text)  # every word met


def test_a_phrase_gets_the_words_near_it_whether_its_accents_are_composed_or_not(matcher: Matcher) -> None:
    composed = "Les épées éclatées près de l'hôpital général étaient célèbres; puis une frappe de drone a touché la base américaine à Erbil."
    decomposed = unicodedata.normalize("NFD", composed)  # 12 more characters before the phrase
    features = []
    for text in (composed, decomposed):
        result = match_text(matcher, text)
        [phrase] = [m for m in result.matches if m.kind == "event"]
        features.append(learned.phrase_features(phrase, result.matches, text, 3))
    assert features[0] == features[1]  # the stems' starts were the NFC text's, read against the given text's spans
    assert "near=touch" in features[1] and "near=celebr" in features[1] and "near=americain" not in features[1]


def test_the_layers_memo_of_stems_is_bounded_and_keeps_its_recent_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learned, "STEMS_KEPT", 100)
    monkeypatch.setattr(learned, "_STEMS", {})
    for i in range(30):
        text = " ".join(f"word{chr(97 + i % 26)}{chr(97 + j)}x{i}" for j in range(20)) + " " + "y" * 150
        assert learned.stems_of(text) == _stems_uncached(text)
        assert len(learned._STEMS) <= 100
    last = [f"word{chr(97 + 29 % 26)}{chr(97 + j)}x29" for j in range(20)]
    assert all(word in learned._STEMS for word in last)  # the newest are kept
    assert "y" * 150 not in learned._STEMS  # a long word is worked out, not kept


@given(st.lists(st.sampled_from(sorted(shipped().events)) | st.text(max_size=12), max_size=6),
       st.lists(st.sampled_from(["bias", "event=none", "word=strik", "word=ﬁre", "word=" + "é" * 200]) | st.text(max_size=300), min_size=1, max_size=30))
@settings(max_examples=200)
def test_features_keyed_by_many_events_at_once_weigh_as_each_keyed_one_by_one(events: list[str], own: list[str]) -> None:
    propose = shipped().propose
    assert propose.keyed_probabilities(events, own) == [propose.probability([f"{event}|{f}" for f in own]) for event in events]
