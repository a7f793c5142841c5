"""Anonymous reads: every read sent without credentials, with no identifier and with each tenant's own.

A tenant's data in the answer is public exposure (the public-exposure oracle judges it), never a
cross-tenant read; an API that answers 401 to callers without credentials gives nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.context import EngineContext
from ..exchange import Probe
from ..operations import Operation
from ..public import anonymous_caller

ORACLE = "public-exposure"


class AnonymousProbes:
    """Each safe operation: the anonymous caller's own request, then each tenant's request sent anonymously."""

    name = "anonymous"
    after_all = False

    def plan(self, operation: Operation, ctx: EngineContext) -> Iterator[Probe]:
        if not operation.is_safe or not ctx.knowledge.tenants:
            return
        anonymous = anonymous_caller(ctx.knowledge, ctx.transport, seed=ctx.settings.seed)
        built = ctx.builder.build(anonymous, operation)
        if built is not None:
            yield Probe(
                kind=self.name,
                operation=operation,
                attacker=anonymous,
                request=built[0],
                slot="(no credentials)",
                oracles=frozenset({ORACLE}),
            )
        if not operation.slots:
            return
        for victim in ctx.knowledge.tenants:
            # The tenant's own request; its credentials are its client's, so none go with it.
            own = ctx.builder.build(victim, operation)
            if own is None:
                continue
            request, used = own
            targets = list(used.values())
            yield Probe(
                kind=self.name,
                operation=operation,
                attacker=anonymous,
                request=request,
                slot=f"(no credentials, {victim.name}'s identifiers)",
                victim=victim,
                targets=targets,
                setup=[step for instance in targets for step in instance.recipe],
                oracles=frozenset({ORACLE}),
            )
