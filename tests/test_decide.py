"""The alert decision, pure: new story or escalation, mutes, corroboration, routes (table tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from monitor.alerts.decide import ChannelPolicy, Route, decide
from monitor.model import Hit, Match, MatchResult, Rule

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Story:
    severity: int
    reported: frozenset[str]
    sources: int = 1
    created_at: datetime = NOW - timedelta(hours=1)


def match(kind: str, name: str) -> Match:
    return Match(kind, name, name, name, 0, len(name), 1.0)


def hit(rule: str, actor: str, event: str, severity: int, tags: tuple[str, ...] = ("default",)) -> Hit:
    return Hit(rule, severity, match("actor", actor), match("event", event), tags, f"{actor} {event}")


def result(*hits: Hit) -> MatchResult:
    return MatchResult(tuple(m for h in hits for m in (h.actor, h.event)), hits)


STRIKE = hit("militias", "Kataeb Hezbollah", "strike", 2)
MISSILE = hit("iran", "IRGC", "missile", 3, ("urgent",))
CORROBORATED = Rule("militias", min_sources=2, sources_within=24)
POLICY = ChannelPolicy((Route("ops", frozenset({"default"})), Route("pager", frozenset({"urgent"})), Route("file", everything=True)))

CASES = [  # (case, result, story, muted, rules, expected: None or (severity, channels, news))
    ("no hit, no alert", MatchResult((match("actor", "IRGC"),)), None, set(), (), None),
    ("a new story alerts", result(STRIKE), None, set(), (), (2, ("ops", "file"), ())),
    ("routes follow the tags", result(MISSILE), None, set(), (), (3, ("pager", "file"), ())),
    ("a copy of an alerted story is quiet", result(STRIKE), Story(2, frozenset({"Kataeb Hezbollah", "strike"})), set(), (), None),
    ("a copy with something new follows up", result(STRIKE, MISSILE), Story(2, frozenset({"Kataeb Hezbollah", "strike"})), set(), (),
     (3, ("ops", "pager", "file"), ("IRGC", "missile"))),
    ("a copy of higher severity follows up", result(hit("militias", "Kataeb Hezbollah", "strike", 3)), Story(2, frozenset({"Kataeb Hezbollah", "strike"})), set(), (),
     (3, ("ops", "file"), ())),
    ("a muted actor takes no part", result(STRIKE, MISSILE), None, {"IRGC"}, (), (2, ("ops", "file"), ())),
    ("a muted rule takes no part", result(STRIKE), None, {"militias"}, (), None),
    ("a rule wanting two sources waits for the second", result(STRIKE), None, set(), (CORROBORATED,), None),
    ("and alerts with it", result(STRIKE), Story(0, frozenset(), sources=2), set(), (CORROBORATED,), (2, ("ops", "file"), ("Kataeb Hezbollah", "strike"))),
    ("but not once the story is too old", result(STRIKE), Story(0, frozenset(), 2, NOW - timedelta(hours=25)), set(), (CORROBORATED,), None),
    ("other rules are not held back", result(STRIKE, MISSILE), None, set(), (CORROBORATED,), (3, ("pager", "file"), ())),
]


@pytest.mark.parametrize(("result_", "story", "muted", "rules", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decide(result_: MatchResult, story: Story | None, muted: set[str], rules: tuple[Rule, ...], expected: tuple[int, tuple[str, ...], tuple[str, ...]] | None) -> None:
    policy = ChannelPolicy(POLICY.routes, rules)
    decision = decide(result_, story, muted, policy, NOW)
    if expected is None:
        assert decision is None
        return
    assert decision is not None
    assert (decision.result.severity, decision.channels, decision.news) == expected
    assert decision.reported == frozenset(m.name for m in result_.matches)


def test_why_an_article_whose_rules_fired_raises_no_alert() -> None:
    """What the daemon logs of an article whose rules fired without an alert (it said only "no alert", at debug)."""
    from monitor.alerts.decide import why_silent

    result = MatchResult((match("actor", "KH"), match("event", "rockets")), (hit("r", "KH", "rockets", 2),))
    waiting = ChannelPolicy(rules=(Rule("r", min_sources=2, sources_within=6),))
    assert why_silent(result, None, {"KH"}, ChannelPolicy(), NOW) == "muted (KH)"
    assert why_silent(result, None, {"r"}, ChannelPolicy(), NOW) == "muted (r)"
    assert why_silent(result, None, set(), waiting, NOW) == "its rules wait for 2 sources to carry the story (it has 1)"
    late = Story(2, frozenset({"KH", "rockets"}), sources=2, created_at=NOW - timedelta(hours=7))
    assert why_silent(result, late, set(), waiting, NOW).endswith("that time had passed")
    assert why_silent(result, Story(2, frozenset({"KH", "rockets"})), set(), ChannelPolicy(), NOW, "abc") == (
        "a copy of a story already alerted (alert abc: nothing new, no higher severity)")
