"""Isolation tests a developer of Dispatch would write, using isolation-harness's fixtures.

Run against the Dispatch example API in-process:

    pytest examples/dispatch_tests \\
        --isolation-schema=examples.dispatch_api:app \\
        --isolation-config=examples/dispatch_api/isolation.toml \\
        --isolation-campaign=off

Each tenant tags its data with ``tenant.tag(...)``, so any response that carries it to another
tenant is caught, whatever its status.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from isolation_harness import (
    Tenant,
    TenantRegistry,
    assert_cache_private,
    assert_cannot_delete,
    assert_cannot_modify,
    assert_cannot_read,
    expect_isolated,
)
from isolation_harness.strategies import foreign_paths


def create_order(tenant: Tenant) -> dict[str, Any]:
    response = tenant.client.post(
        "/orders",
        json={
            "recipient_name": tenant.tag(tenant.fake.name()),
            "recipient_phone": "+15550100200",
            "recipient_address": {
                "street": tenant.tag(tenant.fake.street_address()),
                "city": tenant.fake.city(),
                "postcode": "12345",
                "country": "GB",
            },
            "items": [{"description": tenant.tag("books"), "quantity": 2, "weight_grams": 800}],
        },
    )
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


def create_customer(tenant: Tenant) -> dict[str, Any]:
    response = tenant.client.post(
        "/customers",
        json={
            "name": tenant.tag(tenant.fake.name()),
            "email": f"{tenant.canary}@example.com",
            "phone": "+15550100300",
            "address": {
                "street": tenant.tag("1 High St"),
                "city": "Leeds",
                "postcode": "LS1 1AA",
                "country": "GB",
            },
        },
    )
    assert response.status_code == 201, response.text
    customer: dict[str, Any] = response.json()
    return customer


def test_a_business_cannot_read_another_business_order(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    order = create_order(alice)
    assert_cannot_read(bob, f"/orders/{order['id']}", owner=alice)


def test_order_lists_hold_only_the_callers_orders(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    create_order(alice)
    create_order(bob)
    with expect_isolated(alice, bob):
        assert len(alice.client.get("/orders").json()) == 1
        assert len(bob.client.get("/orders").json()) == 1


def test_a_business_cannot_change_another_business_order(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    order = create_order(alice)
    assert_cannot_modify(
        bob, "PATCH", f"/orders/{order['id']}", json={"recipient_name": bob.tag("Mallory")}, owner=alice
    )


def test_a_business_cannot_delete_another_business_customer(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    customer = create_customer(alice)
    assert_cannot_delete(bob, f"/customers/{customer['id']}", owner=alice)


def test_a_label_cannot_be_bought_for_another_business_order(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    order = create_order(alice)
    assert_cannot_read(
        bob, "/labels", method="POST", json={"order_id": order["id"], "service_code": "standard"}, owner=alice
    )
    assert_cannot_modify(
        bob,
        "POST",
        "/labels",
        json={"order_id": order["id"], "service_code": "standard"},
        owner=alice,
        read_url=f"/orders/{order['id']}",
    )


def test_invoices_are_per_business(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    order = create_order(alice)
    alice.client.post("/labels", json={"order_id": order["id"], "service_code": "express"})
    invoice = alice.client.get("/invoices").json()[0]
    assert_cannot_read(bob, f"/invoices/{invoice['id']}", owner=alice)
    with expect_isolated(bob):
        assert bob.client.get("/invoices").json() == []


def test_an_export_is_only_for_the_business_that_asked(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    create_order(alice)
    job = alice.client.post("/exports", json={"kind": "orders"}).json()
    assert alice.client.get(f"/exports/{job['id']}").json()["status"] == "done"
    assert_cannot_read(bob, f"/exports/{job['id']}", owner=alice)
    assert_cannot_read(bob, f"/exports/{job['id']}/download", owner=alice)


def test_search_finds_only_the_callers_orders(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    order = create_order(alice)
    word = order["recipient_name"].split()[0]
    with expect_isolated(bob):
        bob.client.get("/orders/search", params={"q": word})


def test_a_refusal_names_nobody(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    customer = create_customer(alice)
    response = assert_cannot_read(bob, f"/customers/{customer['id']}", owner=alice)
    assert response.status_code == 404


def test_parcels_of_another_business_order_are_not_listed(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    order = create_order(alice)
    alice.client.post(
        f"/orders/{order['id']}/parcels",
        json={
            "weight_grams": 500,
            "length_cm": 10,
            "width_cm": 10,
            "height_cm": 10,
            "contents_description": alice.tag("tea"),
        },
    )
    assert_cannot_read(bob, f"/orders/{order['id']}/parcels", owner=alice)


def test_a_webhook_and_its_secret_stay_with_its_owner(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    hook = alice.client.post(
        "/webhooks", json={"url": f"https://hooks.example.com/{alice.canary}", "events": ["order.created"]}
    ).json()
    assert_cannot_read(bob, f"/webhooks/{hook['id']}", owner=alice)


def test_a_deleted_order_is_gone_for_everyone(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    order = create_order(alice)
    assert alice.client.delete(f"/orders/{order['id']}").status_code == 204
    assert_cannot_read(bob, f"/orders/{order['id']}", owner=alice)


def account_id(tenant: Tenant) -> str:
    identifier: str = tenant.client.get("/me").json()["id"]
    return identifier


def test_invoices_of_another_account_cannot_be_asked_for(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    order = create_order(alice)
    alice.client.post("/labels", json={"order_id": order["id"], "service_code": "economy"})
    assert_cannot_read(bob, f"/invoices?account_id={account_id(alice)}", owner=alice)


def test_an_account_header_cannot_override_the_token(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    create_customer(alice)
    with expect_isolated(bob):
        bob.client.get("/customers", headers={"X-Account-Id": account_id(alice)})


def test_a_contact_cannot_be_created_in_another_account(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    body = {
        "name": bob.tag("Eve"),
        "email": f"{bob.canary}@example.com",
        "phone": "+15550100400",
        "address": {"street": "2 Low St", "city": "York", "postcode": "YO1 1AA", "country": "GB"},
        "account_id": account_id(alice),
    }
    assert_cannot_modify(bob, "POST", "/customers", json=body, owner=alice, read_url="/customers")


def test_an_order_cannot_be_moved_into_another_account(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    order = create_order(bob)
    assert_cannot_modify(
        bob,
        "PATCH",
        f"/orders/{order['id']}",
        json={"account_id": account_id(alice)},
        owner=alice,
        read_url="/orders",
    )


def test_a_bulk_lookup_returns_only_the_callers_orders(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    mine, theirs = create_order(bob), create_order(alice)
    with expect_isolated(bob):
        found = bob.client.post("/orders/lookup", json={"order_ids": [mine["id"], theirs["id"]]}).json()
    assert [order["id"] for order in found] == [mine["id"]]


def test_the_receipt_after_yours_is_not_readable(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    label = bob.client.post("/labels", json={"order_id": create_order(bob)["id"], "service_code": "standard"})
    alice.client.post("/labels", json={"order_id": create_order(alice)["id"], "service_code": "standard"})
    # Receipt numbers run in one sequence: alice's is the next one after bob's.
    assert_cannot_read(bob, f"/receipts/{label.json()['receipt_id'] + 1}", owner=alice)


def test_an_order_its_owner_just_read_stays_unreadable_to_another_business(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    order = create_order(alice)
    # The owner's read may leave the order in a cache: the next caller must not be answered from it.
    alice.client.get(f"/orders/{order['id']}")
    assert_cannot_read(bob, f"/orders/{order['id']}", owner=alice)


def test_an_address_book_page_read_by_one_business_is_not_served_to_another(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    create_customer(alice)
    create_customer(bob)
    alice.client.get("/customers")
    with expect_isolated(bob):
        bob.client.get("/customers")


def test_concurrent_callers_each_get_their_own_account(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    with expect_isolated(alice, bob), ThreadPoolExecutor(max_workers=8) as pool:
        # Eight calls at once: state shared between requests would hand one caller the other's account.
        list(pool.map(lambda tenant: tenant.client.get("/me"), [alice, bob] * 4))


def test_an_invoice_is_never_left_in_a_shared_cache(tenants: TenantRegistry) -> None:
    alice = tenants.create()
    order = create_order(alice)
    alice.client.post("/labels", json={"order_id": order["id"], "service_code": "express"})
    invoice = alice.client.get("/invoices").json()[0]
    assert_cache_private(alice, f"/invoices/{invoice['id']}")


@pytest.mark.isolation
def test_every_response_in_a_marked_test_is_checked(tenants: TenantRegistry) -> None:
    alice, bob = tenants.create(2)
    order = create_order(alice)
    parcel = alice.client.post(
        f"/orders/{order['id']}/parcels",
        json={
            "weight_grams": 500,
            "length_cm": 10,
            "width_cm": 10,
            "height_cm": 10,
            "contents_description": alice.tag("toys"),
        },
    ).json()
    own = create_order(bob)
    # Bob's own order with Alice's parcel id: the parcel must not be found under it.
    assert bob.client.get(f"/orders/{own['id']}/parcels/{parcel['id']}").status_code == 404
    assert bob.client.get("/services").status_code == 200


def test_named_tenants(tenants: TenantRegistry) -> None:
    acme = tenants.create(name="acme")
    assert tenants["acme"] is acme
    assert acme.canary in acme.tag("x")
    assert acme.client.get("/me").json()["company_name"] == acme.identity.company


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=__import__("hypothesis").strategies.data())
def test_no_foreign_order_path_is_readable(session_tenants: TenantRegistry, data: Any) -> None:
    if "owner" not in session_tenants:
        owner = session_tenants.create(name="owner")
        session_tenants.create(name="intruder")
        for _ in range(3):
            create_order(owner)
    owner, intruder = session_tenants["owner"], session_tenants["intruder"]
    path = data.draw(foreign_paths("/orders/{order_id}", owner))
    assert_cannot_read(intruder, path, owner=owner)
