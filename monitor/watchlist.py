"""Load and validate watchlist YAML into a `Watchlist`; every error names the file and the line.

A watchlist file has three lists: `actors`, `events` and `rules` (see docs/watchlist.md).
(Over 300 lines: the schema of every entry and the checks that name a file and line for each live
together; the `spikes:` section is parsed apart, in spikes_config.py.)
"""

from __future__ import annotations

import difflib
import logging
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from monitor import spikes_config
from monitor.errors import WatchlistError
from monitor.limits import NotUtf8, read_config_text
from monitor.matching import gazetteer, thesaurus
from monitor.matching.compiled import REGEX_TIMEOUT
from monitor.matching.normalise import fold
from monitor.model import Actor, Event, Example, Rule, Watchlist
from monitor.strict import shown
from monitor.text_norm import TEXT_CHARS

log = logging.getLogger("monitor")

ActorKind = Literal["person", "group", "state", "place", "organisation"]
MAX_PHRASE = 200  # characters in a name, alias, phrase, context or not_when phrase: a name, not a text
MAX_PATTERN = 1000  # characters in a regex
# Characters a regex's fixed repeats may stand for, nested counts multiplied (`_repeated`): the regex module writes them
# out when it compiles, some 200 bytes each; '(?:a{3000}){3000}' took it past 1.8 GB.
REPEATED_MAX = 100_000
_QUANTIFIER = re.compile(r"\{(\d*)(?:,(\d*))?\}")
# Values YAML aliases (`*name`) may repeat in a file, each written out as often as it is named: shared context lists
# are flattened, so `[*big, *big, ...]` in 100 KB was 20 million context words (1 GB); the default list repeats 44,000.
ALIASED_MAX = 1_000_000


class _Item(spikes_config.Entry):
    pass


class _EntryError(ValueError):
    """A bad entry of a list; `index` lets the error point at the entry's own line."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


def _no_empty(values: list[Any]) -> list[Any]:
    for i, value in enumerate(values):
        if isinstance(value, _AliasSpec):
            texts = [("", value.alias), *((" context", c) for c in value.context)]
        elif isinstance(value, _PhraseSpec):
            texts = [("", value.phrase), *((" context", c) for c in value.context)]
        else:
            texts = [("", value)]
        for what, text in texts:
            if not text.strip():
                raise _EntryError(f"entry {i + 1}{what} is empty", i)
            if len(text) > MAX_PHRASE:
                raise _EntryError(f"entry {i + 1}{what} is {len(text)} characters long: at most {MAX_PHRASE} (a name or phrase, not a text)", i)
            if not _has_word(text):
                raise _EntryError(f"entry {i + 1}{what} {text!r} {NO_WORD}", i)
    return values


NO_WORD = "has no letter or digit: it can never match (matching takes whole words)"


def _has_word(text: str) -> bool:
    """Whether a name or phrase has a word to match: punctuation, invisible characters or a lone accent have none."""
    return any(c.isalnum() for c in text)


def _a_word(value: str) -> str:
    if not _has_word(value):
        raise ValueError(f"{value!r} {NO_WORD}")
    return value


def _flat(value: Any) -> Any:
    """A context list may hold shared lists (YAML anchors: `[*conflict, *parties]`): their words, in order."""
    if isinstance(value, list):
        return [w for v in value for w in (v if isinstance(v, list) else [v])]
    return value


class _AliasSpec(_Item):
    """An ambiguous alias (KH, a bare surname) that counts only with one of its context words near."""

    alias: str
    context: list[str] = Field(min_length=1)
    within: int | None = Field(None, ge=1, le=100)  # words either side; None = CONTEXT_WINDOW (20)
    context_actors: list[str] | None = None  # watched actors (names, kinds, tags) whose match within the window is a context word; None: the actor's

    _flat_context = field_validator("context", mode="before")(_flat)


class _PhraseSpec(_Item):
    """An ambiguous event phrase (strike, killed) that counts only with one of its context words near;
    `context: []` makes a phrase count anywhere although its event has a context."""

    phrase: str
    context: list[str]
    within: int | None = Field(None, ge=1, le=100)
    context_actors: list[str] = Field(default_factory=list)  # watched actors (names, kinds, tags) whose match within the window is a context word

    _flat_context = field_validator("context", mode="before")(_flat)


class _ExamplesSpec(BaseModel):
    """Sentences that must (or must not) match: the watchlist is tested like code by `monitor check`."""

    model_config = ConfigDict(extra="forbid")
    must_match: list[str] = Field(default_factory=list)
    must_not_match: list[str] = Field(default_factory=list)

    @field_validator("must_match", "must_not_match")
    @classmethod
    def _an_article_at_most(cls, values: list[str]) -> list[str]:
        for i, text in enumerate(values):
            if len(text) > TEXT_CHARS:
                raise _EntryError(f"entry {i + 1} is {len(text):,} characters long: at most {TEXT_CHARS:,} "
                                  f"(the daemon matches an article's first {TEXT_CHARS:,} characters)", i)
        return values


def _valid_regexes(values: list[str]) -> list[str]:
    for i, value in enumerate(values):
        if len(value) > MAX_PATTERN:
            raise _EntryError(f"entry {i + 1} is {len(value)} characters long: at most {MAX_PATTERN}", i)
        if (size := _repeated(value)) > REPEATED_MAX:
            raise _EntryError(f"regex {value!r} repeats {size:,} characters (nested counts multiply): over {REPEATED_MAX:,}", i)
        try:
            compiled = regex.compile(value, regex.V1 | regex.IGNORECASE, cache_pattern=False)  # as the matcher compiles it; not kept
            if compiled.fullmatch("", timeout=REGEX_TIMEOUT) is not None:
                raise _EntryError(f"regex {value!r} matches an empty text (as '.*' does, which takes every sentence): make it need at least "
                                  "one character of what it names", i)
        except TimeoutError:  # a pattern slow on nothing at all is no empty match: the matcher's budget bounds it
            pass
        except regex.error as exc:
            raise _EntryError(f"bad regex {value!r}: {exc}", i) from None
        except RecursionError:  # the regex module's compiler recurses per level of nesting
            raise _EntryError(f"entry {i + 1} is nested too deeply (groups or sets hundreds deep): write it flatter", i) from None
    return values


def _repeated(pattern: str) -> int:
    """The characters a pattern's repeats stand for at their minimum counts, nested counts multiplied and the items
    of a group (its alternatives too) added: an upper bound of what the regex module writes out. Read as the regex
    module reads it (V1): escapes, sets (nested ones too) and `{` that is no quantifier are one character each."""
    frames = [[0, 0]]  # per open group: its size so far, the size of its last item (what a quantifier repeats)
    i, n = 0, len(pattern)
    while i < n:
        c, size = pattern[i], 1
        if c == "\\":
            end = pattern.find("}", i) if pattern[i + 1 : i + 3] in {f"{k}{{" for k in "pPNxuUgk"} else -1
            i = end + 1 if end > 0 else i + 2
        elif c == "[":
            i = _set_end(pattern, i)
        elif c == "(" and pattern.startswith("(?#", i):  # a comment
            i, size = (pattern.find(")", i) + 1) or n, 0
        elif c == "(":
            frames.append([0, 0])
            i += 1
            continue
        elif c == ")" and len(frames) > 1:
            size, i = frames.pop()[0], i + 1
        elif (quantifier := _quantifier(pattern, i)) is not None:
            least, i = quantifier
            frame = frames[-1]
            frame[0] += frame[1] * (least - 1)
            frame[1] *= least
            i += pattern[i : i + 1] in ("?", "+")  # lazy, possessive
            continue
        else:
            i += 1
            size = 0 if c == "|" else 1
        frames[-1][0] += size
        frames[-1][1] = size
    while len(frames) > 1:  # unclosed: the compile says so
        size = frames.pop()[0]
        frames[-1][0] += size
    return frames[0][0]


def _quantifier(pattern: str, i: int) -> tuple[int, int] | None:
    """(its least count, where it ends) of the quantifier at `i`, or None: `{` without a count is a character."""
    if pattern[i] in "*?+":
        return int(pattern[i] == "+"), i + 1
    counted = _QUANTIFIER.match(pattern, i)
    if counted is None or not any(counted.groups()):
        return None
    return int(counted.group(1) or 0), counted.end()


def _set_end(pattern: str, i: int) -> int:
    """Where the set opened at `i` ends (V1: sets nest), past its `]`."""
    depth, i = 1, i + 1
    i += pattern[i : i + 1] == "^"
    i += pattern[i : i + 1] == "]"  # a first ']' is a character
    while i < len(pattern) and depth:
        if pattern[i] == "\\":
            i += 1
        elif pattern[i] == "[":
            depth += 1
        elif pattern[i] == "]":
            depth -= 1
        i += 1
    return i


class _WatchedSpec(_Item):
    """What actors and events share: a name, optional regexes and cancelling phrases."""

    name: str = Field(min_length=1, max_length=MAX_PHRASE)
    patterns: list[str] = Field(default_factory=list)
    not_when: list[str] = Field(default_factory=list)
    examples: _ExamplesSpec = Field(default_factory=_ExamplesSpec)  # a default instance would be deep-copied per entry

    _not_when = field_validator("not_when")(_no_empty)
    _patterns = field_validator("patterns")(_valid_regexes)
    _name = field_validator("name")(_a_word)


class _ActorSpec(_WatchedSpec):
    kind: ActorKind
    part_of: str | None = Field(None, min_length=1, max_length=MAX_PHRASE)
    aliases: list[str | _AliasSpec] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    bare_surname: Literal["after_name", "always"] = "after_name"  # a person's bare surname: once named (docs/watchlist.md)
    not_before: list[str] = Field(default_factory=list)  # head nouns after an alias that name another thing (Erbil SC)
    stands_for: str | None = Field(None, min_length=1, max_length=MAX_PHRASE)  # the state a capital names as a government
    capitals: list[str] = Field(default_factory=list)  # aliases naming the capital: "in Tehran" is the city, not the state
    context_actors: list[str] = Field(default_factory=list)  # for every alias with a context list and none of its own: actors whose match near is a context word
    exonyms: bool = True  # a state: also its CLDR names in French, Spanish, Italian, German (monitor.matching.gazetteer)

    _aliases = field_validator("aliases", "not_before", "capitals")(_no_empty)


class _EventSpec(_WatchedSpec):
    severity: int = Field(ge=0, le=3)
    cameo: str | None = Field(None, pattern=r"^[0-9]{2,4}$")
    phrases: list[str | _PhraseSpec] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)  # for every phrase without a context of its own
    within: int | None = Field(None, ge=1, le=100)
    context_actors: list[str] = Field(default_factory=list)  # for every phrase without a context of its own: actors whose match near is a context word
    yields_to: list[str] = Field(default_factory=list)  # more specific events: found in the same sentence, this one is not reported
    synonyms: bool = True  # also match the built-in thesaurus's synsets it lists a member of (monitor.matching.thesaurus)

    _phrases = field_validator("phrases")(_no_empty)
    _context = field_validator("context", "yields_to")(_no_empty)
    _flat_context = field_validator("context", mode="before")(_flat)

    @field_validator("cameo", mode="before")
    @classmethod
    def _cameo_text(cls, value: Any) -> Any:
        if isinstance(value, int):
            raise ValueError('write the CAMEO code as a string in quotes ("19", "0256"): a number loses its leading zero')
        if isinstance(value, str) and not regex.fullmatch(r"[0-9]{2,4}", value):
            raise ValueError(f'should be a CAMEO code of 2 to 4 digits, in quotes ("19", "195", "0256"), not {value[:40]!r}')
        return value


class _RuleSpec(_Item):
    name: str = Field(min_length=1)
    actors: list[str] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)
    min_severity: int = Field(1, ge=0, le=3)
    within: int | Literal["sentence"] = "sentence"
    severity: int | None = Field(None, ge=0, le=3)
    tags: list[str] = Field(default_factory=lambda: ["default"])
    min_sources: int = Field(1, ge=1)
    sources_within: float | None = Field(None, gt=0)
    examples: _ExamplesSpec = Field(default_factory=_ExamplesSpec)  # a default instance would be deep-copied per entry

    @field_validator("within")
    @classmethod
    def _words_apart(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 0:
            raise ValueError('should be a number of words, 0 or more (0: side by side), or "sentence"')
        return value


class _WatchlistSpec(_Item):
    actors: list[_ActorSpec] = Field(default_factory=list)
    events: list[_EventSpec] = Field(default_factory=list)
    rules: list[_RuleSpec] = Field(default_factory=list)
    learned: bool = True


@dataclass(frozen=True)
class _Part:
    """One loaded file: its watchlist and its YAML tree (for the lines of later errors)."""

    path: Path
    watchlist: Watchlist
    node: yaml.Node | None

    def line(self, *loc: int | str) -> int | None:
        """The line of a key of this file (None when it has no YAML tree: an empty file)."""
        return _line_of(self.node, loc) if self.node is not None else None


class _UniqueKeys(yaml.SafeLoader):
    """YAML's safe loader, but a key given twice in one mapping is refused: YAML keeps the last one
    silently, so a `not_when` list written twice for an actor lost the first (the default list did)."""


class _FastUniqueKeys(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml's parser (PyYAML's wheels ship it), a sixth of the pure-Python parse's time on a
    big watchlist. It gives no text with its marks, so a file it refuses is read again by `_UniqueKeys`,
    whose message says what the mistake is; libyaml also refuses nesting over 1,000 levels itself."""


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    first: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor`: its keys may be given again, and win
            continue
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, str | int | float | bool):  # a list as a key: the constructor refuses it
            if key in first:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} given twice (first on line {first[key]}): YAML would keep only this one", key_node.start_mark)
            first[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=True)


for _loader in (_UniqueKeys, _FastUniqueKeys):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def _line_of(node: yaml.Node, loc: tuple[int | str, ...]) -> int:
    """The 1-based line of the YAML node at a pydantic error location (as deep as it exists).

    A location ending at a mapping key gives the key's line (its value may start on the next line).
    """
    for i, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == part), None)
            if pair is None:
                break
            if i == len(loc) - 1:
                return int(pair[0].start_mark.line) + 1
            node = pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
    return node.start_mark.line + 1


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[") or "(top level)"


def watchlist_stamp(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the watchlist file(s): changes when an analyst saves."""
    files = sorted(path.glob("*.y*ml")) if path.is_dir() else [path]
    stamp = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        stamp.append((str(f), st.st_size, st.st_mtime_ns))
    return tuple(stamp)


class Settled:
    """When to read the watchlist again: its files changed since it was read and have stayed the same since the last
    look (`due`), so that a save under way (an editor truncating, then writing) is not read half-written or empty."""

    Stamp = tuple[tuple[str, int, int], ...]

    def __init__(self, path: Path) -> None:
        self.read: Settled.Stamp | None = watchlist_stamp(path)  # the files as last read (None: read at the next settled look)
        self.seen: Settled.Stamp | None = self.read  # the files at the last look

    def due(self, path: Path) -> bool:
        stamp = watchlist_stamp(path)
        settled, self.seen = stamp == self.seen, stamp
        if not settled or stamp == self.read:
            return False
        self.read = stamp
        return True

    def forget(self) -> None:
        """Read the files again at the next settled look (a reloaded config may name another watchlist)."""
        self.read = None

    def changing(self) -> bool:
        """The files at the last look differ from those read: the next look that finds them the same is due."""
        return self.seen != self.read


class Current:
    """The watchlist as last saved, read again when its files change (`monitor web`); a broken edit keeps the last good one.
    When it is asked for, its files are looked at, as the daemon does (`Settled`), and when they changed, looked at again
    `pause` seconds later: read when the same at both looks (a save under way is not read half-written)."""

    def __init__(self, path: Path, pause: float = 0.25) -> None:
        self.path, self.pause, self.files = path, pause, Settled(path)
        self.watchlist = load_watchlist(path)
        self._lock = threading.Lock()  # requests are answered on several threads

    def __call__(self) -> Watchlist:
        with self._lock:
            due = self.files.due(self.path)
            if not due and self.files.changing():  # changed since the last look: looked at again once a save has had time to end
                time.sleep(self.pause)
                due = self.files.due(self.path)
            if due:
                try:
                    self.watchlist = load_watchlist(self.path)
                except WatchlistError as exc:  # said once per edit, as the daemon says it
                    log.warning("watchlist not reloaded, the previous one stays in use: %s", exc)
            return self.watchlist


def load_watchlist(path: str | Path) -> Watchlist:
    """Read one watchlist file, or every *.yaml/*.yml file of a folder merged in name order."""
    path = Path(path)
    files = sorted(f for f in [*path.glob("*.yaml"), *path.glob("*.yml")] if not f.name.startswith((".", "#"))) if path.is_dir() else [path]
    if not files:
        raise WatchlistError(f"{path}: no watchlist files (*.yaml) in this folder", path=str(path))
    parts = [_load_file(f) for f in files]
    watchlist = Watchlist(
        actors=tuple(a for p in parts for a in p.watchlist.actors),
        events=tuple(e for p in parts for e in p.watchlist.events),
        rules=tuple(r for p in parts for r in p.watchlist.rules),
        examples=tuple(x for p in parts for x in p.watchlist.examples),
        learned=all(p.watchlist.learned for p in parts),  # one file's `learned: false` turns the layer off
    )
    _check_unique_names(parts)
    _check_actor_names_apart(parts)
    _check_references(watchlist, parts)
    _check_context_actors(watchlist, parts)
    _check_hierarchy(watchlist, parts)
    _check_yields(watchlist, parts)
    _check_stands_for(watchlist, parts)
    _check_capitals(parts)
    _check_repeats(parts)
    return spikes_config.with_spikes(watchlist, [(p.path, p.node) for p in parts])


_FORMS = {"str": "a text", "int": "a whole number", "literal['sentence']": '"sentence"',
          "_AliasSpec": "a mapping of alias and context", "_PhraseSpec": "a mapping of phrase and context"}


def _first_problem(exc: ValidationError) -> tuple[ErrorDetails, tuple[int | str, ...], str]:
    """The first error, where it is and what it says. Pydantic reports a value that no form of a union
    takes once per form, under the form's name (`within.int`, `aliases[0].str`): a value that took one
    form's shape and failed inside it (a mapping alias without its context) is reported there, else the
    forms are named together at the key (`within: should be a whole number or "sentence"`)."""
    errors = _typo_first(exc.errors())
    err = errors[0]
    loc = tuple(err["loc"])
    if not loc or str(loc[-1]) not in _FORMS:
        return err, loc, _problem(err, errors)
    at = loc[:-1]
    forms = [e for e in errors if tuple(e["loc"])[: len(at)] == at and len(e["loc"]) > len(at) and str(e["loc"][len(at)]) in _FORMS]
    inner = next((e for e in forms if len(e["loc"]) > len(loc)), None)
    if inner is not None:
        return inner, at + tuple(inner["loc"])[len(loc):], _problem(inner, errors)
    return err, at, "should be " + " or ".join(dict.fromkeys(_FORMS[str(e["loc"][len(at)])] for e in forms)) + f", not {shown(err['input'])}"


def _typo_first(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """A key written wrong (`knid`) leaves the key it meant missing (`kind`): the wrong one is reported first."""
    for i, missing in enumerate(errors):
        if missing["type"] == "missing":
            j = next((j for j, e in enumerate(errors) if e["type"] == "extra_forbidden" and e["loc"][:-1] == missing["loc"][:-1]), None)
            if j is not None:
                errors = list(errors)
                errors[i], errors[j] = errors[j], errors[i]
                return errors
    return errors


def _problem(err: ErrorDetails, errors: list[ErrorDetails]) -> str:
    """What an error says; an unknown key beside a missing one names the missing one (`typo? 'kind' is missing`)."""
    missing = next((e["loc"][-1] for e in errors if e["type"] == "missing" and e["loc"][:-1] == err["loc"][:-1]), None)
    if err["type"] == "extra_forbidden" and missing is not None:
        return f"unknown key (typo? {missing!r} is missing)"
    return spikes_config.problem(err)


def _check_aliased(path: Path, node: yaml.Node) -> None:
    """Refuse a file whose YAML aliases repeat more than ALIASED_MAX values (a "billion laughs"), naming the line of
    the list or mapping that holds most of them; and an alias inside the value it names (no value has an end)."""
    sizes: dict[int, int] = {}  # a node's values, each alias's written out (by the node's id: it is shared)
    opened: set[int] = set()

    def children(n: yaml.Node) -> list[yaml.Node]:
        if isinstance(n, yaml.SequenceNode):
            return list(n.value)
        return [x for pair in n.value for x in pair] if isinstance(n, yaml.MappingNode) else []

    def size(n: yaml.Node) -> int:
        if id(n) not in sizes:
            if id(n) in opened:
                raise WatchlistError(f"{path}:{n.start_mark.line + 1}: not valid YAML: an alias (*name) inside the value it names",
                                     path=str(path), line=n.start_mark.line + 1)
            opened.add(id(n))
            sizes[id(n)] = 1 + sum(size(c) for c in children(n))
        return sizes[id(n)]

    repeated = size(node) - len(sizes)
    if repeated > ALIASED_MAX:
        while (largest := max(children(node), key=size, default=None)) is not None and size(largest) > ALIASED_MAX:
            node = largest
        line = node.start_mark.line + 1
        raise WatchlistError(f"{path}:{line}: YAML aliases (*name) repeat {repeated:,} values, over {ALIASED_MAX:,}: "
                             "share smaller lists, or write the entries out", path=str(path), line=line)


_INDENT = "indented unlike the lines above it: line it up with the entries of its list or mapping"


def _yaml_mistake(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """The line written wrong and what to write there. PyYAML names its parser's state ('mapping values are
    not allowed here', "found character '\\t' that cannot start any token") at the line where it gave up: for a
    key without its colon, or a quote never closed, that is the next line or the file's end."""
    mark, context_mark = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark else None
    opened = context_mark.line + 1 if context_mark else line
    problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
    context = getattr(exc, "context", None) or ""
    if problem.startswith("found character '\\t'"):
        return line, "a tab: YAML indents with spaces only: replace the tab with spaces"
    if (found := re.fullmatch(r"found character '(.)' that cannot start any token", problem)) is not None:
        return line, f"an unquoted text cannot start with {found[1]!r}: put it in quotes ('{found[1]}...')"
    if problem == "could not find expected ':'" and "simple key" in context:
        return opened, "no 'key: value' on this line: write a colon and a space after the key, or line it up with the entries it belongs to"
    if problem == "mapping values are not allowed here":
        return line, "a ': ' in a text not in quotes (put the text in quotes), or a key indented deeper than the one above it (line them up)"
    if problem == "expected <block end>, but found '<scalar>'" and mark and (quote := _quote_before(mark)):
        return line, ("text after a closing quote: inside '...' write an apostrophe twice ('Soleimani''s'), or put the text in \"...\"" if quote == "'"
                      else 'text after a closing quote: inside "..." write a quote as \\", or put the text in \'...\'')
    if problem.startswith("expected <block end>, but found"):
        return line, _INDENT
    if "quoted scalar" in context and "end of stream" in problem:
        return opened, "a quote opened on this line is never closed: close it"
    if "flow sequence" in context or "flow mapping" in context:
        return opened, "a [ or { opened on this line is not closed where expected: close it, and put in quotes an item holding ':', ',', '[' or '{'"
    if (alias := re.fullmatch(r"found undefined alias '(.*)'", problem)) is not None:
        return line, f"*{alias[1]} names no anchor (&{alias[1]}) above it: a text that starts with * goes in quotes ('*...')"
    if problem.startswith("found unknown escape character"):
        return line, 'a backslash in "..." starts an escape: write \\\\ for a backslash, or put the text in \'...\''
    if problem == "but found another document":
        return line, "a second document (---): a watchlist file holds one; a folder of *.yaml files holds several"
    if context and context_mark and opened != line:
        problem += f" ({context} from line {opened})"
    return line, problem


def _quote_before(mark: Any) -> str:
    """The quote that ends what comes before a mark on its line ('' if none): `- 'Soleimani's men'` closes its text early."""
    buffer = getattr(mark, "buffer", None) or ""
    start = buffer.rfind("\n", 0, mark.pointer) + 1
    before = buffer[start:mark.pointer].rstrip()
    return before[-1] if before[-1:] in ("'", '"') else ""


def _parse(kind: type[Any], path: Path, text: str) -> tuple[yaml.Node | None, Any]:
    """The file's YAML tree (for error lines) and the data built from it, parsed once."""
    loader = kind(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_aliased(path, node)
        return node, None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def _load_file(path: Path) -> _Part:
    try:
        text = read_config_text(path)
    except FileNotFoundError:
        where = "" if path.is_absolute() else f" in {Path.cwd()}, the folder monitor runs in (a relative path is read from there): give the path from there, or an absolute one"
        raise WatchlistError(f"{path}: watchlist file not found{where}", path=str(path)) from None
    except NotUtf8 as exc:
        raise WatchlistError(exc.where(path), path=str(path), line=exc.line) from None
    except (OSError, ValueError) as exc:  # (UnicodeDecodeError is a ValueError)
        raise WatchlistError(f"{path}: cannot read watchlist: {exc}", path=str(path)) from None
    try:
        try:
            node, data = _parse(_FastUniqueKeys, path, text)
        except yaml.YAMLError:  # read again for a message that shows the mistake (libyaml's marks have no text)
            node, data = _parse(_UniqueKeys, path, text)
    except yaml.YAMLError as exc:
        if path.suffix.lower() == ".toml":  # a first run's mix-up of the two files
            raise WatchlistError(f"{path}: not valid YAML: a TOML file (the config?) given as the watchlist: give the watchlist's YAML file "
                                 "or folder (config/watchlist.yaml)", path=str(path)) from None
        line, problem = _yaml_mistake(exc)
        raise WatchlistError(f"{path}:{line}: not valid YAML: {problem}", path=str(path), line=line) from None
    except RecursionError:  # the loader recurses per level of nesting
        raise WatchlistError(f"{path}: not valid YAML: nested too deeply (lists or mappings thousands of levels deep)", path=str(path)) from None
    if data is None:
        return _Part(path, Watchlist(), None)
    if isinstance(data, dict):  # `x-...` keys hold YAML anchors (shared context lists), nothing else
        data = {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("x-")) and k != "spikes"}  # spikes: spikes_config
    if not isinstance(data, dict):
        raise WatchlistError(f"{path}:1: (top level): a watchlist is a mapping of actors, events and rules lists (docs/watchlist.md), not a {type(data).__name__}",
                             path=str(path), line=1)
    _check_file_repeats(path, data, node)  # before the patterns are compiled one by one
    try:
        spec = _WatchlistSpec.model_validate(data)
    except ValidationError as exc:
        err, loc, problem = _first_problem(exc)
        cause = (err.get("ctx") or {}).get("error")
        entry = (cause.index,) if isinstance(cause, _EntryError) else ()
        line = _line_of(node, loc + entry) if node is not None else None
        if node is not None and (read := spikes_config.read_as(spikes_config.node_at(node, loc + entry), err)):
            problem = read
        raise WatchlistError(f"{path}:{line}: {_where(loc)}: {problem}", path=str(path), line=line) from None
    assert node is not None  # data was not None, so YAML composed a node
    return _Part(path, _to_model(spec, path, node), node)


def _to_model(spec: _WatchlistSpec, path: Path, node: yaml.Node) -> Watchlist:
    taken = {fold(n) for a in spec.actors for n in (a.name, *(_alias_text(x) for x in a.aliases))}
    return Watchlist(
        actors=tuple(
            Actor(
                a.name, a.kind, tuple(dict.fromkeys([a.name, *(_alias_text(x) for x in a.aliases), *_exonyms(a, taken)])), tuple(a.tags),
                tuple(a.patterns), tuple(a.not_when),
                tuple((x.alias, tuple(x.context)) for x in a.aliases if isinstance(x, _AliasSpec)),
                a.part_of or "",
                tuple((x.alias, x.within) for x in a.aliases if isinstance(x, _AliasSpec) and x.within),
                bare_surname=a.bare_surname,
                not_before=tuple(a.not_before),
                stands_for=a.stands_for or "",
                capitals=tuple(a.capitals),
                context_actors=_alias_context_actors(a),
            )
            for a in spec.actors
        ),
        events=thesaurus.expand(
            tuple(_event(e) for e in spec.events),
            off=[e.name for e in spec.events if not e.synonyms],
            own={e.name: frozenset(x.phrase for x in e.phrases if isinstance(x, _PhraseSpec)) for e in spec.events},
            groups=_names(spec, "group"),
            persons=_names(spec, "person"),
            states=_names(spec, "state"),
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
                r.min_sources,
                r.sources_within,
            )
            for r in spec.rules
        ),
        examples=tuple(_examples(spec, path, node)),
        learned=spec.learned,
    )


def _exonyms(actor: _ActorSpec, taken: set[str]) -> list[str]:
    """A state's names in the other press languages that no actor of the watchlist has already."""
    if actor.kind != "state" or not actor.exonyms:
        return []
    return [n for n in gazetteer.exonyms([actor.name, *(_alias_text(x) for x in actor.aliases)]) if fold(n) not in taken]


def _names(spec: _WatchlistSpec, kind: str) -> list[str]:
    """The watched groups' (persons', states') names and aliases of 3+ letters: an armed group named near `attack`
    makes it one of the domain, a watched person named near `killed` his killing, a state near `threatened` a threat."""
    names = [n for a in spec.actors if a.kind == kind for n in (a.name, *(_alias_text(x) for x in a.aliases))]
    return [n for n in dict.fromkeys(names) if sum(c.isalpha() for c in n) >= 3]


def _alias_text(alias: str | _AliasSpec) -> str:
    return alias.alias if isinstance(alias, _AliasSpec) else alias


def _alias_context_actors(a: _ActorSpec) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per alias with a context list, the actors whose match near it is a context word: its own list, else the actor's."""
    chosen = ((x.alias, a.context_actors if x.context_actors is None else x.context_actors) for x in a.aliases if isinstance(x, _AliasSpec))
    return tuple((alias, tuple(refs)) for alias, refs in chosen if refs)


def _event(e: _EventSpec) -> Event:
    """An event, its context spelt out per phrase: the phrase's own, else the event's (the name counts as a phrase)."""
    phrases = tuple(dict.fromkeys([e.name, *(x.phrase if isinstance(x, _PhraseSpec) else x for x in e.phrases)]))
    own = {x.phrase: x for x in e.phrases if isinstance(x, _PhraseSpec)}
    context, within, by_actors = [], [], []
    for p in phrases:
        words, window, actors = (own[p].context, own[p].within, own[p].context_actors) if p in own else (e.context, None, e.context_actors)
        if words:
            context.append((p, tuple(words)))
            if window or e.within:
                within.append((p, window or e.within or 0))
            if actors:
                by_actors.append((p, tuple(actors)))
    return Event(e.name, e.severity, phrases, tuple(e.patterns), tuple(e.not_when), tuple(context), e.cameo or "", tuple(within), tuple(e.yields_to),
                 context_actors=tuple(by_actors))


def _examples(spec: _WatchlistSpec, path: Path, node: yaml.Node) -> list[Example]:
    out = []
    sections: tuple[tuple[str, str, Sequence[_WatchedSpec | _RuleSpec]], ...] = (
        ("actors", "actor", spec.actors), ("events", "event", spec.events), ("rules", "rule", spec.rules))
    for section, kind, items in sections:
        for i, item in enumerate(items):
            for key, expect in (("must_match", True), ("must_not_match", False)):
                for j, text in enumerate(getattr(item.examples, key)):
                    where = f"{path}:{_line_of(node, (section, i, 'examples', key, j))}"
                    out.append(Example(kind, item.name, text, expect, where))
    return out


def _check_unique_names(parts: list[_Part]) -> None:
    """An actor, event or rule name (any case) given twice, in one file or two of a folder, is refused:
    rules, mutes, trends and alerts know each by its name, so the second would be merged or hidden."""
    for section in ("actors", "events", "rules"):
        first: dict[str, str] = {}
        for part in parts:
            for i, item in enumerate(getattr(part.watchlist, section)):
                line = part.line(section, i, "name")
                key = item.name.casefold()
                if key in first:
                    raise WatchlistError(f"{part.path}:{line}: {section}[{i}] {item.name!r}: the name is given twice (first at {first[key]}): "
                                         "merge the two entries or rename one", path=str(part.path), line=line)
                first[key] = f"{part.path}:{line}"


def _check_actor_names_apart(parts: list[_Part]) -> None:
    """An event or rule named as an actor (any case) is refused: `monitor mute NAME` silences the actor
    and the rule of a name, and `monitor trends NAME` shows the actor's and the event's series."""
    actors: dict[str, str] = {}
    for part in parts:
        for i, actor in enumerate(part.watchlist.actors):
            actors.setdefault(actor.name.casefold(), f"{part.path}:{part.line('actors', i, 'name')}")
    for section, kind in (("events", "event"), ("rules", "rule")):
        for part in parts:
            for i, item in enumerate(getattr(part.watchlist, section)):
                if item.name.casefold() in actors:
                    line = part.line(section, i, "name")
                    raise WatchlistError(f"{part.path}:{line}: {section}[{i}] {item.name!r}: an actor has this name (at {actors[item.name.casefold()]}): "
                                         f"mutes and trends know each by its name: rename the {kind}", path=str(part.path), line=line)


def _check_references(watchlist: Watchlist, parts: list[_Part]) -> None:
    """Rules must name actors, tags, kinds and events that exist (in any file of the watchlist)."""
    actor_refs = watchlist.actor_refs()
    event_names = {e.name for e in watchlist.events}
    codes = {e.cameo[:n] for e in watchlist.events for n in range(1, len(e.cameo) + 1)}
    for part in parts:
        for i, rule in enumerate(part.watchlist.rules):
            for key, refs, known, what in (("actors", rule.actors, actor_refs, "actor, tag or kind"), ("events", rule.events, event_names, "event")):
                for j, ref in enumerate(refs):
                    if key == "events" and ref.startswith("cameo:") and ref.removeprefix("cameo:").strip() not in codes:
                        line = part.line("rules", i, key, j)
                        raise WatchlistError(
                            f"{part.path}:{line}: rules[{i}] {rule.name!r}: no event has a CAMEO code starting {ref.removeprefix('cameo:').strip()!r}",
                            path=str(part.path), line=line,
                        )
                    if ref not in known and not ref.startswith("cameo:"):
                        line = part.line("rules", i, key, j)
                        hint = spikes_config.name_suggestion(watchlist, ref, sorted(known), "write") if key == "actors" else \
                            spikes_config.name_suggestion(Watchlist(), ref, sorted(known), "write")
                        raise WatchlistError(f"{part.path}:{line}: rules[{i}] {rule.name!r}: no {what} named {ref!r}" + (f": {hint}" if hint else ""),
                                             path=str(part.path), line=line)


def _check_context_actors(watchlist: Watchlist, parts: list[_Part]) -> None:
    """`context_actors` must name actors, tags or kinds that exist (in any file of the watchlist), as a rule's `actors`."""
    known = watchlist.actor_refs()
    for part in parts:
        sections: tuple[tuple[str, Sequence[Actor | Event]], ...] = (("actors", part.watchlist.actors), ("events", part.watchlist.events))
        for section, items in sections:
            for i, item in enumerate(items):
                for ref in dict.fromkeys(r for _, refs in item.context_actors for r in refs):
                    if ref not in known:
                        line = part.line(section, i, "context_actors")
                        hint = spikes_config.name_suggestion(watchlist, ref, sorted(known), "write")
                        raise WatchlistError(f"{part.path}:{line}: {section}[{i}] {item.name!r}: context_actors: no actor, tag or kind named {ref!r}"
                                             + (f": {hint}" if hint else ""), path=str(part.path), line=line)


def _check_stands_for(watchlist: Watchlist, parts: list[_Part]) -> None:
    """`stands_for` must name a state of the watchlist (in any file)."""
    states = {a.name for a in watchlist.actors if a.kind == "state"}
    for part in parts:
        for i, actor in enumerate(part.watchlist.actors):
            if actor.stands_for and actor.stands_for not in states:
                line = part.line("actors", i, "stands_for")
                other = next((a for a in watchlist.actors if a.name == actor.stands_for), None)
                hint = (f": {other.name!r} is a {other.kind}; stands_for names a state of the watchlist ({', '.join(repr(n) for n in sorted(states)[:5]) or 'none yet'})"
                        if other else (f": {h}" if (h := spikes_config.name_suggestion(watchlist, actor.stands_for, sorted(states), "write")) else ""))
                raise WatchlistError(f"{part.path}:{line}: actors[{i}] {actor.name!r}: stands_for names no state {actor.stands_for!r}{hint}",
                                     path=str(part.path), line=line)


def _check_file_repeats(path: Path, data: dict[Any, Any], node: yaml.Node | None) -> None:
    """`_check_repeats` within one file, on its YAML as read: validating compiles each pattern (seconds for thousands)."""
    total = 0
    for section in ("actors", "events"):
        items = data.get(section)
        for i, item in enumerate(items if isinstance(items, list) else []):
            patterns = item.get("patterns") if isinstance(item, dict) else None
            for j, pattern in enumerate(patterns if isinstance(patterns, list) else []):
                size = _repeated(pattern) if isinstance(pattern, str) and len(pattern) <= MAX_PATTERN else 0
                total += size if size <= REPEATED_MAX else 0  # one past the bound alone: its own entry's error says so
                if total > REPEATED_MAX:
                    line = _line_of(node, (section, i, "patterns", j)) if node is not None else None
                    raise WatchlistError(_too_many_repeats(path, line, section, i, j, pattern, total), path=str(path), line=line)


def _too_many_repeats(path: Path, line: int | None, section: str, i: int, j: int, pattern: str, total: int) -> str:
    return (f"{path}:{line}: {section}[{i}].patterns[{j}]: regex {pattern!r} brings the repeats of the watchlist's regexes to {total:,} "
            f"characters: over {REPEATED_MAX:,} in all (nested counts multiply): use fewer or smaller counts")


def _check_repeats(parts: list[_Part]) -> None:
    """The regexes' repeats (`_repeated`) of the whole watchlist add up to at most REPEATED_MAX: the matcher keeps every
    pattern compiled (case-insensitively: a ß is ss too, some 1.5 KB a character), so the bound of each is not enough."""
    total = 0
    for part in parts:
        for section in ("actors", "events"):
            for i, item in enumerate(getattr(part.watchlist, section)):
                for j, pattern in enumerate(item.patterns):
                    total += _repeated(pattern)
                    if total > REPEATED_MAX:
                        line = part.line(section, i, "patterns", j)
                        raise WatchlistError(_too_many_repeats(part.path, line, section, i, j, pattern, total), path=str(part.path), line=line)


def _check_capitals(parts: list[_Part]) -> None:
    """Each of `capitals` must be one of the actor's own aliases (or its name)."""
    for part in parts:
        for i, actor in enumerate(part.watchlist.actors):
            aliases = {a.casefold() for a in actor.aliases}
            for j, capital in enumerate(actor.capitals):
                if capital.casefold() not in aliases:
                    line = part.line("actors", i, "capitals", j)
                    raise WatchlistError(f"{part.path}:{line}: actors[{i}] {actor.name!r}: capital {capital!r} is none of its aliases: list it under "
                                         "aliases too (capitals are the state's aliases that name its capital)", path=str(part.path), line=line)


def _check_yields(watchlist: Watchlist, parts: list[_Part]) -> None:
    """`yields_to` must name events that exist (in any file), other than the event itself."""
    names = {e.name for e in watchlist.events}
    for part in parts:
        for i, event in enumerate(part.watchlist.events):
            for j, ref in enumerate(event.yields_to):
                if ref not in names or ref == event.name:
                    line = part.line("events", i, "yields_to", j)
                    hint = spikes_config.name_suggestion(Watchlist(), ref, sorted(names - {event.name}), "write")
                    what = "itself" if ref == event.name else f"no event {ref!r}" + (f": {hint}" if hint else "")
                    raise WatchlistError(f"{part.path}:{line}: events[{i}] {event.name!r}: yields_to names {what}", path=str(part.path), line=line)
    cycle = _cycle([e.name for e in watchlist.events], {e.name: e.yields_to for e in watchlist.events})
    for part in parts:
        for i, event in enumerate(part.watchlist.events):
            if cycle and event.name == cycle[0]:
                line = part.line("events", i, "yields_to")
                raise WatchlistError(f"{part.path}:{line}: events[{i}] {event.name!r}: yields_to makes a cycle: {_chain(cycle)}: "
                                     "an event yields to more specific ones, never back (in one sentence, each would be dropped)",
                                     path=str(part.path), line=line)


def _chain(names: list[str]) -> str:
    """`a -> b -> c`, its middle left out when long (one line)."""
    if len(names) > 6:
        names = [*names[:3], f"... ({len(names) - 5:,} more)", *names[-2:]]
    return " -> ".join(names)


def _cycle(names: list[str], edges: dict[str, tuple[str, ...]]) -> list[str]:
    """The first cycle of `edges` (a, b, ..., a), walking from each name in order, or []: one depth-first walk over
    the whole graph, without recursion (a chain may be as long as a watchlist's events)."""
    done: set[str] = set()
    for root in names:
        if root in done:
            continue
        path, on_path = [root], {root}
        stack = [iter(edges.get(root, ()))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:  # every way on from the name walked: no cycle through it
                name = path.pop()
                on_path.discard(name)
                done.add(name)
                stack.pop()
                continue
            if nxt in on_path:
                return [*path[path.index(nxt):], nxt]
            if nxt not in done:
                path.append(nxt)
                on_path.add(nxt)
                stack.append(iter(edges.get(nxt, ())))
    return []


def _check_hierarchy(watchlist: Watchlist, parts: list[_Part]) -> None:
    """`part_of` must name an actor that exists (in any file), and no actor may be part of itself."""
    names = {a.name for a in watchlist.actors}
    for part in parts:
        for i, actor in enumerate(part.watchlist.actors):
            if not actor.part_of:
                continue
            line = part.line("actors", i, "part_of")
            problem = None
            if actor.part_of not in names:
                hint = spikes_config.name_suggestion(watchlist, actor.part_of, [], "write")  # an alias: the name to write
                near = difflib.get_close_matches(actor.part_of, sorted(names), n=1, cutoff=0.5)
                problem = f"part_of names no actor {actor.part_of!r}" + (f": {hint}" if hint else f" (did you mean {near[0]!r}?)" if near else "")
            elif actor.name in (chain := watchlist.ancestors(actor.name)):
                problem = "part_of makes a cycle: " + " -> ".join([actor.name, *chain[: chain.index(actor.name) + 1]])
            if problem:
                raise WatchlistError(f"{part.path}:{line}: actors[{i}] {actor.name!r}: {problem}", path=str(part.path), line=line)


def duplicate_aliases(watchlist: Watchlist) -> list[str]:
    """Aliases listed under more than one actor (a warning for `monitor check`)."""
    from monitor.matching.normalise import normalise

    owners: dict[str, set[str]] = {}
    for actor in watchlist.actors:
        for alias in actor.aliases:
            owners.setdefault(normalise(alias) if not alias.isupper() else alias, set()).add(actor.name)
    return [f"alias {k!r} is listed under {', '.join(sorted(v))}" for k, v in owners.items() if len(v) > 1]


def unmatchable_aliases(watchlist: Watchlist) -> list[str]:
    """Aliases and phrases (the watchlist's own, not the thesaurus's) the matcher never matches, as a text's words are
    read (a number or code, a model number), and one-letter aliases without context words (a warning for `monitor check`)."""
    out = []
    for kind, name, texts, context, thing in [*(("actor", a.name, a.aliases, dict(a.context), "alias") for a in watchlist.actors),
                                              *(("event", e.name, [p for p in e.phrases if p not in e.thesaurus], dict(e.context), "phrase")
                                                for e in watchlist.events)]:
        for text in texts:
            if why := _never_matched(text):
                out.append(f"{kind} {name!r}: {thing} {text!r} never matches: {why}: write the {thing} without it")
            elif sum(c.isalnum() for c in text) == 1 and text not in context:
                out.append(f"{kind} {name!r}: {thing} {text!r} is one letter: it matches every {text.strip()!r} of a text: give it context words "
                           f"({{{thing}: {text.strip()}, context: [...]}}, docs/watchlist.md) or remove it")
    return out


def _never_matched(text: str) -> str:
    """Why the matcher never finds `text` in an article, or "": a word it reads as a model number or as a number or code."""
    from monitor.matching.words import NEVER, norm_of
    from monitor.text_norm import blank_non_prose

    blanked = blank_non_prose(text)
    for part in re.finditer(r"\S+", text):
        if not blanked[part.start() : part.end()].strip():
            return f"the matcher takes {part.group()!r} for a model number (a word, a hyphen and digits), never a name"
    for word in re.findall(r"[^\W_]+", text):
        if norm_of(word) == NEVER:
            return f"the matcher takes {word!r} for a number or code, never a name (a word of 4 digits or more, or of 5 characters or more with digits)"
    return ""


def mutable_name(watchlist: Watchlist, name: str) -> str | None:
    """The actor, rule or spike `monitor mute NAME` means: its exact name, any case; None when there is none."""
    names = {n.casefold(): n for n in _mutable(watchlist)}
    return names.get(name.strip().casefold())


def _mutable(watchlist: Watchlist) -> list[str]:
    return [a.name for a in watchlist.actors] + [r.name for r in watchlist.rules] + [s.name for s in watchlist.spikes]


def mute_suggestion(watchlist: Watchlist, name: str, verb: str = "mute") -> str:
    """What to say when NAME is no actor or rule: the actor whose alias it is (`VERB 'Its Name'`), or the nearest names."""
    if any(e.name.casefold() == name.strip().casefold() for e in watchlist.events):
        return f"{name!r} is an event: mute a rule or spike that takes it, or an actor"
    return spikes_config.name_suggestion(watchlist, name, _mutable(watchlist), verb) or "`monitor match` on an article shows the actors' names"
