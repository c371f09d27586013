"""Load and validate watchlist YAML into a `Watchlist`; every error names the file and the line.

A watchlist file has three lists: `actors`, `events` and `rules` (see docs/watchlist.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from monitor.errors import WatchlistError
from monitor.model import Actor, Event, Rule, Watchlist

ActorKind = Literal["person", "group", "state", "place", "organisation"]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _no_empty(values: list[str]) -> list[str]:
    for i, value in enumerate(values):
        if not value.strip():
            raise ValueError(f"entry {i + 1} is empty")
    return values


def _valid_regexes(values: list[str]) -> list[str]:
    for value in values:
        try:
            regex.compile(value, regex.V1)
        except regex.error as exc:
            raise ValueError(f"bad regex {value!r}: {exc}") from None
    return values


class _ActorSpec(_Item):
    name: str = Field(min_length=1)
    kind: ActorKind
    aliases: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    not_when: list[str] = Field(default_factory=list)

    _aliases = field_validator("aliases", "not_when")(_no_empty)
    _patterns = field_validator("patterns")(_valid_regexes)


class _EventSpec(_Item):
    name: str = Field(min_length=1)
    severity: int = Field(ge=0, le=3)
    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    not_when: list[str] = Field(default_factory=list)

    _phrases = field_validator("phrases", "not_when")(_no_empty)
    _patterns = field_validator("patterns")(_valid_regexes)


class _RuleSpec(_Item):
    name: str = Field(min_length=1)
    actors: list[str] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)
    min_severity: int = Field(1, ge=0, le=3)
    within: int | Literal["sentence"] = "sentence"
    severity: int | None = Field(None, ge=0, le=3)
    tags: list[str] = Field(default_factory=lambda: ["default"])


class _WatchlistSpec(_Item):
    actors: list[_ActorSpec] = Field(default_factory=list)
    events: list[_EventSpec] = Field(default_factory=list)
    rules: list[_RuleSpec] = Field(default_factory=list)


def _line_of(node: yaml.Node, loc: tuple[int | str, ...]) -> int:
    """The 1-based line of the YAML node at a pydantic error location (as deep as it exists)."""
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
            if child is None:
                key = next((k for k, _ in node.value if k.value == part), None)
                return (key or node).start_mark.line + 1
            node = child
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
    return node.start_mark.line + 1


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")


def load_watchlist(path: str | Path) -> Watchlist:
    """Read one watchlist file, or every *.yaml/*.yml file of a folder merged in name order."""
    path = Path(path)
    files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path]
    if not files:
        raise WatchlistError(f"{path}: no watchlist files (*.yaml) in this folder", path=str(path))
    parts = [_load_file(f) for f in files]
    watchlist = Watchlist(
        actors=tuple(a for p in parts for a in p.actors),
        events=tuple(e for p in parts for e in p.events),
        rules=tuple(r for p in parts for r in p.rules),
    )
    _check_references(watchlist, path)
    return watchlist


def _load_file(path: Path) -> Watchlist:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WatchlistError(f"{path}: watchlist file not found", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchlistError(f"{path}: cannot read watchlist: {exc}", path=str(path)) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise WatchlistError(f"{path}:{line}: not valid YAML: {problem}", path=str(path), line=line) from None
    if data is None:
        return Watchlist()
    try:
        spec = _WatchlistSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        line = _line_of(node, loc) if node is not None else None
        problem = "unknown key (typo?)" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
        raise WatchlistError(f"{path}:{line}: {_where(loc)}: {problem}", path=str(path), line=line) from None
    return _to_model(spec, path, node)


def _to_model(spec: _WatchlistSpec, path: Path, node: yaml.Node) -> Watchlist:
    for i, actor in enumerate(spec.actors):
        if not actor.aliases and not actor.patterns:
            line = _line_of(node, ("actors", i))
            raise WatchlistError(f"{path}:{line}: actors[{i}] {actor.name!r}: needs aliases or patterns", path=str(path), line=line)
    for i, event in enumerate(spec.events):
        if not event.phrases and not event.patterns:
            line = _line_of(node, ("events", i))
            raise WatchlistError(f"{path}:{line}: events[{i}] {event.name!r}: needs phrases or patterns", path=str(path), line=line)
    return Watchlist(
        actors=tuple(
            Actor(a.name, a.kind, tuple(dict.fromkeys([a.name, *a.aliases])), tuple(a.tags), tuple(a.patterns), tuple(a.not_when))
            for a in spec.actors
        ),
        events=tuple(
            Event(e.name, e.severity, tuple(dict.fromkeys([e.name, *e.phrases])), tuple(e.patterns), tuple(e.not_when))
            for e in spec.events
        ),
        rules=tuple(
            Rule(
                r.name,
                tuple(r.actors),
                tuple(r.events),
                r.min_severity,
                None if r.within == "sentence" else r.within,
                r.severity,
                tuple(r.tags),
            )
            for r in spec.rules
        ),
    )


def _check_references(watchlist: Watchlist, path: Path) -> None:
    """Rules must name actors, tags, kinds and events that exist."""
    actor_refs = {a.name for a in watchlist.actors} | {t for a in watchlist.actors for t in a.tags} | {a.kind for a in watchlist.actors}
    event_names = {e.name for e in watchlist.events}
    for rule in watchlist.rules:
        for ref in rule.actors:
            if ref not in actor_refs:
                raise WatchlistError(f"{path}: rule {rule.name!r}: no actor, tag or kind named {ref!r}", path=str(path))
        for ref in rule.events:
            if ref not in event_names:
                raise WatchlistError(f"{path}: rule {rule.name!r}: no event named {ref!r}", path=str(path))


def duplicate_aliases(watchlist: Watchlist) -> list[str]:
    """Aliases listed under more than one actor (a warning for `monitor check`)."""
    from monitor.matching.normalise import normalise

    owners: dict[str, set[str]] = {}
    for actor in watchlist.actors:
        for alias in actor.aliases:
            owners.setdefault(normalise(alias) if not alias.isupper() else alias, set()).add(actor.name)
    return [f"alias {k!r} is listed under {', '.join(sorted(v))}" for k, v in owners.items() if len(v) > 1]
