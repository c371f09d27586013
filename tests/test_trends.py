"""Issue 19, the pure part: the spike test's tail, one spike per rise, weights, sparklines, silence."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from monitor.trends import (CAP, HOUR, PRIOR, REARM_P, Baseline, Mention, Profile, Verdict, bumps, calibrate, conflict_weight, event_weight, hour_of,
                            p_text, rises, silent_since, sparkline, step, tail, law, usual_interval, variance_of, verdict, baseline_days, lengths,
                            profile)

T = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("observed", "mean"), [(1, 0.4), (7, 0.4), (3, 2.0), (30, 10.0), (260, 240.0), (400, 240.0), (0, 3.0)])
def test_the_poisson_tail_is_scipys(observed: int, mean: float) -> None:
    assert tail(observed, mean, mean) == pytest.approx(stats.poisson.sf(observed - 1, mean), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(("observed", "mean", "variance"), [(5, 1.0, 2.0), (12, 4.0, 20.0), (300, 240.0, 1600.0), (2, 0.6, 0.9)])
def test_the_negative_binomial_tail_is_scipys(observed: int, mean: float, variance: float) -> None:
    r = mean * mean / (variance - mean)
    assert tail(observed, mean, variance) == pytest.approx(stats.nbinom.sf(observed - 1, r, r / (r + mean)), rel=1e-9)


@given(st.integers(0, 500), st.floats(0.01, 300), st.floats(1.0, 5.0))
def test_the_tail_is_a_probability_and_falls_with_the_count(observed: int, mean: float, dispersion: float) -> None:
    p, q = tail(observed, mean, mean * dispersion), tail(observed + 1, mean, mean * dispersion)
    assert 0.0 <= q <= p <= 1.0


def hours(pairs: dict[int, int]) -> dict[datetime, int]:
    """Counts by hours before T."""
    return {T - h * HOUR: n for h, n in pairs.items()}


def test_a_quiet_series_with_seven_stories_is_a_spike_with_its_numbers() -> None:
    counts = hours({1: 3, 2: 2, 3: 2, 168 * 2 + 5: 1, 168 * 4 + 5: 1, 168 + 40: 1, 168 * 4 + 40: 1})  # the last: before the 4 weeks
    assert baseline_days(T, 24, 4) == (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 29, tzinfo=UTC))  # the window starts on the 29th
    v = verdict(counts, T, 24, 4, min_count=3)
    mean = (3 + PRIOR) * 6 / (4 * 168)  # the 6 h holding all seven, at the rate of the 28 days before the window's first day
    variance = mean + 0.09 * mean**2 + mean**2 * (1 / (3 + PRIOR) + 0.09 / 28)
    assert (v.count, v.hours, v.usual, v.spread) == (7, 6, pytest.approx(mean), pytest.approx(math.sqrt(variance)))
    assert v.p == pytest.approx(4 * tail(7, mean, variance)) and lengths(24) == [24, 12, 6, 3]  # Bonferroni over 4 stretches
    assert v.spike(3, 0.001, series=500) and v.describe() == "7 stories in 6 h, usual 0.0 ± 0.2; p < 0.0001"


def test_the_baseline_follows_the_hour_of_day_and_the_series_is_bonferroni_corrected() -> None:
    day = {T - h * HOUR: 10 for h in range(24, 4 * 168) if (T - h * HOUR).hour in range(8, 20)}  # stories by day only
    shape = profile(day)
    assert shape.hour[12] > 1.8 and shape.hour[3] < 0.2
    assert 1 < profile({T: 3}).weight(T) < 1.25  # three stories: nearly flat
    noon, night = verdict(day, T, 3, 4, shape), verdict(day, T.replace(hour=3), 3, 4, shape)
    assert 20 < noon.usual <= 30 and night.usual < 3  # 30 by day, none at night: the profile, pulled a little to flat
    flat = verdict(day, T.replace(hour=3), 3, 4)  # no profile: night expects the mean hour
    assert flat.usual == pytest.approx((sum(day.values()) + PRIOR) * 3 / (4 * 168), rel=0.05)
    lone = Verdict(5, 0.5, 0.7, 0.0004, 6)
    assert lone.spike(3, 0.001) and not lone.spike(3, 0.001, series=10)


def test_a_steady_high_volume_series_is_no_spike() -> None:
    counts = {T - h * HOUR: 10 + (h * 7919) % 5 - 2 for h in range(0, 168 * 5)}  # 8-12 stories every hour
    counts[T] = 14
    v = verdict(counts, T, 24, 4)
    assert v.count >= 8 * v.hours and v.p > 0.01 and not v.spike(3, 0.001)


def test_the_minimum_count_keeps_a_quiet_actors_first_stories_quiet() -> None:
    v = verdict(hours({1: 2}), T, 24, 4)
    assert v.count == 2 and v.p < 0.05 and not v.spike(3, 0.05)
    assert verdict(hours({1: 2}), T, 24, 4, min_count=3).p == 1.0  # no stretch with 3 stories is tested


@pytest.mark.parametrize(("firing", "p", "count", "expect"), [
    (False, 0.0001, 7, (True, True)),  # crosses: fires
    (True, 0.0001, 9, (False, True)),  # still high: no second alert
    (True, 0.05, 3, (False, True)),  # lower, not fallen back
    (True, REARM_P + 0.01, 1, (False, False)),  # fallen back: re-armed
    (False, 0.0001, 2, (False, False)),  # under min_count
    (False, 0.01, 7, (False, False)),  # not significant
])
def test_one_spike_per_rise(firing: bool, p: float, count: int, expect: tuple[bool, bool]) -> None:
    assert step(firing, Verdict(count, 0.5, 0.5, p), 3, 0.001) == expect


@pytest.mark.parametrize(("cameo", "weight"), [("19", 1.0), ("190", 1.0), ("0256", 0.0), ("14", 0.65), ("13", 0.44), ("07", 0.0), ("", 0.5), ("99", 0.0)])
def test_conflict_weights_follow_the_goldstein_scale_of_the_root(cameo: str, weight: float) -> None:
    assert conflict_weight(cameo) == pytest.approx(weight)


def test_a_story_bumps_each_actor_event_and_pair_once() -> None:
    found = [Mention("actor", "KH"), Mention("actor", "KH"), Mention("actor", "IRGC"), Mention("event", "rocket attack", 3, "19"),
             Mention("event", "protest", 1, "14")]
    rows = {(b.actor, b.event): (b.severity, b.score) for b in bumps(found)}
    assert len(rows) == 2 + 2 + 4 == len(bumps(found))
    assert rows[("KH", "")] == (3, event_weight(3, "19")) == (3, 4.0)
    assert rows[("", "protest")][0] == 1 and rows[("", "protest")][1] == pytest.approx(1.3)
    assert rows[("IRGC", "rocket attack")] == (3, 4.0)
    assert bumps([Mention("actor", "KH")]) == bumps([Mention("actor", "KH")]) and len(bumps([])) == 0


def test_sparkline() -> None:
    assert sparkline([0, 1, 2, 4, 8]) == "▁▂▃▅█"
    assert sparkline([0, 0]) == "▁▁" and sparkline([]) == ""


@pytest.mark.parametrize(("p", "text"), [(0.00001, "p < 0.0001"), (0.0004, "p < 0.001"), (0.03, "p < 0.05"), (0.2, "p = 0.20")])
def test_p_text(p: float, text: str) -> None:
    assert p_text(p) == text


def test_usual_interval_and_silence() -> None:
    times = [T - timedelta(hours=2 * i) for i in range(10)]
    assert usual_interval(times) == timedelta(hours=2)
    assert usual_interval(times[:4]) is None
    assert silent_since(T, timedelta(hours=8), T + timedelta(hours=7)) is None
    assert silent_since(T, timedelta(hours=8), T + timedelta(hours=8)) == T
    assert silent_since(None, timedelta(hours=8), T) is None and silent_since(T, None, T + timedelta(days=9)) is None
    assert hour_of(T + timedelta(minutes=59, seconds=3)) == T and math.isfinite(tail(10**6, 1.0, 1.0))


@pytest.mark.parametrize(("first", "mean", "variance"), [(0, 0.3, 0.3), (4, 2.0, 2.0), (0, 0.3, 0.5), (20, 30.0, 120.0), (0, 500.0, 500.0), (0, 1000.0, 1000.0)])
def test_the_law_is_scipys_pmf(first: int, mean: float, variance: float) -> None:
    [got] = law(first, np.array([mean]), np.array([variance]), int(mean + 20 * math.sqrt(variance) + 60))
    k = np.arange(first, first + len(got))
    if variance == mean:
        want = stats.poisson.pmf(k, mean)
    else:
        r = mean * mean / (variance - mean)
        want = stats.nbinom.pmf(k, r, r / (r + mean))
    assert np.allclose(got, want, rtol=1e-9, atol=1e-300) and got[-1] < 1e-15


QUIET = Baseline(40, 0.09, 28, 28 * 24.0)  # 40 stories in 28 days, a flat profile


@pytest.mark.parametrize("length", [1, 3, 6, 24])
def test_a_rise_is_the_chance_of_reaching_k_from_below_in_one_hour(length: int) -> None:
    """P(A + N >= k, A + O < k): A the shared hours (negative binomial), N the newest hour, O the one that left."""
    listed = rises(QUIET, Profile(), T, length, 3, 4)
    mean, hour = QUIET.rate * length / QUIET.weight, QUIET.rate / QUIET.weight
    shared = mean - hour
    assert [k for k, _, _ in listed] == list(range(listed[0][0], listed[0][0] + len(listed)))  # every count from the first below CAP
    for k, p, chance in listed:
        assert p == pytest.approx(min(1.0, 4 * tail(k, mean, variance_of(QUIET, mean))), rel=1e-9) and p < CAP
        if shared > 0:
            v = variance_of(QUIET, shared)
            r = shared * shared / (v - shared)
            law = stats.nbinom.pmf(np.arange(k), r, r / (r + shared))
        else:
            law = np.eye(1, k)[0]
        direct = sum(law[a] * stats.poisson.sf(k - a - 1, hour) * stats.poisson.cdf(k - a - 1, hour) for a in range(k))
        assert chance == pytest.approx(direct, rel=1e-6, abs=1e-18)
        assert chance <= p / 4  # a rise needs the stretch at k: never more likely than being there


def test_the_rise_chances_match_a_simulated_poisson_series() -> None:
    """Hourly Poisson counts (no spread: the baseline knows its rate): the 3 h stretch reaches 3 from below as often as rises() says."""
    exact = Baseline(10**9, 0.0, 28, 10**9 / 0.4)  # 0.4 stories an hour, known
    [(k, _, chance)] = [r for r in rises(exact, Profile(), T, 3, 3, 1, cap=1.0) if r[0] == 5]
    hours = np.random.default_rng(19).poisson(0.4, 2_000_000)
    stretch = hours[2:] + hours[1:-1] + hours[:-2]
    seen = np.count_nonzero((stretch[1:] >= k) & (stretch[:-1] < k)) / (len(stretch) - 1)
    assert seen == pytest.approx(chance, rel=0.1)  # about 760 rises: within 10 %


def test_the_calibrated_threshold_spends_the_weekly_budget_and_no_more() -> None:
    bases = Counter({QUIET: 300, Baseline(400, 0.09, 28, 28 * 24.0): 150, Baseline(2, 0.09, 28, 28 * 24.0): 50})

    def expected(threshold: float) -> float:  # chance rises a day at this threshold: the first count whose p is below it, per stretch
        total = 0.0
        for base, many in bases.items():
            for h in range(24):
                for length in lengths(24):
                    total += many * next((c for _, p, c in rises(base, Profile(), T + h * HOUR, length, 3, 4) if p < threshold), 0.0)
        return total

    threshold = calibrate(bases, Profile(), T, 24, 3, per_week=1.0)
    assert 1e-7 < threshold < CAP
    assert expected(threshold) <= 1 / 7 < expected(threshold * 1.5)  # the budget's worth, and a looser one spends more
    assert calibrate(bases, Profile(), T, 24, 3, per_week=0.1) < threshold < calibrate(bases, Profile(), T, 24, 3, per_week=10)
    assert calibrate(Counter({QUIET: 5}), Profile(), T, 24, 3, per_week=1.0) > threshold  # fewer series, a looser threshold
    assert calibrate(Counter({QUIET: 1}), Profile(), T, 24, 3, per_week=1000.0) == CAP
