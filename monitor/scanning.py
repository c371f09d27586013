"""The folder use case: read every settled new file of the configured folders (never modifying them).

A path is read once: a file changed after it was read is not read again (one log line), so two
versions of one path never become two articles. Daemons sharing a store may watch one folder: a file
is claimed in the store before it is read (`store.files.claim`, with a lease), so one of them reads it;
a daemon killed while reading leaves a lease that ends, and the file is read again. Refused entries (links, FIFOs, devices), other file
types and empty files get one log line each, once: what was said of a file is kept in the store (`store.notices`) until the
file is gone, so a restart or the next `monitor once` says it only for a new cause. A file that cannot be opened (permission denied) is said once and opened again at
each scan, not claimed until it opens, so it is read once its permissions let it be, without a write to the store meanwhile; so is a file over `max_file_bytes` (never opened) once the
setting is raised. A folder's error is recorded against it, and so is an unexpected error met on one file's content (one
line naming the file, which is not read again): the scan goes on, as a poll does past a feed's.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from monitor import metrics
from monitor.dedup import to_article
from monitor.errors import FileUnreadable, SourceError
from monitor.ingest import Ingest
from monitor.sources.folders import Entry, FolderState, article_files, is_settled, open_folder_file, read_opened, stable_since
from monitor.store import articles, files, notices, sources
from monitor.store.db import Database, utcnow

log = logging.getLogger("monitor")


@dataclass(frozen=True)
class Folder:
    """One configured folder source ([[folders]])."""

    label: str
    path: Path
    recursive: bool = True
    settle_seconds: float = 5.0
    max_file_bytes: int = 5 * 1024 * 1024


class FolderScanning:
    """Scans folders for one daemon; `folders` and `rescan_every` may be replaced between scans (a reload)."""

    def __init__(self, db: Database, ingest: Ingest, folders: tuple[Folder, ...], ids: dict[str, int], rescan_every: float,
                 lease_seconds: float = 120.0, stopping: Callable[[], bool] = lambda: False) -> None:
        self.db, self.ingest, self.folders, self.ids, self.rescan_every = db, ingest, folders, ids, rescan_every
        self.stopping = stopping  # the daemon stops: a scan ends after the file under way (the rest is read at the next start)
        self.lease_seconds = lease_seconds  # a claimed file not marked read by then (a crash) is read again
        self.states: dict[str, FolderState] = {}  # per folder: unread files' versions, what was said once
        self.reading = 0  # files claimed and not yet marked read (the heartbeat's count)

    def scan_all(self) -> bool:
        """Read every settled new file of every enabled folder; True when some file is still being written."""
        waiting = False
        disabled = sources.disabled_ids(self.db)
        for folder in self.folders:
            if self.ids[folder.label] not in disabled and not self.stopping():
                waiting |= self.scan(folder)
        return waiting

    def scan(self, folder: Folder) -> bool:
        """Read new, settled files of one folder; True if some must wait."""
        source_id = self.ids[folder.label]
        now = utcnow()
        metrics.POLLS.inc(folder.label)
        try:
            listing = article_files(folder.path, folder.recursive)
        except SourceError as exc:
            self._failed(source_id, folder.label, now, str(exc))
            return False
        root = str(folder.path.resolve())
        keys = [os.path.join(root, entry.below) for entry in listing.files]
        present = set(keys) | {str(path) for path, _ in listing.skipped}
        state = self.states.get(folder.label)
        if state is None:  # this process's first scan of it: what was said before (a run of `monitor once`, a restart) is not said again
            state = self.states[folder.label] = FolderState(said=notices.said(self.db, source_id, present))
        if gone := state.keep_only(present):
            notices.forget(self.db, source_id, gone)
        for path, reason in listing.skipped:
            if self._first_time(state, source_id, str(path), reason, now):
                log.log(logging.INFO if reason.endswith("skipped") else logging.WARNING, "source %d (%s): %s: %s", source_id, folder.label, path, reason,
                        extra={"source": folder.label})
        marks = [hash((key, entry.size, entry.mtime_ns)) for key, entry in zip(keys, listing.files, strict=True)]
        seen = files.versions(self.db, [key for key, mark in zip(keys, marks, strict=True) if mark not in state.read], now)
        read: set[int] = set()  # the marks known read of this listing: the next scan's `state.read`
        waiting, new, failed = False, 0, False
        for entry, key, mark in zip(listing.files, keys, marks, strict=True):
            if self.stopping():
                break
            if mark in state.read:  # read, and listed as it was when last asked of
                read.add(mark)
                continue
            if key in seen:
                state.versions.pop(key, None)
                size, mtime_ns, done = seen[key]
                if done:  # (not a claim under another daemon's lease: it may end with the file unread)
                    read.add(mark)
                if (size, mtime_ns) != (entry.size, entry.mtime_ns) and self._first_time(state, source_id, key, "changed", now):
                    log.info("source %d (%s): %s: changed after it was read; not read again (write a new file name)", source_id, folder.label, entry.path,
                             extra={"source": folder.label})
                continue
            version = state.versions[key] = stable_since(state.versions.get(key), entry.size, entry.mtime_ns, now.timestamp())
            if not is_settled(version[2], now.timestamp(), folder.settle_seconds):
                waiting = True
                continue
            if entry.size == 0:
                if self._first_time(state, source_id, key, "empty", now):
                    log.info("source %d (%s): %s: empty file, not read (it is read if it gets text)", source_id, folder.label, entry.path,
                             extra={"source": folder.label})
                continue
            if entry.size > folder.max_file_bytes:  # not remembered as read: it is read once the setting is raised
                if self._first_time(state, source_id, key, "large", now):
                    self._failed(source_id, folder.label, now, f"{entry.path}: larger than {folder.max_file_bytes} bytes (max_file_bytes), "
                                 "not read (it is if max_file_bytes is raised)")
                continue
            try:  # opened before it is claimed: a file that cannot be is not claimed and released at each scan
                opened = open_folder_file(folder.path, entry, folder.label)
            except SourceError as exc:  # permission denied (opened again at each scan), or swapped for a link since listed
                if self._first_time(state, source_id, key, "unreadable" if isinstance(exc, FileUnreadable) else "refused", now):
                    self._failed(source_id, folder.label, now, str(exc))
                continue
            if opened is None:
                waiting = True  # changed since listed: read once it settles again
                continue
            if not files.claim(self.db, key, entry.size, entry.mtime_ns, now, now + timedelta(seconds=self.lease_seconds)):
                opened.close()
                state.versions.pop(key, None)  # another daemon reads it (or has just read it)
                continue
            self.reading += 1
            try:
                stored, error = self._read(folder, entry, opened, key, source_id, now)
            finally:
                self.reading -= 1
            if stored is None:
                waiting = True  # changed since listed or while read: read it once it settles again
                continue
            state.versions.pop(key, None)
            new, failed = new + stored, failed or error
        state.read = read  # those of the files there now: memory follows the folder
        if new and not failed:  # a bad file's error stays on the folder until a clean scan brings news
            sources.record_success(self.db, source_id, now, now, new)
        return waiting

    def _read(self, folder: Folder, entry: Entry, opened: BinaryIO, key: str, source_id: int, now: datetime) -> tuple[int | None, bool]:
        """Read and ingest a claimed file, opened: (new articles, or None if it changed while read; whether it failed)."""
        try:
            doc = read_opened(opened, entry, folder.label, folder.max_file_bytes)
        except FileUnreadable as exc:  # an I/O error: read once it can be (one line while it cannot)
            files.release(self.db, key)
            if self._first_time(self.states[folder.label], source_id, key, "unreadable", now):
                self._failed(source_id, folder.label, now, str(exc))
            return 0, True
        except SourceError as exc:
            self._failed(source_id, folder.label, now, str(exc))
            files.mark_seen(self.db, key, entry.size, entry.mtime_ns, now)
            return 0, True
        except Exception as exc:  # a bug met on this file's content: recorded as a feed's is, the file not read again, the scan goes on
            log.debug("source %d (%s): %s: unexpected error", source_id, folder.label, entry.path, exc_info=True)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            self._failed(source_id, folder.label, now, f"{entry.path}: unexpected error while reading: {type(exc).__name__}: {first}")
            files.mark_seen(self.db, key, entry.size, entry.mtime_ns, now)
            return 0, True
        if doc is None:
            files.release(self.db, key)
            return None, False
        new = self.ingest(source_id, folder.label, [doc])
        files.mark_seen(self.db, key, entry.size, entry.mtime_ns, now)
        if not new:  # the user who dropped it is told why nothing came of it
            article = to_article(doc)
            same = articles.article_with(self.db, article.canonical_url, article.content_hash) if article.title or article.text else None
            why = (f"article {same} has its text or link already" if same is not None else
                   "an article with its id is stored already" if article.guid and (article.title or article.text) else "no text")
            log.info("source %d (%s): %s: not stored: %s", source_id, folder.label, entry.path, why, extra={"source": folder.label})
        return new, False

    def _first_time(self, state: FolderState, source_id: int, key: str, what: str, now: datetime) -> bool:
        """True the first time this is said of this file, in this process and in the store (one statement the first
        time in a process): each refusal or notice is said once, across runs of `monitor once` and restarts too."""
        return state.first_time(key, what) and notices.say(self.db, source_id, key, what, now)

    def _failed(self, source_id: int, label: str, now: datetime, error: str) -> None:
        """A folder's error, recorded and logged once; folders are rescanned on their own schedule."""
        rescan = now + timedelta(seconds=self.rescan_every)
        metrics.POLL_ERRORS.inc(label)
        if sources.record_failure(self.db, source_id, now, rescan, error):
            log.warning("source %d (%s): %s", source_id, label, error, extra={"source": label})


def forget_gone(db: Database, folders: tuple[Folder, ...], before: datetime) -> int:
    """The daily prune's part of folders: forget the files read before `before` that are gone from their folder
    (`files.forget_absent`), so that `seen_files` does not grow for ever. A file still there stays remembered
    (never read again); a folder that cannot be listed whole, or lists no file (an unmounted share looks
    empty), forgets nothing. How many were forgotten."""
    forgotten = 0
    for folder in folders:
        try:
            listing = article_files(folder.path, folder.recursive)
        except SourceError:
            continue
        if not listing.files or any(reason.startswith("cannot list") for _, reason in listing.skipped):
            continue
        root = str(folder.path.resolve())
        forgotten += files.forget_absent(db, root, {os.path.join(root, entry.below) for entry in listing.files}, before, folder.recursive)
    return forgotten
