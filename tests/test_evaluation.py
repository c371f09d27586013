"""The default watchlist measured on the labelled set, and the evaluation arithmetic itself."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.matching.evaluation import Case, Scores, evaluate, parse_cases, report_json
from monitor.matching.matcher import Matcher
from monitor.model import Actor, Event, Rule, Watchlist
from monitor.watchlist import load_watchlist
from tests.conftest import DEFAULT_WATCHLIST, REPO
from tests.test_cli import monitor

CASES = REPO / "tests" / "data" / "eval_cases.jsonl"
TUNING_2 = REPO / "tests" / "data" / "eval_unseen.jsonl"  # in-sample: tuning set 2, formerly blind
TUNING_3 = REPO / "tests" / "data" / "eval_unseen2.jsonl"  # in-sample: tuning set 3, formerly blind
TUNING_5 = REPO / "tests" / "data" / "eval_unseen4.jsonl"  # in-sample from the fifth pass: blind set 4, tuned on since
TUNING_6 = REPO / "tests" / "data" / "eval_unseen5.jsonl"  # in-sample from the fifth pass's second half: blind set 5, read once, tuned on since
BLIND_6 = REPO / "tests" / "data" / "eval_unseen6.jsonl"  # IN-SAMPLE since the sixth pass: written blind (two writers), read once out of sample, tuned on since
BLIND_7 = REPO / "tests" / "data" / "eval_unseen7.jsonl"  # IN-SAMPLE since the seventh pass: written blind (two writers, 2026-12-03), read once out of sample, tuned on since
BLIND_8 = REPO / "tests" / "data" / "eval_unseen8.jsonl"  # IN-SAMPLE since the eighth pass (tuned on by it): written blind (two writers, 2026-12-03, stop 29), read once out of sample
BLIND_9 = REPO / "tests" / "data" / "eval_unseen9.jsonl"  # IN-SAMPLE since the ninth pass (tuned on by it): written blind (two writers, 2026-12-04, stop 30), read once out of sample
BLIND_10 = REPO / "tests" / "data" / "eval_unseen10.jsonl"  # IN-SAMPLE since the tenth pass (tuned on by it): written blind (two writers, 2026-12-04, stop 31), read twice out of sample
BLIND_11 = REPO / "tests" / "data" / "eval_unseen11.jsonl"  # IN-SAMPLE since the eleventh pass (tuned on by it): written blind (two writers, 2026-12-04, stop 31), read twice out of sample
BLIND_12 = REPO / "tests" / "data" / "eval_unseen12.jsonl"  # IN-SAMPLE since the twelfth pass (tuned on by it): written blind (two writers, 2026-12-04, stop 32), read twice out of sample
BLIND_13 = REPO / "tests" / "data" / "eval_unseen13.jsonl"  # IN-SAMPLE since the thirteenth pass (helper tune22, 2026-12-04): written blind (two writers, stop 32), read out of sample three times, then tuned on
BLIND_14 = REPO / "tests" / "data" / "eval_unseen14.jsonl"  # IN-SAMPLE since the fourteenth pass (helper tune23, 2026-12-04): written blind (two writers, stop 32), read out of sample twice, then tuned on
BLIND_15 = REPO / "tests" / "data" / "eval_unseen15.jsonl"  # written blind (two writers, 2026-12-04, stop 32), read out of sample; the learned layer is trained on it since stop 34
BLIND_16 = REPO / "tests" / "data" / "eval_unseen16.jsonl"  # written blind (two writers, 2026-12-04, stop 32), read out of sample; the learned layer is trained on it since stop 34
BLIND_17 = REPO / "tests" / "data" / "eval_unseen17.jsonl"  # written blind (two writers, 2026-12-05, stop 33), read out of sample; the learned layer is trained on it since stop 34
BLIND_18 = REPO / "tests" / "data" / "eval_unseen18.jsonl"  # read out of sample in stop 33; the learned layer is trained on it since stop 34
BLIND_19 = REPO / "tests" / "data" / "eval_unseen19.jsonl"  # OUT-OF-SAMPLE: written blind (two writers, 2026-12-05, stop 34), never tuned on
BLIND_20 = REPO / "tests" / "data" / "eval_unseen20.jsonl"  # OUT-OF-SAMPLE: written blind (two writers, 2026-12-05, stop 34), never tuned on
BLIND_21 = REPO / "tests" / "data" / "eval_unseen21.jsonl"  # OUT-OF-SAMPLE: written blind (two writers, 175 cases each, 2026-12-05, stop 36), never tuned on
BLIND_22 = REPO / "tests" / "data" / "eval_unseen22.jsonl"  # OUT-OF-SAMPLE: written blind (two writers, 2026-12-05, stop 36), never tuned on
BLIND_23 = REPO / "tests" / "data" / "eval_unseen23.jsonl"  # OUT-OF-SAMPLE: written blind (two writers, 2026-12-05, stop 36), never tuned on
BLIND_24 = REPO / "tests" / "data" / "eval_unseen24.jsonl"  # OUT-OF-SAMPLE: written blind (two writers, 2026-12-06, stop 45), read once 2026-12-07, never tuned on
BLIND_25 = REPO / "tests" / "data" / "eval_unseen25.jsonl"  # OUT-OF-SAMPLE: written blind (two writers, 2026-12-07, stop 46), read once 2026-12-07 (stop 47)
BLIND_26 = REPO / "tests" / "data" / "eval_unseen26.jsonl"  # OUT-OF-SAMPLE: written blind (two writers, 2026-12-07, stop 47), read once 2026-12-07 (stop 48)
BLIND_27 = REPO / "tests" / "data" / "eval_unseen27.jsonl"  # OUT-OF-SAMPLE: written blind (two writers, 2026-12-07, stop 48), read once 2026-12-07 (stop 48)
BLIND_28 = REPO / "tests" / "data" / "eval_unseen28.jsonl"  # BLIND, UNREAD: frozen 2026-12-07 (stop 48, two more writers given only the guide); only its shape is checked here
PLAIN = REPO / "bench" / "plain_watchlist.yaml"  # a plain analyst's list, never edited: measures the matcher itself
NAMES = REPO / "tests" / "data" / "unrelated_names.txt"
# Floors for the default watchlist, a little under what it measures (both sets are in-sample):
# eval_cases.jsonl actors F1 0.983, events F1 0.976, alert accuracy 0.992;
# eval_unseen.jsonl actors F1 0.993, events F1 0.971, alert accuracy 1.000, 7 must-not labels reported;
# eval_unseen2.jsonl actors F1 0.989, events F1 0.953, alert accuracy 0.978, 12 must-not labels reported;
# the plain list on eval_unseen2.jsonl: events F1 0.714.
FLOOR_F1 = 0.97
FLOOR_ALERT_ACCURACY = 0.99
FLOORS_TUNING_2 = {"actors": 0.98, "events": 0.96, "alert_accuracy": 0.99, "forbidden_reported": 7}
FLOORS_TUNING_3 = {"actors": 0.98, "events": 0.945, "alert_accuracy": 0.97, "forbidden_reported": 12}
FLOOR_PLAIN_EVENTS_TUNING_3 = 0.705


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


@pytest.mark.parametrize(
    ("blind", "size"),
    [(BLIND_6, 600), (BLIND_7, 600), (BLIND_8, 600), (BLIND_9, 600), (BLIND_10, 600), (BLIND_11, 600), (BLIND_12, 600), (BLIND_13, 600), (BLIND_14, 600),
     (BLIND_15, 600), (BLIND_16, 600), (BLIND_17, 600), (BLIND_18, 600), (BLIND_19, 600), (BLIND_20, 600), (BLIND_21, 300), (BLIND_22, 600), (BLIND_23, 600),
     (BLIND_24, 600), (BLIND_25, 600), (BLIND_26, 600), (BLIND_27, 600), (BLIND_28, 600)],
    ids=["set6", "set7", "set8", "set9", "set10", "set11", "set12", "set13", "set14", "set15", "set16", "set17", "set18", "set19", "set20", "set21", "set22", "set23", "set24", "set25", "set26", "set27", "set28"],
)
def test_the_blind_sets_parse_and_are_large_enough_to_read(blind: Path, size: int) -> None:
    """The sets written blind: here only their shape is checked (their figures are read by bench/eval_report.py).
    Set 21 was written at half the size of the others (two writers, 175 cases each)."""
    cases = parse_cases(blind.read_text().splitlines(), str(blind))
    assert len(cases) >= size
    assert len({c.id for c in cases}) == len(cases)
    assert sum(c.alert for c in cases) >= 100 and sum(not c.alert for c in cases) >= 100
    assert sum(bool(c.forbidden) for c in cases) >= 50


def test_default_watchlist_stays_above_its_floor(matcher: Matcher) -> None:
    report = evaluate(matcher, parse_cases(CASES.read_text().splitlines(), str(CASES)))
    assert report.actors.f1 >= FLOOR_F1, report.misses[:5]
    assert report.events.f1 >= FLOOR_F1, report.misses[:5]
    assert report.alert_accuracy >= FLOOR_ALERT_ACCURACY, report.misses[:5]


@pytest.mark.parametrize(
    ("cases", "floors"),
    [
        (TUNING_2, FLOORS_TUNING_2),
        (TUNING_3, FLOORS_TUNING_3),
        # the fifth pass's figures (in-sample: tuned on), a little under: 0.974/0.945/0.963/10 and 0.959/0.901/0.951/38
        (TUNING_5, {"actors": 0.97, "events": 0.94, "alert_accuracy": 0.955, "forbidden_reported": 10}),
        (TUNING_6, {"actors": 0.955, "events": 0.895, "alert_accuracy": 0.945, "forbidden_reported": 38}),
        # the seventh pass's figures (IN-SAMPLE: tuned on), a little under: 0.988/0.936/0.984/33 and 0.994/0.966/0.984/18
        (BLIND_6, {"actors": 0.985, "events": 0.93, "alert_accuracy": 0.98, "forbidden_reported": 33}),
        (BLIND_7, {"actors": 0.99, "events": 0.96, "alert_accuracy": 0.98, "forbidden_reported": 18}),
        # the eighth pass's figures (IN-SAMPLE: tuned on), a little under: 0.980/0.946/0.981/32
        (BLIND_8, {"actors": 0.975, "events": 0.94, "alert_accuracy": 0.975, "forbidden_reported": 32}),
        # the ninth pass's figures (IN-SAMPLE: tuned on), a little under: 0.995/0.973/0.994/2
        (BLIND_9, {"actors": 0.99, "events": 0.965, "alert_accuracy": 0.99, "forbidden_reported": 4}),
        # the tenth pass's figures (IN-SAMPLE: tuned on), a little under: 0.991/0.977/0.990/5
        (BLIND_10, {"actors": 0.985, "events": 0.97, "alert_accuracy": 0.985, "forbidden_reported": 7}),
        # the eleventh pass's figures (IN-SAMPLE: tuned on), a little under: 0.996/0.973/0.989/3
        (BLIND_11, {"actors": 0.99, "events": 0.965, "alert_accuracy": 0.98, "forbidden_reported": 5}),
        # the twelfth, thirteenth and fourteenth passes' (IN-SAMPLE: tuned on), a little under: 0.991/0.977/0.991/2,
        # 0.977/0.941/0.971/25 and 0.983/0.906/0.956/16
        (BLIND_12, {"actors": 0.985, "events": 0.97, "alert_accuracy": 0.985, "forbidden_reported": 4}),
        (BLIND_13, {"actors": 0.97, "events": 0.935, "alert_accuracy": 0.965, "forbidden_reported": 27}),
        (BLIND_14, {"actors": 0.978, "events": 0.90, "alert_accuracy": 0.95, "forbidden_reported": 18}),
    ],
    ids=["set 2", "set 3", "set 4", "set 5", "set 6", "set 7", "set 8", "set 9", "set 10", "set 11", "set 12", "set 13", "set 14"],
)
def test_default_watchlist_holds_its_figures_on_the_tuning_sets(matcher: Matcher, cases: Path, floors: dict[str, float]) -> None:
    report = evaluate(matcher, parse_cases(cases.read_text().splitlines(), str(cases)))
    assert report.actors.f1 >= floors["actors"], report.misses[:5]
    assert report.events.f1 >= floors["events"], report.misses[:5]
    assert report.alert_accuracy >= floors["alert_accuracy"], report.misses[:5]
    assert report.forbidden_reported <= floors["forbidden_reported"], [m for m in report.misses if m.forbidden]


def test_a_plain_analysts_list_holds_its_events_figure_on_tuning_set_3() -> None:
    report = evaluate(Matcher(load_watchlist(PLAIN)), parse_cases(TUNING_3.read_text().splitlines(), str(TUNING_3)))
    assert report.events.f1 >= FLOOR_PLAIN_EVENTS_TUNING_3, report.misses[:5]


@pytest.mark.parametrize(
    ("cases", "floor"),
    # each pass's figure with the plain list (IN-SAMPLE: tuned on), a little under: events F1 0.918 (set 8), 0.952,
    # 0.958, 0.946, 0.951, 0.925 and 0.897 (set 14)
    [(BLIND_8, 0.91), (BLIND_9, 0.945), (BLIND_10, 0.95), (BLIND_11, 0.94), (BLIND_12, 0.945), (BLIND_13, 0.92), (BLIND_14, 0.89)],
    ids=["set 8", "set 9", "set 10", "set 11", "set 12", "set 13", "set 14"],
)
def test_a_plain_analysts_list_holds_its_events_figure_on_the_tuned_sets(cases: Path, floor: float) -> None:
    report = evaluate(Matcher(load_watchlist(PLAIN)), parse_cases(cases.read_text().splitlines(), str(cases)))
    assert report.events.f1 >= floor, report.misses[:5]


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


def test_a_case_line_nested_past_json_or_with_a_number_past_int_is_one_line() -> None:
    """Regression: `monitor eval` of a line nested 100,000 deep was a RecursionError traceback; a number of 5,000
    digits said to call sys.set_int_max_str_digits()."""
    deep = '{"id": "a", "text": ' + "[" * 100_000 + "]" * 100_000 + ', "alert": false}'
    with pytest.raises(ValueError, match=r"^cases.jsonl:1: not a case \(JSON nested too deeply to read\)$"):
        parse_cases([deep], "cases.jsonl")
    with pytest.raises(ValueError, match=r"^cases.jsonl:1: not a case \(a number of over 4,300 digits\)$"):
        parse_cases(['{"id": "a", "text": "x", "alert": false, "n": ' + "1" * 5000 + "}"], "cases.jsonl")


# A small watchlist of our own, so that what each error says does not move with the default one.
WATCH = Watchlist(
    actors=(
        Actor("Kataeb Hezbollah", "group", ("Kataeb Hezbollah", "KH"), context=(("KH", ("militia", "Iraq")),)),
        Actor("Hezbollah", "group", ("Hezbollah",)),
        Actor("Iran", "state", ("Iran", "Tehran")),
        Actor("Donald Trump", "person", ("Donald Trump", "Trump")),
    ),
    events=(
        Event("strike", 2, ("strike", "air strike"), not_when=("went on strike", "goal")),
        Event("threat", 1, ("threatened",)),
    ),
    rules=(Rule("violent", min_severity=2),),
    learned=False,  # the diagnosis of the rules' errors; tests/test_learned.py explains the learned layer's
)


def explained(cases: list[Case]) -> list[tuple[str, str, str, str]]:
    return [(e.case, e.kind, e.label, e.why) for e in evaluate(Matcher(WATCH), cases).errors]


def test_a_false_positive_shows_the_match_that_produced_it() -> None:
    [error] = evaluate(Matcher(WATCH), [Case("fp", "Reporters asked Tehran.", frozenset(), frozenset(), False)]).errors
    assert (error.kind, error.label) == ("false positive", "Iran")
    assert error.why == "actor 'Iran': alias 'Tehran' found 'Tehran' at 16-22, score 100"
    assert error.match is not None and (error.match.alias, error.match.start, error.match.end) == ("Tehran", 16, 22)


def test_a_miss_names_the_not_when_phrase_that_cancelled_it() -> None:
    [(_, kind, label, why)] = explained([Case("c", "Iran said the strike near the goal was a warning.", frozenset({"Iran"}), frozenset({"strike"}), False)])
    assert (kind, label) == ("miss", "strike")
    assert why.startswith("event 'strike': alias 'strike' found 'strike' at 14-20, score 100, but cancelled by not_when 'goal' (found 'goal' at 30-34, 2 words away")


def test_a_miss_names_the_ambiguous_alias_without_its_context() -> None:
    [(_, kind, label, why)] = explained([Case("c", "KH said nothing on Monday.", frozenset({"Kataeb Hezbollah"}), frozenset(), False)])
    assert (kind, label) == ("miss", "Kataeb Hezbollah")
    assert why == "actor 'Kataeb Hezbollah': alias 'KH' found 'KH' at 0-2, score 100, but ambiguous 'KH' has no context word within 20 words of it (militia, Iraq)"


def test_a_miss_by_a_context_word_too_far_says_the_window_and_where_the_word_is() -> None:
    """Regression: 'has no context word near it (militia, Iraq)' where 'Iraq' stood in the text: neither the
    window nor the distance was said, so the miss read as wrong."""
    text = "KH said on Monday that " + "nothing at all was going to happen to anyone anywhere in the long run, " * 2 + "in Iraq."
    [(_, kind, label, why)] = explained([Case("c", text, frozenset({"Kataeb Hezbollah"}), frozenset(), False)])
    assert (kind, label) == ("miss", "Kataeb Hezbollah")
    assert why == "actor 'Kataeb Hezbollah': alias 'KH' found 'KH' at 0-2, score 100, but ambiguous 'KH' has no context word within 20 words of it " \
                  "(militia, Iraq; 'Iraq' is 34 words away)"


def test_a_miss_says_when_no_alias_appears_and_which_came_nearest() -> None:
    errors = explained([
        Case("absent", "Nothing of note.", frozenset({"Donald Trump"}), frozenset(), False),
        Case("half", "Donald Duck waved.", frozenset({"Donald Trump"}), frozenset(), False),
        Case("unknown", "Wagner moved.", frozenset({"Wagner Group"}), frozenset(), False),
    ])
    assert [e[3] for e in errors] == [
        "no alias of 'Donald Trump' appears",
        "no alias of 'Donald Trump' appears (nearest: 'Donald Trump', without 'trump')",
        "'Wagner Group' is no actor or event of the watchlist",
    ]


def test_a_label_naming_nothing_says_which_name_it_means() -> None:
    """Regression: a label in another case ('Strike') or an alias ('KH') was only 'no actor or event of the watchlist'."""
    errors = explained([Case("c", "Nothing of note.", frozenset({"KH"}), frozenset({"Strike"}), False)])
    assert sorted(e[3] for e in errors) == [
        "'KH' is no actor or event of the watchlist (label it 'Kataeb Hezbollah'?)",
        "'Strike' is no actor or event of the watchlist (label it 'strike'?)",
    ]


def test_a_miss_overlapped_by_a_longer_match_names_it() -> None:
    [(_, kind, label, why)] = explained([Case("c", "Kataeb Hezbollah fighters moved.", frozenset({"Kataeb Hezbollah", "Hezbollah"}), frozenset(), False)])
    assert (kind, label) == ("miss", "Hezbollah")
    assert why == (
        "actor 'Hezbollah': alias 'Hezbollah' found 'Hezbollah' at 7-16, score 100, but not reported: a longer or better match overlaps it, "
        "actor 'Kataeb Hezbollah': alias 'Kataeb Hezbollah' found 'Kataeb Hezbollah' at 0-16, score 100"
    )


def test_a_wrong_alert_decision_names_the_rule_and_the_reason() -> None:
    errors = explained([
        Case("apart", "Iran was quiet. Later an air strike hit a convoy.", frozenset({"Iran"}), frozenset({"strike"}), True),
        Case("weak", "Iran threatened a response.", frozenset({"Iran"}), frozenset({"threat"}), True),
        Case("fired", "Trump ordered the strike.", frozenset({"Donald Trump"}), frozenset({"strike"}), False),
    ])
    assert errors == [
        ("apart", "alert missed", "alert", "rule 'violent': Iran (found 'Iran') and strike (found 'air strike', severity 2) are 4 words apart, in different sentences: not in one sentence"),
        ("fired", "alert not expected", "alert", "rule 'violent' fired (same sentence): Donald Trump (found \u201cTrump\u201d, 100) + strike (severity 2) within 2 words: \u201cTrump ordered the strike.\u201d"),
        ("weak", "alert missed", "alert", "rule 'violent': Iran found, but no event it takes of severity >= 2 (events found: threat (1))"),
    ]


def test_labels_that_must_not_be_reported_are_counted_and_listed_apart() -> None:
    cases = parse_cases([
        '{"id": "tower", "text": "The Tehran Tower restaurant was sold to a fund.", "alert": false, "not": ["Iran"]}',
        '{"id": "fine", "text": "Tehran was calm.", "actors": ["Iran"], "alert": false, "not": ["Donald Trump"]}',
    ], "cases.jsonl")
    report = evaluate(Matcher(WATCH), cases)
    assert report.forbidden_reported == 1 and report.actors.fp == 1
    assert [(e.case, e.kind, e.label) for e in report.errors] == [("tower", "must not be reported", "Iran")]
    assert report_json(report)["forbidden_reported"] == 1
    with pytest.raises(ValueError, match=r"cases.jsonl:1: Iran both expected and in `not`"):
        parse_cases(['{"id": "x", "text": "t", "actors": ["Iran"], "alert": false, "not": ["Iran"]}'], "cases.jsonl")


def test_alert_worthy_texts_missed_are_counted() -> None:
    report = evaluate(Matcher(WATCH), [
        Case("a", "Iran launched an air strike.", frozenset({"Iran"}), frozenset({"strike"}), True),
        Case("b", "Iran threatened a response.", frozenset({"Iran"}), frozenset({"threat"}), True),
        Case("c", "Nothing.", frozenset(), frozenset(), False),
    ])
    assert (report.alert_worthy, report.alert_worthy_missed) == (2, 1)


def test_eval_prints_each_error_with_its_cause_and_json_on_request(tmp_path: Path) -> None:
    watchlist = tmp_path / "watch.yaml"
    watchlist.write_text(
        "actors:\n  - name: Iran\n    kind: state\n    aliases: [Iran, Tehran]\n"
        "events:\n  - name: strike\n    severity: 2\n    phrases: [strike]\n    not_when: [goal]\n"
        "rules:\n  - name: violent\n    min_severity: 2\n"
    )
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c) for c in [
        {"id": "goal", "text": "Iran said the strike near the goal was a warning.", "actors": ["Iran"], "events": ["strike"], "alert": True},
        {"id": "calm", "text": "Tehran was calm.", "actors": [], "events": [], "alert": False, "not": ["Iran"]},
    ]) + "\n")
    text = monitor("eval", str(cases), "--watchlist", str(watchlist))
    assert text.returncode == 0, text.stderr
    assert "alert-worthy texts missed: 1 of 1" in text.stdout and "labels that must not be reported, reported: 1" in text.stdout
    assert "goal: miss strike: event 'strike': alias 'strike' found 'strike' at 14-20, score 100, but cancelled by not_when 'goal'" in text.stdout
    assert ("goal: alert missed: rule 'violent': Iran found, but no event it takes of severity >= 2 (no event found; "
            "event 'strike': alias 'strike' found 'strike' at 14-20, score 100, but cancelled by not_when 'goal'") in text.stdout
    assert "calm: must not be reported Iran: actor 'Iran': alias 'Tehran' found 'Tehran' at 0-6, score 100" in text.stdout
    data = json.loads(monitor("eval", str(cases), "--watchlist", str(watchlist), "--json").stdout)
    assert (data["cases"], data["alert_worthy_missed"], data["forbidden_reported"]) == (2, 1, 1)
    assert data["events"]["fn"] == 1 and data["actors"]["fp"] == 1
    assert {(e["case"], e["kind"]) for e in data["errors"]} == {("goal", "miss"), ("goal", "alert missed"), ("calm", "must not be reported")}
    assert next(e for e in data["errors"] if e["case"] == "calm")["match"] == {"name": "Iran", "alias": "Tehran", "found": "Tehran", "start": 0, "end": 6, "score": 100.0}


def test_eval_report_prints_in_sample_and_out_of_sample_side_by_side(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.jsonl"  # stands in for an out-of-sample file here: nothing is tuned on it
    tiny.write_text(json.dumps({"id": "t", "text": "Tehran was calm.", "actors": [], "alert": False, "not": ["Iran"]}) + "\n")
    script = [sys.executable, str(REPO / "bench" / "eval_report.py"), str(CASES), str(tiny)]
    table = subprocess.run(script, capture_output=True, text=True, cwd=tmp_path, check=True).stdout.splitlines()
    assert "alert-worthy texts missed" in table[0] and "labels that must not be reported, reported" in table[0]
    assert table[2].startswith("| in-sample (`tests/data/eval_cases.jsonl`, watchlist `config/watchlist.yaml`) |")
    assert table[3].startswith("| out-of-sample (") and table[3].endswith("| 1 | 0.000 | 1.000 | 1.000 | 0 of 0 | 1 |")
    rows = [json.loads(line) for line in subprocess.run([*script, "--json"], capture_output=True, text=True, check=True).stdout.splitlines()]
    assert [r["label"] for r in rows] == ["in-sample", "out-of-sample"]
    assert rows[0]["cases"] >= 150 and rows[1]["forbidden_reported"] == 1


def test_a_miss_taken_out_after_matching_says_why() -> None:
    """In-sample cases written for this test: yields_to, not_before and stands_for each named."""
    watchlist = Watchlist(
        actors=(
            Actor("Iraq", "state", ("Iraq",)),
            Actor("Baghdad", "place", ("Baghdad",), stands_for="Iraq"),
            Actor("Erbil", "place", ("Erbil",), not_before=("SC",)),
        ),
        events=(Event("strike", 2, ("struck",), yields_to=("rocket attack",)), Event("rocket attack", 2, ("rockets",))),
    )
    cases = [
        Case("y", "Rockets struck the base.", frozenset(), frozenset({"strike", "rocket attack"}), False),
        Case("n", "Erbil SC won again.", frozenset({"Erbil"}), frozenset(), False),
        Case("s", "Baghdad said the talks would resume.", frozenset({"Baghdad"}), frozenset(), False),
        Case("f", "In the video game, rockets fell on Erbil.", frozenset({"Erbil"}), frozenset({"rocket attack"}), False),
        Case("m", "Iraq scored twice in the World Cup qualifier.", frozenset({"Iraq"}), frozenset(), False),
        Case("b", "Rockets fell at dawn. The base was struck again at noon.", frozenset(), frozenset({"rocket attack", "strike"}), False),
    ]
    errors = {(e.case, e.label): e.why for e in evaluate(Matcher(watchlist), cases).errors if e.kind == "miss"}
    assert errors[("y", "strike")].endswith("but not reported: it yields to 'rocket attack' (found 'Rockets') in the same sentence (yields_to)")
    assert errors[("n", "Erbil")].endswith("but not reported: a head noun of its not_before follows it: 'Erbil SC' is the name of another thing")  # it named no head
    assert errors[("s", "Baghdad")].endswith("but not reported: read as 'Iraq', the government (stands_for)")
    assert errors[("f", "rocket attack")].endswith("but not reported: its sentence tells a game, a film or a novel (senses: fiction)")
    assert errors[("m", "Iraq")].endswith("but not reported: its sentence tells a match (senses: sports)")
    assert ("b", "strike") not in errors  # "The base was struck" is no definite reference: the strike stands


def test_a_miss_by_an_implied_yield_in_the_same_sentence_says_why() -> None:
    """In-sample case written for this test: no yields_to, the CAMEO codes imply it (it raised StopIteration once)."""
    watchlist = Watchlist(events=(Event("strike", 2, ("struck",), cameo="19"), Event("rocket attack", 2, ("rockets",), cameo="194")))
    cases = [Case("i", "Militants struck the base as rockets fell on it.", frozenset(), frozenset({"strike", "rocket attack"}), False)]
    errors = {(e.case, e.label): e.why for e in evaluate(Matcher(watchlist), cases).errors if e.kind == "miss"}
    assert errors[("i", "strike")].endswith("but not reported: it yields to 'rocket attack' (found 'rockets') in the same sentence (more specific)")


@pytest.mark.parametrize(("line", "says"), [
    ('{"id": "a", "text": "x", "alert": "false"}', "'alert' must be true or false, not \"false\""),
    ('{"id": "a", "text": "x", "alert": true, "actors": "Iran"}', "'actors' must be a list of names"),
    ('{"id": "a", "text": "x", "alert": true, "event": ["strike"]}', "unknown key 'event', did you mean 'events'?"),
    ('{"id": "a", "text": "x"}', "'alert' missing"),
    ('["a", "x", true]', "a case is a JSON object"),
    ('{"id": "a", "text": 3, "alert": true}', "'id' must be a string or a number and 'text' a string"),
])
def test_a_case_with_a_key_unknown_or_of_the_wrong_type_is_refused_naming_the_line(line: str, says: str) -> None:
    """Regression: "alert": "false" read as an alert expected, "actors": "Iran" as four one-letter names,
    and a misspelt key ("event") as a case with no events: each moved the figures without a word."""
    with pytest.raises(ValueError, match=re.escape(f"cases.jsonl:2: not a case ({says}")):
        parse_cases(['{"id": "ok", "text": "x", "alert": false}', line], "cases.jsonl")


def test_an_id_given_twice_is_refused_naming_both_lines() -> None:
    with pytest.raises(ValueError, match=r"cases.jsonl:3: id 'a' already given at line 1; give each case its own"):
        parse_cases(['{"id": "a", "text": "x", "alert": false}', '{"id": "b", "text": "y", "alert": false}', '{"id": "a", "text": "z", "alert": true}'], "cases.jsonl")


def test_explaining_many_texts_with_one_matcher_compiles_each_solo_matcher_once() -> None:
    """Regression: each text explained (`why_no_alert`: a replay's articles that would no longer alert) compiled again
    the solo matcher of every actor or event its rule held back (1e1b3f5): some 17 ms a text on the default list."""
    from monitor.matching.evaluation import _diagnosis, why_no_alert
    from monitor.matching.rules import match_text

    matcher = Matcher(load_watchlist(DEFAULT_WATCHLIST))
    text = "Officials spoke of a frappe near the Iraqi border."
    result = match_text(matcher, text)
    assert not result.alert
    why_no_alert(matcher, text, result)
    compiled = dict(_diagnosis(matcher)._solo)
    assert compiled  # the rule's events, each matched alone
    why_no_alert(matcher, text, result)
    assert _diagnosis(matcher)._solo == compiled and all(_diagnosis(matcher)._solo[k] is compiled[k] for k in compiled)
