"""Hypothesis strategies for property-based isolation tests."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from .tenants import Tenant
from .watching import watch_of

_PARAMETER = re.compile(r"\{([^}/]+)\}")


def identifiers(tenant: Tenant, *, key: str | None = None) -> st.SearchStrategy[Any]:
    """Identifiers ``tenant`` has received (values of ``id``, ``order_id``, ``projectId``, ... fields).

    ``key`` keeps only values of fields of that name. Draws from what the tenant's client has seen so
    far, so create the tenant's data first.
    """
    watch = watch_of(tenant)
    if key is not None:
        values = list(watch.identifiers.get(key, []))
    else:
        values = [value for found in watch.identifiers.values() for value in found]
    if not values:
        seen = ", ".join(sorted(watch.identifiers)) or "none"
        raise ValueError(
            f"{tenant.name} has received no identifiers{f' in fields named {key!r}' if key else ''} yet "
            f"(fields seen: {seen}). Create its data with tenant.client before drawing."
        )
    return st.sampled_from(list(dict.fromkeys(values)))


def foreign_paths(template: str, victim: Tenant, **fixed: Any) -> st.SearchStrategy[str]:
    """Paths for ``template`` (``"/orders/{order_id}"``) with the victim's identifiers in its parameters.

    A parameter is filled from the victim's values of the field of the same name, or of ``id``;
    pass a value or a strategy as a keyword to fix one (``order_id=my_order["id"]``).
    """
    names = _PARAMETER.findall(template)
    if not names:
        raise ValueError(f"foreign_paths({template!r}): the template has no {{parameter}} to fill.")
    watch = watch_of(victim)
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for name in names:
        if name in fixed:
            value = fixed[name]
            parts[name] = value if isinstance(value, st.SearchStrategy) else st.just(value)
        elif watch.identifiers.get(name):
            parts[name] = identifiers(victim, key=name)
        else:
            parts[name] = (
                identifiers(victim, key="id") if watch.identifiers.get("id") else identifiers(victim)
            )
    return st.fixed_dictionaries(parts).map(
        lambda values: _PARAMETER.sub(lambda match: str(values[match.group(1)]), template)
    )
