"""Matching a hostile text of thousands of watched names in one sentence: the parts that weighed every pair (the
rules' actor x event pairs, a cluster's side-by-side phrases, each match's sentence searched in the whole text)
give what the pair-by-pair forms give, at a cost that grows with the matches, not their square."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import text_norm
from monitor.matching import overlaps, rules
from monitor.matching.matcher import Matcher
from monitor.matching.overlaps import Found, Said
from monitor.matching.rules import match_text
from monitor.watchlist import load_watchlist
from tests.conftest import DEFAULT_WATCHLIST

DATA = Path(__file__).resolve().parent / "data"


def _texts() -> list[str]:
    texts = [json.loads(line)["text"] for name in ("eval_cases.jsonl", "eval_unseen.jsonl", "eval_unseen2.jsonl") for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    crowded = "Hezbollah and Kataib Hezbollah fired rockets at US troops; Iran vowed revenge after the drone strike. " * 60  # one text of many pairs
    return texts + [crowded, crowded.replace(".", ",")]


def test_the_rules_weigh_many_pairs_at_once_as_they_weigh_them_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = Matcher(load_watchlist(DEFAULT_WATCHLIST))
    texts = _texts()
    one_by_one = [match_text(matcher, t).hits for t in texts]
    monkeypatch.setattr(rules, "PAIRS_ONE_BY_ONE", 0)  # every rule's pairs weighed at once
    at_once = [match_text(matcher, t).hits for t in texts]
    assert at_once == one_by_one
    assert sum(len(h) for h in at_once) > 500  # texts that alert, several rules and actors each


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("ab .!?\n\"')]”’;"), max_size=80), st.data())
def test_a_long_texts_sentence_is_the_one_found_from_near_the_position(text: str, data: st.DataObject) -> None:
    if not text.strip():
        return
    pos = data.draw(st.integers(0, len(text)))
    near = text_norm.sentence_of(text, pos)
    saved = text_norm.LONG_TEXT
    text_norm.LONG_TEXT = -1  # every text long: its sentences found once and kept
    try:
        assert text_norm.sentence_of(text, pos) == near
    finally:
        text_norm.LONG_TEXT = saved


def _holds_adjacent_pair_by_pair(m: Found, cluster: list[Found]) -> bool:
    """The check as it was written before: every other match of the cluster looked at."""
    cameo = m.said.fields["cameo"]
    return bool(cameo) and any(
        not o.how.startswith("words") and m.start < o.start and o.end <= m.end and len(o.said.fields["cameo"]) > len(cameo) and o.said.fields["cameo"].startswith(cameo)
        for o in cluster
    )


def test_a_clusters_side_by_side_phrases_are_looked_up_by_start_as_they_were_found_by_walking_all() -> None:
    rnd = random.Random(15)
    for _ in range(300):
        cluster = []
        for _ in range(rnd.randint(1, 30)):
            start = rnd.randint(0, 60)
            cameo = rnd.choice(["", "1", "19", "190", "195", "18", "183"])
            cluster.append(Found(start, start + rnd.randint(1, 25), 100.0, Said("event", {"cameo": cameo}), rnd.choice(["", "inflected", "words", "words, inflected"])))
        side = sorted((o for o in cluster if not o.how.startswith("words")), key=lambda o: (o.start, o.said.kind))
        starts = [o.start for o in side]
        for m in cluster:
            assert overlaps._holds_adjacent(m, side, starts) == _holds_adjacent_pair_by_pair(m, cluster)


def test_the_context_word_of_a_match_is_looked_for_only_near_it() -> None:
    """Regression: finding the context word that let a match count (`automaton.nearest`, 3eb428d) walked every place
    the context phrase was seen, for each match: a text of 'Macina fighters' said thousands of times cost the square
    of that (0.61 s of CPU at 3,000, against 0.22 s without it). It looks at the places ending near the match only."""
    from monitor.matching.automaton import nearest

    class Counted(list[tuple[int, int]]):
        looked = 0

        def __iter__(self):  # type: ignore[no-untyped-def]
            for i in range(len(self)):
                yield self[i]

        def __getitem__(self, i):  # type: ignore[no-untyped-def]
            Counted.looked += 1
            return super().__getitem__(i)

    places = Counted((k * 2 + 1, 1) for k in range(10_000))  # a one-word context phrase after each word of a name
    assert nearest(frozenset({7}), 10_000, 1, {7: places}, 20) == (9_999, 9_999)  # as close as 10,001: the earlier
    assert Counted.looked < 100
