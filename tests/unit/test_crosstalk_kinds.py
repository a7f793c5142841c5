"""The cross-talk probe kinds on hand-made knowledge: the exact probes each plans, and what it leaves alone."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from engine_support import (
    LIST_ORDERS,
    PATCH_ORDER,
    READ_ORDER,
    Engine,
    FakeTransport,
    HandMadeDescription,
    NoProvisioner,
    engine,
    never_called,
)

from isolation_harness import Campaign, CampaignSettings, ConfigurationError
from isolation_harness.exchange import Burst, Probe
from isolation_harness.model import Finding, FindingKind, Verdict
from isolation_harness.probes import CacheWarmProbes, CancellationProbes, StormProbes

A, B = "tenant-a", "tenant-b"


def with_orders(*operations: Any) -> Engine:
    setup = engine(operations)
    tenant_a, tenant_b = setup.tenants
    setup.own(tenant_a, "Order", {"id": "ord-a", "title": "Mine"})
    setup.own(tenant_b, "Order", {"id": "ord-b", "title": "Theirs"})
    return setup


def test_cache_warm_sends_the_owners_path_right_after_the_owner_for_each_pair() -> None:
    setup = with_orders(READ_ORDER)
    probes: list[Probe] = list(CacheWarmProbes().plan(READ_ORDER, setup.ctx))

    assert [(p.attacker.name, p.victim.name if p.victim else None, p.request.path) for p in probes] == [
        (B, A, "/orders/ord-a"),
        (A, B, "/orders/ord-b"),
    ]
    first, second = probes
    owner, warm = first.warm[0]
    # The owner sends the very same path and query first, with its own credentials.
    assert (owner.name, warm.path, warm.query) == (A, "/orders/ord-a", first.request.query)
    assert first.slot == "(the owner's request, right after the owner sent it)"
    assert first.oracles == frozenset({"canary", "owner-view", "shared-cache"})
    # A cache key of the pair's own: twelve hex digits, another for the other pair.
    key, other_key = first.request.query["ih-cache-key"], second.request.query["ih-cache-key"]
    assert len(key) == 12 and int(key, 16) >= 0 and key != other_key
    # Refused as invalid, the request goes without it.
    assert first.fallback is not None and first.fallback().query == {}


def test_the_cache_key_is_new_in_every_run() -> None:
    def key(run: str) -> str:
        setup = with_orders(READ_ORDER)
        for state in setup.tenants:
            state.tenant.canary = f"{state.tenant.canary}{run}"
        return next(CacheWarmProbes().plan(READ_ORDER, setup.ctx)).request.query["ih-cache-key"]

    assert key("x") == key("x")
    assert key("x") != key("y")


def test_a_pair_whose_plain_request_leaks_already_is_judged_on_its_caching_headers_alone() -> None:
    setup = with_orders(READ_ORDER)
    setup.ctx.result.findings.append(
        Finding(
            operation=READ_ORDER.label,
            kind=FindingKind.READ,
            verdict=Verdict.CONFIRMED,
            oracle="canary",
            attacker=B,
            victim=A,
            slot="path order_id",
            status=200,
            evidence="",
            reproduction="",
        )
    )
    probes = list(CacheWarmProbes().plan(READ_ORDER, setup.ctx))
    assert [(p.attacker.name, p.oracles) for p in probes] == [
        (B, frozenset({"shared-cache"})),
        (A, frozenset({"canary", "owner-view", "shared-cache"})),
    ]


def test_cache_warm_storm_and_cancellation_leave_writes_alone() -> None:
    setup = with_orders(PATCH_ORDER)
    for kind in (CacheWarmProbes(), StormProbes(), CancellationProbes()):
        assert list(kind.plan(PATCH_ORDER, setup.ctx)) == []


def test_storm_bursts_hold_every_tenant_equally_in_an_order_drawn_from_the_seed() -> None:
    setup = with_orders(LIST_ORDERS)
    bursts: list[Burst] = list(StormProbes().plan(LIST_ORDERS, setup.ctx))

    assert len(bursts) == setup.ctx.settings.storm_rounds == 2
    orders = [[p.attacker.name for p in burst.probes] for burst in bursts]
    assert all(sorted(order) == [A, A, A, B, B, B] for order in orders)
    # The last request of each round is each tenant in turn.
    assert [order[-1] for order in orders] == [A, B]
    # The same seed gives the same schedule; another seed another one.
    assert [[p.attacker.name for p in b.probes] for b in StormProbes().plan(LIST_ORDERS, setup.ctx)] == orders
    setup.ctx.settings = dataclasses.replace(setup.ctx.settings, seed=7)
    reseeded = [[p.attacker.name for p in b.probes] for b in StormProbes().plan(LIST_ORDERS, setup.ctx)]
    assert reseeded != orders
    assert all(p.slot == "(at the same moment as other tenants' requests)" for b in bursts for p in b.probes)
    assert all(b.abandoned == [] for b in bursts)


def test_cancellation_has_each_tenant_abandon_its_read_while_the_others_read() -> None:
    setup = with_orders(LIST_ORDERS)
    bursts: list[Burst] = list(CancellationProbes().plan(LIST_ORDERS, setup.ctx))

    assert [([s.name for s, _ in b.abandoned], [p.attacker.name for p in b.probes]) for b in bursts] == [
        ([A], [B]),
        ([B], [A]),
    ]
    assert all(b.abandon_after == 0.005 for b in bursts)


def test_a_tenant_that_cannot_build_its_read_is_left_out_and_said_so() -> None:
    setup = engine([READ_ORDER])
    tenant_a, _ = setup.tenants
    setup.own(tenant_a, "Order", {"id": "ord-a", "title": "Mine"})

    assert list(StormProbes().plan(READ_ORDER, setup.ctx)) == []
    assert setup.ctx.coverage(READ_ORDER).skipped == ["tenant-b could not build its own request"]


def test_a_kind_to_skip_that_the_campaign_lacks_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as info:
        Campaign(
            description=HandMadeDescription([LIST_ORDERS]),
            transport=FakeTransport(never_called),
            provisioner=NoProvisioner(),
            settings=CampaignSettings(skip_probes=frozenset({"strom"})),
        )
    assert str(info.value) == (
        "skip_probes: 'strom' is not a probe kind of this campaign. Did you mean 'storm'? Known: anonymous, "
        "search, guessed-identifier, own-read, foreign-identifier, cache-warm, storm, cancellation, tombstone."
    )
