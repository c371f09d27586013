"""Pure: hourly buckets, the spike test, one spike per rise, escalation weights, sparklines, silent sources.

No I/O, no clock: the store hands in counts per hour, the caller hands in `now`. See docs/trends.md.

The spike test compares the stories of the last 3, 6, ... `window` hours with a rate from every hour of
the trailing `weeks` weeks, scaled by the hour-of-day and weekday profile of all the series checked,
negative binomial with the series' own day-to-day spread beyond Poisson (at least MIN_CV), so that a
steady but bursty high-volume actor does not fire; Bonferroni over the stretches. The threshold on p is
calibrated once a day (calibrate) to the chance rises the baselines expect over all the entry's series,
a budget a week; or a fixed significance over the series (Bonferroni). Tails from lgamma and the ratio of
successive terms (numpy): no scipy.
Over 300 lines: the spike test and its calibration, the weights, sparklines and silence are one small pure vocabulary used together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

import numpy as np
from datetime import UTC, datetime, timedelta

HOUR = timedelta(hours=1)
Count = TypeVar("Count", float, np.ndarray)  # a mean, or many
WEEK_HOURS = 168
REARM_P = 0.1  # a series that fired fires again only after its p-value has come back above this (fallen back)
MIN_CV = 0.3  # a day's news volume varies at least this much (relative sd) beyond Poisson; more when a series shows more
PROFILE_PRIOR = 24.0  # stories per hour-of-day or weekday slot pulling a profile towards flat
PRIOR = 0.5  # pseudo-count added to the baseline's total: a series never seen has a small rate, not zero
CAP = 0.01  # a calibrated threshold is never above this (the test re-arms above REARM_P)
FLOOR = 1e-12  # nor below this: rarer counts add nothing a budget can see
SPARKS = "▁▂▃▄▅▆▇█"

# CAMEO root code -> Goldstein conflict-cooperation value of the root (the codebook's `x0` code of each
# root, as GDELT publishes them): -10 most conflictual, +10 most cooperative. See docs/trends.md.
GOLDSTEIN: dict[str, float] = {
    "01": 0.0, "02": 3.0, "03": 4.0, "04": 1.0, "05": 3.5, "06": 6.0, "07": 7.0, "08": 5.0, "09": -2.0, "10": -5.0,
    "11": -2.0, "12": -4.0, "13": -4.4, "14": -6.5, "15": -7.2, "16": -4.0, "17": -5.0, "18": -9.0, "19": -10.0, "20": -10.0,
}
NO_CAMEO_WEIGHT = 0.5  # conflict weight of an event with no CAMEO code


def hour_of(at: datetime) -> datetime:
    """The UTC hour bucket a time falls in."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def conflict_weight(cameo: str) -> float:
    """0..1: how conflictual an event's CAMEO root is (-Goldstein / 10; cooperation counts 0)."""
    if not cameo:
        return NO_CAMEO_WEIGHT
    return max(0.0, -GOLDSTEIN.get(cameo[:2], 0.0)) / 10


def event_weight(severity: int, cameo: str) -> float:
    """A story's escalation weight for one event: (1 + severity) x conflict weight."""
    return (1 + max(0, severity)) * conflict_weight(cameo)


@dataclass(frozen=True)
class Mention:
    """A watched name in a story, with what the story adds to its counts."""

    kind: str  # "actor" | "event"
    name: str
    severity: int = 0
    cameo: str = ""


@dataclass(frozen=True)
class Bump:
    """One row to add a story to: actor or event ("" for the other), the severity, the escalation weight."""

    actor: str
    event: str
    severity: int
    score: float


def bumps(mentions: Sequence[Mention]) -> list[Bump]:
    """Rows one story adds 1 to: each actor, each event, each actor x event pair (each once)."""
    actors = sorted({m.name for m in mentions if m.kind == "actor"})
    events: dict[str, tuple[int, float]] = {}
    for m in mentions:
        if m.kind == "event":
            sev, weight = events.get(m.name, (0, 0.0))
            events[m.name] = (max(sev, m.severity), max(weight, event_weight(m.severity, m.cameo)))
    top_sev = max((s for s, _ in events.values()), default=0)
    top_weight = max((w for _, w in events.values()), default=0.0)
    rows = [Bump(a, "", top_sev, top_weight) for a in actors]
    rows += [Bump("", e, s, w) for e, (s, w) in sorted(events.items())]
    rows += [Bump(a, e, s, w) for a in actors for e, (s, w) in sorted(events.items())]
    return rows


def _log_pmf(mean: float, variance: float) -> Callable[[int], float]:
    """log P(X = k): Poisson of this mean, or the negative binomial of this mean and variance."""
    mean = max(mean, 1e-9)
    if variance <= mean * 1.0001:
        return lambda k: k * math.log(mean) - mean - math.lgamma(k + 1)
    r = mean * mean / (variance - mean)
    q = mean / (r + mean)  # the chance of each further count
    return lambda k: math.lgamma(k + r) - math.lgamma(r) - math.lgamma(k + 1) + r * math.log1p(-q) + k * math.log(q)


def tail(observed: int, mean: float, variance: float) -> float:
    """P(X >= observed) for counts of this mean: Poisson, or negative binomial when variance > mean."""
    if observed <= 0:
        return 1.0
    mean = max(mean, 1e-9)
    log_term = _log_pmf(mean, variance)
    total, k = 0.0, observed
    while True:
        term = math.exp(log_term(k))
        total += term
        if (k > mean + 10 * math.sqrt(variance + mean) + 10 and term < total * 1e-16) or term == 0.0 and k > mean:
            return min(1.0, total)
        k += 1
        if k > observed + 1_000_000:  # bounded: a hostile count cannot loop for ever
            return min(1.0, total)


@dataclass(frozen=True)
class Verdict:
    """The spike test for one series at one time: the busiest stretch ending now against its baseline."""

    count: int
    usual: float  # the count expected in those hours from the trailing weeks
    spread: float  # its standard deviation (Poisson, news-cycle overdispersion, the baseline's own error)
    p: float  # Bonferroni over the stretches tested (see lengths)
    hours: int = 24  # the stretch ending now that counted: one of lengths(window)

    def spike(self, min_count: int, significance: float, series: int = 1) -> bool:
        """Fires below significance / series: Bonferroni over the series one check of a spike entry tests."""
        return self.count >= min_count and self.p < significance / max(1, series)

    def describe(self) -> str:
        """'7 stories in 6 h, usual 0.4 ± 0.6; p < 0.001'."""
        return f"{self.count} stor{'y' if self.count == 1 else 'ies'} in {self.hours} h, usual {self.usual:.1f} ± {self.spread:.1f}; {p_text(self.p)}"


def p_text(p: float) -> str:
    for bound in (0.0001, 0.001, 0.01, 0.05):
        if p < bound:
            return f"p < {bound:g}"
    return f"p = {p:.2f}"


def window_count(counts: Mapping[datetime, int], end: datetime, window: int) -> int:
    """Stories in the `window` hours ending with the hour `end` (included)."""
    return sum(counts.get(end - i * HOUR, 0) for i in range(window))


def lengths(window: int) -> list[int]:
    """The stretches ending now that are tested: the window, then halved down to 3 h (24: 24, 12, 6, 3)."""
    out = [max(1, window)]
    while out[-1] // 2 >= 3:
        out.append(out[-1] // 2)
    return out


@dataclass(frozen=True)
class Profile:
    """Relative volume by hour of day and day of week (mean 1), from the stories of every series checked."""

    hour: tuple[float, ...] = (1.0,) * 24
    day: tuple[float, ...] = (1.0,) * 7

    def weight(self, at: datetime) -> float:
        return self.hour[at.hour] * self.day[at.weekday()]


def profile(counts: Mapping[datetime, int], smooth: float = PROFILE_PRIOR) -> Profile:
    """Hour-of-day and day-of-week shares of these (pooled) counts, each pulled to flat by `smooth` stories
    per slot: a few stories give a flat profile, thousands their own."""
    hour, day = [smooth] * 24, [smooth] * 7
    for at, n in counts.items():
        hour[at.hour] += n
        day[at.weekday()] += n
    return Profile(tuple(h * 24 / sum(hour) for h in hour), tuple(d * 7 / sum(day) for d in day))


def baseline_days(end: datetime, window: int, weeks: int) -> tuple[datetime, datetime]:
    """The baseline's span: the `weeks` x 7 whole UTC days before the day the window starts (first hour, the
    hour after the last): fixed for a day, so a daemon can read it once a day."""
    day = hour_of(end - (window - 1) * HOUR).replace(hour=0)
    return day - timedelta(days=7 * weeks), day


@dataclass(frozen=True)
class Baseline:
    """One series over the baseline days: stories seen, its news-cycle overdispersion, what the profile weighs."""

    seen: int
    cv2: float
    days: int
    weight: float  # the profile's sum over the baseline hours

    @property
    def rate(self) -> float:
        return self.seen + PRIOR


def baseline(counts: Mapping[datetime, int], first: datetime, last: datetime, shape: Profile = Profile()) -> Baseline:
    """A series' baseline from its hour counts in first..last (whole days): stories seen and, from its
    days, cv² = (Σ (x - m)² - Σ m) / Σ m² (method of moments, gamma-Poisson days), at least MIN_CV²."""
    days = max(1, (last - first) // timedelta(days=1))
    day_weight = _day_weights(first, days, shape)
    total = sum(day_weight) or 1.0
    got = [0] * days
    for at, n in counts.items():
        if first <= at < last:
            got[(at - first) // timedelta(days=1)] += n
    seen = sum(got)
    expect = [(seen + PRIOR) * w / total for w in day_weight]
    excess = sum((x - m) ** 2 - m for x, m in zip(got, expect, strict=True)) / max(1e-9, sum(m * m for m in expect))
    return Baseline(seen, max(MIN_CV ** 2, excess), days, total)


@lru_cache(maxsize=64)
def _day_weights(first: datetime, days: int, shape: Profile) -> list[float]:
    return [sum(shape.weight(first + (24 * d + i) * HOUR) for i in range(24)) for d in range(days)]


@lru_cache(maxsize=256)
def _stretch_weight(end: datetime, length: int, shape: Profile) -> float:
    return sum(shape.weight(end - i * HOUR) for i in range(length))


def variance_of(base: Baseline, mean: Count) -> Count:
    """The variance of a count of this mean: Poisson, the day's news cycle (cv2), and the rate's own error (from
    `seen` stories over `days` cycles)."""
    variance: Count = mean + base.cv2 * mean * mean + mean * mean * (1 / base.rate + base.cv2 / base.days)
    return variance


def judge(counts: Mapping[datetime, int], end: datetime, window: int, base: Baseline, shape: Profile = Profile(),
         min_count: int = 1) -> Verdict:
    """The stretches of lengths(window) ending with hour `end` against the baseline's rate scaled by `shape`:
    negative binomial, the smallest p times the stretches tested (Bonferroni)."""
    tested = lengths(window)
    best = Verdict(window_count(counts, end, window), 0.0, 0.0, 1.0, window)
    for length in tested:
        observed = window_count(counts, end, length)
        mean = base.rate * _stretch_weight(end, length, shape) / base.weight
        variance = variance_of(base, mean)
        p = min(1.0, tail(observed, mean, variance) * len(tested)) if observed >= min_count else 1.0
        if p < best.p or length == window and best.p >= 1.0:
            best = Verdict(observed, mean, math.sqrt(variance), p, length)
    return best


def verdict(counts: Mapping[datetime, int], end: datetime, window: int, weeks: int, shape: Profile = Profile(),
            min_count: int = 1) -> Verdict:
    """The spike test of one series from its hour counts: its baseline over baseline_days, then judge."""
    return judge(counts, end, window, baseline(counts, *baseline_days(end, window, weeks), shape), shape, min_count)


def step(firing: bool, v: Verdict, min_count: int, significance: float, series: int = 1) -> tuple[bool, bool]:
    """One spike per rise: (alert now, firing after). Fires when the test crosses the threshold; re-arms
    only once the series has fallen back (p above REARM_P)."""
    if firing:
        return False, v.p <= REARM_P
    if v.spike(min_count, significance, series):
        return True, True
    return False, False


def law(first: int, means: np.ndarray, variances: np.ndarray, count: int) -> np.ndarray:
    """P(X = k) for k = first ... first + count - 1, one row per (mean, variance): Poisson, or negative binomial
    when the variance is larger (the first term from lgamma, the rest by the ratio of successive terms)."""
    means = np.maximum(means, 1e-9)
    k = np.arange(first, first + count, dtype=float)[None, :]
    over = variances > means * 1.0001
    r = np.where(over, means * means / np.where(over, variances - means, 1.0), 1.0)
    ratio = np.where(over[:, None], (k + r[:, None]) / (k + 1) * (means / (r + means))[:, None], means[:, None] / (k + 1))
    start = np.array([_log_pmf(float(m), float(v))(first) for m, v in zip(means, variances, strict=True)])
    logs = start[:, None] + np.concatenate([np.zeros((len(means), 1)), np.cumsum(np.log(ratio[:, :-1]), axis=1)], axis=1)
    law: np.ndarray = np.exp(logs)  # in logs: a mean of 1000 starts at e^-1000 and still reaches its mode
    return law


def rise_table(base: Baseline, shape: Profile, ends: Sequence[datetime], length: int, min_count: int, stretches: int) -> tuple[int, np.ndarray, np.ndarray]:
    """For the checks ending with the hours `ends` (a row each), counts k = lo, lo + 1, ... (a column each):
    (lo, the test's p at k, the chance that a rise to k starts at that check) — see rises()."""
    weight = np.array([_stretch_weight(end, length, shape) for end in ends])
    mean = base.rate * weight / base.weight
    new = base.rate * np.array([shape.weight(end) for end in ends]) / base.weight
    old = base.rate * np.array([shape.weight(end - length * HOUR) for end in ends]) / base.weight
    shared = np.maximum(0.0, mean - new)
    spread = np.sqrt(base.cv2 * mean * mean + mean * mean / base.rate + 2 * mean)
    lo = max(min_count, int(mean.min()))
    count = int(mean.max() - lo + 20 * spread.max() + 60)
    p = np.minimum(1.0, np.cumsum(law(lo, mean, variance_of(base, mean), count)[:, ::-1], axis=1)[:, ::-1] * stretches)
    hours = int(new.max() + 12 * math.sqrt(new.max()) + 20)
    up = np.cumsum(law(0, new, new, hours)[:, ::-1], axis=1)[:, ::-1]  # P(N >= j)
    below = np.cumsum(law(0, old, old, hours), axis=1)  # P(O <= j)
    step = np.concatenate([np.zeros((len(ends), 1)), up[:, 1:] * below[:, :-1]], axis=1)  # P(N >= j) P(O < j)
    first = max(0, lo - hours + 1)
    both = law(first, shared, variance_of(base, shared), lo + count - first)  # P(A = a), a = first ...
    chance = np.zeros((len(ends), lo + count - first))
    for j in range(1, hours):  # chance at k - first: Σ_j P(A = k - j) P(N >= j) P(O < j)
        chance[:, j:] += both[:, : chance.shape[1] - j] * step[:, j : j + 1]
    return lo, p, chance[:, lo - first :]


def rises(base: Baseline, shape: Profile, end: datetime, length: int, min_count: int, stretches: int, cap: float = CAP) -> list[tuple[int, float, float]]:
    """The counts the test of the `length` h stretch ending with hour `end` fires at, as (k, p, chance), from the
    first whose p (times `stretches`, Bonferroni) is below `cap`: p is the test's p-value at that count k, chance
    the chance that a rise to k starts at this check — the stretch holds at least k and held fewer an hour
    before: P(A + N >= k, A + O < k) = Σ_j P(A = k - j) P(N >= j) P(O < j), A the hours both share (the
    count's law, scaled), N the newest hour, O the hour that left (Poisson, independent)."""
    lo, p, chance = rise_table(base, shape, [end], length, min_count, stretches)
    return [(lo + int(i), float(p[0, i]), float(chance[0, i])) for i in np.nonzero((p[0] < cap) & (p[0] >= FLOOR))[0]]


def calibrate(bases: Mapping[Baseline, int], shape: Profile, first_end: datetime, window: int, min_count: int, per_week: float,
              cap: float = CAP) -> float:
    """The threshold on Verdict.p for the 24 hourly checks from `first_end`: the largest at which the chance
    rises they expect (rises(), summed over the stretches, the hours and the series — each baseline counted for
    the series that have it) are at most per_week / 7; at most `cap`."""
    tested, ends = lengths(window), [first_end + h * HOUR for h in range(24)]
    total, ps, changes = 0.0, [], []
    for base, many in bases.items():
        for length in tested:
            _, p, chance = rise_table(base, shape, ends, length, min_count, len(tested))
            listed = (p < cap) & (p >= FLOOR)
            chance = np.where(listed, chance, 0.0)
            head = listed & ~np.concatenate([np.zeros((len(ends), 1), bool), listed[:, :-1]], axis=1)  # each row's first count below cap
            total += many * float(chance[head].sum())
            after = np.concatenate([chance[:, 1:], np.zeros((len(ends), 1))], axis=1)
            ps.append(p[listed])
            changes.append(many * (after - chance)[listed])
    budget = per_week / 7
    if total <= budget or not ps:
        return cap
    p_all, change_all = np.concatenate(ps), np.concatenate(changes)
    order = np.argsort(-p_all, kind="stable")  # lowering the threshold to p: the count at p no longer fires
    spent = total + np.cumsum(change_all[order])
    within = np.nonzero(spent <= budget)[0]
    return float(p_all[order][within[0]]) if len(within) else 0.0


def sparkline(values: Sequence[float]) -> str:
    """One character per value, ▁ (lowest, or zero) to █ (highest)."""
    top = max(values, default=0)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[max(1, min(len(SPARKS) - 1, round(v / top * (len(SPARKS) - 1))))] if v > 0 else SPARKS[0] for v in values)


def usual_interval(times: Sequence[datetime]) -> timedelta | None:
    """How often a source usually publishes: the mean gap between its articles' times; None when fewer than 5."""
    ordered = sorted(times)
    if len(ordered) < 5 or ordered[-1] <= ordered[0]:
        return None
    return (ordered[-1] - ordered[0]) / (len(ordered) - 1)


def silent_since(last: datetime | None, limit: timedelta | None, now: datetime) -> datetime | None:
    """`last` (its latest article) when a source has published nothing for `limit` by `now`; else None."""
    if last is None or limit is None:
        return None
    return last if now - last >= limit else None


@dataclass
class Series:
    """One actor, event or pair over days: stories, escalation score, highest severity, spike days."""

    actor: str
    event: str
    stories: list[int]
    score: list[float]
    severity: int = 0
    spikes: list[int] = field(default_factory=list)  # indexes of the days a spike alert fired

    @property
    def label(self) -> str:
        return " + ".join(filter(None, (self.actor, self.event)))


def by_day(cells: Iterable[tuple[str, str, datetime, int, int, float]], first: datetime, days: int,
           spikes: Iterable[tuple[str, str, datetime]] = ()) -> list[Series]:
    """Hour rows (actor, event, hour, stories, severity, score) summed per day from the day `first`;
    spike alerts (actor, event, when) marked; the busiest series first."""
    start = first.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    out: dict[tuple[str, str], Series] = {}
    for actor, event, hour, stories, severity, score in cells:
        day = (hour - start).days
        if 0 <= day < days:
            row = out.setdefault((actor, event), Series(actor, event, [0] * days, [0.0] * days))
            row.stories[day] += stories
            row.score[day] += score
            row.severity = max(row.severity, severity)
    for actor, event, when in spikes:
        day = (when - start).days
        if (actor, event) in out and 0 <= day < days and day not in out[(actor, event)].spikes:
            out[(actor, event)].spikes.append(day)
    return sorted(out.values(), key=lambda s: (-sum(s.stories), s.label))


def marks(days: int, spikes: Sequence[int]) -> str:
    """A line under a sparkline: ^ under each spike day."""
    return "".join("^" if i in spikes else " " for i in range(days))
