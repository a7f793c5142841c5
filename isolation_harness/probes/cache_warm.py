"""Cache warm: the owner reads first, then another tenant sends the same request with its own credentials.

A cache keyed without the tenant (a response cache keyed by path and query, a CDN, an object cached
by id before the ownership check) answers the second caller with what it kept for the first. Every
ordered pair of tenants, both ways round. The other tenant sends the owner's path and query with its
own headers and cookies; for a read of one object whose other tenant's own query differs, also the
owner's identifier in the path alone, the rest of the request the other tenant's own (a cache keyed
by the object, not the URL).

Each pair's request carries a query parameter of its own (:data:`CACHE_BUSTER`, new in every run), as
cache testers do: a cache keyed by the URL keeps one entry per pair, so no pair is answered with what
another pair, or an earlier run, left there. An API that refuses it (400, 422) gets the request without it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from ..engine.context import EngineContext
from ..exchange import Probe
from ..knowledge import TenantKnowledge
from ..model import Slot, SlotLocation
from ..operations import Operation
from .foreign import foreign_probe

SLOT = "(the owner's request, right after the owner sent it)"
PATH_ONLY_SLOT = "(the owner's path, right after the owner sent it)"
CACHE_BUSTER = "ih-cache-key"
_ORACLES = frozenset({"canary", "owner-view", "shared-cache"})
_HEADERS_ONLY = frozenset({"shared-cache"})


class CacheWarmProbes:
    """Each read sent by its owner, then at once by each other tenant."""

    name = "cache-warm"
    after_all = False

    def plan(self, operation: Operation, ctx: EngineContext) -> Iterator[Probe]:
        if not operation.is_safe:
            return
        in_path = tuple(slot for slot in operation.slots if slot.location is SlotLocation.PATH)
        for owner in ctx.knowledge.tenants:
            for other in ctx.knowledge.tenants:
                if other is owner:
                    continue
                for path_only in (False, True) if in_path else (False,):
                    probe = self._probe(operation, ctx, owner, other, in_path, path_only=path_only)
                    if probe is not None:
                        yield probe

    def _probe(
        self,
        operation: Operation,
        ctx: EngineContext,
        owner: TenantKnowledge,
        other: TenantKnowledge,
        in_path: tuple[Slot, ...],
        *,
        path_only: bool,
    ) -> Probe | None:
        """The other tenant's request sent right after the owner's (``path_only``: with the owner's
        identifier in the path alone); ``None`` (and why, in the coverage) when it cannot be made or,
        for ``path_only``, would be the same request."""
        if in_path:
            probe = foreign_probe(ctx, operation, other, owner, in_path, kind=self.name)
            if probe is None:
                return None
            pinned = {target.resource: target for target in probe.targets}
        else:
            built = ctx.builder.build(other, operation)
            if built is None:
                ctx.skip(operation, f"{other.name} could not build its own request")
                return None
            probe = Probe(
                kind=self.name, operation=operation, attacker=other, request=built[0], slot="", victim=owner
            )
            pinned = {}
        warm = ctx.builder.build(owner, operation, pinned=pinned)
        if warm is None:
            ctx.skip(operation, f"{owner.name} could not build its own request")
            return None
        owners = warm[0]
        if path_only:
            if probe.request.query == owners.query:
                return None
            probe.slot = PATH_ONLY_SLOT
        else:
            # The owner's path and query; the headers, cookies and the rest are the other tenant's own.
            probe.request.path_params = dict(owners.path_params)
            probe.request.query = dict(owners.query)
            probe.slot = SLOT
        # A pair whose plain request leaks already needs no cache to explain it: only the owner's
        # caching headers are judged (the same leak found again would be noise).
        plain_leak = ctx.findings.leaking(operation.label, attacker=other.name, victim=owner.name)
        probe.oracles = _HEADERS_ONLY if plain_leak else _ORACLES
        plain = probe.request.copy()
        # New in every run (the canary holds the run's own part), the same for the same pair and slot.
        seen = f"{owner.tenant.canary}|{other.name}|{operation.label}|{probe.slot}"
        buster = hashlib.sha256(seen.encode()).hexdigest()[:12]
        probe.request.query[CACHE_BUSTER] = buster
        owners.query[CACHE_BUSTER] = buster
        probe.warm = [(owner, owners)]
        probe.fallback = plain.copy
        return probe
