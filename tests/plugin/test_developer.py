"""Developers' isolation assertions: the example suite passes on clean Dispatch and each assertion
fails with its documented message against the matching bug, in-process and over HTTP, with every
provisioner."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_support import DISPATCH, DISPATCH_CONFIG, REPO, STATIC_ACCOUNTS, DispatchServer, lit, secrets_in

from examples.dispatch_api import VULNERABILITIES

EXAMPLE_SUITE = REPO / "examples" / "dispatch_tests" / "test_dispatch_isolation.py"
OPTIONS = (
    f"--isolation-schema={DISPATCH}",
    f"--isolation-config={DISPATCH_CONFIG}",
    "--isolation-campaign=off",
)


def _copy_suite(project: pytest.Pytester) -> None:
    (project.path / EXAMPLE_SUITE.name).write_text(EXAMPLE_SUITE.read_text())


def test_the_example_suite_passes_against_clean_dispatch(project: pytest.Pytester) -> None:
    _copy_suite(project)
    result = project.runpytest_subprocess(*OPTIONS)
    result.assert_outcomes(passed=25)
    # campaign = off: only the developer's tests, no campaign items.
    result.stdout.no_fnmatch_line("*isolation::*")


EXPECTED = {
    "read-by-id": (
        "test_a_business_cannot_read_another_business_order",
        [
            "E   *IsolationViolation: tenant-* could read tenant-*'s data: GET /orders/ord_* answered HTTP 200 "
            "with tenant-*'s canary ih* in body /recipient_name: * (and 2 more)",
            "E*reproduce:",
            'E*curl -sS -X GET http://testserver/orders/ord_* -H "Authorization: Bearer $TENANT_*_TOKEN"',
        ],
    ),
    "list-unfiltered": (
        "test_order_lists_hold_only_the_callers_orders",
        [
            "E   *IsolationViolation: tenant-* received tenant-*'s data: GET /orders answered HTTP 200 "
            "with tenant-*'s canary ih* in body /?/recipient_name: *",
        ],
    ),
    "write-by-id": (
        "test_a_business_cannot_change_another_business_order",
        [
            "E   *IsolationViolation: tenant-* could change tenant-*'s data: PATCH /orders/ord_* answered HTTP 200, "
            "then tenant-* re-read /orders/ord_*: /recipient_name changed from * to 'Mallory ih*'*",
            "E*reproduce:",
            'E*curl -sS -X PATCH http://testserver/orders/ord_* *--data \'{"recipient_name": "Mallory ih*"}\'',
        ],
    ),
    "delete-by-id": (
        "test_a_business_cannot_delete_another_business_customer",
        [
            "E   *IsolationViolation: tenant-* could delete tenant-*'s data: DELETE /customers/cus_* answered "
            "HTTP 204, then tenant-* re-read /customers/cus_* answered 200 before, 404 after",
        ],
    ),
    "body-reference-unchecked": (
        "test_a_label_cannot_be_bought_for_another_business_order",
        [
            "E   *IsolationViolation: tenant-* could read tenant-*'s data: POST /labels answered HTTP 201 "
            "with tenant-*'s canary ih* in body /recipient_name: *",
        ],
    ),
    "nested-child-unchecked": (
        "test_every_response_in_a_marked_test_is_checked",
        [
            "E   *IsolationViolation: tenant-* received tenant-*'s data: GET /orders/ord_*/parcels/prc_* "
            "answered HTTP 200 with tenant-*'s canary ih* in body /contents_description: toys ih*",
        ],
    ),
    "export-job-unchecked": (
        "test_an_export_is_only_for_the_business_that_asked",
        [
            "E   *IsolationViolation: tenant-* could read tenant-*'s data: GET /exports/exp_* answered HTTP 200 "
            "with tenant-*'s canary ih* in body /requested_by: ih*",
        ],
    ),
    "search-across-tenants": (
        "test_search_finds_only_the_callers_orders",
        [
            "E   *IsolationViolation: tenant-* received tenant-*'s data: GET /orders/search?q=* answered HTTP 200 "
            "with tenant-*'s canary ih* in body /0/recipient_name: *",
        ],
    ),
    "error-message-leak": (
        "test_a_refusal_names_nobody",
        [
            "E   *IsolationViolation: tenant-* could read tenant-*'s data: GET /customers/cus_* answered HTTP 404 "
            "with tenant-*'s canary ih* in body /detail: *",
        ],
    ),
    "nested-parent-unchecked": (
        "test_parcels_of_another_business_order_are_not_listed",
        [
            "E   *IsolationViolation: tenant-* could read tenant-*'s data: GET /orders/ord_*/parcels answered "
            "HTTP 200 with tenant-*'s canary ih* in body /0/contents_description: tea ih*",
        ],
    ),
    "webhook-secret-leak": (
        "test_a_webhook_and_its_secret_stay_with_its_owner",
        [
            "E   *IsolationViolation: tenant-* could read tenant-*'s data: GET /webhooks/whk_* answered HTTP 200 "
            "with tenant-*'s canary ih* in body /url: https://hooks.example.com/ih*",
        ],
    ),
    "delete-then-reuse": (
        "test_a_deleted_order_is_gone_for_everyone",
        [
            "E   *IsolationViolation: tenant-* could read tenant-*'s data: GET /orders/ord_* answered HTTP 200 "
            "with tenant-*'s canary ih* in body /recipient_name: *",
        ],
    ),
    "query-tenant-param": (
        "test_invoices_of_another_account_cannot_be_asked_for",
        [
            "E   *IsolationViolation: tenant-* could read tenant-*'s data: GET /invoices?account_id=acc_* answered "
            "HTTP 200 with tenant-*'s canary ih* in body /0/billing_company: *",
        ],
    ),
    "header-tenant-spoof": (
        "test_an_account_header_cannot_override_the_token",
        [
            "E   *IsolationViolation: tenant-* received tenant-*'s data: GET /customers answered HTTP 200 "
            "with tenant-*'s canary ih* in body /0/name: *",
        ],
    ),
    "mass-assignment-create": (
        "test_a_contact_cannot_be_created_in_another_account",
        [
            "E   *IsolationViolation: tenant-* could change tenant-*'s data: POST /customers answered HTTP 201, "
            "then tenant-* re-read /customers: a new object id=cus_* appeared in the list",
        ],
    ),
    "bulk-ids-unchecked": (
        "test_a_bulk_lookup_returns_only_the_callers_orders",
        [
            "E   *IsolationViolation: tenant-* received tenant-*'s data: POST /orders/lookup answered HTTP 200 "
            "with tenant-*'s canary ih* in body /1/recipient_name: *",
        ],
    ),
    "sequential-ids": (
        "test_the_receipt_after_yours_is_not_readable",
        [
            "E   *IsolationViolation: tenant-* could read tenant-*'s data: GET /receipts/* answered HTTP 200 "
            "with tenant-*'s canary ih* in body /recipient_name: *",
        ],
    ),
    "mass-assignment-update": (
        "test_an_order_cannot_be_moved_into_another_account",
        [
            "E   *IsolationViolation: tenant-* could change tenant-*'s data: PATCH /orders/ord_* answered HTTP 200, "
            "then tenant-* re-read /orders: a new object id=ord_* appeared in the list",
        ],
    ),
    "cache-before-authz": (
        "test_an_order_its_owner_just_read_stays_unreadable_to_another_business",
        [
            "E   *IsolationViolation: tenant-* could read tenant-*'s data: GET /orders/ord_* answered HTTP 200 "
            "with tenant-*'s canary ih* in body /recipient_name: * (and 2 more)",
        ],
    ),
    "cache-without-tenant": (
        "test_an_address_book_page_read_by_one_business_is_not_served_to_another",
        [
            "E   *IsolationViolation: tenant-* received tenant-*'s data: GET /customers answered HTTP 200 "
            "with tenant-*'s canary ih* in body /0/name: * (and 2 more)",
        ],
    ),
    "request-state-race": (
        "test_concurrent_callers_each_get_their_own_account",
        [
            "E   *IsolationViolation: tenant-* received tenant-*'s data: GET /me answered HTTP 200 "
            "with tenant-*'s canary ih* in body /company_name: * (and 1 more)",
        ],
    ),
    "cacheable-private-response": (
        "test_an_invoice_is_never_left_in_a_shared_cache",
        [
            "E   *IsolationViolation: tenant-*'s own data may be kept by a shared cache and served to others: "
            "GET /invoices/inv_* answered HTTP 200 holding it, and says Cache-Control: public, max-age=60, no Vary",
            'E*curl -sS -X GET http://testserver/invoices/inv_* -H "Authorization: Bearer $TENANT_*_TOKEN"',
        ],
    ),
}


def test_every_bug_has_an_assertion_that_catches_it() -> None:
    assert set(EXPECTED) == set(VULNERABILITIES)


@pytest.mark.parametrize("bug", sorted(EXPECTED))
def test_each_assertion_fails_with_its_message_against_its_bug(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, bug: str
) -> None:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", bug)
    _copy_suite(project)
    test_name, lines = EXPECTED[bug]
    result = project.runpytest_subprocess(*OPTIONS)
    failed = {line.split("::")[1].split(" ")[0] for line in result.outlines if line.startswith("FAILED ")}
    # The read-by-id bug is also what the property-based test draws against, and reads an order its owner
    # has just read as well as any other.
    also = (
        {
            "test_no_foreign_order_path_is_readable",
            "test_an_order_its_owner_just_read_stays_unreadable_to_another_business",
        }
        if bug == "read-by-id"
        else set()
    )
    assert failed == {test_name} | also
    result.stdout.fnmatch_lines(lines)
    assert "Bearer ey" not in result.stdout.str()


def test_over_http_with_static_accounts(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, dispatch_server: DispatchServer
) -> None:
    monkeypatch.setenv("ACME_TOKEN", dispatch_server.tokens["acme"])
    monkeypatch.setenv("GLOBEX_TOKEN", dispatch_server.tokens["globex"])
    project.makefile(".toml", isolation=STATIC_ACCOUNTS)
    project.makepyfile(
        test_static="""
        from isolation_harness import assert_cannot_read, expect_isolated

        def test_static_tenants_over_http(tenants):
            acme, globex = tenants.create(name="acme"), tenants.create(name="globex")
            order = acme.client.post("/orders", json={
                "recipient_name": acme.tag("Ada"), "recipient_phone": "+15550100200",
                "recipient_address": {"street": "1 Main", "city": "Leeds", "postcode": "LS1", "country": "GB"},
                "items": [{"description": "books", "quantity": 1, "weight_grams": 10}],
            }).json()
            with expect_isolated(acme):
                assert acme.client.get("/orders").status_code == 200
            assert_cannot_read(globex, f"/orders/{order['id']}", owner=acme)
        """
    )
    result = project.runpytest_subprocess(
        f"--isolation-schema={dispatch_server.base_url}/openapi.json",
        f"--isolation-config={project.path / 'isolation.toml'}",
        "--isolation-campaign=off",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E   *IsolationViolation: globex could read acme's data: GET /orders/ord_* answered HTTP 200 with "
            "acme's canary ih* in body /recipient_name: Ada ih*",
            "E*"
            + lit("curl -sS -X GET ")
            + f"{dispatch_server.base_url}/orders/ord_* "
            + lit('-H "Authorization: Bearer $GLOBEX_TOKEN"'),
        ]
    )
    assert secrets_in(result.stdout.str(), list(dispatch_server.tokens.values())) == []


HOOK_CONFTEST = """
def pytest_isolation_provision(tenant, context):
    session = context.anonymous_session()
    identity = tenant.identity
    credentials = {"email": identity.email, "password": identity.password}
    session.post("/accounts", json={"company_name": identity.company, **credentials})
    return session.post("/auth/login", json=credentials).json()["access_token"]
"""


@pytest.mark.parametrize("bug", ["none", "read-by-id"])
def test_with_a_conftest_hook_provisioner(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, bug: str
) -> None:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", bug)
    project.makeconftest(HOOK_CONFTEST)
    _copy_suite(project)
    result = project.runpytest_subprocess(
        f"--isolation-schema={DISPATCH}", "--isolation-campaign=off", "-k", "cannot_read_another"
    )
    if bug == "none":
        result.assert_outcomes(passed=1, deselected=24)
    else:
        result.assert_outcomes(failed=1, deselected=24)
        result.stdout.fnmatch_lines(
            ["E   *IsolationViolation: tenant-* could read tenant-*'s data: GET /orders/*"]
        )


def test_fixtures_without_an_api_say_how_to_configure_one(project: pytest.Pytester) -> None:
    project.makepyfile("def test_needs_tenants(tenants):\n    tenants.create()\n")
    result = project.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ConfigurationError: The tenants fixtures need an API and a way to create tenants: pass "
            "--isolation-schema and --isolation-config*"
        ]
    )


def test_registry_arguments_are_validated(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        import pytest

        def test_bad_count(tenants):
            with pytest.raises(ValueError, match=r"create\\(count=0\\): count must be a whole number of at least 1."):
                tenants.create(0)
            with pytest.raises(KeyError, match="No tenant named 'nobody'"):
                tenants["nobody"]
        """
    )
    result = project.runpytest_subprocess(*OPTIONS)
    result.assert_outcomes(passed=1)


def test_suite_file_is_the_documented_one() -> None:
    assert Path(EXAMPLE_SUITE).is_file()


THREADED_TESTS = """
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import pytest

from isolation_harness import expect_isolated


def test_a_pool_the_test_never_reads_from(tenants):
    alice, bob = tenants.create(2)
    with expect_isolated(alice, bob), ThreadPoolExecutor(max_workers=8) as pool:
        wait([pool.submit(tenant.client.get, "/me") for tenant in [alice, bob] * 4])


@pytest.mark.isolation
def test_threads_in_a_marked_test(tenants):
    alice, bob = tenants.create(2)
    threads = [threading.Thread(target=tenant.client.get, args=("/me",)) for tenant in [alice, bob] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
"""


@pytest.mark.parametrize("bug", ["none", "request-state-race"])
def test_a_leak_a_thread_received_fails_the_test_though_the_test_never_waited_on_it(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, bug: str
) -> None:
    monkeypatch.setenv("DISPATCH_VULNERABILITIES", bug)
    project.makepyfile(test_threads=THREADED_TESTS)
    result = project.runpytest_subprocess(*OPTIONS, "-p", "no:threadexception")
    if bug == "none":
        result.assert_outcomes(passed=2)
        return
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        ["E   *IsolationViolation: tenant-* received tenant-*'s data: GET /me answered HTTP 200 with *"]
    )
