"""Dedup keys: canonical URLs drop tracking and fragments; content hashes ignore case and spacing."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.dedup import canonical_url, content_hash, to_article
from monitor.model import Document
from monitor.text_norm import WORD, fold, normalise


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://Example.org/world/story?utm_source=x&utm_medium=rss#top", "https://example.org/world/story"),
        ("http://example.org:80/a?b=2&a=1&fbclid=abc", "http://example.org/a?a=1&b=2"),
        ("https://example.org:8443/a?gclid=1&id=7", "https://example.org:8443/a?id=7"),
        ("https://example.org", "https://example.org/"),
        ("mailto:desk@example.org", "mailto:desk@example.org"),
        ("", None),
        (None, None),
    ],
)
def test_canonical_url(url: str | None, canonical: str | None) -> None:
    assert canonical_url(url) == canonical


def test_content_hash_ignores_case_accents_and_spacing() -> None:
    assert content_hash("Drone Strike", "Qasem  Soleimani\nwas killed.") == content_hash("drone strike", "qasem soleimani was killed")
    assert content_hash("Drone Strike", "Qasem Soleimani was killed.") != content_hash("Drone Strike", "Qasem Soleimani was not killed.")


def test_to_article_carries_keys() -> None:
    doc = Document(source="wire", title="  A   title ", text=" Body. ", url="https://e.org/x?utm_campaign=y", guid=" g1 ")
    article = to_article(doc)
    assert (article.title, article.text, article.canonical_url, article.guid) == ("A title", "Body.", "https://e.org/x", "g1")


@pytest.mark.parametrize(("title", "text"), [
    ("Drone strike kills Soleimani", "A US drone strike near Baghdad airport killed Qasem Soleimani, officials said."),
    ("", "Kata'ib Hezbollah — al-Muhandis's militia — vowed revenge.\n\nThe IRGC fired ballistic missiles."),
    ("Only a title here, no text at all", ""),
    ("Café  Zürich", "ÉLYSÉE said: “no comment” (https://e.org/x)."),
])
def test_normalised_once_gives_the_content_hash_and_the_story_sketch(title: str, text: str) -> None:
    """The pipeline sketches `Article.normalised` instead of normalising the body again: the same signature."""
    from monitor.stories import sketch, sketch_normalised, sketches

    article = to_article(Document(source="wire", title=title, text=text))
    assert article.content_hash == content_hash(article.title, article.text)
    assert sketch_normalised(article.normalised) == sketch(article.body)
    assert sketches([article.normalised, article.normalised]) == [sketch(article.body)] * 2  # a feed's new articles at once


_LETTERS = "abcdlqsuIÉé’'`´ʼ \n-.ß\u0301ﬁ½"  # elided words and their apostrophes, accents, ligatures, line breaks


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_LETTERS), max_size=40) | st.text(max_size=40))
def test_normalise_is_the_fold_of_every_word(text: str) -> None:
    """Content hashes are stored: `normalise` (which takes a plain word regex where the text has no apostrophe)
    gives what folding each of WORD's tokens gives, with and without apostrophes."""
    nfc = unicodedata.normalize("NFC", text)
    assert normalise(text) == " ".join(filter(None, (fold(word) for word in WORD.findall(nfc))))
