"""Probe: every operation (reads first, deletes last), every probe kind, every oracle; stopped when the
tenants are lost (see :mod:`..liveness`) or a budget is spent (see :mod:`..budget`)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from ...events import OperationFinished
from ...exchange import Burst
from ...operations import Operation
from ...oracles.base import Oracle
from ...probes.base import ProbeKind
from ..context import EngineContext
from ..liveness import Liveness
from ..probing import run_burst, run_probe
from ..side_by_side import groups, probe_side_by_side


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
        workers = 1 if self.after_all else ctx.settings.workers
        stopping = threading.Event()
        done = 0
        for group in groups(operations) if workers > 1 else ([op] for op in operations):
            if len(group) == 1:
                probed = self._operation(group[0], ctx, stopping)
            else:
                each = probe_side_by_side(
                    group,
                    lambda operation: self._operation(operation, ctx, stopping),
                    ctx,
                    workers=workers,
                    stopping=stopping,
                )
                probed = any(each)
            done += len(group)
            if probed and self.liveness is not None:
                # Side by side, the check runs once the group is done, and names its last operation.
                self.liveness.check(group[-1], ctx, left=operations[done:])

    def _operation(self, operation: Operation, ctx: EngineContext, stopping: threading.Event) -> bool:
        """Probe one operation (unless it is out of this run); whether any probe was sent."""
        # What is out of this run (configuration, selection, another shard) was marked when the
        # campaign started. A kind planned last probes other operations (reads of what a delete
        # removed): it checks itself which of those are selected.
        probed = False
        if self.after_all or not ctx.coverage(operation).excluded:
            probed = self._probe(operation, ctx, stopping)
        if not self.after_all:
            ctx.bus.emit(OperationFinished(operation.label, ctx.coverage(operation)))
        return probed

    def _probe(self, operation: Operation, ctx: EngineContext, stopping: threading.Event) -> bool:
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
            if kind.name in ctx.settings.skip_probes:
                continue
            ctx.planning = kind.name
            try:
                for item in kind.plan(operation, ctx):
                    spent = ctx.budget.spent()
                    if spent:
                        ctx.skip(operation, f"not reached: {spent}")
                        return sent
                    if stopping.is_set():
                        return sent
                    probes = item.probes if isinstance(item, Burst) else [item]
                    if not probes or not ctx.selected(probes[0].operation):
                        continue
                    if isinstance(item, Burst):
                        run_burst(item, ctx, self.oracles)
                    else:
                        run_probe(item, ctx, self.oracles)
                    sent = True
            finally:
                ctx.planning = ""
        return sent
