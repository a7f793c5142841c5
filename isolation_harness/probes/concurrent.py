"""What storms and cancellations share: each tenant's own request for a read, and a probe of it."""

from __future__ import annotations

from ..engine.context import EngineContext
from ..exchange import Probe
from ..knowledge import TenantKnowledge
from ..model import HttpRequest
from ..operations import Operation

# Every answer is judged on its own, as an answer to the tenant's own read.
_ORACLES = frozenset({"canary", "owner-view"})


def own_reads(operation: Operation, ctx: EngineContext) -> dict[str, tuple[TenantKnowledge, HttpRequest]]:
    """Each tenant's own request for a read, by name; the coverage says which tenant could build none.
    None for a read that leaks one request at a time already: many at once would show the same leak."""
    if not operation.is_safe:
        return {}
    if ctx.findings.leaking(operation.label):
        ctx.skip(operation, "it leaks one request at a time already")
        return {}
    reads: dict[str, tuple[TenantKnowledge, HttpRequest]] = {}
    for state in ctx.knowledge.tenants:
        built = ctx.builder.build(state, operation)
        if built is None:
            ctx.skip(operation, f"{state.name} could not build its own request")
            continue
        reads[state.name] = (state, built[0])
    return reads if len(reads) > 1 else {}


def read_probe(
    kind: str, operation: Operation, read: tuple[TenantKnowledge, HttpRequest], slot: str
) -> Probe:
    """A probe of a tenant's own read (a copy of it), judged by the canary and owner-view oracles."""
    state, request = read
    return Probe(
        kind=kind,
        operation=operation,
        attacker=state,
        request=request.copy(),
        slot=slot,
        oracles=_ORACLES,
        error_slot="-",
    )
