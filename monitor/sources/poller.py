"""Fetch and parse a poll's feeds: an event loop on a thread of its own fetches them (`max_in_flight` at
once; a 304 or an unchanged body goes no further) and the parser pool parses the changed ones, while
the caller iterates over the outcomes and stores them.

Politeness (`HostGate`): at most `per_host` fetches of a poll to one host at once, their starts at least
`host_gap` seconds apart; a fetch waiting for its host holds no slot (another host's feed goes first),
and a host that just finished a fetch goes first for its next one, on the connection kept alive.
A poll made with `more=True` takes further feeds while it runs (`add`, from the consuming thread: the
feeds claimed as their hosts get room, `load`) until `close`, on the same loop, session and gate.

`Poller` is a context manager: leaving it, however (the consumer done, or raising: a store error,
Ctrl-C), cancels what is under way and joins the thread, so no fetching thread outlives its poll.
At most `backlog` changed feeds are parsed or wait to be stored at any time (each outcome's `done()`
lets the next one in), and a fetcher takes a feed only while few bodies, of few bytes, wait for the backlog (`Bodies`), so memory
stays bounded however many feeds changed, not one body per fetcher. While the poll runs,
`fetch_pages` fetches other pages (an entry's full text) on the same loop and session.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import heapq
import queue
import threading
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from monitor import defaults, metrics
from monitor.errors import FeedParseError, FetchError, SourceError
from monitor.hosts import host_of
from monitor.model import FetchResult, FetchState, ParsedFeed
from monitor.sources.http import LargeBodies, fetch_with, make_session, run
from monitor.sources.parsing import BrokenProcessPool, ParserPool

if TYPE_CHECKING:
    from monitor.limits import HttpLimits


class Feed(Protocol):
    """What the poller needs of a feed to poll."""

    @property
    def url(self) -> str: ...
    @property
    def state(self) -> FetchState: ...


J = TypeVar("J", bound=Feed)


@dataclass(frozen=True)
class PollLimits:
    """How much a poll does at once: fetches (to one host), changed feeds parsed or waiting to be stored, bytes of bodies
    held, large bodies."""

    max_in_flight: int = defaults.MAX_IN_FLIGHT
    backlog: int = defaults.BACKLOG_PER_WORKER * defaults.PARSE_WORKERS  # as pipeline.py makes it
    per_host: int = defaults.PER_HOST
    body_bytes: int = defaults.BODY_BYTES  # bytes of bodies held (`Bodies`) past which no fetch starts
    large_bodies: int = defaults.LARGE_BODIES  # bodies past `large_body_bytes` read, waiting or parsed at once (`LargeBodies`)
    large_body_bytes: int = defaults.LARGE_BODY_BYTES


@dataclass(frozen=True)
class Polled(Generic[J]):
    """One feed's outcome: the fetch result and, when its body changed, the parsed feed; or the error."""

    job: J
    result: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error: SourceError | None = None
    done: Callable[[], None] = field(default=lambda: None)  # call once stored: lets the next changed feed in
    seconds: float | None = None  # the fetch's time, request to body end (None: it did not start)
    lapsed: bool = False  # not fetched: `fresh` said no when its turn came (its claim had ended)


_DONE = object()
# A parse cut by a broken pool is made again once in the new one: a process that dies breaks the whole pool, and the
# feeds being parsed in the others were cut with it. The feed that killed its process then fails on its second try.
PARSE_ATTEMPTS = 2


class HostGate(Generic[J]):
    """Hands out a poll's jobs: at most `per_host` of one host under way, starts `gap` s apart per host.

    Memory: one queue of jobs per host of the poll and a heap of hosts waiting for their gap, no
    more than the jobs themselves and one start time per host; no task waits per host (the fetchers take
    whichever host is ready). An open gate (`closed=False`) takes more jobs (`add`) until `close`.
    """

    def __init__(self, jobs: Iterable[J], per_host: int, gap: float, clock: Callable[[], float] = time.monotonic, closed: bool = True) -> None:
        self.per_host, self.gap, self.clock, self.closed = max(per_host, 1), gap, clock, closed
        self.waiting: dict[str, deque[J]] = {}
        for job in jobs:
            self.waiting.setdefault(host_of(job.url), deque()).append(job)
        self.left = sum(map(len, self.waiting.values()))
        self.busy: dict[str, int] = {}
        self.started: dict[str, float] = {}
        self.ready: deque[str] = deque(self.waiting)  # hosts that may start a fetch now
        self.later: list[tuple[float, str]] = []  # (when, host): hosts waiting for their gap
        self.queued = set(self.waiting)  # hosts in `ready` or `later`
        self.changed = asyncio.Condition()

    async def take(self) -> J | None:
        """The next job whose host has room, waiting for one as needed; None once every job was taken."""
        async with self.changed:
            while True:
                now = self.clock()
                while self.later and self.later[0][0] <= now:
                    self.ready.appendleft(heapq.heappop(self.later)[1])
                if self.ready:
                    return self._start(self.ready.popleft(), now)
                if not self.left and self.closed:
                    return None
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.later[0][0] - now if self.later else None):
                        await self.changed.wait()

    async def add(self, jobs: Iterable[J]) -> None:
        """More jobs for an open gate."""
        async with self.changed:
            for job in jobs:
                host = host_of(job.url)
                self.waiting.setdefault(host, deque()).append(job)
                self.left += 1
                self._requeue(host)

    async def close(self) -> None:
        """No more jobs: `take` returns None once those given are taken."""
        async with self.changed:
            self.closed = True
            self.changed.notify_all()

    async def done(self, job: J) -> None:
        """A job's fetch ended: its host has room again."""
        host = host_of(job.url)
        async with self.changed:
            self.busy[host] -= 1
            if not self.busy[host]:
                del self.busy[host]
            self._requeue(host)

    def _start(self, host: str, now: float) -> J:
        self.queued.discard(host)
        job = self.waiting[host].popleft()
        self.left -= 1
        self.busy[host] = self.busy.get(host, 0) + 1
        self.started[host] = self.clock()  # read now, not the loop's `now` (a late wake-up would shorten the gap); kept while the poll runs
        self._requeue(host)
        if not self.left and self.closed:
            self.changed.notify_all()  # fetchers waiting for a host may end
        return job

    def _requeue(self, host: str) -> None:
        """Queue a host that has jobs and room once its gap is over: first in line when it has fetched
        before (its connection is warm), else last (hosts added keep the order they came in)."""
        jobs = self.waiting.get(host)
        if not jobs:
            self.waiting.pop(host, None)
            return
        if host in self.queued or self.busy.get(host, 0) >= self.per_host:
            return
        self.queued.add(host)
        at = self.started.get(host, 0.0) + self.gap
        if host not in self.started:
            self.ready.append(host)
        elif at <= self.clock():
            self.ready.appendleft(host)
        else:
            heapq.heappush(self.later, (at, host))
        self.changed.notify(1)  # one waiting fetcher for it (or to wait for its gap), not all of them


class Bodies:
    """The changed bodies a poll holds before they enter the backlog: `waiting` for it, fetched; `coming`, fetches of feeds
    with no validators (no ETag, Last-Modified nor body hash: the body is certain) under way or about to start; and
    `held`, the bytes of the bodies fetched and not yet parsed (waiting, or in the backlog being parsed).

    A fetcher takes a feed only in its `turn`: while fewer than `most` bodies wait and, with those coming, fewer than
    `limit`, and while fewer than `most_bytes` bytes are held. `limit` starts at `most` and grows by one each time a body
    finds room in the backlog (the store keeps up, as at internet latency: more may come at once), so a first cycle holds
    about `most` bodies and those coming, not one per fetcher, and bodies of the largest size no more than `most_bytes`
    and those of the fetches under way; a feed with validators holds no turn while it is fetched (304s are not held
    back while the store keeps up). Each change that makes room lets as many waiting fetchers go."""

    def __init__(self, most: int, most_bytes: int = defaults.BODY_BYTES) -> None:
        self.most = self.limit = max(most, 1)
        self.most_bytes = most_bytes
        self.waiting = self.coming = self.held = 0
        self.changed = asyncio.Condition()

    def _room(self) -> int:
        if self.held >= self.most_bytes:
            return 0
        return min(self.most - self.waiting, self.limit - self.waiting - self.coming)

    def _wake(self) -> None:
        if (room := self._room()) > 0:
            self.changed.notify(room)

    async def turn(self) -> None:
        """Wait for room for one more body, and hold it (`coming`) until `drop` or `holding`."""
        async with self.changed:
            await self.changed.wait_for(lambda: self._room() > 0)
            self.coming += 1

    async def drop(self) -> None:
        """The turn brings no body (a feed with validators, a 304, an error, no feed left)."""
        async with self.changed:
            self.coming -= 1
            self._wake()

    @contextlib.asynccontextmanager
    async def holding(self, turn: bool, grow: bool, size: int) -> AsyncIterator[None]:
        """A body of `size` bytes waits (for the backlog) for the duration of the block, and is held until `parsed`:
        `turn`'s, or a feed's with validators that changed; `grow`: it found the backlog with room, so one more may come at once."""
        async with self.changed:
            self.coming -= 1 if turn else 0
            self.waiting += 1
            self.held += size
            self.limit += 1 if grow else 0
        try:
            yield
        finally:
            async with self.changed:
                self.waiting -= 1
                self._wake()

    async def parsed(self, size: int) -> None:
        """A held body of `size` bytes is parsed (or given up): no longer held."""
        async with self.changed:
            self.held -= size
            self._wake()


class Poller(Generic[J]):
    """The fetching thread of one poll; iterate over `outcomes()` inside `with`. With `more`, the poll
    takes further jobs (`add`) until `close`."""

    def __init__(self, jobs: Sequence[J], http: HttpLimits, limits: PollLimits, parsers: ParserPool, more: bool = False,
                 seen: Callable[[J], bytes | None] = lambda job: None, fresh: Callable[[J], bool] = lambda job: True) -> None:
        self.jobs, self.http, self.limits, self.parsers, self.more, self.seen = list(jobs), http, limits, parsers, more, seen
        self.fresh = fresh  # asked as a job's fetch would start: False, it is not fetched (an outcome `lapsed`)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._lock = threading.Lock()
        self._cancelled, self._closed = False, not more
        self._load = Counter(host_of(job.url) for job in self.jobs)  # jobs given and not yet fetched, by host
        self._gate: HostGate[J] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None
        self._session: Any = None  # a `make_session` session (aiohttp stays behind sources/http.py)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="monitor-fetch", daemon=True)

    def __enter__(self) -> Poller[J]:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.cancel()
        while self._thread.is_alive() or not self._queue.empty():  # what was fetched meanwhile is dropped
            with contextlib.suppress(queue.Empty):
                item = self._queue.get(timeout=0.1)
                if isinstance(item, Polled):
                    item.done()
        self._thread.join()

    def cancel(self) -> None:
        """End the poll: fetches and parses under way are cancelled (from any thread)."""
        with self._lock:
            self._cancelled = True
            if self._loop is not None and self._task is not None:
                with contextlib.suppress(RuntimeError):  # the loop has ended
                    self._loop.call_soon_threadsafe(self._task.cancel)

    def add(self, jobs: Sequence[J]) -> None:
        """More jobs for a poll made with `more` (from the consuming thread)."""
        with self._lock:
            if self._cancelled:  # never fetched: the caller gives their claims back
                return
            self._load.update(host_of(job.url) for job in jobs)
            if self._gate is None or self._loop is None:  # not fetching yet: the gate starts with them
                self.jobs += jobs
                return
            with contextlib.suppress(RuntimeError):  # the loop has ended (a bug of the fetching side, raised by `outcomes`)
                asyncio.run_coroutine_threadsafe(self._gate.add(list(jobs)), self._loop)

    def close(self) -> None:
        """No more jobs: the poll ends once those given are done."""
        with self._lock:
            self._closed = True
            if self._gate is not None and self._loop is not None and not self._cancelled:
                with contextlib.suppress(RuntimeError):
                    asyncio.run_coroutine_threadsafe(self._gate.close(), self._loop)

    def load(self) -> Counter[str]:
        """The jobs given and not yet fetched (waiting for a slot or under way), by host."""
        with self._lock:
            return +self._load

    def unfetched(self) -> int:
        """How many jobs given are not yet fetched."""
        with self._lock:
            return self._load.total()

    def outcomes(self, idle: float) -> Iterator[Polled[J] | None]:
        """Each feed's outcome as it comes, None after `idle` s with none; then a bug of the fetching side is raised."""
        while True:
            try:
                item = self._queue.get(timeout=idle)
            except queue.Empty:
                yield None
                continue
            if item is _DONE:
                break
            yield item
        if self._failure is not None and not self._cancelled:
            raise self._failure

    def fetch_pages(self, urls: Sequence[str]) -> list[FetchResult | SourceError]:
        """GET other pages on this poll's loop and session, at once (from the consuming thread, while it runs)."""
        with self._lock:
            loop, session = self._loop, self._session
        if loop is None or session is None or self._cancelled:
            return [FetchError(f"{url}: the poll has ended", source=url) for url in urls]

        async def one(url: str) -> FetchResult | SourceError:
            try:
                return await fetch_with(session, url, self.http)
            except SourceError as exc:
                return exc

        async def every() -> list[FetchResult | SourceError]:
            return list(await asyncio.gather(*(one(url) for url in urls)))

        try:
            return asyncio.run_coroutine_threadsafe(every(), loop).result()
        except (RuntimeError, concurrent.futures.CancelledError):  # the poll was cancelled meanwhile
            return [FetchError(f"{url}: the poll was cancelled", source=url) for url in urls]

    def _run(self) -> None:
        try:
            run(self._main())
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # a bug, not a source's fault: raised by `outcomes`
            self._failure = exc
        finally:
            self._queue.put(_DONE)

    async def _main(self) -> None:
        with self._lock:
            if self._cancelled:
                return
            self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        async with make_session(self.http, self.limits.max_in_flight, self.limits.per_host) as session:
            with self._lock:
                self._session = session
            try:
                await self._fetch_all(session)
            except Exception as exc:  # a bug, not a source's fault: raised by `outcomes`
                self._failure = exc
                return
            finally:
                self._queue.put(_DONE)
            await asyncio.Event().wait()  # the session serves `fetch_pages` until the poll is left (cancelled)

    async def _fetch_all(self, session: Any) -> None:
        backlog = asyncio.Semaphore(self.limits.backlog)
        bodies = Bodies(self.limits.backlog, self.limits.body_bytes)  # those fetched and not parsed yet, and those certain to come
        large = LargeBodies(self.limits.large_bodies, self.limits.large_body_bytes)  # those read, waiting or parsed, validators or not
        loop = asyncio.get_running_loop()
        with self._lock:
            gate = self._gate = HostGate(self.jobs, self.limits.per_host, self.http.host_gap, closed=self._closed)
        parsing = list[asyncio.Task[None]]()  # parses kept to the end: a bug in one is raised

        def stored() -> None:  # called by the storing thread
            with contextlib.suppress(RuntimeError):  # the loop has ended: nothing waits any more
                loop.call_soon_threadsafe(backlog.release)

        async def parse(job: J, result: FetchResult, took: float) -> None:
            try:
                await parse_held(job, result, took)
            finally:
                await bodies.parsed(len(result.body))
                large.done(result.body)

        async def parse_held(job: J, result: FetchResult, took: float) -> None:
            for attempt in range(1, PARSE_ATTEMPTS + 1):
                try:
                    with metrics.timed(metrics.PARSE_SECONDS):
                        parsed = await asyncio.wrap_future(self.parsers.submit(result.body, job.url, result.headers, self.seen(job)))
                    break
                except BrokenProcessPool:  # a process died (killed, out of memory): its neighbours' parses were cut with it
                    if attempt == PARSE_ATTEMPTS:
                        stopped = FeedParseError(f"{job.url}: the parsing process stopped (out of memory?)", source=job.url)
                        self._queue.put(Polled(job, error=stopped, done=stored, seconds=took))
                        return
            error = FeedParseError(parsed, source=job.url) if isinstance(parsed, str) else None
            result = replace(result, body=b"")  # parsed: the body is not kept while the outcome waits to be stored
            self._queue.put(Polled(job, result, None if isinstance(parsed, str) else parsed, error, stored, took))

        async def fetch(job: J, turn: bool) -> bool:
            """Fetch a job; True once its changed body is in the backlog (being parsed): `turn`'s body, if it holds one."""
            if not self.fresh(job):  # its claim ended while it waited (the process stalled): another poll may have it
                with self._lock:
                    self._load[host_of(job.url)] -= 1
                await gate.done(job)
                self._queue.put(Polled(job, lapsed=True))
                return False
            began = loop.time()
            try:
                with metrics.timed(metrics.FETCH_SECONDS):
                    result = await fetch_with(session, job.url, self.http, job.state, large)
                took = loop.time() - began
            except SourceError as exc:
                self._queue.put(Polled(job, error=exc, seconds=loop.time() - began))
                return False
            finally:
                with self._lock:
                    self._load[host_of(job.url)] -= 1
                await gate.done(job)  # the host has room before this body waits for the backlog
            body_hash = job.state.body_hash if result.not_modified else hashlib.sha256(result.body).hexdigest()
            result = replace(result, state=replace(result.state, body_hash=body_hash))
            if result.not_modified or body_hash == job.state.body_hash:  # nothing new: not even parsed
                large.done(result.body)
                self._queue.put(Polled(job, result, seconds=took))
                return False
            async with bodies.holding(turn, grow=not backlog.locked(), size=len(result.body)):
                await backlog.acquire()  # no more bodies while the store is behind
            parsing.append(asyncio.create_task(parse(job, result, took)))
            return True

        async def fetcher() -> None:
            while True:
                await bodies.turn()  # room for one more body: none while the store is behind
                job = await gate.take()  # shared: each job is taken by one fetcher
                turn = job is not None and job.state == FetchState()  # no validators: its fetch brings a body
                if not turn:
                    await bodies.drop()
                if job is None:
                    return
                if not await fetch(job, turn) and turn:
                    await bodies.drop()

        fetchers = self.limits.max_in_flight if self.more else min(self.limits.max_in_flight, len(self.jobs))
        await asyncio.gather(*(fetcher() for _ in range(fetchers)))
        await asyncio.gather(*parsing)
