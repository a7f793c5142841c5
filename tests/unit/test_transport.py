"""Unit tests for transports: in-process WSGI/ASGI sessions against tiny real apps, and send()."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from flask import Flask, jsonify, redirect, request
from werkzeug.serving import make_server

from isolation_harness.model import HttpRequest
from isolation_harness.transport import (
    IN_PROCESS_BASE_URL,
    MAX_BODY_BYTES,
    ASGITransport,
    BoundSession,
    HTTPTransport,
    WSGITransport,
    send,
)


def echo(
    method: str, path: str, query: dict[str, str], headers: Any, cookies: dict[str, str], body: Any
) -> dict[str, Any]:
    return {
        "method": method,
        "path": path,
        "query": query,
        "content_type": headers.get("content-type"),
        "trace": headers.get("x-trace"),
        "cookies": cookies,
        "body": body,
    }


def flask_app() -> Flask:
    app = Flask(__name__)

    @app.post("/login")
    def login() -> Any:
        response = jsonify(ok=True)
        response.set_cookie("sid", "wsgi-session")
        response.set_cookie("csrf", "wsgi-csrf")
        return response

    @app.route("/api/echo/<item>", methods=["GET", "POST", "PUT", "DELETE"])
    @app.route("/echo/<item>", methods=["GET", "POST", "PUT", "DELETE"])
    def echo_item(item: str) -> Any:
        return jsonify(
            item=item,
            **echo(
                request.method,
                request.path,
                request.args.to_dict(),
                request.headers,
                dict(request.cookies),
                request.get_json(silent=True),
            ),
        )

    @app.get("/moved")
    def moved() -> Any:
        return redirect("/echo/target", code=302)

    @app.get("/broken")
    def broken() -> Any:
        return "upstream exploded", 503

    @app.get("/users:search")
    def custom_method() -> Any:
        return jsonify(found=[])

    return app


def fastapi_app() -> FastAPI:
    app = FastAPI()

    @app.post("/login")
    def login(response: Response) -> dict[str, bool]:
        response.set_cookie("sid", "asgi-session")
        return {"ok": True}

    @app.api_route("/echo/{item}", methods=["GET", "POST"])
    async def echo_item(item: str, request: Request) -> dict[str, Any]:
        raw = await request.body()
        return {
            "item": item,
            **echo(
                request.method,
                request.url.path,
                dict(request.query_params),
                request.headers,
                dict(request.cookies),
                (await request.json()) if raw else None,
            ),
        }

    return app


PROBE = HttpRequest(
    method="POST",
    path_template="/echo/{item}",
    path_params={"item": "ord 1ü"},
    query={"q": "a b&c", "n": 3},
    headers={"X-Trace": "t-1"},
    cookies={"theme": "dark"},
    body={"note": "hello", "list": [1, None]},
    has_body=True,
)


# -- WSGI -------------------------------------------------------------------------------------------


def test_wsgi_session_keeps_cookies_the_app_sets() -> None:
    session = WSGITransport(flask_app()).session()

    login = session.post("/login")
    after = session.get("echo/me").json()

    assert login.cookies.get_dict() == {"sid": "wsgi-session", "csrf": "wsgi-csrf"}
    assert session.cookies.get_dict() == {"sid": "wsgi-session", "csrf": "wsgi-csrf"}
    assert after["cookies"] == {"sid": "wsgi-session", "csrf": "wsgi-csrf"}


def test_wsgi_sessions_do_not_share_cookies() -> None:
    transport = WSGITransport(flask_app())
    first, second = transport.session(), transport.session()

    first.post("/login")

    assert second.get("/echo/me").json()["cookies"] == {}


def test_send_converts_a_request_over_wsgi() -> None:
    session = WSGITransport(flask_app()).session()

    response = send(session, PROBE)

    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.elapsed >= 0
    assert response.json() == {
        "item": "ord 1ü",
        "method": "POST",
        "path": "/echo/ord 1ü",
        "query": {"q": "a b&c", "n": "3"},
        "content_type": "application/json",
        "trace": "t-1",
        "cookies": {"theme": "dark"},
        "body": {"note": "hello", "list": [1, None]},
    }


def test_send_without_body_sends_no_json() -> None:
    session = WSGITransport(flask_app()).session()

    body = send(
        session, HttpRequest(method="DELETE", path_template="/echo/{item}", path_params={"item": 7})
    ).json()

    assert (body["method"], body["item"], body["body"], body["content_type"]) == ("DELETE", "7", None, None)


def test_send_keeps_error_statuses_and_text() -> None:
    response = send(WSGITransport(flask_app()).session(), HttpRequest(method="GET", path_template="/broken"))

    assert (response.status, response.text, response.json(), response.ok) == (
        503,
        "upstream exploded",
        None,
        False,
    )


def test_send_does_not_follow_redirects() -> None:
    response = send(WSGITransport(flask_app()).session(), HttpRequest(method="GET", path_template="/moved"))

    assert response.status == 302
    assert response.headers["Location"] == "/echo/target"


def test_send_never_follows_redirects_while_the_session_behaves_like_requests() -> None:
    session = WSGITransport(flask_app()).session()

    assert send(session, HttpRequest(method="GET", path_template="/moved")).status == 302
    assert session.get("/moved").status_code == 200


def test_base_path_prefixes_relative_urls() -> None:
    transport = WSGITransport(flask_app(), base_path="/api/")
    session = transport.session()

    assert transport.base_url == "http://testserver/api"
    assert transport.kind == "wsgi"
    assert session.base_url == "http://testserver/api/"
    assert send(session, HttpRequest(method="GET", path_template="/echo/x")).json()["path"] == "/api/echo/x"
    assert session.get("/echo/y").json()["path"] == "/api/echo/y"
    # An absolute URL is used as is.
    assert session.get(f"{IN_PROCESS_BASE_URL}/echo/z").json()["path"] == "/echo/z"


def test_path_with_a_colon_in_the_first_segment() -> None:
    session = WSGITransport(flask_app()).session()

    assert session.get("/users:search").status_code == 200


# -- ASGI -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def asgi() -> ASGITransport:
    return ASGITransport(fastapi_app())


def test_asgi_session_keeps_cookies_the_app_sets(asgi: ASGITransport) -> None:
    session = asgi.session()

    session.post("/login")

    assert session.cookies.get_dict() == {"sid": "asgi-session"}
    assert session.get("/echo/me").json()["cookies"] == {"sid": "asgi-session"}
    assert asgi.session().get("/echo/me").json()["cookies"] == {}


def test_send_converts_a_request_over_asgi(asgi: ASGITransport) -> None:
    response = send(asgi.session(), PROBE)

    assert response.status == 200
    assert response.json() == {
        "item": "ord 1ü",
        "method": "POST",
        "path": "/echo/ord 1ü",
        "query": {"q": "a b&c", "n": "3"},
        "content_type": "application/json",
        "trace": "t-1",
        "cookies": {"theme": "dark"},
        "body": {"note": "hello", "list": [1, None]},
    }


def test_asgi_unknown_route_is_a_404(asgi: ASGITransport) -> None:
    response = send(asgi.session(), HttpRequest(method="GET", path_template="/nowhere"))

    assert (response.status, response.json()) == (404, {"detail": "Not Found"})
    assert (asgi.kind, asgi.base_url) == ("asgi", IN_PROCESS_BASE_URL)


# -- HTTP -------------------------------------------------------------------------------------------


def test_http_transport_sessions_are_bound_to_the_base_url() -> None:
    transport = HTTPTransport("http://api.example.test/v1/")
    session = transport.session()

    assert (transport.kind, transport.base_url) == ("http", "http://api.example.test/v1")
    assert isinstance(session, BoundSession)
    assert session.base_url == "http://api.example.test/v1/"
    assert transport.session() is not session


def test_send_follows_307_and_308_within_the_api_keeping_method_and_body() -> None:
    app = flask_app()

    @app.post("/old/<item>")
    def old(item: str) -> Any:
        return redirect(f"/echo/{item}", code=307)

    @app.put("/gone")
    def gone() -> Any:
        return redirect("http://elsewhere.example/echo/x", code=308)

    session = WSGITransport(app).session()
    moved = send(session, HttpRequest(method="POST", path_template="/old/a", body={"n": 1}, has_body=True))
    assert (moved.status, moved.json()["method"], moved.json()["body"]) == (200, "POST", {"n": 1})
    # Another origin: never followed, the answer is judged as it is.
    elsewhere = send(session, HttpRequest(method="PUT", path_template="/gone"))
    assert (elsewhere.status, elsewhere.headers["Location"]) == (308, "http://elsewhere.example/echo/x")


def _streaming_server() -> Any:
    app = Flask(__name__)

    @app.get("/events")
    def events() -> Any:
        def stream() -> Any:
            yield "data: first\n\n"
            time.sleep(3)
            yield "data: late\n\n"

        return app.response_class(stream(), mimetype="text/event-stream")

    @app.get("/download")
    def download() -> Any:
        def stream() -> Any:
            for _ in range(64):
                yield b"x" * (64 * 1024)

        return app.response_class(stream(), mimetype="application/octet-stream")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_stream_is_judged_on_what_came_before_it_idled_and_a_download_on_its_start() -> None:
    server = _streaming_server()
    try:
        session = HTTPTransport(f"http://127.0.0.1:{server.server_port}").session()
        started = time.perf_counter()
        events = send(session, HttpRequest(method="GET", path_template="/events"), timeout=0.5)
        assert (events.status, events.text) == (200, "data: first\n\n")
        assert time.perf_counter() - started < 2.5
        download = send(session, HttpRequest(method="GET", path_template="/download"))
        assert len(download.text) == MAX_BODY_BYTES
    finally:
        server.shutdown()
