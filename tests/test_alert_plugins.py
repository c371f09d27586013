"""Apprise plugins are imported by need: each case in a fresh interpreter (Apprise's manager is a singleton)."""

from __future__ import annotations

import json
import subprocess
import sys

from monitor.alerts.plugins import plugin_modules

PROBE = """
import json, sys
from monitor.alerts.channels import describe
from monitor.settings import Channel
from apprise.apprise import N_MGR
shown = [describe(Channel(name="c", url=url, tags=["x"])) for url in sys.argv[1:]]
print(json.dumps({"shown": shown, "requests": "requests" in sys.modules, "plugins": sorted(N_MGR._module_map)}))
"""


def probe(*urls: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *urls], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_sources_reveal_the_common_schemas() -> None:
    modules = plugin_modules()
    assert modules["mailto"] == modules["mailtos"] == "apprise.plugins.email"
    assert modules["slack"] == "apprise.plugins.slack"
    assert modules["json"] == "apprise.plugins.custom_json"


def test_the_offline_console_channel_loads_no_apprise_plugin() -> None:
    seen = probe("console://local")
    assert seen["shown"] == ["c: console://"]
    assert seen["plugins"] == [] and not seen["requests"]


def test_an_email_and_a_slack_channel_load_their_two_plugins_only() -> None:
    seen = probe("console://local", "mailtos://user:hunter2@example.com", "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ")
    assert seen["plugins"] == ["email", "slack"]
    assert seen["shown"][1].startswith("c: mailtos://user:****@example.com") and "hunter2" not in seen["shown"][1]


def test_a_schema_the_sources_do_not_reveal_loads_them_all() -> None:
    seen = probe("console://local", "kodi://host", "console://local")  # kodi's protocol is declared through variables
    assert seen["shown"][1].startswith("c: kodi://host") and len(seen["plugins"]) > 100
    assert seen["shown"][2] == "c: console://"  # our own schema survives the full load


def test_an_unknown_schema_is_still_a_config_error() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, "nosuchschema://x"], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "Apprise does not understand the URL nosuchschema://x" in done.stderr


def test_the_apprise_manager_internals_the_loader_writes_still_exist() -> None:
    """alerts/plugins.py writes N_MGR's maps (it keeps the daemon within its memory goal, docs/benchmarks.md:
    all plugins cost ≈ 15 MB more RSS); a later Apprise that renames them fails here by name."""
    import re

    import apprise
    from apprise.apprise import N_MGR

    assert apprise.__version__.startswith("2.3."), f"apprise {apprise.__version__}: pyproject pins the minor the loader was tested on"
    for name in ("_module_map", "_schema_map", "_custom_module_map", "_loaded", "_lock", "module_path"):
        assert hasattr(N_MGR, name), f"apprise's NotificationManager has no {name} any more: review monitor/alerts/plugins.py"
    assert isinstance(N_MGR.module_filter_re, re.Pattern)
    assert callable(N_MGR.load_modules) and callable(N_MGR.unload_modules)
