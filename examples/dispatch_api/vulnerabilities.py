"""Deliberate tenant-isolation bugs that can be switched on by name.

Each name maps to the operation labels ("METHOD /path") whose responses or effects become wrong when the
bug is on; every other operation keeps behaving correctly.
"""

from __future__ import annotations

from collections.abc import Iterable

READ_BY_ID = "read-by-id"
LIST_UNFILTERED = "list-unfiltered"
WRITE_BY_ID = "write-by-id"
DELETE_BY_ID = "delete-by-id"
NESTED_CHILD_UNCHECKED = "nested-child-unchecked"
BODY_REFERENCE_UNCHECKED = "body-reference-unchecked"
EXPORT_JOB_UNCHECKED = "export-job-unchecked"
SEARCH_ACROSS_TENANTS = "search-across-tenants"
ERROR_MESSAGE_LEAK = "error-message-leak"
NESTED_PARENT_UNCHECKED = "nested-parent-unchecked"
WEBHOOK_SECRET_LEAK = "webhook-secret-leak"
DELETE_THEN_REUSE = "delete-then-reuse"
BULK_IDS_UNCHECKED = "bulk-ids-unchecked"
SEQUENTIAL_IDS = "sequential-ids"

QUERY_TENANT_PARAM = "query-tenant-param"
HEADER_TENANT_SPOOF = "header-tenant-spoof"
MASS_ASSIGNMENT_CREATE = "mass-assignment-create"
MASS_ASSIGNMENT_UPDATE = "mass-assignment-update"

CACHE_WITHOUT_TENANT = "cache-without-tenant"
CACHE_BEFORE_AUTHZ = "cache-before-authz"
REQUEST_STATE_RACE = "request-state-race"
CACHEABLE_PRIVATE_RESPONSE = "cacheable-private-response"

VULNERABILITIES: dict[str, list[str]] = {
    # Reads an order by id without checking that the caller owns it.
    READ_BY_ID: ["GET /orders/{order_id}"],
    # Lists the orders of every account.
    LIST_UNFILTERED: ["GET /orders"],
    # Updates any order by id; the response shows the updated order.
    WRITE_BY_ID: ["PATCH /orders/{order_id}"],
    # Deletes any address-book entry by id.
    DELETE_BY_ID: ["DELETE /customers/{customer_id}"],
    # Checks that the caller owns the order, then loads the parcel by id alone.
    NESTED_CHILD_UNCHECKED: ["GET /orders/{order_id}/parcels/{parcel_id}"],
    # Buys a label for the order id in the body without checking who owns that order.
    BODY_REFERENCE_UNCHECKED: ["POST /labels"],
    # Polls and downloads any export job by id, whoever requested it.
    EXPORT_JOB_UNCHECKED: ["GET /exports/{export_id}", "GET /exports/{export_id}/download"],
    # Searches the orders of every account.
    SEARCH_ACROSS_TENANTS: ["GET /orders/search"],
    # The 404 for another account's contact names that account's company and email.
    ERROR_MESSAGE_LEAK: ["GET /customers/{customer_id}"],
    # Lists the parcels of any order id without checking who owns the order.
    NESTED_PARENT_UNCHECKED: ["GET /orders/{order_id}/parcels"],
    # Reads any webhook by id, signing secret included.
    WEBHOOK_SECRET_LEAK: ["GET /webhooks/{webhook_id}"],
    # A deleted order can still be read by id, by any account.
    DELETE_THEN_REUSE: ["GET /orders/{order_id}"],
    # Looks up several orders by the ids in the body without checking who owns each.
    BULK_IDS_UNCHECKED: ["POST /orders/lookup"],
    # Receipts are numbered in one sequence for the whole service, and any number can be read.
    SEQUENTIAL_IDS: ["GET /receipts/{receipt_id}"],
    # `account_id` in the query selects whose invoices are listed.
    QUERY_TENANT_PARAM: ["GET /invoices"],
    # An `X-Account-Id` header selects whose address book is listed, whatever the token says.
    HEADER_TENANT_SPOOF: ["GET /customers"],
    # `account_id` in the body creates the contact in that account.
    MASS_ASSIGNMENT_CREATE: ["POST /customers"],
    # `account_id` in the body moves the caller's order into that account.
    MASS_ASSIGNMENT_UPDATE: ["PATCH /orders/{order_id}"],
    # Address-book pages are cached by path and query alone: the next account to ask gets the last one's.
    CACHE_WITHOUT_TENANT: ["GET /customers"],
    # Order details are cached by id and served from the cache before the ownership check.
    CACHE_BEFORE_AUTHZ: ["GET /orders/{order_id}"],
    # The caller's account is kept in app-wide state across an await: concurrent calls swap accounts.
    REQUEST_STATE_RACE: ["GET /me"],
    # Invoices are sent as cacheable by shared caches (`Cache-Control: public`), so a proxy serves them on.
    CACHEABLE_PRIVATE_RESPONSE: ["GET /invoices/{invoice_id}"],
}

ENV_VAR = "DISPATCH_VULNERABILITIES"


def validate_vulnerabilities(names: Iterable[str]) -> frozenset[str]:
    """Return `names` as a frozenset, raising ValueError if any name is unknown."""
    if isinstance(names, str):
        raise TypeError(f"expected a collection of vulnerability names, not the string {names!r}")
    selected = frozenset(names)
    unknown = sorted(selected - VULNERABILITIES.keys())
    if unknown:
        raise ValueError(
            f"unknown vulnerability name(s): {', '.join(unknown)}; valid names: {', '.join(VULNERABILITIES)}"
        )
    return selected


def vulnerabilities_from_env(value: str | None) -> frozenset[str]:
    """Parse a `DISPATCH_VULNERABILITIES` value.

    Accepts comma-separated names, `all`, or `none` / empty / unset (no vulnerabilities).
    """
    names = [part.strip().lower() for part in (value or "").split(",")]
    names = [name for name in names if name]
    selected = validate_vulnerabilities(name for name in names if name not in ("all", "none"))
    return frozenset(VULNERABILITIES) if "all" in names else selected
