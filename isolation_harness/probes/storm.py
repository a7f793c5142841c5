"""Storms: every tenant sends its own reads of an operation at the same moment, in bursts, for rounds.

State kept between concurrent requests (the current account in a process-wide variable across an
``await``, a shared object in a threaded server) hands one caller another's answer only when two
requests are in the handler together. Each burst holds every tenant's request, several times over,
in an order drawn from the campaign's seed, the last one a little later and each tenant in turn; each
answer is judged on its own.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from ..engine.context import EngineContext
from ..exchange import Burst, Probe
from ..knowledge import TenantKnowledge
from ..model import HttpRequest
from ..operations import Operation

SLOT = "(at the same moment as other tenants' requests)"
# The last request of a burst goes this much after the others. Where the last request to arrive wins
# (the current account in a variable shared by concurrent requests), it decides whose data the others
# get: with each tenant last in turn, every direction of such a race shows, on every run.
LAST_AFTER = 0.002
_ORACLES = frozenset({"canary", "owner-view"})


def own_reads(operation: Operation, ctx: EngineContext) -> dict[str, tuple[TenantKnowledge, HttpRequest]]:
    """Each tenant's own request for a read, by name; the coverage says which tenant could build none."""
    if not operation.is_safe:
        return {}
    reads: dict[str, tuple[TenantKnowledge, HttpRequest]] = {}
    for state in ctx.knowledge.tenants:
        built = ctx.builder.build(state, operation)
        if built is None:
            ctx.skip(operation, f"{state.name} could not build its own request")
            continue
        reads[state.name] = (state, built[0])
    return reads if len(reads) > 1 else {}


def schedule(operation: Operation, ctx: EngineContext, names: list[str], *, round: int) -> list[str]:
    """One burst's senders: every tenant as often as the burst size allows (at least once), in an order
    drawn from the seed, the operation and the round; the last one is each tenant in turn, round after
    round (see :data:`LAST_AFTER`)."""
    copies = max(1, ctx.settings.storm_burst // len(names))
    senders = [name for name in names for _ in range(copies)]
    random.Random(f"{ctx.settings.seed}:{operation.label}:{round}").shuffle(senders)
    last = names[round % len(names)]
    senders.remove(last)
    return [*senders, last]


class StormProbes:
    """Bursts of every tenant's own read, sent together."""

    name = "storm"
    after_all = False

    def plan(self, operation: Operation, ctx: EngineContext) -> Iterator[Burst]:
        reads = own_reads(operation, ctx)
        if not reads:
            return
        names = sorted(reads)
        for round in range(ctx.settings.storm_rounds):
            yield Burst(
                [
                    Probe(
                        kind=self.name,
                        operation=operation,
                        attacker=reads[name][0],
                        request=reads[name][1].copy(),
                        slot=SLOT,
                        oracles=_ORACLES,
                        error_slot="-",
                    )
                    for name in schedule(operation, ctx, names, round=round)
                ],
                last_after=LAST_AFTER,
            )
