"""The error-rate gate counts probes: an API that fails exactly the requests naming another tenant's
object (a 503 where it should say 404) is no verdict, though every other request works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from detection_support import DISPATCH_CONFIG

from examples.dispatch_api import create_app
from isolation_harness import CampaignResult, ExitCode, format_percent, load_app, load_config
from isolation_harness.config import resolve_settings
from isolation_harness.runner import outcome, prepare

Scope = dict[str, Any]


def _not_found_is_unavailable(app: Any) -> Any:
    """ASGI middleware: every 404 the app answers becomes a 503 (an overloaded lookup, say)."""

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        async def send_changed(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] == 404:
                message = {**message, "status": 503}
            await send(message)

        await app(scope, receive, send_changed)

    return wrapped


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Dispatch's config, with short waits before a 503 is tried again (the test is about the gate)."""
    path = tmp_path_factory.mktemp("config") / "isolation.toml"
    path.write_text(DISPATCH_CONFIG.read_text() + "\n[campaign]\nbackoff = 0.01\n")
    return path


def _run(app: Any, config: Path) -> CampaignResult:
    api = load_app(app, openapi_path=load_config(config).openapi_path)
    settings = resolve_settings({"schema": api.source, "config": str(config)}, {}, {})
    return prepare(settings, api=api).run()


@pytest.mark.slow  # tests/unit/test_gate.py judges the same rates
def test_an_api_failing_every_request_for_another_tenants_object_fails_the_gate(config: Path) -> None:
    result = _run(_not_found_is_unavailable(create_app(frozenset())), config)

    assert result.complete and result.findings == []
    probe_errors = [error for error in result.errors if error.probe]
    assert probe_errors and {error.kind for error in probe_errors} == {"server-error"}
    assert result.error_rate() > 0.2
    # Most probes (the tenants' own reads, storms) were answered: the share of one kind's is what fails.
    worst = result.worst_kind()
    assert worst is not None and worst[0] == "foreign-identifier" and worst[1] == result.error_rate()
    assert len(result.gate) == 1
    assert result.gate[0].startswith(
        f"{format_percent(worst[1])} of the foreign-identifier probes could not be judged"
    )
    assert outcome(result) is ExitCode.UNRELIABLE


def test_the_same_api_answering_404_passes(config: Path) -> None:
    result = _run(create_app(frozenset()), config)

    assert result.complete and result.findings == [] and result.gate == []
    assert outcome(result) is ExitCode.OK
