"""Work on threads of its own: a tenant's independent reads side by side, bursts released at the same
moment (storms, cancellations), and any work side by side (:func:`side_by_side`: operations, tenants).

Each request runs on its own thread and takes its turn for engine code (see :mod:`.turns`); its events
are held and handed out in the order of the requests, so that listeners see what a serial run shows.
Only one burst is in flight at a time: with ``workers``, at most ``workers`` requests per tenant and
one burst (``storm_burst`` requests) are in flight. When the caller is interrupted (or one
request fails), the others are told to stop (:class:`~.turns.Stopped`) and are waited for before the
failure goes on, so that nothing is recorded after the campaign ended.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from functools import partial
from typing import TypeVar

from ..events import Event
from ..knowledge import TenantKnowledge
from ..model import HttpRequest, HttpResponse
from ..operations import Operation
from ..transport import send
from .sending import Sender
from .turns import Start, Stopped

_ONE_BURST = threading.Lock()
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


def send_each(
    sender: Sender, calls: Sequence[tuple[TenantKnowledge, HttpRequest, Operation]], *, probe: bool = False
) -> list[HttpResponse | None]:
    """Requests that do not depend on each other (a tenant's reads of its own data), each answered as
    :meth:`Sender.send` answers it, in order; up to ``sender.workers`` at a time."""
    if sender.workers <= 1 or len(calls) <= 1:
        return [sender.send(state, request, operation, probe=probe) for state, request, operation in calls]
    answers: list[HttpResponse | None] = [None] * len(calls)

    def one(position: int) -> None:
        state, request, operation = calls[position]
        answers[position] = sender.send(state, request, operation, probe=probe)

    _on_threads(
        sender,
        [partial(one, position) for position in range(len(calls))],
        width=sender.workers,
    )
    return answers


def send_together(
    sender: Sender,
    calls: Sequence[tuple[TenantKnowledge, HttpRequest]],
    operation: Operation,
    *,
    slot: str,
    abandoned: Sequence[tuple[TenantKnowledge, HttpRequest]] = (),
    abandon_after: float = 0.005,
    last_after: float = 0.0,
) -> list[HttpResponse | None]:
    """Probes sent at the same moment, one thread each, released together; each answer as
    :meth:`Sender.send` gives a probe's. ``abandoned`` requests go with them and are given up after
    ``abandon_after`` seconds, as a client that timed out or went away: nobody reads their answers, and
    their failing is no error. The last probe goes ``last_after`` seconds after the others."""
    count = len(calls) + len(abandoned)
    barrier = threading.Barrier(count) if count > 1 else None
    # With abandoned requests, the probes go just as those are given up.
    delay = abandon_after if abandoned else 0.0
    starts = [Start(barrier, delay=delay) for _ in calls]
    if len(starts) > 1 and last_after:
        starts[-1] = Start(barrier, delay=delay + last_after)
    answers: list[HttpResponse | None] = [None] * len(calls)

    def probe(position: int) -> None:
        state, request = calls[position]
        answers[position] = sender.send(
            state, request, operation, probe=True, slot=slot, start=starts[position]
        )

    def abandon(state: TenantKnowledge, request: HttpRequest) -> None:
        sender.result.requests += 1
        with sender.turns.waiting():
            Start(barrier).wait()
            with contextlib.suppress(Exception):
                send(state.tenant.client, request, timeout=sender.timeout, read_timeout=abandon_after)

    jobs: list[Callable[[], None]] = [partial(probe, position) for position in range(len(calls))]
    jobs += [partial(abandon, state, request) for state, request in abandoned]
    with sender.turns.waiting(), _ONE_BURST, sender.turns.taken():
        _on_threads(sender, jobs, width=len(jobs), barrier=barrier)
    return answers


def _on_threads(
    sender: Sender,
    jobs: Sequence[Callable[[], None]],
    *,
    width: int,
    barrier: threading.Barrier | None = None,
) -> None:
    """Run each job on a thread of its own (``width`` at a time), taking turns; the caller's events held
    per job and handed out in the jobs' order. The first failure goes on once every job has ended."""
    bus = sender.bus
    parent = bus.holding
    held: list[list[Event]] = [[] for _ in jobs]

    def run(position: int) -> None:
        with sender.turns.taken(), bus.held(held[position]):
            try:
                jobs[position]()
            except BaseException:
                if barrier is not None:
                    barrier.abort()
                raise

    futures: list[Future[None]] = []
    failure: BaseException | None = None
    with sender.turns.waiting():
        pool = ThreadPoolExecutor(max_workers=min(width, len(jobs)), thread_name_prefix="isolation-send")
        try:
            futures = [pool.submit(run, position) for position in range(len(jobs))]
            wait(futures)
        except BaseException as exc:
            # Interrupted while waiting: the requests under way stop at their next attempt.
            failure = exc
            sender.stopping.set()
            if barrier is not None:
                barrier.abort()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    for events in held:
        for event in events:
            if parent is not None:
                parent.append(event)
            else:
                bus.emit(event)
    if failure is not None:
        sender.stopping.clear()
        raise failure
    errors = [f.exception() for f in futures if not f.cancelled() and f.exception() is not None]
    first = next((error for error in errors if not isinstance(error, Stopped)), None)
    if first is not None:
        raise first


def side_by_side(
    items: Sequence[_Item],
    work: Callable[[_Item], _Result],
    sender: Sender,
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
        with sender.turns.taken(), sender.bus.held(held[position]):
            return work(items[position])

    futures: list[Future[_Result]] = []
    with sender.turns.waiting():
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
            sender.stopping.set()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            sender.stopping.clear()
            with sender.turns.taken():
                for events in held:
                    for event in events:
                        sender.bus.emit(event)
