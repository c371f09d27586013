"""The feed-polling use case: claim the due feeds, fetch and parse them (`sources.poller`), store what
comes back as it comes (`Ingest`), and record each feed's next check (`schedule`).

A tick claims its feeds in the store (a lease on their next check, taken only if they are still due),
so ticks may overlap: a slow fetch holds back no later tick and no feed is polled twice. On PostgreSQL,
where several daemons may share the store (issue 18), it claims in batches (FOR UPDATE SKIP LOCKED), so
each daemon takes what it can fetch now and leaves the rest to the others. A feed's
failure (a fetch or parse error, or any unexpected exception of its own) is recorded against it, with
backoff; a store error ends the poll (the fetching thread is joined; unrecorded claims are given back).
Stopping cancels the fetches under way; a cancelled feed records nothing and its claim is given back.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor import metrics
from monitor.defaults import SUCCESS_FLUSH_SECONDS
from monitor.errors import SourceError, StoreError
from monitor.ingest import Ingest, full_text
from monitor.memory import release_free_memory
from monitor.schedule import Hints, PollPolicy, host_of, parse_retry_after, pick_due, plain_delay, plain_reason, plan_next_check, publish_interval, server_hints
from monitor.sources.parsing import ParserPool
from monitor.sources.poller import Polled, Poller, PollLimits
from monitor.store import sources
from monitor.store.db import Database

if TYPE_CHECKING:
    from monitor.limits import HttpLimits

log = logging.getLogger("monitor")
FOREVER = timedelta(days=36500)
CLAIM_BATCH_PER_FETCH = 4  # on PostgreSQL a poll claims 4 x max_in_flight feeds at a time (the rest: further claims, or other daemons)
Outcome = Polled[sources.FeedJob]


class FeedPolling:
    """Polls feeds for one daemon; `policy`, `limits` and `http` may be replaced between polls (a reload)."""

    def __init__(self, db: Database, ingest: Ingest, parsers: ParserPool, policy: PollPolicy, limits: PollLimits, http: HttpLimits) -> None:
        self.db, self.ingest, self.parsers, self.policy, self.limits, self.http = db, ingest, parsers, policy, limits, http
        self.stopping = threading.Event()  # set by `cancel`: no poll starts, fetches under way end
        self._lock = threading.Lock()
        self._in_flight: dict[int, str] = {}  # feeds claimed by a poll and not yet recorded, with their host
        self._pollers: set[Poller[sources.FeedJob]] = set()

    def due(self, now: datetime, per_host: int | None = None) -> int:
        """Poll the feeds whose next check has come, at most `per_host` of one host in flight (those of
        earlier polls still under way count); returns how many articles were new."""
        with self._lock:
            busy = Counter(self._in_flight.values())
        return self._poll(pick_due(sources.due_feeds(self.db, now), per_host or self.policy.per_host, busy), now, now)

    def every(self, now: datetime) -> int:
        """Poll every enabled feed once, due or not."""
        jobs = sources.due_feeds(self.db, now + FOREVER)
        log.info("polling all %d feeds, due or not (--all)", len(jobs))
        return self._poll(jobs, now, now + FOREVER)

    def cancel(self) -> None:
        """Stop polling: fetches under way are cancelled and record nothing; no poll starts after this."""
        with self._lock:
            self.stopping.set()
            for poller in self._pollers:
                poller.cancel()

    def _poll(self, jobs: list[sources.FeedJob], now: datetime, due_by: datetime) -> int:
        """Claim and poll `jobs`: all at once on SQLite (one daemon); on PostgreSQL, where other daemons
        claim from the same feeds, a batch of CLAIM_BATCH_PER_FETCH x max_in_flight at a time, so that
        each daemon takes what it can fetch now and the others take the rest."""
        batch = None if self.db.sqlite else max(1, CLAIM_BATCH_PER_FETCH * self.limits.max_in_flight)
        left, new, started = {j.id: j for j in jobs}, 0, time.monotonic()
        while left and not self.stopping.is_set():
            lease = now + timedelta(seconds=time.monotonic() - started + self.policy.lease_seconds)
            claimed = sources.claim(self.db, list(left), due_by, lease, batch)
            if not claimed:
                break
            new += self._poll_claimed({i: left.pop(i) for i in [j for j in left if j in claimed]}, now, lease)
            if batch is None or len(claimed) < batch:
                break  # every feed of the list still due was claimed (by us or another daemon)
        return new

    def _poll_claimed(self, pending: dict[int, sources.FeedJob], now: datetime, lease: datetime) -> int:
        """Poll feeds this daemon claimed until `lease`; those it does not record are given back."""
        limits = replace(self.limits, per_host=self.policy.per_host)  # at most per_host at once to a host, even with --all
        poller = Poller(list(pending.values()), self.http, limits, self.parsers)
        with self._lock:
            self._in_flight.update((j.id, host_of(j.url)) for j in pending.values())
            self._pollers.add(poller)
            if self.stopping.is_set():
                poller.cancel()
        try:
            with poller:
                return self._store(poller, now, pending)
        finally:
            with contextlib.suppress(StoreError):  # a failing store keeps the claims: they expire with their lease
                sources.release(self.db, list(pending.values()), lease)  # those not recorded: polled again soon
            with self._lock:
                self._pollers.discard(poller)
                for job_id in pending:
                    self._in_flight.pop(job_id, None)
            release_free_memory()  # what the poll's bodies and parsed feeds took, back to the system

    def holding(self) -> int:
        """Feeds claimed by this daemon's polls and not yet recorded (for its heartbeat)."""
        with self._lock:
            return len(self._in_flight)

    def _store(self, poller: Poller[sources.FeedJob], now: datetime, pending: dict[int, sources.FeedJob]) -> int:
        """Store the outcomes as they come; good checks are recorded together, once a second."""
        new, succeeded, recorded = 0, list[sources.Success](), time.monotonic()
        for item in poller.outcomes(SUCCESS_FLUSH_SECONDS):
            if item is not None and self.stopping.is_set():
                item.done()  # once stopping, what still comes is dropped whole
            elif item is not None:
                metrics.POLLS.labels(item.job.name).inc()
                try:
                    stored, success = self._settle(poller, item, now)
                finally:
                    item.done()
                new += stored
                succeeded += [success] if success else []
                pending.pop(item.job.id, None)
                with self._lock:
                    self._in_flight.pop(item.job.id, None)
            if succeeded and time.monotonic() - recorded >= SUCCESS_FLUSH_SECONDS:
                sources.record_successes(self.db, now, succeeded)
                succeeded, recorded = [], time.monotonic()
        sources.record_successes(self.db, now, succeeded)
        return new

    def _settle(self, poller: Poller[sources.FeedJob], item: Outcome, now: datetime) -> tuple[int, sources.Success | None]:
        """Store a feed's new entries and plan its next check, or record its failure (with backoff)."""
        feed, result, parsed = item.job, item.result, item.parsed
        policy = self.policy.for_source(feed.every)
        try:
            if item.error is not None:
                raise item.error
            assert result is not None
            if parsed is None:  # a 304 or the same body as last time: only the next check moves
                plan = plan_next_check(now, policy, server_hints(result.headers, now), 0, random.random())
                return 0, sources.Success(feed.id, plan.at, 0, result.state, result.moved_to)
            if parsed.warning:
                log.warning("source %d (%s): %s", feed.id, feed.name, parsed.warning)
            new = self.ingest(feed.id, feed.name, parsed.documents, full_text(poller.fetch_pages) if feed.full_text else None)
        except SourceError as exc:
            self._failed(feed, now, str(exc), parse_retry_after(getattr(exc, "retry_after", None), now))
            return 0, None
        except StoreError:
            raise  # the store, not this feed: the poll ends
        except Exception as exc:  # a bug met on this feed's input: recorded against it, the poll goes on
            log.debug("source %d (%s): unexpected error", feed.id, feed.name, exc_info=True)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            self._failed(feed, now, f"unexpected error while storing: {type(exc).__name__}: {first}", None)
            return 0, None
        times = [d.published for d in parsed.documents if d.published]
        hints = replace(server_hints(result.headers, now), ttl_minutes=parsed.ttl_minutes, publish_interval=publish_interval(times))
        plan = plan_next_check(now, policy, hints, 0, random.random())
        if result.moved_to:
            log.info("source %d (%s): permanently redirected to %s (not adopted: edit the source to follow)", feed.id, feed.name, result.moved_to)
        log.info("source %d (%s): %d entries, %d new; next check in %s (%s)", feed.id, feed.name, len(parsed.documents), new,
                 plain_delay((plan.at - now).total_seconds()), plain_reason(plan.reason, hints), extra={"source": feed.name})
        return new, sources.Success(feed.id, plan.at, new, result.state, result.moved_to)

    def _failed(self, feed: sources.FeedJob, now: datetime, error: str, retry_after: datetime | None) -> None:
        count = feed.error_count + 1
        plan = plan_next_check(now, self.policy.for_source(feed.every), Hints(retry_after=retry_after), count, random.random())
        line = f"{error} (suspended after {count} failures)" if plan.suspended else error
        metrics.POLL_ERRORS.labels(feed.name).inc()
        if sources.record_failure(self.db, feed.id, now, plan.at, line, plan.suspended):
            log.warning("source %d (%s): %s", feed.id, feed.name, line, extra={"source": feed.name})
