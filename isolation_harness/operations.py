"""The API as the engine sees it: operations, their inputs, identifier slots and outputs.

Spec-agnostic: an OpenAPI description is read into this model by :mod:`isolation_harness.openapi`;
another API style (GraphQL) maps its operations onto the same classes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import Slot, SlotLocation

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def normalize_label(label: str) -> str:
    """``"get  /orders"`` -> ``"GET /orders"``: the form operation labels take everywhere."""
    method, _, path = label.strip().partition(" ")
    return f"{method.upper()} {path.strip()}"


@dataclass(frozen=True)
class Parameter:
    name: str
    location: SlotLocation
    required: bool
    schema: Any


@dataclass(frozen=True)
class Output:
    """A resource an operation returns: its name, where it sits, and whether it is one or many."""

    resource: str
    pointer: str
    many: bool
    status: str
    fields: tuple[str, ...]

    def answers(self, status: int) -> bool:
        """Whether a response of ``status`` carries this output (``2XX`` style statuses included)."""
        return self.status == str(status) or self.status.startswith(str(status)[0])

    def objects_in(self, body: Any) -> list[dict[str, Any]]:
        """The objects at this output's pointer in ``body`` (``/``, ``/items``, ``/*/addr``)."""
        nodes: list[Any] = [body]
        for part in [p for p in self.pointer.split("/") if p]:
            following: list[Any] = []
            for node in nodes:
                if part == "*" and isinstance(node, list):
                    following.extend(node)
                elif isinstance(node, dict) and part in node:
                    following.append(node[part])
            nodes = following
        out: list[dict[str, Any]] = []
        for node in nodes:
            items = node if isinstance(node, list) else [node]
            out.extend(item for item in items if isinstance(item, dict))
        return out


@dataclass
class Operation:
    """One API operation as the campaign sees it."""

    label: str
    method: str
    path: str
    parameters: list[Parameter] = field(default_factory=list)
    body_schema: Any = None
    body_required: bool = False
    # How the body is encoded: application/json, application/x-www-form-urlencoded or multipart/form-data.
    body_media_type: str = "application/json"
    slots: list[Slot] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    created_resource: str | None = None
    # Whether the description says the operation needs credentials; None when it says nothing.
    requires_auth: bool | None = None
    # Fields that look like references to another object but name no resource the harness knows:
    # each says which field, and how to map it (``api.references``).
    unmapped: list[str] = field(default_factory=list)

    @property
    def is_safe(self) -> bool:
        return self.method in SAFE_METHODS

    @property
    def is_delete(self) -> bool:
        return self.method == "DELETE"

    @property
    def creates(self) -> list[Output]:
        """Resources this operation creates: a non-safe method that returns one resource."""
        if self.is_safe or self.is_delete:
            return []
        return [
            output
            for output in self.outputs
            if not output.many and output.status.startswith("2") and self.is_whole(output)
        ]

    def is_whole(self, output: Output) -> bool:
        """Whether an output is the whole answer: at the root, or in an envelope (``{"data": {...}}``)
        where nothing of the operation's sits at the root (``/address`` beside a root object is a part)."""
        if output.pointer in ("", "/"):
            return True
        rooted = any(other.pointer in ("", "/") for other in self.outputs)
        return not rooted and output.pointer.count("/") == 1 and "*" not in output.pointer

    def infer_created_resource(self, siblings: list[Operation]) -> str | None:
        """The resource this operation creates, if it makes something new.

        Only a POST to a collection (a path with items below it, a list read, or a declared 201) or a
        PUT whose path ends with the new object's key creates: a PUT or POST to a single thing (the
        caller's own profile, its settings) updates it. The resource comes from the analysis's outputs
        when it found one, else from the REST convention that a POST to a collection creates what
        ``<collection>/{key}`` names.
        """
        if self.method not in ("POST", "PUT"):
            return None
        items = [
            sibling
            for sibling in siblings
            if sibling.path.startswith(self.path.rstrip("/") + "/{")
            and sibling.path.rstrip("/").count("/") == self.path.rstrip("/").count("/") + 1
        ]
        if self.method == "PUT":
            if not self.path.rstrip("/").endswith("}"):
                return None
        elif not (items or self._declares_created() or self._lists_itself(siblings)):
            return None
        path_resources = {slot.resource for slot in self.slots if slot.location is SlotLocation.PATH}
        for output in self.creates:
            if output.resource not in path_resources:
                return output.resource
        for sibling in items:
            for slot in sibling.slots:
                names_item = slot.location is SlotLocation.PATH and sibling.path.rstrip("/").endswith(
                    "{" + slot.name + "}"
                )
                if names_item and slot.resource not in path_resources:
                    return slot.resource
        return None

    def _declares_created(self) -> bool:
        return any(output.status == "201" for output in self.outputs)

    def _lists_itself(self, siblings: list[Operation]) -> bool:
        """Whether a GET on the same path lists many of something: the path is a collection."""
        return any(
            sibling.method == "GET"
            and sibling.path.rstrip("/") == self.path.rstrip("/")
            and any(output.many for output in sibling.outputs)
            for sibling in siblings
        )

    def path_slot_resources(self) -> list[str]:
        return [slot.resource for slot in self.slots if slot.location is SlotLocation.PATH]


@dataclass
class ApiModel:
    operations: list[Operation]

    def by_label(self) -> dict[str, Operation]:
        return {operation.label: operation for operation in self.operations}

    def creators(self) -> dict[str, list[Operation]]:
        """Operations that create each resource, in document order."""
        out: dict[str, list[Operation]] = {}
        for operation in self.operations:
            resource = operation.created_resource
            if resource:
                out.setdefault(resource, []).append(operation)
        return out


def resources_of(operations: Iterable[Operation]) -> set[str]:
    """Every resource the API returns or creates."""
    out: set[str] = set()
    for operation in operations:
        out.update(output.resource for output in operation.outputs)
        if operation.created_resource:
            out.add(operation.created_resource)
    return out


def looks_like_identifier(name: str) -> bool:
    """Whether a field name is how APIs commonly name a key (``id``, ``order_id``, ``projectId``, ``slug``)."""
    lowered = name.lower()
    return (
        lowered in {"id", "ids", "uid", "uuid", "guid", "slug", "key", "handle"}
        or lowered.endswith(("_id", "-id", "_uid", "_uuid", "_key", "_slug", "_ids", "-ids"))
        or name.endswith(("Id", "ID", "Uid", "Uuid", "Key", "Ids", "IDs"))
    )
