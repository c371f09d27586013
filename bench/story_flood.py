"""A flood of near-copies through the story index (a feed of N entries alike but for a number), as ingest meets it:
find, then add, each in turn. Prints the CPU seconds and the stories made.

    .venv/bin/python bench/story_flood.py N
"""

import time, sys
from monitor.stories import StoryIndex, sketch
idx = StoryIndex()
n = int(sys.argv[1])
base = "Officials said the convoy was hit near the border crossing on Tuesday, and the ministry confirmed casualties among the escorts. "
t = time.process_time()
story = 0
for i in range(n):
    sig, length = sketch(base + f"Item {i} of the wire.")
    s = idx.find(sig, length)
    if s is None:
        story += 1; s = story
    idx.add(i + 1, s, sig, length)
print(n, "texts", round(time.process_time() - t, 2), "s CPU, stories", story)
