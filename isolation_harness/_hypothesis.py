"""Hypothesis, as the harness uses it: without leaving files in the user's working directory.

Hypothesis keeps caches (its Unicode table, the constants it reads from local modules) under
``.hypothesis/`` in the directory it was imported from. When the harness generates a value, that
storage points at a temporary directory instead, removed afterwards; hypothesis keeps both caches
in memory, so nothing is lost within a run. The user's own hypothesis tests keep their storage
(and their example database) where it was.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.RLock()


@contextmanager
def private_storage() -> Iterator[None]:
    """Within this block, hypothesis writes to a temporary directory, not to ``./.hypothesis``."""
    from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

    # The storage location is global to hypothesis: one block at a time sets and restores it.
    with _LOCK, tempfile.TemporaryDirectory(prefix="isolation-harness-hypothesis-") as directory:
        previous = storage_directory().home_directory
        set_hypothesis_home_dir(directory)
        try:
            yield
        finally:
            set_hypothesis_home_dir(previous)
