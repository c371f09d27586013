"""Pure timing: when to try again. No clock is read here; callers pass `now` and randomness."""

from __future__ import annotations

from datetime import datetime, timedelta


def backoff_seconds(attempt: int, base: float, cap: float, jitter: float) -> float:
    """Exponential backoff for the n-th consecutive failure (1-based), capped, with jitter in [0, 1).

    The delay is base * 2**(attempt-1), capped, then spread over [50%, 100%] of itself by jitter so
    that many failures at once do not retry in lock-step.
    """
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return delay * (0.5 + 0.5 * jitter)


def next_check(now: datetime, every: float, error_count: int, jitter: float, max_backoff: float = 6 * 3600) -> datetime:
    """Next poll of a source: its interval when healthy, exponential backoff after errors."""
    if error_count <= 0:
        return now + timedelta(seconds=every)
    return now + timedelta(seconds=max(every, backoff_seconds(error_count, every, max_backoff, jitter)))
