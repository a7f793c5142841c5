"""The Markdown plugin, driven through pytest as a user runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "examples" / "dispatch_api" / "isolation.toml"


def _dispatch_count() -> int:
    from examples.dispatch_api import create_app

    return sum(len(item) for item in create_app().openapi()["paths"].values())


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, vulnerabilities: str) -> tuple[int, str]:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", vulnerabilities)
    target = pytester.path / "summary.md"
    result = pytester.runpytest_subprocess(
        "--isolation-schema=examples.dispatch_api:app",
        f"--isolation-config={CONFIG}",
        f"--isolation-report-markdown={target}",
    )
    return result.ret, target.read_text()


def test_leaks_are_tabled_with_evidence_and_reproduction(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, markdown = _run(pytester, monkeypatch, "read-by-id")
    assert code == 1
    lines = markdown.splitlines()
    assert lines[0] == "# Tenant isolation"
    assert lines[2] == f"**1 of {_dispatch_count()} operations leak across tenants** (2 confirmed findings)."
    assert (
        "| `GET /orders/{order_id}` | cross-tenant-read | confirmed | tenant-a | tenant-b | path order_id | canary |"
        in lines
    )
    assert "## 1. `GET /orders/{order_id}`: tenant-a → tenant-b" in lines
    assert "```sh" in lines
    assert any(line.startswith("curl -sS -X GET ") and "$TENANT_A_TOKEN" in line for line in lines)
    assert "Bearer ey" not in markdown


def test_a_clean_api_says_so(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    code, markdown = _run(pytester, monkeypatch, "none")
    assert code == 0
    assert (
        markdown.splitlines()[2] == f"**No confirmed cross-tenant leak** in {_dispatch_count()} operations."
    )
    assert "|" not in markdown


def test_without_the_option_nothing_is_written(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.delenv("ISOLATION_REPORT_MARKDOWN", raising=False)
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
    assert not list(pytester.path.glob("*.md"))


def test_the_command_line_writes_it_too(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    target = tmp_path / "summary.md"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DISPATCH_VULNERABILITIES": "read-by-id"}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "isolation_harness",
            "--schema=examples.dispatch_api:app",
            f"--config={CONFIG}",
            f"--report-markdown={target}",
            "--quiet",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 1, completed.stderr
    lines = target.read_text().splitlines()
    assert lines[2] == f"**1 of {_dispatch_count()} operations leak across tenants** (2 confirmed findings)."
    assert (
        "| `GET /orders/{order_id}` | cross-tenant-read | confirmed | tenant-a | tenant-b | path order_id | canary |"
        in lines
    )
