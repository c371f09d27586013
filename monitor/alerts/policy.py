"""Pure rules of bearable alerting: what waits for a digest (low severity, quiet hours, a flood),
when a digest is due, and what it says. No clock: callers pass `now`."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.model import Held
from monitor.settings import Channel

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
    if channel.max_per_hour is not None and sent_last_hour >= channel.max_per_hour:
        return "flood"
    return None


def digest_due(channel: Channel, held: list[Held], now: datetime) -> bool:
    """A digest goes out once its oldest alert has waited `digest_every` (or, with `digest_at`, at the
    first daily digest time after it arrived), outside quiet hours."""
    if not held or in_quiet_hours(channel, now):
        return False
    oldest = min(h.created_at for h in held)
    if channel.digest_at:
        return oldest < last_daily(channel.digest_at, channel.timezone, now)
    return now - oldest >= timedelta(seconds=channel.digest_every)


def last_daily(at: str, zone: str, now: datetime) -> datetime:
    """The latest moment at or before `now` when the local clock of `zone` read `at` ("08:00")."""
    local = now.astimezone(ZoneInfo(zone))
    slot = datetime.combine(local.date(), time.fromisoformat(at), tzinfo=local.tzinfo)
    return slot if slot <= local else slot - timedelta(days=1)


def _short(title: str) -> str:
    return title if len(title) <= DIGEST_TITLE else title[: DIGEST_TITLE - 1].rsplit(" ", 1)[0] + "…"


def render_digest(channel: Channel, held: list[Held]) -> tuple[str, str]:
    """One message listing the held alerts (the first DIGEST_LINES, the others counted), with a notice when a flood
    put some of them there."""
    title = f"[digest] {len(held)} alert{'s' if len(held) != 1 else ''}"
    lines = [f"- {_short(h.title)} (alert {h.alert_uid})" for h in held[:DIGEST_LINES]]
    if len(held) > DIGEST_LINES:
        lines.append(f"and {len(held) - DIGEST_LINES} more: `monitor alerts` lists them")
    flooded = sum(1 for h in held if h.reason == "flood")
    if flooded:
        lines.append(f"{flooded} of these went over the limit of {channel.max_per_hour} alerts per hour and waited for this digest.")
    return title, "\n".join(lines)
