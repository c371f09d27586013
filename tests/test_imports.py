"""The import rule of docs/design.md ("Layers"), held: every module's imports are read (ast, function-local
ones included) and an import running back up a layer, one between two independent units of a layer,
one the rule forbids outright, a cycle, or a wrapped library imported outside its edge fails, naming the
offending edge."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "monitor"

# Bottom to top, as drawn in docs/design.md. A module's layer is that of its longest listed prefix.
# In a layer marked independent, modules of different units (monitor.X, or the listed prefix) do not
# import each other; in the others (the wiring) they may, without a cycle.
LAYERS: list[tuple[str, bool, tuple[str, ...]]] = [
    ("foundations", False, ("monitor", "monitor.errors", "monitor.redact", "monitor.defaults", "monitor.hosts", "monitor.limits", "monitor.model",
                            "monitor.metrics", "monitor.permutations", "monitor.memory", "monitor.logs", "monitor.strict",
                            "monitor.owners")),
    ("text normalisation", True, ("monitor.text_norm",)),  # the neutral module, once moved out of matching/
    ("pure stages", True, ("monitor.matching", "monitor.dedup", "monitor.stories", "monitor.trends", "monitor.spikes_config")),
    ("store", True, ("monitor.store",)),
    ("configuration", True, ("monitor.settings",)),
    ("edges", True, ("monitor.sources", "monitor.alerts", "monitor.watchlist")),
    ("use cases", False, ("monitor.schedule", "monitor.ingest", "monitor.prepare", "monitor.polling", "monitor.scanning", "monitor.escalation", "monitor.pipeline", "monitor.replay", "monitor.server", "monitor.web",
                          "monitor.alerts.dispatch")),  # dispatch: claims from the store, sends through the channels
    ("processes", False, ("monitor.daemon",)),
    ("application", False, ("monitor.app",)),
    ("entry points", False, ("monitor.cli", "monitor.launch", "monitor.__main__")),
]

# Edges no layer may have, whatever their direction: (importer prefix, imported prefix) -> why. An importer prefix
# leaves out the modules listed in LAYERS under a longer one: monitor.alerts is not monitor.alerts.dispatch (the wiring).
FORBIDDEN = {
    ("monitor.sources", "monitor.settings"): "a fetching stage takes value objects (monitor.limits), not the pydantic settings",
    ("monitor.cli", "monitor.store"): "the CLI prints what the façade (monitor.app) returns; only the façade opens the store",
    ("monitor.sources", "monitor.store"): "sources know nothing of storage: they make Documents, the use cases store them",
    ("monitor.sources", "monitor.matching"): "sources know nothing of matching: they make Documents, the pipeline matches them",
    ("monitor.alerts", "monitor.store"): "an edge does its I/O at one library (Apprise): the dispatcher (alerts.dispatch) reads and writes the outbox",
    ("monitor.watchlist", "monitor.store"): "an edge does its I/O at one library (YAML files): the watchlist knows nothing of storage",
}

# Each third-party library wrapped at one edge (docs/design.md, after the layers): library -> the module prefixes
# that may import it; an empty tuple: none in monitor/ (a test or bench dependency).
WRAPPED: dict[str, tuple[str, ...]] = {
    "feedparser": ("monitor.sources.feeds",),
    "apprise": ("monitor.alerts.channels", "monitor.alerts.plugins"),
    "apscheduler": ("monitor.daemon",),
    "aiohttp": ("monitor.sources.http",),
    "sqlalchemy": ("monitor.store",),
    "alembic": ("monitor.store.migrate", "monitor.store.migrations"),
    "starlette": ("monitor.web", "monitor.server"),
    "uvicorn": ("monitor.web", "monitor.server"),
    "prometheus_client": ("monitor.metrics", "monitor.server"),
    "pythonjsonlogger": ("monitor.logs",),
    "datasketch": (),
    "sklearn": (),
}

# Known violations, each owned by another change under way; the integrator empties this set. An entry
# that no longer occurs fails the test too, so the set cannot outlive its reason.
ALLOWED_FOR_NOW = {
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """The monitor modules `name` imports (a name imported from a package is that module when it is one)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names}
    return {m for m in found if m == "monitor" or m.startswith("monitor.")} - {name}


GRAPH = {name: imports_of(name) for name in MODULES}


def libraries_of(name: str) -> set[str]:
    """The top-level names of the absolute imports of `name` that are not monitor's (function-local ones included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found - {"monitor"}


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def prefix_of(name: str) -> tuple[int, str]:
    """(layer index, the listed prefix) of a module; the longest listed prefix wins."""
    best: tuple[int, str] | None = None
    for index, (_, _, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[1])):
                best = (index, prefix)
    assert best is not None and best[1] != "monitor" or name == "monitor", f"{name} is in no layer: place it in LAYERS and docs/design.md"
    return best  # type: ignore[return-value]


def unit_of(name: str, prefix: str) -> str:
    return ".".join(name.split(".")[:2]) if prefix.count(".") < 2 else prefix


def violation(importer: str, imported: str) -> str | None:
    """Why an edge breaks the rule, or None."""
    (low, low_prefix), (high, high_prefix) = prefix_of(imported), prefix_of(importer)
    for (source, target), why in FORBIDDEN.items():
        if within(importer, source) and within(source, high_prefix) and within(imported, target):
            return why
    if low > high:
        return f"runs back up from {LAYERS[high][0]} to {LAYERS[low][0]}"
    if low == high and LAYERS[low][1] and unit_of(importer, high_prefix) != unit_of(imported, low_prefix):
        return f"joins two independent units of {LAYERS[low][0]}"
    return None


def edges() -> set[tuple[str, str]]:
    return {(importer, imported) for importer, targets in GRAPH.items() for imported in targets}


def test_every_module_is_in_a_layer() -> None:
    for name in MODULES:
        prefix_of(name)


def test_no_import_runs_back_up_or_joins_independent_units() -> None:
    broken = [f"{a} -> {b}: {why}" for a, b in sorted(edges()) if (why := violation(a, b)) and (a, b) not in ALLOWED_FOR_NOW]
    assert not broken, "import rule broken (docs/design.md, Layers):\n" + "\n".join(broken)


# What docs/design.md's layout says a neutral module imports of monitor: nothing (so that any layer may take it
# without what it would bring along), or, for metrics, only redact (a source's name is served masked).
IMPORTS_ONLY: dict[str, set[str]] = {
    **{name: set() for name in ("monitor.limits", "monitor.strict", "monitor.defaults", "monitor.hosts", "monitor.text_norm", "monitor.owners")},
    "monitor.metrics": {"monitor.redact"},
}


def test_the_neutral_modules_import_only_what_the_layout_says() -> None:
    extra = {name: sorted(GRAPH[name] - allowed) for name, allowed in IMPORTS_ONLY.items() if GRAPH[name] - allowed}
    assert not extra, f"docs/design.md says these import nothing of monitor (metrics: redact only): {extra}"


def library_violation(importer: str, library: str) -> str | None:
    """Why importing a wrapped library from `importer` breaks the rule, or None."""
    if library in WRAPPED and not any(within(importer, prefix) for prefix in WRAPPED[library]):
        return f"{library} is wrapped at {', '.join(WRAPPED[library]) or 'no module of monitor/ (a test dependency)'}"
    return None


def test_each_wrapped_library_is_imported_only_at_its_edge() -> None:
    broken = [f"{name} imports {library}: {why}" for name in sorted(MODULES) for library in sorted(libraries_of(name))
              if (why := library_violation(name, library))]
    assert not broken, "a library imported outside its edge (docs/design.md, after Layers):\n" + "\n".join(broken)


@pytest.mark.parametrize(("importer", "library", "wrapped"), [
    ("monitor.alerts.channels", "sqlalchemy", True), ("monitor.store.outbox", "sqlalchemy", False),
    ("monitor.store.db", "alembic", True), ("monitor.store.migrations.env", "alembic", False),
    ("monitor.polling", "feedparser", True), ("monitor.stories", "datasketch", True), ("monitor.cli", "typer", False),
])
def test_the_library_rule_itself(importer: str, library: str, wrapped: bool) -> None:
    assert (library_violation(importer, library) is not None) == wrapped


def test_every_edge_allowed_for_now_still_occurs_and_still_breaks_the_rule() -> None:
    stale = [f"{a} -> {b}" for a, b in sorted(ALLOWED_FOR_NOW) if (a, b) not in edges() or violation(a, b) is None]
    assert not stale, "remove from ALLOWED_FOR_NOW (fixed): " + ", ".join(stale)


def first_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as the list of its modules (the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for target in sorted(graph.get(name, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[name] = 2
        path.pop()
        return None

    return next((cycle for name in sorted(graph) if name not in state and (cycle := visit(name))), None)


def test_no_import_cycle() -> None:
    cycle = first_cycle(GRAPH)
    assert cycle is None, f"import cycle: {' -> '.join(cycle)} (the edge {cycle[-2]} -> {cycle[-1]} closes it)"


def test_a_cycle_is_found_and_named() -> None:
    assert first_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert first_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize(("importer", "imported", "expected"), [
    ("monitor.store.db", "monitor.pipeline", "runs back up from store to use cases"),
    ("monitor.sources.http", "monitor.alerts.channels", "joins two independent units of edges"),
    ("monitor.sources.http", "monitor.settings", "value objects"),
    ("monitor.cli", "monitor.store.db", "façade"),
    ("monitor.pipeline", "monitor.schedule", None),
    ("monitor.alerts.dispatch", "monitor.store.outbox", None),
    ("monitor.sources.poller", "monitor.store.sources", "storage"),
    ("monitor.sources.feeds", "monitor.matching.rules", "matching"),
    ("monitor.alerts.channels", "monitor.store.db", "one library"),
    ("monitor.alerts.render", "monitor.matching.report", None),
    ("monitor.watchlist", "monitor.store.mutes", "one library"),
])
def test_the_rule_itself(importer: str, imported: str, expected: str | None) -> None:
    why = violation(importer, imported)
    assert (why is None) if expected is None else (why is not None and expected in why), why
