"""The watchlist's `spikes:` section: parse, validate, resolve names and tags; errors name file and line.

    spikes:
      - actor: Kataeb Hezbollah      # an actor's name or tag (every actor with it), or omitted
        event: rocket attack         # an event's name, or omitted; both given = the pair
        window: 24                   # hours counted (1-720)
        min_count: 3                 # fewer stories never fire
        per_week: 1                  # false alerts a week chance may raise over the entry's series (the default)
        significance: 0.001          # or: the test's level per check, Bonferroni over the series (0 < s < 0.5)
        weeks: 4                     # trailing weeks the baseline comes from (1-12)
        tags: [default]              # channels routed to

Called by monitor/watchlist.py's loader once every file is read (the section is taken out of each file
before the rest is validated).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from pydantic_core import ErrorDetails
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from monitor.errors import WatchlistError
from monitor.strict import Strict, said, shown
from monitor.model import Spike, Watchlist

KEY = "spikes"


class Entry(Strict):
    """An entry of the watchlist (a spike here; an actor, event, rule, alias ... in watchlist.py): unknown keys
    refused, and true or false where a number is asked (`monitor.strict`)."""


MAPPINGS = {  # what an entry of each kind holds, for "should be a mapping of ..."
    "_ActorSpec": "an actor's keys (name: ..., kind: ..., aliases: [...])",
    "_EventSpec": "an event's keys (name: ..., severity: ..., phrases: [...])",
    "_RuleSpec": "a rule's keys (name: ..., actors: [...], events: [...])",
    "_ExamplesSpec": "must_match: [...] and must_not_match: [...]",
    "_SpikeSpec": "a spike's keys (actor: ..., event: ..., window: ...)",
}


def problem(err: ErrorDetails) -> str:
    """What a validation error says to the watchlist's writer: the key, the value or the entry that is wrong,
    never a class of the code ('Input should be a valid dictionary or instance of _ActorSpec')."""
    if err["type"] == "extra_forbidden":
        return "unknown key (typo?)"
    if err["type"] == "model_type" and (what := MAPPINGS.get(str(err.get("ctx", {}).get("class_name")))):
        return f"should be a mapping of {what}, not {shown(err['input'])}"
    if err["type"] == "list_type" and isinstance(err["input"], str) and (dashed := re.match(r"-(\S.*?)(?:\s+-|$)", err["input"])):
        return f"should be a list: a '-' starts an item only with a space after it: write '- {dashed[1]}'"
    if err["type"] == "list_type" and isinstance(err["input"], str | int | float) and len(str(err["input"])) <= 60:
        return f"should be a list in brackets: write [{err['input']}]"
    if err["type"] == "list_type":
        return "should be a list in brackets, [a, b], or one item a line, each under it as '- a'"
    return said(err) or err["msg"].removeprefix("Value error, ")


class _SpikeSpec(Entry):
    name: str = Field("", max_length=200)
    actor: str = Field("", max_length=200)
    event: str = Field("", max_length=200)
    window: int = Field(24, ge=1, le=720)
    min_count: int = Field(3, ge=1, le=1_000_000)
    significance: float | None = Field(None, gt=0, lt=0.5)
    per_week: float | None = Field(None, gt=0, le=1000)
    weeks: int = Field(4, ge=1, le=12)
    tags: list[str] = Field(default_factory=lambda: ["default"], min_length=1, max_length=50)

    @model_validator(mode="after")
    def _something(self) -> _SpikeSpec:
        if not self.actor.strip() and not self.event.strip():
            raise ValueError("give an actor, an event, or both")
        if self.significance is not None and self.per_week is not None:
            raise ValueError("give significance or per_week, not both")
        return self


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spikes: list[_SpikeSpec] = Field(default_factory=list, max_length=1000)


def _section(node: yaml.Node | None) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == KEY), None)
    return None


def node_at(node: yaml.Node, loc: tuple[int | str, ...]) -> yaml.Node | None:
    """The YAML node at a pydantic error location, or None where it has none."""
    at: yaml.Node | None = node
    for part in loc:
        if isinstance(at, yaml.MappingNode):
            at = next((v for k, v in at.value if k.value == part), None)
        elif isinstance(at, yaml.SequenceNode) and isinstance(part, int) and part < len(at.value):
            at = at.value[part]
        else:
            return None
    return at


READ_AS = {"tag:yaml.org,2002:bool": None, "tag:yaml.org,2002:null": "nothing", "tag:yaml.org,2002:int": "a number", "tag:yaml.org,2002:float": "a number"}


def read_as(node: yaml.Node | None, err: ErrorDetails) -> str:
    """Where a text was asked and a plain word YAML reads as true, false, null or a number was written (Norway's `NO`
    is false), what to write instead; else ""."""
    # a quoted or block scalar has a style; a plain one has none: None from PyYAML's parser, "" from libyaml's
    if err["type"] != "string_type" or not isinstance(node, yaml.ScalarNode) or node.style or node.tag not in READ_AS:
        return ""
    if node.value in ("", "~"):  # nothing written: no word to quote
        return ""
    shown = READ_AS[node.tag] or str(err["input"]).lower()
    return f"YAML reads {node.value} as {shown}, not a text: write it in quotes, '{node.value}'"


def _line(node: yaml.Node, index: int | None) -> int:
    if index is not None and isinstance(node, yaml.SequenceNode) and index < len(node.value):
        node = node.value[index]
    return int(node.start_mark.line) + 1


def parse(path: Path, node: yaml.Node | None, watchlist: Watchlist) -> list[Spike]:
    """The spikes of one file's YAML tree, names checked against the whole `watchlist`."""
    section = _section(node)
    if section is None:
        return []
    data: Any = yaml.safe_load(yaml.serialize(section))
    try:
        specs = _Section.model_validate({KEY: data}).spikes
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])[1:]
        index = loc[0] if loc and isinstance(loc[0], int) else None
        where = f"{KEY}[{index}]" + "".join(f".{p}" for p in loc[1:]) if index is not None else KEY
        raise _error(path, _line(section, index), f"{where}: {read_as(node_at(section, loc), err) or problem(err)}") from None
    return [_resolve(path, _line(section, i), i, spec, watchlist) for i, spec in enumerate(specs)]


def name_suggestion(watchlist: Watchlist, name: str, names: list[str], verb: str) -> str:
    """For a NAME the watchlist (or a verb) does not know: the actor whose alias it is (`'KH' is an alias of the
    actor 'Kataeb Hezbollah': VERB 'Kataeb Hezbollah'`), or the nearest of `names` (`did you mean ...?`); "" when neither."""
    key = name.strip().casefold()
    owner = next((a.name for a in watchlist.actors for alias in a.aliases if alias.casefold() == key), None)
    if owner and owner.casefold() != key:
        return f"{name!r} is an alias of the actor {owner!r}: {verb} {owner!r}"
    near = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    return f"did you mean {' or '.join(repr(n) for n in near)}?" if near else ""


def _resolve(path: Path, line: int, i: int, spec: _SpikeSpec, watchlist: Watchlist) -> Spike:
    actors: tuple[str, ...] = ()
    if ref := spec.actor.strip():
        actors = tuple(a.name for a in watchlist.actors if a.name == ref or ref in a.tags)
        if not actors:
            hint = name_suggestion(watchlist, ref, sorted({a.name for a in watchlist.actors} | {t for a in watchlist.actors for t in a.tags}), "write")
            raise _error(path, line, f"{KEY}[{i}]: no actor named or tagged {ref!r}" + (f": {hint}" if hint else ""))
    events: tuple[str, ...] = ()
    if ref := spec.event.strip():
        events = tuple(e.name for e in watchlist.events if e.name == ref)
        if not events:
            hint = name_suggestion(Watchlist(), ref, [e.name for e in watchlist.events], "write")
            raise _error(path, line, f"{KEY}[{i}]: no event named {ref!r}" + (f": {hint}" if hint else ""))
    name = spec.name.strip() or " + ".join(filter(None, (spec.actor.strip(), spec.event.strip())))
    return Spike(name, actors, events, spec.window, spec.min_count, spec.significance, spec.weeks, tuple(spec.tags),
                 1.0 if spec.per_week is None else spec.per_week)


def _error(path: Path, line: int, problem: str) -> WatchlistError:
    return WatchlistError(f"{path}:{line}: {problem}", path=str(path), line=line)


def with_spikes(watchlist: Watchlist, parts: Sequence[tuple[Path, yaml.Node | None]]) -> Watchlist:
    """The watchlist with the `spikes:` of every file (path, YAML tree); names must be unique."""
    spikes: list[Spike] = []
    for path, node in parts:
        for i, spike in enumerate(parse(path, node, watchlist)):
            if any(s.name == spike.name for s in spikes):
                section = _section(node)
                line = _line(section, i) if section is not None else 0
                raise _error(path, line, f"{KEY}[{i}]: a spike named {spike.name!r} is given twice (give `name:` to tell them apart)")
            spikes.append(spike)
    return replace(watchlist, spikes=tuple(spikes)) if spikes else watchlist

