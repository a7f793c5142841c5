"""Harvesting: every identifier in a response a tenant received for its own data becomes an instance it owns."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from ..knowledge import Instance, Knowledge, TenantKnowledge
from ..model import HttpRequest, HttpResponse, SlotLocation, iter_objects, scalar_fields
from ..operations import Operation, looks_like_identifier
from .index import ApiIndex


class Harvester:
    """Registers the objects a tenant's own responses describe, by the resources the API model names."""

    def __init__(self, *, index: ApiIndex, knowledge: Knowledge) -> None:
        self.index = index
        self.knowledge = knowledge

    def harvest(
        self,
        state: TenantKnowledge,
        operation: Operation,
        request: HttpRequest,
        response: HttpResponse,
        used: dict[str, Instance],
        *,
        own: bool = False,
    ) -> Instance | None:
        """Record every identifier in the response; return the instance the operation created, if any.

        The created object is the tenant's own; so is what a read under one of its own objects (in the
        path) returns, any object carrying its canary, and everything when ``own`` (the answers to the
        tenant's signup and login). Everything else is nobody's.
        """
        body = response.json()
        knowledge = self.knowledge
        under_own = any(
            used[slot.resource].owned
            for slot in operation.slots
            if slot.location is SlotLocation.PATH and slot.resource in used
        )
        created: Instance | None = None
        created_resource = operation.created_resource
        for output in operation.outputs:
            if not output.answers(response.status):
                continue
            for obj in output.objects_in(body):
                if knowledge.is_foreign(state, obj, resource=output.resource):
                    continue
                values = self.identifying(output.resource, obj)
                if values is None:
                    continue
                makes = (
                    output.resource == created_resource
                    and operation.is_whole(output)
                    and self._keyed(output.resource, values)
                )
                # Under the tenant's own object, what tenants can make is the tenant's; a catalogue
                # entry or a user it embeds is not.
                owned = (
                    own
                    or makes
                    or (under_own and self.index.recreatable(output.resource))
                    or knowledge.owns(state, obj, resource=output.resource)
                )
                instance = knowledge.register(state, output.resource, values, used, request, owned=owned)
                if makes:
                    created = instance
        if created_resource and created is None:
            created = self._created(state, created_resource, body, response, used, request)
        knowledge.remember(state, body)
        self._harvest_unbound(state, body, used, request, own=own)
        return created

    def identifying(self, resource: str, obj: dict[str, Any]) -> dict[str, Any] | None:
        """The object's scalar fields, when one of them can identify it (a key, or a field some
        operation addresses the resource by); ``None`` for what is no object of its own (a message)."""
        values = scalar_fields(obj)
        keys = self.index.key_fields(resource)
        if any(
            (looks_like_identifier(key) or key in keys) and value is not None and value != ""
            for key, value in values.items()
        ):
            return values
        return None

    def _keyed(self, resource: str, values: dict[str, Any]) -> bool:
        """Whether values hold the key the API addresses ``resource`` by (``id`` where nothing says):
        a ``request_id`` beside a message is no created object."""
        keys = self.index.key_fields(resource) or {"id", "uuid", "pk"}
        return any(values.get(key) not in (None, "") for key in keys)

    def _created(
        self,
        state: TenantKnowledge,
        resource: str,
        body: Any,
        response: HttpResponse,
        used: dict[str, Instance],
        request: HttpRequest,
    ) -> Instance | None:
        """The created object when the create did not answer with it where the description says: the
        outermost object with a key, the ``Location`` header, or the values the tenant sent in fields
        that address the resource (a ``username`` that ``/users/{username}`` takes)."""
        knowledge = self.knowledge
        for _, obj in iter_objects(body):
            values = scalar_fields(obj)
            if self._keyed(resource, values):
                return knowledge.register(state, resource, values, used, request)
        location = response.headers.get("Location") or response.headers.get("location")
        if location:
            identifier = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]
            if identifier:
                return knowledge.register(state, resource, {"id": identifier}, used, request)
        if request.has_body and isinstance(request.body, dict):
            keys = self.index.key_fields(resource)
            sent = {
                key: value
                for key, value in request.body.items()
                if key in keys and isinstance(value, (str, int)) and not isinstance(value, bool)
            }
            if sent:
                return knowledge.register(state, resource, sent, used, request)
        return None

    def _harvest_unbound(
        self,
        state: TenantKnowledge,
        body: Any,
        used: dict[str, Instance],
        request: HttpRequest,
        *,
        own: bool,
    ) -> None:
        unbound = self.index.unbound
        if not unbound:
            return
        for _, obj in iter_objects(body):
            owned: bool | None = None
            for key, value in obj.items():
                resource = f"?{key}"
                if resource in unbound and isinstance(value, (str, int)) and not isinstance(value, bool):
                    if owned is None:
                        owned = own or self.knowledge.owns(state, obj)
                    self.knowledge.register(state, resource, {key: value}, used, request, owned=owned)

    def harvest_provisioning(
        self, state: TenantKnowledge, responses: list[requests.Response], secrets: list[str], *, base_url: str
    ) -> None:
        """The signup's answer is the tenant's own account: its id is an identifier like any other."""
        base = urlsplit(base_url).path.rstrip("/")
        for response in responses:
            if not 200 <= response.status_code < 300 or any(secret in response.text for secret in secrets):
                continue
            path = urlsplit(str(response.request.url)).path
            path = path[len(base) :] if base and path.startswith(base) else path
            operation = self.index.by_label.get(f"{response.request.method} {path}")
            if operation is None:
                continue
            request = HttpRequest(method=operation.method, path_template=operation.path)
            captured = HttpResponse(
                status=response.status_code, headers=dict(response.headers), text=response.text
            )
            self.harvest(state, operation, request, captured, {}, own=True)
            # The tenant exists before any reproduction runs: its signup is no step to repeat.
            for instances in state.instances.values():
                for instance in instances:
                    instance.recipe = [step for step in instance.recipe if step is not request]
