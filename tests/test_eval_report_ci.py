"""bench/eval_report.py --ci: bootstrap intervals around the figures it reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "tests" / "data" / "eval_cases.jsonl"


def test_the_intervals_hold_the_figure_and_narrow_to_it_for_one_case(tmp_path: Path) -> None:
    one = tmp_path / "one.jsonl"  # a single case: every resample is that case, so the interval is the figure
    one.write_text(json.dumps({"id": "t", "text": "Tehran was calm.", "actors": [], "alert": False, "not": ["Iran"]}) + "\n")
    script = [sys.executable, str(REPO / "bench" / "eval_report.py"), str(CASES), str(one), "--ci", "300", "--json"]
    many, single = (json.loads(line) for line in subprocess.run(script, capture_output=True, text=True, check=True).stdout.splitlines())
    for name, value in (("actors_f1", many["actors"]["f1"]), ("events_f1", many["events"]["f1"]), ("alert_accuracy", many["alert_accuracy"])):
        low, high = many["ci95"][name]
        assert low <= round(value, 3) <= high and low < high, (name, low, value, high)
    assert single["ci95"]["alert_accuracy"] == [1.0, 1.0] and single["ci95"]["actors_f1"] == [0.0, 0.0]


def test_the_table_shows_each_interval_beside_its_figure(tmp_path: Path) -> None:
    script = [sys.executable, str(REPO / "bench" / "eval_report.py"), str(CASES), str(CASES), "--ci", "200"]
    rows = subprocess.run(script, capture_output=True, text=True, cwd=tmp_path, check=True).stdout.splitlines()
    cells = rows[2].split(" | ")
    assert all("(" in cell and "-" in cell for cell in cells[2:5]), cells
