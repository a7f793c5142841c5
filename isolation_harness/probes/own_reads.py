"""Own reads: each tenant calls an operation with only its own identifiers (or none), and the answer is judged.

Lists, searches, ``/me`` and exports take no identifier and can still hand back others' data; a
tenant's own read under ``/t/{workspace}/`` can too, where a list there is not filtered.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.context import EngineContext
from ..exchange import Probe
from ..operations import Operation


class OwnReadProbes:
    """Every tenant, its own request: operations without identifiers, and reads with its own."""

    name = "own-read"
    after_all = False

    def plan(self, operation: Operation, ctx: EngineContext) -> Iterator[Probe]:
        if operation.slots and not operation.is_safe:
            return
        slot = "(its own identifiers)" if operation.slots else "(no identifier)"
        for attacker in ctx.knowledge.tenants:
            built = ctx.builder.build(attacker, operation)
            if built is None:
                ctx.skip(operation, f"{attacker.name} could not build a request")
                continue
            yield Probe(
                kind=self.name,
                operation=operation,
                attacker=attacker,
                request=built[0],
                slot=slot,
                error_slot="-",
            )
