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


@dataclass
class Operation:
    """One API operation as the campaign sees it."""

    label: str
    method: str
    path: str
    parameters: list[Parameter] = field(default_factory=list)
    body_schema: Any = None
    body_required: bool = False
    slots: list[Slot] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    created_resource: str | None = None
    # Whether the description says the operation needs credentials; None when it says nothing.
    requires_auth: bool | None = None

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
            if not output.many and output.status.startswith("2") and output.pointer in ("", "/")
        ]

    def infer_created_resource(self, siblings: list[Operation]) -> str | None:
        """The resource this operation creates, if it is a create operation.

        Taken from the analysis's outputs when it found one, else from the REST convention that a
        POST to a collection path creates what ``<collection>/{key}`` names.
        """
        if self.method not in ("POST", "PUT"):
            return None
        path_resources = {slot.resource for slot in self.slots if slot.location is SlotLocation.PATH}
        for output in self.creates:
            if output.resource not in path_resources:
                return output.resource
        prefix = self.path.rstrip("/") + "/{"
        for sibling in siblings:
            if (
                sibling.path.startswith(prefix)
                and sibling.path.count("/") == self.path.rstrip("/").count("/") + 1
            ):
                for slot in sibling.slots:
                    names_item = slot.location is SlotLocation.PATH and sibling.path.endswith(
                        "{" + slot.name + "}"
                    )
                    if names_item and slot.resource not in path_resources:
                        return slot.resource
        return None

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
