"""Building a tenant's own valid request for an OpenAPI operation, its own identifiers in every slot.

The engine asks for requests through :class:`RequestBuilder`; this is the one place that reads
parameter and body schemas to fill in everything else.
"""

from __future__ import annotations

import re
from typing import Any

from ..knowledge import Instance, Knowledge, TenantKnowledge
from ..model import MULTIPART, HttpRequest, JSONPath, Slot, SlotLocation, delete_path, place, set_parameter
from ..operations import Operation, Parameter, looks_like_identifier
from ..redaction import is_sensitive_name
from ..tenants import Tenant
from .values import ValueGenerator, is_file, resolve


class OpenApiRequests:
    """Requests for OpenAPI operations: schema-valid values, each free-text field with the tenant's canary."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self._generators: dict[str, ValueGenerator] = {}

    def generator(self, tenant: Tenant) -> ValueGenerator:
        generator = self._generators.get(tenant.name)
        if generator is None:
            generator = self._generators[tenant.name] = ValueGenerator(tenant.fake, tenant.canary)
        return generator

    def build(
        self,
        state: TenantKnowledge,
        operation: Operation,
        *,
        required_only: bool = False,
        pinned: dict[str, Instance] | None = None,
    ) -> tuple[HttpRequest, dict[str, Instance]] | None:
        """The tenant's own valid request, and the instances it uses per resource.

        ``None`` when the tenant has none of something the request needs.
        """
        used = self.choose(state, operation, pinned or {})
        if used is None:
            return None
        request = HttpRequest(method=operation.method, path_template=operation.path)
        generator = self.generator(state.tenant)
        slot_names = {
            (slot.location, slot.name) for slot in operation.slots if slot.location is not SlotLocation.BODY
        }
        carriers = _credential_carriers(state.tenant)
        for parameter in operation.parameters:
            if (parameter.location, parameter.name) in slot_names:
                continue
            # Security schemes surface as parameters; the tenant's client already sends its credentials.
            if parameter.name.lower() in carriers or is_sensitive_name(parameter.name):
                continue
            if parameter.location is SlotLocation.PATH or parameter.required:
                value = generator.generate(parameter.schema, name=parameter.name)
                set_parameter(request, parameter.location, parameter.name, value)
        if operation.body_schema is not None:
            request.body = generator.generate(operation.body_schema, required_only=required_only)
            request.has_body = True
            request.media_type = operation.body_media_type
            if request.media_type == MULTIPART:
                request.files = self._attach_files(request.body, operation.body_schema, generator)
        placed: set[str] = set()
        for slot in operation.slots:
            instance = used.get(slot.resource)
            optional = slot.location is SlotLocation.BODY and not body_field_required(operation, slot.path)
            if instance is None or (required_only and optional):
                if slot.location is SlotLocation.BODY:
                    delete_path(request.body, slot.path)
                continue
            if slot.resource in placed:
                # A second slot of the same resource (`fromItemId`, `toItemId`) takes another object.
                others = [item for item in state.alive(slot.resource) if item is not instance]
                instance = others[0] if others else instance
            placed.add(slot.resource)
            place(request, slot, instance.value(slot.field))
        return request, used

    @staticmethod
    def _attach_files(body: Any, schema: Any, generator: ValueGenerator) -> tuple[str, ...]:
        """Put a small generated file (text with the tenant's canary) in each file field of a
        multipart body; the names of those fields."""
        properties = resolve(schema, schema).get("properties", {}) if isinstance(body, dict) else {}
        files = []
        for name, field_schema in properties.items():
            resolved = resolve(field_schema, schema)
            if name in body and is_file(resolved):
                files.append(name)
                text = generator.file_text(name)
                body[name] = [text] if isinstance(body[name], list) else text
        return tuple(files)

    def choose(
        self, state: TenantKnowledge, operation: Operation, pinned: dict[str, Instance]
    ) -> dict[str, Instance] | None:
        """The tenant's instances for each resource the operation takes, consistent with ``pinned``."""
        used: dict[str, Instance] = dict(pinned)
        required = {slot.resource for slot in self.required_slots(operation)}
        # Deepest slot first, so that its parents can be taken from how it was created.
        for slot in reversed(operation.slots):
            if slot.resource in used:
                continue
            parent_choice = next(
                (
                    inst.parents[slot.resource]
                    for inst in used.values()
                    if slot.resource in inst.parents and inst.parents[slot.resource].alive
                ),
                None,
            )
            # The tenant's own objects first (nobody's, such as a catalogue entry, only where it has
            # none), its private ones before those shared on purpose, and those whose creation is known
            # (complete reproductions). An object without a value for the slot is never sent (`/x/None`).
            candidates = sorted(
                (item for item in state.alive(slot.resource) if item.value(slot.field) is not None),
                key=lambda item: (not item.owned, item.shared, not item.recipe),
            )
            if parent_choice is not None and parent_choice.value(slot.field) is None:
                parent_choice = None
            choice = parent_choice or (candidates[0] if candidates else None)
            if choice is None:
                if slot.resource in required:
                    return None
                continue
            used[slot.resource] = choice
        return used

    def search_parameters(self, operation: Operation, sample: str) -> list[Parameter]:
        """Query parameters that take free text ``sample`` fits, other than identifiers: search terms."""
        slot_names = {slot.name for slot in operation.slots if slot.location is SlotLocation.QUERY}
        return [
            parameter
            for parameter in operation.parameters
            if parameter.location is SlotLocation.QUERY
            and parameter.name not in slot_names
            and not looks_like_identifier(parameter.name)
            and free_text(parameter.schema, sample)
        ]

    def required_slots(self, operation: Operation) -> list[Slot]:
        """The slots a valid request must fill: path slots, required parameters and body fields."""
        out = []
        for slot in operation.slots:
            if slot.location is SlotLocation.PATH:
                out.append(slot)
            elif slot.location is SlotLocation.BODY:
                if body_field_required(operation, slot.path):
                    out.append(slot)
            elif any(
                p.name == slot.name and p.location is slot.location and p.required
                for p in operation.parameters
            ):
                out.append(slot)
        return out


def body_field_required(operation: Operation, path: JSONPath) -> bool:
    """Whether the body schema requires the field at ``path`` (and every object above it)."""
    schema = operation.body_schema
    root = schema
    for part in path:
        schema = resolve(schema, root)
        if not isinstance(schema, dict):
            return False
        if isinstance(part, int) or part not in schema.get("properties", {}):
            return False
        if part not in schema.get("required", []):
            return False
        schema = schema["properties"][part]
    return True


def _credential_carriers(tenant: Tenant) -> set[str]:
    credentials = tenant.credentials
    if credentials is None:
        return set()
    return {name.lower() for name in [*credentials.headers, *credentials.cookies, *credentials.query]}


def free_text(schema: Any, sample: str) -> bool:
    """Whether a parameter takes free text that a tenant's canary fits (a search term, a filter)."""
    if not isinstance(schema, dict):
        return False
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            options = [
                option
                for option in schema[keyword]
                if not (isinstance(option, dict) and option.get("type") == "null")
            ]
            merged = {key: value for key, value in schema.items() if key != keyword}
            return (
                len(options) == 1
                and isinstance(options[0], dict)
                and free_text({**merged, **options[0]}, sample)
            )
    kind = schema.get("type")
    if kind != "string" and not (isinstance(kind, list) and "string" in kind):
        return False
    if "enum" in schema or "format" in schema or "$ref" in schema or "const" in schema:
        return False
    if int(schema.get("maxLength", len(sample))) < len(sample) or int(schema.get("minLength", 0)) > len(
        sample
    ):
        return False
    pattern = schema.get("pattern")
    if pattern:
        try:
            return re.search(pattern, sample) is not None
        except re.error:
            return False
    return True
