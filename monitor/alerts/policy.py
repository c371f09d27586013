"""Pure rules of bearable alerting: what waits for a digest (low severity, quiet hours, a flood),
when a digest is due, and what it says. No clock: callers pass `now`."""

from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.model import Held
from monitor.settings import Channel
from monitor.text_norm import cut_line

BREAKS_QUIET = 3  # alerts of this severity go out even in quiet hours
# Alerts a digest lists, a line each with its title cut to DIGEST_TITLE characters, the others counted: a flood of
# 10,000 alerts (titles up to 1,000 characters) made a 10 MB message that channels refuse (Slack takes 40,000
# characters), retried and never delivered.
DIGEST_LINES = 100
DIGEST_TITLE = 200


def in_quiet_hours(channel: Channel, now: datetime) -> bool:
    """Whether `now` falls in the channel's quiet hours, read in its time zone (they may span midnight)."""
    if not channel.quiet_hours:
        return False
    start, end = (time.fromisoformat(part) for part in channel.quiet_hours.split("-"))
    local = now.astimezone(ZoneInfo(channel.timezone)).time()
    return start <= local < end if start <= end else local >= start or local < end


def hold_reason(channel: Channel, severity: int, now: datetime, sent_last_hour: int) -> str | None:
    """Why an alert should wait for the digest instead of going out now, or None."""
    if severity < channel.digest_below:
        return "low severity"
    if severity < BREAKS_QUIET and in_quiet_hours(channel, now):
        return "quiet hours"
    if channel.max_per_hour and sent_last_hour >= channel.max_per_hour:
        return "flood"
    return None


def digest_due(channel: Channel, held: list[Held], now: datetime) -> bool:
    """A digest goes out once its oldest alert has waited `digest_every` (or, with `digest_at`, at the
    first daily digest time after it arrived), outside quiet hours."""
    return bool(held) and digest_due_since(channel, min(h.created_at for h in held), now)


def digest_due_since(channel: Channel, oldest: datetime, now: datetime) -> bool:
    """Whether a digest whose oldest alert arrived at `oldest` is due (`digest_due`): false for every part of a
    channel's held alerts when false for the oldest of them all."""
    if in_quiet_hours(channel, now):
        return False
    if channel.digest_at:
        return oldest < last_daily(channel.digest_at, channel.timezone, now)
    return now - oldest >= timedelta(seconds=channel.digest_every)


def last_daily(at: str, zone: str, now: datetime) -> datetime:
    """The latest moment at or before `now` when the local clock of `zone` read `at` ("08:00")."""
    local = now.astimezone(ZoneInfo(zone))
    slot = datetime.combine(local.date(), time.fromisoformat(at), tzinfo=local.tzinfo)
    return slot if slot <= local else slot - timedelta(days=1)


def digest_title(count: int) -> str:
    """A digest's title (its subject line) for `count` held alerts."""
    return f"[digest] {count} alert{'s' if count != 1 else ''}"


def render_digest(channel: Channel, held: list[Held], limit: int | None = None) -> tuple[str, str]:
    """One message listing the held alerts (the first DIGEST_LINES at most, titles cut), then why they waited, per reason
    (`hold_reason`'s); within `limit` characters (the channel's), whole lines, and how many more alerts it holds than it lists."""
    title = digest_title(len(held))
    below = f" (below its digest_below, {channel.digest_below})" if channel.digest_below else " (below its digest_below)"
    quiet = f" ({channel.quiet_hours}, {channel.timezone})" if channel.quiet_hours else ""
    per_hour = f"the limit of {channel.max_per_hour} alerts per hour" if channel.max_per_hour else "the channel's max_per_hour"
    why = {"low severity": f"{{n}} of these {{was}} of a severity this channel sends in digests{below} and waited for this digest.",
           "quiet hours": f"{{n}} of these came in the channel's quiet hours{quiet} and waited for this digest.",
           "flood": f"{{n}} of these went over {per_hour} and waited for this digest."}
    notice = [said.format(n=n, was="was" if n == 1 else "were") for reason, said in why.items() if (n := sum(1 for h in held if h.reason == reason))]
    room = (limit if limit is not None else sys.maxsize) - sum(len(n) + 1 for n in notice) - 80  # 80: the "and N more" line
    lines: list[str] = []
    for h in held[:DIGEST_LINES]:
        line = f"- {cut_line(h.title, DIGEST_TITLE)} (alert {h.alert_uid})"
        room -= len(line) + 1
        if room < 0:
            break
        lines.append(line)
    if len(lines) < len(held):
        lines.append(f"… and {len(held) - len(lines)} more alerts: `monitor alerts` and the web view list them all")
    return title, "\n".join(lines + notice)
