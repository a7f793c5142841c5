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
from ..exchange import Burst
from ..operations import Operation
from .concurrent import own_reads, read_probe

SLOT = "(at the same moment as other tenants' requests)"
# The last request of a burst goes this much after the others. Where the last request to arrive wins
# (the current account in a variable shared by concurrent requests), it decides whose data the others
# get: with each tenant last in turn, every direction of such a race is likely to show (the server's
# own timing still decides; one direction on every run is what the benchmark measures).
LAST_AFTER = 0.002


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
                    read_probe(self.name, operation, reads[name], SLOT)
                    for name in schedule(operation, ctx, names, round=round)
                ],
                last_after=LAST_AFTER,
            )
