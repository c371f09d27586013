"""Candidate matches, and the choice among those of one kind that overlap."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, NamedTuple

from monitor.matching.automaton import norms_of


class Said(NamedTuple):
    """What a match says besides where and how well: its kind, and all its Match fields (found,
    start, end, score and form to fill)."""

    kind: str
    fields: dict[str, Any]


class Found(NamedTuple):
    """A candidate match: its span, score, what it says, how an event phrase was found ("" as listed), and the
    context word near it that let it count ("" when it needs none)."""

    start: int
    end: int
    score: float
    said: Said
    how: str = ""
    context: str = ""  # the context word or phrase, as written, that let an alias or phrase with a `context` list count
    context_actor: str = ""  # the watched actor whose match `context` is, when one served as the context word


def _by_start_and_kind(m: Found) -> tuple[int, str]:
    return m.start, m.said.kind


def without_overlaps(found: list[Found]) -> list[Found]:
    """Keep the longest, then best-scoring, match where matches of the same kind overlap; in text order
    (an actor before an event at the same start)."""
    found.sort(key=_by_start_and_kind)
    actors_reach = events_reach = -1
    for m in found:  # the common case: no overlaps at all
        if m.said.kind == "actor":
            if m.start < actors_reach:
                break
            actors_reach = m.end
        elif m.start < events_reach:
            break
        else:
            events_reach = m.end
    else:
        return found
    kept: list[Found] = []
    for kind in ("actor", "event"):
        cluster: list[Found] = []
        reach = -1
        for m in found:
            if m.said.kind != kind:
                continue
            if m.start >= reach:  # a new run of overlapping matches
                kept += _best_of(cluster)
                cluster, reach = [m], m.end
            else:
                cluster.append(m)
                reach = max(reach, m.end)
        kept += _best_of(cluster)
    return sorted(kept, key=_by_start_and_kind)


def _best_of(cluster: list[Found]) -> list[Found]:
    """Greedy choice inside a run of overlapping matches: longest first, then best score; for events,
    the phrase of most words first, then best score (the phrase as listed before its words spread
    out), its words as listed before inflected ones, then the closest together (its words side by side
    before words spread over a clause: "rocket attacks" over "embassy ... unless rocket attacks")."""
    if len(cluster) <= 1:
        return cluster
    chosen: list[Found] = []
    if cluster[0].said.kind == "event":
        side = sorted((o for o in cluster if not o.how.startswith("words")), key=_by_start_and_kind)  # found side by side, by start
        side_starts = [o.start for o in side]
        order = sorted(cluster, key=lambda m: (m.how.startswith("words") and _holds_adjacent(m, side, side_starts), -len(norms_of(m.said.fields["alias"])),
                                              -m.score, m.how.endswith("inflected"), _spread(m), m.start))
    else:
        order = sorted(cluster, key=lambda m: (m.start - m.end, -m.score, m.start))
    starts: list[int] = []  # of the chosen, which never overlap: sorted, so only the one before a match's end can reach into it
    ends: list[int] = []
    for m in order:
        i = bisect_left(starts, m.end)
        if i == 0 or ends[i - 1] <= m.start:
            starts.insert(i, m.start)
            ends.insert(i, m.end)
            chosen.append(m)
    if cluster[0].said.kind == "event" and len(chosen) < len(cluster):
        chosen += _halted(cluster, chosen)
    return chosen


HALT = "08"  # CAMEO 08 yield (0871 declare ceasefire): a halt of attacks names the attacks too
ACTS = ("18", "19", "20")  # CAMEO assault, fight, mass violence: the acts a halt may name


def _halted(cluster: list[Found], chosen: list[Found]) -> list[Found]:
    """The hostile acts (CAMEO 18, 19, 20) left out inside a chosen halt of them ("suspending its attacks": a
    ceasefire, and the attacks it halts, as the guide labels a negated act), or inside a phrase of no act found
    with its words spread out ("revenge ... on anyone who attacked": the reprisal, and the attack it answers), or,
    as another event's phrase of several words side by side, inside an act's phrase found spread out (the rocket
    attack of "ataques con cohetes contra la embajada"), one per span, none overlapping another chosen match."""
    halts = [h for h in chosen if h.said.fields["cameo"].startswith(HALT) or h.how.startswith("words")]
    if not halts:
        return []
    out: list[Found] = []
    for m in cluster:
        if m in chosen or not m.said.fields["cameo"].startswith(ACTS):
            continue
        if not any(h.start <= m.start and m.end <= h.end and (not h.said.fields["cameo"].startswith(ACTS) or _another_act_as_written(m, h)) for h in halts):
            continue
        if any(o.start < m.end and m.start < o.end for o in chosen if o not in halts) or any(o.start < m.end and m.start < o.end for o in out):
            continue
        out.append(m)
    return out


def _another_act_as_written(m: Found, h: Found) -> bool:
    """Whether `m` is another event's phrase found with its words side by side inside the act `h` found with its
    words spread out ("los ataques con cohetes contra la embajada": the rocket attack inside the embassy attack)."""
    return not m.how.startswith("words") and m.said.fields["name"] != h.said.fields["name"] and " " in m.said.fields["alias"].strip()


def _spread(m: Found) -> int:
    """Side by side before spread out, then the longest of those side by side, the closest of those spread out."""
    return m.end - m.start + 1_000_000 if m.how.startswith("words") else m.start - m.end


def _holds_adjacent(m: Found, side: list[Found], starts: list[int]) -> bool:
    """Whether a generic event's words spread out hold, inside their span, the phrase of a more specific event
    (a finer CAMEO code under its own) found side by side ("came under rocket fire": 'rocket fire', 190, inside
    'came under ... fire', 19): the specific phrase as written is the better evidence. `side`: the cluster's
    matches found side by side, by start (`starts`): only those starting inside the span are looked at (a
    hostile text of thousands of phrases in one cluster made it every pair)."""
    cameo = m.said.fields["cameo"]
    return bool(cameo) and any(
        m.start < o.start and o.end <= m.end and len(o.said.fields["cameo"]) > len(cameo) and o.said.fields["cameo"].startswith(cameo)
        for o in side[bisect_right(starts, m.start) : bisect_right(starts, m.end)]
    )
