"""OPML, the format feed readers exchange subscriptions in: read a file's feeds, write our own."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from monitor.errors import SourceError
from monitor.redact import printable, redact


MAX_BYTES = 10 * 1024 * 1024  # of an OPML file: subscriptions take some 150 bytes each
MAX_DEPTH = 100  # folders nested in folders: a reader's folders go a few deep
MAX_RUN = 64 * 1024  # bytes of a tag (its attributes) or a text without a '<': an outline's are a title and a few URLs
# (one outline of 700,000 attributes, 8 MB, peaked 365 MB as the parser made them a dict); the runs after each '<' are
# disjoint, so the search is linear
_LONG_RUN = re.compile(b"<[^<]{%d}" % MAX_RUN)


@dataclass(frozen=True)
class Subscription:
    """One feed of an OPML file."""

    title: str
    url: str
    folder: str = ""  # the outline it sits in ("" at the top level)
    html_url: str | None = None  # the site's page


def read_opml(data: bytes, source: str) -> list[Subscription]:
    """Every outline with an xmlUrl under the body, at any depth, with the folder outline it sits in (`a/b`
    when nested), named by its title, else by its URL with secrets masked; entity tricks are refused. The
    URL is as written (`feed://`, `file://` too: the caller refuses what is not http(s), saying so). Folders
    nested over MAX_DEPTH deep are refused, and so is a tag or text of over MAX_RUN bytes, before it is parsed."""
    if (long := _LONG_RUN.search(data)) is not None:
        raise SourceError(f"{source}: not a usable OPML file (a tag or text of over {MAX_RUN:,} bytes at byte {long.start():,}: "
                          "an outline holds a title and a few URLs)", source=source)
    # read as a stream, each element dropped once read (the whole tree of a 10 MiB file took some 60 MB); an outline
    # counts where `findall` found them: a child of <body> (of the root when there is no <body>) or of a folder outline
    subs: dict[bool, list[Subscription]] = {True: [], False: []}  # under <body>, or under the root
    open_: list[tuple[ET.Element, str | None, bool, int]] = []  # each element open: the folder its outlines are in (None: no
    body = False  # place for outlines), whether under <body>, its outline's folder depth
    try:
        for event, element in SafeET.iterparse(io.BytesIO(data), events=("start", "end")):
            if event == "end":
                open_.pop()
                if open_:
                    del open_[-1][0][-1]  # (read: it is its parent's last child)
                continue
            if not open_:  # the root
                open_.append((element, "", False, 0))
                continue
            folder, in_body, depth = open_[-1][1:]
            if len(open_) == 1 and element.tag == "body" and not body:
                body = True
                open_.append((element, "", True, 0))
                continue
            place: str | None = None
            if element.tag == "outline" and folder is not None:
                url = (element.get("xmlUrl") or "").strip()
                title = (element.get("title") or element.get("text") or "").strip()
                if url:
                    html_url = (element.get("htmlUrl") or "").strip()
                    subs[in_body].append(Subscription(title or redact(url), url, folder,
                                                      html_url if html_url.lower().startswith(("http://", "https://")) else None))
                elif depth + 1 > MAX_DEPTH:
                    raise SourceError(f"{source}: not a usable OPML file (folders nested over {MAX_DEPTH} deep)", source=source)
                else:
                    place = title if not folder else f"{folder}/{title}"
            open_.append((element, place, in_body, depth + 1))
    except (ET.ParseError, DefusedXmlException) as exc:
        raise SourceError(f"{source}: not a usable OPML file ({exc})", source=source) from None
    return subs[body]

def write_opml(subscriptions: list[Subscription], title: str = "monitor feeds") -> str:
    """An OPML 2.0 document listing the feeds, in their folders (nested for `a/b`); control characters of
    names and URLs written out (`\\x1b`), as XML 1.0 cannot hold them and a terminal would obey them."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {"": body}

    def folder_element(path: str) -> ET.Element:
        if path not in folders:
            parent, _, name = path.rpartition("/")
            folders[path] = ET.SubElement(folder_element(parent), "outline", text=printable(name), title=printable(name))
        return folders[path]

    for sub in subscriptions:
        title = printable(sub.title)
        ET.SubElement(folder_element(sub.folder), "outline", type="rss", text=title, title=title, xmlUrl=printable(sub.url),
                      attrib={"htmlUrl": printable(sub.html_url)} if sub.html_url else {})
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
