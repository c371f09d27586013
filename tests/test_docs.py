"""Docs are tested: every CLI verb is in the README, every setting is in the example config."""

from __future__ import annotations

import re

from pydantic import BaseModel

from monitor.cli import app
from monitor.settings import Settings
from tests.conftest import REPO


def _settings_keys(model: type[BaseModel]) -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        keys.add(name)
        annotation = field.annotation
        inner = getattr(annotation, "__args__", (annotation,))
        for arg in inner:
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                keys |= _settings_keys(arg)
    return keys


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    verbs = [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]
    verbs += [g.name for g in app.registered_groups if g.name]
    verbs += [f"{g.name} {c.name or c.callback.__name__}" for g in app.registered_groups for c in g.typer_instance.registered_commands]  # type: ignore[union-attr]
    assert "alerts retry" in verbs
    for verb in verbs:
        assert f"monitor {verb}" in readme, verb


def test_every_setting_is_in_the_example_config_and_the_readme() -> None:
    config = (REPO / "config" / "monitor.toml").read_text()
    readme = (REPO / "README.md").read_text()
    for key in _settings_keys(Settings):
        assert re.search(rf"^#?\s*{key}\s*=|^#?\s*\[\[?{key}\]\]?", config, re.M), f"{key} missing from config/monitor.toml"
        assert f"`{key}`" in readme or f"[{key}]" in readme or f"[[{key}]]" in readme, f"{key} missing from README"


def test_readme_quick_start_is_the_two_make_commands() -> None:
    readme = (REPO / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert (REPO / ".ci" / "run").read_text().strip().endswith("make test")
