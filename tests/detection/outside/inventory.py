"""Inventory: a small multi-tenant warehouse API (Flask / WSGI).

Style: hand-written OpenAPI 3.0 dict served at /openapi.json, UUID ids, camelCase JSON, API keys:
POST /signup returns {"apiKey": ...} and every other call carries it as the query parameter
`?api_key=...`. Items live in warehouses; stock moves between items via POST /transfers
{fromItemId, toItemId, quantity}.

Correctly isolated by default. Bugs: create_app(bugs=[...]) or INVENTORY_BUGS=put-unchecked,... ("all").
"""

import os
import secrets
import uuid
from datetime import UTC, datetime

from flask import Flask, jsonify, request

BUGS: dict[str, list[str]] = {
    # PUT /items/{itemId} updates any tenant's item
    "put-unchecked": ["PUT /items/{itemId}"],
    # POST /transfers checks fromItemId but not toItemId
    "transfer-unchecked": ["POST /transfers"],
    # GET /items ignores the tenant
    "list-unfiltered": ["GET /items"],
}

_ERR = {"$ref": "#/components/responses/Error"}


def _json(schema_ref: str) -> dict:
    return {"content": {"application/json": {"schema": {"$ref": schema_ref}}}}


def _item_id_param() -> dict:
    return {"name": "itemId", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}


OPENAPI: dict = {
    "openapi": "3.0.3",
    "info": {"title": "Inventory", "version": "1.4.0", "description": "Multi-tenant inventory service."},
    "servers": [{"url": "/"}],
    "security": [{"ApiKeyQuery": []}],
    "components": {
        "securitySchemes": {"ApiKeyQuery": {"type": "apiKey", "in": "query", "name": "api_key"}},
        "responses": {
            "Error": {
                "description": "error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["message"],
                "properties": {"message": {"type": "string"}},
            },
            "SignupRequest": {
                "type": "object",
                "required": ["companyName", "contactEmail"],
                "properties": {
                    "companyName": {"type": "string", "minLength": 1, "maxLength": 100},
                    "contactEmail": {"type": "string", "format": "email"},
                },
                "additionalProperties": False,
            },
            "SignupResponse": {
                "type": "object",
                "required": ["accountId", "apiKey"],
                "properties": {
                    "accountId": {"type": "string", "format": "uuid"},
                    "apiKey": {"type": "string"},
                },
            },
            "Account": {
                "type": "object",
                "properties": {
                    "accountId": {"type": "string", "format": "uuid"},
                    "companyName": {"type": "string"},
                    "contactEmail": {"type": "string"},
                },
            },
            "WarehouseInput": {
                "type": "object",
                "required": ["name", "city"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 80},
                    "city": {"type": "string", "minLength": 1, "maxLength": 80},
                },
                "additionalProperties": False,
            },
            "Warehouse": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": "string"},
                    "city": {"type": "string"},
                },
            },
            "ItemInput": {
                "type": "object",
                "required": ["sku", "name", "quantity", "warehouseId"],
                "properties": {
                    "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                    "name": {"type": "string", "minLength": 1, "maxLength": 120},
                    "quantity": {"type": "integer", "minimum": 0, "maximum": 100000},
                    "warehouseId": {"type": "string", "format": "uuid"},
                },
                "additionalProperties": False,
            },
            "ItemUpdate": {
                "type": "object",
                "required": ["name", "quantity"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 120},
                    "quantity": {"type": "integer", "minimum": 0, "maximum": 100000},
                },
                "additionalProperties": False,
            },
            "Item": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "sku": {"type": "string"},
                    "name": {"type": "string"},
                    "quantity": {"type": "integer"},
                    "warehouseId": {"type": "string", "format": "uuid"},
                    "updatedAt": {"type": "string", "format": "date-time"},
                },
            },
            "ItemList": {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
                    "total": {"type": "integer"},
                },
            },
            "TransferInput": {
                "type": "object",
                "required": ["fromItemId", "toItemId", "quantity"],
                "properties": {
                    "fromItemId": {"type": "string", "format": "uuid"},
                    "toItemId": {"type": "string", "format": "uuid"},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 1000},
                    "note": {"type": "string", "maxLength": 200},
                },
                "additionalProperties": False,
            },
            "Transfer": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "fromItemId": {"type": "string", "format": "uuid"},
                    "toItemId": {"type": "string", "format": "uuid"},
                    "quantity": {"type": "integer"},
                    "note": {"type": "string"},
                    "createdAt": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
    "paths": {
        "/health": {
            "get": {
                "operationId": "health",
                "security": [],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "properties": {"ok": {"type": "boolean"}}}
                            }
                        },
                    }
                },
            }
        },
        "/signup": {
            "post": {
                "operationId": "signup",
                "security": [],
                "requestBody": {"required": True, **_json("#/components/schemas/SignupRequest")},
                "responses": {
                    "201": {"description": "created", **_json("#/components/schemas/SignupResponse")},
                    "400": _ERR,
                },
            }
        },
        "/account": {
            "get": {
                "operationId": "getAccount",
                "responses": {
                    "200": {"description": "the caller's account", **_json("#/components/schemas/Account")},
                    "401": _ERR,
                },
            }
        },
        "/warehouses": {
            "get": {
                "operationId": "listWarehouses",
                "responses": {
                    "200": {
                        "description": "list",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Warehouse"},
                                }
                            }
                        },
                    },
                    "401": _ERR,
                },
            },
            "post": {
                "operationId": "createWarehouse",
                "requestBody": {"required": True, **_json("#/components/schemas/WarehouseInput")},
                "responses": {
                    "201": {"description": "created", **_json("#/components/schemas/Warehouse")},
                    "400": _ERR,
                    "401": _ERR,
                },
            },
        },
        "/warehouses/{warehouseId}": {
            "get": {
                "operationId": "getWarehouse",
                "parameters": [
                    {
                        "name": "warehouseId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    }
                ],
                "responses": {
                    "200": {"description": "ok", **_json("#/components/schemas/Warehouse")},
                    "401": _ERR,
                    "404": _ERR,
                },
            }
        },
        "/items": {
            "get": {
                "operationId": "listItems",
                "responses": {
                    "200": {"description": "list", **_json("#/components/schemas/ItemList")},
                    "401": _ERR,
                },
            },
            "post": {
                "operationId": "createItem",
                "requestBody": {"required": True, **_json("#/components/schemas/ItemInput")},
                "responses": {
                    "201": {"description": "created", **_json("#/components/schemas/Item")},
                    "400": _ERR,
                    "401": _ERR,
                    "404": _ERR,
                },
            },
        },
        "/items/{itemId}": {
            "get": {
                "operationId": "getItem",
                "parameters": [_item_id_param()],
                "responses": {
                    "200": {"description": "ok", **_json("#/components/schemas/Item")},
                    "401": _ERR,
                    "404": _ERR,
                },
            },
            "put": {
                "operationId": "replaceItem",
                "parameters": [_item_id_param()],
                "requestBody": {"required": True, **_json("#/components/schemas/ItemUpdate")},
                "responses": {
                    "200": {"description": "ok", **_json("#/components/schemas/Item")},
                    "400": _ERR,
                    "401": _ERR,
                    "404": _ERR,
                },
            },
            "delete": {
                "operationId": "deleteItem",
                "parameters": [_item_id_param()],
                "responses": {"204": {"description": "deleted"}, "401": _ERR, "404": _ERR},
            },
        },
        "/transfers": {
            "post": {
                "operationId": "createTransfer",
                "requestBody": {"required": True, **_json("#/components/schemas/TransferInput")},
                "responses": {
                    "201": {"description": "created", **_json("#/components/schemas/Transfer")},
                    "400": _ERR,
                    "401": _ERR,
                    "404": _ERR,
                    "409": _ERR,
                },
            }
        },
        "/transfers/{transferId}": {
            "get": {
                "operationId": "getTransfer",
                "parameters": [
                    {
                        "name": "transferId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    }
                ],
                "responses": {
                    "200": {"description": "ok", **_json("#/components/schemas/Transfer")},
                    "401": _ERR,
                    "404": _ERR,
                },
            }
        },
    },
}


def _now() -> str:
    return datetime.now(UTC).isoformat()


def create_app(bugs: list[str] | None = None) -> Flask:
    bugs = list(bugs or [])
    for b in bugs:
        if b not in BUGS:
            raise ValueError(f"unknown bug {b!r}; known: {sorted(BUGS)}")
    active = set(bugs)

    app = Flask("inventory")
    accounts: dict[str, dict] = {}
    keys: dict[str, str] = {}
    warehouses: dict[str, dict] = {}
    items: dict[str, dict] = {}
    transfers: dict[str, dict] = {}

    def fail(status: int, message: str):
        return jsonify({"message": message}), status

    def account() -> dict | None:
        key = request.args.get("api_key")
        return accounts.get(keys.get(key, "")) if key else None

    def body() -> dict | None:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else None

    def check(data: dict, required: dict[str, type], optional: dict[str, type] | None = None) -> str | None:
        optional = optional or {}
        for k in data:
            if k not in required and k not in optional:
                return f"unknown field {k}"
        for k in required:
            if k not in data:
                return f"missing field {k}"
        for k, t in {**required, **optional}.items():
            if k in data and (not isinstance(data[k], t) or (t is int and isinstance(data[k], bool))):
                return f"field {k} must be {t.__name__}"
        return None

    def valid_uuid(s: str) -> bool:
        try:
            uuid.UUID(s)
            return True
        except (ValueError, TypeError, AttributeError):
            return False

    def item_out(i: dict) -> dict:
        return {k: i[k] for k in ("id", "sku", "name", "quantity", "warehouseId", "updatedAt")}

    @app.before_request
    def _auth():
        if request.path in ("/health", "/signup", "/openapi.json"):
            return None
        if account() is None:
            return fail(401, "missing or invalid api_key")
        return None

    @app.get("/openapi.json")
    def openapi():
        return jsonify(OPENAPI)

    @app.get("/health")
    def health():
        return jsonify({"ok": True})

    @app.post("/signup")
    def signup():
        data = body()
        if data is None or (e := check(data, {"companyName": str, "contactEmail": str})):
            return fail(400, e if data is not None else "JSON body required")
        if not data["companyName"] or "@" not in data["contactEmail"]:
            return fail(400, "invalid companyName or contactEmail")
        acc_id = str(uuid.uuid4())
        accounts[acc_id] = {
            "accountId": acc_id,
            "companyName": data["companyName"],
            "contactEmail": data["contactEmail"],
        }
        key = "inv_" + secrets.token_hex(16)
        keys[key] = acc_id
        return jsonify({"accountId": acc_id, "apiKey": key}), 201

    @app.get("/account")
    def get_account():
        return jsonify(account())

    @app.get("/warehouses")
    def list_warehouses():
        me = account()["accountId"]
        return jsonify(
            [{k: w[k] for k in ("id", "name", "city")} for w in warehouses.values() if w["owner"] == me]
        )

    @app.post("/warehouses")
    def create_warehouse():
        data = body()
        if data is None or (e := check(data, {"name": str, "city": str})):
            return fail(400, e if data is not None else "JSON body required")
        wid = str(uuid.uuid4())
        warehouses[wid] = {
            "id": wid,
            "name": data["name"],
            "city": data["city"],
            "owner": account()["accountId"],
        }
        return jsonify({k: warehouses[wid][k] for k in ("id", "name", "city")}), 201

    @app.get("/warehouses/<warehouse_id>")
    def get_warehouse(warehouse_id: str):
        w = warehouses.get(warehouse_id)
        if w is None or w["owner"] != account()["accountId"]:
            return fail(404, "warehouse not found")
        return jsonify({k: w[k] for k in ("id", "name", "city")})

    @app.get("/items")
    def list_items():
        me = account()["accountId"]
        out = [item_out(i) for i in items.values() if "list-unfiltered" in active or i["owner"] == me]
        return jsonify({"items": out, "total": len(out)})

    @app.post("/items")
    def create_item():
        data = body()
        if data is None or (e := check(data, {"sku": str, "name": str, "quantity": int, "warehouseId": str})):
            return fail(400, e if data is not None else "JSON body required")
        if not (0 <= data["quantity"] <= 100000):
            return fail(400, "quantity out of range")
        w = warehouses.get(data["warehouseId"])
        if w is None or w["owner"] != account()["accountId"]:
            return fail(404, "warehouse not found")
        iid = str(uuid.uuid4())
        items[iid] = {
            "id": iid,
            "sku": data["sku"],
            "name": data["name"],
            "quantity": data["quantity"],
            "warehouseId": data["warehouseId"],
            "owner": account()["accountId"],
            "updatedAt": _now(),
        }
        return jsonify(item_out(items[iid])), 201

    def find_item(item_id: str, *, check_owner: bool = True) -> dict | None:
        i = items.get(item_id)
        if i is None or (check_owner and i["owner"] != account()["accountId"]):
            return None
        return i

    @app.get("/items/<item_id>")
    def get_item(item_id: str):
        i = find_item(item_id)
        return jsonify(item_out(i)) if i else fail(404, "item not found")

    @app.put("/items/<item_id>")
    def replace_item(item_id: str):
        i = find_item(item_id, check_owner="put-unchecked" not in active)
        if i is None:
            return fail(404, "item not found")
        data = body()
        if data is None or (e := check(data, {"name": str, "quantity": int})):
            return fail(400, e if data is not None else "JSON body required")
        if not (0 <= data["quantity"] <= 100000):
            return fail(400, "quantity out of range")
        i.update(name=data["name"], quantity=data["quantity"], updatedAt=_now())
        # the bugged path still only answers with what it changed, no victim data beyond that
        return jsonify(item_out(i))

    @app.delete("/items/<item_id>")
    def delete_item(item_id: str):
        if find_item(item_id) is None:
            return fail(404, "item not found")
        del items[item_id]
        return "", 204

    @app.post("/transfers")
    def create_transfer():
        data = body()
        if data is None or (
            e := check(data, {"fromItemId": str, "toItemId": str, "quantity": int}, {"note": str})
        ):
            return fail(400, e if data is not None else "JSON body required")
        if not (1 <= data["quantity"] <= 1000):
            return fail(400, "quantity out of range")
        src = find_item(data["fromItemId"])
        dst = find_item(data["toItemId"], check_owner="transfer-unchecked" not in active)
        if src is None or dst is None:
            return fail(404, "item not found")
        if src["id"] == dst["id"]:
            return fail(409, "cannot transfer to the same item")
        if src["quantity"] < data["quantity"]:
            return fail(409, "insufficient stock")
        src["quantity"] -= data["quantity"]
        dst["quantity"] += data["quantity"]
        src["updatedAt"] = dst["updatedAt"] = _now()
        tid = str(uuid.uuid4())
        transfers[tid] = {
            "id": tid,
            "fromItemId": src["id"],
            "toItemId": dst["id"],
            "quantity": data["quantity"],
            "note": data.get("note", ""),
            "createdAt": _now(),
            "owner": account()["accountId"],
        }
        return jsonify({k: v for k, v in transfers[tid].items() if k != "owner"}), 201

    @app.get("/transfers/<transfer_id>")
    def get_transfer(transfer_id: str):
        t = transfers.get(transfer_id)
        if t is None or t["owner"] != account()["accountId"]:
            return fail(404, "transfer not found")
        return jsonify({k: v for k, v in t.items() if k != "owner"})

    return app


def _bugs_from_env() -> list[str]:
    raw = os.environ.get("INVENTORY_BUGS", "").strip()
    if not raw or raw == "none":
        return []
    if raw == "all":
        return list(BUGS)
    return [b.strip() for b in raw.split(",") if b.strip()]


app = create_app(_bugs_from_env())

if __name__ == "__main__":
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8702
    app.run(host="127.0.0.1", port=port)
