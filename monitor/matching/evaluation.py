"""Measure a watchlist against labelled cases: precision, recall and F1 for actors and events,
alert accuracy, the alert-worthy texts missed, the labels that must not be reported but were, and
for every error the alias, phrase, pattern, `context` or `not_when` that caused it. Pure: cases in,
a report out.

Why a label was missed is found by matching the case's text again with the entity alone in a
watchlist (the others cannot overlap it), then without its `not_when`, then without its `context`:
the first that finds it names the cause. Only the public Matcher and Watchlist are used.
(Over 300 lines: the figures and the explanation of each error read the same cases and matches.)
"""

from __future__ import annotations

import dataclasses
import difflib
from functools import lru_cache
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from monitor.matching.matcher import CONTEXT_WINDOW, NOT_WHEN_WINDOW, Matcher
from monitor.matching.normalise import sentence_keys, tokenize
from monitor.matching.report import THESAURUS, explain, learned_text
from monitor.matching.rules import match_text
from monitor.matching.senses.events import yielding
from monitor.matching.senses.names import names_of_things
from monitor.matching.senses.pastimes import fiction, sports
from monitor.matching.senses.places import metonyms
from monitor.model import Actor, Event, Match, MatchResult, Watchlist


@dataclass(frozen=True)
class Case:
    """One labelled text: the actors and events an analyst expects, and whether it should alert."""

    id: str
    text: str
    actors: frozenset[str]
    events: frozenset[str]
    alert: bool
    tags: tuple[str, ...] = ()
    forbidden: frozenset[str] = frozenset()  # the case's `not`: names that must not be reported


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
    forbidden: tuple[str, ...] = ()  # reported though the case says they must not be (also in `extra`)

    @property
    def weight(self) -> int:
        return len(self.missing) + len(self.extra) + len(self.forbidden) + 2 * (self.alert_expected != self.alert_got)


@dataclass(frozen=True)
class Error:
    """One wrong label or alert decision of a case, and what caused it, for a watchlist author.

    `kind`: "false positive", "must not be reported" (a false positive the case forbids), "miss",
    "alert missed" or "alert not expected". `match` is the Match behind a false positive."""

    case: str
    kind: str
    label: str
    why: str
    match: Match | None = None


@dataclass
class Report:
    """The figures `monitor eval` prints."""

    cases: int = 0
    actors: Scores = field(default_factory=Scores)
    events: Scores = field(default_factory=Scores)
    alerts_right: int = 0
    misses: list[Miss] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)  # worst case first, then in the case's order
    alert_worthy: int = 0  # cases labelled to alert
    alert_worthy_missed: int = 0  # ... that did not
    forbidden_reported: int = 0  # labels that must not be reported, reported

    @property
    def alert_accuracy(self) -> float:
        return self.alerts_right / self.cases if self.cases else 1.0


CASE_KEYS = ("id", "text", "actors", "events", "alert", "tags", "not")  # a case's keys; id, text and alert required
CASE_LISTS = ("actors", "events", "tags", "not")


def parse_cases(lines: Iterable[str], source: str) -> list[Case]:
    """Cases from JSON lines; a bad line (not JSON, a key missing, unknown or of the wrong type, an id
    given twice) raises ValueError naming the source and line."""
    cases: list[Case] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{source}:{number}: not a case ({exc})") from None
        except RecursionError:
            raise ValueError(f"{source}:{number}: not a case (JSON nested too deeply to read)") from None
        except ValueError:  # an integer of more digits than int() reads
            raise ValueError(f"{source}:{number}: not a case (a number of over {sys.get_int_max_str_digits():,} digits)") from None
        try:
            case = _case(obj)
        except ValueError as exc:
            raise ValueError(f"{source}:{number}: not a case ({exc})") from None
        if both := sorted(case.forbidden & (case.actors | case.events)):
            raise ValueError(f"{source}:{number}: {', '.join(both)} both expected and in `not`; keep one")
        if case.id in first_line:
            raise ValueError(f"{source}:{number}: id {case.id!r} already given at line {first_line[case.id]}; give each case its own")
        first_line[case.id] = number
        cases.append(case)
    return cases


def _case(obj: Any) -> Case:
    """One case from its JSON object; ValueError saying which key is missing, unknown or of the wrong type
    (a string "false" as `alert`, or "Iran" as `actors`, read as true and as four letters)."""
    if not isinstance(obj, dict):
        raise ValueError(f"a case is a JSON object with the keys {', '.join(CASE_KEYS)}")
    if unknown := sorted(set(obj) - set(CASE_KEYS)):
        close = difflib.get_close_matches(unknown[0], CASE_KEYS, n=1)
        raise ValueError(f"unknown key {unknown[0]!r}{f', did you mean {close[0]!r}?' if close else ''} (a case has {', '.join(CASE_KEYS)})")
    if missing := [key for key in ("id", "text", "alert") if key not in obj]:
        raise ValueError(f"{missing[0]!r} missing")
    if not isinstance(obj["id"], str | int) or isinstance(obj["id"], bool) or not isinstance(obj["text"], str):
        raise ValueError("'id' must be a string or a number and 'text' a string")
    if not isinstance(obj["alert"], bool):
        raise ValueError(f"'alert' must be true or false, not {json.dumps(obj['alert'])}")
    for key in CASE_LISTS:
        if not isinstance(obj.get(key, []), list) or not all(isinstance(item, str) for item in obj.get(key, [])):
            raise ValueError(f"{key!r} must be a list of names (strings), as [\"Iran\"]")
    actors, events, tags, forbidden = (obj.get(key, []) for key in CASE_LISTS)
    return Case(str(obj["id"]), obj["text"], frozenset(actors), frozenset(events), obj["alert"], tuple(tags), frozenset(forbidden))


def evaluate(matcher: Matcher, cases: list[Case]) -> Report:
    """Run the matcher over every case, compare with its labels and explain each error."""
    report = Report()
    why = _Diagnosis(matcher)
    errors: list[tuple[Miss, list[Error]]] = []
    for case in cases:
        result = match_text(matcher, case.text)
        actors = frozenset(m.name for m in result.matches if m.kind == "actor")
        events = frozenset(m.name for m in result.matches if m.kind == "event")
        report.cases += 1
        report.actors.add(case.actors, actors)
        report.events.add(case.events, events)
        report.alerts_right += case.alert == result.alert
        report.alert_worthy += case.alert
        report.alert_worthy_missed += case.alert and not result.alert
        forbidden = tuple(sorted(case.forbidden & (actors | events)))
        report.forbidden_reported += len(forbidden)
        miss = Miss(
            case.id, tuple(sorted((case.actors - actors) | (case.events - events))),
            tuple(sorted((actors - case.actors) | (events - case.events))), case.alert, result.alert, forbidden,
        )
        if miss.weight:
            report.misses.append(miss)
            errors.append((miss, why.errors(case, result, miss)))
    report.misses.sort(key=lambda m: (-m.weight, m.id))
    errors.sort(key=lambda e: (-e[0].weight, e[0].id))
    report.errors = [e for _, case_errors in errors for e in case_errors]
    return report


def why_no_alert(matcher: Matcher, text: str, result: MatchResult) -> str:
    """The rule that came nearest to firing on a text that does not alert, and what it lacked
    (`monitor eval`'s "alert missed", and `monitor match --replay`'s "would not now")."""
    return _diagnosis(matcher).no_alert(text, result)


def why_example_fails(matcher: Matcher, kind: str, name: str, text: str, result: MatchResult, expect: bool) -> str:
    """Why a watchlist example does not hold (`monitor check`): what stopped its actor, event or rule, or
    what matched where nothing should, as `monitor eval` says it."""
    diagnosis = _diagnosis(matcher)
    if kind == "rule":
        hit = next((h for h in result.hits if h.rule == name), None)
        return f"rule {name!r} fired: {explain(hit)}" if hit and not expect else diagnosis.no_alert(text, result, only=name)
    found = next((m for m in result.matches if m.kind == kind and m.name == name), None)
    return describe(found) if found and not expect else diagnosis.missed(name, text, result)


def describe(m: Match) -> str:
    """A match as a watchlist author finds it: alias, text found, span, score, the context word that let it
    count (for an alias with a `context` list), and why the learned layer added it, when it did."""
    learned = f", {learned_text(m.learned)}" if m.learned else ""
    source = f" ({THESAURUS})" if m.thesaurus else ""
    near = f", near {m.context!r}" + (f" (watched actor {m.context_actor!r} as its context)" if m.context_actor else "") if m.context else ""
    return f"{m.kind} {m.name!r}: alias {m.alias!r}{source} found {m.found!r} at {m.start}-{m.end}, score {m.score:g}{near}{learned}"


@lru_cache(maxsize=2)
def _diagnosis(matcher: Matcher) -> _Diagnosis:
    """One diagnosis per matcher: its entities' solo matchers are compiled once for all the texts it explains
    (a replay's articles, a watchlist's examples)."""
    return _Diagnosis(matcher)


HELD_BACK_MAX = 20  # a rule taking at most so many actors (or events) has each one held back in a text explained


class _Diagnosis:
    """Why a case's labels and alert decision are wrong, from the watchlist and match results alone."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.watchlist = matcher.watchlist
        self._solo: dict[tuple[str, str, bool, bool], Matcher] = {}

    def errors(self, case: Case, result: MatchResult, miss: Miss) -> list[Error]:
        out = []
        for name in miss.extra:
            found = [m for m in result.matches if m.name == name]
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            kind = "must not be reported" if name in miss.forbidden else "false positive"
            out.append(Error(case.id, kind, name, describe(found[0]) + more, found[0]))
        out += [Error(case.id, "miss", name, self.missed(name, case.text, result)) for name in miss.missing]
        if miss.alert_expected and not miss.alert_got:
            out.append(Error(case.id, "alert missed", "alert", self.no_alert(case.text, result)))
        elif miss.alert_got and not miss.alert_expected:
            hit = result.hits[0]
            more = f" (and {len(result.hits) - 1} more)" if len(result.hits) > 1 else ""
            nearness = "same sentence" if self._rule(hit.rule).within is None else f"within {self._rule(hit.rule).within} words"
            out.append(Error(case.id, "alert not expected", "alert", f"rule {hit.rule!r} fired ({nearness}): {explain(hit)}{more}: \u201c{hit.snippet}\u201d"))
        return out

    def missed(self, name: str, text: str, result: MatchResult) -> str:
        """The nearest cause of a label not reported."""
        entity = self._entity(name)
        if entity is None:
            return f"{name!r} is no actor or event of the watchlist{self._label_hint(name)}"
        if dropped := [m for m in result.dropped if m.name == name]:
            return describe(dropped[0])  # found by the rules, then dropped by the learned veto (it says so)
        found = self._solo_find(entity, text, keep_not_when=True, keep_context=True)
        if found:
            over = [m for m in result.matches if m.kind == found.kind and m.start < found.end and found.start < m.end]
            by = self._settled(entity, found, text, result) or (f": a longer or better match overlaps it, {describe(over[0])}" if over else "")
            return f"{describe(found)}, but not reported{by}"
        if found := self._solo_find(entity, text, keep_not_when=False, keep_context=True):
            return f"{describe(found)}, but cancelled by not_when {self._cancelled_by(entity, text, found)}"
        if found := self._solo_find(entity, text, keep_not_when=True, keep_context=False):
            return f"{describe(found)}, but {self._no_context(entity, found, text)}"
        if found := self._solo_find(entity, text, keep_not_when=False, keep_context=False):
            return f"{describe(found)}, but {self._no_context(entity, found, text)}, and cancelled by not_when {self._cancelled_by(entity, text, found)}"
        return self._absent(entity, text)

    def _settled(self, entity: Actor | Event, found: Match, text: str, result: MatchResult) -> str:
        """Why a match found alone was taken out after matching (the senses package), or ""."""
        if isinstance(entity, Event) and entity.yields_to:
            key = sentence_keys(text, [found.start])[0]
            specific = [m for m in result.matches if m.name in entity.yields_to and sentence_keys(text, [found.start, m.start])[1] == key]
            if specific:
                return f": it yields to {specific[0].name!r} (found {specific[0].found!r}) in the same sentence (yields_to)"
        if isinstance(entity, Event) and fiction([found], text):
            return ": its sentence tells a game, a film or a novel (senses: fiction)"
        if sports(self.watchlist, [found], text):
            return ": its sentence tells a match (senses: sports)"
        if isinstance(entity, Event) and found in yielding(self.watchlist, [found, *result.matches], text):
            key = sentence_keys(text, [found.start])[0]
            others = [m for m in result.matches if m.kind == "event" and m.name != found.name]
            same = [m for m in others if sentence_keys(text, [found.start, m.start])[1] == key]
            if same:
                return f": it yields to {same[0].name!r} (found {same[0].found!r}) in the same sentence (more specific)"
            earlier = [m for m in others if m.start < found.start]
            if earlier:
                return f": it refers back to {earlier[-1].name!r} (found {earlier[-1].found!r}) earlier in the text (\"the attack\")"
        if isinstance(entity, Actor) and entity.not_before and names_of_things(Watchlist(actors=(entity,)), [found], text):
            return f": a head noun of its not_before follows it{self._named(entity, found, text)}"
        if isinstance(entity, Actor) and entity.stands_for and found in metonyms(self.watchlist, [found, *result.matches], text):
            return f": read as {entity.stands_for!r}, the government (stands_for)"
        return ""

    @staticmethod
    def _named(actor: Actor, found: Match, text: str) -> str:
        """The name a `not_before` head noun makes of the match ("'Erbil SC' is the name of another thing")."""
        heads = {tuple(t.norm for t in tokenize(h)) for h in actor.not_before}
        after = [t for t in tokenize(text) if t.start >= found.end][:4]
        for i in range(len(after)):
            for head in heads:
                if tuple(t.norm for t in after[i : i + len(head)]) == head:
                    return f": {text[found.start : after[i + len(head) - 1].end]!r} is the name of another thing"
        return " (the name of another thing)"

    def no_alert(self, text: str, result: MatchResult, only: str | None = None) -> str:
        """The rule that came nearest to firing (or the rule named `only`), and what it lacked."""
        actors = [m for m in result.matches if m.kind == "actor"]
        events = [m for m in result.matches if m.kind == "event"]
        if not self.matcher.rule_selectors:
            return "the watchlist has no rules"
        best: tuple[int, str] = (-1, "")
        for rule, actor_names, event_names in self.matcher.rule_selectors:
            if only is not None and rule.name != only:
                continue
            taken = [a for a in actors if a.name in actor_names]
            strong = [e for e in events if e.name in event_names and e.severity >= rule.min_severity]
            if taken and strong:
                keys = sentence_keys(text, [m.start for m in taken + strong])
                pairs = [(self._words_between(a, e, text), keys[i] == keys[len(taken) + j], a, e) for i, a in enumerate(taken) for j, e in enumerate(strong)]
                distance, same, a, e = min(pairs, key=lambda p: (not p[1], p[0]))
                why = "not in one sentence" if rule.within is None else f"more than {rule.within} words apart"
                reason = (3, f"rule {rule.name!r}: {a.name} (found {a.found!r}) and {e.name} (found {e.found!r}, severity {e.severity}) are {distance} words apart, {'in one sentence' if same else 'in different sentences'}: {why}")
            elif taken:
                weaker = sorted({f"{e.name} ({e.severity})" for e in events})
                held = self._held_back(event_names, text, result)
                reason = (2, f"rule {rule.name!r}: {', '.join(sorted({a.name for a in taken}))} found, but no event it takes of severity >= {rule.min_severity}"
                          + (f" (events found: {', '.join(weaker)}{held})" if weaker else f" (no event found{held})"))
            elif strong:
                others = sorted({a.name for a in actors})
                held = self._held_back(actor_names, text, result)
                reason = (1, f"rule {rule.name!r}: {', '.join(sorted({e.name for e in strong}))} found, but no actor it takes"
                          + (f" (actors found: {', '.join(others)}{held})" if others else f" (no actor found{held})"))
            else:
                reason = (0, f"no actor and no event that a rule takes was found (rule {rule.name!r} nearest)")
            best = max(best, reason, key=lambda r: r[0])
        dropped = "".join(f"; {e.name} (found {e.found!r}) was {learned_text(e.learned)}" for e in result.dropped if e.learned)
        return best[1] + dropped

    def _held_back(self, scope: frozenset[str], text: str, result: MatchResult) -> str:
        """For a rule's actors (or events), "; why" for each of them written in the text but not reported (a
        context word missing, a not_when, a sense): `missed` says why. "" for a rule that takes more than
        HELD_BACK_MAX of them (each is matched alone: a cost per name)."""
        if len(scope) > HELD_BACK_MAX:
            return ""
        reported = {m.name for m in result.matches}
        out = []
        for name in sorted(scope - reported):
            entity = self._entity(name)
            if entity is not None and self._solo_find(entity, text, keep_not_when=False, keep_context=False):
                out.append(f"; {self.missed(name, text, result)}")
        return "".join(out)

    def _rule(self, name: str) -> Any:
        return next(r for r in self.watchlist.rules if r.name == name)

    def _label_hint(self, name: str) -> str:
        """For a label that names nothing: the name it is an alias or another case of, or the nearest names."""
        key = name.strip().casefold()
        owner = next((a.name for a in self.watchlist.actors for alias in a.aliases if alias.casefold() == key), None)
        if owner is None:
            owner = next((e.name for e in self.watchlist.events if e.name.casefold() == key), None)
        names = [a.name for a in self.watchlist.actors] + [e.name for e in self.watchlist.events]
        near = [owner] if owner else difflib.get_close_matches(name, names, n=2, cutoff=0.6)
        return f" (label it {' or '.join(repr(n) for n in near)}?)" if near else ""

    def _entity(self, name: str) -> Actor | Event | None:
        return next((a for a in self.watchlist.actors if a.name == name), None) or next((e for e in self.watchlist.events if e.name == name), None)

    def _solo_find(self, entity: Actor | Event, text: str, keep_not_when: bool, keep_context: bool) -> Match | None:
        """The entity's first match in the text with it alone in the watchlist, its not_when and context kept or not."""
        key = (type(entity).__name__, entity.name, keep_not_when, keep_context)
        if key not in self._solo:
            changes: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(entity) if f.name == "part_of" and f.default is not dataclasses.MISSING}  # its parent is not there
            if not keep_not_when:
                changes["not_when"] = ()
            if not keep_context and hasattr(entity, "context"):
                changes["context"] = ()
            solo = dataclasses.replace(entity, **changes)
            self._solo[key] = Matcher(Watchlist(actors=(solo,)) if isinstance(solo, Actor) else Watchlist(events=(solo,)))
        return next(iter(self._solo[key].find(text)), None)

    def _cancelled_by(self, entity: Actor | Event, text: str, found: Match) -> str:
        """The not_when phrase nearest the match, as found in the text."""
        probe = Matcher(Watchlist(events=tuple(Event(p, 0, (p,)) for p in entity.not_when)))
        near = sorted(((self._words_between(found, m, text), m) for m in probe.find(text)), key=lambda p: (p[0], p[1].start))
        if not near:
            return f"(one of {list(entity.not_when)})"
        distance, m = near[0]
        return f"{m.name!r} (found {m.found!r} at {m.start}-{m.end}, {distance} words away; the window is {NOT_WHEN_WINDOW})"

    def _no_context(self, entity: Actor | Event, found: Match, text: str) -> str:
        """The context words the match lacked within its window, and the nearest of them written farther off."""
        words: tuple[str, ...] = dict(entity.context).get(found.alias, ())  # actors' aliases and events' phrases alike
        window = dict(entity.within).get(found.alias, CONTEXT_WINDOW)
        listed = ", ".join(words[:8]) + (", ..." if len(words) > 8 else "")
        tokens = tokenize(text)
        at = next((i for i, t in enumerate(tokens) if t.start >= found.start), 0)
        farther = []
        for word in words:
            norms = [t.norm for t in tokenize(word)]
            for i in range(len(tokens) - len(norms) + 1):
                if norms and [t.norm for t in tokens[i : i + len(norms)]] == norms:
                    farther.append((abs(i - at), word))
        far = min(farther, default=None)
        there = f"; {far[1]!r} is {far[0]} words away" if far and far[0] > window else ""
        actors = dict(entity.context_actors).get(found.alias, ())
        nor = f"; nor a watched actor of {', '.join(actors)}" if actors else ""
        return f"ambiguous {found.alias!r} has no context word within {window} words of it ({listed}{there}{nor})"

    def _absent(self, entity: Actor | Event, text: str) -> str:
        """No alias or phrase of the entity matches: say so, with the nearest alias whose words are partly there."""
        kind = "alias" if isinstance(entity, Actor) else "phrase"
        present = {t.norm for t in tokenize(text)}
        forms = entity.aliases if isinstance(entity, Actor) else entity.phrases
        best: tuple[int, str, list[str]] = (0, "", [])
        for form in forms:
            norms = [t.norm for t in tokenize(form)]
            have = [n for n in norms if n in present]
            if len(have) == len(norms) and norms:
                return f"{kind} {form!r} is in the text, but the matcher did not accept it there"
            if len(have) > best[0]:
                best = (len(have), form, [n for n in norms if n not in present])
        if best[0]:
            return f"no {kind} of {entity.name!r} appears (nearest: {best[1]!r}, without {' '.join(best[2])!r})"
        return f"no {kind} of {entity.name!r} appears" + (" and no pattern matches" if entity.patterns else "")

    @staticmethod
    def _words_between(a: Match, b: Match, text: str) -> int:
        first, last = (a, b) if a.start <= b.start else (b, a)
        return sum(1 for t in tokenize(text[first.end : last.start]))


def scores_json(scores: Scores) -> dict[str, Any]:
    return {"precision": round(scores.precision, 4), "recall": round(scores.recall, 4), "f1": round(scores.f1, 4), "tp": scores.tp, "fp": scores.fp, "fn": scores.fn}


def report_json(report: Report) -> dict[str, Any]:
    """The report as one JSON object (`monitor eval --json`)."""
    return {
        "cases": report.cases,
        "actors": scores_json(report.actors),
        "events": scores_json(report.events),
        "alert_accuracy": round(report.alert_accuracy, 4),
        "alerts_right": report.alerts_right,
        "alert_worthy": report.alert_worthy,
        "alert_worthy_missed": report.alert_worthy_missed,
        "forbidden_reported": report.forbidden_reported,
        "errors": [
            {"case": e.case, "kind": e.kind, "label": e.label, "why": e.why}
            | ({"match": {k: getattr(e.match, k) for k in ("name", "alias", "found", "start", "end", "score")}} if e.match else {})
            for e in report.errors
        ],
    }
