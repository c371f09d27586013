"""monitor.schedule: pure poll timing (plan_next_check, the header parsers), by table and by property."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.hosts import host_of
from monitor.schedule import (
    DueQueue,
    Hints,
    NextCheck,
    Policy,
    PollPolicy,
    parse_cache_control,
    parse_expires,
    parse_retry_after,
    plan_next_check,
    publish_interval,
    server_hints,
    smoothed_fetch,
)

NOW = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
HOUR = 3600.0
DAY = 86400.0


def later(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


# -- plan_next_check: every branch --------------------------------------------------------------

# (policy, hints, error_count, jitter, expected seconds from NOW, suspended, reason)
CASES = [
    # success, fixed per-source interval: not jittered, not raised to min_interval, capped at max_interval
    pytest.param(Policy(interval=600), Hints(), 0, 0.5, 600, False, "interval", id="fixed-interval"),
    pytest.param(Policy(interval=600), Hints(), 0, 0.99, 600, False, "interval", id="fixed-interval-not-jittered"),
    pytest.param(Policy(interval=60), Hints(), 0, 0.5, 60, False, "interval", id="fixed-interval-below-min-interval-kept"),
    pytest.param(Policy(interval=3 * DAY), Hints(), 0, 0.5, DAY, False, "max-interval", id="fixed-interval-capped-at-max-interval"),
    pytest.param(Policy(interval=60), Hints(ttl_minutes=30), 0, 0.5, 1800, False, "ttl", id="fixed-interval-raised-to-ttl"),
    pytest.param(Policy(interval=600), Hints(ttl_minutes=5), 0, 0.5, 600, False, "interval", id="fixed-interval-shorter-ttl-ignored"),
    pytest.param(Policy(interval=600), Hints(), -1, 0.5, 600, False, "interval", id="negative-error-count-is-success"),
    # success, adaptive: the feed's publish interval, jittered ±10%, clamped to [min_interval, max_interval]
    pytest.param(Policy(), Hints(publish_interval=HOUR), 0, 0.5, HOUR, False, "adaptive", id="adaptive-publish-interval"),
    pytest.param(Policy(), Hints(publish_interval=HOUR), 0, 0.0, 0.9 * HOUR, False, "adaptive", id="adaptive-jitter-lowest"),
    pytest.param(Policy(), Hints(publish_interval=HOUR), 0, 0.75, 1.05 * HOUR, False, "adaptive", id="adaptive-jitter-high"),
    pytest.param(Policy(), Hints(), 0, 0.5, 300, False, "min-interval", id="adaptive-no-history-uses-min-interval"),
    pytest.param(Policy(), Hints(), 0, 0.0, 300, False, "min-interval", id="adaptive-no-history-jitter-never-below-min"),
    pytest.param(Policy(), Hints(), 0, 0.9, 324, False, "min-interval", id="adaptive-no-history-jitter-above-min"),
    pytest.param(Policy(), Hints(publish_interval=30), 0, 0.5, 300, False, "min-interval", id="adaptive-busy-feed-raised-to-min-interval"),
    pytest.param(Policy(), Hints(publish_interval=0), 0, 0.5, 300, False, "min-interval", id="adaptive-burst-feed-raised-to-min-interval"),
    pytest.param(Policy(), Hints(publish_interval=10 * DAY), 0, 0.5, DAY, False, "max-interval", id="adaptive-quiet-feed-capped-at-max-interval"),
    # success: the server asks for longer
    pytest.param(Policy(), Hints(publish_interval=600, ttl_minutes=60), 0, 0.5, HOUR, False, "ttl", id="ttl-longer-wins"),
    pytest.param(Policy(), Hints(publish_interval=HOUR, ttl_minutes=10), 0, 0.5, HOUR, False, "adaptive", id="ttl-shorter-ignored"),
    pytest.param(Policy(), Hints(publish_interval=600, ttl_minutes=0), 0, 0.5, 600, False, "adaptive", id="ttl-zero-ignored"),
    pytest.param(Policy(), Hints(publish_interval=600, ttl_minutes=100_000), 0, 0.5, DAY, False, "max-interval", id="ttl-capped-at-max-interval"),
    pytest.param(Policy(), Hints(publish_interval=600, max_age=7200), 0, 0.5, 7200, False, "max-age", id="max-age-longer-wins"),
    pytest.param(Policy(), Hints(publish_interval=600, max_age=60), 0, 0.5, 600, False, "adaptive", id="max-age-shorter-ignored"),
    pytest.param(Policy(), Hints(publish_interval=600, expires=later(2 * HOUR)), 0, 0.5, 2 * HOUR, False, "expires", id="expires-longer-wins"),
    pytest.param(Policy(), Hints(publish_interval=600, expires=later(-HOUR)), 0, 0.5, 600, False, "adaptive", id="expires-in-the-past-ignored"),
    pytest.param(Policy(), Hints(publish_interval=600, max_age=60, expires=later(5 * HOUR)), 0, 0.5, 600, False, "adaptive",
                 id="max-age-overrides-expires"),
    pytest.param(Policy(), Hints(publish_interval=600, max_age=0, expires=later(5 * HOUR)), 0, 0.5, 600, False, "adaptive",
                 id="max-age-zero-still-overrides-expires"),
    pytest.param(Policy(), Hints(publish_interval=600, ttl_minutes=30, max_age=7200), 0, 0.5, 7200, False, "max-age",
                 id="longest-server-hint-wins"),
    # Retry-After: wins when later, capped at max(max_interval, suspended_every)
    pytest.param(Policy(), Hints(publish_interval=600, retry_after=later(HOUR)), 0, 0.5, HOUR, False, "retry-after", id="retry-after-later-on-success"),
    pytest.param(Policy(), Hints(publish_interval=600, retry_after=later(60)), 0, 0.5, 600, False, "adaptive", id="retry-after-earlier-on-success"),
    pytest.param(Policy(), Hints(publish_interval=600, retry_after=later(30 * DAY)), 0, 0.5, DAY, False, "retry-after", id="retry-after-capped-at-ceiling"),
    pytest.param(Policy(interval=60), Hints(retry_after=later(HOUR)), 0, 0.5, HOUR, False, "retry-after", id="retry-after-over-fixed-interval"),
    # failures: exponential backoff with jitter, never before Retry-After
    pytest.param(Policy(), Hints(), 1, 0.5, 225, False, "backoff", id="backoff-first-failure"),
    pytest.param(Policy(), Hints(), 1, 0.0, 150, False, "backoff", id="backoff-first-failure-jitter-lowest"),
    pytest.param(Policy(), Hints(), 3, 0.5, 900, False, "backoff", id="backoff-third-failure"),
    pytest.param(Policy(), Hints(), 9, 0.5, 16200, False, "backoff", id="backoff-capped"),
    pytest.param(Policy(), Hints(publish_interval=60, ttl_minutes=600), 1, 0.5, 225, False, "backoff", id="backoff-ignores-success-hints"),
    pytest.param(Policy(), Hints(retry_after=later(HOUR)), 1, 0.5, HOUR, False, "retry-after", id="backoff-retry-after-later"),
    pytest.param(Policy(), Hints(retry_after=later(60)), 3, 0.5, 900, False, "backoff", id="backoff-retry-after-earlier"),
    pytest.param(Policy(suspend_after=10**6), Hints(), 5000, 0.5, 16200, False, "backoff", id="backoff-huge-error-count-does-not-overflow"),
    # suspension: a slow retry rate once failures reach suspend_after
    pytest.param(Policy(), Hints(), 10, 0.5, DAY, True, "suspended", id="suspended-at-threshold"),
    pytest.param(Policy(), Hints(), 5000, 0.99, DAY, True, "suspended", id="suspended-far-beyond-threshold"),
    pytest.param(Policy(suspend_after=3, suspended_every=7 * HOUR), Hints(), 3, 0.5, 7 * HOUR, True, "suspended", id="suspended-custom-policy"),
    pytest.param(Policy(max_interval=2 * DAY), Hints(retry_after=later(1.5 * DAY)), 10, 0.5, 1.5 * DAY, True, "retry-after",
                 id="suspended-retry-after-later"),
    pytest.param(Policy(), Hints(retry_after=later(HOUR)), 10, 0.5, DAY, True, "suspended", id="suspended-retry-after-earlier"),
]


@pytest.mark.parametrize(("policy", "hints", "errors", "jitter", "seconds", "suspended", "reason"), CASES)
def test_plan_next_check(policy: Policy, hints: Hints, errors: int, jitter: float, seconds: float, suspended: bool, reason: str) -> None:
    plan = plan_next_check(NOW, policy, hints, errors, jitter)
    assert plan == NextCheck(later(seconds), suspended, reason)


@pytest.mark.parametrize("jitter", [-0.1, 1.0, 2.0], ids=["negative", "one", "two"])
def test_jitter_outside_unit_interval_is_refused(jitter: float) -> None:
    with pytest.raises(ValueError, match="jitter"):
        plan_next_check(NOW, Policy(), Hints(), 0, jitter)


@pytest.mark.parametrize("fields", [
    pytest.param({"interval": 0}, id="zero-interval"),
    pytest.param({"min_interval": 0}, id="zero-min-interval"),
    pytest.param({"min_interval": 600, "max_interval": 300}, id="min-above-max"),
    pytest.param({"backoff_base": 0}, id="zero-backoff-base"),
    pytest.param({"backoff_base": 600, "backoff_cap": 300}, id="backoff-base-above-cap"),
    pytest.param({"suspend_after": 0}, id="suspend-after-zero"),
    pytest.param({"suspended_every": 60}, id="suspended-faster-than-backoff-cap"),
])
def test_inconsistent_policy_is_refused(fields: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Policy(**fields)  # type: ignore[arg-type]


# -- parsers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    pytest.param("max-age=3600", 3600.0, id="max-age"),
    pytest.param("public, max-age=60, must-revalidate", 60.0, id="among-others"),
    pytest.param("MAX-AGE = 60", 60.0, id="case-and-spaces"),
    pytest.param('max-age="60"', 60.0, id="quoted"),
    pytest.param("max-age=0", 0.0, id="zero"),
    pytest.param("no-cache, max-age=60", None, id="no-cache-ignored"),
    pytest.param("max-age=60, No-Store", None, id="no-store-ignored"),
    pytest.param("s-maxage=100", None, id="shared-cache-only"),
    pytest.param("max-age=-1", None, id="negative"),
    pytest.param("max-age=soon", None, id="garbage"),
    pytest.param("", None, id="empty"),
    pytest.param(None, None, id="absent"),
])
def test_parse_cache_control(value: str | None, expected: float | None) -> None:
    assert parse_cache_control(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    pytest.param("120", later(120), id="delta-seconds"),
    pytest.param(" 120 ", later(120), id="delta-seconds-padded"),
    pytest.param("0", NOW, id="zero"),
    pytest.param("-5", NOW, id="negative-is-now"),
    pytest.param("Mon, 01 Jan 2024 13:00:00 GMT", later(HOUR), id="imf-fixdate"),
    pytest.param("Monday, 01-Jan-24 13:00:00 GMT", later(HOUR), id="rfc850-date"),
    pytest.param("Mon Jan  1 13:00:00 2024", later(HOUR), id="asctime-date"),
    pytest.param("Sun, 31 Dec 2023 12:00:00 GMT", NOW, id="past-date-is-now"),
    pytest.param("99999999999999999999", later(10 * 365 * DAY), id="absurd-delay-read-as-ten-years"),
    pytest.param("1.5", None, id="fraction-is-garbage"),
    pytest.param("soon", None, id="garbage"),
    pytest.param("", None, id="empty"),
    pytest.param(None, None, id="absent"),
])
def test_parse_retry_after(value: str | None, expected: datetime | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(("value", "expected"), [
    pytest.param("Mon, 01 Jan 2024 13:00:00 GMT", later(HOUR), id="imf-fixdate"),
    pytest.param("Mon, 01 Jan 2024 14:00:00 +0100", later(HOUR), id="offset-made-utc"),
    pytest.param("Sun, 31 Dec 2023 12:00:00 GMT", later(-DAY), id="past-date-kept"),
    pytest.param("0", None, id="zero"),
    pytest.param("-1", None, id="minus-one"),
    pytest.param("tomorrow", None, id="garbage"),
    pytest.param("", None, id="empty"),
    pytest.param(None, None, id="absent"),
])
def test_parse_expires(value: str | None, expected: datetime | None) -> None:
    parsed = parse_expires(value)
    assert parsed == expected
    assert parsed is None or parsed.tzinfo == UTC


def entries(*gaps: float) -> list[datetime]:
    """Entry times newest first, NOW and then each gap further back."""
    times = [NOW]
    for gap in gaps:
        times.append(times[-1] - timedelta(seconds=gap))
    return times


@pytest.mark.parametrize(("times", "expected"), [
    pytest.param([], None, id="no-entries"),
    pytest.param(entries(), None, id="one-entry"),
    pytest.param(entries(600), 600.0, id="two-entries"),
    pytest.param(entries(60, 600, 6000), 600.0, id="median-of-odd"),
    pytest.param(entries(60, 600, 1200, 6000), 900.0, id="median-of-even"),
    pytest.param(entries(0, 0), 0.0, id="same-time"),
])
def test_publish_interval(times: list[datetime], expected: float | None) -> None:
    assert publish_interval(times) == expected
    assert publish_interval(list(reversed(times))) == expected  # the order of the input does not matter


def test_publish_interval_uses_only_the_newest_ten_entries() -> None:
    recent = [NOW - timedelta(minutes=10 * i) for i in range(10)]
    ancient = [NOW - timedelta(days=365 + i) for i in range(30)]
    assert publish_interval(ancient + recent) == 600.0


# -- properties ----------------------------------------------------------------------------------

@st.composite
def policies(draw: st.DrawFn) -> Policy:
    min_interval = draw(st.floats(1, 10 * DAY))
    backoff_base = draw(st.floats(1, DAY))
    backoff_cap = backoff_base + draw(st.floats(0, 10 * DAY))
    return Policy(
        interval=draw(st.none() | st.floats(1, 100 * DAY)),
        min_interval=min_interval,
        max_interval=min_interval + draw(st.floats(0, 30 * DAY)),
        backoff_base=backoff_base,
        backoff_cap=backoff_cap,
        suspend_after=draw(st.integers(1, 40)),
        suspended_every=backoff_cap + draw(st.floats(0, 10 * DAY)),
    )


offsets = st.floats(-100 * DAY, 100 * DAY).map(later)
hints_st = st.builds(
    Hints,
    ttl_minutes=st.none() | st.integers(-10, 10**6),
    max_age=st.none() | st.floats(0, 100 * DAY),
    expires=st.none() | offsets,
    retry_after=st.none() | offsets,
    publish_interval=st.none() | st.floats(0, 100 * DAY),
)
jitters = st.floats(0, 1, exclude_max=True)
EPS = 1e-5  # timedelta keeps microseconds


@given(policies(), hints_st, st.integers(0, 100), jitters)
def test_next_check_is_after_now_and_within_its_bounds(policy: Policy, hints: Hints, errors: int, jitter: float) -> None:
    plan = plan_next_check(NOW, policy, hints, errors, jitter)
    delay = (plan.at - NOW).total_seconds()
    assert plan.at > NOW
    assert delay <= policy.ceiling + EPS
    assert plan.suspended == (errors >= policy.suspend_after)
    if hints.retry_after is not None:
        assert plan.at >= min(hints.retry_after, later(policy.ceiling))
    if plan.reason == "retry-after":
        return
    if plan.suspended:
        assert plan.reason == "suspended" and delay == pytest.approx(policy.suspended_every)
    elif errors > 0:
        assert plan.reason == "backoff"
        assert min(policy.backoff_base, policy.backoff_cap) / 2 - EPS <= delay <= policy.backoff_cap + EPS
    elif policy.interval is not None:
        assert 0 < delay <= policy.max_interval + EPS
    else:
        assert policy.min_interval - EPS <= delay <= policy.max_interval + EPS


@given(policies(), hints_st, st.integers(1, 100), st.integers(1, 100), jitters)
def test_next_check_is_monotone_in_error_count(policy: Policy, hints: Hints, a: int, b: int, jitter: float) -> None:
    fewer, more = sorted((a, b))
    assert plan_next_check(NOW, policy, hints, fewer, jitter).at <= plan_next_check(NOW, policy, hints, more, jitter).at


@given(st.floats(1, 100 * DAY), jitters)
def test_adaptive_jitter_stays_within_ten_percent(interval: float, jitter: float) -> None:
    policy = Policy(min_interval=1, max_interval=1000 * DAY)
    delay = (plan_next_check(NOW, policy, Hints(publish_interval=interval), 0, jitter).at - NOW).total_seconds()
    assert 0.9 * interval - EPS <= delay <= 1.1 * interval + EPS


@given(st.text(max_size=60))
def test_parsers_never_raise_on_any_text(value: str) -> None:
    age = parse_cache_control(value)
    assert age is None or age >= 0
    retry = parse_retry_after(value, NOW)
    assert retry is None or retry >= NOW
    expires = parse_expires(value)
    assert expires is None or expires.tzinfo is not None


@given(st.lists(offsets, max_size=30))
def test_publish_interval_is_a_gap_of_the_newest_entries(times: list[datetime]) -> None:
    gap = publish_interval(times)
    if len(times) < 2:
        assert gap is None
    else:
        newest = sorted(times, reverse=True)[:10]
        assert gap is not None and 0 <= gap <= (newest[0] - newest[-1]).total_seconds() + EPS


def test_server_hints_read_the_caching_headers_whatever_their_case() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    hints = server_hints({"Cache-Control": "public, max-age=600", "EXPIRES": "Thu, 01 Jan 2026 02:00:00 GMT", "retry-after": "120"}, now)
    assert (hints.max_age, hints.expires, hints.retry_after) == (600.0, datetime(2026, 1, 1, 2, tzinfo=UTC), now + timedelta(seconds=120))
    assert server_hints({}, now) == Hints()


def test_a_poll_policy_gives_each_source_its_policy() -> None:
    policy = PollPolicy(min_interval=60, max_interval=3600, backoff_cap=600, suspend_after=3, suspended_every=7200, per_host=2)
    assert policy.for_source(None) == Policy(None, 60, 3600, 60, 600, 3, 7200)
    assert policy.for_source(90).interval == 90
    for stored in (0, -5, float("nan")):  # stored by `sources add --every` before it checked: the whole poll failed on them
        assert policy.for_source(stored) == policy.for_source(None)


# -- a poll's due feeds, handed out as hosts get room (issue 18) -------------------------------------

@dataclass(frozen=True)
class Job:
    id: int
    url: str
    fetch_seconds: float | None = None


def test_a_due_queue_gives_each_host_its_room_hosts_in_turn_each_feed_once() -> None:
    hosts = ["a", "a", "a", "b", "c", "a"]
    queue = DueQueue([Job(i, f"https://{h}.example/{i}") for i, h in enumerate(hosts)])
    assert [j.id for j in queue.take(2, {}, 100)] == [0, 1, 3, 4]  # at most per_host of a host
    assert queue.take(2, {"a.example": 2}, 100) == []  # a's two not fetched yet: no room
    assert [j.id for j in queue.take(2, {"a.example": 1}, 100)] == [2]
    assert [j.id for j in queue.take(2, {}, 1)] == [5] and not queue


@given(st.lists(st.integers(0, 4), max_size=40), st.integers(1, 3), st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3), st.integers(0, 6)), min_size=1, max_size=60))
def test_a_due_queue_hands_out_every_feed_once_in_order_within_its_room(hosts: list[int], per_host: int, takes: list[tuple[int, int, int]]) -> None:
    jobs = [Job(i, f"http://h{h}.example/{i}") for i, h in enumerate(hosts)]
    queue, given_out = DueQueue(jobs), list[Job]()
    for busy_host, busy, limit in [*takes, *[(0, 0, len(jobs))] * len(jobs)]:  # then free takes until it is empty
        taken = queue.take(per_host, {f"h{busy_host}.example": busy}, limit)
        assert len(taken) <= limit
        for host, count in Counter(host_of(j.url) for j in taken).items():
            assert count <= per_host - (busy if host == f"h{busy_host}.example" else 0)
        given_out += taken
    assert not queue and sorted(j.id for j in given_out) == list(range(len(jobs)))  # each once
    for h in set(hosts):  # a host's feeds in the order given (most overdue first)
        mine = [j.id for j in given_out if host_of(j.url) == f"h{h}.example"]
        assert mine == sorted(mine)



def test_a_due_queue_drops_a_host_another_daemon_polls() -> None:
    queue = DueQueue([Job(i, f"https://{'ab'[i % 2]}.example/{i}") for i in range(6)])
    assert queue.has("a.example") and queue.has("b.example")
    queue.drop("a.example")
    queue.drop("c.example")  # none of its feeds: nothing happens
    assert not queue.has("a.example") and [j.id for j in queue.take(3, {}, 10)] == [1, 3, 5] and not queue


def test_a_due_queue_gives_feeds_of_held_hosts_and_of_new_hosts_while_fetch_slots_are_left() -> None:
    jobs = [Job(i, f"https://{'abc'[i % 3]}.example/{i}") for i in range(9)] + [Job(9, "https://d.example/9")]
    queue = DueQueue(jobs)
    assert [j.id for j in queue.take(2, {}, 10, held={"b.example"}, slots=2)] == [0, 3, 1, 4]  # a new (2 at once: no slot left), b held
    assert queue.count("c.example") == 3 and queue.count("d.example") == 1
    assert [j.id for j in queue.take(2, {"b.example": 1}, 10, held={"b.example"}, slots=1)] == [2, 5, 7]  # one slot left: c (wanting 2) goes
    assert [j.id for j in queue.take(4, {}, 10, held=set(), slots=0)] == []  # no slot: no new host
    assert [j.id for j in queue.take(5, {}, 10)] == [9, 6, 8]  # no holding: every host


def test_a_due_queue_starts_the_hosts_with_the_longest_chains_of_fetches_first() -> None:
    """Issue 18: a slow host's chain of fetches, started wherever it fell in the due order, ended the
    cycle alone. Hosts now start longest chain first: its feeds' fetch times over per_host (a feed not
    fetched yet counts as the median feed); each host's feeds keep the order given."""
    jobs = [Job(0, "https://a.example/0", 0.2), Job(1, "https://a.example/1", 0.2), Job(2, "https://a.example/2", 0.2),
            Job(3, "https://c.example/3"), Job(4, "https://b.example/4", 3.0), Job(5, "https://b.example/5", 3.0)]
    queue = DueQueue(jobs, per_host=2)  # chains: b 6.0 / 2, a 0.6 / 2, c the median 0.2 / 1
    assert [j.id for j in queue.take(2, {}, 100, held=set(), slots=2)] == [4, 5]  # two slots: the slow host alone
    assert [j.id for j in queue.take(2, {}, 100)] == [0, 1, 3]
    assert [j.id for j in DueQueue([Job(7, "https://d.example/7", 0.1), Job(8, "https://e.example/8", 0.1)], per_host=2).take(1, {}, 9)] == [7, 8]  # alike: as given
    assert [j.id for j in DueQueue(jobs).take(1, {}, 100)] == [4, 0, 3]  # one at a time to a host: b 6.0, a 0.6, c 0.2


def test_a_feeds_fetch_time_is_smoothed_over_its_fetches() -> None:
    assert smoothed_fetch(None, 2.0) == 2.0  # the first fetch alone
    assert smoothed_fetch(2.0, None) == 2.0  # no fetch made: kept
    assert smoothed_fetch(2.0, 4.0) == 3.0
    assert smoothed_fetch(None, None) is None
