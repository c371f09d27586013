"""Folder sources: list article files, read them into Documents, and watch folders with watchdog.

Files are only read once they have settled (unchanged for `settle_seconds`) and are never modified
or deleted. Hidden and partial-download names are ignored.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from monitor.errors import DocumentError
from monitor.model import Document
from monitor.sources.text import page_to_text

SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".json"}
_PARTIAL = (".tmp", ".part", ".partial", ".crdownload", ".swp", ".download", "~")
MAX_FILE_BYTES = 5 * 1024 * 1024
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def article_files(folder: Path) -> list[Path]:
    """The article files directly in a folder, oldest first; a missing folder raises DocumentError."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        raise DocumentError(f"{folder}: folder does not exist", source=str(folder)) from None
    except OSError as exc:
        raise DocumentError(f"{folder}: cannot list folder: {exc.strerror}", source=str(folder)) from None
    files: list[tuple[int, str, Path]] = []
    for entry in entries:
        if entry.is_file() and is_article_name(entry.name):
            try:
                files.append((entry.stat().st_mtime_ns, entry.name, Path(entry.path)))
            except FileNotFoundError:
                continue  # removed while the folder was listed
    return [path for _, _, path in sorted(files)]


def is_article_name(name: str) -> bool:
    return not name.startswith(".") and not name.lower().endswith(_PARTIAL) and Path(name).suffix.lower() in SUFFIXES


def is_settled(stat: os.stat_result, now: float, settle_seconds: float) -> bool:
    """True when the file has not been modified for `settle_seconds` (it is not being written)."""
    return now - stat.st_mtime >= settle_seconds


def read_document(path: Path, source: str) -> Document:
    """Read one file as an article by its suffix; binary, oversized or malformed files raise DocumentError."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read: {exc.strerror}", source=source) from None
    if len(data) > MAX_FILE_BYTES:
        raise DocumentError(f"{path}: larger than {MAX_FILE_BYTES} bytes, not read", source=source)
    text = _decode(data, path, source)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _json_document(text, path, source)
    if suffix in (".html", ".htm"):
        title, body = page_to_text(_without_nav(text))
        return Document(source=source, title=title, text=body)
    return _text_document(text, path, source, markdown=suffix in (".md", ".markdown"))


def _decode(data: bytes, path: Path, source: str) -> str:
    if b"\x00" in data[:8192]:
        raise DocumentError(f"{path}: binary file, not an article", source=source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 100):
        raise DocumentError(f"{path}: binary file, not an article", source=source)
    return text


def _without_nav(html: str) -> str:
    """The page without its XML declaration (lxml refuses it in a str) and navigation menus.

    Main-text extraction keeps menus when a page is very short; menu words must not be matched.
    """
    html = _XML_DECLARATION.sub("", html, count=1)
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return html
    for el in root.xpath("//nav|//*[@role='navigation']"):
        el.drop_tree()
    return str(lxml.html.tostring(root, encoding="unicode"))


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
    if not isinstance(obj, dict):
        raise DocumentError(f"{path}: JSON article must be an object with 'title' and 'text' or 'body'", source=source)
    body = obj.get("text") or obj.get("body")
    if not isinstance(body, str) or not body.strip():
        raise DocumentError(f"{path}: JSON article has no 'text' or 'body' string", source=source)
    url, title, guid = (obj.get(key) if isinstance(obj.get(key), str) else None for key in ("url", "title", "id"))
    return Document(source=source, title=title or path.stem, text=body, url=url, guid=guid, published=_parse_time(obj.get("published")))


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class _Handler(FileSystemEventHandler):
    def __init__(self, on_change: Callable[[], None]) -> None:
        self.on_change = on_change

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in ("created", "modified", "moved", "closed"):
            return
        name = os.path.basename(str(getattr(event, "dest_path", "") or event.src_path))
        if is_article_name(name):
            self.on_change()


def watch(folders: list[Path], on_change: Callable[[], None]) -> Any:
    """Start a watchdog observer that calls `on_change()` when an article file appears or changes."""
    observer = Observer()
    for folder in folders:
        if folder.is_dir():
            observer.schedule(_Handler(on_change), str(folder), recursive=False)
    observer.daemon = True
    observer.start()
    return observer
