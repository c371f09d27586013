"""Pure alert decision for one matched article: a new story alerts, a copy of a known story alerts only
when it escalates it (higher severity, or actors/events not reported yet); muted actors and rules, and
rules wanting more independent sources than the story has, take no part. No I/O, no clock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from monitor.model import MatchResult, Rule


class KnownStory(Protocol):
    """A story as the next copy of it sees it (store.stories.StoryState has these fields)."""

    @property
    def severity(self) -> int: ...
    @property
    def reported(self) -> frozenset[str]: ...
    @property
    def sources(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True)
class Route:
    """A channel and the alert tags it takes (`everything`: an Apprise config file routes inside)."""

    channel: str
    tags: frozenset[str] = frozenset()
    everything: bool = False


@dataclass(frozen=True)
class ChannelPolicy:
    """What the decision needs of the config and the watchlist: the channels' routes and the rules."""

    routes: tuple[Route, ...] = ()
    rules: tuple[Rule, ...] = ()

    def channels_for(self, tags: tuple[str, ...]) -> tuple[str, ...]:
        """Names of the channels an alert with these tags goes to."""
        return tuple(r.channel for r in self.routes if r.everything or r.tags & set(tags))


@dataclass(frozen=True)
class Decision:
    """An alert to raise: the result it reports (mutes and corroboration applied), where it goes, what is new."""

    result: MatchResult
    channels: tuple[str, ...]
    news: tuple[str, ...]  # actors and events a follow-up adds to its story (empty for a new story)
    reported: frozenset[str]  # what the alert reports, remembered on the story


def decide(result: MatchResult, story: KnownStory | None, muted: set[str], policy: ChannelPolicy, now: datetime) -> Decision | None:
    """The alert this article raises, or None (no hit left, or another copy of a story already alerted)."""
    if not result.alert:
        return None
    result = corroborated(unmuted(result, muted), policy.rules, story, now)
    if not result.alert:
        return None
    news = sorted(reported(result) - story.reported) if story else []
    if story and result.severity <= story.severity and not news:
        return None
    return Decision(result, policy.channels_for(result.tags), tuple(news), reported(result))


def why_silent(result: MatchResult, story: KnownStory | None, muted: set[str], policy: ChannelPolicy, now: datetime, alerted: str | None = None) -> str:
    """Why an article whose rules fired raises no alert (`decide` gave None): the mutes that silence its hits,
    the sources a rule waits for, or the story already alerted (`alerted`: its alert's uid) that it adds nothing to."""
    audible = unmuted(result, muted)
    if not audible.alert:
        return "muted (" + ", ".join(sorted({h.rule if h.rule in muted else h.actor.name for h in result.hits})) + ")"
    if not corroborated(audible, policy.rules, story, now).alert:
        wanted = min(r.min_sources for r in policy.rules if r.name in {h.rule for h in audible.hits})
        have = story.sources if story else 1
        if have >= wanted:
            return f"its rules want {wanted} sources within their sources_within hours of the story's first article: that time had passed"
        return f"its rules wait for {wanted} sources to carry the story (it has {have})"
    return f"a copy of a story already alerted ({f'alert {alerted}: ' if alerted else ''}nothing new, no higher severity)"


def unmuted(result: MatchResult, muted: set[str]) -> MatchResult:
    """The result without the rule hits of muted actors or rules (what is left decides the alert)."""
    if not muted:
        return result
    return replace(result, hits=tuple(h for h in result.hits if h.rule not in muted and h.actor.name not in muted))


def corroborated(result: MatchResult, rules: tuple[Rule, ...], story: KnownStory | None, now: datetime) -> MatchResult:
    """The result without the hits of rules that want more independent sources than the story has yet."""
    gated = {r.name: r for r in rules if r.min_sources > 1}
    if not gated:
        return result
    sources_now = story.sources if story else 1
    fresh = story is None or all(r.sources_within is None or now - story.created_at <= timedelta(hours=r.sources_within) for r in gated.values())

    def passes(rule: str) -> bool:
        return rule not in gated or (sources_now >= gated[rule].min_sources and fresh)

    return replace(result, hits=tuple(h for h in result.hits if passes(h.rule)))


def reported(result: MatchResult) -> frozenset[str]:
    """The watched actors and events an alert on this result reports (what a follow-up must add to)."""
    return frozenset(m.name for m in result.matches)
