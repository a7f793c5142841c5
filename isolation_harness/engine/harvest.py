"""Harvesting: every identifier in a response a tenant received for its own data becomes an instance it owns."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from ..knowledge import Instance, Knowledge, TenantKnowledge
from ..model import HttpRequest, HttpResponse, iter_objects
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
    ) -> Instance | None:
        """Record every identifier in the response; return the instance the operation created, if any."""
        body = response.json()
        knowledge = self.knowledge
        knowledge.remember(state, body)
        created: Instance | None = None
        created_resource = operation.created_resource
        for output in operation.outputs:
            if not output.status.startswith(str(response.status)[0]) and output.status != str(
                response.status
            ):
                continue
            for obj in _objects_at(body, output.pointer):
                if knowledge.is_foreign(state, obj):
                    continue
                values = {key: value for key, value in obj.items() if not isinstance(value, (dict, list))}
                if not values:
                    continue
                instance = knowledge.register(state, output.resource, values, used, request)
                if output.resource == created_resource and output.pointer in ("", "/"):
                    created = instance
        if created_resource and created is None:
            # The created object is the outermost one with a key (``{"data": {"id": ...}}`` included).
            for _, obj in iter_objects(body):
                values = {key: value for key, value in obj.items() if not isinstance(value, (dict, list))}
                if any(looks_like_identifier(key) for key in values):
                    created = knowledge.register(state, created_resource, values, used, request)
                    break
        if created_resource and created is None:
            location = response.headers.get("Location") or response.headers.get("location")
            if location:
                identifier = location.rstrip("/").rsplit("/", 1)[-1]
                created = knowledge.register(state, created_resource, {"id": identifier}, used, request)
        self._harvest_unbound(state, body, used, request)
        return created

    def _harvest_unbound(
        self, state: TenantKnowledge, body: Any, used: dict[str, Instance], request: HttpRequest
    ) -> None:
        unbound = self.index.unbound
        if not unbound:
            return
        for _, obj in iter_objects(body):
            for key, value in obj.items():
                resource = f"?{key}"
                if resource in unbound and isinstance(value, (str, int)) and not isinstance(value, bool):
                    self.knowledge.register(state, resource, {key: value}, used, request)

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
            self.harvest(state, operation, request, captured, {})
            # The tenant exists before any reproduction runs: its signup is no step to repeat.
            for instances in state.instances.values():
                for instance in instances:
                    instance.recipe = [step for step in instance.recipe if step is not request]


def _objects_at(body: Any, pointer: str) -> list[dict[str, Any]]:
    """Objects at an output pointer of the API model (``/``, ``/items``, ``/*/addr``)."""
    nodes: list[Any] = [body]
    for part in [p for p in pointer.split("/") if p]:
        following: list[Any] = []
        for node in nodes:
            if part == "*" and isinstance(node, list):
                following.extend(node)
            elif isinstance(node, dict) and part in node:
                following.append(node[part])
        nodes = following
    out: list[dict[str, Any]] = []
    for node in nodes:
        if isinstance(node, dict):
            out.append(node)
        elif isinstance(node, list):
            out.extend(item for item in node if isinstance(item, dict))
    return out
