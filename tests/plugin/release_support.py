"""Helpers for the release-gate tests: the command line as a subprocess, the keys of a report's
findings, and small servers on 127.0.0.1 that misbehave on purpose."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from plugin_support import CLEARED_ENV, REPO, wait_until_serving

DETECTION = REPO / "tests" / "detection"
if str(DETECTION) not in sys.path:
    sys.path.insert(0, str(DETECTION))

from fault_proxy import FaultProxy, serve  # noqa: E402

__all__ = ["serve", "wait_until_serving"]

FindingKey = tuple[str, str, str, str, str, str]


def cli_env(bytecode_cache: Path, vulnerabilities: str = "") -> dict[str, str]:
    """The environment of a command-line run: the outer settings cleared, the example apps importable."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in CLEARED_ENV and not key.startswith("ISOLATION_") and key != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(PYTHONPATH=str(REPO), PYTHONPYCACHEPREFIX=str(bytecode_cache), COLUMNS="80")
    if vulnerabilities:
        env["DISPATCH_VULNERABILITIES"] = vulnerabilities
    return env


@dataclass(frozen=True)
class Ran:
    """A finished command: its exit code and what it printed, line by line."""

    ret: int
    out: str
    err: str
    seconds: float

    @property
    def outlines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def errlines(self) -> list[str]:
        return self.err.splitlines()

    def fnmatch_out(self, lines: Sequence[str], *, consecutive: bool = True) -> None:
        pytest.LineMatcher(self.outlines).fnmatch_lines(list(lines), consecutive=consecutive)


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "isolation_harness", *args]


def run_cli(cwd: Path, env: dict[str, str], *args: str, timeout: float = 180) -> Ran:
    """``python -m isolation_harness ARGS`` in ``cwd``."""
    began = time.monotonic()
    done = subprocess.run(command(*args), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return Ran(done.returncode, done.stdout, done.stderr, time.monotonic() - began)


def run_pytest(cwd: Path, env: dict[str, str], *args: str) -> Ran:
    """``python -m pytest ARGS`` in ``cwd``, without a cache folder."""
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Ran(done.returncode, done.stdout, done.stderr, time.monotonic() - began)


def read_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# Slots of probes sent many at once: in a race, which tenant got whose data is the timing's choice.
RACING = (
    "(at the same moment as other tenants' requests)",
    "(right after another tenant's request was abandoned in flight)",
)


def finding_keys(report: dict[str, Any]) -> set[FindingKey]:
    """Who reached whose data, where, how: one key per finding of a JSON report (for a race, where and
    how only)."""
    return {
        (
            f["operation"],
            f["kind"],
            f["oracle"],
            *(("?", "?") if f["slot"] in RACING else (f["attacker"], f["victim"])),
            f["slot"],
        )
        for f in report["findings"]
    }


def fingerprints(report: dict[str, Any]) -> list[str]:
    return sorted(f["fingerprint"] for f in report["findings"])


def wait_for(
    what: str, condition: Callable[[], bool], process: subprocess.Popen[str], timeout: float = 60
) -> None:
    """Poll until ``condition`` holds; fail if the process ends first or it takes too long."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(
                f"the command ended (exit {process.returncode}) before {what}:\n{out}\n{err}"
            )
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        time.sleep(0.01)


def catches_sigterm(pid: int) -> bool:
    """Whether the command in process ``pid`` has its own SIGTERM handler (Python installs none by default).

    Until it runs the command, a new process is a copy of its parent, with the parent's handlers.
    """
    if b"isolation_harness" not in Path(f"/proc/{pid}/cmdline").read_bytes():
        return False
    status = Path(f"/proc/{pid}/status").read_text()
    caught = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught, 16) >> (signal.SIGTERM - 1) & 1)


def installed_extensions(pid: int) -> set[str]:
    """The compiled modules of installed packages the process has loaded (none until it imports them)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {line.split()[-1] for line in maps.splitlines() if "site-packages" in line and ".so" in line}


def events(path: Path) -> list[dict[str, Any]]:
    """The NDJSON event log so far (a line being written is left out)."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines(keepends=True) if line.endswith("\n")]


class ProvisioningOnlyProxy(FaultProxy):
    """Forwards the description and the provisioning calls; answers 503 to every other request."""

    def __init__(self, upstream: str, *, spared: Sequence[str]) -> None:
        super().__init__(upstream, kind="5xx", rate=1.0)
        self.spared = ("/openapi.json", *spared)

    def breaks(self, path: str) -> bool:
        if path.split("?", 1)[0] in self.spared:
            return False
        with self._lock:
            self.faults += 1
        return True


@contextmanager
def hanging_server(description: dict[str, Any] | None = None) -> Iterator[tuple[str, threading.Event]]:
    """A server that never answers: its base URL, and an event set once a request waits for an answer.

    With ``description``, ``GET /openapi.json`` is answered with it, and only the later requests hang.
    """
    asked = threading.Event()
    release = threading.Event()
    document = json.dumps(description).encode() if description is not None else None

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

        def _handle(self) -> None:
            if document is not None and self.path == "/openapi.json":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)
                return
            asked.set()
            release.wait(60)

        do_GET = do_POST = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", asked
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


Waiter = Callable[[subprocess.Popen[str]], None]


def command_loading(process: subprocess.Popen[str]) -> None:
    # The command holds signals from its first moment: SIGTERM then has a handler, and nothing heavy
    # is imported yet (the command's libraries, the engine and the API all load after this).
    wait_for("a SIGTERM handler", lambda: catches_sigterm(process.pid), process)
    assert installed_extensions(process.pid) == set()


@contextmanager
def in_process(
    directory: Path, campaign: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Callable[[str], Waiter]]]:
    """An API in-process (``campaign`` names it); a moment is seen in the process's signal handlers or
    in its event log."""
    log = directory / "events.ndjson"

    def moment(name: str) -> Waiter:
        if name == "loading":
            return command_loading
        if name == "seeding":
            return lambda process: wait_for(
                "the seed phase", lambda: any(e.get("phase") == "seed" for e in events(log)), process
            )
        assert name == "probing"
        return lambda process: wait_for(
            "20 probes", lambda: sum(e["event"] == "probe-sent" for e in events(log)) >= 20, process
        )

    yield campaign, moment


@contextmanager
def hanging(config: Path, *, description: bool) -> Iterator[tuple[tuple[str, ...], Callable[[str], Waiter]]]:
    """Dispatch behind a server that never answers: the description (or, with ``description``, it answers
    that and then never answers the first signup)."""
    from examples.dispatch_api import create_app

    with hanging_server(create_app().openapi() if description else None) as (url, asked):
        args = ("--schema", f"{url}/openapi.json", "--config", str(config))
        yield args, lambda name: lambda process: wait_for(f"a request in {name}", asked.is_set, process)
