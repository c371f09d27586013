"""Pure timing: when to try again. No clock is read here; callers pass `now` and randomness.

`plan_next_check` decides a feed's next poll from its policy (fixed or adaptive interval, backoff,
suspension), what the server said (`Hints`: RSS ttl, Cache-Control, Expires, Retry-After) and how
often the feed publishes; `server_hints` reads `Hints` from a response's headers. `PollPolicy` is
[schedule] as polling needs it; `DueQueue` hands a poll its due feeds politely (`per_host` at most of a host),
the hosts with the longest chains of fetches first (`smoothed_fetch` keeps each feed's fetch time).
"""

from __future__ import annotations

import re
import statistics
from collections import deque
from collections.abc import Collection, Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Generic, Protocol, TypeVar

from monitor import defaults
from monitor.hosts import host_of


def backoff_seconds(attempt: int, base: float, cap: float, jitter: float) -> float:
    """Exponential backoff for the n-th consecutive failure (1-based), capped, with jitter in [0, 1).

    The delay is base * 2**(attempt-1), capped, then spread over [50%, 100%] of itself by jitter so
    that many failures at once do not retry in lock-step.
    """
    delay = min(cap, base * 2.0 ** max(0, attempt - 1))
    return delay * (0.5 + 0.5 * jitter)


# -- what the server said ---------------------------------------------------------------------

_MAX_DELAY = 10 * 365 * 86400  # a Retry-After beyond ten years is read as ten years (then capped by the plan)
_MAX_AGE = re.compile(r'^max-age\s*=\s*"?(\d+)"?$', re.I)
_DIGITS = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class Hints:
    """What the server said about polling again; None where it said nothing (or nothing usable)."""

    ttl_minutes: int | None = None  # RSS <ttl>
    max_age: float | None = None  # Cache-Control max-age, seconds (absent when no-cache/no-store)
    expires: datetime | None = None  # Expires
    retry_after: datetime | None = None  # Retry-After of a 429/503, made absolute
    publish_interval: float | None = None  # median seconds between the feed's recent entries


def parse_cache_control(value: str | None) -> float | None:
    """Seconds of `max-age` in a Cache-Control value; None when absent, malformed, or no-cache/no-store."""
    if not value:
        return None
    directives = [part.strip() for part in value.split(",") if part.strip()]
    if any(d.lower() in ("no-cache", "no-store") for d in directives):
        return None
    for directive in directives:
        match = _MAX_AGE.match(directive)
        if match:  # more than 9 digits is past _MAX_DELAY (5,000 of them made float() infinite)
            return float(_MAX_DELAY if len(match.group(1)) > 9 else min(int(match.group(1)), _MAX_DELAY))
    return None


def _http_date(value: str) -> datetime | None:
    """An HTTP-date (IMF-fixdate, RFC 850 or asctime) as an aware UTC datetime; None if it is not one."""
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # asctime carries no zone; HTTP-dates are always GMT
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """When a Retry-After (delta-seconds or HTTP-date) allows the next request; never before `now`.

    Garbage is None; a negative delay or a date in the past is `now`.
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    if _DIGITS.match(value):  # more than 9 digits is past _MAX_DELAY (and thousands more than int() reads)
        seconds = 0 if value.startswith("-") else _MAX_DELAY if len(value) > 9 else min(int(value), _MAX_DELAY)
        return now + timedelta(seconds=seconds)
    when = _http_date(value)
    return None if when is None else max(now, when)


def parse_expires(value: str | None) -> datetime | None:
    """An Expires header as an aware UTC datetime; None for "0", garbage or nothing."""
    if not value or not value.strip():
        return None
    return _http_date(value)


def publish_interval(times: list[datetime]) -> float | None:
    """Median gap in seconds between the newest (at most 10) entry times; None with fewer than 2."""
    newest = sorted(times, reverse=True)[:10]
    if len(newest) < 2:
        return None
    return float(statistics.median((a - b).total_seconds() for a, b in zip(newest, newest[1:])))


# -- the plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """How one source is polled. Seconds throughout; `interval` None means adaptive."""

    interval: float | None = None
    min_interval: float = defaults.MIN_INTERVAL
    max_interval: float = defaults.MAX_INTERVAL
    backoff_base: float = defaults.MIN_INTERVAL  # as PollPolicy makes it
    backoff_cap: float = defaults.BACKOFF_CAP
    suspend_after: int = defaults.SUSPEND_AFTER
    suspended_every: float = defaults.SUSPENDED_EVERY

    def __post_init__(self) -> None:
        if self.interval is not None and not self.interval > 0:
            raise ValueError(f"interval must be > 0, not {self.interval}")
        if not 0 < self.min_interval <= self.max_interval:
            raise ValueError(f"need 0 < min_interval <= max_interval, not {self.min_interval} and {self.max_interval}")
        if not 0 < self.backoff_base <= self.backoff_cap:
            raise ValueError(f"need 0 < backoff_base <= backoff_cap, not {self.backoff_base} and {self.backoff_cap}")
        if self.suspend_after < 1:
            raise ValueError(f"suspend_after must be >= 1, not {self.suspend_after}")
        if not self.suspended_every >= self.backoff_cap:
            raise ValueError(f"suspended_every ({self.suspended_every}) must be >= backoff_cap ({self.backoff_cap})")

    @property
    def ceiling(self) -> float:
        """The longest wait any plan asks for: a Retry-After is honoured up to this many seconds."""
        return max(self.max_interval, self.suspended_every)


@dataclass(frozen=True)
class PollPolicy:
    """How the feeds are polled ([schedule], seconds): each source's `Policy`, hosts' politeness, claims."""

    min_interval: float = defaults.MIN_INTERVAL
    max_interval: float = defaults.MAX_INTERVAL
    backoff_cap: float = defaults.BACKOFF_CAP
    suspend_after: int = defaults.SUSPEND_AFTER
    suspended_every: float = defaults.SUSPENDED_EVERY
    per_host: int = defaults.PER_HOST
    lease_seconds: float = 120  # a claimed feed not recorded by then (a crash) is due again

    def for_source(self, every: float | None) -> Policy:
        """The policy of one source: its fixed `every`, or adaptive; backoff starts at min_interval.
        A stored `every` of 0, -5 or nan (`sources add --every` took them) is adaptive: it failed the whole poll."""
        every = every if every is not None and every > 0 else None
        return Policy(every, self.min_interval, self.max_interval, self.min_interval, self.backoff_cap, self.suspend_after, self.suspended_every)


@dataclass(frozen=True)
class NextCheck:
    """When to poll next, whether the source is suspended, and which input decided."""

    at: datetime
    suspended: bool
    reason: str


def plan_next_check(now: datetime, policy: Policy, hints: Hints, error_count: int, jitter: float) -> NextCheck:
    """The next poll of a source, given its policy, what the server said and its consecutive failures.

    `jitter` is a random number in [0, 1) drawn by the caller. Reasons and bounds (d = at - now, s):

    Success (error_count <= 0), before Retry-After:
      - fixed interval (policy.interval set): d = interval, raised to the server's freshness
        (ttl, max-age, else Expires) when that is longer, then capped: 0 < d <= max_interval.
        Reason "interval", "ttl", "max-age", "expires" or "max-interval". Not jittered.
      - adaptive (interval None): d = publish_interval (else min_interval) times a jitter factor in
        [0.9, 1.1), raised to the server's freshness, then clamped: min_interval <= d <= max_interval.
        Reason "adaptive" (publish_interval decided), "min-interval" (no publish_interval, or a shorter
        one), "max-interval", "ttl", "max-age" or "expires".
    Failure (1 <= error_count < suspend_after): d = backoff_seconds(error_count, backoff_base,
      backoff_cap, jitter), so min(backoff_base, backoff_cap) / 2 <= d <= backoff_cap. Reason "backoff".
    Suspended (error_count >= suspend_after): d = suspended_every, suspended=True. Reason "suspended".

    In every case a Retry-After later than that wins (reason "retry-after"), honoured up to
    policy.ceiling = max(max_interval, suspended_every). So always now < at <= now + policy.ceiling,
    and at >= min(hints.retry_after, now + policy.ceiling) when a Retry-After was given.
    Max-age takes precedence over Expires, as in HTTP caching; ttl counts besides either.
    """
    if not 0 <= jitter < 1:
        raise ValueError(f"jitter must be in [0, 1), not {jitter}")
    suspended = error_count >= policy.suspend_after
    if suspended:
        delay, reason = policy.suspended_every, "suspended"
    elif error_count > 0:
        attempt = min(error_count, 1000)  # 2**1000 passes any cap; more would overflow a float
        delay, reason = backoff_seconds(attempt, policy.backoff_base, policy.backoff_cap, jitter), "backoff"
    else:
        delay, reason = _healthy_delay(now, policy, hints, jitter)
    at = now + timedelta(seconds=delay)
    if hints.retry_after is not None:
        asked = min(hints.retry_after, now + timedelta(seconds=policy.ceiling))
        if asked > at:
            at, reason = asked, "retry-after"
    return NextCheck(at, suspended, reason)


def _healthy_delay(now: datetime, policy: Policy, hints: Hints, jitter: float) -> tuple[float, str]:
    """Seconds until the next poll of a healthy source and the input that decided them."""
    if policy.interval is not None:
        delay, reason, floor = policy.interval, "interval", 0.0
    elif hints.publish_interval is not None:
        delay, reason, floor = hints.publish_interval * (0.9 + 0.2 * jitter), "adaptive", policy.min_interval
    else:
        delay, reason, floor = policy.min_interval * (0.9 + 0.2 * jitter), "min-interval", policy.min_interval
    for asked, name in _freshness(now, hints):
        if asked > delay:
            delay, reason = asked, name
    if delay < floor:
        delay, reason = floor, "min-interval"
    if delay > policy.max_interval:
        delay, reason = policy.max_interval, "max-interval"
    return delay, reason


def _freshness(now: datetime, hints: Hints) -> list[tuple[float, str]]:
    """How long the server asked not to be polled again, per hint (max-age overrides Expires)."""
    asked: list[tuple[float, str]] = []
    if hints.ttl_minutes is not None and hints.ttl_minutes > 0:
        asked.append((hints.ttl_minutes * 60.0, "ttl"))
    if hints.max_age is not None:
        if hints.max_age > 0:
            asked.append((float(hints.max_age), "max-age"))
    elif hints.expires is not None and hints.expires > now:
        asked.append(((hints.expires - now).total_seconds(), "expires"))
    return asked


def server_hints(headers: Mapping[str, str], now: datetime) -> Hints:
    """What a response's headers say about caching (Cache-Control max-age, Expires, Retry-After)."""
    lower = {k.lower(): v for k, v in headers.items()}
    return Hints(
        max_age=parse_cache_control(lower.get("cache-control")),
        expires=parse_expires(lower.get("expires")),
        retry_after=parse_retry_after(lower.get("retry-after"), now),
    )


class _Located(Protocol):
    @property
    def url(self) -> str: ...

    @property
    def fetch_seconds(self) -> float | None: ...  # how long its fetches take (None: not known)


FETCH_SMOOTHING = 0.5  # the weight of the newest fetch's time in a feed's `fetch_seconds`


def smoothed_fetch(before: float | None, took: float | None) -> float | None:
    """A feed's fetch time after one more fetch: an exponential moving average (the first fetch's time alone)."""
    if took is None:
        return before
    return took if before is None else before + FETCH_SMOOTHING * (took - before)


J = TypeVar("J", bound=_Located)  # a feed to poll


class DueQueue(Generic[J]):
    """A poll's due feeds by host, handed out a few at a time: `take` gives each host's next feeds while
    it has room (`per_host` at most not yet fetched, counting `busy`), hosts in turn (one served goes to
    the back of the line), each feed once. Hosts start longest chain first (`chain_seconds`: a slow host
    started last would end the cycle alone), each host's feeds in the order given (most overdue first);
    hosts with chains alike keep the order given. Pure: no clock, no store."""

    def __init__(self, jobs: Iterable[J], per_host: int = 1) -> None:
        hosts: dict[str, deque[J]] = {}
        for job in jobs:
            hosts.setdefault(host_of(job.url), deque()).append(job)
        known = sorted(t for line in hosts.values() for j in line if (t := j.fetch_seconds) is not None)
        guess = known[len(known) // 2] if known else 0.0  # a feed not fetched yet: the median feed
        chains = {host: chain_seconds(line, per_host, guess) for host, line in hosts.items()}
        self.hosts = dict(sorted(hosts.items(), key=lambda item: -chains[item[0]]))  # stable: ties keep the order given

    def __bool__(self) -> bool:
        return bool(self.hosts)

    def has(self, host: str) -> bool:
        """Whether feeds of `host` are still to be handed out."""
        return host in self.hosts

    def drop(self, host: str) -> None:
        """Hand out none of `host`'s feeds (another daemon polls that host)."""
        self.hosts.pop(host, None)

    def count(self, host: str) -> int:
        """How many of `host`'s feeds are still to be handed out."""
        return len(self.hosts.get(host, ()))

    def take(self, per_host: int, busy: Mapping[str, int], limit: int, held: Container[str] | None = None, slots: int = 0,
             ahead: int = 0, elsewhere: Container[str] = ()) -> list[J]:
        """At most `limit` feeds, at most `per_host + ahead - busy[host]` of any host (`per_host - busy[host]`
        of a host in `elsewhere`); with `held` (the hosts a daemon holds), feeds of hosts not in it only
        while `slots` are left, each such host using min(per_host, its feeds) of them."""
        picked: list[J] = []
        for host in list(self.hosts):
            room = min(per_host + (0 if host in elsewhere else ahead) - busy.get(host, 0), limit - len(picked))
            if room > 0 and held is not None and host not in held:
                if slots <= 0:
                    continue
                slots -= min(per_host, len(self.hosts[host]))
            if room > 0:
                jobs = self.hosts.pop(host)
                picked += [jobs.popleft() for _ in range(min(room, len(jobs)))]
                if jobs:
                    self.hosts[host] = jobs  # the back of the line
            elif len(picked) >= limit:
                break
        return picked


def chain_seconds(jobs: Collection[J], per_host: int, guess: float) -> float:
    """How long a host's feeds take at `per_host` at once: their fetch times (`guess` where not known) over
    the fetches that run side by side."""
    total = sum(guess if (t := j.fetch_seconds) is None else t for j in jobs)
    return total / max(1, min(per_host, len(jobs)))


# -- in words, for the log -----------------------------------------------------------------------


def plain_delay(seconds: float) -> str:
    """A wait as a person says it: "45 s", "12 min", "1 h 3 min", "2 d 4 h" (rounded to its two largest units)."""
    if seconds < 59.5:
        return f"{max(0, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(round(seconds / 3600), 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def plain_reason(reason: str, hints: Hints) -> str:
    """What decided a plan (`NextCheck.reason`), in words: "ttl 60 min from the feed"."""
    words = {
        "ttl": f"ttl {hints.ttl_minutes} min from the feed",
        "max-age": f"Cache-Control max-age {plain_delay(hints.max_age or 0)} from the server",
        "expires": "Expires from the server",
        "retry-after": "Retry-After from the server",
        "interval": "the source's fixed `every`",
        "adaptive": f"the feed publishes about every {plain_delay(hints.publish_interval or 0)}",
        "min-interval": "[schedule] min_interval",
        "max-interval": "[schedule] max_interval",
        "backoff": "backing off after failures",
        "suspended": "suspended after repeated failures",
    }
    return words.get(reason, reason)
