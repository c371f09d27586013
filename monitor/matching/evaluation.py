"""Measure a watchlist against labelled cases: precision, recall and F1 for actors and events,
alert accuracy, and the worst misses. Pure: cases in, a report out."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text


@dataclass(frozen=True)
class Case:
    """One labelled text: the actors and events an analyst expects, and whether it should alert."""

    id: str
    text: str
    actors: frozenset[str]
    events: frozenset[str]
    alert: bool
    tags: tuple[str, ...] = ()


@dataclass
class Scores:
    """Counts of a set comparison, micro-averaged over cases."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, expected: frozenset[str], got: frozenset[str]) -> None:
        self.tp += len(expected & got)
        self.fp += len(got - expected)
        self.fn += len(expected - got)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Miss:
    """A case the watchlist gets wrong, with what is missing and what is extra."""

    id: str
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    alert_expected: bool
    alert_got: bool

    @property
    def weight(self) -> int:
        return len(self.missing) + len(self.extra) + 2 * (self.alert_expected != self.alert_got)


@dataclass
class Report:
    """The figures `monitor eval` prints."""

    cases: int = 0
    actors: Scores = field(default_factory=Scores)
    events: Scores = field(default_factory=Scores)
    alerts_right: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def alert_accuracy(self) -> float:
        return self.alerts_right / self.cases if self.cases else 1.0


def parse_cases(lines: Iterable[str], source: str) -> list[Case]:
    """Cases from JSON lines; a bad line raises ValueError naming the source and line."""
    cases = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            cases.append(Case(
                str(obj["id"]), str(obj["text"]), frozenset(obj.get("actors", [])), frozenset(obj.get("events", [])),
                bool(obj["alert"]), tuple(obj.get("tags", [])),
            ))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{source}:{number}: not a case ({exc.__class__.__name__}: {exc})") from None
    return cases


def evaluate(matcher: Matcher, cases: list[Case]) -> Report:
    """Run the matcher over every case and compare with its labels."""
    report = Report()
    for case in cases:
        result = match_text(matcher, case.text)
        actors = frozenset(m.name for m in result.matches if m.kind == "actor")
        events = frozenset(m.name for m in result.matches if m.kind == "event")
        report.cases += 1
        report.actors.add(case.actors, actors)
        report.events.add(case.events, events)
        report.alerts_right += case.alert == result.alert
        miss = Miss(
            case.id, tuple(sorted((case.actors - actors) | (case.events - events))),
            tuple(sorted((actors - case.actors) | (events - case.events))), case.alert, result.alert,
        )
        if miss.weight:
            report.misses.append(miss)
    report.misses.sort(key=lambda m: (-m.weight, m.id))
    return report
