"""Each probe kind on hand-made knowledge: a case it must plan (exact probes) and a case it must leave alone."""

from __future__ import annotations

import dataclasses
from typing import Any

from engine_support import (
    CREATE_ORDER,
    DELETE_ORDER,
    LIST_ORDERS,
    PATCH_ORDER,
    READ_ORDER,
    Engine,
    OrdersApi,
    body_slot,
    engine,
    operation,
    parameter,
    path_slot,
)

from isolation_harness.exchange import Probe
from isolation_harness.model import HttpRequest, Slot, SlotLocation
from isolation_harness.probes import (
    ForeignIdentifierProbes,
    GuessedIdentifierProbes,
    OwnReadProbes,
    SearchProbes,
    TombstoneProbes,
)

A, B = "tenant-a", "tenant-b"


def plan_foreign(setup: Engine, op: Any) -> list[Probe]:
    return list(ForeignIdentifierProbes().plan(op, setup.ctx))


def who(probe: Probe) -> tuple[str, str | None]:
    return probe.attacker.name, probe.victim.name if probe.victim else None


def with_orders(*operations: Any, a: Any = "ord-a", b: Any = "ord-b") -> Engine:
    setup = engine(operations)
    tenant_a, tenant_b = setup.tenants
    setup.own(tenant_a, "Order", {"id": a, "title": "Mine"})
    setup.own(tenant_b, "Order", {"id": b, "title": "Theirs"})
    return setup


# -- foreign identifiers --------------------------------------------------------------------------------


def test_foreign_plans_each_attacker_victim_pair_with_the_victims_id_in_the_path() -> None:
    setup = with_orders(READ_ORDER)
    tenant_a, tenant_b = setup.tenants
    order_a, order_b = tenant_a.alive("Order")[0], tenant_b.alive("Order")[0]

    probes = plan_foreign(setup, READ_ORDER)

    assert [(who(p), p.kind, p.slot, p.request.path) for p in probes] == [
        ((A, B), "foreign-identifier", "path order_id", "/orders/ord-b"),
        ((B, A), "foreign-identifier", "path order_id", "/orders/ord-a"),
    ]
    first = probes[0]
    assert first.targets == [order_b]
    assert first.targets[0] is order_b
    assert first.setup == order_b.recipe
    assert first.own == {"Order": order_a}
    assert first.mixed == set()
    assert first.oracles is None
    # A path slot is no body: nothing to retry with fewer fields.
    assert first.fallback is None
    assert setup.ctx.coverage(READ_ORDER).skipped == []


def test_foreign_puts_the_attackers_own_id_first_in_a_body_list_and_falls_back_to_required_fields() -> None:
    bulk = operation(
        "POST",
        "/orders/close",
        slots=[body_slot(("ids",), "Order")],
        body={
            "type": "object",
            "required": ["ids"],
            "properties": {
                "ids": {"type": "array", "items": {"type": "string"}},
                "reason": {"type": "string", "enum": ["duplicate"]},
            },
        },
    )
    setup = with_orders(bulk)

    probes = plan_foreign(setup, bulk)

    assert [(who(p), p.slot, p.request.body) for p in probes] == [
        ((A, B), "body /ids", {"ids": ["ord-a", "ord-b"], "reason": "duplicate"}),
        ((B, A), "body /ids", {"ids": ["ord-b", "ord-a"], "reason": "duplicate"}),
    ]
    first = probes[0]
    assert first.mixed == {"Order"}
    assert first.fallback is not None
    retried = first.fallback()
    assert retried == HttpRequest(
        method="POST", path_template="/orders/close", body={"ids": ["ord-a", "ord-b"]}, has_body=True
    )
    # The first request is left as it was sent.
    assert first.request.body == {"ids": ["ord-a", "ord-b"], "reason": "duplicate"}


def test_foreign_fallback_drops_the_optional_fields_around_a_single_body_id() -> None:
    transfer = operation(
        "POST",
        "/transfers",
        slots=[body_slot(("order_id",), "Order")],
        body={
            "type": "object",
            "required": ["order_id"],
            "properties": {"order_id": {"type": "string"}, "note": {"type": "string", "enum": ["rush"]}},
        },
    )
    setup = with_orders(transfer)

    probe = plan_foreign(setup, transfer)[0]

    assert (who(probe), probe.slot, probe.request.body) == (
        (A, B),
        "body /order_id",
        {"order_id": "ord-b", "note": "rush"},
    )
    # A single id is no list: the attacker's own does not go along.
    assert probe.mixed == set()
    assert probe.fallback is not None
    retried = probe.fallback()
    assert retried is not None
    assert (retried.method, retried.path, retried.body) == ("POST", "/transfers", {"order_id": "ord-b"})


def test_foreign_tries_each_slot_alone_and_all_slots_together() -> None:
    read_line = operation(
        "GET",
        "/orders/{order_id}/lines/{line_id}",
        slots=[path_slot("order_id", "Order"), path_slot("line_id", "Line")],
    )
    setup = with_orders(read_line)
    tenant_a, tenant_b = setup.tenants
    setup.own(tenant_a, "Line", {"id": "line-a"}, Order=tenant_a.alive("Order")[0])
    setup.own(tenant_b, "Line", {"id": "line-b"}, Order=tenant_b.alive("Order")[0])

    probes = plan_foreign(setup, read_line)

    assert [(who(p), p.slot, p.request.path) for p in probes] == [
        ((A, B), "path order_id", "/orders/ord-b/lines/line-a"),
        ((A, B), "path line_id", "/orders/ord-a/lines/line-b"),
        ((A, B), "path order_id + path line_id", "/orders/ord-b/lines/line-b"),
        ((B, A), "path order_id", "/orders/ord-a/lines/line-b"),
        ((B, A), "path line_id", "/orders/ord-b/lines/line-a"),
        ((B, A), "path order_id + path line_id", "/orders/ord-a/lines/line-a"),
    ]
    assert [sorted(t.values["id"] for t in p.targets) for p in probes[:3]] == [
        ["ord-b"],
        ["line-b"],
        ["line-b", "ord-b"],
    ]


def test_foreign_skips_a_victim_without_the_targeted_object() -> None:
    setup = engine([READ_ORDER])
    tenant_a, _ = setup.tenants
    setup.own(tenant_a, "Order", {"id": "ord-a"})

    assert plan_foreign(setup, READ_ORDER) == []
    assert setup.ctx.coverage(READ_ORDER).skipped == [
        "tenant-b has no Order to target via path order_id",
        "tenant-b cannot build its own request (seeding found none of what it needs)",
    ]


def test_foreign_skips_identifiers_numbered_per_tenant() -> None:
    setup = with_orders(READ_ORDER, a=1, b=1)

    assert plan_foreign(setup, READ_ORDER) == []
    assert setup.ctx.coverage(READ_ORDER).skipped == [
        "tenant-b's identifiers via path order_id are the same as tenant-a's",
        "tenant-a's identifiers via path order_id are the same as tenant-b's",
    ]


# -- own reads ------------------------------------------------------------------------------------------


def test_own_read_plans_one_probe_per_tenant_for_an_operation_without_identifiers() -> None:
    setup = engine([LIST_ORDERS])

    probes = list(OwnReadProbes().plan(LIST_ORDERS, setup.ctx))

    assert [(who(p), p.kind, p.slot, p.error_slot, p.request) for p in probes] == [
        ((A, None), "own-read", "(no identifier)", "-", HttpRequest(method="GET", path_template="/orders")),
        ((B, None), "own-read", "(no identifier)", "-", HttpRequest(method="GET", path_template="/orders")),
    ]
    assert [p.targets for p in probes] == [[], []]


def test_own_read_plans_an_operation_without_identifiers_even_when_it_writes() -> None:
    setup = engine([CREATE_ORDER])

    probes = list(OwnReadProbes().plan(CREATE_ORDER, setup.ctx))

    assert [(who(p), p.slot, p.request.method, p.request.path) for p in probes] == [
        ((A, None), "(no identifier)", "POST", "/orders"),
        ((B, None), "(no identifier)", "POST", "/orders"),
    ]
    assert [p.attacker.tenant.canary in p.request.body["title"] for p in probes] == [True, True]


def test_own_read_plans_a_safe_read_with_each_tenants_own_identifier() -> None:
    setup = with_orders(READ_ORDER)

    probes = list(OwnReadProbes().plan(READ_ORDER, setup.ctx))

    assert [(who(p), p.slot, p.request.path) for p in probes] == [
        ((A, None), "(its own identifiers)", "/orders/ord-a"),
        ((B, None), "(its own identifiers)", "/orders/ord-b"),
    ]


def test_own_read_says_which_tenant_could_not_build_a_request() -> None:
    setup = engine([READ_ORDER])
    setup.own(setup.tenants[1], "Order", {"id": "ord-b"})

    probes = list(OwnReadProbes().plan(READ_ORDER, setup.ctx))

    assert [(who(p), p.request.path) for p in probes] == [((B, None), "/orders/ord-b")]
    assert setup.ctx.coverage(READ_ORDER).skipped == ["tenant-a could not build a request"]


def test_own_read_leaves_writes_that_take_identifiers_alone() -> None:
    setup = with_orders(PATCH_ORDER, DELETE_ORDER)

    assert list(OwnReadProbes().plan(PATCH_ORDER, setup.ctx)) == []
    assert list(OwnReadProbes().plan(DELETE_ORDER, setup.ctx)) == []
    assert setup.ctx.coverage(PATCH_ORDER).skipped == []


# -- search terms ---------------------------------------------------------------------------------------

SEARCH_ORDERS = operation(
    "GET",
    "/orders/search",
    parameters=[
        parameter("q"),
        parameter("status", schema={"type": "string", "enum": ["open", "closed"]}),
        parameter("since", schema={"type": "string", "format": "date-time"}),
        parameter("limit", schema={"type": "integer"}),
        parameter("customer_id"),
        parameter("code", schema={"type": "string", "pattern": "^[0-9]+$"}),
        parameter("tag", schema={"type": "string", "maxLength": 5}),
        parameter("label", schema={"anyOf": [{"type": "string"}, {"type": "null"}]}),
    ],
)


def test_search_plans_each_free_text_parameter_for_each_attacker_and_victim() -> None:
    setup = engine([SEARCH_ORDERS])
    tenant_a, tenant_b = setup.tenants
    canary_a, canary_b = tenant_a.tenant.canary, tenant_b.tenant.canary

    probes = list(SearchProbes().plan(SEARCH_ORDERS, setup.ctx))

    assert [(who(p), p.kind, p.slot, p.request.query, p.search_term, p.oracles) for p in probes] == [
        (
            (A, B),
            "search",
            "query q (searched for the victim's canary)",
            {"q": canary_b},
            canary_b,
            frozenset({"search-hit"}),
        ),
        (
            (B, A),
            "search",
            "query q (searched for the victim's canary)",
            {"q": canary_a},
            canary_a,
            frozenset({"search-hit"}),
        ),
        (
            (A, B),
            "search",
            "query label (searched for the victim's canary)",
            {"label": canary_b},
            canary_b,
            frozenset({"search-hit"}),
        ),
        (
            (B, A),
            "search",
            "query label (searched for the victim's canary)",
            {"label": canary_a},
            canary_a,
            frozenset({"search-hit"}),
        ),
    ]
    assert all(p.request.path == "/orders/search" for p in probes)


def test_search_leaves_parameters_that_take_no_free_text_alone() -> None:
    closed = operation(
        "GET",
        "/orders/search",
        parameters=[
            parameter("status", schema={"type": "string", "enum": ["open", "closed"]}),
            parameter("since", schema={"type": "string", "format": "date"}),
            parameter("limit", schema={"type": "integer"}),
            parameter("order_id"),
        ],
    )
    setup = engine([closed])

    assert list(SearchProbes().plan(closed, setup.ctx)) == []


def test_search_leaves_writes_alone() -> None:
    search_by_post = operation("POST", "/orders/search", parameters=[parameter("q")])
    setup = engine([search_by_post])

    assert list(SearchProbes().plan(search_by_post, setup.ctx)) == []


# -- guessed identifiers --------------------------------------------------------------------------------


def test_guessed_plans_the_numbers_next_to_each_attackers_own() -> None:
    setup = with_orders(READ_ORDER, a=17, b=40)

    probes = list(GuessedIdentifierProbes().plan(READ_ORDER, setup.ctx))

    assert [(who(p), p.kind, p.slot, p.request.path) for p in probes] == [
        ((A, None), "guessed-identifier", "path order_id (guessed next to tenant-a's own)", "/orders/18"),
        ((A, None), "guessed-identifier", "path order_id (guessed next to tenant-a's own)", "/orders/16"),
        ((A, None), "guessed-identifier", "path order_id (guessed next to tenant-a's own)", "/orders/19"),
        ((A, None), "guessed-identifier", "path order_id (guessed next to tenant-a's own)", "/orders/15"),
        ((B, None), "guessed-identifier", "path order_id (guessed next to tenant-b's own)", "/orders/41"),
        ((B, None), "guessed-identifier", "path order_id (guessed next to tenant-b's own)", "/orders/39"),
        ((B, None), "guessed-identifier", "path order_id (guessed next to tenant-b's own)", "/orders/42"),
        ((B, None), "guessed-identifier", "path order_id (guessed next to tenant-b's own)", "/orders/38"),
    ]


def test_guessed_keeps_a_prefix_and_its_zero_padding_in_a_query_slot() -> None:
    invoices = operation(
        "GET",
        "/invoices",
        slots=[Slot(SlotLocation.QUERY, "number", "Invoice", "number")],
        parameters=[parameter("number", required=True)],
    )
    setup = engine([invoices])
    setup.own(setup.tenants[0], "Invoice", {"id": "x1", "number": "INV-000017"})

    probes = list(GuessedIdentifierProbes().plan(invoices, setup.ctx))

    assert [(who(p), p.slot, p.request.query) for p in probes] == [
        ((A, None), "query number (guessed next to tenant-a's own)", {"number": "INV-000018"}),
        ((A, None), "query number (guessed next to tenant-a's own)", {"number": "INV-000016"}),
        ((A, None), "query number (guessed next to tenant-a's own)", {"number": "INV-000019"}),
        ((A, None), "query number (guessed next to tenant-a's own)", {"number": "INV-000015"}),
    ]


def test_guessed_leaves_uuids_and_writes_alone() -> None:
    setup = with_orders(
        READ_ORDER,
        DELETE_ORDER,
        a="3f2c9a4e-8b1d-4c6f-9e2a-5d7b1c0e8f43",
        b="9b1d3c2e-0a4f-4e6b-8c7d-1f2e3d4c5b6a",
    )
    assert list(GuessedIdentifierProbes().plan(READ_ORDER, setup.ctx)) == []

    numbered = with_orders(READ_ORDER, DELETE_ORDER, a=17, b=40)
    assert list(GuessedIdentifierProbes().plan(DELETE_ORDER, numbered.ctx)) == []


# -- tombstones -----------------------------------------------------------------------------------------


def test_tombstone_has_the_victim_create_and_delete_an_object_then_plans_reads_of_it() -> None:
    api = OrdersApi()
    setup = engine([CREATE_ORDER, READ_ORDER, DELETE_ORDER], api)
    tenant_a, tenant_b = setup.tenants
    setup.own(tenant_a, "Order", {"id": "ord-a"})
    setup.own(tenant_b, "Order", {"id": "ord-b"})

    probes = list(TombstoneProbes().plan(DELETE_ORDER, setup.ctx))

    assert TombstoneProbes.after_all is True
    assert [(s.caller, s.method, s.path) for s in setup.sent] == [
        (A, "POST", "/orders"),
        (A, "DELETE", "/orders/ord-1"),
        (B, "POST", "/orders"),
        (B, "DELETE", "/orders/ord-2"),
    ]
    assert [(who(p), p.kind, p.slot, p.request.path) for p in probes] == [
        ((B, A), "tombstone", "path order_id (deleted by its owner)", "/orders/ord-1"),
        ((A, B), "tombstone", "path order_id (deleted by its owner)", "/orders/ord-2"),
    ]
    deleted_a, deleted_b = probes[0].targets[0], probes[1].targets[0]
    assert (deleted_a.owner, deleted_a.values["id"], deleted_a.alive) == (A, "ord-1", False)
    assert (deleted_b.owner, deleted_b.values["id"], deleted_b.alive) == (B, "ord-2", False)
    # The victim's creating request is the reproduction's setup; its title carries the victim's canary.
    assert [(step.method, step.path) for step in probes[0].setup] == [("POST", "/orders")]
    assert tenant_a.tenant.canary in probes[0].setup[0].body["title"]
    # The attacker's own request, with the deleted id in it.
    assert probes[0].own == {"Order": tenant_b.alive("Order")[0]}
    assert api.orders == {}
    # Only the deleted object was retired: the victims have nothing to seed again.
    assert (tenant_a.dirty, tenant_b.dirty) == (False, False)


def test_tombstone_plans_nothing_when_the_owner_could_not_delete_its_object() -> None:
    api = OrdersApi()

    def refuses_deletes(method: str, path: str, query: Any, headers: Any, body: Any) -> tuple[int, Any]:
        if method == "DELETE":
            return 403, {"detail": "deleting is off"}
        return api(method, path, query, headers, body)

    setup = engine([CREATE_ORDER, READ_ORDER, DELETE_ORDER], refuses_deletes)
    for state in setup.tenants:
        setup.own(state, "Order", {"id": f"ord-{state.name}"})

    assert list(TombstoneProbes().plan(DELETE_ORDER, setup.ctx)) == []
    assert [(s.caller, s.method, s.path) for s in setup.sent] == [
        (A, "POST", "/orders"),
        (A, "DELETE", "/orders/ord-1"),
        (B, "POST", "/orders"),
        (B, "DELETE", "/orders/ord-2"),
    ]
    assert [[i.values["id"] for i in state.alive("Order")] for state in setup.tenants] == [
        ["ord-tenant-a", "ord-1"],
        ["ord-tenant-b", "ord-2"],
    ]


def test_tombstone_leaves_operations_that_delete_nothing_alone() -> None:
    setup = engine([CREATE_ORDER, READ_ORDER, PATCH_ORDER, DELETE_ORDER])

    assert list(TombstoneProbes().plan(READ_ORDER, setup.ctx)) == []
    assert list(TombstoneProbes().plan(PATCH_ORDER, setup.ctx)) == []
    # Nothing to create the object with: the delete is not tried.
    unmade = engine([READ_ORDER, DELETE_ORDER])
    assert list(TombstoneProbes().plan(DELETE_ORDER, unmade.ctx)) == []
    assert setup.sent == []
    assert unmade.sent == []


def test_more_examples_send_more_generated_bodies_around_the_same_identifiers() -> None:
    transfer = operation(
        "POST",
        "/transfers",
        slots=[body_slot(("order_id",), "Order")],
        body={
            "type": "object",
            "required": ["order_id", "note"],
            "properties": {"order_id": {"type": "string"}, "note": {"type": "string"}},
        },
    )
    setup = with_orders(transfer)
    setup.ctx.settings = dataclasses.replace(setup.ctx.settings, examples=3)

    probes = [p for p in plan_foreign(setup, transfer) if who(p) == (A, B)]

    assert len(probes) == 3
    assert {p.request.body["order_id"] for p in probes} == {"ord-b"}
    # Each example is another generated body.
    assert len({p.request.body["note"] for p in probes}) == 3


def test_examples_leave_an_operation_without_a_body_alone() -> None:
    setup = with_orders(READ_ORDER)
    setup.ctx.settings = dataclasses.replace(setup.ctx.settings, examples=3)

    assert [who(p) for p in plan_foreign(setup, READ_ORDER)] == [(A, B), (B, A)]
