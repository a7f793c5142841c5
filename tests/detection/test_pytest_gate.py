"""The simplest CI gate: `pytest --isolation-...` in a directory with no tests, judged by its JSON report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from detection_support import DISPATCH_CONFIG, uvicorn_server

from examples.dispatch_api import VULNERABILITIES, create_app

ROOT = Path(__file__).resolve().parents[2]
SUSPECTED_ONLY = {"cacheable-private-response"}


def _gate(tmp_path: Path, schema: str, vulnerabilities: str) -> tuple[int, dict[str, object], str]:
    report = tmp_path / "report.json"
    env = {**os.environ, "DISPATCH_VULNERABILITIES": vulnerabilities, "PYTHONPATH": str(ROOT)}
    for name in ("ISOLATION_SCHEMA", "ISOLATION_CONFIG", "ISOLATION_REPORT_JSON", "ISOLATION_TENANTS"):
        env.pop(name, None)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            f"--isolation-schema={schema}",
            f"--isolation-config={DISPATCH_CONFIG}",
            f"--isolation-report-json={report}",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return completed.returncode, json.loads(report.read_text()), completed.stdout


def _confirmed(report: dict[str, object]) -> set[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {f["operation"] for f in findings if f["verdict"] == "confirmed"}


# Each switch alone is found at exactly its operations in-process (test_dispatch_detection.py); the
# gate is checked clean, with every switch at once (each broken operation a failing item), and with
# single switches of three shapes: a read, a body reference, a delete.
# One bug alone and every bug together; each other bug alone is checked in-process in its detection test.
GATE_CASES = ["none", "all", "read-by-id"]


@pytest.mark.parametrize("name", GATE_CASES)
def test_the_gate_fails_exactly_the_broken_operations(tmp_path: Path, name: str) -> None:
    code, report, stdout = _gate(tmp_path, "examples.dispatch_api:app", name)
    names = VULNERABILITIES if name == "all" else [name] if name in VULNERABILITIES else []
    # Private data sent with public caching headers is suspected (not failing) with no cache in front.
    expected = {
        label for switch in names if switch not in SUSPECTED_ONLY for label in VULNERABILITIES[switch]
    }
    assert _confirmed(report) == expected
    assert report["complete"] is True
    if expected:
        assert code == 1
        for label in expected:
            assert f"FAILED isolation::{label} - " in stdout
    else:
        assert code == 0, stdout
        assert report["findings"] == []


def test_over_http_the_gate_reports_the_same(tmp_path: Path) -> None:
    with uvicorn_server(create_app(["list-unfiltered", "body-reference-unchecked"])) as base_url:
        code, report, _ = _gate(tmp_path, f"{base_url}/openapi.json", "none")
    assert code == 1
    assert _confirmed(report) == {"GET /orders", "POST /labels"}
    api = report["api"]
    assert isinstance(api, dict) and api["base_url"] == base_url
