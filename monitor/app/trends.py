"""`monitor trends`: stories per day of actors, events and pairs, from the store's hourly counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from monitor.app.core import Core
from monitor.store import counts, signals
from monitor.trends import Series, by_day


class TrendVerbs(Core):
    def trends(self, names: Sequence[str], days: int) -> tuple[datetime, list[Series]]:
        """The first day shown and a series per actor, event or pair counted in the last `days` days
        (only those naming one of `names` when given), spike alerts marked."""
        first = datetime.now(UTC) - (days - 1) * timedelta(days=1)
        start = first.replace(hour=0, minute=0, second=0, microsecond=0)
        if (db := self.stored()) is None:
            return first, []
        cells = [(c.actor, c.event, c.hour, c.stories, c.severity, c.score) for c in counts.cells(db, start, names=names)]
        return first, by_day(cells, first, days, signals.spike_alerts(db, first - timedelta(days=1)))
