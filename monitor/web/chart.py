"""Pure: an actor's stories per day by event as an SVG chart's geometry (the template draws it, escaping
every label): one line per event over the days, a point for each day with stories, spikes marked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 900, 300, 40, 170, 15, 30
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
MAX_SERIES = 10  # the busiest events; the rest are summed into "other events"


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    day: date
    count: int


@dataclass(frozen=True)
class Series:
    event: str
    colour: str
    line: str  # the polyline's points attribute, every day (zeros too)
    points: tuple[Point, ...]  # the days with stories
    total: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    first: date
    last: date
    top: int  # the y axis' highest count
    series: tuple[Series, ...]
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, int], ...]
    spikes: tuple[tuple[float, str], ...]  # (x, label) of days marked as spikes


def build(counts: Mapping[tuple[date, str], int], last: date, days: int = 90, spikes: Iterable[date] = ()) -> Chart:
    """The chart of `counts` ((day, event) -> stories) over the `days` days ending with `last`."""
    first = last - timedelta(days=days - 1)
    totals: dict[str, int] = {}
    for (day, event), n in counts.items():
        if first <= day <= last:
            totals[event] = totals.get(event, 0) + n
    ranked = sorted(totals, key=lambda e: (-totals[e], e))
    kept, other = ranked[:MAX_SERIES - 1] if len(ranked) > MAX_SERIES else ranked, ranked[MAX_SERIES - 1:] if len(ranked) > MAX_SERIES else []
    per: dict[str, dict[date, int]] = {e: {} for e in kept + (["other events"] if other else [])}
    for (day, event), n in counts.items():
        if first <= day <= last and n > 0:
            name = event if event in per else "other events"
            per[name][day] = per[name].get(day, 0) + n
    top = max([n for by_day in per.values() for n in by_day.values()] + [1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return round(LEFT + plot_w * (day - first).days / max(days - 1, 1), 1)

    def y(n: int) -> float:
        return round(TOP + plot_h * (1 - n / top), 1)

    series = []
    for i, (event, by_day) in enumerate(per.items()):
        every = [first + timedelta(days=d) for d in range(days)]
        line = " ".join(f"{x(d)},{y(by_day.get(d, 0))}" for d in every)
        points = tuple(Point(x(d), y(n), d, n) for d, n in sorted(by_day.items()))
        series.append(Series(event, COLOURS[i % len(COLOURS)], line, points, sum(by_day.values())))
    x_ticks = tuple((x(first + timedelta(days=d)), f"{first + timedelta(days=d):%d %b}") for d in range(0, days, max(days // 6, 1)))
    step = max(1, -(-top // 4))
    y_ticks = tuple((y(n), n) for n in range(0, top + 1, step))
    marked = tuple((x(d), f"{d:%Y-%m-%d}") for d in sorted(set(spikes)) if first <= d <= last)
    return Chart(WIDTH, HEIGHT, first, last, top, tuple(series), x_ticks, y_ticks, marked)
