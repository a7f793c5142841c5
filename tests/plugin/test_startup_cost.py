"""Installed but not configured, the plugin imports nothing heavy: an unrelated pytest run stays as fast.

Each run is a pytest subprocess with only this plugin (entry-point autoloading off: schemathesis's
and faker's own pytest plugins, installed with the harness, import those libraries themselves), and
a conftest that writes every imported module's name when pytest ends. What the plugin costs in
time is measured by ``tests/benchmarks/bench_startup.py`` (``make bench``).
"""

from __future__ import annotations

import importlib
import json
import sys

import pytest
from plugin_support import DISPATCH, DISPATCH_CONFIG

import isolation_harness
import isolation_harness.config

# What the engine is made of; none of it may load in a run that configures no API.
HEAVY_PACKAGES = ("schemathesis", "hypothesis", "faker", "requests", "jsonschema_rs", "starlette", "fastapi")
HEAVY_MODULES = ("isolation_harness.engine", "isolation_harness.runner", "isolation_harness.openapi")

MODULES_FILE = "imported-modules.json"
RECORD_MODULES = f"""
import json
import sys

def pytest_unconfigure(config):
    with open({MODULES_FILE!r}, "w") as handle:
        json.dump(sorted(sys.modules), handle)
"""

UNRELATED_TESTS = """
def test_adds():
    assert 1 + 1 == 2
"""

# A project that uses pyproject.toml for other tools (the common case): the plugin reads it, finds
# no [tool.isolation_harness] table, and stays inert.
OTHER_TOOLS_PYPROJECT = """
[project]
name = "unrelated"

[tool.pytest.ini_options]
addopts = "-p no:cacheprovider"
"""


def _imported(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *plugin: str) -> set[str]:
    """The modules imported by the end of a one-test run, with the plugins named (``-p``) and no other."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    result = project.runpytest_subprocess(*plugin)
    result.assert_outcomes(passed=1)
    return set(json.loads((project.path / MODULES_FILE).read_text()))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(
        name
        for name in modules
        if name.split(".")[0] in HEAVY_PACKAGES
        or any(name == heavy or name.startswith(f"{heavy}.") for heavy in HEAVY_MODULES)
    )


def _third_party_packages(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules} - set(sys.stdlib_module_names) - {"__main__"}


def test_without_an_api_the_plugin_imports_no_engine_and_no_other_package(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.makeconftest(RECORD_MODULES)
    project.makepyfile(test_unrelated=UNRELATED_TESTS)
    project.makepyprojecttoml(OTHER_TOOLS_PYPROJECT)

    # An option of the plugin is passed: the run fails with a usage error unless the plugin is loaded.
    with_plugin = _imported(project, monkeypatch, "-p", "isolation_harness.plugin", "--isolation-seed=3")
    without_plugin = _imported(project, monkeypatch)

    assert "isolation_harness.plugin" in with_plugin
    assert _heavy(with_plugin) == []
    # Beyond pytest's own: the harness itself and its first-party plugins (found through the
    # isolation_harness entry points), nothing else.
    added = _third_party_packages(with_plugin) - _third_party_packages(without_plugin)
    assert {name for name in added if not name.startswith("isolation_harness")} == set()


def test_with_an_api_in_pyproject_the_engine_is_loaded(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same check, on a run that configures an API: it sees the engine being imported."""
    project.makeconftest(RECORD_MODULES)
    project.makepyfile(test_unrelated=UNRELATED_TESTS)
    project.makepyprojecttoml(
        f"""
[tool.isolation_harness]
schema = "{DISPATCH}"
config = "{DISPATCH_CONFIG.as_posix()}"
campaign = "off"
"""
    )

    modules = _imported(project, monkeypatch, "-p", "isolation_harness.plugin")

    heavy = _heavy(modules)
    assert {"schemathesis", "isolation_harness.engine", "isolation_harness.runner"} <= set(heavy)


def test_every_public_name_is_imported_on_first_use() -> None:
    """The package's names load lazily (so the plugin's import stays light), and every one resolves."""
    lazy = {name for names in isolation_harness._EXPORTS.values() for name in names}
    assert lazy == set(isolation_harness.__all__) - {"__version__"}
    for name in isolation_harness.__all__:
        assert getattr(isolation_harness, name) is not None, name
    for name in isolation_harness.config.__all__:
        assert getattr(isolation_harness.config, name) is not None, name
    with pytest.raises(AttributeError, match="module 'isolation_harness' has no attribute 'Campain'"):
        importlib.import_module("isolation_harness").Campain  # noqa: B018
