"""What a folder scan costs when the files already read stay in the folder.

Makes N small article files in a temporary folder and a SQLite store that has read them all (their `seen_files`
rows written at once), then times `FolderScanning.scan` of that folder: the first scan of a process and the
scans after it (a daemon rescans every `folders_every`, and at each file watchdog sees), wall and CPU time (the CPU
less swayed by a loaded machine), with the parts a scan spends on: listing the folder (`article_files`) and asking
the store which files were read (`files.versions`).
Nothing is read: every file is known; an ingest that would store one stops the script.

    .venv/bin/python bench/folder_scan.py [N] [SCANS]
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import insert  # noqa: E402

from monitor.scanning import Folder, FolderScanning  # noqa: E402
from monitor.sources.folders import article_files  # noqa: E402
from monitor.store import files, sources  # noqa: E402
from monitor.store.db import Database  # noqa: E402
from monitor.store.tables import SeenFileRow  # noqa: E402


def _no_ingest(*args: Any, **kwargs: Any) -> int:
    raise SystemExit("a file was read: every file was to be known as read")


def main(n: int, scans: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inbox = root / "inbox"
        inbox.mkdir()
        for i in range(n):
            (inbox / f"wire-{i:06d}.txt").write_text(f"Title {i}\n\nA short article, number {i}, read long ago.\n")
        db = Database(f"sqlite:///{root / 'monitor.db'}")
        source_id = sources.ensure_source(db, "inbox", "folder", str(inbox))
        now = datetime.now(UTC)
        resolved = inbox.resolve()
        with db.transaction() as conn:
            rows = [{"path": str(resolved / p.name), "size": (st := p.stat()).st_size, "mtime_ns": st.st_mtime_ns, "seen_at": now, "lease_until": None}
                    for p in inbox.iterdir()]
            conn.execute(insert(SeenFileRow), rows)
        folder = Folder("inbox", inbox, settle_seconds=0.0)
        scanning = FolderScanning(db, _no_ingest, (folder,), {"inbox": source_id}, rescan_every=2.0)  # type: ignore[arg-type]
        times, cpu = [], []
        for _ in range(scans):
            started, used = time.perf_counter(), time.process_time()
            scanning.scan(folder)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
        listing_s, query_s = [], []
        for _ in range(3):
            started = time.perf_counter()
            listing = article_files(inbox)
            listing_s.append(time.perf_counter() - started)
            keys = [str(resolved / e.relative) for e in listing.files]
            started = time.perf_counter()
            files.versions(db, keys, now)
            query_s.append(time.perf_counter() - started)
        db.close()
    print(json.dumps({
        "files": n,
        "first_scan_s": round(times[0], 3),
        "later_scans_median_s": round(statistics.median(times[1:]), 3) if len(times) > 1 else None,
        "later_scans_best_s": round(min(times[1:]), 3) if len(times) > 1 else None,
        "first_scan_cpu_s": round(cpu[0], 3),
        "later_scans_cpu_median_s": round(statistics.median(cpu[1:]), 3) if len(cpu) > 1 else None,
        "listing_best_s": round(min(listing_s), 3),
        "seen_query_best_s": round(min(query_s), 3),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000, int(sys.argv[2]) if len(sys.argv) > 2 else 6)
