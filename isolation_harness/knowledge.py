"""What the tenants know: the one store of what each tenant made, received and owns.

The campaign fills it as tenants seed and read their own data; the developers' fixtures fill it
from every response a tenant's client receives. Oracles read it to tell a tenant's own data from
another tenant's, and data every tenant sees alike from data only its owner should.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .model import HttpRequest, HttpResponse, JSONPath, iter_leaves, iter_objects, scalar_fields, view_pairs
from .operations import looks_like_identifier
from .tenants import Tenant


@dataclass
class Instance:
    """One resource a tenant owns: its identifying fields and the instances it was created under."""

    resource: str
    values: dict[str, Any]
    owner: str
    parents: dict[str, Instance] = field(default_factory=dict)
    recipe: list[HttpRequest] = field(default_factory=list)
    alive: bool = True
    shared: bool = False
    # The tenant made it (its create returned or located it) or it carries the tenant's canary. Objects
    # only seen in lists (catalogues, other users, data from before) are nobody's: usable to build the
    # tenant's own requests, never targeted as the tenant's data.
    owned: bool = True

    def value(self, field_name: str) -> Any:
        return self.values.get(field_name)


@dataclass
class View:
    """A tenant's own read of one operation: the request, what it answered, and what changes by itself."""

    request: HttpRequest
    status: int
    body: Any
    volatile: set[JSONPath]
    leaves: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.leaves = {str(value) for _, value in iter_leaves(self.body)}


@dataclass(eq=False)
class TenantKnowledge:
    """What one tenant made, received and owns."""

    tenant: Tenant
    instances: dict[str, list[Instance]] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)
    objects: list[dict[str, Any]] = field(default_factory=list)
    object_keys: set[str] = field(default_factory=set)
    # Where each distinctive (field, value) occurs in ``objects``.
    object_pairs: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # The objects the tenant made itself, by each of their key fields and its value.
    made: dict[tuple[str, str], list[Instance]] = field(default_factory=dict)
    # Identifiers of objects shared on purpose between this tenant and another, either way.
    shared: set[str] = field(default_factory=set)
    # Objects were retired since the tenant last seeded: it seeds again before it is used.
    dirty: bool = False
    seed_retried: bool = False
    # Requests the API answered for this tenant on operations that need credentials, and refused.
    answered: int = 0
    refused: int = 0

    @property
    def name(self) -> str:
        return self.tenant.name

    def alive(self, resource: str) -> list[Instance]:
        return [item for item in self.instances.get(resource, []) if item.alive]

    def own(self, resource: str) -> list[Instance]:
        """The live instances of ``resource`` that are the tenant's own (not nobody's)."""
        return [item for item in self.alive(resource) if item.owned]

    def private(self, resource: str) -> list[Instance]:
        """The tenant's own instances of ``resource`` not shared with anyone on purpose: the only ones
        another tenant's probe can show a leak of."""
        return [item for item in self.own(resource) if not item.shared]


class Knowledge:
    """Every tenant's knowledge, and the judgements that need more than one tenant's."""

    def __init__(self, *, strict: bool = False) -> None:
        """``strict``: only objects a tenant made or that carry its canary count as its own data (the
        campaign's rule); otherwise every object a tenant receives does (developers' own clients)."""
        self.strict = strict
        self.tenants: list[TenantKnowledge] = []
        # Field names whose values change between two identical reads (clocks, request ids).
        self.volatile_keys: set[str] = set()
        # What callers that are no tenant received before probing (see isolation_harness.public): values
        # anyone may see, and tenants' data sent to the anonymous caller (reported as public exposure).
        self.public_values: set[str] = set()
        self.exposed_values: set[str] = set()
        # The anonymous caller and the bystander: never an attacker or a victim of a cross-tenant probe.
        self.observers: list[TenantKnowledge] = []
        self._shared_cache: tuple[tuple[int, ...], set[str]] = ((), set())

    def add(self, tenant: Tenant) -> TenantKnowledge:
        state = TenantKnowledge(tenant=tenant)
        self.tenants.append(state)
        return state

    def of(self, tenant: Tenant | str) -> TenantKnowledge:
        name = tenant if isinstance(tenant, str) else tenant.name
        for state in [*self.tenants, *self.observers]:
            if state.tenant.name == name:
                return state
        raise KeyError(name)

    def forget(self, tenant: Tenant) -> None:
        self.tenants = [state for state in self.tenants if state.tenant is not tenant]

    def others(self, state: TenantKnowledge) -> list[TenantKnowledge]:
        return [other for other in self.tenants if other is not state]

    def markers(self, state: TenantKnowledge) -> dict[str, list[str]]:
        """Every other tenant's markers (canary and identity), by name."""
        return {other.tenant.name: other.tenant.markers() for other in self.others(state)}

    def is_foreign(self, state: TenantKnowledge, obj: Any, *, resource: str | None = None) -> bool:
        """Whether an object belongs to another tenant: it carries another canary, or the identity of
        an object the other tenant made itself (of the same resource, where that is known).

        A leaky list hands the caller other tenants' objects; they must never become the caller's own.
        Objects a tenant only read (a catalogue every tenant sees alike) belong to nobody.
        """
        # An object the tenant made stays its own when another tenant planted something in it (a child
        # under its parent); anything else holding another tenant's data is not the tenant's.
        if isinstance(obj, dict) and made_by(state, obj, resource=resource):
            return False
        text = json.dumps(obj).lower()
        for other in self.others(state):
            if other.tenant.canary in text:
                return True
            if isinstance(obj, dict) and made_by(other, obj, resource=resource):
                return True
        return False

    def owns(self, state: TenantKnowledge, obj: Any, *, resource: str | None = None) -> bool:
        """Whether an object is the tenant's own: it carries the tenant's canary or email, or it is one
        the tenant made (of the same resource, where that is known)."""
        text = json.dumps(obj).lower()
        if any(marker.lower() in text for marker in state.tenant.markers()):
            return True
        return isinstance(obj, dict) and made_by(state, obj, resource=resource)

    def remember(self, state: TenantKnowledge, body: Any) -> None:
        """Record a body the tenant received for its own data: its values and its objects.

        A body holding any other tenant's object is not the tenant's own data, and teaches nothing.
        Under the strict rule only the tenant's own objects (see :meth:`owns`) are kept for owner views.
        """
        objects = iter_objects(body)
        for _, obj in objects:
            if self.is_foreign(state, obj):
                return
        for _, value in iter_leaves(body):
            if value is not None and not isinstance(value, bool):
                state.known.add(str(value))
        for _, obj in objects:
            key = json.dumps(obj, sort_keys=True, default=str)
            if key in state.object_keys or (self.strict and not self.owns(state, obj)):
                continue
            state.object_keys.add(key)
            for pair in view_pairs(obj):
                state.object_pairs.setdefault(pair, []).append(len(state.objects))
            state.objects.append(obj)

    def register(
        self,
        state: TenantKnowledge,
        resource: str,
        values: dict[str, Any],
        used: dict[str, Instance],
        request: HttpRequest,
        *,
        owned: bool = True,
    ) -> Instance:
        """The tenant's instance of ``resource`` with these identifying values, added if it is new.

        ``owned`` says whether the tenant made it or it carries its canary; an instance once known as
        the tenant's own stays so.
        """
        existing = state.instances.setdefault(resource, [])
        for instance in existing:
            if same_identity(instance.values, values):
                # A retired instance (changed or deleted by a probe) stays retired when seen again.
                if instance.alive:
                    instance.values.update(values)
                instance.owned = instance.owned or owned
                return instance
        recipe: list[HttpRequest] = []
        for parent in used.values():
            recipe.extend(item for item in parent.recipe if item not in recipe)
        if request.method not in ("GET", "HEAD"):
            recipe.append(request)
        instance = Instance(
            resource=resource,
            values=dict(values),
            owner=state.tenant.name,
            parents=dict(used),
            recipe=recipe,
            owned=owned,
        )
        existing.append(instance)
        if recipe and owned:
            for key, value in values.items():
                if looks_like_identifier(key) and value is not None:
                    state.made.setdefault((key, str(value)), []).append(instance)
        return instance

    def retire(self, state: TenantKnowledge, instance: Instance) -> None:
        """Stop using an instance (and what was made under it): a probe may have changed it."""
        instance.alive = False
        for items in state.instances.values():
            for item in items:
                if item.alive and any(parent is instance for parent in item.parents.values()):
                    self.retire(state, item)
        state.dirty = True

    def public(self, *, anonymous: bool = False) -> set[str]:
        """Values no oracle counts as a victim's data: what anyone may see and, for a tenant caller, the
        tenants' data the anonymous caller received too (that is public exposure, not a cross-tenant read)."""
        return self.public_values if anonymous else self.public_values | self.exposed_values

    def shared_values(self) -> set[str]:
        """Values more than one tenant has seen in its own data (recounted only when one saw more)."""
        sizes = tuple(len(state.known) for state in self.tenants)
        if sizes != self._shared_cache[0]:
            counts: dict[str, int] = {}
            for state in self.tenants:
                for value in state.known:
                    counts[value] = counts.get(value, 0) + 1
            self._shared_cache = (sizes, {value for value, count in counts.items() if count > 1})
        return self._shared_cache[1]


def made_by(state: TenantKnowledge, obj: dict[str, Any], *, resource: str | None = None) -> bool:
    """Whether ``obj`` is one of the objects the tenant made: same key values, and of the same resource
    where that is known (``id`` 4 of a menu item is not ``id`` 4 of an order)."""
    scalars = scalar_fields(obj)
    for key, value in scalars.items():
        if not looks_like_identifier(key):
            continue
        for instance in state.made.get((key, str(value)), []):
            if resource is not None and instance.resource != resource:
                continue
            if same_identity(instance.values, scalars) and _same_shape(instance.values, scalars):
                return True
    return False


def _same_shape(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """Whether two views can describe one kind of object: they share more than half the fields of the
    smaller."""
    smaller = min(len(left), len(right))
    return smaller == 0 or len(left.keys() & right.keys()) * 2 > smaller


def same_identity(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """Whether two views are of the same object: equal on every key they share (``id``, ``projectId``)."""
    for key in ("id", "uuid"):
        if key in left and key in right:
            return bool(left[key] == right[key])
    keys = [k for k in left.keys() & right.keys() if looks_like_identifier(k) and left[k] is not None]
    if keys:
        return all(left[key] == right[key] for key in keys)
    shared = [key for key in left.keys() & right.keys() if left[key] is not None]
    return bool(shared) and all(left[key] == right[key] for key in shared)


def without_shared(body: Any, shared_ids: set[str]) -> Any:
    """``body`` with every object shared on purpose replaced by ``None``, other positions unchanged.

    An object is shared when one of its key fields (``id``, ``order_id``, ``orderId``) holds the
    identifier of an object shared with the caller: the shared object itself, and what belongs to it.
    """
    if isinstance(body, dict):
        if any(
            looks_like_identifier(key) and isinstance(value, (str, int)) and str(value) in shared_ids
            for key, value in body.items()
        ):
            return None
        return {key: without_shared(value, shared_ids) for key, value in body.items()}
    if isinstance(body, list):
        return [without_shared(item, shared_ids) for item in body]
    return body


def visible(state: TenantKnowledge, response: HttpResponse) -> HttpResponse:
    """The response without the objects shared with the tenant on purpose."""
    body = response.json() if state.shared else None
    if body is None:
        return response
    text = json.dumps(without_shared(body, state.shared))
    return HttpResponse(status=response.status, headers=response.headers, text=text, elapsed=response.elapsed)
