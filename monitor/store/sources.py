"""Sources and their health: fetch validators, last success, last error, error count, next check."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import islice
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.errors import ConfigError
from monitor.hosts import host_of
from monitor.redact import register_feed_secrets
from monitor.model import FetchState
from monitor.redact import redact
from monitor.store.db import Database, move_back
from monitor.store.tables import NoticeRow, OutlineRow, SourceRow, column_length, fit_key, table_of


@dataclass(frozen=True)
class SourceHealth:
    """What `monitor sources`-style listings show."""

    id: int
    name: str
    kind: str
    location: str
    last_checked_at: datetime | None
    last_success_at: datetime | None
    next_check_at: datetime | None
    error_count: int
    last_error: str | None
    last_new_items: int
    origin: str = "config"
    enabled: bool = True
    suspended: bool = False
    every: float | None = None
    moved_to: str | None = None
    silent_since: datetime | None = None  # alerted as silent (issue 19) and not back yet: its latest article then
    fetch_seconds: float | None = None  # how long its fetches take, smoothed (None: not fetched yet)

    @property
    def status(self) -> str:
        if not self.enabled:
            return "disabled"
        if self.suspended:
            return "suspended"
        return "error" if self.error_count else ("ok" if self.last_success_at else "new")


@dataclass(frozen=True)
class FeedJob:
    """A feed to poll now."""

    id: int
    name: str
    url: str
    every: float | None  # None: adaptive
    error_count: int
    full_text: bool = False
    state: FetchState = FetchState()  # validators of the last good fetch
    due_at: datetime | None = None  # its next check before it was claimed (None: never polled)
    fetch_seconds: float | None = None  # how long its fetches take, smoothed (None: not known yet)


def ensure_source(db: Database, name: str, kind: str, location: str, every: float | None = None, full_text: bool = False) -> int:
    """The id of a configured source, created on first sight; its location and interval follow the config."""
    return ensure_sources(db, [SourceSpec(name, kind, location, every, full_text)])[name]


@dataclass(frozen=True)
class SourceSpec:
    """A source as the config file gives it."""

    name: str
    kind: str
    location: str
    every: float | None = None
    full_text: bool = False


def ensure_sources(db: Database, specs: list[SourceSpec]) -> dict[str, int]:
    """The ids of configured sources by name, those not stored yet created, in one transaction (a daemon
    starts with thousands of feeds); their locations and intervals follow the config."""
    try:
        return _ensure_sources(db, specs)
    except IntegrityError:  # another daemon sharing the store created some at the same moment: they are there now
        return _ensure_sources(db, specs)


def _taken(spec: SourceSpec, row: SourceRow) -> str | None:
    """Why a configured source cannot have the stored row of its name: a feed added with `monitor sources add`
    (or import) for another location (the config would take it over: that feed no longer polled, unsaid)."""
    if row.origin != "added" or (row.kind, row.location) == (spec.kind, spec.location):
        return None
    return (f"[[{spec.kind}s]] name {spec.name!r} is the name of source {row.id}, added with `monitor sources add` or import "
            f"for {redact(row.location)}: give the config's entry another name")


def taken_names(db: Database, specs: list[SourceSpec]) -> list[str]:
    """`_taken` for every configured source, without writing (`monitor check`)."""
    with db.session() as s:
        stored = {r.name: r for r in s.scalars(select(SourceRow).where(SourceRow.name.in_([spec.name for spec in specs])))}
    return [why for spec in specs if (row := stored.get(fit_key(spec.name, _NAME_LENGTH))) and (why := _taken(spec, row))]


def added_twins(db: Database, specs: list[SourceSpec]) -> list[str]:
    """The configured feeds whose URL a feed added with `monitor sources add` (or import) has too: both are
    polled, twice the requests to the host for the same entries (`monitor check` warns)."""
    urls = {spec.location: spec.name for spec in specs if spec.kind == "feed"}
    with db.session() as s:
        rows = s.scalars(select(SourceRow).where(SourceRow.kind == "feed", SourceRow.origin == "added", SourceRow.location.in_(list(urls))))
        return [f"[[feeds]] {urls[r.location]!r} has the URL of source {r.id} ({r.name}), added with `monitor sources add` or import: "
                f"both are polled; `monitor sources remove {r.id}` or delete the entry" for r in rows]


def _ensure_sources(db: Database, specs: list[SourceSpec]) -> dict[str, int]:
    ids: dict[str, int] = {}
    with db.session() as s:
        for start in range(0, len(specs), 1000):
            chunk = specs[start:start + 1000]
            stored = {r.name: r for r in s.scalars(select(SourceRow).where(SourceRow.name.in_([spec.name for spec in chunk])))}
            rows: dict[str, SourceRow] = {}
            for spec in chunk:
                row = stored.get(fit_key(spec.name, _NAME_LENGTH))
                if row is not None and (why := _taken(spec, row)):
                    raise ConfigError(why)
                if row is None:
                    row = stored[fit_key(spec.name, _NAME_LENGTH)] = SourceRow(
                        name=spec.name, kind=spec.kind, location=spec.location, error_count=0, last_new_items=0, origin="config", enabled=True, suspended=False)
                    s.add(row)
                elif row.location != spec.location or row.kind != spec.kind:
                    row.location, row.kind, row.etag, row.last_modified, row.body_hash = spec.location, spec.kind, None, None, None
                row.every, row.full_text = spec.every, spec.full_text
                if row.origin == "config" and row.last_error == REMOVED:
                    row.enabled, row.last_error = True, None
                rows[spec.name] = row
            s.flush()
            ids.update((name, row.id) for name, row in rows.items())
    return ids


REMOVED = "no longer in the config file"
_NAME_LENGTH = column_length(table_of(SourceRow).c.name)


def retire_config_sources(db: Database, kind: str, keep: set[str]) -> None:
    """Configured sources of a kind that the config no longer lists stop being polled or scanned (history stays); what
    was said of a retired folder's files (`notices`, forgotten at its scans as they leave it) is forgotten."""
    with db.session() as s:
        retired = list(s.scalars(select(SourceRow).where(SourceRow.kind == kind, SourceRow.origin == "config", SourceRow.name.not_in(keep))))
        for row in retired:
            row.enabled, row.last_error = False, REMOVED
        ids = [row.id for row in retired]
        for i in range(0, len(ids), 500):
            s.execute(delete(NoticeRow).where(NoticeRow.source_id.in_(ids[i : i + 500])))


def unlisted_config_names(db: Database, listed: Collection[str]) -> set[str]:
    """The stored names of the configured sources (feeds and folders) being polled or scanned that are not among
    `listed` (the configs' names)."""
    with db.session() as s:
        enabled = set(s.scalars(select(SourceRow.name).where(SourceRow.origin == "config", SourceRow.enabled)))
    return enabled - {fit_key(name, _NAME_LENGTH) for name in listed}


def retire_config_names(db: Database, names: Collection[str]) -> list[str]:
    """Configured sources of those stored names, still enabled, stop being polled or scanned (no longer in the config
    file; history stays); their names."""
    with db.session() as s:
        rows = s.scalars(select(SourceRow).where(SourceRow.origin == "config", SourceRow.enabled, SourceRow.name.in_(list(names)))).all()
        for row in rows:
            row.enabled, row.last_error = False, REMOVED
        return sorted(row.name for row in rows)


def restore_config_names(db: Database, names: Collection[str]) -> list[str]:
    """Configured sources retired as no longer in the config file that are of those names (a config's) are polled
    or scanned again, as `ensure_sources` puts them back; their names."""
    with db.session() as s:
        stored = {fit_key(name, _NAME_LENGTH) for name in names}
        rows = [r for r in s.scalars(select(SourceRow).where(SourceRow.origin == "config", SourceRow.last_error == REMOVED)) if r.name in stored]
        for row in rows:
            row.enabled, row.last_error = True, None
        return sorted(row.name for row in rows)


def add_feed(db: Database, name: str, url: str, every: float | None, full_text: bool = False, folder: str = "", html_url: str | None = None,
             *, rename: bool = False) -> int:
    """Store a feed added from the command line or an OPML file (with its folder and site page); a URL
    already known raises ValueError, and so does a name, unless `rename` (a name from the feed's title:
    feeds are often titled alike) makes it `name (host)`, then `name (host) 2`, ... A removed feed added
    again comes back with its history."""
    with db.session() as s:
        return _add_feed(s, NewFeed(name, url, folder, html_url), every, full_text, rename)


@dataclass(frozen=True)
class NewFeed:
    """A feed to add (`add_feeds`): its name, URL, and the OPML folder and site page it came with."""

    name: str
    url: str
    folder: str = ""
    html_url: str | None = None


def add_feeds(db: Database, feeds: list[NewFeed], every: float | None) -> list[int | str]:
    """Store many feeds as `add_feed(..., rename=True)` does, in one transaction: each one's id, or why it was not
    added (its URL or every name taken) in its place. The feeds' URLs and names are looked up in one query each, and
    their rows inserted at one flush: a transaction and three queries a feed took 1.5 ms each, 150,000 feeds of an
    OPML file over 5 minutes."""
    outcomes: list[SourceRow | str] = []
    with db.session() as s, s.no_autoflush:
        known = {r.location: r for r in s.scalars(select(SourceRow).where(SourceRow.kind == "feed", SourceRow.location.in_({f.url for f in feeds})))}
        # keyed by the name as stored (`_name_key`: a long one as fit_key makes it), as the rows read back have it
        holders: dict[str, SourceRow | None] = dict.fromkeys(_name_key(n) for f in feeds for n in islice(_free_names(f.name, f.url), 2))
        holders |= {r.name: r for r in s.scalars(select(SourceRow).where(SourceRow.name.in_(list(holders))))}
        revived: list[tuple[SourceRow, NewFeed]] = []
        for feed in feeds:
            clash = known.get(feed.url)
            if clash is not None and clash.origin != REMOVED_BY_USER:
                if clash.id is None:  # a URL twice in the file: the first's id, as one at a time said
                    s.flush()
                outcomes.append(f"source {clash.id} ({clash.name}) already has that URL")
                continue
            name = next((n for n in _free_names(feed.name, feed.url) if _holder(s, holders, n) in (None, clash)), None)
            if name is None:
                taken = holders[_name_key(feed.name)]
                assert taken is not None
                outcomes.append(f"source {taken.id} ({taken.name}) already has that name: give another --name")
                continue
            row = clash or SourceRow(kind="feed", error_count=0, last_new_items=0, suspended=False)
            if clash is not None:
                holders[_name_key(clash.name)] = None
                revived.append((clash, feed))
            else:
                s.add(row)
            row.name, row.location, row.origin, row.every, row.full_text, row.enabled = name, feed.url, "added", every, False, True
            row.next_check_at = None  # due at once
            known[feed.url] = holders[_name_key(name)] = row
            outcomes.append(row)
        s.flush()
        revived_ids = {id(row) for row, _ in revived}
        for feed, outcome in zip(feeds, outcomes, strict=True):
            if isinstance(outcome, SourceRow) and id(outcome) not in revived_ids:
                s.add(OutlineRow(source_id=outcome.id, folder=feed.folder, html_url=feed.html_url))
        for row, feed in revived:
            s.merge(OutlineRow(source_id=row.id, folder=feed.folder, html_url=feed.html_url))
        return [o if isinstance(o, str) else o.id for o in outcomes]


def _holder(s: Session, holders: dict[str, SourceRow | None], name: str) -> SourceRow | None:
    """The source named `name` (`add_feeds`'s names looked up, and given, so far; else the store's)."""
    if (key := _name_key(name)) not in holders:
        holders[key] = s.scalar(select(SourceRow).where(SourceRow.name == name))
    return holders[key]


def _name_key(name: str) -> str:
    """A source's name as the store holds it (a name past its column as fit_key makes it)."""
    return fit_key(name, _NAME_LENGTH)


_NAME_LENGTH = column_length(table_of(SourceRow).c.name)


def _add_feed(s: Session, feed: NewFeed, every: float | None, full_text: bool, rename: bool) -> int:
    """`add_feed` in a session."""
    name, url = feed.name, feed.url
    clash = s.scalar(select(SourceRow).where(SourceRow.kind == "feed", SourceRow.location == url))
    if clash is not None and clash.origin != REMOVED_BY_USER:
        raise ValueError(f"source {clash.id} ({clash.name}) already has that URL")
    for candidate in (_free_names(name, url) if rename else [name]):
        holder = s.scalar(select(SourceRow).where(SourceRow.name == candidate))
        if holder is None or holder is clash:
            name = candidate
            break
    else:
        assert holder is not None
        raise ValueError(f"source {holder.id} ({holder.name}) already has that name: give another --name")
    row = clash or SourceRow(kind="feed", error_count=0, last_new_items=0, suspended=False)
    row.name, row.location, row.origin, row.every, row.full_text, row.enabled = name, url, "added", every, full_text, True
    row.next_check_at = None  # due at once
    s.add(row)
    s.flush()
    s.merge(OutlineRow(source_id=row.id, folder=feed.folder, html_url=feed.html_url))
    return row.id


REMOVED_BY_USER = "removed"


def _free_names(name: str, url: str) -> Iterator[str]:
    """The names to try for a feed titled `name` when another source has that name."""
    yield name
    yield (named := f"{name} ({host_of(url) or 'feed'})")
    yield from (f"{named} {n}" for n in range(2, 1000))


def remove_source(db: Database, source_id: int) -> SourceHealth:
    """Stop and hide a feed added with `sources add` or `import` (its articles and alerts stay); a
    configured source is removed from the config file instead, and this raises LookupError saying so."""
    with db.session() as s:
        row = _row(s, source_id)
        if row.origin == "config" and row.last_error == REMOVED:
            polled = "polled" if row.kind == "feed" else "scanned"
            raise LookupError(f"source {row.id} ({row.name}) is no longer in the config file: it is not {polled} any more, and its articles "
                              f"and alerts stay (put its entry back to {'poll' if row.kind == 'feed' else 'scan'} it again)")
        if row.origin == "config":
            raise LookupError(f"source {row.id} ({row.name}) comes from the config file: delete its [[{row.kind}s]] entry there")
        row.origin, row.enabled = REMOVED_BY_USER, False
    return health(db, source_id, listed_only=False)


def outlines(db: Database) -> dict[int, tuple[str, str | None]]:
    """Folder and site page of each feed that has them (from OPML imports)."""
    with db.session() as s:
        return {r.source_id: (r.folder, r.html_url) for r in s.scalars(select(OutlineRow))}


def register_feeds_secrets(db: Database) -> None:
    """Register the secrets of every stored feed's URL, and of where a permanent redirect of one led
    (`redact.register_feed_secrets`): a feed added with `sources add` is in no config, and its token may stand in
    errors and in its items' links that a verb or a page shows."""
    with db.session() as s:
        rows = s.execute(select(SourceRow.location, SourceRow.moved_to).where(SourceRow.kind == "feed")).all()
    for url in [location for row in rows for location in row if location]:
        register_feed_secrets(url)


def due_feeds(db: Database, now: datetime) -> list[FeedJob]:
    """Enabled feeds whose next check has come (new ones at once), most overdue first."""
    columns = (SourceRow.id, SourceRow.name, SourceRow.location, SourceRow.every, SourceRow.error_count, SourceRow.full_text,
               SourceRow.etag, SourceRow.last_modified, SourceRow.body_hash, SourceRow.next_check_at, SourceRow.fetch_seconds)
    with db.session() as s:  # plain rows, not ORM objects: thousands of feeds come back every tick
        rows = s.execute(
            select(*columns)
            .where(SourceRow.kind == "feed", SourceRow.enabled.is_(True))
            .where((SourceRow.next_check_at.is_(None)) | (SourceRow.next_check_at <= now))
            .order_by(SourceRow.next_check_at.is_not(None), SourceRow.next_check_at)
        ).all()
    return [FeedJob(i, name, url, every, errors or 0, bool(full), FetchState(etag, modified, body), due, took)
            for i, name, url, every, errors, full, etag, modified, body, due, took in rows]


def clock_stepped_back(db: Database, now: datetime, by: timedelta) -> int:
    """The wall clock stepped back by `by`: the next checks set later than `now` were set by the clock ahead,
    and are moved back by the step (never before now). How many moved."""
    return move_back(db, SourceRow.next_check_at, now, by)


def feed_counts(db: Database, configured: Collection[str]) -> tuple[int, int, int]:
    """Enabled feeds of the config (named `configured`), of other daemons' configs (a shared store), and added with
    `monitor sources add` (or import)."""
    keys = {fit_key(name, _NAME_LENGTH) for name in configured}
    with db.session() as s:
        rows = s.execute(select(SourceRow.origin, SourceRow.name).where(SourceRow.kind == "feed", SourceRow.enabled.is_(True))).all()
    ours = sum(1 for origin, name in rows if origin == "config" and name in keys)
    return ours, sum(1 for origin, _ in rows if origin == "config") - ours, sum(1 for origin, _ in rows if origin == "added")


def disabled_ids(db: Database) -> set[int]:
    with db.session() as s:
        return set(s.scalars(select(SourceRow.id).where(SourceRow.enabled.is_(False))))


CLAIM_CHUNK = 10_000  # ids claimed by one statement


def claim(db: Database, source_ids: list[int], due_by: datetime, until: datetime, limit: int | None = None) -> set[int]:
    """Lease the sources still due by `due_by` until `until` (their next check moves there), at most
    `limit` of them, the most overdue first; returns the ids leased. A source another tick or process
    leased meanwhile is not due, so not taken twice.

    On PostgreSQL the due rows are locked with FOR UPDATE SKIP LOCKED before the UPDATE: a row another
    daemon is claiming at that moment is passed over, not waited for (procrastinate's and River's claim);
    on SQLite the one daemon's UPDATE takes the database's write lock."""
    due = (SourceRow.next_check_at.is_(None)) | (SourceRow.next_check_at <= due_by)
    order = (SourceRow.next_check_at.is_not(None), SourceRow.next_check_at, SourceRow.id)
    claimed = set[int]()
    with db.session() as s:  # in chunks: PostgreSQL takes at most 65,535 parameters a statement
        for start in range(0, len(source_ids), CLAIM_CHUNK):
            left = None if limit is None else limit - len(claimed)
            if left is not None and left <= 0:
                break
            chunk = source_ids[start:start + CLAIM_CHUNK]
            if db.sqlite:
                picked = select(SourceRow.id).where(SourceRow.id.in_(chunk), due).order_by(*order).limit(left).scalar_subquery()
                claimed.update(s.scalars(update(SourceRow).where(SourceRow.id.in_(picked)).values(next_check_at=until, claimed_until=until).returning(SourceRow.id)))
            else:
                locked = select(SourceRow.id).where(SourceRow.id.in_(chunk), due).order_by(*order).limit(left).with_for_update(skip_locked=True).cte("picked")
                claimed.update(s.scalars(update(SourceRow).where(SourceRow.id == locked.c.id).values(next_check_at=until, claimed_until=until).returning(SourceRow.id)))
    return claimed


def release_claims(db: Database, now: datetime) -> int:
    """Make due now the feeds still under a claim (their next check the lease a claim set, not one recorded
    since): at the start of a daemon alone on its store (SQLite), they were a killed daemon's, and would
    wait for the lease's end. A next check planned since (a Retry-After, a backoff) is not touched. How many."""
    with db.session() as s:
        claimed = (SourceRow.claimed_until.is_not(None)) & (SourceRow.next_check_at == SourceRow.claimed_until) & (SourceRow.next_check_at > now)
        return len(s.scalars(update(SourceRow).where(claimed).values(next_check_at=now, claimed_until=None).returning(SourceRow.id)).all())


def release(db: Database, jobs: list[FeedJob], until: datetime) -> None:
    """Give back leases taken by `claim` that recorded nothing (a cancelled fetch): each source's next
    check is what it was before, so it is polled at the next tick or start."""
    if not jobs:
        return
    table = table_of(SourceRow)
    statement = (update(table).where(table.c.id == bindparam("job_id"), table.c.next_check_at == bindparam("lease"))
                 .values(next_check_at=bindparam("due")))
    with db.session() as s:
        s.connection().execute(statement, [{"job_id": j.id, "lease": until, "due": j.due_at} for j in jobs])


def set_enabled(db: Database, source_id: int, enabled: bool) -> SourceHealth:
    with db.session() as s:
        row = _row(s, source_id)
        row.enabled = enabled
    return health(db, source_id)


def retry_now(db: Database, source_id: int, now: datetime) -> SourceHealth:
    """Poll a source at the next tick, lifting a suspension."""
    with db.session() as s:
        row = _row(s, source_id)
        row.next_check_at, row.suspended = now, False
    return health(db, source_id)


def _row(s: Session, source_id: int) -> SourceRow:
    row = s.get(SourceRow, source_id)
    if row is None or row.origin == REMOVED_BY_USER:
        raise LookupError(f"no source with id {source_id} (see `monitor sources`)")
    return row


def health(db: Database, source_id: int, listed_only: bool = True) -> SourceHealth:
    return next(h for h in list_sources(db, listed_only) if h.id == source_id)


@dataclass(frozen=True)
class Success:
    """A good check of one source, to record."""

    source_id: int
    next_check: datetime
    new_items: int = 0
    state: FetchState | None = None  # validators for the next conditional GET
    moved_to: str | None = None
    fetch_seconds: float | None = None  # how long its fetches take, smoothed: kept when None
    warning: str | None = None  # what the check said of the feed (entries left for its next poll, ...): its last error, its status ok
    claim: datetime | None = None  # the lease of the poll's claim (`claim`): recorded only if no poll claimed the source since


def record_success(db: Database, source_id: int, now: datetime, next_check: datetime, new_items: int, state: FetchState | None = None, moved_to: str | None = None) -> None:
    """A good check: the error count resets, validators are kept for the next conditional GET."""
    record_successes(db, now, [Success(source_id, next_check, new_items, state, moved_to)])


def record_successes(db: Database, now: datetime, checks: list[Success]) -> None:
    """Good checks of many sources in one transaction (a cycle where most feeds answer 304)."""
    if not checks:
        return
    common = {"last_checked_at": now, "last_success_at": now, "error_count": 0, "suspended": False}
    claimed = [c for c in checks if c.claim is not None]
    with db.session() as s:  # one executemany UPDATE by primary key, not an ORM object per source
        if claimed:  # a claim whose lease ended may have been taken since (this daemon stalled): that poll's record stands
            s.execute(update(SourceRow).where(SourceRow.claimed_until == bindparam("claim"), _NOT_RETIRED).execution_options(synchronize_session=None),
                      [{**_success_values(c, common), "claim": c.claim} for c in claimed])
        if unclaimed := [_success_values(c, common) for c in checks if c.claim is None]:
            s.execute(update(SourceRow).where(_NOT_RETIRED).execution_options(synchronize_session=None), unclaimed)


# A source a reload took out of the config while a poll had it (`retire_config_sources`): its outcome is not recorded over
# the mark that puts it back when the config lists it again (overwritten, the feed stayed disabled for good, counted nowhere)
_NOT_RETIRED = or_(SourceRow.last_error.is_(None), SourceRow.last_error != REMOVED)


def _success_values(c: Success, common: dict[str, object]) -> dict[str, object]:
    return {"id": c.source_id, "moved_to": c.moved_to, "next_check_at": c.next_check, "last_new_items": c.new_items, **common,
            "last_error": redact(f"warning: {c.warning.splitlines()[0][:1000]}") if c.warning else None,
            **({"etag": c.state.etag, "last_modified": c.state.last_modified} if c.state else {}),
            **({"body_hash": c.state.body_hash} if c.state and c.state.body_hash else {}),
            **({"fetch_seconds": c.fetch_seconds} if c.fetch_seconds is not None else {})}


def record_failure(db: Database, source_id: int, now: datetime, next_check: datetime, error: str, suspended: bool = False,
                   fetch_seconds: float | None = None, claim: datetime | None = None) -> bool:
    """A failed check: one line of error (secrets masked), the count goes up (and the fetch time smoothed,
    when given: a timeout is a slow fetch too); True when the error differs from the last. Under a poll's
    `claim` (its lease), nothing is recorded (False) when another poll has claimed the source since."""
    line = redact(error.splitlines()[0][:1000]) if error else "unknown error"
    with db.session() as s:
        row = s.get_one(SourceRow, source_id, with_for_update=claim is not None and not db.sqlite)
        if claim is not None and row.claimed_until != claim or row.last_error == REMOVED:  # (REMOVED: see _NOT_RETIRED)
            return False
        changed = row.last_error != line or suspended != row.suspended
        row.last_checked_at, row.next_check_at = now, next_check
        row.error_count = (row.error_count or 0) + 1
        row.last_error, row.suspended = line, suspended
        if fetch_seconds is not None:
            row.fetch_seconds = fetch_seconds
        return changed


def list_sources(db: Database, listed_only: bool = True) -> list[SourceHealth]:
    """Every source, but for those removed with `monitor sources remove` (unless `listed_only` is False)."""
    query = select(SourceRow).order_by(SourceRow.id)
    if listed_only:
        query = query.where(SourceRow.origin != REMOVED_BY_USER)
    with db.session() as s:
        return [
            SourceHealth(
                r.id, r.name, r.kind, r.location, r.last_checked_at, r.last_success_at,
                r.next_check_at, r.error_count, r.last_error, r.last_new_items, r.origin, r.enabled, r.suspended, r.every, r.moved_to,
                fetch_seconds=r.fetch_seconds,
            )
            for r in s.scalars(query)
        ]
