"""Helpers for detection tests: run whole campaigns against the example APIs, in-process and over HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from isolation_harness import CampaignResult, Finding, LoadedApi, load_api, load_app, load_config
from isolation_harness.config import resolve_settings
from isolation_harness.runner import prepare

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DISPATCH_CONFIG = EXAMPLES / "dispatch_api" / "isolation.toml"
NOTEBOOK_CONFIG = EXAMPLES / "notebook_api" / "isolation.toml"


def run_in_process(app: Any, config_path: Path, *, tenants: int = 2, seed: int = 0) -> CampaignResult:
    """A whole campaign against an app object, in-process."""
    config = load_config(config_path)
    return _run(load_app(app, openapi_path=config.openapi_path), config_path, tenants=tenants, seed=seed)


def run_over_http(url: str, config_path: Path, *, tenants: int = 2) -> CampaignResult:
    """A whole campaign against a server, over real HTTP."""
    return _run(load_api(url), config_path, tenants=tenants, seed=0)


def _run(api: LoadedApi, config_path: Path, *, tenants: int, seed: int) -> CampaignResult:
    """Through the path the command line and the pytest plugin take: settings, then ``prepare``."""
    options = {"schema": api.source, "config": str(config_path), "tenants": str(tenants), "seed": str(seed)}
    return prepare(resolve_settings(options, {}, {}), api=api).run()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def uvicorn_server(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in a thread; stop it on exit."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def wsgi_server(app: Any) -> Iterator[str]:
    """Serve a WSGI app with werkzeug on 127.0.0.1 in a thread; stop it on exit."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def confirmed_operations(result: CampaignResult) -> set[str]:
    return {finding.operation for finding in result.findings if finding.verdict.value == "confirmed"}


HELPDESK_CONFIG = EXAMPLES / "helpdesk_api" / "isolation.toml"
DRF_CONFIG = EXAMPLES / "drf_api" / "isolation.toml"


def tenants_of(finding: Finding) -> tuple[str, str]:
    """The attacker and the victim; ``("?", "?")`` for a finding of probes sent many at once (storms,
    cancellations): in a race, which tenant got whose data is the timing's choice."""
    from isolation_harness.probes.cancellation import SLOT as CANCELLATION_SLOT
    from isolation_harness.probes.storm import SLOT as STORM_SLOT

    return (
        ("?", "?") if finding.slot in (STORM_SLOT, CANCELLATION_SLOT) else (finding.attacker, finding.victim)
    )


def who_and_where(result: CampaignResult) -> set[tuple[str, ...]]:
    """(operation, attacker, victim, oracle) of each finding, the tenants as :func:`tenants_of` gives them."""
    return {(f.operation, *tenants_of(f), f.oracle) for f in result.findings}
