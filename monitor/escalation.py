"""The daemon's trends job: spike alerts (the watchlist's `spikes:`) and silent sources, through the outbox.

Decisions are monitor/trends.py's (pure); states and alerts are written by monitor/store/signals.py, an
alert with its state in one transaction, so each rise, silence and return alerts once, across restarts
(the states' primary keys refuse a second); across daemons sharing a PostgreSQL one runs the check at a
time (store/jobs.py).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor.alerts.channels import route
from monitor.alerts.render import articleless_context, spike_context
from monitor.model import Spike, Watchlist
from monitor.settings import Settings
from monitor.store import counts, daemons, jobs, mutes, signals
from monitor.store import sources as source_store
from monitor.store.articles import NewAlert
from monitor.store.db import Database, utcnow
from monitor.stories import article_time
from monitor.trends import (HOUR, Baseline, Profile, Verdict, baseline, baseline_days, calibrate, hour_of, judge, profile, silent_since, step,
                            usual_interval)

if TYPE_CHECKING:
    from monitor.pipeline import Pipeline

log = logging.getLogger("monitor")
HEALTH_TAGS = ("ops",)
HISTORY = timedelta(days=30)  # a feed's usual interval comes from its articles stored this recently


def run(pipeline: Pipeline) -> int:
    """One check (the daemon's `trends` job); returns the alerts written and has them sent at once."""
    written = check(pipeline.db, pipeline.settings, pipeline.ingest.matcher.watchlist, utcnow())
    if written:
        pipeline.ingest.on_alert()
    return written


def check(db: Database, settings: Settings, watchlist: Watchlist, now: datetime) -> int:
    """Spikes, then silent sources; forgets counts older than [trends] count_days. Returns the alerts written.

    One daemon at a time checks (store/jobs.py: on a shared PostgreSQL, another daemon's run is skipped
    meanwhile and writes nothing): the spike and silence states are read under the lock, and each alert
    is committed with its state before the lock goes."""
    with jobs.exclusive(db, "trends") as mine:
        if not mine:
            return 0
        written = check_spikes(db, settings, watchlist, now) + check_silence(db, settings, now)
        counts.prune(db, hour_of(now) - timedelta(days=settings.trends.count_days))
        return written


def label(actor: str, event: str) -> str:
    return " + ".join(filter(None, (actor, event)))


def check_spikes(db: Database, settings: Settings, watchlist: Watchlist, now: datetime) -> int:
    """Test every series of every spike at the current hour; alert each rise once, re-arm what fell back. The states of
    spikes and series this watchlist lacks are left as they are: another daemon's watchlist may have them (a daemon
    forgetting them had the next alert the same rise again), and a spike put back is re-armed once it has fallen back."""
    muted = set(mutes.active(db, now))
    end, written = hour_of(now), 0
    for spike in watchlist.spikes:
        firing, fell_back = signals.firing(db, spike.name), set()
        wanted = set(spike.series())
        shape, bases, empty, threshold = baselines(db, spike, *baseline_days(end, spike.window, spike.weeks))
        span = (end - (spike.window - 1) * HOUR, end)
        high = counts.totals(db, *span, spike.actors, spike.events, spike.min_count)  # only these can fire
        candidates = (set(high) | firing) & wanted
        series: dict[tuple[str, str], dict[datetime, int]] = defaultdict(dict)
        severity: dict[tuple[str, str], int] = defaultdict(int)
        if candidates:
            actors, events = sorted({a for a, _ in candidates} - {""}), sorted({e for _, e in candidates} - {""})
            for cell in counts.cells_in(db, [span], actors, events):
                series[(cell.actor, cell.event)][cell.hour] = cell.stories
                severity[(cell.actor, cell.event)] = max(severity[(cell.actor, cell.event)], cell.severity)
        for key in candidates:
            v = judge(series.get(key, {}), end, spike.window, bases.get(key, empty), shape, spike.min_count)
            fire, still = step(key in firing, v, spike.min_count, threshold)
            if key in firing and not still:
                fell_back.add(key)
            if fire:
                quiet = bool(muted & {spike.name, *key})
                alert = None if quiet else spike_alert(db, settings, spike, key, v, severity[key], now, len(wanted), threshold)
                if signals.fire(db, spike.name, key, alert, now) and alert:
                    written += 1
                    log.info("spike %s: %s: %s; alert %s to %s", spike.name, label(*key), v.describe(), alert.uid,
                             ", ".join(alert.channels) or "no channel", extra={"alert": alert.uid})
        signals.rearm(db, spike.name, fell_back)
    return written


_BASELINES: dict[tuple[str, str], tuple[Spike, datetime, Profile, dict[tuple[str, str], Baseline], Baseline, float]] = {}


def baselines(db: Database, spike: Spike, first: datetime, last: datetime) -> tuple[Profile, dict[tuple[str, str], Baseline], Baseline, float]:
    """The profile of all the entry's series over the baseline days, each series' baseline (and one for a
    series with no story then), and the threshold on p for the day's checks (significance / series, or
    calibrated to per_week): read from the store once a day per entry and store, then kept in memory (read again when
    the entry is edited: its series, window or test changed)."""
    key = (str(db.engine.url), spike.name)
    cached = _BASELINES.get(key)
    if cached is None or cached[:2] != (spike, first):
        wanted = set(spike.series())
        series: dict[tuple[str, str], dict[datetime, int]] = defaultdict(dict)
        pooled: dict[datetime, int] = defaultdict(int)
        for cell in counts.cells_in(db, [(first, last - HOUR)], sorted(spike.actors), sorted(spike.events)):
            if (cell.actor, cell.event) in wanted:
                series[(cell.actor, cell.event)][cell.hour] = cell.stories
                pooled[cell.hour] += cell.stories
        shape = profile(pooled)
        bases, empty = {k: baseline(v, first, last, shape) for k, v in series.items()}, baseline({}, first, last, shape)
        if spike.significance is not None:
            threshold = spike.significance / max(1, len(wanted))
        else:
            many = Counter(bases.get(k, empty) for k in wanted)
            threshold = calibrate(many, shape, last + (spike.window - 1) * HOUR, spike.window, spike.min_count, spike.per_week)
            log.info("spike %s: threshold p < %.3g for the day's checks (%g chance alert%s a week over %d series)", spike.name, threshold,
                     spike.per_week, "" if spike.per_week == 1 else "s", len(wanted))
        cached = (spike, first, shape, bases, empty, threshold)
        _BASELINES[key] = cached
    return cached[2], cached[3], cached[4], cached[5]


def spike_alert(db: Database, settings: Settings, spike: Spike, key: tuple[str, str], v: Verdict, severity: int, now: datetime,
                tested: int = 1, threshold: float | None = None) -> NewAlert:
    """'Kataeb Hezbollah + rocket attack: 7 stories in 6 h, usual 0.4 ± 0.6; p < 0.001' and the stories."""
    uid, name = uuid.uuid4().hex[:16], label(*key)
    stories = signals.window_stories(db, key[0], key[1], now - timedelta(hours=v.hours))
    head = f"{name}: {v.describe()}"
    lines = [head, f"Spike {spike.name!r}: the last {v.hours} h against a rate from every hour of the {7 * spike.weeks} days before "
             f"the day the last {spike.window} h start, scaled by the hour of day and weekday (at least {spike.min_count} stories, "
             + (f"significance {spike.significance:g} over {tested} series)" if spike.significance is not None else
                f"p below {threshold or 0:.2g}: chance alone raises about {spike.per_week:g} such alert a week over {tested} series)"),
             "", "Stories:"]
    lines += [f"- {s.at:%Y-%m-%d %H:%M} {s.source}: {s.title}" + (f" {s.url}" if s.url and s.url.startswith(("http://", "https://")) else "") for s in stories]
    lines += ["", f"Alert id: {uid}"]
    context = spike_context(uid, severity, f"Spike: {head}", spike.name, key, v.count, v.usual, v.spread, v.p, threshold, v.hours,
                            [{"title": s.title, "source": s.source, "url": s.url, "at": s.at.isoformat()} for s in stories])
    return NewAlert(uid, severity, spike.tags, f"Spike: {head}", "\n".join(lines), route(settings.channels, spike.tags),
                    json.dumps(context, ensure_ascii=False))


def check_silence(db: Database, settings: Settings, now: datetime) -> int:
    """A source silent past its limit alerts once to the `ops` channels; once more when it is back. A source is
    judged once the daemons have watched it for its limit (since the earliest start of those alive): after a
    night down, a feed's last article is old because nobody polled it, and its first poll brings the news."""
    silenced, last = signals.silences(db), signals.last_articles(db)
    watching = min((d.started_at for d in daemons.listing(db) if d.alive(now)), default=None)
    folder_hours = {f.label: f.silent_hours for f in settings.folders}
    muted, written, listed = set(mutes.active(db, now)), 0, set()
    for src in source_store.list_sources(db):
        listed.add(src.id)
        if src.kind == "folder" and src.enabled and src.name not in folder_hours:
            continue  # another running daemon's folder (a shared store): its silent_hours are in that daemon's config
        limit, usual = None, None
        if src.kind == "feed":
            times = [article_time(p, f) for p, f in signals.article_times(db, src.id, now - HISTORY)]
            usual = usual_interval(times)
            if usual is not None:
                limit = max(usual * settings.trends.silent_after, timedelta(hours=settings.trends.silent_min_hours))
        elif hours := folder_hours.get(src.name):
            limit = timedelta(hours=hours)
        since = silent_since(last.get(src.id), limit, now) if src.enabled else None
        quiet = src.name in muted
        if since is not None and src.id not in silenced and (watching is None or limit is None or now - watching >= limit):
            every = f"usually every {_hours(usual)}" if usual else f"silent_hours {_hours(limit)}"
            alert = None if quiet else health_alert(settings, 2, f"Silent source: {src.name}: nothing new since {since:%Y-%m-%d %H:%M} UTC ({every})",
                                                   {"kind": "silent", "source": src.name, "since": since.isoformat()})
            if signals.went_silent(db, src.id, since, alert, now) and alert:
                written += 1
                log.warning("source %d (%s): silent since %s (%s); alert %s", src.id, src.name, f"{since:%Y-%m-%d %H:%M}", every, alert.uid,
                            extra={"source": src.name, "alert": alert.uid})
        elif since is None and src.id in silenced:
            back = last.get(src.id) is not None and last[src.id] > silenced[src.id]
            alert = health_alert(settings, 1, f"Source back: {src.name}: new articles again (silent since {silenced[src.id]:%Y-%m-%d %H:%M} UTC)",
                                 {"kind": "back", "source": src.name, "since": silenced[src.id].isoformat()}) if back and not quiet else None
            if signals.came_back(db, src.id, alert, now) and alert:
                written += 1
                log.info("source %d (%s): back (silent since %s); alert %s", src.id, src.name, f"{silenced[src.id]:%Y-%m-%d %H:%M}", alert.uid,
                         extra={"source": src.name, "alert": alert.uid})
    for gone in set(silenced) - listed:
        signals.came_back(db, gone, None, now)
    return written


def _hours(span: timedelta | None) -> str:
    return f"{(span or timedelta()).total_seconds() / 3600:.1f} h"


def health_alert(settings: Settings, severity: int, title: str, context: dict[str, str]) -> NewAlert:
    uid = uuid.uuid4().hex[:16]
    body = f"{title}\n\nAlert id: {uid}"
    fields = articleless_context(uid, severity, title, context.get("kind", "health"), source=context.get("source", "(trends)")) | context
    return NewAlert(uid, severity, HEALTH_TAGS, title, body, route(settings.channels, HEALTH_TAGS), json.dumps(fields, ensure_ascii=False))
