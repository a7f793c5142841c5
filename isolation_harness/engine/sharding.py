"""Shards: a deterministic split of the operations, so a CI matrix probes each operation once."""

from __future__ import annotations

import re
from collections.abc import Iterable

_REASON = re.compile(r"in shard (\d+)/(\d+)")


def shard_of(labels: Iterable[str], count: int) -> dict[str, int]:
    """Each operation's shard (1-based) of ``count``: round robin over the labels in sorted order,
    so the split depends only on the API description, never on the run."""
    return {label: position % count + 1 for position, label in enumerate(sorted(set(labels)))}


def shard_reason(index: int, count: int) -> str:
    """Why a shard's run leaves an operation alone: another shard probes it."""
    return f"in shard {index}/{count}"


def other_shard(reason: str) -> str | None:
    """The shard (``2/3``) a :func:`shard_reason` names, or ``None`` for any other reason."""
    match = _REASON.fullmatch(reason)
    return f"{match[1]}/{match[2]}" if match else None
