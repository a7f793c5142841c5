"""Discovery: each tenant reads every safe operation with its own identifiers, for owner views and more ids."""

from __future__ import annotations

from ..knowledge import Knowledge, TenantKnowledge, View
from ..operations import Operation
from ..snapshots import volatile_between
from .builder import RequestBuilder
from .harvest import Harvester
from .index import ApiIndex
from .sending import Sender

_ROUNDS = 3


class Discovery:
    """Keeps each tenant's own view of each read, read twice to learn what changes by itself."""

    def __init__(
        self,
        *,
        index: ApiIndex,
        knowledge: Knowledge,
        sender: Sender,
        builder: RequestBuilder,
        harvester: Harvester,
    ) -> None:
        self.index = index
        self.knowledge = knowledge
        self.sender = sender
        self.builder = builder
        self.harvester = harvester

    def discover(self, state: TenantKnowledge) -> None:
        """Read every safe operation, until a round finds no new instance."""
        for _ in range(_ROUNDS):
            before = sum(len(items) for items in state.instances.values())
            for operation in self.index.operations:
                if operation.is_safe and not self.index.is_excluded(operation):
                    self.owner_view(state, operation, refresh=True)
            if sum(len(items) for items in state.instances.values()) == before:
                break

    def owner_view(
        self, state: TenantKnowledge, operation: Operation, *, refresh: bool = False
    ) -> View | None:
        """The tenant's own view of a read (kept until its data changes); ``None`` when it cannot make one."""
        if not refresh and operation.label in state.views:
            return state.views[operation.label]
        built = self.builder.build(state, operation)
        if built is None:
            return None
        request, used = built
        first = self.sender.send(state, request, operation)
        second = self.sender.send(state, request, operation)
        if first is None or second is None:
            return None
        volatile = volatile_between(first.json(), second.json()) if first.status == second.status else set()
        for path in volatile:
            if path and isinstance(path[-1], str):
                self.knowledge.volatile_keys.add(path[-1])
        view = View(request=request, status=second.status, body=second.json(), volatile=volatile)
        state.views[operation.label] = view
        if second.ok:
            self.harvester.harvest(state, operation, request, second, used)
        return view
