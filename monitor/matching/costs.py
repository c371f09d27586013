"""What each `not_when` phrase of a watchlist costs and buys on labelled cases.

A `not_when` phrase cancels a match near it, whatever the sense of the match: it may cancel a real
hit (teachers near "strike" cancel a real attack on a school) as well as a false one. For each phrase,
the watchlist is matched once without that phrase alone; the cases where the actor or event then
appears are those the phrase changes: a true hit it cancels when the case labels the actor or event,
else a false hit it prevents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from monitor.matching.matcher import Matcher
from monitor.model import Actor, Event, Watchlist


@dataclass(frozen=True)
class NotWhenCost:
    """One `not_when` phrase of an actor or event, and the cases it changes (by id)."""

    kind: str  # actor | event
    name: str
    phrase: str
    cancels: tuple[str, ...]  # true hits it cancels: the case labels the actor or event
    prevents: tuple[str, ...]  # false hits it prevents: the case does not label it


Labelled = tuple[str, str, frozenset[str]]  # a case: its id, its text, the actors and events it labels


def not_when_costs(watchlist: Watchlist, cases: Iterable[Labelled]) -> list[NotWhenCost]:
    """Per `not_when` phrase (in watchlist order), the true hits it cancels and the false hits it prevents."""
    cases = list(cases)
    full = Matcher(watchlist)
    found = [{m.name for m in full.find(text)} for _, text, _ in cases]
    out = []
    entries: tuple[tuple[str, Sequence[Actor | Event]], ...] = (("actor", watchlist.actors), ("event", watchlist.events))
    for kind, items in entries:
        for i, item in enumerate(items):
            for phrase in item.not_when:
                without = _without(watchlist, kind, i, item, phrase)
                matcher = Matcher(without)
                gained = [
                    (case_id, item.name in labels)
                    for (case_id, text, labels), before in zip(cases, found)
                    if item.name not in before and item.name in {m.name for m in matcher.find(text)}
                ]
                out.append(NotWhenCost(kind, item.name, phrase, tuple(c for c, real in gained if real), tuple(c for c, real in gained if not real)))
    return out


def _without(watchlist: Watchlist, kind: str, i: int, item: Actor | Event, phrase: str) -> Watchlist:
    kept = tuple(p for p in item.not_when if p != phrase)
    if isinstance(item, Actor):
        actor = replace(item, not_when=kept)
        return replace(watchlist, actors=watchlist.actors[:i] + (actor,) + watchlist.actors[i + 1 :])
    event = replace(item, not_when=kept)
    return replace(watchlist, events=watchlist.events[:i] + (event,) + watchlist.events[i + 1 :])


def cost_table(costs: list[NotWhenCost]) -> str:
    """The costs as a Markdown table."""
    lines = ["| actor or event | not_when | true hits cancelled | false hits prevented |", "| --- | --- | --- | --- |"]
    for c in costs:
        lines.append(f"| {c.kind} {c.name} | {c.phrase} | {len(c.cancels)}{_ids(c.cancels)} | {len(c.prevents)}{_ids(c.prevents)} |")
    return "\n".join(lines)


def _ids(ids: tuple[str, ...]) -> str:
    return f" ({', '.join(ids)})" if ids else ""
