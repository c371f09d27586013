"""OPML, the format feed readers exchange subscriptions in: read a file's feeds, write our own."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from monitor.errors import SourceError


@dataclass(frozen=True)
class Subscription:
    """One feed of an OPML file."""

    title: str
    url: str


def read_opml(data: bytes, source: str) -> list[Subscription]:
    """Every outline with an http(s) xmlUrl, at any depth; entity tricks are refused."""
    try:
        root = SafeET.fromstring(data)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise SourceError(f"{source}: not a usable OPML file ({exc})", source=source) from None
    subs = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if url.lower().startswith(("http://", "https://")):
            subs.append(Subscription((outline.get("title") or outline.get("text") or url).strip(), url))
    return subs


def write_opml(subscriptions: list[Subscription], title: str = "monitor feeds") -> str:
    """An OPML 2.0 document listing the feeds."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    for sub in subscriptions:
        ET.SubElement(body, "outline", type="rss", text=sub.title, title=sub.title, xmlUrl=sub.url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
