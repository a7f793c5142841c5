"""Which answers a shared cache may keep and hand to others (RFC 9111, section 3.5)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from engine_support import READ_ORDER, engine

from isolation_harness.exchange import Exchange, Probe
from isolation_harness.model import FindingKind, HttpRequest, HttpResponse, Verdict
from isolation_harness.oracles.shared_cache import SharedCacheOracle, shared_cacheable
from isolation_harness.probes.cache_warm import SLOT

AUTH = {"authorization"}


@pytest.mark.parametrize(
    ("headers", "said"),
    [
        ({"Cache-Control": "public, max-age=60"}, "Cache-Control: public, max-age=60, no Vary"),
        ({"cache-control": "s-maxage=300"}, "Cache-Control: s-maxage=300, no Vary"),
        (
            {"Cache-Control": "public, max-age=60", "Vary": "Accept-Encoding"},
            "Cache-Control: public, max-age=60, Vary: Accept-Encoding",
        ),
        # Kept, then checked with the server before each use: a check by URL hands it out again.
        ({"Cache-Control": "public, no-cache"}, "Cache-Control: public, no-cache, no Vary"),
        # Only the cookie it sets is private; the rest may be kept.
        (
            {"Cache-Control": 'private="Set-Cookie", s-maxage=60'},
            'Cache-Control: private="Set-Cookie", s-maxage=60, no Vary',
        ),
    ],
)
def test_answers_a_shared_cache_may_keep_for_anyone(headers: dict[str, str], said: str) -> None:
    assert shared_cacheable(headers, AUTH) == said


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Cache-Control": "max-age=60"},
        {"Cache-Control": "public, max-age=60, private"},
        {"Cache-Control": "private, no-store"},
        {"Cache-Control": "public, no-store"},
        {"Cache-Control": "public, max-age=0"},
        {"Cache-Control": "public, s-maxage=0, max-age=60"},
        {"Cache-Control": "public, max-age=60", "Vary": "Accept, Authorization"},
        {"Cache-Control": "public, max-age=60", "Vary": "*"},
    ],
)
def test_answers_that_stay_the_callers_own(headers: dict[str, str]) -> None:
    assert shared_cacheable(headers, AUTH) == ""


def test_a_lifetime_alone_lets_a_cache_keep_an_answer_to_a_cookie_but_not_to_authorization() -> None:
    headers = {"Cache-Control": "max-age=60"}
    assert shared_cacheable(headers, {"cookie"}) == "Cache-Control: max-age=60, no Vary"
    assert shared_cacheable(headers, AUTH) == ""


def test_a_vary_on_the_cookie_keeps_an_answer_to_cookie_credentials_private() -> None:
    headers = {"Cache-Control": "public, max-age=60", "Vary": "Cookie"}
    assert shared_cacheable(headers, {"cookie"}) == ""
    assert shared_cacheable(headers, AUTH) == "Cache-Control: public, max-age=60, Vary: Cookie"


# -- the oracle on a cache-warm probe ---------------------------------------------------------------------


def _judge(
    owner_headers: dict[str, str], owner_body: str, other_headers: dict[str, str], other_body: str
) -> list[Any]:
    setup = engine([READ_ORDER])
    owner, other = setup.tenants
    request = HttpRequest(method="GET", path_template="/orders/{order_id}", path_params={"order_id": "ord-a"})
    probe = Probe(
        kind="cache-warm",
        operation=READ_ORDER,
        attacker=other,
        request=request.copy(),
        slot=SLOT,
        victim=owner,
        warm=[(owner, request)],
        warmed=[HttpResponse(status=200, headers=owner_headers, text=owner_body)],
    )
    answer = HttpResponse(status=200, headers=other_headers, text=other_body)
    return SharedCacheOracle().judge(probe, Exchange(probe.request, answer), setup.ctx, None)


def _body(state_canary: str) -> str:
    return json.dumps({"id": "ord-a", "title": f"Lamp {state_canary}"})


def test_the_owners_data_marked_public_is_suspected() -> None:
    canary = engine([READ_ORDER]).tenants[0].tenant.canary
    public = {"Cache-Control": "public, max-age=60"}
    [evidence] = _judge(public, _body(canary), {}, json.dumps({"detail": "Not found"}))
    assert (evidence.kind, evidence.verdict, evidence.victim) == (
        FindingKind.SHARED_CACHE,
        Verdict.SUSPECTED,
        "tenant-a",
    )
    assert evidence.text == (
        f"HTTP 200 to tenant-a's own GET /orders/ord-a holds its data (body /title: Lamp {canary}) and says "
        "Cache-Control: public, max-age=60, no Vary: a shared cache in front of the API may keep it and "
        "answer it to anyone who sends the same request"
    )


def test_the_owners_data_handed_back_by_the_origin_itself_is_no_proof_of_a_cache() -> None:
    canary = engine([READ_ORDER]).tenants[0].tenant.canary
    public = {"Cache-Control": "public, max-age=60"}
    [evidence] = _judge(public, _body(canary), public, _body(canary))
    assert evidence.verdict is Verdict.SUSPECTED


def test_the_owners_data_handed_back_by_a_cache_is_confirmed() -> None:
    canary = engine([READ_ORDER]).tenants[0].tenant.canary
    public = {"Cache-Control": "public, max-age=60"}
    [evidence] = _judge(public, _body(canary), {**public, "X-Cache-Status": "HIT"}, _body(canary))
    assert evidence.verdict is Verdict.CONFIRMED
    assert evidence.text.endswith(
        "; tenant-b sent it right after and got tenant-a's data back "
        "(HTTP 200, Cache-Control: public, max-age=60, X-Cache-Status: HIT)"
    )


def test_a_public_answer_without_the_owners_data_is_no_finding() -> None:
    public = {"Cache-Control": "public, max-age=300"}
    catalogue = json.dumps([{"code": "express", "price": 12}])
    assert _judge(public, catalogue, {**public, "X-Cache": "HIT"}, catalogue) == []
