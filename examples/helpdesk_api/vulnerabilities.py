"""Deliberate tenant-isolation bugs of the Helpdesk API, switched on by name.

Each name maps to the operation labels ("METHOD /path", exactly as in the OpenAPI document) whose
responses or effects become wrong when the bug is on. Every other operation keeps behaving correctly.
"""

from __future__ import annotations

from collections.abc import Iterable

ENV_VAR = "HELPDESK_VULNERABILITIES"

VULNERABILITIES: dict[str, list[str]] = {
    # Checks that the caller belongs to the workspace in the path, then loads the ticket by id alone.
    "read-by-id": ["GET /t/{workspace}/tickets/{ticketId}"],
    # The contact list forgets its workspace filter.
    "list-unfiltered": ["GET /t/{workspace}/contacts"],
    # Updates any workspace's ticket by id; the response shows the updated ticket.
    "write-by-id": ["PATCH /t/{workspace}/tickets/{ticketId}"],
    # Deletes any workspace's contact by id.
    "delete-by-id": ["DELETE /t/{workspace}/contacts/{contactId}"],
    # Checks the ticket, then loads the comment by id without checking that it is on that ticket.
    "nested-child-unchecked": ["GET /t/{workspace}/tickets/{ticketId}/comments/{commentId}"],
    # Lists the comments of any ticket id without checking the ticket's workspace.
    "nested-parent-unchecked": ["GET /t/{workspace}/tickets/{ticketId}/comments"],
    # Opens a ticket for the `requesterId` in the body without checking the contact's workspace; the
    # response embeds that contact.
    "body-reference-unchecked": ["POST /t/{workspace}/tickets"],
    # Full-text search runs over every workspace's records.
    "search-across-tenants": ["GET /t/{workspace}/search"],
    # `?workspace=` picks whose inbox is shown, without checking that the caller is a member.
    "query-tenant-param": ["GET /inbox"],
    # The macro list trusts the `X-Workspace` header without checking that the caller is a member.
    "header-tenant-spoof": ["GET /macros"],
    # `workspace` in the body adds the contact to that workspace, whoever the caller is.
    "mass-assignment-create": ["POST /t/{workspace}/contacts"],
    # `workspace` in the body moves the caller's ticket into any workspace, member or not.
    "mass-assignment-update": ["PATCH /t/{workspace}/tickets/{ticketId}"],
    # Polls and downloads any workspace's export job by id.
    "export-job-unchecked": [
        "GET /t/{workspace}/exports/{exportId}",
        "GET /t/{workspace}/exports/{exportId}/download",
    ],
    # The 404 for another workspace's contact names that workspace and its admin's email.
    "error-message-leak": ["GET /t/{workspace}/contacts/{contactId}"],
    # Looks up every id of the batch without checking each ticket's workspace.
    "bulk-ids-unchecked": ["POST /t/{workspace}/tickets/batch"],
    # Reads any workspace's webhook by id, signing secret included.
    "webhook-secret-leak": ["GET /t/{workspace}/webhooks/{webhookId}"],
    # A deleted article is looked up in a trash shared by every workspace, so any workspace reads it.
    "delete-then-reuse": ["GET /t/{workspace}/articles/{articleSlug}"],
    # The signed-in agent is kept in one object shared by the server's threads and read back after a
    # database call: under concurrent requests the workspace settings shown are another caller's.
    "shared-request-state": ["GET /t/{workspace}"],
}
"""Names of the isolation bugs :func:`create_app` can enable, and the operations each one affects."""


def validate_vulnerabilities(names: Iterable[str] | str) -> frozenset[str]:
    """``names`` as a frozenset; a single string is one name. Unknown names raise ``ValueError``."""
    selected = frozenset([names] if isinstance(names, str) else names)
    unknown = sorted(selected - VULNERABILITIES.keys())
    if unknown:
        raise ValueError(
            f"unknown Helpdesk vulnerability name(s): {', '.join(unknown)}; "
            f"valid names: {', '.join(VULNERABILITIES)} (or 'all' / 'none' in ${ENV_VAR})"
        )
    return selected


def vulnerabilities_from_env(value: str | None) -> frozenset[str]:
    """Parse a ``HELPDESK_VULNERABILITIES`` value: comma-separated names, ``all``, or ``none``/empty."""
    names = [part.strip().lower() for part in (value or "").split(",") if part.strip()]
    if "all" in names:
        return frozenset(VULNERABILITIES)
    return validate_vulnerabilities(name for name in names if name != "none")
