"""Sense decisions taken over a text's matches once they are found (pure): what the labelling guide
calls "specific beats generic" (an event that `yields_to` a more specific one found in the same
sentence is not reported: "rockets struck the base" is a rocket attack, not also a strike) and names
of other things (an actor alias followed by a head noun of `not_before`: "Erbil SC", "Baghdad
Grill", "Pasdaran Avenue" name a club, a restaurant and a street, not the actor).
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.matching.normalise import WORD, fold, sentence_keys
from monitor.model import Match, Watchlist

SKIPPED_BEFORE_HEAD = frozenset({"international"})  # Baghdad International Film Festival: the head comes after


def settle(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The matches with generic events that yield to a specific one, and names of other things, taken out."""
    return [m for m in matches if m not in set(yielding(watchlist, matches, text)) | set(names_of_things(watchlist, matches, text))]


def yielding(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The event matches whose event yields to another event found in the same sentence."""
    yields = {e.name: frozenset(e.yields_to) for e in watchlist.events if e.yields_to}
    events = [m for m in matches if m.kind == "event"]
    if not any(m.name in yields for m in events):
        return []
    keys = sentence_keys(text, [m.start for m in events])
    return [m for m, key in zip(events, keys) if any(o.name in yields.get(m.name, ()) and k == key for o, k in zip(events, keys))]


def names_of_things(watchlist: Watchlist, matches: Sequence[Match], text: str) -> list[Match]:
    """The actor matches followed by one of the actor's `not_before` head nouns, capitalised as part of
    a proper name (one word of SKIPPED_BEFORE_HEAD may stand between): "Baghdad Grill", not "the old
    Baghdad café"."""
    heads = {a.name: frozenset(fold(h) for h in a.not_before) for a in watchlist.actors if a.not_before}
    out = []
    for m in matches:
        if m.kind == "actor" and m.name in heads:
            following = [w.group() for w in WORD.finditer(text, m.end, min(len(text), m.end + 80))][:3]
            while following and fold(following[0]) in SKIPPED_BEFORE_HEAD:
                following.pop(0)
            if following and following[0][0].isupper() and heads[m.name] & {fold(following[0]), fold(" ".join(following[:2]))}:
                out.append(m)
    return out
