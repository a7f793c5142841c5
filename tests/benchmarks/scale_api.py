"""A generated multi-tenant API with N resource types, for the scale benchmark (``make bench``).

Each resource type ``<word>`` has five operations, all correctly isolated by account:

    POST   /<word>s                     create (201, the new object)
    GET    /<word>s                     list the caller's objects
    GET    /<word>s/{<word>_id}         read one (404 unless the caller owns it)
    PATCH  /<word>s/{<word>_id}         update some fields (404 unless the caller owns it)
    DELETE /<word>s/{<word>_id}         delete (204; 404 unless the caller owns it)

plus ``POST /accounts`` (signup) and ``POST /auth/login`` (a bearer token), both public.

It is a plain ASGI application with a dictionary router, so the cost of one request does not grow
with N: any growth the benchmark measures is the harness's, not the app's routing.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_PREFIXES = (
    "amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "indigo", "juniper",
    "krypton", "lunar", "maple", "nectar", "onyx", "pebble", "quartz", "raven", "sable", "tundra",
)  # fmt: skip
_NOUNS = (
    "widget", "gadget", "ledger", "voucher", "ticket", "parcel", "bundle", "folder", "module", "beacon",
)  # fmt: skip
MAX_RESOURCES = len(_PREFIXES) * len(_NOUNS)

# The config the harness uses for this API: the same declarative signup and login as Dispatch.
ISOLATION_TOML = """\
[tenants]
count = 2

[tenants.signup]
operation = "POST /accounts"
body = { company_name = "{company}", email = "{email}", password = "{password}" }

[tenants.login]
operation = "POST /auth/login"
body = { email = "{email}", password = "{password}" }
token = "/access_token"

[tenants.auth]
header = "Authorization"
prefix = "Bearer "
"""


def resource_names(count: int) -> list[str]:
    """``count`` distinct lowercase words (``amberwidget``, ``ambergadget``, ...)."""
    if not 1 <= count <= MAX_RESOURCES:
        raise ValueError(f"count must be between 1 and {MAX_RESOURCES}, got {count}")
    words = (prefix + noun for prefix, noun in itertools.product(_PREFIXES, _NOUNS))
    return list(itertools.islice(words, count))


def _title(word: str) -> str:
    return word[:1].upper() + word[1:]


def openapi_document(names: list[str]) -> dict[str, Any]:
    """The OpenAPI 3.0 description of the generated API."""
    error = {"$ref": "#/components/schemas/Error"}
    schemas: dict[str, Any] = {
        "Error": {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
        "AccountCreate": {
            "type": "object",
            "properties": {
                "company_name": {"type": "string", "minLength": 1, "maxLength": 200},
                "email": {"type": "string", "minLength": 3, "maxLength": 200},
                "password": {"type": "string", "minLength": 8, "maxLength": 200},
            },
            "required": ["company_name", "email", "password"],
            "additionalProperties": False,
        },
        "Account": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "company_name": {"type": "string"},
                "email": {"type": "string"},
            },
            "required": ["id", "company_name", "email"],
        },
        "LoginRequest": {
            "type": "object",
            "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
            "required": ["email", "password"],
            "additionalProperties": False,
        },
        "Token": {
            "type": "object",
            "properties": {"access_token": {"type": "string"}, "token_type": {"type": "string"}},
            "required": ["access_token", "token_type"],
        },
    }
    public: list[dict[str, list[str]]] = []
    paths: dict[str, Any] = {
        "/accounts": {
            "post": {
                "operationId": "create_account",
                "security": public,
                "requestBody": _json_body("AccountCreate"),
                "responses": {
                    "201": _json_response("Account"),
                    "409": {"description": "Email taken", "content": _json_content(error)},
                    "422": {"description": "Invalid", "content": _json_content(error)},
                },
            }
        },
        "/auth/login": {
            "post": {
                "operationId": "login",
                "security": public,
                "requestBody": _json_body("LoginRequest"),
                "responses": {
                    "200": _json_response("Token"),
                    "401": {"description": "Bad credentials", "content": _json_content(error)},
                    "422": {"description": "Invalid", "content": _json_content(error)},
                },
            }
        },
    }
    for word in names:
        model, param = _title(word), f"{word}_id"
        fields = {
            "title": {"type": "string", "minLength": 1, "maxLength": 200},
            "notes": {"type": "string", "maxLength": 1000},
            "quantity": {"type": "integer", "minimum": 0, "maximum": 1000000},
        }
        schemas[f"{model}Create"] = {
            "type": "object",
            "properties": fields,
            "required": ["title", "quantity"],
            "additionalProperties": False,
        }
        schemas[f"{model}Update"] = {"type": "object", "properties": fields, "additionalProperties": False}
        schemas[model] = {
            "type": "object",
            "properties": {"id": {"type": "string"}, **fields},
            "required": ["id", "title", "notes", "quantity"],
        }
        item_ref = {"$ref": f"#/components/schemas/{model}"}
        id_parameter = {"name": param, "in": "path", "required": True, "schema": {"type": "string"}}
        not_found = {"description": "Not found", "content": _json_content(error)}
        invalid = {"description": "Invalid", "content": _json_content(error)}
        paths[f"/{word}s"] = {
            "post": {
                "operationId": f"create_{word}",
                "requestBody": _json_body(f"{model}Create"),
                "responses": {"201": _json_response(model), "422": invalid},
            },
            "get": {
                "operationId": f"list_{word}s",
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": _json_content({"type": "array", "items": item_ref}),
                    }
                },
            },
        }
        paths[f"/{word}s/{{{param}}}"] = {
            "parameters": [id_parameter],
            "get": {
                "operationId": f"get_{word}",
                "responses": {"200": _json_response(model), "404": not_found},
            },
            "patch": {
                "operationId": f"update_{word}",
                "requestBody": _json_body(f"{model}Update"),
                "responses": {"200": _json_response(model), "404": not_found, "422": invalid},
            },
            "delete": {
                "operationId": f"delete_{word}",
                "responses": {"204": {"description": "Deleted"}, "404": not_found},
            },
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": f"Scale API ({len(names)} resource types)", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerAuth": []}],
    }


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _json_body(model: str) -> dict[str, Any]:
    return {"required": True, "content": _json_content({"$ref": f"#/components/schemas/{model}"})}


def _json_response(model: str) -> dict[str, Any]:
    return {"description": "OK", "content": _json_content({"$ref": f"#/components/schemas/{model}"})}


@dataclass
class _Store:
    accounts: dict[str, dict[str, str]] = field(default_factory=dict)  # email -> account
    tokens: dict[str, str] = field(default_factory=dict)  # token -> account id
    # resource word -> object id -> (owner account id, object)
    objects: dict[str, dict[str, tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    counter: itertools.count[int] = field(default_factory=itertools.count)

    def new_id(self, prefix: str) -> str:
        digest = hashlib.sha256(f"{prefix}:{next(self.counter)}".encode()).hexdigest()
        return f"{prefix}_{digest[:16]}"


class ScaleApp:
    """The generated API as an ASGI application (one in-memory store per instance)."""

    def __init__(self, resources: int) -> None:
        self.names = resource_names(resources)
        self.document = json.dumps(openapi_document(self.names)).encode()
        self.store = _Store(objects={word: {} for word in self.names})
        self._collections = {f"/{word}s": word for word in self.names}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        status, payload = self.handle(scope["method"], scope["path"], headers, body)
        if isinstance(payload, bytes):
            content = payload
        else:
            content = b"" if payload is None else json.dumps(payload).encode()
        response_headers = [(b"content-length", str(len(content)).encode())]
        if content:
            response_headers.append((b"content-type", b"application/json"))
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": content})

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        if method == "GET" and path == "/openapi.json":
            return 200, self.document
        if path == "/accounts" and method == "POST":
            return self._signup(body)
        if path == "/auth/login" and method == "POST":
            return self._login(body)
        collection, _, object_id = (
            path.rstrip("/").rpartition("/") if path.count("/") == 2 else (path, "", "")
        )
        word = self._collections.get(collection)
        if word is None:
            return 404, {"detail": "Not found"}
        scheme, _, token = headers.get("authorization", "").partition(" ")
        account = self.store.tokens.get(token) if scheme.lower() == "bearer" else None
        if account is None:
            return 401, {"detail": "Not authenticated"}
        objects = self.store.objects[word]
        if not object_id:
            if method == "POST":
                data = _fields(body, required=("title", "quantity"))
                if data is None:
                    return 422, {"detail": "Invalid body"}
                created = {"id": self.store.new_id(word[:3]), "notes": "", **data}
                objects[created["id"]] = (account, created)
                return 201, created
            if method == "GET":
                return 200, [item for owner, item in objects.values() if owner == account]
            return 405, {"detail": "Method not allowed"}
        entry = objects.get(object_id)
        if entry is None or entry[0] != account:
            return 404, {"detail": f"{_title(word)} not found"}
        if method == "GET":
            return 200, entry[1]
        if method == "PATCH":
            data = _fields(body, required=())
            if data is None:
                return 422, {"detail": "Invalid body"}
            entry[1].update(data)
            return 200, entry[1]
        if method == "DELETE":
            del objects[object_id]
            return 204, None
        return 405, {"detail": "Method not allowed"}

    def _signup(self, body: bytes) -> tuple[int, Any]:
        data = _json(body)
        if not isinstance(data, dict) or set(data) != {"company_name", "email", "password"}:
            return 422, {"detail": "company_name, email and password are required"}
        if not all(isinstance(value, str) and value for value in data.values()) or len(data["password"]) < 8:
            return 422, {"detail": "Invalid account"}
        if data["email"] in self.store.accounts:
            return 409, {"detail": "Email already registered"}
        account = {
            "id": self.store.new_id("acc"),
            "company_name": data["company_name"],
            "email": data["email"],
        }
        self.store.accounts[data["email"]] = {**account, "password": data["password"]}
        return 201, account

    def _login(self, body: bytes) -> tuple[int, Any]:
        data = _json(body)
        if not isinstance(data, dict) or not isinstance(data.get("email"), str):
            return 422, {"detail": "email and password are required"}
        account = self.store.accounts.get(data["email"])
        if account is None or account["password"] != data.get("password"):
            return 401, {"detail": "Invalid credentials"}
        token = self.store.new_id("tok")
        self.store.tokens[token] = account["id"]
        return 200, {"access_token": token, "token_type": "bearer"}


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _fields(body: bytes, *, required: tuple[str, ...]) -> dict[str, Any] | None:
    """The object's fields from a create or update body, or ``None`` when the body is invalid."""
    data = _json(body)
    if not isinstance(data, dict) or not set(data) <= {"title", "notes", "quantity"}:
        return None
    if any(name not in data for name in required):
        return None
    for name in ("title", "notes"):
        if name in data and not isinstance(data[name], str):
            return None
    if "title" in data and not data["title"]:
        return None
    quantity = data.get("quantity", 0)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= 1000000:
        return None
    return data
