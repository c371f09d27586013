"""One straight line from documents to stored articles: known GUIDs skipped -> text (and, for feeds that
ask, the page's full text) -> one Article each -> dedup (URL, content hash) -> match -> story -> alert
decision -> save (article, matches, story, alert and its deliveries in one transaction)."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from monitor import metrics
from monitor.alerts.decide import ChannelPolicy, Decision, decide
from monitor.alerts.render import StoryContext, alert_context, render_body, render_title
from monitor.dedup import to_article
from monitor.errors import SourceError
from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.model import Article, Document, FetchResult, MatchResult
from monitor.sources.text import decode_page, page_to_text, with_text
from monitor.store import articles, counts, mutes
from monitor.store import stories as story_store
from monitor.store.db import Database, utcnow
from monitor.stories import StoryIndex, article_time, sketch_normalised

log = logging.getLogger("monitor")
Enrich = Callable[[list[Document]], list[Document]]  # new documents in, the same with more text out


@dataclass(frozen=True)
class StoryLimits:
    """[stories]: how many recent articles the near-duplicate index holds, how close in time a copy joins."""

    window: int = 5000
    join_within: timedelta = timedelta(hours=72)


class Ingest:
    """Stores new documents with their matches and alerts; one per daemon (it holds the story index)."""

    def __init__(self, db: Database, matcher: Matcher, policy: ChannelPolicy, limits: StoryLimits) -> None:
        self.db, self.matcher, self.policy, self.limits = db, matcher, policy, limits
        self.on_alert: Callable[[], None] = lambda: None  # the daemon sets this to dispatch at once
        self.story_index = StoryIndex()  # near-duplicates of the latest `limits.window` articles
        self._story_lock = threading.Lock()
        self._slow_said: set[tuple[str, str]] = set()  # user regexes already said to have run out of time
        for article_id, story_id, signature, size, published, fetched in story_store.recent_sketches(db, limits.window):
            self.story_index.add(article_id, story_id, signature, size, article_time(published, fetched))

    def __call__(self, source_id: int, source_name: str, docs: Iterable[Document], enrich: Enrich | None = None) -> int:
        """Store the documents not seen before; returns how many were new. `enrich` runs on those only."""
        docs = list(docs)
        guids = [(doc.guid or "").strip() for doc in docs]
        known = articles.known_guids(self.db, source_id, [g for g in guids if g])
        new_docs = [with_text(doc) for doc, guid in zip(docs, guids) if guid not in known]  # the rest: not even made text
        if enrich is not None and new_docs:
            new_docs = enrich(new_docs)
        fresh = [to_article(doc) for doc in new_docs]
        known_urls, known_content = articles.known_urls_and_hashes(
            self.db, [a.canonical_url for a in fresh if a.canonical_url], [a.content_hash for a in fresh])
        new = 0
        for article in fresh:
            if not (article.title or article.text) or article.canonical_url in known_urls or article.content_hash in known_content:
                continue  # (a copy stored since, or within this batch, is caught when saving)
            new += self._store(source_id, source_name, article)
        return new

    def _store(self, source_id: int, source_name: str, article: Article) -> int:
        result = match_text(self.matcher, article.body)
        self._say_slow_patterns(result, source_name)
        with self._story_lock:  # find, decide and store at once: two copies never both start a story
            signature, size = sketch_normalised(article.normalised)
            fetched = utcnow()
            at = article_time(article.published, fetched)  # a copy joins only a story this close in time
            story = story_store.state(self.db, self.story_index.find(signature, size, at, self.limits.join_within), source_id)
            muted = set(mutes.active(self.db, fetched)) if result.alert else set()
            decision = decide(result, story, muted, self.policy, fetched)
            alert = _new_alert(article, decision, source_name, story, fetched) if decision else None
            link = articles.StoryLink(story.id if story else None, signature, size, decision.reported if decision else frozenset())
            counted = counts.counting(result, min(at, fetched)) if story is None else None  # a new story: its hourly counts (trends)
            saved = articles.save_article(self.db, source_id, article, result, alert, fetched, link, counted)
            if saved is None:
                return 0
            article_id, story_id = saved
            self.story_index.add(article_id, story_id, signature, size, at)
            self.story_index.remove_before(article_id - self.limits.window)
            metrics.STORY_INDEX.set(len(self.story_index))
        metrics.ARTICLES.labels(source_name).inc()
        metrics.MATCHES.inc(len(result.matches))
        fields = {"source": source_name, "article": article_id}
        if alert:
            metrics.ALERTS.labels(str(alert.severity)).inc()
            self.on_alert()
            log.info("article %d from %s: alert %s, severity %d, to %s", article_id, source_name, alert.uid, alert.severity,
                     ", ".join(alert.channels) or "no channel", extra={**fields, "alert": alert.uid})
        else:
            log.debug("article %d from %s: no alert", article_id, source_name, extra=fields)
        return 1

    def _say_slow_patterns(self, result: MatchResult, source_name: str) -> None:
        """Log once per pattern (per process) a user regex that timed out on an article or was skipped."""
        for label in result.regex_timeouts:
            if ("timeout", label) not in self._slow_said:
                self._slow_said.add(("timeout", label))
                log.warning("watchlist %s timed out on an article from %s and was given up there (said once; `monitor check` tries it on the examples)", label, source_name)
        for label in result.regex_skipped:
            if ("skipped", label) not in self._slow_said:
                self._slow_said.add(("skipped", label))
                log.warning("watchlist %s was not tried on an article from %s: the article's regex time was spent by slower patterns (said once)", label, source_name)


def _new_alert(article: Article, decision: Decision, source_name: str, story: story_store.StoryState | None, now: datetime) -> articles.NewAlert:
    """The alert's rows: rendered title, body and context, and its channels."""
    uid, result = uuid.uuid4().hex[:16], decision.result
    context = StoryContext(story.articles + 1, story.sources, story.last_alert_uid, decision.news) if story else StoryContext()
    return articles.NewAlert(
        uid, result.severity, result.tags, render_title(article, result, context),
        render_body(article, result, source_name, uid, context, now), decision.channels,
        json.dumps(alert_context(article, result, source_name, uid, context), ensure_ascii=False),
    )


def full_text(fetch_pages: Callable[[Sequence[str]], list[FetchResult | SourceError]]) -> Enrich:
    """An `Enrich` giving each entry its page's main text (trafilatura) when longer than its own; pages are
    fetched together by `fetch_pages` (the poll's event loop), under the same limits; a failed one keeps the summary."""

    def enrich(docs: list[Document]) -> list[Document]:
        urls = list(dict.fromkeys(doc.url for doc in docs if doc.url))
        pages = dict(zip(urls, fetch_pages(urls)))
        out = []
        for doc in docs:
            page = pages.get(doc.url) if doc.url else None
            if isinstance(page, SourceError):
                log.info("full text of %s not fetched, the summary is used: %s", doc.url, page)
            elif page is not None:
                _, text = page_to_text(decode_page(page.body, page.headers))
                doc = replace(doc, text=text) if len(text) > len(doc.text) else doc
            out.append(doc)
        return out

    return enrich


