"""Pure rendering of an alert's title and body: what matched, why, and the sentence that triggered it."""

from __future__ import annotations

from monitor.matching.report import explain, quoted
from monitor.model import Article, MatchResult

SEVERITY_WORDS = {0: "info", 1: "low", 2: "medium", 3: "high"}


def render_title(article: Article, result: MatchResult) -> str:
    actors = list(dict.fromkeys(h.actor.name for h in result.hits))
    events = list(dict.fromkeys(h.event.name for h in result.hits))
    head = f"[{SEVERITY_WORDS.get(result.severity, result.severity)}] {', '.join(actors[:3])} + {', '.join(events[:3])}"
    return f"{head}: {display_title(article)}"


def display_title(article: Article, width: int = 90) -> str:
    """The article's title, or the opening words of its text when it has none."""
    return display_title_of(article.title, article.text, width)


def display_title_of(title: str, text: str, width: int = 90) -> str:
    if title:
        return title
    words = " ".join(text.split())
    return words if len(words) <= width else words[:width].rsplit(" ", 1)[0] + "…"


def render_body(article: Article, result: MatchResult, source: str, uid: str) -> str:
    """Plain text: title, link, source, matched actors and events, the rules that fired with snippets."""
    lines = [display_title(article)]
    if article.url and article.url.lower().startswith(("http://", "https://")):
        lines.append(article.url)
    lines.append(f"Source: {source}")
    if article.published:
        lines.append(f"Published: {article.published.isoformat()}")
    actors: dict[str, list[str]] = {}
    events: dict[str, int] = {}
    for m in result.matches:
        if m.kind == "actor":
            actors.setdefault(m.name, [])
            if m.found not in actors[m.name]:
                actors[m.name].append(m.found)
        else:
            events[m.name] = m.severity
    lines.append("Actors: " + "; ".join(f"{name} (found {', '.join(repr(f) for f in found[:3])})" for name, found in actors.items()))
    lines.append("Events: " + "; ".join(f"{name} (severity {sev})" for name, sev in sorted(events.items(), key=lambda e: -e[1])))
    lines.append("")
    for hit in result.hits[:5]:
        lines.append(f"* {hit.rule} (severity {hit.severity}): {explain(hit)}")
        lines.append(f"  {quoted(hit.snippet)}")
    lines.append("")
    lines.append(f"Alert id: {uid}")
    return "\n".join(lines)
