"""The exception tree of monitor. Every message names the file, URL or key and the problem.

    MonitorError
     ├── ConfigError          monitor.toml: a missing file, a typo, a bad value (`.path`, `.key`)
     ├── WatchlistError       watchlist YAML: bad structure, empty alias, bad regex (`.path`, `.line`)
     ├── SourceError          one source failed; the daemon records it and carries on (`.source`)
     │    ├── FetchError      HTTP: timeout, size cap, status, redirects, refused address (`.retry_after`)
     │    ├── FeedParseError  the bytes are not a feed
     │    └── DocumentError   a file that cannot be read as an article (binary, bad JSON, ...)
     │         └── FileUnreadable  one that could not be opened or read (permission denied, I/O): tried again
     ├── StoreError           the database cannot be opened or written (locked, read-only, full), is
     │                        from an older monitor, or another daemon holds it
     │    └── SchemaChanged   its schema revision changed under this monitor (a newer one upgraded it): nothing more written
     ├── DeliveryError        an alert channel refused or failed a notification (`.channel`)
     └── UsageError           an option's value that cannot be used (`--for 6x`, `--replay 7x`)

The CLI turns any MonitorError into one line on stderr and exit code 1, a UsageError into one line naming
the verb's --help and exit code 2 (a usage mistake, as an unknown option is); no traceback.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error monitor raises on purpose."""


class ConfigError(MonitorError):
    """The configuration file is missing or invalid."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.key = key


class WatchlistError(MonitorError):
    """The watchlist file is missing or invalid."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


class SourceError(MonitorError):
    """One source could not be read; recorded against the source."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class FetchError(SourceError):
    """An HTTP fetch failed (network, status, size cap, deadline, redirects, refused address).

    `retry_after` is the raw Retry-After header of a 429 or 503 answer, when it had one.
    """

    def __init__(self, message: str, *, source: str | None = None, retry_after: str | None = None) -> None:
        super().__init__(message, source=source)
        self.retry_after = retry_after


class FeedParseError(SourceError):
    """Fetched bytes are not a usable feed."""


class UnparsableFeedError(FeedParseError):
    """A feed whose parse stopped past a bound (too deep, too many elements) or failed in feedparser, or JSON: a feed,
    not a page to look into."""


class DocumentError(SourceError):
    """A file cannot be read as an article."""


class FileUnreadable(DocumentError):
    """A folder's file could not be opened or read (permission denied, an I/O error): not its content's fault,
    so it is tried again at the next scan rather than remembered as read."""

class StoreError(MonitorError):
    """The database cannot be opened or written, is from an older monitor, or another daemon holds it."""


class SchemaChanged(StoreError):
    """The database's schema revision is no longer this monitor's: changed while it had the store open (a newer
    monitor upgraded it under a daemon stalled past its lease). Every later session is refused; the daemon stops."""


REASON_MAX = 320  # a delivery failure's words, at most: what the log, the outbox and `monitor alerts show` say of it


class DeliveryError(MonitorError):
    """An alert channel failed to deliver. Its message is one line of at most REASON_MAX characters (cut with an
    ellipsis; those who raise it mask secrets first, as a cut may halve one)."""

    def __init__(self, message: str, *, channel: str | None = None, took: tuple[str, ...] = ()) -> None:
        words = " ".join(message.split())
        super().__init__(words if len(words) <= REASON_MAX else words[: REASON_MAX - 1].rstrip() + "…")
        self.channel = channel
        self.took = took  # the channel's services that took it all the same (of an Apprise config file's several)


class UsageError(MonitorError):
    """An option's value that cannot be used (`--for 6x`, `--replay 99999999d`, `--listen nonsense`): a usage mistake."""
