"""Which answers a shared cache may keep and hand to others (RFC 9111, section 3.5)."""

from __future__ import annotations

import pytest

from isolation_harness.oracles.shared_cache import shared_cacheable

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
        {"Cache-Control": "public, no-cache"},
        {"Cache-Control": "public, max-age=0"},
        {"Cache-Control": "public, s-maxage=0, max-age=60"},
        {"Cache-Control": "public, max-age=60", "Vary": "Accept, Authorization"},
        {"Cache-Control": "public, max-age=60", "Vary": "*"},
    ],
)
def test_answers_that_stay_the_callers_own(headers: dict[str, str]) -> None:
    assert shared_cacheable(headers, AUTH) == ""


def test_a_vary_on_the_cookie_keeps_an_answer_to_cookie_credentials_private() -> None:
    headers = {"Cache-Control": "public, max-age=60", "Vary": "Cookie"}
    assert shared_cacheable(headers, {"cookie"}) == ""
    assert shared_cacheable(headers, AUTH) == "Cache-Control: public, max-age=60, Vary: Cookie"
