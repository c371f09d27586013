"""The matcher on the seed, on press spellings, and on near-misses that must not match."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.matching.examples import slow_patterns
from monitor.matching.compiled import REGEX_MATCHES_MAX
from monitor.matching.matcher import REGEX_BUDGET, Matcher
from monitor.matching.normalise import normalise, sentence_bounds, skeleton, tokenize
from monitor.matching.rules import match_text
from monitor.model import Actor, Event, Example, Rule, Watchlist
from monitor.watchlist import load_watchlist
from tests.conftest import DEFAULT_WATCHLIST, SEED, long_word, memory_ceiling


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_watchlist(DEFAULT_WATCHLIST))


def names(matcher: Matcher, text: str, kind: str = "actor") -> set[str]:
    return {m.name for m in match_text(matcher, text).matches if m.kind == kind}


def test_seed_alerts_on_soleimani_drone_strike_and_ballistic_missiles(matcher: Matcher) -> None:
    result = match_text(matcher, SEED.read_text())
    actors = {m.name for m in result.matches if m.kind == "actor"}
    events = {m.name for m in result.matches if m.kind == "event"}
    assert {"Qasem Soleimani", "Kataeb Hezbollah", "Abu Mahdi al-Muhandis", "Iran", "United States"} <= actors
    assert {"drone strike", "ballistic missiles", "retaliation"} <= events
    assert result.alert and result.severity == 3
    fired = {(h.actor.name, h.event.name) for h in result.hits}
    assert ("Qasem Soleimani", "drone strike") in fired
    assert ("Iran", "ballistic missiles") in fired


def test_seed_match_spans_point_at_the_text(matcher: Matcher) -> None:
    text = SEED.read_text()
    for m in match_text(matcher, text).matches:
        assert text[m.start : m.end] == m.found


@pytest.mark.parametrize(
    ("spelling", "actor"),
    [
        ("Qassem Suleimani", "Qasem Soleimani"),
        ("Qasim Sulaimani", "Qasem Soleimani"),
        ("Ghasem Soleimani", "Qasem Soleimani"),
        ("Kassem Suleymani", "Qasem Soleimani"),
        ("Qasem Soleimanni", "Qasem Soleimani"),  # a misspelling
        ("QASEM SOLEIMANI", "Qasem Soleimani"),
        ("Qasem Soleimani’s", "Qasem Soleimani"),
        ("قاسم سليماني", "Qasem Soleimani"),
        ("Kata'ib Hizballah", "Kataeb Hezbollah"),
        ("Kataib Hizbullah", "Kataeb Hezbollah"),
        ("Kata’ib Hezbollah", "Kataeb Hezbollah"),
        ("al Muhandis", "Abu Mahdi al-Muhandis"),
        ("Abu Mehdi al-Muhandes", "Abu Mahdi al-Muhandis"),
        ("al-Mohandes", "Abu Mahdi al-Muhandis"),
        ("IRGC", "Islamic Revolutionary Guard Corps"),
        ("Erbil", "Erbil"),
        ("Irbil", "Erbil"),
        ("Ain al-Assad", "Ain al-Asad Air Base"),
    ],
)
def test_press_spellings_reach_the_actor(matcher: Matcher, spelling: str, actor: str) -> None:
    text = f"Officials said {spelling} was mentioned again on Tuesday."
    assert actor in names(matcher, text)


def test_an_ambiguous_alias_needs_its_context(matcher: Matcher) -> None:
    assert "Kataeb Hezbollah" in names(matcher, "The US struck KH positions in western Iraq.")
    assert "Kataeb Hezbollah" not in names(matcher, "Shoppers queued outside KH stores for the sale.")
    assert "Islamic State" in names(matcher, "IS militants claimed the attack.")
    assert "Islamic State" not in names(matcher, "WHAT IS NEXT FOR THE MARKETS")


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Hussein Tantawi met the press.", "Qasem Soleimani"),
        ("Nobody discussed us or the weather.", "United States"),  # lower-case 'us' is not the US
        ("The khaki uniforms were new.", "Kataeb Hezbollah"),  # KH never fires inside words
        ("This is what it is.", "Islamic State"),
        ("The Iranian team won the match.", "Iran"),  # 'Iranian' is not an alias of the state
        ("Sulaymaniyah is a city in Iraq.", "Qasem Soleimani"),
        ("The Hezbollah leader spoke in Beirut.", "Kataeb Hezbollah"),  # plain Hezbollah is another group
        ("Visit https://example.org/soleimani-drone-strike for more.", "Qasem Soleimani"),
    ],
)
def test_near_misses_do_not_match(matcher: Matcher, text: str, absent: str) -> None:
    assert absent not in names(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "Workers at the Iran Khodro plant went on strike over pay.",
        "Teachers in Tehran staged a strike, their union said.",
        "Shares of Iran Air rocketed and the stock price soared.",
        "Critics called it character assassination of Trump.",
        "Let us strike a deal, the US negotiator said.",
    ],
)
def test_labour_strikes_and_figures_of_speech_do_not_alert(matcher: Matcher, text: str) -> None:
    assert not match_text(matcher, text).alert


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("A drone strike hit the convoy.", "drone strike"),
        ("Two drone strikes hit the convoy.", "drone strike"),
        ("Tehran launched ballistic missiles.", "ballistic missiles"),
        ("Iran fired a ballistic missile.", "ballistic missiles"),
        ("Militias vowed to retaliate.", "retaliation"),
        ("The base was struck overnight.", "strike"),
    ],
)
def test_event_inflections(matcher: Matcher, text: str, event: str) -> None:
    assert event in names(matcher, text, "event")


def test_alert_needs_actor_and_event_in_the_same_sentence(matcher: Matcher) -> None:
    together = "Kataeb Hezbollah claimed the drone strike on the base."
    apart = "Kataeb Hezbollah issued a statement.\n\nElsewhere, a drone strike hit a farm."
    assert match_text(matcher, together).alert
    assert not match_text(matcher, apart).alert


def test_numbers_and_dates_never_match() -> None:
    watchlist = Watchlist(actors=(Actor("Unit 2020", "group", ("2020", "Unit")),))
    assert [m.found for m in Matcher(watchlist).find("On 3 January 2020 the unit moved.")] == ["unit"]


def test_within_words_rule() -> None:
    watchlist = Watchlist(
        actors=(Actor("Acme Corp", "organisation", ("Acme",)),),
        events=(Event("explosion", 3, ("explosion",)),),
        rules=(Rule("near", within=3),),
    )
    m = Matcher(watchlist)
    assert match_text(m, "Acme reported an explosion.").alert
    assert not match_text(m, "Acme reported that, after a very long delay, an explosion.").alert


def test_catastrophic_user_regex_does_not_stall() -> None:
    watchlist = Watchlist(actors=(Actor("Evil", "group", ("Evilcorp",), patterns=("(a|aa)+$",)),))
    started = time.monotonic()
    scan = Matcher(watchlist).scan("a" * 40 + "X")
    assert time.monotonic() - started < 2
    assert scan.timed_out == ("actor 'Evil' pattern '(a|aa)+$'",)


def test_twenty_catastrophic_regexes_share_one_budget_per_text() -> None:
    """Issue 14.10: the timeout was per pattern, so 20 catastrophic patterns cost 8.8 s an article, silently."""
    good = Event("missile", 3, ("missile",), patterns=(r"\bSS-\d+\b",))
    bad = tuple(Event(f"bad {i}", 1, (f"placeholder{i}",), patterns=("(a|aa)+$",)) for i in range(20))
    matcher = Matcher(Watchlist(events=(good, *bad)), time.monotonic)
    started = time.monotonic()
    result = match_text(matcher, "They fired an SS-21 at dawn. " + "a" * 40 + "!")
    assert time.monotonic() - started < REGEX_BUDGET + 2  # was 20 × 0.25 s and more
    assert [m.found for m in result.matches] == ["SS-21"]
    assert 1 <= len(result.regex_timeouts) <= 3  # the first takes 0.25 s, the next what is left of 0.5 s
    assert len(result.regex_timeouts) + len(result.regex_skipped) == 20
    assert result.regex_timeouts[0] == "event 'bad 0' pattern '(a|aa)+$'"
    assert result.regex_skipped[-1] == "event 'bad 19' pattern '(a|aa)+$'"


def test_without_a_clock_each_regex_has_its_own_timeout() -> None:
    bad = tuple(Event(f"bad {i}", 1, (f"placeholder{i}",), patterns=("(a|aa)+$",)) for i in range(3))
    result = match_text(Matcher(Watchlist(events=bad)), "a" * 40 + "!")
    assert (len(result.regex_timeouts), result.regex_skipped) == (3, ())


def test_slow_patterns_names_each_regex_that_times_out_on_an_example_once() -> None:
    bad = Event("bad", 1, ("placeholder",), patterns=("(a|aa)+$",))
    matcher = Matcher(Watchlist(events=(Event("fine", 1, ("fine",), patterns=("a+b",)), bad)))
    examples = tuple(Example("event", "bad", "a" * 40 + "!", False, f"wl.yaml:{n}") for n in (7, 8))
    (warning,) = slow_patterns(matcher, examples)
    assert warning.startswith("event 'bad' pattern '(a|aa)+$' timed out on example wl.yaml:7 ")
    assert slow_patterns(matcher, (Example("event", "bad", "calm text", False, "wl.yaml:9"),)) == []


def test_a_one_megabyte_word_is_matched_in_bounded_memory(matcher: Matcher) -> None:
    """Issue 14.1: a word made len(word) copies of itself (2.1 GB at 50 KB, a MemoryError at 100 KB)."""
    text = "Qassem Suleimani was killed in a drone strike. " + long_word(1_000_000) + " Kata'ib Hizballah blamed Washington."
    tracemalloc.start()
    try:
        with memory_ceiling(1 << 30):
            result = match_text(matcher, text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, peak  # the text and a few arrays as long as it
    assert result.alert and {"Qasem Soleimani", "Kataeb Hezbollah"} <= {m.name for m in result.matches}


def test_a_user_regex_matching_every_letter_keeps_its_first_hundred_matches_and_says_so() -> None:
    """Regression: a user regex had no cap on its matches: `\\w` matched a 50,000-character article 40,019 times (40,019
    matches stored, an alert listing them, `monitor match` printed a table of 40,019 rows in 68 s). Now each pattern keeps
    its first REGEX_MATCHES_MAX matches of a text, and the result names it."""
    watchlist = Watchlist(actors=(Actor("Letters", "group", ("Letterz",), patterns=(r"\w",)),), events=(Event("missile", 3, ("missile",), patterns=(r"\bSS-\d+\b",)),))
    started = time.monotonic()
    result = match_text(Matcher(watchlist, time.monotonic), "They fired an SS-21 missile. " + " ".join(["abcd"] * 10_000))
    assert time.monotonic() - started < 5
    assert sum(m.name == "Letters" for m in result.matches) == REGEX_MATCHES_MAX == 100
    assert [m.found for m in result.matches if m.name == "missile"][:1] == ["SS-21"]
    assert result.regex_capped == ("actor 'Letters' pattern '\\\\w'",)
    assert match_text(Matcher(watchlist), "They fired an SS-21 missile.").regex_capped == ()


def test_user_regex_matches_with_span() -> None:
    watchlist = Watchlist(events=(Event("missile", 3, ("missile",), patterns=(r"\bSS-\d+\b",)),))
    (match,) = Matcher(watchlist).find("They fired an SS-21 at dawn.")
    assert (match.found, match.name) == ("SS-21", "missile")


def test_sentence_bounds_split_on_full_stops() -> None:
    text = "One sentence here. Another one! And “a quote.” Last"
    assert [text[a:b] for a, b in sentence_bounds(text)] == ["One sentence here.", "Another one!", "And “a quote.”", "Last"]


def test_skeleton_folds_transliterations_but_keeps_names_apart() -> None:
    assert len({skeleton(w) for w in ("qasem", "qassem", "qasim", "ghasem", "kassem")}) == 1
    assert len({skeleton(w) for w in ("hezbollah", "hizballah", "hizbullah")}) == 1
    assert skeleton("tantawi") != skeleton("tanmir")


def test_tokens_split_hyphens_and_keep_apostrophes() -> None:
    assert [t.norm for t in tokenize("al-Muhandis Kata'ib Iran’s")] == ["al", "muhandis", "kataib", "iran"]


words = st.text(alphabet=st.characters(categories=["L", "N", "P", "Z"]), max_size=80)


@given(words)
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


ACCENTS = str.maketrans({"a": "á", "e": "é", "i": "ī", "o": "ö", "u": "ü"})
APOSTROPHES = ["'", "\u2019", "\u02bc", "`", "\u00b4"]


@given(
    st.sampled_from(["Qasem Soleimani", "Kata'ib Hezbollah", "Abu Mahdi al-Muhandis", "Ain al-Asad airbase"]),
    st.sampled_from([str.upper, str.lower, str.title, str]),
    st.sampled_from([" ", "  ", "\n", "\t", " \n "]),
    st.booleans(),
    st.sampled_from(APOSTROPHES),
)
def test_matching_is_invariant_under_case_accents_apostrophes_and_whitespace(name: str, case, space: str, accents: bool, apostrophe: str) -> None:  # type: ignore[no-untyped-def]
    variant = case(name).replace(" ", space).replace("'", apostrophe)
    if accents:
        variant = variant.translate(ACCENTS)
    expected = {x.name for x in MATCHER.find(f"Reports named {name} today.") if x.kind == "actor"}
    assert expected == {x.name for x in MATCHER.find(f"Reports named {variant} today.") if x.kind == "actor"}
    assert expected


MATCHER = Matcher(load_watchlist(DEFAULT_WATCHLIST))


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Write to trump.desk@example.com for details.", "Donald Trump"),
        ("The KH-101 cruise missile was tested.", "Kataeb Hezbollah"),
        ("Download strike_report_2019.csv now.", "strike"),
        ("PLEASE HELP US FIND OUR DOG", "United States"),
    ],
)
def test_addresses_file_names_model_numbers_and_headlines_do_not_match(matcher: Matcher, text: str, absent: str) -> None:
    assert absent not in {m.name for m in matcher.find(text)}


def test_abbreviations_do_not_end_a_sentence(matcher: Matcher) -> None:
    text = "The U.S. Defense Department said Brig. Gen. Smith blamed Kataeb Hezbollah for the drone strike."
    assert len(sentence_bounds(text)) == 1
    assert match_text(matcher, text).alert


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("وكتائب حزب الله هاجمت القاعدة", "Kataeb Hezbollah"),  # 'and' joined to the name
        ("Похороны Касема Сулеймани прошли в Тегеране.", "Qasem Soleimani"),  # genitive case
        ("قُتل قاسم سليماني", "Qasem Soleimani"),  # Arabic vowel marks
        ("Qase\u0301m Soleimani spoke.", "Qasem Soleimani"),  # decomposed accent
    ],
)
def test_other_scripts_with_their_inflections(matcher: Matcher, text: str, actor: str) -> None:
    assert actor in {m.name for m in matcher.find(text)}


def test_transliteration_collisions_are_rejected(matcher: Matcher) -> None:
    text = "Roger Milla, Javier Milei, Suleiman Frangieh, Islam Slimani and Abu Bakr al-Baghdadi."
    assert {m.name for m in matcher.find(text) if m.kind == "actor"} == set()


def test_an_acronym_in_a_capitals_headline_counts_before_a_head_it_names(matcher: Matcher) -> None:
    assert "United States" in {m.name for m in matcher.find("IRAN FIRES MISSILES AT US BASES IN IRAQ")}
    assert "United States" not in {m.name for m in matcher.find("PLEASE HELP US FIND OUR DOG")}
