"""Ctrl-C and SIGTERM on the command line: both end the run as ``KeyboardInterrupt``, and one that comes
while the command is still loading is held until the command knows which reports to write.

Standard library only: this is imported before anything heavy, so that no moment of loading is
left to Python's default handling (a traceback, and no report).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Held:
    holding = False
    pending = False


_held = _Held()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    if _held.holding:
        _held.pending = True
        return
    raise KeyboardInterrupt


@contextmanager
def handled() -> Iterator[None]:
    """SIGINT and SIGTERM raise ``KeyboardInterrupt`` inside this block, once :func:`release` is called;
    before that they are held. Outside the main thread signals are left alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _interrupt) for signum in _SIGNALS}
    _held.holding, _held.pending = True, False
    try:
        yield
    finally:
        _held.holding = False
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def release() -> None:
    """Stop holding signals; raise ``KeyboardInterrupt`` now if one came while they were held."""
    _held.holding = False
    if _held.pending:
        _held.pending = False
        raise KeyboardInterrupt
