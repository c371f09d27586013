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
