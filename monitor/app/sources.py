"""The source verbs: the list with health (read-only: configured sources not yet stored are shown as
the daemon would store them, nothing is written), add, import, export, retry, enable, disable, remove."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from monitor.app.core import Core
from monitor.errors import MonitorError, UsageError
from monitor.hosts import url_problem
from monitor.limits import read_at_most
from monitor.pipeline import register_sources
from monitor.redact import MASK, redact, register_feed_secrets
from monitor.store import daemons, signals
from monitor.store import sources as source_store
from monitor.store.sources import REMOVED, SourceHealth

__all__ = ["Imported", "SourceHealth", "SourceVerbs"]
IMPORT_BATCH = 1000  # feeds of an OPML file added in one transaction


@dataclass(frozen=True)
class Imported:
    """`monitor sources import`: how many feeds were added of how many, and why others were skipped."""

    added: int
    total: int
    skipped: list[tuple[str, str]]  # (url, reason)


def _check_every(every: float | None) -> None:
    """`--every`: seconds above 0, as a [[feeds]] `every` (0, -5 or nan stored made every later poll fail)."""
    if every is not None and not every > 0:
        raise UsageError(f"--every {every:g}: give seconds above 0 between polls (or leave it out: adaptive)")


def _not_http(url: str) -> str | None:
    """Why `url` cannot be a feed's URL, in words saying how to write it; None for an http(s) URL."""
    if MASK in url:  # copied from `sources export` or a listing: polled so, it fails at every check
        return f"its secret is masked as {MASK} (as `monitor sources export` and the listings write it): give the feed's real URL"
    if url.lower().startswith(("http://", "https://")):
        return None if (problem := url_problem(url)) is None else f"not a valid URL: {problem}"
    if "://" not in url:  # example.org/rss.xml, localhost:8080/rss (whose "scheme" would be localhost)
        return f"no scheme: write it as https://{url} (or http://)"
    return "not an http(s) URL: write it as http:// or https:// (feed:// is http://)"


class SourceVerbs(Core):
    """Verbs listing and changing sources."""

    def _stored_sources(self) -> list[SourceHealth]:
        if (db := self.stored()) is None:
            return []
        silent = signals.silences(db)
        return [replace(h, silent_since=silent.get(h.id)) for h in source_store.list_sources(db)]

    def sources(self) -> list[SourceHealth]:
        """Every source, as the daemon would see it after reading the config; changes nothing.

        A configured source not stored yet has id 0; a stored one follows its config entry (location,
        interval); a configured feed or folder the config no longer lists shows as disabled, as it will be, unless
        another running daemon's config lists it (a shared store: it stays)."""
        stored = self._stored_sources()
        db = self.stored() if stored else None
        others = daemons.sources_of_others(db, datetime.now(UTC)) if db is not None else {}
        configured = {f.label: ("feed", f.url, f.every) for f in self.settings.feeds}
        configured |= {f.label: ("folder", str(f.path), None) for f in self.settings.folders}
        listed: list[SourceHealth] = []
        for h in stored:
            if h.name in configured:
                kind, location, every = configured.pop(h.name)
                h = replace(h, kind=kind, location=location, every=every)
                if h.origin == "config" and h.last_error == REMOVED:
                    h = replace(h, enabled=True, last_error=None)
            elif h.origin == "config" and h.enabled and others is not None and h.name not in others:
                h = replace(h, enabled=False, last_error=REMOVED)
            listed.append(h)
        for name, (kind, location, every) in configured.items():
            listed.append(SourceHealth(0, name, kind, location, None, None, None, 0, None, 0, every=every))
        return listed

    def export_opml(self) -> str:
        """Every enabled feed (configured and added) as OPML, in the folders it was imported with; secrets
        masked in each name and URL before they are written as XML (a mask over the written XML can miss
        an escaped secret, and cut an attribute)."""
        from monitor.sources.opml import Subscription, write_opml

        listed = self.sources()
        outlines = source_store.outlines(self.db) if any(h.id for h in listed) else {}
        subscriptions = []
        for h in listed:
            if h.kind == "feed" and h.enabled:
                folder, html_url = outlines.get(h.id, ("", None))
                subscriptions.append(Subscription(redact(h.name), redact(h.location), redact(folder), redact(html_url) if html_url else None))
        return write_opml(subscriptions)

    def _registered(self) -> None:
        """Before a verb that writes: the configured sources are stored first, so they keep the lower ids."""
        register_sources(self.db, self.settings)

    def _changed(self, source_id: int, change: str) -> SourceHealth:
        self.existing_store("no source to change")  # (an id is a stored source's)
        self._registered()
        try:
            if change == "retry":
                return source_store.retry_now(self.db, source_id, datetime.now(UTC))
            if change == "remove":
                return source_store.remove_source(self.db, source_id)
            return source_store.set_enabled(self.db, source_id, change == "enable")
        except LookupError as exc:
            raise MonitorError(str(exc)) from None

    def retry_source(self, source_id: int) -> SourceHealth:
        """Poll a source at the daemon's next tick, lifting a suspension."""
        return self._changed(source_id, "retry")

    def enable_source(self, source_id: int) -> SourceHealth:
        return self._changed(source_id, "enable")

    def disable_source(self, source_id: int) -> SourceHealth:
        return self._changed(source_id, "disable")

    def remove_source(self, source_id: int) -> SourceHealth:
        return self._changed(source_id, "remove")

    def add_source(self, url: str, name: str | None = None, every: float | None = None, full_text: bool = False) -> tuple[int, str, str]:
        """Add a feed, or the feed an HTML page links to: (its id, its name, its URL)."""
        from monitor.sources.discover import discover_feed

        _check_every(every)
        register_feed_secrets(url)  # masked in what is said of it, as the feed's URL is once stored
        if (why := _not_http(url)) is not None:
            raise MonitorError(f"{url}: {why}")
        feed_url, title = discover_feed(url, self.settings.http.limits(), self.settings.schedule.parse_timeout)
        register_feed_secrets(feed_url)
        self.made_store()
        self._registered()
        try:
            source_id = source_store.add_feed(self.db, name or title, feed_url, every, full_text, rename=not name)
            return source_id, source_store.health(self.db, source_id).name, feed_url
        except ValueError as exc:
            raise MonitorError(f"{feed_url}: {exc}") from None

    def import_opml(self, opml: Path, every: float | None = None) -> Imported:
        """Add every feed of an OPML file; feeds already known are skipped."""
        from monitor.sources.opml import MAX_BYTES, read_opml

        _check_every(every)
        try:
            if (data := read_at_most(opml, MAX_BYTES)) is None:
                raise MonitorError(f"{opml}: larger than {MAX_BYTES:,} bytes: not an OPML file of subscriptions")
            subscriptions = read_opml(data, str(opml))
        except OSError as exc:
            raise MonitorError(f"{opml}: cannot read: {exc.strerror}") from None
        self.made_store()
        self._registered()
        skipped: list[tuple[str, str]] = []
        feeds: list[source_store.NewFeed] = []
        for sub in subscriptions:
            register_feed_secrets(sub.url)
            if (why := _not_http(sub.url)) is not None:
                skipped.append((sub.url, why))
            else:
                feeds.append(source_store.NewFeed(sub.title, sub.url, sub.folder, sub.html_url))
        added = 0
        for start in range(0, len(feeds), IMPORT_BATCH):  # one transaction a batch: a commit a feed was most of the time
            batch = feeds[start:start + IMPORT_BATCH]
            for feed, outcome in zip(batch, source_store.add_feeds(self.db, batch, every), strict=True):
                if isinstance(outcome, str):
                    skipped.append((feed.url, outcome))
                else:
                    added += 1
        return Imported(added, len(subscriptions), skipped)
