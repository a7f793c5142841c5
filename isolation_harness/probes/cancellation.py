"""Cancellation: a tenant's read abandoned in flight, while the other tenants read the same operation.

A server that shares a connection between requests (to its cache, its database) and lets a cancelled
request leave its answer on it hands that answer to the next request: another tenant's. Each round,
each tenant in turn gives its request up after a few milliseconds (a client that timed out or went
away) and the others send theirs just then; their answers are judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.context import EngineContext
from ..exchange import Burst
from ..operations import Operation
from .concurrent import own_reads, read_probe

SLOT = "(right after another tenant's request was abandoned in flight)"
# How long an abandoned request waits for its answer before the client gives up.
ABANDON_AFTER = 0.005


class CancellationProbes:
    """Each tenant in turn abandons its read; the others read at that moment."""

    name = "cancellation"
    after_all = False

    def plan(self, operation: Operation, ctx: EngineContext) -> Iterator[Burst]:
        reads = own_reads(operation, ctx)
        names = sorted(reads)
        for _ in range(ctx.settings.cancellation_rounds if names else 0):
            for quitter in names:
                yield Burst(
                    [
                        read_probe(self.name, operation, reads[name], SLOT)
                        for name in names
                        if name != quitter
                    ],
                    abandoned=[(reads[quitter][0], reads[quitter][1].copy())],
                    abandon_after=ABANDON_AFTER,
                )
