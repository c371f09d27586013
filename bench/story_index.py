"""The story index against another version of it (issue 21): the same decisions, and the CPU of a find.

    .venv/bin/python bench/story_index.py --base <copy of an older monitor/stories.py> [--sizes 5000 20000]

Decisions: each of tests/data/stories/corpus.jsonl and unseen2.jsonl clustered in id order (`find`, then
`add` to the story found or a new one) by this index and by the base one: pairwise precision and recall of
each, and how many articles the two place differently (0: the same story decisions). Cost: N stored
signatures of bench/dedup.py's synthetic text (a 50,000-word vocabulary with 2,000 common phrases, so
unrelated texts share some slots), the same N in both indexes, then 300 fresh texts found in each, the two
indexes alternated six times; the CPU time of the thread (`time.thread_time`) per find, best and median.
Stdout: one JSON line.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup import BLOCK, synthetic_texts  # noqa: E402

from monitor import stories  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "stories"


def load_base(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("base_stories", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["base_stories"] = module
    spec.loader.exec_module(module)
    return module


def clustered(index_type: Any, rows: list[dict[str, Any]]) -> list[int]:
    index, out = index_type(), []
    for row in rows:
        story = index.find(row["signature"], row["length"])
        story = row["id"] if story is None else story
        index.add(row["id"], story, row["signature"], row["length"])
        out.append(story)
    return out


def quality(rows: list[dict[str, Any]], predicted: list[int]) -> dict[str, float]:
    tp = fp = fn = 0
    for i, j in itertools.combinations(range(len(rows)), 2):
        same, joined = rows[i]["story"] == rows[j]["story"], predicted[i] == predicted[j]
        tp, fp, fn = tp + (same and joined), fp + (joined and not same), fn + (same and not joined)
    return {"precision": round(tp / (tp + fp), 4), "recall": round(tp / (tp + fn), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="an older monitor/stories.py")
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    args = parser.parse_args()
    base = load_base(args.base)
    result: dict[str, Any] = {"loadavg": [Path("/proc/loadavg").read_text().split()[:3]]}
    for name in ("corpus", "unseen2"):
        rows = sorted((json.loads(line) for line in (DATA / f"{name}.jsonl").read_text().splitlines() if line.strip()), key=lambda r: r["id"])
        for row in rows:
            row["signature"], row["length"] = stories.sketch(row["text"])
        this, before = clustered(stories.StoryIndex, rows), clustered(base.StoryIndex, rows)
        result[name] = {"this": quality(rows, this), "base": quality(rows, before), "placed_differently": sum(a != b for a, b in zip(this, before, strict=True))}
    for n in args.sizes:
        blocks = -(-n // BLOCK)
        stored = [stories.sketch_normalised(t) for b in range(blocks) for t in synthetic_texts(b)][:n]
        indexes = {"this": stories.StoryIndex(), "base": base.StoryIndex()}
        for index in indexes.values():
            for i, (signature, length) in enumerate(stored):
                index.add(i, i, signature, length)
        fresh = [stories.sketch(t) for t in synthetic_texts(blocks)[:300]]
        assert all(indexes["this"].find(s, k) == indexes["base"].find(s, k) for s, k in fresh)
        cpu: dict[str, list[float]] = {name: [] for name in indexes}
        for _ in range(6):
            for name, index in indexes.items():
                started = time.thread_time()
                for signature, length in fresh:
                    index.find(signature, length)
                cpu[name].append((time.thread_time() - started) / len(fresh) * 1e6)
        result[f"find_cpu_us_{n}"] = {name: {"best": round(min(v)), "median": round(float(np.median(v)))} for name, v in cpu.items()}
    result["loadavg"].append(Path("/proc/loadavg").read_text().split()[:3])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
