"""Every library is pinned to the range the suite runs on (pyproject.toml), and every one monitor imports is declared."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, version

from packaging.requirements import Requirement

from tests.conftest import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
REQUIREMENTS = [Requirement(line) for line in [*PROJECT["dependencies"], *(line for extra in PROJECT["optional-dependencies"].values() for line in extra)]
                if not line.startswith("monitor")]


def test_every_requirement_has_an_upper_bound_and_the_installed_version_is_in_its_range() -> None:
    unbounded = [str(r) for r in REQUIREMENTS if not any(spec.operator in ("<", "<=", "==", "~=") for spec in r.specifier)]
    assert unbounded == [], "pin these below the next version the suite has not run on"
    outside = []
    for requirement in REQUIREMENTS:
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            outside.append(f"{requirement}: not installed")
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            outside.append(f"{requirement}: {installed} installed")
    assert outside == []


def test_every_library_monitor_imports_is_a_declared_dependency() -> None:
    declared = {r.name.lower().replace("_", "-") for r in REQUIREMENTS if "extra" not in str(r.marker or "")}
    by_module = packages_distributions()
    missing = set()
    for path in (REPO / "monitor").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            for top in {name.split(".")[0] for name in names} - {"monitor"} - set(sys.stdlib_module_names):
                distributions = {d.lower().replace("_", "-") for d in by_module.get(top, [top])}
                if not distributions & declared:
                    missing.add(f"{top} ({path.relative_to(REPO)})")
    assert sorted(missing) == []
