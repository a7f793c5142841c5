"""Discovery: each tenant reads every safe operation with its own identifiers, for owner views and more ids."""

from __future__ import annotations

from collections.abc import Sequence

from ..knowledge import Instance, Knowledge, TenantKnowledge, View
from ..model import HttpRequest, HttpResponse
from ..operations import Operation
from ..snapshots import volatile_between
from .builder import RequestBuilder
from .bursts import send_each
from .harvest import Harvester
from .index import ApiIndex
from .sending import Sender

# Each round reads with what the one before found: a chain of objects this deep is found.
_ROUNDS = 4


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
        """Read every safe operation, until a round finds no new instance.

        Each round builds every request from what the tenant knew when it began, sends them (side by
        side, up to the sender's ``workers``) and keeps what came back in the operations' order: the
        same views whatever the number of workers.
        """
        reads = [op for op in self.index.operations if op.is_safe and not self.index.is_excluded(op)]
        for _ in range(_ROUNDS):
            before = sum(len(items) for items in state.instances.values())
            self._views(state, reads)
            if sum(len(items) for items in state.instances.values()) == before:
                break

    def owner_view(
        self, state: TenantKnowledge, operation: Operation, *, refresh: bool = False
    ) -> View | None:
        """The tenant's own view of a read (kept until its data changes); ``None`` when it cannot make one."""
        if not refresh and operation.label in state.views:
            return state.views[operation.label]
        return self._views(state, [operation])[0]

    def owner_views(self, state: TenantKnowledge, operations: Sequence[Operation]) -> None:
        """Read the tenant's views of these reads that it does not have yet, side by side."""
        self._views(state, [operation for operation in operations if operation.label not in state.views])

    def _views(self, state: TenantKnowledge, operations: Sequence[Operation]) -> list[View | None]:
        """Fresh views of these reads: each request built, sent twice (to learn what changes by itself),
        then kept and harvested in order."""
        built = [self.builder.build(state, operation) for operation in operations]
        calls = [
            (state, made[0], operation) for operation, made in zip(operations, built, strict=True) if made
        ]
        first = iter(send_each(self.sender, calls))
        second = iter(send_each(self.sender, calls))
        views: list[View | None] = []
        for operation, made in zip(operations, built, strict=True):
            if made is None:
                views.append(None)
                continue
            views.append(self._keep(state, operation, made, next(first), next(second)))
        return views

    def _keep(
        self,
        state: TenantKnowledge,
        operation: Operation,
        built: tuple[HttpRequest, dict[str, Instance]],
        first: HttpResponse | None,
        second: HttpResponse | None,
    ) -> View | None:
        if first is None or second is None:
            return None
        request, used = built
        volatile = volatile_between(first.json(), second.json()) if first.status == second.status else set()
        for path in volatile:
            if path and isinstance(path[-1], str):
                self.knowledge.volatile_keys.add(path[-1])
        view = View(request=request, status=second.status, body=second.json(), volatile=volatile)
        state.views[operation.label] = view
        if second.ok:
            self.harvester.harvest(state, operation, request, second, used)
        return view
