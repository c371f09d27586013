"""`monitor trends`: stories per day of actors, events and pairs, from the store's hourly counts."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from monitor.app.core import Core
from monitor.errors import WatchlistError
from monitor.model import Watchlist
from monitor.store import counts, signals
from monitor.trends import Series, by_day
from monitor.spikes_config import name_suggestion
from monitor.watchlist import load_watchlist


class TrendVerbs(Core):
    def trends(self, names: Sequence[str], days: int) -> tuple[datetime, list[Series]]:
        """The first day shown and a series per actor, event or pair counted in the last `days` days
        (only those naming one of `names` when given), spike alerts marked."""
        first = datetime.now(UTC) - (days - 1) * timedelta(days=1)
        start = first.replace(hour=0, minute=0, second=0, microsecond=0)
        if (db := self.stored()) is None:
            return first, []
        names = self._as_watched(names) if names else names
        cells = [(c.actor, c.event, c.hour, c.stories, c.severity, c.score) for c in counts.cells(db, start, names=names)]
        return first, by_day(cells, first, days, signals.spike_alerts(db, first - timedelta(days=1)))

    def _watchlist(self) -> Watchlist | None:
        """The config's watchlist; None when it is broken (`monitor check` says why; trends are counted without it)."""
        try:
            return load_watchlist(self.settings.watchlist)
        except WatchlistError:
            return None

    def _as_watched(self, names: Sequence[str]) -> list[str]:
        """Each name as the watchlist spells its actor or event (`iran` is Iran), else as given (a name
        since removed from the watchlist still has its counts; so has any with a broken watchlist)."""
        if (watchlist := self._watchlist()) is None:
            return list(names)
        spelt = {n.casefold(): n for n in [*(a.name for a in watchlist.actors), *(e.name for e in watchlist.events)]}
        return [spelt.get(n.strip().casefold(), n) for n in names]

    def unit_notes(self, names: Sequence[str]) -> list[str]:
        """A line for each of `names` that is an actor with units (`part_of`): they are counted under their own
        names, not the parent's, and the command that shows them. None with a broken watchlist."""
        if (watchlist := self._watchlist()) is None:
            return []
        lines = []
        for name in dict.fromkeys(self._as_watched(names)):
            if units := watchlist.units(name):
                lines.append(f"{name}'s units are counted under their own names: monitor trends {' '.join(shlex.quote(u) for u in units)}")
        return lines

    def unknown_names(self, names: Sequence[str]) -> list[str]:
        """A line for each of `names` that is no actor or event of the watchlist (an alias, a slip): what to
        ask for instead. None with a broken watchlist."""
        if (watchlist := self._watchlist()) is None:
            return []
        watched = [*(a.name for a in watchlist.actors), *(e.name for e in watchlist.events)]
        lines = []
        spelt = {w.casefold(): w for w in watched}
        for name in (n for n in names if n.strip().casefold() not in spelt):
            actor, plus, event = (part.strip().casefold() for part in name.partition(" + "))
            if plus and actor in spelt and event in spelt:  # a pair as the table labels it
                lines.append(f"{name!r} is a pair: monitor trends {shlex.quote(spelt[actor])} {shlex.quote(spelt[event])} shows it beside each of the two")
                continue
            hint = name_suggestion(watchlist, name, watched, "monitor trends")
            lines.append(hint if " is an alias of " in hint else f"{name!r} is no actor or event of the watchlist" + (f": {hint}" if hint else ""))
        return lines
