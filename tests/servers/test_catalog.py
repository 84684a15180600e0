"""The catalog names every app, each app refuses a setting it does not use, and ``servers`` has no import circle."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from harness.paths import REPO_ROOT
from harness.serving.launcher import ServerSpec
from servers import catalog
from servers.settings import AppSettings


@pytest.mark.parametrize("name", sorted(catalog.CATALOG))
def test_every_app_has_a_factory_and_uses_only_settings_that_exist(name):
    app = catalog.app_named(name)
    module, function = app.factory.split(":")
    assert callable(getattr(importlib.import_module(module), function))
    assert app.uses <= set(AppSettings().as_dict())
    assert set(app.defaults) <= app.uses and app.extras <= app.uses


def test_a_setting_the_app_does_not_use_is_a_clear_error_at_start():
    with pytest.raises(ValueError) as error:
        catalog.settings_for("square", {"endpoint_key": "k"})
    assert str(error.value).startswith("the app 'square' does not use the setting(s) ['endpoint_key']; "
                                       "the settings it uses are [")
    with pytest.raises(ValueError, match="does not use the setting"):
        ServerSpec("square", AppSettings(endpoint_key="k"))


def test_the_reference_app_takes_no_settings():
    with pytest.raises(ValueError, match=r"'reference' does not use the setting\(s\) \['predict_seconds'\]"):
        catalog.settings_for("reference", {"predict_seconds": 0.1})
    assert catalog.settings_for("reference", {}) == AppSettings()


def test_a_setting_given_at_its_default_value_means_nothing_and_is_accepted():
    assert catalog.settings_for("echo", {"chunks": AppSettings().chunks}) == AppSettings()


def test_an_app_default_applies_unless_the_scenario_sets_the_setting():
    assert catalog.settings_for("tokens", {}).chunk_pause == 0.01
    assert catalog.settings_for("tokens", {"chunk_pause": 0.0}).chunk_pause == 0.0


def test_an_unknown_app_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown app 'squares'; known apps are \[.*'reference'.*'square'"):
        catalog.app_named("squares")


def test_a_server_with_an_extra_on_covers_the_same_server_without_it():
    with_metrics = ServerSpec("traced_square", AppSettings(workers=2, metrics=True))
    without = ServerSpec("traced_square", AppSettings(workers=2))
    assert with_metrics.covers(without) and not without.covers(with_metrics)
    assert not with_metrics.covers(ServerSpec("traced_square", AppSettings(workers=3)))
    assert not ServerSpec("square", AppSettings(max_batch_size=2)).covers(ServerSpec("square"))


def _imports(path: Path) -> set[str]:
    """The ``servers`` modules a module imports, at its top level or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("servers"):
            names |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names if alias.name.startswith("servers")}
    return names


def test_no_module_of_servers_imports_one_that_imports_it_back():
    modules = {".".join(p.relative_to(REPO_ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in (REPO_ROOT / "servers").rglob("*.py")}
    graph = {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}
    packages = {name for name, path in modules.items() if path.name == "__init__.py"}

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph[start] - packages:  # a package's __init__ importing its modules is not a circle
            if nxt == target or nxt not in seen and (seen.add(nxt) or reaches(nxt, target, seen)):
                return True
        return False

    circles = sorted(name for name in graph if name not in packages and reaches(name, name, set()))
    assert circles == []
