"""Operations probed side by side (``workers``): reads at the same time, with a serial run's findings.

Only reads go side by side: a write's probes change what the tenants own, and every later probe is
planned from that. Consecutive reads (the campaign probes every read before any write) form one
group; each worker thread probes one operation of it at a time, taking its turn for engine code (see
:mod:`.turns`). What each operation made (findings, errors, events) is put back in the order a serial
run makes it, so that reports and listeners see the same run whatever the number of workers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from ..events import Event
from ..operations import Operation
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
    """Run ``probe`` on each operation of ``group`` on ``workers`` threads; what each returned, in order.

    On a failure (or an interrupt) ``stopping`` is set, so that the probes under way end at their next
    probe, and what was made so far is still handed out; then the failure goes on.
    """
    held: list[list[Event]] = [[] for _ in group]
    findings_from = len(ctx.result.findings)
    errors_from = len(ctx.result.errors)

    def one(position: int) -> bool:
        with ctx.sender.turns.taken(), ctx.bus.held(held[position]):
            return probe(group[position])

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="isolation-probe")
    futures: list[Future[bool]] = []
    try:
        futures = [pool.submit(one, position) for position in range(len(group))]
        return [future.result() for future in futures]
    except BaseException:
        stopping.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _in_serial_order(group, ctx, findings_from=findings_from, errors_from=errors_from)
        for events in held:
            for event in events:
                ctx.bus.emit(event)


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
