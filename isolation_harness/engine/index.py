"""Look-ups on the API model made once per campaign, so that no probe's work grows with the API."""

from __future__ import annotations

from collections.abc import Mapping

from ..operations import ApiModel, Operation


class ApiIndex:
    """The API model with what is excluded, and its operations indexed by what they take and return."""

    def __init__(self, api: ApiModel, *, excluded: Mapping[str, str]) -> None:
        self.api = api
        self.operations = api.operations
        self.excluded = dict(excluded)
        self.by_label = api.by_label()
        self.creators = api.creators()
        self.order = {operation.label: index for index, operation in enumerate(api.operations)}
        self.unbound = {
            slot.resource for op in api.operations for slot in op.slots if slot.resource.startswith("?")
        }
        self._key_fields: dict[str, set[str]] = {}
        for op in api.operations:
            for slot in op.slots:
                self._key_fields.setdefault(slot.resource, set()).add(slot.field)
        self.taken_twice = {
            slot.resource
            for op in api.operations
            for slot in op.slots
            if sum(1 for other in op.slots if other.resource == slot.resource) > 1
        }
        # The reads, indexed by what they take and return.
        self.reads: dict[str, list[Operation]] = {}
        for operation in api.operations:
            if operation.is_safe and operation.label not in self.excluded:
                keys = {f"takes {slot.resource}" for slot in operation.slots}
                keys |= {f"returns {output.resource}" for output in operation.outputs}
                keys |= {f"returns {word}" for word in last_word(operation)}
                if not operation.slots:
                    keys.add("unslotted")
                for key in keys:
                    self.reads.setdefault(key, []).append(operation)

    def key_fields(self, resource: str) -> set[str]:
        """The fields some operation addresses ``resource`` by (``id``, ``username``, ``slug``)."""
        return self._key_fields.get(resource, set())

    def is_excluded(self, operation: Operation) -> bool:
        return operation.label in self.excluded

    def makers(self, resource: str) -> list[Operation]:
        """The operations the campaign may call to create ``resource``."""
        return [op for op in self.creators.get(resource, []) if op.label not in self.excluded]

    def readers(self, resource: str) -> list[Operation]:
        """The reads that take ``resource``, in document order."""
        return [
            op
            for op in self.operations
            if op.is_safe and op.label not in self.excluded and any(s.resource == resource for s in op.slots)
        ]

    def wanted(self, resource: str) -> int:
        """How many of a resource each tenant needs: two where one request takes two of them."""
        return 2 if resource in self.taken_twice else 1

    def recreatable(self, resource: str) -> bool:
        """Whether a tenant can make a fresh one of ``resource`` (an account made at signup cannot)."""
        return any(
            op.requires_auth is not False and op.label not in self.excluded
            for op in self.creators.get(resource, [])
        )

    def related_reads(self, write: Operation) -> set[str]:
        """The reads that return what a write makes or returns, or end with the same word as its path."""
        made = {output.resource for output in write.outputs} | {write.created_resource or ""}
        names = (made - {""}) | last_word(write)
        return {op.label for name in names for op in self.reads.get(f"returns {name}", [])}

    def ordered(self) -> list[Operation]:
        """Reads first, then writes, deletes last."""

        def rank(operation: Operation) -> int:
            return 0 if operation.is_safe else 2 if operation.is_delete else 1

        return sorted(self.operations, key=rank)


def last_word(operation: Operation) -> set[str]:
    """The last fixed word of an operation's path (``preferences`` in ``/users/{name}/preferences``)."""
    words = [part for part in operation.path.split("/") if part and not part.startswith("{")]
    return set(words[-1:])


def is_list(read: Operation) -> bool:
    return any(output.many for output in read.outputs)
