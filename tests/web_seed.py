"""A store seeded through the real ingest path for the web view's tests: JSON articles in two folders,
scanned by the pipeline (normalise, dedup, match, stories, alerts, outbox), then one dispatch."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from monitor.pipeline import Pipeline, build_pipeline
from monitor.settings import load_settings
import pytest

from tests.conftest import ON_POSTGRES, free_port, write_config

HOSTILE_TITLE = "<script>window.__pwned = 1</script><b>bold</b> {{ 7 * 7 }} {% if 1 %}x{% endif %}"
TOWNS = ["Qaim", "Rutba", "Anah", "Hit", "Haditha", "Baiji", "Tikrit", "Samarra", "Balad", "Taji", "Mosul", "Kirkuk"]


def store_scope(fixture_name: str, config: pytest.Config) -> Literal["function", "module"]:
    """One seeded store per module on SQLite; per test on PostgreSQL, whose test databases go at each test's end."""
    return "function" if ON_POSTGRES else "module"


@dataclass
class Seeded:
    pipeline: Pipeline
    history: dict[date, int]  # Kataeb Hezbollah rocket attack stories per published day
    hostile_alert: int


def _filler(i: int) -> str:
    """Words no other article has, so that no two history articles are near-duplicates (one story each)."""
    return " ".join(f"{w}{i}" for w in ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
                                          "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo"))


def _write(folder: Path, name: str, article: dict[str, str]) -> None:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(article))
    os.utime(path, (time.time() - 60, time.time() - 60))


def seed(tmp: Path) -> Seeded:
    wire, agency = tmp / "wire", tmp / "agency"
    wire.mkdir()
    agency.mkdir()
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    history: dict[date, int] = {}
    for i, back in enumerate([80, 61, 45, 45, 30, 12, 5, 2]):
        day = today - timedelta(days=back)
        history[day.date()] = history.get(day.date(), 0) + 1
        _write(wire, f"h{i}", {"title": f"Rockets near {TOWNS[i]}", "url": f"https://news.example/h{i}", "published": day.isoformat(),
                               "text": f"Kataeb Hezbollah fired rockets at a base near {TOWNS[i]} on that day, officials said. {_filler(i)}."})
    _write(wire, "hostile", {"title": HOSTILE_TITLE, "url": "https://news.example/hostile", "published": today.isoformat(),
                             "text": f"Qassem Suleimani was killed in a US drone strike near Baghdad airport, the ministry confirmed. {_filler(90)}."})
    story = "Abu Mahdi al-Muhandis was among those killed in the attack on the two-car convoy near the airport road. " + _filler(91)
    _write(wire, "story", {"title": "Convoy attacked", "url": "https://news.example/story", "text": story})
    _write(agency, "story-copy", {"title": "Convoy attacked, leader killed", "url": "https://agency.example/story",
                                  "text": story + " Hours later a drone strike hit a second convoy of the Popular Mobilization Forces."})
    config = write_config(tmp, folders=[wire, agency], channels=[
        {"name": "file", "url": f"console://local?file={tmp / 'alerts.jsonl'}"},
        {"name": "hook", "url": f"json://127.0.0.1:{free_port()}/closed"},  # nothing listens: its deliveries fail and wait, with an error
    ])
    pipeline = build_pipeline(load_settings(config))
    for folder in pipeline.folders.folders[:1]:
        pipeline.folders.scan(folder)
    for folder in pipeline.folders.folders[1:]:  # the agency's copy comes after the wire's
        pipeline.folders.scan(folder)
    pipeline.dispatch()
    with pipeline.db.session() as s:
        from sqlalchemy import select

        from monitor.store.tables import AlertRow, ArticleRow
        hostile = s.scalar(select(AlertRow.id).join(ArticleRow, ArticleRow.id == AlertRow.article_id).where(ArticleRow.url == "https://news.example/hostile"))
    assert hostile is not None, "the hostile article did not alert"
    return Seeded(pipeline, history, hostile)
