"""Pure rendering of an alert's title and body: what matched, why, and the sentence that triggered it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from monitor.dedup import to_article
from monitor.matching.matcher import Matcher
from monitor.matching.report import explain, form_of, near_text, quoted, sentence_around
from monitor.matching.rules import match_text
from monitor.model import Article, Document, MatchResult
from monitor.text_norm import title_or_opening

SEVERITY_WORDS = {0: "info", 1: "low", 2: "medium", 3: "high"}


@dataclass(frozen=True)
class StoryContext:
    """Where the article stands in its story: how many copies so far, and what a follow-up adds."""

    articles: int = 1
    sources: int = 1
    follows: str | None = None  # the uid of the story's previous alert
    news: tuple[str, ...] = ()  # actors and events not reported before

    def line(self) -> str:
        size = f"Story: {self.articles} article{'s' if self.articles != 1 else ''} from {self.sources} source{'s' if self.sources != 1 else ''} so far"
        if self.follows is None:
            return size
        return f"Follow-up to alert {self.follows}; new: {', '.join(self.news) or 'higher severity'}. {size}"


def render_title(article: Article, result: MatchResult, story: StoryContext = StoryContext()) -> str:
    actors = list(dict.fromkeys(h.actor.name for h in result.hits))
    events = list(dict.fromkeys(h.event.name for h in result.hits))
    head = f"[{SEVERITY_WORDS.get(result.severity, result.severity)}] {', '.join(actors[:3])} + {', '.join(events[:3])}"
    prefix = "[follow-up] " if story.follows else ""
    return f"{prefix}{head}: {display_title(article)}"


def display_title(article: Article, width: int = 90) -> str:
    """The article's title, or the opening words of its text when it has none."""
    return title_or_opening(article.title, article.text, width)


def render_body(article: Article, result: MatchResult, source: str, uid: str, story: StoryContext = StoryContext(), seen: datetime | None = None) -> str:
    """Plain text: title, link, source, story size, matched actors and events, the rules that fired with snippets."""
    lines = [display_title(article)]
    if article.url and article.url.lower().startswith(("http://", "https://")):
        lines.append(article.url)
    lines.append(f"Source: {source}")
    lines.append(story.line())
    if article.published:
        lines.append(f"Published: {article.published.isoformat()}")
    if seen:
        lines.append(f"Seen: {seen.isoformat(timespec='seconds')}")
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
    if left := result.hits[5:]:
        named = [f"{h.rule}: {h.actor.name} + {h.event.name}" for h in left[:10]] + (["…"] if len(left) > 10 else [])
        lines.append(f"* and {len(left)} more rule hits (monitor match on the article shows them all): {'; '.join(named)}")
    lines += _news(article, result, story)
    lines.append("")
    lines.append(f"Alert id: {uid}")
    return "\n".join(lines)


def _news(article: Article, result: MatchResult, story: StoryContext) -> list[str]:
    """For a follow-up, where each actor or event it adds to its story was first found: what makes it one."""
    firsts = {name: next((m for m in result.matches if m.name == name), None) for name in story.news} if story.follows else {}
    found = [(name, m) for name, m in firsts.items() if m is not None]
    if not found:
        return []
    lines = ["", f"New since alert {story.follows}:"]
    for name, m in found:
        how = (f", {form_of(m)}" if m.form else "") + near_text(m)
        lines.append(f"+ {name} (found \u201c{m.found}\u201d{how}): {quoted(sentence_around(m, article.body))}")
    return lines


def alert_context(article: Article, result: MatchResult, source: str, uid: str, story: StoryContext = StoryContext()) -> dict[str, Any]:
    """What a channel's template sees: plain data (feed text is data here, never a template)."""
    url = article.url if article.url and article.url.lower().startswith(("http://", "https://")) else None
    return {
        "kind": "article",
        "uid": uid,
        "severity": result.severity,
        "severity_word": SEVERITY_WORDS.get(result.severity, str(result.severity)),
        "title": display_title(article),
        "url": url,
        "source": source,
        "published": article.published.isoformat() if article.published else None,
        "story": story.line(),
        "follow_up": story.follows,
        "actors": sorted({m.name for m in result.matches if m.kind == "actor"}),
        "events": sorted({m.name for m in result.matches if m.kind == "event"}),
        "hits": [{"rule": h.rule, "severity": h.severity, "explanation": explain(h), "sentence": h.snippet} for h in result.hits[:5]],
    }


def articleless_context(uid: str, severity: int, title: str, kind: str, actors: tuple[str, ...] = (), events: tuple[str, ...] = (),
                        source: str = "(trends)") -> dict[str, Any]:
    """The fields of `alert_context` for an alert with no article (`kind`: a spike, a source gone silent or
    back): a channel's templates and JSON receivers read the same names whatever the alert (docs/templates.md)."""
    return {"kind": kind, "uid": uid, "severity": severity, "severity_word": SEVERITY_WORDS.get(severity, str(severity)), "title": title,
            "url": None, "source": source, "published": None, "story": "", "follow_up": None, "actors": list(actors), "events": list(events),
            "hits": []}


def spike_context(uid: str, severity: int, title: str, spike: str, key: tuple[str, str], count: int, usual: float, spread: float, p: float,
                  threshold: float | None, hours: int, stories: list[dict[str, str | None]]) -> dict[str, Any]:
    """What a template sees of a spike alert: the common fields, then the spike's own (docs/trends.md)."""
    return articleless_context(uid, severity, title, "spike", tuple(filter(None, key[:1])), tuple(filter(None, key[1:]))) | {
        "spike": spike, "actor": key[0], "event": key[1], "count": count, "usual": round(usual, 3), "spread": round(spread, 3), "p": p,
        "threshold": threshold, "window_hours": hours, "stories": stories}


def articleless_samples() -> dict[str, tuple[str, dict[str, Any]]]:
    """A sample spike alert's and source-health alert's template contexts, with the words naming each
    (`monitor check` renders the templates of the channels that get them)."""
    story: dict[str, str | None] = {"title": "Rockets hit the base", "source": "wire", "url": "https://example.org/news/1", "at": "2020-01-03T02:00:00+00:00"}
    spike = spike_context("0123456789abcdef", 3, "Spike: Sample actor + sample event: 4 stories in 3 h, usual 0.0 ± 0.1; p < 0.0001", "sample",
                          ("Sample actor", "sample event"), 4, 0.01, 0.1, 5e-05, 0.00013, 3, [story])
    health = articleless_context("0123456789abcdef", 2, "Silent source: wire: nothing new since 2020-01-03 02:00 UTC (usually every 1.0 h)",
                                 "silent", source="wire") | {"since": "2020-01-03T02:00:00+00:00"}  # as escalation.check_silence writes it
    return {"spike": (" (on a spike alert: no article, no hits)", spike), "health": (" (on a source-health alert: no article, no hits)", health)}


SAMPLE_TEXT = "Qassem Suleimani was killed in a US drone strike near Baghdad airport, the ministry confirmed."


def _sample_texts(matcher: Matcher) -> Iterator[str]:
    """The watchlist's own examples that should match, then an actor beside an event, then the seed's sentence."""
    watchlist = matcher.watchlist
    yield from (e.text for e in sorted(watchlist.examples, key=lambda e: e.kind != "rule") if e.expect)
    pairs = ((a, e) for a in watchlist.actors for e in watchlist.events if a.aliases and e.phrases)
    yield from (f"{a.aliases[0]} {e.phrases[0]}." for a, e in islice(pairs, 50))
    yield SAMPLE_TEXT


def sample_contexts(matcher: Matcher) -> list[tuple[str, dict[str, Any]]]:
    """Sample alerts' template contexts, made as real alerts' are (`monitor check` renders templates with them),
    each with the words naming the alert it stands for: a feed article's (a link, a published time), and a
    folder file's follow-up (no link, no published time, `follow_up` set)."""
    text, result = SAMPLE_TEXT, MatchResult()
    for text in _sample_texts(matcher):
        result = match_text(matcher, text)
        if result.alert:
            break
    feed = Document("sample", "Sample alert", text, "https://example.org/news/sample", published=datetime(2020, 1, 3, 2, 0, tzinfo=UTC))
    folder = Document("sample.txt", "Sample alert", text)
    follow_up = StoryContext(2, 1, "fedcba9876543210", tuple(sorted({m.name for m in result.matches}))[:1])
    return [("", alert_context(to_article(feed), result, "sample", "0123456789abcdef")),
            (" (on a folder file's follow-up alert: no link, no published time)",
             alert_context(to_article(folder), result, "inbox", "0123456789abcdef", follow_up))]
