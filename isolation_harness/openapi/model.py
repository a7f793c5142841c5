"""Reading an OpenAPI description (loaded by schemathesis) into the engine's API model.

Identifier slots come from schemathesis's dependency analysis (which maps ``GET /orders/{order_id}``
to ``Order.id`` produced by ``POST /orders``) and from declared OpenAPI links, never from names
this library knows in advance.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .. import _schemathesis as sts
from ..errors import ConfigurationError, did_you_mean
from ..model import JSONPath, Slot, SlotLocation
from ..operations import ApiModel, Operation, Output, Parameter, looks_like_identifier, resources_of
from ..redaction import is_sensitive_name
from .values import resolve

_LOCATIONS = {
    "path": SlotLocation.PATH,
    "query": SlotLocation.QUERY,
    "header": SlotLocation.HEADER,
    "cookie": SlotLocation.COOKIE,
    "body": SlotLocation.BODY,
}


def build_model(
    schema: Any, *, exclude: Iterable[str] = (), references: Mapping[str, str] | None = None
) -> ApiModel:
    """Read every operation of a loaded OpenAPI schema (see :mod:`._schemathesis`)."""
    excluded = set(exclude)
    nodes = sts.dependency_nodes(schema)
    document = sts.raw_document(schema)
    operations: list[Operation] = []
    for entry in sts.iter_operations(schema):
        if isinstance(entry, sts.OperationError):
            continue
        label = f"{entry.method} {entry.path}"
        if label in excluded:
            continue
        operation = Operation(label=label, method=entry.method, path=entry.path)
        for parameter in entry.parameters():
            location = _LOCATIONS.get(parameter.location)
            if location is None or location is SlotLocation.BODY:
                continue
            operation.parameters.append(
                Parameter(
                    name=parameter.name,
                    location=location,
                    required=parameter.required,
                    schema=parameter.schema,
                )
            )
        body = entry.request_body()
        if body is not None:
            operation.body_schema = body.schema
            operation.body_required = body.required
            operation.body_media_type = body.media_type
        operation.requires_auth = _requires_auth(document, entry.definition)
        node = nodes.get(entry.key) or nodes.get(label)
        if node is not None:
            operation.slots = _slots(node)
            operation.outputs = [
                Output(
                    resource=output.resource,
                    pointer=output.pointer,
                    many=output.many,
                    status=output.status,
                    fields=output.fields,
                )
                for output in node.outputs
            ]
        _add_unbound_path_slots(operation)
        _add_unbound_key_slots(operation)
        operations.append(operation)
    if all(operation.requires_auth is None for operation in operations):
        pass
    else:
        for operation in operations:
            if operation.requires_auth is None:
                operation.requires_auth = False
    for operation in operations:
        operation.created_resource = operation.infer_created_resource(operations)
    _add_named_reference_slots(operations)
    _rebind_role_named_slots(operations)
    if references:
        _apply_references(operations, references)
    return ApiModel(operations=operations)


def _apply_references(operations: list[Operation], references: Mapping[str, str]) -> None:
    """Declared references: every parameter or top-level body field of that name carries the named
    resource's ``id`` (``assignee_id = "Agent"``), or another of its fields (``username =
    "Account.email"``)."""

    known = resources_of(operations)
    targets: dict[str, tuple[str, str]] = {}
    for field_name, target in references.items():
        resource, _, key = target.partition(".")
        if resource not in known:
            raise ConfigurationError(
                f"api.references maps {field_name!r} to {target!r}, but {resource!r} is no resource of the "
                f"API.{did_you_mean(resource, known)} Known resources: {', '.join(sorted(known))}."
            )
        fields = {
            name for op in operations for out in op.outputs if out.resource == resource for name in out.fields
        }
        if key and fields and key not in fields:
            raise ConfigurationError(
                f"api.references maps {field_name!r} to {target!r}, but {resource} has no field {key!r}."
                f"{did_you_mean(key, fields)} Its fields: {', '.join(sorted(fields))}."
            )
        if not key and fields and "id" not in fields:
            keys = sorted(name for name in fields if looks_like_identifier(name)) or sorted(fields)
            raise ConfigurationError(
                f"api.references maps {field_name!r} to {target!r}, but {resource} has no field 'id'. "
                f'Name the field it holds, e.g. {field_name} = "{resource}.{keys[0]}". '
                f"Its fields: {', '.join(sorted(fields))}."
            )
        targets[field_name] = (resource, key or "id")
    for operation in operations:
        kept = [
            slot
            for slot in operation.slots
            if (str(slot.path[-1]) if slot.path else slot.name) not in references
        ]
        for parameter in operation.parameters:
            if parameter.name in targets:
                kept.append(Slot(parameter.location, parameter.name, *targets[parameter.name]))
        body = resolve(operation.body_schema, operation.body_schema)
        if isinstance(body, dict):
            for name in body.get("properties", {}):
                if name in targets:
                    kept.append(Slot(SlotLocation.BODY, name, *targets[name], (name,)))
        operation.slots = kept


def _add_named_reference_slots(operations: list[Operation]) -> None:
    """Fields named after a resource hold a reference to one, the way frameworks name foreign keys
    (``routine``, ``category``; ``exercises`` for a list): a query parameter or top-level body field
    whose name is a resource's and whose schema is an integer or a UUID (the resource's key) or a URL
    (a hyperlink: the resource's ``url`` field)."""
    fields: dict[str, tuple[str, ...]] = {}
    for operation in operations:
        for output in operation.outputs:
            fields.setdefault(output.resource, output.fields)
    by_name = {name: resource for resource in fields for name in resource_names(resource)}
    for operation in operations:
        taken = {(slot.location, str(slot.path[0]) if slot.path else slot.name) for slot in operation.slots}
        candidates: list[tuple[SlotLocation, str, Any]] = [
            (parameter.location, parameter.name, parameter.schema)
            for parameter in operation.parameters
            if parameter.location is SlotLocation.QUERY
        ]
        body = resolve(operation.body_schema, operation.body_schema)
        if isinstance(body, dict):
            for name, schema in body.get("properties", {}).items():
                resolved = resolve(schema, operation.body_schema)
                if not (isinstance(resolved, dict) and resolved.get("readOnly")):
                    candidates.append((SlotLocation.BODY, name, resolved))
        for location, name, schema in candidates:
            if (location, name) in taken:
                continue
            squashed = _squash(name)
            kind = reference_kind(schema, operation.body_schema)
            # Only a list takes a plural name (``exercises``); an integer ``sets`` is a count.
            many = _is_array(schema, operation.body_schema)
            resource = by_name.get(_singular(squashed) if many else squashed) or (
                by_name.get(squashed) if many else None
            )
            if kind is None or squashed in _PAGING:
                continue
            if resource is None:
                _say_unmapped(operation, location, name, squashed, kind, fields)
                continue
            known = fields[resource]
            if kind == "url":
                if "url" not in known:
                    continue
                key = "url"
            else:
                key = "id" if "id" in known or not known else ("uuid" if "uuid" in known else "id")
            path: JSONPath = (name,) if location is SlotLocation.BODY else ()
            operation.slots.append(Slot(location, name, resource, key, path))


def _say_unmapped(
    operation: Operation,
    location: SlotLocation,
    name: str,
    squashed: str,
    kind: str,
    fields: Mapping[str, tuple[str, ...]],
) -> None:
    """Note a field that holds a key or a link but names no resource by itself (``unit`` beside a
    ``WeightUnit``): the coverage says which field and how to map it. A link naming nothing near a
    resource (a webhook's ``url``) is no reference."""
    stem = _stem(name) or squashed
    near = sorted(resource for resource in fields if stem and stem in resource.lower())
    if not near and not looks_like_identifier(name):
        return
    where = f"body field {name}" if location is SlotLocation.BODY else f"{location.value} parameter {name}"
    example = near[0] if near else "Resource"
    hint = f" (perhaps {', '.join(near)})" if near else ""
    operation.unmapped.append(
        f"{where} holds {'a link' if kind == 'url' else 'a key'} but names no resource{hint}: "
        f'if it points at one, map it in the config: [api] references = {{ {name} = "{example}" }}'
    )


def reference_kind(schema: Any, root: Any = None) -> str | None:
    """``"id"`` when a schema holds a key (an integer, a UUID), ``"url"`` when a hyperlink, else ``None``;
    a nullable schema and a list of them count as what they hold."""
    schema = resolve(schema, root if root is not None else schema)
    if not isinstance(schema, dict):
        return None
    for keyword in ("anyOf", "oneOf"):
        options = [
            option
            for option in schema.get(keyword, [])
            if not (isinstance(option, dict) and option.get("type") == "null")
        ]
        if len(options) == 1:
            return reference_kind(options[0], root)
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [item for item in kind if item != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind == "array":
        return reference_kind(schema.get("items"), root)
    if kind == "integer":
        return "id"
    if kind == "string" and schema.get("format") in ("uuid",):
        return "id"
    if kind == "string" and schema.get("format") in ("uri", "url", "iri"):
        return "url"
    return None


def _is_array(schema: Any, root: Any) -> bool:
    schema = resolve(schema, root if root is not None else schema)
    return isinstance(schema, dict) and schema.get("type") == "array"


# Parameters that page through a list, never references (even where a `Page` model exists).
_PAGING = frozenset({"page", "pagesize", "perpage", "limit", "offset", "size", "cursor", "count"})


def _singular(word: str) -> str:
    """``categories`` -> ``category``, ``addresses`` -> ``address``, ``exercises`` -> ``exercise``."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _squash(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


# How schema generators name the models of one resource: FastAPI's `RecipeRead`, `RecipeOut`,
# `RecipePublic`; serializers' `RecipeDetail`, `RecipeSchema`, `RecipeResponse`.
_MODEL_SUFFIX = re.compile(
    r"(Read|Out|Output|Public|Detail|Details|Response|Schema|Model|Dto|DTO|Full|View)$"
)


def resource_names(resource: str) -> set[str]:
    """The squashed names a field may call ``resource`` by: its own, and without a model suffix
    (``RecipeRead`` is a ``recipe``)."""
    names = {_squash(resource)}
    base = _MODEL_SUFFIX.sub("", resource)
    if base and base != resource:
        names.add(_squash(base))
    return names


_ID_SUFFIX = re.compile(r"([_-]?ids?|[_-]?uuid)$", re.IGNORECASE)


def _stem(name: str) -> str:
    """A field's name without its key suffix, squashed: ``fromItemId`` -> ``fromitem``."""
    return _squash(_ID_SUFFIX.sub("", name))


def _rebind_role_named_slots(operations: list[Operation]) -> None:
    """Point fields named after a role (``fromItemId``, ``targetProjectId``) at the resource they name.

    The analysis binds such a field to a resource of the same name that nothing creates
    (``FromItem``), or to the operation's own resource (``Transfer.fromItemId``). A field whose name
    ends with the name of a resource the API does produce refers to that resource.
    """
    fields: dict[str, tuple[str, ...]] = {}
    for operation in operations:
        for output in operation.outputs:
            fields.setdefault(output.resource, output.fields)
        if operation.created_resource:
            fields.setdefault(operation.created_resource, ())
    account = _account_resource(operations)
    for operation in operations:
        rebound: list[Slot] = []
        for slot in operation.slots:
            own = slot.resource == operation.created_resource and slot.field != "id"
            unbound = slot.resource.startswith("?")
            name = str(slot.path[-1]) if slot.path else slot.name
            stem = _stem(name)
            if slot.location is SlotLocation.PATH:
                # A path parameter named after a resource (`flow_id`) names it wherever the analysis
                # linked no operation to it.
                named = next((resource for resource in fields if stem in resource_names(resource)), None)
                keyed = stem and _ID_SUFFIX.search(name) and named and "id" in (fields[named] or ("id",))
                if unbound and keyed:
                    slot = dataclasses.replace(slot, resource=str(named), field="id")
                rebound.append(slot)
                continue
            if slot.resource in fields and not own:
                rebound.append(slot)
                continue
            matches = [
                resource
                for resource in fields
                if any(stem.endswith(n) and n for n in resource_names(resource))
            ]
            if not matches and stem in _PERSON_ROLES and account:
                # `owner_id`, `author_id`, `user_id`: a person, the account the caller itself is.
                matches = [account]
            if not matches:
                if not own and not unbound:
                    rebound.append(slot)
                continue
            target = max(matches, key=len)
            known = fields[target]
            field = (
                "id"
                if "id" in known or not known
                else next(
                    (
                        f
                        for f in known
                        if f.lower() in (f"{target.lower()}id", f"{target.lower()}_id", "uuid")
                    ),
                    "id",
                )
            )
            rebound.append(dataclasses.replace(slot, resource=target, field=field))
        operation.slots = rebound


# Roles a field names a person by, when no resource of that name exists.
_PERSON_ROLES = frozenset({"owner", "user", "author", "creator", "createdby", "member", "account"})


def _account_resource(operations: list[Operation]) -> str | None:
    """The resource of the caller's own account: what a read of ``/me`` (``/users/me``, ``/self``)
    returns."""
    for operation in operations:
        last = operation.path.rstrip("/").rsplit("/", 1)[-1].lower()
        if operation.method == "GET" and last in ("me", "self", "current", "whoami"):
            for output in operation.outputs:
                if not output.many and operation.is_whole(output):
                    return output.resource
    return None


def _requires_auth(document: Any, operation: Any) -> bool | None:
    """The operation's security requirement: True, False (public or optional), None (not described)."""
    if not isinstance(operation, dict):
        return None
    requirements = operation.get("security", document.get("security") if isinstance(document, dict) else None)
    if requirements is None:
        return None
    if not isinstance(requirements, list) or not requirements:
        return False
    return {} not in requirements


def _slots(node: sts.DependencyNode) -> list[Slot]:
    slots: list[Slot] = []
    seen: set[tuple[SlotLocation, str]] = set()
    for item in node.inputs:
        location = _LOCATIONS.get(item.location)
        if location is None:
            continue
        # The analysis also binds body fields that merely echo a resource's data (`name`, `address`);
        # only fields that carry the resource's key can point at another tenant's object.
        if location is not SlotLocation.PATH and not looks_like_identifier(item.field or "id"):
            continue
        path: JSONPath = item.body_path if location is SlotLocation.BODY else ()
        if location is SlotLocation.BODY and not path:
            path = (item.name,)
        name = item.name
        key = (location, name if location is not SlotLocation.BODY else "/".join(map(str, path)))
        if key in seen:
            continue
        seen.add(key)
        slots.append(
            Slot(
                location=location,
                name=name,
                resource=item.resource,
                field=item.field or "id",
                path=path,
            )
        )
    return slots


def _add_unbound_key_slots(operation: Operation) -> None:
    """Query, header, cookie and top-level body fields named like keys (``account_id``,
    ``X-Account-Id``) that the analysis left unbound: later bound by name to a resource, or dropped."""
    bound = {(slot.location, str(slot.path[0]) if slot.path else slot.name) for slot in operation.slots}
    for parameter in operation.parameters:
        if parameter.location is SlotLocation.PATH or (parameter.location, parameter.name) in bound:
            continue
        if looks_like_identifier(parameter.name) and not _is_sensitive(parameter.name):
            operation.slots.append(
                Slot(parameter.location, parameter.name, f"?{parameter.name}", parameter.name)
            )
    body = resolve(operation.body_schema, operation.body_schema)
    if isinstance(body, dict):
        for name in body.get("properties", {}):
            if looks_like_identifier(name) and (SlotLocation.BODY, name) not in bound:
                operation.slots.append(Slot(SlotLocation.BODY, name, f"?{name}", name, (name,)))


def _is_sensitive(name: str) -> bool:
    return is_sensitive_name(name)


def _add_unbound_path_slots(operation: Operation) -> None:
    """A path parameter the analysis could not bind still names something: record it as its own resource.

    Such a slot can only be filled from a value the API returned to the tenant under the same name.
    """
    bound = {slot.name for slot in operation.slots if slot.location is SlotLocation.PATH}
    for parameter in operation.parameters:
        if parameter.location is SlotLocation.PATH and parameter.name not in bound:
            operation.slots.append(
                Slot(
                    location=SlotLocation.PATH,
                    name=parameter.name,
                    resource=f"?{parameter.name}",
                    field=parameter.name,
                )
            )
