"""The daemon's dispatch and folder-scan jobs never lose a wake-up (monitor.daemon.RunAgain)."""

from __future__ import annotations

import threading

import pytest

from monitor.daemon import RunAgain


def test_wake_ups_while_the_job_runs_make_it_run_once_more_when_it_ends() -> None:
    """Regression: an alert stored while the dispatch ran woke a `dispatch-now` that APScheduler skipped
    (max_instances 1), and the alert waited for the next interval (5 s by default)."""
    started, release, runs = threading.Event(), threading.Event(), []

    def dispatch() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            started.set()
            release.wait(5)

    job = RunAgain(dispatch)
    first = threading.Thread(target=job)
    first.start()
    assert started.wait(5)
    job()  # two wake-ups while it runs: each returns at once
    job()
    assert runs == [0]
    release.set()
    first.join(5)
    assert runs == [0, 1]  # one more run covers both
    job()
    assert runs == [0, 1, 2]  # idle again: a call runs at once


def test_a_failing_run_leaves_the_next_call_free_to_run() -> None:
    calls = []

    def fails() -> None:
        calls.append(1)
        raise ValueError("boom")

    job = RunAgain(fails)
    with pytest.raises(ValueError, match="boom"):
        job()
    with pytest.raises(ValueError, match="boom"):
        job()
    assert len(calls) == 2
