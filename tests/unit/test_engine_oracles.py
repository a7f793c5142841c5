"""Each oracle judged on hand-made probes and exchanges: a case it must catch and a case it must leave alone.

And ``run_probe`` itself over the fake transport: a body refused as invalid is retried through its
fallback and both answers are judged; a 5xx is an error, never a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine_support import (
    LIST_ORDERS,
    PATCH_ORDER,
    READ_ORDER,
    Engine,
    OrdersApi,
    body_slot,
    caller_of,
    engine,
    json_response,
    operation,
)

from isolation_harness.engine.context import EngineContext
from isolation_harness.engine.probing import run_probe
from isolation_harness.exchange import Evidence, Exchange, Probe
from isolation_harness.knowledge import Instance, TenantKnowledge, View
from isolation_harness.model import (
    Finding,
    FindingKind,
    HttpRequest,
    HttpResponse,
    ProbeError,
    Verdict,
)
from isolation_harness.operations import Operation
from isolation_harness.oracles import (
    CanaryOracle,
    Oracle,
    OwnerViewOracle,
    SearchHitOracle,
    StatusOnlyOracle,
    WriteEffectOracle,
    builtin_oracles,
)
from isolation_harness.probes import ForeignIdentifierProbes
from isolation_harness.retrying import RetryPolicy
from isolation_harness.tenants import make_canary

A, B = "tenant-a", "tenant-b"


def get(path: str, **query: str) -> HttpRequest:
    return HttpRequest(method="GET", path_template=path, query=dict(query))


def read_probe(
    attacker: TenantKnowledge, request: HttpRequest, victim: TenantKnowledge | None = None
) -> Probe:
    return Probe(
        kind="own-read", operation=LIST_ORDERS, attacker=attacker, request=request, slot="-", victim=victim
    )


def write_probe(
    attacker: TenantKnowledge, victim: TenantKnowledge, target: Instance, title: str = "pwned"
) -> Probe:
    request = HttpRequest(
        method="PATCH",
        path_template="/orders/{order_id}",
        path_params={"order_id": target.values["id"]},
        body={"title": title},
        has_body=True,
    )
    return Probe(
        kind="foreign-identifier",
        operation=PATCH_ORDER,
        attacker=attacker,
        request=request,
        slot="path order_id",
        victim=victim,
        targets=[target],
    )


def judge(oracle: Oracle, probe: Probe, response: HttpResponse, ctx: EngineContext) -> list[Evidence]:
    return list(oracle.judge(probe, Exchange(probe.request, response), ctx, oracle.prepare(probe, ctx)))


# -- canary ---------------------------------------------------------------------------------------------


def test_canary_catches_the_victims_canary_anywhere_in_the_answer() -> None:
    setup = engine([LIST_ORDERS])
    tenant_a, tenant_b = setup.tenants
    canary = tenant_b.tenant.canary
    body = {"items": [{"id": "ord-b", "title": f"Lamp {canary}"}], "owner": canary}

    evidence = judge(CanaryOracle(), read_probe(tenant_a, get("/orders")), json_response(body), setup.ctx)

    assert evidence == [
        Evidence(
            "canary",
            FindingKind.READ,
            Verdict.CONFIRMED,
            B,
            f"HTTP 200: tenant-b's canary {canary} in body /items/0/title: Lamp {canary} (and 1 more places)",
        )
    ]


def test_canary_catches_the_victims_identity_in_an_error_answer() -> None:
    setup = engine([READ_ORDER])
    tenant_a, tenant_b = setup.tenants
    email, canary = tenant_b.tenant.identity.email, tenant_b.tenant.canary
    response = json_response({"detail": f"order 7 belongs to {email}"}, status=404)

    evidence = judge(CanaryOracle(), read_probe(tenant_a, get("/orders/7")), response, setup.ctx)

    # The identity's email starts with the canary: the canary is the marker named.
    assert email.startswith(f"{canary}@")
    assert evidence == [
        Evidence(
            "canary",
            FindingKind.READ,
            Verdict.CONFIRMED,
            B,
            f"HTTP 404: tenant-b's canary {canary} in body /detail: order 7 belongs to {email}",
        )
    ]


def test_canary_leaves_the_callers_own_data_an_echo_and_shared_objects_alone() -> None:
    setup = engine([LIST_ORDERS])
    tenant_a, tenant_b = setup.tenants
    own, theirs = tenant_a.tenant.canary, tenant_b.tenant.canary
    oracle = CanaryOracle()

    mine = json_response({"items": [{"id": "ord-a", "title": f"Lamp {own}"}]})
    assert judge(oracle, read_probe(tenant_a, get("/orders")), mine, setup.ctx) == []

    # The attacker sent the victim's canary itself: the answer quoting it shows nothing new.
    echo = json_response({"q": theirs, "detail": f"no order matches '{theirs}'"}, status=404)
    assert judge(oracle, read_probe(tenant_a, get("/orders", q=theirs)), echo, setup.ctx) == []

    tenant_a.shared.add("ord-b")
    shared = json_response({"items": [{"id": "ord-b", "title": f"Lamp {theirs}"}]})
    assert judge(oracle, read_probe(tenant_a, get("/orders")), shared, setup.ctx) == []


def test_canary_discounts_the_sent_user_name_only_where_it_is_echoed() -> None:
    setup = engine([LIST_ORDERS])
    tenant_a, tenant_b = setup.tenants
    theirs = tenant_b.tenant.canary
    email = tenant_b.tenant.identity.email
    company = tenant_b.tenant.identity.company
    setup.ctx.knowledge.remember(tenant_b, {"username": theirs, "email": email, "company": company})
    request = HttpRequest(method="GET", path_template="/users/{username}", path_params={"username": theirs})
    probe = read_probe(tenant_a, request)

    # Only the user name the attacker sent, back in the answer: nothing it did not have.
    echo = json_response({"username": theirs, "detail": f"user {theirs} is private"}, status=403)
    assert judge(CanaryOracle(), probe, echo, setup.ctx) == []

    # A link the victim once saw that repeats the sent user name is still an echo.
    setup.ctx.knowledge.remember(tenant_b, {"next": f"/things?owner={theirs}&page=2"})
    page = json_response({"items": [], "next": f"/things?owner={theirs}&page=2"})
    assert judge(CanaryOracle(), probe, page, setup.ctx) == []

    # The victim's other fields in the same answer carry its canary too: they leak.
    profile = json_response({"username": theirs, "company": company})
    assert judge(CanaryOracle(), probe, profile, setup.ctx) == [
        Evidence(
            "canary",
            FindingKind.READ,
            Verdict.CONFIRMED,
            B,
            f"HTTP 200: tenant-b's canary {theirs} in body /company: {company}",
        )
    ]


# -- owner view -----------------------------------------------------------------------------------------

VICTIM_ORDER = {"id": "ord-b-7781", "title": "Brass lamp", "sku": "SKU-99812", "qty": 3}


def owner_view_setup(tenants: int = 2) -> Engine:
    setup = engine([LIST_ORDERS], tenants=tenants)
    # The victim made the order, then read it in its list.
    setup.own(setup.tenants[1], "Order", {"id": VICTIM_ORDER["id"]})
    setup.ctx.knowledge.remember(setup.tenants[1], {"items": [VICTIM_ORDER]})
    return setup


def test_owner_view_leaves_objects_the_victim_only_saw_in_a_list_alone() -> None:
    # A catalogue entry, another user's profile, data from before the run: no canary, not made by the
    # victim. It is nobody's, even where the attacker never saw it itself.
    setup = engine([LIST_ORDERS])
    tenant_a, tenant_b = setup.tenants
    setup.ctx.knowledge.remember(tenant_b, {"items": [VICTIM_ORDER]})
    assert tenant_b.objects == []

    body = {"items": [VICTIM_ORDER]}
    evidence = judge(OwnerViewOracle(), read_probe(tenant_a, get("/orders")), json_response(body), setup.ctx)

    assert evidence == []


def test_an_object_is_the_tenants_own_by_its_canary_or_as_one_it_made_of_the_same_resource() -> None:
    setup = engine([LIST_ORDERS])
    tenant_b = setup.tenants[1]
    knowledge = setup.ctx.knowledge
    setup.own(tenant_b, "Order", {"id": 4, "total": 1250})

    assert knowledge.owns(tenant_b, {"id": 4, "total": 1250, "status": "new"}, resource="Order")
    # id 4 of a menu item is not id 4 of an order.
    assert not knowledge.owns(tenant_b, {"id": 4, "name": "Pizza", "price": 9.5}, resource="MenuItem")
    assert not knowledge.owns(tenant_b, {"id": 4, "name": "Pizza", "price": 9.5, "vegan": False})
    assert knowledge.owns(tenant_b, {"id": 99, "note": f"Call {tenant_b.tenant.canary}"})


def test_owner_view_catches_the_victims_object_on_its_distinctive_fields() -> None:
    setup = owner_view_setup()
    tenant_a = setup.tenants[0]
    body = {"items": [{"id": "ord-a-1", "title": "Mine"}, {**VICTIM_ORDER, "qty": 4}]}

    evidence = judge(OwnerViewOracle(), read_probe(tenant_a, get("/orders")), json_response(body), setup.ctx)

    assert evidence == [
        Evidence(
            "owner-view",
            FindingKind.READ,
            Verdict.CONFIRMED,
            B,
            "HTTP 200: body /items/1 matches tenant-b's own view on 3 fields: "
            "id='ord-b-7781', title='Brass lamp', sku='SKU-99812'",
        )
    ]


def test_owner_view_leaves_the_callers_own_object_alone_even_where_it_looks_like_the_victims() -> None:
    setup = owner_view_setup()
    tenant_a = setup.tenants[0]
    own = {"id": "ord-a-1", "title": "Brass lamp", "sku": "SKU-99812"}
    setup.ctx.knowledge.remember(tenant_a, own)
    # Equal to the victim's on two distinctive fields, both of which the attacker has as its own.
    assert {"Brass lamp", "SKU-99812"} <= tenant_a.known

    evidence = judge(
        OwnerViewOracle(), read_probe(tenant_a, get("/orders")), json_response({"items": [own]}), setup.ctx
    )

    assert evidence == []


def test_owner_view_leaves_data_every_other_tenant_has_seen_alike_alone() -> None:
    setup = engine([LIST_ORDERS], tenants=3)
    tenant_a, tenant_b, tenant_c = setup.tenants
    plan = {"plan": "Enterprise", "code": "PLAN-ENT-01"}
    # A catalogue the victims both read as their own; the attacker never read it.
    setup.ctx.knowledge.remember(tenant_b, {"plans": [plan]})
    setup.ctx.knowledge.remember(tenant_c, {"plans": [plan]})

    evidence = judge(
        OwnerViewOracle(), read_probe(tenant_a, get("/plans")), json_response({"plans": [plan]}), setup.ctx
    )

    assert evidence == []
    # The attacker knows none of it: only that both victims saw it keeps it from matching.
    assert tenant_a.known == set()
    assert setup.ctx.knowledge.shared_values() == {"Enterprise", "PLAN-ENT-01"}


def test_owner_view_leaves_an_echo_of_the_attackers_request_alone() -> None:
    setup = owner_view_setup()
    tenant_a = setup.tenants[0]
    request = HttpRequest(
        method="POST",
        path_template="/orders",
        body={"title": "Brass lamp", "sku": "SKU-99812"},
        has_body=True,
    )
    response = json_response({"id": "ord-a-9", "title": "Brass lamp", "sku": "SKU-99812"}, status=201)

    assert judge(OwnerViewOracle(), read_probe(tenant_a, request), response, setup.ctx) == []


def test_owner_view_leaves_objects_shared_on_purpose_volatile_fields_and_refusals_alone() -> None:
    setup = owner_view_setup()
    tenant_a = setup.tenants[0]
    oracle = OwnerViewOracle()
    leaked = json_response({"items": [VICTIM_ORDER]})

    # Refused: an answer other than 2xx is never judged for owner views.
    refused = json_response({"items": [VICTIM_ORDER]}, status=403)
    assert judge(oracle, read_probe(tenant_a, get("/orders")), refused, setup.ctx) == []

    # Only one stable distinctive field left: two are needed.
    setup.ctx.knowledge.volatile_keys.update({"title", "sku"})
    assert judge(oracle, read_probe(tenant_a, get("/orders")), leaked, setup.ctx) == []
    setup.ctx.knowledge.volatile_keys.clear()

    tenant_a.shared.add("ord-b-7781")
    assert judge(oracle, read_probe(tenant_a, get("/orders")), leaked, setup.ctx) == []


def test_owner_view_reports_a_victim_once_when_its_canary_already_showed() -> None:
    setup = owner_view_setup()
    tenant_a = setup.tenants[0]
    probe = read_probe(tenant_a, get("/orders"))
    exchange = Exchange(probe.request, json_response({"items": [VICTIM_ORDER]}))
    exchange.evidence.append(Evidence("canary", FindingKind.READ, Verdict.CONFIRMED, B, "seen"))

    assert OwnerViewOracle().judge(probe, exchange, setup.ctx, None) == []


# -- search hit -----------------------------------------------------------------------------------------


def search_probe(attacker: TenantKnowledge, victim: TenantKnowledge) -> Probe:
    term = victim.tenant.canary
    return Probe(
        kind="search",
        operation=LIST_ORDERS,
        attacker=attacker,
        request=get("/orders", q=term),
        slot="query q (searched for the victim's canary)",
        victim=victim,
        search_term=term,
        oracles=frozenset({"search-hit"}),
    )


def test_search_hit_catches_a_record_of_the_victims_returned_for_its_canary() -> None:
    setup = engine([LIST_ORDERS])
    tenant_a, tenant_b = setup.tenants
    term = tenant_b.tenant.canary
    record = {"id": "n-9", "title": f"Quarterly plan {term}"}
    # The victim read its own record before: the title is a value of its own data.
    setup.ctx.knowledge.remember(tenant_b, record)
    body = {"q": term, "results": [record]}

    evidence = judge(SearchHitOracle(), search_probe(tenant_a, tenant_b), json_response(body), setup.ctx)

    assert evidence == [
        Evidence(
            "search-hit",
            FindingKind.READ,
            Verdict.CONFIRMED,
            B,
            f"HTTP 200: a search for tenant-b's canary {term} returned its record, "
            f"body /results/0/title: Quarterly plan {term}",
        )
    ]


def test_search_hit_leaves_an_echo_of_the_term_and_shared_records_alone() -> None:
    setup = engine([LIST_ORDERS])
    tenant_a, tenant_b = setup.tenants
    term = tenant_b.tenant.canary
    oracle = SearchHitOracle()
    probe = search_probe(tenant_a, tenant_b)

    setup.ctx.knowledge.remember(tenant_b, {"id": "n-9", "title": f"Quarterly plan {term}"})
    echo = json_response({"query": {"id": "s-1", "term": term}, "results": []})
    assert judge(oracle, probe, echo, setup.ctx) == []
    # A snippet around the victim's own value is its record too.
    snippet = json_response({"results": [{"hitId": "h-1", "snippet": f"Quarterly plan {term} [matched]"}]})
    assert [item.victim for item in judge(oracle, probe, snippet, setup.ctx)] == [B]
    # The term quoted in a message: more than the term, but no value of the victim's data.
    message = json_response({"request_id": "r-1", "results": [], "message": f'No orders match "{term}"'})
    assert judge(oracle, probe, message, setup.ctx) == []
    # A record without a key is no record of the victim's.
    keyless = json_response({"results": [{"title": f"Quarterly plan {term}"}]})
    assert judge(oracle, probe, keyless, setup.ctx) == []
    refused = json_response({"results": [{"id": "n-9", "title": f"Quarterly plan {term}"}]}, status=400)
    assert judge(oracle, probe, refused, setup.ctx) == []
    tenant_a.shared.add("n-9")
    shared = json_response({"results": [{"id": "n-9", "title": f"Quarterly plan {term}"}]})
    assert judge(oracle, probe, shared, setup.ctx) == []
    # Only searches are judged.
    assert oracle.applies(read_probe(tenant_a, get("/orders"), victim=tenant_b)) is False
    assert oracle.applies(probe) is True


# -- write effect and status only: over the in-memory orders API -----------------------------------------


def orders_setup(api: OrdersApi, *operations: Operation) -> tuple[Engine, Instance, Instance]:
    """Each tenant with one order in the API and in its knowledge."""
    setup = engine(operations or (LIST_ORDERS, READ_ORDER, PATCH_ORDER), api)
    tenant_a, tenant_b = setup.tenants
    a = setup.own(tenant_a, "Order", dict(api.add(A, "ord-a", "Mine")))
    b = setup.own(tenant_b, "Order", dict(api.add(B, "ord-b", "Lamp")))
    return setup, a, b


def send_as(setup: Engine, probe: Probe) -> Exchange:
    response = setup.ctx.sender.send(probe.attacker, probe.request, probe.operation, probe=True)
    assert response is not None
    return Exchange(probe.request, response)


def test_write_effect_catches_the_victims_object_changed_by_the_attackers_write() -> None:
    api = OrdersApi(checks=False)
    setup, _, order_b = orders_setup(api)
    tenant_a, tenant_b = setup.tenants
    probe = write_probe(tenant_a, tenant_b, order_b)
    oracle = WriteEffectOracle()

    prepared = oracle.prepare(probe, setup.ctx)
    exchange = send_as(setup, probe)
    evidence = oracle.judge(probe, exchange, setup.ctx, prepared)

    assert evidence == [
        Evidence(
            "write-effect",
            FindingKind.WRITE,
            Verdict.CONFIRMED,
            B,
            "after tenant-a's request (HTTP 200), tenant-b re-read its data: "
            "GET /orders: /items/[id=ord-b]/title changed from 'Lamp' to 'pwned'; "
            "GET /orders/ord-b: /title changed from 'Lamp' to 'pwned'",
        )
    ]
    # The victim read its witnesses as itself (its owner views: each read once, then each again, to
    # learn what changes by itself), before and after.
    assert [(s.caller, s.method, s.path) for s in setup.sent if s.caller == B] == [
        (B, "GET", "/orders"),
        (B, "GET", "/orders/ord-b"),
        (B, "GET", "/orders"),
        (B, "GET", "/orders/ord-b"),
        (B, "GET", "/orders"),
        (B, "GET", "/orders/ord-b"),
        (B, "GET", "/orders"),
        (B, "GET", "/orders/ord-b"),
        # Something changed: read once more, to learn what changes by itself.
        (B, "GET", "/orders"),
        (B, "GET", "/orders/ord-b"),
    ]


def test_write_effect_catches_the_victims_object_deleted() -> None:
    api = OrdersApi(checks=False)
    delete = operation("DELETE", "/orders/{order_id}", slots=PATCH_ORDER.slots)
    setup, _, order_b = orders_setup(api, LIST_ORDERS, READ_ORDER, delete)
    tenant_a, tenant_b = setup.tenants
    probe = Probe(
        kind="foreign-identifier",
        operation=delete,
        attacker=tenant_a,
        request=HttpRequest(
            method="DELETE", path_template="/orders/{order_id}", path_params={"order_id": "ord-b"}
        ),
        slot="path order_id",
        victim=tenant_b,
        targets=[order_b],
    )
    oracle = WriteEffectOracle()

    prepared = oracle.prepare(probe, setup.ctx)
    evidence = oracle.judge(probe, send_as(setup, probe), setup.ctx, prepared)

    assert evidence == [
        Evidence(
            "write-effect",
            FindingKind.DELETE,
            Verdict.CONFIRMED,
            B,
            "after tenant-a's request (HTTP 204), tenant-b re-read its data: "
            "GET /orders/ord-b answered 200 before, 404 after; GET /orders: the object id=ord-b is gone from /items",
        )
    ]


def test_write_effect_leaves_a_refused_write_alone_though_a_field_changes_by_itself() -> None:
    api = OrdersApi(checks=True)
    setup, _, order_b = orders_setup(api)
    tenant_a, tenant_b = setup.tenants
    probe = write_probe(tenant_a, tenant_b, order_b)
    oracle = WriteEffectOracle()

    prepared = oracle.prepare(probe, setup.ctx)
    exchange = send_as(setup, probe)

    assert exchange.response.status == 404
    assert oracle.judge(probe, exchange, setup.ctx, prepared) == []
    # Every read answers a new `read` counter: learned from the victim's own two reads.
    assert {label: view.volatile for label, view in tenant_b.views.items()} == {
        "GET /orders": {("read",)},
        "GET /orders/{order_id}": {("read",)},
    }
    assert api.orders["ord-b"]["title"] == "Lamp"


def test_write_effect_learns_a_field_that_looked_stable_in_the_owners_reads() -> None:
    api = OrdersApi(checks=True)
    setup, _, order_b = orders_setup(api)
    tenant_a, tenant_b = setup.tenants
    # Views whose two reads fell within one tick: nothing volatile was learned.
    own_list = get("/orders")
    own_read = HttpRequest(
        method="GET", path_template="/orders/{order_id}", path_params={"order_id": "ord-b"}
    )
    tenant_b.views["GET /orders"] = View(own_list, 200, {"items": [api.orders["ord-b"]]}, set())
    tenant_b.views["GET /orders/{order_id}"] = View(own_read, 200, dict(api.orders["ord-b"]), set())
    probe = write_probe(tenant_a, tenant_b, order_b)
    oracle = WriteEffectOracle()

    prepared = oracle.prepare(probe, setup.ctx)
    evidence = oracle.judge(probe, send_as(setup, probe), setup.ctx, prepared)

    assert evidence == []
    assert tenant_b.views["GET /orders"].volatile == {("read",)}
    assert tenant_b.views["GET /orders/{order_id}"].volatile == {("read",)}


class AcceptsForeignWrites(OrdersApi):
    """Answers another tenant's write to ``ord-b`` with ``answer``; with ``adds``, makes the caller an order."""

    def __init__(self, answer: Any, *, adds: bool = False) -> None:
        super().__init__(checks=True)
        self.answer = answer
        self.adds = adds

    def __call__(self, method: str, path: str, query: Any, headers: Any, body: Any) -> tuple[int, Any]:
        if method == "PATCH" and path == "/orders/ord-b" and caller_of(headers) != B:
            if self.adds:
                self.add(str(caller_of(headers)), "ord-a-copy", "Copy")
            return 200, self.answer
        return super().__call__(method, path, query, headers, body)


ACCEPTED = {"status": "accepted"}


def status_only_case(api: OrdersApi, *operations: Operation) -> tuple[Engine, Probe, Any]:
    setup, _, order_b = orders_setup(api, *operations)
    tenant_a, tenant_b = setup.tenants
    if setup.ctx.index.reads.get("unslotted"):
        # The attacker's own list, as it read it while discovering its data.
        setup.ctx.discovery.owner_view(tenant_a, LIST_ORDERS)
    probe = write_probe(tenant_a, tenant_b, order_b)
    return setup, probe, StatusOnlyOracle().prepare(probe, setup.ctx)


def test_status_only_suspects_an_accepted_write_that_changed_nothing_anyone_could_see() -> None:
    setup, probe, prepared = status_only_case(AcceptsForeignWrites(ACCEPTED))

    evidence = StatusOnlyOracle().judge(probe, send_as(setup, probe), setup.ctx, prepared)

    assert evidence == [
        Evidence(
            "status-only",
            FindingKind.WRITE_ACCEPTED,
            Verdict.SUSPECTED,
            B,
            "PATCH with tenant-b's identifier was accepted (HTTP 200) but no change was visible to tenant-b, "
            "nor in tenant-a's own data: could not tell a change to tenant-b's Order that its reads do not "
            "show from a request that changed nothing",
        )
    ]


def test_status_only_says_when_the_victim_had_no_read_to_check() -> None:
    setup, probe, prepared = status_only_case(AcceptsForeignWrites(ACCEPTED), PATCH_ORDER)

    evidence = StatusOnlyOracle().judge(probe, send_as(setup, probe), setup.ctx, prepared)

    assert [(e.verdict, e.text) for e in evidence] == [
        (
            Verdict.SUSPECTED,
            "PATCH with tenant-b's identifier was accepted (HTTP 200) but no change was visible to tenant-b "
            "(it has no read operation to check), nor in tenant-a's own data: could not tell a change to "
            "tenant-b's Order that its reads do not show from a request that changed nothing",
        )
    ]


def test_status_only_leaves_a_write_answered_with_the_attackers_own_object_alone() -> None:
    own = {"id": "ord-a", "title": f"Mine {make_canary(0, A)}"}
    setup, probe, prepared = status_only_case(AcceptsForeignWrites(own))

    exchange = send_as(setup, probe)

    assert exchange.response.json() == own
    assert StatusOnlyOracle().judge(probe, exchange, setup.ctx, prepared) == []


def test_status_only_leaves_a_write_that_changed_the_attackers_own_list_alone() -> None:
    api = AcceptsForeignWrites(ACCEPTED, adds=True)
    setup, probe, prepared = status_only_case(api)

    assert StatusOnlyOracle().judge(probe, send_as(setup, probe), setup.ctx, prepared) == []
    assert sorted(api.orders) == ["ord-a", "ord-a-copy", "ord-b"]


def test_status_only_gives_nothing_where_a_write_effect_was_found_or_the_write_was_refused() -> None:
    setup, probe, prepared = status_only_case(AcceptsForeignWrites(ACCEPTED))
    exchange = send_as(setup, probe)
    exchange.evidence.append(Evidence("write-effect", FindingKind.WRITE, Verdict.CONFIRMED, B, "changed"))

    assert exchange.response.status == 200
    assert StatusOnlyOracle().judge(probe, exchange, setup.ctx, prepared) == []

    refused = Exchange(probe.request, json_response({"detail": "not found"}, status=404))
    assert StatusOnlyOracle().judge(probe, refused, setup.ctx, prepared) == []
    # Only writes against another tenant are judged.
    assert (
        StatusOnlyOracle().applies(read_probe(probe.attacker, get("/orders"), victim=probe.victim)) is False
    )
    assert StatusOnlyOracle().applies(probe) is True


# -- run_probe ------------------------------------------------------------------------------------------


class Recorder:
    """An oracle that records what it judged: (status, request body) of each exchange."""

    def __init__(self, name: str, *, final: bool) -> None:
        self.name = name
        self.final = final
        self.seen: list[tuple[int, Any]] = []

    def applies(self, probe: Probe) -> bool:
        return True

    def prepare(self, probe: Probe, ctx: EngineContext) -> Any:
        return None

    def judge(self, probe: Probe, exchange: Exchange, ctx: EngineContext, prepared: Any) -> list[Evidence]:
        self.seen.append((exchange.response.status, exchange.request.body))
        return []


TRANSFER = operation(
    "POST",
    "/transfers",
    slots=[body_slot(("order_id",), "Order")],
    body={
        "type": "object",
        "required": ["order_id"],
        "properties": {"order_id": {"type": "string"}, "note": {"type": "string", "enum": ["rush"]}},
    },
)


def test_run_probe_retries_a_body_refused_as_invalid_with_its_fallback_and_judges_both_answers() -> None:
    canaries: dict[str, str] = {}

    def transfers(method: str, path: str, query: Any, headers: Any, body: Any) -> tuple[int, Any]:
        if "note" in body:
            return 422, {"detail": f"order {body['order_id']} ({canaries[B]}) takes no note"}
        return 201, {"id": "tr-1", "order_id": body["order_id"]}

    setup = engine([TRANSFER], transfers)
    tenant_a, tenant_b = setup.tenants
    canaries[B] = tenant_b.tenant.canary
    setup.own(tenant_a, "Order", {"id": "ord-a"})
    setup.own(tenant_b, "Order", {"id": "ord-b"})
    probe = next(iter(ForeignIdentifierProbes().plan(TRANSFER, setup.ctx)))
    every, last = Recorder("every", final=False), Recorder("last", final=True)

    run_probe(probe, setup.ctx, [CanaryOracle(), every, last])

    assert [(s.caller, s.method, s.path, s.body) for s in setup.sent] == [
        (A, "POST", "/transfers", {"order_id": "ord-b", "note": "rush"}),
        (A, "POST", "/transfers", {"order_id": "ord-b"}),
    ]
    assert every.seen == [(422, {"order_id": "ord-b", "note": "rush"}), (201, {"order_id": "ord-b"})]
    assert last.seen == [(201, {"order_id": "ord-b"})]
    canary = canaries[B]
    assert setup.ctx.result.findings == [
        Finding(
            operation="POST /transfers",
            kind=FindingKind.READ,
            verdict=Verdict.CONFIRMED,
            oracle="canary",
            attacker=A,
            victim=B,
            slot="body /order_id",
            status=422,
            evidence=f"HTTP 422: tenant-b's canary {canary} in body /detail: order ord-b ({canary}) takes no note",
            reproduction=(
                "# as tenant-b: create the data the attack targets\n"
                'curl -sS -X POST http://api.test/orders -H "Authorization: Bearer $TENANT_B_TOKEN" '
                "-H 'Content-Type: application/json' --data '{\"id\": \"ord-b\"}'\n"
                "# as tenant-a: the attack\n"
                'curl -sS -X POST http://api.test/transfers -H "Authorization: Bearer $TENANT_A_TOKEN" '
                '-H \'Content-Type: application/json\' --data \'{"order_id": "ord-b", "note": "rush"}\''
            ),
            pointers=("/detail",),
            response=f'HTTP 422\n{{\n  "detail": "order ord-b ({canary}) takes no note"\n}}',
            # The victim's own view of the order the attack targeted.
            owner_response='{\n  "id": "ord-b"\n}',
        )
    ]
    coverage = setup.ctx.coverage(TRANSFER)
    assert (coverage.probes, coverage.slots) == (1, ["body /order_id"])
    assert setup.ctx.result.errors == []


def test_run_probe_records_a_5xx_as_an_error_never_a_finding() -> None:
    canaries: dict[str, str] = {}

    def crashes(method: str, path: str, query: Any, headers: Any, body: Any) -> tuple[int, Any]:
        return 500, {"detail": f"boom near {canaries[B]}"}

    setup = engine([READ_ORDER], crashes)
    tenant_a, tenant_b = setup.tenants
    canaries[B] = tenant_b.tenant.canary
    setup.own(tenant_a, "Order", {"id": "ord-a"})
    setup.own(tenant_b, "Order", {"id": "ord-b"})
    probe = next(iter(ForeignIdentifierProbes().plan(READ_ORDER, setup.ctx)))

    run_probe(probe, setup.ctx, builtin_oracles())

    assert setup.ctx.result.findings == []
    assert setup.ctx.result.errors == [
        ProbeError(
            operation="GET /orders/{order_id}",
            attacker=A,
            slot="path order_id",
            message=f'HTTP 500 from GET /orders/ord-b: {{"detail": "boom near {canaries[B]}"}}',
            probe=True,
        )
    ]
    assert [(s.caller, s.method, s.path) for s in setup.sent] == [(A, "GET", "/orders/ord-b")]
    # A probe answered 5xx covers nothing: the gate counts it as an error, not as coverage.
    coverage = setup.ctx.coverage(READ_ORDER)
    assert (coverage.probes, coverage.covered) == (0, False)
    assert coverage.gaps == {"foreign-identifier": ["no answer that could be judged (see the probe errors)"]}
    assert (setup.ctx.result.probe_requests, setup.ctx.result.error_rate()) == (1, 1.0)


class FailsAfterWrites(OrdersApi):
    """Isolated, but once a write has come, every read of the victim's data answers 503."""

    def __init__(self) -> None:
        super().__init__(checks=True)
        self.written = False

    def __call__(
        self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str], body: Any
    ) -> tuple[int, Any]:
        if method == "PATCH":
            self.written = True
        if method == "GET" and self.written:
            return 503, {"detail": "injected"}
        return super().__call__(method, path, query, headers, body)


def test_write_effect_never_takes_a_failed_re_read_for_a_change() -> None:
    api = FailsAfterWrites()
    setup, _, order_b = orders_setup(api)
    tenant_a, tenant_b = setup.tenants
    setup.ctx.sender.retry = RetryPolicy(attempts=2, base_delay=0)
    probe = write_probe(tenant_a, tenant_b, order_b)
    oracle = WriteEffectOracle()

    prepared = oracle.prepare(probe, setup.ctx)
    exchange = send_as(setup, probe)

    assert oracle.judge(probe, exchange, setup.ctx, prepared) == []
    unjudged = [error for error in setup.ctx.result.errors if error.kind == "unjudged"]
    assert [error.message for error in unjudged] == [
        "tenant-b's re-read of GET /orders, GET /orders/ord-b failed: what the write did there is not judged"
    ]
