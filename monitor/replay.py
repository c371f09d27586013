"""A dry run for watchlist changes: re-match stored articles and compare with what alerted then."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.alerts.decide import unmuted
from monitor.errors import UsageError
from monitor.matching.evaluation import why_no_alert
from monitor.matching.matcher import Matcher
from monitor.matching.report import explain
from monitor.matching.rules import match_text
from monitor.model import MatchResult
from monitor.store.articles import StoredArticle, stored_between
from monitor.store.db import Database
from monitor.text_norm import cut_text, one_line_title

_SPAN = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_LONGEST = timedelta(days=36525)  # 100 years: a longer span or mute is a typo (and would leave the calendar)


def parse_span(span: str, now: datetime) -> tuple[datetime, datetime]:
    """`7d`, `24h`, `30m`, `2w`, or `2020-01-01..2020-01-31` (end day included) -> [since, until); UsageError otherwise."""
    m = _SPAN.match(span.strip())
    if m:
        return now - _length(m, span, "--replay"), now + timedelta(seconds=1)
    if ".." in span:
        first, _, last = span.partition("..")
        try:
            since = datetime.fromisoformat(first.strip()).replace(tzinfo=UTC)
            until = datetime.fromisoformat(last.strip()).replace(tzinfo=UTC)
            until += timedelta(days=1) if len(last.strip()) == 10 else timedelta(0)
        except (ValueError, OverflowError):
            pass
        else:
            if until <= since:
                raise UsageError(f"--replay {span!r}: the range ends before it starts: give the earlier date first")
            return since, until
    raise UsageError(f"--replay {span!r}: expected a span like 7d, 24h, 30m, 2w or a range like 2020-01-01..2020-01-31")


def parse_duration(text: str, option: str) -> timedelta:
    """`30m`, `6h`, `2d`, `1w` -> a positive duration; UsageError naming `option` otherwise."""
    m = _SPAN.match(text.strip())
    length = _length(m, text, option) if m else timedelta(0)
    if not length:
        raise UsageError(f"{option} {text!r}: give a duration like 30m, 6h, 2d or 1w (a number and its unit)")
    return length


def _length(m: re.Match[str], text: str, option: str) -> timedelta:
    """A matched `<number><unit>` as a duration, at most `_LONGEST`."""
    try:
        length: timedelta | None = timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    except (OverflowError, ValueError):  # past timedelta's range, or more digits than int() reads
        length = None
    if length is None or length > _LONGEST:
        raise UsageError(f"{option} {text!r}: longer than 100 years: give a shorter span")
    return length


def parse_until(text: str, now: datetime, option: str) -> datetime:
    """A time in the future, ISO 8601 (UTC unless an offset is given); UsageError naming `option` otherwise."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} {text!r}: give a time like 2026-11-26T08:00 (UTC unless an offset is given)") from None
    until = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if until <= now:
        raise UsageError(f"{option} {text!r}: that time has passed ({now:%Y-%m-%d %H:%M} UTC now); give a later one, or --for 6h")
    return until


def _as_matched(article: StoredArticle) -> str:
    """What ingest matches of an article (dedup.to_article): its title and text cut to TITLE_CHARS and TEXT_CHARS, as
    one stored before the cuts, or by another tool, never was."""
    title, text = one_line_title(article.title), cut_text(article.text)
    return f"{title}\n\n{text}" if title else text


@dataclass(frozen=True)
class Replayed:
    """A stored article whose alert decision changes under the current watchlist."""

    article: StoredArticle
    result: MatchResult
    why: str  # the rule that would fire and what it found; or, for one that would not now, the nearest rule and what it lacks


def replay(db: Database, matcher: Matcher, since: datetime, until: datetime, muted: set[str]) -> tuple[list[Replayed], list[Replayed], int]:
    """(would alert now but did not, alerted but would not now, articles re-matched).

    Compared is the match decision: an article of a story that another of its articles alerted counts as
    alerting before (story dedup kept a copy silent, or a rule's min_sources waited for a later copy), so
    an unchanged watchlist lists none.
    What would alert now leaves out the hits of the actors and rules `muted` now: an article a mute kept
    silent is listed only when a rule no mute silences fires on it, and its hits are those."""
    articles = stored_between(db, since, until)
    newly, dropped = [], []
    for article in articles:
        body = _as_matched(article)
        result = match_text(matcher, body)
        audible = unmuted(result, muted)
        if audible.alert and not (article.alerted or article.story_alerted):
            newly.append(Replayed(article, audible, f"rule {audible.hits[0].rule!r}: {explain(audible.hits[0])}"))
        elif article.alerted and not result.alert:
            dropped.append(Replayed(article, result, why_no_alert(matcher, body, result)))
    return newly, dropped, len(articles)
