"""Plain, frozen records passed between the stages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property


@dataclass(frozen=True)
class Document:
    """What a source produces: raw text and metadata, before normalising."""

    source: str
    title: str
    text: str
    url: str | None = None
    guid: str | None = None
    published: datetime | None = None
    html: str = ""  # markup not yet made `text` (feeds defer it: most entries of a feed are stored already)
    fragment: bool = False  # its link's fragment is part of its identity: entries of its feed share the link but for it (a live blog's updates)


_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether `text` holds a NUL character or a lone surrogate (`has_surrogate`). In C throughout (a search for either
    by a regular expression cost a parsing process 5 % of its time on every entry of every feed)."""
    return "\x00" in text or has_surrogate(text)


def has_surrogate(text: str) -> bool:
    """Whether `text` holds a lone surrogate (a JSON file's '\\ud800', a UTF-7 feed's): UTF-8 encodes every other
    character, so only a surrogate makes the encoding fail."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def storable(doc: Document) -> Document:
    """The document with NUL characters dropped from its strings and lone surrogates (a JSON file's '\\ud800') made
    U+FFFD: PostgreSQL's text columns refuse NUL, and no UTF-8 store takes a surrogate; a feed's `&#0;`, a file's late
    NUL byte or a JSON escape failed the whole batch (its neighbours with it)."""
    if not unstorable(f"{doc.title}{doc.text}{doc.url}{doc.guid}{doc.html}"):
        return doc
    return replace(doc, title=storable_text(doc.title), text=storable_text(doc.text), html=storable_text(doc.html),
                   url=doc.url and storable_text(doc.url), guid=doc.guid and storable_text(doc.guid))


def storable_text(text: str) -> str:
    """`text` without NUL characters, its lone surrogates made U+FFFD (see `storable`)."""
    return _SURROGATE.sub("\ufffd", text.replace("\x00", ""))


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's documents, and what the feed says about itself."""

    documents: list[Document]
    warning: str | None  # malformed, but parsed anyway
    title: str | None
    ttl_minutes: int | None  # RSS <ttl>: how long the feed may be cached
    prepared: tuple[Prepared | None, ...] = ()  # per document, made ready to store by the parsing process (else empty)


@dataclass(frozen=True)
class Article:
    """A normalised document with the keys the store dedups on."""

    source: str
    title: str
    text: str
    url: str | None
    canonical_url: str | None
    guid: str | None
    published: datetime | None
    content_hash: str
    normalised: str = field(default="", repr=False, compare=False)  # title and text through `normalise`, a line each

    @property
    def body(self) -> str:
        """Title and text, the string matching runs over."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text


@dataclass(frozen=True)
class Learned:
    """Why the learned layer (matching/learned.py) added an event or dropped one the rules found."""

    model: str  # "gate" or "propose" (added the event) or "veto" (dropped it)
    score: float  # the model's probability that the event is right
    threshold: float  # gate, propose: added at or above it; veto: dropped below it
    features: tuple[tuple[str, float], ...]  # the features that weighed most towards the decision, with their weights


@dataclass(frozen=True)
class Match:
    """One watched actor or event found in a text."""

    kind: str  # "actor" or "event"
    name: str  # canonical name
    alias: str  # the watchlist alias or phrase that matched
    found: str  # the exact text found
    start: int
    end: int
    score: float
    severity: int = 0  # events only
    category: str = ""  # actor kind (person, group, ...) or "" for events
    cameo: str = ""  # events: the CAMEO code ("19", "0256"), "" when none
    part_of: str = ""  # actors: the actor it is a unit of ("" when none)
    ancestors: tuple[str, ...] = ()  # actors: every actor it is a unit of, nearest first (part_of, then its part_of...)
    form: str = ""  # how an event phrase was found when not as listed: "inflected", "words", "words, inflected" or "learned"
    learned: Learned | None = None  # events: why the learned layer added it (form "learned") or dropped it (MatchResult.dropped)
    thesaurus: bool = False  # events: its phrase (`alias`) came from the built-in thesaurus, not the watchlist
    context: str = ""  # the context word or phrase, as written, near which an alias or phrase with a `context` list counted ("" when none was needed)
    context_actor: str = ""  # the watched actor (name) whose match `context` is, when one served as the context word (`context_actors`)


@dataclass(frozen=True)
class Hit:
    """A rule that fired: an actor and an event close enough together."""

    rule: str
    severity: int
    actor: Match
    event: Match
    tags: tuple[str, ...]
    snippet: str
    distance: int = 0  # words between the actor and the event


@dataclass(frozen=True)
class Prepared:
    """A new document made ready to store: its article, what matching found in it, its story sketch."""

    article: Article
    result: MatchResult
    signature: bytes
    size: int


@dataclass(frozen=True)
class MatchResult:
    """Everything matching found in one text, and the alert decision."""

    matches: tuple[Match, ...] = ()
    hits: tuple[Hit, ...] = ()
    regex_timeouts: tuple[str, ...] = ()  # user regexes (labels) that timed out on the text
    regex_skipped: tuple[str, ...] = ()  # and those not tried: the text's regex time was spent
    dropped: tuple[Match, ...] = ()  # events the rules found that the learned veto dropped (each with its `learned`)
    regex_capped: tuple[str, ...] = ()  # user regexes that matched the text too often: their first matches kept (compiled.REGEX_MATCHES_MAX)

    @property
    def alert(self) -> bool:
        return bool(self.hits)

    @property
    def severity(self) -> int:
        return max((h.severity for h in self.hits), default=0)

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(sorted({t for h in self.hits for t in h.tags}))


@dataclass(frozen=True)
class FetchState:
    """Conditional-GET validators remembered per feed source."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None  # SHA-256 of the last body: an unchanged body is not parsed again


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one HTTP fetch."""

    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    state: FetchState = FetchState()
    moved_to: str | None = None  # where a permanent redirect (301, 308) led: recorded, not adopted

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Actor:
    """A watched person, group, state, place or organisation."""

    name: str
    kind: str
    aliases: tuple[str, ...]
    tags: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    not_when: tuple[str, ...] = ()
    context: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (ambiguous alias, words one of which must be near)
    part_of: str = ""  # the actor this one is a unit of (Quds Force of the IRGC); "" when none
    within: tuple[tuple[str, int], ...] = ()  # (ambiguous alias, its context window in words) when not CONTEXT_WINDOW
    bare_surname: str = "after_name"  # a person's one-word surname alias counts once named ("after_name") or "always"
    not_before: tuple[str, ...] = ()  # head nouns that, right after an alias, make it another thing's name (Erbil SC)
    stands_for: str = ""  # a capital that, acting or in relations, is the government of this state ("Baghdad said" is Iraq)
    capitals: tuple[str, ...] = ()  # aliases that are the state's capital: after a word of place ("in Tehran") the city
    context_actors: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (ambiguous alias, watched actors by name, kind or tag whose match near it is a context word)


@dataclass(frozen=True)
class Event:
    """A watched escalation event with its severity (0-3)."""

    name: str
    severity: int
    phrases: tuple[str, ...]
    patterns: tuple[str, ...] = ()
    not_when: tuple[str, ...] = ()
    context: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (ambiguous phrase, words one of which must be near)
    cameo: str = ""  # CAMEO event code, root ("19") or finer ("0256"); "" when none
    within: tuple[tuple[str, int], ...] = ()  # (ambiguous phrase, its context window in words) when not CONTEXT_WINDOW
    yields_to: tuple[str, ...] = ()  # more specific events (names) that, found in the same sentence, stand for this one
    thesaurus: tuple[str, ...] = ()  # the phrases the built-in thesaurus added (matching/thesaurus.py), not the watchlist
    context_actors: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (ambiguous phrase, watched actors by name, kind or tag whose match near it is a context word)


@dataclass(frozen=True)
class Rule:
    """Which actors with which events, how close, give an alert of what severity, to which tags."""

    name: str
    actors: tuple[str, ...] = ()  # names, tags or kinds (a name also selects its units); empty = any watched actor
    events: tuple[str, ...] = ()  # event names or `cameo:CODE` (every event whose code starts so); empty = any event of min_severity
    min_severity: int = 1
    within: int | None = None  # words between actor and event; None = same sentence
    severity: int | None = None  # fixed alert severity; None = the event's
    tags: tuple[str, ...] = ("default",)
    min_sources: int = 1  # corroboration: alert only once this many sources carry the story
    sources_within: float | None = None  # ... within this many hours of the story's first article


@dataclass(frozen=True)
class Example:
    """A sentence that must (expect=True) or must not match an actor, event or rule of the watchlist."""

    kind: str  # actor | event | rule
    name: str
    text: str
    expect: bool
    where: str = ""  # file:line


@dataclass(frozen=True)
class Spike:
    """A `spikes:` entry: the series it watches (actors x events, names resolved), the test, the routing."""

    name: str
    actors: tuple[str, ...] = ()  # actor names (a tag given is expanded); empty with events = per event
    events: tuple[str, ...] = ()  # event names; empty with actors = per actor
    window: int = 24  # hours counted
    min_count: int = 3  # fewer stories in the window never fire
    significance: float | None = None  # given: Bonferroni at this level per check; None: calibrated to per_week
    weeks: int = 4  # trailing weeks the baseline comes from
    tags: tuple[str, ...] = ("default",)
    per_week: float = 1.0  # false alerts a week the entry may raise by chance (by its baselines), when no significance

    def series(self) -> list[tuple[str, str]]:
        """(actor, event) keys tested, "" for the side not watched."""
        return [(a, e) for a in (self.actors or ("",)) for e in (self.events or ("",))]


@dataclass(frozen=True)
class Watchlist:
    """Everything an analyst watches."""

    actors: tuple[Actor, ...] = ()
    events: tuple[Event, ...] = ()
    rules: tuple[Rule, ...] = ()
    examples: tuple[Example, ...] = ()
    spikes: tuple[Spike, ...] = ()  # monitor/spikes_config.py
    learned: bool = True  # the learned layer over the rules (matching/learned.py); `learned: false` turns it off

    @cached_property
    def _parents(self) -> dict[str, str]:
        """Actor name -> the actor it is part of (worked out once: `ancestors` is asked per actor)."""
        return {a.name: a.part_of for a in self.actors if a.part_of}

    def ancestors(self, name: str) -> tuple[str, ...]:
        """The actors `name` is part of, nearest first (Quds Force: the IRGC); cycles are refused on loading."""
        chain: list[str] = []
        while (name := self._parents.get(name, "")) and name not in chain:
            chain.append(name)
        return tuple(chain)

    def units(self, name: str) -> tuple[str, ...]:
        """The actors that are units of `name`, and theirs (transitively), in watchlist order."""
        return tuple(a.name for a in self.actors if name in self.ancestors(a.name))

    def selected_actors(self, refs: Iterable[str]) -> frozenset[str]:
        """The actors (names) that actor references select, as a rule's `actors` do: by name, kind or tag, and an actor
        named brings its units (transitively)."""
        wanted = set(refs)
        return frozenset(a.name for a in self.actors if {a.name, a.kind, *a.tags, *self.ancestors(a.name)} & wanted)

    def actor_refs(self) -> set[str]:
        """Every name, tag and kind an actor reference (a rule's `actors`, `context_actors`) may use."""
        return {a.name for a in self.actors} | {t for a in self.actors for t in a.tags} | {a.kind for a in self.actors}

    def rule_scope(self, rule: Rule) -> tuple[frozenset[str], frozenset[str]]:
        """The actors (names) and events (names) a rule can pair: an actor named in the rule brings its
        units (transitively); `cameo:19` selects every event whose CAMEO code starts with 19."""
        actors = self.selected_actors(rule.actors) if rule.actors else frozenset(a.name for a in self.actors)
        codes = [r.removeprefix("cameo:").strip() for r in rule.events if r.startswith("cameo:")]
        events = frozenset(
            e.name for e in self.events if not rule.events or e.name in rule.events or (e.cameo and any(e.cameo.startswith(c) for c in codes))
        )
        return actors, events


@dataclass(frozen=True)
class Held:
    """An alert waiting for its channel's digest."""

    delivery_id: int
    alert_uid: str
    title: str
    created_at: datetime
    reason: str  # "low severity" | "quiet hours" | "flood"
    tries: int = 0  # digests of it that failed (its channel down)
    retry_at: datetime | None = None  # after a failed digest: not tried again before this
    tags: tuple[str, ...] = ()  # its alert's (an Apprise config file's services are routed by them)
    done: frozenset[str] = frozenset()  # the channel's services that took it in a digest that failed on others
