"""Feed parsing on worker processes: feedparser is CPU-bound, and threads share one core (the GIL).

`ParserPool` is the daemon's pool, built from its settings (`parse_workers`). `start()` forks the
workers when the process runs no other thread (`monitor run` and `monitor once` build it right after
reading the config, before the store, the matcher and the story index exist, and after `gc.freeze()`):
they share the daemon's pages and need no resource tracker. Otherwise (a process running threads, a
pool that broke) the workers are started with the 'spawn' method, which is safe whatever runs: a
spawned worker imports only `monitor.sources.feeds` and the entry script (`monitor.launch`, which
imports nothing). A broken pool is found by the public API: `submit` raises `BrokenProcessPool`.

With a preparer (`use`: the pipeline's, which makes new entries articles, matched and sketched) the
workers also prepare a changed feed's entries whose GUIDs the daemon did not say it had seen (`seen`,
8-byte keys: `seen_keys`), so that the storing thread only decides and stores. The preparer reaches
them once per watchlist, not with every feed: forked workers inherit the one set before the fork, the
others (spawned, or after a reload) load it from a pickle the pool writes to a private directory (0700,
its own, named for the daemon's pid: a pool removes those of daemons no longer running, killed before they
could). A worker that cannot prepare a feed sends it unprepared: the daemon prepares it itself.

Each parse is bounded in time in its worker (`parse_timeout`, CPU seconds: `feeds.read_feed`'s `cpu_seconds`): a body
that feedparser would take minutes on comes back as the feed's one-line error, and the worker takes the next feed. So is
the preparing of its new entries (`cputime.cpu_bound`): `parse_timeout` for all in one call; past it, once more one at
a time, `parse_timeout` for all and a fifth of it for one: what is past them is left out of the feed, said in its
warning (one line naming the first entry), and the others come prepared.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import logging
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from monitor import defaults
from monitor.errors import FeedParseError
from monitor.model import Document, ParsedFeed, Prepared
from monitor.sources.cputime import OutOfTime, cpu_bound

__all__ = ["BrokenProcessPool", "ParserPool", "parse_in_worker", "seen_keys"]

Preparer = Callable[[Sequence[Document]], list[Prepared]]
log = logging.getLogger("monitor")
_KEY = 8  # bytes of a GUID's key
ENTRY_SHARE = 5  # an entry is prepared in at most this fraction of `parse_timeout` (a feed's new entries, in all of it)
_DIRECTORY = "monitor-parsers-"  # + the daemon's pid + "-" + mkdtemp's letters
_loaded: tuple[str, Preparer] | None = None  # this process's preparer and its file (a forked worker inherits it)
_SAMPLE = Document("warm-up", "", "", html="<p>Warm-up.</p>")
_versions = itertools.count(1)  # a preparer's file name is new in this process, whatever pool wrote it


def seen_keys(guids: Iterable[str]) -> bytes:
    """The packed keys of a feed's GUIDs (stripped, empty ones left out): what the daemon has stored of it."""
    return b"".join(_key(guid) for guid in guids if guid.strip())


def _key(guid: str) -> bytes:
    return hashlib.blake2b(guid.strip().encode(), digest_size=_KEY).digest()


def parse_in_worker(body: bytes, url: str, headers: dict[str, str], prepare: str | None = None, seen: bytes = b"",
                    seconds: float | None = None) -> ParsedFeed | str:
    """`read_feed` in a worker: the parsed feed, or its one-line error (exceptions with fields do not pickle).
    feedparser is imported here, in the workers: the daemon itself never parses a feed. With `prepare` (the
    preparer's file), the entries not in `seen` come prepared. A parse past `seconds` of CPU is an error."""
    from monitor.sources.feeds import read_feed

    try:
        parsed = read_feed(body, url, headers, defer_text=True, cpu_seconds=seconds)  # text only for new entries
    except FeedParseError as exc:
        return str(exc)
    return parsed if prepare is None else _prepared(parsed, prepare, seen, seconds)


def _prepared(parsed: ParsedFeed, prepare: str, seen: bytes, seconds: float | None = None) -> ParsedFeed:
    """The feed with its entries not in `seen` prepared (their markup dropped: the article has the text), all in one
    call (the feed's sketches in one numpy call); as it came if the preparer fails (the daemon prepares them, and meets
    the same error where it is recorded). With `seconds`, the call is bounded as the parse is; past them, the entries
    are prepared again one at a time (`_one_by_one`), to leave out only those that take too long."""
    known = {seen[i : i + _KEY] for i in range(0, len(seen), _KEY)}
    docs = list(parsed.documents)
    new = [i for i, doc in enumerate(docs) if _key(doc.guid or "") not in known]
    if not new:
        return replace(parsed, prepared=(None,) * len(docs))
    try:
        preparer = _preparer(prepare)
        with cpu_bound(seconds):
            ready = preparer([docs[i] for i in new])
    except OutOfTime:
        _forget_preparer()  # cut mid-way: none of its half-made state is used again
        assert seconds is not None  # (only a bound call is cut)
        return _one_by_one(parsed, prepare, new, seconds)
    except Exception:  # noqa: BLE001  (any failure leaves the work to the daemon, which reports it)
        return parsed
    prepared: list[Prepared | None] = [None] * len(docs)
    for i, one in zip(new, ready, strict=True):
        prepared[i], docs[i] = one, replace(docs[i], html="")
    return replace(parsed, documents=docs, prepared=tuple(prepared))


def _one_by_one(parsed: ParsedFeed, prepare: str, new: list[int], seconds: float) -> ParsedFeed:
    """The new entries (indexes `new`) of a feed whose preparing ran past `seconds` prepared one at a time: `seconds` of
    CPU again for all, a fifth of them (ENTRY_SHARE) for one. An entry past its share, and the entries left when the
    feed's time is spent, are left out of the feed (not stored, prepared again when the feed next changes), said in its
    warning, one line naming the first. A hostile feed so holds a worker at most twice `seconds` past its parse."""
    docs = list(parsed.documents)
    prepared: list[Prepared | None] = [None] * len(docs)
    slow: list[int] = []  # entries past their share
    left: list[int] = []  # entries not begun: the feed's time was spent
    share = seconds / ENTRY_SHARE
    began = time.process_time()
    for i in new:
        remaining = seconds - (time.process_time() - began)
        if remaining <= 0:
            left.append(i)
            continue
        try:
            preparer = _preparer(prepare)
            with cpu_bound(min(remaining, share)):
                prepared[i] = preparer([docs[i]])[0]
        except OutOfTime:
            slow.append(i)
            _forget_preparer()
        except Exception:  # noqa: BLE001  (any failure leaves the work to the daemon, which reports it)
            return parsed
        else:
            docs[i] = replace(docs[i], html="")
    out = set(slow) | set(left)
    said = [parsed.warning] if parsed.warning else []
    if slow:
        said.append(f"entry {_named(docs[slow[0]])} left out: preparing it took over {share:g} s of CPU "
                    f"(a fifth of [schedule] parse_timeout){f' ({len(slow):,} entries left out so)' if len(slow) > 1 else ''}")
    if left:
        said.append(f"{len(left):,} new entries left out (prepared again when the feed changes), from {_named(docs[left[0]])} on: "
                    f"preparing the feed's new entries took over {seconds:g} s of CPU ([schedule] parse_timeout)")
    kept = [i for i in range(len(docs)) if i not in out]
    return replace(parsed, documents=[docs[i] for i in kept], warning="; ".join(said) or None, prepared=tuple(prepared[i] for i in kept))


def _named(doc: Document) -> str:
    """An entry in a line: its link, else its GUID, else its title, quoted, at most 100 characters."""
    name = doc.url or doc.guid or doc.title or "(untitled)"
    return repr(name if len(name) <= 100 else name[:99] + "…")


def _forget_preparer() -> None:
    """Load the preparer from its file again at its next use."""
    global _loaded
    _loaded = None


def _preparer(path: str) -> Preparer:
    """The preparer written to `path`: this worker's, or loaded from the file once and run on a sample entry with
    markup, so that what it loads on first use (lxml's HTML modules) is not counted against a feed's entry."""
    global _loaded
    if _loaded is None or _loaded[0] != path:
        with open(path, "rb") as file:  # written by the pool, in its own 0700 directory
            preparer = pickle.load(file)
        with contextlib.suppress(Exception):  # a failing preparer fails again on the feed's entries
            preparer([_SAMPLE])
        _loaded = (path, preparer)
    return _loaded[1]


def _remove_orphans(parent: str) -> None:
    """Remove this user's preparer directories in `parent` whose daemon no longer runs (SIGKILLed: its
    finalizer never ran). A directory whose pid runs again, reused by another process, stays."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            pid = entry.name.removeprefix(_DIRECTORY).partition("-")[0]
            if entry.name.startswith(_DIRECTORY) and pid.isdigit() and entry.is_dir(follow_symlinks=False) \
                    and entry.stat(follow_symlinks=False).st_uid == os.getuid() and not _running(int(pid)):
                shutil.rmtree(entry.path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, another user's
        return True
    return True


def _ready() -> None:
    """A no-op task: submitting one per worker starts them all now."""


def _start_worker(parent: int) -> None:
    """Ignore Ctrl-C and SIGHUP (they reach the whole process group: the daemon decides when its workers stop),
    end quietly on SIGTERM (`systemctl stop` sends it to every process of the unit: `monitor once` forks them with its
    handler, which raises KeyboardInterrupt, a traceback here), and exit when the daemon is gone (killed, it cannot stop
    them: they would wait for work forever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a reload (`pkill -HUP -f 'monitor run'`) is the daemon's
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class ParserPool:
    """`workers` parsing processes, forked by `start()` when that is safe, else spawned when first needed; a feed's
    parse past `parse_timeout` CPU seconds is its error (set again on a reload)."""

    def __init__(self, workers: int, parse_timeout: float = defaults.PARSE_TIMEOUT) -> None:
        if workers < 1:
            raise ValueError(f"parse_workers must be >= 1, not {workers}")
        self.workers = workers
        self.parse_timeout = parse_timeout
        self.method = ""  # "fork" or "spawn" once started
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._preparer: Preparer | None = None
        self._prepare: str | None = None  # the preparer's file
        self._directory = ""

    def use(self, preparer: Preparer | None) -> None:
        """Have the workers prepare new entries with `preparer` (picklable; None: they only parse). Set
        before `start()`, forked workers inherit it; otherwise each loads it once, at its next feed."""
        global _loaded
        with self._lock:
            if preparer == self._preparer:
                return
            old = self._prepare
            self._preparer, self._prepare = preparer, None
            if preparer is not None:
                try:
                    path = self._write(preparer)
                except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
                    log.warning("new entries are prepared by the daemon, not by its parsing processes: %s", exc)
                else:
                    self._prepare, _loaded = path, (path, preparer)
            if old is not None:  # a worker still loading it prepares that feed no more: the daemon does
                with contextlib.suppress(FileNotFoundError):  # a /tmp cleaner was first
                    os.unlink(old)

    def _write(self, preparer: Preparer, path: str = "") -> str:
        """Pickle `preparer` to `path`, or to a new file of the pool's directory; its path."""
        if not path:
            if not self._directory:
                _remove_orphans(tempfile.gettempdir())
                self._directory = tempfile.mkdtemp(prefix=f"{_DIRECTORY}{os.getpid()}-")
                weakref.finalize(self, shutil.rmtree, self._directory, True)
            path = os.path.join(self._directory, f"preparer-{next(_versions)}.pickle")
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        with open(path, "wb") as file:
            pickle.dump(preparer, file, pickle.HIGHEST_PROTOCOL)
        return path

    def start(self) -> None:
        """Fork the workers now if this process runs no other thread (else they are spawned at first use)."""
        import monitor.sources.feeds  # noqa: F401  (imported once, here, and shared with the workers)

        with self._lock:
            if self._executor is None and threading.active_count() == 1:
                gc.freeze()  # the workers' collections then leave the shared objects (and their pages) alone
                self._start("fork")

    def submit(self, body: bytes, url: str, headers: dict[str, str], seen: bytes | None = None) -> Future[ParsedFeed | str]:
        """Parse a feed on a worker, and prepare its entries not in `seen` (None: none); a pool found broken
        is replaced by a spawned one (once per call)."""
        with self._lock:
            if self._executor is None:
                self._start("spawn")
            assert self._executor is not None
            args = (body, url, headers, self._prepare if seen is not None else None, seen or b"", self.parse_timeout)
            try:
                return self._executor.submit(parse_in_worker, *args)
            except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._start("spawn")
                return self._executor.submit(parse_in_worker, *args)

    def shutdown(self) -> None:
        """Stop the workers (the daemon on exit); a later `submit` spawns new ones."""
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None

    def _start(self, method: str) -> None:
        if self._preparer is not None and self._prepare is not None and not os.path.exists(self._prepare):
            with contextlib.suppress(OSError):  # its file removed (a /tmp cleaner on a long run): new workers load it again
                self._write(self._preparer, self._prepare)
        context = multiprocessing.get_context(method)
        pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),))
        for future in [pool.submit(_ready) for _ in range(self.workers)]:  # one task each starts them all now
            future.result()
        self._executor, self.method = pool, method
