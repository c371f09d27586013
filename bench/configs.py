"""The monitor.toml the benches write: their own settings, then N feeds and one console channel (standard library only)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path


def write_monitor_toml(root: Path, settings: list[str], feed_urls: Iterable[str], prefix: str = "lat") -> Path:
    """root/monitor.toml: `settings` (TOML lines), a [[feeds]] table per URL named prefix-i, and a console
    channel writing root/alerts.jsonl."""
    lines = list(settings)
    for i, url in enumerate(feed_urls):
        lines += ["[[feeds]]", f'name = "{prefix}-{i}"', f"url = {json.dumps(url)}"]
    alerts = root / "alerts.jsonl"
    lines += ["[[channels]]", 'name = "file"', f"url = {json.dumps(f'console://local?file={alerts}')}"]
    path = root / "monitor.toml"
    path.write_text("\n".join(lines) + "\n")
    return path
