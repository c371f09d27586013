"""Folder sources: list article files, read them into Documents, and watch folders with watchdog.

Files are only read once they have settled (size and mtime unchanged for `settle_seconds` by our own
clock) and are never modified or deleted. Only regular files below the folder are read: no symbolic
link is followed (a link is refused even when its target is inside, where the target is read as
itself), FIFOs, sockets and devices are refused, and opening never blocks. Hidden and
partial-download names are ignored; subfolders are listed unless `recursive` is off.
(About 300 lines: listing, settling, reading and watching share the refusal rules above.)
"""

from __future__ import annotations

import codecs
import errno
import json
import logging
import os
import re
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any, BinaryIO, cast

import lxml.html
from lxml import etree

from monitor.errors import DocumentError, FileUnreadable
from monitor.model import Document, has_surrogate, storable
from monitor.sources.text import bounded_markup, lxml_restored, lxml_safe, mostly_utf8, page_to_text

log = logging.getLogger("monitor")
SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".json"}
_PARTIAL = (".tmp", ".part", ".partial", ".crdownload", ".swp", ".download", "~")
MAX_FILE_BYTES = 5 * 1024 * 1024
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# a JSON article's link: http(s), without spaces, control characters or bidi marks (a newline would forge a line of an alert)
_LINK = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+", re.I)
_NOT_ARTICLE = "not an article file (" + " ".join(sorted(SUFFIXES)) + "), skipped"
LINK_REFUSED = "a symbolic link, not followed: put the file itself in the folder"
NOT_UTF8 = "a name that is not UTF-8, not read: rename it"


@dataclass(frozen=True)
class Entry:
    """A regular article file found below a folder, with its version (size, mtime) as listed: its path as listed
    (`listed`) and below the folder (`below`, parts joined by "/") kept as strings, a Path of them made only when
    asked: making two for each file was most of a scan of a folder of 20,000 files read before."""

    listed: str
    below: str
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        return Path(self.listed)

    @property
    def relative(self) -> PurePath:
        return PurePath(self.below)


@dataclass(frozen=True)
class Listing:
    files: list[Entry]  # oldest first
    skipped: list[tuple[Path, str]]  # entries not read, with the reason (symbolic links, FIFOs, other types)


def article_files(folder: Path, recursive: bool = True) -> Listing:
    """The article files below a folder (lstat only: nothing followed), oldest first; a missing folder raises DocumentError."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        raise DocumentError(f"{folder}: folder does not exist", source=str(folder)) from None
    except OSError as exc:
        raise DocumentError(f"{folder}: cannot list folder: {exc.strerror}", source=str(folder)) from None
    files: list[Entry] = []
    skipped: list[tuple[Path, str]] = []
    pending = [("", entries)]
    while pending:
        base, listed = pending.pop()
        for entry in listed:
            if entry.name.startswith("."):
                continue
            if has_surrogate(entry.name):  # undecodable bytes come as surrogates, which no store or channel takes
                skipped.append((Path(entry.path), NOT_UTF8))
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # removed while the folder was listed
            except OSError as exc:  # a path longer than the system takes (subfolders nested past PATH_MAX): it ended the scan
                skipped.append((Path(entry.path), _unlisted(exc)))
                continue
            below = f"{base}/{entry.name}" if base else entry.name
            if stat.S_ISDIR(info.st_mode):
                if recursive:
                    try:
                        pending.append((below, list(os.scandir(entry.path))))
                    except OSError as exc:
                        skipped.append((Path(entry.path), _unlisted(exc, "cannot list folder")))
            elif stat.S_ISREG(info.st_mode):
                if is_article_name(entry.name):
                    files.append(Entry(entry.path, below, info.st_size, info.st_mtime_ns))
                elif not entry.name.lower().endswith(_PARTIAL):
                    skipped.append((Path(entry.path), _NOT_ARTICLE))
            else:
                skipped.append((Path(entry.path), _refusal(info.st_mode)))
    files.sort(key=lambda e: (e.mtime_ns, e.below))
    return Listing(files, skipped)


def _unlisted(exc: OSError, what: str = "cannot look at it") -> str:
    """Why an entry below a folder was not listed, in words."""
    if exc.errno == errno.ENAMETOOLONG:
        return f"{what}: its path is longer than the system takes, not read: move it nearer the folder"
    return f"{what}: {exc.strerror}"


def _refusal(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return LINK_REFUSED
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file"
    return f"{kind}, not a regular file: refused"


def is_article_name(name: str) -> bool:
    """An article file's name (Path(name).suffix's suffix, in os.path's words: cheaper, once per file at each scan)."""
    return not name.startswith(".") and not name.lower().endswith(_PARTIAL) and os.path.splitext(name)[1].lower() in SUFFIXES


Version = tuple[int, int, float]  # size, mtime_ns, and since when (our clock, s) it has been unchanged


def stable_since(previous: Version | None, size: int, mtime_ns: int, now: float) -> Version:
    """A file's version and since when it has been unchanged, from what the previous scan saw.

    First seen: since its mtime (never later than now: a clock ahead). Changed since the previous scan
    (size or mtime): since now, whatever its mtime says (mtimes can be coarse, skewed or set back).
    """
    if previous is None:
        return size, mtime_ns, min(now, mtime_ns / 1e9)
    if previous[:2] == (size, mtime_ns):
        return previous
    return size, mtime_ns, now


def is_settled(since: float, now: float, settle_seconds: float) -> bool:
    """True when the file has been unchanged for `settle_seconds` (it is not being written)."""
    return now - since >= settle_seconds


@dataclass
class FolderState:
    """What scans of one folder remember between them: unread files' versions, and what was said once."""

    versions: dict[str, Version] = field(default_factory=dict)
    said: set[tuple[str, str]] = field(default_factory=set)
    # the files known read (or changed since, and said to be), as hash((path, size, mtime_ns)) of each as listed (a 64-bit
    # int: some 70 bytes a file, only of those in the folder): skipped with no question to the store while so listed
    read: set[int] = field(default_factory=set)

    def first_time(self, key: str, what: str) -> bool:
        """True the first time this is said of this file (each refusal or notice is logged once)."""
        if (key, what) in self.said:
            return False
        self.said.add((key, what))
        return True

    def keep_only(self, keys: set[str]) -> set[str]:
        """Forget files no longer there, so memory follows the folder; those of them something was said of."""
        self.versions = {k: v for k, v in self.versions.items() if k in keys}
        gone = {s[0] for s in self.said if s[0] not in keys}
        self.said = {s for s in self.said if s[0] in keys}
        return gone


def read_document(path: Path, source: str, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read one file as an article by its suffix; binary, oversized or malformed files raise DocumentError."""
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read: {exc.strerror}", source=source) from None
    return parse_document(data, path, source, max_bytes)


def read_folder_file(folder: Path, entry: Entry, source: str, max_bytes: int = MAX_FILE_BYTES) -> Document | None:
    """Read a listed file without following any link below `folder` or blocking; None if it changed or went since listed
    (`open_folder_file`, then `read_opened`)."""
    opened = open_folder_file(folder, entry, source)
    return None if opened is None else read_opened(opened, entry, source, max_bytes)


def open_folder_file(folder: Path, entry: Entry, source: str) -> BinaryIO | None:
    """Open a listed file without following any link below `folder` or blocking; None if it changed or went since listed.

    Each folder on the way is opened with O_NOFOLLOW relative to the previous one and the file itself
    with O_NOFOLLOW|O_NONBLOCK, then checked with fstat to be a regular file: a file swapped for a link
    or a FIFO between listing and opening is refused (DocumentError), never read. A file that cannot be
    opened otherwise (permission denied) raises FileUnreadable: it may be read later. The caller closes it
    (`read_opened` does).
    """
    try:
        fd = _open_below(folder, entry.relative)
    except FileNotFoundError:
        return None  # removed (or renamed) since listed
    except OSError as exc:
        reasons = {errno.ELOOP: LINK_REFUSED, errno.ENOTDIR: "a folder on its path is no longer a folder (a symbolic link?), not followed"}
        if exc.errno in reasons:
            raise DocumentError(f"{entry.path}: {reasons[exc.errno]}", source=source) from None
        raise FileUnreadable(f"{entry.path}: cannot read: {exc.strerror} (tried again at each scan)", source=source) from None
    fh = os.fdopen(fd, "rb")
    try:
        before = os.fstat(fh.fileno())
        if not stat.S_ISREG(before.st_mode):
            raise DocumentError(f"{entry.path}: {_refusal(before.st_mode)}", source=source)
    except BaseException:
        fh.close()
        raise
    if (before.st_size, before.st_mtime_ns) != (entry.size, entry.mtime_ns):
        fh.close()
        return None
    return fh


def read_opened(opened: BinaryIO, entry: Entry, source: str, max_bytes: int = MAX_FILE_BYTES) -> Document | None:
    """The article of a file `open_folder_file` opened (closed here); None if it was written to while read. An I/O
    error raises FileUnreadable: it may be read later."""
    with opened as fh:
        try:
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise FileUnreadable(f"{entry.path}: cannot read: {exc.strerror} (tried again at each scan)", source=source) from None
        after = os.fstat(fh.fileno())
    if (after.st_size, after.st_mtime_ns) != (entry.size, entry.mtime_ns):
        return None  # written to while we read: read it again once it settles
    return parse_document(data, entry.path, source, max_bytes)


def _open_below(folder: Path, relative: PurePath) -> int:
    dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in relative.parts[:-1]:
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
            os.close(dir_fd)
            dir_fd = inner
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
        return os.open(relative.name, flags, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def parse_document(data: bytes, path: Path, source: str, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """A file's bytes as an article by its suffix; binary, oversized or malformed files raise DocumentError."""
    return storable(_parsed(data, path, source, max_bytes))


def _parsed(data: bytes, path: Path, source: str, max_bytes: int) -> Document:
    if len(data) > max_bytes:
        raise DocumentError(f"{path}: larger than {max_bytes} bytes (max_file_bytes), not read", source=source)
    text = decode_text(data, path, source)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _json_document(text, path, source)
    if suffix in (".html", ".htm"):
        page, cut = bounded_markup(text)  # before any tree of it is built: 5 MB of 'x<br>' peaked 327 MB here
        page, more = bounded_markup(_without_nav(page))  # written out again with its elements closed: more tags
        if cut or more:
            log.info("%s: %s", path, cut or more)
        title, body = page_to_text(page, str(path))
        return Document(source=source, title=title, text=body)
    return _text_document(text, path, source, markdown=suffix in (".md", ".markdown"))


def decode_text(data: bytes, path: Path, source: str) -> str:
    """Bytes as text (UTF-8, its stray bytes as cp1252 (`text.mostly_utf8`), else cp1252; UTF-16 or UTF-32 by its byte order
    mark); binary data raises DocumentError naming `path`."""
    wide = _wide_encoding(data)
    if wide is not None:  # "Unicode" as Windows saves it: its NUL bytes are text, not a sign of binary data
        data = data.decode(wide, errors="replace").encode("utf-8", errors="replace")
    if b"\x00" in data[:8192]:
        raise DocumentError(f"{path}: binary file, not an article", source=source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # mostly UTF-8 with stray bytes (a Latin-1 letter pasted in), else windows-1252
        text = mixed[0].removeprefix("\ufeff") if (mixed := mostly_utf8(data)) else data.decode("cp1252", errors="replace")
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 100):
        raise DocumentError(f"{path}: binary file, not an article", source=source)
    return text


def _wide_encoding(data: bytes) -> str | None:
    """"utf-32" or "utf-16" when the data starts with that encoding's byte order mark (UTF-32's first: FF FE 00 00 is both)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _without_nav(html: str) -> str:
    """The page without its XML declaration (lxml refuses it in a str) and navigation menus.

    Main-text extraction keeps menus when a page is very short; menu words must not be matched.
    """
    html = lxml_safe(_XML_DECLARATION.sub("", html, count=1))
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return lxml_restored(html)
    for el in cast(list[lxml.html.HtmlElement], root.xpath("//nav|//*[@role='navigation']")):
        el.drop_tree()
    return lxml_restored(str(lxml.html.tostring(root, encoding="unicode")))


def _text_document(text: str, path: Path, source: str, markdown: bool) -> Document:
    lines = text.strip().splitlines()
    title = ""
    if lines and markdown and lines[0].startswith("#"):
        title, lines = lines[0].lstrip("#").strip(), lines[1:]
    elif len(lines) > 1 and len(lines[0]) <= 200 and not lines[0].rstrip().endswith((".", "”", '"')):
        title, lines = lines[0].strip(), lines[1:]
    return Document(source=source, title=title, text="\n".join(lines).strip())


def _json_document(text: str, path: Path, source: str) -> Document:
    try:
        obj: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}", source=source) from None
    except RecursionError:
        raise DocumentError(f"{path}: JSON nested too deeply to read", source=source) from None
    except ValueError:  # not a JSONDecodeError: an integer of more digits than int() reads (sys.get_int_max_str_digits)
        raise DocumentError(f"{path}: not valid JSON here: a number of over {sys.get_int_max_str_digits():,} digits", source=source) from None
    if not isinstance(obj, dict):
        raise DocumentError(f"{path}: JSON article must be an object with 'title' and 'text' or 'body'", source=source)
    body = obj.get("text") or obj.get("body")
    if not isinstance(body, str) or not body.strip():
        raise DocumentError(f"{path}: JSON article has no 'text' or 'body' string", source=source)
    url, title, guid = (obj.get(key) if isinstance(obj.get(key), str) else None for key in ("url", "title", "id"))
    url = url if url and _LINK.fullmatch(url) else None
    return Document(source=source, title=title or path.stem, text=body, url=url, guid=guid, published=_parse_time(obj.get("published")))


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):  # not a time, or one whose UTC is outside years 1 to 9999
        return None


def _wanted(event: Any) -> bool:
    """Whether a watchdog event may bring an article: a file of an article's name written or moved in, or a
    subfolder created or moved in (it may hold articles already)."""
    if event.event_type not in ("created", "modified", "moved", "closed"):
        return False
    name = os.path.basename(str(getattr(event, "dest_path", "") or event.src_path))
    if event.is_directory:
        return event.event_type in ("created", "moved") and not name.startswith(".")
    return is_article_name(name)


class _Unwatched:
    """What `watch` returns when no folder exists: nothing to stop."""

    def stop(self) -> None:
        """Nothing runs."""

    def join(self, timeout: float | None = None) -> None:
        """Nothing runs."""


FolderIds = tuple[tuple[int, int] | None, ...]


def folder_ids(folders: list[tuple[Path, bool]]) -> FolderIds:
    """Which folder (device, inode) each path is now, None where there is none: a watch is of the folder it was
    started on, so one removed and made again (or made after the start) is watched anew when these change."""
    ids: list[tuple[int, int] | None] = []
    for folder, _ in folders:
        try:
            info = folder.stat()
        except OSError:
            ids.append(None)
            continue
        ids.append((info.st_dev, info.st_ino) if stat.S_ISDIR(info.st_mode) else None)
    return tuple(ids)


def watch_lost(observer: Any) -> bool:
    """Whether a folder `watch` watched went away: watchdog ends a folder's watch when the folder is removed (a
    folder made again may have the removed one's inode: its watch is not of it)."""
    return any(not emitter.is_alive() for emitter in getattr(observer, "emitters", ()))


def watch(folders: list[tuple[Path, bool]], on_change: Callable[[], None]) -> Any:
    """Start a watchdog observer that calls `on_change()` when an article file appears or changes.

    `folders` are (path, recursive) pairs: a recursive folder's subfolders are watched too. watchdog is
    imported here, and only when a folder exists to watch: a daemon without folders never loads it (nor starts
    its threads).
    """
    existing = [(folder, recursive) for folder, recursive in folders if folder.is_dir()]
    if not existing:
        return _Unwatched()
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if _wanted(event):
                on_change()

    observer = Observer()
    observer.daemon = True
    observer.start()
    for folder, recursive in existing:  # each started on its own: one watchdog cannot watch leaves the others watched
        try:
            observer.schedule(Handler(), str(folder), recursive=recursive)
        except RecursionError:  # its subfolders are walked by os.walk, which recurses once per level
            log.warning("%s: not watched (subfolders nested too deep to watch): its new files are read at each rescan ([schedule] folders_every)", folder)
        except OSError as exc:  # out of inotify watches (fs.inotify.max_user_watches), a path too long
            log.warning("%s: not watched (%s): its new files are read at each rescan ([schedule] folders_every)", folder, exc.strerror or exc)
    return observer
