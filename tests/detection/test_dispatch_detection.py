"""Planted leaks in Dispatch MUST be found exactly where they are; the clean API MUST stay clean."""

from __future__ import annotations

import pytest
from detection_support import (
    DISPATCH_CONFIG,
    confirmed_operations,
    run_in_process,
    run_over_http,
    uvicorn_server,
)

from examples.dispatch_api import VULNERABILITIES, create_app

ALL = sorted(VULNERABILITIES)


def _expected(names: list[str]) -> set[str]:
    return {label for name in names for label in VULNERABILITIES[name]}


def test_clean_dispatch_has_no_finding_of_any_verdict() -> None:
    result = run_in_process(create_app(), DISPATCH_CONFIG)
    assert result.complete
    assert result.findings == []
    assert result.errors == []
    # The campaign really probed: every operation with identifiers was called with foreign ones.
    probed = {label for label, coverage in result.coverage.items() if coverage.probes}
    assert len(probed) >= 18
    assert result.seeding == []


@pytest.mark.parametrize("name", ALL)
def test_each_switch_alone_is_found_exactly_at_its_operations(name: str) -> None:
    result = run_in_process(create_app([name]), DISPATCH_CONFIG)
    assert confirmed_operations(result) == _expected([name])
    assert [f for f in result.findings if f.verdict.value != "confirmed"] == []
    # Both directions: each tenant attacks the other.
    for label in VULNERABILITIES[name]:
        attackers = {f.attacker for f in result.findings if f.operation == label}
        assert attackers == {"tenant-a", "tenant-b"}


def test_all_switches_together_are_all_found() -> None:
    result = run_in_process(create_app(ALL), DISPATCH_CONFIG)
    assert confirmed_operations(result) == _expected(ALL)
    assert all(f.verdict.value == "confirmed" for f in result.findings)


def test_three_tenants_attack_every_ordered_pair() -> None:
    result = run_in_process(create_app(["read-by-id"]), DISPATCH_CONFIG, tenants=3)
    pairs = {(f.attacker, f.victim) for f in result.findings}
    assert pairs == {
        (a, v)
        for a in ("tenant-a", "tenant-b", "tenant-c")
        for v in ("tenant-a", "tenant-b", "tenant-c")
        if a != v
    }


def test_findings_carry_checkable_evidence_and_reproduction() -> None:
    result = run_in_process(create_app(["nested-child-unchecked", "delete-by-id"]), DISPATCH_CONFIG)
    nested = next(f for f in result.findings if f.operation == "GET /orders/{order_id}/parcels/{parcel_id}")
    assert nested.oracle == "canary"
    # The attacker's own order in the parent slot, the victim's parcel in the child slot.
    assert nested.slot == "path parcel_id"
    assert "canary ih" in nested.evidence and "body /contents_description" in nested.evidence
    assert (
        "# as tenant-b: create the data the attack targets" in nested.reproduction
        or nested.victim == "tenant-a"
    )
    deleted = next(f for f in result.findings if f.operation == "DELETE /customers/{customer_id}")
    assert deleted.kind.value == "cross-tenant-delete"
    assert "answered 200 before, 404 after" in deleted.evidence
    assert f"${deleted.attacker.upper().replace('-', '_')}_TOKEN" in deleted.reproduction


@pytest.mark.parametrize(
    "names", [[], ["read-by-id"], ["write-by-id"], ALL], ids=["clean", "read-by-id", "write-by-id", "all"]
)
def test_over_http_the_same_as_in_process(names: list[str]) -> None:
    in_process = run_in_process(create_app(names), DISPATCH_CONFIG)
    with uvicorn_server(create_app(names)) as base_url:
        over_http = run_over_http(f"{base_url}/openapi.json", DISPATCH_CONFIG)
    assert over_http.complete
    assert {(f.operation, f.attacker, f.victim, f.oracle) for f in over_http.findings} == {
        (f.operation, f.attacker, f.victim, f.oracle) for f in in_process.findings
    }
    assert over_http.errors == []
