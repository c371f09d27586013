"""How an article is named on one line: its title cut at a word's end, or an untitled article's opening words."""

from __future__ import annotations

from monitor.text_norm import TITLE_CHARS, cut_line, one_line_title, title_or_opening


def test_a_line_is_cut_at_the_last_word_end_with_an_ellipsis() -> None:
    assert cut_line("US drone strike kills general", 20) == "US drone strike…"
    assert len(cut_line("US drone strike kills general", 20)) <= 20
    assert cut_line("short", 20) == "short"


def test_a_long_word_at_the_end_is_cut_at_the_width_not_before_half_of_it() -> None:
    """Before cut_line, a digest's title and an untitled article's opening dropped the whole last word, however
    long: 'Strike' and 89 letters without a space came out as 'Strike…'."""
    line = "Strike " + "x" * 89
    assert cut_line(line, 90) == line[:89] + "…"
    assert title_or_opening("", line) == line[:89] + "…"


def test_a_title_is_one_line_and_at_most_title_chars() -> None:
    assert one_line_title("Drone\n strike\t\tin  Baghdad") == "Drone strike in Baghdad"
    long = " ".join(["word"] * TITLE_CHARS)
    assert len(one_line_title(long)) <= TITLE_CHARS
    assert one_line_title(long).endswith("word…")


def test_an_untitled_article_is_named_by_its_opening_words() -> None:
    assert title_or_opening("A title", "text") == "A title"
    assert title_or_opening("", "  Missiles  hit\nthe base. " * 20, width=30) == "Missiles hit the base.…"
