"""What a finding says beyond its verdict: where the victim's data was (pointers), the attacker's and the
owner's responses side by side, and whether an allow rule or the baseline accepts it."""

from __future__ import annotations

import dataclasses

from engine_support import LIST_ORDERS, READ_ORDER, Engine, engine, json_response

from isolation_harness import AllowRule, Baseline
from isolation_harness.engine.findings import Findings
from isolation_harness.exchange import Evidence, Exchange, Probe
from isolation_harness.knowledge import TenantKnowledge, View
from isolation_harness.model import Finding, FindingKind, HttpRequest, HttpResponse, Verdict
from isolation_harness.oracles import CanaryOracle, OwnerViewOracle, SearchHitOracle

A, B = "tenant-a", "tenant-b"


def get(path: str, **params: str) -> HttpRequest:
    return HttpRequest(method="GET", path_template=path, path_params=dict(params))


def list_probe(attacker: TenantKnowledge) -> Probe:
    return Probe(kind="own-read", operation=LIST_ORDERS, attacker=attacker, request=get("/orders"), slot="-")


def judge(
    oracle: CanaryOracle | OwnerViewOracle | SearchHitOracle,
    probe: Probe,
    response: HttpResponse,
    setup: Engine,
) -> list[Evidence]:
    exchange = Exchange(probe.request, response)
    return list(oracle.judge(probe, exchange, setup.ctx, oracle.prepare(probe, setup.ctx)))


# -- pointers from the oracles ----------------------------------------------------------------------


def test_the_canary_oracle_points_at_every_body_value_and_key_with_the_victims_marker() -> None:
    setup = engine([LIST_ORDERS])
    tenant_a, tenant_b = setup.tenants
    canary = tenant_b.tenant.canary
    body = {"items": [{"id": "o-1", "title": f"Lamp {canary}"}], "by": {canary: 1}, "owner": canary}
    response = HttpResponse(
        200, {"X-Owner": canary, "Content-Type": "application/json"}, json_response(body).text
    )

    [evidence] = judge(CanaryOracle(), list_probe(tenant_a), response, setup)

    # The header sighting is named as a header: no allow rule's field or pointer covers it.
    assert evidence.pointers == ("/items/0/title", "/owner", f"/by/{canary}", "header X-Owner")
    assert "(and 3 more places)" in evidence.text


def test_a_canary_in_a_header_or_a_text_body_is_named_so_and_no_rule_covers_it() -> None:
    setup = engine([LIST_ORDERS])
    tenant_a, tenant_b = setup.tenants
    canary = tenant_b.tenant.canary
    in_header = HttpResponse(200, {"X-Owner": canary}, "{}")
    in_text = HttpResponse(404, {"Content-Type": "text/plain"}, f"order of {canary} not found")

    assert [e.pointers for e in judge(CanaryOracle(), list_probe(tenant_a), in_header, setup)] == [
        ("header X-Owner",)
    ]
    assert [e.pointers for e in judge(CanaryOracle(), list_probe(tenant_a), in_text, setup)] == [("body",)]
    # A field rule for a body field never allows a leak in a header beside it.
    rule = AllowRule(operation="GET /orders", field="owner", reason="names are public")
    leak = Finding(
        operation="GET /orders",
        kind=FindingKind.READ,
        verdict=Verdict.CONFIRMED,
        oracle="canary",
        attacker=A,
        victim=B,
        slot="(its own identifiers)",
        status=200,
        evidence="HTTP 200: tenant-b's canary",
        reproduction="curl ...",
        pointers=("/owner", "header X-Owner"),
    )
    assert not rule.matches(leak)
    assert rule.matches(dataclasses.replace(leak, pointers=("/owner",)))


def test_the_owner_view_oracle_points_at_the_fields_that_matched() -> None:
    setup = engine([LIST_ORDERS])
    tenant_a, tenant_b = setup.tenants
    order = {"id": "ord-b-7781", "title": "Brass lamp", "sku": "SKU-99812", "qty": 3}
    setup.own(tenant_b, "Order", {"id": order["id"]})
    setup.ctx.knowledge.remember(tenant_b, {"items": [order]})
    body = {"items": [{"id": "ord-a-1", "title": "Mine"}, {**order, "qty": 4}]}

    [evidence] = judge(OwnerViewOracle(), list_probe(tenant_a), json_response(body), setup)

    assert evidence.pointers == ("/items/1/id", "/items/1/title", "/items/1/sku")


def test_the_search_hit_oracle_points_at_the_record_field() -> None:
    setup = engine([LIST_ORDERS])
    tenant_a, tenant_b = setup.tenants
    term = tenant_b.tenant.canary
    record = {"id": "n-9", "title": f"Quarterly plan {term}"}
    setup.ctx.knowledge.remember(tenant_b, record)
    probe = Probe(
        kind="search",
        operation=LIST_ORDERS,
        attacker=tenant_a,
        request=HttpRequest(method="GET", path_template="/orders", query={"q": term}),
        slot="query q (searched for the victim's canary)",
        victim=tenant_b,
        search_term=term,
    )

    [evidence] = judge(SearchHitOracle(), probe, json_response({"q": term, "results": [record]}), setup)

    assert evidence.pointers == ("/results/0/title",)


# -- Findings.report: responses, allow rules, baseline -----------------------------------------------


def findings(
    setup: Engine, *, allow: tuple[AllowRule, ...] = (), baseline: Baseline | None = None
) -> Findings:
    ctx = setup.ctx
    return Findings(
        result=ctx.result,
        bus=ctx.bus,
        redactor=ctx.redactor,
        knowledge=ctx.knowledge,
        base_url="http://api.test",
        allow=allow,
        baseline=baseline,
    )


def read_setup(tenants: int = 2) -> tuple[Engine, Probe, Evidence]:
    """Tenant-a reads tenant-b's order by id; the canary oracle saw it."""
    setup = engine([READ_ORDER], tenants=tenants)
    tenant_a, tenant_b = setup.tenants[:2]
    order = setup.own(tenant_b, "Order", {"id": "ord-b", "title": f"Lamp {tenant_b.tenant.canary}"})
    probe = Probe(
        kind="foreign-identifier",
        operation=READ_ORDER,
        attacker=tenant_a,
        request=get("/orders/{order_id}", order_id="ord-b"),
        slot="path order_id",
        victim=tenant_b,
        targets=[order],
        setup=list(order.recipe),
    )
    evidence = Evidence("canary", FindingKind.READ, Verdict.CONFIRMED, B, "HTTP 200: ...", ("/title",))
    return setup, probe, evidence


def test_a_finding_shows_the_attackers_answer_and_the_victims_own_read_of_the_object() -> None:
    setup, probe, evidence = read_setup()
    tenant_b = setup.tenants[1]
    answer = {"id": "ord-b", "title": f"Lamp {tenant_b.tenant.canary}", "token": "tenant-b-token"}
    tenant_b.views[READ_ORDER.label] = View(get("/orders/{order_id}", order_id="ord-b"), 200, answer, set())

    finding = findings(setup).report(probe, Exchange(probe.request, json_response(answer)), evidence)

    assert finding is not None and finding.pointers == ("/title",)
    shown = f'{{\n  "id": "ord-b",\n  "title": "Lamp {tenant_b.tenant.canary}",\n  "token": "[REDACTED]"\n}}'
    assert finding.response == f"HTTP 200\n{shown}"
    assert finding.owner_response == f"HTTP 200\n{shown}"
    assert (finding.allowed, finding.baselined) == ("", False)


def test_without_the_victims_own_read_of_the_object_the_owner_side_is_the_object_as_created() -> None:
    setup, probe, evidence = read_setup()
    tenant_b = setup.tenants[1]
    # The victim's own read is of another order: not the one the attacker reached.
    tenant_b.views[READ_ORDER.label] = View(
        get("/orders/{order_id}", order_id="ord-other"), 200, {"id": "x"}, set()
    )

    finding = findings(setup).report(probe, Exchange(probe.request, json_response({})), evidence)

    assert finding is not None
    assert finding.owner_response == f'{{\n  "id": "ord-b",\n  "title": "Lamp {tenant_b.tenant.canary}"\n}}'


def test_a_finding_about_another_tenant_than_the_target_or_public_data_has_no_owner_side() -> None:
    setup, probe, evidence = read_setup(tenants=3)
    exchange = Exchange(probe.request, json_response({}))
    public = Evidence("canary", FindingKind.PUBLIC, Verdict.CONFIRMED, B, "HTTP 200 without credentials: ...")
    third = Evidence("canary", FindingKind.READ, Verdict.CONFIRMED, "tenant-c", "HTTP 200: ...")
    report = findings(setup)

    about_target = report.report(probe, exchange, evidence)
    about_public = report.report(probe, exchange, public)
    about_third = report.report(probe, exchange, third)

    assert about_target is not None and about_target.owner_response.startswith('{\n  "id": "ord-b"')
    assert about_public is not None and about_public.owner_response == "" and about_public.pointers == ()
    assert about_third is not None and about_third.owner_response == ""


def test_a_finding_an_allow_rule_or_the_baseline_accepts_is_reported_and_does_not_fail() -> None:
    setup, probe, evidence = read_setup()
    exchange = Exchange(probe.request, json_response({}))
    first = findings(setup).report(probe, exchange, evidence)
    assert first is not None and first.fails()

    rule = AllowRule(READ_ORDER.label, "titles are public", field="title")
    other = AllowRule(READ_ORDER.label, "only ids", field="id")
    allowed = findings(setup, allow=(other, rule)).report(probe, exchange, evidence)
    baselined = findings(setup, baseline=Baseline.from_findings([first])).report(probe, exchange, evidence)

    assert allowed is not None and baselined is not None
    assert (
        allowed.allowed == "allow rule 2 (operation GET /orders/{order_id}, field title): titles are public"
    )
    assert not allowed.fails() and not allowed.baselined
    assert baselined.baselined and not baselined.allowed and not baselined.fails()
    assert (allowed.verdict, baselined.verdict) == (Verdict.CONFIRMED, Verdict.CONFIRMED)
