"""Fixtures for the pytester tests of what a user sees: output text and exit codes.

Every run is a subprocess (the in-process transports share an event-loop thread), with the
repository on ``PYTHONPATH`` so that ``examples.dispatch_api:app`` imports, and with every setting
the harness reads from the environment cleared, so the outer environment cannot change a result.
"""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from plugin_support import CLEARED_ENV, REPO, DispatchServer, free_port, wait_until_serving


@pytest.fixture(scope="session")
def bytecode_cache() -> Path:
    """Where the subprocesses keep compiled bytecode and pytest's rewritten modules.

    Each run starts a fresh interpreter; without a bytecode cache (PYTHONDONTWRITEBYTECODE is common
    in CI), every one of them compiles and assertion-rewrites hundreds of plugin modules again, which
    doubles the time of a run. Kept outside the repository and reused across sessions.
    """
    path = Path(tempfile.gettempdir()) / f"isolation-harness-tests-pycache-{getpass.getuser()}"
    path.mkdir(exist_ok=True)
    return path


def subprocess_environment(monkeypatch: pytest.MonkeyPatch, bytecode_cache: Path) -> None:
    """Make this test's subprocesses import the example apps, unaffected by the outer environment."""
    for name in CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", str(bytecode_cache))
    # Lines pytest shortens ("leaks acros...") are cut at the terminal width: fix it.
    monkeypatch.setenv("COLUMNS", "80")


@pytest.fixture
def project(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, bytecode_cache: Path
) -> pytest.Pytester:
    """An empty pytester project whose subprocesses can import the example apps."""
    subprocess_environment(monkeypatch, bytecode_cache)
    return pytester


@pytest.fixture
def dispatch_server(tmp_path: Path, bytecode_cache: Path) -> Iterator[DispatchServer]:
    """Serve Dispatch (with ``read-by-id`` on) over HTTP, sign up two accounts; stop the server after."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if key not in CLEARED_ENV}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(PYTHONPATH=str(REPO), PYTHONPYCACHEPREFIX=str(bytecode_cache))
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "examples.dispatch_api",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--vulnerabilities",
                "read-by-id",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(f"{base_url}/openapi.json", server, log=log_path)
            client = requests.Session()
            client.trust_env = False  # 127.0.0.1, never through a proxy
            tokens: dict[str, str] = {}
            passwords: dict[str, str] = {}
            for name in ("acme", "globex"):
                email, password = f"ops@{name}.example", f"{name}-Secret-Passw0rd"
                signup = client.post(
                    f"{base_url}/accounts",
                    json={"company_name": f"{name.title()} Ltd", "email": email, "password": password},
                    timeout=5,
                )
                assert signup.status_code == 201, signup.text
                login = client.post(
                    f"{base_url}/auth/login", json={"email": email, "password": password}, timeout=5
                )
                assert login.status_code == 200, login.text
                tokens[name] = login.json()["access_token"]
                passwords[name] = password
            yield DispatchServer(base_url=base_url, tokens=tokens, passwords=passwords)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
