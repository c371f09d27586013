"""Apply alert rules to matches: which actor with which event, how close, what severity."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.matching.learned import decide
from monitor.matching.matcher import Matcher, TextWords
from monitor.matching.normalise import sentence_keys, sentence_of
from monitor.matching.senses import settle
from monitor.model import Hit, Match, MatchResult

SNIPPET_MAX = 320
KIND_RANK = {"person": 0, "group": 0, "organisation": 1, "state": 2, "place": 3}  # who leads an alert's title


def match_text(matcher: Matcher, text: str, learned: bool = True) -> MatchResult:
    """Matches and rule hits for one text: the whole matching stage as one pure call. `learned=False`:
    the rules alone, without the learned layer (a watchlist's own examples are checked so)."""
    scan = matcher.scan(text)
    matches = settle(matcher.watchlist, scan.matches, text)
    dropped: list[Match] = []
    if learned and matcher.learned is not None:  # the learned layer adds and drops events before the rules fire
        matches, dropped = decide(matcher.learned, matcher.watchlist.events, matches, scan.set_aside, text, lambda aside: set_aside(matcher, scan.matches, aside, text))
    hits = apply_rules(matcher, matches, text, scan.words)
    return MatchResult(tuple(matches), tuple(hits), scan.timed_out, scan.skipped, tuple(dropped), scan.capped)


def set_aside(matcher: Matcher, found: list[Match], aside: Sequence[Match], text: str) -> list[Match]:
    """The event phrases the scan set aside for lack of a context word (`aside`, where it found no event)
    that the senses would keep as they would the rules' own (`found`: the scan's matches): the gate's candidates."""
    if not aside:  # most texts
        return []
    settled = set(settle(matcher.watchlist, sorted(found + list(aside), key=lambda m: (m.start, m.kind)), text))
    return [m for m in aside if m in settled]


def apply_rules(matcher: Matcher, matches: list[Match], text: str, words: TextWords) -> list[Hit]:
    """One hit per rule and actor: the actor's most severe, then closest, event."""
    actors = [m for m in matches if m.kind == "actor"]
    events = [m for m in matches if m.kind == "event"]
    if not actors or not events:
        return []
    keys: list[int] = []  # per actor, then per event, its sentence: found once a rule has a pair to weigh
    hits = []
    for rule, actor_names, event_names in matcher.rule_selectors:
        wanted = [(j, e) for j, e in enumerate(events) if e.name in event_names and e.severity >= rule.min_severity]
        chosen = [(i, a) for i, a in enumerate(actors) if a.name in actor_names] if wanted else []
        if not chosen:
            continue
        keys = keys or sentence_keys(text, [m.start for m in actors + events])
        at_once = len(chosen) * len(wanted) > PAIRS_ONE_BY_ONE
        best = _best_at_once(rule.within, chosen, wanted, keys, len(actors), words) if at_once else {}
        for i, actor in chosen if not at_once else ():
            for j, event in wanted:
                if rule.within is None and keys[len(actors) + j] != keys[i]:
                    continue
                distance = _words_between(actor, event, words)
                rank = (event.severity, -distance)
                if (rule.within is None or distance <= rule.within) and (actor.name not in best or rank > best[actor.name][0]):
                    best[actor.name] = (rank, actor, event, distance)
        for _, actor, event, distance in sorted(best.values(), key=lambda b: (-b[0][0], KIND_RANK.get(b[1].category, 9), -b[0][1])):
            severity = rule.severity if rule.severity is not None else event.severity
            hits.append(Hit(rule.name, severity, actor, event, rule.tags, snippet(text, actor, event), distance))
    return hits


PAIRS_ONE_BY_ONE = 4096  # a rule's actor x event pairs weighed one by one up to this; more (a text of thousands of names): per actor, all events at once


def _best_at_once(within: int | None, chosen: Sequence[tuple[int, Match]], wanted: Sequence[tuple[int, Match]], keys: Sequence[int],
                  events_from: int, words: TextWords) -> dict[str, tuple[tuple[int, int], Match, Match, int]]:
    """What the pair-by-pair loop of `apply_rules` finds, per actor its events weighed at once (numpy): for each actor
    name the first pair, in the loop's order, of the highest (severity, -distance). The loop costs actors x events
    steps of Python, which a hostile text of thousands of watched names makes minutes."""
    import numpy as np

    severity = np.array([e.severity for _, e in wanted], dtype=np.int64)
    starts = np.array([e.start for _, e in wanted], dtype=np.int64)
    first_word = np.array([words.before(e.start) for _, e in wanted], dtype=np.int64)
    end_word = np.array([words.before(e.end) for _, e in wanted], dtype=np.int64)
    sentence = np.array([keys[events_from + j] for j, _ in wanted], dtype=np.int64)
    span = len(words.starts) + 1  # more than any distance: severity first, then the closest
    best: dict[str, tuple[tuple[int, int], Match, Match, int]] = {}
    for i, actor in chosen:
        distance = np.maximum(np.where(actor.start <= starts, first_word - words.before(actor.end), words.before(actor.start) - end_word), 0)
        valid = sentence == keys[i] if within is None else distance <= within
        if not valid.any():
            continue
        k = int(np.argmax(np.where(valid, severity * span - distance, np.iinfo(np.int64).min)))  # the first of the highest
        rank = (int(severity[k]), -int(distance[k]))
        if actor.name not in best or rank > best[actor.name][0]:
            best[actor.name] = (rank, actor, wanted[k][1], int(distance[k]))
    return best


def _words_between(a: Match, e: Match, words: TextWords) -> int:
    first, last = (a, e) if a.start <= e.start else (e, a)
    return max(0, words.before(last.start) - words.before(first.end))


def snippet(text: str, a: Match, e: Match) -> str:
    """The sentence(s) holding the actor and the event, shortened around them if long."""
    (a_lo, a_hi), (e_lo, e_hi) = sentence_of(text, a.start), sentence_of(text, e.start)
    lo, hi = min(a_lo, e_lo), max(a_hi, e_hi)
    if hi - lo > SNIPPET_MAX:
        centre = (min(a.start, e.start) + max(a.end, e.end)) // 2
        lo, hi = max(lo, centre - SNIPPET_MAX // 2), min(hi, centre + SNIPPET_MAX // 2)
        return "…" + " ".join(text[lo:hi].split()) + "…"
    return " ".join(text[lo:hi].split())
