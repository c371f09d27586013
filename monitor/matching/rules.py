"""Apply alert rules to matches: which actor with which event, how close, what severity."""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right

from monitor.matching.matcher import Matcher
from monitor.matching.normalise import sentence_bounds, tokenize
from monitor.model import Hit, Match, MatchResult, Rule, Watchlist

SNIPPET_MAX = 320
KIND_RANK = {"person": 0, "group": 0, "organisation": 1, "state": 2, "place": 3}  # who leads an alert's title


def match_text(matcher: Matcher, text: str) -> MatchResult:
    """Matches and rule hits for one text: the whole matching stage as one pure call."""
    tokens = tokenize(text)
    matches = matcher.find(text, tokens)
    return MatchResult(tuple(matches), tuple(apply_rules(matcher.watchlist, matches, text, [t.start for t in tokens])))


def apply_rules(watchlist: Watchlist, matches: list[Match], text: str, word_starts: list[int]) -> list[Hit]:
    """One hit per rule and actor: the actor's most severe, then closest, event."""
    actors = [m for m in matches if m.kind == "actor"]
    events = [m for m in matches if m.kind == "event"]
    if not actors or not events:
        return []
    sentences = sentence_bounds(text)
    hits = []
    for rule in watchlist.rules:
        pairs = [
            (a, e)
            for a in actors
            if _actor_selected(watchlist, rule, a)
            for e in events
            if _event_selected(rule, e) and _close(rule, a, e, sentences, word_starts)
        ]
        best: dict[str, tuple[Match, Match]] = {}
        for actor, event in pairs:
            rank = (event.severity, -abs(actor.start - event.start))
            held = best.get(actor.name)
            if held is None or rank > (held[1].severity, -abs(held[0].start - held[1].start)):
                best[actor.name] = (actor, event)
        for actor, event in sorted(best.values(), key=lambda p: (-p[1].severity, KIND_RANK.get(p[0].category, 9), abs(p[0].start - p[1].start))):
            severity = rule.severity if rule.severity is not None else event.severity
            hits.append(Hit(rule.name, severity, actor, event, rule.tags, snippet(text, actor, event, sentences)))
    return hits


def _actor_selected(watchlist: Watchlist, rule: Rule, match: Match) -> bool:
    if not rule.actors:
        return True
    actor = next(a for a in watchlist.actors if a.name == match.name)
    return bool({actor.name, actor.kind, *actor.tags} & set(rule.actors))


def _event_selected(rule: Rule, match: Match) -> bool:
    if rule.events and match.name not in rule.events:
        return False
    return match.severity >= rule.min_severity


def _sentence_of(pos: int, sentences: list[tuple[int, int]]) -> int:
    """Index of the sentence holding a character position (sentences are sorted spans)."""
    return max(0, bisect_right(sentences, (pos, sys.maxsize)) - 1)


def _close(rule: Rule, a: Match, e: Match, sentences: list[tuple[int, int]], word_starts: list[int]) -> bool:
    if rule.within is None:
        return _sentence_of(a.start, sentences) == _sentence_of(e.start, sentences)
    first, last = sorted((a, e), key=lambda m: m.start)
    between = bisect_left(word_starts, last.start) - bisect_left(word_starts, first.end)
    return between <= rule.within


def snippet(text: str, a: Match, e: Match, sentences: list[tuple[int, int]]) -> str:
    """The sentence(s) holding the actor and the event, shortened around them if long."""
    lo = min(sentences[_sentence_of(a.start, sentences)][0], sentences[_sentence_of(e.start, sentences)][0])
    hi = max(sentences[_sentence_of(a.start, sentences)][1], sentences[_sentence_of(e.start, sentences)][1])
    if hi - lo > SNIPPET_MAX:
        centre = (min(a.start, e.start) + max(a.end, e.end)) // 2
        lo, hi = max(lo, centre - SNIPPET_MAX // 2), min(hi, centre + SNIPPET_MAX // 2)
        return "…" + " ".join(text[lo:hi].split()) + "…"
    return " ".join(text[lo:hi].split())
