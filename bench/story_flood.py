"""A flood of near-copies through the story index (a feed of N entries alike but for a number), as ingest meets it:
find, then add, each in turn. Prints the CPU seconds and the stories made.

    .venv/bin/python bench/story_flood.py N
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.stories import StoryIndex, sketch  # noqa: E402

BASE = "Officials said the convoy was hit near the border crossing on Tuesday, and the ministry confirmed casualties among the escorts. "


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    index = StoryIndex()
    made = 0
    start = time.process_time()
    for article_id in range(1, copies + 1):
        signature, length = sketch(BASE + f"Item {article_id} of the wire.")
        story = index.find(signature, length)
        if story is None:
            made += 1
            story = made
        index.add(article_id, story, signature, length)
    print(f"{copies} near-copies: {time.process_time() - start:.2f} s CPU, {made} stories")


if __name__ == "__main__":
    main()
