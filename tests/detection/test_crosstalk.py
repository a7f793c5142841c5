"""Cross-talk: a real shared cache in front of the API, reads probed side by side, kinds turned off."""

from __future__ import annotations

from caching_proxy import caching_proxy
from detection_support import DISPATCH_CONFIG, confirmed_operations, run_over_http, uvicorn_server

from examples.dispatch_api import create_app
from isolation_harness import CampaignResult, load_app, load_config
from isolation_harness.config import resolve_settings
from isolation_harness.runner import prepare


def _through_nginx(names: list[str]) -> CampaignResult:
    with uvicorn_server(create_app(names)) as upstream, caching_proxy(upstream) as proxy:
        return run_over_http(f"{proxy}/openapi.json", DISPATCH_CONFIG)


def test_private_data_a_shared_cache_hands_to_another_tenant_is_confirmed() -> None:
    result = _through_nginx(["cacheable-private-response"])
    assert confirmed_operations(result) == {"GET /invoices/{invoice_id}"}
    cached = [f for f in result.findings if f.kind.value == "shared-cache"]
    assert {(f.attacker, f.victim, f.verdict.value) for f in cached} == {
        ("tenant-a", "tenant-b", "confirmed"),
        ("tenant-b", "tenant-a", "confirmed"),
    }
    # The cache hands the invoices to callers without credentials too: that is public exposure.
    assert {f.kind.value for f in result.findings} == {"shared-cache", "public-exposure"}
    finding = cached[0]
    assert "says Cache-Control: public, max-age=60, no Vary" in finding.evidence
    assert "X-Cache-Status: HIT" in finding.evidence
    assert finding.slot == "(the owner's request, right after the owner sent it)"


def test_the_clean_api_behind_a_shared_cache_stays_clean() -> None:
    # The public catalogue is cached (Cache-Control: public) and served to every tenant alike.
    result = _through_nginx([])
    assert result.complete
    assert result.findings == []
    assert result.errors == []


def _run(names: list[str], **options: str) -> CampaignResult:
    config = load_config(DISPATCH_CONFIG)
    api = load_app(create_app(names), openapi_path=config.openapi_path)
    settings = {"schema": api.source, "config": str(DISPATCH_CONFIG), **options}
    return prepare(resolve_settings(settings, {}, {}), api=api).run()


def _keys(result: CampaignResult) -> set[tuple[str, ...]]:
    return {
        (f.operation, f.kind.value, f.oracle, f.attacker, f.victim, f.slot, f.verdict.value)
        for f in result.findings
    }


def test_reads_side_by_side_find_what_a_serial_run_finds() -> None:
    # Bugs whose answers do not depend on timing (in a race, which tenant gets whose data does).
    names = ["read-by-id", "write-by-id", "cache-before-authz", "list-unfiltered"]
    serial = _run(names)
    side_by_side = _run(names, workers="4")
    assert confirmed_operations(serial) == {
        "GET /orders/{order_id}",
        "PATCH /orders/{order_id}",
        "GET /orders",
    }
    assert _keys(side_by_side) == _keys(serial)
    assert [f.operation for f in side_by_side.findings] == [f.operation for f in serial.findings]


def test_a_race_is_found_by_storms_and_missed_with_storms_turned_off() -> None:
    found = _run(["request-state-race"])
    assert {(f.operation, f.slot) for f in found.findings} == {
        ("GET /me", "(at the same moment as other tenants' requests)")
    }
    missed = _run(["request-state-race"], skip_probes="storm,cancellation")
    assert missed.findings == []
    assert "storm" not in missed.coverage["GET /me"].kinds
