"""Search terms: free-text query parameters searched with another tenant's canary.

A search that matches across tenants hands back the victim's records; the search-hit oracle
judges the answer.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.context import EngineContext
from ..exchange import Probe
from ..operations import Operation


class SearchProbes:
    """Each free-text parameter of a read, each attacker, each victim's canary as the term."""

    name = "search"
    after_all = False

    def plan(self, operation: Operation, ctx: EngineContext) -> Iterator[Probe]:
        tenants = ctx.knowledge.tenants
        if not operation.is_safe or not tenants:
            return
        for parameter in ctx.builder.search_parameters(operation, tenants[0].tenant.canary):
            slot = f"query {parameter.name} (searched for the victim's canary)"
            for attacker in tenants:
                built = ctx.builder.build(attacker, operation)
                if built is None:
                    continue
                for victim in tenants:
                    if victim is attacker:
                        continue
                    request = built[0].copy()
                    canary = victim.tenant.canary
                    request.query[parameter.name] = canary
                    yield Probe(
                        kind=self.name,
                        operation=operation,
                        attacker=attacker,
                        request=request,
                        slot=slot,
                        victim=victim,
                        search_term=canary,
                        oracles=frozenset({"search-hit"}),
                    )
