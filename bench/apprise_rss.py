"""RSS of a daemon-like process with the Apprise plugins loaded by need (`need`) or all of them (`all`): the
measurement behind monitor/alerts/plugins.py. From the repository root: .venv/bin/python bench/apprise_rss.py need|all"""

import re
import sys
from pathlib import Path

import monitor.pipeline  # noqa: F401  (what the daemon imports)
from monitor.alerts import plugins
from monitor.alerts.channels import Notifier
from monitor.settings import load_settings

if sys.argv[1] == "all":
    plugins.need(None)  # what Apprise does by itself at the first schema lookup: every plugin
Notifier(load_settings(Path("config/monitor.toml")).channels)
status = Path("/proc/self/status").read_text()
print(sys.argv[1], "VmRSS", re.search(r"VmRSS:\s+(\d+)", status).group(1), "kB")  # type: ignore[union-attr]
