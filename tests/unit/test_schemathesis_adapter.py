"""The schemathesis behaviour the harness relies on, driven through ``openapi._schemathesis``.

Each test loads a small in-memory description (or a tiny in-process app) through the adapter and
asserts the exact values the harness reads. When schemathesis is upgraded past the pin, a failure
here names what changed.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import requests
import requests.adapters

from isolation_harness import _schemathesis as sts
from isolation_harness._schemathesis import (
    DependencyNode,
    JsonBody,
    LoaderFailure,
    NodeInput,
    NodeOutput,
    OperationError,
    OperationView,
    ParameterView,
)


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def ok(schema: dict[str, Any], status: str = "200") -> dict[str, Any]:
    return {status: {"description": "ok", "content": json_content(schema)}}


INFO = {"title": "Orders", "version": "1"}

ORDERS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": INFO,
    "servers": [{"url": "https://api.example.com/v1"}],
    "paths": {
        "/orders": {
            "post": {
                "parameters": [
                    {"name": "X-Request-Id", "in": "header", "required": False, "schema": {"type": "string"}}
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/vnd.api+JSON": {"schema": ref("OrderIn")}},
                },
                "responses": ok(ref("Order"), status="201"),
            },
            "get": {
                "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                "responses": ok(
                    {"type": "object", "properties": {"items": {"type": "array", "items": ref("Order")}}}
                ),
            },
        },
        "/orders/{order_id}": {
            "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": ref("OrderId")}],
            "get": {
                "parameters": [
                    {"name": "fields", "in": "query", "required": True, "schema": {"type": "string"}},
                    {"name": "session", "in": "cookie", "schema": {"type": "string"}},
                ],
                "responses": ok(ref("Order")),
            },
        },
        "/labels": {
            "post": {
                "requestBody": {
                    "content": {
                        "text/plain": {"schema": {"type": "string"}},
                        "application/json": {"schema": ref("LabelIn")},
                    }
                },
                "responses": ok(ref("Label"), status="201"),
            }
        },
        "/uploads": {
            "post": {
                "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
                "responses": {"204": {"description": "stored"}},
            }
        },
    },
    "components": {
        "schemas": {
            "OrderId": {"type": "string", "format": "uuid"},
            "OrderIn": {"type": "object", "required": ["item"], "properties": {"item": {"type": "string"}}},
            "Order": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": ref("OrderId"), "item": {"type": "string"}},
            },
            "LabelIn": {
                "type": "object",
                "required": ["order_id"],
                "properties": {
                    "order_id": {"type": "string"},
                    "lines": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"order_id": {"type": "string"}}},
                    },
                },
            },
            "Label": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "order_id": {"type": "string"}},
            },
        }
    },
}


@pytest.fixture(scope="module")
def orders() -> sts.Schema:
    return sts.load_dict(ORDERS)


def readable(schema: sts.Schema) -> dict[str, OperationView]:
    views: dict[str, OperationView] = {}
    for entry in sts.iter_operations(schema):
        assert isinstance(entry, OperationView), entry
        views[f"{entry.method} {entry.path}"] = entry
    return views


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --- operations ------------------------------------------------------------------------------------


def test_operations_come_in_document_order_with_upper_case_methods(orders: sts.Schema) -> None:
    entries = list(sts.iter_operations(orders))
    assert [(entry.method, entry.path) for entry in entries] == [
        ("POST", "/orders"),
        ("GET", "/orders"),
        ("GET", "/orders/{order_id}"),
        ("POST", "/labels"),
        ("POST", "/uploads"),
    ]
    assert [entry.key for entry in entries if isinstance(entry, OperationView)] == [
        "POST /orders",
        "GET /orders",
        "GET /orders/{order_id}",
        "POST /labels",
        "POST /uploads",
    ]


def test_definition_is_the_operation_object_as_written(orders: sts.Schema) -> None:
    view = readable(orders)["POST /orders"]
    assert view.definition == ORDERS["paths"]["/orders"]["post"]
    assert view.definition["requestBody"]["content"]["application/vnd.api+JSON"]["schema"] == ref("OrderIn")


def test_parameters_carry_location_required_flag_and_a_resolved_schema(orders: sts.Schema) -> None:
    views = readable(orders)
    # Path-level parameters are inherited; path, header, cookie, query is the order.
    assert list(views["GET /orders/{order_id}"].parameters()) == [
        ParameterView(
            location="path", name="order_id", required=True, schema={"type": "string", "format": "uuid"}
        ),
        ParameterView(location="cookie", name="session", required=False, schema={"type": "string"}),
        ParameterView(location="query", name="fields", required=True, schema={"type": "string"}),
    ]
    assert list(views["POST /orders"].parameters()) == [
        ParameterView(location="header", name="X-Request-Id", required=False, schema={"type": "string"})
    ]
    assert list(views["GET /orders"].parameters()) == [
        ParameterView(location="query", name="limit", required=False, schema={"type": "integer"})
    ]
    # A request body is never a parameter.
    assert list(views["POST /labels"].parameters()) == []


def test_the_request_body_is_json_where_declared_else_a_form_else_multipart(orders: sts.Schema) -> None:
    views = readable(orders)
    assert views["POST /orders"].request_body() == JsonBody(
        media_type="application/vnd.api+json",
        required=True,
        schema={"type": "object", "required": ["item"], "properties": {"item": {"type": "string"}}},
    )
    # A media type mentioning JSON, before a plain-text one; optional unless declared required.
    assert views["POST /labels"].request_body() == JsonBody(
        media_type="application/json", required=False, schema=ORDERS["components"]["schemas"]["LabelIn"]
    )
    assert views["POST /uploads"].request_body() == JsonBody(
        media_type="multipart/form-data", required=False, schema={"type": "object"}
    )
    assert views["GET /orders"].request_body() is None


def test_an_operation_with_a_broken_reference_is_an_error_entry() -> None:
    document = {
        "openapi": "3.0.3",
        "info": INFO,
        "paths": {
            "/broken": {
                "get": {
                    "parameters": [{"name": "q", "in": "query", "required": True, "schema": ref("Missing")}],
                    "responses": {"200": {"description": "ok"}},
                }
            },
            "/moved": {"$ref": "#/components/pathItems/Missing"},
            "/fine": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
    }
    entries = list(sts.iter_operations(sts.load_dict(document)))
    assert [type(entry) for entry in entries] == [OperationError, OperationError, OperationView]
    broken, moved, fine = entries
    assert isinstance(broken, OperationError)
    assert (broken.method, broken.path) == ("GET", "/broken")
    assert broken.message.splitlines()[0] == "Unresolvable reference in the schema"
    assert "#/components/schemas/Missing" in broken.message
    # A broken path item names no method.
    assert isinstance(moved, OperationError)
    assert (moved.method, moved.path) == ("", "/moved")
    assert "#/components/pathItems/Missing" in moved.message
    assert isinstance(fine, OperationView)
    assert fine.key == "GET /fine"


# --- dependency analysis ---------------------------------------------------------------------------


def test_analysis_links_a_path_parameter_to_the_resource_the_create_returns(orders: sts.Schema) -> None:
    nodes = sts.dependency_nodes(orders)
    assert set(nodes) == set(readable(orders))
    assert nodes["GET /orders/{order_id}"] == DependencyNode(
        inputs=(NodeInput(location="path", name="order_id", resource="Order", field="id", body_path=()),),
        outputs=(NodeOutput(resource="Order", pointer="/", many=False, status="200", fields=("id", "item")),),
    )
    assert nodes["POST /orders"].outputs == (
        NodeOutput(resource="Order", pointer="/", many=False, status="201", fields=("id", "item")),
    )


def test_analysis_reports_lists_and_their_pointer(orders: sts.Schema) -> None:
    assert sts.dependency_nodes(orders)["GET /orders"].outputs == (
        NodeOutput(resource="Order", pointer="/items", many=True, status="200", fields=("id", "item")),
    )


def test_analysis_binds_top_level_and_nested_body_fields(orders: sts.Schema) -> None:
    node = sts.dependency_nodes(orders)["POST /labels"]
    assert node.inputs == (
        NodeInput(location="body", name="order_id", resource="Order", field="id", body_path=()),
        NodeInput(
            location="body",
            name="lines/0/order_id",
            resource="Order",
            field="id",
            body_path=("lines", 0, "order_id"),
        ),
    )
    assert node.outputs == (
        NodeOutput(resource="Label", pointer="/", many=False, status="201", fields=("id", "order_id")),
    )
    assert sts.dependency_nodes(orders)["POST /uploads"] == DependencyNode(inputs=(), outputs=())


def test_no_analysis_reads_as_no_nodes() -> None:
    assert sts.dependency_nodes(object()) == {}


# --- the document and its base URL -----------------------------------------------------------------


def test_raw_document_is_the_description_as_given(orders: sts.Schema) -> None:
    assert sts.raw_document(orders) == ORDERS
    assert sts.raw_document(object()) is None


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"servers": [{"url": "https://api.example.com/v1"}]}, "https://api.example.com/v1"),
        ({"servers": [{"url": "http://127.0.0.1:8000/api/"}]}, "http://127.0.0.1:8000/api/"),
        (
            {
                "servers": [
                    {"url": "https://{region}.example.com", "variables": {"region": {"default": "eu"}}}
                ]
            },
            "https://eu.example.com",
        ),
        # A relative server URL declares no base URL.
        ({"servers": [{"url": "/api"}]}, None),
        ({}, None),
    ],
)
def test_declared_base_url_comes_from_servers(extra: dict[str, Any], expected: str | None) -> None:
    schema = sts.load_dict({"openapi": "3.0.3", "info": INFO, "paths": {}, **extra})
    assert sts.declared_base_url(schema) == expected


def test_declared_base_url_of_swagger_2_comes_from_host_and_base_path() -> None:
    document = {
        "swagger": "2.0",
        "info": INFO,
        "host": "127.0.0.1:8080",
        "basePath": "/v2",
        "schemes": ["http"],
        "paths": {},
    }
    assert sts.declared_base_url(sts.load_dict(document)) == "http://127.0.0.1:8080/v2"


# --- loader failures -------------------------------------------------------------------------------


def test_an_unreachable_url_is_a_connection_failure() -> None:
    with pytest.raises(LoaderFailure) as caught:
        sts.load_url(f"http://127.0.0.1:{closed_port()}/openapi.json", timeout=5)
    # The harness reads a kind starting with `connection` or `network` as "cannot reach".
    assert caught.value.kind == "connection_other"
    assert caught.value.message == "Connection failed"
    assert str(caught.value) == "Connection failed"


def test_a_document_that_is_not_openapi_is_a_loader_failure() -> None:
    with pytest.raises(LoaderFailure) as caught:
        sts.load_dict({"title": "not an API description"})
    assert caught.value.kind == "open_api_unspecified_version"
    assert (
        str(caught.value) == "Unable to determine the Open API version as it's not specified in the document."
    )


def test_files_that_are_not_openapi_are_loader_failures(tmp_path: Path) -> None:
    unversioned = tmp_path / "unversioned.json"
    unversioned.write_text(json.dumps({"title": "x"}))
    broken = tmp_path / "broken.yaml"
    broken.write_text("paths: [")
    with pytest.raises(LoaderFailure) as caught:
        sts.load_path(unversioned)
    assert caught.value.kind == "open_api_unspecified_version"
    with pytest.raises(LoaderFailure) as caught:
        sts.load_path(str(broken))
    assert caught.value.kind == "syntax_error"
    assert caught.value.message == "API schema does not appear syntactically valid"


def test_loader_failures_translates_a_schemathesis_loader_error() -> None:
    from schemathesis.core.errors import LoaderError, LoaderErrorKind

    with pytest.raises(LoaderFailure) as caught, sts.loader_failures():
        raise LoaderError(LoaderErrorKind.NETWORK_OTHER, "Network down")
    assert (caught.value.kind, caught.value.message) == ("network_other", "Network down")
    with pytest.raises(ValueError, match="unrelated"), sts.loader_failures():
        raise ValueError("unrelated")


# --- in-process apps -------------------------------------------------------------------------------

PING: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": INFO,
    "paths": {"/ping": {"get": {"responses": {"200": {"description": "pong"}}}}},
}


async def asgi_app(scope: dict[str, Any], receive: Callable[[], Any], send: Callable[[Any], Any]) -> None:
    assert scope["type"] == "http"
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"] == "/openapi.json":
        status, payload = 200, json.dumps(PING).encode()
    elif scope["path"] == "/echo":
        echoed = {"method": scope["method"], "query": scope["query_string"].decode(), "body": body.decode()}
        status, payload = 200, json.dumps(echoed).encode()
    else:
        status, payload = 404, b"{}"
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": payload})


def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["PATH_INFO"] == "/openapi.json":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(PING).encode()]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


@pytest.mark.parametrize(("app", "asgi"), [(asgi_app, True), (wsgi_app, False)], ids=["asgi", "wsgi"])
def test_an_app_serves_its_description_in_process(app: Any, asgi: bool) -> None:
    schema = sts.load_app("/openapi.json", app, asgi=asgi)
    assert [entry.key for entry in sts.iter_operations(schema) if isinstance(entry, OperationView)] == [
        "GET /ping"
    ]
    with pytest.raises(LoaderFailure) as caught:
        sts.load_app("/swagger.json", app, asgi=asgi)
    assert caught.value.kind == "http_not_found"
    assert caught.value.message == "Failed to load schema due to client error (HTTP 404 Not Found)"


def test_an_exception_the_app_raises_escapes_unchanged() -> None:
    def crashing(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        sts.load_app("/openapi.json", crashing, asgi=False)


def test_the_asgi_adapter_serves_requests_in_process_for_many_sessions() -> None:
    adapter = sts.asgi_adapter(asgi_app)
    assert isinstance(adapter, requests.adapters.BaseAdapter)
    first, second = requests.Session(), requests.Session()
    for session in (first, second):
        session.mount("http://", adapter)
    response = first.get("http://testserver/echo?x=1")
    assert (response.status_code, response.json()) == (200, {"method": "GET", "query": "x=1", "body": ""})
    response = second.post("http://testserver/echo", data=b'{"a": 1}')
    assert (response.status_code, response.json()) == (
        200,
        {"method": "POST", "query": "", "body": '{"a": 1}'},
    )
    assert first.get("http://testserver/missing").status_code == 404


# --- import cost -----------------------------------------------------------------------------------


def test_importing_the_adapter_does_not_import_schemathesis() -> None:
    code = (
        "import sys, isolation_harness._schemathesis; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'schemathesis'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
