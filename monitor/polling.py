"""The feed-polling use case: claim the due feeds, fetch and parse them (`sources.poller`), store what
comes back as it comes (`Ingest`), and record each feed's next check (`schedule`).

A tick's poll claims its feeds in the store (a lease on their next check, taken only if they are still
due) a few at a time while it runs: each host's next due feeds as the host gets room (`2 x per_host` of a
host claimed and not yet fetched, half of them ready in the gate for the warm connection; `per_host`
while another poll of this daemon has the host; `schedule.DueQueue`), handed to the same poll (one
event loop, one HTTP session, the hosts' gaps kept), so a slow host holds back only its own feeds. Ticks
may overlap: no feed is polled twice. On PostgreSQL, where several daemons may share the store (issue
18), each host is polled by one daemon at a time: before claiming a host's feeds a daemon (`member`,
its id in the store's registry) holds the host (`store/hosts.py`, renewed with each claim, given back
when it has none of the host's feeds left to fetch) and leaves the hosts another daemon holds, so
`per_host` and `host_gap` hold for them all, while any daemon with room takes any free host; the feed
claims pass over rows another daemon is claiming (FOR UPDATE SKIP LOCKED). A feed's
failure (a fetch or parse error, or any unexpected exception of its own) is recorded against it, with
backoff; a store error ends the poll (the fetching thread is joined; unrecorded claims are given back).
Stopping cancels the fetches under way; a cancelled feed records nothing and its claim is given back.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import partial
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor import metrics
from monitor.defaults import SUCCESS_FLUSH_SECONDS
from monitor.errors import SourceError, StoreError
from monitor.hosts import host_of
from monitor.ingest import Ingest, full_text
from monitor.logs import counted
from monitor.memory import release_free_memory
from monitor.model import FetchState
from monitor.redact import register_feed_secrets
from monitor.schedule import (
    DueQueue, Hints, PollPolicy, parse_retry_after, plain_delay, plain_reason, plan_next_check, publish_interval, server_hints, smoothed_fetch,
)
from monitor.sources.parsing import ParserPool
from monitor.sources.poller import Polled, Poller, PollLimits
from monitor.store import hosts, sources
from monitor.store.db import Database, utcnow

if TYPE_CHECKING:
    from monitor.limits import HttpLimits

log = logging.getLogger("monitor")
FOREVER = timedelta(days=36500)
_POSITION = re.compile(r"<unknown>:\d+:\d+: ")  # where in the body the XML parser met the fault: not part of which fault it is
CLAIM_BATCH_PER_FETCH = 4  # a poll holds at most 4 x max_in_flight feeds claimed and not yet fetched
REFILL_SECONDS = 0.1  # while a poll runs, hosts with room get their next due feeds this often, and at once when fewer
# feeds than fetch slots are left to fetch (a claim a refill: with 304s answered in a few ms, a timer alone held the poll to
# 40 feeds a 0.1 s at max_in_flight 10)
Outcome = Polled[sources.FeedJob]


@dataclass
class _Poll:
    """One poll's feeds: those still to claim, and those claimed and not recorded (with their lease)."""

    waiting: DueQueue[sources.FeedJob]
    now: datetime
    due_by: datetime
    per_host: int
    poller: Poller[sources.FeedJob]
    started: float = field(default_factory=time.monotonic)
    pending: dict[int, tuple[sources.FeedJob, datetime]] = field(default_factory=dict)

    def at_now(self) -> datetime:
        """The poll's time now: its start (`now`, a test's clock too) and the seconds it has run. A feed's next check is
        planned from its own outcome, not from the poll's start: one fetched late in a long poll came due that much early."""
        return self.now + timedelta(seconds=time.monotonic() - self.started)


def _claim_holds(pending: dict[int, tuple[sources.FeedJob, datetime]], job: sources.FeedJob) -> bool:
    """Whether a poll's claim of `job` still holds (asked by the fetching thread as its fetch would start)."""
    claim = pending.get(job.id)
    return claim is None or utcnow() < claim[1]


class FeedPolling:
    """Polls feeds for one daemon; `policy`, `limits` and `http` may be replaced between polls (a reload)."""

    def __init__(self, db: Database, ingest: Ingest, parsers: ParserPool, policy: PollPolicy, limits: PollLimits, http: HttpLimits) -> None:
        self.db, self.ingest, self.parsers, self.policy, self.limits, self.http = db, ingest, parsers, policy, limits, http
        self.stopping = threading.Event()  # set by `cancel`: no poll starts, fetches under way end
        self._lock = threading.Lock()
        self._claiming = threading.Lock()  # one poll claims at a time: the room it sees is not taken meanwhile
        self._in_flight: dict[int, str] = {}  # feeds claimed by a poll and not yet recorded, with their host
        self._polls: dict[int, _Poll] = {}  # the polls under way, by id
        self.member: int | None = None  # this daemon's id in the store's registry (`monitor run` sets it)
        self._held: set[str] = set()  # hosts this daemon holds in the store (PostgreSQL, with a member id)
        self._malformed: dict[int, str] = {}  # per feed, the fault of its last parse that was malformed (said once while it stays)

    def due(self, now: datetime, per_host: int | None = None) -> int:
        """Poll the feeds whose next check has come, at most `per_host` of one host claimed and not yet
        fetched (those of other polls under way count); returns how many articles were new."""
        return self._poll(sources.due_feeds(self.db, now), now, now, per_host or self.policy.per_host)

    def every(self, now: datetime) -> int:
        """Poll every enabled feed once, due or not."""
        jobs = sources.due_feeds(self.db, now + FOREVER)
        log.info("polling %s, due or not (--all)", "the one feed" if len(jobs) == 1 else f"all {len(jobs)} feeds")
        return self._poll(jobs, now, now + FOREVER, self.policy.per_host)

    def cancel(self) -> None:
        """Stop polling: fetches under way are cancelled and record nothing; no poll starts after this."""
        with self._lock:
            self.stopping.set()
            for poller in (p.poller for p in self._polls.values()):
                poller.cancel()

    def _poll(self, jobs: list[sources.FeedJob], now: datetime, due_by: datetime, per_host: int) -> int:
        """Poll `jobs` (most overdue first) in one poll that claims them as their hosts get room; the
        claims it does not record are given back."""
        for job in jobs:  # (a feed `sources add` added while the daemon runs) before its items' links are stored and sent
            register_feed_secrets(job.url)
        limits = replace(self.limits, per_host=self.policy.per_host)  # at most per_host at once to a host, even with --all
        pending: dict[int, tuple[sources.FeedJob, datetime]] = {}
        poller: Poller[sources.FeedJob] = Poller([], self.http, limits, self.parsers, more=True, seen=self._seen, fresh=partial(_claim_holds, pending))
        poll = _Poll(DueQueue(jobs, self.policy.per_host), now, due_by, per_host, poller, pending=pending)
        with self._lock:
            self._polls[id(poll)] = poll
            if self.stopping.is_set():
                poll.poller.cancel()
        try:
            self._refill(poll)  # the first claims, before the fetching thread starts
            if not poll.pending and not poll.waiting:
                return 0  # nothing was left to claim
            with poll.poller:
                return self._store(poll)
        finally:
            with contextlib.suppress(StoreError):  # a failing store keeps the claims: they expire with their lease
                for lease in {lease for _, lease in poll.pending.values()}:  # those not recorded: polled again soon
                    sources.release(self.db, [job for job, at in poll.pending.values() if at == lease], lease)
            with self._lock:
                self._polls.pop(id(poll), None)
                for job_id in poll.pending:
                    self._in_flight.pop(job_id, None)
            with contextlib.suppress(StoreError):  # else they end with their lease
                self._give_back_hosts(poll.at_now())
            release_free_memory()  # what the poll's bodies and parsed feeds took, back to the system

    def _seen(self, feed: sources.FeedJob) -> bytes | None:
        """What the parsing process is told this daemon has stored of a feed: its entries not among
        them come prepared (none of a full-text feed's: their text is the page's, fetched after)."""
        return None if feed.full_text else self.ingest.seen.get(feed.id, b"")

    def _refill(self, poll: _Poll) -> None:
        """Claim the next due feeds of the hosts with room and hand them to the poll; once none is left
        to claim, the poll ends with the fetches it has."""
        with self._claiming:
            while poll.waiting and not self.stopping.is_set():
                with self._lock:
                    pollers = [p.poller for p in self._polls.values()]
                own = poll.poller.load()
                busy = sum((p.load() for p in pollers if p is not poll.poller), Counter[str]())  # other polls' feeds not yet fetched
                elsewhere, busy = set(busy), busy + own
                room = CLAIM_BATCH_PER_FETCH * self.limits.max_in_flight - own.total()
                # per_host more of a host than it fetches at once wait in this poll's gate, ready when a fetch ends
                # (its connection warm); per_host in all while another poll has the host (their gates are apart)
                take = partial(poll.waiting.take, poll.per_host, busy, room, ahead=poll.per_host, elsewhere=elsewhere)
                if self._sharing_as() is not None:  # new hosts only for the fetch slots the held ones leave: the other daemons take the rest
                    with self._lock:
                        held = set(self._held)
                    used = sum(min(poll.per_host, busy[h] + poll.waiting.count(h)) for h in held)
                    offered = take(held=held, slots=self.limits.max_in_flight - used)
                else:
                    offered = take()
                if not offered:
                    break
                lease = poll.at_now() + timedelta(seconds=self.policy.lease_seconds)
                picked = self._hold_hosts(poll, offered, lease)  # those of hosts another daemon holds leave the poll
                claimed = sources.claim(self.db, [j.id for j in picked], poll.due_by, lease) if picked else set[int]()
                jobs = [j for j in picked if j.id in claimed]  # the others: taken by another poll or daemon
                poll.pending.update((j.id, (j, lease)) for j in jobs)
                with self._lock:
                    self._in_flight.update((j.id, host_of(j.url)) for j in jobs)
                poll.poller.add(jobs)
                if len(jobs) == len(offered):
                    break  # else the room left is offered to the next feeds at once
        if not poll.waiting:
            poll.poller.close()

    def _hold_hosts(self, poll: _Poll, picked: list[sources.FeedJob], lease: datetime) -> list[sources.FeedJob]:
        """The picked feeds of the hosts this daemon holds (taken or renewed until `lease`); the hosts
        another daemon holds leave this poll, their feeds due for that daemon. All of them where no
        other daemon can be: SQLite, or no registry (`monitor once`)."""
        member = self._sharing_as()
        if member is None:
            return picked
        wanted = {host_of(j.url) for j in picked}
        now = lease - timedelta(seconds=self.policy.lease_seconds)
        held = hosts.claim(self.db, wanted, member, now, lease)
        for host in wanted - held:
            poll.waiting.drop(host)
        with self._lock:
            self._held |= held
        return [j for j in picked if host_of(j.url) in held]

    def _sharing_as(self) -> int | None:
        """This daemon's id where other daemons may poll the store's feeds (PostgreSQL, and this one in
        its registry); None where it polls alone (SQLite, or no registry: `monitor once`)."""
        return None if self.db.sqlite else self.member

    def _give_back_hosts(self, now: datetime) -> None:
        """Give back the hosts none of this daemon's polls has a feed of left to fetch (no poll claims
        meanwhile: a host taken again is not given back under it)."""
        member = self._sharing_as()
        if member is None or not self._held:  # nothing held (read without the locks: only polls add to it)
            return
        with self._claiming:
            with self._lock:
                polls = list(self._polls.values())
                busy = sum((p.poller.load() for p in polls), Counter[str]())
                done = {h for h in self._held if not busy[h] and not any(p.waiting.has(h) for p in polls)}
            if done:
                hosts.release(self.db, done, member, now)
                with self._lock:
                    self._held -= done

    def holding(self) -> int:
        """Feeds claimed by this daemon's polls and not yet recorded (for its heartbeat)."""
        with self._lock:
            return len(self._in_flight)

    def _store(self, poll: _Poll) -> int:
        """Store the outcomes as they come, claiming more feeds as hosts get room; good checks are
        recorded together, once a second."""
        new, succeeded, recorded, refilled, lapsed = 0, list[sources.Success](), time.monotonic(), time.monotonic(), 0
        for item in poll.poller.outcomes(REFILL_SECONDS):
            if item is not None and self.stopping.is_set():
                item.done()  # once stopping, what still comes is dropped whole
            elif item is not None and item.lapsed:  # not fetched: its claim ended first; due, for whichever poll claims it next
                lapsed += 1
                poll.pending.pop(item.job.id, None)
                with self._lock:
                    self._in_flight.pop(item.job.id, None)
            elif item is not None:
                metrics.POLLS.inc(item.job.name)
                try:
                    stored, success = self._settle(poll.poller, item, poll.at_now(), poll.pending[item.job.id][1])
                finally:
                    item.done()
                new += stored
                succeeded += [success] if success else []
                poll.pending.pop(item.job.id, None)
                with self._lock:
                    self._in_flight.pop(item.job.id, None)
            starving = bool(poll.waiting) and poll.poller.unfetched() < self.limits.max_in_flight  # fetch slots would idle till the next refill
            if starving or time.monotonic() - refilled >= REFILL_SECONDS:
                if poll.waiting:
                    self._refill(poll)
                self._give_back_hosts(poll.at_now())
                refilled = time.monotonic()
            if succeeded and time.monotonic() - recorded >= SUCCESS_FLUSH_SECONDS:
                sources.record_successes(self.db, poll.at_now(), succeeded)
                succeeded, recorded = [], time.monotonic()
        sources.record_successes(self.db, poll.at_now(), succeeded)
        if lapsed:
            log.warning("%s not fetched: the lease of the claim ended before the fetch's turn (this daemon stalled, or its store or hosts "
                        "were that slow): due again, for the next poll of any daemon", counted(lapsed, "claimed feed"))
        return new

    def _settle(self, poller: Poller[sources.FeedJob], item: Outcome, now: datetime, claim: datetime) -> tuple[int, sources.Success | None]:
        """Store a feed's new entries and plan its next check, or record its failure (with backoff), unless another
        poll claimed the feed since this one's `claim` lapsed (a daemon stalled past it): that poll's record stands."""
        feed, result, parsed = item.job, item.result, item.parsed
        policy = self.policy.for_source(feed.every)
        took = smoothed_fetch(feed.fetch_seconds, item.seconds)
        try:
            if item.error is not None:
                raise item.error
            assert result is not None
            if parsed is None:  # a 304 or the same body as last time: only the next check moves
                plan = plan_next_check(now, policy, server_hints(result.headers, now), 0, random.random())
                return 0, sources.Success(feed.id, plan.at, 0, result.state, result.moved_to, took, claim=claim)
            self._say_malformed(feed, parsed.warning)
            new = self.ingest(feed.id, feed.name, parsed.documents, full_text(poller.fetch_pages, 2 * self.http.deadline) if feed.full_text else None, parsed.prepared,
                              polled_before=feed.due_at is not None)
            if self.ingest.left.get(feed.id):  # entries left for its next poll: no validators nor this body's hash kept, so it is read then
                result = replace(result, state=FetchState())
        except SourceError as exc:
            self._failed(feed, now, str(exc), parse_retry_after(getattr(exc, "retry_after", None), now), took, claim)
            return 0, None
        except StoreError:
            raise  # the store, not this feed: the poll ends
        except Exception as exc:  # a bug met on this feed's input: recorded against it, the poll goes on
            log.debug("source %d (%s): unexpected error", feed.id, feed.name, exc_info=True)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            self._failed(feed, now, f"unexpected error while storing: {type(exc).__name__}: {first}", None, took, claim)
            return 0, None
        times = [d.published for d in parsed.documents if d.published]
        hints = replace(server_hints(result.headers, now), ttl_minutes=parsed.ttl_minutes, publish_interval=publish_interval(times))
        plan = plan_next_check(now, policy, hints, 0, random.random())
        if result.moved_to:
            register_feed_secrets(result.moved_to)  # a private feed moved: its new token is as secret as its own
            log.info("source %d (%s): permanently redirected to %s (not adopted: edit the source to follow)", feed.id, feed.name, result.moved_to,
                     extra={"source": feed.name})
        log.info("source %d (%s): %s, %d new; next check in %s (%s)", feed.id, feed.name, counted(len(parsed.documents), "entry", "entries"), new,
                 plain_delay((plan.at - now).total_seconds()), plain_reason(plan.reason, hints), extra={"source": feed.name})
        return new, sources.Success(feed.id, plan.at, new, result.state, result.moved_to, took, self.ingest.turnover.get(feed.id), claim)

    def _say_malformed(self, feed: sources.FeedJob, warning: str | None) -> None:
        """A feed parsed anyway though malformed is said once while the fault stays (wherever it moved in the body), not at
        every poll that finds the feed changed; again when it comes back after a clean parse."""
        fault = _POSITION.sub("", warning) if warning else None
        with self._lock:
            if self._malformed.get(feed.id) == fault:
                return
            if fault is None:
                del self._malformed[feed.id]
                return
            self._malformed[feed.id] = fault
        log.warning("source %d (%s): %s", feed.id, feed.name, warning, extra={"source": feed.name})

    def _failed(self, feed: sources.FeedJob, now: datetime, error: str, retry_after: datetime | None, took: float | None, claim: datetime) -> None:
        count = feed.error_count + 1
        plan = plan_next_check(now, self.policy.for_source(feed.every), Hints(retry_after=retry_after), count, random.random())
        line = f"{error} (suspended after {count} failures)" if plan.suspended else error
        metrics.POLL_ERRORS.inc(feed.name)
        if sources.record_failure(self.db, feed.id, now, plan.at, line, plan.suspended, took, claim):
            log.warning("source %d (%s): %s", feed.id, feed.name, line, extra={"source": feed.name})
