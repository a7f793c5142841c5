"""Tests of the Dispatch example API: happy paths, tenant isolation and the switchable isolation bugs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from schemathesis.python.asgi import ASGIClient

from examples.dispatch_api import VULNERABILITIES, create_app, vulnerabilities_from_env

ID = {
    prefix: re.compile(rf"^{prefix}_[0-9a-f]{{16}}$") for prefix in ("acc", "ord", "prc", "lbl", "inv", "cus")
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
    tenant.ids["invoice"] = tenant.get("/invoices").json()[0]["id"]
    customer = tenant.post("/customers", customer_body(tenant.name))
    assert customer.status_code == 201, customer.text
    tenant.ids["customer"] = customer.json()["id"]
    return tenant


def world(vulnerabilities: Iterable[str] = ()) -> tuple[Tenant, Tenant]:
    """A fresh app with a seeded victim (A) and a seeded attacker (B)."""
    client = make_client(vulnerabilities)
    return seed(signup(client, "Alpha")), seed(signup(client, "Bravo"))


def label_of(method: str, path: str) -> str:
    return f"{method} {path}"


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
    me = client.get("/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"})
    assert me.json() == account


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
    assert tenant.get(f"/customers/{customer['id']}").status_code == 404
    assert tenant.get("/customers").json() == []


def test_openapi_document() -> None:
    client = make_client()
    document = client.get("/openapi.json").json()
    operations = {
        label_of(method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert len(operations) >= 12
    for labels in VULNERABILITIES.values():
        assert set(labels) <= set(operations)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Access token from `POST /auth/login`.",
    }
    public = {"POST /accounts", "POST /auth/login", "GET /services"}
    for label, operation in operations.items():
        assert ("security" in operation) == (label not in public), label
        success = [code for code in operation["responses"] if code.startswith("2")]
        assert len(success) == 1, label
        if success != ["204"]:
            assert "schema" in operation["responses"][success[0]]["content"]["application/json"], label


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


def _not_found(response: requests.Response) -> tuple[requests.Response, bool]:
    return response, response.status_code == 404


def _excludes(victim: Tenant, response: requests.Response) -> tuple[requests.Response, bool]:
    leaked = victim.name in response.text or any(value in response.text for value in victim.ids.values())
    return response, response.status_code == 200 and not leaked


PROBES: dict[str, Probe] = {
    "GET /orders": lambda a, b: _excludes(a, b.get("/orders")),
    "GET /orders/{order_id}": lambda a, b: _not_found(b.get(f"/orders/{a.ids['order']}")),
    "PATCH /orders/{order_id}": lambda a, b: _not_found(
        b.patch(f"/orders/{a.ids['order']}", {"recipient_name": "Changed by Bravo"})
    ),
    "DELETE /orders/{order_id}": lambda a, b: _not_found(b.delete(f"/orders/{a.ids['order']}")),
    "POST /orders/{order_id}/parcels": lambda a, b: _not_found(
        b.post(f"/orders/{a.ids['order']}/parcels", PARCEL)
    ),
    "GET /orders/{order_id}/parcels": lambda a, b: _not_found(b.get(f"/orders/{a.ids['order']}/parcels")),
    "GET /orders/{order_id}/parcels/{parcel_id}": lambda a, b: _not_found(
        b.get(f"/orders/{b.ids['order']}/parcels/{a.ids['parcel']}")
    ),
    "GET /parcels/{parcel_id}/tracking": lambda a, b: _not_found(
        b.get(f"/parcels/{a.ids['parcel']}/tracking")
    ),
    "POST /labels": lambda a, b: _not_found(
        b.post("/labels", {"order_id": a.ids["order"], "service_code": "express"})
    ),
    "GET /labels/{label_id}": lambda a, b: _not_found(b.get(f"/labels/{a.ids['label']}")),
    "GET /invoices": lambda a, b: _excludes(a, b.get("/invoices")),
    "GET /invoices/{invoice_id}": lambda a, b: _not_found(b.get(f"/invoices/{a.ids['invoice']}")),
    "GET /customers": lambda a, b: _excludes(a, b.get("/customers")),
    "GET /customers/{customer_id}": lambda a, b: _not_found(b.get(f"/customers/{a.ids['customer']}")),
    "PUT /customers/{customer_id}": lambda a, b: _not_found(
        b.put(f"/customers/{a.ids['customer']}", customer_body("Bravo"))
    ),
    "DELETE /customers/{customer_id}": lambda a, b: _not_found(b.delete(f"/customers/{a.ids['customer']}")),
}


def _victim_snapshot(victim: Tenant) -> dict[str, Any]:
    return {
        "orders": victim.get("/orders").json(),
        "parcels": victim.get(f"/orders/{victim.ids['order']}/parcels").json(),
        "customers": victim.get("/customers").json(),
        "invoices": victim.get("/invoices").json(),
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


def test_every_operation_with_a_foreign_reference_is_probed() -> None:
    document = make_client().get("/openapi.json").json()
    operations = {
        label_of(method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    unscoped = {
        "POST /accounts",
        "POST /auth/login",
        "GET /services",
        "GET /me",
        "POST /orders",
        "POST /customers",
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


EXPLOITS: dict[str, Callable[[Tenant, Tenant], None]] = {
    "read-by-id": _exploit_read_by_id,
    "list-unfiltered": _exploit_list_unfiltered,
    "write-by-id": _exploit_write_by_id,
    "delete-by-id": _exploit_delete_by_id,
    "nested-child-unchecked": _exploit_nested_child_unchecked,
    "body-reference-unchecked": _exploit_body_reference_unchecked,
}


def test_every_vulnerability_has_an_exploit() -> None:
    assert set(EXPLOITS) == set(VULNERABILITIES)
    assert all(len(labels) == 1 for labels in VULNERABILITIES.values())


@pytest.mark.parametrize("name", VULNERABILITIES)
def test_vulnerability_lets_tenant_b_reach_tenant_a(name: str) -> None:
    victim, attacker = world([name])
    EXPLOITS[name](victim, attacker)


@pytest.mark.parametrize("name", VULNERABILITIES)
def test_without_the_vulnerability_tenant_b_gets_404(name: str) -> None:
    victim, attacker = world(set(VULNERABILITIES) - {name})
    (label,) = VULNERABILITIES[name]
    response, isolated = PROBES[label](victim, attacker)
    assert isolated, f"{response.status_code} {response.text[:200]}"


def test_all_vulnerabilities_together() -> None:
    victim, attacker = world(vulnerabilities_from_env("all"))
    for exploit in EXPLOITS.values():
        exploit(victim, attacker)
