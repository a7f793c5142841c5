"""The shared cache the detection tests use: nginx stores what the upstream marks public, for everyone."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import caching_proxy as proxy_module
import pytest
import requests
from caching_proxy import CACHE_STATUS, caching_proxy
from detection_support import uvicorn_server
from starlette.types import ASGIApp, Receive, Scope, Send

# What each path answers with, in Cache-Control.
CACHE_CONTROL = {
    "/public": "public, max-age=60",
    "/private": "private, max-age=60",
    "/no-store": "no-store",
}


def counting_app() -> ASGIApp:
    """Answers each request with how many it has seen, the credentials and Host it got, as text."""
    counter = itertools.count(1)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        headers = dict(scope["headers"])
        seen = b"|".join(
            (str(next(counter)).encode(), headers.get(b"authorization", b"-"), headers.get(b"host", b"-"))
        )
        cache_control = CACHE_CONTROL[scope["path"]].encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"cache-control", cache_control)],
            }
        )
        await send({"type": "http.response.body", "body": seen})

    return app


@pytest.fixture
def proxy() -> Iterator[str]:
    with uvicorn_server(counting_app()) as upstream, caching_proxy(upstream) as url:
        yield url


def get(url: str, token: str) -> requests.Response:
    response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200
    return response


def test_a_public_response_is_served_from_the_cache_to_another_tenant(proxy: str) -> None:
    host = proxy.removeprefix("http://")
    first = get(f"{proxy}/public", "alice")
    second = get(f"{proxy}/public", "bob")
    assert (first.headers[CACHE_STATUS], first.text) == ("MISS", f"1|Bearer alice|{host}")
    assert (second.headers[CACHE_STATUS], second.text) == ("HIT", f"1|Bearer alice|{host}")
    assert second.headers["Cache-Control"] == "public, max-age=60"
    # Another query string is another cache entry.
    assert get(f"{proxy}/public?page=2", "bob").headers[CACHE_STATUS] == "MISS"


@pytest.mark.parametrize("path", ["/private", "/no-store"])
def test_a_response_not_for_shared_caches_is_never_a_hit(proxy: str, path: str) -> None:
    host = proxy.removeprefix("http://")
    answers = [get(f"{proxy}{path}", token) for token in ("alice", "bob", "alice")]
    assert [(answer.headers[CACHE_STATUS], answer.text) for answer in answers] == [
        ("MISS", f"1|Bearer alice|{host}"),
        ("MISS", f"2|Bearer bob|{host}"),
        ("MISS", f"3|Bearer alice|{host}"),
    ]


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_missing_nginx_fails_under_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(proxy_module, "NGINX", proxy_module.NGINX.with_name("no-such-nginx"))
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome) as raised, caching_proxy("http://127.0.0.1:9"):
        pass
    assert str(raised.value) == "nginx is missing: install it with `make proxy` (Debian package nginx)"
