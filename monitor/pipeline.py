"""Orchestration only: fetch -> parse -> normalise -> dedup -> match -> persist (with outbox) -> dispatch.

A failing source is logged in one line, recorded against the source, and never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import queue
import random
import sys
import threading
import time
import typing
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from monitor import metrics
from monitor.alerts.channels import Notifier, route
from monitor.alerts.dispatch import dispatch_due
from monitor.alerts.render import StoryContext, alert_context, render_body, render_title
from monitor.dedup import to_article
from monitor.errors import FeedParseError, SourceError, StoreError
from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.memory import release_free_memory
from monitor.model import Article, Document, FetchResult, MatchResult, ParsedFeed, Rule
from monitor.schedule import Hints, Policy, parse_cache_control, parse_expires, parse_retry_after, plain_delay, plain_reason, plan_next_check, publish_interval
from monitor.settings import FolderSource, Settings
from monitor.sources.folders import FolderState, article_files, is_settled, read_folder_file, stable_since
from monitor.sources.http import fetch, fetch_with, make_session, run
from monitor.sources.parsing import BrokenProcessPool, parse_in_worker, parser_pool
from monitor.sources.text import decode_page, page_to_text, with_text
from monitor.store import articles, counts, files, mutes, sources
from monitor.store import stories as story_store
from monitor.stories import StoryIndex, article_time, sketch_normalised
from monitor.store.db import Database, utcnow
from monitor.watchlist import load_watchlist

log = logging.getLogger("monitor")
BACKLOG_PER_WORKER = 4  # changed feeds parsed or waiting to be stored, per parsing process
SUCCESS_FLUSH_SECONDS = 1.0  # good checks are recorded together, at most this late
FOREVER = timedelta(days=36500)


@dataclass(frozen=True)
class Polled:
    """One feed's fetch: the result and, when its body changed, the parsed feed; or the error."""

    job: sources.FeedJob
    result: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error: SourceError | None = None
    done: Callable[[], None] = lambda: None  # called once stored: lets the next changed feed in


class Pipeline:
    """The stages wired together for one configuration."""

    def __init__(self, settings: Settings, db: Database, matcher: Matcher, notifier: Notifier) -> None:
        self.settings, self.db, self.matcher, self.notifier = settings, db, matcher, notifier
        self.on_alert: Callable[[], None] = lambda: None  # the daemon sets this to dispatch at once
        self.folder_ids = register_sources(db, settings)
        self.folder_states: dict[str, FolderState] = {}  # per folder: unread files' versions, what was said once
        self._story_lock = threading.Lock()
        self.stopping = threading.Event()  # set by `cancel_fetches`: no poll starts, fetches under way end
        self._flight_lock = threading.Lock()
        self._in_flight: dict[int, str] = {}  # feeds claimed by a poll and not yet recorded, with their host
        self._fetching: set[tuple[asyncio.AbstractEventLoop, asyncio.Task[typing.Any]]] = set()  # polls' fetching tasks
        self._slow_said: set[tuple[str, str]] = set()  # user regexes already said to have run out of time
        self.story_index = StoryIndex()  # near-duplicates of the latest `stories.window` articles
        for article_id, story_id, signature, size, published, fetched in story_store.recent_sketches(db, settings.stories.window):
            self.story_index.add(article_id, story_id, signature, size, article_time(published, fetched))

    def _alert(self, article: Article, result: MatchResult, source_name: str, story: story_store.StoryState | None) -> articles.NewAlert | None:
        """An alert for a new story; for a copy of a known story only when it escalates it."""
        if not result.alert:
            return None
        now = utcnow()
        result = corroborated(unmuted(result, set(mutes.active(self.db, now))), self.matcher.watchlist.rules, story, now)
        if not result.alert:
            return None
        news = sorted(reported(result) - story.reported) if story else []
        if story and result.severity <= story.severity and not news:
            return None  # another copy of a story already alerted
        uid = uuid.uuid4().hex[:16]
        context = StoryContext(story.articles + 1, story.sources, story.last_alert_uid, tuple(news)) if story else StoryContext()
        return articles.NewAlert(
            uid, result.severity, result.tags, render_title(article, result, context),
            render_body(article, result, source_name, uid, context, now), route(self.settings.channels, result.tags),
            json.dumps(alert_context(article, result, source_name, uid, context), ensure_ascii=False),
        )

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

    def reload_watchlist(self) -> None:
        """Swap in the watchlist as it is on disk now; a broken edit raises and keeps the old one."""
        self.matcher = Matcher(load_watchlist(self.settings.watchlist), time.monotonic)

    def ingest(self, source_id: int, source_name: str, docs: Iterable[Document], enrich: Callable[[Document], Document] | None = None) -> int:
        """Store new documents with their matches and alerts; returns how many were new.

        `enrich` (full text) runs only on documents not seen before.
        """
        new = 0
        docs = list(docs)
        guids = [(doc.guid or "").strip() for doc in docs]
        known = articles.known_guids(self.db, source_id, [g for g in guids if g])
        new_docs = [with_text(doc) for doc, guid in zip(docs, guids) if guid not in known]  # the rest: not even made text
        fresh = [(doc, to_article(doc)) for doc in new_docs]
        known_urls, known_content = articles.known_urls_and_hashes(
            self.db, [a.canonical_url for _, a in fresh if a.canonical_url], [a.content_hash for _, a in fresh])
        for doc, article in fresh:
            if not (article.title or article.text) or article.canonical_url in known_urls or article.content_hash in known_content:
                continue  # (a copy stored since, or within this batch, is caught when saving)
            if enrich is not None:
                article = to_article(enrich(doc))
            result = match_text(self.matcher, article.body)
            self._say_slow_patterns(result, source_name)
            with self._story_lock:  # find, decide and store at once: two copies never both start a story
                signature, size = sketch_normalised(article.normalised)
                fetched = utcnow()
                at = article_time(article.published, fetched)  # a copy joins only a story this close in time
                found = self.story_index.find(signature, size, at, timedelta(hours=self.settings.stories.join_within))
                story = story_store.state(self.db, found, source_id)
                alert = self._alert(article, result, source_name, story)
                link = articles.StoryLink(story.id if story else None, signature, size, reported(result) if alert else frozenset())
                saved = articles.save_article(self.db, source_id, article, result, alert, fetched, link, counts.counting(result, min(at, fetched)) if story is None else None)
                if saved is None:
                    continue
                article_id, story_id = saved
                self.story_index.add(article_id, story_id, signature, size, at)
                self.story_index.remove_before(article_id - self.settings.stories.window)
                metrics.STORY_INDEX.set(len(self.story_index))
            new += 1
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
        return new

    # -- feeds ---------------------------------------------------------------------------------
    def poll_due_feeds(self, now: datetime | None = None, per_host: int | None = None) -> int:
        """Poll the feeds whose next check has come (new ones at once), at most `per_host` of one host
        in flight ([schedule] per_host; feeds of the host still in flight from an earlier poll count)."""
        now = now or utcnow()
        with self._flight_lock:
            busy = Counter(self._in_flight.values())
        jobs = pick_due(sources.due_feeds(self.db, now), per_host or self.settings.schedule.per_host, busy)
        return self._poll(jobs, now, now)

    def poll_all_feeds(self, now: datetime | None = None) -> int:
        """Poll every enabled feed once, due or not (`monitor once --all`)."""
        now = now or utcnow()
        jobs = sources.due_feeds(self.db, now + FOREVER)
        log.info("polling all %d feeds, due or not (--all)", len(jobs))
        return self._poll(jobs, now, now + FOREVER)

    def cancel_fetches(self) -> None:
        """Stop polling (the daemon is stopping): fetches under way are cancelled and record nothing,
        their claims are given back, so they are polled at the next start; no poll starts after this."""
        with self._flight_lock:
            self.stopping.set()
            for loop, task in self._fetching:
                loop.call_soon_threadsafe(task.cancel)

    def _poll(self, jobs: list[sources.FeedJob], now: datetime, due_by: datetime) -> int:
        """Fetch the feeds at once on an event loop (its own thread), parse changed ones on worker
        processes, and store what comes back here as it comes; returns how many articles were new.

        Only the jobs still due by `due_by` are claimed (a lease on their next check), so another poll
        running at the same time, in this process or another, never takes them too. Polls may overlap:
        the daemon starts the next one while this one still waits for a slow feed.
        """
        if not jobs or self.stopping.is_set():
            return 0
        lease = now + timedelta(seconds=self.settings.http.deadline * 4)
        claimed = sources.claim(self.db, [j.id for j in jobs], due_by, lease)
        pending = {j.id: j for j in jobs if j.id in claimed}  # claimed, not yet handled
        if not pending:
            return 0
        with self._flight_lock:
            self._in_flight.update((j.id, host_of(j.url)) for j in pending.values())
        polled: queue.Queue[Polled | None] = queue.Queue()
        failure: list[BaseException] = []
        mine: list[tuple[asyncio.AbstractEventLoop, asyncio.Task[typing.Any]]] = []

        def fetch_all() -> None:
            try:
                run(self._cancellable(self._fetch_all(list(pending.values()), polled), mine))
            except BaseException as exc:  # a bug, not a source's fault: raised again below
                failure.append(exc)
            finally:
                polled.put(None)

        fetcher = threading.Thread(target=fetch_all, name="monitor-fetch", daemon=True)
        fetcher.start()
        try:
            new = self._store_polled(polled, now, pending)
            fetcher.join()
        except BaseException:  # Ctrl-C in `monitor once`, or the store failed (disk full, locked): this poll's fetches end here
            for loop, task in mine:
                with contextlib.suppress(RuntimeError):  # its loop has ended
                    loop.call_soon_threadsafe(task.cancel)
            while (item := polled.get()) is not None:  # what was fetched meanwhile is dropped; the fetching thread ends, not hangs
                item.done()
            fetcher.join()
            raise
        finally:
            with contextlib.suppress(StoreError):  # a failing store keeps the claims: they expire with their lease
                sources.release(self.db, list(pending.values()), lease)  # those not recorded: polled again soon
            with self._flight_lock:
                for job_id in pending:
                    self._in_flight.pop(job_id, None)
        release_free_memory()  # what the poll's bodies and parsed feeds took, back to the system
        if failure and not (self.stopping.is_set() and isinstance(failure[0], asyncio.CancelledError)):
            raise failure[0]
        return new

    async def _cancellable(self, work: Coroutine[typing.Any, typing.Any, None], mine: list[tuple[asyncio.AbstractEventLoop, asyncio.Task[typing.Any]]]) -> None:
        """Run `work` as a task that `cancel_fetches` (another thread) can cancel."""
        task = asyncio.current_task()
        assert task is not None
        entry = (asyncio.get_running_loop(), task)
        with self._flight_lock:
            if self.stopping.is_set():
                work.close()
                return
            self._fetching.add(entry)
            mine.append(entry)
        try:
            await work
        finally:
            with self._flight_lock:
                self._fetching.discard(entry)

    def _store_polled(self, polled: queue.Queue[Polled | None], now: datetime, pending: dict[int, sources.FeedJob]) -> int:
        """Store what the fetching thread hands over until it says it is done; returns the new articles.

        Each feed handled is taken out of `pending`; once stopping, what still comes is dropped whole.
        """
        new, succeeded, recorded = 0, [], time.monotonic()
        while True:
            with contextlib.suppress(queue.Empty):  # nothing came for a while: a moment to record what did
                item = polled.get(timeout=SUCCESS_FLUSH_SECONDS)
                if item is None:
                    break
                if self.stopping.is_set():
                    item.done()
                    continue
                metrics.POLLS.labels(item.job.name).inc()
                if item.error is None and item.parsed is None:
                    succeeded.append(self._unchanged(item, now))
                else:
                    stored, success = self._settle(item, now)
                    item.done()
                    new += stored
                    succeeded += [success] if success else []
                pending.pop(item.job.id, None)
                with self._flight_lock:
                    self._in_flight.pop(item.job.id, None)
            if succeeded and time.monotonic() - recorded >= SUCCESS_FLUSH_SECONDS:  # batched: one transaction a second
                sources.record_successes(self.db, now, succeeded)
                succeeded, recorded = [], time.monotonic()
        sources.record_successes(self.db, now, succeeded)
        return new

    async def _fetch_all(self, jobs: list[sources.FeedJob], polled: queue.Queue[Polled | None]) -> None:
        """Every job fetched by `feed_workers` fetching tasks and, when its body changed, parsed.

        At most BACKLOG_PER_WORKER x `parse_workers` changed feeds are parsed or wait to be stored at
        any time; fetching waits for one of them to be stored, so memory stays bounded however many
        feeds changed (the first cycle finds every feed new) and however slowly they are stored.
        Tasks exist for the fetches and parses under way only, not for every job of the poll.
        """
        backlog = asyncio.Semaphore(BACKLOG_PER_WORKER * self.settings.schedule.parse_workers)
        loop = asyncio.get_running_loop()
        todo, parsing = iter(jobs), list[asyncio.Task[None]]()  # parses kept to the end: a bug in one is raised

        def stored() -> None:  # called by the storing thread
            with contextlib.suppress(RuntimeError):  # the loop has ended: nothing waits any more
                loop.call_soon_threadsafe(backlog.release)

        async def parse(job: sources.FeedJob, result: FetchResult) -> None:
            try:
                pool = parser_pool(self.settings.schedule.parse_workers)
                with metrics.timed(metrics.PARSE_SECONDS):
                    parsed = await loop.run_in_executor(pool, parse_in_worker, result.body, job.url, result.headers)
                error = FeedParseError(parsed, source=job.url) if isinstance(parsed, str) else None
                polled.put(Polled(job, result, None if error else parsed, error, stored))
            except BrokenProcessPool:
                error = FeedParseError(f"{job.url}: the parsing process stopped (out of memory?)", source=job.url)
                polled.put(Polled(job, error=error, done=stored))

        async with make_session(self.settings.http, self.settings.schedule.feed_workers) as session:

            async def fetch(job: sources.FeedJob) -> None:
                try:
                    with metrics.timed(metrics.FETCH_SECONDS):
                        result = await fetch_with(session, job.url, self.settings.http, job.state)
                except SourceError as exc:
                    polled.put(Polled(job, error=exc))
                    return
                body_hash = job.state.body_hash if result.not_modified else hashlib.sha256(result.body).hexdigest()
                result = replace(result, state=replace(result.state, body_hash=body_hash))
                if result.not_modified or body_hash == job.state.body_hash:  # nothing new: not even parsed
                    polled.put(Polled(job, result))
                    return
                await backlog.acquire()  # no more bodies while the store is behind
                parsing.append(asyncio.create_task(parse(job, result)))

            async def fetcher() -> None:
                for job in todo:  # shared: each job is taken by one fetcher
                    await fetch(job)

            await asyncio.gather(*(fetcher() for _ in range(min(self.settings.schedule.feed_workers, len(jobs)))))
            await asyncio.gather(*parsing)

    def _unchanged(self, item: Polled, now: datetime) -> sources.Success:
        """A 304 or the same body as last time: only the next check moves."""
        result = item.result
        assert result is not None
        plan = plan_next_check(now, self._policy(item.job.every), server_hints(result.headers, now), 0, random.random())
        return sources.Success(item.job.id, plan.at, 0, result.state, result.moved_to)

    def _settle(self, item: Polled, now: datetime) -> tuple[int, sources.Success | None]:
        """Store a parsed feed's new entries, or record a failure (with backoff); returns the new
        articles and the success to record."""
        feed, result, parsed = item.job, item.result, item.parsed
        policy = self._policy(feed.every)
        try:
            if item.error is not None:
                raise item.error
            assert result is not None and parsed is not None
            if parsed.warning:
                log.warning("source %d (%s): %s", feed.id, feed.name, parsed.warning)
            new = self.ingest(feed.id, feed.name, parsed.documents, self._full_text if feed.full_text else None)
        except SourceError as exc:
            retry_after = parse_retry_after(getattr(exc, "retry_after", None), now)
            count = feed.error_count + 1
            plan = plan_next_check(now, policy, Hints(retry_after=retry_after), count, random.random())
            error = f"{exc} (suspended after {count} failures)" if plan.suspended else str(exc)
            metrics.POLL_ERRORS.labels(feed.name).inc()
            if sources.record_failure(self.db, feed.id, now, plan.at, error, plan.suspended):
                log.warning("source %d (%s): %s", feed.id, feed.name, error, extra={"source": feed.name})
            return 0, None
        times = [d.published for d in parsed.documents if d.published]
        hints = replace(server_hints(result.headers, now), ttl_minutes=parsed.ttl_minutes, publish_interval=publish_interval(times))
        plan = plan_next_check(now, policy, hints, 0, random.random())
        if result.moved_to:
            log.info("source %d (%s): permanently redirected to %s (not adopted: edit the source to follow)", feed.id, feed.name, result.moved_to)
        log.info("source %d (%s): %d entries, %d new; next check in %s (%s)", feed.id, feed.name, len(parsed.documents), new,
                 plain_delay((plan.at - now).total_seconds()), plain_reason(plan.reason, hints), extra={"source": feed.name})
        return new, sources.Success(feed.id, plan.at, new, result.state, result.moved_to)

    def _full_text(self, doc: Document) -> Document:
        """The entry with its page's main text (trafilatura), fetched under the same limits; else as it was."""
        if not doc.url:
            return doc
        try:
            page = fetch(doc.url, self.settings.http)
        except SourceError as exc:
            log.info("full text of %s not fetched, the summary is used: %s", doc.url, exc)
            return doc
        _, text = page_to_text(decode_page(page.body, page.headers))
        return replace(doc, text=text) if len(text) > len(doc.text) else doc

    def _policy(self, every: float | None) -> Policy:
        s = self.settings.schedule
        return Policy(every, s.min_interval, s.max_interval, s.min_interval, s.backoff_cap, s.suspend_after, s.suspended_every)

    def _folder_failed(self, source_id: int, label: str, now: datetime, error: str) -> None:
        """A folder's error, recorded and logged once; folders are rescanned on their own schedule."""
        rescan = now + timedelta(seconds=self.settings.schedule.folders_every)
        metrics.POLL_ERRORS.labels(label).inc()
        if sources.record_failure(self.db, source_id, now, rescan, error):
            log.warning("source %d (%s): %s", source_id, label, error, extra={"source": label})

    # -- folders -------------------------------------------------------------------------------
    def scan_folders(self) -> bool:
        """Read every settled new file of every folder; True when some file is still being written."""
        waiting = False
        disabled = sources.disabled_ids(self.db)
        for folder in self.settings.folders:
            if self.folder_ids[folder.label] not in disabled:
                waiting |= self.scan_folder(folder)
        return waiting

    def scan_folder(self, folder: FolderSource) -> bool:
        """Read new, settled files of one folder (never modifying them); True if some must wait.

        A path is read once: a file changed after it was read is not read again (one log line), so
        two versions of one path never become two articles. Refused entries (links, FIFOs, devices),
        other file types and empty files get one log line each, once.
        """
        source_id = self.folder_ids[folder.label]
        state = self.folder_states.setdefault(folder.label, FolderState())
        now = utcnow()
        metrics.POLLS.labels(folder.label).inc()
        try:
            listing = article_files(folder.path, folder.recursive)
        except SourceError as exc:
            self._folder_failed(source_id, folder.label, now, str(exc))
            return False
        root = folder.path.resolve()
        keys = {entry.path: str(root / entry.relative) for entry in listing.files}
        state.keep_only(set(keys.values()) | {str(path) for path, _ in listing.skipped})
        for path, reason in listing.skipped:
            if state.first_time(str(path), reason):
                log.log(logging.INFO if reason.endswith("skipped") else logging.WARNING, "source %d (%s): %s: %s", source_id, folder.label, path, reason)
        seen = files.seen_versions(self.db, list(keys.values()))
        waiting, new, failed = False, 0, False
        for entry in listing.files:
            key = keys[entry.path]
            if key in seen:
                state.versions.pop(key, None)
                if seen[key] != (entry.size, entry.mtime_ns) and state.first_time(key, "changed"):
                    log.info("source %d (%s): %s: changed after it was read; not read again (write a new file name)", source_id, folder.label, entry.path)
                continue
            version = state.versions[key] = stable_since(state.versions.get(key), entry.size, entry.mtime_ns, now.timestamp())
            if not is_settled(version[2], now.timestamp(), folder.settle_seconds):
                waiting = True
                continue
            if entry.size == 0:
                if state.first_time(key, "empty"):
                    log.info("source %d (%s): %s: empty file, not read (it is read if it gets text)", source_id, folder.label, entry.path)
                continue
            try:
                doc = read_folder_file(folder.path, entry, folder.label, folder.max_file_bytes)
            except SourceError as exc:
                self._folder_failed(source_id, folder.label, now, str(exc))
                files.mark_seen(self.db, key, entry.size, entry.mtime_ns, now)
                failed = True
                continue
            if doc is None:
                waiting = True  # changed since listed or while read: read it once it settles again
                continue
            new += self.ingest(source_id, folder.label, [doc])
            files.mark_seen(self.db, key, entry.size, entry.mtime_ns, now)
            state.versions.pop(key, None)
        if new and not failed:  # a bad file's error stays on the folder until a clean scan brings news
            sources.record_success(self.db, source_id, now, now, new)
        return waiting

    # -- deliveries ----------------------------------------------------------------------------
    def dispatch(self, now: datetime | None = None) -> int:
        """Send the deliveries that are due; returns how many were sent."""
        return dispatch_due(self.db, self.notifier, self.settings.delivery, now or utcnow())

    def run_once(self, settle_wait: float = 10.0, all_feeds: bool = True) -> None:
        """One pass over every source (waiting up to `settle_wait` s beyond `settle_seconds` for files being written), then deliver.

        Without `all_feeds`, only the feeds that are due (and new ones) are polled, every host's at once.
        """
        if all_feeds:
            self.poll_all_feeds()
        else:
            self.poll_due_feeds(per_host=sys.maxsize)
        deadline = time.monotonic() + settle_wait + max((f.settle_seconds for f in self.settings.folders), default=0)
        while self.scan_folders() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.dispatch()


def unmuted(result: MatchResult, muted: set[str]) -> MatchResult:
    """The result without the rule hits of muted actors or rules (what is left decides the alert)."""
    if not muted:
        return result
    return replace(result, hits=tuple(h for h in result.hits if h.rule not in muted and h.actor.name not in muted))


def corroborated(result: MatchResult, rules: tuple[Rule, ...], story: story_store.StoryState | None, now: datetime) -> MatchResult:
    """The result without the hits of rules that want more independent sources than the story has yet."""
    gated = {r.name: r for r in rules if r.min_sources > 1}
    if not gated:
        return result
    sources_now = story.sources if story else 1
    fresh = story is None or all(r.sources_within is None or now - story.created_at <= timedelta(hours=r.sources_within) for r in gated.values())

    def passes(rule: str) -> bool:
        return rule not in gated or (sources_now >= gated[rule].min_sources and fresh)

    return replace(result, hits=tuple(h for h in result.hits if passes(h.rule)))


def reported(result: MatchResult) -> frozenset[str]:
    """The watched actors and events an alert on this result reports (what a follow-up must add to)."""
    return frozenset(m.name for m in result.matches)


def server_hints(headers: dict[str, str], now: datetime) -> Hints:
    """What a response's headers say about caching (Cache-Control max-age, Expires, Retry-After)."""
    lower = {k.lower(): v for k, v in headers.items()}
    return Hints(
        max_age=parse_cache_control(lower.get("cache-control")),
        expires=parse_expires(lower.get("expires")),
        retry_after=parse_retry_after(lower.get("retry-after"), now),
    )


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


def pick_due(jobs: list[sources.FeedJob], per_host: int, busy: Counter[str] | None = None) -> list[sources.FeedJob]:
    """The due feeds to poll this tick, in order, at most `per_host` from any one host (be polite),
    counting the host's feeds still in flight (`busy`)."""
    taken: dict[str, int] = dict(busy or {})
    picked = []
    for job in jobs:
        host = host_of(job.url)
        if taken.get(host, 0) < per_host:
            taken[host] = taken.get(host, 0) + 1
            picked.append(job)
    return picked


def register_sources(db: Database, settings: Settings) -> dict[str, int]:
    """Make the store's source list follow the config; returns the folder sources' ids by name."""
    for feed in settings.feeds:
        sources.ensure_source(db, feed.label, "feed", feed.url, feed.every, feed.full_text)
    sources.retire_config_sources(db, "feed", {f.label for f in settings.feeds})
    return {f.label: sources.ensure_source(db, f.label, "folder", str(f.path)) for f in settings.folders}


def build_pipeline(settings: Settings) -> Pipeline:
    """Wire a configuration's watchlist, channels and database into a pipeline."""
    matcher = Matcher(load_watchlist(settings.watchlist), time.monotonic)
    db = Database(settings.store.sqlalchemy_url, upgrade=settings.store.upgrade, config=settings.path)
    return Pipeline(settings, db, matcher, Notifier(settings.channels))


def folder_paths(settings: Settings) -> list[tuple[Path, bool]]:
    """The folders to watch, each with whether its subfolders are watched too."""
    return [(f.path, f.recursive) for f in settings.folders]
