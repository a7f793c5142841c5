"""Public is not cross-tenant: what callers that are no tenant receive, and how every oracle discounts it.

Each rule on a case it must catch and a case it must leave alone: catalogue data anyone (or a
bystander tenant) receives is nobody's; tenants' data sent to the anonymous caller is public
exposure, reported once as such and never again as a cross-tenant read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine_support import LIST_ORDERS, READ_ORDER, Engine, caller_of, engine, json_response, operation

from isolation_harness.engine.phases.observe import ObservePhase, observe
from isolation_harness.engine.probing import run_probe
from isolation_harness.exchange import Evidence, Exchange, Probe
from isolation_harness.knowledge import TenantKnowledge
from isolation_harness.model import FindingKind, HttpRequest, HttpResponse, Verdict
from isolation_harness.operations import Output
from isolation_harness.oracles import (
    CanaryOracle,
    OwnerViewOracle,
    PublicExposureOracle,
    SearchHitOracle,
    builtin_oracles,
)
from isolation_harness.oracles.base import Oracle
from isolation_harness.probes import AnonymousProbes
from isolation_harness.provisioning import ProvisionContext
from isolation_harness.public import ANONYMOUS, anonymous_caller, split_received
from isolation_harness.reports import format_finding, summarize
from isolation_harness.tenants import Credentials, Tenant

A, B = "tenant-a", "tenant-b"
LANGUAGES = operation(
    "GET", "/languages", outputs=[Output("Language", "/results/*", True, "200", ("id", "name"))]
)
NOTICES = operation("GET", "/announcements")
ENGLISH = {"id": 1, "code": "en-GB", "name": "English (United Kingdom)"}


def judge(oracle: Oracle, probe: Probe, response: HttpResponse, engine_: Engine) -> list[Evidence]:
    ctx = engine_.ctx
    return list(oracle.judge(probe, Exchange(probe.request, response), ctx, oracle.prepare(probe, ctx)))


def read(attacker: TenantKnowledge, path: str = "/orders", **kwargs: Any) -> Probe:
    request = HttpRequest(method="GET", path_template=path, query=kwargs.pop("query", {}))
    return Probe(
        kind="own-read", operation=LIST_ORDERS, attacker=attacker, request=request, slot="-", **kwargs
    )


def anonymous_read(setup: Engine, path: str = "/orders") -> Probe:
    anonymous = anonymous_caller(setup.ctx.knowledge, setup.transport, seed=0)
    request = HttpRequest(method="GET", path_template=path)
    return Probe(
        kind="anonymous",
        operation=LIST_ORDERS,
        attacker=anonymous,
        request=request,
        slot="(no credentials)",
        oracles=frozenset({"public-exposure"}),
    )


def victims_order(setup: Engine) -> dict[str, Any]:
    """An order tenant-b made, with its canary, as tenant-b read it."""
    tenant_b = setup.tenants[1]
    order = {"id": "ord-b-7781", "title": f"Brass lamp {tenant_b.tenant.canary}", "sku": "SKU-99812"}
    setup.own(tenant_b, "Order", {"id": order["id"]})
    setup.ctx.knowledge.remember(tenant_b, {"items": [order]})
    return order


# -- what an observer received: public, or tenants' data ------------------------------------------------


def test_catalogue_values_in_any_envelope_are_public_and_a_tenants_object_is_not() -> None:
    setup = engine([LIST_ORDERS])
    knowledge = setup.ctx.knowledge
    order = victims_order(setup)
    anonymous = anonymous_caller(knowledge, setup.transport, seed=0)
    page = {"count": 1, "next": None, "previous": None, "results": [ENGLISH]}

    for body in (page, {"data": [ENGLISH]}, [ENGLISH]):
        public, tenants = split_received(knowledge, anonymous, body)
        assert {"en-GB", "English (United Kingdom)"} <= public
        assert tenants == set()

    # A tenant's object (its canary), and what it holds, is that tenant's data wherever it appears.
    public, tenants = split_received(knowledge, anonymous, {"data": [{**order, "language": ENGLISH}]})
    assert {order["title"], "SKU-99812", "ord-b-7781", "English (United Kingdom)"} <= tenants
    assert "SKU-99812" not in public


def test_a_made_object_without_canary_is_a_tenants_by_its_distinctive_key_only() -> None:
    setup = engine([LIST_ORDERS, LANGUAGES])
    knowledge = setup.ctx.knowledge
    tenant_b = setup.tenants[1]
    setup.own(tenant_b, "Order", {"id": "5d0c7e1e-9b1a-4a57-8f7e-3f1d2c9a0b11"})
    setup.own(tenant_b, "Order", {"id": 1})
    anonymous = anonymous_caller(knowledge, setup.transport, seed=0)

    # Must catch: no canary, but the key of an object tenant-b made.
    made = {"id": "5d0c7e1e-9b1a-4a57-8f7e-3f1d2c9a0b11", "qty": 4, "unit_price": 12.75}
    assert split_received(knowledge, anonymous, [made])[1] == {made["id"], "4", "12.75"}

    # Must leave alone: id 1 of a language is not id 1 of tenant-b's order, whether the operation
    # says the object is a Language or says nothing of it.
    page = {"count": 1, "results": [ENGLISH]}
    assert split_received(knowledge, anonymous, page, operation=LANGUAGES)[1] == set()
    assert split_received(knowledge, anonymous, page)[1] == set()


def test_the_bystanders_own_account_is_neither_public_nor_a_tenants() -> None:
    setup = engine([LIST_ORDERS])
    knowledge = setup.ctx.knowledge
    bystander = setup.tenants[1]
    knowledge.tenants.remove(bystander)
    knowledge.observers.append(bystander)
    email = bystander.tenant.identity.email
    public, tenants = split_received(
        knowledge, bystander, [{"email": email, "plan": "Gold"}, {"version": "2.1"}]
    )
    assert public == {"2.1"}
    assert tenants == set()


# -- the discount, in every oracle that judges a victim's data ------------------------------------------


def test_owner_view_discounts_public_values_and_catches_the_rest() -> None:
    setup = engine([LIST_ORDERS])
    tenant_a, tenant_b = setup.tenants
    # tenant-b made an object and read it; the same values are a catalogue entry a bystander saw.
    item = {"id": "cat-8812", "name": "Walnut desk", "sku": "SKU-44120"}
    setup.own(tenant_b, "Order", {"id": item["id"]})
    setup.ctx.knowledge.remember(tenant_b, {"items": [item]})
    probe = read(tenant_a)
    response = json_response({"items": [item]})

    # Must catch: nothing says anyone else may see it.
    assert [e.victim for e in judge(OwnerViewOracle(), probe, response, setup)] == [B]

    setup.ctx.knowledge.public_values |= {"cat-8812", "Walnut desk", "SKU-44120"}
    assert judge(OwnerViewOracle(), probe, response, setup) == []


def test_tenants_data_sent_to_the_anonymous_caller_is_no_cross_tenant_read() -> None:
    setup = engine([LIST_ORDERS])
    tenant_a, _ = setup.tenants
    order = victims_order(setup)
    other = {"id": "ord-b-9904", "title": f"Oak shelf {setup.tenants[1].tenant.canary}"}
    knowledge = setup.ctx.knowledge
    knowledge.exposed_values |= {order["id"], order["title"], order["sku"]}

    # Left alone: what the anonymous caller received too (reported as public exposure instead).
    exposed = json_response({"items": [order]})
    assert judge(CanaryOracle(), read(tenant_a), exposed, setup) == []
    assert judge(OwnerViewOracle(), read(tenant_a), exposed, setup) == []

    # Caught: another of tenant-b's records in the same answer, which no anonymous caller received.
    both = json_response({"items": [order, other]})
    assert judge(CanaryOracle(), read(tenant_a), both, setup) == [
        Evidence(
            "canary",
            FindingKind.READ,
            Verdict.CONFIRMED,
            B,
            f"HTTP 200: tenant-b's canary {setup.tenants[1].tenant.canary} in body /items/1/title: {other['title']}",
        )
    ]

    # The anonymous caller's own judge never discounts what it received itself.
    assert knowledge.public(anonymous=True) == set()


def test_search_hit_discounts_a_record_the_anonymous_caller_received() -> None:
    setup = engine([LIST_ORDERS])
    tenant_a, tenant_b = setup.tenants
    order = victims_order(setup)
    term = tenant_b.tenant.canary
    probe = read(tenant_a, query={"q": term}, victim=tenant_b, search_term=term)
    response = json_response({"items": [order]})

    assert [e.victim for e in judge(SearchHitOracle(), probe, response, setup)] == [B]
    setup.ctx.knowledge.exposed_values.add(order["title"])
    assert judge(SearchHitOracle(), probe, response, setup) == []


# -- the public-exposure oracle ------------------------------------------------------------------------


def test_a_tenants_canary_sent_without_credentials_is_public_exposure() -> None:
    setup = engine([LIST_ORDERS])
    order = victims_order(setup)
    canary = setup.tenants[1].tenant.canary
    probe = anonymous_read(setup)

    evidence = judge(PublicExposureOracle(), probe, json_response({"items": [order]}), setup)

    assert evidence == [
        Evidence(
            "canary",
            FindingKind.PUBLIC,
            Verdict.CONFIRMED,
            B,
            f"HTTP 200 without credentials: tenant-b's canary {canary} in body /items/0/title: {order['title']}",
        )
    ]
    # Only the observe phase decides what is public: a probe's answer changes no later verdict.
    assert order["title"] not in setup.ctx.knowledge.public()


def test_a_tenants_own_object_sent_without_credentials_is_public_exposure_by_owner_view() -> None:
    setup = engine([LIST_ORDERS])
    tenant_b = setup.tenants[1]
    order = {"id": "ord-b-7781", "qty": 3, "sku": "SKU-99812", "total": 118.4}
    setup.own(tenant_b, "Order", {"id": order["id"]})
    setup.ctx.knowledge.remember(tenant_b, {"items": [order]})

    evidence = judge(PublicExposureOracle(), anonymous_read(setup), json_response({"items": [order]}), setup)

    assert [(e.oracle, e.kind, e.victim) for e in evidence] == [("owner-view", FindingKind.PUBLIC, B)]
    assert evidence[0].text.startswith(
        "HTTP 200 without credentials: body /items/0 matches tenant-b's own view"
    )


def test_a_refusal_and_data_everyone_sees_alike_are_no_public_exposure() -> None:
    setup = engine([LIST_ORDERS])
    tenant_b = setup.tenants[1]
    victims_order(setup)
    probe = anonymous_read(setup)
    assert (
        judge(PublicExposureOracle(), probe, json_response({"detail": "Not authenticated"}, 401), setup) == []
    )

    # A catalogue tenant-b holds among its objects, which the observers received too.
    setup.own(tenant_b, "Language", {"id": "lang-en-gb"})
    entry = {"id": "lang-en-gb", "code": "en-GB", "name": "English (United Kingdom)"}
    setup.ctx.knowledge.remember(tenant_b, {"results": [entry]})
    page = {"count": 1, "next": None, "previous": None, "results": [entry]}
    assert [e.victim for e in judge(PublicExposureOracle(), probe, json_response(page), setup)] == [B]
    setup.ctx.knowledge.public_values |= {"lang-en-gb", "en-GB", "English (United Kingdom)"}
    assert judge(PublicExposureOracle(), probe, json_response(page), setup) == []


def test_only_probes_that_ask_for_it_are_judged_for_public_exposure() -> None:
    setup = engine([LIST_ORDERS])
    assert not PublicExposureOracle().applies(read(setup.tenants[0]))
    assert PublicExposureOracle().applies(anonymous_read(setup))
    assert [oracle.name for oracle in builtin_oracles() if oracle.applies(anonymous_read(setup))][-1] == (
        "public-exposure"
    )


# -- the anonymous probes and the observe phase, over the fake transport --------------------------------


def test_anonymous_probes_send_no_credentials_and_report_public_exposure() -> None:
    def orders_without_auth(
        method: str, path: str, query: dict[str, str], headers: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        # The order read forgot authentication: every caller gets tenant-b's order.
        return 200, {"id": "ord-b-7781", "title": f"Brass lamp {canary}", "sku": "SKU-99812"}

    setup = engine([READ_ORDER], orders_without_auth)
    tenant_b = setup.tenants[1]
    canary = tenant_b.tenant.canary
    setup.own(tenant_b, "Order", {"id": "ord-b-7781"})

    probes = list(AnonymousProbes().plan(READ_ORDER, setup.ctx))
    # The anonymous caller has no order of its own; each tenant's own order, sent anonymously.
    assert [(p.attacker.name, p.victim and p.victim.name, p.slot) for p in probes] == [
        (ANONYMOUS, B, "(no credentials, tenant-b's identifiers)")
    ]
    run_probe(probes[0], setup.ctx, builtin_oracles())

    sent = setup.sent[-1]
    assert sent.path == "/orders/ord-b-7781"
    assert not any(name.lower() in ("authorization", "cookie") for name in sent.headers)
    assert sent.query == {}
    finding = setup.ctx.result.findings[0]
    assert [(f.kind, f.attacker, f.victim, f.oracle) for f in setup.ctx.result.findings] == [
        (FindingKind.PUBLIC, ANONYMOUS, B, "canary")
    ]
    assert finding.reproduction.splitlines()[-2:] == [
        "# as anonymous: the attack",
        "curl -sS -X GET http://api.test/orders/ord-b-7781",
    ]
    assert format_finding(finding).splitlines()[0] == (
        "[confirmed] [public-exposure] GET /orders/{order_id}: anonymous (no credentials) received data of "
        "tenant-b via (no credentials, tenant-b's identifiers) (oracle: canary)"
    )
    assert "(1 public-exposure: tenant data sent without credentials)" in summarize(setup.ctx.result)


def test_observers_make_what_they_receive_public_before_probing() -> None:
    calls: list[str | None] = []

    def api(
        method: str, path: str, query: dict[str, str], headers: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        caller = headers.get("Authorization")
        calls.append(caller)
        if path == "/announcements":
            return 200, [{"id": 1, "title": "Maintenance on Sunday night"}]
        if caller is None:
            return 401, {"detail": "Not authenticated"}
        return 200, {"count": 1, "next": None, "previous": None, "results": [ENGLISH]}

    setup = engine([LANGUAGES, NOTICES, READ_ORDER], api)
    knowledge = setup.ctx.knowledge
    anonymous = anonymous_caller(knowledge, setup.transport, seed=0)
    observe(setup.ctx, anonymous, anonymous=True)
    assert knowledge.public_values == {"1", "Maintenance on Sunday night"}
    assert calls == [None, None]

    # A bystander (signed in, made nothing) sees the catalogue that needs credentials.
    bystander = setup.tenants[1]
    knowledge.tenants.remove(bystander)
    knowledge.observers.append(bystander)
    observe(setup.ctx, bystander, anonymous=False)
    assert {"en-GB", "English (United Kingdom)"} <= knowledge.public_values
    assert knowledge.exposed_values == set()
    assert knowledge.of(ANONYMOUS) is anonymous


class TokenProvisioner:
    """Every tenant gets ``Bearer <name>-token``; teardowns are recorded."""

    used_operations: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.torn_down: list[str] = []

    def provision(self, tenant: Tenant, context: ProvisionContext) -> Credentials:
        return Credentials(
            headers={"Authorization": f"Bearer {tenant.name}-token"}, token=f"{tenant.name}-token"
        )

    def teardown(self, tenant: Tenant, context: ProvisionContext) -> None:
        self.torn_down.append(tenant.name)


def test_the_observe_phase_reads_as_anonymous_then_as_a_bystander_it_tears_down() -> None:
    callers: list[str | None] = []

    def api(
        method: str, path: str, query: dict[str, str], headers: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        callers.append(caller_of(headers))
        if caller_of(headers) is None:
            return 401, {"detail": "Not authenticated"}
        return 200, {"count": 1, "next": None, "previous": None, "results": [ENGLISH]}

    setup = engine([LANGUAGES], api)
    provisioner = TokenProvisioner()
    setup.ctx.factory.provisioner = provisioner
    setup.ctx.provisioner = provisioner

    ObservePhase().run(setup.ctx)

    assert callers == [None, "tenant-c"]
    assert {"en-GB", "English (United Kingdom)"} <= setup.ctx.knowledge.public_values
    assert provisioner.torn_down == ["tenant-c"]
    assert [state.name for state in setup.ctx.knowledge.tenants] == [A, B]

    # Without the bystander, a catalogue only signed-in callers see stays unknown to the observers.
    quiet = engine([LANGUAGES], api)
    ObservePhase(bystander=False).run(quiet.ctx)
    assert quiet.ctx.knowledge.public_values == set()
