"""Work side by side (``workers``): reads probed at the same time, tenants seeded at the same time, with
a serial run's findings.

Only reads go side by side: a write's probes change what the tenants own, and every later probe is
planned from that. Consecutive reads (the campaign probes every read before any write) form one
group; each worker thread probes one operation of it at a time, taking its turn for engine code (see
:mod:`.turns`). What each item made (findings, errors, events) is put back in the order a serial run
makes it, so that reports and listeners see the same run whatever the number of workers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TypeVar

from ..events import Event
from ..operations import Operation
from .context import EngineContext

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


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


def side_by_side(
    items: Sequence[_Item],
    work: Callable[[_Item], _Result],
    ctx: EngineContext,
    *,
    workers: int,
    stopping: threading.Event | None = None,
) -> list[_Result]:
    """``work`` on each item, ``workers`` threads at a time (in turn, in this thread, with 1 worker or
    1 item); what each returned, in order. Each item's events are handed out after, in the items' order.

    On a failure (or an interrupt) ``stopping`` is set, so that work under way can end early, and the
    events made so far are still handed out; then the failure goes on.
    """
    if workers <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    held: list[list[Event]] = [[] for _ in items]

    def one(position: int) -> _Result:
        with ctx.sender.turns.taken(), ctx.bus.held(held[position]):
            return work(items[position])

    futures: list[Future[_Result]] = []
    with ctx.sender.turns.waiting():
        pool = ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="isolation")
        try:
            futures = [pool.submit(one, position) for position in range(len(items))]
            # The first failure (not the first item's) stops the others.
            wait(futures, return_when=FIRST_EXCEPTION)
            for future in futures:
                failure = future.exception() if future.done() and not future.cancelled() else None
                if failure is not None:
                    raise failure
            return [future.result() for future in futures]
        except BaseException:
            if stopping is not None:
                stopping.set()
            # The requests under way stop at their next attempt.
            ctx.sender.stopping.set()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            ctx.sender.stopping.clear()
            with ctx.sender.turns.taken():
                for events in held:
                    for event in events:
                        ctx.bus.emit(event)


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
        return side_by_side(group, probe, ctx, workers=workers, stopping=stopping)
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
