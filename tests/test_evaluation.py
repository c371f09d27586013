"""The default watchlist measured on the labelled set, and the evaluation arithmetic itself."""

from __future__ import annotations

import pytest

from monitor.matching.evaluation import Case, Scores, evaluate, parse_cases
from monitor.matching.matcher import Matcher
from monitor.watchlist import load_watchlist
from tests.conftest import DEFAULT_WATCHLIST, REPO

CASES = REPO / "tests" / "data" / "eval_cases.jsonl"
NAMES = REPO / "tests" / "data" / "unrelated_names.txt"
# Floors for the default watchlist (measured: actors F1 1.000, events F1 0.991, alert accuracy 0.996).
FLOOR_F1 = 0.95
FLOOR_ALERT_ACCURACY = 0.95


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_watchlist(DEFAULT_WATCHLIST))


def test_the_labelled_set_is_large_and_varied() -> None:
    cases = parse_cases(CASES.read_text().splitlines(), str(CASES))
    assert len(cases) >= 150
    assert len({c.id for c in cases}) == len(cases)
    tags = {t for c in cases for t in c.tags}
    assert {"variant", "near-miss", "script", "long", "multi", "buried"} <= tags
    assert sum(not c.alert for c in cases) >= 50


def test_default_watchlist_stays_above_its_floor(matcher: Matcher) -> None:
    report = evaluate(matcher, parse_cases(CASES.read_text().splitlines(), str(CASES)))
    assert report.actors.f1 >= FLOOR_F1, report.misses[:5]
    assert report.events.f1 >= FLOOR_F1, report.misses[:5]
    assert report.alert_accuracy >= FLOOR_ALERT_ACCURACY, report.misses[:5]


def test_no_unrelated_real_world_name_matches_a_watched_actor(matcher: Matcher) -> None:
    names = [n for n in NAMES.read_text().splitlines() if n.strip()]
    assert len(names) >= 2000
    collided = [(n, m.name) for n in names for m in matcher.find(f"Reporters spoke to {n} on Monday.") if m.kind == "actor"]
    assert collided == []


def test_scores_are_micro_averaged() -> None:
    scores = Scores()
    scores.add(frozenset({"a", "b"}), frozenset({"a", "c"}))
    scores.add(frozenset({"a"}), frozenset({"a"}))
    assert (scores.tp, scores.fp, scores.fn) == (2, 1, 1)
    assert scores.precision == pytest.approx(2 / 3) and scores.recall == pytest.approx(2 / 3) and scores.f1 == pytest.approx(2 / 3)


def test_evaluate_lists_the_worst_misses_first(matcher: Matcher) -> None:
    cases = [
        Case("fine", "Qassem Suleimani was killed in a drone strike.", frozenset({"Qasem Soleimani"}), frozenset({"drone strike", "killing"}), True),
        Case("bad", "Nothing here.", frozenset({"Iran", "Iraq"}), frozenset({"drone strike"}), True),
        Case("meh", "Tehran said so.", frozenset({"Iran", "Iraq"}), frozenset(), False),
    ]
    report = evaluate(matcher, cases)
    assert [m.id for m in report.misses] == ["bad", "meh"]
    assert report.misses[0].missing == ("Iran", "Iraq", "drone strike") and report.alert_accuracy == pytest.approx(2 / 3)


def test_a_bad_case_line_names_the_file_and_line() -> None:
    with pytest.raises(ValueError, match=r"cases.jsonl:2: not a case"):
        parse_cases(['{"id": "a", "text": "x", "alert": false}', '{"id": "b"}'], "cases.jsonl")
