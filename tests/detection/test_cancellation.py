"""Cancellation probes against an API by another author (tests/detection/outside/cancelled_app.py).

Its notes are read over one connection shared by every request; with the bug on, a read given up in
flight leaves its reply there for the next reader (redis-py, CVE-2023-28858). Only the cancellation
probes can see it: serial and concurrent reads that wait for their answers never leave a reply behind.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from detection_support import run_in_process, run_over_http, uvicorn_server

from isolation_harness import CampaignResult, load_app, load_config
from isolation_harness.config import resolve_settings
from isolation_harness.probes.cancellation import SLOT
from isolation_harness.runner import prepare

OUTSIDE = Path(__file__).resolve().parent / "outside"
CONFIG = OUTSIDE / "cancelled_app.toml"
BUG = "cancelled-reply"


def _scratchpad() -> ModuleType:
    if str(OUTSIDE) not in sys.path:
        sys.path.insert(0, str(OUTSIDE))
    return importlib.import_module("cancelled_app")


def _without_cancellation(app: Any) -> CampaignResult:
    """A whole campaign in-process, as :func:`run_in_process` runs it, with the cancellation probes off."""
    api = load_app(app, openapi_path=load_config(CONFIG).openapi_path)
    options = {"schema": api.source, "config": str(CONFIG), "tenants": "2", "skip_probes": "cancellation"}
    return prepare(resolve_settings(options, {}, {}), api=api).run()


def _found(result: CampaignResult) -> set[tuple[str, str, str, str, str]]:
    return {(f.operation, f.kind.value, f.verdict.value, f.oracle, f.slot) for f in result.findings}


LEAK = {("GET /notes", "cross-tenant-read", "confirmed", "canary", SLOT)}


def test_reply_left_by_an_abandoned_read_is_found() -> None:
    app = _scratchpad().create_app(bugs=[BUG])
    result = run_in_process(app, CONFIG)
    assert result.complete
    assert result.errors == []
    assert _found(result) == LEAK
    assert all(finding.attacker != finding.victim for finding in result.findings)


def test_connection_reset_after_an_abandoned_read_is_clean() -> None:
    app = _scratchpad().create_app()
    result = run_in_process(app, CONFIG)
    assert result.complete
    assert result.errors == []
    assert result.findings == []
    # The abandoned reads did reach the handler and were cancelled there: clean is not unprobed.
    assert app.state.cache.cancelled >= 1
    assert result.coverage["GET /notes"].kinds["cancellation"] == 2


def test_only_the_cancellation_probes_see_it() -> None:
    app = _scratchpad().create_app(bugs=[BUG])
    result = _without_cancellation(app)
    assert result.complete
    assert result.errors == []
    assert result.findings == []
    assert result.coverage["GET /notes"].kinds["storm"] > 0
    assert result.coverage["GET /notes"].kinds["cache-warm"] > 0
    assert app.state.cache.cancelled == 0


def test_found_over_http_when_the_client_goes_away() -> None:
    bugged = _scratchpad().create_app(bugs=[BUG])
    with uvicorn_server(bugged) as url:
        result = run_over_http(f"{url}/openapi.json", CONFIG)
    assert result.complete
    assert result.errors == []
    assert _found(result) == LEAK
    # uvicorn does not cancel a request whose client left: the handler saw it go (is_disconnected). The
    # second abandoned read found a reply already waiting (the first probe's own), so it may not have been given up.
    assert bugged.state.cache.cancelled >= 1


def test_clean_over_http() -> None:
    fixed = _scratchpad().create_app()
    with uvicorn_server(fixed) as url:
        result = run_over_http(f"{url}/openapi.json", CONFIG)
    assert result.complete
    assert result.errors == []
    assert result.findings == []
    assert fixed.state.cache.cancelled >= 1
