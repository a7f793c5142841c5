"""Tests of the Dispatch example API: happy paths, tenant isolation and the switchable isolation bugs."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import uvicorn
from schemathesis.python.asgi import ASGIClient

from examples.dispatch_api import VULNERABILITIES, create_app, vulnerabilities_from_env

ID = {
    prefix: re.compile(rf"^{prefix}_[0-9a-f]{{16}}$")
    for prefix in ("acc", "ord", "prc", "lbl", "inv", "cus", "exp", "whk", "shr")
}
ADDRESS = {"street": "1 High Street", "city": "London", "postcode": "E1 6AN", "country": "GB"}


@dataclass
class Tenant:
    """A signed-up account with a client bound to its token and the objects it seeded."""

    client: ASGIClient
    name: str
    headers: dict[str, str]
    account_id: str
    ids: dict[str, str] = field(default_factory=dict)
    receipt: int = 0

    @property
    def email(self) -> str:
        return f"ops@{self.name.lower()}.example"

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, body: Any) -> requests.Response:
        return self.client.post(url, json=body, headers=self.headers)

    def patch(self, url: str, body: Any) -> requests.Response:
        return self.client.patch(url, json=body, headers=self.headers)

    def put(self, url: str, body: Any) -> requests.Response:
        return self.client.put(url, json=body, headers=self.headers)

    def delete(self, url: str) -> requests.Response:
        return self.client.delete(url, headers=self.headers)


def make_client(vulnerabilities: Iterable[str] = ()) -> ASGIClient:
    """An in-process client of a fresh Dispatch app."""
    # FastAPI's ASGI signature uses MutableMapping where schemathesis annotates dict.
    app: Any = create_app(vulnerabilities)
    return ASGIClient(app)


def signup(client: ASGIClient, name: str) -> Tenant:
    email = f"ops@{name.lower()}.example"
    created = client.post("/accounts", json={"company_name": name, "email": email, "password": "s3cret-pass"})
    assert created.status_code == 201, created.text
    login = client.post("/auth/login", json={"email": email, "password": "s3cret-pass"})
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    return Tenant(client, name, headers, created.json()["id"])


def order_body(name: str) -> dict[str, Any]:
    return {
        "recipient_name": f"{name} Recipient",
        "recipient_phone": "+44 20 7946 0958",
        "recipient_address": ADDRESS,
        "reference": f"{name}-ref",
        "items": [{"description": f"{name} mug", "quantity": 2, "weight_grams": 350}],
    }


def customer_body(name: str) -> dict[str, Any]:
    return {
        "name": f"{name} Contact",
        "email": f"contact@{name.lower()}.example",
        "phone": "+44 161 496 0000",
        "company": f"{name} Ltd",
        "address": ADDRESS,
        "notes": f"{name} private notes",
    }


PARCEL = {
    "weight_grams": 700,
    "length_cm": 30,
    "width_cm": 20,
    "height_cm": 10,
    "contents_description": "Mugs",
}
WEBHOOK = {"url": "https://hooks.example.com/dispatch", "events": ["order.created", "label.created"]}
PREFERENCES = {"locale": "fr-FR", "timezone": "Europe/Paris", "marketing_emails": True}
DEFAULT_PREFERENCES = {"locale": "en-GB", "timezone": "Europe/London", "marketing_emails": False}
OUTSIDER = "friend@outside.example"


def seed(tenant: Tenant) -> Tenant:
    """Create one object of every kind for `tenant` and remember their ids."""
    order = tenant.post("/orders", order_body(tenant.name))
    assert order.status_code == 201, order.text
    tenant.ids["order"] = order.json()["id"]
    parcel = tenant.post(f"/orders/{tenant.ids['order']}/parcels", PARCEL)
    assert parcel.status_code == 201, parcel.text
    tenant.ids["parcel"] = parcel.json()["id"]
    labelled = tenant.post("/orders", order_body(tenant.name))
    tenant.ids["labelled_order"] = labelled.json()["id"]
    label = tenant.post("/labels", {"order_id": tenant.ids["labelled_order"], "service_code": "standard"})
    assert label.status_code == 201, label.text
    tenant.ids["label"] = label.json()["id"]
    tenant.receipt = label.json()["receipt_id"]
    tenant.ids["invoice"] = tenant.get("/invoices").json()[0]["id"]
    customer = tenant.post("/customers", customer_body(tenant.name))
    assert customer.status_code == 201, customer.text
    tenant.ids["customer"] = customer.json()["id"]
    deleted = tenant.post("/orders", order_body(tenant.name))
    tenant.ids["deleted_order"] = deleted.json()["id"]
    assert tenant.delete(f"/orders/{tenant.ids['deleted_order']}").status_code == 204
    share = tenant.post(f"/orders/{tenant.ids['order']}/shares", {"account_email": OUTSIDER})
    assert share.status_code == 201, share.text
    tenant.ids["share"] = share.json()["id"]
    export = tenant.post("/exports", {"kind": "orders"})
    assert export.status_code == 202, export.text
    tenant.ids["export"] = export.json()["id"]
    assert tenant.get(f"/exports/{tenant.ids['export']}").json()["status"] == "done"
    webhook = tenant.post("/webhooks", WEBHOOK)
    assert webhook.status_code == 201, webhook.text
    tenant.ids["webhook"] = webhook.json()["id"]
    return tenant


def world(vulnerabilities: Iterable[str] = ()) -> tuple[Tenant, Tenant]:
    """A fresh app with a seeded victim (A) and a seeded attacker (B)."""
    client = make_client(vulnerabilities)
    return seed(signup(client, "Alpha")), seed(signup(client, "Bravo"))


def label_of(method: str, path: str) -> str:
    return f"{method} {path}"


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def concurrent_me(
    tenants: list[Tenant], calls: int = 20, rounds: int = 3
) -> list[tuple[Tenant, requests.Response]]:
    """Each caller and its answer, of `rounds` bursts of `calls` GET /me sent at once by the tenants in
    turn, over HTTP to the tenants' app served on 127.0.0.1."""
    callers = [tenants[index % len(tenants)] for index in range(calls)]
    barrier = threading.Barrier(calls)
    with served(tenants[0].client.app) as url:
        sessions = [requests.Session() for _ in callers]
        for session, caller in zip(sessions, callers, strict=True):
            session.headers.update(caller.headers)
            assert session.get(f"{url}/services", timeout=10).status_code == 200  # connection opened

        def call(index: int) -> tuple[Tenant, requests.Response]:
            barrier.wait(timeout=10)
            response = sessions[index].get(f"{url}/me", timeout=10)
            assert response.status_code == 200, response.text
            return callers[index], response

        with ThreadPoolExecutor(calls) as pool:
            answers = [answer for _ in range(rounds) for answer in pool.map(call, range(calls))]
        for session in sessions:
            session.close()
    return answers


# --- happy paths -------------------------------------------------------------------------------


def test_accounts_and_authentication() -> None:
    client = make_client()
    created = client.post(
        "/accounts", json={"company_name": "Acme", "email": "ops@acme.example", "password": "password1"}
    )
    assert created.status_code == 201
    account = created.json()
    assert ID["acc"].match(account["id"])
    assert set(account) == {"id", "company_name", "email", "created_at"}

    duplicate = {"company_name": "Other", "email": "OPS@acme.example", "password": "password2"}
    assert client.post("/accounts", json=duplicate).status_code == 409
    short = {"company_name": "Short", "email": "s@acme.example", "password": "short"}
    assert client.post("/accounts", json=short).status_code == 422
    bad_email = {"company_name": "Bad", "email": "not-an-email", "password": "password1"}
    assert client.post("/accounts", json=bad_email).status_code == 422

    wrong = client.post("/auth/login", json={"email": "ops@acme.example", "password": "wrong-password"})
    assert wrong.status_code == 401
    assert client.post("/auth/login", json={"email": "no@acme.example", "password": "x"}).status_code == 401
    login = client.post("/auth/login", json={"email": "ops@acme.example", "password": "password1"})
    assert login.status_code == 200
    assert login.json()["token_type"] == "bearer"

    assert client.get("/me").status_code == 401
    assert client.get("/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/orders").status_code == 401
    me = client.get("/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}).json()
    assert me.pop("server_time")
    assert re.fullmatch(r"[0-9a-f]{32}", me.pop("request_nonce"))
    assert me == account


def test_services_catalogue_is_public_and_identical() -> None:
    client = make_client()
    anonymous = client.get("/services")
    assert anonymous.status_code == 200
    assert {service["code"] for service in anonymous.json()} == {"standard", "express", "economy", "signed"}
    assert signup(client, "Alpha").get("/services").json() == anonymous.json()
    assert signup(client, "Bravo").get("/services").json() == anonymous.json()


def test_orders_lifecycle() -> None:
    tenant = signup(make_client(), "Alpha")
    created = tenant.post("/orders", order_body("Alpha"))
    assert created.status_code == 201
    order = created.json()
    assert ID["ord"].match(order["id"])
    assert order["status"] == "draft"
    assert order["recipient_address"] == ADDRESS
    assert order["created_at"] == order["updated_at"]
    assert tenant.post("/orders", {**order_body("Alpha"), "items": []}).status_code == 422

    assert tenant.get(f"/orders/{order['id']}").json() == order
    assert tenant.get("/orders").json() == [order]
    assert tenant.get("/orders", params={"status": "draft"}).json() == [order]
    assert tenant.get("/orders", params={"status": "labelled"}).json() == []
    assert tenant.get("/orders", params={"status": "lost"}).status_code == 422

    patched = tenant.patch(f"/orders/{order['id']}", {"recipient_name": "New Name", "reference": None})
    assert patched.status_code == 200
    assert patched.json()["recipient_name"] == "New Name"
    assert patched.json()["reference"] is None
    assert patched.json()["recipient_phone"] == order["recipient_phone"]
    assert tenant.get(f"/orders/{order['id']}").json() == patched.json()

    parcel = tenant.post(f"/orders/{order['id']}/parcels", PARCEL).json()
    assert tenant.delete(f"/orders/{order['id']}").status_code == 204
    assert tenant.get(f"/orders/{order['id']}").status_code == 404
    assert tenant.get(f"/parcels/{parcel['id']}/tracking").status_code == 404
    assert tenant.delete(f"/orders/{order['id']}").status_code == 404


def test_a_deleted_order_is_gone_everywhere() -> None:
    tenant = signup(make_client(), "Alpha")
    order = tenant.post("/orders", order_body("Alpha")).json()
    parcel = tenant.post(f"/orders/{order['id']}/parcels", PARCEL).json()
    assert tenant.delete(f"/orders/{order['id']}").status_code == 204
    gone = [
        tenant.get(f"/orders/{order['id']}"),
        tenant.patch(f"/orders/{order['id']}", {"reference": "again"}),
        tenant.get(f"/orders/{order['id']}/parcels"),
        tenant.post(f"/orders/{order['id']}/parcels", PARCEL),
        tenant.get(f"/orders/{order['id']}/parcels/{parcel['id']}"),
        tenant.get(f"/parcels/{parcel['id']}/tracking"),
        tenant.post("/labels", {"order_id": order["id"], "service_code": "economy"}),
        tenant.post(f"/orders/{order['id']}/shares", {"account_email": OUTSIDER}),
    ]
    assert [response.status_code for response in gone] == [404] * len(gone)
    assert tenant.get("/orders").json() == []
    assert tenant.get("/orders/search", params={"q": "Alpha"}).json() == []
    export = tenant.post("/exports", {"kind": "orders"}).json()
    assert export["row_count"] == 0


def test_parcels_and_tracking() -> None:
    tenant = signup(make_client(), "Alpha")
    order_id = tenant.post("/orders", order_body("Alpha")).json()["id"]
    created = tenant.post(f"/orders/{order_id}/parcels", PARCEL)
    assert created.status_code == 201
    parcel = created.json()
    assert ID["prc"].match(parcel["id"])
    assert re.fullmatch(r"TRK[0-9]+", parcel["tracking_number"])
    assert parcel["order_id"] == order_id
    assert tenant.post(f"/orders/{order_id}/parcels", {**PARCEL, "weight_grams": 0}).status_code == 422

    assert tenant.get(f"/orders/{order_id}/parcels").json() == [parcel]
    assert tenant.get(f"/orders/{order_id}/parcels/{parcel['id']}").json() == parcel
    tracking = tenant.get(f"/parcels/{parcel['id']}/tracking").json()
    assert tracking["tracking_number"] == parcel["tracking_number"]
    assert [event["status"] for event in tracking["events"]] == ["registered"]

    tenant.post("/labels", {"order_id": order_id, "service_code": "express"})
    tracking = tenant.get(f"/parcels/{parcel['id']}/tracking").json()
    assert [event["status"] for event in tracking["events"]] == ["registered", "label_created"]


def test_labels_and_invoices() -> None:
    tenant = signup(make_client(), "Alpha")
    order = tenant.post("/orders", order_body("Alpha")).json()
    prices = {service["code"]: service["price_cents"] for service in tenant.get("/services").json()}
    assert tenant.post("/labels", {"order_id": order["id"], "service_code": "teleport"}).status_code == 422
    assert (
        tenant.post("/labels", {"order_id": "ord_0000000000000000", "service_code": "express"}).status_code
        == 404
    )

    created = tenant.post("/labels", {"order_id": order["id"], "service_code": "express"})
    assert created.status_code == 201
    label = created.json()
    assert ID["lbl"].match(label["id"])
    assert label["price_cents"] == prices["express"]
    assert label["recipient_name"] == order["recipient_name"]
    assert label["recipient_address"] == ADDRESS
    assert tenant.get(f"/labels/{label['id']}").json() == label
    assert tenant.get(f"/orders/{order['id']}").json()["status"] == "labelled"
    assert tenant.get("/orders", params={"status": "labelled"}).json()[0]["id"] == order["id"]

    invoices = tenant.get("/invoices").json()
    assert len(invoices) == 1
    invoice = invoices[0]
    assert ID["inv"].match(invoice["id"])
    assert invoice["label_id"] == label["id"]
    assert invoice["amount_cents"] == prices["express"]
    assert invoice["billing_company"] == "Alpha"
    assert tenant.get(f"/invoices/{invoice['id']}").json() == invoice


def test_customers_crud() -> None:
    tenant = signup(make_client(), "Alpha")
    created = tenant.post("/customers", customer_body("Alpha"))
    assert created.status_code == 201
    customer = created.json()
    assert ID["cus"].match(customer["id"])
    assert tenant.post("/customers", {**customer_body("Alpha"), "email": "nope"}).status_code == 422
    assert tenant.get("/customers").json() == [customer]
    assert tenant.get(f"/customers/{customer['id']}").json() == customer

    replacement = {**customer_body("Alpha"), "name": "Replaced", "company": None, "notes": None}
    replaced = tenant.put(f"/customers/{customer['id']}", replacement)
    assert replaced.status_code == 200
    assert replaced.json()["name"] == "Replaced"
    assert replaced.json()["company"] is None
    assert replaced.json()["created_at"] == customer["created_at"]

    assert tenant.delete(f"/customers/{customer['id']}").status_code == 204
    missing = tenant.get(f"/customers/{customer['id']}")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Customer not found"}
    assert tenant.get("/customers").json() == []


def test_order_search() -> None:
    tenant = signup(make_client(), "Alpha")
    first = tenant.post("/orders", {**order_body("Alpha"), "recipient_name": "Jane Smith", "reference": None})
    second = tenant.post(
        "/orders", {**order_body("Alpha"), "recipient_name": "Bob", "reference": "PO-Smithers"}
    )
    ids = [first.json()["id"], second.json()["id"]]

    def found(q: str) -> list[str]:
        response = tenant.get("/orders/search", params={"q": q})
        assert response.status_code == 200, response.text
        return [order["id"] for order in response.json()]

    assert found("smith") == ids
    assert found("JANE") == ids[:1]
    assert found("po-") == ids[1:]
    assert found("%") == []
    assert found("nobody") == []
    assert tenant.get("/orders/search").status_code == 422
    assert tenant.get("/orders/search", params={"q": ""}).status_code == 422
    assert tenant.get("/orders/search", params={"q": "x" * 201}).status_code == 422


def test_export_job() -> None:
    tenant = signup(make_client(), "Alpha")
    orders = [tenant.post("/orders", order_body("Alpha")).json() for _ in range(2)]
    assert tenant.post("/exports", {"kind": "parcels"}).status_code == 422
    created = tenant.post("/exports", {"kind": "orders"})
    assert created.status_code == 202
    job = created.json()
    assert ID["exp"].match(job["id"])
    assert created.headers["Location"] == f"/exports/{job['id']}"
    assert job["kind"] == "orders"
    assert job["status"] == "pending"
    assert job["requested_by"] == tenant.email
    assert job["row_count"] == 2

    early = tenant.get(f"/exports/{job['id']}/download")
    assert early.status_code == 409
    assert "poll" in early.json()["detail"]
    polled = tenant.get(f"/exports/{job['id']}")
    assert polled.status_code == 200
    assert polled.json() == {**job, "status": "done"}
    assert tenant.get(f"/exports/{job['id']}").json() == polled.json()

    # The export is a snapshot: an order created afterwards is not in it.
    tenant.post("/orders", order_body("Alpha"))
    downloaded = tenant.get(f"/exports/{job['id']}/download")
    assert downloaded.status_code == 200
    rows = downloaded.json()
    assert [row["order_id"] for row in rows] == [order["id"] for order in orders]
    assert rows[0]["recipient_name"] == "Alpha Recipient"
    assert rows[0]["recipient_address"] == ADDRESS
    assert rows[0]["item_count"] == 2
    assert tenant.get("/exports/exp_0000000000000000").status_code == 404
    assert tenant.get("/exports/exp_0000000000000000/download").status_code == 404


def test_webhooks_crud() -> None:
    tenant = signup(make_client(), "Alpha")
    created = tenant.post(
        "/webhooks", {**WEBHOOK, "events": ["order.created", "order.created", "label.created"]}
    )
    assert created.status_code == 201
    webhook = created.json()
    assert ID["whk"].match(webhook["id"])
    assert webhook["url"] == WEBHOOK["url"]
    assert webhook["events"] == ["order.created", "label.created"]
    assert re.fullmatch(r"whsec_[0-9a-f]{48}", webhook["signing_secret"])
    for bad in (
        {**WEBHOOK, "url": "ftp://files.example.com/x"},
        {**WEBHOOK, "url": "not a url at all"},
        {**WEBHOOK, "events": []},
        {**WEBHOOK, "events": ["order.lost"]},
    ):
        assert tenant.post("/webhooks", bad).status_code == 422, bad
    assert tenant.get("/webhooks").json() == [webhook]
    assert tenant.get(f"/webhooks/{webhook['id']}").json() == webhook
    assert tenant.delete(f"/webhooks/{webhook['id']}").status_code == 204
    assert tenant.get(f"/webhooks/{webhook['id']}").status_code == 404
    assert tenant.delete(f"/webhooks/{webhook['id']}").status_code == 404
    assert tenant.get("/webhooks").json() == []


def test_openapi_document() -> None:
    client = make_client()
    document = client.get("/openapi.json").json()
    operations = {
        label_of(method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert len(operations) >= 30
    for labels in VULNERABILITIES.values():
        assert set(labels) <= set(operations)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Access token from `POST /auth/login`.",
    }
    public = {"POST /accounts", "POST /auth/login", "GET /services", "GET /login", "GET /dashboard"}
    pages = {"GET /login", "GET /dashboard"}
    for label, operation in operations.items():
        assert ("security" in operation) == (label not in public), label
        success = [code for code in operation["responses"] if code.startswith("2")]
        assert len(success) == 1, label
        media = "text/html" if label in pages else "application/json"
        if success != ["204"]:
            assert "schema" in operation["responses"][success[0]]["content"][media], label
        for response in operation["responses"].values():
            assert "X-Request-Id" in response["headers"], label
    assert "Location" in operations["GET /dashboard"]["responses"]["302"]["headers"]
    assert "ETag" in operations["GET /orders/{order_id}"]["responses"]["200"]["headers"]
    assert "ETag" not in operations["GET /orders"]["responses"]["200"]["headers"]
    assert "server_time" in document["components"]["schemas"]["Me"]["required"]
    assert "request_nonce" in document["components"]["schemas"]["Me"]["required"]
    for label in ("GET /services", "GET /invoices/{invoice_id}"):
        assert operations[label]["responses"]["200"]["headers"]["Cache-Control"]["schema"] == {
            "type": "string"
        }
    assert document["components"]["schemas"]["WebhookCreate"]["properties"]["url"]["format"] == "uri"


# --- vulnerability switches --------------------------------------------------------------------


def test_vulnerabilities_from_env() -> None:
    assert vulnerabilities_from_env(None) == frozenset()
    assert vulnerabilities_from_env("") == frozenset()
    assert vulnerabilities_from_env(" none ") == frozenset()
    assert vulnerabilities_from_env("all") == frozenset(VULNERABILITIES)
    assert vulnerabilities_from_env("read-by-id, write-by-id,") == {"read-by-id", "write-by-id"}
    with pytest.raises(ValueError, match="bogus") as excinfo:
        vulnerabilities_from_env("read-by-id,bogus")
    assert all(name in str(excinfo.value) for name in VULNERABILITIES)


def test_create_app_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="list-unfiltered"):
        create_app(["nope"])
    with pytest.raises(TypeError):
        create_app("read-by-id")
    assert create_app(VULNERABILITIES).state.vulnerabilities == frozenset(VULNERABILITIES)


def test_main_serves_with_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from examples.dispatch_api.__main__ import main

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append((app, kwargs)))
    main(["--port", "9123", "--vulnerabilities", "read-by-id"])
    (app, kwargs), *_ = calls
    assert kwargs == {"host": "127.0.0.1", "port": 9123}
    assert app.state.vulnerabilities == {"read-by-id"}


# Each probe is B (attacker) acting on A's (victim's) objects; it returns the response and whether it
# shows a correctly isolated outcome.
Probe = Callable[[Tenant, Tenant], tuple[requests.Response, bool]]


def _not_found(victim: Tenant, response: requests.Response) -> tuple[requests.Response, bool]:
    """A 404 that says nothing about the victim."""
    leaked = victim.name in response.text or victim.email in response.text
    return response, response.status_code == 404 and not leaked


def _excludes(victim: Tenant, response: requests.Response) -> tuple[requests.Response, bool]:
    leaked = victim.name in response.text or any(value in response.text for value in victim.ids.values())
    return response, response.status_code == 200 and not leaked


def _all(*outcomes: tuple[requests.Response, bool]) -> tuple[requests.Response, bool]:
    """The first outcome that is not isolated, else the last one."""
    return next((outcome for outcome in outcomes if not outcome[1]), outcomes[-1])


def _read_live_order(a: Tenant, b: Tenant) -> tuple[requests.Response, bool]:
    return _not_found(a, b.get(f"/orders/{a.ids['order']}"))


def _read_deleted_order(a: Tenant, b: Tenant) -> tuple[requests.Response, bool]:
    return _not_found(a, b.get(f"/orders/{a.ids['deleted_order']}"))


def _set_preferences_by_victim_name(a: Tenant, b: Tenant) -> tuple[requests.Response, bool]:
    # The path names the victim, but the caller's own preferences are the ones that change.
    response = b.put(f"/users/{a.email}/preferences", PREFERENCES)
    isolated = (
        response.status_code == 204
        and a.get("/me/preferences").json() == DEFAULT_PREFERENCES
        and b.get("/me/preferences").json() == PREFERENCES
    )
    return response, isolated


PROBES: dict[str, Probe] = {
    "GET /orders": lambda a, b: _excludes(a, b.get("/orders")),
    "GET /orders/search": lambda a, b: _all(
        _excludes(a, b.get("/orders/search", params={"q": a.name})),
        _excludes(a, b.get("/orders/search", params={"q": "Recipient"})),
    ),
    "GET /orders/{order_id}": lambda a, b: _all(
        _read_live_order(a, b), _read_deleted_order(a, b), _read_order_after_its_owner(a, b)
    ),
    "PATCH /orders/{order_id}": lambda a, b: _not_found(
        a, b.patch(f"/orders/{a.ids['order']}", {"recipient_name": "Changed by Bravo"})
    ),
    "DELETE /orders/{order_id}": lambda a, b: _not_found(a, b.delete(f"/orders/{a.ids['order']}")),
    "POST /orders/{order_id}/shares": lambda a, b: _not_found(
        a, b.post(f"/orders/{a.ids['order']}/shares", {"account_email": b.email})
    ),
    "GET /shared-orders": lambda a, b: _excludes(a, b.get("/shared-orders")),
    "POST /orders/{order_id}/parcels": lambda a, b: _not_found(
        a, b.post(f"/orders/{a.ids['order']}/parcels", PARCEL)
    ),
    "GET /orders/{order_id}/parcels": lambda a, b: _not_found(a, b.get(f"/orders/{a.ids['order']}/parcels")),
    "GET /orders/{order_id}/parcels/{parcel_id}": lambda a, b: _not_found(
        a, b.get(f"/orders/{b.ids['order']}/parcels/{a.ids['parcel']}")
    ),
    "GET /parcels/{parcel_id}/tracking": lambda a, b: _not_found(
        a, b.get(f"/parcels/{a.ids['parcel']}/tracking")
    ),
    "POST /labels": lambda a, b: _not_found(
        a, b.post("/labels", {"order_id": a.ids["order"], "service_code": "express"})
    ),
    "GET /labels/{label_id}": lambda a, b: _not_found(a, b.get(f"/labels/{a.ids['label']}")),
    "POST /orders/lookup": lambda a, b: _lookup_excludes_victim(a, b),
    "GET /receipts": lambda a, b: _excludes(a, b.get("/receipts")),
    "GET /receipts/{receipt_id}": lambda a, b: _not_found(a, b.get(f"/receipts/{a.receipt}")),
    "GET /invoices": lambda a, b: _excludes(a, b.get("/invoices")),
    "GET /invoices/{invoice_id}": lambda a, b: _all(
        _not_found(a, b.get(f"/invoices/{a.ids['invoice']}")), _invoice_is_private(a, b)
    ),
    "GET /customers": lambda a, b: _all(
        _excludes(a, b.get("/customers", params={"limit": 100})), _customers_after_their_owner(a, b)
    ),
    "GET /me": lambda a, b: _me_at_the_same_moment(a, b),
    "GET /customers/{customer_id}": lambda a, b: _not_found(a, b.get(f"/customers/{a.ids['customer']}")),
    "PUT /customers/{customer_id}": lambda a, b: _not_found(
        a, b.put(f"/customers/{a.ids['customer']}", customer_body("Bravo"))
    ),
    "DELETE /customers/{customer_id}": lambda a, b: _not_found(
        a, b.delete(f"/customers/{a.ids['customer']}")
    ),
    "GET /exports/{export_id}": lambda a, b: _not_found(a, b.get(f"/exports/{a.ids['export']}")),
    "GET /exports/{export_id}/download": lambda a, b: _not_found(
        a, b.get(f"/exports/{a.ids['export']}/download")
    ),
    "GET /webhooks": lambda a, b: _excludes(a, b.get("/webhooks")),
    "GET /webhooks/{webhook_id}": lambda a, b: _not_found(a, b.get(f"/webhooks/{a.ids['webhook']}")),
    "DELETE /webhooks/{webhook_id}": lambda a, b: _not_found(a, b.delete(f"/webhooks/{a.ids['webhook']}")),
    "PUT /users/{username}/preferences": _set_preferences_by_victim_name,
    "POST /customers": lambda a, b: _forbidden(
        a, b.post("/customers", {**customer_body("Bravo"), "account_id": _account(a)})
    ),
}


def _read_order_after_its_owner(a: Tenant, b: Tenant) -> tuple[requests.Response, bool]:
    assert a.get(f"/orders/{a.ids['order']}").status_code == 200
    return _not_found(a, b.get(f"/orders/{a.ids['order']}"))


def _order_unchanged_by_its_owners_read(a: Tenant, b: Tenant) -> tuple[requests.Response, bool]:
    """B's answer for A's order is the same before and after A read it (even where B may read it)."""
    before = b.get(f"/orders/{a.ids['order']}")
    assert a.get(f"/orders/{a.ids['order']}").status_code == 200
    after = b.get(f"/orders/{a.ids['order']}")
    return after, (after.status_code, after.text) == (before.status_code, before.text)


def _customers_after_their_owner(a: Tenant, b: Tenant) -> tuple[requests.Response, bool]:
    assert a.get("/customers").status_code == 200
    return _excludes(a, b.get("/customers"))


def _invoice_is_private(a: Tenant, b: Tenant) -> tuple[requests.Response, bool]:
    """A's own invoice is marked for A alone: no shared cache may keep it."""
    response = a.get(f"/invoices/{a.ids['invoice']}")
    return response, response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"


def _me_at_the_same_moment(a: Tenant, b: Tenant) -> tuple[requests.Response, bool]:
    answers = concurrent_me([a, b])
    wrong = [response for caller, response in answers if response.json()["id"] != caller.account_id]
    return (wrong or [answers[-1][1]])[0], not wrong


def _lookup_excludes_victim(a: Tenant, b: Tenant) -> tuple[requests.Response, bool]:
    response = b.post("/orders/lookup", {"order_ids": [b.ids["order"], a.ids["order"]]})
    found = [order["id"] for order in response.json()] if response.status_code == 200 else []
    return response, found == [b.ids["order"]] and a.name not in response.text


def _account(tenant: Tenant) -> str:
    account_id: str = tenant.get("/me").json()["id"]
    return account_id


def _forbidden(victim: Tenant, response: requests.Response) -> tuple[requests.Response, bool]:
    """A 403 that says nothing about the victim."""
    leaked = victim.name in response.text or victim.email in response.text
    return response, response.status_code == 403 and not leaked


def _invoices_of_victim(a: Tenant, b: Tenant) -> tuple[requests.Response, bool]:
    return _forbidden(a, b.get("/invoices", params={"account_id": _account(a)}))


def _customers_as_victim(a: Tenant, b: Tenant) -> tuple[requests.Response, bool]:
    return _forbidden(a, b.client.get("/customers", headers={**b.headers, "X-Account-Id": _account(a)}))


def _move_own_order_to_victim(a: Tenant, b: Tenant) -> tuple[requests.Response, bool]:
    return _forbidden(a, b.patch(f"/orders/{b.ids['order']}", {"account_id": _account(a)}))


# The probes that show a switch is off. An operation that two switches share has one probe per switch.
SWITCH_PROBES: dict[str, list[Probe]] = {
    **{name: [PROBES[label] for label in labels] for name, labels in VULNERABILITIES.items()},
    "read-by-id": [_read_live_order],
    "delete-then-reuse": [_read_deleted_order],
    "query-tenant-param": [_invoices_of_victim],
    "header-tenant-spoof": [_customers_as_victim],
    "mass-assignment-update": [_move_own_order_to_victim],
    "cache-without-tenant": [_customers_after_their_owner],
    "cache-before-authz": [_order_unchanged_by_its_owners_read],
    "cacheable-private-response": [_invoice_is_private],
}


def _victim_snapshot(victim: Tenant) -> dict[str, Any]:
    return {
        "orders": victim.get("/orders").json(),
        "deleted": victim.get(f"/orders/{victim.ids['deleted_order']}").status_code,
        "parcels": victim.get(f"/orders/{victim.ids['order']}/parcels").json(),
        "customers": victim.get("/customers").json(),
        "invoices": victim.get("/invoices").json(),
        "export": victim.get(f"/exports/{victim.ids['export']}").json(),
        "export_rows": victim.get(f"/exports/{victim.ids['export']}/download").json(),
        "webhooks": victim.get("/webhooks").json(),
        "preferences": victim.get("/me/preferences").json(),
        "shared": victim.get("/shared-orders").json(),
    }


@pytest.mark.parametrize("enabled", [None, *VULNERABILITIES], ids=lambda name: name or "clean")
def test_foreign_access_is_isolated_except_at_the_broken_operation(enabled: str | None) -> None:
    victim, attacker = world([enabled] if enabled else [])
    before = _victim_snapshot(victim)
    skipped = set(VULNERABILITIES[enabled]) if enabled else set()
    failures = []
    # Destructive probes go last so every other probe still finds the victim's objects.
    for label in sorted(PROBES, key=lambda label: label.startswith("DELETE")):
        if label in skipped:
            continue
        response, isolated = PROBES[label](victim, attacker)
        if not isolated:
            failures.append(f"{label}: {response.status_code} {response.text[:200]}")
    assert failures == []
    assert _victim_snapshot(victim) == before
    # Own objects still work for the attacker.
    assert attacker.get(f"/orders/{attacker.ids['order']}").status_code == 200
    assert attacker.get(f"/webhooks/{attacker.ids['webhook']}").status_code == 200


def test_every_operation_with_a_foreign_reference_is_probed() -> None:
    document = make_client().get("/openapi.json").json()
    operations = {
        label_of(method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    unscoped = {
        "POST /accounts",
        "POST /auth/login",
        "GET /services",
        "GET /login",
        "GET /dashboard",
        "GET /me/preferences",
        "POST /orders",
        "POST /exports",
        "POST /webhooks",
    }
    assert operations - unscoped == set(PROBES)


def _exploit_read_by_id(a: Tenant, b: Tenant) -> None:
    response = b.get(f"/orders/{a.ids['order']}")
    assert response.status_code == 200
    assert response.json()["recipient_name"] == "Alpha Recipient"


def _exploit_list_unfiltered(a: Tenant, b: Tenant) -> None:
    response = b.get("/orders")
    assert response.status_code == 200
    assert a.ids["order"] in {order["id"] for order in response.json()}


def _exploit_write_by_id(a: Tenant, b: Tenant) -> None:
    response = b.patch(f"/orders/{a.ids['order']}", {"recipient_name": "Changed by Bravo"})
    assert response.status_code == 200
    assert response.json()["reference"] == "Alpha-ref"
    assert a.get(f"/orders/{a.ids['order']}").json()["recipient_name"] == "Changed by Bravo"


def _exploit_delete_by_id(a: Tenant, b: Tenant) -> None:
    assert b.delete(f"/customers/{a.ids['customer']}").status_code == 204
    assert a.get(f"/customers/{a.ids['customer']}").status_code == 404


def _exploit_nested_child_unchecked(a: Tenant, b: Tenant) -> None:
    response = b.get(f"/orders/{b.ids['order']}/parcels/{a.ids['parcel']}")
    assert response.status_code == 200
    assert response.json()["order_id"] == a.ids["order"]
    # The order itself is still checked.
    assert b.get(f"/orders/{a.ids['order']}/parcels/{a.ids['parcel']}").status_code == 404


def _exploit_body_reference_unchecked(a: Tenant, b: Tenant) -> None:
    recipient = a.get(f"/orders/{a.ids['order']}").json()["recipient_name"]
    response = b.post("/labels", {"order_id": a.ids["order"], "service_code": "express"})
    assert response.status_code == 201
    assert response.json()["recipient_name"] == recipient
    assert a.get(f"/orders/{a.ids['order']}").json()["status"] == "labelled"
    assert len(b.get("/invoices").json()) == 2


def _exploit_export_job_unchecked(a: Tenant, b: Tenant) -> None:
    # A fresh job: the attacker's poll is what finishes it.
    job = a.post("/exports", {"kind": "orders"}).json()
    polled = b.get(f"/exports/{job['id']}")
    assert polled.status_code == 200
    assert polled.json()["requested_by"] == a.email
    assert polled.json()["status"] == "done"
    downloaded = b.get(f"/exports/{job['id']}/download")
    assert downloaded.status_code == 200
    assert {row["order_id"] for row in downloaded.json()} == {a.ids["order"], a.ids["labelled_order"]}
    assert all(row["recipient_address"] == ADDRESS for row in downloaded.json())


def _exploit_search_across_tenants(a: Tenant, b: Tenant) -> None:
    response = b.get("/orders/search", params={"q": "alpha"})
    assert response.status_code == 200
    assert a.ids["labelled_order"] in {order["id"] for order in response.json()}
    # The attacker's own orders are found too; the victim's deleted order is not.
    mixed = {order["id"] for order in b.get("/orders/search", params={"q": "recipient"}).json()}
    assert {a.ids["labelled_order"], b.ids["order"]} <= mixed
    assert a.ids["deleted_order"] not in mixed


def _exploit_error_message_leak(a: Tenant, b: Tenant) -> None:
    customer = a.post("/customers", customer_body("Alpha")).json()
    response = b.get(f"/customers/{customer['id']}")
    assert response.status_code == 404
    assert response.json() == {"detail": f"Customer {customer['id']} belongs to Alpha ({a.email})"}
    # A contact that does not exist still gets the plain message.
    assert b.get("/customers/cus_0000000000000000").json() == {"detail": "Customer not found"}


def _exploit_nested_parent_unchecked(a: Tenant, b: Tenant) -> None:
    response = b.get(f"/orders/{a.ids['order']}/parcels")
    assert response.status_code == 200
    assert [parcel["id"] for parcel in response.json()] == [a.ids["parcel"]]
    # The parcel itself, by its own path, is still checked.
    assert b.get(f"/orders/{a.ids['order']}/parcels/{a.ids['parcel']}").status_code == 404


def _exploit_webhook_secret_leak(a: Tenant, b: Tenant) -> None:
    secret = a.get(f"/webhooks/{a.ids['webhook']}").json()["signing_secret"]
    response = b.get(f"/webhooks/{a.ids['webhook']}")
    assert response.status_code == 200
    assert response.json()["signing_secret"] == secret
    assert b.delete(f"/webhooks/{a.ids['webhook']}").status_code == 404


def _exploit_delete_then_reuse(a: Tenant, b: Tenant) -> None:
    response = b.get(f"/orders/{a.ids['deleted_order']}")
    assert response.status_code == 200
    assert response.json()["reference"] == "Alpha-ref"
    # The owner reads it too, but it stays gone from every other operation.
    assert a.get(f"/orders/{a.ids['deleted_order']}").status_code == 200
    assert a.ids["deleted_order"] not in {order["id"] for order in a.get("/orders").json()}
    assert a.patch(f"/orders/{a.ids['deleted_order']}", {"reference": "back"}).status_code == 404


def _exploit_bulk_ids_unchecked(a: Tenant, b: Tenant) -> None:
    response = b.post(
        "/orders/lookup", {"order_ids": [b.ids["order"], a.ids["order"], "ord_0000000000000000"]}
    )
    assert response.status_code == 200
    assert [order["id"] for order in response.json()] == [a.ids["order"], b.ids["order"]]


def _exploit_sequential_ids(a: Tenant, b: Tenant) -> None:
    # Receipt numbers run in one sequence for every account: the victim's is next to the attacker's.
    own = b.receipt
    guessed = [b.get(f"/receipts/{number}") for number in (own - 1, own + 1) if number > 0]
    found = [response.json() for response in guessed if response.status_code == 200]
    assert any(receipt["recipient_address"] == ADDRESS for receipt in found)
    assert any(receipt["id"] == a.receipt for receipt in found)


def _exploit_query_tenant_param(a: Tenant, b: Tenant) -> None:
    response = b.get("/invoices", params={"account_id": _account(a)})
    assert response.status_code == 200
    assert {invoice["billing_company"] for invoice in response.json()} == {"Alpha"}


def _exploit_header_tenant_spoof(a: Tenant, b: Tenant) -> None:
    customer = a.post("/customers", customer_body("Alpha")).json()
    response = b.client.get("/customers", headers={**b.headers, "X-Account-Id": _account(a)})
    assert response.status_code == 200
    assert customer["id"] in {item["id"] for item in response.json()}


def _exploit_mass_assignment_create(a: Tenant, b: Tenant) -> None:
    created = b.post("/customers", {**customer_body("Bravo"), "account_id": _account(a)})
    assert created.status_code == 201
    assert created.json()["id"] in {customer["id"] for customer in a.get("/customers").json()}


def _exploit_mass_assignment_update(a: Tenant, b: Tenant) -> None:
    moved = b.patch(f"/orders/{b.ids['order']}", {"account_id": _account(a)})
    assert moved.status_code == 200
    assert b.ids["order"] in {order["id"] for order in a.get("/orders").json()}


def _exploit_cache_without_tenant(a: Tenant, b: Tenant) -> None:
    own = a.get("/customers")
    assert own.json()
    response = b.get("/customers")
    assert response.status_code == 200
    # B is served A's address book, without its own contact.
    assert response.json() == own.json()
    assert b.ids["customer"] not in {customer["id"] for customer in response.json()}


def _exploit_cache_before_authz(a: Tenant, b: Tenant) -> None:
    own = a.get(f"/orders/{a.ids['order']}")
    assert own.status_code == 200
    response = b.get(f"/orders/{a.ids['order']}")
    assert response.status_code == 200
    assert response.json() == own.json()


def _exploit_request_state_race(a: Tenant, b: Tenant) -> None:
    answers = concurrent_me([a, b])
    shown = {(caller.account_id, response.json()["id"]) for caller, response in answers}
    assert shown & {(a.account_id, b.account_id), (b.account_id, a.account_id)}
    assert {pair[1] for pair in shown} <= {a.account_id, b.account_id}


def _exploit_cacheable_private_response(a: Tenant, b: Tenant) -> None:
    response = a.get(f"/invoices/{a.ids['invoice']}")
    assert response.status_code == 200
    assert response.json()["billing_company"] == "Alpha"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Vary" not in response.headers


EXPLOITS: dict[str, Callable[[Tenant, Tenant], None]] = {
    "read-by-id": _exploit_read_by_id,
    "list-unfiltered": _exploit_list_unfiltered,
    "write-by-id": _exploit_write_by_id,
    "delete-by-id": _exploit_delete_by_id,
    "nested-child-unchecked": _exploit_nested_child_unchecked,
    "body-reference-unchecked": _exploit_body_reference_unchecked,
    "export-job-unchecked": _exploit_export_job_unchecked,
    "search-across-tenants": _exploit_search_across_tenants,
    "error-message-leak": _exploit_error_message_leak,
    "nested-parent-unchecked": _exploit_nested_parent_unchecked,
    "webhook-secret-leak": _exploit_webhook_secret_leak,
    "delete-then-reuse": _exploit_delete_then_reuse,
    "query-tenant-param": _exploit_query_tenant_param,
    "header-tenant-spoof": _exploit_header_tenant_spoof,
    "mass-assignment-create": _exploit_mass_assignment_create,
    "bulk-ids-unchecked": _exploit_bulk_ids_unchecked,
    "sequential-ids": _exploit_sequential_ids,
    "cache-without-tenant": _exploit_cache_without_tenant,
    "cache-before-authz": _exploit_cache_before_authz,
    "request-state-race": _exploit_request_state_race,
    "cacheable-private-response": _exploit_cacheable_private_response,
    # Last: it moves the attacker's order away, which the exploits above rely on.
    "mass-assignment-update": _exploit_mass_assignment_update,
}


def test_every_vulnerability_has_an_exploit() -> None:
    assert set(EXPLOITS) == set(VULNERABILITIES) == set(SWITCH_PROBES)
    assert all(labels and set(labels) <= set(PROBES) for labels in VULNERABILITIES.values())


@pytest.mark.parametrize("name", VULNERABILITIES)
def test_vulnerability_lets_tenant_b_reach_tenant_a(name: str) -> None:
    victim, attacker = world([name])
    EXPLOITS[name](victim, attacker)


@pytest.mark.parametrize("name", VULNERABILITIES)
def test_without_the_vulnerability_tenant_b_gets_404(name: str) -> None:
    victim, attacker = world(set(VULNERABILITIES) - {name})
    for probe in SWITCH_PROBES[name]:
        response, isolated = probe(victim, attacker)
        assert isolated, f"{response.status_code} {response.text[:200]}"


def test_without_delete_then_reuse_a_deleted_order_is_gone_for_its_owner_too() -> None:
    victim, _ = world(set(VULNERABILITIES) - {"delete-then-reuse"})
    assert victim.get(f"/orders/{victim.ids['deleted_order']}").status_code == 404


def test_all_vulnerabilities_together() -> None:
    victim, attacker = world(vulnerabilities_from_env("all"))
    for exploit in EXPLOITS.values():
        exploit(victim, attacker)


# --- traps: behaviour that looks suspicious but is correct in every configuration --------------

CONFIGURATIONS = [[], *([name] for name in VULNERABILITIES), list(VULNERABILITIES)]
CONFIGURATION_IDS = ["clean", *VULNERABILITIES, "all"]
configurations = pytest.mark.parametrize("enabled", CONFIGURATIONS, ids=CONFIGURATION_IDS)


@configurations
def test_trap_preferences_path_names_a_user_but_the_caller_is_changed(enabled: list[str]) -> None:
    victim, attacker = world(enabled)
    assert victim.get("/me/preferences").json() == DEFAULT_PREFERENCES
    response, isolated = _set_preferences_by_victim_name(victim, attacker)
    assert isolated, f"{response.status_code} {response.text[:200]}"
    assert response.text == ""
    # Any name at all, even one of no user, changes the caller's preferences.
    other = {**PREFERENCES, "marketing_emails": False}
    assert victim.put("/users/nobody-at-all/preferences", other).status_code == 204
    assert victim.get("/me/preferences").json() == other
    assert attacker.get("/me/preferences").json() == PREFERENCES
    assert victim.put(f"/users/{victim.email}/preferences", {**other, "locale": "French"}).status_code == 422
    assert victim.put(f"/users/{victim.email}/preferences", {"locale": "en-GB"}).status_code == 422


@configurations
def test_trap_customers_are_paginated(enabled: list[str]) -> None:
    victim, attacker = world(enabled)
    for index in range(4):
        attacker.post("/customers", {**customer_body("Bravo"), "name": f"Bravo Contact {index}"})
    everything = attacker.get("/customers").json()
    assert len(everything) == 5
    assert attacker.get("/customers", params={"limit": 2}).json() == everything[:2]
    assert attacker.get("/customers", params={"limit": 2, "offset": 2}).json() == everything[2:4]
    assert attacker.get("/customers", params={"offset": 4}).json() == everything[4:]
    assert attacker.get("/customers", params={"offset": 5}).json() == []
    for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "many"}):
        assert attacker.get("/customers", params=bad).status_code == 422, bad
    assert victim.get("/customers", params={"limit": 100}).json() == [
        victim.get(f"/customers/{victim.ids['customer']}").json()
    ]


@configurations
def test_trap_volatile_headers_and_fields(enabled: list[str]) -> None:
    victim, _ = world(enabled)
    responses = [
        victim.get(f"/orders/{victim.ids['order']}"),
        victim.get(f"/orders/{victim.ids['order']}"),
        victim.get("/orders"),
        victim.get("/orders/ord_0000000000000000"),
        victim.client.get("/login"),
        victim.client.get("/dashboard", allow_redirects=False),
        victim.put(f"/users/{victim.email}/preferences", PREFERENCES),
    ]
    request_ids = [response.headers["X-Request-Id"] for response in responses]
    assert all(re.fullmatch(r"req_[0-9a-f]{32}", request_id) for request_id in request_ids)
    assert len(set(request_ids)) == len(request_ids)

    first, second, listed, missing = responses[:4]
    assert re.fullmatch(r'"[0-9a-f]{32}"', first.headers["ETag"])
    assert first.headers["ETag"] == second.headers["ETag"]
    assert "ETag" not in listed.headers
    assert "ETag" not in missing.headers
    victim.patch(f"/orders/{victim.ids['order']}", {"reference": "changed"})
    assert victim.get(f"/orders/{victim.ids['order']}").headers["ETag"] != first.headers["ETag"]

    me = victim.get("/me")
    time.sleep(0.002)
    again = victim.get("/me")
    volatile = {"server_time", "request_nonce"}
    for name in volatile:
        assert me.json()[name] != again.json()[name]
    assert {k: v for k, v in me.json().items() if k not in volatile} == {
        k: v for k, v in again.json().items() if k not in volatile
    }
    assert me.headers["ETag"] != again.headers["ETag"]


@configurations
def test_trap_dashboard_redirects_every_caller_to_the_login_page(enabled: list[str]) -> None:
    victim, attacker = world(enabled)
    for headers in (victim.headers, attacker.headers, {}):
        response = victim.client.get("/dashboard", headers=headers, allow_redirects=False)
        assert response.status_code == 302
        assert response.headers["Location"] == "/login"
        assert response.text == ""
    followed = attacker.get("/dashboard")
    assert followed.status_code == 200
    assert followed.headers["content-type"].startswith("text/html")
    assert followed.text == "<html>Log in</html>"
    # A browser session is what opens the dashboard.
    token = victim.headers["Authorization"].removeprefix("Bearer ")
    session = victim.client.get("/dashboard", cookies={"dispatch_session": token}, allow_redirects=False)
    assert session.status_code == 200
    assert session.text == "<html>Dashboard of Alpha</html>"


@configurations
def test_trap_orders_shared_on_purpose_are_readable_by_the_named_account(enabled: list[str]) -> None:
    victim, attacker = world(enabled)
    created = victim.post(f"/orders/{victim.ids['order']}/shares", {"account_email": attacker.email.upper()})
    assert created.status_code == 201
    share = created.json()
    assert ID["shr"].match(share["id"])
    assert share == {
        "id": share["id"],
        "order_id": victim.ids["order"],
        "account_email": attacker.email.upper(),
    }
    order = victim.get(f"/orders/{victim.ids['order']}").json()
    assert attacker.get("/shared-orders").json() == [order]
    assert victim.get("/shared-orders").json() == []
    # Sharing twice lists the order once; a third account sees nothing.
    victim.post(f"/orders/{victim.ids['order']}/shares", {"account_email": attacker.email})
    assert attacker.get("/shared-orders").json() == [order]
    assert signup(victim.client, "Charlie").get("/shared-orders").json() == []
    assert victim.post(f"/orders/{victim.ids['order']}/shares", {"account_email": "nope"}).status_code == 422
    # Deleting the order ends the share.
    assert victim.delete(f"/orders/{victim.ids['order']}").status_code == 204
    assert attacker.get("/shared-orders").json() == []


@configurations
def test_trap_preferences_are_cached_per_account(enabled: list[str]) -> None:
    victim, attacker = world(enabled)
    app: Any = victim.client.app
    caches = app.state.caches
    assert victim.get("/me/preferences").json() == DEFAULT_PREFERENCES
    assert caches.preferences.get((victim.account_id, "/me/preferences?")) is not None
    # Another account asking for the same path gets its own entry, and a change shows at once.
    assert attacker.put(f"/users/{attacker.email}/preferences", PREFERENCES).status_code == 204
    assert attacker.get("/me/preferences").json() == PREFERENCES
    assert victim.get("/me/preferences").json() == DEFAULT_PREFERENCES
    assert attacker.get("/me/preferences").json() == PREFERENCES


@configurations
def test_trap_the_public_catalogue_may_be_kept_by_any_cache(enabled: list[str]) -> None:
    victim, attacker = world(enabled)
    responses = [victim.client.get("/services"), victim.get("/services"), attacker.get("/services")]
    assert [response.headers["Cache-Control"] for response in responses] == ["public, max-age=300"] * 3
    assert all(response.json() == responses[0].json() for response in responses)
    assert "Alpha" not in responses[1].text


# --- the cache and concurrency bugs in detail ---------------------------------------------------


@pytest.mark.parametrize("on", [True, False], ids=["on", "off"])
def test_cache_without_tenant_serves_whoever_asked_first(on: bool) -> None:
    victim, attacker = world(["cache-without-tenant"] if on else [])
    first = victim.get("/customers").json()
    assert [customer["id"] for customer in first] == [victim.ids["customer"]]
    served_to_attacker = attacker.get("/customers").json()
    assert [customer["id"] for customer in served_to_attacker] == (
        [victim.ids["customer"]] if on else [attacker.ids["customer"]]
    )
    # Another query is another entry; a write to any address book empties the cache.
    assert [c["id"] for c in attacker.get("/customers", params={"limit": 10}).json()] == [
        attacker.ids["customer"]
    ]
    added = attacker.post("/customers", customer_body("Bravo")).json()
    own = [attacker.ids["customer"], added["id"]]
    assert [customer["id"] for customer in attacker.get("/customers").json()] == own
    assert [customer["id"] for customer in victim.get("/customers").json()] == (
        own if on else [victim.ids["customer"]]
    )


@pytest.mark.parametrize("on", [True, False], ids=["on", "off"])
def test_cache_before_authz_lets_another_account_read_an_order_right_after_its_owner(on: bool) -> None:
    victim, attacker = world(["cache-before-authz"] if on else [])
    url = f"/orders/{victim.ids['order']}"
    assert attacker.get(url).status_code == 404
    owned = victim.get(url)
    assert owned.status_code == 200
    after = attacker.get(url)
    assert (after.status_code, after.json()) == (
        (200, owned.json()) if on else (404, {"detail": "Order not found"})
    )
    # A change to the order drops its entry: the check runs again until the owner reads it anew.
    assert victim.patch(url, {"reference": "changed"}).status_code == 200
    assert attacker.get(url).status_code == 404
    assert victim.get(url).json()["reference"] == "changed"
    assert attacker.get(url).status_code == (200 if on else 404)
    assert (
        victim.post("/labels", {"order_id": victim.ids["order"], "service_code": "economy"}).status_code
        == 201
    )
    assert victim.get(url).json()["status"] == "labelled"
    assert victim.delete(url).status_code == 204
    assert attacker.get(url).status_code == 404
    assert victim.get(url).status_code == 404


@pytest.mark.parametrize("on", [True, False], ids=["on", "off"])
def test_request_state_race_hands_one_caller_another_account(on: bool) -> None:
    victim, attacker = world(["request-state-race"] if on else [])
    answers = concurrent_me([victim, attacker])
    assert len(answers) == 60
    wrong = [caller.name for caller, response in answers if response.json()["id"] != caller.account_id]
    if on:
        assert wrong
    else:
        assert wrong == []
    assert {response.json()["company_name"] for _, response in answers} <= {"Alpha", "Bravo"}
    # One call at a time, the account is always the caller's own.
    for tenant in (victim, attacker):
        assert tenant.get("/me").json()["id"] == tenant.account_id


@pytest.mark.parametrize("on", [True, False], ids=["on", "off"])
def test_cacheable_private_response_marks_an_invoice_public(on: bool) -> None:
    victim, attacker = world(["cacheable-private-response"] if on else [])
    response = victim.get(f"/invoices/{victim.ids['invoice']}")
    assert response.status_code == 200
    # The invoice names whose it is: a shared cache serving it on shows the victim's company.
    assert response.json()["billing_company"] == "Alpha"
    assert response.headers["Cache-Control"] == ("public, max-age=60" if on else "private, no-store")
    assert "Vary" not in response.headers
    assert attacker.get(f"/invoices/{victim.ids['invoice']}").status_code == 404
