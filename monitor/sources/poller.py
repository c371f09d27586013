"""Fetch and parse a poll's feeds: an event loop on a thread of its own fetches them (`feed_workers` at
once; a 304 or an unchanged body goes no further) and the parser pool parses the changed ones, while
the caller iterates over the outcomes and stores them.

`Poller` is a context manager: leaving it, however (the consumer done, or raising: a store error,
Ctrl-C), cancels what is under way and joins the thread, so no fetching thread outlives its poll.
At most `backlog` changed feeds are parsed or wait to be stored at any time (each outcome's `done()`
lets the next one in), so memory stays bounded however many feeds changed. While the poll runs,
`fetch_pages` fetches other pages (an entry's full text) on the same loop and session.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from monitor import metrics
from monitor.errors import FeedParseError, FetchError, SourceError
from monitor.model import FetchResult, FetchState, ParsedFeed
from monitor.sources.http import fetch_with, make_session, run
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
    """How much a poll does at once: fetches, and changed feeds parsed or waiting to be stored."""

    feed_workers: int = 10
    backlog: int = 8


@dataclass(frozen=True)
class Polled(Generic[J]):
    """One feed's outcome: the fetch result and, when its body changed, the parsed feed; or the error."""

    job: J
    result: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error: SourceError | None = None
    done: Callable[[], None] = field(default=lambda: None)  # call once stored: lets the next changed feed in


_DONE = object()


class Poller(Generic[J]):
    """The fetching thread of one poll; iterate over `outcomes()` inside `with`."""

    def __init__(self, jobs: Sequence[J], http: HttpLimits, limits: PollLimits, parsers: ParserPool) -> None:
        self.jobs, self.http, self.limits, self.parsers = list(jobs), http, limits, parsers
        self._queue: queue.Queue[Any] = queue.Queue()
        self._lock = threading.Lock()
        self._cancelled = False
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
        async with make_session(self.http, self.limits.feed_workers) as session:
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
        loop = asyncio.get_running_loop()
        todo, parsing = iter(self.jobs), list[asyncio.Task[None]]()  # parses kept to the end: a bug in one is raised

        def stored() -> None:  # called by the storing thread
            with contextlib.suppress(RuntimeError):  # the loop has ended: nothing waits any more
                loop.call_soon_threadsafe(backlog.release)

        async def parse(job: J, result: FetchResult) -> None:
            try:
                with metrics.timed(metrics.PARSE_SECONDS):
                    parsed = await asyncio.wrap_future(self.parsers.submit(result.body, job.url, result.headers))
                error = FeedParseError(parsed, source=job.url) if isinstance(parsed, str) else None
                self._queue.put(Polled(job, result, None if isinstance(parsed, str) else parsed, error, stored))
            except BrokenProcessPool:
                error = FeedParseError(f"{job.url}: the parsing process stopped (out of memory?)", source=job.url)
                self._queue.put(Polled(job, error=error, done=stored))

        async def fetch(job: J) -> None:
            try:
                with metrics.timed(metrics.FETCH_SECONDS):
                    result = await fetch_with(session, job.url, self.http, job.state)
            except SourceError as exc:
                self._queue.put(Polled(job, error=exc))
                return
            body_hash = job.state.body_hash if result.not_modified else hashlib.sha256(result.body).hexdigest()
            result = replace(result, state=replace(result.state, body_hash=body_hash))
            if result.not_modified or body_hash == job.state.body_hash:  # nothing new: not even parsed
                self._queue.put(Polled(job, result))
                return
            await backlog.acquire()  # no more bodies while the store is behind
            parsing.append(asyncio.create_task(parse(job, result)))

        async def fetcher() -> None:
            for job in todo:  # shared: each job is taken by one fetcher
                await fetch(job)

        await asyncio.gather(*(fetcher() for _ in range(min(self.limits.feed_workers, len(self.jobs)))))
        await asyncio.gather(*parsing)
