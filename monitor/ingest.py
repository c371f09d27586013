"""One straight line from documents to stored articles: known GUIDs skipped -> text (and, for feeds that
ask, the page's full text) -> one Article each -> dedup (URL, content hash) -> match -> story -> alert
decision -> save. A feed's new articles are saved in one transaction (each article with its matches, story,
alert and deliveries; a crash loses the whole batch, and the next poll stores it again), one statement per
table for the whole feed; the story index learns each as it is decided (under a pending id, renumbered
after the commit) and forgets the batch if the transaction is rolled back. On PostgreSQL, where several
daemons may share the store, the batch's story decisions run under the store's story lock, taken when its
transaction starts and released when it commits, after the index has learnt what the other daemons stored
since (`store/stories.py`)."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from monitor import metrics
from monitor.alerts.decide import ChannelPolicy, Decision, Route, decide, why_silent
from monitor.alerts.render import StoryContext, alert_context, render_body, render_title
from monitor.dedup import canonical_url, to_article
from monitor.errors import SourceError
from monitor.matching.compiled import REGEX_MATCHES_MAX
from monitor.matching.matcher import Matcher
from monitor.model import Article, Document, FetchResult, MatchResult, Prepared
from monitor.prepare import prepare
from monitor.redact import redact
from monitor.sources.parsing import seen_keys
from monitor.sources.text import decode_page, page_to_text, with_text
from monitor.store import articles, counts, mutes
from monitor.store import stories as story_store
from monitor.store.db import Database, utcnow
from monitor.text_norm import cut_text
from monitor.trends import Mention
from monitor.stories import StoryIndex, article_time

log = logging.getLogger("monitor")
PAGES_AT_ONCE = 8  # full-text pages fetched together: each may be [http] max_body_bytes, held until it is made text
# New entries of a feed whose pages a poll fetches for their full text (its newest), on the storing thread: each page
# takes up to [http] deadline to come and seconds to be made text, while the other feeds wait to be stored.
FULL_TEXT_PAGES = 100
# New entries a poll stores of a feed polled before: a feed whose whole window turned over, or one that gives its
# entries new ids (and links, and words) at every poll, all of them or all but a pinned one, would otherwise store up to
# feeds.MAX_ENTRIES articles a poll. Its newest are stored, the others at its next poll if it still carries them.
TURNOVER_LIMIT = 500
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
        # the channels' routes as they are now (the pipeline's: an Apprise config file's tags read again once it changed),
        # asked once a batch has an article whose rules fired; none: `policy.routes` as they are
        self.reroute: Callable[[], tuple[Route, ...]] | None = None
        self.on_alert: Callable[[], None] = lambda: None  # the daemon sets this to dispatch at once
        self.story_index = StoryIndex()  # near-duplicates of the latest `limits.window` articles
        self._story_lock = threading.Lock()
        self._slow_said: set[tuple[str, str]] = set()  # user regexes already said to have run out of time
        self.seen: dict[int, bytes] = {}  # per feed, its GUIDs at its last poll (`parsing.seen_keys`): none of them is prepared again
        self._turned: dict[int, int] = {}  # per feed, its latest polls in a row whose entries were all unknown, more than TURNOVER_LIMIT
        self.left: dict[int, int] = {}  # per feed, the new entries its latest poll left for the next (TURNOVER_LIMIT): read again then
        self.turnover: dict[int, str] = {}  # per feed, what its latest poll said of them (recorded with the check: `monitor sources`)
        self._seen = self._learn(story_store.recent_sketches(db, limits.window))  # the highest article id the index knows

    def __call__(self, source_id: int, source_name: str, docs: Iterable[Document], enrich: Enrich | None = None,
                 prepared: Sequence[Prepared | None] = (), polled_before: bool = False) -> int:
        """Store the documents not seen before; returns how many were new. `enrich` runs on those only;
        `prepared`: per document, what a parsing process made of it (the others are prepared here);
        `polled_before`: a feed polled before, whose new entries are at most TURNOVER_LIMIT where none is known."""
        docs = list(docs)
        ready = list(prepared) if prepared and enrich is None else [None] * len(docs)
        guids = [(doc.guid or "").strip() for doc in docs]
        made = [one.article for one in ready if one]  # their URLs and hashes are asked with the GUIDs: one statement
        known, known_urls, known_content = articles.known_keys(
            self.db, source_id, [g for g in guids if g], [a.canonical_url for a in made if a.canonical_url], [a.content_hash for a in made])
        self.seen[source_id] = seen_keys(guids)  # a hint for the next parse of the feed (the store decides)
        new = [(doc, one) for doc, one, guid in zip(docs, ready, guids, strict=True) if guid not in known]  # the rest: not even made text
        if enrich is not None and new:
            new = [(doc, None) for doc in enrich([with_text(doc) for doc, _ in new])]
        fresh = [(one.article if one else to_article(with_text(doc)), one) for doc, one in new]
        if rest := [a for a, one in fresh if one is None]:  # made here: their keys are asked now
            urls, hashes = articles.known_urls_and_hashes(self.db, [a.canonical_url for a in rest if a.canonical_url], [a.content_hash for a in rest])
            known_urls, known_content = known_urls | urls, known_content | hashes
        fresh, known_urls = self._live_updates(source_name, fresh, known_urls, known_content)
        unknown = _first_of_each([(a, one) for a, one in fresh if (a.title or a.text) and a.canonical_url not in known_urls
                                  and a.content_hash not in known_content])
        turned = polled_before and len(unknown) > TURNOVER_LIMIT and not known
        self._turned[source_id] = self._turned.get(source_id, 0) + 1 if turned else 0
        if polled_before and len(unknown) > TURNOVER_LIMIT and (known or articles.has_articles(self.db, source_id)):
            said = (f"{len(docs)} entries, none of them stored before though the feed was polled before" if not known else
                    f"{len(unknown)} new entries of {len(docs)}, more than {TURNOVER_LIMIT} since its last poll")
            said += (f": its newest {TURNOVER_LIMIT} stored, the other {len(unknown) - TURNOVER_LIMIT} at its next poll if it still carries them"
                     + (_churning(self._turned[source_id], source_id) if not known else ""))
            log.warning("source %d (%s): %s", source_id, source_name, said, extra={"source": source_name})
            self.left[source_id], self.turnover[source_id] = len(unknown) - TURNOVER_LIMIT, said
            unknown = _newest(unknown, TURNOVER_LIMIT)  # the others, still in the feed at its next poll, are stored then
        else:
            self.left.pop(source_id, None)
            self.turnover.pop(source_id, None)
        batch = self._complete(unknown)
        if not batch:
            return 0
        for one in batch:
            self._say_slow_patterns(one.result, source_name)
        try:
            saved = self._save(source_id, source_name, batch)
        except articles.Duplicate:  # a concurrent writer stored one of them first: each in its own transaction
            saved = []
            for one in batch:
                try:
                    saved += self._save(source_id, source_name, [one])
                except articles.Duplicate:
                    continue
        for article_id, result, alert, silent in saved:
            self._said(article_id, source_name, result, alert, silent)
        return len(saved)

    def _live_updates(self, source_name: str, fresh: list[tuple[Article, Prepared | None]], known_urls: set[str],
                      known_content: set[str]) -> tuple[list[tuple[Article, Prepared | None]], set[str]]:
        """`fresh` with the live blog's rule carried across polls, and the canonical URLs known: an entry new by its GUID
        and its words whose link is a stored article of this feed's but for an anchor (no '=': a tracking one) keeps the
        anchor in its canonical URL, as entries of one feed that share a link but for it do (`feeds._live_updates`): a
        feed listing a live blog's latest update alone had every update after the first taken for a copy of it."""
        out, keyed_urls = list(fresh), []
        for k, (article, one) in enumerate(fresh):
            anchor = (article.url or "").partition("#")[2]
            if (not anchor or "=" in anchor or "#" in (article.canonical_url or "") or article.canonical_url not in known_urls
                    or article.content_hash in known_content):
                continue
            found = articles.article_with(self.db, article.canonical_url, article.content_hash)
            stored = articles.stored_article(self.db, found) if found is not None else None
            if stored is not None and stored.source == source_name:
                keyed = replace(article, canonical_url=canonical_url(article.url, fragment=True))
                out[k] = (keyed, replace(one, article=keyed) if one else None)
                keyed_urls += [keyed.canonical_url] if keyed.canonical_url else []
        if keyed_urls:  # an update seen before under its anchor (stored so by an earlier poll): a copy still
            known_urls = known_urls | articles.known_urls_and_hashes(self.db, keyed_urls, [])[0]
        return out, known_urls

    def _complete(self, batch: list[tuple[Article, Prepared | None]]) -> list[Prepared]:
        """The batch prepared: what came so, and the rest matched and sketched here (in one call)."""
        here = [article for article, one in batch if one is None]
        metrics.PREPARED_HERE.inc(len(here))
        rest = iter(prepare(self.matcher, here))
        return [one or next(rest) for _, one in batch]

    def _save(self, source_id: int, source_name: str, batch: list[Prepared]) -> list[Saved]:
        """Decide and store a feed's new articles in one transaction. Each joins the story an earlier one
        (stored, or of this batch) started: the index learns each as it is decided, under an id of its own
        above any stored one (_PENDING + its position; the story it starts: the same), renumbered once the
        transaction has given them their ids, forgotten if it is rolled back. Raises articles.Duplicate
        (nothing stored) if a unique key refused one."""
        with self._story_lock:  # find, decide and store at once: two copies never both start a story
            fetched = utcnow()
            muted: set[str] | None = None
            policy = self.policy
            states: dict[int, story_store.StoryState] = {}  # stories as this batch leaves them (uncommitted)
            pending: list[int] = []
            items: list[articles.NewArticle] = []
            started: list[tuple[list[Mention], datetime]] = []  # the new stories, counted together (trends)
            silent: dict[int, str] = {}  # per article of the batch whose rules fired without an alert: why
            try:
                with articles.batch(self.db) as rows:
                    if story_store.serialise(rows.connection):  # PostgreSQL: other daemons decide stories too
                        self._seen = max(self._seen, self._learn(story_store.sketches_since(rows.connection, self._seen, self.limits.window)))
                    for k, (article, result, signature, size) in enumerate((p.article, p.result, p.signature, p.size) for p in batch):
                        at = article_time(article.published, fetched)  # a copy joins only a story this close in time
                        found = self.story_index.find(signature, size, at, self.limits.join_within)
                        story = states[found] if found in states else story_store.state(rows.connection, found, source_id)
                        if result.alert and muted is None:
                            muted = set(mutes.active(self.db, fetched))
                            if self.reroute is not None:
                                policy = replace(self.policy, routes=self.reroute())
                        decision = decide(result, story, muted or set(), policy, fetched)
                        alert = _new_alert(article, decision, source_name, story, fetched) if decision else None
                        if result.alert and decision is None:
                            silent[k] = why_silent(result, story, muted or set(), policy, fetched, story.last_alert_uid if story else None)
                        reported = decision.reported if decision else frozenset()
                        story_key = story.id if story else _PENDING + k
                        joins = story.id - _PENDING if story and story.id >= _PENDING else None  # a story this batch started
                        link = articles.StoryLink(story.id if story and joins is None else None, signature, size, reported, joins)
                        items.append((article, result, alert, link))
                        if story is None and (found_names := counts.mentions(result)):
                            started.append((found_names, min(at, fetched)))
                        states[story_key] = _joined(story, story_key, alert, reported, fetched)
                        self.story_index.add(_PENDING + k, story_key, signature, size, at)
                        pending.append(_PENDING + k)
                    ids = rows.save_many(source_id, items, fetched)
                    counts.count_many(rows.connection, started)
            except BaseException:
                for article_id in pending:  # not stored: the index forgets them too
                    self.story_index.remove(article_id)
                raise
            self.story_index.renumber({_PENDING + k: article_id for k, (article_id, _) in enumerate(ids)},
                                      {_PENDING + k: story_id for k, (_, story_id) in enumerate(ids)})
            self._seen = max([self._seen, *(article_id for article_id, _ in ids)])  # committed under the lock: nothing below can still come
            self.story_index.remove_before(self._seen - self.limits.window + 1)  # the latest `window` ids, as a start loads them
            metrics.STORY_INDEX.set(len(self.story_index))
        return [(article_id, result, alert, silent.get(k, "")) for k, ((article_id, _), (_, result, alert, _)) in enumerate(zip(ids, items, strict=True))]

    def _learn(self, sketched: list[story_store.Sketch]) -> int:
        """Index stored articles (oldest first); the highest id among them (0: none)."""
        return self.story_index.extend((a, st, sig, n, article_time(published, fetched)) for a, st, sig, n, published, fetched in sketched)

    def _said(self, article_id: int, source_name: str, result: MatchResult, alert: articles.NewAlert | None, silent: str = "") -> None:
        """Metrics and the log line of one stored article (after its transaction committed); `silent`: why its rules
        fired without an alert (a mute, a rule waiting for sources, a copy of a story already alerted)."""
        metrics.ARTICLES.inc(source_name)
        metrics.MATCHES.inc(len(result.matches))
        fields = {"source": source_name, "article": article_id}
        if alert:
            metrics.ALERTS.labels(str(alert.severity)).inc()
            self.on_alert()
            log.info("article %d from %s: alert %s, severity %d, to %s", article_id, source_name, alert.uid, alert.severity,
                     ", ".join(alert.channels) or "no channel", extra={**fields, "alert": alert.uid})
        elif silent:
            log.info("article %d from %s: rules fired, no alert: %s", article_id, source_name, silent, extra=fields)
        else:
            log.debug("article %d from %s: no alert", article_id, source_name, extra=fields)

    def _say_slow_patterns(self, result: MatchResult, source_name: str) -> None:
        """Log once per pattern (per process) a user regex that timed out on an article, was skipped or matched it too often."""
        for label in result.regex_timeouts:
            if ("timeout", label) not in self._slow_said:
                self._slow_said.add(("timeout", label))
                log.warning("watchlist %s timed out on an article from %s and was given up there (said once; `monitor check` tries it on the examples)", label, source_name)
        for label in result.regex_skipped:
            if ("skipped", label) not in self._slow_said:
                self._slow_said.add(("skipped", label))
                log.warning("watchlist %s was not tried on an article from %s: the article's regex time was spent by slower patterns (said once)", label, source_name)
        for label in result.regex_capped:
            if ("capped", label) not in self._slow_said:
                self._slow_said.add(("capped", label))
                log.warning("watchlist %s matched an article from %s more than %d times: its first %d matches are kept (said once; a pattern "
                            "that matches so often matches too much)", label, source_name, REGEX_MATCHES_MAX, REGEX_MATCHES_MAX)


Saved = tuple[int, MatchResult, "articles.NewAlert | None", str]  # a stored article's id, matches, alert, and why its rules fired without one
_PENDING = 1 << 60  # the index's ids (and story ids) of a batch's articles until the store gives theirs


def _churning(polls: int, source_id: int) -> str:
    """What the bound's line adds for a feed whose entries were all unknown at `polls` polls in a row."""
    if polls < 2:
        return "; a feed that gives its entries new ids at every poll does this"
    return (f"; {polls} polls in a row: the feed gives its entries new ids, links and words at every poll "
            f"(`monitor sources disable {source_id}` stops polling it)")


def _newest(fresh: list[tuple[Article, Prepared | None]], count: int) -> list[tuple[Article, Prepared | None]]:
    """The `count` newest articles by their published time, in the feed's order; those without one as the feed lists
    them (feeds list their newest first), after the dated ones."""
    undated = datetime.min.replace(tzinfo=UTC)
    kept = sorted(range(len(fresh)), key=lambda k: fresh[k][0].published or undated, reverse=True)[:count]  # stable: ties in feed order
    return [fresh[k] for k in sorted(kept)]


def _first_of_each(fresh: list[tuple[Article, Prepared | None]]) -> list[tuple[Article, Prepared | None]]:
    """The articles of one feed without repeats of an earlier one's GUID, canonical URL or content hash
    (the store's unique keys would refuse them, and with them the feed's whole transaction)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for article, one in fresh:
        keys = {("hash", article.content_hash)} | ({("url", article.canonical_url)} if article.canonical_url else set()) | (
            {("guid", article.guid)} if article.guid else set())
        if not keys & seen:
            out.append((article, one))
        seen |= keys
    return out


def _joined(story: story_store.StoryState | None, story_id: int, alert: articles.NewAlert | None, reported: frozenset[str],
            now: datetime) -> story_store.StoryState:
    """A story as the next article of the same batch (same source) sees it, this one stored (not yet committed)."""
    if story is None:
        story = story_store.StoryState(story_id, 0, frozenset(), None, 0, 1, now)
    story = replace(story, articles=story.articles + 1)
    if alert is None:
        return story
    return replace(story, severity=max(story.severity, alert.severity), reported=story.reported | reported, last_alert_uid=alert.uid)


def _new_alert(article: Article, decision: Decision, source_name: str, story: story_store.StoryState | None, now: datetime) -> articles.NewAlert:
    """The alert's rows: rendered title, body and context, and its channels."""
    uid, result = uuid.uuid4().hex[:16], decision.result
    context = StoryContext(story.articles + 1, story.sources, story.last_alert_uid, decision.news) if story else StoryContext()
    return articles.NewAlert(
        uid, result.severity, result.tags, render_title(article, result, context),
        render_body(article, result, source_name, uid, context, now), decision.channels,
        json.dumps(alert_context(article, result, source_name, uid, context), ensure_ascii=False),
    )


def full_text(fetch_pages: Callable[[Sequence[str]], list[FetchResult | SourceError]], budget: float = 60.0) -> Enrich:
    """An `Enrich` giving each entry its page's main text (trafilatura) when longer than its own; pages are
    fetched PAGES_AT_ONCE at a time by `fetch_pages` (the poll's event loop), under the same limits, and only
    their texts kept (so memory stays bounded however many entries are new); a failed one keeps the summary, and
    so do the entries after the first FULL_TEXT_PAGES, and those whose pages were not asked for within `budget`
    seconds (the poll gives twice [http] deadline: each round of pages holds every other feed's storing), with a
    line saying so."""

    def enrich(docs: list[Document]) -> list[Document]:
        urls = list(dict.fromkeys(doc.url for doc in docs if doc.url))
        if len(urls) > FULL_TEXT_PAGES:
            log.info("%s: %d new entries: the pages of the first %d fetched for their full text, the others keep their summary",
                     redact(docs[0].source), len(urls), FULL_TEXT_PAGES)
            urls = urls[:FULL_TEXT_PAGES]
        texts: dict[str, str | SourceError] = {}
        began = time.monotonic()
        for at in range(0, len(urls), PAGES_AT_ONCE):  # each page made text before the next ones come
            if time.monotonic() - began >= budget:
                log.info("%s: the pages of its new entries took over %g s in all (twice [http] deadline): the other %d keep their summary",
                         redact(docs[0].source), budget, len(urls) - at)
                break
            some = urls[at : at + PAGES_AT_ONCE]
            for url, page in zip(some, fetch_pages(some), strict=True):
                texts[url] = page if isinstance(page, SourceError) else cut_text(page_to_text(decode_page(page.body, page.headers), redact(url))[1])
        out = []
        for doc in docs:
            text = texts.get(doc.url) if doc.url else None
            if isinstance(text, SourceError):
                log.info("full text of %s not fetched, the summary is used: %s", doc.url, text)
            elif text is not None and len(text) > len(doc.text):
                doc = replace(doc, text=text)
            out.append(doc)
        return out

    return enrich


