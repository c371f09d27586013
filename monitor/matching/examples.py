"""Run the watchlist's own examples: each must_match sentence must match, each must_not_match must not."""

from __future__ import annotations

from monitor.matching.evaluation import why_example_fails
from monitor.matching.matcher import REGEX_TIMEOUT, Matcher
from monitor.matching.rules import match_text
from monitor.model import Example


def failed_examples(matcher: Matcher, examples: tuple[Example, ...]) -> list[str]:
    """One line per example that does not hold, naming where it is, what it tests, the sentence and why.
    Examples test the watchlist's own entries: they run on the rules alone, without the learned layer."""
    failures = []
    for example in examples:
        result = match_text(matcher, example.text, learned=False)
        if example.kind == "rule":
            found = any(h.rule == example.name for h in result.hits)
        else:
            found = any(m.kind == example.kind and m.name == example.name for m in result.matches)
        if found != example.expect:
            verb = "must match" if example.expect else "must not match"
            why = why_example_fails(matcher, example.kind, example.name, example.text, result, example.expect)
            failures.append(f"{example.where}: {example.kind} {example.name!r} {verb}: {example.text!r}: {why}")
    return failures


def slow_patterns(matcher: Matcher, examples: tuple[Example, ...]) -> list[str]:
    """One line per user regex that times out on an example (each tried alone, with the full per-pattern
    timeout, on every example until it first does), naming the pattern, its actor or event and where."""
    found: dict[str, str] = {}
    for example in examples:
        for label in matcher.slow_patterns(example.text, skip=found):
            found[label] = example.where
    return [
        f"{label} timed out on example {where} (over {REGEX_TIMEOUT} s): in articles it gives up or uses the time of other patterns; avoid nested repetition such as (a|aa)+"
        for label, where in found.items()
    ]
