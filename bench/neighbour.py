"""A neighbour for measuring under load: busy 50 ms in every 100 ms (about half a core) until killed.

    python3 bench/neighbour.py & .venv/bin/python bench/polling.py --feeds 2000 --cycles 3 --budget 0; kill %1
"""

import time

while True:
    busy_until = time.perf_counter() + 0.05
    while time.perf_counter() < busy_until:
        pass
    time.sleep(0.05)
