"""What the matching pass tests share (tests/test_matching_pass6.py onwards): the default and the plain
watchlist, a compiled matcher of each (one per test session), and the actor and event names a text gets."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from monitor.matching.matcher import Matcher
from monitor.matching.rules import match_text
from monitor.watchlist import load_watchlist

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO / "config" / "watchlist.yaml"
PLAIN = REPO / "bench" / "plain_watchlist.yaml"


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    return Matcher(load_watchlist(DEFAULT))


@pytest.fixture(scope="session")
def plain() -> Matcher:
    return Matcher(load_watchlist(PLAIN))


@pytest.fixture(scope="session")
def rules() -> Matcher:
    """The default list without the learned layer: for a test that pins what the rules read in a sentence
    the layer then changes (tests/test_learned.py pins the layer's own decisions)."""
    return Matcher(dataclasses.replace(load_watchlist(DEFAULT), learned=False))


def actors(matcher: Matcher, text: str) -> set[str]:
    return {m.name for m in match_text(matcher, text).matches if m.kind == "actor"}


def events(matcher: Matcher, text: str) -> set[str]:
    return {m.name for m in match_text(matcher, text).matches if m.kind == "event"}
