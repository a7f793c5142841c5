"""A third-party plugin, installed with its own entry point, adds an oracle seen from the CLI and pytest alike."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from plugin_support import DISPATCH, DISPATCH_CONFIG

ORACLE = '''
from isolation_harness import Evidence, FindingKind, Verdict, hookimpl


class AnyTwoHundred:
    """Every 2xx to a request carrying another tenant's identifier (RESTler's rule), as suspected."""

    name = "any-2xx"
    final = False

    def applies(self, probe):
        return probe.victim is not None and probe.kind == "foreign-identifier"

    def prepare(self, probe, ctx):
        return None

    def judge(self, probe, exchange, ctx, prepared):
        if not exchange.response.ok:
            return []
        text = f"HTTP {exchange.response.status} for {probe.victim.name}'s identifier"
        return [Evidence(self.name, FindingKind.READ, Verdict.SUSPECTED, probe.victim.name, text)]


@hookimpl
def isolation_harness_oracles(settings):
    return [AnyTwoHundred()]
'''


def _install(site: Path) -> None:
    """Install the plugin as pip would leave it: a module and its distribution's metadata."""
    (site / "any_two_hundred.py").write_text(ORACLE)
    info = site / "any_two_hundred-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: any-two-hundred\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[isolation_harness]\nany_two_hundred = any_two_hundred\n")


def _suspected(report: Path) -> set[tuple[str, str, str]]:
    findings = json.loads(report.read_text())["findings"]
    return {(f["operation"], f["attacker"], f["victim"]) for f in findings if f["oracle"] == "any-2xx"}


@pytest.fixture
def installed(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    site = project.path / "site"
    site.mkdir()
    _install(site)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), os.environ["PYTHONPATH"]]))
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "read-by-id")
    return project


def test_the_plugins_oracle_finds_from_the_command_line(installed: pytest.Pytester) -> None:
    report = installed.path / "cli.json"
    result = installed.run(
        sys.executable,
        "-m",
        "isolation_harness",
        "--schema",
        DISPATCH,
        "--config",
        str(DISPATCH_CONFIG),
        "--report-json",
        str(report),
        "--quiet",
        timeout=300,
    )
    assert result.ret == 1
    assert ("GET /orders/{order_id}", "tenant-a", "tenant-b") in _suspected(report)


def test_the_plugins_oracle_finds_under_pytest(installed: pytest.Pytester) -> None:
    report = installed.path / "pytest.json"
    result = installed.runpytest_subprocess(
        f"--isolation-schema={DISPATCH}",
        f"--isolation-config={DISPATCH_CONFIG}",
        f"--isolation-report-json={report}",
    )
    assert result.ret == 1
    assert ("GET /orders/{order_id}", "tenant-a", "tenant-b") in _suspected(report)


def test_without_the_plugin_there_is_no_such_finding(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "read-by-id")
    report = project.path / "plain.json"
    result = project.runpytest_subprocess(
        f"--isolation-schema={DISPATCH}",
        f"--isolation-config={DISPATCH_CONFIG}",
        f"--isolation-report-json={report}",
    )
    assert result.ret == 1
    assert _suspected(report) == set()
