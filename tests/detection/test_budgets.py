"""Budgets stop probing cleanly and say what they did not reach; profiles change what is sent; the
coverage names each probe kind. Against the Dispatch example in-process, every bug switched on."""

from __future__ import annotations

import pytest
from detection_support import DISPATCH_CONFIG

from examples.dispatch_api import create_app
from examples.dispatch_api.vulnerabilities import VULNERABILITIES
from isolation_harness import CampaignResult, load_app, load_config
from isolation_harness.config import resolve_settings
from isolation_harness.runner import prepare


def _run(**options: str) -> CampaignResult:
    config = load_config(DISPATCH_CONFIG)
    api = load_app(create_app(frozenset(VULNERABILITIES)), openapi_path=config.openapi_path)
    settings = resolve_settings({"schema": api.source, "config": str(DISPATCH_CONFIG), **options}, {}, {})
    return prepare(settings, api=api).run()


@pytest.fixture(scope="module")
def quick() -> CampaignResult:
    return _run(profile="quick")


def test_a_request_budget_stops_probing_and_names_what_it_did_not_reach() -> None:
    result = _run(max_requests="300")

    assert result.complete
    assert result.stopped == "request budget of 300 spent"
    unreached = [
        label
        for label, c in result.coverage.items()
        if "not reached: request budget of 300 spent" in c.skipped
    ]
    assert unreached
    # At most the operation being probed when the budget ran out got some of its probes.
    assert sum(1 for label in unreached if result.coverage[label].covered) <= 1
    # Probing stopped at the first probe past the budget; only teardown follows.
    assert result.requests < 300 + 60


def test_a_time_budget_stops_probing_too() -> None:
    result = _run(time_budget="0.001s")

    assert result.complete
    assert result.stopped == "time budget of 0.001 s spent"
    assert sum(c.probes for c in result.coverage.values()) == 0
    # Nothing was probed: the coverage gate fails, and says why.
    assert result.gate[0].startswith("isolation coverage 0% is below the minimum of 50%")


def test_the_quick_profile_guesses_no_identifiers_and_names_each_kind(quick: CampaignResult) -> None:
    kinds = {kind for coverage in quick.coverage.values() for kind in coverage.kinds}
    assert "guessed-identifier" not in kinds
    assert {"foreign-identifier", "own-read", "anonymous"} <= kinds
    for coverage in quick.coverage.values():
        assert sum(coverage.kinds.values()) == coverage.probes
    assert quick.complete and quick.gate == []
    assert len(quick.tenants) == 2


def test_the_standard_profile_guesses_identifiers() -> None:
    result = _run()
    kinds = {kind for coverage in result.coverage.values() for kind in coverage.kinds}
    assert "guessed-identifier" in kinds
