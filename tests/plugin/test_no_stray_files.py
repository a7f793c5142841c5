"""A campaign leaves nothing in the working directory but the reports it was asked for.

Hypothesis (which the harness uses to find strings matching a schema's ``pattern``; Dispatch has
such fields) would otherwise leave a ``.hypothesis/`` folder there. Both front ends run in an empty
directory, as a user would in their project; bytecode goes to the shared cache
(``PYTHONPYCACHEPREFIX``, set by the ``project`` fixture).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from plugin_support import DISPATCH, DISPATCH_CONFIG


def _contents(directory: Path) -> set[str]:
    return {path.relative_to(directory).as_posix() for path in directory.rglob("*")}


def _run(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=directory, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def workdir(project: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory to run in, with the ``project`` fixture's environment and a leaking Dispatch."""
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", "read-by-id")
    directory = tmp_path / "work"
    directory.mkdir()
    return directory


def test_the_command_line_writes_only_the_report(workdir: Path) -> None:
    run = _run(
        workdir,
        "isolation_harness",
        "run",
        "--schema",
        DISPATCH,
        "--config",
        str(DISPATCH_CONFIG),
        "--report-json",
        "report.json",
    )

    assert run.returncode == 1, run.stderr  # confirmed findings
    assert _contents(workdir) == {"report.json"}


def test_pytest_writes_only_its_junit_file(workdir: Path) -> None:
    # pytest's own cache (.pytest_cache) is pytest's, not the harness's: switched off here.
    run = _run(
        workdir,
        "pytest",
        "-p",
        "no:cacheprovider",
        f"--isolation-schema={DISPATCH}",
        f"--isolation-config={DISPATCH_CONFIG}",
        "--junitxml=junit.xml",
    )

    assert run.returncode == pytest.ExitCode.TESTS_FAILED, run.stdout
    assert _contents(workdir) == {"junit.xml"}


def test_the_users_own_hypothesis_storage_is_left_where_it_was() -> None:
    """Only the harness's own use of hypothesis is redirected, and only while it lasts."""
    from hypothesis.configuration import storage_directory

    from isolation_harness._hypothesis import private_storage

    before = storage_directory().home_directory
    with private_storage():
        inside = storage_directory().home_directory
        assert inside.is_dir()
        assert not inside.resolve().is_relative_to(Path.cwd().resolve())
    assert storage_directory().home_directory == before
    assert not inside.exists()
