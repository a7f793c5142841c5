"""Turns: the engine's code runs one thread at a time, while requests wait on the network side by side.

Probing operations in parallel (``workers``) and storms of requests sent at the same moment both use
threads. The knowledge, the findings and the listeners are not safe to change from two threads at
once; instead of a lock on each, a thread takes its turn to run engine code and gives it up only
while it waits for an answer. What runs concurrently is the waiting, which is where the time goes.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Turns:
    """One lock, held by the thread running engine code; given up around each network wait."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()

    def _holding(self) -> bool:
        return bool(getattr(self._local, "holding", False))

    @contextmanager
    def taken(self) -> Iterator[None]:
        """Run engine code in this thread (waiting for the turn); re-entrant."""
        if self._holding():
            yield
            return
        self._lock.acquire()
        self._local.holding = True
        try:
            yield
        finally:
            self._local.holding = False
            self._lock.release()

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Give the turn up while this thread waits (for an answer, for other threads); a thread that
        does not hold the turn (a serial campaign) just waits."""
        if not self._holding():
            yield
            return
        self._local.holding = False
        self._lock.release()
        try:
            yield
        finally:
            self._lock.acquire()
            self._local.holding = True


class Stopped(Exception):
    """Raised in a thread still sending when the campaign ends under it (an interrupt, a lost API)."""


class Start:
    """Where the requests of a burst wait for each other, then (after ``delay``) go together."""

    def __init__(self, barrier: threading.Barrier | None, *, delay: float = 0.0) -> None:
        self.barrier = barrier
        self.delay = delay

    def wait(self) -> None:
        """A burst broken by a failure goes on without the others."""
        if self.barrier is not None:
            with contextlib.suppress(threading.BrokenBarrierError):
                self.barrier.wait(timeout=30)
        if self.delay:
            time.sleep(self.delay)
