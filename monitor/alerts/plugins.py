"""Apprise plugins loaded by need: only those the configured channels' schemas use.

Apprise imports all of its ~130 plugins (and `requests`, `oauthlib`: about 17 MB) the first time
any schema is looked up. Here the plugin sources are read instead (their `protocol` and
`secure_protocol` lines), and only the plugin module of each schema asked for is imported and
registered with Apprise's plugin manager, as Apprise itself would register it. A schema the sources
do not reveal (or an Apprise config file, which may name any) loads them all, as Apprise does.

Kept for a measured goal: the daemon's ≤ 150 MB across processes (docs/benchmarks.md, met at 142-145
MB PSS). With every plugin loaded (what Apprise does by itself) a process that imported monitor.pipeline
and built the example config's Notifier holds 113.3-113.4 MB RSS, against 98.3-98.4 MB with this loader
(`.venv/bin/python bench/apprise_rss.py all|need`, three runs each). Apprise has no public way
to register one native plugin without loading them all first (`N_MGR.add` loads every module when the
manager is empty), so its private maps are written; tests/test_alert_plugins.py holds their names and
pyproject.toml pins Apprise to 2.3.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import apprise.plugins
from apprise.apprise import N_MGR as _N_MGR
from apprise.utils.parse import parse_list as _parse_list
from apprise.utils.parse import parse_urls as _parse_urls

_PROTOCOL_LINE = re.compile(r"^\s+(?:secure_)?protocol\s*=\s*(\([^)]*\)|[^\n]*)", re.M)
_QUOTED = re.compile(r"[\"']([A-Za-z0-9][A-Za-z0-9+.-]*)[\"']")
_lock = threading.Lock()
_everything = False
_custom: dict[str, Callable[[], object]] = {}  # schema -> registers it (our own, e.g. console://)
N_MGR: Any = _N_MGR  # Apprise's plugin manager: its private maps are untyped (and may be None before loading)
parse_list: Any = _parse_list
parse_urls: Any = _parse_urls


@cache
def plugin_modules() -> dict[str, str]:
    """Schema -> the Apprise plugin module declaring it, read from the plugin sources."""
    root = Path(apprise.plugins.__file__).parent
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        top = path.relative_to(root).parts[0].removesuffix(".py")
        if top.startswith("_") or top == "base":
            continue
        for declared in _PROTOCOL_LINE.findall(path.read_text(encoding="utf-8", errors="replace")):
            for schema in _QUOTED.findall(declared):
                found.setdefault(schema.lower(), f"{apprise.plugins.__name__}.{top}")
    return found


def _start_empty() -> None:
    """Tell the manager its native plugins are loaded (so that a lookup does not import them all)."""
    if not N_MGR:
        N_MGR._module_map, N_MGR._schema_map, N_MGR._custom_module_map = {}, {}, {}
        N_MGR._loaded.add(N_MGR.module_path)


def _register(module_name: str, schema: str) -> bool:
    """Import one plugin module and map its schemas, as `load_modules` does for each module."""
    module = importlib.import_module(module_name)
    short = module_name.rsplit(".", 1)[-1]
    for name in dir(module):
        plugin = getattr(module, name)
        if not N_MGR.module_filter_re.match(name) or not hasattr(plugin, "app_id"):
            continue
        schemas = {s.lower() for s in parse_list(getattr(plugin, "secure_protocol", None), getattr(plugin, "protocol", None))}
        if schema not in schemas:
            continue
        N_MGR._module_map[short] = {"plugin": {plugin}, "module": module, "path": module_name, "native": True}
        for each in schemas:
            N_MGR._schema_map.setdefault(each, plugin)
        return True
    return False


def _load_everything() -> None:
    global _everything
    if not _everything:
        N_MGR.unload_modules()
        N_MGR.load_modules()
        _everything = True
        for register in _custom.values():
            register()


def add_custom(schema: str, register: Callable[[], object]) -> None:
    """Our own schema (an Apprise `@notify` function), registered when first needed."""
    _custom[schema.lower()] = register


def known_schemas() -> list[str]:
    """Every schema Apprise's plugins declare, and ours."""
    return sorted(set(plugin_modules()) | set(_custom))


def need(url: str | None = None) -> None:
    """Make the schema of `url` known to Apprise; without a URL (an Apprise config file), every schema."""
    with _lock:
        if url is None:
            _load_everything()
            return
        schema = url.partition("://")[0].lower()
        if _everything:
            return
        with N_MGR._lock:
            _start_empty()
        if schema in N_MGR._schema_map:
            return
        if schema in _custom:
            _custom[schema]()
            return
        module_name = plugin_modules().get(schema)
        with N_MGR._lock:  # Apprise's own: its lookups in other threads see the maps whole
            registered = module_name is not None and _register(module_name, schema)
        if not registered:
            _load_everything()
