"""Probe: every operation (reads first, deletes last), every probe kind, every oracle; stopped when the
tenants are lost (see :mod:`..liveness`) or a budget is spent (see :mod:`..budget`)."""

from __future__ import annotations

from collections.abc import Sequence

from ...events import OperationFinished
from ...operations import Operation
from ...oracles.base import Oracle
from ...probes.base import ProbeKind
from ..context import EngineContext
from ..liveness import Liveness
from ..probing import run_probe


class ProbePhase:
    """Runs the probe kinds planned per operation; ``after_all`` selects the ones planned at the end.

    ``liveness`` (shared by the phases of one campaign) checks after each probed operation that the
    tenants' credentials still work.
    """

    def __init__(
        self,
        kinds: Sequence[ProbeKind],
        oracles: Sequence[Oracle],
        *,
        after_all: bool = False,
        liveness: Liveness | None = None,
    ) -> None:
        self.kinds = [kind for kind in kinds if kind.after_all == after_all]
        self.oracles = list(oracles)
        self.after_all = after_all
        self.liveness = liveness
        self.name = "aftermath" if after_all else "probe"

    def run(self, ctx: EngineContext) -> None:
        if self.liveness is not None:
            self.liveness.start(ctx)
        operations = list(ctx.index.operations) if self.after_all else ctx.index.ordered()
        for position, operation in enumerate(operations):
            # What is out of this run (configuration, selection, another shard) was marked when the
            # campaign started. A kind planned last probes other operations (reads of what a delete
            # removed): it checks itself which of those are selected.
            probed = False
            if self.after_all or not ctx.coverage(operation).excluded:
                probed = self._probe(operation, ctx)
            if not self.after_all:
                ctx.bus.emit(OperationFinished(operation.label, ctx.coverage(operation)))
            if probed and self.liveness is not None:
                self.liveness.check(operation, ctx, left=operations[position + 1 :])

    def _probe(self, operation: Operation, ctx: EngineContext) -> bool:
        """Send and judge every probe of ``operation`` the budget allows; whether any was sent."""
        for note in operation.unmapped:
            ctx.skip(operation, note)
        spent = ctx.budget.spent()
        if spent:
            if not self.after_all:
                ctx.skip(operation, f"not reached: {spent}")
            return False
        sent = False
        for kind in self.kinds:
            ctx.planning = kind.name
            try:
                for probe in kind.plan(operation, ctx):
                    spent = ctx.budget.spent()
                    if spent:
                        ctx.skip(operation, f"not reached: {spent}")
                        return sent
                    if ctx.selected(probe.operation):
                        run_probe(probe, ctx, self.oracles)
                        sent = True
            finally:
                ctx.planning = ""
        return sent
