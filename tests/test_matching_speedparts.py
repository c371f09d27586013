"""Issues 15 and 16: the matcher's parts that make one pass over real text fast — whole-batch folding,
skeletons and stems equal to the per-word ones, the batch actor keys equal to the per-word ones, the
phrase index over word atoms, a text's words, the word cache that keeps its recent half — and the
neutral text normalisation module."""

from __future__ import annotations

import ast
import gc
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import monitor.matching.words as words_module
from monitor.matching import stems
from monitor.matching.automaton import PhraseIndex
from monitor.matching.matcher import Matcher
from monitor.matching.words import _SPLIT, CACHE_KEY_MAX, NEVER, WordKeys, norm_of, split_words
from monitor.model import Actor, Event, Watchlist
from monitor import text_norm
from monitor.text_norm import WORD, blank_non_prose, fold, fold_many, skeleton, skeleton_many
from monitor.watchlist import load_watchlist
from tests.conftest import DEFAULT_WATCHLIST

ROOT = Path(__file__).resolve().parent.parent
_WORDS = st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=12)
_TRICKY = ["Soleimani's", "KATA'IB", "ῗͅ", "¼", "Straße", "İstanbul", "ﬁre", "a_b", "_", "\u0301e", "’S", "Ὀδυσσεύς", "x\xadyz"]


@given(st.lists(_WORDS | st.sampled_from(_TRICKY), max_size=30))
@settings(max_examples=300)
def test_folding_many_words_at_once_equals_folding_each(words: list[str]) -> None:
    assert fold_many(words) == [fold(w) for w in words]


@given(st.lists(st.text("abcdeghijkloqsuwyzhkptx ", max_size=12) | st.text("aabbççددдд__11 ́", max_size=8) | _WORDS, max_size=30))
def test_skeletons_of_many_words_at_once_equal_each_ones(norms: list[str]) -> None:
    norms = [n.replace(" ", "") for n in norms]
    assert skeleton_many(norms) == [skeleton(n) for n in norms]


def test_stemming_many_words_at_once_equals_stemming_each() -> None:
    norms = ["deployed", "deployment", "frappes", "ataques", "soldaten", "killing", "a", ""]
    for language in stems.LANGUAGES:
        assert stems.stem_many(norms, language) == [stems.stem(n, language) for n in norms]


def test_a_words_phrase_stem_learnt_in_a_batch_is_the_one_stem_gives() -> None:
    """`WordKeys._stems` marks function words once and stems the rest language by language: the same as `word_stems` per word."""
    matcher = Matcher(load_watchlist(DEFAULT_WATCHLIST))
    keys: WordKeys = matcher._words
    norms = ["deployed", "frappes", "ataques", "soldaten", "killing", "the", "de", "die", "a", "as", "los", "struck", "x", ""]
    norms += sorted(stems.FUNCTION_WORDS)
    assert keys._stems(norms) == [keys.word_stems(n) for n in norms]
    assert any(keys._stems(norms))


_ELISION_PIECES = [*"lLdDquQUnNsStTaAcC'’‘ʼʻ`´′ xe\u0301\u0670_1é-.\u0644\n", "qu", "jusqu", "dell", "un", "anch", "ſ", "K", "İ", "l'", "d’", "Irak"]


@given(st.lists(st.sampled_from(_ELISION_PIECES), max_size=14).map("".join) | st.text(max_size=20))
@settings(max_examples=600)
def test_splitting_by_runs_then_elisions_equals_splitting_by_words(text: str) -> None:
    """`split_words` (a C split without WORD's elided-word branch, elisions cut after) gives WORD's split."""
    assert split_words(text) == _SPLIT.split(text)


@given(st.lists(st.sampled_from(_ELISION_PIECES), max_size=14).map("".join) | st.text(max_size=20))
@settings(max_examples=600)
def test_the_elision_gate_opening_with_the_apostrophe_finds_the_texts_the_reference_pattern_finds(text: str) -> None:
    """`split_words`' quick test (apostrophe first, the elided word by lookbehinds) is the reference pattern's."""
    assert (words_module._ELISION_GATE.search(text) is None) == (words_module._ELISION_AT_RUN_START.search(text) is None)


def test_elided_words_are_cut_from_the_word_after_them() -> None:
    assert split_words("l'Irak, qu’Israël dʼEx x'y") == ["", "l", "'", "Irak", ", ", "qu", "’", "Israël", " ", "d", "", "ʼEx", " ", "x'y", ""]


def _misspelt(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word) + 1)
    letter = rng.choice("aeiouyhkqszlmnrt")
    return rng.choice([word[:i] + letter + word[i:], word[:i] + word[i + 1 :], word[:i] + letter + word[i + 1 :]])


def test_the_actor_keys_of_many_words_at_once_equal_each_words_key() -> None:
    """The batch skips the per-word fuzzy comparison only for words no alias word can agree with."""
    matcher = Matcher(load_watchlist(DEFAULT_WATCHLIST))
    keys: WordKeys = matcher._words
    rng = random.Random(15)
    alias_words = sorted({w for ws in keys.alias_words.values() for w in ws})
    norms = [_misspelt(rng.choice(alias_words), rng) for _ in range(3000)] + alias_words
    norms += ["وسليماني", "сулеймани", "сулейманием", "general", "hospital", "attacked", "a" * 300, NEVER]
    assert keys._keys(norms) == [keys.actor_key(n) for n in norms]
    assert sum(k != NEVER for k in keys._keys(norms)) > 1000  # the misspellings do meet their aliases


def test_a_texts_words_are_its_prose_words_with_their_spans() -> None:
    matcher = Matcher(Watchlist(actors=(Actor("Qasem Soleimani", "person", ("Qasem Soleimani",)),)))
    text = "Qasem Soleimani's convoy, see https://example.org/qasem or mail qasem@example.org; F-35 jets."
    words = matcher._words.text_words(text)
    expected = [(m.start(), m.end(), m.group()) for m in WORD.finditer(blank_non_prose(text))]
    assert list(zip(words.starts, words.ends, words.raws)) == expected
    assert words.norms(0, 1) == ("qasem", "soleimani")
    assert words.before(text.index("convoy")) == 2
    assert words.atoms[0] and words.atoms[1] and not words.atoms[2]


def test_a_word_over_the_cache_key_limit_is_worked_out_each_time_and_never_cached() -> None:
    long_name = "Q" + "a" * CACHE_KEY_MAX
    matcher = Matcher(Watchlist(actors=(Actor("Long", "group", (long_name[:200],)),)))
    for _ in range(2):
        assert [m.found for m in matcher.find(f"He met {long_name} and left.")] == [long_name]
    assert long_name not in matcher._words.atoms
    assert norm_of(long_name) == long_name.lower()


def test_a_full_word_cache_drops_its_older_half_and_keeps_the_recent() -> None:
    keys = WordKeys({"kasam": {"qasem"}}, {"attack"})
    keys.limit = 10
    learnt: list[str] = []
    for i in range(40):
        batch = [f"w{i}x{j}" for j in range(3)]
        keys.learn(batch)
        learnt += batch
        assert len(keys.atoms) <= 10 and len(keys.norms) <= 10
        assert all(w in keys.atoms for w in batch)  # the words just learnt stay
    assert len(keys.atoms) >= 5
    assert list(keys.atoms) == learnt[-len(keys.atoms) :]  # the recent ones, in order


def test_a_batch_larger_than_the_cache_keeps_its_last_words() -> None:
    keys = WordKeys({}, set())
    keys.limit = 10
    norms, atoms = keys.learn([f"w{j}" for j in range(25)])
    assert len(norms) == len(atoms) == 25  # all worked out
    assert len(keys.atoms) <= 10 and "w24" in keys.atoms


def test_the_phrase_index_finds_patterns_over_whole_words_longest_first() -> None:
    index = PhraseIndex()
    index.add([{"kasam"}, {"salaman"}], ids=[0])  # an actor alias of two words
    index.add([{"salaman"}], ids=[1])
    index.add([{"=attack", "=attaqu"}], ids=[2])  # an event word in two languages
    index.add([{"=attack"}], phrases=[0])  # a context phrase with the same word
    index.add([{"kasam"}, {"salaman"}], ids=[3])  # another alias with the same words
    atoms: list[tuple[str, ...]] = [("kasam",), ("salaman",), (), ("kasam",), ("=attaqu",), ("salaman", "=attack")]
    hits = index.scan(atoms)
    assert [(h.last, h.n, h.ids, h.phrases) for h in hits] == [
        (1, 2, (0, 3), ()),  # longest first at the same last word; ids in the order added
        (1, 1, (1,), ()),
        (4, 1, (2,), ()),
        (5, 1, (1, 2), (0,)),  # a word with two atoms: every pattern of each
    ]
    assert index.scan([("kasam",), (), ("salaman",)])[0].n == 1  # a word without atoms stands between


def test_a_pattern_added_after_a_scan_is_found_by_the_next_scan() -> None:
    """The index keeps, per atoms met, the nodes they enter at; adding a pattern forgets them."""
    index = PhraseIndex()
    index.add([{"kasam"}], ids=[0])
    atoms: list[tuple[str, ...]] = [("=attack",), ("kasam",)]
    assert [h.ids for h in index.scan(atoms)] == [(0,)]
    index.add([{"=attack"}, {"kasam"}], ids=[1])
    assert [(h.last, h.n, h.ids) for h in index.scan(atoms)] == [(1, 2, (1,)), (1, 1, (0,))]


@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "=a", "=b"]), max_size=2).map(tuple), max_size=12))
def test_scanning_with_remembered_entries_equals_scanning_afresh(atoms: list[tuple[str, ...]]) -> None:
    """A scan by an index that has met these atoms before finds what a fresh index finds."""
    def built() -> PhraseIndex:
        index = PhraseIndex()
        for k, steps in enumerate([[{"a"}], [{"a"}, {"b", "=b"}], [{"=a"}, {"c"}, {"a"}], [{"b"}]]):
            index.add(steps, ids=[k])
        return index

    used = built()
    used.scan(atoms[::-1])
    used.scan(atoms)
    assert used.scan(atoms) == built().scan(atoms)


def test_a_full_table_of_patterns_found_together_drops_its_older_half_and_finds_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    import monitor.matching.automaton as automaton_module

    monkeypatch.setattr(automaton_module, "SAID_LIMIT", 4)
    index, fresh = PhraseIndex(), PhraseIndex()
    for k in range(8):
        index.add([{f"w{k}"}], ids=[k])
        fresh.add([{f"w{k}"}], ids=[k])
    texts: list[list[tuple[str, ...]]] = [[(f"w{k}",)] for k in range(8)]
    for atoms in texts:
        assert index.scan(atoms) == fresh.scan(atoms)
    assert 0 < len(index._said) <= 4 and (7,) in index._said  # the recent kept
    assert index.scan(texts[0]) == fresh.scan(texts[0])


def test_compiling_pauses_the_collector_and_leaves_it_as_it_was() -> None:
    from monitor.matching.compiled import collector_paused

    watchlist = Watchlist((Actor("Qasem Soleimani", "person", ("Qasem Soleimani", "Soleimani")),), (), ())
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    Matcher(watchlist)
    assert gc.isenabled()
    gc.disable()
    try:
        Matcher(watchlist)
        assert not gc.isenabled()  # a caller's choice stays
    finally:
        gc.enable()


def test_a_large_compile_runs_no_collection_while_it_makes_objects_and_one_full_one_at_the_end() -> None:
    from monitor.matching.compiled import COLLECT_AFTER, collector_paused

    started: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(record)
    try:
        with collector_paused():
            made = [[] for _ in range(COLLECT_AFTER + 1)]
            assert started == []
        assert started[:1] == [2] and len(made) == COLLECT_AFTER + 1
    finally:
        gc.callbacks.remove(record)


def test_the_compiled_tables_hold_tuples_where_the_collector_would_walk_sets() -> None:
    """Neighbour keys, alias words and index patterns are tuples (untracked once the collector met them)."""
    matcher = Matcher(load_watchlist(DEFAULT_WATCHLIST))
    keys = matcher._words
    assert keys.neighbours and all(type(v) is tuple for v in keys.neighbours.values())
    assert all(type(v) is tuple for v in keys.alias_words.values())
    gc.collect()
    assert not any(gc.is_tracked(v) for v in keys.neighbours.values())
    assert len({id(c) for c in matcher._checks}) < len(matcher._checks) / 4  # equal checks are one object


def test_the_text_normalisation_module_imports_nothing_of_monitor() -> None:
    tree = ast.parse((ROOT / "monitor" / "text_norm.py").read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m.split(".")[0] == "monitor"]
    for user in ("dedup.py", "stories.py"):
        assert "from monitor.text_norm import" in (ROOT / "monitor" / user).read_text(encoding="utf-8")


def test_no_matching_module_bypasses_a_frozen_dataclass_or_scans_backwards() -> None:
    for path in (ROOT / "monitor" / "matching").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "object.__new__" not in source and "REVERSE" not in source, path.name


def test_an_event_word_and_an_alias_word_in_one_word_both_match() -> None:
    watchlist = Watchlist(actors=(Actor("Strike Force", "group", ("Strike Force",)),), events=(Event("strike", 3, ("strike",)),))
    found = [(m.kind, m.found) for m in Matcher(watchlist).find("The Strike Force said a strike hit.")]
    assert found == [("actor", "Strike Force"), ("event", "Strike"), ("event", "strike")]
    assert words_module.CACHE_LIMIT > 0


def test_a_text_met_again_is_matched_from_the_recent_texts_kept_and_a_full_cache_drops_its_older_half() -> None:
    matcher = Matcher(load_watchlist(DEFAULT_WATCHLIST))
    matcher.text_cache_chars = 400
    texts = [f"Report {i}: Qassem Soleimani was killed in Baghdad, officials said on day {i}." for i in range(8)]
    first = [matcher.scan(t) for t in texts]
    assert texts[-1] in matcher._texts and texts[0] not in matcher._texts  # the older half went, the recent stayed
    assert sum(map(len, matcher._texts)) <= 400
    again = matcher.scan(texts[-1])
    assert again.words is matcher._texts[texts[-1]][0]  # from the cache
    assert again.matches == first[-1].matches and [m.name for m in again.matches] == ["Qasem Soleimani", "killing", "Baghdad"]
    assert [s.matches for s in map(matcher.scan, texts)] == [s.matches for s in first]


def test_a_text_over_the_text_cache_limit_is_matched_each_time_and_never_kept() -> None:
    from monitor.matching.matcher import TEXT_CACHE_MAX

    matcher = Matcher(load_watchlist(DEFAULT_WATCHLIST))
    text = "Qassem Soleimani was killed. " + "word " * (TEXT_CACHE_MAX // 5)
    assert [m.name for m in matcher.scan(text).matches][:2] == ["Qasem Soleimani", "killing"]
    assert text not in matcher._texts and not matcher._texts


_BLANK_PIECES = [*"ab:/.@-1 wWx\n", "://", "http", "www.", "WWW.", ".pdf", ".Csv", ".txt", "-3", "KH", "-101", "F-35", "me@x.org", "ş"]


@given(st.lists(st.sampled_from(_BLANK_PIECES), max_size=16).map("".join) | st.text(max_size=20))
@settings(max_examples=500)
def test_blanking_behind_one_quick_test_per_kind_equals_trying_every_kind(text: str) -> None:
    """`blank_non_prose` tries the links and the names only when one regex finds a mark of them: the same text."""
    assert blank_non_prose(text) == text_norm._blank(text_norm._blank(text, text_norm._LINKS), text_norm._NAMES)


def test_learning_words_in_one_batch_equals_learning_each_alone() -> None:
    """Batches of letters only take a shorter path (no per-word digit or length test): the same normal forms and atoms."""
    watchlist = load_watchlist(DEFAULT_WATCHLIST)
    letters = ["Soleimani", "attacked", "Iran", "Straße", "killing", "Qassem", "dell", "the", "Hizballah", "сулеймани"]
    mixed = [*letters, "F35", "x1", "a" * 1001, "Iran's", "²", "l'Irak", ""]
    for batch in (letters, mixed):
        together: WordKeys = Matcher(watchlist)._words
        alone: WordKeys = Matcher(watchlist)._words
        norms, atoms = together.learn(batch)
        each = [alone.learn([w]) for w in batch]
        assert [(norms[w], atoms[w]) for w in batch] == [(n[w], a[w]) for w, (n, a) in zip(batch, each)]
        assert any(atoms[w] for w in batch)


def test_a_matcher_without_a_text_cache_keeps_no_text_and_finds_the_same() -> None:
    """The daemon's matcher (prepare.daemon_matcher) matches each new text once: it keeps no whole texts
    (1,000,000 characters of them held ≈ 19 MB), and finds what a caching matcher finds, twice over."""
    watchlist = load_watchlist(DEFAULT_WATCHLIST)
    cached, uncached = Matcher(watchlist), Matcher(watchlist, text_cache_chars=0)
    text = "Qasem Soleimani was killed in a US drone strike near Baghdad airport.\n\nIran vowed revenge."
    for _ in range(2):
        assert uncached.scan(text).matches == cached.scan(text).matches != []
    assert len(uncached._texts) == 0 and len(cached._texts) == 1
