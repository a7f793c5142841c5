"""Callers that are no tenant: the anonymous caller (no credentials) and what such callers receive.

Before any probe, the anonymous caller and a bystander (a tenant that made nothing) read what needs
no tenant's identifier. What they receive that is no tenant's data is public (catalogues,
announcements, pages of nothing): no oracle counts it as a victim's. Tenants' data that reaches the
anonymous caller is public exposure: it is reported as such, never as a cross-tenant read.
"""

from __future__ import annotations

from typing import Any

from .knowledge import Knowledge, TenantKnowledge
from .model import is_distinctive
from .operations import Operation, looks_like_identifier
from .tenants import Credentials, Tenant
from .transport import Transport

ANONYMOUS = "anonymous"


def anonymous_caller(knowledge: Knowledge, transport: Transport, *, seed: int) -> TenantKnowledge:
    """The campaign's anonymous caller (made on first use): a client like every tenant's, with no credentials."""
    for state in knowledge.observers:
        if state.name == ANONYMOUS:
            return state
    tenant = Tenant(name=ANONYMOUS, seed=seed, client=transport.session())
    # The path every tenant's credentials take, with none: no header, cookie or query token.
    tenant.apply(Credentials())
    state = TenantKnowledge(tenant=tenant)
    knowledge.observers.append(state)
    return state


def split_received(
    knowledge: Knowledge,
    observer: TenantKnowledge,
    body: Any,
    *,
    operation: Operation | None = None,
    status: int = 200,
) -> tuple[set[str], set[str]]:
    """The values of a body ``observer`` received that anyone may see, and those that are tenants' data.

    A value is a tenant's when it, or an object around it, is one the tenant owns (its canary or
    identity, or an object it made: of the same resource where ``operation`` says which, else by
    a distinctive key, as ``id`` 1 of an announcement is not ``id`` 1 of a note); the observer's own
    account (a bystander's) is neither. Envelopes and pagination (``count``, ``next``, ``{"data": ...}``)
    change nothing.
    """
    public: set[str] = set()
    tenants: set[str] = set()
    resources = _resources(operation, status, body) if operation is not None else {}

    def owner(node: Any) -> str | None:
        resource = resources.get(id(node))
        if resource is None and isinstance(node, dict):
            node = {
                key: value
                for key, value in node.items()
                if not (looks_like_identifier(key) and not is_distinctive(value))
            }
        if any(knowledge.owns(state, node, resource=resource) for state in knowledge.tenants):
            return "tenant"
        return "observer" if knowledge.owns(observer, node, resource=resource) else None

    def walk(node: Any, found: str | None) -> None:
        if isinstance(node, dict):
            found = found or owner(node)
            for value in node.values():
                walk(value, found)
        elif isinstance(node, list):
            for item in node:
                walk(item, found)
        elif node is not None and not isinstance(node, bool):
            text = str(node)
            found = found or owner(text)
            if found == "tenant":
                tenants.add(text)
            elif found is None:
                public.add(text)

    walk(body, None)
    return public, tenants


def _resources(operation: Operation, status: int, body: Any) -> dict[int, str]:
    """The resource of each object (by ``id()``) at one of the operation's output pointers."""
    found: dict[int, str] = {}
    for output in operation.outputs:
        if output.answers(status):
            for item in output.objects_in(body):
                found.setdefault(id(item), output.resource)
    return found
