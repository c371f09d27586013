"""Run the watchlist's own examples: each must_match sentence must match, each must_not_match must not."""

from __future__ import annotations

from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.model import Example


def failed_examples(matcher: Matcher, examples: tuple[Example, ...]) -> list[str]:
    """One line per example that does not hold, naming where it is, what it tests and the sentence."""
    failures = []
    for example in examples:
        result = match_text(matcher, example.text)
        if example.kind == "rule":
            found = any(h.rule == example.name for h in result.hits)
        else:
            found = any(m.kind == example.kind and m.name == example.name for m in result.matches)
        if found != example.expect:
            verb = "must match" if example.expect else "must not match"
            failures.append(f"{example.where}: {example.kind} {example.name!r} {verb}: {example.text!r}")
    return failures
