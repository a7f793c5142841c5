"""A hooks module (``--hooks`` / ``--isolation-hooks`` / ``hooks`` in the config) provisions tenants from
the command line and under pytest alike, with no conftest.py."""

from __future__ import annotations

import json
import sys

import pytest
from plugin_support import DISPATCH, DISPATCH_CONFIG, dispatch_hooks

HOOKS = dispatch_hooks("isolation_harness")


@pytest.fixture
def hooked(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "read-by-id")
    (project.path / "my_hooks.py").write_text(HOOKS)
    return project


def _leaks(report: str) -> set[str]:
    data = json.loads(report)
    return {f["operation"] for f in data["findings"] if f["verdict"] == "confirmed"}


def test_the_command_line_loads_a_hooks_file(hooked: pytest.Pytester) -> None:
    result = hooked.run(
        sys.executable,
        "-m",
        "isolation_harness",
        f"--schema={DISPATCH}",
        "--hooks=my_hooks.py",
        "--report-json=report.json",
        "--quiet",
        timeout=300,
    )
    assert result.ret == 1, result.stderr.str()
    assert _leaks((hooked.path / "report.json").read_text()) == {"GET /orders/{order_id}"}
    # The bystander (tenant-c), which creates nothing, goes first: when its reads are done.
    assert (hooked.path / "teardown.log").read_text().split() == ["tenant-c", "tenant-a", "tenant-b"]


def test_pytest_loads_a_hooks_module_named_in_the_config(hooked: pytest.Pytester) -> None:
    (hooked.path / "isolation.toml").write_text('hooks = "my_hooks"\n')
    result = hooked.runpytest_subprocess(
        f"--isolation-schema={DISPATCH}",
        "--isolation-config=isolation.toml",
        "--isolation-report-json=report.json",
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert _leaks((hooked.path / "report.json").read_text()) == {"GET /orders/{order_id}"}
    # The bystander (tenant-c), which creates nothing, goes first: when its reads are done.
    assert (hooked.path / "teardown.log").read_text().split() == ["tenant-c", "tenant-a", "tenant-b"]


def test_a_misspelt_hook_is_a_configuration_error(project: pytest.Pytester) -> None:
    (project.path / "my_hooks.py").write_text(
        "def isolation_harness_provison(tenant, context):\n    return 't'\n"
    )
    result = project.run(
        sys.executable, "-m", "isolation_harness", f"--schema={DISPATCH}", "--hooks=my_hooks.py"
    )
    assert result.ret == 2
    assert result.errlines == [
        "isolation-harness: error: The hooks module 'my_hooks.py' defines isolation_harness_provison, which is no "
        "hook. Did you mean 'isolation_harness_provision'? Hooks: isolation_harness_campaign_finished, "
        "isolation_harness_credentials, isolation_harness_listeners, isolation_harness_oracles, "
        "isolation_harness_probe_kinds, isolation_harness_provision, isolation_harness_settings, "
        "isolation_harness_teardown."
    ]


def test_a_hooks_module_cannot_add_settings(project: pytest.Pytester) -> None:
    (project.path / "my_hooks.py").write_text("def isolation_harness_settings():\n    return []\n")
    result = project.run(
        sys.executable, "-m", "isolation_harness", f"--schema={DISPATCH}", "--hooks=my_hooks.py"
    )
    assert result.ret == 2
    assert result.errlines == [
        "isolation-harness: error: The hooks module 'my_hooks.py' defines isolation_harness_settings, but options "
        "are made before a hooks module is loaded. Add settings from an installed plugin (an entry point in the "
        "isolation_harness group; see plugins/README.md), or read an environment variable yourself."
    ]


def test_a_plugin_that_raises_is_an_internal_error_not_a_leak(project: pytest.Pytester) -> None:
    (project.path / "my_hooks.py").write_text(
        "def isolation_harness_campaign_finished(result, settings):\n    raise RuntimeError('disk full')\n"
    )
    result = project.run(
        sys.executable,
        "-m",
        "isolation_harness",
        f"--schema={DISPATCH}",
        f"--config={DISPATCH_CONFIG}",
        "--hooks=my_hooks.py",
        "--quiet",
        "--report-json=report.json",
    )
    # Clean Dispatch: 0 would be a pass, 1 a leak; a crash is neither.
    assert result.ret == 70
    assert result.errlines[-1] == (
        "isolation-harness: internal error: RuntimeError: disk full. This is a bug in the harness or one of its "
        "plugins (the trace above says which); the reports hold what was done."
    )
    assert "Traceback (most recent call last):" in result.stderr.str()
    assert (project.path / "report.json").is_file()
