"""Each third-party library is wrapped at one edge, and matching stays pure (docs/design.md)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "monitor"
EDGES = {
    "feedparser": {"sources/feeds.py"},
    "apprise": {"alerts/channels.py", "alerts/plugins.py"},
    "apscheduler": {"daemon.py"},
    "sqlalchemy": {str(p.relative_to(PACKAGE)) for p in (PACKAGE / "store").rglob("*.py")},
    "alembic": {"store/migrate.py", *(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "store" / "migrations").rglob("*.py"))},
    "aiohttp": {"sources/http.py"},
    "uvloop": {"sources/http.py"},
    "jinja2": {"alerts/templates.py", "web/app.py"},  # sandboxed for channel templates; autoescaped for the web view's pages
    "starlette": {"web/app.py", "web/serve.py", "server.py"},
    "uvicorn": {"web/serve.py"},
    "watchdog": {"sources/folders.py"},
    "prometheus_client": {"metrics.py", "server.py"},
    "pythonjsonlogger": {"logs.py"},
}


def importers(library: str) -> set[str]:
    pattern = re.compile(rf"^\s*(from|import)\s+{library}\b", re.M)
    return {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if pattern.search(p.read_text())}


@pytest.mark.parametrize("library", sorted(EDGES))
def test_library_is_imported_at_one_edge(library: str) -> None:
    assert importers(library) <= EDGES[library]
    assert importers(library)


@pytest.mark.parametrize("library", ["datasketch", "scipy"])
def test_library_is_for_tests_only(library: str) -> None:
    assert not importers(library)  # datasketch checks stories.py's MinHash in tests; scipy came with it


def test_matching_imports_nothing_of_the_project_but_model_and_text_norm() -> None:
    for path in (PACKAGE / "matching").glob("*.py"):
        for module in re.findall(r"^\s*(?:from|import)\s+(monitor\.[\w.]+)", path.read_text(), re.M):
            assert module in ("monitor.model", "monitor.text_norm") or module.startswith("monitor.matching"), f"{path.name} imports {module}"
        assert not re.search(r"^\s*(?:from|import)\s+(os|pathlib|sqlalchemy|aiohttp|time)\b", path.read_text(), re.M), path.name


def test_the_daemon_imports_no_library_it_does_not_use() -> None:
    """Every verb loads monitor.cli: rich (tables), feedparser (the parsing processes; `monitor run` imports it
    first, to share it with the processes it forks), Jinja (channel templates), requests (Apprise plugins)
    and numpy.random are imported where they are used, not here."""
    unused = {"rich", "feedparser", "jinja2", "requests", "numpy.random", "trafilatura"}
    code = f"import sys, monitor.cli; print(sorted(set(sys.modules) & {unused!r}))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout
    assert loaded.strip() == "[]"


def test_the_entry_script_a_spawned_parser_imports_is_light_and_settings_import_no_source() -> None:
    """A spawned parsing process re-imports the entry script (`monitor.launch`): it must import nothing
    heavy. settings.py takes its defaults from monitor.defaults, not from the sources (issue 16)."""
    heavy = {"sqlalchemy", "numpy", "aiohttp", "pydantic", "apprise", "typer", "apscheduler", "lxml", "feedparser", "monitor.cli"}
    code = f"import sys, monitor.launch; print(sorted(set(sys.modules) & {heavy!r}))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout
    assert loaded.strip() == "[]"
    code = "import sys, monitor.settings; print(sorted(m for m in sys.modules if m.startswith('monitor.sources')))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout.strip() == "[]"
    assert not re.findall(r"^\s*(?:from|import)\s+\S", (PACKAGE / "defaults.py").read_text(), re.M)


def test_metrics_imports_nothing_of_the_project_but_redact() -> None:
    """Issue 17: every stage may bump a counter, so monitor.metrics must sit below them all; it imports only `redact`
    (a foundation that imports nothing of the project: a source's name is served masked)."""
    assert re.findall(r"^(?:from|import)[ \t]+(monitor\S*)", (PACKAGE / "metrics.py").read_text(), re.M) == ["monitor.redact"]
    assert not re.findall(r"^\s*(?:from|import)\s+monitor\b", (PACKAGE / "redact.py").read_text(), re.M)
