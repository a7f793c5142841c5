"""Cache warm: the owner reads first, then another tenant sends the same request with its own credentials.

A cache keyed without the tenant (a response cache keyed by path and query, a CDN, an object cached
by id before the ownership check) answers the second caller with what it kept for the first. Every
ordered pair of tenants, both ways round; for a read of one object, the owner's identifier is the
only one in the path and the rest of the request is the other tenant's own.

Each pair's request carries a query parameter of its own (:data:`CACHE_BUSTER`), as cache testers
do: a cache keyed by the URL keeps one entry per pair, so the second pair is not answered with what
the first pair left there. An API that refuses it (400, 422) gets the request without it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.context import EngineContext
from ..exchange import Probe
from ..knowledge import TenantKnowledge
from ..model import Slot, SlotLocation
from ..operations import Operation
from .foreign import foreign_probe

SLOT = "(the owner's request, right after the owner sent it)"
CACHE_BUSTER = "ih-cache-key"
_ORACLES = frozenset({"canary", "owner-view", "shared-cache"})


class CacheWarmProbes:
    """Each read sent by its owner, then at once by each other tenant."""

    name = "cache-warm"
    after_all = False

    def __init__(self) -> None:
        self._pairs = 0

    def plan(self, operation: Operation, ctx: EngineContext) -> Iterator[Probe]:
        if not operation.is_safe:
            return
        in_path = tuple(slot for slot in operation.slots if slot.location is SlotLocation.PATH)
        for owner in ctx.knowledge.tenants:
            for other in ctx.knowledge.tenants:
                if other is owner:
                    continue
                probe = self._probe(operation, ctx, owner, other, in_path)
                if probe is not None:
                    yield probe

    def _probe(
        self,
        operation: Operation,
        ctx: EngineContext,
        owner: TenantKnowledge,
        other: TenantKnowledge,
        in_path: tuple[Slot, ...],
    ) -> Probe | None:
        if in_path:
            probe = foreign_probe(ctx, operation, other, owner, in_path, kind=self.name)
            if probe is None:
                return None
            probe.slot = SLOT
            pinned = {target.resource: target for target in probe.targets}
        else:
            built = ctx.builder.build(other, operation)
            if built is None:
                ctx.skip(operation, f"{other.name} could not build its own request")
                return None
            probe = Probe(
                kind=self.name, operation=operation, attacker=other, request=built[0], slot=SLOT, victim=owner
            )
            pinned = {}
        warm = ctx.builder.build(owner, operation, pinned=pinned)
        if warm is None:
            ctx.skip(operation, f"{owner.name} could not build its own request")
            return None
        # The owner's path and query; the headers, cookies and the rest are the other tenant's own.
        probe.request.path_params = dict(warm[0].path_params)
        probe.request.query = dict(warm[0].query)
        owners = warm[0]
        probe.oracles = _ORACLES
        plain = probe.request.copy()
        self._pairs += 1
        buster = f"{ctx.settings.seed}-{self._pairs}"
        probe.request.query[CACHE_BUSTER] = buster
        owners.query[CACHE_BUSTER] = buster
        probe.warm = [(owner, owners)]
        probe.fallback = plain.copy
        return probe
