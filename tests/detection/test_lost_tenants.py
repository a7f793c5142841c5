"""Tenants lost in mid-run: an operation that signs everyone out stops the run with its name, never a pass."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from detection_support import confirmed_operations, run_in_process

from isolation_harness import ProvisioningError, load_app, load_config
from isolation_harness.config import resolve_settings
from isolation_harness.runner import HarnessRun, prepare

OUTSIDE = Path(__file__).resolve().parent / "outside"
CONFIG = OUTSIDE / "journal.toml"
ROOT = Path(__file__).resolve().parents[2]
CULPRIT = "POST /sessions/revoke-all"
MESSAGE = (
    f"Every tenant's own requests were refused after {CULPRIT} (tenant-a: GET /me answered 401, GET /entries "
    "answered 401; tenant-b: GET /me answered 401, GET /entries answered 401), though they worked before: the "
    "operation signs tenants out or resets their accounts. Probing stopped there (3 operations not probed) and "
    "the run is no verdict on the API. "
    f'Exclude it with `exclude = ["{CULPRIT}"]` in [api] of the isolation config and run again.'
)
UNPROBED = ("POST /entries", "PUT /entries/{entry_id}", "DELETE /entries/{entry_id}")


@pytest.fixture(scope="module")
def journal() -> ModuleType:
    sys.path.insert(0, str(OUTSIDE))
    try:
        return importlib.import_module("journal")
    finally:
        sys.path.remove(str(OUTSIDE))


def _excluding(tmp_path: Path) -> Path:
    config = tmp_path / "journal.toml"
    config.write_text(f'[api]\nexclude = ["{CULPRIT}"]\n\n{CONFIG.read_text()}')
    return config


def test_the_run_stops_after_the_operation_that_signed_every_tenant_out(journal: ModuleType) -> None:
    api = load_app(journal.create_app(bugs=["entry-read"]), openapi_path=load_config(CONFIG).openapi_path)
    run: HarnessRun = prepare(
        resolve_settings({"schema": api.source, "config": str(CONFIG)}, {}, {}), api=api
    )

    with pytest.raises(ProvisioningError) as info:
        run.run()

    assert str(info.value) == MESSAGE
    result = run.result
    assert not result.complete and result.setup_failed and result.fatal == f"ProvisioningError: {MESSAGE}"
    # Probing stopped: nothing after the culprit was sent; the leak found before it is kept.
    for label in UNPROBED:
        coverage = result.coverage[label]
        assert coverage.probes == 0
        assert coverage.skipped == [f"not probed: every tenant's own requests were refused after {CULPRIT}"]
    assert result.coverage[CULPRIT].probes == 2
    assert confirmed_operations(result) == {"GET /entries/{entry_id}"}


def _environment() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(OUTSIDE), str(ROOT)])}
    for name in (
        "ISOLATION_SCHEMA",
        "ISOLATION_CONFIG",
        "ISOLATION_REPORT_JSON",
        "ISOLATION_TENANTS",
        "JOURNAL_BUGS",
    ):
        env.pop(name, None)
    return env


def test_the_command_line_and_pytest_end_with_the_message_and_a_usage_error(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    options = ["--schema=journal:app", f"--config={CONFIG}", f"--report-json={report}", "--quiet"]
    cli = subprocess.run(
        [sys.executable, "-m", "isolation_harness", *options],
        cwd=tmp_path,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The target lost its tenants: the command line's own code for it (3), pytest's usage error (4).
    assert cli.returncode == 3
    assert cli.stderr.strip().splitlines()[-1] == f"isolation-harness: error: {MESSAGE}"
    written = json.loads(report.read_text())
    assert (written["complete"], written["reliable"], written["fatal"]) == (
        False,
        False,
        f"ProvisioningError: {MESSAGE}",
    )

    gate = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            *(f"--isolation-{o[2:]}" for o in options[:2]),
        ],
        cwd=tmp_path,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert gate.returncode == int(pytest.ExitCode.USAGE_ERROR)
    assert f"isolation-harness: {MESSAGE}" in gate.stdout


@pytest.mark.parametrize("bugs", [[], ["entry-read"]], ids=["clean", "entry-read"])
def test_foreign_requests_refused_with_403_all_along_are_no_lost_tenants(
    journal: ModuleType, tmp_path: Path, bugs: list[str]
) -> None:
    # Every foreign read, update and delete is answered 403 (the bug lets one read through).
    result = run_in_process(journal.create_app(bugs=bugs), _excluding(tmp_path))

    assert result.complete and result.fatal is None and result.errors == []
    assert all(result.coverage[label].probes > 0 for label in UNPROBED)
    assert confirmed_operations(result) == set(journal.BUGS["entry-read"] if bugs else [])
    assert all(f.verdict.value == "confirmed" for f in result.findings)
