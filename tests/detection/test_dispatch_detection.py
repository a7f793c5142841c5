"""Planted leaks in Dispatch MUST be found exactly where they are; the clean API MUST stay clean."""

from __future__ import annotations

import json

import pytest
from detection_support import (
    DISPATCH_CONFIG,
    confirmed_operations,
    run_in_process,
    run_over_http,
    uvicorn_server,
    who_and_where,
)

from examples.dispatch_api import VULNERABILITIES, create_app
from isolation_harness import (
    Campaign,
    CampaignSettings,
    ConfigurationError,
    OpenApiDescription,
    load_app,
    load_config,
)
from isolation_harness.model import SharingRule

ALL = sorted(VULNERABILITIES)
# Private data with public caching headers: in-process, with no shared cache in front, it can only be
# suspected (a shared cache would serve it to others); tests/detection/test_crosstalk.py confirms it
# through a real one.
SUSPECTED_ONLY = {"cacheable-private-response"}


# State shared between concurrent requests: found by storms.
RACES = {"request-state-race"}


def _expected(names: list[str]) -> set[str]:
    return {label for name in names if name not in SUSPECTED_ONLY for label in VULNERABILITIES[name]}


def _suspected(names: list[str]) -> set[tuple[str, str]]:
    return {
        ("shared-cache", label) for name in names if name in SUSPECTED_ONLY for label in VULNERABILITIES[name]
    }


def test_clean_dispatch_has_no_finding_of_any_verdict() -> None:
    result = run_in_process(create_app(), DISPATCH_CONFIG)
    assert result.complete
    assert result.findings == []
    assert result.errors == []
    # The campaign really probed: every operation with identifiers was called with foreign ones.
    probed = {label for label, coverage in result.coverage.items() if coverage.probes}
    assert len(probed) >= 18
    assert result.seeding == []
    # Receipt numbers run in one sequence for every account: the numbers next to each tenant's own
    # were tried too, and the correct ownership check answered them without a finding.
    assert {slot for slot in result.coverage["GET /receipts/{receipt_id}"].slots if "guessed" in slot} == {
        "path receipt_id (guessed next to tenant-a's own)",
        "path receipt_id (guessed next to tenant-b's own)",
    }


@pytest.mark.parametrize("name", ALL)
def test_each_switch_alone_is_found_exactly_at_its_operations(name: str) -> None:
    result = run_in_process(create_app([name]), DISPATCH_CONFIG)
    assert confirmed_operations(result) == _expected([name])
    suspected = {(f.kind.value, f.operation) for f in result.findings if f.verdict.value != "confirmed"}
    assert suspected == _suspected([name])
    # Both directions: each tenant attacks the other. In a race, which tenant gets whose answer is the
    # timing's choice: the storms make both directions likely, but one is all a run must show.
    for label in VULNERABILITIES[name]:
        attackers = {f.attacker for f in result.findings if f.operation == label}
        if name in RACES:
            assert attackers and attackers <= {"tenant-a", "tenant-b"}
        else:
            assert attackers == {"tenant-a", "tenant-b"}


def test_all_switches_together_are_all_found() -> None:
    result = run_in_process(create_app(ALL), DISPATCH_CONFIG)
    assert confirmed_operations(result) == _expected(ALL)
    suspected = {(f.kind.value, f.operation) for f in result.findings if f.verdict.value != "confirmed"}
    assert suspected == _suspected(ALL)


def test_sequential_ids_are_reached_by_guessing_next_to_the_attackers_own() -> None:
    result = run_in_process(create_app(["sequential-ids"]), DISPATCH_CONFIG)
    guessed = [f for f in result.findings if "guessed next to" in f.slot]
    assert {(f.attacker, f.victim, f.slot) for f in guessed} == {
        ("tenant-a", "tenant-b", "path receipt_id (guessed next to tenant-a's own)"),
        ("tenant-b", "tenant-a", "path receipt_id (guessed next to tenant-b's own)"),
    }
    assert all(f.oracle == "canary" and "body /recipient_name" in f.evidence for f in guessed)


def test_a_bulk_operation_gets_the_attackers_own_id_then_the_victims() -> None:
    result = run_in_process(create_app(["bulk-ids-unchecked"]), DISPATCH_CONFIG)
    finding = next(f for f in result.findings if f.attacker == "tenant-a")
    assert (finding.operation, finding.slot, finding.oracle) == (
        "POST /orders/lookup",
        "body /order_ids",
        "canary",
    )
    # Index 1 of the answer: the attacker's own order came first, the victim's after it.
    assert "tenant-b's canary" in finding.evidence and "body /1/recipient_name" in finding.evidence
    assert '"order_ids": ["ord_' in finding.reproduction and '", "ord_' in finding.reproduction


def test_orders_shared_on_purpose_reach_the_other_tenant_and_are_never_flagged() -> None:
    # isolation.toml lists `POST /orders/{order_id}/shares`: each tenant shares an order with the next.
    config = load_config(DISPATCH_CONFIG)
    assert config.provisioner is not None
    api = load_app(create_app(ALL))
    campaign = Campaign(
        description=OpenApiDescription(api.schema),
        transport=api.transport,
        provisioner=config.provisioner,
        settings=CampaignSettings(shares=config.shares),
    )
    result = campaign.run()
    # The trap is live: each tenant really sees the other's canary-carrying order...
    for state, other in zip(campaign.tenants, reversed(campaign.tenants), strict=True):
        shared = state.tenant.client.get("shared-orders").json()
        assert len(shared) == 1 and shared[0]["id"] in state.shared
        assert other.tenant.canary in json.dumps(shared)
    # ...and it is no finding, while every planted bug still is.
    assert "GET /shared-orders" not in {f.operation for f in result.findings}
    assert confirmed_operations(result) == _expected(ALL)


def test_a_sharing_operation_the_api_lacks_is_a_configuration_error() -> None:
    config = load_config(DISPATCH_CONFIG)
    assert config.provisioner is not None
    api = load_app(create_app())
    with pytest.raises(ConfigurationError) as info:
        Campaign(
            description=OpenApiDescription(api.schema),
            transport=api.transport,
            provisioner=config.provisioner,
            settings=CampaignSettings(shares=(SharingRule(operation="POST /orders/{order_id}/share"),)),
        )
    assert str(info.value) == (
        "api.shares: the API has no operation 'POST /orders/{order_id}/share'. "
        "Did you mean 'POST /orders/{order_id}/shares'? Use its label as 'METHOD /path'."
    )


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


# Every switch at once (each switch alone is checked in-process above).
@pytest.mark.parametrize("names", [[], ALL], ids=["clean", "all"])
def test_over_http_the_same_as_in_process(names: list[str]) -> None:
    in_process = run_in_process(create_app(names), DISPATCH_CONFIG)
    with uvicorn_server(create_app(names)) as base_url:
        over_http = run_over_http(f"{base_url}/openapi.json", DISPATCH_CONFIG)
    assert over_http.complete
    assert who_and_where(over_http) == who_and_where(in_process)
    assert over_http.errors == []
