"""Deliberate isolation bugs of the Workouts API, switched on by name.

Each name maps to the operation labels ("METHOD /path", exactly as in the drf-spectacular schema)
whose responses or effects become wrong when the bug is on. Every other operation keeps behaving
correctly.
"""

from __future__ import annotations

from collections.abc import Iterable

ENV_VAR = "DRF_VULNERABILITIES"

READ_BY_ID = "read-by-id"
WRITE_BY_ID = "write-by-id"
DELETE_BY_ID = "delete-by-id"
PARENT_REFERENCE_UNCHECKED = "parent-reference-unchecked"
LIST_FILTER_UNSCOPED = "list-filter-unscoped"

VULNERABILITIES: dict[str, list[str]] = {
    # Retrieves any routine by id: the viewset's `get_queryset` forgets the owner for `retrieve`.
    READ_BY_ID: ["GET /api/routines/{id}/"],
    # Updates any routine by id (PUT and PATCH); the response shows the updated routine.
    WRITE_BY_ID: ["PUT /api/routines/{id}/", "PATCH /api/routines/{id}/"],
    # Deletes any set by id.
    DELETE_BY_ID: ["DELETE /api/sets/{id}/"],
    # The day serializer takes the routine in the body without checking that it is the caller's, on
    # create and on update alike: the attacker's day then shows in the owner's own routine.
    PARENT_REFERENCE_UNCHECKED: ["POST /api/days/", "PUT /api/days/{id}/", "PATCH /api/days/{id}/"],
    # `?routine=<id>` on the day list filters by that routine alone, whoever owns it.
    LIST_FILTER_UNSCOPED: ["GET /api/days/"],
}
"""Names of the isolation bugs :func:`create_app` can enable, and the operations each one affects."""


def validate_vulnerabilities(names: Iterable[str]) -> frozenset[str]:
    """``names`` as a frozenset; unknown names raise ``ValueError``."""
    if isinstance(names, str):
        raise TypeError(f"expected a collection of vulnerability names, not the string {names!r}")
    selected = frozenset(names)
    unknown = sorted(selected - VULNERABILITIES.keys())
    if unknown:
        raise ValueError(
            f"unknown Workouts vulnerability name(s): {', '.join(unknown)}; "
            f"valid names: {', '.join(VULNERABILITIES)} (or 'all' / 'none' in ${ENV_VAR})"
        )
    return selected


def vulnerabilities_from_env(value: str | None) -> frozenset[str]:
    """Parse a ``DRF_VULNERABILITIES`` value: comma-separated names, ``all``, or ``none``/empty."""
    names = [part.strip().lower() for part in (value or "").split(",") if part.strip()]
    if "all" in names:
        return frozenset(VULNERABILITIES)
    return validate_vulnerabilities(name for name in names if name != "none")
