"""A new document made ready to store: its text, its article (dedup keys, the normalised text made once
for the content hash and the sketch), its matches and its story sketch. Pure: the parsing processes run it
on a changed feed's entries the daemon has not seen (`Preparer`, handed to them through
`sources.parsing.ParserPool.use`), so that the storing thread, which does one thing at a time, only
decides and stores; `ingest` runs it for whatever came without (folders, full-text feeds, a feed the
parsing process could not prepare)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from monitor.dedup import to_article
from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.model import Article, Document, Prepared
from monitor.settings import Settings
from monitor.sources.parsing import ParserPool
from monitor.sources.text import with_text
from monitor.stories import sketches
from monitor.watchlist import load_watchlist


@dataclass(frozen=True)
class Preparer:
    """`prepare` with one watchlist's matcher: a picklable callable (the matcher is pickled with it);
    two are equal when they hold the same matcher."""

    matcher: Matcher

    def __call__(self, docs: Sequence[Document]) -> list[Prepared]:
        return prepare(self.matcher, [to_article(with_text(doc)) for doc in docs])


def daemon_matcher(settings: Settings) -> Matcher:
    """The watchlist's matcher for ingest: the clock for the regexes' budget, no cache of whole texts
    (ingest matches each new text once; the word cache stays: words recur from text to text)."""
    return Matcher(load_watchlist(settings.watchlist), time.monotonic, text_cache_chars=0)


def preparing_pool(matcher: Matcher, workers: int) -> ParserPool:
    """Parsing processes that prepare new entries with `matcher`, forked now if no thread runs (see
    `sources.parsing`). `monitor run` forks them before it imports the store, HTTP, the channels and the
    scheduler: those pages stay the daemon's alone (a page the daemon writes after the fork is copied, and
    the workers would keep the old one for nothing). The preparer first runs once here, on the watchlist's
    examples as feed markup: what it builds or imports on first use (lxml's HTML modules, the matcher's
    lookup tables) is then made once and shared, not again in each worker (4 MB of PSS each:
    bench/memory_split.py)."""
    preparer = Preparer(matcher)
    with contextlib.suppress(Exception):  # a failing preparer fails again on a feed, where it is reported
        preparer(_samples(matcher))
    parsers = ParserPool(workers)
    parsers.use(preparer)
    parsers.start()
    return parsers


def _samples(matcher: Matcher) -> list[Document]:
    """The watchlist's example sentences (at least one) as feed entries with markup."""
    texts = [example.text for example in matcher.watchlist.examples] or ["Warm-up."]
    return [Document("warm-up", "", "", html=f"<p>{escape(text)}</p>") for text in texts]


def prepare(matcher: Matcher, articles: Sequence[Article]) -> list[Prepared]:
    """Each article with its matches and its story sketch (the feed's sketches in one numpy call)."""
    sketched = sketches(article.normalised for article in articles)
    return [Prepared(article, match_text(matcher, article.body), signature, size)
            for article, (signature, size) in zip(articles, sketched, strict=True)]
