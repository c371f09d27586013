"""Apply alert rules to matches: which actor with which event, how close, what severity."""

from __future__ import annotations

import sys
from bisect import bisect_right

from monitor.matching.matcher import Matcher, TextWords
from monitor.matching.normalise import sentence_bounds, sentence_keys
from monitor.model import Hit, Match, MatchResult

SNIPPET_MAX = 320
KIND_RANK = {"person": 0, "group": 0, "organisation": 1, "state": 2, "place": 3}  # who leads an alert's title


def match_text(matcher: Matcher, text: str) -> MatchResult:
    """Matches and rule hits for one text: the whole matching stage as one pure call."""
    matches, words = matcher.scan(text)
    return MatchResult(tuple(matches), tuple(apply_rules(matcher, matches, text, words)))


def apply_rules(matcher: Matcher, matches: list[Match], text: str, words: TextWords) -> list[Hit]:
    """One hit per rule and actor: the actor's most severe, then closest, event."""
    actors = [m for m in matches if m.kind == "actor"]
    events = [m for m in matches if m.kind == "event"]
    if not actors or not events:
        return []
    keys = sentence_keys(text, [m.start for m in actors + events])
    actor_in, event_in = keys[: len(actors)], keys[len(actors) :]
    sentences: list[tuple[int, int]] = []  # found only for a hit's snippet
    hits = []
    for rule in matcher.watchlist.rules:
        wanted = [
            (e, event_in[j]) for j, e in enumerate(events)
            if (not rule.events or e.name in rule.events) and e.severity >= rule.min_severity
        ]
        best: dict[str, tuple[tuple[int, int], Match, Match, int]] = {}
        for i, actor in enumerate(actors):
            if rule.actors and not matcher.actor_refs[actor.name] & set(rule.actors):
                continue
            for event, sentence in wanted:
                if rule.within is None and sentence != actor_in[i]:
                    continue
                distance = _words_between(actor, event, words)
                rank = (event.severity, -distance)
                if (rule.within is None or distance <= rule.within) and (actor.name not in best or rank > best[actor.name][0]):
                    best[actor.name] = (rank, actor, event, distance)
        for _, actor, event, distance in sorted(best.values(), key=lambda b: (-b[0][0], KIND_RANK.get(b[1].category, 9), -b[0][1])):
            severity = rule.severity if rule.severity is not None else event.severity
            sentences = sentences or sentence_bounds(text)
            hits.append(Hit(rule.name, severity, actor, event, rule.tags, snippet(text, actor, event, sentences), distance))
    return hits


def _sentence_of(pos: int, sentences: list[tuple[int, int]]) -> int:
    """Index of the sentence holding a character position (sentences are sorted spans)."""
    return max(0, bisect_right(sentences, (pos, sys.maxsize)) - 1)


def _words_between(a: Match, e: Match, words: TextWords) -> int:
    first, last = (a, e) if a.start <= e.start else (e, a)
    return max(0, words.before(last.start) - words.before(first.end))


def snippet(text: str, a: Match, e: Match, sentences: list[tuple[int, int]]) -> str:
    """The sentence(s) holding the actor and the event, shortened around them if long."""
    lo = min(sentences[_sentence_of(a.start, sentences)][0], sentences[_sentence_of(e.start, sentences)][0])
    hi = max(sentences[_sentence_of(a.start, sentences)][1], sentences[_sentence_of(e.start, sentences)][1])
    if hi - lo > SNIPPET_MAX:
        centre = (min(a.start, e.start) + max(a.end, e.end)) // 2
        lo, hi = max(lo, centre - SNIPPET_MAX // 2), min(hi, centre + SNIPPET_MAX // 2)
        return "…" + " ".join(text[lo:hi].split()) + "…"
    return " ".join(text[lo:hi].split())
