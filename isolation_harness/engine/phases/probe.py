"""Probe: every operation (reads first, deletes last), every probe kind, every oracle."""

from __future__ import annotations

from collections.abc import Sequence

from ...events import OperationFinished
from ...operations import Operation
from ...oracles.base import Oracle
from ...probes.base import ProbeKind
from ..context import EngineContext
from ..probing import run_probe


class ProbePhase:
    """Runs the probe kinds planned per operation; ``after_all`` selects the ones planned at the end."""

    def __init__(
        self, kinds: Sequence[ProbeKind], oracles: Sequence[Oracle], *, after_all: bool = False
    ) -> None:
        self.kinds = [kind for kind in kinds if kind.after_all == after_all]
        self.oracles = list(oracles)
        self.after_all = after_all
        self.name = "aftermath" if after_all else "probe"

    def run(self, ctx: EngineContext) -> None:
        if self.after_all:
            for operation in ctx.index.operations:
                self._probe(operation, ctx)
            return
        for operation in ctx.index.ordered():
            if ctx.index.is_excluded(operation):
                ctx.coverage(operation).skipped.append(ctx.index.excluded[operation.label])
            elif not ctx.selected(operation):
                ctx.skip(operation, "not selected in this run")
            else:
                self._probe(operation, ctx)
            ctx.bus.emit(OperationFinished(operation.label, ctx.coverage(operation)))

    def _probe(self, operation: Operation, ctx: EngineContext) -> None:
        for kind in self.kinds:
            for probe in kind.plan(operation, ctx):
                if ctx.selected(probe.operation):
                    run_probe(probe, ctx, self.oracles)
