"""Operations probed side by side (``workers``): reads at the same time, with a serial run's findings.

Only reads go side by side: a write's probes change what the tenants own, and every later probe is
planned from that. Consecutive reads (the campaign probes every read before any write) form one
group; each worker thread probes one operation of it at a time, taking its turn for engine code (see
:mod:`.turns`). What each item made (findings, errors, events) is put back in the order a serial run
makes it, so that reports and listeners see the same run whatever the number of workers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence

from ..operations import Operation
from .bursts import side_by_side
from .context import EngineContext


def groups(operations: Sequence[Operation]) -> Iterator[list[Operation]]:
    """The operations in order, consecutive reads together and every other operation alone."""
    reads: list[Operation] = []
    for operation in operations:
        if operation.is_safe:
            reads.append(operation)
            continue
        if reads:
            yield reads
            reads = []
        yield [operation]
    if reads:
        yield reads


def probe_side_by_side(
    group: Sequence[Operation],
    probe: Callable[[Operation], bool],
    ctx: EngineContext,
    *,
    workers: int,
    stopping: threading.Event,
) -> list[bool]:
    """Probe each operation of ``group`` side by side; the findings and errors in a serial run's order."""
    findings_from = len(ctx.result.findings)
    errors_from = len(ctx.result.errors)
    try:
        return side_by_side(group, probe, ctx.sender, workers=workers, stopping=stopping)
    finally:
        _in_serial_order(group, ctx, findings_from=findings_from, errors_from=errors_from)


def _in_serial_order(
    group: Sequence[Operation], ctx: EngineContext, *, findings_from: int, errors_from: int
) -> None:
    """The findings and errors the group made, ordered by operation as a serial run orders them."""
    position = {operation.label: index for index, operation in enumerate(group)}
    last = len(group)
    result = ctx.result
    result.findings[findings_from:] = sorted(
        result.findings[findings_from:], key=lambda finding: position.get(finding.operation, last)
    )
    result.errors[errors_from:] = sorted(
        result.errors[errors_from:], key=lambda error: position.get(error.operation, last)
    )
