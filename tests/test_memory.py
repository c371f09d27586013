"""Freed memory goes back to the system after a poll (glibc keeps it otherwise)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES, REPO, free_port, write_config

PROBE = """
import json
import os
from monitor.memory import release_free_memory

def rss_kb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

blocks = [bytes(2000) for _ in range(40_000)]  # ~80 MB from malloc's heap (not Python's small-object arenas)
kept = blocks[::200]  # a few survivors pin the heap's top, as a daemon's long-lived objects do
del blocks
before = rss_kb()
released = release_free_memory()
print(json.dumps({"released": released, "before": before, "after": rss_kb()}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and needs glibc's malloc_trim")
def test_the_free_pages_of_a_busy_moment_are_handed_back() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    seen = json.loads(done.stdout)
    assert seen["released"] is True
    assert seen["before"] - seen["after"] > 40_000  # KB: most of the ~80 MB freed in the middle of the heap


LOADED = """
import sys
from monitor.pipeline import build_pipeline
from monitor.settings import load_settings
from monitor.sources.folders import watch
from monitor.store import sources
from tests.test_ingest_batch import entries

pipeline = build_pipeline(load_settings(sys.argv[1]))
source_id = sources.ensure_source(pipeline.db, "feed", "feed", "https://example.org/feed")
stored = pipeline.ingest(source_id, "feed", entries(5))  # new stories: their hour rows upserted
watch([], lambda: None).stop()  # no folder to watch
pipeline.close()
print(stored, sorted({m.split(".")[0] for m in sys.modules if m.startswith(("watchdog", "sqlalchemy.dialects.postgresql"))}))
"""


@pytest.mark.skipif(ON_POSTGRES, reason="what a daemon on SQLite loads")
def test_a_daemon_on_sqlite_without_folders_loads_neither_postgresql_nor_watchdog(tmp_path: Path) -> None:
    """SQLAlchemy's PostgreSQL dialect (≈ 2.5 MB) and watchdog are loaded only where they are used."""
    done = subprocess.run([sys.executable, "-c", LOADED, str(write_config(tmp_path))], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["5", "[]"]


MAPPED = """
import ctypes, json, sys
from monitor.memory import map_large_blocks

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
mapped = map_large_blocks() if sys.argv[1] == "mapped" else None
big = bytes(8 << 20)  # mapped, then freed: glibc raises its threshold to 8 MB
del big
before = libc.mallinfo2().hblks
blocks = [bytes(300_000) for _ in range(20)]  # a parsed feed's pickle, a body: 6 MB
print(json.dumps({"mapped": mapped, "blocks": libc.mallinfo2().hblks - before}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt and mallinfo2")
@pytest.mark.parametrize("how", ["mapped", "default"])
def test_large_blocks_stay_mapped_after_a_larger_one_is_freed(how: str) -> None:
    """Blocks of 128 KB and more are mapped on their own (and unmapped when freed, leaving no hole in an
    arena) however large a block was freed before: glibc would otherwise keep them in its arenas."""
    done = subprocess.run([sys.executable, "-c", MAPPED, how], capture_output=True, text=True, timeout=60, check=True)
    seen = json.loads(done.stdout)
    if how == "mapped":
        assert seen == {"mapped": True, "blocks": 20}
    else:
        assert seen["blocks"] == 0  # glibc's own behaviour, which map_large_blocks changes


SERVED = """
import sys
from monitor.daemon import Daemon
from monitor.pipeline import build_pipeline
from monitor.settings import load_settings

daemon = Daemon(build_pipeline(load_settings(sys.argv[1])))
daemon.start()
daemon.shutdown()
print(sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in ("jinja2", "starlette", "uvicorn")}))
"""


@pytest.mark.skipif(ON_POSTGRES, reason="what a daemon loads, the same on either store")
@pytest.mark.parametrize(("host", "token", "loaded"), [(None, "", "[]"), ("127.0.0.1", "", "['jinja2', 'starlette', 'uvicorn']"),
                                                      ("0.0.0.0", "", "['starlette', 'uvicorn']"),
                                                      ("0.0.0.0", "a-token-long-enough-1234", "['jinja2', 'starlette', 'uvicorn']")])
def test_a_daemon_loads_the_web_server_and_templates_only_to_serve_them(tmp_path: Path, host: str | None, token: str, loaded: str) -> None:
    """uvicorn and starlette (≈ 2 MB) only with [server] listen set; jinja2 and the web view (≈ 2 MB more) only where the view is served."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_WEB_")} | ({"MONITOR_WEB_TOKEN": token} if token else {})
    config = write_config(tmp_path, settings={"server": {"listen": f"{host}:{free_port()}" if host else ""}})
    done = subprocess.run([sys.executable, "-c", SERVED, str(config)], cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == loaded
