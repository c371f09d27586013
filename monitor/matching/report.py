"""What matched and why, as words and as the stable JSON of `monitor match --json` (docs/match-json.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from monitor.matching.normalise import sentence_bounds
from monitor.model import Hit, Learned, Match, MatchResult, Rule

SCHEMA = "monitor.match/1"
SNIPPET_MAX = 240


def explain(hit: Hit) -> str:
    """One line an analyst can check: who was found as what, which event, how close."""
    nearness = "side by side" if hit.distance == 0 else f"within {hit.distance} word{'s' if hit.distance > 1 else ''}"
    unit = f" ({', '.join(f'part of {a}' for a in hit.actor.ancestors or (hit.actor.part_of,))})" if hit.actor.part_of else ""
    found = f", found \u201c{hit.event.found}\u201d, {form_of(hit.event)}" if hit.event.form else ""
    found += f", phrase {hit.event.alias!r} {THESAURUS}" if hit.event.thesaurus else ""
    return (
        f"{hit.actor.name}{unit} (found \u201c{hit.actor.found}\u201d, {hit.actor.score:g}{near_text(hit.actor)}) + "
        f"{hit.event.name} (severity {hit.event.severity}{found}{near_text(hit.event)}) {nearness}"
    )


def near_text(m: Match) -> str:
    """", near “word”": the context word that let an alias or phrase with a `context` list count (", near “the US”, watched
    actor United States" when an actor's match served as it, `context_actors`); "" for one that needs none."""
    return f", near \u201c{m.context}\u201d{actor_context(m)}" if m.context else ""


def actor_context(m: Match) -> str:
    """", watched actor NAME" when a watched actor's match served as the context word; else ""."""
    return f", watched actor {m.context_actor}" if m.context_actor else ""


THESAURUS = "from the built-in thesaurus"  # said of an event phrase the watchlist did not list (matching/thesaurus.py)


def alias_of(m: Match) -> str:
    """The alias or phrase that matched, said to come from the built-in thesaurus when it did."""
    return f"{m.alias} ({THESAURUS})" if m.thesaurus else m.alias


def form_of(m: Match) -> str:
    """How an event phrase was found when not as listed: `inflected`, `as words of 'phrase'`, or both;
    for an event the learned layer added, which model, its score and the features that weighed most."""
    if m.learned is not None:
        return learned_text(m.learned)
    if not m.form.startswith("words"):
        return m.form
    return f"as words of {m.alias!r}" + (", inflected" if m.form.endswith("inflected") else "")


def learned_text(learned: Learned) -> str:
    """One line: which model of the learned layer decided, its score against its threshold, and the
    features that weighed most towards the decision (matching/learned.py)."""
    verb, sign = ("dropped by the learned veto", "<") if learned.model == "veto" else (f"added by the learned {learned.model}", ">=")
    features = ", ".join(f"{f} {w:+.2f}" for f, w in learned.features)
    return f"{verb}: p {learned.score:.2f} {sign} {learned.threshold:.2f}; {features}"


def learned_json(learned: Learned | None) -> dict[str, Any] | None:
    """The learned layer's decision as `monitor match --json` has it (null when the rules decided)."""
    if learned is None:
        return None
    return {"model": learned.model, "score": learned.score, "threshold": learned.threshold, "features": [{"feature": f, "weight": w} for f, w in learned.features]}


def quoted(snippet: str) -> str:
    """The snippet in quotation marks, unless it already opens with one."""
    return snippet if snippet[:1] in "\"“‘'«" else f"\u201c{snippet}\u201d"


def waits(rule: Rule) -> str:
    """What a rule of `min_sources` waits for before it alerts, or "" for a rule that alerts on one article."""
    if rule.min_sources <= 1:
        return ""
    within = f" (within {rule.sources_within:g} h of its first article)" if rule.sources_within is not None else ""
    return f"rule {rule.name!r} waits for {rule.min_sources} sources to carry the story{within}: one article alone does not alert"


def muted_by(hit: Hit, muted: Mapping[str, datetime]) -> str:
    """The mute that silences a rule hit, as the daemon applies mutes (alerts/decide.unmuted): the rule's
    name or the actor's, or "" when neither is muted."""
    return hit.rule if hit.rule in muted else hit.actor.name if hit.actor.name in muted else ""


def result_json(result: MatchResult, text: str, rules: tuple[Rule, ...] = (), muted: Mapping[str, datetime] | None = None) -> dict[str, Any]:
    """The documented, stable JSON object for one matched text (`rules`: the watchlist's, for what each waits for;
    `muted`: the names muted now, each with the end of its mute)."""
    muted = muted or {}
    sentences = sentence_bounds(text)
    by_name = {r.name: r for r in rules}
    return {
        "schema": SCHEMA,
        "alert": result.alert,
        "severity": result.severity,
        "tags": list(result.tags),
        "actors": [_match_json(m, text, sentences) | {"kind": m.category, "part_of": m.part_of or None, "ancestors": list(m.ancestors)} for m in result.matches if m.kind == "actor"],
        "events": [_event_json(m, text, sentences) for m in result.matches if m.kind == "event"],
        "dropped": [_event_json(m, text, sentences) for m in result.dropped],
        "rules": [
            {
                "rule": h.rule,
                "severity": h.severity,
                "actor": h.actor.name,
                "actor_found": h.actor.found,
                "event": h.event.name,
                "event_found": h.event.found,
                "event_cameo": h.event.cameo or None,
                "distance_words": h.distance,
                "tags": list(h.tags),
                "snippet": h.snippet,
                "explanation": explain(h),
                "min_sources": by_name[h.rule].min_sources if h.rule in by_name else 1,
                "sources_within": by_name[h.rule].sources_within if h.rule in by_name else None,
                "muted": {"name": name, "until": muted[name].isoformat()} if (name := muted_by(h, muted)) else None,
            }
            for h in result.hits
        ],
    }


def _event_json(m: Match, text: str, sentences: list[tuple[int, int]]) -> dict[str, Any]:
    return _match_json(m, text, sentences) | {"severity": m.severity, "cameo": m.cameo or None, "form": m.form, "thesaurus": m.thesaurus, "learned": learned_json(m.learned)}


def _match_json(m: Match, text: str, sentences: list[tuple[int, int]]) -> dict[str, Any]:
    return {"name": m.name, "alias": m.alias, "found": m.found, "start": m.start, "end": m.end, "score": m.score, "snippet": _around(m, text, sentences),
            "context": m.context or None, "context_actor": m.context_actor or None}


def sentence_around(m: Match, text: str) -> str:
    """The sentence holding a match, cut around it when long (as `monitor match --json` gives its snippet)."""
    return _around(m, text, sentence_bounds(text))


def _around(m: Match, text: str, sentences: list[tuple[int, int]]) -> str:
    """The sentence holding a match, cut around it when long."""
    lo, hi = next(((a, b) for a, b in sentences if a <= m.start < b), (0, len(text)))
    if hi - lo > SNIPPET_MAX:
        lo, hi = max(lo, m.start - SNIPPET_MAX // 2), min(hi, m.end + SNIPPET_MAX // 2)
    return " ".join(text[lo:hi].split())
