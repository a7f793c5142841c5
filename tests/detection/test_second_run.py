"""A second run against the same long-lived server signs up new tenants and finds the same leaks."""

from __future__ import annotations

import pytest
from detection_support import DISPATCH_CONFIG, run_over_http, uvicorn_server

from examples.dispatch_api import create_app
from isolation_harness import CampaignResult, ProvisioningError, load_api
from isolation_harness.config import resolve_settings
from isolation_harness.runner import prepare


def _findings(result: CampaignResult) -> set[tuple[str, str, str, str | None, str]]:
    return {(f.operation, f.kind.value, f.attacker, f.victim, f.slot) for f in result.findings}


def _pinned(url: str) -> CampaignResult:
    """A run whose identities the seed alone fixes (``run=""``), as a user reproducing a run asks."""
    options = {"schema": url, "config": str(DISPATCH_CONFIG)}
    return prepare(resolve_settings(options, {}, {}), api=load_api(url), run="").run()


@pytest.mark.slow  # two whole campaigns over HTTP
def test_two_runs_against_one_running_server_find_the_same_leaks() -> None:
    with uvicorn_server(create_app(["read-by-id", "list-unfiltered"])) as base_url:
        url = f"{base_url}/openapi.json"
        first = run_over_http(url, DISPATCH_CONFIG)
        second = run_over_http(url, DISPATCH_CONFIG)
        pinned = _pinned(url)
        # The same identities again: the server already has these accounts.
        with pytest.raises(ProvisioningError) as again:
            _pinned(url)

    for result in (first, second, pinned):
        assert result.complete and result.fatal is None
        assert result.tenants == ["tenant-a", "tenant-b"]
    assert {f.operation for f in first.findings} >= {"GET /orders/{order_id}", "GET /orders"}
    assert _findings(second) == _findings(first) == _findings(pinned)
    assert str(again.value).startswith("Signing up tenant 'tenant-a' with POST /accounts failed: HTTP 409")
