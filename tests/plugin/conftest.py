"""Shared set-up for the pytester tests of what a user sees: output text and exit codes.

Every run is a subprocess (the in-process transports share an event-loop thread), with the
repository on ``PYTHONPATH`` so that ``examples.dispatch_api:app`` imports, and with every setting
the harness reads from the environment cleared, so the outer environment cannot change a result.
"""

from __future__ import annotations

import glob
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
DISPATCH_CONFIG = REPO / "examples" / "dispatch_api" / "isolation.toml"
NOTEBOOK_CONFIG = REPO / "examples" / "notebook_api" / "isolation.toml"
DISPATCH = "examples.dispatch_api:app"
NOTEBOOK = "examples.notebook_api:app"
USAGE_ERROR = pytest.ExitCode.USAGE_ERROR

_CLEARED = (
    "ISOLATION_SCHEMA",
    "ISOLATION_BASE_URL",
    "ISOLATION_CONFIG",
    "ISOLATION_TENANTS",
    "ISOLATION_SEED",
    "ISOLATION_REPORT_JSON",
    "ISOLATION_REPORT_MARKDOWN",
    "DISPATCH_VULNERABILITIES",
    "NOTEBOOK_VULNERABILITIES",
    "PYTEST_ADDOPTS",
)

# A bearer credential written out: "Bearer " and a token character (RFC 6750 b64token).
# Reproductions write "Bearer $TENANT_A_TOKEN" instead, which this does not match.
BEARER_VALUE = re.compile(r"Bearer [A-Za-z0-9\-._~+/]")


def lit(text: str) -> str:
    """An fnmatch pattern matching ``text`` literally (``[confirmed]`` is a character class otherwise)."""
    return glob.escape(text)


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """An empty pytester project whose subprocesses can import the example apps."""
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return pytester


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass(frozen=True)
class DispatchServer:
    """Dispatch served by uvicorn on 127.0.0.1, with accounts created before the campaign."""

    base_url: str
    tokens: dict[str, str]
    passwords: dict[str, str]


@pytest.fixture
def dispatch_server(tmp_path: Path) -> Iterator[DispatchServer]:
    """Serve Dispatch (with ``read-by-id`` on) over HTTP; sign up two accounts; stop it afterwards."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("DISPATCH_VULNERABILITIES", None)
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "examples.dispatch_api", "--port", str(port), "--vulnerabilities", "read-by-id"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{base_url}/openapi.json", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Dispatch did not start: {(tmp_path / 'server.log').read_text()}")
            time.sleep(0.1)
        tokens: dict[str, str] = {}
        passwords: dict[str, str] = {}
        for name in ("acme", "globex"):
            email, password = f"ops@{name}.example", f"{name}-Secret-Passw0rd"
            signup = requests.post(
                f"{base_url}/accounts",
                json={"company_name": f"{name.title()} Ltd", "email": email, "password": password},
                timeout=5,
            )
            assert signup.status_code == 201, signup.text
            login = requests.post(
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
        log.close()
